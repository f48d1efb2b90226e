// Starts the real shop (app/server.ts startServer) in a child process for sections 2-5 and
// stops it again. The child is this bench's own process: it is stopped by its pid, and it
// also exits by itself when the bench's end of its stdin closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbConfig, LogLevel } from '../app/config.ts';

export interface ShopSpec {
  db: DbConfig;
  metricsEnabled: boolean;
  requestLogging: boolean;
  logLevel: LogLevel;
  errorInjection: boolean;
  /** wait for migrations before saying ready (false when no database is needed) */
  waitForSchema: boolean;
}

export interface ShopProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./shop-child.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const live = new Set<ChildProcess>();

/** Stops every shop this bench started (Ctrl-C, or a section that failed midway). */
export async function stopAllShops(): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c)));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(6_000).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2_000)]);
  }
  live.delete(child);
}

export async function startShopProcess(spec: ShopSpec, timeoutMs = 90_000): Promise<ShopProcess> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, CHILD], {
    env: { ...process.env, BENCH_SHOP_SPEC: JSON.stringify(spec) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the shop did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const ready = /^BENCH_SHOP_READY (\S+)$/m.exec(out);
      const failed = /^BENCH_SHOP_FAILED (.*)$/m.exec(out);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1] as string);
      } else if (failed) {
        clearTimeout(timer);
        reject(new Error(`the shop did not start: ${failed[1] ?? ''}`));
      }
      if (out.length > 10_000) out = out.slice(-1_000);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the shop exited while starting (${signal ?? `code ${String(code)}`})${stderr ? `: ${stderr.trim().split('\n').slice(-5).join(' | ')}` : ''}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  }).catch(async (err: unknown) => {
    await stopChild(child);
    throw err;
  });
  return { url, pid: child.pid ?? -1, stop: () => stopChild(child) };
}
