// The fulfilment pipeline's drills end to end on the shared lab (test/shared-lab.ts), after
// the alert drills and before the Galera drills (chaos/chaos-galera.int.test.ts) on it.
// Every drill there judges the pipeline too
// (every acknowledged paid order shipped once); these break the pipeline itself: the shop
// killed under keyed traffic, the workers killed holding unacked messages, the relay killed
// between a confirm and its mark, every message poisoned, the broker node leading the queue
// killed; and the judge must fail a shop that
// records the key in a second commit, a worker that acks before its commit, a shop that
// does not retry (galera-node-kill's client budget, issue 32), a relay that marks rows
// published without the broker's confirm (rabbitmq-partition, issue 31), and the same relay
// on a classic, single-copy queue (rabbitmq-node-kill, issue 31).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from './report/write.ts';
import { SHARED_LAB_ENV } from '../test/shared-lab.ts';

Object.assign(process.env, SHARED_LAB_ENV);

type FulfilmentJudged = NonNullable<DrillReport['fulfilment']>;
const { docker } = await import('../lab/index.ts');
const { runDrill } = await import('./runner.ts');
const { drillKit } = await import('./drill-test-kit.ts');
const { BrokerApi, connectionNodes, queueReplicas } = await import('../lab/broker.ts');
const { resolveLabConfig } = await import('../lab/index.ts');
const { payOneOrder } = await import('../test/client.ts');
const { project, target, endpoints, startLab, useLab, options, expectNoLoss } = drillKit(SHARED_LAB_ENV);

/**
 * The broker nodes the shop's relay is connected to, once it is: it connects at its first
 * publish, so one order is paid first (undefined: no broker node answers rabbitmqctl).
 */
async function relayNodesAfterAPayment(): Promise<string[] | undefined> {
  await payOneOrder(endpoints.api);
  let nodes = await connectionNodes(target, 'shop');
  for (let i = 0; i < 20 && nodes?.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    nodes = await connectionNodes(target, 'shop');
  }
  return nodes;
}

/**
 * The fulfilment queue replaced by one of the configured type (FULFILMENT_QUEUE_TYPE), the
 * shop and the workers stopped meanwhile so that none declares the old one again; a classic
 * queue is placed on `node`. What the old queue held is gone: the weakenings' drills judge
 * their own orders, and the restore drills re-arm any paid order left unshipped. Retried for
 * a minute: after a partition drill the node whose management API answers may still be
 * rejoining; a queue already gone (a beforeAll that failed half-way) is fine.
 */
