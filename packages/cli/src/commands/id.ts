/**
 * `govsvc id check <number>`: which identifier a number is (unified social
 * credit code or resident ID number, R-ID-1) and whether it is valid, or why
 * not. Text output masks a person's number (PIPL): the terminal is a display.
 */
import type { Command } from 'commander';
import { shanghaiDateOf } from '@govsvc/calendar/civil-date';
import { identify } from '@govsvc/identifiers/identify';
import { maskResidentId } from '@govsvc/identifiers/masking';
import type { ParsedResidentId } from '@govsvc/identifiers/resident-id';
import type { ParsedUscc } from '@govsvc/identifiers/uscc';
import { emit, type CommandContext, type CommandResult } from '../context.ts';

const KIND_NAMES = {
  uscc: 'unified social credit code (统一社会信用代码)',
  'resident-id': 'resident ID number (居民身份证号码)',
  unknown: 'neither a unified social credit code nor a resident ID number',
} as const;

export function idCheck(number: string, today: string): CommandResult {
  const result = identify(number, { today });
  if (!result.valid) {
    const reasons = result.issues.map((i) => `  ${i.reason}`).join('\n');
    const head = result.kind === 'unknown' ? `invalid: ${KIND_NAMES.unknown}` : `invalid ${KIND_NAMES[result.kind]}`;
    return { exitCode: 1, json: result, text: `${head}\n${reasons}` };
  }
  return { exitCode: 0, json: result, text: result.kind === 'uscc' ? describeUscc(result.parsed as ParsedUscc) : describePerson(result.parsed as ParsedResidentId) };
}

function describeUscc(p: ParsedUscc): string {
  return [
    `valid ${KIND_NAMES.uscc}: ${p.value}`,
    `  registration authority ${p.registrationAuthority.code} ${p.registrationAuthority.name ?? '(unassigned)'}, category ${p.category.code} ${p.category.name ?? '(unassigned)'}`,
    `  region ${p.regionCode}${p.province ? ` ${p.province}` : ''}, organisation code ${p.organizationCode}`,
  ].join('\n');
}

function describePerson(p: ParsedResidentId): string {
  return [
    `valid ${KIND_NAMES['resident-id']}: ${maskResidentId(p.value)}`,
    `  ${p.province}, ${p.sex === 'male' ? 'male 男' : 'female 女'}${p.legacy15 ? ', converted from a 15-digit number' : ''}`,
  ].join('\n');
}

export function registerIdCommands(program: Command, ctx: CommandContext): void {
  const id = program.command('id').description('unified social credit codes and resident ID numbers (R-ID-1)');
  id.command('check')
    .description('say which kind <number> is and whether it is valid (exit 1 when not)')
    .argument('<number>', 'a unified social credit code or a resident ID number (18 or 15 digits)')
    .option('--json', 'machine-readable output (unmasked)')
    .action((number: string, options: { json?: boolean }) => {
      ctx.setExit(emit(ctx, idCheck(number, shanghaiDateOf(ctx.now())), options.json === true));
    });
}
