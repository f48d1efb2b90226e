// HAProxy's view of the Galera servers, from its stats CSV (`/;csv` on the stats port): the
// one reader of it (stack readiness, the drills' observer and steady state, the bench).
// Statuses: UP, DOWN, "UP 1/2" (going down), "DOWN 1/2" (coming up), MAINT, NOLB ...
import { hostFor, type LabConfig } from './config.ts';

export interface HaproxyServer {
  backend: string;
  server: string;
  status: string;
}

/** The servers of every backend (no FRONTEND/BACKEND rows), found by the header's names. */
export function parseStatsCsv(csv: string): HaproxyServer[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0];
  if (!header?.startsWith('# ')) return [];
  const cols = header.slice(2).split(',');
  const px = cols.indexOf('pxname');
  const sv = cols.indexOf('svname');
  const st = cols.indexOf('status');
  if (px < 0 || sv < 0 || st < 0) return [];
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((f) => f[sv] !== 'FRONTEND' && f[sv] !== 'BACKEND' && (f[sv] ?? '') !== '')
    .map((f) => ({ backend: f[px] ?? '', server: f[sv] ?? '', status: f[st] ?? '' }));
}

/** DOWN (or going down, or in maintenance) means HAProxy no longer sends it new connections. */
export function isOut(status: string): boolean {
  return /^(DOWN|MAINT|NOLB)/.test(status) && !/^DOWN \d+\/\d+/.test(status);
}

/** fully UP: "UP 1/2" is an UP server that already failed a check (going down) */
export function isUp(status: string): boolean {
  return status === 'UP' || status === 'no check';
}

/** Server statuses of the galera backend; undefined when HAProxy does not answer. */
export async function fetchHaproxyServers(statsUrl: string, timeoutMs = 2_000): Promise<HaproxyServer[] | undefined> {
  try {
    const res = await fetch(`${statsUrl.replace(/\/+$/, '')}/;csv`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return parseStatsCsv(await res.text()).filter((s) => s.backend === 'galera');
  } catch {
    return undefined;
  }
}

/** The galera backend's servers of a lab, from its published stats port; [] when HAProxy does not answer. */
export async function haproxyServers(config: LabConfig): Promise<HaproxyServer[]> {
  return (await fetchHaproxyServers(`http://${hostFor(config)}:${config.ports.haproxyStats}`, 3_000)) ?? [];
}
