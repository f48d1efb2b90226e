// GET /api/reports: the drill reports the CLI and the tests wrote (a JSON file per run, with
// its Markdown and, when the traffic's samples were kept, an HTML page with its pictures),
// newest first; GET /reports/<file> serves one of them. The folder is the repository's
// `reports/`, mounted read-only: the console lists what is there and never writes it. Only a
// report's own files are served, as regular files (never a symbolic link: a link planted in
// the folder must not expose what the console's container can read).
import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { type Router } from 'express';
import { HttpError } from '../shared/web/http-error.ts';

/** A report's stem: `<startedAt with - for : and .>-<drill>` (chaos/report/write.ts). */
const STEM = String.raw`(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)-([a-z0-9-]+)`;
const REPORT_JSON = new RegExp(`^${STEM}\\.json$`);
/** What /reports serves: a report's JSON, Markdown, HTML page, pictures and screenshot, one folder deep at most. */
const SERVED = new RegExp(String.raw`^/(?:([\w-]+)/)?(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-[a-z0-9-]+\.(?:json|md|html|svg|png))$`);

interface ReportEntry {
  drill: string;
  startedAt: string;
  folder: string;
  verdict: string | null;
  json: string;
  md: string;
  html: string | null;
}

const isFile = (e: Dirent): boolean => e.isFile();

async function listFolder(dir: string, folder: string): Promise<ReportEntry[]> {
  const entries = await readdir(join(dir, folder), { withFileTypes: true }).catch(() => [] as Dirent[]);
  const present = new Set(entries.filter(isFile).map((e) => e.name));
  const prefix = folder === '' ? '' : `${folder}/`;
  return [...present].flatMap((name) => {
    const m = REPORT_JSON.exec(name);
    if (!m) return [];
    const stem = name.slice(0, -'.json'.length);
    return [{
      drill: m[2] as string, startedAt: m[1] as string, folder, verdict: null,
      json: `${prefix}${name}`, md: `${prefix}${stem}.md`, html: present.has(`${stem}.html`) ? `${prefix}${stem}.html` : null,
    }];
  });
}

/** Verdicts read from the reports' JSON, by path, while the file is unchanged: the page asks every 2 s. */
const verdicts = new Map<string, { mtimeMs: number; verdict: string | null }>();

async function verdictOf(path: string): Promise<string | null> {
  const st = await lstat(path);
  const known = verdicts.get(path);
  if (known && known.mtimeMs === st.mtimeMs) return known.verdict;
  let verdict: string | null;
  try {
    const report = JSON.parse(await readFile(path, 'utf8')) as { verdict?: { verdict?: unknown } };
    verdict = typeof report.verdict?.verdict === 'string' ? report.verdict.verdict : null;
  } catch {
    verdict = 'unreadable';
  }
  verdicts.set(path, { mtimeMs: st.mtimeMs, verdict });
  return verdict;
}

/** The newest `limit` reports in dir and its sub-folders, each with its verdict read from its JSON. */
async function listReports(dir: string, limit = 50): Promise<ReportEntry[]> {
  const top = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  const folders = ['', ...top.filter((e) => e.isDirectory() && /^[\w-]+$/.test(e.name)).map((e) => e.name)];
  const all = (await Promise.all(folders.map((f) => listFolder(dir, f)))).flat();
  const newest = all.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
  for (const entry of newest) entry.verdict = await verdictOf(join(dir, entry.json)).catch(() => 'unreadable');
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
  r.get(/^\/reports\//, async (req, res) => {
    const root = theDir();
    const m = SERVED.exec(req.path.slice('/reports'.length));
    if (!m) throw new HttpError(404, 'not_a_report', 'only the drill reports\' own files are served');
    const folder = m[1] ?? '';
    const file = join(root, folder, m[2] as string);
    const regular = (folder === '' || (await lstat(join(root, folder)).catch(() => undefined))?.isDirectory() === true)
      && (await lstat(file).catch(() => undefined))?.isFile() === true;
    if (!regular) throw new HttpError(404, 'not_found', 'no such report file');
    res.sendFile(file, { dotfiles: 'deny' });
  });
  return r;
}
