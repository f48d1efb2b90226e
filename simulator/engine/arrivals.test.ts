import { describe, expect, it } from 'vitest';
import { ArrivalSchedule, expectedArrivals, timeForArrivals, type RateProfile } from './arrivals.ts';
import { Prng } from './prng.ts';

function drain(schedule: ArrivalSchedule, limit = 1_000_000): number[] {
  const times: number[] = [];
  for (let i = 0; i < limit; i++) {
    const t = schedule.next();
    if (t === undefined) break;
    times.push(t);
  }
  return times;
}

describe('arrival schedule', () => {
  it('holds a flat rate exactly: 20/s for 10 s is 200 evenly spaced arrivals', () => {
    const times = drain(new ArrivalSchedule({ rate: 20, rampUpSeconds: 0, rampDownSeconds: 0, durationSeconds: 10 }));
    expect(times).toHaveLength(200);
    expect(times[0]).toBeCloseTo(0.025, 9);
    expect(times[199]).toBeCloseTo(9.975, 9);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeCloseTo(0.05, 9);
  });

  it('counts per second follow the ramp up, plateau and ramp down', () => {
    const profile: RateProfile = { rate: 10, rampUpSeconds: 4, rampDownSeconds: 4, durationSeconds: 20 };
    const times = drain(new ArrivalSchedule(profile));
    // total = r (T - u/2 - d/2) = 10 × 16
    expect(times).toHaveLength(160);
    const perSecond = Array.from({ length: 20 }, (_, s) => times.filter((t) => t >= s && t < s + 1).length);
    expect(perSecond[0]).toBeLessThan(perSecond[3]!);
    expect(perSecond.slice(5, 15).every((n) => n === 10)).toBe(true);
    expect(perSecond[19]).toBeLessThan(perSecond[16]!);
    expect(times.every((t) => t < 20)).toBe(true);
  });

  it('timeForArrivals inverts expectedArrivals on every segment', () => {
    const profile: RateProfile = { rate: 7, rampUpSeconds: 3, rampDownSeconds: 5, durationSeconds: 30 };
    for (const t of [0.5, 2.9, 3, 10, 24.99, 26, 29.5]) {
      expect(timeForArrivals(profile, expectedArrivals(profile, t))).toBeCloseTo(t, 6);
    }
    expect(timeForArrivals(profile, expectedArrivals(profile, 30) + 1)).toBeUndefined();
  });

  it('runs without end when there is no duration, and ignores the ramp down', () => {
    const schedule = new ArrivalSchedule({ rate: 100, rampUpSeconds: 0, rampDownSeconds: 10 });
    const times = drain(schedule, 50_000);
    expect(times).toHaveLength(50_000);
    expect(times[49_999]).toBeCloseTo(499.995, 6);
  });

  it('shrinks ramps longer than the run', () => {
    const times = drain(new ArrivalSchedule({ rate: 10, rampUpSeconds: 10, rampDownSeconds: 10, durationSeconds: 10 }));
    // a triangle of height 10 over 10 s: 50 arrivals
    expect(times).toHaveLength(50);
  });

  it('poisson arrivals are seeded and keep the mean rate', () => {
    const profile: RateProfile = { rate: 50, rampUpSeconds: 0, rampDownSeconds: 0, durationSeconds: 100 };
    const a = drain(new ArrivalSchedule(profile, 'poisson', new Prng(5)));
    const b = drain(new ArrivalSchedule(profile, 'poisson', new Prng(5)));
    expect(a).toEqual(b);
    // Poisson(5000): sd ≈ 71
    expect(Math.abs(a.length - 5000)).toBeLessThan(4.5 * Math.sqrt(5000));
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new ArrivalSchedule({ rate: 0, rampUpSeconds: 0, rampDownSeconds: 0 })).toThrow(RangeError);
  });
});

describe('arrival stages (the load-test profiles)', () => {
  it('follows stages: ramp 0→10 over 10 s, hold 10 s, ramp to 0 over 10 s', () => {
    const profile: RateProfile = { rate: 10, rampUpSeconds: 0, rampDownSeconds: 0, stages: [{ target: 10, durationSeconds: 10 }, { target: 10, durationSeconds: 10 }, { target: 0, durationSeconds: 10 }] };
    // 50 + 100 + 50
    expect(drain(new ArrivalSchedule(profile))).toHaveLength(200);
    expect(expectedArrivals(profile, 10)).toBeCloseTo(50, 9);
    for (const t of [1, 9.5, 15, 21, 29]) expect(timeForArrivals(profile, expectedArrivals(profile, t))).toBeCloseTo(t, 6);
  });

  it('starts from startRate and jumps with a zero-length stage', () => {
    const profile: RateProfile = { rate: 30, rampUpSeconds: 0, rampDownSeconds: 0, startRate: 2, stages: [{ target: 2, durationSeconds: 10 }, { target: 30, durationSeconds: 0 }, { target: 30, durationSeconds: 5 }] };
    const times = drain(new ArrivalSchedule(profile));
    expect(times).toHaveLength(20 + 150);
    expect(times.filter((t) => t < 10)).toHaveLength(20);
  });

  it('rejects stages that never send anything, or negative ones', () => {
    expect(() => new ArrivalSchedule({ rate: 1, rampUpSeconds: 0, rampDownSeconds: 0, stages: [{ target: 0, durationSeconds: 10 }] })).toThrow(RangeError);
    expect(() => new ArrivalSchedule({ rate: 1, rampUpSeconds: 0, rampDownSeconds: 0, stages: [{ target: 5, durationSeconds: -1 }] })).toThrow(RangeError);
  });
});
