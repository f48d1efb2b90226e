// The import rule of docs/design.md, run the way `npm run lint` runs it (eslint.parts.js),
// on sources that break it and sources that keep it.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { partBoundaries } from '../eslint.parts.js';

const eslint = new ESLint({
  cwd: new URL('..', import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...partBoundaries()],
});

async function messages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('what each part may import', () => {
  it.each([
    ['chaos/x.ts', "import { NodeSql } from '../lab/node-sql.ts';", /chaos\/ reaches lab\/ only through lab\/index.ts/],
    ['chaos/judge/x.ts', "import { composeEnv } from '../../stack/config.ts';", /chaos\/ reaches stack\/ only through stack\/index.ts/],
    ['bench/x.ts', "import { send } from '../simulator/engine/journey-runner.ts';", /bench\/ reaches simulator\/ only through/],
    ['lab/x.ts', "import { stackUp } from '../stack/index.ts';", /lab\/ may not import stack\//],
    ['app/db/x.ts', "import { GALERA_NODES } from '../../lab/index.ts';", /app\/ may not import lab\//],
    ['shared/x.ts', "import { createApp } from '../app/create-app.ts';", /shared\/ may not import app\//],
    ['cli/x.ts', "import { runDrill } from '../chaos/runner.ts';", /cli\/ reaches chaos\/ only through chaos\/command.ts/],
    ['stack/x.ts', "export const load = () => import('../lab/node-sql.ts');", /stack\/ reaches lab\/ only through lab\/index.ts/],
  ])('%s: %s is refused', async (file, code, says) => {
    const found = await messages(file, code);
    expect(found.join('\n')).toMatch(says);
  });

  it.each([
    ['chaos/x.ts', "import { NodeSql } from '../lab/index.ts';"],
    ['chaos/judge/x.ts', "import { verdict } from './verdict.ts';"],
    ['bench/x.ts', "import { createOrder } from '../app/db/orders-repository.ts';"],
    ['cli/x.ts', "import { chaosCommand } from '../chaos/command.ts';"],
    ['stack/x.test.ts', "import { startRun } from '../simulator/index.ts';\nimport { freePort } from '../lab/throwaway-mariadb.ts';\nimport { requireTool } from './host-tool.ts';"],
    ['stack/x.ts', "export const load = () => import('../lab/index.ts');"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await messages(file, code)).toEqual([]);
  });
});
