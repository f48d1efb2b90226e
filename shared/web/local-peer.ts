// Who may flip the lab's faults over HTTP: this machine only. Outside a container that is a
// loopback peer; inside the shop's container a request from the host arrives through Docker's
// port publishing from the bridge's gateway, the host's own address on that network, so the
// gateway counts as this machine too. Any other container on the lab's networks does not.
import { readFileSync } from 'node:fs';

/** The IPv4 default gateway from /proc/net/route (hex, little-endian), or undefined. */
export function defaultGateway(routeTable: string): string | undefined {
  for (const line of routeTable.split('\n').slice(1)) {
    const [, destination, gateway] = line.trim().split(/\s+/);
    if (destination === '00000000' && gateway && /^[0-9A-F]{8}$/i.test(gateway)) {
      const n = Number.parseInt(gateway, 16);
      return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
    }
  }
  return undefined;
}

function readGateway(): string | undefined {
  try {
    return defaultGateway(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    return undefined;
  }
}

export function isLocalPeer(address: string | undefined, gateway: string | undefined = readGateway()): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || v4.startsWith('127.') || (gateway !== undefined && v4 === gateway);
}
