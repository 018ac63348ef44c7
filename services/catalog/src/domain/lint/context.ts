/**
 * What the lints know beyond the guide itself. Deciders are pure, so the
 * retained-proofs catalog and the shared-data directory enter as data, read
 * by the command handler before it decides.
 */

export type ProofStatus = 'retained' | 'pending-filing' | 'abolished';

/** One entry of the city's retained-proofs catalog (保留证明事项目录, R-CAT-7). */
export interface ProofCatalogEntry {
  readonly code: string;
  readonly name: string;
  readonly status: ProofStatus;
  /** For a proof still awaiting filing: the day the 15-working-day filing period ends. */
  readonly filingDue?: string;
}

/**
 * One kind of record departments exchange through the city's sharing
 * platform or electronic-licence library (R-CAT-10): a material matching it
 * is fetched, never demanded.
 */
export interface SharedRecord {
  readonly id: string;
  readonly name: string;
  /** Other names the same record goes by in material lists. */
  readonly aliases: readonly string[];
  /** The system it is shared through (北京市大数据平台, 电子证照库 …). */
  readonly via: string;
}

export interface LintContext {
  readonly retainedProofs: ReadonlyMap<string, ProofCatalogEntry>;
  readonly sharedRecords: readonly SharedRecord[];
}

export const emptyLintContext: LintContext = { retainedProofs: new Map(), sharedRecords: [] };

/**
 * The name a material list uses for a record, reduced to what identifies it:
 * book-title marks, a trailing 原件/复印件/扫描件 and parenthesised remarks
 * are dropped (《营业执照》（副本）复印件 → 营业执照).
 */
export function normalizeMaterialName(name: string): string {
  return name
    .replace(/[（(][^）)]*[）)]/gu, '')
    .replace(/[《》\s]/gu, '')
    .replace(/(?:原件及复印件|原件和复印件|原件|复印件|扫描件|电子件)$/u, '');
}

export function sharedRecordFor(name: string, records: readonly SharedRecord[]): SharedRecord | undefined {
  const normalized = normalizeMaterialName(name);
  return records.find((r) => r.name === normalized || r.aliases.includes(normalized));
}
