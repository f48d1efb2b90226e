// Docker engine access for the stack command (dockerode): find a compose service's
// container by its labels and run a command inside it. Compose v2 and v1 name
// containers differently; the labels are the same, so we never guess names.
import Docker from 'dockerode';
import type { ContainerInfo } from 'dockerode';

let client: Docker | undefined;
export function docker(): Docker {
  client ??= new Docker();
  return client;
}

export async function engineReachable(): Promise<boolean> {
  try {
    await docker().ping();
    return true;
  } catch {
    return false;
  }
}

export async function imageExists(name: string): Promise<boolean> {
  try {
    await docker().getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

export async function serviceContainer(project: string, service: string): Promise<ContainerInfo | undefined> {
  const list = await docker().listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] },
  });
  return list[0];
}

export async function projectContainers(project: string): Promise<ContainerInfo[]> {
  return docker().listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
}

/** "healthy" / "unhealthy" / "starting" / "none" from a container's Status text. */
export function healthOf(info: ContainerInfo | undefined): string {
  if (!info) return 'none';
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(info.Status);
  return m?.[1] === 'health: starting' ? 'starting' : (m?.[1] ?? 'none');
}

/**
 * Splits Docker's multiplexed exec output (8-byte frame headers: stream type,
 * 3 zero bytes, big-endian length) into stdout and stderr.
 */
export function demux(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const type = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const chunk = buffer.subarray(offset + 8, offset + 8 + size);
    (type === 2 ? err : out).push(chunk);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a command in a running container; rejects after timeoutMs. */
export async function execIn(containerId: string, cmd: string[], timeoutMs = 15_000): Promise<ExecResult> {
  const container = docker().getContainer(containerId);
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`'${cmd.join(' ')}' did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => { clearTimeout(timer); resolve(); });
    stream.on('close', () => { clearTimeout(timer); resolve(); });
    stream.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
  const { stdout, stderr } = demux(Buffer.concat(chunks));
  const info = await exec.inspect();
  return { stdout, stderr, exitCode: info.ExitCode ?? -1 };
}
