/**
 * The service guide (办事指南) as data: every element of measures Art. 6
 * (R-CAT-3) and every material field of Art. 7 (R-CAT-5).
 *
 * The schema checks shape only (types, enums, references that must resolve).
 * Whether a guide is complete and lawful enough to publish is the lints' job
 * (`../lint/lint-guide.ts`): a draft may be incomplete, so elements are
 * optional here and a missing one is a finding with its rule id, not a parse
 * error. That keeps "every problem at once, with paths" possible: a file is
 * parsed, then linted, and both lists are reported together.
 *
 * Every field carries its Chinese label and an English gloss in `.describe()`;
 * `docs/guide-fields.md` is rendered from these descriptions (a unit test keeps
 * the two in step).
 */
import { z } from 'zod';
import { normalizeIdentifier } from '@govsvc/identifiers/checked';
import { checkImplementationCode } from '@govsvc/identifiers/item-codes';

/** Item types in scope of the measures (Art. 4, R-SCOPE-1), keyed by their national platform codes. */
export const ITEM_TYPES = {
  '01': '行政许可',
  '05': '行政给付',
  '07': '行政确认',
  '08': '行政奖励',
  '09': '行政裁决',
  '10': '其他行政权力',
  '20': '公共服务',
} as const;
export type ItemTypeCode = keyof typeof ITEM_TYPES;
const itemTypeCodes = Object.keys(ITEM_TYPES) as [ItemTypeCode, ...ItemTypeCode[]];

export const LEVELS = { city: '市级', district: '区级', township: '乡镇（街道）级' } as const;
export type Level = keyof typeof LEVELS;

export const SERVICE_OBJECTS = {
  'natural-person': '自然人',
  enterprise: '企业法人',
  'public-institution': '事业单位法人',
  'social-organization': '社会组织法人',
  'unincorporated-enterprise': '非法人企业',
  'government-body': '行政机关',
  'other-organization': '其他组织',
} as const;

export const HANDLING_FORMS = { online: '网上办理', window: '窗口办理', both: '网上办理和窗口办理' } as const;

export const CROSS_REGION_SCOPES = {
  none: '不通办',
  district: '区内通办',
  city: '全市通办',
  'beijing-tianjin-hebei': '京津冀通办',
  'inter-provincial': '跨省通办',
  national: '全国通办',
} as const;

export const MATERIAL_CATEGORIES = {
  form: '表格类',
  proof: '证明类',
  licence: '证照类',
  document: '申请人自备文书',
  report: '报告类（中介或法定机构出具）',
} as const;

export const MATERIAL_TYPES = {
  original: '原件',
  copy: '复印件',
  'original-and-copy': '原件和复印件',
  electronic: '电子材料',
} as const;

export const SOURCE_CHANNELS = {
  applicant: '申请人自备',
  government: '政府部门核发',
  intermediary: '中介机构出具',
  'statutory-body': '法定机构出具',
} as const;

export const PROVISIONS = {
  'applicant-submits': '申请人提交',
  'shared-confirm': '部门共享获取，申请人确认',
} as const;

export const RESULT_TYPES = {
  licence: '证照',
  approval: '批准文书',
  certificate: '证明文书',
  record: '登记备案凭证',
  payment: '待遇或奖励发放',
  decision: '处理决定书',
} as const;

export const INSTRUMENT_KINDS = {
  law: '法律',
  'administrative-regulation': '行政法规',
  'local-regulation': '地方性法规',
  'departmental-rule': '部门规章',
  'local-government-rule': '地方政府规章',
  'normative-document': '规范性文件',
} as const;

/** How a renewal lead time is counted: the Licensing Law's 30 days are calendar days; some rules count working days. */
export const DAY_KINDS = { 'calendar-days': '日（自然日）', 'working-days': '工作日' } as const;

const keysOf = <T extends Record<string, string>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

/** A citation of a legal instrument; also used for material bases (Art. 7(1)) and fee bases. */
export const legalReferenceSchema = z
  .strictObject({
    instrument: z.string().describe('法律文件名称 instrument name, with book-title marks 《》'),
    article: z.string().optional().describe('条款 article (第N条第M款)'),
    kind: z.enum(keysOf(INSTRUMENT_KINDS)).optional().describe('效力层级 kind of instrument (law, regulation, rule, normative document)'),
    excerpt: z.string().optional().describe('条文摘录 excerpt of the provision'),
  })
  .describe('依据 legal reference');
export type LegalReference = z.infer<typeof legalReferenceSchema>;

