// The place for the lab as a Docker Swarm stack runs it (several machines). Not built yet:
// on Swarm a "container" is a task of a service on some node, so stop/kill become
// scaling the service to 0 or killing the task's container through that node's engine,
// and partitions need a network-level fault on the node (netem / iptables from a helper).
// Implement `Target` here, keep the same label rule (lab.smartshop.project/role on the
// services), and select it in chaos/command.ts (e.g. a --runtime swarm option).
import type { Target } from './target.ts';

export function swarmTarget(project: string): Target {
  throw new Error(`Swarm targets are not implemented yet (project ${project}); run the lab with Docker Compose`);
}
