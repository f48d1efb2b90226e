// Idempotency-Key against a real MariaDB (binlog on, so commits can be counted, and
// innodb_lock_wait_timeout=1 so that a held row lock makes a real 1205 quickly):
// one commit per keyed write, replays, scopes, fingerprints, what is stored and what is not,
// the in-progress answer, expiry and the purge; a keyed write whose outcome is unknown retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { startMariaDb, type MariaDbServer } from '../../lab/throwaway-mariadb.ts';
import { startShop, type Shop } from '../../test/shop.ts';
import { request } from '../../test/client.ts';
import { purgeExpired } from '../db/purge.ts';
import { sumOf } from '../../shared/prom-text.ts';

let db: MariaDbServer;
let shop: Shop;
let holder: Connection;

beforeAll(async () => {
  db = await startMariaDb({ extraArgs: ['--innodb-lock-wait-timeout=1', '--log-bin=binlog', '--binlog-format=ROW', '--server-id=1'] });
  shop = await startShop({ mariadb: db, ui: false, config: { purgeIntervalSeconds: 0 } });
  holder = await db.rootConnection();
  await holder.query('USE smartshop');
}, 120_000);

afterAll(async () => {
  await holder?.end().catch(() => undefined);
  await shop?.stop();
  await db?.destroy();
});

const post = <T = Record<string, unknown>>(path: string, key: string | undefined, body?: unknown, timeoutMs?: number) =>
  request<T>(shop.baseUrl, 'POST', path, { body, headers: key === undefined ? {} : { 'Idempotency-Key': key }, timeoutMs });

async function scalar(sql: string, params: unknown[] = []): Promise<number> {
  const [rows] = await holder.query<RowDataPacket[]>(sql, params);
  return Number(Object.values(rows[0] ?? {})[0]);
}

/** Write transactions the server committed so far (each lands in the binlog once). */
const binlogCommits = (): Promise<number> => scalar("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'BINLOG_COMMITS'");

async function newUser(): Promise<number> {
  const res = await post<{ id: number }>('/api/users/create', undefined);
  expect(res.status).toBe(201);
  return res.body.id;
}

async function orderIn(status: 'pending' | 'processing'): Promise<number> {
  const userId = await newUser();
  const res = await post<{ id: number }>('/api/orders/create', undefined, { userId, productId: 1, quantity: 1 });
  if (status === 'processing') {
    expect((await post(`/api/orders/validate/${res.body.id}`, undefined)).status).toBe(200);
    expect((await post(`/api/orders/process/${res.body.id}`, undefined)).status).toBe(200);
  }
  return res.body.id;
}

describe('one commit per keyed write', () => {
  it('a keyed order create, payment and transition each commit once, with their record', async () => {
    const userId = await newUser();
    const before = await binlogCommits();
    const created = await post<{ id: number }>('/api/orders/create', `one-commit-${userId}`, { userId, productId: 2, quantity: 1 });
    expect(created.status).toBe(201);
    expect(await binlogCommits()).toBe(before + 1);
    // the answer sent is the answer stored, in the same commit as the order
    const [rows] = await holder.query<RowDataPacket[]>('SELECT status_code, body FROM idempotency_records WHERE idem_key = ?', [`one-commit-${userId}`]);
    expect(rows[0]?.status_code).toBe(201);
    expect(JSON.parse(String(rows[0]?.body))).toEqual(created.body);

    const orderId = await orderIn('processing');
    const beforePay = await binlogCommits();
    expect((await post(`/api/payments/process/${orderId}`, `pay-once-${orderId}`, { status: 'success' })).status).toBe(200);
    expect(await binlogCommits()).toBe(beforePay + 1);
  });

  it('a replay commits nothing and carries Idempotent-Replayed', async () => {
    const userId = await newUser();
    const body = { userId, productId: 3, quantity: 2 };
    const first = await post<{ id: number }>('/api/orders/create', `replay-${userId}`, body);
    const before = await binlogCommits();
    const orders = await scalar('SELECT COUNT(*) FROM orders');
    const again = await post<{ id: number }>('/api/orders/create', `replay-${userId}`, body);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await binlogCommits()).toBe(before);
    expect(await scalar('SELECT COUNT(*) FROM orders')).toBe(orders);
  });
});

