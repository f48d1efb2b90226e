// What the shop's clients saw while a fault was active, from the drill traffic's own requests
// (the simulator's samples), and whether it stayed within the drill's budget. Pure.
// A single node's fault should cost clients latency, not errors: the shop retries what is safe
// to retry (app/db/database.ts), HAProxy moves new connections to live nodes. The budget says
// how much of that latency is acceptable; a request that failed is over any budget of 0.
import type { RequestSample } from '../../simulator/index.ts';
import { countClientErrors, isClientError } from '../report/timeline.ts';
import { percentile } from '../steady-state.ts';
import type { ClientBudget, Drill } from '../types.ts';

export interface ClientImpact {
  /** requests in flight at some moment of the window (started before its end, ended after its start) */
  requests: number;
  /** of them 5xx, timeouts and connection errors */
  failed: number;
  p99Ms?: number;
  /** the longest any one request waited for its answer, ms */
  longestMs?: number;
  /** the window judged, epoch ms: the fault's injection to the steady state back (or the traffic's end) */
  window: { from: number; to: number };
  budget?: ClientBudget;
  /** one line per budget exceeded; empty when within it or without a budget */
  overBudget: string[];
}

/** The drill's budget where it runs: on Swarm, swarmClientBudget when it has one. */
export function budgetFor(drill: Pick<Drill, 'clientBudget' | 'swarmClientBudget'>, runtime: 'compose' | 'swarm'): ClientBudget | undefined {
  return runtime === 'swarm' ? (drill.swarmClientBudget ?? drill.clientBudget) : drill.clientBudget;
}

export function clientImpact(samples: readonly RequestSample[], window: { from: number; to: number }, budget?: ClientBudget): ClientImpact {
  const inWindow = samples.filter((s) => s.at < window.to && s.at + s.ms > window.from);
  const outcomes: Record<string, number> = {};
  for (const s of inWindow) outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
  const times = inWindow.map((s) => s.ms);
  const impact: ClientImpact = {
    requests: inWindow.length,
    failed: countClientErrors(outcomes),
    p99Ms: percentile(times, 99),
    longestMs: times.length === 0 ? undefined : Math.max(...times),
    window,
    budget,
    overBudget: [],
  };
  if (budget === undefined) return impact;
  if (impact.failed > budget.failedRequests) {
    impact.overBudget.push(`${impact.failed} client request(s) failed during the fault (budget ${budget.failedRequests}): ${describe(outcomes)}`);
  }
  if (impact.p99Ms !== undefined && impact.p99Ms > budget.p99Ms) {
    impact.overBudget.push(`client p99 during the fault ${Math.round(impact.p99Ms)} ms (budget ${budget.p99Ms} ms; longest ${Math.round(impact.longestMs ?? 0)} ms)`);
  }
  return impact;
}

function describe(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .filter(([k]) => isClientError(k))
    .map(([k, n]) => `${n} × ${k}`)
    .join(', ');
}

/** One sentence on the requests in flight during the fault, and the budget when the drill has one. */
export function clientsLine(c: ClientImpact): string {
  const ms = (x: number | undefined): string => (x === undefined ? '—' : `${Math.round(x)} ms`);
  const seen = `${c.requests} request(s) in flight during the fault: ${c.failed} failed, p99 ${ms(c.p99Ms)}, longest ${ms(c.longestMs)}`;
  if (!c.budget) return `${seen}.`;
  return `${seen}; budget ${c.budget.failedRequests} failed, p99 ≤ ${c.budget.p99Ms} ms: ${c.overBudget.length === 0 ? 'within it' : 'over it'}.`;
}
