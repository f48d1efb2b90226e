// Writes grafana/dashboards/*.json from the dashboard code, and checks that the committed
// files are exactly what the code generates (CI runs the check).
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dashboards } from './catalog.ts';
import { renderDashboard } from './render.ts';

const DEFAULT_DASHBOARD_DIR = 'grafana/dashboards';

export function generateAll(): Map<string, string> {
  return new Map(dashboards.map((spec) => [spec.file, renderDashboard(spec)]));
}

export async function writeDashboards(dir: string = DEFAULT_DASHBOARD_DIR): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, json] of generateAll()) {
    await writeFile(join(dir, file), json);
    written.push(join(dir, file));
  }
  return written;
}

export interface CheckResult {
  missing: string[];
  differing: string[];
  // JSON files in the folder that no dashboard generates (stale after a rename).
  unexpected: string[];
}

export async function checkDashboards(dir: string = DEFAULT_DASHBOARD_DIR): Promise<CheckResult> {
  const result: CheckResult = { missing: [], differing: [], unexpected: [] };
  const generated = generateAll();
  const present = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
  for (const [file, json] of generated) {
    if (!present.includes(file)) result.missing.push(file);
    else if ((await readFile(join(dir, file), 'utf8')) !== json) result.differing.push(file);
  }
  result.unexpected = present.filter((f) => !generated.has(f)).sort();
  return result;
}
