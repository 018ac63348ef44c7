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

/**
 * The seal register of the implementing bodies whose items the catalog fixtures publish: each
 * with its 审批业务专用章 and its department seal; and the entrusted bodies' seals.
 */
export const DEFAULT_SEALS: SealRegistration[] = [
  { sealId: 'seal-dc-scjg-spz', kind: 'approval-business', name: '北京市东城区市场监督管理局审批业务专用章', owner: '北京市东城区市场监督管理局' },
  { sealId: 'seal-dc-scjg', kind: 'department', name: '北京市东城区市场监督管理局', owner: '北京市东城区市场监督管理局' },
  { sealId: 'seal-dx-jtj-spz', kind: 'approval-business', name: '北京市大兴区交通局审批业务专用章', owner: '北京市大兴区交通局' },
  { sealId: 'seal-dx-jtj', kind: 'department', name: '北京市大兴区交通局', owner: '北京市大兴区交通局' },
  { sealId: 'seal-cy-scjg-spz', kind: 'approval-business', name: '北京市朝阳区市场监督管理局审批业务专用章', owner: '北京市朝阳区市场监督管理局' },
  { sealId: 'seal-cy-scjg', kind: 'department', name: '北京市朝阳区市场监督管理局', owner: '北京市朝阳区市场监督管理局' },
  { sealId: 'seal-hd-scjg-spz', kind: 'approval-business', name: '北京市海淀区市场监督管理局审批业务专用章', owner: '北京市海淀区市场监督管理局' },
  { sealId: 'seal-hd-scjg', kind: 'department', name: '北京市海淀区市场监督管理局', owner: '北京市海淀区市场监督管理局' },
  { sealId: 'seal-bj-mzj-spz', kind: 'approval-business', name: '北京市民政局审批业务专用章', owner: '北京市民政局' },
  { sealId: 'seal-bj-mzj', kind: 'department', name: '北京市民政局', owner: '北京市民政局' },
  { sealId: 'seal-hd-rsj-spz', kind: 'approval-business', name: '北京市海淀区人力资源和社会保障局审批业务专用章', owner: '北京市海淀区人力资源和社会保障局' },
  { sealId: 'seal-hd-rsj', kind: 'department', name: '北京市海淀区人力资源和社会保障局', owner: '北京市海淀区人力资源和社会保障局' },
  { sealId: 'seal-xc-wjw-spz', kind: 'approval-business', name: '北京市西城区卫生健康委员会审批业务专用章', owner: '北京市西城区卫生健康委员会' },
  { sealId: 'seal-xc-wjw', kind: 'department', name: '北京市西城区卫生健康委员会', owner: '北京市西城区卫生健康委员会' },
  { sealId: 'seal-bj-ghzrw-spz', kind: 'approval-business', name: '北京市规划和自然资源委员会审批业务专用章', owner: '北京市规划和自然资源委员会' },
  { sealId: 'seal-bj-ghzrw', kind: 'department', name: '北京市规划和自然资源委员会', owner: '北京市规划和自然资源委员会' },
  { sealId: 'seal-ft-ghzr-spz', kind: 'approval-business', name: '北京市规划和自然资源委员会丰台分局审批业务专用章', owner: '北京市规划和自然资源委员会丰台分局' },
  { sealId: 'seal-ft-ghzr', kind: 'department', name: '北京市规划和自然资源委员会丰台分局', owner: '北京市规划和自然资源委员会丰台分局' },
  { sealId: 'seal-cy-ghzr-spz', kind: 'approval-business', name: '北京市规划和自然资源委员会朝阳分局审批业务专用章', owner: '北京市规划和自然资源委员会朝阳分局' },
  { sealId: 'seal-cy-ghzr', kind: 'department', name: '北京市规划和自然资源委员会朝阳分局', owner: '北京市规划和自然资源委员会朝阳分局' },
  { sealId: 'seal-bj-czj-spz', kind: 'approval-business', name: '北京市财政局审批业务专用章', owner: '北京市财政局' },
  { sealId: 'seal-bj-czj', kind: 'department', name: '北京市财政局', owner: '北京市财政局' },
  { sealId: 'seal-hd-wsl', kind: 'entrusted-body', name: '北京市海淀区万寿路街道办事处', owner: '北京市海淀区万寿路街道办事处' },
  { sealId: 'seal-cy-jw', kind: 'entrusted-body', name: '北京市朝阳区建外街道政务服务中心', owner: '北京市朝阳区建外街道政务服务中心' },
];
