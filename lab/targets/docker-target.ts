// What Compose and Swarm targets share: both act on containers of this engine through
// dockerode, found ONLY by the labels the lab sets (lab.smartshop.project / .role), so a
// drill cannot touch anything else on the machine. The subclasses say how the lab's
// containers, networks and volumes are found, and (Swarm) how stop/start/kill map to
// services.
import { createReadStream, createWriteStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import type { LabRole } from './target.ts';
import { TIMED_OUT, withTimeout } from '../../shared/time.ts';
import type { ExecResult, HelperSpec, LabContainer, Target } from './target.ts';

export const PROJECT_LABEL = 'lab.smartshop.project';
export const ROLE_LABEL = 'lab.smartshop.role';

export abstract class DockerTarget implements Target {
  abstract readonly kind: 'compose' | 'swarm';
  /** address each container had on a network before we cut it, to give it back */
  private readonly oldAddresses = new Map<string, string>();

  constructor(
    readonly project: string,
    protected readonly docker: Docker = new Docker(),
  ) {}

  abstract list(role?: LabRole): Promise<LabContainer[]>;

  /** the lab's networks: id and short name (back-tier, front-tier) */
  protected abstract labNetworks(): Promise<{ id: string; short: string }[]>;

  /** HostConfig that gives a helper the volumes of a lab container (grastate.dat) */
  protected abstract volumesOf(c: LabContainer): Promise<Pick<Docker.HostConfig, 'VolumesFrom' | 'Mounts'>>;

  async find(name: string): Promise<LabContainer> {
    const all = await this.list();
    const found = all.find((c) => c.name === name || c.containerName === name);
    if (!found) {
      const names = all.map((c) => c.name).join(', ') || 'none';
      throw new Error(`no ${this.kind} container labelled ${PROJECT_LABEL}=${this.project} is named ${name} (lab containers: ${names})`);
    }
    return found;
  }

  async stop(c: LabContainer, timeoutSeconds: number): Promise<void> {
    await ignoreStatus(this.container(c).stop({ t: timeoutSeconds }), 304);
  }

  async start(c: LabContainer): Promise<void> {
    await ignoreStatus(this.container(c).start(), 304);
  }

  async kill(c: LabContainer, signal = 'SIGKILL'): Promise<void> {
    await ignoreStatus(this.container(c).kill({ signal }), 409); // 409: not running
  }

  async pause(c: LabContainer): Promise<void> {
    await this.container(c).pause();
  }

  async unpause(c: LabContainer): Promise<void> {
    await ignoreStatus(this.container(c).unpause(), 409); // 409: not paused
  }

  async networks(): Promise<string[]> {
    return (await this.labNetworks()).map((n) => n.short);
  }

  async disconnect(c: LabContainer, network: string): Promise<void> {
    const net = await this.network(network);
    const info = await this.container(c).inspect();
    const endpoint = Object.entries(info.NetworkSettings.Networks).find(([name]) => this.shortNetworkName(name) === network)?.[1];
    if (endpoint?.IPAddress) this.oldAddresses.set(`${c.id}/${network}`, endpoint.IPAddress);
    await net.disconnect({ Container: c.id, Force: true });
  }

  async connect(c: LabContainer, network: string): Promise<void> {
    const net = await this.network(network);
    const aliases = [c.name];
    const old = this.oldAddresses.get(`${c.id}/${network}`);
    if (old) {
      // the same address keeps HAProxy's and Galera's resolved addresses valid; Docker only
      // allows it on networks with a configured subnet, so fall back to any address
      try {
        await net.connect({ Container: c.id, EndpointConfig: { Aliases: aliases, IPAMConfig: { IPv4Address: old } } });
        return;
      } catch (err) {
        if (isAlreadyConnected(err)) return;
      }
    }
    try {
      await net.connect({ Container: c.id, EndpointConfig: { Aliases: aliases } });
    } catch (err) {
      if (!isAlreadyConnected(err)) throw err;
    }
  }

  isCut(c: LabContainer, network: string): Promise<boolean> {
    return Promise.resolve(!c.networks.includes(network));
  }

  async exec(c: LabContainer, cmd: string[], options: { env?: string[]; timeoutMs?: number } = {}): Promise<ExecResult> {
    const container = this.container(c);
    const exec = await container.exec({ Cmd: cmd, Env: options.env, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = collect(this.docker, stream);
    const timeoutMs = options.timeoutMs ?? 15_000;
    const done = await withTimeout(out.done, timeoutMs);
    if (done === TIMED_OUT) {
      stream.destroy();
      return { exitCode: 124, stdout: out.stdout(), stderr: `${out.stderr()}\n(exec timed out after ${timeoutMs} ms)` };
    }
    const inspect = await exec.inspect();
    return { exitCode: inspect.ExitCode ?? -1, stdout: out.stdout(), stderr: out.stderr() };
  }

  async execToFile(c: LabContainer, cmd: string[], path: string, timeoutMs: number): Promise<{ exitCode: number; bytes: number; stderr: string }> {
    const exec = await this.container(c).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    // stdout is binary (a backup stream): written as it comes, never held in memory
    const file = createWriteStream(path, { mode: 0o600 });
    const written = new Promise<void>((resolve, reject) => { file.on('finish', resolve); file.on('error', reject); });
    const out = collect(this.docker, stream, file);
    const done = await withTimeout(out.done, timeoutMs);
    if (done === TIMED_OUT) out.abandon();
    await written;
    const bytes = out.bytes();
    const stderr = out.stderr();
    if (done === TIMED_OUT) return { exitCode: 124, bytes, stderr: `${stderr}\n(exec timed out after ${timeoutMs} ms)` };
    return { exitCode: (await exec.inspect()).ExitCode ?? -1, bytes, stderr };
  }

  async execWithInput(c: LabContainer, cmd: string[], inputPath: string, timeoutMs: number): Promise<ExecResult> {
    const exec = await this.container(c).exec({ Cmd: cmd, AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: true });
    const out = collect(this.docker, stream);
    // the file streamed in, then stdin closed (half-close: the output still comes back)
    const input = createReadStream(inputPath);
    input.on('end', () => (stream as NodeJS.ReadableStream & { end: () => void }).end());
    input.pipe(stream, { end: false });
    const done = await withTimeout(out.done, timeoutMs);
    if (done === TIMED_OUT) {
      input.destroy();
      out.abandon();
      return { exitCode: 124, stdout: out.stdout(), stderr: `${out.stderr()}\n(exec timed out after ${timeoutMs} ms)` };
    }
    return { exitCode: (await exec.inspect()).ExitCode ?? -1, stdout: out.stdout(), stderr: out.stderr() };
  }

  async runHelper(spec: HelperSpec, timeoutMs: number): Promise<ExecResult> {
    const container = await this.docker.createContainer({
      Image: spec.image,
      Cmd: spec.cmd,
      Entrypoint: spec.entrypoint,
      User: spec.user,
      Env: spec.env,
      Labels: { [PROJECT_LABEL]: this.project, [ROLE_LABEL]: 'chaos-helper' },
      HostConfig: {
        NetworkMode: spec.networkOf ? `container:${spec.networkOf.id}` : 'none',
        ...(spec.volumesFrom ? await this.volumesOf(spec.volumesFrom) : {}),
        ...(spec.binds ? { Binds: spec.binds } : {}),
        CapAdd: spec.capAdd,
      },
    });
    try {
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const out = collect(this.docker, stream);
      await container.start();
      const result = await withTimeout(container.wait() as Promise<{ StatusCode: number }>, timeoutMs);
      if (result === TIMED_OUT) {
        await ignoreStatus(container.kill(), 409);
        return { exitCode: 124, stdout: out.stdout(), stderr: `${out.stderr()}\n(helper timed out after ${timeoutMs} ms)` };
      }
      await withTimeout(out.done, 2_000);
      return { exitCode: result.StatusCode, stdout: out.stdout(), stderr: out.stderr() };
    } finally {
      await ignoreStatus(container.remove({ force: true }), 404);
    }
  }

  async removeHelper(c: LabContainer): Promise<void> {
    if (c.role !== 'chaos-helper') throw new Error(`${c.name} is not a chaos helper; refusing to remove it`);
    await ignoreStatus(this.container(c).remove({ force: true }), 404);
  }

  async hasImage(name: string): Promise<boolean> {
    try {
      await this.docker.getImage(name).inspect();
      return true;
    } catch {
      return false;
    }
  }

  async buildImage(name: string, contextDir: string, timeoutMs: number): Promise<void> {
    const stream = await this.docker.buildImage({ context: contextDir, src: ['Dockerfile'] }, { t: name });
    const result = new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        const failed = events.find((e) => e.error);
        if (err) reject(err);
        else if (failed) reject(new Error(`building ${name}: ${failed.error}`));
        else resolve();
      });
    });
    const outcome = await withTimeout(result, timeoutMs);
    if (outcome === TIMED_OUT) throw new Error(`building ${name} took longer than ${timeoutMs / 1000} s`);
  }

  async envOf(c: LabContainer): Promise<Record<string, string>> {
    return envRecord((await this.container(c).inspect()).Config.Env ?? []);
  }


  protected container(c: LabContainer): Docker.Container {
    if (!c.id) throw new Error(`${c.name} has no container on this engine (${c.state})`);
    return this.docker.getContainer(c.id);
  }

  private async network(short: string): Promise<Docker.Network> {
    const net = (await this.labNetworks()).find((n) => n.short === short);
    if (!net) throw new Error(`network ${short} of project ${this.project} not found`);
    return this.docker.getNetwork(net.id);
  }

  /** a network's name without the project prefix (smartshop_back-tier → back-tier) */
  protected shortNetworkName(full: string): string {
    return full.startsWith(`${this.project}_`) ? full.slice(this.project.length + 1) : full;
  }
}

