// A restore puts the database back in time; the fulfilment pipeline's broker is not. Left so,
// two things go wrong (docs/operations.md, "Restore and the fulfilment pipeline"):
//  - an order paid before the restore point may have been published (its outbox row marked)
//    and shipped after it: the restored data has the row marked published, the message was
//    acked and is gone, the shipment taken back with everything else. Nobody ships it again.
//  - a message still queued for an order the restore took back finds no order: it is
//    redelivered to its limit and dead-lettered, a page for nothing.
// So the restore stops the workers with the shop (their unacked messages go back to the
// queue), puts back in the outbox every event whose effect the restored data lacks
// (shared/outbox-rearm.ts), and only then empties the fulfilment queue; the relay publishes
// those events again when the shop starts. Safe because consumers dedupe on the
// message id in the effect's own commit: whatever the purge dropped that the data still
// wants is in the outbox again, and a copy applied before is recognised. The dead-letter
// queue is left as it is: it holds what failed before the restore, for a person to read.
import { purgeQueue, queueDepths } from '../lab/broker.ts';
import type { LabContainer, NodeSql, Target } from '../lab/index.ts';
import { REARM_OUTBOX_SCRIPT } from '../shared/outbox-rearm.ts';
import { FULFILMENT_QUEUE } from '../shared/queue-names.ts';

type Log = (line: string) => void;

/**
 * The fulfilment workers stopped for the restore (the returned function starts them again):
 * a worker holding a message of an order the restore takes back would dead-letter it after.
 * A worker that does not stop is named, not fatal: the restore goes on.
 */
export async function stopWorkers(target: Target, log: Log): Promise<() => Promise<void>> {
  const running = (await target.list('worker').catch(() => [])).filter((c) => c.state === 'running');
  if (running.length > 0) log(`==> stopping the ${running.length} fulfilment worker(s): their unacknowledged messages go back to the queue`);
  const stopped = await Promise.all(running.map((c) => target.stop(c, 10).then(() => c, (e: Error) => {
    log(`    warning: ${c.name} did not stop (${e.message}); it may dead-letter messages of orders the restore takes back`);
    return undefined;
  })));
  return async () => {
    for (const c of stopped) if (c !== undefined) await target.start(c);
  };
}

/**
 * The broker brought in line with the restored data (see above), before the shop and the
 * workers start. Never throws: what it could not do is said, with the command that does it.
 */
export async function alignPipeline(target: Target, sql: NodeSql, node: LabContainer, log: Log): Promise<void> {
  try {
    const [[tables = '0'] = []] = await sql.query(node,
      "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('outbox', 'processed_messages')");
    if (Number(tables) < 2) {
      log('==> fulfilment: the restored data has no outbox (a backup from before the pipeline): nothing to align');
      return;
    }
    // first the outbox: should it fail, the queue keeps its messages (some may be dead-lettered
    // later, none is lost); emptied first, a failed re-arm would lose them
    const [[changed = '0'] = []] = await sql.query(node, REARM_OUTBOX_SCRIPT, { timeoutMs: 120_000 });
    log(`==> fulfilment: ${changed} outbox event(s) of paid orders had no shipment in the restored data: published again when the shop starts, applied once (the workers dedupe)`);
  } catch (e) {
    log(`    warning: the outbox could not be re-armed (${(e as Error).message}); the queue ${FULFILMENT_QUEUE} is left as it is. Once the shop is up: \`smartshop queue republish\``);
    return;
  }
  const queued = (await queueDepths(target))?.get(FULFILMENT_QUEUE);
  if ((await purgeQueue(target, FULFILMENT_QUEUE)) === undefined) {
    log(`    warning: no broker node answered, the queue ${FULFILMENT_QUEUE} was not emptied: messages of orders the restore took back will be dead-lettered (\`smartshop queue dlq list\`)`);
  } else {
    log(`    the queue ${FULFILMENT_QUEUE} emptied (${queued ?? 'an unknown number of'} message(s) written before the restore; what the data still wants is in the outbox)`);
  }
}
