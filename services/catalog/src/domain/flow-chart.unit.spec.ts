import { describe, expect, it } from 'vitest';
import { sampleGuide } from '../../test/support/sample-guide.ts';
import { escapeMermaid, renderFlowChart } from './flow-chart.ts';

describe('R-CAT-11: flow chart', () => {
  it('R-CAT-11: draws every step in order with its time limit, review standard and result', () => {
    const chart = renderFlowChart(sampleGuide());
    expect(chart.split('\n').slice(0, 4)).toEqual(['flowchart TD', '  %% 公共场所卫生许可（新办）', '  %% 办理形式：网上办理和窗口办理', '  start(["申请人提出申请"])']);
    expect(chart).toContain('  s_accept["<b>受理</b><br/>时限：1个工作日<br/>审查标准：材料齐全、符合法定形式<br/>结果：受理凭证或补齐补正通知书"]');
    expect(chart).toContain('  start --> s_accept\n');
    expect(chart).toContain('  s_accept --> s_review\n');
    expect(chart).toContain('  s_decide --> s_deliver\n');
    expect(chart).toContain('  s_deliver --> finish\n');
  });

  it('R-CAT-11: draws the branches a step names, with their conditions', () => {
    const guide = sampleGuide();
    const process = [
      ...(guide.process ?? []).map((s) =>
        s.id === 'review' ? { ...s, next: [{ to: 'inspect', when: '需现场核查' }, { to: 'decide', when: '无需核查' }] } : s,
      ),
      { id: 'inspect', name: '现场核查', timeLimit: { workingDays: 0 }, reviewStandard: '场所与申请一致', result: '核查记录', next: [{ to: 'decide' }] },
    ];
    const chart = renderFlowChart({ ...guide, process });
    expect(chart).toContain('  s_review -->|需现场核查| s_inspect\n');
    expect(chart).toContain('  s_review -->|无需核查| s_decide\n');
    expect(chart).toContain('  s_inspect --> s_decide\n');
    expect(chart).toContain('时限：即时办理');
    expect(chart).not.toContain('s_review --> s_decide\n');
  });

  it('escapes what would break a Mermaid label and shortens long texts', () => {
    expect(escapeMermaid('a "b" <c> | #d')).toBe('a #quot;b#quot; #lt;c#gt; #124; #35;d');
    const guide = sampleGuide();
    const long = '审'.repeat(60);
    const chart = renderFlowChart({ ...guide, process: [{ id: 'only', name: '审查', timeLimit: { workingDays: 3 }, reviewStandard: long, result: '意见' }] });
    expect(chart).toContain(`审查标准：${'审'.repeat(39)}…`);
  });

  it('a guide without steps still draws a closed chart', () => {
    expect(renderFlowChart({ implementationCode: 'X-000001' })).toBe('flowchart TD\n  start(["申请人提出申请"])\n  finish(["办结"])\n  start --> finish\n');
  });
});
