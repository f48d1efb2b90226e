// The bench's options from argv and the environment, pure. argv wins over the environment;
// --quick changes the defaults only (a value given explicitly still applies).
import { fileURLToPath } from 'node:url';

const SECTION_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export const DEFAULT_STATS_SIZES = [10_000, 100_000, 1_000_000];
const QUICK_STATS_SIZES = [10_000, 100_000];
/** Largest table size section 5 accepts (bounded time and disk). */
const MAX_STATS_SIZE = 5_000_000;

export const DEFAULT_OUT_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export interface BenchOptions {
  quick: boolean;
  only: SectionId[];
  /** runs per workload (figures are medians over them) */
  runs: number;
  /** seconds per run and side */
  seconds: number;
  /** warm-up before each workload, seconds */
  warmupSeconds: number;
  /** requests (or SQL loops, journeys) in flight at once */
  concurrency: number;
  /** section 4: length of each of the two mixed runs, seconds */
  mixedSeconds: number;
  /** section 5: orders (and rows per history table) to measure /api/stats at */
  statsSizes: number[];
  /** section 5: sequential /api/stats requests per run and size */
  statsRequests: number;
  /** the whole bench stops starting sections after this long */
  maxMinutes: number;
  noiseThreshold: number;
  outDir: string;
  help: boolean;
}

export class OptionsError extends Error {}

export const USAGE = `npm run bench [-- options]

  --quick                 a short smoke run (2 runs of 2 s, small sizes)
  --only 1,2              run only these sections (1-11)
  --runs N                runs per workload (default 5, quick 2)
  --seconds S             seconds per run and side (default 5, quick 2)
  --concurrency N         requests in flight (default 10)
  --out DIR               where latest.md / latest.json go (default bench/results)
  --help

Environment: BENCH_ONLY, BENCH_RUNS, BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_MIXED_SECONDS,
BENCH_STATS_SIZES (default 10000,100000,1000000), BENCH_STATS_REQUESTS, BENCH_MAX_MINUTES,
BENCH_NOISE_THRESHOLD, BENCH_OUT_DIR; the lab's ports and account as for the stack
(API_PORT, MYSQL_PORT, HAPROXY_STATS_PORT, DB_USER, DB_PASSWORD, DB_NAME).`;

type Env = Record<string, string | undefined>;

/** --name value, --name=value and bare flags; unknown options are errors. */
function parseArgv(argv: readonly string[]): Map<string, string> {
  const flags = new Set(['quick', 'help']);
  const valued = new Set(['only', 'runs', 'seconds', 'concurrency', 'out']);
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h') {
      out.set('help', 'true');
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new OptionsError(`unexpected argument '${arg}'`);
    const name = m[1] as string;
    if (flags.has(name)) {
      if (m[2] !== undefined) throw new OptionsError(`--${name} takes no value`);
      out.set(name, 'true');
    } else if (valued.has(name)) {
      const value = m[2] ?? argv[++i];
      if (value === undefined || value === '') throw new OptionsError(`--${name} needs a value`);
      out.set(name, value);
    } else {
      throw new OptionsError(`unknown option --${name}`);
    }
  }
  return out;
}

function number(raw: string | undefined, name: string, fallback: number, min: number, max: number, integer: boolean): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new OptionsError(`${name}=${raw} is not a ${integer ? 'whole number' : 'number'} between ${min} and ${max}`);
  }
  return n;
}

/** "1,2" or "1 2" → [1, 2], in section order, each once. */
export function parseOnly(raw: string): SectionId[] {
  const ids = new Set<SectionId>();
  for (const part of raw.split(/[\s,]+/).filter((p) => p !== '')) {
    const n = Number(part);
    const id = SECTION_IDS.find((s) => s === n);
    if (id === undefined) throw new OptionsError(`--only: '${part}' is not a section (1-11)`);
    ids.add(id);
  }
  if (ids.size === 0) throw new OptionsError('--only: name at least one section (1-11)');
  return SECTION_IDS.filter((id) => ids.has(id));
}

/** "10000,100000,1e6" → ascending, distinct, each between 1 and MAX_STATS_SIZE. */
export function parseSizes(raw: string): number[] {
  const sizes = new Set<number>();
  for (const part of raw.split(/[\s,]+/).filter((p) => p !== '')) {
    const n = Number(part.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1 || n > MAX_STATS_SIZE) {
      throw new OptionsError(`BENCH_STATS_SIZES: '${part}' is not a whole number between 1 and ${MAX_STATS_SIZE}`);
    }
    sizes.add(n);
  }
  if (sizes.size === 0) throw new OptionsError('BENCH_STATS_SIZES: name at least one size');
  return [...sizes].sort((a, b) => a - b);
}

export function parseOptions(argv: readonly string[], env: Env = {}): BenchOptions {
  const a = parseArgv(argv);
  const quick = a.has('quick') || /^(1|true|yes)$/i.test(env.BENCH_QUICK ?? '');
  const pick = (arg: string, envName: string): string | undefined => a.get(arg) ?? env[envName];
  const onlyRaw = pick('only', 'BENCH_ONLY');
  const sizesRaw = env.BENCH_STATS_SIZES;
  return {
    quick,
    only: onlyRaw === undefined || onlyRaw.trim() === '' ? [...SECTION_IDS] : parseOnly(onlyRaw),
    runs: number(pick('runs', 'BENCH_RUNS'), 'runs', quick ? 2 : 5, 1, 20, true),
    seconds: number(pick('seconds', 'BENCH_SECONDS'), 'seconds', quick ? 2 : 5, 0.5, 60, false),
    warmupSeconds: quick ? 0.5 : 2,
    concurrency: number(pick('concurrency', 'BENCH_CONCURRENCY'), 'concurrency', 10, 1, 200, true),
    mixedSeconds: number(env.BENCH_MIXED_SECONDS, 'BENCH_MIXED_SECONDS', quick ? 5 : 60, 1, 600, false),
    statsSizes: sizesRaw === undefined || sizesRaw.trim() === '' ? (quick ? QUICK_STATS_SIZES : DEFAULT_STATS_SIZES) : parseSizes(sizesRaw),
    statsRequests: number(env.BENCH_STATS_REQUESTS, 'BENCH_STATS_REQUESTS', quick ? 50 : 200, 1, 10_000, true),
    maxMinutes: number(env.BENCH_MAX_MINUTES, 'BENCH_MAX_MINUTES', quick ? 8 : 14, 1, 120, false),
    noiseThreshold: number(env.BENCH_NOISE_THRESHOLD, 'BENCH_NOISE_THRESHOLD', 1.3, 1, 100, false),
    outDir: pick('out', 'BENCH_OUT_DIR') ?? DEFAULT_OUT_DIR,
    help: a.has('help'),
  };
}
