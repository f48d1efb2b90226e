// Every shell script the project ships passes shellcheck (following sourced files), so a
// quoting slip in an install or CI step is caught here rather than on a user's machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hostTool } from '../test/host-tool.ts';

const shellcheck = hostTool('shellcheck', 'shellcheck');
const scripts = execFileSync('git', ['ls-files', '*.sh'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => f.length > 0);

describe.skipIf(shellcheck.skip)('shell scripts', () => {
  it('are tracked', () => {
    expect(scripts.length).toBeGreaterThan(5);
  });
  it.each(scripts)('%s passes shellcheck', (file) => {
    const r = spawnSync('shellcheck', ['-x', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
