// The outbox relay (docs/fulfilment.md): one shop replica at a time (the lease) publishes
// the outbox's unpublished rows to the fulfilment queue, persistent and mandatory, on a
// confirm channel, and marks them published only once the broker confirmed them. A crash
// between the confirm and the mark publishes those rows again: delivery is at least once,
// and the workers dedupe on the message id. A payment's commit wakes the relay at once;
// otherwise it looks every POLL_MS. The lease is renewed and the backlog reported each
// second by loops of their own, so their commits never delay a publish.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ConsumeMessage } from 'amqplib';
import type { Database } from '../db/database.ts';
import type { Metrics } from '../metrics.ts';
import { claimLease, markPublished, outboxBacklog, releaseLease, unpublished } from '../db/outbox.ts';
import { FULFILMENT_QUEUE, openBrokerSession, type BrokerConfig, type BrokerSession } from '../../shared/broker.ts';

/** A lease not renewed for this long is free: a relay that died is replaced within seconds. */
const LEASE_MS = 5_000;
const RENEW_MS = 1_000;
const POLL_MS = 250;
const BACKLOG_EVERY_MS = 1_000;
const BATCH = 100;
const MAX_BACKOFF_MS = 5_000;

export interface RelayOptions {
  /** copies of each message to publish (the queueOverload fault flag; 1 = none) */
  copies: () => number;
  /** the share of confirmed batches after which the process dies before the mark (the relayCrash flag) */
  crashAfterConfirm: () => number;
  /** RELAY_MARK=before-confirm: the broken order (no wait for the confirm), for a drill's own test */
  markBeforeConfirm?: boolean;
  /** this replica's name in the lease (default hostname and pid) */
  holder?: string;
}

export class OutboxRelay {
  private closed = false;
  private leader = false;
  private session: BrokerSession | undefined;
  private attempts = 0;
  private wake: (() => void) | undefined;
  private kicked = false;
  /** ids confirmed whose mark has not committed yet, and those marks */
  private readonly marking = new Set<string>();
  private readonly pendingMarks = new Set<Promise<void>>();
  /** the side loops' sleeps, cut short by close() */
  private readonly stoppers = new Set<AbortController>();
  private loop: Promise<void> | undefined;
  private lastProblem = '';
  private readonly holder: string;

