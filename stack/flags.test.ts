// The lab's flags folder: its owner and the shop's container group may write it, nobody else.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lab/index.ts';
import { flagsDir } from '../lab/paths.ts';
import { prepareFlags, SHOP_GID, SHOP_UID } from './flags.ts';

const project = `flags-mode-test-${process.pid}`;
afterAll(() => rmSync(join(REPO_ROOT, '.lab', project), { recursive: true, force: true }));

describe('the flags folder', () => {
  it("is 2770 and the shop's group's (or says why the shop cannot write it), with an all-off flags file", async () => {
    const warnings: string[] = [];
    await prepareFlags(project, (l) => warnings.push(l));
    const st = statSync(flagsDir(project));
    expect(st.mode & 0o7777).toBe(0o2770);
    if (st.gid === SHOP_GID || st.uid === SHOP_UID) expect(warnings).toEqual([]);
    else expect(warnings.join('\n')).toMatch(/the console's toggles cannot write it/);
    if (process.getuid?.() === 0) expect(st.gid).toBe(SHOP_GID);
    expect(statSync(join(flagsDir(project), 'flags.json')).isFile()).toBe(true);
  });
});
