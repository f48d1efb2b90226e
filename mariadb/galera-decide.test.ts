// Unit tests of the Galera entrypoint's decision script (mariadb/galera-decide.sh),
// run with /bin/sh over fixture grastate.dat files, as the image runs it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./galera-decide.sh', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const UUID = '3cff99a0-e732-11f1-9ac8-16b39bef61d2';
const OTHER = '11111111-2222-3333-4444-555555555555';

// Async so that the tests read the same whether the script is run sync or not.
// eslint-disable-next-line @typescript-eslint/require-await
async function sh(args: string[], stdin = ''): Promise<string> {
  const result = spawnSync('sh', [script, ...args], { input: stdin, encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`galera-decide.sh ${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`);
  return result.stdout.trim();
}

interface Me { uuid: string; seqno: number; safe: 0 | 1; candidate?: boolean; self?: string; settled?: boolean }
async function decide(me: Me, peers: string[]): Promise<{ action: string; reason: string }> {
  const out = await sh(
    ['decide', me.self ?? 'mariadb-2', me.uuid, String(me.seqno), String(me.safe), me.candidate ? '1' : '0', me.settled ? '1' : '0'],
    peers.map((p) => `${p}\n`).join(''),
  );
  const space = out.indexOf(' ');
  return { action: out.slice(0, space), reason: out.slice(space + 1) };
}

const waiting = (seqno: number, uuid = UUID): string => `status=waiting uuid=${uuid} seqno=${seqno}`;

describe('position and needs-recover over grastate.dat fixtures', () => {
  it.each([
    ['clean-last-to-leave.dat', `${UUID} 42 1`, 'no'],
    ['clean-not-last.dat', `${UUID} 40 0`, 'no'],
    ['crashed.dat', `${UUID} -1 0`, 'yes'],
    ['never-joined.dat', 'new -1 0', 'no'],
    ['missing.dat', 'new -1 0', 'no'],
  ])('%s -> "%s", recover %s', async (file, position, recover) => {
    expect(await sh(['position', fixture(file)])).toBe(position);
    expect(await sh(['needs-recover', fixture(file)])).toBe(recover);
  });
});

describe('decide', () => {
  it('joins when a peer answers on the Galera port', async () => {
    const d = await decide({ uuid: UUID, seqno: 40, safe: 0 }, [`mariadb-1 up status=synced uuid=${UUID} seqno=50`, 'mariadb-3 down -']);
    expect(d.action).toBe('join');
    expect(d.reason).toContain('mariadb-1');
  });

  it('a new node joins whatever cluster answers', async () => {
    expect((await decide({ uuid: 'new', seqno: -1, safe: 0 }, [`mariadb-1 up status=synced uuid=${UUID} seqno=5`])).action).toBe('join');
  });

  it('joins one at a time: waits while a peer is joining, donating or starting', async () => {
    const joining = await decide({ uuid: 'new', seqno: -1, safe: 0, self: 'mariadb-3' }, [
      `mariadb-1 up status=not-synced uuid=${UUID} seqno=5 state=Donor/Desynced`,
      `mariadb-2 up status=not-synced uuid=${UUID} seqno=5 state=Joining`,
    ]);
    expect(joining.action).toBe('wait');
    expect(joining.reason).toContain('one at a time');
    const starting = await decide({ uuid: UUID, seqno: 4, safe: 0, self: 'mariadb-3' }, [
      `mariadb-1 up status=synced uuid=${UUID} seqno=5`, `mariadb-2 down status=starting-join uuid=${UUID} seqno=4`,
    ]);
    expect(starting.action).toBe('wait');
  });

  it('joins a survivor that lost its majority at once, beside the other restarted node, but not a node that never was Synced', async () => {
    // mariadb-1 was Synced, then lost both peers: non-Primary until every member of its last view is back
    const survivor = `mariadb-1 up status=not-synced uuid=${UUID} seqno=50 state=Initialized cluster=non-Primary ready=OFF size=1 was=synced`;
    const d = await decide({ uuid: UUID, seqno: 48, safe: 0 }, [survivor, `mariadb-3 down ${waiting(48)}`]);
    expect(d.action).toBe('join');
    expect(d.reason).toContain('lost its majority');
    // mariadb-3 does not wait for mariadb-2 to finish: the two of them and the survivor form the Primary together
    const second = await decide({ uuid: UUID, seqno: 48, safe: 0, self: 'mariadb-3' }, [survivor, `mariadb-2 down status=starting-join uuid=${UUID} seqno=48`]);
    expect(second.action).toBe('join');
    // the same report from a node that has not been Synced since it started: it may be mid-join
    const starting = survivor.replace(' was=synced', '');
    expect((await decide({ uuid: UUID, seqno: 48, safe: 0 }, [starting, 'mariadb-3 down -'])).action).toBe('wait');
    // a Synced peer beside a stranded one (a partition): one at a time again, the stranded one not counted as busy
    const synced = `mariadb-2 up status=synced uuid=${UUID} seqno=50`;
    expect((await decide({ uuid: UUID, seqno: 48, safe: 0, self: 'mariadb-3' }, [survivor, synced])).action).toBe('join');
    const mid = `mariadb-2 up status=not-synced uuid=${UUID} seqno=50 state=Joining cluster=Primary`;
    // a stranded peer beside one joining inside a Primary component: one at a time
    expect((await decide({ uuid: UUID, seqno: 48, safe: 0, self: 'mariadb-3' }, [survivor, mid])).action).toBe('wait');
    expect((await decide({ uuid: UUID, seqno: 48, safe: 0, self: 'mariadb-3' }, [`mariadb-1 up status=synced uuid=${UUID} seqno=50`, mid])).action).toBe('wait');
  });

  it('lets a waiting peer with a lower name join first', async () => {
    const peers = [`mariadb-1 up status=synced uuid=${UUID} seqno=5`, 'mariadb-2 down status=waiting uuid=new seqno=-1'];
    expect((await decide({ uuid: 'new', seqno: -1, safe: 0, self: 'mariadb-3' }, peers)).action).toBe('wait');
    const first = [`mariadb-1 up status=synced uuid=${UUID} seqno=5`, 'mariadb-3 down status=waiting uuid=new seqno=-1'];
    expect((await decide({ uuid: 'new', seqno: -1, safe: 0, self: 'mariadb-2' }, first)).action).toBe('join');
  });

  it('joins anyway once the settle time has passed (a peer stuck mid-join never blocks for ever)', async () => {
    const peers = [`mariadb-1 up status=synced uuid=${UUID} seqno=5`, `mariadb-2 up status=not-synced uuid=${UUID} seqno=5 state=Joining`];
    expect((await decide({ uuid: UUID, seqno: 4, safe: 0, self: 'mariadb-3', settled: true }, peers)).action).toBe('join');
  });

  it('refuses to join a cluster with another history (would SST over its data)', async () => {
    const d = await decide({ uuid: UUID, seqno: 40, safe: 0 }, [`mariadb-1 up status=synced uuid=${OTHER} seqno=3`]);
    expect(d.action).toBe('wait');
    expect(d.reason).toContain('refusing to join');
  });

  it('never starts at an unknown position, not even to join', async () => {
    const d = await decide({ uuid: UUID, seqno: -1, safe: 0 }, [`mariadb-1 up status=synced uuid=${UUID} seqno=50`]);
    expect(d.action).toBe('wait');
    expect(d.reason).toContain('unknown position');
  });

  it('bootstraps with safe_to_bootstrap: 1 when no peer answers', async () => {
    expect((await decide({ uuid: UUID, seqno: 42, safe: 1 }, ['mariadb-1 down -', 'mariadb-3 down -'])).action).toBe('bootstrap');
  });

  it('waits with safe_to_bootstrap: 0 while a peer has not reported its position', async () => {
    const d = await decide({ uuid: UUID, seqno: 40, safe: 0 }, ['mariadb-1 down -', `mariadb-3 down ${waiting(40)}`]);
    expect(d.action).toBe('wait');
    expect(d.reason).toContain('mariadb-1');
  });

  it('the most advanced of all waiting nodes bootstraps, the others wait for it', async () => {
    const peers = [`mariadb-1 down ${waiting(38)}`, `mariadb-3 down ${waiting(39)}`];
    expect((await decide({ uuid: UUID, seqno: 40, safe: 0 }, peers)).action).toBe('bootstrap');
    const behind = await decide({ uuid: UUID, seqno: 39, safe: 0, self: 'mariadb-3' }, [`mariadb-1 down ${waiting(38)}`, `mariadb-2 down ${waiting(40)}`]);
    expect(behind.action).toBe('wait');
    expect(behind.reason).toContain('mariadb-2(seqno 40)');
  });

  it('breaks a tie by the lowest node name', async () => {
    const peers = [`mariadb-1 down ${waiting(40)}`, `mariadb-3 down ${waiting(40)}`];
    expect((await decide({ uuid: UUID, seqno: 40, safe: 0 }, peers)).action).toBe('wait');
    expect((await decide({ uuid: UUID, seqno: 40, safe: 0, self: 'mariadb-1' }, [`mariadb-2 down ${waiting(40)}`, `mariadb-3 down ${waiting(40)}`])).action).toBe('bootstrap');
  });

  it('does not bootstrap when a waiting peer holds another history', async () => {
    const d = await decide({ uuid: UUID, seqno: 40, safe: 0 }, [`mariadb-1 down ${waiting(10, OTHER)}`, `mariadb-3 down ${waiting(39)}`]);
    expect(d.action).toBe('wait');
    expect(d.reason).toContain('another cluster history');
  });

  it('does not count a crashed peer with an unknown position as having voted', async () => {
    const d = await decide({ uuid: UUID, seqno: 40, safe: 0 }, [`mariadb-1 down ${waiting(-1)}`, `mariadb-3 down ${waiting(39)}`]);
    expect(d.action).toBe('wait');
  });

  it('ignores waiting peers without data in the election', async () => {
    const d = await decide({ uuid: UUID, seqno: 40, safe: 0 }, ['mariadb-1 down status=waiting uuid=new seqno=-1', `mariadb-3 down ${waiting(39)}`]);
    expect(d.action).toBe('bootstrap');
  });

  it('a brand-new cluster is bootstrapped by the candidate only', async () => {
    const peers = ['mariadb-2 down status=waiting uuid=new seqno=-1', 'mariadb-3 down -'];
    expect((await decide({ uuid: 'new', seqno: -1, safe: 0, candidate: true, self: 'mariadb-1' }, peers)).action).toBe('bootstrap');
    expect((await decide({ uuid: 'new', seqno: -1, safe: 0 }, ['mariadb-1 down -'])).action).toBe('wait');
  });

  it('the candidate without data never bootstraps over a peer that holds data', async () => {
    const d = await decide({ uuid: 'new', seqno: -1, safe: 0, candidate: true, self: 'mariadb-1' }, [`mariadb-2 down ${waiting(40)}`]);
    expect(d.action).toBe('wait');
    expect(d.reason).toContain('mariadb-2 holds data');
  });
});
