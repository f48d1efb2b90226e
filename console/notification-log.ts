// The receiver's JSON-lines file, bounded: rotated by size (n.jsonl -> n.jsonl.1 -> ... up to
// `keep` old files, the oldest dropped), and read back at start from the newest files as far
// as the memory bound allows. A line cut by a crash, a corrupt line or a file larger than the
// bound costs what it must (a warning names it), never the start: a receiver that cannot
// start loses every later notification.
import { appendFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Notification } from './notifications.ts';

export interface NotificationLogOptions {
  /** a file grows to this many bytes, then is rotated */
  maxFileBytes: number;
  /** rotated files kept beside the current one */
  keep: number;
  /** at most this many bytes are read back at start (the newest) */
  maxReadBytes: number;
  warn: (message: string) => void;
}

export class NotificationLog {
  private size = 0;

  constructor(
    readonly file: string,
    private readonly options: NotificationLogOptions,
  ) {}

  private rotated(n: number): string {
    return `${this.file}.${n}`;
  }

  /** The newest notifications on disk, oldest first, within maxReadBytes. */
  async load(): Promise<Notification[]> {
    await mkdir(dirname(this.file), { recursive: true });
    this.size = (await stat(this.file).catch(() => undefined))?.size ?? 0;
    const chunks: string[] = [];
    let budget = this.options.maxReadBytes;
    for (const path of [this.file, ...Array.from({ length: this.options.keep }, (_, i) => this.rotated(i + 1))]) {
      if (budget <= 0) break;
      const text = await this.readTail(path, budget);
      if (text === undefined) continue;
      budget -= Buffer.byteLength(text);
      chunks.unshift(text);
    }
    const notifications: Notification[] = [];
    let bad = 0;
    for (const line of chunks.join('\n').split('\n')) {
      if (line.trim() === '') continue;
      try {
        notifications.push(JSON.parse(line) as Notification);
      } catch {
        bad++;
      }
    }
    if (bad > 0) this.options.warn(`${bad} line(s) of ${this.file} were not JSON (cut by a crash, or corrupt): skipped`);
    return notifications;
  }

  /** The last `budget` bytes of a file, from its first whole line; undefined when there is no file. */
  private async readTail(path: string, budget: number): Promise<string | undefined> {
    const handle = await open(path, 'r').catch(() => undefined);
    if (handle === undefined) return undefined;
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, budget);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      let text = buffer.toString('utf8');
      if (length < size) {
        this.options.warn(`${path} has ${size} bytes, more than the ${budget} read back: only its newest notifications are kept in memory`);
        text = text.slice(text.indexOf('\n') + 1);
      }
      return text;
    } finally {
      await handle.close();
    }
  }

  async append(notifications: readonly Notification[]): Promise<void> {
    const text = notifications.map((n) => `${JSON.stringify(n)}\n`).join('');
    const bytes = Buffer.byteLength(text);
    if (this.size > 0 && this.size + bytes > this.options.maxFileBytes) await this.rotate();
    await appendFile(this.file, text);
    this.size += bytes;
  }

  private async rotate(): Promise<void> {
    await rm(this.rotated(this.options.keep), { force: true });
    for (let n = this.options.keep - 1; n >= 1; n--) await rename(this.rotated(n), this.rotated(n + 1)).catch(() => undefined);
    await rename(this.file, this.rotated(1));
    this.size = 0;
  }
}
