// What other parts use of the stack part (the lab run by compose): start and stop it, wait
// for it, its consistency metric, its passwords. The CLI enters through command.ts.
export { stackUp, stackDown } from './lifecycle.ts';
export { waitUntilReady } from './readiness.ts';
export { nodeStates, appReady } from './cluster.ts';
export { durabilityFromFlush } from './parse.ts';
export { recordConsistency, renderConsistencyMetrics, type ConsistencyCheck } from './consistency-metric.ts';
export { ensureLabSecrets } from './secrets.ts';
