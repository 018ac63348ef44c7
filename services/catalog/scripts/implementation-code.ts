/**
 * Prints a valid implementation code for fixture and test authors:
 *
 *   pnpm --filter @govsvc/catalog exec tsx scripts/implementation-code.ts <basicCode> <regionCode> <bodySeed> [handlingType] [sequence]
 *
 * The implementing body's unified social credit code is synthetic: a
 * government body (registration authority 1, category 1) in the region's
 * county, with an organisation code derived from `bodySeed` and both check
 * characters computed, so it passes GB 32100 validation without claiming to
 * be any real body's code.
 */
import { createHash } from 'node:crypto';
import { buildImplementationCode, type HandlingItemTypeCode } from '@govsvc/identifiers/item-codes';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '@govsvc/identifiers/uscc';

function syntheticBodyUscc(regionCode: string, seed: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(seed).digest('hex').slice(0, 12)}`) % 1_000_000n;
  const org8 = `MB${digits.toString().padStart(6, '0')}`;
  const first17 = `11${regionCode.slice(0, 6)}${org8}${organizationCodeCheckCharacter(org8)}`;
  return `${first17}${usccCheckCharacter(first17)}`;
}

const [basicCode, regionCode, seed, handling = '01', sequence = '1'] = process.argv.slice(2);
if (!basicCode || !regionCode || !seed) {
  console.error('usage: implementation-code.ts <basicCode> <regionCode> <bodySeed> [handlingType] [sequence]');
  process.exit(2);
}
const uscc = syntheticBodyUscc(regionCode, seed);
const code = buildImplementationCode({
  basicCode,
  regionCode,
  implementingBody: uscc,
  handlingItemType: handling as HandlingItemTypeCode,
  handlingItemSequence: Number(sequence),
});
console.log(JSON.stringify({ implementationCode: code, uscc }));
