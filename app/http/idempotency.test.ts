import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprintOf, parseKey, scopeOf } from './idempotency.ts';

describe('Idempotency-Key parts', () => {
  it('canonical JSON sorts keys at every level and refuses absurd nesting with a 400', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
    expect(() => canonicalJson(JSON.parse(`${'['.repeat(4000)}${']'.repeat(4000)}`))).toThrow(/deeper than 32/);
  });
  it('fingerprints equal requests equally and any difference differently; an empty body is no body', () => {
    const scope = scopeOf('post', '/API/orders/create/');
    expect(scope).toBe('POST /api/orders/create');
    expect(fingerprintOf(scope, { quantity: 1, userId: 2 })).toBe(fingerprintOf(scope, { userId: 2, quantity: 1 }));
    expect(fingerprintOf(scope, { userId: 2, quantity: 1 })).not.toBe(fingerprintOf(scope, { userId: 2, quantity: 2 }));
    expect(fingerprintOf(scope, {})).toBe(fingerprintOf(scope, undefined));
    expect(fingerprintOf(scope, {})).not.toBe(fingerprintOf(scopeOf('POST', '/api/users/create'), {}));
  });
  it('takes a token or a structured-field string, and refuses anything else', () => {
    expect(parseKey('abc-123')).toBe('abc-123');
    expect(parseKey('"abc-123"')).toBe('abc-123');
    expect(parseKey(undefined)).toBeUndefined();
    expect(() => parseKey('two words')).toThrow(/visible ASCII/);
    expect(() => parseKey('x'.repeat(129))).toThrow();
  });
});
