/**
 * Inter-department data sharing (R-CAT-10, measures Art. 7(5)): a material
 * the guide marks as obtainable through sharing is fetched, shown to the
 * applicant, and taken once confirmed; it is never demanded. Records carry a
 * revision: when the holding department lawfully changes a record, the new
 * revision is what counts, and a confirmation of an older one is refused
 * (the applicant confirms what is current).
 */
export interface SharedRecord {
  /** The guide material this record stands for. */
  readonly materialId: string;
  readonly recordId: string;
  readonly revision: number;
  /** The department holding the record, e.g. 北京市市场监督管理局. */
  readonly provider: string;
  readonly title: string;
  /** What the applicant is shown to confirm; personal fields already masked by the provider adapter. */
  readonly fields: Readonly<Record<string, string>>;
  readonly updatedAt: string;
}

export interface DataSharing {
  /** The current record for the material and applicant identifier, or null when the provider holds none. */
  fetch(materialId: string, applicantId: string): Promise<SharedRecord | null>;
}

/** `recordId@revision`: what a received material references when it came from sharing. */
export const sharedReference = (record: Pick<SharedRecord, 'recordId' | 'revision'>): string => `${record.recordId}@${record.revision}`;

/**
 * An in-process provider with realistic records, for local runs, the
 * standalone mode and tests. `change` models a lawful change by the holding
 * department (a new revision).
 */
export class LocalDataSharing implements DataSharing {
  private readonly records = new Map<string, SharedRecord>();

  constructor(records: readonly (SharedRecord & { readonly applicantId: string })[] = DEFAULT_SHARED_RECORDS) {
    for (const { applicantId, ...record } of records) this.records.set(`${record.materialId}|${applicantId}`, record);
  }

  async fetch(materialId: string, applicantId: string): Promise<SharedRecord | null> {
    return this.records.get(`${materialId}|${applicantId}`) ?? null;
  }

  change(materialId: string, applicantId: string, fields: Readonly<Record<string, string>>, updatedAt: string): SharedRecord {
    const key = `${materialId}|${applicantId}`;
    const current = this.records.get(key);
    if (!current) throw new Error(`no shared record ${key}`);
    const next = { ...current, revision: current.revision + 1, fields: { ...current.fields, ...fields }, updatedAt };
    this.records.set(key, next);
    return next;
  }
}

/** Records as the market-regulation and public-security registers would return them (masked where personal). */
export const DEFAULT_SHARED_RECORDS: readonly (SharedRecord & { readonly applicantId: string })[] = [
  {
    applicantId: '91110108551385082Q',
    materialId: 'business-licence',
    recordId: 'samr-bl-91110108551385082Q',
    revision: 3,
    provider: '北京市市场监督管理局',
    title: '营业执照（电子证照）',
    fields: {
      统一社会信用代码: '91110108551385082Q',
      名称: '北京京味餐饮管理有限公司',
      类型: '有限责任公司（自然人投资或控股）',
      法定代表人: '张*',
      注册资本: '100万元',
      成立日期: '2010-03-12',
      住所: '北京市海淀区中关村大街**号',
      登记机关: '北京市海淀区市场监督管理局',
    },
    updatedAt: '2025-06-18T10:00:00+08:00',
  },
  {
    applicantId: '91110105MA01ABCD13',
    materialId: 'business-licence',
    recordId: 'samr-bl-91110105MA01ABCD13',
    revision: 1,
    provider: '北京市市场监督管理局',
    title: '营业执照（电子证照）',
    fields: {
      统一社会信用代码: '91110105MA01ABCD13',
      名称: '北京朝阳晨光便利店有限公司',
      类型: '有限责任公司（自然人独资）',
      法定代表人: '刘*',
      注册资本: '50万元',
      成立日期: '2019-08-01',
      住所: '北京市朝阳区建国路**号',
      登记机关: '北京市朝阳区市场监督管理局',
    },
    updatedAt: '2024-01-09T09:00:00+08:00',
  },
  {
    applicantId: '11010519491231002X',
    materialId: 'household-register',
    recordId: 'mps-hr-110105194912310021',
    revision: 2,
    provider: '北京市公安局',
    title: '居民户口簿（户籍信息）',
    fields: { 姓名: '王*', 公民身份号码: '110105********002X', 户籍地址: '北京市朝阳区******', 户主或与户主关系: '户主' },
    updatedAt: '2023-05-20T09:00:00+08:00',
  },
];
