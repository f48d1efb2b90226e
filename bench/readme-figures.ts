// The README's figures, generated from the committed bench results (bench/results/latest.json)
// so that they cannot drift from what was measured: the text between
// `<!-- figures:NAME -->` and `<!-- /figures:NAME -->` in README.md is this file's output.
//   npx tsx bench/readme-figures.ts          rewrite the blocks
//   npx tsx bench/readme-figures.ts --check  exit 1 when README.md differs (npm run check, so CI)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './report.ts';
import { median, pairedRatio } from './stats.ts';

interface RunFigures {
  throughput: number;
  p50: number;
  p99: number;
}

interface Latest {
  startedAt: string;
  seconds: number;
  machine: { cpuModel: string; cores: number; memoryBytes: number };
  sections: { id: number; status: string; data?: Record<string, unknown>; carriedFrom?: string; carriedMachine?: string }[];
}

type Runs = Record<string, RunFigures[]>;

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const LATEST = fileURLToPath(new URL('./results/latest.json', import.meta.url));

const med = (runs: RunFigures[] | undefined, key: keyof RunFigures): number => median((runs ?? []).map((r) => r[key]));
const fix = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const whole = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

/** shop ÷ bare as the bench report gives it: the median of the per-run pairs */
const paired = (runs: Runs): number => pairedRatio((runs.shop ?? []).map((r) => r.throughput), (runs['bare SQL'] ?? []).map((r) => r.throughput));

function section(latest: Latest, id: number): Record<string, unknown> {
  const s = latest.sections.find((x) => x.id === id);
  return s?.status === 'ok' && s.data ? s.data : {};
}

function runsOf(data: Record<string, unknown>, key: string): Runs {
  return ((data[key] as { runs?: Runs } | undefined)?.runs ?? {});
}

/** The bench's headline figures, as a Markdown table. */
function benchTable(latest: Latest): string {
  const s1 = section(latest, 1);
  const rows: string[][] = [];
  for (const [key, inFlight] of [['journeys', 10], ['journeys-32', 32]] as const) {
    const runs = runsOf(s1, key);
    const shop = med(runs.shop, 'throughput');
    const bare = med(runs['bare SQL'], 'throughput');
    rows.push([`journey mix, ${inFlight} in flight`, `${fix(shop)} journeys/s`, `${fix(bare)} journeys/s`, `${fix(paired(runs), 2)}×`]);
  }
  const orders = runsOf(s1, 'orders');
  const shopOrders = med(orders.shop, 'throughput');
  const bareOrders = med(orders['bare SQL'], 'throughput');
  rows.push(['keyed order creates', `${whole(shopOrders)}/s`, `${whole(bareOrders)}/s`, `${fix(paired(orders), 2)}×`]);
  const commits = s1.commits as Record<string, { commits: number; writes: number }> | undefined;
  const perWrite = (side: string): string => (commits?.[side] ? fix(commits[side].commits / commits[side].writes, 2) : 'n/a');
  rows.push(['cluster commits per write request', perWrite('shop'), perWrite('bare SQL'), '']);
  const table = ['| figure | shop | bare mysql2 loop | shop ÷ bare |', '|---|---:|---:|---:|', ...rows.map((r) => `| ${r.join(' | ')} |`)];

  // the same words for the same rows as section 5's table, shorter
  const PLACED: Record<string, string> = { history: 'in the past', recent: 'as many again in the last hour', folded: 'as many again in the last hour, finished minutes folded' };
  const stats = ((section(latest, 5).results ?? []) as { size: number; placement: string; shop: RunFigures; naiveMs?: number }[]).map(
    (r) => `| ${whole(r.size)} orders, ${PLACED[r.placement] ?? 'in the past'} | ${fix(r.shop.p50)} ms | ${fix(r.shop.p99)} ms | ${r.naiveMs === undefined ? 'n/a' : `${whole(r.naiveMs)} ms`} |`,
  );
  // section 5 may come from another run (and machine) than section 1: say which
  const s5 = latest.sections.find((x) => x.id === 5);
  const statsAbout = `\`GET /api/stats\` on its own single-node MariaDB (bench section 5), ${s5?.carriedMachine ?? describeMachine(latest.machine)}, in the run of ${(s5?.carriedFrom ?? latest.startedAt).slice(0, 10)}:`;
  const statsTable = stats.length === 0 ? [] : ['', statsAbout, '', '| `GET /api/stats`, 10 in flight | p50 | p99 | the same answer counted from the rows |', '|---|---:|---:|---:|', ...stats];

  // a section kept from an earlier run (`--only` ran others) names that run's machine and time
  const first = latest.sections.find((x) => x.id === 1);
  const machine = first?.carriedMachine ?? describeMachine(latest.machine);
  const when = (first?.carriedFrom ?? latest.startedAt).slice(0, 10);
  const about = `Measured on ${machine}, the whole lab on the same machine, in the run of ${when} (medians of the runs; the ratio is the median of the per-run pairs, as in the report).`;
  return [about, '', ...table, ...statsTable].join('\n');
}

