/**
 * The parts of zod 4's internal definitions (`schema._zod.def`) that the compilers here read, and the
 * error they throw for anything else (their callers turn it into `null`: zod always).
 */
export interface Def {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: CheckDef } }[];
  readonly format?: string;
  readonly pattern?: RegExp;
  readonly shape?: Record<string, Schema>;
  readonly catchall?: Schema;
  readonly innerType?: Schema;
  readonly element?: Schema;
  readonly values?: readonly unknown[];
  readonly discriminator?: unknown;
  readonly unionFallback?: boolean;
  readonly options?: readonly Schema[];
  readonly in?: Schema;
  readonly out?: Schema;
  readonly keyType?: Schema;
  readonly valueType?: Schema;
}
export interface CheckDef {
  readonly check: string;
  readonly format?: string;
  readonly pattern?: RegExp;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly length?: number;
  readonly value?: number;
  readonly inclusive?: boolean;
  readonly when?: unknown;
  readonly fn?: (value: unknown) => unknown;
  readonly tx?: (value: unknown) => unknown;
}
export interface Schema {
  readonly _zod: { readonly def: Def; readonly values?: ReadonlySet<unknown>; readonly propValues?: Readonly<Record<string, ReadonlySet<unknown>>> };
}


export class Unsupported extends Error {}
