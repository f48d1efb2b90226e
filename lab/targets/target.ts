// What a drill can do to the lab, independent of how the lab runs (after
// testcontainers-node: one interface, one implementation per runtime): compose-target.ts
// and swarm-target.ts, on what they share in docker-target.ts; open.ts picks one. Every
// implementation must only ever act on containers carrying the lab's labels.
/** Roles the compose and Swarm stacks put in the `lab.smartshop.role` label (edge: the HAProxy with the rate limits in front of the shop, edge/). */
export type LabRole = 'galera' | 'haproxy' | 'edge' | 'app' | 'worker' | 'rabbitmq' | 'backup' | 'prometheus' | 'alertmanager' | 'console' | 'exporter' | 'grafana' | 'chaos-helper';

export interface LabContainer {
  id: string;
  /** the service name (compose `com.docker.compose.service`), e.g. mariadb-2 */
  name: string;
  /** the container's own name, e.g. smartshop-mariadb-2-1 */
  containerName: string;
  role: LabRole;
  /** docker state: running, paused, exited, created, restarting, dead */
  state: string;
  /** Docker health: healthy, unhealthy, starting, none */
  health?: string;
  image: string;
  /** short network names (front-tier, back-tier) the container is attached to now */
  networks: string[];
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface HelperSpec {
  image: string;
  cmd: string[];
  entrypoint?: string[];
  user?: string;
  /** join this container's network namespace (netem) */
  networkOf?: LabContainer;
  /** mount this container's volumes (reading grastate.dat of a stopped node) */
  volumesFrom?: LabContainer;
  capAdd?: string[];
  env?: string[];
  /** host folders, as Docker's "host:container[:ro]" (a backup folder) */
  binds?: string[];
}

export interface Target {
  readonly kind: 'compose' | 'swarm';
  readonly project: string;
  /** lab containers (all states), optionally of one role */
  list(role?: LabRole): Promise<LabContainer[]>;
  /** one lab container by service name; throws when no labelled container has that name */
  find(name: string): Promise<LabContainer>;
  stop(c: LabContainer, timeoutSeconds: number): Promise<void>;
  start(c: LabContainer): Promise<void>;
  kill(c: LabContainer, signal?: string): Promise<void>;
  pause(c: LabContainer): Promise<void>;
  unpause(c: LabContainer): Promise<void>;
  /** detach from a lab network by its short name; remembers how to reattach */
  disconnect(c: LabContainer, network: string): Promise<void>;
  /** reattach with the service aliases (and the old address when the network allows it) */
  connect(c: LabContainer, network: string): Promise<void>;
  /** whether the container is cut off from that lab network now (by disconnect, or never attached) */
  isCut(c: LabContainer, network: string): Promise<boolean>;
  /** short names of the lab's networks that exist (e.g. back-tier) */
  networks(): Promise<string[]>;
  exec(c: LabContainer, cmd: string[], options?: { env?: string[]; timeoutMs?: number }): Promise<ExecResult>;
  /** runs a command in a lab container with its stdout written to a host file (binary-safe, streamed) */
  execToFile(c: LabContainer, cmd: string[], path: string, timeoutMs: number): Promise<{ exitCode: number; bytes: number; stderr: string }>;
  /** runs a command in a lab container with a host file as its standard input (a dump loaded into a node) */
  execWithInput(c: LabContainer, cmd: string[], inputPath: string, timeoutMs: number): Promise<ExecResult>;
  /** runs a short-lived labelled helper container to completion and removes it */
  runHelper(spec: HelperSpec, timeoutMs: number): Promise<ExecResult>;
  /** removes a leftover helper container (refuses any other role) */
  removeHelper(c: LabContainer): Promise<void>;
  hasImage(name: string): Promise<boolean>;
  /** builds an image from a directory holding a Dockerfile */
  buildImage(name: string, contextDir: string, timeoutMs: number): Promise<void>;
  /** environment of a lab container (to read e.g. the database password it was given) */
  envOf(c: LabContainer): Promise<Record<string, string>>;
}
