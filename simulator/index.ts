// The simulator's public surface: what the CLI, the menu, the chaos drills and the
// benchmarks import. Everything else under engine/ is private to the simulator.
export { startRun, runSimulation, SimulationRun } from './engine/run.ts';
export type { RunOptions, RunSummary, StopReason } from './engine/run.ts';
export type { JourneyMix } from './engine/journey-plan.ts';
export { defaultMix } from './engine/journey-plan.ts';
export { Ledger } from './engine/ledger.ts';
export type { Id, LedgerExport, LedgerUser, LedgerOrder, LedgerPayment, LedgerUncertainWrite, LedgerRejectedWrite, LedgerAnswer, LedgerCounts } from './engine/ledger.ts';
export type { Percentiles } from './engine/histogram.ts';
export type { StatsSnapshot, EndpointStats, JourneyResult } from './engine/stats.ts';
export { formatSummary, statusLine } from './format.ts';
export { runLive } from './live.ts';
export type { LiveResult, LiveOptions } from './live.ts';
// The engine's parts the bench measures on their own (§3, the load generator's cost) and
// replays without the shop (§1, the bare loop plays the same journey plans).
export { planJourney } from './engine/journey-plan.ts';
export type { JourneyStep } from './engine/journey-plan.ts';
export { LatencyHistogram } from './engine/histogram.ts';
export { send } from './engine/journey-runner.ts';
export type { JourneyContext } from './engine/journey-runner.ts';
export { SimulatorMetrics } from './engine/metrics.ts';
export { RunStats } from './engine/stats.ts';
