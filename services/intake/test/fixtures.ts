/**
 * Realistic test data: a Beijing food-business licence guide (食品经营许可,
 * 朝阳区市场监督管理局) as the catalog publishes it, centres, staff and
 * applicants whose identifiers pass their check characters (R-ID-1).
 */
import type { BoundGuide } from '../src/domain/guide.ts';
import type { Deadline, Seal } from '../src/domain/document.ts';
import type { Applicant, CentreRef, Staff } from '../src/domain/application/events.ts';
import type { CentreConfig } from '../src/domain/appointment/schedule.ts';
import type { SubmitInput } from '../src/app/application-service.ts';
import { parseContactKeyring } from '@govsvc/contracts/sealed-contact';

export const FOOD_ITEM = '00017201100Y-110105-11110105MB0160128A-001';

export const foodGuide: BoundGuide = {
  itemCode: FOOD_ITEM,
  itemName: '食品经营许可（新办）',
  itemType: '01',
  guideVersion: '2026.2',
  implementingBody: '北京市朝阳区市场监督管理局',
  handlingForm: 'both',
  statutoryLimitWorkingDays: 20,
  promisedLimitWorkingDays: 10,
  materials: [
    { materialId: 'application-form', name: '食品经营许可申请书', toleratedDeficiencyAllowed: false, electronicRequired: false, fromDataSharing: false },
    { materialId: 'business-licence', name: '营业执照', toleratedDeficiencyAllowed: false, electronicRequired: false, fromDataSharing: true },
    { materialId: 'premises-proof', name: '经营场所使用证明', toleratedDeficiencyAllowed: true, electronicRequired: false, fromDataSharing: false },
    { materialId: 'layout-plan', name: '经营设施设备布局和操作流程图', toleratedDeficiencyAllowed: true, electronicRequired: false, fromDataSharing: false },
    { materialId: 'safety-rules', name: '食品安全规章制度', toleratedDeficiencyAllowed: false, electronicRequired: true, fromDataSharing: false },
  ],
};

/** A valid unified social credit code (GB 32100, incl. the GB 11714 organisation code check). */
export const ENTERPRISE_USCC = '91110108551385082Q';
/** The example of GB 11643-1999 itself. */
export const PERSON_ID = '11010519491231002X';

export const enterprise: Applicant = {
  kind: 'enterprise',
  id: ENTERPRISE_USCC,
  name: '北京京味餐饮管理有限公司',
  ref: '6f1d3c2a-7b4e-4d8a-9c1f-2e3d4c5b6a79',
};

export const chaoyang: CentreRef = { centreId: 'bj-chaoyang', region: '110105', entrustedBody: null };
export const entrustedStation: CentreRef = { centreId: 'bj-chaoyang-jianwai', region: '110105', entrustedBody: '朝阳区建外街道政务服务中心' };

export const clerk: Staff = { staffId: 'clerk-li', name: '李华', centre: 'bj-chaoyang' };

export const approvalSeal: Seal = { kind: 'approval-business', sealId: 'seal-cy-scjg-001', name: '北京市朝阳区市场监督管理局审批业务专用章' };
export const departmentSeal: Seal = { kind: 'department', sealId: 'seal-cy-scjg-000', name: '北京市朝阳区市场监督管理局' };
export const entrustedSeal: Seal = { kind: 'entrusted-body', sealId: 'seal-jw-001', name: '朝阳区建外街道政务服务中心' };

export const deadline = (date: string, provisional = false): Deadline => ({ date, endsAt: `${date}T23:59:59.999+08:00`, provisional });

export const chaoyangCentre: CentreConfig = {
  centreId: 'bj-chaoyang',
  name: '北京市朝阳区政务服务中心',
  region: '110105',
  entrustedBody: null,
  hours: { open: '09:00', close: '17:00', lunch: { from: '12:00', to: '13:00' } },
  slotMinutes: 30,
  extended: { earlyLate: true, lunchService: true, saturday: { open: '09:00', close: '12:00' } },
  items: [
    { itemCode: FOOD_ITEM, capacityPerSlot: 3, frequentPersonal: false },
    { itemCode: 'RESIDENCE-PERMIT', capacityPerSlot: 5, frequentPersonal: true },
  ],
  staff: [
    { staffId: 'clerk-li', name: '李华' },
    { staffId: 'clerk-wang', name: '王芳' },
  ],
};

/** The applicant-contact keyring delivery and courier would share (a fixed test key). */
export const contactKeys = parseContactKeyring(`contact-test:${Buffer.alloc(32, 7).toString('base64')}`);

/** Notify by SMS, pick the result up at the Chaoyang centre's window. */
export const smsAndWindowPickup: SubmitInput['delivery'] = {
  notificationChannels: ['sms'],
  resultDelivery: { method: 'window-pickup', serviceCentre: 'bj-chaoyang' },
  contact: { name: '张经理', mobile: '13812345678' },
};

/** 城乡居民基本养老保险待遇申领, handled by a street office by entrustment; every material shared (R-CAT-10). */
export const pensionGuide: BoundGuide = {
  itemCode: '00017201300Y-110108-11110108MB3729016D-001',
  itemName: '城乡居民基本养老保险待遇申领',
  itemType: '05',
  guideVersion: '2026.1',
  implementingBody: '北京市海淀区万寿路街道办事处',
  handlingForm: 'both',
  statutoryLimitWorkingDays: 15,
  promisedLimitWorkingDays: 5,
  materials: [
    { materialId: 'applicant-id', name: '申请人居民身份证', toleratedDeficiencyAllowed: false, electronicRequired: false, fromDataSharing: true },
    { materialId: 'household-register', name: '居民户口簿', toleratedDeficiencyAllowed: false, electronicRequired: false, fromDataSharing: true },
    { materialId: 'social-security-card', name: '社会保障卡', toleratedDeficiencyAllowed: false, electronicRequired: false, fromDataSharing: true },
  ],
};
