/**
 * Inter-department data sharing (R-CAT-10, measures Art. 7(5)): a material
 * the guide marks as obtainable through sharing is fetched, shown to the
 * applicant, and taken once confirmed; it is never demanded. Records carry a
 * revision: when the holding department lawfully changes a record, the new
 * revision is what counts, and a confirmation of an older one is refused
 * (the applicant confirms what is current).
 *
 * Guides name materials in their own words (申请人居民身份证, 营业执照 …); the
 * city's shared-data directory (共享数据目录) says which shared data set each
 * name stands for. The port takes the material as the guide lists it.
 */
export interface SharedRecord {
  /** The guide material this record stands for. */
  readonly materialId: string;
  /** The shared data set (directory entry), e.g. `business-licence`. */
  readonly dataset: string;
  readonly recordId: string;
  readonly revision: number;
  /** The department or library holding the record, e.g. 北京市电子证照库. */
  readonly provider: string;
  readonly title: string;
  /** What the applicant is shown to confirm; personal fields already masked by the provider adapter. */
  readonly fields: Readonly<Record<string, string>>;
  readonly updatedAt: string;
}

export interface DataSharing {
  /** The current record for the guide's material and the applicant's identifier, or null when none is held. */
  fetch(material: { readonly materialId: string; readonly name: string }, applicantId: string): Promise<SharedRecord | null>;
}

/** `recordId@revision`: what a received material references when it came from sharing. */
export const sharedReference = (record: Pick<SharedRecord, 'recordId' | 'revision'>): string => `${record.recordId}@${record.revision}`;

export interface SharedDataset {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly via: string;
}

/** The city's shared-data directory as intake's local adapter knows it (same entries as the catalog's lint uses). */
export const SHARED_DATA_DIRECTORY: readonly SharedDataset[] = [
  { id: 'resident-id-card', name: '居民身份证', aliases: ['身份证', '申请人居民身份证', '经营者居民身份证', '负责人居民身份证', '新生儿父母居民身份证', '举报人居民身份证', '投诉人身份证明'], via: '北京市人口基础信息库' },
  { id: 'household-register', name: '居民户口簿', aliases: ['户口簿', '户口本'], via: '北京市人口基础信息库' },
  { id: 'business-licence', name: '营业执照', aliases: ['企业法人营业执照', '投诉人营业执照'], via: '北京市电子证照库' },
  { id: 'real-estate-certificate', name: '不动产权证书', aliases: ['房屋所有权证', '不动产权证'], via: '北京市不动产登记信息平台' },
  { id: 'social-security-card', name: '社会保障卡', aliases: ['社保卡'], via: '北京市人力资源和社会保障信息系统' },
  { id: 'marriage-certificate', name: '结婚证', aliases: [], via: '北京市电子证照库（婚姻登记信息）' },
];

interface HeldRecord {
  readonly dataset: string;
  readonly applicantId: string;
  readonly recordId: string;
  readonly revision: number;
  readonly title: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly updatedAt: string;
}

/**
 * An in-process provider with realistic records, for local runs, the
 * standalone mode and tests. `change` models a lawful change by the holding
 * department (a new revision).
 */
export class LocalDataSharing implements DataSharing {
  private readonly records = new Map<string, HeldRecord>();

  constructor(records: readonly HeldRecord[] = DEFAULT_SHARED_RECORDS, private readonly directory: readonly SharedDataset[] = SHARED_DATA_DIRECTORY) {
    for (const record of records) this.records.set(`${record.dataset}|${record.applicantId}`, record);
  }

  /** The data set a guide's material stands for: by its id, name or an alias in the directory. */
  datasetOf(material: { readonly materialId: string; readonly name: string }): SharedDataset | undefined {
    return this.directory.find((d) => d.id === material.materialId || d.name === material.name || d.aliases.includes(material.name));
  }

  async fetch(material: { readonly materialId: string; readonly name: string }, applicantId: string): Promise<SharedRecord | null> {
    const dataset = this.datasetOf(material);
    const held = dataset && this.records.get(`${dataset.id}|${applicantId}`);
    if (!dataset || !held) return null;
    return { materialId: material.materialId, dataset: dataset.id, recordId: held.recordId, revision: held.revision, provider: dataset.via, title: held.title, fields: held.fields, updatedAt: held.updatedAt };
  }

  change(dataset: string, applicantId: string, fields: Readonly<Record<string, string>>, updatedAt: string): void {
    const key = `${dataset}|${applicantId}`;
    const current = this.records.get(key);
    if (!current) throw new Error(`no shared record ${key}`);
    this.records.set(key, { ...current, revision: current.revision + 1, fields: { ...current.fields, ...fields }, updatedAt });
  }
}

/** Records as the registers would return them (masked where personal). */
export const DEFAULT_SHARED_RECORDS: readonly HeldRecord[] = [
  {
    dataset: 'business-licence',
    applicantId: '91110108551385082Q',
    recordId: 'samr-bl-91110108551385082Q',
    revision: 3,
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
    dataset: 'resident-id-card',
    applicantId: '11010519491231002X',
    recordId: 'rk-id-110105194912310020',
    revision: 1,
    title: '居民身份证（人口基础信息）',
    fields: { 姓名: '王*', 性别: '女', 公民身份号码: '110105********002X', 签发机关: '北京市公安局朝阳分局', 有效期限: '2016.03.01-长期' },
    updatedAt: '2016-03-01T09:00:00+08:00',
  },
  {
    dataset: 'household-register',
    applicantId: '11010519491231002X',
    recordId: 'rk-hr-110105194912310021',
    revision: 2,
    title: '居民户口簿（户籍信息）',
    fields: { 姓名: '王*', 公民身份号码: '110105********002X', 户籍地址: '北京市朝阳区******', 户主或与户主关系: '户主' },
    updatedAt: '2023-05-20T09:00:00+08:00',
  },
  {
    dataset: 'social-security-card',
    applicantId: '11010519491231002X',
    recordId: 'hrss-ssc-110105194912310022',
    revision: 1,
    title: '社会保障卡（参保信息）',
    fields: { 姓名: '王*', 社会保障号码: '110105********002X', 参保状态: '正常参保', 参保地: '北京市朝阳区' },
    updatedAt: '2024-01-10T09:00:00+08:00',
  },
  {
    dataset: 'resident-id-card',
    applicantId: '110108198503121233',
    recordId: 'rk-id-110108198503121233',
    revision: 1,
    title: '居民身份证（人口基础信息）',
    fields: { 姓名: '陈*', 性别: '男', 公民身份号码: '110108********1233', 签发机关: '北京市公安局海淀分局', 有效期限: '2015.07.01-2035.07.01' },
    updatedAt: '2015-07-01T09:00:00+08:00',
  },
];