interface CrashFigures {
  verdict: string;
  acknowledged: number;
  lost: number;
  lostIds: string[];
}

const PROFILE_ROWS = [
  { profile: 'strict', flush: 1, hostCrash: 'no' },
  { profile: 'relaxed', flush: 2, hostCrash: 'yes: a container lab cannot cause one' },
  { profile: 'fast', flush: 0, hostCrash: 'yes' },
] as const;

function lostCell(c: CrashFigures | undefined): string {
  if (!c) return 'not measured in the latest bench run';
  const ids = c.lostIds.length === 0 ? '' : `: ${c.lostIds.slice(0, 5).join(', ')}${c.lost > 5 ? ', …' : ''}`;
  return `${whole(c.lost)} of ${whole(c.acknowledged)}${ids}`;
}

/** Bench §7 per durability profile: order writes per second and what a crash of every node lost. */
export function durabilityTable(latest: Latest): string {
  const data = section(latest, 7);
  const runs = (data.runs ?? {}) as Runs;
  const crash = (data.crash ?? {}) as Record<string, CrashFigures>;
  const rows = PROFILE_ROWS.map(({ profile, flush, hostCrash }) => {
    const writes = runs[profile]?.length ? `${whole(med(runs[profile], 'throughput'))}/s` : 'n/a';
    return `| \`${profile}\` | ${flush} | ${writes} | ${lostCell(crash[profile])} | ${hostCrash} |`;
  });
  return [
    '| profile | `innodb_flush_log_at_trx_commit` | order writes (medians) | every node SIGKILLed at once: acknowledged writes lost | would lose on a host crash |',
    '|---|---:|---:|---|---|',
    ...rows,
  ].join('\n');
}

interface BackupFigures {
  orders: number;
  backupSeconds: number;
  backupMB: number;
  restoreSeconds: number;
  exact: boolean;
}

/** Bench §9: backup and restore time as the shop grows. */
export function backupTable(latest: Latest): string {
  const results = (section(latest, 9).results ?? []) as BackupFigures[];
  if (results.length === 0) return 'Not measured in the latest bench run (`npm run bench -- --only 9`).';
  return [
    '| orders | physical backup (taken and opened) | size | restore, first stop to a healthy shop | every node exact |',
    '|---:|---:|---:|---:|---|',
    ...results.map((r) => `| ${whole(r.orders)} | ${fix(r.backupSeconds)} s | ${fix(r.backupMB)} MB | ${whole(r.restoreSeconds)} s | ${r.exact ? 'yes' : 'NO'} |`),
  ].join('\n');
}

/** README with the block NAME replaced by `content`; throws when the markers are missing. */
export function replaceBlock(readme: string, name: string, content: string): string {
  const open = `<!-- figures:${name} -->`;
  const close = `<!-- /figures:${name} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README.md has no ${open} … ${close} block`);
  return `${readme.slice(0, start + open.length)}\n${content}\n${readme.slice(end)}`;
}

export function generate(readme: string, latest: Latest): string {
  return replaceBlock(replaceBlock(replaceBlock(readme, 'bench', benchTable(latest)), 'durability', durabilityTable(latest)), 'backup', backupTable(latest));
}

/** README.md and what it would be with its figures generated from the committed results. */
function readmeAndNext(): { readme: string; next: string } {
  const readme = readFileSync(README, 'utf8');
  return { readme, next: generate(readme, JSON.parse(readFileSync(LATEST, 'utf8')) as Latest) };
}

/** Rewrites README.md's blocks; true when something changed. */
export function rewriteReadme(): Promise<boolean> {
  const { readme, next } = readmeAndNext();
  if (next !== readme) writeFileSync(README, next);
  return Promise.resolve(next !== readme);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const { readme, next } = readmeAndNext();
    if (next !== readme) {
      console.error('README.md: its figures differ from bench/results/latest.json; run `npm run readme:figures` and commit the result');
      process.exit(1);
    }
    console.log('README.md figures match bench/results/latest.json');
  } else if (await rewriteReadme()) {
    console.log('README.md figures rewritten from bench/results/latest.json');
  }
}
