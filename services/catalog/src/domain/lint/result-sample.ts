/**
 * R-CAT-12 (measures Art. 9): the result sample is in a safe, common format
 * and hides personal data.
 */
import type { GuideContent } from '../guide/content.ts';
import { error, type Finding } from './finding.ts';
import { findPersonalData, maskForMessage, type PersonalDataKind } from './personal-data.ts';

/** 安全通用的文件格式: formats readable without macros or proprietary software (OFD: GB/T 33190). */
export const SAFE_SAMPLE_FORMATS = ['pdf', 'ofd', 'png', 'jpg', 'jpeg'] as const;

const KIND_LABEL: Record<PersonalDataKind, { zh: string; en: string }> = {
  'resident-id': { zh: '居民身份证号码', en: 'resident ID number' },
  'mobile-phone': { zh: '手机号码', en: 'mobile phone number' },
  'full-name': { zh: '个人姓名', en: 'full name' },
  'home-address': { zh: '家庭住址', en: 'home address' },
};

export function lintResultSample(guide: GuideContent): Finding[] {
  const sample = guide.result?.sample;
  if (!sample) return [];
  const findings: Finding[] = [];
  const format = sample.format.trim().toLowerCase().replace(/^\./u, '');
  if (!(SAFE_SAMPLE_FORMATS as readonly string[]).includes(format)) {
    findings.push(
      error(
        'R-CAT-12',
        '/result/sample/format',
        `结果样本格式“${sample.format}”不是安全通用格式（${SAFE_SAMPLE_FORMATS.join('、')}）`,
        `result sample format "${sample.format}" is not a safe common format (${SAFE_SAMPLE_FORMATS.join(', ')})`,
      ),
    );
  }
  for (const hit of findPersonalData(sample.text)) {
    const label = KIND_LABEL[hit.kind];
    findings.push(
      error(
        'R-CAT-12',
        '/result/sample/text',
        `结果样本含未隐藏的${label.zh}（${maskForMessage(hit)}，第${hit.index + 1}字符起），须作隐藏处理`,
        `the result sample shows an unmasked ${label.en} (${maskForMessage(hit)} at character ${hit.index + 1})`,
      ),
    );
  }
  return findings;
}
