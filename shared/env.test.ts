import { describe, expect, it } from 'vitest';
import { bool, ConfigError, int, num, str } from './env.ts';

describe('env readers', () => {
  it('fall back on missing or empty values', () => {
    expect(str({}, 'A', 'x')).toBe('x');
    expect(int({ A: '' }, 'A', 3)).toBe(3);
    expect(bool({}, 'A', true)).toBe(true);
  });
  it('parse good values', () => {
    expect(int({ A: '42' }, 'A', 3)).toBe(42);
    expect(num({ A: '0.25' }, 'A', 0.8, 0, 1)).toBe(0.25);
    expect(bool({ A: 'off' }, 'A', true)).toBe(false);
  });
  it('name the variable when a value is wrong', () => {
    expect(() => int({ PORT: 'abc' }, 'PORT', 1)).toThrow(/PORT=abc/);
    expect(() => num({ R: '2' }, 'R', 0.8, 0, 1)).toThrow(ConfigError);
    expect(() => bool({ B: 'maybe' }, 'B', true)).toThrow(/B=maybe/);
  });
});
