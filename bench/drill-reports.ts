// The chaos drills' JSON reports as the bench's report-reading sections find them (6 and 11):
// the newest files first in `smartshop chaos run`'s folders, each parsed by the section's own
// reader; a file too big or not JSON is named, not fatal. The bench runs no drill itself.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** where `smartshop chaos run` writes (--report-dir, default reports/) and reports/chaos */
export const REPORT_DIRS = ['reports/chaos', 'reports'];
const MAX_FILES = 500;
const MAX_BYTES = 20 * 1024 * 1024;

export function drillCommand(drill: string): string {
  return `node bin/smartshop.js chaos run ${drill}`;
}

/** Every report of one of `drills` under `root`, read by `parse` (undefined: not one of them). */
export async function readDrillReports<T>(root: string, drills: readonly string[], parse: (report: unknown, file: string) => T | undefined): Promise<{ figures: T[]; unreadable: string[] }> {
  const figures: T[] = [];
  const unreadable: string[] = [];
  for (const dir of REPORT_DIRS) {
    const abs = join(root, dir);
    const names = await readdir(abs).catch(() => [] as string[]);
    const candidates = names.filter((n) => n.endsWith('.json') && drills.some((d) => n.includes(d))).sort().reverse().slice(0, MAX_FILES);
    for (const name of candidates) {
      const file = join(abs, name);
      try {
        if ((await stat(file)).size > MAX_BYTES) continue;
        const f = parse(JSON.parse(await readFile(file, 'utf8')) as unknown, relative(root, file));
        if (f !== undefined) figures.push(f);
      } catch {
        unreadable.push(relative(root, file));
      }
    }
  }
  return { figures, unreadable };
}
