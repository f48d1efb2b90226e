// The fault made visible to Prometheus: while a drill runs, the runner serves
// chaos_fault_active{drill,target} (1 while the fault is injected) and
// chaos_injections_total{drill,target} and chaos_drill_phase{drill,phase} on 127.0.0.1:9465/metrics (CHAOS_METRICS_PORT,
// 0 = off) and on the lab's socket, which Prometheus scrapes as job `chaos`. Its own registry,
// so nothing else in the process leaks into the series.
import { Counter, Gauge, Registry } from 'prom-client';
import { serveToolMetrics, type ToolMetricsServer } from '../../shared/tool-metrics.ts';

export class ChaosMetrics {
  readonly registry = new Registry();
  readonly faultActive = new Gauge({ name: 'chaos_fault_active', help: '1 while a chaos drill fault is injected', labelNames: ['drill', 'target'], registers: [this.registry] });
  /** the lab page and the chaos dashboard show which phase a drill is in */
  readonly phase = new Gauge({ name: 'chaos_drill_phase', help: '1 for the phase the running drill is in (steady-state-hypothesis, method, rollbacks, recovery, judgement, report)', labelNames: ['drill', 'phase'], registers: [this.registry] });
  readonly injections = new Counter({ name: 'chaos_injections_total', help: 'Chaos faults injected', labelNames: ['drill', 'target'], registers: [this.registry] });
  private server: ToolMetricsServer | undefined;

  /**
   * Serves /metrics on 127.0.0.1:port and on the lab's socket for Prometheus
   * (shared/tool-metrics.ts); what cannot be served is reported, never fatal.
   */
  async serve(port: number, socketPath?: string): Promise<string | undefined> {
    if (port <= 0) return undefined;
    this.server = await serveToolMetrics(this.registry, { port, socketPath });
    return this.server.warnings.length > 0 ? `chaos ${this.server.warnings.join('; ')}` : undefined;
  }

  /** Marks `phase` as the drill's current one (the others 0). */
  enterPhase(drill: string, phase: string, all: readonly string[]): void {
    for (const p of all) this.phase.set({ drill, phase: p }, p === phase ? 1 : 0);
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await s.close();
  }
}
