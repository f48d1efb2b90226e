// The site guard's rules on their own: which Host names are answered, which writes are cross-site.
import { describe, expect, it } from 'vitest';
import { crossSiteReason, hostName, isAllowedHost } from './site-guard.ts';

const allowed = new Set(['localhost', 'app']);

describe('Host names', () => {
  it('are read without port, brackets or letter case', () => {
    expect(hostName('LocalHost:8000')).toBe('localhost');
    expect(hostName('[::1]:3000')).toBe('::1');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
  });
  it('answers IP literals, the allowed names and a missing Host; nothing else', () => {
    for (const h of ['127.0.0.1:8000', '[::1]:8000', '10.0.3.7:8000', 'localhost:3000', 'localhost.:3000', 'app:8000', undefined]) expect(isAllowedHost(h, allowed), String(h)).toBe(true);
    for (const h of ['rebind.evil.example:3000', 'localhost.evil.example', 'app.evil.example:8000', '127.0.0.1.nip.io']) expect(isAllowedHost(h, allowed), h).toBe(false);
  });
});

describe('cross-site writes', () => {
  it('reads pass whatever their origin', () => {
    expect(crossSiteReason('GET', { origin: 'http://evil.example', host: 'localhost:8000', fetchSite: 'cross-site' })).toBeUndefined();
  });
  it('a write from its own origin, or from no browser, passes', () => {
    expect(crossSiteReason('PUT', { origin: 'http://localhost:3000', host: 'localhost:3000', fetchSite: 'same-origin' })).toBeUndefined();
    expect(crossSiteReason('POST', { host: 'localhost:8000' })).toBeUndefined();
    expect(crossSiteReason('POST', { host: 'localhost:8000', fetchSite: 'none' })).toBeUndefined();
  });
  it('a write from another origin, port or a sandboxed page is refused', () => {
    expect(crossSiteReason('POST', { origin: 'http://evil.example', host: 'localhost:8000' })).toMatch(/not this site/);
    expect(crossSiteReason('POST', { origin: 'http://localhost:3000', host: 'localhost:8000' })).toMatch(/not this site/);
    expect(crossSiteReason('DELETE', { origin: 'null', host: 'localhost:8000' })).toMatch(/not this site/);
    expect(crossSiteReason('PUT', { host: 'localhost:8000', fetchSite: 'same-site' })).toMatch(/same-site/);
  });
});
