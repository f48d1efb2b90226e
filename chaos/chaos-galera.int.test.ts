// Chaos drills end to end against a real lab stack: the Galera, HAProxy and restore drills on
// the shared lab (test/shared-lab.ts: project smartshop-chaos, its own host ports, so a user's
// stack on the default ports is never touched), after the integrity tests, the alert drills
// and the fulfilment pipeline's drills (chaos/chaos-pipeline.int.test.ts) on it. Drills are short (5-12 s of fault, 10 journeys/s);
// every wait is bounded. What is asserted: nothing acknowledged is lost, nodes agree
// afterwards, the judge fails when data is tampered with or the lab is weakened, and
// `recover` repairs a lab left broken.
// One file (over 300 lines) on purpose: every drill shares the one lab, which is what keeps
// the drills inside CI's time (a lab per file would add ~2 min each).
import { describe, expect, it } from 'vitest';
import { SHARED_LAB_ENV } from '../test/shared-lab.ts';

Object.assign(process.env, SHARED_LAB_ENV);

const { runDrill } = await import('./runner.ts');
const { recoverLab, findInjections } = await import('./recover.ts');
const { drillKit } = await import('./drill-test-kit.ts');
const { target, sql, written, startLab, useLab, expectSteady, options, expectNoLoss, expectClientsWithinBudget, crashBurst, setHaproxyCheck, expectPictures, dockerVolumes } = drillKit(SHARED_LAB_ENV);

useLab();

