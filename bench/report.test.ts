import { describe, expect, it } from 'vitest';
import { carryOver, renderMarkdown, renderSection, skipped, type BenchReport, type SectionResult } from './report.ts';

const section: SectionResult = {
  id: 3,
  title: 'The load generator',
  status: 'ok',
  about: ['What runs.'],
  tables: [{ title: 'Figures', headers: ['generator', 'ops/s'], rows: [['engine', '5,000']] }],
  notes: ['⚠ noisy: engine'],
  details: [{ summary: 'SQL', body: '```sql\nSELECT 1\n```' }],
  seconds: 12.4,
};

describe('renderSection', () => {
  it('renders the heading, paragraphs, titled tables, notes and details', () => {
    const md = renderSection(section);
    for (const part of [
      '## 3. The load generator\n',
      'What runs.',
      '**Figures**\n\n| generator | ops/s |',
      '- ⚠ noisy: engine',
      '<details><summary>SQL</summary>',
      'section took 12 s',
    ]) expect(md).toContain(part);
  });

  it('says why a section was skipped, and gives no duration', () => {
    const md = renderSection(skipped(1, 'Shop vs DB', 'the lab stack is not up: run `make up`'));
    expect(md).toContain('## 1. Shop vs DB (skipped)');
    expect(md).toContain('> **Skipped:** the lab stack is not up: run `make up`');
    expect(md).not.toContain('section took');
  });

  it('marks a failed section', () => {
    const md = renderSection({ ...section, status: 'error', reason: 'boom' });
    expect(md).toContain('(failed)');
    expect(md).toContain('> **Failed:** boom');
  });
});

describe('renderMarkdown', () => {
  const report: BenchReport = {
    startedAt: '2026-03-01T10:00:00.000Z',
    endedAt: '2026-03-01T10:09:00.000Z',
    seconds: 540,
    command: 'npm run bench',
    quick: false,
    options: { runs: 5, statsSizes: [10000, 100000] },
    machine: { cpuModel: 'Some CPU', cores: 2, memoryBytes: 4 * 1024 ** 3, os: 'Linux 6.1 (x64)', loadAverageStart: [0.5, 0.25, 0.1], loadAverageEnd: [1.5, 1, 0.5] },
    versions: { node: 'v20.19.0', HAProxy: '2.6.12' },
    stack: { checked: true, up: false, problems: ['shop API: no answer'], endpoints: {} },
    sections: [section],
  };

  it('states the machine, the versions, the options and every section', () => {
    const md = renderMarkdown(report);
    expect(md.startsWith('# SmartShop benchmarks\n')).toBe(true);
    expect(md).toMatch(/\| CPU +\| Some CPU × 2 cores +\|/);
    for (const part of [
      '4.0 GiB',
      '| node',
      '2.6.12',
      'not (fully) up: shop API: no answer',
      'runs=5, statsSizes=10000,100000',
      '## 3. The load generator',
    ]) expect(md).toContain(part);
    expect(md).not.toMatch(/\n{3,}/);
    expect(md.endsWith('\n')).toBe(true);
  });

  it('warns when the run was a quick one', () => {
    expect(renderMarkdown({ ...report, quick: true })).toContain('quick smoke run');
  });
});

describe('carryOver', () => {
  it('keeps the sections a partial run did not run, marked with the run they come from, in order', () => {
    const section = (id: number, title: string): SectionResult => ({ id, title, status: 'ok', about: [], tables: [], notes: [], seconds: 1 });
    const previous = { startedAt: '2026-11-30T10:00:00.000Z', machine: { cpuModel: 'Old CPU', cores: 2, memoryBytes: 4 * 1024 ** 3 }, sections: [section(1, 'old one'), section(7, 'old seven')] } as BenchReport;
    const merged = carryOver([section(7, 'new seven')], previous);
    expect(merged.map((s) => [s.id, s.title, s.carriedFrom, s.carriedMachine])).toEqual([[1, 'old one', '2026-11-30T10:00:00.000Z', '2 cores (Old CPU), 4.0 GiB'], [7, 'new seven', undefined, undefined]]);
    expect(renderSection(merged[0] as SectionResult)).toContain('Not run this time: kept from the run started 2026-11-30T10:00:00.000Z.');
    expect(carryOver([section(7, 'x')], undefined)).toHaveLength(1);
  });
});
