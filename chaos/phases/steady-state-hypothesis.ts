// Phase 1: the steady-state hypothesis. The lab must be healthy before anything is broken:
// a lab just out of another drill settles within a minute, so the check is retried that
// long; then the drill is refused.
import { setTimeout as sleep } from 'node:timers/promises';
import { drillSteadyState, type SteadyState } from '../steady-state.ts';
import { DrillRefused, type DrillContext } from './context.ts';

export async function steadyStateHypothesis(ctx: DrillContext): Promise<SteadyState> {
  const { target, sql, o, say, drill } = ctx;
  const throughEdge = drill.edge !== undefined;
  let before = await drillSteadyState(target, sql, o.endpoints, throughEdge);
  const settleUntil = Date.now() + (o.steadyWaitSeconds ?? 60) * 1000;
  while (!before.ok && Date.now() < settleUntil) {
    say(`waiting for the steady state: ${failing(before)}`);
    await sleep(5_000);
    before = await drillSteadyState(target, sql, o.endpoints, throughEdge);
  }
  for (const c of before.checks) say(`steady state: ${c.ok ? 'ok ' : 'BAD'} ${c.name}: ${c.detail}`);
  if (!before.ok) throw new DrillRefused('the lab is not in its steady state; refusing to start (run `smartshop chaos status`, or `smartshop chaos recover`)');
  return before;
}

/** "name: detail; ..." of the checks that fail */
export function failing(state: SteadyState): string {
  return state.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ');
}
