/**
 * Masking of personal information for logs and displays (PIPL; R-CAT-12 for
 * result samples). Masks keep what a clerk needs to recognise a record
 * (region, last digits, surname) and nothing that identifies a person.
 * Over-masking is preferred to under-masking: anything shaped like an ID
 * or mobile number in free text is masked whether or not its check passes.
 */
import { MUNICIPALITIES, PROVINCES } from './regions.ts';

/** `11010519491231002X` → `110105********002X`; a 15-digit one keeps 6 + 3: `110105******002`. */
export function maskResidentId(id: string): string {
  const v = id.trim();
  if (v.length === 18) return `${v.slice(0, 6)}********${v.slice(14)}`;
  if (v.length === 15) return `${v.slice(0, 6)}******${v.slice(12)}`;
  return maskMiddle(v, 2, 2);
}

/**
 * Mobile `13812345678` → `138****5678` (also with +86 or separators); a
 * landline keeps its area code and last four digits: `010-****5678`.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[\s-]/g, '');
  const mobile = /^(\+?86)?(1[3-9]\d)(\d{4})(\d{4})$/.exec(digits);
  if (mobile) return `${mobile[1] ?? ''}${mobile[2]}****${mobile[4]}`;
  const landline = /^(0\d{2,3})-?(\d{3,4})(\d{4})$/.exec(phone.replace(/\s/g, ''));
  if (landline) return `${landline[1]}-****${landline[3]}`;
  return maskMiddle(digits, 3, 2);
}

/** `张三` → `张*`, `张三丰` → `张*丰`, `欧阳娜娜` → `欧**娜`. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

const PROVINCE_NAMES = Object.values(PROVINCES).filter((n) => !n.includes('（'));
const CITY_SUFFIX = /^.{1,12}?(?:自治州|地区|盟|市)/u;
const COUNTY_SUFFIX = /^.{1,12}?(?:区|县|旗|市)/u;

/**
 * Keeps the province, city and district (or county) of a Chinese address
 * and masks the rest with a fixed `****`, so the mask does not tell the
 * length of what it hides: `北京市朝阳区建国路88号` → `北京市朝阳区****`.
 * An address whose administrative part is not recognised is masked whole.
 */
export function maskAddress(address: string): string {
  let rest = address.trim();
  let kept = '';
  const province = PROVINCE_NAMES.find((p) => rest.startsWith(p) || rest.startsWith(shortName(p)));
  if (province) {
    const written = rest.startsWith(province) ? province : shortName(province);
    kept += written;
    rest = rest.slice(written.length);
    if (!(MUNICIPALITIES as readonly string[]).includes(province)) {
      const city = CITY_SUFFIX.exec(rest)?.[0];
      if (city) {
        kept += city;
        rest = rest.slice(city.length);
      }
    }
  }
  const county = COUNTY_SUFFIX.exec(rest)?.[0];
  if (county && (province || county.length <= 6)) kept += county;
  return kept === '' ? '****' : `${kept}****`;
}

function shortName(province: string): string {
  return province.replace(/(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/u, '');
}

function maskMiddle(value: string, keepStart: number, keepEnd: number): string {
  if (value.length <= keepStart + keepEnd) return '*'.repeat(value.length);
  return `${value.slice(0, keepStart)}${'*'.repeat(value.length - keepStart - keepEnd)}${value.slice(value.length - keepEnd)}`;
}

// Not preceded or followed by a digit (or X after an 18-character ID), so
// parts of longer numbers are left to the longer pattern.
const ID_18 = /(?<![\dA-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/g;
const ID_15 = /(?<![\dA-Za-z])\d{6}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![\dA-Za-z])/g;
const MOBILE = /(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)/g;

/** Masks every resident ID number and mobile number found in free text (log lines, remarks). */
export function maskPersonalData(text: string): string {
  return text
    .replace(ID_18, (m) => maskResidentId(m))
    .replace(ID_15, (m) => maskResidentId(m))
    .replace(MOBILE, (m) => maskPhone(m));
}
