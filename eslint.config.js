// One lint config for the monorepo. Besides the recommended rules it enforces
// the boundaries of STYLE.md: deciders in src/domain/ do no I/O, and only a
// config module reads process.env.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'pg', '@electric-sql/pglite', '@eventstore/db-client', '@kurrent/kurrentdb-client',
  'kafkajs', 'ioredis', 'fastify', 'nodemailer', 'pino',
  'node:fs', 'node:fs/promises', 'fs', 'node:net', 'node:http', 'node:https', 'node:child_process',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.turbo/**', 'infra/kafka/lib/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', {
        object: 'process', property: 'env',
        message: 'Read the environment only in a config module (config.ts); pass values in.',
      }],
    },
  },
  {
    files: ['**/config.ts', '**/*.spec.ts', '**/test/**', '**/bench/**', '**/scripts/**', '**/*.config.ts', '**/bin/**', '**/testkit/src/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.map((name) => ({ name, message: 'Deciders are pure: no I/O in src/domain/.' })),
        patterns: [{ group: ['**/app/**', '**/http/**', '**/adapters/**'], message: 'src/domain/ may not depend on app, http or adapters.' }],
      }],
      'no-restricted-globals': ['error',
        { name: 'fetch', message: 'No I/O in src/domain/.' },
        { name: 'setTimeout', message: 'Time enters deciders as data.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time enters deciders as data: no new Date() in src/domain/.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Time enters deciders as data: no Date.now() in src/domain/.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Randomness enters deciders as data.' },
        { selector: "CallExpression[callee.object.name='crypto'][callee.property.name='randomUUID']", message: 'Ids enter deciders as data.' },
      ],
    },
  },
);
