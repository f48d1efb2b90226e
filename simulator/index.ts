// The simulator's public surface: what the CLI, the menu, the chaos drills and the
// benchmarks import. Everything else under engine/ is private to the simulator.
export { startRun, runSimulation, SimulationRun } from './engine/run.ts';
export type { RunSummary } from './engine/run.ts';
export type { JourneyMix } from './engine/journey-plan.ts';
export { defaultMix } from './engine/journey-plan.ts';
export { Ledger } from './engine/ledger.ts';
export type { LedgerExport, LedgerAnswer } from './engine/ledger.ts';
// The engine's parts the bench measures on their own (§3, the load generator's cost) and
// replays without the shop (§1, the bare loop plays the same journey plans).
export { planJourney } from './engine/journey-plan.ts';
export type { JourneyStep } from './engine/journey-plan.ts';
export { LatencyHistogram } from './engine/histogram.ts';
export type { RequestSample } from './engine/stats.ts';
export { send } from './engine/journey-runner.ts';
export type { JourneyContext } from './engine/journey-runner.ts';
export { SimulatorMetrics } from './engine/metrics.ts';
export { RunStats } from './engine/stats.ts';
// the edge's drills: the flood flag multiplies their traffic as it does `smartshop simulate`'s
export { watchFlood, type Flood } from './flood.ts';
