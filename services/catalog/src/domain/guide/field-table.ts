/**
 * `docs/guide-fields.md`, rendered from the guide schema's descriptions, so
 * the Chinese labels department staff read and the fields the code checks
 * cannot drift apart (a unit test compares the file with this output).
 */
import { z } from 'zod';
import { GUIDE_ELEMENTS, MATERIAL_FIELDS } from '../lint/elements.ts';
import {
  CROSS_REGION_SCOPES,
  DAY_KINDS,
  guideContentSchema,
  HANDLING_FORMS,
  INSTRUMENT_KINDS,
  ITEM_TYPES,
  LEVELS,
  MATERIAL_CATEGORIES,
  MATERIAL_TYPES,
  PROVISIONS,
  RESULT_TYPES,
  SERVICE_OBJECTS,
  SOURCE_CHANNELS,
} from './content.ts';

const CODE_LISTS: readonly [string, Record<string, string>][] = [
  ['itemType 事项类型 (R-SCOPE-1)', ITEM_TYPES],
  ['level 实施层级', LEVELS],
  ['serviceObjects 服务对象', SERVICE_OBJECTS],
  ['handlingForm 办理形式', HANDLING_FORMS],
  ['crossRegionScope 通办范围', CROSS_REGION_SCOPES],
  ['result.type 结果类型', RESULT_TYPES],
  ['result.licence.renewal.leadTime.unit 计算方式', DAY_KINDS],
  ['materials[].category 材料类别', MATERIAL_CATEGORIES],
  ['materials[].type 材料类型', MATERIAL_TYPES],
  ['materials[].source.channel 来源渠道', SOURCE_CHANNELS],
  ['materials[].provision 提交方式', PROVISIONS],
  ['legalBasis[].kind 效力层级', INSTRUMENT_KINDS],
];

interface JsonSchema {
  type?: string;
  description?: string;
  enum?: readonly string[];
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  items?: JsonSchema;
}

/** Rules that check a field beyond presence (R-CAT-3 / R-CAT-5 presence is derived from the lint tables). */
const FIELD_RULES: Record<string, string> = {
  level: 'R-CAT-4',
  'promisedTimeLimit.workingDays': 'R-CAT-3',
  'result.sample.format': 'R-CAT-12',
  'result.sample.text': 'R-CAT-12',
  'materials[].name': 'R-CAT-5, R-CAT-6, R-CAT-10',
  'materials[].condition': 'R-CAT-5, R-CAT-6',
  'materials[].acceptanceStandard': 'R-CAT-5, R-CAT-6',
  'materials[].specification': 'R-CAT-5, R-CAT-6',
  'materials[].legalBasis': 'R-CAT-6',
  'materials[].proofCode': 'R-CAT-7',
  'materials[].blankForm': 'R-CAT-8',
  'materials[].sample': 'R-CAT-5, R-CAT-8',
  'materials[].source.issuerCategory': 'R-CAT-9',
  'materials[].source.qualification': 'R-CAT-9',
  'materials[].sharing': 'R-CAT-10',
  'materials[].provision': 'R-CAT-5, R-CAT-10',
  'materials[].eForm.formId': 'R-CAT-5',
  'toleratedDeficiency.rules': 'R-CAT-3',
  'toleratedDeficiency.rules[].materialId': 'R-CAT-3',
  'process[].timeLimit': 'R-CAT-11',
  'process[].reviewStandard': 'R-CAT-11',
  'process[].result': 'R-CAT-11',
  'process[].next[].to': 'R-CAT-11',
  'result.licence': 'R-REV-3',
  'result.licence.electronic.paperAbolished': 'R-REV-3',
  'result.licence.validity.months': 'R-REV-4',
  'result.licence.validity.basis': 'R-REV-4',
  'result.licence.renewal': 'R-REV-4',
  'result.licence.renewal.basis': 'R-REV-4',
  'result.licence.renewal.leadTime.days': 'R-REV-4',
  'collectiveDecision.basis': 'R-REV-5',
  'collaboration.leadDepartment': 'R-COLLAB-1',
  'collaboration.assistingDepartments': 'R-COLLAB-1',
  'collaboration.assistingDepartments[].name': 'R-COLLAB-1',
};

function rulesFor(path: string): string {
  const element = GUIDE_ELEMENTS.find((e) => e.path.slice(1).replaceAll('/', '.') === path);
  const material = path.startsWith('materials[].') && MATERIAL_FIELDS.some((f) => `materials[].${f.key}` === path);
  const extra = FIELD_RULES[path];
  if (extra) return extra;
  if (element) return 'R-CAT-3';
  if (material) return 'R-CAT-5';
  return '';
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return [...schema.enum].sort().map((v) => `\`${v}\``).join(' \\| ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'unknown'}[]`;
  if (schema.type === 'object') return 'object';
  return schema.type ?? 'unknown';
}

function rows(schema: JsonSchema, prefix: string, out: string[]): void {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    const description = property.description ?? '';
    const split = description.indexOf(' ');
    const zh = split < 0 ? description : description.slice(0, split);
    const en = split < 0 ? '' : description.slice(split + 1);
    const required = schema.required?.includes(name) ? '必填 required' : '';
    out.push(`| \`${path}\` | ${zh} | ${en.replaceAll('|', '\\|')} | ${typeOf(property)} | ${required} | ${rulesFor(path)} |`);
    if (property.type === 'object') rows(property, path, out);
    if (property.type === 'array' && property.items?.type === 'object') rows(property.items, `${path}[]`, out);
  }
}

export function renderGuideFieldTable(): string {
  const schema = z.toJSONSchema(guideContentSchema, { io: 'input' }) as JsonSchema;
  const lines: string[] = [
    '# 办事指南字段 Guide fields',
    '',
    '<!-- Rendered from services/catalog/src/domain/guide/content.ts by `pnpm --filter @govsvc/catalog docs:fields`; do not edit by hand. -->',
    '',
    'Every element of a service guide (办事指南) as the catalog service stores it: measures Art. 6 (R-CAT-3) and the',
    'material fields of Art. 7 (R-CAT-5), plus the facts review decides by (licence form, validity and renewal, collective',
    'decision, collaboration: R-REV-3/4/5, R-COLLAB-1; published in `catalog.guide-published.v2`). "必填 required" means the schema refuses a guide without it; every other',
    'element may be absent in a draft, and the rules named in the last column refuse to publish a guide that lacks',
    'it or states it unlawfully (`govsvc guide lint` shows each finding with its rule and path).',
    '',
    '| 字段 field | 中文标签 | meaning | type | schema | 发布规则 publish rules |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  rows(schema, '', lines);
  lines.push('', '## 代码表 Code lists');
  for (const [title, labels] of CODE_LISTS) {
    lines.push('', `### ${title}`, '', '| code | 中文 |', '| --- | --- |');
    for (const code of Object.keys(labels).sort()) lines.push(`| \`${code}\` | ${labels[code]} |`);
  }
  return lines.join('\n') + '\n';
}
