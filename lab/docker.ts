// The Docker engine, as the lab's tools reach it (dockerode, the local socket): one client
// per process, and the checks `stack up` makes before it starts anything. Everything done
// to a lab container goes through a Target (targets/), which finds it by the lab's labels.
import Docker from 'dockerode';

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

/**
 * Splits Docker's multiplexed output (`docker logs` of a container without a TTY: 8-byte
 * frame headers: stream type, 3 zero bytes, big-endian length) into stdout and stderr.
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
