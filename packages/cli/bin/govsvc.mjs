#!/usr/bin/env node
// The govsvc command. Packages export TypeScript source, so the CLI runs it
// through tsx, registered in this process; tsx resolves from this package's
// own dependencies, so the bin works from any working directory and when
// invoked through pnpm's .bin shims (which keep the real path of this file).
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/main.ts');
process.exitCode = await run(process.argv.slice(2));
