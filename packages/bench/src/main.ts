/**
 * `pnpm bench` (or `pnpm --filter @govsvc/bench bench -- --only append-1,decode --quick`).
 * Runs each scenario, ours and its peer back to back on the same PostgreSQL / broker, prints
 * both figures and the ratio, checks correctness after each run, and writes the results into
 * docs/benchmarks.md between the generated markers (the notes around them are kept).
 * A scenario that misses its target prints MISS and the run goes on; a failed correctness
 * check or the durability check exits non-zero at the end.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { gcFunction, type RunOptions, type ScenarioResult } from './harness.ts';
import { fingerprint, type Machine } from './machine.ts';
import { markdown, scenarioVerdict, table } from './report.ts';
import { concurrentWriters, groupCommit, singleWriter } from './scenarios/append.ts';
import { rehydrate, replay } from './scenarios/read.ts';
import { catchUpLag } from './scenarios/catch-up.ts';
import { decode } from './scenarios/decode.ts';
import { relayThroughput, endToEnd, memory } from './scenarios/relay.ts';

type Scenario = (options: RunOptions, machine: Machine) => Promise<ScenarioResult>;

const scenarios: Record<string, Scenario> = {
  'append-1': singleWriter,
  'append-concurrent': concurrentWriters,
  'group-commit': groupCommit,
  rehydrate,
  replay,
  'catch-up': catchUpLag,
  decode,
  relay: relayThroughput,
  'end-to-end': endToEnd,
  memory,
};

function parseArgs(argv: readonly string[]) {
  const args = argv.filter((a) => a !== '--');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : Object.keys(scenarios);
  const unknown = only.filter((name) => !(name in scenarios));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);
  const quick = args.includes('--quick');
  const repeatsAt = args.indexOf('--repeats');
  const repeats = repeatsAt >= 0 ? Number(args[repeatsAt + 1]) : quick ? 1 : 3;
  const memoryAt = args.indexOf('--memory-events');
  const memoryEvents = memoryAt >= 0 ? Number(args[memoryAt + 1]) : undefined;
  return { only, quick, repeats, memoryEvents, renderOnly: args.includes('--render-only'), noDoc: args.includes('--no-doc'), text: args.join(' ') };
}

const docPath = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const BEGIN = '<!-- bench:results:begin -->';
const END = '<!-- bench:results:end -->';

async function main() {
  const args = parseArgs(process.argv.slice(2));
  console.log(`govsvc bench: ${args.only.join(', ')}${args.quick ? ' (quick)' : ''}, ${args.repeats} run(s) each`);
  const previousRun = JSON.parse(await readFile(`${resultsDir}latest.json`, 'utf8').catch(() => '{"results":[]}')) as { machine?: Machine; args?: string; loadAtEnd?: number[] };
  // --render-only: rewrite docs/benchmarks.md from results/latest.json without measuring.
  const machine = args.renderOnly && previousRun.machine ? previousRun.machine : await fingerprint(args.quick);
  console.log(
    `machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.fdatasyncPerSecond ?? '?'} fdatasync/s, Node ${machine.node}, ${machine.postgres}, load ${machine.loadAtStart.map((l) => l.toFixed(1)).join('/')}`,
  );
  const results: ScenarioResult[] = [];
  const collectGarbage = gcFunction();
  for (const name of args.renderOnly ? [] : args.only) {
    console.log(`\n▶ ${name}`);
    // Each scenario starts from a collected heap, not from the garbage the one before it left.
    collectGarbage();
    const started = Date.now();
    const loadAtStart = os.loadavg()[0]!;
    let result: ScenarioResult;
    try {
      result = await scenarios[name]!({ quick: args.quick, repeats: args.repeats, memoryEvents: args.memoryEvents }, machine);
    } catch (error) {
      console.error(error);
      result = { name, title: 'crashed', rows: [], checks: [{ ok: false, what: `the scenario threw: ${(error as Error).message}` }], notes: [] };
    }
    result.measuredAt = new Date(started).toISOString();
    result.load = [loadAtStart, os.loadavg()[0]!];
    results.push(result);
    console.log(table(result));
    for (const note of result.notes) console.log(`  · ${note}`);
    for (const check of result.checks) console.log(`  ${check.ok ? '✓' : '✗'} ${check.what}`);
    console.log(`  → ${scenarioVerdict(result)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const loadAtEnd = os.loadavg();
  console.log('\nSummary:');
  for (const r of results) console.log(`  ${scenarioVerdict(r).padEnd(4)} ${r.name}`);
  const misses = results.flatMap((r) => r.rows.filter((row) => row.verdict === 'MISS').map((row) => `${r.name}: ${row.metric}`));
  if (misses.length) console.log(`Misses:\n${misses.map((m) => `  MISS ${m}`).join('\n')}`);

  // Scenarios not run this time keep their last figures (dated) in the document.
  await mkdir(resultsDir, { recursive: true });
  const previous = JSON.parse(await readFile(`${resultsDir}latest.json`, 'utf8').catch(() => '{"results":[]}')) as { results: ScenarioResult[] };
  const merged = Object.keys(scenarios)
    .map((name) => results.find((r) => r.name === name) ?? previous.results.find((r) => r.name === name))
    .filter((r): r is ScenarioResult => r !== undefined);
  const json = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  const runArgs = args.renderOnly ? (previousRun.args ?? '') : args.text;
  const endLoad = args.renderOnly ? (previousRun.loadAtEnd ?? []) : loadAtEnd;
  await writeFile(`${resultsDir}latest.json`, json({ machine: { ...machine, fsyncReport: undefined }, args: runArgs, loadAtEnd: endLoad, results: merged }));
  if (!args.noDoc) {
    const generated = markdown(machine, merged, runArgs, args.renderOnly ? (previousRun.loadAtEnd ?? []) : loadAtEnd);
    let doc = await readFile(docPath, 'utf8').catch(() => `# Benchmarks\n\n${BEGIN}\n${END}\n`);
    if (!doc.includes(BEGIN)) doc += `\n${BEGIN}\n${END}\n`;
    doc = doc.slice(0, doc.indexOf(BEGIN) + BEGIN.length) + '\n' + generated + '\n' + doc.slice(doc.indexOf(END));
    await writeFile(docPath, doc);
    console.log(`\nwrote ${docPath}`);
  }
  if (results.some((r) => scenarioVerdict(r) === 'FAIL')) process.exitCode = 1;
}

await main();
