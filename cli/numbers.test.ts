// Every numeric option of the CLI is checked before anything runs: a clear message naming
// the option, and the one "could not understand" exit code of every command (2, the README's
// table). Spawns the real CLI; none of these cases reaches Docker.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDuration, UsageError } from '../shared/cli-numbers.ts';

const BIN = fileURLToPath(new URL('../bin/smartshop.js', import.meta.url));

function smartshop(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [BIN, ...args], { timeout: 30_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

const cases: { args: string[]; code: number; says: RegExp }[] = [
  { args: ['chaos', 'run', 'shop-crash', '--rate', 'x'], code: 2, says: /--rate must be a number greater than 0, not "x"/ },
  { args: ['chaos', 'run', 'shop-crash', '--rate', '5000'], code: 2, says: /--rate must be at most 1000/ },
  { args: ['chaos', 'run', 'shop-crash', '--seed', 'x'], code: 2, says: /--seed must be a whole number/ },
  { args: ['chaos', 'run', 'shop-crash', '--duration', 'soon'], code: 2, says: /--duration must be a duration like 30s, 2m or 1h, not "soon"/ },
  { args: ['stack', 'up', '--timeout', 'x'], code: 2, says: /--timeout must be a whole number between 10 and 86400, not "x"/ },
  { args: ['stack', 'verify', '--attempts', 'x'], code: 2, says: /--attempts must be a whole number/ },
  { args: ['stack', 'logs', '--tail', 'all'], code: 2, says: /--tail must be a whole number/ },
  { args: ['simulate', '--cycles', '1.5'], code: 2, says: /--cycles must be a whole number/ },
  // commander's own usage errors, and names that are not in a catalog, end the same way
  { args: ['stack', 'up', '--no-such-option'], code: 2, says: /unknown option '--no-such-option'/ },
  { args: ['chaos', 'run', 'no-such-drill'], code: 2, says: /unknown drill no-such-drill; known: galera-node-stop/ },
  { args: ['chaos', 'run', 'alert:NoSuchAlert'], code: 2, says: /unknown drill alert:NoSuchAlert; known: .*alert-galera-nodes-diverged/ },
];

describe('numeric CLI options', () => {
  for (const c of cases) {
    it(`smartshop ${c.args.join(' ')} → exit ${c.code}`, async () => {
      const res = await smartshop(c.args);
      expect(res.stderr).toMatch(c.says);
      expect(res.code).toBe(c.code);
    }, 30_000); // a cold `node bin/smartshop.js` (tsx) takes seconds on a loaded machine
  }
});

describe('parseDuration: the one duration grammar (simulate, chaos run)', () => {
  it.each([
    ['30s', 30],
    ['2m', 120],
    ['1h', 3600],
    ['1m30s', 90],
    ['1500ms', 1.5],
    ['45', 45],
    ['0.5s', 0.5],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseDuration('--duration', text)).toBeCloseTo(seconds, 9);
  });

  it.each(['', 'soon', '2 m', '-5s', '5x', '0', '0s'])('rejects %j', (text) => {
    expect(() => parseDuration('--duration', text)).toThrow(UsageError);
  });

  it('accepts zero for ramps', () => {
    expect(parseDuration('--ramp-up', '0', true)).toBe(0);
  });

  it('bounds a drill\'s fault to an hour, in the same grammar', () => {
    expect(parseDuration('--duration', '1h', { maxSeconds: 3600 })).toBe(3600);
    expect(parseDuration('--duration', '1m30s', { maxSeconds: 3600 })).toBe(90);
    expect(() => parseDuration('--duration', '2h', { maxSeconds: 3600 })).toThrow(/at most 3600 s/);
  });
});

