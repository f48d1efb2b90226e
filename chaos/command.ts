// `smartshop chaos list | run <drill> | status | recover`. Heavy modules (dockerode, the
// simulator) are imported inside the actions so `smartshop --help` stays instant.
import { Command, Option } from 'commander';
import { int, str } from '../shared/env.ts';
import { EXIT } from '../shared/exit-codes.ts';
import { DRILL_GROUPS, drills, findDrill, MAX_FAULT_SECONDS } from './drills/catalog.ts';
import type { AlertJudgement } from './judge/alert.ts';
import { parseDuration, parseInteger, parsePositive, UsageError } from '../shared/cli-numbers.ts';

/** --duration in ms (the CLI's one duration grammar, at most an hour of fault). */
function durationOption(text: string): number {
  return parseDuration('--duration', text, { maxSeconds: MAX_FAULT_SECONDS }) * 1000;
}
import { probeCommand } from './probes/command.ts';

const env = process.env;

/** The lab's URLs (lab/config.ts: its ports from the environment), each overridable by a flag. */
async function endpoints(opts: { api?: string; prometheus?: string; haproxyStats?: string; grafana?: string; console?: string; edge?: string }) {
  const { resolveLabConfig, urls } = await import('../lab/index.ts');
  const lab = urls({ ...resolveLabConfig(env), bind: '127.0.0.1' });
  const bare = (url: string): string => url.replace(/\/+$/, '');
  return {
    api: opts.api ?? bare(lab.api),
    haproxyStats: opts.haproxyStats ?? bare(lab.haproxyStats),
    prometheus: opts.prometheus ?? bare(lab.prometheus),
    grafana: opts.grafana ?? bare(lab.grafana),
    console: opts.console ?? bare(lab.console),
    edge: opts.edge ?? bare(lab.edge),
  };
}

const projectOption = (): Option =>
  new Option('--project <name>', 'compose project or Swarm stack whose labelled containers are the lab').default(str(env, 'COMPOSE_PROJECT_NAME', str(env, 'STACK_NAME', 'smartshop')));
const runtimeOption = (): Option =>
  new Option('--runtime <runtime>', 'how the lab runs: auto (a Swarm stack of that name if one is deployed, else compose), compose, swarm').choices(['auto', 'compose', 'swarm']).default('auto');

async function openLab(opts: { project: string; runtime: string }) {
  const { openTarget } = await import('../lab/index.ts');
  return openTarget(opts.project, opts.runtime as 'auto' | 'compose' | 'swarm');
}

async function confirmOnTty(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: question, default: false });
}

interface RunOpts {
  target?: string;
  duration?: string;
  rate: string;
  reportDir: string;
  dryRun?: boolean;
  yes?: boolean;
  project: string;
  runtime: string;
  api?: string;
  prometheus?: string;
  haproxyStats?: string;
  grafana?: string;
  console?: string;
  edge?: string;
  seed?: string;
}