  constructor(
    private readonly db: Database,
    private readonly broker: BrokerConfig,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: RelayOptions,
  ) {
    this.holder = options.holder ?? `${hostname()}:${process.pid}`;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A paid order was committed: look at the outbox now rather than at the next poll. */
  kick(): void {
    // remembered when the loop is busy: the next pause then returns at once
    this.kicked = true;
    this.wake?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.kick();
    for (const ac of this.stoppers) ac.abort();
    await this.loop;
    if (this.leader) await releaseLease(this.db, this.holder).catch(() => undefined);
    this.metrics.relayLeader.set(0);
    await this.dropSession();
  }

  private async run(): Promise<void> {
    // The lease and the backlog gauge keep their own pace, off the publishing path: a slow
    // commit of the lease's UPDATE must not delay the next publish (it is a paid order's lag).
    const side = this.every(RENEW_MS, () => this.renewLease());
    const gauge = this.every(BACKLOG_EVERY_MS, () => this.reportBacklog());
    while (!this.closed) {
      let more = false;
      if (this.leader) {
        try {
          more = await this.publishBatch();
          this.attempts = 0;
        } catch (err) {
          this.problem('publish', err);
          await this.dropSession();
          await this.pause(Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.attempts++, 5)));
          continue;
        }
      }
      if (!more) await this.pause(POLL_MS);
    }
    await Promise.all([side, gauge, ...this.pendingMarks]);
  }

  /** Runs `task` every `ms` (never two at once) until close(). */
  private async every(ms: number, task: () => Promise<void>): Promise<void> {
    while (!this.closed) {
      const started = Date.now();
      await task();
      const ac = new AbortController();
      this.stoppers.add(ac);
      await sleep(Math.max(0, ms - (Date.now() - started)), undefined, { signal: ac.signal }).catch(() => undefined);
      this.stoppers.delete(ac);
    }
  }

  private async renewLease(): Promise<void> {
    try {
      const held = await claimLease(this.db, this.holder, LEASE_MS);
      if (held !== this.leader) this.logger.info({ holder: this.holder }, held ? 'outbox relay: this replica holds the lease and publishes' : 'outbox relay: lease lost, another replica publishes');
      this.leader = held;
    } catch (err) {
      // without a database there is nothing to publish anyway; another replica may take over
      this.leader = false;
      this.problem('lease', err);
    }
    this.metrics.relayLeader.set(this.leader ? 1 : 0);
  }

  private async reportBacklog(): Promise<void> {
    try {
      const b = await outboxBacklog(this.db);
      this.metrics.outboxBacklog.set(b.rows);
      this.metrics.outboxOldest.set(b.oldestSeconds);
    } catch {
      // the lease or the publish path reports the database's trouble
    }
  }

  /** Publishes the oldest unpublished rows; true when a full batch suggests more are waiting. */
  private async publishBatch(): Promise<boolean> {
    let rows;
    try {
      // rows confirmed and still being marked are skipped (their mark runs beside the next batch)
      rows = (await unpublished(this.db, BATCH + this.marking.size)).filter((r) => !this.marking.has(r.id)).slice(0, BATCH);
    } catch (err) {
      this.problem('read', err);
      return false;
    }
    if (rows.length === 0) return false;
    const session = await this.ensureSession();
    const copies = Math.max(1, Math.floor(this.options.copies()));
    // A mandatory message no queue took comes back (basic.return) before its confirm: it was
    // confirmed but not delivered, so it stays unpublished.
    const returned = new Set<string>();
    const onReturn = (msg: ConsumeMessage): void => {
      if (typeof msg.properties.messageId === 'string') returned.add(msg.properties.messageId);
    };
    session.channel.on('return', onReturn);
    const confirmed = this.metrics.relayConfirmDuration.startTimer();
    try {
      for (const row of rows) {
        for (let i = 0; i < copies; i++) {
          session.channel.publish('', FULFILMENT_QUEUE, Buffer.from(row.payload), {
            persistent: true, mandatory: true, messageId: row.id, type: row.type, contentType: 'application/json', timestamp: Math.floor(row.createdAt.getTime() / 1000),
          });
        }
      }
      // (before-confirm, the broken order: what the channel took counts as published)
      if (this.options.markBeforeConfirm !== true) await session.channel.waitForConfirms();
    } finally {
      session.channel.off('return', onReturn);
    }
    confirmed();
    const crash = this.options.crashAfterConfirm();
    if (crash > 0 && Math.random() < crash) {
      // the relay-crash drill: confirmed by the broker, not marked; the next relay publishes them again
      this.logger.fatal({ rows: rows.length }, 'relayCrash fault flag: killing the shop between the confirm and the mark');
      process.kill(process.pid, 'SIGKILL');
    }
    const done = rows.filter((r) => !returned.has(r.id)).map((r) => r.id);
    if (returned.size > 0) this.problem('publish', new Error(`${returned.size} message(s) returned unroutable: is the queue ${FULFILMENT_QUEUE} there?`));
    this.metrics.relayPublished.inc(done.length * copies);
    // The mark is a commit of its own: it runs beside the next batch instead of before it.
    // Confirmed but not marked (a failure, a crash): published again, deduped by the workers.
    for (const id of done) this.marking.add(id);
    const marked = markPublished(this.db, done).catch((err: unknown) => this.problem('mark', err)).finally(() => {
      for (const id of done) this.marking.delete(id);
      this.pendingMarks.delete(marked);
    });
    this.pendingMarks.add(marked);
    return rows.length === BATCH;
  }

  private async ensureSession(): Promise<BrokerSession> {
    if (this.session !== undefined) return this.session;
    const session = await openBrokerSession(this.broker, this.attempts);
    const lost = (): void => {
      if (this.session === session) this.session = undefined;
      // a channel closed on its own leaves its connection open
      void session.connection.close().catch(() => undefined);
    };
    session.connection.on('error', (err: Error) => this.problem('publish', err));
    session.connection.on('close', lost);
    session.channel.on('error', (err: Error) => this.problem('publish', err));
    session.channel.on('close', lost);
    this.session = session;
    this.logger.info({ broker: session.host }, 'outbox relay connected to RabbitMQ');
    this.lastProblem = '';
    return session;
  }

  private async dropSession(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    await s?.connection.close().catch(() => undefined);
  }

  /** Counts every failure; logs a failure when it differs from the last one logged. */
  private problem(stage: 'lease' | 'read' | 'publish' | 'mark', err: unknown): void {
    this.metrics.relayErrors.inc({ stage });
    const text = `${stage}: ${(err as Error)?.message ?? String(err)}`;
    if (text === this.lastProblem) return;
    this.lastProblem = text;
    this.logger.warn({ err, stage }, `outbox relay: ${stage} failed; retrying (paid orders wait in the outbox meanwhile)`);
  }

  private async pause(ms: number): Promise<void> {
    if (this.closed) return;
    if (this.kicked) {
      this.kicked = false;
      return;
    }
    const woken = new Promise<void>((resolve) => { this.wake = resolve; });
    const ac = new AbortController();
    await Promise.race([woken, sleep(ms, undefined, { signal: ac.signal }).catch(() => undefined)]);
    ac.abort();
    this.wake = undefined;
    this.kicked = false;
  }
}
