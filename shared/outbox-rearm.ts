// The outbox re-arm: every event marked published whose effect the data lacks (no
// processed_messages record of the fulfilment consumers) is put back for the relay to publish
// again. Needed when the broker and the database disagree: a restore took shipments back
// (backup/pipeline.ts), or the broker lost the messages it had confirmed (its volumes gone:
// `smartshop queue republish`). Safe whenever it runs: the consumers dedupe on the message id
// in the effect's own commit, so an event still queued and its copy are applied once.
import { FULFILMENT_CONSUMER } from './queue-names.ts';

export const REARM_OUTBOX_SQL = `UPDATE outbox o
  LEFT JOIN processed_messages p ON p.consumer = '${FULFILMENT_CONSUMER}' AND p.message_id = o.id
  SET o.published_at = NULL
  WHERE o.published_at IS NOT NULL AND p.message_id IS NULL`;
