/**
 * Masking of personal data (PIPL; REQUIREMENTS.md "Personal information"):
 * ID numbers, phones, addresses and names are never shown whole in logs or
 * displays. Each function masks rather than removes, so a support engineer
 * can still tell two records apart or confirm one with the applicant.
 *
 * Every function fails safe: input it does not recognise is masked whole.
 */

const STAR = '*';

function stars(n: number): string {
  return STAR.repeat(Math.max(0, n));
}

/**
 * Masks a resident ID number (GB 11643-1999): keeps the 6-digit address code
 * and the last 4 characters, `11010519491231002X` → `110105********002X`.
 * A first-generation 15-digit number keeps the same ends. Anything else keeps
 * at most its last 4 characters, and nothing when shorter than 8.
 */
export function maskResidentId(value: string): string {
  const id = value.trim();
  if (id.length === 18 || id.length === 15) return `${id.slice(0, 6)}${stars(id.length - 10)}${id.slice(-4)}`;
  if (id.length < 8) return stars(id.length);
  return `${stars(id.length - 4)}${id.slice(-4)}`;
}

const MOBILE = /^(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})$/;
const MASKED_MOBILE = /^1[3-9]\d\*{4}\d{4}$/;

/**
 * Masks a phone number: a mainland mobile keeps its 3-digit prefix and last 4
 * digits, `13812345678` → `138****5678` (a `+86` prefix and separators are
 * dropped). Other numbers (landlines, foreign) keep only their last 4 digits.
 */
export function maskPhone(value: string): string {
  const phone = value.trim();
  // Already masked (log lines pass free-text masking before field masking).
  if (MASKED_MOBILE.test(phone)) return phone;
  const mobile = MOBILE.exec(phone);
  if (mobile) return `${mobile[1]}****${mobile[3]}`;
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 8) return stars(phone.length);
  return `${stars(digits.length - 4)}${digits.slice(-4)}`;
}

// The administrative prefix of a Chinese address, down to the district
// (区), county (县), banner (旗) or county-level city (市). Province
// (省 / 自治区) and prefecture city (市) segments are optional. A district name is 1–7 characters of a place name:
// street-level words (路 街 道 号 村 镇 乡 巷 弄 楼 室 栋 单元 苑 园 小区) and
// digits cannot be in it, so "北京市某某路小区" does not pass for a district.
const NOT_IN_PLACE_NAME = '路街道号村镇乡巷弄楼室栋单元苑园小\\d\\s,，';
const PROVINCE = `[^${NOT_IN_PLACE_NAME}省市]{1,8}?(?:省|自治区|特别行政区)`;
const CITY = `[^${NOT_IN_PLACE_NAME}省市]{1,8}?市`;
const DISTRICT = `[^${NOT_IN_PLACE_NAME}省市区县旗]{1,7}(?:区|县|旗)`;
const ADDRESS_PREFIX = new RegExp(`^((?:${PROVINCE})?(?:${CITY})?(?:${DISTRICT}|${CITY}))`);

/**
 * Masks an address down to its district: `北京市朝阳区建国路88号` →
 * `北京市朝阳区****`. When no district can be recognised the whole address
 * is masked, so a street address can never leak through.
 */
export function maskAddress(value: string): string {
  const address = value.trim();
  const prefix = ADDRESS_PREFIX.exec(address)?.[1];
  if (prefix === undefined || prefix.length === address.length) return prefix ?? '****';
  return `${prefix}****`;
}

/**
 * Masks a person's name, keeping the first character (the surname for most
 * Chinese names): `张三` → `张*`, `欧阳修` → `欧**`, `Li Wei` → `L*****`.
 */
export function maskName(value: string): string {
  const chars = Array.from(value.trim());
  if (chars.length === 0) return '';
  if (chars.length === 1) return STAR;
  return `${chars[0]}${stars(chars.length - 1)}`;
}

// An 18-character resident ID inside free text: 6 address digits, a birth
// date from 1900–2099, 3 sequence digits and a check character. The date
// pattern keeps order numbers and positions from being taken for IDs; the
// check digit is not verified so mistyped IDs are masked too.
const ID_IN_TEXT = /(?<![0-9A-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])/g;
// A mainland mobile number inside free text, optionally with +86.
const MOBILE_IN_TEXT = /(?<![0-9A-Za-z+])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9A-Za-z])/g;

/**
 * Masks every resident ID number and mainland mobile number found in free
 * text (log messages, error messages), leaving the rest of the text alone.
 */
export function maskFreeText(text: string): string {
  if (text.length < 11) return text;
  return text.replace(ID_IN_TEXT, (id) => maskResidentId(id)).replace(MOBILE_IN_TEXT, (phone) => maskPhone(phone));
}
