// Which runtime runs the lab: a Swarm stack deployed under the project's name wins (it is
// what `smartshop stack up --swarm` makes), otherwise the compose project of that name.
// `--runtime compose|swarm` says it outright.
import Docker from 'dockerode';
import { ComposeTarget } from './compose-target.ts';
import { SwarmTarget } from './swarm-target.ts';
import type { Target } from './target.ts';

export type Runtime = 'auto' | 'compose' | 'swarm';

export async function openTarget(project: string, runtime: Runtime = 'auto'): Promise<Target> {
  const docker = new Docker();
  if (runtime === 'compose') return new ComposeTarget(project, docker);
  if (runtime === 'swarm') return new SwarmTarget(project, docker);
  // an engine that is not a swarm manager answers 503 here: then it is compose
  const services = await docker.listServices({ filters: { label: [`com.docker.stack.namespace=${project}`] } }).catch(() => []);
  return services.length > 0 ? new SwarmTarget(project, docker) : new ComposeTarget(project, docker);
}
