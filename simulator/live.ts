// Running a simulation in front of a person: a status line redrawn in place (only when
// the stream is a terminal), Ctrl-C to stop gracefully, a second Ctrl-C to abandon the
// requests still in flight. Used by both the CLI and the menu.
import type { Ledger } from './engine/ledger.ts';
import { startRun, type RunOptions, type RunSummary } from './engine/run.ts';
import type { RunStats } from './engine/stats.ts';
import { statusLine } from './format.ts';

export interface LiveOptions {
  /** where the status line and notices go; default process.stderr */
  out?: NodeJS.WriteStream;
  /** redraw period; default 1 s */
  refreshMs?: number;
  /** say nothing at all (e.g. --json without a terminal) */
  quiet?: boolean;
}

export interface LiveResult {
  summary: RunSummary;
  ledger: Ledger;
  /** the run's statistics, for thresholds that need any quantile */
  stats: RunStats;
}

export async function runLive(options: RunOptions, live: LiveOptions = {}): Promise<LiveResult> {
  const out = live.out ?? process.stderr;
  const tty = out.isTTY && !live.quiet;
  const run = startRun(options);
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      run.stop();
      if (!live.quiet) out.write(`${tty ? '\r\x1b[2K' : '\n'}Stopping: letting in-flight journeys finish their current request (Ctrl-C again to abandon them)…\n`);
    } else {
      run.abort();
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  let previous: RunSummary | undefined;
  const draw = (): void => {
    const now = run.snapshot();
    const line = statusLine(now, previous);
    previous = now;
    const width = out.columns > 0 ? out.columns - 1 : 200;
    out.write(`\r\x1b[2K${[...line].slice(0, width).join('')}`);
  };
  const timer = tty ? setInterval(draw, live.refreshMs ?? 1000) : undefined;
  if (!live.quiet) {
    const what = options.rate === undefined ? `closed loop, ${options.concurrency ?? 50} at a time` : `${options.rate} journeys/s, at most ${options.concurrency ?? 50} in flight`;
    const until = options.cycles !== undefined ? `${options.cycles} cycles` : options.durationSeconds !== undefined ? `${options.durationSeconds} s` : 'Ctrl-C';
    out.write(`Simulating against ${options.target} (${what}, until ${until}, seed ${run.seed})${options.metricsPort ? `; client metrics on :${options.metricsPort}/metrics` : ''}\n`);
  }
  try {
    return { summary: await run.done, ledger: run.ledger, stats: run.stats };
  } finally {
    if (timer) {
      clearInterval(timer);
      out.write('\r\x1b[2K');
    }
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
