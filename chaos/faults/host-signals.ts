// Signals to a container's processes sent from the Docker host (/proc), not through `docker
// exec`: the pause fault's freeze and thaw. A SIGSTOP sent from inside the container (kill -1)
// also stops whatever exec is starting in it at that moment (the nodes' healthcheck runs every
// 3 s); that exec's `runc init` then holds the container's lock, every later exec, inspect and
// the thaw's own exec wait on it, and a drill hung in its rollback until the stopped
// processes were sent SIGCONT by hand from the host (seen on this machine). From the host the
// thaw reaches every stopped process, that one too. It needs the engine on this machine and
// the right to signal its processes (root); otherwise the callers fall back to docker exec.
import { readdir, readFile } from 'node:fs/promises';

export interface HostProcess {
  pid: number;
  /** the kernel's state letter: R, S, D, T (stopped), Z ... */
  state: string;
  /** its pid inside the container's namespace (1: the container's init) */
  nsPid: number;
}

/** State and innermost pid from a /proc/<pid>/status text. Pure. */
export function parseProcStatus(text: string): { state: string; nsPid: number | undefined } {
  const state = /^State:\s+(\S)/m.exec(text)?.[1] ?? '?';
  const ns = /^NSpid:\s+(.+)$/m.exec(text)?.[1]?.trim().split(/\s+/);
  const last = ns === undefined ? undefined : Number(ns[ns.length - 1]);
  return { state, nsPid: last !== undefined && Number.isInteger(last) ? last : undefined };
}

/** The processes whose cgroup names the container (cgroup v1 and v2 both carry its full id); [] when this host shows none. */
export async function containerProcesses(containerId: string): Promise<HostProcess[]> {
  if (!/^[0-9a-f]{64}$/.test(containerId)) return [];
  const found: HostProcess[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!(await readFile(`/proc/${entry}/cgroup`, 'utf8')).includes(containerId)) continue;
      const { state, nsPid } = parseProcStatus(await readFile(`/proc/${entry}/status`, 'utf8'));
      found.push({ pid: Number(entry), state, nsPid: nsPid ?? Number(entry) });
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/**
 * Sends the signal to every process of the container but its init, from this host. The
 * number of processes signalled, or undefined when it cannot be done from here (none seen,
 * or not allowed to signal one of them): nothing was sent then, so none is half frozen.
 */
export async function signalFromHost(containerId: string, signal: 'SIGSTOP' | 'SIGCONT'): Promise<number | undefined> {
  const procs = (await containerProcesses(containerId)).filter((p) => p.nsPid !== 1);
  if (procs.length === 0) return undefined;
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false; // gone meanwhile
      throw e;
    }
  };
  try {
    // permission first, for all of them: a freeze must be whole or not at all
    const live = procs.filter((p) => alive(p.pid));
    for (const p of live) {
      try {
        process.kill(p.pid, signal);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
    }
    return live.length;
  } catch {
    return undefined;
  }
}

/** How many of the container's processes are stopped (state T), seen from this host; undefined when it shows none of them. */
export async function stoppedFromHost(containerId: string): Promise<number | undefined> {
  const procs = await containerProcesses(containerId);
  return procs.length === 0 ? undefined : procs.filter((p) => p.state === 'T').length;
}
