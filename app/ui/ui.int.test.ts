// The web UI in Debian's Chromium (playwright-core, never a downloaded browser): it shows
// live stats, and pressing "Create user" changes total_users on screen. (The lab console's
// page has its own browser test: console/console.int.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startShop, type Shop } from '../../test/shop.ts';
import { launchChromium } from '../../test/browser.ts';
import { request } from '../../test/client.ts';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.stop();
});

describe('web UI', () => {
  it('shows the stats and a button press changes total users', async () => {
    await request(shop.baseUrl, 'POST', '/api/users/create');
    await request(shop.baseUrl, 'POST', '/api/users/create');
    const page = await browser.newPage();
    try {
      await page.goto(shop.uiUrl as string);
      const total = page.getByTestId('total-users');
      await expect.poll(() => total.textContent(), { timeout: 15_000 }).toBe('2');
      await expect.poll(() => page.getByTestId('db-status').textContent(), { timeout: 15_000 }).toBe('database: connected');
      await page.getByRole('button', { name: 'Create user' }).click();
      await expect.poll(() => total.textContent(), { timeout: 15_000 }).toBe('3');
      await expect.poll(() => page.getByTestId('last-result').textContent(), { timeout: 15_000 }).toMatch(/^User \d+ created/);

      await page.getByRole('button', { name: 'Pay (success)' }).click();
      await expect.poll(() => page.locator('#total_success_payments').textContent(), { timeout: 15_000 }).toBe('1');
      // no worker runs beside this shop: the paid order waits, until a shipment appears (made here in SQL)
      await expect.poll(() => page.getByTestId('awaiting-shipment').textContent(), { timeout: 15_000 }).toBe('1');
      const conn = await shop.db.rootConnection();
      try {
        await conn.query("UPDATE smartshop.orders SET status = 'fulfilled', previous_status = 'paid' WHERE status = 'paid'");
        await conn.query("INSERT INTO smartshop.shipments (order_id, message_id, tracking_number, worker, paid_at) SELECT id, UUID(), 'SSUITEST0001', 'ui-test', NOW(3) - INTERVAL 1 SECOND FROM smartshop.orders WHERE status = 'fulfilled'");
      } finally {
        await conn.end();
      }
      await expect.poll(() => page.getByTestId('awaiting-shipment').textContent(), { timeout: 15_000 }).toBe('0');
      await expect.poll(() => page.getByTestId('shipments').textContent(), { timeout: 15_000 }).toMatch(/SSUITEST0001ui-test1\.\d\d s/);
      await page.getByRole('button', { name: 'Trigger 500' }).click();
      await expect.poll(() => page.getByTestId('last-result').textContent(), { timeout: 15_000 }).toContain('500');
    } finally {
      await page.close();
    }
  });

  it('outside a lab, the "Lab console" link says there is no console', async () => {
    const res = await request<{ error: string; message: string }>(shop.baseUrl, 'GET', '/console');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('no_console');
  });

  it('is also served under /ui on the API port', async () => {
    const res = await fetch(`${shop.baseUrl}/ui/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('SmartShop');
  });
});
