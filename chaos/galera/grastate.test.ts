import { describe, expect, it } from 'vitest';
import { chooseBootstrapNode, parseGrastate, parseRecoveredPosition, withSafeToBootstrap, type NodePosition } from './grastate.ts';

const U = '6c1f2a4e-9d1b-11ef-8a3b-0242ac120002';
const file = (seqno: number, safe = 0, uuid = U) => `# GALERA saved state\nversion: 2.1\nuuid:    ${uuid}\nseqno:   ${seqno}\nsafe_to_bootstrap: ${safe}\n`;

describe('parseGrastate', () => {
  it('reads uuid, seqno and safe_to_bootstrap', () => {
    expect(parseGrastate(file(1234, 1))).toEqual({ uuid: U, seqno: 1234, safeToBootstrap: true });
    expect(parseGrastate(file(-1))).toEqual({ uuid: U, seqno: -1, safeToBootstrap: false });
  });
  it('returns undefined for an empty or foreign file', () => {
    expect(parseGrastate('')).toBeUndefined();
    expect(parseGrastate('hello\n')).toBeUndefined();
  });
  it('treats a missing seqno as unknown', () => {
    expect(parseGrastate(`uuid: ${U}\n`)?.seqno).toBe(-1);
  });
});

describe('withSafeToBootstrap', () => {
  it('rewrites the line, or adds it', () => {
    expect(parseGrastate(withSafeToBootstrap(file(5, 0), true))?.safeToBootstrap).toBe(true);
    expect(parseGrastate(withSafeToBootstrap(file(5, 1), false))?.safeToBootstrap).toBe(false);
    expect(withSafeToBootstrap(`uuid: ${U}\nseqno: 5`, true)).toBe(`uuid: ${U}\nseqno: 5\nsafe_to_bootstrap: 1\n`);
  });
});

describe('parseRecoveredPosition', () => {
  it('takes the last recovered position of the log', () => {
    const log = `2026-11-23 [Note] WSREP: Recovered position: ${U}:17\n[Note] WSREP: Recovered position: ${U}:42\n`;
    expect(parseRecoveredPosition(log)).toEqual({ uuid: U, seqno: 42 });
  });
  it('returns undefined when there is none', () => {
    expect(parseRecoveredPosition('[ERROR] Aborting')).toBeUndefined();
  });
});

const pos = (node: string, seqno: number, opts: { safe?: boolean; recovered?: number; uuid?: string } = {}): NodePosition => ({
  node,
  grastate: { uuid: opts.uuid ?? U, seqno, safeToBootstrap: opts.safe ?? false },
  recovered: opts.recovered === undefined ? undefined : { uuid: opts.uuid ?? U, seqno: opts.recovered },
});

describe('chooseBootstrapNode', () => {
  it('chooses the highest seqno, using --wsrep-recover where grastate says -1', () => {
    const c = chooseBootstrapNode([pos('mariadb-1', -1, { recovered: 100 }), pos('mariadb-2', -1, { recovered: 120 }), pos('mariadb-3', 110)]);
    expect(c.ok && c.node).toBe('mariadb-2');
    expect(c.ok && c.order).toEqual(['mariadb-2', 'mariadb-3', 'mariadb-1']);
  });
  it('breaks a tie by safe_to_bootstrap, then by name', () => {
    const safe = chooseBootstrapNode([pos('mariadb-1', 50), pos('mariadb-3', 50, { safe: true }), pos('mariadb-2', 50)]);
    expect(safe.ok && safe.node).toBe('mariadb-3');
    const byName = chooseBootstrapNode([pos('mariadb-3', 50), pos('mariadb-2', 50)]);
    expect(byName.ok && byName.node).toBe('mariadb-2');
    expect(byName.reason).toMatch(/tied/);
  });
  it('never prefers a node with an unknown position over one with a known position', () => {
    const c = chooseBootstrapNode([pos('mariadb-1', -1), pos('mariadb-2', 3)]);
    expect(c.ok && c.node).toBe('mariadb-2');
  });
  it('refuses when no position is known', () => {
    const c = chooseBootstrapNode([pos('mariadb-1', -1), { node: 'mariadb-2', grastate: undefined, recovered: undefined }]);
    expect(c.ok).toBe(false);
    expect(c.reason).toMatch(/refusing to guess/);
  });
  it('refuses nodes from different cluster histories', () => {
    const c = chooseBootstrapNode([pos('mariadb-1', 10), pos('mariadb-2', 12, { uuid: '11111111-2222-3333-4444-555555555555' })]);
    expect(c.ok).toBe(false);
    expect(c.reason).toMatch(/different cluster histories/);
  });
  it('refuses an empty cluster', () => {
    expect(chooseBootstrapNode([]).ok).toBe(false);
  });
});
