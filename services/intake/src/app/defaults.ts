/**
 * The configuration a local run starts with when the environment gives none:
 * real Beijing service centres (names after the standard pattern of R-PLAT-1),
 * their hours and extended service (Art. 31), and the seal register of the
 * departments whose items the catalog fixtures publish. A deployment replaces
 * both with INTAKE_CENTRES / INTAKE_SEALS.
 */
import type { CentreConfig } from '../domain/appointment/schedule.ts';
import type { SealRegistration } from './seal.ts';

const standardHours = { open: '09:00', close: '17:00', lunch: { from: '12:00', to: '13:00' } };

export const DEFAULT_CENTRES: CentreConfig[] = [
  {
    centreId: 'bj-city',
    name: '北京市政务服务中心',
    region: '110000',
    entrustedBody: null,
    hours: standardHours,
    slotMinutes: 30,
    extended: { earlyLate: true, lunchService: true, saturday: null },
    items: [],
    staff: [
      { staffId: 'clerk-zhao', name: '赵敏' },
      { staffId: 'clerk-qian', name: '钱进' },
    ],
  },
  {
    centreId: 'bj-chaoyang',
    name: '北京市朝阳区政务服务中心',
    region: '110105',
    entrustedBody: null,
    hours: standardHours,
    slotMinutes: 30,
    extended: { earlyLate: true, lunchService: true, saturday: { open: '09:00', close: '12:00' } },
    items: [],
    staff: [
      { staffId: 'clerk-li', name: '李华' },
      { staffId: 'clerk-wang', name: '王芳' },
    ],
  },
  {
    centreId: 'bj-haidian',
    name: '北京市海淀区政务服务中心',
    region: '110108',
    entrustedBody: null,
    hours: standardHours,
    slotMinutes: 30,
    extended: { earlyLate: true, lunchService: true, saturday: { open: '09:00', close: '12:00' } },
    items: [],
    staff: [{ staffId: 'clerk-sun', name: '孙立' }],
  },
  {
    centreId: 'bj-chaoyang-jianwai',
    name: '北京市朝阳区建外街道政务服务中心',
    region: '110105',
    entrustedBody: '北京市朝阳区建外街道政务服务中心',
    hours: standardHours,
    slotMinutes: 30,
    extended: { earlyLate: false, lunchService: true, saturday: { open: '09:00', close: '12:00' } },
    items: [],
    staff: [{ staffId: 'clerk-zhou', name: '周婷' }],
  },
];

/** Seals of the departments whose items the catalog publishes, and of the entrusted street centre. */
export const DEFAULT_SEALS: SealRegistration[] = [
  { sealId: 'seal-cy-scjg-spz', kind: 'approval-business', name: '北京市朝阳区市场监督管理局审批业务专用章', owner: '北京市朝阳区市场监督管理局' },
  { sealId: 'seal-cy-scjg', kind: 'department', name: '北京市朝阳区市场监督管理局', owner: '北京市朝阳区市场监督管理局' },
  { sealId: 'seal-hd-scjg-spz', kind: 'approval-business', name: '北京市海淀区市场监督管理局审批业务专用章', owner: '北京市海淀区市场监督管理局' },
  { sealId: 'seal-bj-gaj-crj', kind: 'department', name: '北京市公安局出入境管理总队', owner: '北京市公安局出入境管理总队' },
  { sealId: 'seal-bj-zjw-spz', kind: 'approval-business', name: '北京市住房和城乡建设委员会审批业务专用章', owner: '北京市住房和城乡建设委员会' },
  { sealId: 'seal-cy-jw', kind: 'entrusted-body', name: '北京市朝阳区建外街道政务服务中心', owner: '北京市朝阳区建外街道政务服务中心' },
];
