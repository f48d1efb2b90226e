// The helper image that runs `ip` and `tc` in a lab container's network namespace (netem
// delays, Swarm's interface-down partition): debian:bookworm-slim + iproute2, built from
// lab/net-tools/ on first use. When it cannot be built, the victim's own image is used: the
// lab's Galera image installs iproute2.
import { fileURLToPath } from 'node:url';
import type { LabContainer, Target } from './target.ts';

export const NET_TOOLS_IMAGE = 'smartshop-chaos-netem:latest';
const CONTEXT_DIR = fileURLToPath(new URL('../net-tools/', import.meta.url));

export async function netToolsImage(target: Target, victim: LabContainer, log: (s: string) => void): Promise<string> {
  if (await target.hasImage(NET_TOOLS_IMAGE)) return NET_TOOLS_IMAGE;
  log(`building ${NET_TOOLS_IMAGE} from lab/net-tools/Dockerfile (debian:bookworm-slim + iproute2)`);
  try {
    await target.buildImage(NET_TOOLS_IMAGE, CONTEXT_DIR, 300_000);
    return NET_TOOLS_IMAGE;
  } catch (err) {
    log(`could not build ${NET_TOOLS_IMAGE} (${(err as Error).message}); using ${victim.image}, which has tc. To build it by hand: docker build -t ${NET_TOOLS_IMAGE} lab/net-tools`);
    return victim.image;
  }
}
