import { describe, expect, it } from 'vitest';
import { chooseRequestId, routeLabel } from './request-context.ts';

describe('route label', () => {
  it('joins the mount path and the route template', () => {
    expect(routeLabel({ baseUrl: '/api/orders', route: { path: '/validate/:id' } })).toBe('/api/orders/validate/:id');
    expect(routeLabel({ baseUrl: '/api/stats', route: { path: '/' } })).toBe('/api/stats');
    expect(routeLabel({ baseUrl: '', route: { path: '/' } })).toBe('/');
    expect(routeLabel({ baseUrl: '', route: { path: '/metrics' } })).toBe('/metrics');
  });
  it('is "unmatched" without a route and honours an explicit label', () => {
    expect(routeLabel({ baseUrl: '/api/orders' })).toBe('unmatched');
    expect(routeLabel({ baseUrl: '', explicit: '/ui' })).toBe('/ui');
  });
});

describe('request id', () => {
  it('keeps a sane incoming id and replaces anything else', () => {
    expect(chooseRequestId('abc-123')).toBe('abc-123');
    expect(chooseRequestId('bad id with spaces')).toMatch(/^[0-9a-f-]{36}$/);
    expect(chooseRequestId('x'.repeat(200))).toMatch(/^[0-9a-f-]{36}$/);
    expect(chooseRequestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