describe('Galera, HAProxy and restore drills on a real lab', () => {
  it('galera-node-stop: the node rejoins, nothing acknowledged is lost, no client request failed', async () => {
    expectClientsWithinBudget(await expectNoLoss('galera-node-stop'));
  }, 600_000);

  it('galera-node-kill: the killed node recovers its position and rejoins, nothing lost, no client request failed, p99 within 3 s', async () => {
    expectClientsWithinBudget(await expectNoLoss('galera-node-kill'));
  }, 600_000);

  it('galera-partition: the cut node leaves Primary, HAProxy takes it out, nothing lost, no client request failed, p99 within 3 s', async () => {
    const r = await expectNoLoss('galera-partition', { faultMs: 12_000 });
    expectClientsWithinBudget(r);
    expect(r.targetLeftPrimary).toBe(true);
    expect(r.haproxyMarkedTargetDown).toBe(true);
  }, 600_000);

  it('haproxy-stop: the shop answers 503 with Retry-After and recovers without a restart, nothing lost; its HTML report draws every error and the fault window', async () => {
    const r = await expectNoLoss('haproxy-stop');
    expect(r.clientErrorsDuringFault['503'] ?? 0).toBeGreaterThan(0);
    expect(r.probes.status503WithoutRetryAfter).toBe(0);
    await expectPictures(r, written.get('haproxy-stop')?.html);
  }, 600_000);

  it('galera-full-outage: safe bootstrap of the most advanced node, no volume deleted, nothing lost', async () => {
    const volumesBefore = await dockerVolumes();
    const r = await expectNoLoss('galera-full-outage', { faultMs: 8_000 });
    expect(r.bootstrap?.chosen).toBeDefined();
    expect(r.bootstrap?.positions).toHaveLength(3);
    // the chosen node is the most advanced one the recovery found
    const seqnos = (r.bootstrap?.positions ?? []).map((p) => Math.max(p.grastate?.seqno ?? -1, p.recovered?.seqno ?? -1));
    const chosen = r.bootstrap?.positions.find((p) => p.node === r.bootstrap?.chosen);
    expect(Math.max(chosen?.grastate?.seqno ?? -1, chosen?.recovered?.seqno ?? -1)).toBe(Math.max(...seqnos));
    expect(await dockerVolumes()).toEqual(volumesBefore);
  }, 900_000);

  it('recover restores a lab left broken: a stopped node and a paused node', async () => {
    const stopped = await target.find('mariadb-3');
    const paused = await target.find('mariadb-2');
    await target.stop(stopped, 30);
    await target.pause(paused);
    const injected = (await findInjections(target)).map((i) => `${i.container} ${i.kind}`);
    expect(injected).toEqual(expect.arrayContaining(['mariadb-3 stopped', 'mariadb-2 paused']));
    const res = await recoverLab(target, sql, (l) => console.log(`[recover] ${l}`));
    expect(res.problems).toEqual([]);
    await expectSteady();
    expect(await findInjections(target)).toEqual([]);
  }, 600_000);

  it('galera-quorum-loss: the survivor leaves Primary, the shop answers 503 (never 500), the cluster re-forms, nothing lost', async () => {
    const r = await expectNoLoss('galera-quorum-loss', { faultMs: 12_000 });
    expect(r.clientErrorsDuringFault['503'] ?? 0).toBeGreaterThan(0);
    expect(r.clientErrorsDuringFault['500'] ?? 0).toBe(0);
    expect(r.verdict.deviations).toEqual([]);
  }, 600_000);

  it('db-latency: delay on one node shows in the metrics and goes away, nothing lost (refused, lab untouched, where the kernel has no netem)', async () => {
    const { netemProblem } = await import('./faults/netem.ts');
    const { netToolsImage } = await import('../lab/index.ts');
    const problem = await netemProblem(target, await netToolsImage(target, await target.find('mariadb-2'), (l) => console.log(l)));
    if (problem) {
      console.log(`db-latency: ${problem}`);
      await expect(runDrill(options('db-latency', { faultMs: 12_000 }))).rejects.toThrow(/cannot run tc netem.*modprobe sch_netem/);
      expect(await findInjections(target)).toEqual([]);
      return;
    }
    const r = await expectNoLoss('db-latency', { faultMs: 12_000 });
    expect(r.verdict.deviations).toEqual([]);
  }, 600_000);

  it('galera-node-pause: HAProxy takes the frozen node out, nothing lost, no client request failed, p99 within 3 s', async () => {
    const r = await expectNoLoss('galera-node-pause', { faultMs: 12_000 });
    expectClientsWithinBudget(r);
    expect(r.haproxyMarkedTargetDown).toBe(true);
  }, 600_000);

  it('rolling-restart: every node restarted in turn under traffic, out of HAProxy first; no client request failed, nothing lost, nodes agree', async () => {
    const r = await expectNoLoss('rolling-restart');
    expectClientsWithinBudget(r);
    // each node left and came back: three restarts, HAProxy saw every one go and return
    const restarted = r.log.filter((l) => /back in HAProxy after/.test(l));
    expect(restarted).toHaveLength(3);
  }, 900_000);

  // One drill, two ways the judge must fail, each asserted on its own: the lab weakened (a
  // TCP-only HAProxy check keeps the frozen node in rotation) and the data tampered with before
  // the judgement (an acknowledged order deleted, a paid order's payment failed). One run of
  // about a minute instead of two.
  it('the judge fails a weakened lab and tampered data: the frozen node stays in rotation with a TCP-only check; a deleted order and a lost payment are named', async () => {
    let deleted: string | undefined;
    let corrupted: { paymentId: string; orderId: string } | undefined;
    await setHaproxyCheck('tcp-only');
    try {
      const outcome = await runDrill(
        options('galera-node-pause', {
          faultMs: 12_000,
          beforeJudge: async ({ target: t, sql: s, run }) => {
            const ledger = run.ledger.export();
            const node = await t.find('mariadb-1');
            // an order that is not paid, so revenue stays right for later drills; wsrep on: deleted on every node
            const victim = ledger.orders.find((o) => o.status !== 'paid');
            const payment = ledger.payments.find((p) => p.status === 'success');
            if (!victim || !payment) throw new Error('the traffic produced no unpaid order or no successful payment');
            deleted = String(victim.id);
            corrupted = { paymentId: String(payment.id), orderId: String(payment.orderId) };
            await s.query(node, `DELETE FROM orders WHERE id = ${Number(victim.id)}`);
            await s.query(node, `UPDATE payments SET status = 'failed' WHERE id = ${Number(payment.id)}`);
          },
        }),
      );
      const r = outcome.report;
      if (!r) throw new Error('no report');
      console.log(`[weakened galera-node-pause] verdict ${r.verdict.verdict}: ${r.verdict.reason}; deviations: ${r.verdict.deviations.join(' | ') || 'none'}`);
      expect(r.verdict.verdict).toBe('failed');
      // the weakened lab
      expect(r.haproxyMarkedTargetDown).toBe(false);
      expect(r.verdict.deviations.join('\n')).toContain('HAProxy never marked the target DOWN');
      // the tampered data
      expect(r.integrity.missing.map((m) => `${m.kind} ${m.id}`)).toContain(`order ${deleted}`);
      expect(r.integrity.missing.find((m) => m.id === deleted)?.nodes).toEqual(['mariadb-1', 'mariadb-2', 'mariadb-3']);
      const inv = r.integrity.invariantViolations.filter((v) => v.invariant === 'paid-needs-one-successful-payment');
      expect(inv.map((v) => v.detail)).toContain(`paid order ${corrupted?.orderId} has 0 successful payments`);
      expect(r.integrity.regressed.map((x) => `${x.kind} ${x.id}`)).toContain(`payment ${corrupted?.paymentId}`);
    } finally {
      await setHaproxyCheck('original');
      if (corrupted) await sql.query(await target.find('mariadb-1'), `UPDATE payments SET status = 'success' WHERE id = ${Number(corrupted.paymentId)}`);
    }
  }, 900_000);

  it('restore-from-backup: DROP TABLE orders, restored to just before it, every write acknowledged before it back (RPO 0)', async () => {
    const r = await expectNoLoss('restore-from-backup', { faultMs: 5_000 });
    const x = r.restore;
    if (!x || 'error' in x) throw new Error(`restore not judged: ${x ? x.error : 'missing'}`);
    console.log(`[restore-from-backup] ${x.required} writes required, RPO ${x.rpo.writes} writes / ${x.rpo.seconds} s, RTO ${x.rtoSeconds} s, restore ${x.restoreSeconds} s, ${x.acknowledgedAfterDisaster} after the disaster`);
    expect(x.mode).toBe('point-in-time');
    expect(x.rolledForward).toMatch(/to just before `DROP TABLE `smartshop`.`orders`/);
    expect(x.required).toBeGreaterThan(50);
    expect(x.rpo).toEqual({ writes: 0, seconds: 0, ids: [] });
    expect(x.reusedIds).toEqual([]);
    expect(x.rtoSeconds).toBeGreaterThan(0);
    expect(r.verdict.verdict).toBe('passed');
  }, 600_000);

  it('restore-backup-only: the backup alone brings back what came before it, and names every write after it as lost', async () => {
    const outcome = await runDrill(options('restore-backup-only', { faultMs: 5_000 }));
    const r = outcome.report;
    const x = r?.restore;
    if (!r || !x || 'error' in x || !x.notInBackup) throw new Error('restore not judged');
    console.log(`[restore-backup-only] verdict ${r.verdict.verdict}: ${r.verdict.reason}`);
    // required: every write acknowledged before the backup began, all back
    expect(x.required).toBeGreaterThan(0);
    expect(r.writes.lostIds).toEqual([]);
    expect(r.integrity.invariantViolations).toEqual([]);
    // after the backup: every one missing, each named, and the RPO is exactly those
    expect(x.notInBackup.acknowledged).toBeGreaterThan(20);
    expect(x.notInBackup.found).toEqual([]);
    expect(x.notInBackup.lost).toHaveLength(x.notInBackup.acknowledged);
    expect(x.rpo.writes).toBe(x.notInBackup.acknowledged);
    expect(x.rpo.seconds).toBeGreaterThan(0);
    // users' and payments' counters are kept ahead by the restore; the dropped table's cannot be
    expect(x.reusedIds.filter((id) => !id.startsWith('order '))).toEqual([]);
    expect(r.verdict.failures).toEqual([]);
    expect(r.verdict.verdict).toBe('passed');
  }, 600_000);

  it("restore-after-volume-loss: every node's data gone, rebuilt from the backup rolled forward with the archived binary log; only the stream's lag may be missing, named", async () => {
    const outcome = await runDrill(options('restore-after-volume-loss', { faultMs: 5_000 }));
    const r = outcome.report;
    const x = r?.restore;
    if (!r || !x || 'error' in x || !x.inStreamLag) throw new Error('restore not judged');
    console.log(`[restore-after-volume-loss] verdict ${r.verdict.verdict}: ${r.verdict.reason}`);
    expect(x.mode).toBe('archived-logs');
    expect(x.rolledForward).toMatch(/as the backup service archived them/);
    // every write acknowledged until the archive's last seconds is back: the nodes' own logs are gone, so only the archive can have them
    expect(x.required).toBeGreaterThan(50);
    expect(r.writes.lostIds).toEqual([]);
    // the last seconds: whatever the stream had not received is the RPO, each named
    expect(x.rpo.ids).toEqual(x.inStreamLag.lost);
    expect('error' in r.consistency ? r.consistency.error : r.consistency.consistent).toBe(true);
    expect(r.verdict.verdict).toBe('passed');
  }, 600_000);

  it('galera-crash-burst under strict: the report is complete and agrees with a recount on every node', async () => {
    await crashBurst('strict');
  }, 900_000);

  it('galera-crash-burst under relaxed: the same, after switching the lab to innodb_flush_log_at_trx_commit=2', async () => {
    await startLab({ durability: 'relaxed' });
    await crashBurst('relaxed');
  }, 1_200_000);
});