export function chaosCommand(): Command {
  const chaos = new Command('chaos').description('Break Galera and HAProxy on purpose, judge what the shop kept, report');

  chaos
    .command('list')
    .description('the drills, one line each')
    .action(() => {
      const width = Math.max(...drills.map((d) => d.name.length));
      for (const d of drills) console.log(`${d.name.padEnd(width)}  ${d.alert ? '[alert drill] ' : ''}${d.breaksQuorum ? '[breaks quorum] ' : ''}${d.description}`);
    });

  chaos
    .command('run')
    .description('run one drill: steady state, traffic, fault, rollback, judgement, report')
    .argument('<drill>', 'drill name (see `chaos list`), alert:<AlertName> for the drill of one alerting rule, or a group: drills (every fault drill), broker, alerts')
    .option('--target <service>', 'the container to break (service name, e.g. mariadb-2; two comma-separated for galera-quorum-loss)')
    .option('--duration <time>', 'how long the fault stays injected (e.g. 30s, 2m); default per drill (an alert drill holds it until its alert fired)')
    .option('--rate <n>', 'background traffic, simulator journeys per second (an alert drill sets its own)', '30')
    .option('--report-dir <dir>', 'where the JSON and Markdown reports go', 'reports')
    .option('--dry-run', 'print the plan and touch nothing')
    .option('--yes', 'do not ask before drills that break quorum (CI)')
    .addOption(projectOption())
    .addOption(runtimeOption())
    .option('--api <url>', 'shop API base URL (default http://127.0.0.1:$API_PORT)')
    .option('--prometheus <url>', 'Prometheus base URL (default http://127.0.0.1:$PROMETHEUS_PORT)')
    .option('--haproxy-stats <url>', 'HAProxy stats base URL (default http://127.0.0.1:$HAPROXY_STATS_PORT)')
    .option('--grafana <url>', 'Grafana base URL for annotations (default http://127.0.0.1:$GRAFANA_PORT)')
    .option('--console <url>', 'the lab console, where Alertmanager notifies (default http://127.0.0.1:$CONSOLE_PORT)')
    .option('--edge <url>', 'the edge, for the drills whose traffic goes through it (default http://127.0.0.1:$EDGE_PORT)')
    .option('--seed <n>', 'simulator seed (same seed, same journeys)')
    .action(async (name: string, opts: RunOpts) => {
      const drill = findDrill(name);
      const group = Object.hasOwn(DRILL_GROUPS, name) ? DRILL_GROUPS[name] : undefined;
      const selected = group ? [...group] : drill ? [drill] : [];
      if (selected.length === 0) {
        console.error(`unknown drill ${name}; known: ${drills.map((d) => d.name).join(', ')}; groups: ${Object.keys(DRILL_GROUPS).join(', ')}`);
        process.exitCode = EXIT.usage;
        return;
      }
      let numbers: { faultMs: number | undefined; rate: number; seed: number | undefined };
      try {
        numbers = {
          faultMs: opts.duration === undefined ? undefined : durationOption(opts.duration),
          rate: parsePositive('--rate', opts.rate),
          seed: opts.seed === undefined ? undefined : parseInteger('--seed', opts.seed, 0, 2 ** 32 - 1),
        };
        if (numbers.rate > 1_000) throw new UsageError(`--rate must be at most 1000 journeys/s, not "${opts.rate}"`);
      } catch (err) {
        console.error(`smartshop chaos run: ${(err as Error).message}`);
        process.exitCode = EXIT.usage;
        return;
      }
      const { runDrill, DrillRefused } = await import('./runner.ts');
      const { toolSocket } = await import('../lab/paths.ts');
      const rows: { drill: string; verdict: string; alert?: AlertJudgement | { error: string } }[] = [];
      try {
        const target = await openLab(opts);
        const urls = await endpoints(opts);
        for (const d of selected) {
          const run = runDrill({
            drill: d,
            target,
            targetOverride: opts.target,
            ...numbers,
            reportDir: opts.reportDir,
            dryRun: opts.dryRun === true,
            confirm: opts.yes ? () => Promise.resolve(true) : confirmOnTty,
            endpoints: urls,
            grafanaAuth: { user: str(env, 'GRAFANA_ADMIN_USER', 'admin'), password: str(env, 'GRAFANA_ADMIN_PASSWORD', '') },
            metricsPort: int(env, 'CHAOS_METRICS_PORT', 9465, 0, 65535),
            metricsSocket: toolSocket(opts.project, 'chaos'),
            database: str(env, 'DB_NAME', 'smartshop'),
            print: (l) => console.log(l),
          });
          // in a group, a drill this host cannot run (no netem, say) is listed as refused and the others go on
          const outcome = await run.catch((err: unknown) => {
            if (selected.length === 1 || !(err instanceof DrillRefused)) throw err;
            console.error(`refused: ${err.message}`);
            return undefined;
          });
          if (outcome === undefined) {
            rows.push({ drill: d.name, verdict: 'refused' });
            continue;
          }
          const r = outcome.report;
          rows.push({ drill: d.name, verdict: r?.verdict.verdict ?? 'planned', ...(r?.alert ? { alert: r.alert } : {}) });
          // Ctrl-C rolled this drill back: the drills after it do not start
          if (outcome.interrupted === true && selected.length > 1) {
            console.error(`interrupted: ${selected.length - rows.length} drill(s) not run`);
            break;
          }
        }
        // deviated and failed alike: the report says which
        process.exitCode = rows.every((r) => r.verdict === 'passed' || r.verdict === 'planned' || r.verdict === 'refused') ? EXIT.ok : EXIT.failed;
      } catch (err) {
        console.error(err instanceof DrillRefused ? `refused: ${err.message}` : `chaos run failed: ${(err as Error).message}`);
        // a run of several drills that stopped half-way: what ran is summed up below, and it failed
        process.exitCode = rows.length === 0 ? EXIT.couldNotRun : EXIT.failed;
      }
      if (selected.length > 1 && rows.length > 0) {
        const { alertSummary } = await import('./judge/alert.ts');
        console.log(`\n${rows.some((r) => r.alert) ? alertSummary(rows) : ['| drill | verdict |', '|---|---|', ...rows.map((r) => `| ${r.drill} | ${r.verdict} |`)].join('\n')}`);
      }
    });

  chaos
    .command('status')
    .description('what is injected in the lab now, and where each Galera node stands')
    .addOption(projectOption())
    .addOption(runtimeOption())
    .action(async (opts: { project: string; runtime: string }) => {
      const { findInjections } = await import('./recover.ts');
      const { NodeSql, readNodeStates, describeNodeState } = await import('../lab/index.ts');
      const lab = await openLab(opts);
      const containers = await lab.list();
      if (containers.length === 0) {
        console.log(`no container labelled lab.smartshop.project=${opts.project}`);
        return;
      }
      console.log(`${opts.project} runs on ${lab.kind}`);
      for (const c of containers) console.log(`${c.name.padEnd(20)} ${c.role.padEnd(12)} ${c.state.padEnd(8)} ${c.networks.join(',')}`);
      for (const s of await readNodeStates(lab, new NodeSql(lab, str(env, 'DB_NAME', 'smartshop')))) console.log(describeNodeState(s));
      const injections = await findInjections(lab);
      console.log(injections.length === 0 ? 'nothing injected' : injections.map((i) => `INJECTED ${i.container}: ${i.kind} (${i.detail})`).join('\n'));
      process.exitCode = injections.length === 0 ? EXIT.ok : EXIT.failed;
    });

  chaos
    .command('recover')
    .description('undo everything injected: start stopped nodes (safe order), unpause or thaw frozen ones, reconnect, remove delays')
    .addOption(projectOption())
    .addOption(runtimeOption())
    .action(async (opts: { project: string; runtime: string }) => {
      const { recoverLab } = await import('./recover.ts');
      const { NodeSql } = await import('../lab/index.ts');
      const lab = await openLab(opts);
      const res = await recoverLab(lab, new NodeSql(lab, str(env, 'DB_NAME', 'smartshop')), (l) => console.log(l));
      if (res.actions.length === 0 && res.problems.length === 0) console.log('nothing to recover');
      if (res.problems.length > 0) {
        console.error(`!!! NOT RESTORED:\n${res.problems.map((p) => `  - ${p}`).join('\n')}`);
        process.exitCode = EXIT.failed;
      }
    });

  chaos.addCommand(probeCommand());
  return chaos;
}
