// `smartshop stack up|down|status --swarm`: the lab as a Docker Swarm stack. The work is
// scripts/swarm-deploy.sh (also usable without Node, e.g. from Ansible or by hand); this
// runs it with the same environment (.env, ports) and passes its exit code on.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureLabSecrets } from './secrets.ts';

const SCRIPT = fileURLToPath(new URL('../scripts/swarm-deploy.sh', import.meta.url));

export interface SwarmOptions {
  /** up: make this engine a one-node swarm when it is in none (docker swarm init) */
  init?: boolean;
  /** down: also delete the stack's volumes */
  volumes?: boolean;
  /** up: the Galera durability profile (the stack file's DURABILITY) */
  durability?: string;
  timeoutSeconds?: number;
}

export async function swarmDeploy(action: 'up' | 'down' | 'status', options: SwarmOptions = {}): Promise<number> {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} not found: Swarm deployment needs a checkout of the repository`);
  if (action === 'up') await ensureLabSecrets(process.env.STACK_NAME || 'smartshop');
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.init) env.SWARM_INIT = '1';
  if (options.volumes) env.DELETE_VOLUMES = '1';
  if (options.durability) env.DURABILITY = options.durability;
  if (options.timeoutSeconds) env.SWARM_WAIT_SECONDS = String(options.timeoutSeconds);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, action], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
