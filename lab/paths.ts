// The host folders and sockets a lab's containers mount, one set per compose project under
// .lab/<project>/ (so the labs the tests run side by side never share one), and the folders
// the CLI writes for the lab to read (drill reports). Reached as lab/paths.ts.
import { join, resolve } from 'node:path';
import { str } from '../shared/env.ts';
import { REPO_ROOT } from './config.ts';

type Env = Record<string, string | undefined>;

/** Host folder node-exporter's textfile collector reads for this compose project (mounted
 * read-only at /textfile): results of batch checks such as `stack verify` are written there.
 * One folder per project, so the stacks tests run side by side never read each other's. */
export function textfileDir(project: string, root: string = REPO_ROOT): string {
  return join(root, '.lab', project, 'textfile');
}

/**
 * Host folder of the sockets the host tools serve their metrics on (mounted read-only in
 * the Prometheus container at /run/lab-tools, relayed there: shared/tool-metrics.ts).
 */
export function toolSocketDir(project: string, root: string = REPO_ROOT): string {
  return join(root, '.lab', project, 'run');
}

/**
 * Host folder of the lab's fault flags file (flags.json, flagd's format), mounted read-write
 * in the shop's container at /flags: `smartshop flags` writes it here, the shop watches it.
 */
export function flagsDir(project: string, root: string = REPO_ROOT): string {
  return join(root, '.lab', project, 'flags');
}

/** The drill reports' folder (`smartshop chaos run`'s default --report-dir), which the console lists. */
export function reportsDir(root: string = REPO_ROOT): string {
  return join(root, 'reports');
}

/** Host folder of the lab's backups (`smartshop backup`), one folder per backup; BACKUP_DIR moves it. */
export function backupsDir(project: string, env: Env = process.env, root: string = REPO_ROOT): string {
  return env.BACKUP_DIR ? resolve(env.BACKUP_DIR) : join(root, '.lab', project, 'backups');
}

export function flagsFile(project: string, root: string = REPO_ROOT): string {
  return join(flagsDir(project, root), 'flags.json');
}

/** The flags file of the lab this environment names (COMPOSE_PROJECT_NAME). */
export function labFlagsFile(env: Env = process.env): string {
  return flagsFile(str(env, 'COMPOSE_PROJECT_NAME', 'smartshop'));
}

/** The socket `tool` (simulator, chaos) serves its metrics on for Prometheus. */
export function toolSocket(project: string, tool: 'simulator' | 'chaos', root: string = REPO_ROOT): string {
  return join(toolSocketDir(project, root), `${tool}.sock`);
}

/** The socket of `tool` for the lab this environment names (COMPOSE_PROJECT_NAME). */
export function labToolSocket(tool: 'simulator' | 'chaos', env: Env = process.env): string {
  return toolSocket(str(env, 'COMPOSE_PROJECT_NAME', 'smartshop'), tool);
}
