import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLoopback, tcpListeners } from './listeners.ts';

describe('tcpListeners', () => {
  it('finds a listener with its address, loopback or every interface', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const wide = createServer();
    await new Promise<void>((resolve) => wide.listen(0, '0.0.0.0', resolve));
    const widePort = (wide.address() as { port: number }).port;
    try {
      const listeners = tcpListeners();
      expect(listeners).toContainEqual({ address: '127.0.0.1', port });
      expect(listeners).toContainEqual({ address: '0.0.0.0', port: widePort });
      expect(isLoopback('127.0.0.1')).toBe(true);
      expect(isLoopback('0.0.0.0')).toBe(false);
      expect(isLoopback('::')).toBe(false);
    } finally {
      server.close();
      wide.close();
    }
  });
});
