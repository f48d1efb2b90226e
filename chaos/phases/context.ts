// What every phase of a drill shares: the options it was run with, the lab, the victims,
// the journal, the chaos metrics, and the Ctrl-C that turns the method into a rollback.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabContainer, NodeSql, Target } from '../../lab/index.ts';
import type { SimulationRun } from '../../simulator/index.ts';
import type { ChaosMetrics } from '../observe/metrics-server.ts';
import type { Endpoints } from '../steady-state.ts';
import type { Drill } from '../types.ts';
import type { AlertWatch } from '../judge/alert.ts';
import type { AlertRule } from '../judge/alert-bounds.ts';
import type { Journal } from './journal.ts';

export class DrillRefused extends Error {}

export interface RunDrillOptions {
  drill: Drill;
  target: Target;
  /** --target: a service name (two names comma-separated for two-node drills) */
  targetOverride?: string;
  faultMs?: number;
  rate: number;
  seed?: number;
  reportDir: string;
  dryRun: boolean;
  /** asked on a TTY when the drill breaks quorum; `--yes` answers it */
  confirm: (question: string) => Promise<boolean>;
  endpoints: Endpoints;
  grafanaAuth: { user: string; password: string };
  metricsPort: number;
  /** the lab's socket for Prometheus (lab/config.ts toolSocket); none in tests */
  metricsSocket?: string;
  database: string;
  print: (line: string) => void;
  /** test hook: runs after traffic stopped and before the judgement (e.g. tamper with the data) */
  beforeJudge?: (ctx: { target: Target; sql: NodeSql; run: SimulationRun }) => Promise<void>;
  /** how long to wait for a lab that is not (yet) in its steady state before refusing; default 60 */
  steadyWaitSeconds?: number;
  /** seconds of traffic before the fault and after recovery */
  settleSeconds?: number;
  /** alert drills: the rules their bounds come from (default: the checkout's prometheus/), and the margin on every bound (default 30 s) */
  alertRules?: AlertRule[];
  alertMarginSeconds?: number;
}

export interface DrillContext {
  o: RunDrillOptions;
  drill: Drill;
  target: Target;
  sql: NodeSql;
  victims: LabContainer[];
  journal: Journal;
  say: (line: string) => void;
  faultMs: number;
  settleMs: number;
  /** the labels of the chaos metrics: the drill and its targets */
  labels: { drill: string; target: string };
  metrics: ChaosMetrics;
  grafana: { url: string; user: string; password: string };
  /** aborted by Ctrl-C: the method stops, rollbacks still run */
  interrupt: AbortController;
  /** an alert drill's judge: it also decides how long the fault is held and when the drill has recovered */
  alert?: AlertWatch;
}

/** A wait that Ctrl-C cuts short. */
export function pause(ctx: DrillContext, ms: number): Promise<void> {
  return sleep(ms, undefined, { signal: ctx.interrupt.signal }).catch(() => undefined);
}
