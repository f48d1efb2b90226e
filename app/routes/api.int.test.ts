// Every endpoint against a real MariaDB: users, products, orders (the whole state machine),
// payments, idempotency, activity log, stats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { startShop, type Shop } from '../../test/shop.ts';
import { request } from '../../test/client.ts';
import { ORDER_STATUSES, TRANSITIONS, type OrderAction, type OrderStatus } from '../domain/order-states.ts';

let shop: Shop;
const call = <T = Record<string, unknown>>(method: string, path: string, options: Parameters<typeof request>[3] = {}) =>
  request<T>(shop.baseUrl, method, path, options);

async function count(table: string): Promise<number> {
  const conn = await shop.db.rootConnection();
  try {
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM smartshop.${table}`);
    return Number(rows[0]?.n);
  } finally {
    await conn.end();
  }
}

beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => {
  await shop?.stop();
});

async function newUser(): Promise<number> {
  const res = await call<{ id: number }>('POST', '/api/users/create');
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Creates an order and walks it to `status` through the API. */
async function orderIn(status: Exclude<OrderStatus, 'fulfilled'>): Promise<number> {
  const userId = await newUser();
  const created = await call<{ id: number }>('POST', '/api/orders/create', { body: { userId, productId: 1, quantity: 1 } });
  expect(created.status).toBe(201);
  const id = created.body.id;
  const path: Record<Exclude<OrderStatus, 'fulfilled'>, string[]> = {
    pending: [],
    validated: ['/api/orders/validate'],
    processing: ['/api/orders/validate', '/api/orders/process'],
    cancelled: ['/api/orders/cancel'],
    paid: ['/api/orders/validate', '/api/orders/process'],
    failed: ['/api/orders/validate', '/api/orders/process'],
  };
  for (const step of path[status]) expect((await call('POST', `${step}/${id}`)).status).toBe(200);
  if (status === 'paid' || status === 'failed') {
    const paid = await call('POST', `/api/payments/process/${id}`, { body: { status: status === 'paid' ? 'success' : 'failed' } });
    expect(paid.status).toBe(200);
  }
  return id;
}

// fulfil has no route: only a worker ships an order (worker/, its own tests)
const ACTION_PATH: Record<Exclude<OrderAction, 'fulfil'>, (id: number) => [string, unknown]> = {
  validate: (id) => [`/api/orders/validate/${id}`, undefined],
  process: (id) => [`/api/orders/process/${id}`, undefined],
  cancel: (id) => [`/api/orders/cancel/${id}`, undefined],
  pay: (id) => [`/api/payments/process/${id}`, { status: 'success' }],
  fail: (id) => [`/api/payments/process/${id}`, { status: 'failed' }],
};

describe('root, health, readiness, products', () => {
  it('answers the seed root document', async () => {
    const res = await call('GET', '/');
    expect(res.body).toEqual({ message: 'SmartShop Simulation API', mysql_status: 'connected', status: 'running' });
  });
  it('is live and ready', async () => {
    expect((await call('GET', '/api/health')).status).toBe(200);
    expect((await call('GET', '/api/ready')).body).toMatchObject({ status: 'ready' });
  });
  it('lists the euro catalogue', async () => {
    const res = await call<{ name: string; price: number }[]>('GET', '/api/products');
    expect(res.body).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Wireless earbuds', price: 89.99 }), expect.objectContaining({ name: 'Smart watch', price: 199.99 })]));
  });
});

describe('users', () => {
  it('creates a faker user without a body, and the given one with a body', async () => {
    const fake = await call<{ id: number; name: string; email: string; last_login_at: null }>('POST', '/api/users/create');
    expect(fake.status).toBe(201);
    expect(fake.body.name.length).toBeGreaterThan(1);
    expect(fake.body.email).toContain('@');
    const given = await call('POST', '/api/users/create', { body: { name: 'Ada', email: 'ada@example.com' } });
    expect(given.body).toMatchObject({ name: 'Ada', email: 'ada@example.com', last_login_at: null });
  });
  it('logs in, reads, logs out; unknown users are 404', async () => {
    const id = await newUser();
    const login = await call<{ last_login_at: string | null }>('POST', `/api/users/login/${id}`);
    expect(login.status).toBe(200);
    expect(login.body.last_login_at).not.toBeNull();
    expect((await call('GET', `/api/users/${id}`)).body).toMatchObject({ id, last_login_at: login.body.last_login_at });
    expect((await call('POST', `/api/users/logout/${id}`)).status).toBe(200);
    for (const path of ['/api/users/login/999999', '/api/users/logout/999999']) expect((await call('POST', path)).status).toBe(404);
    expect((await call('GET', '/api/users/999999')).status).toBe(404);
  });
});

describe('orders', () => {
  it('computes the amount from the DECIMAL price', async () => {
    const userId = await newUser();
    const res = await call('POST', '/api/orders/create', { body: { userId, productId: 2, quantity: 3 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user_id: userId, product_id: 2, quantity: 3, amount: 599.97, status: 'pending' });
    expect((await call('GET', `/api/orders/${String(res.body.id)}`)).body).toMatchObject({ amount: 599.97, status: 'pending' });
  });
  it('creates an order for a user with a picked product', async () => {
    const userId = await newUser();
    const res = await call('POST', `/api/orders/create/${userId}`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user_id: userId, status: 'pending' });
    expect((await call('POST', '/api/orders/create/999999')).status).toBe(404);
  });

  // Every (action, from) pair: legal → 200 and the new status; illegal → 409 and unchanged.
  for (const action of Object.keys(ACTION_PATH) as Exclude<OrderAction, 'fulfil'>[]) {
    for (const from of ORDER_STATUSES.filter((s) => s !== 'fulfilled')) {
      const legal = TRANSITIONS[action].from.includes(from);
      it(`${action} from ${from} → ${legal ? 200 : 409}`, async () => {
        const id = await orderIn(from);
        const [path, body] = ACTION_PATH[action](id);
        const res = await call('POST', path, { body });
        expect(res.status).toBe(legal ? 200 : 409);
        const after = await call<{ status: string }>('GET', `/api/orders/${id}`);
        expect(after.body.status).toBe(legal ? TRANSITIONS[action].to : from);
      });
    }
  }

  it('answers 404 for transitions and payments of unknown orders', async () => {
    for (const path of ['/api/orders/validate/999999', '/api/orders/process/999999', '/api/orders/cancel/999999', '/api/payments/process/999999']) {
      expect((await call('POST', path)).status).toBe(404);
    }
    expect((await call('GET', '/api/orders/999999')).status).toBe(404);
  });
});

describe('payments', () => {
  it('records one payment, marks the order and adds revenue only on success', async () => {
    const before = await call<{ revenue_total: number; total_success_payments: number; total_failed_payments: number }>('GET', '/api/stats');
    const ok = await orderIn('processing');
    const paid = await call<{ payment: { status: string; amount: number; order_id: number }; order: { status: string } }>('POST', `/api/payments/process/${ok}`, {
      body: { status: 'success' },
    });
    expect(paid.body.payment).toMatchObject({ status: 'success', amount: 89.99, order_id: ok });
    expect(paid.body.order.status).toBe('paid');
    const ko = await orderIn('processing');
    const failed = await call<{ order: { status: string } }>('POST', `/api/payments/process/${ko}`, { body: { status: 'failed' } });
    expect(failed.body.order.status).toBe('failed');
    const after = await call<typeof before.body>('GET', '/api/stats');
    expect(after.body.total_success_payments - before.body.total_success_payments).toBe(1);
    expect(after.body.total_failed_payments - before.body.total_failed_payments).toBe(1);
    expect(Math.round((after.body.revenue_total - before.body.revenue_total) * 100)).toBe(8999);
  });
});

describe('idempotency', () => {
  it('replays the first result for the same key and writes one row', async () => {
    const userId = await newUser();
    const ordersBefore = await count('orders');
    const headers = { 'Idempotency-Key': `order-${userId}` };
    const first = await call<{ id: number }>('POST', '/api/orders/create', { body: { userId, productId: 3, quantity: 1 }, headers });
    const second = await call<{ id: number }>('POST', '/api/orders/create', { body: { userId, productId: 3, quantity: 1 }, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await count('orders')).toBe(ordersBefore + 1);
  });
  it('lets only one of concurrent same-key requests do the work', async () => {
    const usersBefore = await count('users');
    const headers = { 'Idempotency-Key': `concurrent-${Date.now()}` };
    const results = await Promise.all(Array.from({ length: 8 }, () => call<{ id?: number }>('POST', '/api/users/create', { headers })));
    const created = results.filter((r) => r.status === 201);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(await count('users')).toBe(usersBefore + 1);
  });
});

describe('activity log and stats', () => {
  it('returns the newest entries first with a level, bounded by limit', async () => {
    const id = await orderIn('paid');
    const res = await call<{ message: string; level: string }[]>('GET', '/api/logs?limit=3');
    expect(res.body).toHaveLength(3);
    expect(res.body[0]?.message).toBe(`Payment success for order ${id} - 89.99€ (low)`);
    expect(res.body[0]?.level).toBe('low');
    expect((await call<unknown[]>('GET', '/api/logs')).body.length).toBeLessThanOrEqual(50);
    expect((await call('GET', '/api/logs?limit=501')).status).toBe(400);
  });
  it('counts users, logins, orders and pending orders', async () => {
    const before = await call<{ total_users: number; active_users_today: number; pending_orders: number; orders_last_10min: number }>('GET', '/api/stats');
    const userId = await newUser();
    await call('POST', `/api/users/login/${userId}`);
    await call('POST', '/api/orders/create', { body: { userId, productId: 1, quantity: 1 } });
    const after = await call<typeof before.body & Record<string, unknown>>('GET', '/api/stats');
    expect(after.body.total_users).toBe(before.body.total_users + 1);
    expect(after.body.active_users_today).toBe(before.body.active_users_today + 1);
    expect(after.body.pending_orders).toBe(before.body.pending_orders + 1);
    expect(after.body.orders_last_10min).toBe(before.body.orders_last_10min + 1);
    expect(Object.keys(after.body).sort()).toEqual(
      [
        'active_users_last_hour', 'active_users_today', 'orders_last_10min', 'payments_last_hour', 'pending_orders', 'revenue_last_hour',
        'revenue_total', 'total_failed_payments', 'total_success_payments', 'total_users',
      ].sort(),
    );
  });
});
