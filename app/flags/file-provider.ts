// An OpenFeature provider for the lab's flags file: flagd's own evaluation engine
// (@openfeature/flagd-core) fed from a file the lab mounts, re-read when it changes.
// @openfeature/flagd-provider's in-process mode can read a file too, but it brings gRPC and
// a sync protocol the lab does not run, and it does not apply the catalog's bounds; this
// is the small part left: watch the file, validate it (shared/feature-flags), keep the last
// good flags when a new file is refused, and tell the SDK the configuration changed.
import { stat, readFile } from 'node:fs/promises';
import { FlagdCore } from '@openfeature/flagd-core';
import {
  OpenFeatureEventEmitter, ProviderEvents,
  type EvaluationContext, type JsonValue, type Logger, type Provider, type ResolutionDetails,
} from '@openfeature/server-sdk';
import { parseFlagFile } from '../../shared/feature-flags/flag-file.ts';

export interface FileProviderOptions {
  path: string;
  /** how often the file's mtime and size are compared (bind mounts do not always pass inotify) */
  pollMs?: number;
  /** called with the reason when a changed file is refused */
  onRefused?: (message: string) => void;
}

export class FlagFileProvider implements Provider {
  readonly metadata = { name: 'smartshop-flag-file' } as const;
  readonly runsOn = 'server';
  readonly events = new OpenFeatureEventEmitter();
  private readonly core = new FlagdCore();
  private timer: NodeJS.Timeout | undefined;
  private seen = '';
  /** the last refusal (the metric smartshop_feature_flags_file_refused); undefined once a good file is read */
  lastError: string | undefined;

  constructor(private readonly o: FileProviderOptions) {}

  async initialize(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload(), this.o.pollMs ?? 500);
    this.timer.unref();
  }

  onClose(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }

  /** Reads the file when it changed; true when new flags were taken. */
  async reload(): Promise<boolean> {
    const st = await stat(this.o.path).catch(() => undefined);
    const mark = st ? `${st.mtimeMs}:${st.size}:${st.ino}` : 'missing';
    if (mark === this.seen) return false;
    this.seen = mark;
    const text = st ? await readFile(this.o.path, 'utf8').catch(() => undefined) : undefined;
    // no file (yet): every flag at its default, which is what an empty flag set evaluates to
    const next = text ?? '{"flags":{}}';
    try {
      parseFlagFile(next, this.o.path);
      const changed = this.core.setConfigurations(next);
      this.lastError = undefined;
      this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: changed });
      return true;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.o.onRefused?.(this.lastError);
      return false;
    }
  }

  resolveBooleanEvaluation(key: string, fallback: boolean, ctx: EvaluationContext, logger: Logger): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.core.resolveBooleanEvaluation(key, fallback, ctx, logger));
  }

  resolveStringEvaluation(key: string, fallback: string, ctx: EvaluationContext, logger: Logger): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.core.resolveStringEvaluation(key, fallback, ctx, logger));
  }

  resolveNumberEvaluation(key: string, fallback: number, ctx: EvaluationContext, logger: Logger): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.core.resolveNumberEvaluation(key, fallback, ctx, logger));
  }

  resolveObjectEvaluation<T extends JsonValue>(key: string, fallback: T, ctx: EvaluationContext, logger: Logger): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.core.resolveObjectEvaluation(key, fallback, ctx, logger));
  }
}
