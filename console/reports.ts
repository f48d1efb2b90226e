// GET /api/reports: the drill reports the CLI and the tests wrote (a JSON file per run, with
// its Markdown and, when the traffic's samples were kept, an HTML page with its pictures),
// newest first; GET /reports/<file> serves one of them. The folder is the repository's
// `reports/`, mounted read-only: the console lists what is there and never writes it.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { type Router } from 'express';
import { HttpError } from '../shared/web/http-error.ts';

/** A report's file name: `<startedAt with - for : and .>-<drill>.json` (chaos/report/write.ts). */
const REPORT_JSON = /^(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)-([a-z0-9-]+)\.json$/;
/** What /reports serves: the reports' own files, one folder deep at most. */
const SERVED = /^\/([\w-]+\/)?[\w.-]+\.(html|md|json|svg)$/;

interface ReportEntry {
  drill: string;
  startedAt: string;
  folder: string;
  verdict: string | null;
  json: string;
  md: string;
  html: string | null;
}

async function listFolder(dir: string, folder: string): Promise<ReportEntry[]> {
  const names = await readdir(join(dir, folder)).catch(() => [] as string[]);
  const present = new Set(names);
  const prefix = folder === '' ? '' : `${folder}/`;
  return names.flatMap((name) => {
    const m = REPORT_JSON.exec(name);
    if (!m) return [];
    const stem = name.slice(0, -'.json'.length);
    return [{
      drill: m[2] as string, startedAt: m[1] as string, folder, verdict: null,
      json: `${prefix}${name}`, md: `${prefix}${stem}.md`, html: present.has(`${stem}.html`) ? `${prefix}${stem}.html` : null,
    }];
  });
}

/** The newest `limit` reports in dir and its sub-folders, each with its verdict read from its JSON. */
async function listReports(dir: string, limit = 50): Promise<ReportEntry[]> {
  const top = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const folders = ['', ...top.filter((e) => e.isDirectory() && /^[\w-]+$/.test(e.name)).map((e) => e.name)];
  const all = (await Promise.all(folders.map((f) => listFolder(dir, f)))).flat();
  const newest = all.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
  for (const entry of newest) {
    try {
      const report = JSON.parse(await readFile(join(dir, entry.json), 'utf8')) as { verdict?: { verdict?: unknown } };
      entry.verdict = typeof report.verdict?.verdict === 'string' ? report.verdict.verdict : null;
    } catch {
      entry.verdict = 'unreadable';
    }
  }
  return newest;
}

export function reportsApi(dir: string | undefined): Router {
  const r = express.Router();
  const theDir = (): string => {
    if (dir === undefined) throw new HttpError(404, 'no_reports', 'this console reads no reports folder (REPORTS_DIR)');
    return dir;
  };
  r.get('/api/reports', async (_req, res) => {
    res.json({ reports: await listReports(theDir()) });
  });
  const files = dir === undefined ? undefined : express.static(dir, { index: false, dotfiles: 'deny', fallthrough: false });
  r.use('/reports', (req, res, next) => {
    theDir();
    if (!SERVED.test(req.path)) throw new HttpError(404, 'not_a_report', 'only the reports\' own files (.html, .md, .json, .svg) are served');
    files?.(req, res, next);
  });
  return r;
}
