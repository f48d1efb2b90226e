// The drill's journal, after Chaos Toolkit's: every phase with its start, end and outcome,
// and every line the drill said, timestamped. The report carries it (`phases`, `log`) and
// its timeline shows where each phase began.
import type { TimelineEvent } from '../types.ts';

export const PHASES = ['steady-state-hypothesis', 'method', 'rollbacks', 'recovery', 'judgement', 'report'] as const;
export type PhaseName = (typeof PHASES)[number];

export type PhaseOutcome = 'ok' | 'failed' | 'interrupted';

export interface PhaseRecord {
  phase: PhaseName;
  startedAt: string;
  endedAt: string;
  seconds: number;
  outcome: PhaseOutcome;
  /** one line on how it went */
  detail: string;
}

export class Journal {
  readonly phases: PhaseRecord[] = [];
  readonly log: string[] = [];
  /** told when a phase starts (the runner shows it as a metric) */
  onPhase: ((phase: PhaseName) => void) | undefined;

  constructor(
    private readonly print: (line: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** a line for the person running the drill, kept in the report's log */
  say(line: string): void {
    this.log.push(`${this.now().toISOString()} ${line}`);
    this.print(line);
  }

  /**
   * Runs one phase and records it. `fn` returns the phase's detail and, when it did not go
   * as it should, its outcome; a throw records `failed` with the error and rethrows.
   */
  async phase<T>(phase: PhaseName, fn: () => Promise<{ value: T; detail: string; outcome?: PhaseOutcome }>): Promise<T> {
    const start = this.now();
    this.say(`== ${phase}`);
    this.onPhase?.(phase);
    try {
      const { value, detail, outcome = 'ok' } = await fn();
      this.record(phase, start, outcome, detail);
      return value;
    } catch (err) {
      this.record(phase, start, 'failed', (err as Error).message);
      throw err;
    }
  }

  private record(phase: PhaseName, start: Date, outcome: PhaseOutcome, detail: string): void {
    const end = this.now();
    this.phases.push({ phase, startedAt: start.toISOString(), endedAt: end.toISOString(), seconds: (end.getTime() - start.getTime()) / 1000, outcome, detail });
  }
}

/** The phases table every drill report shows (node, broker and alert drills alike), Markdown. */
export function renderPhases(phases: readonly PhaseRecord[]): string[] {
  return [
    '| phase | started | seconds | outcome | detail |',
    '|---|---|---:|---|---|',
    ...phases.map((p) => `| ${p.phase} | ${p.startedAt} | ${p.seconds.toFixed(1)} | ${p.outcome} | ${p.detail.replaceAll('|', '\\|')} |`),
  ];
}

/** The journal's phases as timeline events, one at each phase's start. */
export function phaseEvents(phases: readonly PhaseRecord[]): TimelineEvent[] {
  return phases.map((p) => ({ at: Date.parse(p.startedAt), kind: 'phase', detail: `${p.phase}: ${p.outcome}, ${p.seconds.toFixed(1)} s — ${p.detail}` }));
}
