import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagsOff, flagNumber, FLAG_NAMES } from './catalog.ts';
import { flagFileText, FlagFileError, parseFlagFile, parseFlagValue, readFlagFile, resetFlags, setFlag } from './flag-file.ts';

const tmpFile = () => join(mkdtempSync(join(tmpdir(), 'flags-')), 'flags.json');

describe('the flags file', () => {
  it('round-trips every flag through flagd format', () => {
    const values = { ...flagsOff(), paymentFailure: 0.5, productCatalogFailure: true, slowResponses: { all: 200, '/api/orders/create': 900 } };
    const text = flagFileText(values);
    const doc = JSON.parse(text) as { flags: Record<string, { defaultVariant: string; variants: Record<string, unknown> }> };
    expect(doc.flags.paymentFailure).toEqual({ state: 'ENABLED', variants: { off: 0, on: 0.5 }, defaultVariant: 'on' });
    expect(doc.flags.highCpu?.defaultVariant).toBe('off');
    expect(parseFlagFile(text)).toEqual(values);
  });

  it('takes a hand-written file with other variants, and leaves out flags it does not name', () => {
    const text = JSON.stringify({ flags: { paymentFailure: { state: 'ENABLED', variants: { '25%': 0.25, '100%': 1, off: 0 }, defaultVariant: '25%' } } });
    expect(parseFlagFile(text)).toEqual({ ...flagsOff(), paymentFailure: 0.25 });
  });

  it('a disabled flag is off', () => {
    const text = JSON.stringify({ flags: { highCpu: { state: 'DISABLED', variants: { on: 0.5, off: 0 }, defaultVariant: 'on' } } });
    expect(parseFlagFile(text).highCpu).toBe(0);
  });

  it('refuses syntax errors, flagd schema errors, unknown flags and values out of bounds, saying which', () => {
    expect(() => parseFlagFile('{"flags": {', 'f.json')).toThrow(/f.json: not JSON .*the previous flags stay/);
    expect(() => parseFlagFile(JSON.stringify({ flags: { paymentFailure: { state: 'ENABLED', variants: { off: 0 }, defaultVariant: 'nope' } } }))).toThrow(/not a flagd flag definition/);
    expect(() => parseFlagFile(JSON.stringify({ flags: { adHighCpu: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' } } }))).toThrow(/unknown flag "adHighCpu"/);
    expect(() => parseFlagFile(JSON.stringify({ flags: { paymentFailure: { state: 'ENABLED', variants: { on: 2, off: 0 }, defaultVariant: 'off' } } }))).toThrow(/paymentFailure, variant "on": must be a number from 0 to 1/);
    expect(() => parseFlagFile(JSON.stringify({ flags: { memoryLeak: { state: 'ENABLED', variants: { on: 100000 }, defaultVariant: 'on' } } }))).toThrow(FlagFileError);
  });

  it('set changes one flag and keeps the others; reset puts all back; a missing file is all off', async () => {
    const file = tmpFile();
    expect(await readFlagFile(file)).toEqual(flagsOff());
    await setFlag(file, 'highCpu', 0.3);
    await setFlag(file, 'statsSlowQuery', 1500);
    expect(await readFlagFile(file)).toMatchObject({ highCpu: 0.3, statsSlowQuery: 1500, paymentFailure: 0 });
    await expect(setFlag(file, 'highCpu', 5)).rejects.toThrow(/highCpu: must be a number from 0 to 0.9/);
    expect((await readFlagFile(file)).highCpu).toBe(0.3);
    expect(await resetFlags(file)).toEqual(flagsOff());
    expect((JSON.parse(readFileSync(file, 'utf8')) as { $schema: string }).$schema).toBe('https://flagd.dev/schema/v0/flags.json');
  });

  it('reset repairs a broken file', async () => {
    const file = tmpFile();
    writeFileSync(file, 'not json');
    await expect(readFlagFile(file)).rejects.toThrow(/not JSON/);
    expect(await resetFlags(file)).toEqual(flagsOff());
  });

  it('reads values typed on a command line', () => {
    expect(parseFlagValue('paymentFailure', '0.5')).toBe(0.5);
    expect(parseFlagValue('productCatalogFailure', 'true')).toBe(true);
    expect(parseFlagValue('slowResponses', '300')).toEqual({ all: 300 });
    expect(parseFlagValue('slowResponses', '{"/api/orders/create": 500}')).toEqual({ '/api/orders/create': 500 });
    expect(() => parseFlagValue('slowResponses', '{"orders": 5}')).toThrow(/must be "all" or a path/);
    expect(() => parseFlagValue('dbPoolStarvation', '2.5')).toThrow(/whole number/);
    expect(() => parseFlagValue('paymentFailure', 'half')).toThrow(/"half" is not a value; it takes a share from 0 to 1/);
  });

  it('shows each flag as one number for the metric', () => {
    expect(FLAG_NAMES.map((n) => flagNumber(flagsOff()[n]))).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0]);
    expect(flagNumber({ all: 10, '/api/stats': 700 })).toBe(700);
    expect(flagNumber(true)).toBe(1);
  });
});
