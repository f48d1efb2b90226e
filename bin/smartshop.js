#!/usr/bin/env node
// The `smartshop` command. In a checkout it runs the TypeScript sources through tsx;
// in the app image (no sources, compiled `dist/`) it runs the build.
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
const built = new URL('../dist/cli/main.js', import.meta.url);

if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  console.error('smartshop: neither cli/main.ts nor dist/cli/main.js found; run `npm ci` (and `npm run build` for dist).');
  process.exit(2);
}
