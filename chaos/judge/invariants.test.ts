import { describe, expect, it } from 'vitest';
import { invariantQueries, judgeInvariants, type InvariantResults } from './invariants.ts';

const clean = (): Record<string, string[][]> => Object.fromEntries(invariantQueries.map((q) => [q.name, []]));

describe('judgeInvariants', () => {
  it('passes when every query returns no row on every node', () => {
    const j = judgeInvariants({ 'mariadb-1': clean(), 'mariadb-2': clean() });
    expect(j.violations).toEqual([]);
    expect(j.errors).toEqual([]);
    expect(j.checked).toContain('paid-needs-one-successful-payment');
  });
  it('names the order and the node of each violation', () => {
    const r: InvariantResults = {
      'mariadb-1': { ...clean(), 'paid-needs-one-successful-payment': [['42', '0']] },
      'mariadb-2': { ...clean(), 'left-terminal-state': [['7', 'cancelled', 'paid']] },
    };
    const j = judgeInvariants(r);
    expect(j.violations).toEqual([
      { invariant: 'paid-needs-one-successful-payment', node: 'mariadb-1', detail: 'paid order 42 has 0 successful payments' },
      { invariant: 'left-terminal-state', node: 'mariadb-2', detail: 'order 7 went from terminal cancelled to paid' },
    ]);
  });
  it('describes a revenue mismatch in euros', () => {
    const j = judgeInvariants({ n: { ...clean(), 'revenue-equals-paid-orders': [['12345', '12000']] } });
    expect(j.violations[0]?.detail).toBe('revenue counter 123.45 € but paid orders sum to 120.00 €');
  });
  it('keeps query errors apart: an unread invariant is not a passed one', () => {
    const j = judgeInvariants({ n: { ...clean(), 'paid-and-not-paid': { error: 'ERROR 1047' } } });
    expect(j.violations).toEqual([]);
    expect(j.errors).toEqual([{ node: 'n', invariant: 'paid-and-not-paid', error: 'ERROR 1047' }]);
  });
  it('caps the details but says how many more', () => {
    const rows = Array.from({ length: 25 }, (_, i) => [String(i), '2']);
    const j = judgeInvariants({ n: { ...clean(), 'paid-needs-one-successful-payment': rows } });
    expect(j.violations).toHaveLength(21);
    expect(j.violations.at(-1)?.detail).toBe('… and 5 more');
  });
});
