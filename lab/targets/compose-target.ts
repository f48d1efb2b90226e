// The lab as Docker Compose runs it: a container per service, networks and volumes of
// the compose project. Everything it does to a container is in docker-target.ts.
import type Docker from 'dockerode';
import type { LabRole } from './target.ts';
import { DockerTarget, healthOf, PROJECT_LABEL, ROLE_LABEL } from './docker-target.ts';
import type { LabContainer } from './target.ts';

const SERVICE_LABEL = 'com.docker.compose.service';
const NETWORK_LABEL = 'com.docker.compose.network';

export class ComposeTarget extends DockerTarget {
  readonly kind = 'compose' as const;

  async list(role?: LabRole): Promise<LabContainer[]> {
    const label = [`${PROJECT_LABEL}=${this.project}`];
    if (role) label.push(`${ROLE_LABEL}=${role}`);
    const infos = await this.docker.listContainers({ all: true, filters: { label } });
    return infos
      .filter((i) => i.Labels[PROJECT_LABEL] === this.project) // belt and braces over the daemon's filter
      .map((i) => {
        const containerName = (i.Names[0] ?? i.Id).replace(/^\//, '');
        return {
          id: i.Id,
          name: i.Labels[SERVICE_LABEL] ?? containerName,
          containerName,
          role: (i.Labels[ROLE_LABEL] ?? 'app') as LabRole,
          state: i.State,
          health: healthOf(i.Status),
          image: i.Image,
          networks: Object.keys(i.NetworkSettings.Networks ?? {}).map((n) => this.shortNetworkName(n)),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  protected async labNetworks(): Promise<{ id: string; short: string }[]> {
    const nets = await this.docker.listNetworks({ filters: { label: [`com.docker.compose.project=${this.project}`] } });
    return nets.map((n) => ({ id: n.Id, short: n.Labels?.[NETWORK_LABEL] ?? this.shortNetworkName(n.Name) }));
  }

  protected volumesOf(c: LabContainer): Promise<Pick<Docker.HostConfig, 'VolumesFrom'>> {
    return Promise.resolve({ VolumesFrom: [this.container(c).id] });
  }
}