export const timeLimitSchema = z
  .strictObject({
    // A year of working days is far above any statutory limit, and the most the published contract carries.
    workingDays: z.number().int().min(0).max(365).describe('工作日数 working days (0 = 即办, handled on the spot)'),
    basis: z.string().optional().describe('时限依据 where the limit comes from'),
  })
  .describe('时限 time limit in working days');
export type TimeLimit = z.infer<typeof timeLimitSchema>;

export const materialSchema = z
  .strictObject({
    id: z.string().max(100).regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes').describe('材料标识 stable id inside the guide (referenced by 容缺 rules)'),
    name: z.string().max(200).optional().describe('材料名称 material name'),
    category: z.enum(keysOf(MATERIAL_CATEGORIES)).optional().describe('材料类别 category: form, proof, licence, document, report'),
    type: z.enum(keysOf(MATERIAL_TYPES)).optional().describe('材料类型 type: original, copy, both, electronic'),
    necessity: z.enum(['required', 'conditional']).optional().describe('必要性 required, or only under a condition'),
    condition: z.string().optional().describe('适用情形 when a conditional material is needed'),
    sample: z.string().optional().describe('材料样本 sample (file reference); for a form, the filled sample'),
    blankForm: z.string().optional().describe('空白表格 blank form (file reference), for form materials'),
    eForm: z
      .strictObject({
        available: z.boolean().describe('是否有电子表单 whether an e-form exists'),
        formId: z.string().optional().describe('电子表单编号 e-form id on the online platform'),
      })
      .optional()
      .describe('电子表单 e-form'),
    source: z
      .strictObject({
        channel: z.enum(keysOf(SOURCE_CHANNELS)).describe('来源渠道 source channel'),
        issuer: z.string().optional().describe('出具单位 issuing body'),
        issuerCategory: z.string().optional().describe('机构类别 category of the intermediary or statutory body'),
        qualification: z.string().optional().describe('资质要求 qualification the issuing body must hold'),
      })
      .optional()
      .describe('来源渠道 source of the material'),
    copies: z.number().int().min(1).max(99).optional().describe('份数 number of copies'),
    specification: z.string().optional().describe('规格 format and paper size'),
    acceptanceStandard: z.string().optional().describe('受理标准 acceptance standard for this material'),
    electronicRequired: z.boolean().optional().describe('是否需电子材料 whether an electronic version is required'),
    legalBasis: z.array(legalReferenceSchema).optional().describe('材料依据 legal basis of the material'),
    sharing: z
      .strictObject({
        obtainable: z.boolean().describe('可否共享获取 obtainable through inter-department data sharing'),
        via: z.string().optional().describe('共享渠道 the sharing system or licence library'),
      })
      .optional()
      .describe('信息共享 data sharing'),
    provision: z.enum(keysOf(PROVISIONS)).optional().describe('提交方式 submitted by the applicant, or fetched and confirmed'),
    proofCode: z.string().optional().describe('保留证明事项编码 code in the retained-proofs catalog, for proof materials'),
    notes: z.string().optional().describe('备注 notes'),
  })
  .describe('所需材料 required material');
export type Material = z.infer<typeof materialSchema>;

export const stepSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes').describe('环节标识 step id'),
    name: z.string().optional().describe('环节名称 step name'),
    actor: z.string().optional().describe('办理人员 who handles the step'),
    timeLimit: timeLimitSchema.optional().describe('办理时限 time limit of the step'),
    reviewStandard: z.string().optional().describe('审查标准 review standard of the step'),
    result: z.string().optional().describe('办理结果 result of the step'),
    next: z
      .array(
        z.strictObject({
          to: z.string().describe('下一环节 id of the next step'),
          when: z.string().optional().describe('条件 condition of this branch'),
        }),
      )
      .optional()
      .describe('流转 next steps (default: the following step)'),
  })
  .describe('办理环节 applicant-facing step');
export type Step = z.infer<typeof stepSchema>;

export const toleranceRuleSchema = z
  .strictObject({
    materialId: z.string().describe('容缺材料 id of the material that may be missing at acceptance'),
    condition: z.string().optional().describe('容缺条件 when the deficiency is tolerated'),
    supplementWithinWorkingDays: z.number().int().min(1).max(60).optional().describe('补正期限 working days to supplement'),
    commitment: z.string().optional().describe('承诺内容 what the applicant commits to'),
  })
  .describe('容缺规则 tolerated-deficiency rule');
export type ToleranceRule = z.infer<typeof toleranceRuleSchema>;

const contactSchema = (label: string, channels: Record<string, string>) =>
  z
    .strictObject({
      channel: z.enum(keysOf(channels)).describe(`${label}渠道 channel`),
      value: z.string().describe('号码、地址或网址 number, address or URL'),
    })
    .describe(label);

