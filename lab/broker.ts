// The lab's RabbitMQ cluster as its management API tells it (rabbitmq-1's port, published
// on the lab's bind address, account `admin`): which nodes run, and each fulfilment queue's
// replicas (a classic queue, the weakening of a drill's own test, has one copy: its node).
// `stack up` prints it as Galera's nodes are printed, and makes sure every quorum queue has a
// replica on every node (a queue declared while a node was still joining has fewer: RabbitMQ
// 3.10 does not add them by itself).
import { hostFor, type LabConfig } from './config.ts';
import type { Target } from './targets/target.ts';
import { DEAD_LETTER_QUEUE, DEAD_LETTER_QUEUE_ARGS, FULFILMENT_QUEUE, fulfilmentQueueArgs, fulfilmentQueueType } from '../shared/broker.ts';

export const BROKER_NODES = ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'] as const;

interface BrokerNode {
  name: string;
  running: boolean;
  /** memory or disk alarm: publishers are blocked */
  alarm: boolean;
}

interface QueueReplicas {
  queue: string;
  type: string;
  members: string[];
  online: string[];
  leader: string | undefined;
  messages: number;
  unacked: number;
  consumers: number;
}

export interface BrokerState {
  nodes: BrokerNode[];
  queues: QueueReplicas[];
  /** why the management API could not be read (it is not up yet, or the password is wrong) */
  error?: string;
}

type Env = Record<string, string | undefined>;

export class BrokerApi {
  private readonly base: string;
  private readonly auth: string;
  private readonly env: Env;

  constructor(config: LabConfig, env: Env = process.env) {
    this.base = `http://${hostFor(config)}:${config.ports.rabbitmqManagement}/api`;
    this.auth = `Basic ${Buffer.from(`admin:${env.RABBITMQ_ADMIN_PASSWORD ?? ''}`).toString('base64')}`;
    this.env = env;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: this.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`RabbitMQ management API ${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async state(): Promise<BrokerState> {
    try {
      const nodes = await this.request<{ name: string; running: boolean; mem_alarm?: boolean; disk_free_alarm?: boolean }[]>('GET', '/nodes?columns=name,running,mem_alarm,disk_free_alarm');
      const queues = await this.request<{ name: string; type?: string; node?: string; state?: string; members?: string[]; online?: string[]; leader?: string; messages_ready?: number; messages_unacknowledged?: number; consumers?: number }[]>('GET', '/queues/%2F');
      // a classic queue (the weakening) has no replicas: one copy on its node
      const home = (q: { type?: string; node?: string; state?: string }): Pick<QueueReplicas, 'members' | 'online' | 'leader'> | undefined =>
        q.type === 'classic' && q.node ? { members: [q.node], online: queueIsUp(q.state) ? [q.node] : [], leader: q.node } : undefined;
      return {
        nodes: nodes.map((n) => ({ name: n.name, running: n.running, alarm: n.mem_alarm === true || n.disk_free_alarm === true })).sort((a, b) => a.name.localeCompare(b.name)),
        queues: queues.filter((q) => q.name === FULFILMENT_QUEUE || q.name === DEAD_LETTER_QUEUE).map((q) => ({
          queue: q.name, type: q.type ?? 'quorum', members: q.members ?? [], online: q.online ?? [], leader: q.leader, ...home(q),
          messages: q.messages_ready ?? 0, unacked: q.messages_unacknowledged ?? 0, consumers: q.consumers ?? 0,
        })),
      };
    } catch (err) {
      return { nodes: [], queues: [], error: (err as Error).message };
    }
  }

  /**
   * Declares both queues with the clients' arguments (a no-op when they exist as declared);
   * `node` places a classic queue (a quorum queue has a replica on every node anyway).
   */
  async declareQueues(node?: string): Promise<void> {
    const type = fulfilmentQueueType(this.env);
    await this.request('PUT', `/queues/%2F/${encodeURIComponent(FULFILMENT_QUEUE)}`, {
      durable: true, auto_delete: false, arguments: fulfilmentQueueArgs(type), ...(node ? { node: `rabbit@${node}` } : {}),
    }).catch((e: Error) => {
      if (!/inequivalent arg 'x-queue-type'/.test(e.message)) throw e;
      // left by a drill's own test that stopped half-way (FULFILMENT_QUEUE_TYPE=classic), or the other way round
      throw new Error(`the queue ${FULFILMENT_QUEUE} exists with another type than FULFILMENT_QUEUE_TYPE=${type}: the shop and the workers cannot declare it. ` +
        `Delete it (\`docker compose exec rabbitmq-1 rabbitmqctl delete_queue ${FULFILMENT_QUEUE}\`), run \`smartshop stack up\` again, then \`smartshop queue republish\` to send its paid orders again`);
    });
    await this.request('PUT', `/queues/%2F/${encodeURIComponent(DEAD_LETTER_QUEUE)}`, { durable: true, auto_delete: false, arguments: DEAD_LETTER_QUEUE_ARGS });
  }
}

