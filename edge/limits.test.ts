import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_NAME, describeLimits, groupOf, LimitsError, parseLimits, policyFor, readLimits } from './limits.ts';

describe('the edge limits file', () => {
  const limits = readLimits();

  it('holds the seed values: 10 requests per second, burst 20 light, 5 products, 2 orders', () => {
    expect(policyFor(limits, 'ip:172.18.0.1', '/api/users/create')).toMatchObject({ rate: 10, burst: 20 });
    expect(policyFor(limits, 'sim-1', '/api/products')).toMatchObject({ rate: 10, burst: 5 });
    expect(policyFor(limits, 'sim-1', '/api/orders/create')).toMatchObject({ rate: 10, burst: 2 });
    expect(policyFor(limits, 'sim-1', '/api/payments/process/7')).toMatchObject({ group: 'orders' });
  });

  it("exempts the lab's own tools (lab-*) from every group, and nobody else by their name", () => {
    for (const path of ['/api/orders/create', '/api/products', '/api/stats']) expect(policyFor(limits, 'lab-tools', path)).toBeUndefined();
    expect(policyFor(limits, 'sim-lab-1', '/api/orders/create')).toMatchObject({ group: 'orders' });
    expect(policyFor(limits, 'ip:10.0.0.7', '/api/orders/create')).toMatchObject({ group: 'orders' });
  });

  it('exempts health checks only (of the routes); a path in capitals is the same route, a path no line names is light', () => {
    expect(policyFor(limits, 'sim-1', '/api/health')).toBeUndefined();
    expect(groupOf(limits, '/api/health')).toBe('exempt');
    expect(policyFor(limits, 'sim-1', '/API/Orders/create')).toMatchObject({ group: 'orders', burst: 2 });
    expect(policyFor(limits, 'sim-1', '/')).toMatchObject({ group: 'light', burst: 20 });
    expect(policyFor(limits, 'sim-1', '/metrics')).toMatchObject({ group: 'light' });
  });

  it('names its clients by the rule the edge applies', () => {
    const cfg = readFileSync(new URL('./haproxy.cfg', import.meta.url), 'utf8');
    expect(cfg).toContain(`req.fhdr(x-smartshop-client) -m reg ${CLIENT_NAME.source}`);
    expect(CLIENT_NAME.test('sim-3f2a-17')).toBe(true);
    expect(CLIENT_NAME.test('Sim 1')).toBe(false);
  });

  it('shows every policy', () => {
    const text = describeLimits(limits).join('\n');
    expect(text).toMatch(/default\/orders\s+10\s+2/);
    expect(text).toContain('draft-ietf-httpapi-ratelimit-headers-11');
  });

  it('has a weakening with the same route groups and no policy at all (the flood drill\'s own test)', () => {
    const off = readLimits(fileURLToPath(new URL('./limits-off.map', import.meta.url)));
    expect(off.policies).toEqual([]);
    expect(off.routes).toEqual(limits.routes);
  });

  it('refuses what the edge would misread, naming the line', () => {
    expect(() => parseLimits('policy:default/orders 3:2')).toThrow(/limits.map:1: "3:2"/);
    expect(() => parseLimits('\nroute:api/orders orders')).toThrow(/limits.map:2: a route prefix starts with \//);
    expect(() => parseLimits('route:/api/Orders orders')).toThrow(/a route prefix is in lower case/);
    expect(() => parseLimits('limit:x 1')).toThrow(LimitsError);
    expect(() => parseLimits('policy:default 10:2')).toThrow(/policy:<class>\/<group>/);
    expect(() => parseLimits('route:/api/x light extra')).toThrow(/expected "<key> <value>"/);
    // the edge forgets a client after 60 s: a bucket must drain within it
    expect(() => parseLimits('policy:default/orders 1:700')).toThrow(/takes over 60 s to drain/);
    expect(parseLimits('policy:default/orders 1:59').policies).toHaveLength(1);
  });
});
