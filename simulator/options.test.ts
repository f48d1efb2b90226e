import { describe, expect, it } from 'vitest';
import { DEFAULT_METRICS_PORT, DEFAULT_TARGET, hasRunFlags, parseCliFlags, parseRatio, parseTarget, UsageError } from './options.ts';

describe('parseRatio / parseTarget', () => {
  it('accepts 0..1 and rejects the rest with the flag name', () => {
    expect(parseRatio('--error-rate', '0')).toBe(0);
    expect(parseRatio('--error-rate', '1')).toBe(1);
    expect(() => parseRatio('--error-rate', '1.01')).toThrow(/--error-rate must be a number between 0 and 1/);
    expect(() => parseRatio('--error-rate', '-0.1')).toThrow(UsageError);
    expect(() => parseRatio('--error-rate', 'abc')).toThrow(UsageError);
    expect(() => parseRatio('--error-rate', ' ')).toThrow(UsageError);
  });

  it('normalises http(s) URLs and rejects others', () => {
    expect(parseTarget('http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000');
    expect(parseTarget('https://shop.example/base/')).toBe('https://shop.example/base');
    expect(() => parseTarget('localhost:8000')).toThrow(UsageError);
    expect(() => parseTarget('ftp://x')).toThrow(/http\(s\)/);
  });
});

describe('parseCliFlags', () => {
  it('defaults to a continuous run at 5 journeys/s against the local shop', () => {
    const plan = parseCliFlags({});
    expect(plan.mode).toBe('continuous');
    expect(plan.json).toBe(false);
    expect(plan.run).toMatchObject({ target: DEFAULT_TARGET, rate: 5, metricsPort: DEFAULT_METRICS_PORT, mode: 'continuous' });
    expect(plan.run.durationSeconds).toBeUndefined();
    expect(plan.run.cycles).toBeUndefined();
  });

  it('demo is two minutes at a moderate rate', () => {
    expect(parseCliFlags({ mode: 'demo' }).run).toMatchObject({ durationSeconds: 120, rate: 3 });
  });

  it('intensive is a closed loop of cycles; --cycles alone implies intensive', () => {
    const plan = parseCliFlags({ cycles: '250' });
    expect(plan.mode).toBe('intensive');
    expect(plan.run.cycles).toBe(250);
    expect(plan.run.rate).toBeUndefined();
    expect(parseCliFlags({ mode: 'intensive' }).run.cycles).toBe(100);
  });

  it('takes every flag', () => {
    const plan = parseCliFlags({
      mode: 'continuous',
      rate: '12.5',
      concurrency: '40',
      duration: '2m',
      paymentSuccess: '0.6',
      errorRate: '0.1',
      cancelRate: '0.2',
      fulfilmentWait: '0.5',
      rampUp: '10s',
      rampDown: '5s',
      arrival: 'poisson',
      timeout: '3s',
      statsEvery: '5s',
      target: 'http://10.0.0.5:8000',
      seed: '42',
      json: true,
      metricsPort: '0',
      ledger: '/tmp/l.json',
    });
    expect(plan).toEqual({
      mode: 'continuous',
      json: true,
      thresholds: [],
      ledgerFile: '/tmp/l.json',
      run: {
        mode: 'continuous',
        target: 'http://10.0.0.5:8000',
        rate: 12.5,
        concurrency: 40,
        durationSeconds: 120,
        rampUpSeconds: 10,
        rampDownSeconds: 5,
        arrival: 'poisson',
        timeoutMs: 3000,
        backgroundStatsSeconds: 5,
        seed: 42,
        metricsPort: 0,
        keepLedger: true,
        mix: { paymentSuccess: 0.6, errorRate: 0.1, cancelShare: 0.2, fulfilmentWait: 0.5 },
      },
    });
  });

  it('drops a ramp down when the run has no end', () => {
    expect(parseCliFlags({ rampDown: '10s' }).run.rampDownSeconds).toBe(0);
  });

  it.each([
    [{ rate: '0' }, /--rate must be a number greater than 0/],
    [{ rate: '-3' }, /--rate/],
    [{ concurrency: '0' }, /--concurrency must be a whole number between 1/],
    [{ concurrency: '2.5' }, /--concurrency/],
    [{ cycles: 'many' }, /--cycles/],
    [{ mode: 'turbo' }, /--mode must be one of continuous, intensive, demo/],
    [{ seed: '-1' }, /--seed/],
    [{ metricsPort: '70000' }, /--metrics-port/],
    [{ arrival: 'bursty' }, /--arrival/],
    [{ paymentSuccess: '80' }, /--payment-success must be a number between 0 and 1/],
    [{ duration: '2 minutes' }, /--duration must be a duration like 30s, 2m or 1h/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseCliFlags(raw)).toThrow(message);
  });

  it('knows which flags ask for a headless run (not --target or --metrics-port alone)', () => {
    expect(hasRunFlags({})).toBe(false);
    expect(hasRunFlags({ target: 'http://x', metricsPort: '0' })).toBe(false);
    expect(hasRunFlags({ json: true })).toBe(true);
    expect(hasRunFlags({ duration: '1m' })).toBe(true);
  });
});

describe('load-test profiles (--profile)', () => {
  it('runs the profile\'s stages, without injected errors, gated by its thresholds', () => {
    const plan = parseCliFlags({ profile: 'spike' });
    expect(plan.profile).toBe('spike');
    expect(plan.run.rate).toBe(30);
    expect(plan.run.startRate).toBe(2);
    expect(plan.run.durationSeconds).toBe(140);
    expect(plan.run.mix?.errorRate).toBe(0);
    expect(plan.thresholds.map((t) => t.text)).toContain('http_req_duration:p(95)<1500');
  });

  it('--rate sets the peak and --duration the length; --threshold replaces the profile\'s', () => {
    const plan = parseCliFlags({ profile: 'stress', rate: '40', duration: '150s', threshold: ['http_req_failed:rate<0.1'] });
    expect(plan.run.stages?.map((s) => s.target)).toEqual([10, 20, 40, 40, 0]);
    expect(plan.run.stages?.map((s) => s.durationSeconds)).toEqual([30, 30, 30, 30, 30]);
    expect(plan.thresholds.map((t) => t.text)).toEqual(['http_req_failed:rate<0.1']);
    expect(plan.junitFile).toBeUndefined();
  });

  it('waits on a share of paid orders in continuous and demo runs only, unless asked', () => {
    expect(parseCliFlags({}).run.mix?.fulfilmentWait).toBe(0.2);
    expect(parseCliFlags({ mode: 'demo' }).run.mix?.fulfilmentWait).toBe(0.2);
    expect(parseCliFlags({ mode: 'intensive' }).run.mix?.fulfilmentWait).toBe(0);
    expect(parseCliFlags({ profile: 'load' }).run.mix?.fulfilmentWait).toBe(0);
    expect(parseCliFlags({ profile: 'load', fulfilmentWait: '1' }).run.mix?.fulfilmentWait).toBe(1);
    expect(() => parseCliFlags({ fulfilmentWait: '2' })).toThrow(/--fulfilment-wait must be a number between 0 and 1/);
  });

  it('refuses an unknown profile and flags that fight its stages', () => {
    expect(() => parseCliFlags({ profile: 'marathon' })).toThrow(/--profile must be one of smoke, load, stress, spike, soak/);
    expect(() => parseCliFlags({ profile: 'load', rampUp: '5s' })).toThrow(/drop --ramp-up/);
    expect(() => parseCliFlags({ threshold: ['bogus'] })).toThrow(UsageError);
  });
});