export function describeBroker(s: BrokerState): string[] {
  if (s.error !== undefined) return [`RabbitMQ: not answering yet (${s.error.slice(0, 120)})`];
  const lines = [`RabbitMQ: ${s.nodes.map((n) => `${n.name.replace(/^rabbit@/, '')} ${n.running ? (n.alarm ? 'ALARM' : 'running') : 'down'}`).join(', ') || 'no node'}`];
  for (const q of s.queues) {
    if (q.type === 'classic') {
      lines.push(`queue ${q.queue}: CLASSIC, one copy on ${(q.leader ?? '?').replace(/^rabbit@/, '')}${q.online.length === 0 ? ' (down)' : ''}, ${q.messages} ready, ${q.unacked} unacked, ${q.consumers} consumers`);
      continue;
    }
    lines.push(`queue ${q.queue}: ${q.online.length}/${q.members.length} replicas online${q.leader ? ` (leader ${q.leader.replace(/^rabbit@/, '')})` : ''}, ${q.messages} ready, ${q.unacked} unacked, ${q.consumers} consumers`);
  }
  return lines;
}

/** What keeps the broker from being ready, one phrase each. */
export function brokerProblems(s: BrokerState): string[] {
  if (s.error !== undefined) return [`RabbitMQ management API: ${s.error.slice(0, 160)}`];
  const problems: string[] = [];
  const running = s.nodes.filter((n) => n.running).length;
  if (running < BROKER_NODES.length) problems.push(`RabbitMQ: ${running}/${BROKER_NODES.length} nodes running`);
  for (const n of s.nodes) if (n.alarm) problems.push(`RabbitMQ: ${n.name} has a resource alarm (publishers blocked)`);
  return problems;
}

/**
 * Messages (ready and unacknowledged) per queue, asked inside a running broker node with
 * `rabbitmqctl` (undefined: none answers). The judges read this, not BrokerApi: the
 * management API's queue figures are statistics refreshed every 5 s (a drained queue can read
 * a stale count), and a Swarm lab does not publish the management port.
 */
export async function queueDepths(target: Target): Promise<Map<string, number> | undefined> {
  return onAnyBrokerNode(target, ['list_queues', '-q', '--no-table-headers', 'name', 'messages'], (stdout) => {
    const depths = new Map<string, number>();
    for (const line of stdout.split('\n')) {
      const [name, n] = line.trim().split(/\s+/);
      if (name) depths.set(name, Number(n));
    }
    return depths;
  });
}

/**
 * `rabbitmqctl <args>` in the first running broker node whose answer parses (undefined: none
 * does): a node being killed or starting answers with an error, the next one may not.
 */
