// Types shared by the stack command's modules.

export type Durability = 'strict' | 'relaxed' | 'fast';

export interface StackPorts {
  api: number;
  ui: number;
  mysql: number;
  haproxyStats: number;
  prometheus: number;
  grafana: number;
}

export interface StackConfig {
  project: string;
  bind: string;
  durability: Durability;
  grafanaImage: string;
  ports: StackPorts;
}

/** One Galera node as seen from inside its container. */
export interface NodeState {
  node: string;
  /** Docker's view: running, exited, missing... */
  container: string;
  /** Docker health: healthy, unhealthy, starting, or none. */
  health: string;
  /** wsrep_* status values; empty when mariadbd does not answer. */
  wsrep: Record<string, string>;
  error?: string;
}

export interface HaproxyServer {
  backend: string;
  server: string;
  status: string;
}

export interface PromTarget {
  job: string;
  instance: string;
  health: string;
  lastError: string;
}

export interface TableDigest {
  rows: number;
  checksum: string;
}

/** What `stack verify` reads from one node. */
export interface NodeDigest {
  node: string;
  lastCommitted: string;
  clusterStatus: string;
  localState: string;
  clusterSize: string;
  tables: Record<string, TableDigest>;
  error?: string;
}

export interface Divergence {
  table: string;
  /** node -> "rows/checksum" (or "missing") */
  values: Record<string, string>;
}

export interface VerifyResult {
  consistent: boolean;
  attempts: number;
  nodes: NodeDigest[];
  divergences: Divergence[];
  /** Why the check could not conclude (a node unreachable), if so. */
  problem?: string;
}
