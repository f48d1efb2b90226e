// The edge on the shared lab (test/shared-lab.ts): per-client rate limits answered 429 with the
// draft's fields at the edge, nothing of a refused request reaching the shop, another client
// served meanwhile, and the client header trusted from this machine only.
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { beforeAll, describe, expect, it } from 'vitest';
import { integrityStack, integrityUp, DB_CREDENTIALS } from '../test/integrity/lab.ts';
import { ComposeTarget } from '../lab/index.ts';
import { policyFor, readLimits } from './limits.ts';
import { CLIENT_HEADER, QUOTA_EXCEEDED } from '../shared/rate-limit.ts';

const edge = `http://127.0.0.1:${integrityStack.ports.edge}`;
const run = randomUUID().slice(0, 8);

interface Answer { status: number; headers: Headers; body: Record<string, unknown>; key: string }

async function post(path: string, client: string, body: unknown): Promise<Answer> {
  const key = randomUUID();
  const res = await fetch(`${edge}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, [CLIENT_HEADER]: client },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown>, key };
}

async function sql<T>(query: string, params: unknown[]): Promise<T> {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: integrityStack.ports.mysql, ...DB_CREDENTIALS, database: 'smartshop' });
  try {
    return (await conn.query(query, params))[0] as T;
  } finally {
    await conn.end();
  }
}

beforeAll(async () => {
  await integrityUp();
}, 900_000);

describe('the edge', () => {
  it('limits one client to its orders policy with 429s that carry Retry-After, the RateLimit fields and a problem body, creates nothing for them, and serves another client meanwhile', async () => {
    const policy = policyFor(readLimits(), `edge-test-${run}-a`, '/api/orders/create');
    expect(policy).toMatchObject({ group: 'orders', rate: 10, burst: 2 });
    const user = await post('/api/users/create', `edge-test-${run}-setup`, {});
    expect(user.status).toBe(201);
    const userId = (user.body.user as { id: number } | undefined)?.id ?? (user.body as { id: number }).id;
    const order = { userId, productId: 1, quantity: 1 };

    // 30 requests in 3 s from one client: three bursts of ten, a second apart (ten evenly spaced
    // a second would be exactly the rate and refuse nothing). Each burst finds the bucket
    // refilled: burst + 1 admitted at once, the rest refused (9 and 21). A burst the machine
    // spreads over more than 100 ms lets one more in per 100 ms: that much is allowed.
    const answers: Answer[] = [];
    const other: Answer[] = [];
    for (let burst = 0; burst < 3; burst++) {
      if (burst > 0) await new Promise((r) => setTimeout(r, 1_000));
      const started = Date.now();
      const these = await Promise.all(Array.from({ length: 10 }, () => post('/api/orders/create', `edge-test-${run}-a`, order)));
      const leak = Math.floor((Date.now() - started) / (1000 / policy!.rate));
      const admittedNow = these.filter((a) => a.status === 201).length;
      expect(admittedNow).toBeGreaterThanOrEqual(policy!.burst + 1);
      expect(admittedNow).toBeLessThanOrEqual(policy!.burst + 1 + leak);
      expect(these.every((a) => a.status === 201 || a.status === 429)).toBe(true);
      answers.push(...these);
      other.push(await post('/api/orders/create', `edge-test-${run}-b`, order));
    }
    const admitted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 429);
    console.log(`edge: 30 orders from one client in three bursts: ${admitted.length} admitted, ${refused.length} refused`);
    expect(other.map((a) => a.status)).toEqual([201, 201, 201]);
    for (const a of refused) {
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(a.headers.get('content-type')).toBe('application/problem+json');
      expect(a.headers.get('ratelimit-policy')).toBe('"orders";q=10;w=1;smartshop-burst=2');
      expect(a.headers.get('ratelimit')).toMatch(/^"orders";r=0;t=[1-9]\d*$/);
      expect(a.body).toMatchObject({ type: QUOTA_EXCEEDED, status: 429, 'violated-policies': ['orders'] });
    }
    for (const a of admitted) expect(a.headers.get('ratelimit')).toMatch(/^"orders";r=[0-2];t=1$/);

    // nothing behind the edge saw a refused request: no order, no idempotency record
    const rows = await sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM orders WHERE user_id = ?', [userId]);
    expect(Number(rows[0]?.n)).toBe(admitted.length + 3);
    const keys = await sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM idempotency_records WHERE idem_key IN (?)', [refused.map((a) => a.key)]);
    expect(Number(keys[0]?.n)).toBe(0);
    const admittedKeys = await sql<{ n: number }[]>('SELECT COUNT(DISTINCT idem_key) AS n FROM idempotency_records WHERE idem_key IN (?)', [admitted.map((a) => a.key)]);
    expect(Number(admittedKeys[0]?.n)).toBe(admitted.length);
  });

  it('never limits health checks; a path in capitals is limited as the route it names', async () => {
    const health = await Promise.all(Array.from({ length: 40 }, () => fetch(`${edge}/api/health`).then((r) => r.status)));
    expect(new Set(health)).toEqual(new Set([200]));
    // the shop's router ignores case: so does the edge, or /API/orders would pass unlimited
    const shouting = await Promise.all(Array.from({ length: 10 }, () => fetch(`${edge}/API/Orders/create`, { method: 'POST', headers: { 'content-type': 'application/json', [CLIENT_HEADER]: `edge-test-${run}-caps` }, body: '{}' })
      .then((r) => ({ status: r.status, policy: r.headers.get('ratelimit-policy') }))));
    expect(shouting.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(5);
    expect(new Set(shouting.map((a) => a.policy))).toEqual(new Set(['"orders";q=10;w=1;smartshop-burst=2']));
  });

  it("never limits the lab's own tools (lab-*, from this machine): the judges replay every acknowledged write through it on Swarm", async () => {
    const tools = await Promise.all(Array.from({ length: 10 }, () => fetch(`${edge}/api/orders/create`, { method: 'POST', headers: { 'content-type': 'application/json', [CLIENT_HEADER]: `lab-edge-test-${run}` }, body: '{}' })
      .then((r) => ({ status: r.status, policy: r.headers.get('ratelimit-policy') }))));
    expect(tools.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 400));
    expect(tools.every((a) => a.policy === null)).toBe(true);
  });

  it('serves the web UI and its API on one origin: the URLs make up prints go through the edge', async () => {
    const page = await fetch(`${edge}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<html/i);
    const stats = await fetch(`${edge}/api/stats`, { headers: { [CLIENT_HEADER]: `edge-test-${run}-page` } });
    expect(stats.status).toBe(200);
    // a write from the page's own origin passes the shop's cross-site guard (its body is then
    // refused as incomplete); one from another site does not
    const write = (origin: string): Promise<number> => fetch(`${edge}/api/orders/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, [CLIENT_HEADER]: `edge-test-${run}-page-${origin.length}` },
      body: '{}',
    }).then((r) => r.status);
    expect(await write(edge)).toBe(400);
    expect(await write('http://evil.example')).toBe(403);
  });

  it('takes the client header from this machine only: another container naming itself is limited by its address', async () => {
    const lab = new ComposeTarget(integrityStack.project);
    const name = `edge-test-${run}-spoof`;
    // from the shop's container (on the edge's network): ten orders at once, under a name
    const script = `Promise.all(Array.from({length: 10}, () => fetch('http://edge:8080/api/orders/create', {method: 'POST', headers: {'content-type': 'application/json', '${CLIENT_HEADER}': '${name}'}, body: '{}'}).then(async (r) => ({status: r.status, body: await r.json()})))).then((a) => console.log(JSON.stringify(a)))`;
    const r = await lab.exec(await lab.find('app'), ['node', '-e', script]);
    expect(r.exitCode, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as { status: number; body: { detail?: string } }[];
    // limited as its address (burst + 1 reach the shop, which refuses them: Host "edge" is not one of its names)
    const refused = theirs.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    for (const a of refused) expect(a.body.detail).toMatch(/for client ip:\d+\.\d+\.\d+\.\d+;/);
    // from this machine the same name is the client's
    const mine = await fetch(`${edge}/api/orders/create`, { method: 'POST', headers: { 'content-type': 'application/json', [CLIENT_HEADER]: name }, body: '{}' });
    expect(mine.status).not.toBe(429);
    // two names, or one line with a comma, name nobody: the address again
    const two = await Promise.all(Array.from({ length: 10 }, () => fetch(`${edge}/api/orders/create`, { method: 'POST', headers: { 'content-type': 'application/json', [CLIENT_HEADER]: `${name}, other` }, body: '{}' })
      .then(async (r) => ({ status: r.status, body: (await r.json()) as { detail?: string } }))));
    const twoRefused = two.filter((x) => x.status === 429);
    expect(twoRefused.length).toBeGreaterThanOrEqual(5);
    for (const a of twoRefused) expect(a.body.detail).toMatch(/for client ip:/);
  });
});
