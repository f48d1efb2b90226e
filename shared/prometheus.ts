// The one client of Prometheus' HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/):
// instant and range queries, alerts, rules, targets, Alertmanagers, readiness. Every part
// that asks Prometheus (the drills' steady state, the alert drills, the lab view, `stack
// up`'s readiness, the dashboards' verification) goes through it, so a timeout, an error
// answer or a change of the API is handled in one place. Every call is bounded in time.

/** One series of an instant query: its labels and its value (Prometheus sends numbers as strings). */
export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

/** One series of a range query: its labels and its points ([epoch seconds, value]). */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

export interface PromAlert {
  labels: Record<string, string> & { alertname: string };
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
}

export interface PromRule {
  name: string;
  type: 'alerting' | 'recording';
}

export interface PromTarget {
  job: string;
  instance: string;
  health: string;
  lastError: string;
}

/** What fetch must offer (a test passes a fake Prometheus). */
export type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

interface ApiAnswer<T> {
  status?: 'success' | 'error';
  data?: T;
  error?: string;
}

export class PrometheusClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly opts: { timeoutMs?: number; fetch?: Fetch } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** GET an API path; an error answer throws with Prometheus' own message. */
  private async api<T>(path: string): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const res = await (this.opts.fetch ?? fetch)(url, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000) });
    const body = (await res.json().catch(() => ({}))) as ApiAnswer<T>;
    if (body.status !== 'success' || body.data === undefined) throw new Error(`Prometheus ${path.split('?')[0]}: ${body.error ?? `HTTP ${res.status}`}`);
    return body.data;
  }

  async query(expr: string): Promise<InstantSample[]> {
    const data = await this.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    return data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  }

  /** The first series' value, or undefined when there is none yet (no traffic in the window) or it is not a number. */
  async scalar(expr: string): Promise<number | undefined> {
    const v = (await this.query(expr))[0]?.value;
    return v !== undefined && Number.isFinite(v) ? v : undefined;
  }

  async queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<RangeSeries[]> {
    const q = `query=${encodeURIComponent(expr)}&start=${start.getTime() / 1000}&end=${end.getTime() / 1000}&step=${stepSeconds}`;
    const data = await this.api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(`/api/v1/query_range?${q}`);
    return data.result.map((s) => ({ metric: s.metric, values: s.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
  }

  async alerts(): Promise<PromAlert[]> {
    return (await this.api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
  }

  async rules(type?: 'alert' | 'record'): Promise<PromRule[]> {
    const data = await this.api<{ groups: { rules: PromRule[] }[] }>(`/api/v1/rules${type ? `?type=${type}` : ''}`);
    return data.groups.flatMap((g) => g.rules.map((r) => ({ name: r.name, type: r.type })));
  }

  async targets(): Promise<PromTarget[]> {
    const data = await this.api<{ activeTargets?: { labels?: Record<string, string>; health?: string; lastError?: string }[] }>('/api/v1/targets');
    return (data.activeTargets ?? []).map((t) => ({
      job: t.labels?.job ?? '',
      instance: t.labels?.instance ?? '',
      health: t.health ?? 'unknown',
      lastError: t.lastError ?? '',
    }));
  }

  /** How many Alertmanagers Prometheus sends its alerts to now. */
  async alertmanagers(): Promise<number> {
    return ((await this.api<{ activeAlertmanagers?: unknown[] }>('/api/v1/alertmanagers')).activeAlertmanagers ?? []).length;
  }

  /** Whether Prometheus answers its readiness probe (never throws). */
  async ready(): Promise<boolean> {
    try {
      const res = await (this.opts.fetch ?? fetch)(`${this.baseUrl}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      return res.ok;
    } catch {
      return false;
    }
  }
}
