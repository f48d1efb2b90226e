// Section 8: what the binary log costs (point-in-time restore needs it on every node, with
// log_slave_updates; under strict, sync_binlog=1 adds an fsync to every group commit).
// The same order-creating load as §7, with the log on, off, then on again: switching
// recreates the nodes, so the sides cannot alternate run by run; on-off-on puts the two
// "on" measurements around the "off" one, so a steady drift of the machine shows as a
// difference between them instead of passing for the log's cost.
import { HttpClient } from '../../shared/http-client.ts';
import { fmtRatio, type Table } from '../format.ts';
import { describeKinds } from '../load.ts';
import { aggregate, median, pairedRatio, type RunFigures } from '../stats.ts';
import { labAccess, FIGURES_HEADERS, figuresCells, noisyNote, type SectionContext, defineSection } from './common.ts';
import { measureOrderWrites, reconfigureNodes } from './s7-durability.ts';

const TITLE = 'Binary log: order writes per second with log_bin on and off';
const STEPS = [['on (before)', true], ['off', false], ['on (after)', true]] as const;

const switchTo = (ctx: SectionContext, binlog: boolean): Promise<void> => reconfigureNodes(ctx, { binlog }, `binary log ${binlog ? 'on' : 'off'}`);

export const section8 = defineSection({ id: 8, title: TITLE, needs: ['api', 'mysql'], budgetSeconds: 600 }, async (ctx) => {
  const access = labAccess(ctx);
  const { opts } = ctx;
  const original = access.stack.binlog;
  const http = new HttpClient({ baseUrl: access.api, timeoutMs: 10_000 });
  const runs: Record<string, RunFigures[]> = {};
  const notes: string[] = [];
  try {
    for (const [label, binlog] of STEPS) {
      if (Date.now() + 90_000 + opts.runs * (opts.seconds * 1000 + 500) > ctx.deadline) {
        notes.push(`${label}: left out, the run's time was up.`);
        continue;
      }
      await switchTo(ctx, binlog);
      const { list, errors } = await measureOrderWrites(ctx, http, `binlog-${binlog ? 'on' : 'off'}`);
      runs[label] = list;
      if (Object.keys(errors).length > 0) notes.push(`${label}: errors ${describeKinds(errors)}.`);
    }
  } finally {
    await switchTo(ctx, original).catch((err: unknown) => {
      notes.push(`⚠ could not put the lab back on binary log ${original ? 'on' : 'off'}: ${(err as Error).message}. Run \`BINLOG=${original ? 'on' : 'off'} smartshop stack up\`.`);
    });
  }
  const rows: string[][] = [];
  for (const [label, list] of Object.entries(runs)) {
    const a = aggregate(list, opts.noiseThreshold);
    rows.push([label, ...figuresCells(a, opts.noiseThreshold)]);
    const n = noisyNote(label, a, opts.noiseThreshold);
    if (n) notes.push(n);
  }
  const on = [...(runs['on (before)'] ?? []), ...(runs['on (after)'] ?? [])];
  const off = runs.off ?? [];
  const before = median((runs['on (before)'] ?? []).map((f) => f.throughput));
  const after = median((runs['on (after)'] ?? []).map((f) => f.throughput));
  if (Number.isFinite(before) && Number.isFinite(after)) {
    notes.push(`the two "on" measurements differ by ${fmtRatio(after / before)} (after ÷ before): drift of the machine between the switches, the noise floor of the ratio below.`);
  }
  // off runs paired with the median of the on runs: each switch is minutes apart, read it as an estimate
  const onMedian = median(on.map((f) => f.throughput));
  const ratio = off.length > 0 && on.length > 0 ? pairedRatio(off.map((f) => f.throughput), off.map(() => onMedian)) : Number.NaN;
  const figures: Table = { headers: ['binary log', ...FIGURES_HEADERS], align: ['left'], rows };
  const ratios: Table = { title: 'Ratio', headers: ['', 'off ÷ on (throughput)'], align: ['left'], rows: [['binary log', fmtRatio(ratio)]] };
  return {
    status: 'ok',
    about: [
      `POST /api/orders/create through the lab's shop, HAProxy and the three Galera nodes, closed loop of ${opts.concurrency} in flight, ${opts.runs} runs of ${opts.seconds} s per step after a warm-up, on the lab's durability profile (${access.stack.durability}).`,
      'Steps: binary log on, off, on again (each switch recreates the nodes with BINLOG=on|off); the ratio sets the "off" runs against the median of both "on" steps.',
      `The lab had its binary log ${original ? 'on' : 'off'} before the section and is put back so afterwards.`,
    ],
    tables: [figures, ratios],
    notes,
    data: { original, runs, offOverOn: ratio },
  };
});
