// `smartshop queue status | dlq list|replay|purge | republish`: the fulfilment queues of a
// compose lab. Status reads the management API; the dead-letter tools run inside a worker
// container (worker/dead-letters.ts), since the broker's AMQP port is not published;
// republish re-arms the outbox (shared/outbox-rearm.ts) through a Galera node.
import { ComposeTarget, NodeSql, type LabConfig } from '../lab/index.ts';
import { BrokerApi, deadLetterTool, describeBroker } from '../lab/broker.ts';
import { REARM_OUTBOX_SCRIPT } from '../shared/outbox-rearm.ts';

export async function queueStatus(config: LabConfig): Promise<string[]> {
  return describeBroker(await new BrokerApi(config).state());
}

interface DeadLetterLine {
  messageId?: string;
  orderId?: number;
  deliveries?: number;
  reason?: string;
}

export async function deadLetters(config: LabConfig, action: 'list' | 'replay' | 'purge'): Promise<string[]> {
  const r = await deadLetterTool(new ComposeTarget(config.project), action);
  if (action === 'list') {
    const messages = (Array.isArray(r.messages) ? r.messages : []) as DeadLetterLine[];
    if (messages.length === 0) return ['the dead-letter queue is empty'];
    return [
      `${messages.length} message(s) in the dead-letter queue (\`smartshop queue dlq replay\` sends them back to the fulfilment queue):`,
      ...messages.map((m) => `  order ${m.orderId ?? '?'}  message ${m.messageId ?? '?'}  ${m.reason ?? 'dead-lettered'}`),
    ];
  }
  if (action === 'replay') return [`${Number(r.replayed ?? 0)} message(s) replayed into the fulfilment queue (the workers skip any already applied)`];
  return [`${Number(r.purged ?? 0)} message(s) purged: their orders stay paid and unshipped`];
}

/**
 * Every outbox event marked published whose shipment the data lacks, put back for the relay:
 * after the broker lost messages it had confirmed (all its volumes gone), or to be sure. The
 * workers skip any already applied.
 */
export async function republish(config: LabConfig): Promise<string[]> {
  const target = new ComposeTarget(config.project);
  const node = (await target.list('galera')).find((c) => c.state === 'running');
  if (node === undefined) throw new Error(`no Galera node of ${config.project} is running: \`smartshop stack up\` first`);
  const [[changed = '0'] = []] = await new NodeSql(target).query(node, REARM_OUTBOX_SCRIPT);
  return [`${changed} outbox event(s) marked published with no shipment in the data: the shop's relay publishes them again; the workers apply each once`];
}