/**
 * An exec's multiplexed stream split into stdout and stderr. stdout is kept in memory, or,
 * with `sink`, written to it as it comes (a backup stream: binary, possibly large).
 */
function collect(docker: Docker, stream: NodeJS.ReadableStream, sink?: NodeJS.WritableStream): {
  stdout: () => string; stderr: () => string; bytes: () => number; done: Promise<void>;
  /** gives up on the stream (a timeout): stdout ends here, so a sink is finished */
  abandon: () => void;
} {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let bytes = 0;
  const o = new PassThrough();
  const e = new PassThrough();
  o.on('data', (b: Buffer) => {
    bytes += b.length;
    if (!sink) out.push(b);
  });
  if (sink) o.pipe(sink);
  e.on('data', (b: Buffer) => err.push(b));
  docker.modem.demuxStream(stream, o, e);
  const done = new Promise<void>((resolve) => {
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', () => resolve());
  }).then(() => { o.end(); });
  const abandon = (): void => {
    (stream as NodeJS.ReadableStream & { destroy: () => void }).destroy();
    o.end();
  };
  return { stdout: () => Buffer.concat(out).toString('utf8'), stderr: () => Buffer.concat(err).toString('utf8'), bytes: () => bytes, done, abandon };
}

/** "healthy" / "unhealthy" / "starting" / "none" from a container listing's Status text. */
export function healthOf(status: string): string {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  return m?.[1] === 'health: starting' ? 'starting' : (m?.[1] ?? 'none');
}

/** ["KEY=value", ...] as { KEY: 'value' } */
export function envRecord(list: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

export async function ignoreStatus<T>(p: Promise<T>, status: number): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === status) return undefined;
    throw err;
  }
}

function isAlreadyConnected(err: unknown): boolean {
  return /already exists|already attached|is already connected/i.test(String((err as { message?: string }).message ?? err));
}
