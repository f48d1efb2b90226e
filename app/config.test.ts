import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { ConfigError } from '../shared/env.ts';

describe('loadConfig', () => {
  it('has the contract defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8000);
    expect(c.uiPort).toBe(3000);
    expect(c.db).toMatchObject({ host: '127.0.0.1', port: 3306, user: 'smartshop', database: 'smartshop', poolSize: 10 });
    expect(c.paymentSuccessRatio).toBe(0.8);
    expect(c.errorInjectionEnabled).toBe(false);
    expect(c.metricsEnabled).toBe(true);
    expect(c.requestLogging).toBe(true);
    expect(c.logLevel).toBe('info');
  });
  it('reads overrides and turns UI_PORT=0 into no UI listener', () => {
    const c = loadConfig({ UI_PORT: '0', PAYMENT_SUCCESS_RATIO: '0.5', ERROR_INJECTION_ENABLED: 'true', LOG_LEVEL: 'debug' });
    expect(c.uiPort).toBeNull();
    expect(c.paymentSuccessRatio).toBe(0.5);
    expect(c.errorInjectionEnabled).toBe(true);
    expect(c.logLevel).toBe('debug');
  });
  it('leaves the retries to the database layer unless DB_MAX_ATTEMPTS says otherwise (1: none)', () => {
    expect(loadConfig({}).db.maxAttempts).toBeUndefined();
    expect(loadConfig({ DB_MAX_ATTEMPTS: '1' }).db.maxAttempts).toBe(1);
    expect(() => loadConfig({ DB_MAX_ATTEMPTS: '0' })).toThrow(/DB_MAX_ATTEMPTS/);
  });
  it('marks outbox rows after the confirm unless RELAY_MARK names the broken order', () => {
    expect(loadConfig({}).relayMark).toBe('after-confirm');
    expect(loadConfig({ RELAY_MARK: 'before-confirm' }).relayMark).toBe('before-confirm');
    expect(() => loadConfig({ RELAY_MARK: 'never' })).toThrow(/RELAY_MARK=never is not after-confirm or before-confirm/);
  });
  it('names the wrong variable', () => {
    expect(() => loadConfig({ PAYMENT_SUCCESS_RATIO: '1.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