async function onAnyBrokerNode<T>(target: Target, args: string[], parse: (stdout: string) => T): Promise<T | undefined> {
  for (const node of (await target.list('rabbitmq').catch(() => [])).filter((c) => c.state === 'running')) {
    const r = await target.exec(node, ['rabbitmqctl', ...args], { timeoutMs: 15_000 }).catch(() => undefined);
    if (r?.exitCode !== 0) continue;
    try {
      return parse(r.stdout);
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * `rabbitmqctl purge_queue` of one queue (vhost /) in a running broker node: true once one
 * purged it, undefined when none answers. Only ready messages go; unacked ones stay.
 */
export async function purgeQueue(target: Target, queue: string): Promise<true | undefined> {
  return onAnyBrokerNode(target, ['purge_queue', '-q', queue], () => true as const);
}

/**
 * The broker nodes (names without `rabbit@`) holding a connection of `user`, as a running node
 * tells it: rabbitmqctl prints each connection's process as <rabbit@rabbitmq-2.….….…>.
 */
export async function connectionNodes(target: Target, user: string): Promise<string[] | undefined> {
  return onAnyBrokerNode(target, ['list_connections', '-q', '--no-table-headers', 'user', 'pid'], (stdout) => {
    const nodes = new Set<string>();
    for (const line of stdout.split('\n')) {
      const [who, pid] = line.trim().split(/\s+/);
      const node = nodeOfPid(pid ?? '');
      if (who === user && node !== undefined) nodes.add(node);
    }
    return [...nodes].sort();
  });
}

/**
 * A script of the worker image (dist/worker/<script>.js) run in a running worker container,
 * with the worker's account and network (the broker's AMQP port is not published): the JSON
 * object its last line prints.
 */
export async function runWorkerScript(target: Target, script: string, args: string[], timeoutMs?: number): Promise<Record<string, unknown>> {
  const worker = (await target.list('worker')).find((c) => c.state === 'running');
  if (worker === undefined) throw new Error(`no worker container is running: ${script} runs inside one (\`smartshop stack up\` starts them)`);
  const r = await target.exec(worker, ['node', `dist/worker/${script}.js`, ...args], timeoutMs === undefined ? undefined : { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`${script} ${args[0] ?? ''} in ${worker.containerName} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 400)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

/** How long a dead-letter tool may run in its container. */
const DEAD_LETTER_TOOL_TIMEOUT_MS = 120_000;

/** `dead-letters.js list|replay|purge` (worker/dead-letters.ts) in a running worker container. */
export function deadLetterTool(target: Target, action: 'list' | 'replay' | 'purge'): Promise<Record<string, unknown>> {
  // a replay moves every message one by one, each confirmed: a few hundred take longer than an
  // exec's default 15 s (measured: a DeadLettersPresent drill's ~200 dead letters timed out)
  return runWorkerScript(target, 'dead-letters', [action], DEAD_LETTER_TOOL_TIMEOUT_MS);
}


/** A queue's replicas as a running broker node tells it (`rabbitmqctl`): node names without `rabbit@`. */
export interface QueueReplicaState {
  queue: string;
  /** quorum, or classic (one copy: the weakening of rabbitmq-node-kill's own test) */
  type: string;
  /** a quorum queue's leader; a classic queue's home node */
  leader: string | undefined;
  members: string[];
  online: string[];
}

/**
 * Each queue's leader and replicas, asked inside the first running broker node that answers
 * (undefined: none does). Works on compose and Swarm alike: no published port needed.
 */
export async function queueReplicas(target: Target): Promise<QueueReplicaState[] | undefined> {
  return onAnyBrokerNode(target, ['list_queues', '-q', '--no-table-headers', 'name', 'type', 'state', 'pid', 'leader', 'members', 'online'], parseQueueList);
}

/**
 * `rabbitmqctl list_queues name type state pid leader members online` as a table (tab-separated):
 * a classic queue has no leader nor members, and only its process id names its node
 * (`<rabbit@rabbitmq-3.1796560140.526.0>`; JSON drops that node), so the table is read.
 */
export function parseQueueList(stdout: string): QueueReplicaState[] {
  const bare = (n: string): string => n.trim().replace(/^[^@]+@/, '');
  const list = (field: string | undefined): string[] =>
    (field ?? '').replace(/^\[|\]$/g, '').split(',').map(bare).filter((n) => n !== '').sort();
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [name = '', type = '', state = '', pid = '', leader = '', members, online] = line.replace(/\r$/, '').split('\t').map((f) => f.trim());
    // not the table asked for (an error text, a changed CLI): the caller asks another node
    if (name === '' || type === '') throw new Error(`not a queue line: ${line.slice(0, 80)}`);
    if (type !== 'classic') return { queue: name, type, leader: leader === '' ? undefined : bare(leader), members: list(members), online: list(online) };
    const home = nodeOfPid(pid);
    return { queue: name, type, leader: home, members: home ? [home] : [], online: home && queueIsUp(state) ? [home] : [] };
  });
}

/** The node of an Erlang process id as rabbitmqctl prints it: <rabbit@rabbitmq-2.1796560004.883.0>. */
function nodeOfPid(pid: string): string | undefined {
  return /^<[^@>]+@([\w.-]+?)\.\d+\.\d+\.\d+>$/.exec(pid)?.[1];
}

/**
 * A classic queue's state: `running`, or `flow` while it throttles its publishers (credit
 * flow: busy, not down, as when the relay flushes a backlog); down otherwise.
 */
const queueIsUp = (state: string | undefined): boolean => state === 'running' || state === 'flow';

/** A quorum queue's Ra cluster name on vhost `/`: RabbitMQ names it `<vhost, URL-encoded>_<queue>`. */
const raName = (queue: string): string => `%2F_${queue}`;

/**
 * The node leading a quorum queue, as a majority of the broker's nodes sees it in its own Ra
 * leaderboard (a local table: no call to the queue's processes, so a frozen or cut-off leader
 * cannot hang the question, as it hangs `rabbitmqctl list_queues`). Every running node is
 * asked side by side, each bounded; undefined when no two answers agree (a node cut off may
 * still name itself).
 */
export async function queueLeaderByMajority(target: Target, queue: string): Promise<string | undefined> {
  const expr = `rabbit_misc:format("~s", [element(2, ra_leaderboard:lookup_leader('${raName(queue)}'))]).`;
  const nodes = (await target.list('rabbitmq').catch(() => [])).filter((c) => c.state === 'running');
  const answers = await Promise.all(nodes.map(async (node) => {
    const r = await target.exec(node, ['rabbitmqctl', '-q', 'eval', expr], { timeoutMs: 5_000 }).catch(() => undefined);
    return r?.exitCode === 0 ? /rabbit@([\w.-]+)/.exec(r.stdout)?.[1] : undefined;
  }));
  return majorityOf(answers, BROKER_NODES.length);
}

/** The answer more than half of `of` voters gave, if any. */
export function majorityOf(answers: (string | undefined)[], of: number): string | undefined {
  const votes = new Map<string, number>();
  for (const a of answers) if (a !== undefined) votes.set(a, (votes.get(a) ?? 0) + 1);
  return [...votes].find(([, n]) => n > of / 2)?.[0];
}
