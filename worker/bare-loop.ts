// The bench's bare loop (bench/sections/s10-fulfilment.ts), run inside a worker container on
// the lab's own broker and database: the paid orders named on the command line are published
// with the same confirms to a quorum queue of its own, and consumed by two consumers with the
// same prefetch, the same transaction (fulfil.ts, its own consumer name) and the ack after
// commit. What the pipeline adds on top is only the outbox, the relay and the processes
// between them, so the ratio of the two throughputs is what those cost.
// Usage: bare-loop.js <order ids, comma-separated>; prints {"messages", "elapsedMs"}.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../app/config.ts';
import { Database } from '../app/db/database.ts';
import { createMetrics } from '../app/metrics.ts';
import { brokerConfig, FULFILMENT_QUEUE_ARGS, openBrokerSession, ORDER_PAID } from '../shared/broker.ts';
import { int } from '../shared/env.ts';
import { fulfil } from './fulfil.ts';

const QUEUE = 'fulfilment.bench';
const CONSUMERS = 2;
const TIMEOUT_MS = 120_000;

export async function bareLoop(orderIds: number[], env = process.env): Promise<{ messages: number; elapsedMs: number }> {
  const broker = brokerConfig(env, 'worker');
  if (broker === undefined) throw new Error('RABBITMQ_HOSTS is not set');
  const prefetch = int(env, 'WORKER_PREFETCH', 5, 1, 1000);
  const db = new Database(loadConfig(env).db, createMetrics({ defaults: false }), pino({ level: 'silent' }));
  const publisher = await openBrokerSession(broker);
  const consumers = await Promise.all(Array.from({ length: CONSUMERS }, (_, i) => openBrokerSession(broker, i + 1)));
  // the same quorum queue as the pipeline's, without dead-lettering (nothing fails here)
  const { 'x-dead-letter-exchange': _x, 'x-dead-letter-routing-key': _k, 'x-dead-letter-strategy': _s, ...args } = FULFILMENT_QUEUE_ARGS;
  await publisher.channel.assertQueue(QUEUE, { durable: true, arguments: args });
  await publisher.channel.purgeQueue(QUEUE);
  try {
    const started = Date.now();
    let done = 0;
    const all = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bare loop: ${done} of ${orderIds.length} messages in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      for (const [i, s] of consumers.entries()) {
        s.channel.prefetch(prefetch).then(() => s.channel.consume(QUEUE, (msg) => {
          if (msg === null) return;
          const event = JSON.parse(msg.content.toString('utf8')) as { orderId: number; amount: string; paidAt: string };
          fulfil(db, String(msg.properties.messageId), event, `bare-${i}`, 'bench').then(() => {
            s.channel.ack(msg);
            if (++done === orderIds.length) {
              clearTimeout(timer);
              resolve();
            }
          }, (err: unknown) => {
            clearTimeout(timer);
            reject(err instanceof Error ? err : new Error(String(err)));
          });
        })).catch((err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
      }
    });
    // published as the relay publishes: batches of 100, each waited for its confirms
    for (let i = 0; i < orderIds.length; i += 100) {
      for (const orderId of orderIds.slice(i, i + 100)) {
        publisher.channel.publish('', QUEUE, Buffer.from(JSON.stringify({ orderId, amount: '0', paidAt: new Date().toISOString() })), {
          persistent: true, mandatory: true, messageId: randomUUID(), type: ORDER_PAID, contentType: 'application/json',
        });
      }
      await publisher.channel.waitForConfirms();
    }
    await all;
    return { messages: orderIds.length, elapsedMs: Date.now() - started };
  } finally {
    await publisher.channel.deleteQueue(QUEUE).catch(() => undefined);
    for (const s of [publisher, ...consumers]) await s.connection.close().catch(() => undefined);
    await db.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ids = (process.argv[2] ?? '').split(',').map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
  if (ids.length === 0) {
    console.error('usage: bare-loop.js <order ids, comma-separated> (in a worker container)');
    process.exit(2);
  }
  console.log(JSON.stringify(await bareLoop(ids)));
}