async function replaceFulfilmentQueue(node?: string): Promise<void> {
  await Promise.all([...await target.list('app'), ...await target.list('worker')].map((c) => target.stop(c, 10)));
  const api = new BrokerApi(resolveLabConfig());
  for (let attempt = 1; ; attempt++) {
    try {
      await api.request('DELETE', '/queues/%2F/fulfilment').catch((e: Error) => {
        if (!/HTTP 404/.test(e.message)) throw e;
      });
      await api.declareQueues(node);
      return;
    } catch (err) {
      if (attempt >= 12) throw err;
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }
}

useLab();

describe('fulfilment pipeline drills on a real lab', () => {
  it('shop-crash: the shop killed five times under keyed traffic, every answered key done exactly once', async () => {
    const r = await expectNoLoss('shop-crash', { faultMs: 2_000 });
    const x = r.exactlyOnce;
    if (!x || 'error' in x) throw new Error(`exactly once not judged: ${x ? x.error : 'missing'}`);
    console.log(`[shop-crash] ${x.answered} keyed answers (${x.replayedDuringTraffic} replays during traffic), created ${JSON.stringify(x.created)}, duplicates ${x.duplicates}, rejected ${x.rejected.length}`);
    expect(x.answered).toBeGreaterThan(100);
    expect(x.orphans).toEqual([]);
    expect(x.duplicates).toBe(0);
    expect(x.rejected).toEqual([]);
    expect(x.replaysChecked).toBe(x.answered);
    expect(x.replayMismatches).toEqual([]);
    expect(r.verdict.verdict).toBe('passed');
  }, 600_000);

  const fulfilmentOf = (r: { fulfilment?: FulfilmentJudged }, name: string) => {
    const f = r.fulfilment;
    if (!f || 'error' in f) throw new Error(`[${name}] fulfilment not judged: ${f ? f.error : 'missing'}`);
    console.log(`[${name}] ${f.paid} paid orders, ${f.shipped} shipped once, lost ${f.lost.length}, duplicated ${f.duplicated.length}, dead letters ${f.deadLettered}, waited ${f.waitedMs} ms`);
    return f;
  };

  it('worker-crash: every worker killed five times while holding committed, unacked messages; every paid order shipped exactly once', async () => {
    const r = await expectNoLoss('worker-crash', { faultMs: 2_000 });
    const f = fulfilmentOf(r, 'worker-crash');
    expect(f.paid).toBeGreaterThan(20);
    expect(f.lost).toEqual([]);
    expect(f.duplicated).toEqual([]);
    expect(f.deadLettered).toBe(0);
    expect(r.verdict.verdict).toBe('passed');
  }, 600_000);

  // The weakenings on one lab start, and one start to put the lab back: each start recreates
  // the shop and the workers (about 20 s), and no weakening changes what another's drill
  // proves (shop-crash kills no worker; worker-crash kills no shop; the shop's retries off
  // changes nothing for a shop that is killed, and galera-node-kill is judged on what its
  // clients saw, which the two-commit key cannot make better; a relay that does not wait for
  // confirms loses messages where a broker node drops off the network, which rabbitmq-partition
  // does, and at most a few at a shop's crash, where shop-crash's duplicates still fail it; the
  // classic queue lives on rabbitmq-3, which only rabbitmq-node-kill's drill here touches).
  describe('the judge fails a weakened lab', () => {
    beforeAll(async () => {
      process.env.IDEMPOTENCY_COMMIT = 'after-effects';
      process.env.WORKER_ACK = 'before-commit';
      process.env.DB_MAX_ATTEMPTS = '1';
      process.env.RELAY_MARK = 'before-confirm';
      // one copy, away from the node the shop connects to first (rabbitmq-1)
      process.env.FULFILMENT_QUEUE_TYPE = 'classic';
      await replaceFulfilmentQueue('rabbitmq-3');
      await startLab();
    }, 480_000);
    afterAll(async () => {
      delete process.env.IDEMPOTENCY_COMMIT;
      delete process.env.WORKER_ACK;
      delete process.env.DB_MAX_ATTEMPTS;
      delete process.env.RELAY_MARK;
      delete process.env.FULFILMENT_QUEUE_TYPE;
      // the lab back to its quorum queue whatever happens: a later file's `stack up` could not
      // declare it over a classic one, nor could the shop and the workers
      try {
        await replaceFulfilmentQueue();
      } finally {
        await startLab();
      }
      expect((await queueReplicas(target))?.find((q) => q.queue === 'fulfilment')?.type).toBe('quorum');
    }, 480_000);

    it('with the key recorded in a second commit, shop-crash finds the duplicates', async () => {
      const outcome = await runDrill(options('shop-crash', { faultMs: 2_000 }));
      const r = outcome.report;
      const x = r?.exactlyOnce;
      if (!r || !x || 'error' in x) throw new Error('no exactly-once judgement');
      console.log(`[weakened shop-crash] verdict ${r.verdict.verdict}: ${r.verdict.reason}`);
      expect(r.verdict.verdict).toBe('failed');
      // a crash between the two commits: the retry did the work again (or was told 409 for it)
      expect(x.orphans.length + x.rejected.length).toBeGreaterThan(0);
    }, 600_000);

    it('with workers acking before their commit, worker-crash finds lost fulfilments', async () => {
      const r = (await runDrill(options('worker-crash', { faultMs: 2_000 }))).report;
      if (!r) throw new Error('no report');
      const f = fulfilmentOf(r, 'weakened worker-crash');
      console.log(`[weakened worker-crash] verdict ${r.verdict.verdict}: ${r.verdict.reason}`);
      expect(r.verdict.verdict).toBe('failed');
      expect(f.lost.length).toBeGreaterThan(0);
      // the judge saw that nothing was left to ship them, rather than waiting out its bound
      expect(f.idle).toBe(true);
    }, 600_000);

    it('with the shop\'s retries off, galera-node-kill goes over its client budget of 0 failed requests', async () => {
      // at twice the drills' rate: with the retries off only a request on the killed node at
      // that moment fails, and at 10 journeys/s one run of two here had none (3 × 503 the other)
      const r = (await runDrill(options('galera-node-kill', { rate: 20 }))).report;
      if (!r?.clients) throw new Error('no report of what clients saw');
      console.log(`[weakened galera-node-kill] verdict ${r.verdict.verdict}: ${r.verdict.reason}`);
      expect(r.clients.failed).toBeGreaterThan(0);
      expect(r.verdict.verdict).not.toBe('passed');
      expect(r.verdict.deviations.some((d) => d.includes('client request(s) failed during the fault (budget 0)'))).toBe(true);
    }, 600_000);

    // Issue 31: what replication buys. A classic queue has one copy; while its node is down,
    // what is routed to it comes back to a mandatory publisher (basic.return, measured on
    // 3.10.8: 28 of 40 returned, all confirmed), which the relay keeps in the outbox when it
    // waits for the confirm (the returns arrive before it). A relay that does not wait marks
    // them published and they are never sent again: rabbitmq-node-kill finds them lost.
    it('with a classic queue and the relay not waiting for confirms, rabbitmq-node-kill of the queue\'s node finds lost fulfilments', async () => {
      const queue = (await queueReplicas(target))?.find((q) => q.queue === 'fulfilment');
      const relayNodes = await relayNodesAfterAPayment();
      console.log(`[weakened rabbitmq-node-kill] fulfilment is ${queue?.type} on ${queue?.leader}; the shop's broker connection is on ${relayNodes?.join(', ') ?? 'no node that answered'}`);
      expect(queue?.type).toBe('classic');
      // the relay elsewhere: a killed node's sockets close, and a relay on it loses nothing
      expect(relayNodes).toHaveLength(1);
      expect(relayNodes).not.toContain(queue?.leader);
      const r = (await runDrill(options('rabbitmq-node-kill', { faultMs: 15_000 }))).report;
      if (!r) throw new Error('no report');
      const f = fulfilmentOf(r, 'weakened rabbitmq-node-kill');
      console.log(`[weakened rabbitmq-node-kill] verdict ${r.verdict.verdict}: ${r.verdict.reason}`);
      expect(r.targets).toEqual([queue?.leader]);
      expect(r.verdict.verdict).toBe('failed');
      expect(f.lost.length).toBeGreaterThan(0);
    }, 600_000);

    // Issue 31: the outbox is only as good as the confirm it waits for. A killed broker node
    // cannot show it (the kernel closes a dead process's sockets, the relay's next publish
    // throws and the rows stay in the outbox: measured, 0 of 718 lost in rabbitmq-full-outage
    // with this weakening); a silent network can. The node the relay is connected to (the
    // shop's only broker connection) is cut off: what the relay publishes meanwhile never
    // arrives, its heartbeat then closes the connection, and rows marked published without a
    // confirm are never sent again.
    it('with the relay marking rows published before the broker\'s confirm, rabbitmq-partition of its node finds lost fulfilments', async () => {
      const relayNodes = await connectionNodes(target, 'shop');
      console.log(`[weakened rabbitmq-partition] the shop's broker connection is on ${relayNodes?.join(', ') ?? 'no node that answered'}`);
      expect(relayNodes).toHaveLength(1);
      const r = (await runDrill(options('rabbitmq-partition', { faultMs: 20_000, targetOverride: relayNodes?.[0] }))).report;
      if (!r) throw new Error('no report');
      const f = fulfilmentOf(r, 'weakened rabbitmq-partition');
      console.log(`[weakened rabbitmq-partition] verdict ${r.verdict.verdict}: ${r.verdict.reason}`);
      expect(r.verdict.verdict).toBe('failed');
      expect(f.lost.length).toBeGreaterThan(0);
    }, 600_000);
  });

  it('relay-crash: the shop killed between the broker\'s confirm and the outbox mark, again and again; nothing lost, nothing shipped twice', async () => {
    const restarts = async (): Promise<number> => Number((await docker().getContainer(`${project}-app-1`).inspect()).RestartCount);
    const before = await restarts();
    const r = await expectNoLoss('relay-crash', { faultMs: 12_000 });
    const f = fulfilmentOf(r, 'relay-crash');
    const crashes = (await restarts()) - before;
    console.log(`[relay-crash] the shop crashed ${crashes} time(s) between a confirm and its mark`);
    expect(crashes).toBeGreaterThan(0);
    expect(f.lost).toEqual([]);
    expect(f.duplicated).toEqual([]);
  }, 600_000);

  it('worker-poison: every message fails and is dead-lettered, then replayed once fixed and shipped exactly once', async () => {
    const r = await expectNoLoss('worker-poison', { faultMs: 10_000 });
    const f = fulfilmentOf(r, 'worker-poison');
    const replayed = r.log.map((l) => /(\d+) message\(s\) replayed/.exec(l)).reduce((n, m) => n + Number(m?.[1] ?? 0), 0);
    console.log(`[worker-poison] ${replayed} dead-lettered message(s) replayed`);
    expect(replayed).toBeGreaterThan(0);
    expect(f.lost).toEqual([]);
    expect(f.duplicated).toEqual([]);
    expect(f.deadLettered).toBe(0);
    expect(r.verdict.verdict).toBe('passed');
  }, 600_000);

  /** A broker drill's common judgement: payments kept answering, every paid order shipped once. */
  async function brokerDrill(name: string, faultMs: number): Promise<{ r: DrillReport; b: NonNullable<DrillReport['broker']> }> {
    const r = await expectNoLoss(name, { faultMs });
    const f = fulfilmentOf(r, name);
    console.log(`[${name}] clients during the fault: ${JSON.stringify(r.clientErrorsDuringFault)}; broker: ${JSON.stringify(r.broker)}; lag: ${JSON.stringify(f.lag)}`);
    expect(f.paid).toBeGreaterThan(20);
    expect(f.lost).toEqual([]);
    expect(f.duplicated).toEqual([]);
    // the outbox took what the broker could not: no payment answered 5xx
    expect(r.verdict.verdict).toBe('passed');
    // the report's broker section and the lag of the orders paid while it was broken
    expect(r.broker).toBeDefined();
    expect(f.lag?.duringFault?.orders).toBeGreaterThan(0);
    return { r, b: r.broker ?? { queue: 'fulfilment' } };
  }

  it('rabbitmq-node-kill: the fulfilment queue\'s leader SIGKILLed, then started; a new leader, payments kept answering, nothing lost, nothing shipped twice', async () => {
    const { r, b } = await brokerDrill('rabbitmq-node-kill', 10_000);
    const after = (await queueReplicas(target))?.find((q) => q.queue === 'fulfilment');
    expect(r.targets).toEqual([b.leaderBefore]);
    // another node took the lead while it was away, and the report says when
    expect(b.newLeaderAfterSeconds).toBeGreaterThan(0);
    expect(r.timeline.events.some((e) => e.kind === 'queue-leader')).toBe(true);
    // the killed node is back as a replica, and the queue has a leader
    expect(after?.online).toHaveLength(3);
    expect(after?.leader).toBeDefined();
  }, 600_000);

  it('rabbitmq-disk-alarm: the broker refuses publishers; payments keep answering, the outbox drains after, nothing lost, nothing shipped twice', async () => {
    const { r, b } = await brokerDrill('rabbitmq-disk-alarm', 15_000);
    expect(r.log.join('\n')).toMatch(/rabbitmq-1: [\d.]+ GB free; the limit is 10 GB above it/);
    expect(r.log.join('\n')).toMatch(/rabbitmq-1: disk free limit 256MB/);
    // the payments the broker refused waited in the outbox
    expect(b.outboxMaxBacklog).toBeGreaterThan(0);
  }, 600_000);

  it('rabbitmq-full-outage: every broker node SIGKILLed, then started; the outbox held the payments meanwhile, nothing lost, nothing shipped twice', async () => {
    const { r, b } = await brokerDrill('rabbitmq-full-outage', 10_000);
    expect(r.targets.sort()).toEqual(['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3']);
    expect(b.outboxMaxBacklog).toBeGreaterThan(0);
  }, 600_000);
});
