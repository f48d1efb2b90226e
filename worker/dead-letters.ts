// The dead-letter queue's tools (`smartshop queue dlq list|replay|purge` runs this inside a
// worker container, with the worker's account: the broker's AMQP port is not published).
//   list    the messages waiting (order, message id, deliveries, why), left in place
//   replay  each message published again to the fulfilment queue and, once the broker
//           confirmed that copy, removed from the dead-letter queue: a crash in between
//           leaves it in both (the workers dedupe), never in neither
//   purge   every message dropped (their orders stay unshipped: the ledger will say so)
// Prints one JSON object on stdout.
import { fileURLToPath } from 'node:url';
import type { GetMessage } from 'amqplib';
import { brokerConfig, DEAD_LETTER_QUEUE, FULFILMENT_QUEUE, openBrokerSession, parseOrderPaid, type BrokerSession } from '../shared/broker.ts';

const MAX = 10_000;

export interface DeadLetter {
  messageId: string | undefined;
  orderId: number | undefined;
  deliveries: number;
  reason: string | undefined;
}

function describe(msg: GetMessage): DeadLetter {
  const headers = msg.properties.headers ?? {};
  const deaths = headers['x-death'] as { reason?: string }[] | undefined;
  const id: unknown = msg.properties.messageId;
  return {
    messageId: typeof id === 'string' ? id : undefined,
    orderId: parseOrderPaid(msg.content)?.orderId,
    deliveries: Number(headers['x-delivery-count'] ?? 0),
    reason: deaths?.[0]?.reason ?? headers['x-first-death-reason'],
  };
}

/** Reads every message, then returns them all to the queue (their order is kept by the broker's requeue). */
export async function listDeadLetters(s: BrokerSession, max = MAX): Promise<DeadLetter[]> {
  const seen: DeadLetter[] = [];
  const held: GetMessage[] = [];
  for (let i = 0; i < max; i++) {
    const msg = await s.channel.get(DEAD_LETTER_QUEUE, { noAck: false });
    if (msg === false) break;
    held.push(msg);
    seen.push(describe(msg));
  }
  for (const msg of held) s.channel.nack(msg, false, true);
  return seen;
}

export async function replayDeadLetters(s: BrokerSession, max = MAX): Promise<{ replayed: number; orders: (number | undefined)[] }> {
  const orders: (number | undefined)[] = [];
  for (let i = 0; i < max; i++) {
    const msg = await s.channel.get(DEAD_LETTER_QUEUE, { noAck: false });
    if (msg === false) break;
    const { headers: _headers, ...props } = msg.properties;
    // a fresh message with the same id and body: its delivery count starts again at 0. A
    // mandatory message no queue took comes back before its confirm: then it stays here.
    let returned = false;
    const onReturn = (): void => {
      returned = true;
    };
    s.channel.once('return', onReturn);
    s.channel.publish('', FULFILMENT_QUEUE, msg.content, { ...props, persistent: true, mandatory: true });
    await s.channel.waitForConfirms();
    s.channel.off('return', onReturn);
    if (returned) {
      s.channel.nack(msg, false, true);
      throw new Error(`the fulfilment queue took no copy of message ${String(props.messageId)}: is it there? (nothing was removed)`);
    }
    s.channel.ack(msg);
    orders.push(describe(msg).orderId);
  }
  return { replayed: orders.length, orders };
}

export async function purgeDeadLetters(s: BrokerSession): Promise<{ purged: number }> {
  const r = await s.channel.purgeQueue(DEAD_LETTER_QUEUE);
  return { purged: r.messageCount };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const action = process.argv[2];
  const broker = brokerConfig(process.env, 'worker');
  if (broker === undefined || !['list', 'replay', 'purge'].includes(action ?? '')) {
    console.error('usage: dead-letters.js list|replay|purge (with RABBITMQ_HOSTS, RABBITMQ_USER and RABBITMQ_PASSWORD set, as in a worker container)');
    process.exit(2);
  }
  const session = await openBrokerSession(broker);
  try {
    const result = action === 'list' ? { messages: await listDeadLetters(session) }
      : action === 'replay' ? await replayDeadLetters(session)
        : await purgeDeadLetters(session);
    console.log(JSON.stringify(result));
  } finally {
    await session.connection.close().catch(() => undefined);
  }
}
