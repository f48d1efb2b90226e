// The lab as a Docker Swarm stack runs it (`smartshop stack up --swarm`). Services are
// found by the stack's namespace label and must carry the lab's labels on their tasks
// (lab.smartshop.project = the stack name, lab.smartshop.role), as swarm/docker-stack.yml
// sets them. What differs from compose:
// - a container is a task of a service; a service scaled to 0 has no container at all, so
//   it is listed as a stopped placeholder (id '') built from the service's spec;
// - "stop" scales a one-replica service to 0 (Swarm would otherwise start a new task), and
//   "start" scales it back; "kill" SIGKILLs the task and Swarm restarts it by itself (a
//   crash is what Swarm is for), so "start" after a kill has nothing left to do; a service
//   of several replicas is stopped per task and Swarm replaces the task. (Scaling to 0
//   right after a kill, to keep the node down for the hold as on compose, races Swarm's
//   delayed restart: measured, the restarted task ran anyway and the service showed 1/0.)
// - a helper reads a stopped node's data through the service's named volume (its task's
//   container is gone).
// Pause, network cuts and exec act on the task's container and need it on this engine:
// run drills on the manager that runs the Galera tasks (on one machine, always).
import type Docker from 'dockerode';
import { netToolsImage } from './net-tools-image.ts';
import type { LabRole } from './target.ts';
import { DockerTarget, envRecord, healthOf, ignoreStatus, PROJECT_LABEL, ROLE_LABEL } from './docker-target.ts';
import type { LabContainer } from './target.ts';

const STACK_LABEL = 'com.docker.stack.namespace';
const TASK_SERVICE_LABEL = 'com.docker.swarm.service.name';
/** container states that mean the task's container is the service's live one */
const LIVE = new Set(['running', 'paused', 'restarting']);

interface ServiceView {
  service: Docker.Service;
  spec: Docker.ServiceSpec;
  version: number;
}

export class SwarmTarget extends DockerTarget {
  readonly kind = 'swarm' as const;
  /** replicas a service had before a drill scaled it to 0 */
  private readonly scaledFrom = new Map<string, number>();

