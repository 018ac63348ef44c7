import type { WorkingCalendar } from '@govsvc/calendar/working-calendar';
import type { LegalReference } from '../guide/content.ts';
import type { LegalChange } from '../guide/events.ts';

interface ProofFacts {
  readonly code: string;
  readonly name: string;
  readonly issuer: string;
  readonly legalBasis: readonly LegalReference[];
}

/** Enters a proof the city already retains (the published catalog). */
export interface CatalogueRetainedProof {
  readonly type: 'CatalogueRetainedProof';
  readonly data: ProofFacts & { readonly cataloguedAt: string };
}

/** A change of law requires a proof that is not in the catalog yet; the filing clock starts. */
export interface RequireNewProof {
  readonly type: 'RequireNewProof';
  readonly data: ProofFacts & {
    readonly department: string;
    /** Implementation codes of the guides that will demand the proof. */
    readonly requiredBy: readonly string[];
    readonly legalChange: LegalChange;
    /** The day the requirement arose (the law's effective date or the department's decision). */
    readonly requiredOn: string;
    readonly requiredAt: string;
    /** The working-day calendar, handed in so the decision stays pure. */
    readonly calendar: WorkingCalendar;
  };
}

export interface FileProof {
  readonly type: 'FileProof';
  readonly data: {
    readonly filedOn: string;
    /** The filing number the city's department gave (备案号). */
    readonly filingReference: string;
    /** Implementation codes of the guides updated with this filing. */
    readonly updatedGuides: readonly string[];
    readonly filedAt: string;
  };
}

export interface AbolishProof {
  readonly type: 'AbolishProof';
  readonly data: { readonly reason: string; readonly legalChange?: LegalChange; readonly abolishedAt: string };
}

export type ProofCommand = CatalogueRetainedProof | RequireNewProof | FileProof | AbolishProof;
