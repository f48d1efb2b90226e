// The outbox re-arm: every event marked published whose effect the data lacks (no
// processed_messages record of the fulfilment consumers) is put back for the relay to publish
// again. Needed when the broker and the database disagree: a restore took shipments back
// (backup/pipeline.ts), or the broker lost the messages it had confirmed (its volumes gone:
// `smartshop queue republish`). Safe whenever it runs: the consumers dedupe on the message id
// in the effect's own commit, so an event still queued and its copy are applied once.
import { FULFILMENT_CONSUMER, ORDER_PAID } from './queue-names.ts';

/**
 * Only a paid order's event whose order is still paid (not fulfilled, cancelled or refunded):
 * an event whose record a retention purge removed, for an order shipped long ago, stays as it
 * is. An event whose message was purged from the dead-letter queue is published again: its
 * order is still paid and unshipped.
 */
export const REARM_OUTBOX_SQL = `UPDATE outbox o
  JOIN orders ord ON ord.id = CAST(JSON_VALUE(o.payload, '$.orderId') AS UNSIGNED) AND ord.status = 'paid'
  LEFT JOIN processed_messages p ON p.consumer = '${FULFILMENT_CONSUMER}' AND p.message_id = o.id
  SET o.published_at = NULL
  WHERE o.type = '${ORDER_PAID}' AND o.published_at IS NOT NULL AND p.message_id IS NULL`;

/**
 * The re-arm as one `mariadb -e` script (lab NodeSql), printing the rows it changed. READ
 * COMMITTED: the scan locks the rows it changes, not the outbox's gaps, so payments inserting
 * outbox rows meanwhile are not held up.
 */
export const REARM_OUTBOX_SCRIPT = `SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED; ${REARM_OUTBOX_SQL}; SELECT ROW_COUNT()`;
