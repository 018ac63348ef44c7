/**
 * The process of a guide as a Mermaid flowchart (measures Art. 8 ¶2,
 * R-CAT-11: 清晰易懂、线上线下一体化的办理流程图表). Each applicant-facing step
 * is a node showing its time limit, review standard and result; steps
 * follow one another unless a step names its branches (`next`).
 */
import { HANDLING_FORMS, type GuideContent, type Step } from './guide/content.ts';

const MAX_TEXT = 40;

/** Text safe inside a quoted Mermaid label (entity codes for what would end or break it). */
export function escapeMermaid(text: string): string {
  return text
    .replace(/\s+/gu, ' ')
    .trim()
    .replaceAll('#', '#35;')
    .replaceAll('"', '#quot;')
    .replaceAll('<', '#lt;')
    .replaceAll('>', '#gt;')
    .replaceAll('|', '#124;');
}

const shorten = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);
const nodeId = (step: Step) => `s_${step.id.replaceAll('-', '_')}`;
const limitText = (step: Step) =>
  step.timeLimit === undefined ? '未列明' : step.timeLimit.workingDays === 0 ? '即时办理' : `${step.timeLimit.workingDays}个工作日`;

export function renderFlowChart(guide: GuideContent): string {
  const steps = guide.process ?? [];
  const lines = ['flowchart TD'];
  if (guide.itemName) lines.push(`  %% ${guide.itemName.replace(/\s+/gu, ' ')}`);
  if (guide.handlingForm) lines.push(`  %% 办理形式：${HANDLING_FORMS[guide.handlingForm]}`);
  lines.push('  start(["申请人提出申请"])');
  for (const step of steps) {
    const label = [
      `<b>${escapeMermaid(step.name ?? step.id)}</b>`,
      `时限：${limitText(step)}`,
      `审查标准：${escapeMermaid(shorten(step.reviewStandard ?? '未列明'))}`,
      `结果：${escapeMermaid(shorten(step.result ?? '未列明'))}`,
    ].join('<br/>');
    lines.push(`  ${nodeId(step)}["${label}"]`);
  }
  lines.push('  finish(["办结"])');

  const first = steps[0];
  lines.push(`  start --> ${first ? nodeId(first) : 'finish'}`);
  const ids = new Set(steps.map((s) => s.id));
  steps.forEach((step, i) => {
    const branches = (step.next ?? []).filter((b) => ids.has(b.to));
    if (branches.length > 0) {
      for (const b of branches) {
        const target = steps.find((s) => s.id === b.to);
        if (!target) continue;
        lines.push(b.when ? `  ${nodeId(step)} -->|${escapeMermaid(b.when)}| ${nodeId(target)}` : `  ${nodeId(step)} --> ${nodeId(target)}`);
      }
      return;
    }
    const following = steps[i + 1];
    lines.push(`  ${nodeId(step)} --> ${following ? nodeId(following) : 'finish'}`);
  });
  return lines.join('\n') + '\n';
}
