import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidatePrefixes, choosePrefix, parseCidr, parseRoutes, predatesOwnSubnet, resolveBackTierPrefix } from './back-tier.ts';

// /proc/net/route as Linux writes it: docker0 172.17.0.0/16 and a VPN's 10.213.0.0/16
const ROUTES = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	00000000	0100A8C0	0003	0	0	100	00000000	0	0	0
docker0	000011AC	00000000	0001	0	0	0	0000FFFF	0	0	0
tun0	0000D50A	00000000	0001	0	0	0	0000FFFF	0	0	0
`;

describe('the back-tier subnet', () => {
  it('reads host routes, the default route aside', () => {
    const routes = parseRoutes(ROUTES);
    expect(routes.map((r) => r.what)).toEqual(['host route on docker0', 'host route on tun0']);
    expect(routes[0]).toMatchObject({ ...parseCidr('172.17.0.0/16', 'x'), what: 'host route on docker0' });
  });

  it('gives each project its own first /24, the same on every call', () => {
    expect(candidatePrefixes('smartshop')[0]).toBe(candidatePrefixes('smartshop')[0]);
    const firsts = new Set(['smartshop', 'smartshop-test', 'smartshop-chaos', 'smartshop-galera-test', 'smartshop-swarm-ci', 'smartshop-integrity'].map((p) => candidatePrefixes(p)[0]));
    expect(firsts.size).toBe(6);
    expect(candidatePrefixes('smartshop')).toHaveLength(256);
  });

  it('keeps the subnet of the lab\'s own network, moves past one another network uses, and ignores IPv6', () => {
    const mine = candidatePrefixes('lab-a')[0] as string;
    expect(choosePrefix('lab-a', mine, false, [{ name: 'lab-a_back-tier', subnets: ['10.213.99.0/24'] }], [])).toBe('10.213.99');
    expect(choosePrefix('lab-a', mine, false, [{ name: 'other_back-tier', subnets: [`${mine}.0/24`, 'fd00::/64'] }], [])).toBe(candidatePrefixes('lab-a')[1]);
    // a lab made before: its own /16 from Docker's pool neither holds nor blocks
    expect(choosePrefix('lab-a', mine, false, [{ name: 'lab-a_back-tier', subnets: [`${mine}.0/16`] }], [])).toBe(mine);
  });

  it('knows a back-tier made before it had a /24 of its own', () => {
    expect(predatesOwnSubnet('lab-a', [{ name: 'lab-a_back-tier', subnets: ['172.20.0.0/16'] }])).toBe(true);
    expect(predatesOwnSubnet('lab-a', [{ name: 'lab-a_back-tier', subnets: ['10.213.4.0/24'] }])).toBe(false);
    expect(predatesOwnSubnet('lab-a', [{ name: 'other_back-tier', subnets: ['172.20.0.0/16'] }])).toBe(false);
  });

  it('refuses a pinned prefix that overlaps a route, naming it', () => {
    expect(() => choosePrefix('lab-a', '10.213.5', true, [], parseRoutes(ROUTES))).toThrow(/LAB_BACK_TIER_PREFIX=10.213.5: .*host route on tun0/);
    expect(() => choosePrefix('lab-a', '10.213.5', false, [], parseRoutes(ROUTES))).toThrow(/no free \/24/);
  });

  it('takes LAB_BACK_TIER_PREFIX, else what the lab remembered, else its first candidate', () => {
    const root = mkdtempSync(join(tmpdir(), 'back-tier-'));
    expect(resolveBackTierPrefix('lab-b', {}, root)).toBe(candidatePrefixes('lab-b')[0]);
    mkdirSync(join(root, '.lab', 'lab-b'), { recursive: true });
    writeFileSync(join(root, '.lab', 'lab-b', 'back-tier'), '10.213.200\n');
    expect(resolveBackTierPrefix('lab-b', {}, root)).toBe('10.213.200');
    expect(resolveBackTierPrefix('lab-b', { LAB_BACK_TIER_PREFIX: '10.50.1' }, root)).toBe('10.50.1');
    expect(() => resolveBackTierPrefix('lab-b', { LAB_BACK_TIER_PREFIX: '10.50.1.0/24' }, root)).toThrow(/first three numbers/);
  });
});
