// Turning the CLI's raw strings into RunOptions, with one clear message per mistake.
// Pure, so that every rule is unit-tested.
import type { RunOptions } from './engine/run.ts';
import { UsageError, parseDuration, parseInteger, parsePositive, parseRatio } from '../shared/cli-numbers.ts';
import { PROFILES, PROFILE_NAMES, peakRate, scaleProfile, totalSeconds, type ProfileName } from './profiles.ts';
import { parseThreshold, type Threshold } from './thresholds.ts';

export { UsageError, parseInteger, parseRatio } from '../shared/cli-numbers.ts';

export type Mode = 'continuous' | 'intensive' | 'demo';
const modes: readonly Mode[] = ['continuous', 'intensive', 'demo'];
export const DEFAULT_TARGET = 'http://127.0.0.1:8000';
export const DEFAULT_METRICS_PORT = 9464;
/** share of paid orders a continuous or demo run waits on until shipped */
const DEFAULT_FULFILMENT_WAIT = 0.2;

/** the flags as commander hands them over: strings, or true for bare switches */
export interface RawFlags {
  mode?: string;
  rate?: string;
  concurrency?: string;
  duration?: string;
  cycles?: string;
  paymentSuccess?: string;
  errorRate?: string;
  cancelRate?: string;
  fulfilmentWait?: string;
  rampUp?: string;
  rampDown?: string;
  arrival?: string;
  timeout?: string;
  statsEvery?: string;
  target?: string;
  seed?: string;
  json?: boolean;
  metricsPort?: string;
  ledger?: string;
  profile?: string;
  /** repeatable */
  threshold?: string[];
  junit?: string;
  html?: string;
}

/** flags that ask for a headless run (the menu is skipped when any is given) */
const runFlagNames = ['mode', 'rate', 'concurrency', 'duration', 'cycles', 'paymentSuccess', 'errorRate', 'cancelRate', 'fulfilmentWait', 'rampUp', 'rampDown', 'arrival', 'timeout', 'statsEvery', 'seed', 'json', 'ledger', 'profile', 'threshold', 'junit', 'html'] as const;

export function hasRunFlags(raw: RawFlags): boolean {
  return runFlagNames.some((name) => raw[name] !== undefined);
}

export interface CliPlan {
  mode: Mode;
  run: RunOptions;
  json: boolean;
  /** write the ledger export (JSON) here at the end */
  ledgerFile?: string;
  /** the load-test profile run, when one was asked for */
  profile?: ProfileName;
  /** judged at the end; any crossed fails the run (exit 1) */
  thresholds: Threshold[];
  /** write the thresholds' results as JUnit XML here */
  junitFile?: string;
  /** write the run's HTML report (charts of every request) here */
  htmlFile?: string;
}

/** Per-mode defaults: continuous runs until stopped, intensive runs N cycles flat out, demo is a 2-minute show. */
export function modeDefaults(mode: Mode): Partial<RunOptions> {
  switch (mode) {
    case 'continuous':
      return { rate: 5, concurrency: 50, rampUpSeconds: 5, backgroundStatsSeconds: 2 };
    case 'intensive':
      return { cycles: 100, concurrency: 10 };
    case 'demo':
      return { rate: 3, concurrency: 30, durationSeconds: 120, rampUpSeconds: 10, rampDownSeconds: 5, backgroundStatsSeconds: 2 };
  }
}

