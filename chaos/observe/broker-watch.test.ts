import { describe, expect, it } from 'vitest';
import { outboxBacklogOf } from './broker-watch.ts';

describe('the broker watch', () => {
  it("reads the outbox backlog from the shop's metrics, and nothing from a shop without the gauge", () => {
    const text = [
      '# HELP smartshop_outbox_backlog Outbox events not yet confirmed by the broker',
      '# TYPE smartshop_outbox_backlog gauge',
      'smartshop_outbox_backlog 215',
      'smartshop_outbox_oldest_seconds 31.5',
    ].join('\n');
    expect(outboxBacklogOf(text)).toBe(215);
    expect(outboxBacklogOf('smartshop_outbox_oldest_seconds 0\n')).toBeUndefined();
  });
});
