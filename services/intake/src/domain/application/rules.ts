/** Checks shared by several decisions; each names the requirement that refuses. */
import { RuleViolation, ValidationError, type FieldIssue } from '@govsvc/errors/errors';
import { materialOf } from '../guide.ts';
import type { Deficiency, ReceivedMaterial, Seal } from '../document.ts';
import type { ApplicationState } from './state.ts';

export function requireSubmitted(state: ApplicationState): asserts state is ApplicationState & { guide: NonNullable<ApplicationState['guide']> } {
  if (state.status === 'none' || state.guide === null) {
    throw new RuleViolation('R-ACC-1', 'no application was submitted under this case id');
  }
}

/**
 * R-CAT-2: only materials of the bound guide version exist for intake. Asking
 * for, or recording, anything else is refused before any event is decided.
 */
export function assertMaterialsInGuide(state: ApplicationState, ids: readonly { materialId: string }[], path: string): void {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  ids.forEach(({ materialId }, i) => {
    if (!state.guide || !materialOf(state.guide, materialId)) {
      issues.push({ path: `${path}/${i}/materialId`, reason: `${materialId} is not a material of guide ${state.guide?.guideVersion ?? '?'}`, rule: 'R-CAT-2' });
    }
    if (seen.has(materialId)) issues.push({ path: `${path}/${i}/materialId`, reason: `${materialId} is listed twice` });
    seen.add(materialId);
  });
  if (issues.length > 0) throw new ValidationError('materials must be those of the guide version the case is bound to', issues);
}

/** Materials as handed in: of the guide, in the form it requires, shared ones only through data sharing (R-CAT-5, R-CAT-10). */
export function assertReceivable(state: ApplicationState, materials: readonly ReceivedMaterial[], sharedAvailable: readonly string[], path: string): void {
  assertMaterialsInGuide(state, materials, path);
  const issues: FieldIssue[] = [];
  materials.forEach((m, i) => {
    const listed = materialOf(state.guide!, m.materialId)!;
    if (listed.electronicRequired && m.form !== 'electronic') {
      issues.push({ path: `${path}/${i}/form`, reason: `the guide requires ${listed.name} in electronic form`, rule: 'R-CAT-5' });
    }
    if (m.source === 'data-sharing' && !(listed.fromDataSharing && sharedAvailable.includes(m.materialId))) {
      issues.push({ path: `${path}/${i}/source`, reason: `${listed.name} is not available through data sharing`, rule: 'R-CAT-10' });
    }
    if (m.source === 'applicant' && sharedAvailable.includes(m.materialId)) {
      issues.push({
        path: `${path}/${i}/source`,
        reason: `${listed.name} is obtained through data sharing: it is not demanded from the applicant, who confirms the shared record instead`,
        rule: 'R-CAT-10',
      });
    }
  });
  if (issues.length > 0) throw new ValidationError('materials cannot be received as given', issues);
}

/** A deficiency list for a notice: of the guide, consistent with what was received. */
export function assertDeficiencies(state: ApplicationState, items: readonly Deficiency[]): void {
  if (items.length === 0) throw new ValidationError('a notice lists at least one item', [{ path: '/items', reason: 'empty', rule: 'R-ACC-2' }]);
  assertMaterialsInGuide(state, items, '/items');
  const issues: FieldIssue[] = [];
  items.forEach((item, i) => {
    const received = state.materials[item.materialId] !== undefined;
    if (item.problem === 'missing' && received) issues.push({ path: `/items/${i}/problem`, reason: `${item.materialId} was received: name it defective, with what is wrong` });
    if (item.problem === 'defective' && !received) issues.push({ path: `/items/${i}/problem`, reason: `${item.materialId} was not received: it is missing` });
  });
  if (issues.length > 0) throw new ValidationError('deficiencies do not match the materials received', issues);
}

/** R-ACC-3: the 审批业务专用章 or the department seal; when acceptance is entrusted, the 审批业务专用章 or the entrusted body's seal. */
export function assertSealFits(state: ApplicationState, seal: Seal): void {
  const entrusted = state.centre?.entrustedBody ?? null;
  const allowed = entrusted === null ? ['approval-business', 'department'] : ['approval-business', 'entrusted-body'];
  if (!allowed.includes(seal.kind)) {
    throw new RuleViolation('R-ACC-3', `a ${entrusted === null ? 'directly' : 'entrusted'} issued acceptance document bears ${allowed.join(' or ')}, not ${seal.kind}`);
  }
}

export const isAfter = (instant: string, other: string): boolean => Date.parse(instant) > Date.parse(other);
