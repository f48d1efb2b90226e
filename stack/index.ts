// Public API of the stack part, for the CLI, chaos drills and tests.
export { resolveStackConfig, composeEnv, urls, GALERA_NODES, parseDurability } from './config.ts';
export { nodeState, nodeStates, haproxyServers, promTargets, appReady } from './cluster.ts';
export { verifyCluster, formatVerify } from './verify.ts';
export { stackUp, stackDown, stackStatus, hostChecks, StackError } from './lifecycle.ts';
export { waitUntilReady, notReady, readiness } from './readiness.ts';
export { serviceContainer, execIn } from './docker.ts';
export { composeInherit, composeCapture } from './compose.ts';
export type * from './types.ts';
