// What the drills' test files share (chaos/chaos-pipeline.int.test.ts and
// chaos/chaos-galera.int.test.ts, on the shared lab: test/shared-lab.ts): a drill's options
// on a given lab, the checks every drill's report must pass, an independent recount of a
// drill's ledger, the weakened HAProxy check, the HTML report opened in Chromium. Imported
// by a test file after it has set its lab's environment (its ports and project).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect } from 'vitest';
import type { DrillReport } from './report/write.ts';
import { stackUp } from '../stack/index.ts';
import { ComposeTarget, NodeSql, resolveLabConfig } from '../lab/index.ts';
import { runDrill } from './runner.ts';
import { findDrill } from './drills/catalog.ts';
import { findInjections, recoverLab } from './recover.ts';
import { checkSteadyState } from './steady-state.ts';
import { clientsLine } from './judge/clients.ts';

export type RunOptions = Parameters<typeof runDrill>[0];
type Ledger = ReturnType<Parameters<NonNullable<RunOptions['beforeJudge']>>[0]['run']['ledger']['export']>;

/** A lab's environment as test/shared-lab.ts writes it. */
interface LabEnv {
  COMPOSE_PROJECT_NAME: string;
  API_PORT: string;
  HAPROXY_STATS_PORT: string;
  PROMETHEUS_PORT: string;
  GRAFANA_PORT: string;
  CONSOLE_PORT: string;
  EDGE_PORT: string;
}

