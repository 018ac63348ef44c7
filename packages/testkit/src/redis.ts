import { uniqueName } from './unique.ts';

/** A key prefix unique to this test file (`t:<label>_<pid>_<rand>:`); the code under test prefixes every key with it. */
export function uniqueKeyPrefix(label: string): string {
  return `t:${uniqueName(label)}:`;
}
