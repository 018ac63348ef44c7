/**
 * The item code element (R-CAT-3 事项编码) agrees with itself: the
 * implementation code is read apart (basic code, region, implementing body,
 * handling item, layout in @govsvc/identifiers/item-codes) and every part
 * must match what the guide states elsewhere. A mismatch would file the
 * guide under the wrong item, level or body, and the cross-level comparison
 * (R-CAT-4) would compare the wrong guides.
 */
import { checkBasicCode, checkImplementationCode } from '@govsvc/identifiers/item-codes';
import { normalizeIdentifier } from '@govsvc/identifiers/checked';
import { LEVELS, type GuideContent, type Level } from '../guide/content.ts';
import { error, isBlank, type Finding } from './finding.ts';

/**
 * The level a 12-digit region code names: 6-digit division (province,
 * prefecture, county) + 3-digit township + 3-digit village. In a
 * municipality the "prefecture" digits name the districts, so 110000… is
 * the city, 110105000000 a district, 110105001000 a township or street.
 */
export function levelOfRegion(regionCode: string): Level | null {
  if (!/^\d{12}$/.test(regionCode) || regionCode.slice(9) !== '000') return null;
  if (regionCode.slice(2) === '0000000000') return 'city';
  if (regionCode.slice(6) === '000000') return regionCode.slice(4, 6) === '00' ? null : 'district';
  return 'township';
}

export function lintItemCode(guide: GuideContent): Finding[] {
  const findings: Finding[] = [];
  const parsed = checkImplementationCode(guide.implementationCode);
  if (!parsed.ok) return []; // the schema already refused it
  const code = parsed.value;

  if (!isBlank(guide.basicCode)) {
    const basic = checkBasicCode(guide.basicCode ?? '');
    if (!basic.ok) {
      for (const issue of basic.issues) findings.push(error('R-CAT-3', '/basicCode', `基本编码无效：${issue.reason}`, `invalid basic code: ${issue.reason}`));
    } else if (basic.value.value !== code.basic.value) {
      findings.push(
        error('R-CAT-3', '/basicCode', `基本编码与实施编码所含基本编码（${code.basic.value}）不一致`, `the basic code differs from the one inside the implementation code (${code.basic.value})`),
      );
    }
  }
  if (guide.itemType !== undefined && guide.itemType !== code.basic.itemType) {
    findings.push(
      error('R-CAT-3', '/itemType', `事项类型与编码所示类型（${code.basic.itemType}）不一致`, `the item type differs from the type in the code (${code.basic.itemType})`),
    );
  }
  if (guide.region && guide.region.code !== code.regionCode) {
    findings.push(
      error('R-CAT-3', '/region/code', `行政区划代码与实施编码所含区划（${code.regionCode}）不一致`, `the region differs from the one in the implementation code (${code.regionCode})`),
    );
  }
  const level = levelOfRegion(code.regionCode);
  if (guide.level !== undefined && level !== null && guide.level !== level) {
    findings.push(
      error(
        'R-CAT-4',
        '/level',
        `实施层级为${LEVELS[guide.level]}，但实施编码的区划代码${code.regionCode}属于${LEVELS[level]}`,
        `the level is ${guide.level} but region ${code.regionCode} in the implementation code is ${level} level`,
      ),
    );
  }
  const uscc = guide.implementingBody?.uscc;
  if (uscc !== undefined && normalizeIdentifier(uscc) !== code.implementingBody.value) {
    findings.push(
      error(
        'R-CAT-3',
        '/implementingBody/uscc',
        `实施主体统一社会信用代码与实施编码所含代码（${code.implementingBody.value}）不一致`,
        `the implementing body's code differs from the one in the implementation code (${code.implementingBody.value})`,
      ),
    );
  }
  if (!isBlank(guide.handlingItem) && guide.handlingItem !== code.handlingItem.name) {
    findings.push(
      error(
        'R-CAT-3',
        '/handlingItem',
        `业务办理项“${guide.handlingItem}”与实施编码所示“${code.handlingItem.name}”不一致`,
        `handling item "${guide.handlingItem}" differs from the code's "${code.handlingItem.name}"`,
      ),
    );
  }
  return findings;
}
