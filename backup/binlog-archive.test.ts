import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binlogIdentity, createdAt, explainStreamEnd, historyFor, pruneArchive, resumePoint, ARCHIVE_KEEP_MS } from './binlog-archive.ts';

/** The first bytes of a binary log as the server writes them: magic, then a format description event's header. */
function binlogHead(createdSec: number, inUse = true): Buffer {
  const b = Buffer.alloc(40);
  Buffer.from([0xfe, 0x62, 0x69, 0x6e]).copy(b, 0);
  b.writeUInt32LE(createdSec, 4); // timestamp
  b.writeUInt8(15, 8); // FORMAT_DESCRIPTION_EVENT
  b.writeUInt32LE(1, 9); // server id
  b.writeUInt32LE(252, 13); // event size
  b.writeUInt32LE(256, 17); // next position
  b.writeUInt16LE(inUse ? 1 : 0, 21); // flags: LOG_EVENT_BINLOG_IN_USE_F, cleared in the copy the server sends
  return b;
}

const t0 = Date.parse('2026-12-03T10:00:00Z') / 1000;
let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'binlog-archive-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

describe("a binary log's identity", () => {
  it('is the same for the node\'s file and the streamed copy, whose "in use" flag the server cleared', async () => {
    await writeFile(join(dir, 'node'), binlogHead(t0, true));
    await writeFile(join(dir, 'copy'), binlogHead(t0, false));
    const id = await binlogIdentity(join(dir, 'node'));
    expect(id).toBeDefined();
    expect(await binlogIdentity(join(dir, 'copy'))).toBe(id);
    expect(createdAt(id)).toBe(t0 * 1000);
  });

  it('differs for a file of the same name created later (the node rebuilt), and is none for what is not a binary log', async () => {
    await writeFile(join(dir, 'a'), binlogHead(t0));
    await writeFile(join(dir, 'b'), binlogHead(t0 + 1));
    await writeFile(join(dir, 'c'), 'not a binlog, long enough to read 21 bytes');
    expect(await binlogIdentity(join(dir, 'a'))).not.toBe(await binlogIdentity(join(dir, 'b')));
    expect(await binlogIdentity(join(dir, 'c'))).toBeUndefined();
    expect(await binlogIdentity(join(dir, 'missing'))).toBeUndefined();
  });
});

describe('where the stream resumes', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const f = (name: string, identity: string) => ({ name, identity });

  it('at the last archived file again when the node still has that very file (it may have grown)', () => {
    expect(resumePoint([f('mysql-bin.000002', 'x'), f('mysql-bin.000003', 'y')], { name: 'h1', last: f('mysql-bin.000002', 'x') }, now))
      .toEqual({ history: 'h1', from: 'mysql-bin.000002', fresh: false });
  });

  it('in a new history from the node\'s oldest file when the node was rebuilt (same name, another file)', () => {
    expect(resumePoint([f('mysql-bin.000001', 'new')], { name: 'h1', last: f('mysql-bin.000001', 'old') }, now))
      .toEqual({ history: '2026-12-03T12-00-00-000Z', from: 'mysql-bin.000001', fresh: true });
  });

  it('in a new history when the last archived file expired on the node meanwhile (a gap)', () => {
    expect(resumePoint([f('mysql-bin.000009', 'z')], { name: 'h1', last: f('mysql-bin.000004', 'x') }, now)?.fresh).toBe(true);
  });

  it('in the newest history when it never received a file, and nowhere when the node has no log', () => {
    expect(resumePoint([f('mysql-bin.000001', 'x')], { name: 'h1' }, now)).toEqual({ history: 'h1', from: 'mysql-bin.000001', fresh: true });
    expect(resumePoint([], { name: 'h1' }, now)).toBeUndefined();
  });
});

describe("the history a backup's position is in", () => {
  it('is the one whose file began before the backup ended, the latest such, with the files from it on', async () => {
    for (const [h, began] of [['h-old', t0 - 7200], ['h-new', t0 - 60], ['h-later', t0 + 600]] as const) {
      await mkdir(join(dir, h));
      for (const n of ['mysql-bin.000001', 'mysql-bin.000002', 'mysql-bin.000003']) await writeFile(join(dir, h, n), binlogHead(began));
    }
    const found = await historyFor(dir, 'mysql-bin.000002', new Date(t0 * 1000));
    expect(found).toEqual({ dir: join(dir, 'h-new'), files: ['mysql-bin.000002', 'mysql-bin.000003'] });
    expect(await historyFor(dir, 'mysql-bin.000007', new Date(t0 * 1000))).toBeUndefined();
    expect(await historyFor(join(dir, 'none'), 'mysql-bin.000001', new Date(t0 * 1000))).toBeUndefined();
  });
});

describe('pruning the archive', () => {
  it('removes only files older than both the oldest kept backup and the minimum keep, and histories left empty', async () => {
    const now = Date.parse('2026-12-05T10:00:00Z');
    const old = new Date(now - ARCHIVE_KEEP_MS - 3600_000);
    await mkdir(join(dir, 'h1'));
    await mkdir(join(dir, 'h2'));
    await writeFile(join(dir, 'h1', 'mysql-bin.000001'), binlogHead(t0));
    await writeFile(join(dir, 'h2', 'mysql-bin.000001'), binlogHead(t0));
    await writeFile(join(dir, 'h2', 'mysql-bin.000002'), binlogHead(t0));
    for (const p of ['h1/mysql-bin.000001', 'h2/mysql-bin.000001', 'h1']) await utimes(join(dir, p), old, old);
    const recent = new Date(now - 60_000);
    await utimes(join(dir, 'h2', 'mysql-bin.000002'), recent, recent);
    // a history just begun, no file in it yet, stays; an old empty one goes
    await mkdir(join(dir, 'h3'));
    await utimes(join(dir, 'h3'), recent, recent);
    await mkdir(join(dir, 'h4'));
    await utimes(join(dir, 'h4'), old, old);

    // a kept backup older than the files: nothing goes
    expect(await pruneArchive(dir, old.getTime() - 1000, now)).toEqual([]);
    // none that old: the old files go, and h1 with them; h2 keeps its newer file
    expect(await pruneArchive(dir, now - 600_000, now)).toEqual(['h1/mysql-bin.000001', 'h2/mysql-bin.000001']);
    expect((await readdir(dir)).sort()).toEqual(['h2', 'h3']);
    expect(await readdir(join(dir, 'h2'))).toEqual(['mysql-bin.000002']);
  });
});

describe('a stream that ended', () => {
  it('names the missing grant and how to give it', () => {
    const why = explainStreamEnd("ERROR: Got error reading packet from server: Access denied; you need (at least one of) the REPLICATION SLAVE privilege(s) for this operation\n", 'mariadb-3');
    expect(why).toMatch(/no REPLICATION SLAVE/);
    expect(why).toMatch(/`make up` \(`smartshop stack up`\) grants it/);
    expect(explainStreamEnd('ERROR: Got error reading packet from server: Lost connection to server during query\n', 'mariadb-3')).toMatch(/Lost connection/);
  });
});
