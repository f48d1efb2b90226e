// Runs docker compose for the lab: v2 (`docker compose`) where present, else
// Debian's docker-compose 1.29. Always the repo's compose file, the stack's
// project name and its environment (ports, durability), whatever the cwd.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { composeEnv, composeFiles } from './config.ts';
import { REPO_ROOT } from '../lab/index.ts';
import { ensureLabSecrets } from './secrets.ts';
import type { LabConfig } from '../lab/index.ts';

const execFileP = promisify(execFile);

let detected: string[] | undefined;

/** The compose command as argv prefix, or undefined when neither is installed. */
export async function composeCommand(): Promise<string[] | undefined> {
  if (detected) return detected;
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    try {
      const [bin = 'docker', ...rest] = candidate;
      await execFileP(bin, [...rest, 'version'], { timeout: 15_000 });
      detected = candidate;
      return detected;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

async function argv(config: LabConfig, args: string[]): Promise<{ bin: string; args: string[] }> {
  const cmd = await composeCommand();
  if (!cmd) throw new Error('docker compose is not installed: run scripts/host-setup.sh (as root on Debian)');
  // the compose file requires the lab's passwords, for every command (it interpolates all of it)
  await ensureLabSecrets(config.project);
  const [bin = 'docker', ...rest] = cmd;
  return { bin, args: [...rest, ...composeFiles(config), '--project-directory', REPO_ROOT, '-p', config.project, ...args] };
}

/** Runs compose with its output on our terminal; resolves with the exit code. */
export async function composeInherit(config: LabConfig, args: string[], profiles: string[] = []): Promise<number> {
  const { bin, args: full } = await argv(config, [...profiles.flatMap((p) => ['--profile', p]), ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, full, { stdio: 'inherit', env: composeEnv(config), cwd: REPO_ROOT });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** Runs compose and captures its output (for short queries). */
export async function composeCapture(config: LabConfig, args: string[], timeoutMs = 60_000): Promise<string> {
  const { bin, args: full } = await argv(config, args);
  const { stdout } = await execFileP(bin, full, { env: composeEnv(config), cwd: REPO_ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}