export function drillKit(lab: LabEnv) {
  const project = lab.COMPOSE_PROJECT_NAME;
  const target = new ComposeTarget(project);
  const sql = new NodeSql(target, 'smartshop');
  // In CI the drill reports are kept (reports/chaos-tests/, archived with the rest of reports/);
  // elsewhere they go to a temporary folder.
  const reportDir = process.env.CI ? join(fileURLToPath(new URL('..', import.meta.url)), 'reports', 'chaos-tests') : mkdtempSync(join(tmpdir(), 'chaos-reports-'));
  const endpoints = {
    api: `http://127.0.0.1:${lab.API_PORT}`,
    haproxyStats: `http://127.0.0.1:${lab.HAPROXY_STATS_PORT}`,
    prometheus: `http://127.0.0.1:${lab.PROMETHEUS_PORT}`,
    grafana: `http://127.0.0.1:${lab.GRAFANA_PORT}`,
    console: `http://127.0.0.1:${lab.CONSOLE_PORT}`,
    edge: `http://127.0.0.1:${lab.EDGE_PORT}`,
  };
  /** The files each drill's report was written to, by drill name (the last run's). */
  const written = new Map<string, { json: string; md: string; html?: string }>();

  /** `stack up` on the lab: starts what is missing, recreates what a changed environment (a weakened part) touches. */
  const startLab = (extra: { durability?: 'relaxed' } = {}): Promise<unknown> =>
    stackUp({ ...resolveLabConfig(), project, ...extra }, { build: false, timeoutMs: 420_000, log: (l) => console.log(`[stack] ${l}`) });

  /**
   * The file's hooks: `stack up` before its first test (idempotent: it starts what is missing
   * and waits until the lab is healthy); after its last, whatever a failed test left injected
   * is undone. The lab itself is removed with its data after the run (test/lab-env.setup.ts;
   * CHAOS_KEEP_STACK=1 keeps it).
   */
  function useLab(): void {
    beforeAll(async () => {
      await startLab();
    }, 480_000);
    afterAll(async () => {
      const left = await findInjections(target);
      if (left.length > 0) await recoverLab(target, sql, (l) => console.log(`[recover] ${l}`));
    }, 900_000);
  }

  /** Polls the steady state (direct probes) until it holds, bounded; every check must pass. */
  async function expectSteady(): Promise<void> {
    let state = await checkSteadyState(target, sql, endpoints, undefined, false);
    for (let i = 0; i < 120 && !state.ok; i++) {
      await sleep(1_000);
      state = await checkSteadyState(target, sql, endpoints, undefined, false);
    }
    expect(state.checks.filter((c) => !c.ok)).toEqual([]);
  }

  function options(drillName: string, extra: Partial<RunOptions> = {}): RunOptions {
    const drill = findDrill(drillName);
    if (!drill) throw new Error(`no drill ${drillName}`);
    return {
      drill,
      target,
      faultMs: 10_000,
      rate: 10,
      seed: 42,
      reportDir,
      dryRun: false,
      confirm: () => Promise.resolve(true),
      endpoints,
      grafanaAuth: { user: 'admin', password: process.env.GRAFANA_ADMIN_PASSWORD ?? '' },
      metricsPort: 0,
      database: 'smartshop',
      print: (l) => console.log(`[${drillName}] ${l}`),
      steadyWaitSeconds: 90,
      settleSeconds: 2,
      ...extra,
    };
  }

  /** The drill ran, nothing acknowledged was lost, nodes agree, and the report on disk says so. */
  async function expectNoLoss(drillName: string, extra: Partial<RunOptions> = {}) {
    const outcome = await runDrill(options(drillName, extra));
    const r = outcome.report;
    if (!r || !outcome.files) throw new Error('no report');
    written.set(drillName, outcome.files);
    console.log(`[${drillName}] verdict ${r.verdict.verdict}: ${r.verdict.reason}; deviations: ${r.verdict.deviations.join(' | ') || 'none'}`);
    expect(existsSync(outcome.files.json) && existsSync(outcome.files.md)).toBe(true);
    const onDisk = JSON.parse(readFileSync(outcome.files.json, 'utf8')) as typeof r;
    expect(onDisk.verdict.verdict).toBe(r.verdict.verdict);
    expect(r.integrity.acknowledged.orders).toBeGreaterThan(0);
    expect(r.integrity.error).toBeUndefined();
    expect(r.writes.lostIds).toEqual([]);
    expect(r.integrity.missing).toEqual([]);
    expect(r.integrity.invariantViolations).toEqual([]);
    expect('error' in r.consistency ? r.consistency.error : r.consistency.consistent).toBe(true);
    expect(r.rollbackProblems).toEqual([]);
    expect(r.verdict.failures).toEqual([]);
    expect(r.timeline.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['fault-start', 'rollback-start', 'steady-state-back']));
    return r;
  }

  /**
   * An independent recount of a drill's ledger, node by node, with causal reads: which
   * acknowledged user, order and payment rows each node lacks. The judge must agree with it.
   */
  async function recount(ledger: Ledger): Promise<{ missing: string[]; acknowledged: { users: number; orders: number; payments: number } }> {
    const tables = [
      { kind: 'user', table: 'users', ids: ledger.users.map((u) => Number(u.id)) },
      { kind: 'order', table: 'orders', ids: ledger.orders.map((o) => Number(o.id)) },
      { kind: 'payment', table: 'payments', ids: ledger.payments.map((p) => Number(p.id)) },
    ];
    const absent = new Map<string, string[]>();
    for (const name of ['mariadb-1', 'mariadb-2', 'mariadb-3']) {
      const node = await target.find(name);
      for (const { kind, table, ids } of tables) {
        if (ids.length === 0) continue;
        const rows = await sql.query(node, `SET SESSION wsrep_sync_wait = 1; SELECT id FROM ${table} WHERE id IN (${ids.join(',')})`);
        const found = new Set(rows.map((r) => r[0]));
        for (const id of ids) if (!found.has(String(id))) absent.set(`${kind} ${id}`, [...(absent.get(`${kind} ${id}`) ?? []), name]);
      }
    }
    return {
      missing: [...absent.entries()].map(([k, nodes]) => `${k} on ${nodes.join(',')}`).sort(),
      acknowledged: { users: tables[0]?.ids.length ?? 0, orders: tables[1]?.ids.length ?? 0, payments: tables[2]?.ids.length ?? 0 },
    };
  }

  /**
   * galera-crash-burst under one durability profile. Whether writes are lost is what the drill
   * measures, not what the test gates: the test gates that the report is complete and that its
   * counts agree with the recount above. The verdict is printed for the CI log.
   */
  async function crashBurst(durability: 'strict' | 'relaxed') {
    let ledger: Ledger | undefined;
    let counted: Awaited<ReturnType<typeof recount>> | undefined;
    const outcome = await runDrill(options('galera-crash-burst', {
      faultMs: 8_000,
      beforeJudge: async ({ run }) => {
        ledger = run.ledger.export();
        counted = await recount(ledger);
      },
    }));
    const r = outcome.report;
    if (!r || !outcome.files || !ledger || !counted) throw new Error('no report or no ledger');
    console.log(`[galera-crash-burst ${durability}] verdict ${r.verdict.verdict}: ${r.verdict.reason}; lost ${r.writes.lost} of ${r.writes.acknowledged}` +
      `${r.writes.lostIds.length ? ` (${r.writes.lostIds.slice(0, 10).join(', ')})` : ''}; report ${outcome.files.md}`);
    expect(existsSync(outcome.files.json) && existsSync(outcome.files.md)).toBe(true);
    expect(r.durability).toBe(durability);
    expect(r.integrity.error).toBeUndefined();
    expect(r.bootstrap?.positions).toHaveLength(3);
    expect(r.timeline.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['fault-start', 'rollback-start']));
    expect(r.integrity.acknowledged).toEqual(counted.acknowledged);
    expect(r.integrity.acknowledged.orders).toBeGreaterThan(0);
    expect(r.integrity.missing.map((m) => `${m.kind} ${m.id} on ${m.nodes.join(',')}`).sort()).toEqual(counted.missing);
    expect(r.writes.lost).toBe(r.writes.lostIds.length);
    if (r.writes.lost > 0) expect(r.verdict.verdict).toBe('failed');
    expect('error' in r.consistency ? r.consistency.error : r.consistency.consistent).toBe(true);
    return r;
  }

  /**
   * A deliberately weakened lab: HAProxy's Galera-aware check (the clustercheck agent on :9200)
   * replaced by a bare TCP connect. A frozen node still completes TCP handshakes in the kernel,
   * so it stays in rotation. Restored by copying the original config back and restarting.
   */
  async function setHaproxyCheck(mode: 'tcp-only' | 'original'): Promise<void> {
    const { default: Docker } = await import('dockerode');
    const haproxy = new Docker().getContainer((await target.find('haproxy')).id);
    const script = mode === 'tcp-only'
      ? "cp -n /etc/haproxy/haproxy.cfg /etc/haproxy/haproxy.cfg.orig && sed -i -e '/option httpchk/d' -e '/http-check /d' -e 's/ check port 9200 / check /' /etc/haproxy/haproxy.cfg && haproxy -c -q -f /etc/haproxy/haproxy.cfg"
      : 'if [ -f /etc/haproxy/haproxy.cfg.orig ]; then mv /etc/haproxy/haproxy.cfg.orig /etc/haproxy/haproxy.cfg; fi';
    const exec = await haproxy.exec({ Cmd: ['bash', '-c', script], User: 'root', AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    await new Promise<void>((resolve) => { stream.on('end', resolve); stream.on('close', resolve); stream.resume(); });
    const { ExitCode } = await exec.inspect();
    if (ExitCode !== 0) throw new Error(`setting HAProxy's check to ${mode} failed (exit ${ExitCode})`);
    await haproxy.restart({ t: 5 });
    // bounded: HAProxy answers and sees all three nodes UP again
    await expectSteady();
  }

  /**
   * The drill's HTML report, opened in Chromium: the latency chart has one error point per
   * error the report counts (5xx, timeouts, connection errors), and the fault window is shaded
   * from the fault's start to the rollback's, as the journal's timeline says. A screenshot is
   * kept beside the report.
   */
  async function expectPictures(r: DrillReport, html: string | undefined): Promise<void> {
    if (html === undefined) throw new Error('the drill wrote no HTML report');
    const errors = Object.entries(r.traffic.byOutcome).filter(([k]) => /^5\d\d$|^timeout$|^error$/.test(k)).reduce((n, [, v]) => n + v, 0);
    expect(errors).toBeGreaterThan(0);
    expect(r.pictures?.errors).toBe(errors);
    const rollbackAt = r.timeline.events.find((e) => e.kind === 'rollback-start')?.offsetSeconds;
    expect(rollbackAt).toBeDefined();
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], timeout: 60_000 });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${html}`);
      let drawnErrors = 0;
      for (const c of ['5xx', 'timeout', 'error']) drawnErrors += await page.locator(`#latency path[aria-roledescription="point"][aria-label$="outcome: ${c}"]`).count();
      expect(drawnErrors).toBe(errors);
      const shade = page.locator('#latency path[aria-label^="fault from (s)"]');
      expect(await shade.getAttribute('aria-label')).toBe(`fault from (s): 0; fault to (s): ${rollbackAt}`);
      expect((await shade.boundingBox())?.width ?? 0).toBeGreaterThan(0);
      await page.screenshot({ path: html.replace(/\.html$/, '.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }

  /** A single node's fault cost clients nothing but latency within the drill's budget (issue 32). */
  function expectClientsWithinBudget(r: DrillReport): void {
    const c = r.clients;
    if (!c?.budget) throw new Error(`[${r.drill}] no client budget judged`);
    console.log(`[${r.drill}] clients: ${clientsLine(c)}`);
    expect(c.failed).toBe(0);
    expect(c.overBudget).toEqual([]);
    expect(r.verdict.verdict).toBe('passed');
  }

  async function dockerVolumes(): Promise<string[]> {
    const { default: Docker } = await import('dockerode');
    const res = await new Docker().listVolumes({ filters: { label: [`com.docker.compose.project=${project}`] } });
    return (res.Volumes ?? []).map((v) => v.Name).sort();
  }

  return { project, target, sql, endpoints, written, startLab, useLab, expectSteady, options, expectNoLoss, expectClientsWithinBudget, crashBurst, setHaproxyCheck, expectPictures, dockerVolumes };
}
