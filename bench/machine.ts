// The machine the figures were measured on and the versions of what was measured.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { promisify } from 'node:util';
import type { MachineInfo } from './report.ts';

const execFileAsync = promisify(execFile);

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown',
    cores: list.length,
    memoryBytes: totalmem(),
    os: `${osType()} ${release()} (${process.arch})`,
    loadAverageStart: loadavg(),
  };
}

/** A package's installed version, or "not installed". */
export function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

/** The checkout's commit (short), with "+changes" when the tree is dirty; "unknown" outside git. */
export async function gitCommit(cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', ['rev-parse', '--short', 'HEAD'], { cwd, timeout: 5_000 });
    const { stdout: status } = await execFileAsync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, timeout: 5_000 });
    return `${stdout.trim()}${status.trim() === '' ? '' : ' (+ uncommitted changes)'}`;
  } catch {
    return 'unknown';
  }
}

/** HAProxy's version from its Prometheus endpoint (haproxy_process_build_info), else its stats page. */
export async function haproxyVersion(statsBase: string): Promise<string | undefined> {
  const get = async (path: string): Promise<string | undefined> => {
    try {
      const res = await fetch(`${statsBase}${path}`, { signal: AbortSignal.timeout(3_000) });
      return res.ok ? await res.text() : undefined;
    } catch {
      return undefined;
    }
  };
  const metrics = await get('/metrics');
  const m = metrics === undefined ? null : /haproxy_process_build_info\{[^}]*version="([^"]+)"/.exec(metrics);
  if (m) return m[1];
  const page = await get('/');
  const p = page === undefined ? null : /HAProxy version ([^\s,<]+)/i.exec(page);
  return p ? p[1] : undefined;
}
