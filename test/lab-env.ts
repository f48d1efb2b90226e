// Every integration test file sees the checkout's .env as the smartshop command does.
import { appendFileSync, mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadDotEnv } from '../shared/dot-env.ts';

loadDotEnv(process.env);

// A line as each file starts and ends, in reports/test-files.log: when CI stops a suite that
// runs long, vitest writes no report, and this is what still tells which file it was in and
// what the others took (scripts/junit-summary.mjs reads it).
const PROGRESS = 'reports/test-files.log';
let startedAt = 0;
const note = (line: string): void => {
  mkdirSync('reports', { recursive: true });
  appendFileSync(PROGRESS, `${new Date().toISOString()} ${line}\n`);
};
const fileOf = (s: { file?: { filepath: string } }): string => relative(process.cwd(), s.file?.filepath ?? '?');
// vitest 4 hands the file to an all-hook second, after a fixture context it parses (hence `{}`)
// eslint-disable-next-line no-empty-pattern
beforeAll(({}, suite) => {
  startedAt = Date.now();
  note(`start ${fileOf(suite)}`);
});
// eslint-disable-next-line no-empty-pattern
afterAll(({}, suite) => {
  note(`end ${fileOf(suite)} ${Math.round((Date.now() - startedAt) / 1000)}`);
});
