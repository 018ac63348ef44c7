/** Prints results and renders docs/benchmarks.md's generated part. */
import { fmt, type ScenarioResult } from './harness.ts';
import type { Machine } from './machine.ts';

export function scenarioVerdict(result: ScenarioResult): 'PASS' | 'MISS' | 'FAIL' {
  if (result.checks.some((c) => !c.ok) || result.rows.some((r) => r.verdict === 'FAIL')) return 'FAIL';
  return result.rows.some((r) => r.verdict === 'MISS') ? 'MISS' : 'PASS';
}

export function table(result: ScenarioResult): string {
  const lines = [
    `| metric | ours | peer | ratio | target | verdict |`,
    `| --- | ---: | ---: | ---: | --- | --- |`,
    ...result.rows.map((r) => {
      const runs = r.runs && r.runs.length > 1 ? ` <sub>(${r.runs.map((v) => fmt(v, 2)).join(' / ')})</sub>` : '';
      const peer = r.peer === undefined ? '—' : `${fmt(r.peer, 2)} ${r.unit} (${r.peerName})`;
      return `| ${r.metric} | ${fmt(r.ours, 2)} ${r.unit}${runs} | ${peer} | ${r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`} | ${r.target} | ${r.verdict} |`;
    }),
  ];
  return lines.join('\n');
}

export function markdown(machine: Machine, results: readonly ScenarioResult[], args: string, loadAtEnd: readonly number[]): string {
  const misses = results.flatMap((r) => r.rows.filter((row) => row.verdict === 'MISS' || row.verdict === 'FAIL').map((row) => `${r.name}: ${row.metric} (${row.verdict})`));
  const failedChecks = results.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.name}: ${c.what}`));
  const out: string[] = [
    `Last run: \`pnpm bench${args ? ` -- ${args}` : ''}\` on ${machine.date} (machine below). Scenarios it did not include keep their figures from earlier runs on the same machine; each section says when it was measured and under what load.`,
    '',
    '### Machine',
    `| | |`,
    `| --- | --- |`,
    `| CPU | ${machine.cores} cores, ${machine.cpu} |`,
    `| memory | ${machine.memoryGiB} GiB |`,
    `| disk | ${machine.fdatasyncPerSecond ?? '?'} fdatasync/s (pg_test_fsync, one 8 kB write) |`,
    `| Node | ${machine.node} |`,
    `| PostgreSQL | ${machine.postgres}; ${Object.entries(machine.postgresSettings).map(([k, v]) => `${k}=${v}`).join(', ')} |`,
    `| load average (1/5/15 min) | start ${machine.loadAtStart.map((l) => l.toFixed(1)).join(' / ')}, end ${loadAtEnd.map((l) => l.toFixed(1)).join(' / ')}${loadNote(machine.cores, [...machine.loadAtStart, ...loadAtEnd])} |`,
    '',
    '### Summary',
    ...results.map((r) => `- **${r.name}** (${r.title}): ${scenarioVerdict(r)}`),
    '',
    misses.length ? `Misses: ${misses.map((m) => `\n- ${m}`).join('')}` : 'No misses.',
    failedChecks.length ? `\nFailed correctness checks: ${failedChecks.map((m) => `\n- ${m}`).join('')}` : '\nEvery correctness check passed.',
    '',
  ];
  for (const r of results) {
    const when = r.measuredAt ? ` Measured ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC, load average ${r.load?.map((l) => l.toFixed(1)).join(' → ') ?? '?'}.` : '';
    out.push(`### ${r.name}: ${r.title}`, '', `**${scenarioVerdict(r)}**.${when}`, '', table(r), '');
    if (r.notes.length) out.push(...r.notes.map((n) => `- ${n}`), '');
    if (r.checks.length) out.push('Checks after the run:', ...r.checks.map((c) => `- ${c.ok ? '✓' : '✗ FAILED:'} ${c.what}`), '');
  }
  return out.join('\n');
}

/** Says whether other work shared the cores, from the load averages seen (one runnable task per core is this run itself). */
function loadNote(cores: number, loads: readonly number[]): string {
  return Math.max(...loads) > cores + 0.5 ? ` (above ${cores}: other work shared the ${cores} cores)` : ' (no other load to speak of)';
}
