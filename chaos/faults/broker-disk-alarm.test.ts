import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BROKER_DISK_FREE_LIMIT } from '../../shared/queue-names.ts';
import { parseAvail } from './broker-disk-alarm.ts';

describe('the broker disk alarm', () => {
  it("reads the free bytes from df's output, and nothing from an error", () => {
    expect(parseAvail('      Avail\n59051102208\n')).toBe(59_051_102_208);
    expect(parseAvail('df: /var/lib/rabbitmq: No such file or directory\n')).toBeUndefined();
  });

  it('puts back the limit rabbitmq.conf configures (what `chaos recover` compares against)', () => {
    const conf = readFileSync('rabbitmq/rabbitmq.conf', 'utf8');
    expect(conf).toMatch(new RegExp(`^disk_free_limit\\.absolute = ${BROKER_DISK_FREE_LIMIT.text}$`, 'm'));
    expect(BROKER_DISK_FREE_LIMIT.bytes).toBe(Number(BROKER_DISK_FREE_LIMIT.text.replace('MB', '')) * 1_000_000);
  });
});
