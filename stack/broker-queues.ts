// After the broker nodes are up: the fulfilment queues declared (the shop and the workers
// declare them too, with the same arguments) and each with a replica on every node. A quorum
// queue declared while a node was still joining has fewer members, and RabbitMQ 3.10 never
// adds them by itself: `rabbitmq-queues grow` does, one node at a time.
import { type LabConfig } from '../lab/index.ts';
import { BROKER_NODES, BrokerApi, describeBroker } from '../lab/broker.ts';
import { composeCapture } from './compose.ts';

type Log = (line: string) => void;

export async function ensureQueueReplicas(config: LabConfig, log: Log): Promise<void> {
  const api = new BrokerApi(config);
  await api.declareQueues();
  let state = await api.state();
  // a classic queue (FULFILMENT_QUEUE_TYPE=classic, a drill's own weakening) has one copy by design
  const quorum = (): typeof state.queues => state.queues.filter((q) => q.type === 'quorum');
  const missing = BROKER_NODES.map((n) => `rabbit@${n}`).filter((node) => quorum().some((q) => !q.members.includes(node)));
  for (const node of missing) {
    log(`==> adding ${node.replace(/^rabbit@/, '')}'s replica to the fulfilment queues (rabbitmq-queues grow)`);
    await composeCapture(config, ['exec', '-T', 'rabbitmq-1', 'rabbitmq-queues', 'grow', node, 'all', '--vhost-pattern', '^/$', '--queue-pattern', '^fulfilment'], 120_000);
  }
  if (missing.length > 0) state = await api.state();
  for (const line of describeBroker(state)) log(`  ${line}`);
  const short = quorum().filter((q) => q.members.length < BROKER_NODES.length);
  for (const q of state.queues.filter((x) => x.type === 'classic')) log(`warning: ${q.queue} is a classic queue (FULFILMENT_QUEUE_TYPE=classic): one copy, lost with its node's disk`);
  if (short.length > 0) log(`warning: ${short.map((q) => `${q.queue} has ${q.members.length} replicas`).join(', ')}: a broker node lost is then a queue lost`);
}
