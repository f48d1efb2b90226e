// The interactive menu in a real pseudo-terminal (tmux): pick "View statistics", read the
// shop's numbers on screen, quit. Every wait is bounded.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostTool } from '../test/host-tool.ts';
import { startShop, type Shop } from '../test/shop.ts';
import { runSimulation } from './index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmuxTool = hostTool('tmux', 'tmux', ['-V']);
const hasTmux = tmuxTool.present;
const socket = `smartshop-sim-test-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
}

function screen(): string {
  try {
    return tmux('capture-pane', '-p', '-J', '-S', '-200');
  } catch {
    return '';
  }
}

/** wait until the pane shows `pattern`, at most `timeoutMs` */
async function waitForScreen(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    text = screen();
    if (pattern.test(text)) return text;
    await sleep(200);
  }
  throw new Error(`screen never showed ${pattern}; last screen:\n${text}`);
}

let shop: Shop;

beforeAll(async () => {
  if (!hasTmux) return;
  shop = await startShop({ ui: false });
  // some activity, so the statistics are not all zero
  await runSimulation({ target: shop.baseUrl, cycles: 8, concurrency: 4, seed: 21, mix: { errorRate: 0, cancelShare: 0 } });
});

afterAll(async () => {
  if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server'], { timeout: 10_000 });
  await shop?.stop();
});

describe('simulator menu in a terminal', () => {
  it.skipIf(tmuxTool.skip)('shows the shop statistics and quits', async () => {
    tmuxTool.assertPresent();
    const stats = (await (await fetch(`${shop.baseUrl}/api/stats`)).json()) as { total_users: number; total_success_payments: number };
    expect(stats.total_users).toBe(8);

    const command = `node bin/smartshop.js simulate --target ${shop.baseUrl} --metrics-port 0; echo SIMULATE_EXIT=$?; sleep 120`;
    tmux('new-session', '-d', '-x', '200', '-y', '50', '-c', root, command);
    await waitForScreen(/What do you want to do\?[\s\S]*7\. Quit/);

    tmux('send-keys', 'Down', 'Down', 'Down', 'Enter'); // 4. View statistics
    const text = await waitForScreen(/Payment success share/);
    expect(text).toMatch(new RegExp(`Users \\(total\\)\\s+${stats.total_users}\\b`));
    expect(text).toMatch(new RegExp(`Successful payments \\(total\\)\\s+${stats.total_success_payments}\\b`));

    // back at the menu, the cursor is on the first entry; Up wraps to "7. Quit"
    await waitForScreen(/Payment success share[\s\S]*What do you want to do\?/);
    tmux('send-keys', 'Up', 'Enter');
    expect(await waitForScreen(/SIMULATE_EXIT=\d+/)).toContain('SIMULATE_EXIT=0');
  });
});
