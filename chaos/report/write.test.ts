import { describe, expect, it } from 'vitest';
import { drill, report } from './report-fixture.ts';
import { integritySection, renderMarkdown } from './write.ts';

describe('integritySection', () => {
  it('counts stale reads from both regressed and missing-then-found rows', () => {
    expect(report().integrity.staleReadsSeen).toBe(1);
  });
  it('keeps the judge error when the ledger could not be read', () => {
    const i = integritySection({ error: 'nodes down' }, { error: 'nodes down' });
    expect(i.error).toBe('nodes down');
  });
});

describe('renderMarkdown', () => {
  it('says the verdict, the lost ids, the bootstrap and what was not restored', () => {
    const md = renderMarkdown(report(), drill);
    expect(md).toMatch(/^# Chaos drill galera-full-outage: ❌ failed/);
    for (const part of [
      'order 77 (not on mariadb-2)',
      'left-terminal-state on mariadb-1: order 5 went from terminal paid to cancelled',
      '| mariadb-2 | u:-1 safe=0 | u:42 |',
      '| time to recover (rollback → steady state) | 6.0 s (bound 300 s) |',
      '**COULD NOT RESTORE**: mariadb-3: could not start',
      '- 503: 4',
    ]) expect(md).toContain(part);
  });

  it('lists the journal: each phase with its time and outcome', () => {
    const md = renderMarkdown(report(), drill);
    expect(md).toContain('| steady-state-hypothesis | 2026-12-02T00:00:00.000Z | 1.5 | ok | 5 checks pass |');
    expect(md).toContain('| recovery | 2026-12-02T00:01:00.000Z | 300.0 | failed | steady state not back within 300 s |');
  });
});