  async list(role?: LabRole): Promise<LabContainer[]> {
    const [services, containers, networks] = await Promise.all([
      this.docker.listServices({ filters: { label: [`${STACK_LABEL}=${this.project}`] } }),
      this.docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${this.project}`] } }),
      this.labNetworks(),
    ]);
    const networkName = new Map(networks.map((n) => [n.id, n.short]));
    const out: LabContainer[] = [];
    for (const s of services) {
      const spec = s.Spec as Docker.ServiceSpec;
      const labels = containerSpec(spec)?.Labels ?? {};
      if (labels[PROJECT_LABEL] !== this.project) continue; // not a lab service
      const serviceRole = (labels[ROLE_LABEL] ?? 'app') as LabRole;
      if (role && serviceRole !== role) continue;
      const name = this.shortName(spec.Name ?? '');
      const live = containers.filter((c) => c.Labels[TASK_SERVICE_LABEL] === spec.Name && LIVE.has(c.State));
      if (live.length > 0) {
        out.push(...live.map((c) => this.fromContainer(c, name)));
        continue;
      }
      const replicas = spec.Mode?.Replicated?.Replicas;
      out.push({
        id: '',
        name,
        containerName: spec.Name ?? name,
        role: serviceRole,
        // scaled to 0 (by a drill, or by hand) is stopped; otherwise Swarm is (re)starting it
        // or runs it on another node
        state: replicas === 0 ? 'exited' : await this.elsewhereOrStarting(spec.Name ?? name),
        image: (containerSpec(spec)?.Image ?? '').replace(/@sha256:.*$/, ''),
        networks: (spec.TaskTemplate?.Networks ?? []).map((n) => networkName.get(n.Target ?? '') ?? n.Target ?? ''),
      });
    }
    // helper containers (netem, grastate readers) are plain containers, not tasks
    for (const c of containers) {
      if (c.Labels[TASK_SERVICE_LABEL] || c.Labels[PROJECT_LABEL] !== this.project) continue;
      const helper = this.fromContainer(c, (c.Names[0] ?? c.Id).replace(/^\//, ''));
      if (!role || helper.role === role) out.push(helper);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  override async stop(c: LabContainer, timeoutSeconds: number): Promise<void> {
    const svc = await this.serviceOf(c);
    if (!this.singleReplica(svc)) return super.stop(c, timeoutSeconds); // Swarm replaces the task
    await this.scale(svc, 0);
    // Swarm stops the task with the service's stop_grace_period; the drill's own timeout wins
    if (c.id) await ignoreStatus(ignoreStatus(this.container(c).stop({ t: timeoutSeconds }), 304), 404);
  }

  override async start(c: LabContainer): Promise<void> {
    const svc = await this.serviceOf(c);
    const replicas = svc.spec.Mode?.Replicated?.Replicas;
    if (replicas === 0) await this.scale(svc, this.scaledFrom.get(svc.spec.Name ?? '') ?? 1);
    // otherwise Swarm keeps the service at its replicas by itself
  }

  // `docker network disconnect` of a task from an overlay loses the task's Swarm DNS record
  // for good (measured: HAProxy then holds the node in MAINT, resolution, after the
  // reconnect). So a cut here takes the node's interface on that network down inside its
  // network namespace (`ip link set down`, helper with NET_ADMIN): gcomm, IST and HAProxy's
  // checks fail both ways, while Docker and Swarm keep the endpoint and its DNS name.
  override async disconnect(c: LabContainer, network: string): Promise<void> {
    await this.linkOnNetwork(c, network, 'down');
  }

  override async connect(c: LabContainer, network: string): Promise<void> {
    await this.linkOnNetwork(c, network, 'up');
  }

  override async isCut(c: LabContainer, network: string): Promise<boolean> {
    if (!c.networks.includes(network)) return true;
    if (c.state !== 'running' || !c.id) return false;
    const dev = await this.deviceOn(c, network);
    const res = await this.exec(c, ['cat', `/sys/class/net/${dev}/operstate`]);
    return res.stdout.trim() === 'down';
  }

  override async envOf(c: LabContainer): Promise<Record<string, string>> {
    if (c.id) return super.envOf(c);
    return envRecord(containerSpec((await this.serviceOf(c)).spec)?.Env ?? []);
  }

  protected async labNetworks(): Promise<{ id: string; short: string }[]> {
    const nets = await this.docker.listNetworks({ filters: { label: [`${STACK_LABEL}=${this.project}`] } });
    return nets.map((n) => ({ id: n.Id, short: this.shortNetworkName(n.Name) }));
  }

  protected async volumesOf(c: LabContainer): Promise<Pick<Docker.HostConfig, 'Mounts'>> {
    const mounts = containerSpec((await this.serviceOf(c)).spec)?.Mounts ?? [];
    const volumes = mounts.filter((m) => m.Type === 'volume' && m.Source && m.Target);
    if (volumes.length === 0) throw new Error(`service ${c.name} has no named volume to read`);
    return { Mounts: volumes.map((m) => ({ Type: 'volume' as const, Source: m.Source, Target: m.Target })) };
  }

  private async linkOnNetwork(c: LabContainer, network: string, state: 'up' | 'down'): Promise<void> {
    const dev = await this.deviceOn(c, network);
    const image = await netToolsImage(this, c, () => undefined); // any image with iproute2
    const res = await this.runHelper({ image, entrypoint: ['ip'], cmd: ['link', 'set', 'dev', dev, state], user: 'root', networkOf: c, capAdd: ['NET_ADMIN'] }, 60_000);
    if (res.exitCode !== 0) throw new Error(`ip link set ${dev} ${state} in ${c.name} failed (exit ${res.exitCode}): ${res.stderr.trim() || res.stdout.trim()}`);
  }

  /**
   * The interface of the container's endpoint on a lab network (a task also has
   * docker_gwbridge), found by its MAC address in /sys: any image has `sh` and `cat`, not
   * every one `ip` (the broker's has none).
   */
  private async deviceOn(c: LabContainer, network: string): Promise<string> {
    const info = await this.container(c).inspect();
    const mac = info.NetworkSettings.Networks[`${this.project}_${network}`]?.MacAddress?.toLowerCase();
    if (!mac) throw new Error(`${c.name} has no endpoint on ${network}`);
    const res = await this.exec(c, ['sh', '-c', 'for d in /sys/class/net/*; do echo "${d##*/} $(cat "$d/address")"; done']);
    const dev = res.stdout.split('\n').map((l) => l.trim().split(' ')).find(([, address]) => address?.toLowerCase() === mac)?.[0];
    if (!dev) throw new Error(`no interface of ${c.name} has the MAC address ${mac} of its ${network} endpoint`);
    return dev;
  }

  private fromContainer(c: Docker.ContainerInfo, name: string): LabContainer {
    return {
      id: c.Id,
      name,
      containerName: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      role: (c.Labels[ROLE_LABEL] ?? 'app') as LabRole,
      state: c.State,
      health: healthOf(c.Status),
      image: c.Image.replace(/@sha256:.*$/, ''),
      networks: Object.keys(c.NetworkSettings.Networks ?? {}).map((n) => this.shortNetworkName(n)),
    };
  }

  /** 'remote' when a task of the service runs on another node, else 'created' (starting) */
  private async elsewhereOrStarting(service: string): Promise<string> {
    const tasks = (await this.docker.listTasks({ filters: { service: [service], 'desired-state': ['running'] } })) as {
      NodeID?: string;
      Status?: { State?: string };
    }[];
    const here = ((await this.docker.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID;
    return tasks.some((t) => t.Status?.State === 'running' && t.NodeID !== here) ? 'remote' : 'created';
  }

  private shortName(serviceName: string): string {
    return serviceName.startsWith(`${this.project}_`) ? serviceName.slice(this.project.length + 1) : serviceName;
  }

  private async serviceOf(c: LabContainer): Promise<ServiceView> {
    const service = this.docker.getService(`${this.project}_${c.name}`);
    const info = (await service.inspect()) as { Spec: Docker.ServiceSpec; Version: { Index: number } };
    return { service, spec: info.Spec, version: info.Version.Index };
  }

  private singleReplica(svc: ServiceView): boolean {
    const replicas = svc.spec.Mode?.Replicated?.Replicas;
    return replicas !== undefined && replicas <= 1;
  }

  private async scale(svc: ServiceView, replicas: number): Promise<void> {
    const name = svc.spec.Name ?? '';
    const now = svc.spec.Mode?.Replicated?.Replicas ?? 1;
    if (now === replicas) return;
    if (replicas === 0) this.scaledFrom.set(name, now);
    // the update carries the version read just before, so a concurrent change is refused, not lost
    await svc.service.update({ _query: { version: svc.version }, _body: { ...svc.spec, Mode: { Replicated: { Replicas: replicas } } } });
  }
}

function containerSpec(spec: Docker.ServiceSpec): Docker.ContainerSpec | undefined {
  const task = spec.TaskTemplate;
  return task && 'ContainerSpec' in task ? task.ContainerSpec : undefined;
}
