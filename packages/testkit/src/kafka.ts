import { uniqueName } from './unique.ts';

/** Topic names unique to one test, so parallel suites never read each other's messages. */
export function uniqueTopic(label: string): string {
  return `test.${uniqueName(label)}`;
}

export function uniqueGroupId(label: string): string {
  return `test-group.${uniqueName(label)}`;
}