export function parseCliFlags(raw: RawFlags): CliPlan {
  const mode = parseMode(raw.mode ?? (raw.cycles !== undefined ? 'intensive' : 'continuous'));
  const defaults = modeDefaults(mode);
  const run: RunOptions = {
    ...defaults,
    mode,
    target: parseTarget(raw.target ?? DEFAULT_TARGET),
    metricsPort: raw.metricsPort === undefined ? DEFAULT_METRICS_PORT : parseInteger('--metrics-port', raw.metricsPort, 0, 65535),
  };
  if (raw.rate !== undefined) run.rate = parsePositive('--rate', raw.rate);
  if (raw.concurrency !== undefined) run.concurrency = parseInteger('--concurrency', raw.concurrency, 1, 10_000);
  if (raw.duration !== undefined) run.durationSeconds = parseDuration('--duration', raw.duration);
  if (raw.cycles !== undefined) run.cycles = parseInteger('--cycles', raw.cycles, 1, 100_000_000);
  if (raw.rampUp !== undefined) run.rampUpSeconds = parseDuration('--ramp-up', raw.rampUp, true);
  if (raw.rampDown !== undefined) run.rampDownSeconds = parseDuration('--ramp-down', raw.rampDown, true);
  if (raw.timeout !== undefined) run.timeoutMs = parseDuration('--timeout', raw.timeout) * 1000;
  if (raw.statsEvery !== undefined) run.backgroundStatsSeconds = parseDuration('--stats-every', raw.statsEvery, true);
  if (raw.seed !== undefined) run.seed = parseInteger('--seed', raw.seed, 0, 2 ** 32 - 1);
  if (raw.arrival !== undefined) {
    if (raw.arrival !== 'uniform' && raw.arrival !== 'poisson') throw new UsageError(`--arrival must be uniform or poisson, not "${raw.arrival}"`);
    run.arrival = raw.arrival;
  }
  const mix: NonNullable<RunOptions['mix']> = {};
  if (raw.paymentSuccess !== undefined) mix.paymentSuccess = parseRatio('--payment-success', raw.paymentSuccess);
  if (raw.errorRate !== undefined) mix.errorRate = parseRatio('--error-rate', raw.errorRate);
  if (raw.cancelRate !== undefined) mix.cancelShare = parseRatio('--cancel-rate', raw.cancelRate);
  // people watching a shop see its fulfilment lag; a throughput run or a load test waits on nothing unless asked
  mix.fulfilmentWait = raw.fulfilmentWait !== undefined ? parseRatio('--fulfilment-wait', raw.fulfilmentWait) : mode === 'intensive' || raw.profile !== undefined ? 0 : DEFAULT_FULFILMENT_WAIT;
  run.mix = mix;
  // in continuous mode a ramp down needs an end to ramp down to
  if (run.durationSeconds === undefined) run.rampDownSeconds = 0;
  // the full ledger only when someone will read it: a continuous run may last days
  run.keepLedger = raw.ledger !== undefined;
  const profile = raw.profile === undefined ? undefined : applyProfile(raw, run);
  // the thresholds asked for replace the profile's own
  const thresholds = (raw.threshold?.length ? raw.threshold : profile ? PROFILES[profile].thresholds : []).map(parseThreshold);
  return {
    mode, run, json: raw.json === true, thresholds,
    ...(raw.ledger !== undefined ? { ledgerFile: raw.ledger } : {}),
    ...(profile ? { profile } : {}),
    ...(raw.junit !== undefined ? { junitFile: raw.junit } : {}),
    ...(raw.html !== undefined ? { htmlFile: raw.html } : {}),
  };
}

/** A load-test profile's stages (scaled by --rate and --duration) in place of the mode's rate. */
function applyProfile(raw: RawFlags, run: RunOptions): ProfileName {
  const name = raw.profile as ProfileName;
  if (!PROFILE_NAMES.includes(name)) throw new UsageError(`--profile must be one of ${PROFILE_NAMES.join(', ')}, not "${raw.profile}"`);
  for (const flag of ['cycles', 'rampUp', 'rampDown', 'mode'] as const) {
    if (raw[flag] !== undefined) throw new UsageError(`--profile sets the arrival stages; drop --${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  }
  const p = scaleProfile(PROFILES[name], raw.rate === undefined ? undefined : run.rate, raw.duration === undefined ? undefined : run.durationSeconds);
  run.mode = `profile ${name}`;
  run.rate = peakRate(p);
  run.startRate = p.startRate;
  run.stages = p.stages;
  run.durationSeconds = totalSeconds(p);
  run.rampUpSeconds = 0;
  run.rampDownSeconds = 0;
  if (raw.statsEvery === undefined) delete run.backgroundStatsSeconds;
  // a load test measures the shop's answers to real journeys: no injected errors unless asked
  run.mix = { errorRate: 0, ...run.mix };
  // room for a slow shop to show as latency, not as dropped arrivals 
  if (raw.concurrency === undefined) run.concurrency = Math.max(50, Math.ceil(run.rate * 10));
  return name;
}

function parseMode(value: string): Mode {
  if ((modes as readonly string[]).includes(value)) return value as Mode;
  throw new UsageError(`--mode must be one of ${modes.join(', ')}, not "${value}"`);
}

export function parseTarget(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--target must be a URL like ${DEFAULT_TARGET}, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--target must be an http(s) URL, not "${value}"`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}
