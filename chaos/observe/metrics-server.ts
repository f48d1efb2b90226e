// The fault made visible to Prometheus: while a drill runs, the runner serves
// chaos_fault_active{drill,target} (1 while the fault is injected) and
// chaos_injections_total{drill,target} on :9465/metrics (CHAOS_METRICS_PORT, 0 = off).
// Prometheus scrapes it as job `chaos` at host.docker.internal:9465. Its own registry,
// so nothing else in the process leaks into the series.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';

export class ChaosMetrics {
  readonly registry = new Registry();
  readonly faultActive = new Gauge({ name: 'chaos_fault_active', help: '1 while a chaos drill fault is injected', labelNames: ['drill', 'target'], registers: [this.registry] });
  readonly injections = new Counter({ name: 'chaos_injections_total', help: 'Chaos faults injected', labelNames: ['drill', 'target'], registers: [this.registry] });
  private server: Server | undefined;

  /** Serves /metrics; a busy port is reported, never fatal. */
  async serve(port: number, host = '0.0.0.0'): Promise<string | undefined> {
    if (port <= 0) return undefined;
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/metrics')) {
        this.registry
          .metrics()
          .then((body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body))
          .catch((err: unknown) => res.writeHead(500).end(String(err)));
      } else {
        res.writeHead(404).end('see /metrics\n');
      }
    });
    return new Promise((resolve) => {
      server.once('error', (err) => resolve(`chaos metrics not served on :${port}: ${err.message}`));
      server.listen(port, host, () => {
        this.server = server;
        resolve(undefined);
      });
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
