// The fulfilment pipeline's RabbitMQ side, shared by the shop's outbox relay, the workers
// and the lab's tools: where the brokers are, one connection with failover across them, and
// the queues' shape (docs/fulfilment.md). Every client declares the queues with the same
// arguments (a declaration with other arguments is refused by the broker), so whichever
// starts first creates them; `stack up` then makes sure each has its three replicas.
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { ConfigError, int, str } from './env.ts';

type Env = Record<string, string | undefined>;

export interface BrokerConfig {
  /** host names (or host:port) of the cluster's nodes, tried in turn */
  hosts: string[];
  port: number;
  user: string;
  password: string;
  /** the fulfilment queue's type: quorum, or classic for a drill's own test (FULFILMENT_QUEUE_TYPE) */
  queueType: FulfilmentQueueType;
}

/**
 * quorum: Raft, three replicas (the lab's). classic: one copy on the node that declared it,
 * the weakening a drill's own test uses to show what replication buys (docs/fulfilment.md).
 */
export type FulfilmentQueueType = 'quorum' | 'classic';

/** FULFILMENT_QUEUE_TYPE: quorum unless it names the weakening; anything else is refused. */
export function fulfilmentQueueType(env: Env): FulfilmentQueueType {
  const v = str(env, 'FULFILMENT_QUEUE_TYPE', 'quorum');
  if (v !== 'quorum' && v !== 'classic') throw new ConfigError(`FULFILMENT_QUEUE_TYPE=${v} is not quorum or classic`);
  return v;
}

/** RABBITMQ_HOSTS (comma-separated), RABBITMQ_PORT, RABBITMQ_USER, RABBITMQ_PASSWORD, FULFILMENT_QUEUE_TYPE; undefined without hosts. */
export function brokerConfig(env: Env, user: string): BrokerConfig | undefined {
  const hosts = str(env, 'RABBITMQ_HOSTS', '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  if (hosts.length === 0) return undefined;
  return {
    hosts, port: int(env, 'RABBITMQ_PORT', 5672, 1, 65535), user: str(env, 'RABBITMQ_USER', user), password: str(env, 'RABBITMQ_PASSWORD', ''),
    queueType: fulfilmentQueueType(env),
  };
}

import { DEAD_LETTER_QUEUE, FULFILMENT_QUEUE, ORDER_PAID } from './queue-names.ts';

export { DEAD_LETTER_QUEUE, FULFILMENT_QUEUE, ORDER_PAID };
/** Deliveries of one message before the broker dead-letters it (quorum queues count them). */
const DELIVERY_LIMIT = 5;

/** Arguments of the fulfilment queue: quorum (Raft, three replicas), a delivery limit, and
 * at-least-once dead-lettering (which needs reject-publish overflow) into the dead-letter queue. */
export const FULFILMENT_QUEUE_ARGS = {
  'x-queue-type': 'quorum',
  'x-quorum-initial-group-size': 3,
  'x-delivery-limit': DELIVERY_LIMIT,
  'x-dead-letter-exchange': '',
  'x-dead-letter-routing-key': DEAD_LETTER_QUEUE,
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
} as const;

/**
 * The weakened queue's arguments: classic, one copy, the same dead-letter route and overflow
 * (a classic queue has no delivery limit: a poisoned message is redelivered for ever).
 */
const CLASSIC_FULFILMENT_QUEUE_ARGS = {
  'x-queue-type': 'classic',
  'x-dead-letter-exchange': '',
  'x-dead-letter-routing-key': DEAD_LETTER_QUEUE,
  'x-overflow': 'reject-publish',
} as const;

/** What every client declares the fulfilment queue with, for the configured type. */
export function fulfilmentQueueArgs(type: FulfilmentQueueType): Record<string, string | number> {
  return type === 'classic' ? CLASSIC_FULFILMENT_QUEUE_ARGS : FULFILMENT_QUEUE_ARGS;
}

export const DEAD_LETTER_QUEUE_ARGS = { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': 3 } as const;

/** What the relay publishes for a paid order (the outbox row's payload). */
export interface OrderPaidEvent {
  orderId: number;
  amount: string;
  /** ISO time of the commit that made the order paid */
  paidAt: string;
}

export function parseOrderPaid(body: Buffer): OrderPaidEvent | undefined {
  try {
    const v = JSON.parse(body.toString('utf8')) as Partial<OrderPaidEvent>;
    if (!Number.isSafeInteger(v.orderId) || (v.orderId as number) <= 0) return undefined;
    if (typeof v.paidAt !== 'string' || Number.isNaN(Date.parse(v.paidAt))) return undefined;
    return { orderId: v.orderId as number, amount: String(v.amount ?? ''), paidAt: v.paidAt };
  } catch {
    return undefined;
  }
}

export interface BrokerSession {
  connection: ChannelModel;
  channel: ConfirmChannel;
  /** the node this session reached */
  host: string;
}

/**
 * A confirm channel on the first node that answers, starting at a different node each time
 * (`attempt`), with both queues declared. Heartbeats every 5 s: a frozen node is noticed in
 * seconds, not at TCP's pace. Throws the last node's error when none answers.
 */
export async function openBrokerSession(config: BrokerConfig, attempt = 0): Promise<BrokerSession> {
  let last: unknown;
  for (let i = 0; i < config.hosts.length; i++) {
    const host = config.hosts[(attempt + i) % config.hosts.length] as string;
    const [name, port] = host.includes(':') ? host.split(':') : [host, String(config.port)];
    try {
      const connection = await amqp.connect({
        protocol: 'amqp', hostname: name, port: Number(port), username: config.user, password: config.password, heartbeat: 5,
      }, { timeout: 3_000, clientProperties: { connection_name: `smartshop ${config.user}` } });
      // an 'error' with no listener throws: one from the start, callers add their own logging
      connection.on('error', () => undefined);
      try {
        const channel = await connection.createConfirmChannel();
        channel.on('error', () => undefined);
        await channel.assertQueue(FULFILMENT_QUEUE, { durable: true, arguments: fulfilmentQueueArgs(config.queueType) });
        await channel.assertQueue(DEAD_LETTER_QUEUE, { durable: true, arguments: DEAD_LETTER_QUEUE_ARGS });
        return { connection, channel, host: name as string };
      } catch (err) {
        await connection.close().catch(() => undefined);
        throw err;
      }
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`no RabbitMQ node answered (${config.hosts.join(', ')}): ${(last as Error)?.message ?? String(last)}`, { cause: last });
}
