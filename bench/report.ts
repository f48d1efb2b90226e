// The bench's report: what every section returns, the whole run's record (written as
// latest.json), and its Markdown rendering (latest.md), pure.
import { markdownTable, type Table } from './format.ts';

type SectionStatus = 'ok' | 'skipped' | 'error';

export interface SectionResult {
  id: number;
  title: string;
  status: SectionStatus;
  /** why it was skipped or failed, with what to do about it */
  reason?: string;
  /** what was measured and how, one paragraph per entry */
  about: string[];
  tables: Table[];
  /** lines under the tables: ratios in words, noisy runs, caveats */
  notes: string[];
  /** collapsed detail (e.g. the SQL the bare loop runs), Markdown */
  details?: { summary: string; body: string }[];
  seconds: number;
  /** the raw figures, for machines */
  data?: unknown;
  /** set when this section was not run this time and is kept from an earlier run (its start time) */
  carriedFrom?: string;
  /** with carriedFrom: the machine that earlier run measured on ("2 cores (AMD EPYC), 23.5 GiB") */
  carriedMachine?: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  os: string;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
}

export interface BenchReport {
  startedAt: string;
  endedAt: string;
  seconds: number;
  command: string;
  quick: boolean;
  options: Record<string, unknown>;
  machine: MachineInfo;
  /** name → version; "unknown (why)" when it could not be read */
  versions: Record<string, string>;
  /** checked: false when no selected section needed the lab */
  stack: { checked: boolean; up: boolean; problems: string[]; endpoints: Record<string, string> };
  sections: SectionResult[];
}

const STATUS_TEXT: Record<SectionStatus, string> = { ok: '', skipped: ' (skipped)', error: ' (failed)' };

export function renderSection(s: SectionResult): string {
  const out: string[] = [`## ${s.id}. ${s.title}${STATUS_TEXT[s.status]}`, ''];
  if (s.reason !== undefined) out.push(`> ${s.status === 'error' ? '**Failed:** ' : '**Skipped:** '}${s.reason}`, '');
  if (s.carriedFrom !== undefined) out.push(`> Not run this time: kept from the run started ${s.carriedFrom}.`, '');
  for (const p of s.about) out.push(p, '');
  for (const t of s.tables) {
    if (t.title !== undefined) out.push(`**${t.title}**`, '');
    out.push(markdownTable(t), '');
  }
  for (const n of s.notes) out.push(`- ${n}`);
  if (s.notes.length > 0) out.push('');
  for (const d of s.details ?? []) out.push('<details><summary>' + d.summary + '</summary>', '', d.body, '', '</details>', '');
  if (s.status !== 'skipped') out.push(`<sub>section took ${Math.round(s.seconds)} s</sub>`, '');
  return out.join('\n');
}

function labStack(s: BenchReport['stack']): string {
  const where = Object.entries(s.endpoints).map(([k, v]) => `${k} ${v}`).join(', ');
  if (!s.checked) return `not checked (no selected section needs it; ${where})`;
  return s.up ? `up (${where})` : `not (fully) up: ${s.problems.join('; ')}`;
}

export function renderMarkdown(r: BenchReport): string {
  const gib = (b: number): string => `${(b / 1024 ** 3).toFixed(1)} GiB`;
  const load = (l: number[] | undefined): string => (l === undefined ? '—' : l.map((x) => x.toFixed(2)).join(' / '));
  const out: string[] = [
    '# SmartShop benchmarks',
    '',
    `Measured ${r.startedAt} → ${r.endedAt} (${Math.round(r.seconds)} s) by \`${r.command}\`${r.quick ? ' — **quick smoke run: figures are indicative only**' : ''}.`,
    'Written by `npm run bench`; see [docs/benchmarks.md](../../docs/benchmarks.md) for what each section means and how to read the ratios.',
    '',
    '## Machine and versions',
    '',
    markdownTable({
      headers: ['', ''],
      align: ['left', 'left'],
      rows: [
        ['CPU', `${r.machine.cpuModel} × ${r.machine.cores} cores`],
        ['memory', gib(r.machine.memoryBytes)],
        ['OS', r.machine.os],
        ['load average (1/5/15 min) at start', load(r.machine.loadAverageStart)],
        ['load average at end', load(r.machine.loadAverageEnd)],
        ...Object.entries(r.versions).map(([k, v]) => [k, v]),
        ['lab stack', labStack(r.stack)],
      ],
    }),
    '',
    `Options: ${Object.entries(r.options).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(', ')}.`,
    '',
    'How to read: unless a section says otherwise, each figure is the **median over several runs**; p95 and p99 are the medians of the',
    "runs' own p95 and p99; *spread* is max/min of the runs' medians (and throughputs): ⚠ marks a spread above the noise threshold,",
    'where the figure should not be trusted to better than that factor. Ratios are measured side by side in the same bench run, pair by pair.',
    '',
  ];
  for (const s of r.sections) out.push(renderSection(s));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** A skipped section (not run: the stack is down, not selected, no time left). */
export function skipped(id: number, title: string, reason: string): SectionResult {
  return { id, title, status: 'skipped', reason, about: [], tables: [], notes: [], seconds: 0 };
}

/** "2 cores (AMD EPYC), 23.5 GiB" */
export function describeMachine(m: { cpuModel: string; cores: number; memoryBytes: number }): string {
  return `${m.cores} cores (${m.cpuModel}), ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB`;
}

/**
 * A run of some sections only (`--only`) into the committed results keeps the other sections
 * of the previous report, each marked with the run it comes from, so latest.json stays whole
 * and the README's figures generated from it keep every block.
 */
export function carryOver(results: SectionResult[], previous: BenchReport | undefined): SectionResult[] {
  if (!previous) return results;
  const ran = new Set(results.map((r) => r.id));
  const kept = previous.sections
    .filter((s) => !ran.has(s.id))
    .map((s) => ({ ...s, carriedFrom: s.carriedFrom ?? previous.startedAt, carriedMachine: s.carriedMachine ?? describeMachine(previous.machine) }));
  return [...results, ...kept].sort((a, b) => a.id - b.id);
}
