// What every section gets (options, the lab's status, its deadline, a logger) and the
// side-by-side runner the comparing sections share: the sides of a comparison take turns
// run by run (A B, B A, A B ...), so both see the same machine and any drift cancels out.
import type { BenchOptions } from '../options.ts';
import type { SectionResult } from '../report.ts';
import type { StackStatus } from '../stack-check.ts';
import { fmtMs, fmtRate, fmtRatio, fmtSpread } from '../format.ts';
import { aggregate, pairedRatio, type Aggregate, type RunFigures } from '../stats.ts';
import { closedLoop, loopFigures, type LoopOptions, type OpResult } from '../load.ts';

type StackPart = 'api' | 'mysql';

export interface SectionContext {
  opts: BenchOptions;
  /** undefined when no selected section needs the stack */
  stack: StackStatus | undefined;
  /** epoch ms: start no new run after this */
  deadline: number;
  log: (line: string) => void;
  /** versions learnt while measuring (e.g. the local MariaDB of section 5) */
  versions: Record<string, string>;
}

/** What a section's run returns; the runner adds its id, title and time (bench/main.ts). */
export type SectionOutcome = Omit<SectionResult, 'id' | 'title' | 'seconds'>;

/** How to reach the lab, for a section that needs it (its `needs` made sure the lab answers). */
export function labAccess(ctx: SectionContext): StackStatus['access'] {
  const access = ctx.stack?.access;
  if (access === undefined) throw new Error('no stack status');
  return access;
}

export interface Section {
  id: number;
  title: string;
  /** the stack parts it cannot run without */
  needs: StackPart[];
  /** longest it may take, seconds (full run; a quick run gets a third) */
  budgetSeconds: number;
  run(ctx: SectionContext): Promise<SectionOutcome>;
}

/** A section: what it is (number, title, what it needs, its time budget) and how it runs. */
export function defineSection(meta: Omit<Section, 'run'>, run: (ctx: SectionContext) => Promise<SectionOutcome>): Section {
  return { ...meta, run };
}

export interface Side {
  name: string;
  /** one measured run; the index lets a side vary its seed */
  run(runIndex: number): Promise<RunFigures & { errorKinds?: Record<string, number> }>;
  /** run once before the first measured run (connections, JIT, caches) */
  warmup?(): Promise<void>;
}

export interface SideBySide {
  /** figures per side, one entry per completed run */
  runs: Record<string, RunFigures[]>;
  errorKinds: Record<string, Record<string, number>>;
  /** runs cut because the section's time was up */
  cut: number;
}

/** A side that runs `op` in a closed loop, after a warm-up of `warmupSeconds`. */
export function loopSide(name: string, loop: LoopOptions, warmupSeconds: number, op: (i: number) => Promise<OpResult>): Side {
  return {
    name,
    run: async () => {
      const r = await closedLoop(loop, op);
      return { ...loopFigures(r), errorKinds: r.errorKinds };
    },
    warmup: async () => {
      await closedLoop({ ...loop, durationMs: warmupSeconds * 1000 }, op);
    },
  };
}

/** ms a round of `sides` is expected to take, with a margin for set-up. */
function roundMs(sides: number, seconds: number): number {
  return sides * (seconds * 1000 + 1_500);
}

export async function sideBySide(ctx: SectionContext, label: string, sides: Side[], runs: number): Promise<SideBySide> {
  const out: SideBySide = { runs: Object.fromEntries(sides.map((s) => [s.name, []])), errorKinds: Object.fromEntries(sides.map((s) => [s.name, {}])), cut: 0 };
  for (const side of sides) await side.warmup?.();
  for (let r = 0; r < runs; r++) {
    if (Date.now() + roundMs(sides.length, ctx.opts.seconds) > ctx.deadline) {
      out.cut = runs - r;
      ctx.log(`  ${label}: time budget reached, ${out.cut} run(s) left out`);
      break;
    }
    // rotate the order every run
    const order = sides.map((_, i) => sides[(i + r) % sides.length] as Side);
    const line: string[] = [];
    for (const side of order) {
      const f = await side.run(r);
      (out.runs[side.name] as RunFigures[]).push(f);
      const kinds = out.errorKinds[side.name] as Record<string, number>;
      for (const [k, v] of Object.entries(f.errorKinds ?? {})) kinds[k] = (kinds[k] ?? 0) + v;
      line.push(`${side.name} ${fmtRate(f.throughput)}/s p50 ${fmtMs(f.p50)} ms${f.errors ? ` (${f.errors} errors)` : ''}`);
    }
    ctx.log(`  ${label} run ${r + 1}/${runs}: ${line.join(' | ')}`);
  }
  return out;
}

/** The standard figures row: ops/s, p50, p95, p99, errors, spread. */
export function figuresCells(a: Aggregate, threshold: number): string[] {
  return [fmtRate(a.throughput), fmtMs(a.p50), fmtMs(a.p95), fmtMs(a.p99), String(a.errors), fmtSpread(Math.max(a.spreadP50, a.spreadThroughput), threshold), String(a.runs)];
}

export const FIGURES_HEADERS = ['ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'spread', 'runs'];

/** A note for each noisy aggregate. */
export function noisyNote(name: string, a: Aggregate, threshold: number): string | undefined {
  if (!a.noisy) return undefined;
  return `⚠ noisy: ${name}: the runs' medians spread ${fmtRatio(a.spreadP50)} and their throughputs ${fmtRatio(a.spreadThroughput)} (above ${threshold}); read its figures as ± that factor.`;
}

export interface Compared {
  a: Aggregate;
  b: Aggregate;
  /** median over runs of a.throughput / b.throughput */
  throughputRatio: number;
  p50Ratio: number;
  p99Ratio: number;
}

/** Aggregates of two sides and their paired ratios (a over b). */
export function compare(runs: Record<string, RunFigures[]>, a: string, b: string, threshold: number): Compared {
  const ra = runs[a] ?? [];
  const rb = runs[b] ?? [];
  return {
    a: aggregate(ra, threshold),
    b: aggregate(rb, threshold),
    throughputRatio: pairedRatio(ra.map((x) => x.throughput), rb.map((x) => x.throughput)),
    p50Ratio: pairedRatio(ra.map((x) => x.p50), rb.map((x) => x.p50)),
    p99Ratio: pairedRatio(ra.map((x) => x.p99), rb.map((x) => x.p99)),
  };
}

export function sectionError(s: Section, err: unknown, seconds: number): SectionResult {
  return { id: s.id, title: s.title, status: 'error', reason: (err as Error).message ?? String(err), about: [], tables: [], notes: [], seconds };
}

