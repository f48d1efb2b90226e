// Recovering a Galera cluster whose every node is down, without losing an acknowledged
// write and without ever deleting a volume (the seed's procedure did `docker volume rm`;
// ours must not). Steps: read each node's grastate.dat from its volume (helper container
// with --volumes-from, the node's own image), run `mariadbd --wsrep-recover` where
// seqno is -1, choose the most advanced node, mark ONLY that node safe_to_bootstrap,
// start it first, wait for it to be Primary, then start the others one by one.
// The node entrypoint (mariadb/docker-entrypoint.sh) recovers the position again on its
// own start and bootstraps a node marked safe_to_bootstrap when no peer answers.
import { waitNodeSynced, type LabContainer, type Target } from '../../lab/index.ts';
import { chooseBootstrapNode, parseGrastate, parseRecoveredPosition, type BootstrapChoice, type NodePosition } from './grastate.ts';
import type { NodeSql } from '../../lab/index.ts';

const GRASTATE = '/var/lib/mysql/grastate.dat';

export interface BootstrapLog {
  (line: string): void;
}

/** Reads where each (stopped) node stands. Running nodes are refused: their files are live. */
async function readPositions(target: Target, nodes: LabContainer[], log: BootstrapLog): Promise<NodePosition[]> {
  const positions: NodePosition[] = [];
  for (const node of nodes) {
    if (node.state === 'running' || node.state === 'paused') throw new Error(`${node.name} is ${node.state}: positions are read from stopped nodes only`);
    const cat = await target.runHelper(
      { image: node.image, entrypoint: ['sh', '-c'], cmd: [`cat ${GRASTATE} 2>/dev/null || true`], user: 'root', volumesFrom: node },
      60_000,
    );
    const grastate = parseGrastate(cat.stdout);
    let recovered: NodePosition['recovered'];
    if (grastate && grastate.seqno < 0) {
      log(`${node.name}: grastate.dat seqno -1 (unclean stop): running mariadbd --wsrep-recover`);
      const rec = await target.runHelper(
        {
          image: node.image,
          entrypoint: ['sh', '-c'],
          cmd: [
            'mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld; ' +
              // the cluster address lives in the runtime config the entrypoint writes into the
              // container, not in the image; recovery never connects, but the SST check wants one
              'mariadbd --user=mysql --datadir=/var/lib/mysql --wsrep-recover --wsrep-cluster-address=gcomm://recover-only ' +
              '--log-error=/tmp/wsrep-recover.log >/dev/null 2>&1; ' +
              'cat /tmp/wsrep-recover.log',
          ],
          user: 'root',
          volumesFrom: node,
        },
        180_000,
      );
      recovered = parseRecoveredPosition(rec.stdout);
      log(`${node.name}: recovered position ${recovered ? `${recovered.uuid}:${recovered.seqno}` : 'none'}`);
    }
    log(`${node.name}: grastate ${grastate ? `${grastate.uuid}:${grastate.seqno} safe_to_bootstrap=${grastate.safeToBootstrap ? 1 : 0}` : 'missing'}`);
    positions.push({ node: node.name, grastate, recovered });
  }
  return positions;
}

async function setSafeToBootstrap(target: Target, node: LabContainer, value: boolean): Promise<void> {
  const res = await target.runHelper(
    {
      image: node.image,
      entrypoint: ['sh', '-c'],
      // GNU sed -i keeps the file's owner (mysql) when run as root
      cmd: [`sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: ${value ? 1 : 0}/' ${GRASTATE} && grep safe_to_bootstrap ${GRASTATE}`],
      user: 'root',
      volumesFrom: node,
    },
    60_000,
  );
  if (res.exitCode !== 0) throw new Error(`could not set safe_to_bootstrap on ${node.name}: ${res.stderr.trim()}`);
}

export interface SafeBootstrapResult {
  choice: BootstrapChoice;
  /** seqno per node as recovered before the restart */
  positions: NodePosition[];
  started: string[];
  problems: string[];
}

/** The node is Primary, Synced and ready within the bound (lab's waitNodeSynced). */
export async function waitSynced(sql: NodeSql, target: Target, name: string, timeoutMs: number): Promise<boolean> {
  return (await waitNodeSynced(target, sql, name, timeoutMs)).synced;
}

/**
 * Brings a cluster with no running node back. Nodes that are running are left alone
 * (then this is not a full outage: the stopped ones are simply started, they join).
 */
export async function safeBootstrap(target: Target, sql: NodeSql, log: BootstrapLog, perNodeTimeoutMs = 180_000): Promise<SafeBootstrapResult> {
  const nodes = await target.list('galera');
  for (const n of nodes.filter((x) => x.state === 'paused')) await target.unpause(n);
  const running = nodes.filter((n) => n.state === 'running' || n.state === 'paused');
  const stopped = nodes.filter((n) => !(n.state === 'running' || n.state === 'paused'));
  const problems: string[] = [];
  if (running.length > 0) {
    // on Swarm the killed tasks are restarted by Swarm itself: their entrypoints recover the
    // position and choose the bootstrap node (galera-decide.sh); the runner then waits for Synced
    log(`${running.map((n) => n.name).join(', ')} running${target.kind === 'swarm' ? ' (restarted by Swarm)' : ''}: starting the others to join them`);
    for (const n of stopped) {
      await target.start(n);
      if (!(await waitSynced(sql, target, n.name, perNodeTimeoutMs))) problems.push(`${n.name} did not reach Synced within ${perNodeTimeoutMs / 1000} s`);
    }
    return { choice: { ok: false, standings: [], reason: 'not a full outage: some node was running' }, positions: [], started: stopped.map((n) => n.name), problems };
  }
  const positions = await readPositions(target, stopped, log);
  const choice = chooseBootstrapNode(positions);
  if (!choice.ok) {
    problems.push(`refusing to bootstrap: ${choice.reason}`);
    return { choice, positions, started: [], problems };
  }
  log(`bootstrapping ${choice.node}: ${choice.reason}`);
  const byName = new Map(stopped.map((n) => [n.name, n]));
  for (const n of stopped) if (n.name !== choice.node) await setSafeToBootstrap(target, n, false); // only one node may carry the mark
  const first = byName.get(choice.node) as LabContainer;
  await setSafeToBootstrap(target, first, true);
  await target.start(first);
  const started = [first.name];
  if (!(await waitSynced(sql, target, first.name, perNodeTimeoutMs))) {
    problems.push(`${first.name} did not become Primary/Synced within ${perNodeTimeoutMs / 1000} s after bootstrap`);
    return { choice, positions, started, problems };
  }
  for (const name of choice.order.slice(1)) {
    const n = byName.get(name) as LabContainer;
    log(`starting ${name} to join ${first.name}`);
    await target.start(n);
    started.push(name);
    if (!(await waitSynced(sql, target, name, perNodeTimeoutMs))) problems.push(`${name} did not reach Synced within ${perNodeTimeoutMs / 1000} s`);
  }
  return { choice, positions, started, problems };
}