describe('what a key means', () => {
  it('is scoped to the method and the full path: a payment never replays an orders/process answer', async () => {
    const orderId = await orderIn('pending');
    await post(`/api/orders/validate/${orderId}`, undefined);
    const key = `shared-${orderId}`;
    const processed = await post<{ status: string }>(`/api/orders/process/${orderId}`, key);
    expect(processed.status).toBe(200);
    const paid = await post<{ payment?: { status: string } }>(`/api/payments/process/${orderId}`, key, { status: 'success' });
    expect(paid.status).toBe(200);
    expect(paid.headers.get('idempotent-replayed')).toBeNull();
    expect(paid.body.payment?.status).toBe('success');
    expect(await scalar('SELECT COUNT(*) FROM payments WHERE order_id = ?', [orderId])).toBe(1);
  });

  it('is compared byte for byte (letter case matters); a quoted structured-field string is the same key', async () => {
    const a = await post<{ id: number }>('/api/users/create', 'Case-Key-1');
    const b = await post<{ id: number }>('/api/users/create', 'case-key-1');
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(b.body.id).not.toBe(a.body.id);
    const c = await post<{ id: number }>('/api/users/create', '"Case-Key-1"');
    expect(c.headers.get('idempotent-replayed')).toBe('true');
    expect(c.body.id).toBe(a.body.id);
  });

  it('reused with a different body is a 422 that changes nothing', async () => {
    const userId = await newUser();
    const key = `body-${userId}`;
    expect((await post('/api/orders/create', key, { userId, productId: 1, quantity: 1 })).status).toBe(201);
    const orders = await scalar('SELECT COUNT(*) FROM orders');
    const other = await post<{ error: string }>('/api/orders/create', key, { userId, productId: 1, quantity: 5 });
    expect(other.status).toBe(422);
    expect(other.body.error).toBe('idempotency_key_reused');
    // the same body in another key order is the same request
    const same = await post('/api/orders/create', key, { quantity: 1, productId: 1, userId });
    expect(same.headers.get('idempotent-replayed')).toBe('true');
    expect(await scalar('SELECT COUNT(*) FROM orders')).toBe(orders);
  });

  it('is not spent by a validation error: the corrected retry does the work', async () => {
    const userId = await newUser();
    const key = `fix-${userId}`;
    const bad = await post<{ error: string }>('/api/orders/create', key, { userId, productId: 1, quantity: 0 });
    expect(bad.status).toBe(400);
    expect(await scalar('SELECT COUNT(*) FROM idempotency_records WHERE idem_key = ?', [key])).toBe(0);
    const good = await post('/api/orders/create', key, { userId, productId: 1, quantity: 1 });
    expect(good.status).toBe(201);
    expect(good.headers.get('idempotent-replayed')).toBeNull();
  });

  it('rejects a malformed key with a 400 and writes nothing', async () => {
    const users = await scalar('SELECT COUNT(*) FROM users');
    const res = await post<{ error: string }>('/api/users/create', 'has space');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_idempotency_key');
    expect(await scalar('SELECT COUNT(*) FROM users')).toBe(users);
  });

  it('expires: a key older than its TTL is a new key', async () => {
    const key = `expire-${Date.now()}`;
    const first = await post<{ id: number }>('/api/users/create', key);
    await holder.query('UPDATE idempotency_records SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE idem_key = ?', [key]);
    const second = await post<{ id: number }>('/api/users/create', key);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
  });
});