export const guideContentSchema = z
  .strictObject({
    itemName: z.string().max(200).optional().describe('事项名称 item name'),
    basicCode: z.string().optional().describe('基本编码 basic code (same item city-wide and nationwide)'),
    // The stream's identity, so it is checked here (not by a lint) and normalized (no hyphens,
    // upper case) in place: `overwrite` keeps the type a string, representable in JSON Schema
    // both ways, so the same schema serves requests, responses and the OpenAPI document.
    implementationCode: z
      .string()
      .overwrite(normalizeIdentifier)
      .superRefine((code, ctx) => {
        const checked = checkImplementationCode(code);
        if (!checked.ok) for (const issue of checked.issues) ctx.addIssue({ code: 'custom', message: issue.reason });
      })
      .describe('实施编码 implementation code: basic code + 12-digit region + implementing body USCC + handling item (written with or without hyphens)'),
    handlingItem: z.string().optional().describe('业务办理项 handling item (新办, 变更, 延续, 注销 …)'),
    itemType: z.enum(itemTypeCodes).optional().describe('事项类型 item type (national code)'),
    level: z.enum(keysOf(LEVELS)).optional().describe('实施层级 level: city, district, township'),
    region: z
      .strictObject({
        code: z.string().regex(/^\d{12}$/, '12-digit region code').describe('行政区划代码 12-digit region code'),
        name: z.string().describe('行政区划名称 region name'),
      })
      .optional()
      .describe('实施区域 region'),
    legalBasis: z.array(legalReferenceSchema).optional().describe('设定依据 legal basis'),
    implementingBody: z
      .strictObject({
        name: z.string().max(200).describe('实施主体名称 implementing body'),
        uscc: z.string().optional().describe('统一社会信用代码 unified social credit code'),
        nature: z.enum(['statutory', 'authorized', 'entrusted']).optional().describe('实施主体性质 statutory, authorized or entrusted'),
      })
      .optional()
      .describe('实施主体 implementing body'),
    acceptanceConditions: z.array(z.string()).optional().describe('受理条件 acceptance conditions'),
    serviceObjects: z.array(z.enum(keysOf(SERVICE_OBJECTS))).optional().describe('服务对象 service object'),
    statutoryTimeLimit: timeLimitSchema.optional().describe('法定办结时限 statutory time limit'),
    promisedTimeLimit: timeLimitSchema.optional().describe('承诺办结时限 promised time limit'),
    result: z
      .strictObject({
        name: z.string().max(200).optional().describe('结果名称 result name'),
        type: z.enum(keysOf(RESULT_TYPES)).optional().describe('结果类型 result type'),
        sample: z
          .strictObject({
            file: z.string().describe('样本文件 sample file reference'),
            format: z.string().describe('文件格式 file format (pdf, ofd, png, jpg)'),
            text: z.string().describe('样本文字 the sample\'s text, checked for unmasked personal data'),
          })
          .optional()
          .describe('结果样本 result sample'),
        licence: z
          .strictObject({
            electronic: z
              .strictObject({
                available: z.boolean().describe('是否已实行电子证照 whether the result is issued as an electronic licence'),
                paperAbolished: z.boolean().describe('是否取消纸质证照 whether paper licences are abolished (electronic only)'),
              })
              .describe('电子证照 electronic licence (R-REV-3)'),
            validity: z
              .strictObject({
                term: z.enum(['fixed', 'indefinite']).describe('有效期类型 fixed term, or 长期有效 no expiry'),
                months: z.number().int().min(1).max(1200).optional().describe('有效期（月） validity in months, for a fixed term'),
                basis: z.array(legalReferenceSchema).optional().describe('有效期依据 the provision that sets the term'),
              })
              .describe('有效期 validity (R-REV-4)'),
            renewal: z
              .strictObject({
                leadTime: z
                  .strictObject({
                    days: z.number().int().min(0).max(365).describe('天数 number of days'),
                    unit: z.enum(keysOf(DAY_KINDS)).describe('计算方式 calendar or working days'),
                  })
                  .describe('延续申请期限 a renewal is applied for at least this long before expiry'),
                basis: z.array(legalReferenceSchema).optional().describe('延续期限依据 the rule, when it departs from Licensing Law Art. 50'),
              })
              .optional()
              .describe('延续 renewal (absent: 30 days before expiry, Licensing Law Art. 50)'),
          })
          .optional()
          .describe('证照信息 licence facts: electronic form, validity, renewal'),
      })
      .optional()
      .describe('办理结果 result'),
    collectiveDecision: z
      .strictObject({
        required: z.boolean().describe('是否须集体讨论决定 whether the law requires a collective decision (R-REV-5: then two signatures do not conclude a case)'),
        basis: z.array(legalReferenceSchema).optional().describe('集体讨论决定依据 the provision that requires it'),
      })
      .optional()
      .describe('集体讨论决定 collective decision by law (absent: two signatures conclude, measures Art. 30)'),
    collaboration: z
      .strictObject({
        leadDepartment: z.string().max(100).describe('牵头部门 lead department: owns the flow, the material list and the time limit'),
        assistingDepartments: z
          .array(
            z.strictObject({
              name: z.string().max(100).describe('协办部门名称 assisting department'),
              matter: z.string().max(200).optional().describe('协办内容 what it gives its opinion on'),
            }),
          )
          .describe('协办部门 assisting departments, asked in parallel'),
      })
      .optional()
      .describe('协同办理 cross-department handling (R-COLLAB-1; absent: the implementing body alone)'),
    fee: z
      .strictObject({
        charged: z.boolean().describe('是否收费 whether a fee is charged'),
        standard: z.string().optional().describe('收费标准 fee standard'),
        basis: z.array(legalReferenceSchema).optional().describe('收费依据 fee basis'),
      })
      .optional()
      .describe('收费 fee'),
    materials: z.array(materialSchema).optional().describe('所需材料 required materials'),
    toleratedDeficiency: z
      .strictObject({
        allowed: z.boolean().describe('是否支持容缺受理 whether tolerated-deficiency acceptance applies'),
        rules: z.array(toleranceRuleSchema).describe('容缺规则 rules'),
      })
      .optional()
      .describe('容缺受理 tolerated-deficiency acceptance'),
    process: z.array(stepSchema).optional().describe('办理流程 process: applicant-facing steps'),
    handlingForm: z.enum(keysOf(HANDLING_FORMS)).optional().describe('办理形式 handling form: online, window, both'),
    reviewStandard: z.array(z.string()).optional().describe('审查标准 review standard'),
    crossRegionScope: z.enum(keysOf(CROSS_REGION_SCOPES)).optional().describe('通办范围 cross-region scope'),
    appointment: z
      .strictObject({
        available: z.boolean().describe('是否支持预约 whether appointments are offered'),
        channels: z.array(z.enum(['onsite', 'phone', 'online'])).describe('预约渠道 on site, phone, online'),
      })
      .optional()
      .describe('预约办理 appointment'),
    onlinePayment: z.boolean().optional().describe('网上支付 online payment'),
    expressDelivery: z
      .strictObject({
        available: z.boolean().describe('是否支持物流快递 whether express delivery is offered'),
        directions: z.array(z.enum(['materials-in', 'results-out'])).describe('寄递方向 materials in, results out'),
      })
      .optional()
      .describe('物流快递 express logistics'),
    locations: z
      .array(
        z.strictObject({
          name: z.string().describe('地点名称 place name'),
          address: z.string().describe('地址 address'),
        }),
      )
      .optional()
      .describe('办理地点 location'),
    hours: z.string().optional().describe('办理时间 hours'),
    consultation: z
      .array(contactSchema('咨询方式', { window: '窗口', phone: '电话', online: '网上', letter: '信函' }))
      .optional()
      .describe('咨询方式 consultation channels'),
    complaint: z
      .array(contactSchema('监督投诉方式', { hotline: '热线', online: '网上', window: '窗口', letter: '信函' }))
      .optional()
      .describe('监督投诉方式 complaint channels'),
  })
  .superRefine(
    (guide, ctx) => {
      for (const issue of duplicateIdIssues(guide)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    },
    // zod skips refinements once a field failed; a guide with several problems should hear about all of them at once.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .describe('办事指南 service guide');
export type GuideContent = z.infer<typeof guideContentSchema>;

/**
 * Ids are references (容缺 rules → materials, branches → steps), so a
 * duplicate would make them ambiguous. Works on unparsed input, because it
 * also runs when other fields of the guide failed.
 */
export function duplicateIdIssues(input: unknown): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (typeof input !== 'object' || input === null) return issues;
  for (const list of ['materials', 'process'] as const) {
    const entries = (input as Record<string, unknown>)[list];
    if (!Array.isArray(entries)) continue;
    const seen = new Set<string>();
    entries.forEach((entry: unknown, i) => {
      const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
      if (typeof id !== 'string') return;
      if (seen.has(id)) issues.push({ path: [list, i, 'id'], message: `duplicate id "${id}"` });
      seen.add(id);
    });
  }
  return issues;
}
