import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { durabilityTable, generate, replaceBlock } from './readme-figures.ts';

const run = (throughput: number) => ({ throughput, p50: 10, p99: 20 });
const latest = {
  startedAt: '2026-12-02T10:00:00.000Z',
  seconds: 100,
  machine: { cpuModel: 'Test CPU', cores: 2, memoryBytes: 2 * 1024 ** 3 },
  sections: [
    { id: 1, status: 'ok', data: { journeys: { runs: { shop: [run(8), run(10)], 'bare SQL': [run(10), run(10)] } }, commits: { shop: { commits: 10, writes: 10 }, 'bare SQL': { commits: 20, writes: 10 } } } },
    { id: 9, status: 'ok', data: { results: [{ orders: 1_000_000, rows: 2_200_000, backupSeconds: 22.5, backupMB: 487.4, restoreSeconds: 73, exact: true }] } },
    { id: 7, status: 'ok', data: {
      runs: { strict: [run(300), run(320), run(310)], fast: [run(400)] },
      crash: { strict: { verdict: 'passed', acknowledged: 1200, lost: 0, lostIds: [] }, fast: { verdict: 'failed', acknowledged: 466, lost: 6, lostIds: ['order 1', 'order 2', 'order 3', 'order 4', 'order 5', 'order 6'] } },
    } },
  ],
};

describe('the README figures', () => {
  it('come from the bench results: medians, paired ratios, commits per write', () => {
    const out = generate('a\n<!-- figures:bench -->\nold\n<!-- /figures:bench -->\nb\n<!-- figures:durability -->\n<!-- /figures:durability -->\n<!-- figures:backup -->\n<!-- /figures:backup -->\n', latest);
    expect(out).toContain('| journey mix, 10 in flight | 9.0 journeys/s | 10.0 journeys/s | 0.90× |');
    expect(out).toContain('| cluster commits per write request | 1.00 | 2.00 |  |');
    expect(out).toContain('Measured on 2 cores (Test CPU), 2.0 GiB');
    expect(out).not.toContain('old');
    expect(out.startsWith('a\n')).toBe(true);
    const table = durabilityTable(latest);
    expect(table).toContain('| `strict` | 1 | 310/s | 0 of 1,200 | no |');
    expect(table).toContain('| `relaxed` | 2 | n/a | not measured in the latest bench run |');
    expect(table).toContain('| `fast` | 0 | 400/s | 6 of 466: order 1, order 2, order 3, order 4, order 5, … | yes |');
    expect(out).toContain('| 1,000,000 | 22.5 s | 487.4 MB | 73 s | yes |');
  });

  it('name the machine and the run of section 1 when it was kept from an earlier run', () => {
    const carried = { ...latest, sections: latest.sections.map((x) => (x.id === 1 ? { ...x, carriedFrom: '2026-11-30T08:00:00.000Z', carriedMachine: '2 cores (Old CPU), 4.0 GiB' } : x)) };
    const out = generate('<!-- figures:bench -->\n<!-- /figures:bench -->\n<!-- figures:durability -->\n<!-- /figures:durability -->\n<!-- figures:backup -->\n<!-- /figures:backup -->\n', carried);
    expect(out).toContain('Measured on 2 cores (Old CPU), 4.0 GiB, the whole lab on the same machine, in the run of 2026-11-30');
    expect(generate('<!-- figures:bench -->\n<!-- /figures:bench -->\n<!-- figures:durability -->\n<!-- /figures:durability -->\n<!-- figures:backup -->\n<!-- /figures:backup -->\n', latest)).toContain('in the run of 2026-12-02');
  });

  it('refuse a README without the block', () => {
    expect(() => replaceBlock('no markers', 'bench', 'x')).toThrow(/no <!-- figures:bench -->/);
  });

  it('in the committed README match the committed bench results', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const results = JSON.parse(readFileSync(new URL('./results/latest.json', import.meta.url), 'utf8')) as Parameters<typeof generate>[1];
    expect(generate(readme, results)).toBe(readme);
  });
});
