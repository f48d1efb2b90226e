// Public API of the stack part, for the CLI, chaos drills and tests.
export { resolveStackConfig, composeEnv, urls, textfileDir, GALERA_NODES, parseDurability } from './config.ts';
export { SHOP_TABLES, fromVerifyResult, recordConsistency, renderConsistencyMetrics, type ConsistencyCheck } from './consistency-metric.ts';
export { nodeState, nodeStates, haproxyServers, promTargets, appReady } from './cluster.ts';
export { verifyCluster, formatVerify } from './verify.ts';
export { stackUp, stackDown, stackStatus, hostChecks, StackError } from './lifecycle.ts';
export { waitUntilReady, notReady, readiness } from './readiness.ts';
export { serviceContainer, execIn } from './docker.ts';
export { composeInherit, composeCapture } from './compose.ts';
export type * from './types.ts';
