import { describe, expect, it } from 'vitest';
import { containerProcesses, parseProcStatus, signalFromHost, stoppedFromHost } from './host-signals.ts';

const status = (state: string, nspid: string): string =>
  `Name:\tmariadbd\nUmask:\t0022\nState:\t${state}\nTgid:\t4242\nPid:\t4242\nPPid:\t4200\n${nspid}VmPeak:\t 1 kB\n`;

describe('parseProcStatus', () => {
  it('reads the state letter and the pid inside the innermost namespace', () => {
    expect(parseProcStatus(status('T (stopped)', 'NSpid:\t4242\t57\n'))).toEqual({ state: 'T', nsPid: 57 });
    expect(parseProcStatus(status('S (sleeping)', 'NSpid:\t4210\t1\n'))).toEqual({ state: 'S', nsPid: 1 });
  });
  it('has no namespace pid on a kernel that does not say (the caller uses the host pid)', () => {
    expect(parseProcStatus(status('R (running)', ''))).toEqual({ state: 'R', nsPid: undefined });
  });
});

describe('a container this host does not run', () => {
  const unknown = 'f'.repeat(64);
  it('has no processes here, so nothing is signalled and the callers fall back to docker exec', async () => {
    expect(await containerProcesses(unknown)).toEqual([]);
    expect(await signalFromHost(unknown, 'SIGSTOP')).toBeUndefined();
    expect(await stoppedFromHost(unknown)).toBeUndefined();
  });
  it('refuses an id that is not a full container id (never matches a cgroup line by a prefix)', async () => {
    expect(await containerProcesses('docker')).toEqual([]);
  });
});
