// lab/: how every part reaches the running lab (after testcontainers-node's layout: one
// concept per file, each interface beside its implementations). stack/, chaos/, bench/ and
// the tests import from here, or from one of lab's other entries, each one concern:
// paths.ts (the host folders a lab mounts), broker.ts (reading RabbitMQ),
// node-connections.ts (direct connections to the Galera nodes, for the probes) and
// throwaway-mariadb.ts (a MariaDB of its own, for the tests and the bench); never from
// another file inside lab/ (docs/design.md, enforced by eslint.parts.js).
export {
  REPO_ROOT, GALERA_NODES,
  resolveLabConfig, parseDurability, parseBackupInterval, hostFor, urls
} from './config.ts';
export type { LabConfig, Durability } from './config.ts';
export { docker, engineReachable, imageExists, demux } from './docker.ts';
export { writeTextfile } from './textfile.ts';
export { settleBackTierPrefix } from './back-tier.ts';
export type { Target, LabContainer, LabRole, ExecResult, HelperSpec } from './targets/target.ts';
export { openTarget } from './targets/open.ts';
export { ComposeTarget } from './targets/compose-target.ts';
export { netToolsImage, NET_TOOLS_IMAGE } from './targets/net-tools-image.ts';
export { NodeSql } from './node-sql.ts';
export { readNodeStates, isHealthyNode, describeNodeState, waitNodeSynced, type NodeState } from './node-state.ts';
export { haproxyServers, fetchHaproxyServers, isUp, isOut, type HaproxyServer } from './haproxy.ts';
export { rollingRestart, clearMaintenance } from './rolling-restart.ts';
export { compareNodes, formatVerify, type VerifyResult, type NodeDigest } from './verify.ts';
