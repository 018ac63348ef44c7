/**
 * The facts review decides by, stated in the guide so every channel and the
 * review service read the same ones (published in catalog.guide-published.v2):
 * - R-REV-3 (measures Art. 16): whether the licence is issued electronically
 *   and whether paper is abolished; a licensing item that issues a licence
 *   must say so, since the applicant chooses forms from it.
 * - R-REV-4 (Art. 16; Licensing Law Art. 50): the licence's validity and how
 *   long before expiry a renewal is applied for. Art. 50's 30 days apply
 *   unless another rule says otherwise, so a different lead time cites it.
 * - R-REV-5 (Art. 30): two signatures conclude a case unless the law requires
 *   a collective decision; that exception must cite the law.
 * - R-COLLAB-1 (Art. 20): a cross-department item names one lead and its
 *   assisting departments.
 */
import type { GuideContent } from '../guide/content.ts';
import { error, isBlank, warning, type Finding } from './finding.ts';

/** Art. 50's default: 30 (calendar) days before expiry. */
export const STATUTORY_RENEWAL_LEAD = { days: 30, unit: 'calendar-days' } as const;

/** A working week has 5 working days in 7: enough to tell whether a lead time outlasts a validity. */
const calendarDaysOf = (lead: { days: number; unit: 'calendar-days' | 'working-days' }) => (lead.unit === 'working-days' ? Math.ceil((lead.days * 7) / 5) : lead.days);

export function lintReviewFacts(guide: GuideContent): Finding[] {
  return [...lintLicence(guide), ...lintCollectiveDecision(guide), ...lintCollaboration(guide)];
}

function lintLicence(guide: GuideContent): Finding[] {
  const findings: Finding[] = [];
  const licence = guide.result?.licence;
  if (licence === undefined) {
    if (guide.itemType === '01' && guide.result?.type === 'licence') {
      findings.push(
        error('R-REV-3', '/result/licence', '许可事项颁发证照，但未列明证照信息（电子证照、有效期）', 'a licensing item that issues a licence states its licence facts (electronic form, validity)'),
      );
    }
    return findings;
  }
  if (licence.electronic.paperAbolished && !licence.electronic.available) {
    findings.push(
      error('R-REV-3', '/result/licence/electronic/paperAbolished', '已取消纸质证照但未实行电子证照，申请人无法取得任何证照', 'paper is abolished but there is no electronic licence: the applicant could get no licence at all'),
    );
  }
  const { validity, renewal } = licence;
  if (validity.term === 'fixed') {
    if (validity.months === undefined) {
      findings.push(error('R-REV-4', '/result/licence/validity/months', '证照有固定有效期，但未写明期限', 'a fixed-term licence states its term'));
    }
    // An agency may not invent a term: it comes from the rule that governs the licence.
    if ((validity.basis ?? []).length === 0) {
      findings.push(error('R-REV-4', '/result/licence/validity/basis', '证照有效期未列明依据', 'the validity term cites no legal basis'));
    }
  } else {
    if (validity.months !== undefined) {
      findings.push(error('R-REV-4', '/result/licence/validity/months', '长期有效的证照不应写明有效期限', 'a licence without expiry states no term'));
    }
    if (renewal !== undefined) {
      findings.push(error('R-REV-4', '/result/licence/renewal', '长期有效的证照无需延续，不应列明延续期限', 'a licence without expiry is never renewed: no renewal lead time'));
    }
  }
  if (renewal !== undefined && validity.term === 'fixed') {
    const lead = renewal.leadTime;
    const statutory = lead.days === STATUTORY_RENEWAL_LEAD.days && lead.unit === STATUTORY_RENEWAL_LEAD.unit;
    if (!statutory && (renewal.basis ?? []).length === 0) {
      findings.push(
        error(
          'R-REV-4',
          '/result/licence/renewal/basis',
          '延续申请期限不同于《中华人民共和国行政许可法》第五十条规定的届满三十日前，须列明另行规定的依据',
          'a renewal lead time other than Licensing Law Art. 50’s 30 days cites the rule that sets it',
        ),
      );
    }
    if (validity.months !== undefined && calendarDaysOf(lead) >= validity.months * 28) {
      findings.push(
        error('R-REV-4', '/result/licence/renewal/leadTime/days', '延续申请期限不短于证照有效期，证照一经颁发即已超过申请期限', 'the renewal lead time is as long as the validity: no renewal could ever be applied for in time'),
      );
    }
  }
  return findings;
}

function lintCollectiveDecision(guide: GuideContent): Finding[] {
  const c = guide.collectiveDecision;
  if (c?.required && (c.basis ?? []).length === 0) {
    return [error('R-REV-5', '/collectiveDecision/basis', '须集体讨论决定的事项，应列明要求集体讨论决定的法律依据', 'an item that needs a collective decision cites the law that requires it')];
  }
  return [];
}

function lintCollaboration(guide: GuideContent): Finding[] {
  const c = guide.collaboration;
  if (c === undefined) return [];
  const findings: Finding[] = [];
  if (isBlank(c.leadDepartment)) findings.push(error('R-COLLAB-1', '/collaboration/leadDepartment', '协同办理事项未写明牵头部门', 'a cross-department item names its lead department'));
  if (c.assistingDepartments.length === 0) {
    findings.push(error('R-COLLAB-1', '/collaboration/assistingDepartments', '协同办理事项未列明协办部门', 'a cross-department item names its assisting departments'));
  }
  const seen = new Set<string>();
  c.assistingDepartments.forEach((d, i) => {
    const at = `/collaboration/assistingDepartments/${i}/name`;
    if (isBlank(d.name)) findings.push(error('R-COLLAB-1', at, '协办部门未写明名称', 'an assisting department has no name'));
    else if (d.name === c.leadDepartment) findings.push(error('R-COLLAB-1', at, `牵头部门“${d.name}”不能同时为协办部门`, `the lead department "${d.name}" cannot also assist`));
    else if (seen.has(d.name)) findings.push(error('R-COLLAB-1', at, `协办部门“${d.name}”重复列出`, `assisting department "${d.name}" is listed twice`));
    seen.add(d.name);
  });
  // The lead owns the flow and the time limit; normally that is the body implementing the item.
  const body = guide.implementingBody?.name;
  if (!isBlank(c.leadDepartment) && body !== undefined && c.leadDepartment !== body) {
    findings.push(
      warning('R-COLLAB-1', '/collaboration/leadDepartment', `牵头部门“${c.leadDepartment}”不是实施主体“${body}”`, `the lead department "${c.leadDepartment}" is not the implementing body "${body}"`),
    );
  }
  return findings;
}
