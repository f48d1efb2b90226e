import { describe, expect, it } from 'vitest';
import { inhibitedFailures, notifiedFailures } from './alert.ts';

const bounds = { fireSeconds: 110, resolveSeconds: 90, marginSeconds: 30 };
const seen = { firingAfter: 64, suppressedAfter: 66, inhibitorDeliveredAfter: 70 };

describe('alert drill verdicts', () => {
  it('an alert that pages: delivered, then resolved, within the bounds', () => {
    expect(notifiedFailures('X', bounds, 70, 12)).toEqual([]);
    expect(notifiedFailures('X', bounds, null, null)).toEqual(['X did not reach the receiver within 110 s of the fault']);
    expect(notifiedFailures('X', bounds, 70, null)).toEqual(['X was not resolved within 90 s of the rollback']);
  });

  it('an inhibited alert: fired in Prometheus, held back while its inhibitor paged, never notified, cleared', () => {
    expect(inhibitedFailures('MySQLDown', 'HAProxyBackendServerDown', bounds, seen, 8, false)).toEqual([]);
    expect(inhibitedFailures('MySQLDown', 'HAProxyBackendServerDown', bounds, seen, 8, true))
      .toEqual(['MySQLDown was notified although HAProxyBackendServerDown inhibits it: a page too many']);
    expect(inhibitedFailures('MySQLDown', 'HAProxyBackendServerDown', bounds, { ...seen, suppressedAfter: null }, 8, false))
      .toEqual(['Alertmanager never showed MySQLDown held back by an inhibition']);
    expect(inhibitedFailures('MySQLDown', 'HAProxyBackendServerDown', bounds, { firingAfter: null, suppressedAfter: null, inhibitorDeliveredAfter: null }, null, false))
      .toEqual(['MySQLDown did not fire in Prometheus within 110 s of the fault', 'HAProxyBackendServerDown, which should page instead, did not reach the receiver within 110 s']);
    expect(inhibitedFailures('MySQLDown', 'HAProxyBackendServerDown', bounds, seen, null, false))
      .toEqual(['MySQLDown still fired 90 s after the rollback']);
  });
});