describe('transient answers and concurrency', () => {
  it('a 409 conflict with Retry-After stores nothing; the retry pays the order once', async () => {
    const orderId = await orderIn('processing');
    const key = `pay-locked-${orderId}`;
    const path = `/api/payments/process/${orderId}`;
    await holder.query('START TRANSACTION');
    await holder.query('SELECT id FROM orders WHERE id = ? FOR UPDATE', [orderId]);
    const blocked = await post<{ error: string }>(path, key, { status: 'success' }, 30_000);
    await holder.query('ROLLBACK');
    expect(blocked.status).toBe(409);
    expect(blocked.body.error).toBe('conflict');
    expect(blocked.headers.get('retry-after')).toBe('1');
    expect(await scalar('SELECT COUNT(*) FROM idempotency_records WHERE idem_key = ?', [key])).toBe(0);

    const retried = await post<{ payment: { status: string } }>(path, key, { status: 'success' });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const replayed = await post(path, key, { status: 'success' });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(retried.body);
    expect(await scalar('SELECT COUNT(*) FROM payments WHERE order_id = ?', [orderId])).toBe(1);
  }, 60_000);

  it('a 409 for an illegal transition is final: stored and replayed', async () => {
    const orderId = await orderIn('processing');
    await holder.query("UPDATE orders SET status = 'paid' WHERE id = ?", [orderId]);
    const first = await post(`/api/orders/cancel/${orderId}`, `cancel-paid-${orderId}`);
    const second = await post(`/api/orders/cancel/${orderId}`, `cancel-paid-${orderId}`);
    expect(first.status).toBe(409);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(second.status).toBe(409);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('a reuse while the first is still running is a 409 with Retry-After; afterwards it does the work once', async () => {
    const orderId = await orderIn('processing');
    const key = `in-flight-${orderId}`;
    const path = `/api/payments/process/${orderId}`;
    // a request still running holds its claim, uncommitted: the holder plays that request
    await holder.query('START TRANSACTION');
    await holder.query(
      "INSERT INTO idempotency_records (idem_key, scope, fingerprint, expires_at) VALUES (?, ?, REPEAT('0', 64), NOW(3) + INTERVAL 1 DAY)",
      [key, `POST ${path}`],
    );
    const second = await post<{ error: string }>(path, key, { status: 'success' }, 30_000);
    await holder.query('ROLLBACK');
    expect(second.status).toBe(409);
    expect(second.body.error).toBe('idempotency_in_progress');
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await scalar('SELECT COUNT(*) FROM payments WHERE order_id = ?', [orderId])).toBe(0);
    // the first one died without committing: its claim is gone with it, the retry does the work
    const retry = await post(path, key, { status: 'success' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await scalar('SELECT COUNT(*) FROM payments WHERE order_id = ?', [orderId])).toBe(1);
  }, 60_000);

  it('lets only one of concurrent same-key requests do the work', async () => {
    const users = await scalar('SELECT COUNT(*) FROM users');
    const key = `concurrent-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 8 }, () => post<{ id?: number }>('/api/users/create', key)));
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(new Set(results.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(1);
    expect(await scalar('SELECT COUNT(*) FROM users')).toBe(users + 1);
  });
});

describe('purge', () => {
  it('deletes expired records in bounded batches and keeps live ones', async () => {
    await holder.query(
      `INSERT INTO idempotency_records (idem_key, scope, fingerprint, status_code, body, expires_at)
       SELECT CONCAT('old-', seq), 'POST /api/users/create', REPEAT('0', 64), 201, '{}', NOW(3) - INTERVAL 1 HOUR FROM seq_1_to_25`,
    );
    const live = await scalar('SELECT COUNT(*) FROM idempotency_records WHERE expires_at > NOW(3)');
    const purged = await purgeExpired(shop.app.ctx.db, { batch: 10, maxBatches: 2 });
    expect(purged.keys).toBe(20); // two batches of ten, the rest waits for the next round...
    expect(purged.backlog).toBe(true); // ...which the shop runs a second later, not a minute
    expect(purged.oldestExpiredSeconds).toBeGreaterThanOrEqual(3_590); // expired an hour ago
    const rest = await purgeExpired(shop.app.ctx.db, { batch: 10, maxBatches: 2 });
    expect(rest).toMatchObject({ keys: 5, backlog: false, oldestExpiredSeconds: 0 });
    expect(await scalar("SELECT COUNT(*) FROM idempotency_records WHERE idem_key LIKE 'old-%'")).toBe(0);
    expect(await scalar('SELECT COUNT(*) FROM idempotency_records WHERE expires_at > NOW(3)')).toBe(live);
  });
});

describe('a keyed write whose outcome is unknown', () => {
  const metrics = async (): Promise<string> => (await request<string>(shop.baseUrl, 'GET', '/metrics')).body;

  it('is retried when the server froze under it, and done once', async () => {
    const userId = await newUser();
    const before = await metrics();
    const errorsBefore = sumOf(before, 'smartshop_db_errors_total');
    db.pause();
    let answer;
    try {
      answer = post<{ id: number }>('/api/orders/create', `frozen-${userId}`, { userId, productId: 1, quantity: 1 }, 30_000);
      // the server thaws once the shop gave up on the first attempt (a statement or a connect
      // timed out: whether it applied is unknown), so only a retry can answer 201
      for (let i = 0; i < 200 && sumOf(await metrics(), 'smartshop_db_errors_total') === errorsBefore; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      db.resume();
    }
    const res = await answer;
    expect(res.status).toBe(201);
    expect(await scalar('SELECT COUNT(*) FROM orders WHERE user_id = ?', [userId])).toBe(1);
    expect(sumOf(await metrics(), 'smartshop_db_retries_total')).toBeGreaterThan(sumOf(before, 'smartshop_db_retries_total'));
    // the key holds the answer the client got: a replay gives the same order
    const replay = await post<{ id: number }>('/api/orders/create', `frozen-${userId}`, { userId, productId: 1, quantity: 1 });
    expect(replay.body.id).toBe(res.body.id);
  });
});
