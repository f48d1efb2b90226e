// The fulfilment consumer (docs/fulfilment.md): manual acks, a bounded prefetch, one
// transaction per message, ack after commit. What fails:
//  - a message that cannot be read, or an order that is not paid: rejected for redelivery,
//    and dead-lettered by the broker past its delivery limit;
//  - the database unavailable: the message is kept (unacked) and its transaction tried again
//    with a backoff, so an outage does not burn its deliveries;
//  - the broker connection lost: unacked messages go back to the queue (to this or another
//    worker) and the consumer reconnects to the next node.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ConsumeMessage } from 'amqplib';
import type { Database } from '../app/db/database.ts';
import { classifyDbError } from '../app/db/db-errors.ts';
import { FULFILMENT_QUEUE, openBrokerSession, parseOrderPaid, type BrokerConfig, type BrokerSession } from '../shared/broker.ts';
import { fulfil, NotPaidError } from './fulfil.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { WorkerFlags } from './flags.ts';

export interface ConsumerOptions {
  name: string;
  prefetch: number;
  /** WORKER_ACK=before-commit: the broken order, for the worker-crash drill's own test */
  ackBeforeCommit?: boolean;
}

const MAX_BACKOFF_MS = 5_000;

export class FulfilmentConsumer {
  private session: BrokerSession | undefined;
  private closed = false;
  private attempts = 0;
  private inFlight = 0;
  private loop: Promise<void> | undefined;
  private lost: (() => void) | undefined;
  private consumerTag: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly broker: BrokerConfig,
    private readonly flags: WorkerFlags,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
    private readonly options: ConsumerOptions,
  ) {}

  /** Consuming now (connected, consumer registered). */
  get consuming(): boolean {
    return this.session !== undefined;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops taking messages, lets those in hand finish (bounded), then closes the connection. */
  async close(drainMs = 10_000): Promise<void> {
    this.closed = true;
    const s = this.session;
    if (s !== undefined) {
      if (this.consumerTag !== undefined) await s.channel.cancel(this.consumerTag).catch(() => undefined);
      const until = Date.now() + drainMs;
      while (this.inFlight > 0 && Date.now() < until) await sleep(50);
    }
    this.lost?.();
    await this.loop;
    await s?.connection.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        const session = await openBrokerSession(this.broker, this.attempts);
        session.connection.on('error', (err: Error) => this.logger.warn({ err }, 'broker connection error'));
        session.channel.on('error', (err: Error) => this.logger.warn({ err }, 'broker channel error'));
        const gone = new Promise<void>((resolve) => {
          this.lost = resolve;
          session.connection.on('close', () => resolve());
          session.channel.on('close', () => resolve());
        });
        if (this.closed) {
          // close() came while this session was being opened
          await session.connection.close().catch(() => undefined);
          break;
        }
        await session.channel.prefetch(this.options.prefetch);
        // before the first delivery: handle() tells a live session from a lost one by it
        this.session = session;
        const { consumerTag } = await session.channel.consume(FULFILMENT_QUEUE, (msg) => {
          // null: the broker cancelled the consumer (its queue deleted): start again
          if (msg === null) this.lost?.();
          else void this.handle(session, msg);
        }, { noAck: false });
        this.consumerTag = consumerTag;
        this.attempts = 0;
        this.metrics.connected.set(1);
        this.logger.info({ broker: session.host, prefetch: this.options.prefetch }, `consuming ${FULFILMENT_QUEUE}`);
        await gone;
        this.session = undefined;
        this.metrics.connected.set(0);
        if (!this.closed) this.logger.warn({ broker: session.host }, 'broker connection lost; unacked messages go back to the queue; reconnecting');
        await session.connection.close().catch(() => undefined);
      } catch (err) {
        this.metrics.connected.set(0);
        const waitMs = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.attempts++, 5));
        this.logger.warn({ err, retryInMs: waitMs }, 'cannot consume from RabbitMQ; retrying');
        await sleep(waitMs);
      }
    }
  }

  private async handle(session: BrokerSession, msg: ConsumeMessage): Promise<void> {
    this.inFlight++;
    this.metrics.inFlight.set(this.inFlight);
    const done = this.metrics.handleDuration.startTimer();
    const deliveries = Number(msg.properties.headers?.['x-delivery-count'] ?? 0);
    const ch = session.channel;
    try {
      const id: unknown = msg.properties.messageId;
      const event = parseOrderPaid(msg.content);
      if (typeof id !== 'string' || id === '' || event === undefined) {
        this.logger.error({ messageId: id, deliveries }, 'message without an id or an order: rejected (dead-lettered past the delivery limit)');
        this.outcome('invalid', done);
        ch.nack(msg, false, true);
        return;
      }
      if (this.flags.fails()) {
        this.outcome('injected_failure', done);
        ch.nack(msg, false, true);
        return;
      }
      // the broken order, for the drill's own test only (ackOrder)
      const ackedEarly = this.options.ackBeforeCommit === true;
      // fulfilmentDelay holds the message between the two steps (commit then ack, or the broken
      // ack then commit): a slow consumer, and the window a crash hurts most
      const delayMs = this.flags.delayMs();
      const hold = async (): Promise<void> => {
        if (delayMs > 0) await sleep(delayMs);
      };
      if (ackedEarly) {
        ch.ack(msg);
        await hold();
      }
      const giveBack = (): void => {
        if (!ackedEarly) ch.nack(msg, false, true);
      };
      for (let attempt = 0; ; attempt++) {
        let r;
        try {
          r = await fulfil(this.db, id, event, this.options.name);
        } catch (err) {
          if (err instanceof NotPaidError) {
            this.logger.warn({ messageId: id, orderId: event.orderId, deliveries }, `${err.message}: rejected (dead-lettered past the delivery limit)`);
            this.outcome('not_paid', done);
            giveBack();
            return;
          }
          // The database's trouble, not the message's: keep the message and try again after a
          // pause. Returning it would spend one of its deliveries per attempt, and a quorum
          // loss of half a minute would dead-letter every paid order in flight.
          this.metrics.messages.inc({ outcome: 'db_error' });
          // closing, or the channel is gone (the broker has already given the message to
          // another worker): stop trying
          if (this.closed || this.session !== session) {
            giveBack();
            return;
          }
          const waitMs = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempt, 5));
          if (attempt === 0 || attempt % 10 === 0) {
            this.logger.warn({ err, messageId: id, attempt, code: classifyDbError(err)?.code, retryInMs: waitMs }, 'fulfilment failed on the database; the message is kept and tried again');
          }
          await sleep(waitMs);
          continue;
        }
        // committed: only now may the broker forget the message (an ack on a closed channel
        // throws: the broker redelivers it, and the record makes it a duplicate)
        if (!ackedEarly) {
          await hold();
          ch.ack(msg);
        }
        if (r.kind === 'applied') this.metrics.lag.observe(r.lagSeconds);
        this.outcome(r.kind, done);
        return;
      }
    } catch (err) {
      // the channel closed under us: the broker returns the message by itself
      this.logger.debug({ err }, 'ack/nack on a closed channel');
    } finally {
      this.inFlight--;
      this.metrics.inFlight.set(this.inFlight);
    }
  }

  private outcome(kind: 'applied' | 'duplicate' | 'invalid' | 'not_paid' | 'injected_failure' | 'db_error', done: () => void): void {
    done();
    this.metrics.messages.inc({ outcome: kind });
  }
}
