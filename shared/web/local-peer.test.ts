import { describe, expect, it } from 'vitest';
import { defaultGateway, isLocalPeer } from './local-peer.ts';

const ROUTES = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010012AC\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
`;

describe('who may use the flags API', () => {
  it('reads the default gateway from /proc/net/route', () => {
    expect(defaultGateway(ROUTES)).toBe('172.18.0.1');
    expect(defaultGateway('Iface\tDestination\tGateway\n')).toBeUndefined();
  });

  it('is loopback or the gateway (the host, through Docker), nobody else', () => {
    expect(isLocalPeer('127.0.0.1', undefined)).toBe(true);
    expect(isLocalPeer('::1', undefined)).toBe(true);
    expect(isLocalPeer('::ffff:127.0.0.1', undefined)).toBe(true);
    expect(isLocalPeer('::ffff:172.18.0.1', '172.18.0.1')).toBe(true);
    expect(isLocalPeer('172.18.0.7', '172.18.0.1')).toBe(false);
    expect(isLocalPeer('10.0.0.5', undefined)).toBe(false);
    expect(isLocalPeer(undefined, '172.18.0.1')).toBe(false);
  });
});
