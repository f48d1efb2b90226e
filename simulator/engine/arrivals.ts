// Open-model arrival times: when the next journey *should* start, whatever the shop's
// latency (a slow shop does not slow the arrivals down, as real users do not wait for
// each other). The rate ramps linearly up from 0 over `rampUpSeconds`, holds, and ramps
// down to 0 over the last `rampDownSeconds` of a bounded run. Arrival k happens when the
// expected number of arrivals N(t) = ∫rate reaches k + 0.5 (uniform) or the sum of k+1
// exponential variates (Poisson), so both kinds follow the same ramp.
import type { Prng } from './prng.ts';

export interface RateProfile {
  /** journeys per second at the plateau, > 0 */
  rate: number;
  rampUpSeconds: number;
  rampDownSeconds: number;
  /** undefined = unbounded (no ramp down) */
  durationSeconds?: number;
}

export type ArrivalKind = 'uniform' | 'poisson';

/** Expected arrivals by time t (seconds) under the profile. */
export function expectedArrivals(profile: RateProfile, t: number): number {
  const { r, u, d, T } = shape(profile);
  if (t <= 0) return 0;
  const tt = Math.min(t, T);
  if (tt <= u) return (r * tt * tt) / (2 * u);
  const afterRampUp = (r * u) / 2;
  if (tt <= T - d) return afterRampUp + r * (tt - u);
  const s = tt - (T - d);
  return afterRampUp + r * (T - d - u) + r * (s - (s * s) / (2 * d));
}

/** The time at which N(t) reaches n, or undefined when the run ends first. */
export function timeForArrivals(profile: RateProfile, n: number): number | undefined {
  const { r, u, d, T } = shape(profile);
  if (n <= 0) return 0;
  const a = (r * u) / 2;
  if (n <= a) return Math.sqrt((2 * u * n) / r);
  const b = a + r * (T - d - u);
  if (n <= b) return u + (n - a) / r;
  if (!Number.isFinite(T)) return undefined;
  const c = b + (r * d) / 2;
  if (n > c) return undefined;
  const m = (n - b) / r;
  return T - d + (d - Math.sqrt(Math.max(0, d * d - 2 * d * m)));
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
    if (!(profile.rate > 0)) throw new RangeError('rate must be > 0');
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

function shape(profile: RateProfile): { r: number; u: number; d: number; T: number } {
  const T = profile.durationSeconds ?? Number.POSITIVE_INFINITY;
  let u = Math.max(0, profile.rampUpSeconds);
  let d = Number.isFinite(T) ? Math.max(0, profile.rampDownSeconds) : 0;
  if (u + d > T) {
    // ramps longer than the run: shrink both in proportion so they meet in the middle
    const scale = T / (u + d);
    u *= scale;
    d *= scale;
  }
  return { r: profile.rate, u, d, T };
}
