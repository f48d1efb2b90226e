// A small JSON HTTP client on Node's fetch. It never throws for what a network does
// (HTTP errors, timeouts, refused connections): it returns an outcome the caller counts,
// because the simulator, the chaos probes and the benchmarks all need to keep going
// and report what a client saw rather than crash on the first 503.
import { performance } from 'node:perf_hooks';

export interface HttpClientOptions {
  /** e.g. http://127.0.0.1:8000 (a trailing slash is ignored) */
  baseUrl: string;
  /** per request, covering headers and body; default 10 s */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface RequestOptions {
  /** sent as JSON when defined */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** aborting this (e.g. a run being stopped) ends the request as an `error` with code ABORTED */
  signal?: AbortSignal;
}

interface HttpResponseOutcome {
  kind: 'response';
  status: number;
  headers: Headers;
  /** parsed JSON, or undefined when the body is empty or not JSON */
  body: unknown;
  text: string;
  durationMs: number;
}
interface HttpTimeoutOutcome {
  kind: 'timeout';
  durationMs: number;
}
interface HttpErrorOutcome {
  kind: 'error';
  /** ECONNREFUSED, ECONNRESET, ENOTFOUND, ABORTED, ... or UNKNOWN */
  code: string;
  message: string;
  durationMs: number;
}
export type HttpOutcome = HttpResponseOutcome | HttpTimeoutOutcome | HttpErrorOutcome;

/** Thrown only by the `*OrThrow` helpers, for callers that want exceptions. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly outcome: HttpOutcome,
  ) {
    super(message);
  }
}

export class HttpClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.headers = options.headers ?? {};
  }

  url(path: string): string {
    return this.baseUrl + (path.startsWith('/') ? path : `/${path}`);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpOutcome> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers, ...options.headers };
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    // every write says JSON, with or without a body: the shop refuses any other (no simple
    // cross-site request can be one)
    if (payload !== undefined || (method !== 'GET' && method !== 'HEAD')) headers['content-type'] = 'application/json';
    const started = performance.now();
    try {
      const res = await fetch(this.url(path), { method, headers, body: payload, signal });
      const text = await res.text(); // the timeout covers the body too
      return { kind: 'response', status: res.status, headers: res.headers, body: parseJson(text), text, durationMs: performance.now() - started };
    } catch (err) {
      const durationMs = performance.now() - started;
      if (timeout.aborted) return { kind: 'timeout', durationMs };
      if (options.signal?.aborted) return { kind: 'error', code: 'ABORTED', message: 'request aborted', durationMs };
      return { kind: 'error', code: errorCode(err), message: errorMessage(err), durationMs };
    }
  }

  get(path: string, options?: RequestOptions): Promise<HttpOutcome> {
    return this.request('GET', path, options);
  }

  post(path: string, body?: unknown, options: RequestOptions = {}): Promise<HttpOutcome> {
    return this.request('POST', path, { ...options, body });
  }

  /** GET a JSON body, throwing HttpError unless the status is 2xx. */
  async getJsonOrThrow<T>(path: string, options?: RequestOptions): Promise<T> {
    const outcome = await this.get(path, options);
    if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) return outcome.body as T;
    throw new HttpError(`GET ${this.url(path)}: ${describeOutcome(outcome)}`, outcome);
  }
}

/** "HTTP 503", "timeout after 10000 ms", "ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:8000)" */
export function describeOutcome(outcome: HttpOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return `HTTP ${outcome.status}`;
    case 'timeout':
      return `timeout after ${Math.round(outcome.durationMs)} ms`;
    case 'error':
      if (outcome.code === 'UNKNOWN') return outcome.message || 'UNKNOWN';
      return outcome.message && outcome.message !== outcome.code ? `${outcome.code} (${outcome.message})` : outcome.code;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// fetch wraps network failures as TypeError('fetch failed') with the system error as `cause`.
function errorCode(err: unknown): string {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && cur !== null && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const errors = (cur as { errors?: unknown }).errors; // AggregateError (e.g. IPv4 + IPv6 both refused)
    if (Array.isArray(errors) && errors.length > 0) {
      cur = errors[0];
      continue;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause;
    return cause instanceof Error && cause.message ? cause.message : err.message;
  }
  return String(err);
}
