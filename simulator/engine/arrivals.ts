// Open-model arrival times: when the next journey *should* start, whatever the shop's
// latency (a slow shop does not slow the arrivals down, as real users do not wait for
// each other). The rate follows stages (a ramping arrival rate): each stage moves
// the rate linearly to its target over its duration. A plain run is three stages: ramp up
// from 0 over `rampUpSeconds`, hold, and ramp down to 0 over the last `rampDownSeconds` of a
// bounded run. Arrival k happens when the expected number of arrivals N(t) = ∫rate reaches
// k + 0.5 (uniform) or the sum of k+1 exponential variates (Poisson), so both kinds follow
// the same stages.
import type { Prng } from './prng.ts';

/** One stage: the rate moves linearly to `target` journeys/s over `durationSeconds`. */
export interface Stage {
  target: number;
  durationSeconds: number;
}

export interface RateProfile {
  /** journeys per second at the plateau, > 0 */
  rate: number;
  rampUpSeconds: number;
  rampDownSeconds: number;
  /** undefined = unbounded (no ramp down) */
  durationSeconds?: number;
  /** when given, the rate follows these from `startRate` (default 0) instead of the ramps */
  stages?: Stage[];
  startRate?: number;
}

export type ArrivalKind = 'uniform' | 'poisson';

interface Segment {
  start: number;
  from: number;
  to: number;
  length: number;
}

/** The profile as segments of linear rate, the last one possibly endless. */
function segments(profile: RateProfile): Segment[] {
  const stages = profile.stages ?? rampStages(profile);
  const out: Segment[] = [];
  let start = 0;
  let rate = profile.stages ? (profile.startRate ?? 0) : 0;
  for (const s of stages) {
    if (s.durationSeconds > 0) out.push({ start, from: rate, to: s.target, length: s.durationSeconds });
    start += s.durationSeconds;
    rate = s.target;
  }
  return out;
}

/** Ramp up, hold, ramp down as stages; ramps longer than the run shrink in proportion so they meet. */
function rampStages(profile: RateProfile): Stage[] {
  const T = profile.durationSeconds ?? Number.POSITIVE_INFINITY;
  let u = Math.max(0, profile.rampUpSeconds);
  let d = Number.isFinite(T) ? Math.max(0, profile.rampDownSeconds) : 0;
  if (u + d > T) {
    const scale = T / (u + d);
    u *= scale;
    d *= scale;
  }
  const r = profile.rate;
  return [
    { target: r, durationSeconds: u },
    { target: r, durationSeconds: T - u - d },
    { target: 0, durationSeconds: d },
  ];
}

/** Arrivals expected over the first s seconds of a segment. */
function area(seg: Segment, s: number): number {
  if (s <= 0) return 0;
  if (!Number.isFinite(s)) return seg.from > 0 || seg.to > 0 ? Number.POSITIVE_INFINITY : 0;
  return seg.from * s + ((seg.to - seg.from) * s * s) / (2 * seg.length);
}

/** Expected arrivals by time t (seconds) under the profile. */
export function expectedArrivals(profile: RateProfile, t: number): number {
  let n = 0;
  for (const seg of segments(profile)) {
    if (t <= seg.start) break;
    n += area(seg, Math.min(t - seg.start, seg.length));
  }
  return n;
}

/** The time at which N(t) reaches n, or undefined when the run ends first. */
export function timeForArrivals(profile: RateProfile, n: number): number | undefined {
  if (n <= 0) return 0;
  let before = 0;
  for (const seg of segments(profile)) {
    const whole = area(seg, seg.length);
    if (n <= before + whole) {
      const m = n - before;
      if (!Number.isFinite(seg.length)) return seg.start + m / seg.from;
      // solve from·s + (to − from)·s²/(2·length) = m for the first s ≥ 0, in the form that
      // stays exact for a flat segment and for a rate that starts at 0
      const a = (seg.to - seg.from) / (2 * seg.length);
      const b = seg.from;
      return seg.start + (2 * m) / (b + Math.sqrt(Math.max(0, b * b + 4 * a * m)));
    }
    before += whole;
  }
  return undefined;
}

/** Successive arrival times in seconds since the start of the run. */
export class ArrivalSchedule {
  private index = 0;
  private cumulative = 0;

  constructor(
    private readonly profile: RateProfile,
    private readonly kind: ArrivalKind = 'uniform',
    private readonly rng?: Prng,
  ) {
    const peak = profile.stages ? Math.max(profile.startRate ?? 0, ...profile.stages.map((s) => s.target)) : profile.rate;
    if (!(peak > 0)) throw new RangeError('rate must be > 0');
    if (profile.stages?.some((s) => !(s.target >= 0) || !(s.durationSeconds >= 0)) || !((profile.startRate ?? 0) >= 0)) throw new RangeError('stage targets, durations and the start rate must be ≥ 0');
    if (kind === 'poisson' && !rng) throw new RangeError('poisson arrivals need a PRNG');
  }

  /** the next arrival time, or undefined when the profile has ended */
  next(): number | undefined {
    if (this.kind === 'poisson' && this.rng) this.cumulative += this.rng.exponential();
    else this.cumulative = this.index + 0.5;
    this.index++;
    return timeForArrivals(this.profile, this.cumulative);
  }
}
