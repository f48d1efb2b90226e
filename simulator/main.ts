// The body of `smartshop simulate`, loaded lazily by command.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HttpClient } from '../shared/http-client.ts';
import { formatSummary } from './format.ts';
import { runLive } from './live.ts';
import { runMenu } from './menu.ts';
import { DEFAULT_METRICS_PORT, DEFAULT_TARGET, hasRunFlags, parseCliFlags, parseInteger, parseTarget, UsageError, type RawFlags } from './options.ts';
import { probe, unreachableMessage } from './shop-views.ts';
import { labFlagsFile, labToolSocket } from '../lab/paths.ts';
import { watchFlood } from './flood.ts';
import { checkApi, formatCheck } from './api-check.ts';
import { judgeThresholds, junitXml, thresholdCases, type JunitCase } from './thresholds.ts';
import { EXIT } from '../shared/exit-codes.ts';

export async function simulateMain(flags: Record<string, string | string[] | boolean | undefined>): Promise<number> {
  const raw = toRawFlags(flags);
  raw.target ??= process.env.SMARTSHOP_TARGET || undefined;
  // the lab's loadGeneratorFlood flag multiplies the rate of every run started here
  const flood = watchFlood(labFlagsFile());
  try {
    if (!hasRunFlags(raw) && process.stdin.isTTY && process.stdout.isTTY) {
      await runMenu({
        rateMultiplier: () => flood.multiplier(),
        target: parseTarget(raw.target ?? DEFAULT_TARGET),
        metricsPort: raw.metricsPort === undefined ? DEFAULT_METRICS_PORT : parseInteger('--metrics-port', raw.metricsPort, 0, 65535),
        metricsSocket: labToolSocket('simulator'),
      });
      return EXIT.ok;
    }
    return await headless(raw, () => flood.multiplier());
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`smartshop simulate: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  } finally {
    flood.stop();
  }
}

async function headless(raw: RawFlags, rateMultiplier: () => number): Promise<number> {
  const plan = parseCliFlags(raw);
  const human = plan.json ? process.stderr : process.stdout;
  const reach = await probe(new HttpClient({ baseUrl: plan.run.target }), 3, 1000);
  if (!reach.reachable) {
    process.stderr.write(`${unreachableMessage(plan.run.target, reach.detail)}\n`);
    return EXIT.couldNotRun;
  }
  // the smoke profile first calls every endpoint once (what a deploy must answer), then loads
  const checks: JunitCase[] = [];
  if (plan.profile === 'smoke') {
    const results = await checkApi(new HttpClient({ baseUrl: plan.run.target }));
    human.write(`Every endpoint once:\n${formatCheck(results)}\n`);
    for (const r of results) checks.push({ name: `${r.method} ${r.path} answers ${r.expected}`, ok: r.pass, detail: `${r.method} ${r.path}: expected ${r.expected}, got ${r.got}` });
  }
  // Prometheus reads the run's metrics through the lab's socket (shared/tool-metrics.ts)
  const { summary, ledger, stats } = await runLive(
    { ...plan.run, metricsSocket: labToolSocket('simulator'), rateMultiplier, keepSamples: plan.htmlFile !== undefined },
    { quiet: plan.json && !process.stderr.isTTY },
  );
  if (plan.ledgerFile) await writeFile(plan.ledgerFile, `${JSON.stringify(ledger.export(), null, 2)}\n`);
  const results = judgeThresholds(plan.thresholds, { summary, quantile: (endpoint, q) => stats.quantile(endpoint, q) });
  if (plan.json) process.stdout.write(`${JSON.stringify({ ...summary, thresholds: results.map((r) => ({ threshold: r.threshold.text, observed: r.observed ?? null, ok: r.ok })) })}\n`);
  else human.write(`${formatSummary(summary)}\n`);
  if (results.length > 0) human.write(`Thresholds:\n${results.map((r) => `  ${r.detail}`).join('\n')}\n`);
  if (plan.junitFile) {
    await mkdir(dirname(plan.junitFile), { recursive: true });
    await writeFile(plan.junitFile, junitXml(plan.profile ?? summary.mode ?? 'run', [...checks, ...thresholdCases(results)], summary.elapsedSeconds));
  }
  if (plan.htmlFile) {
    // a report that cannot be drawn is said, and changes no verdict
    try {
      const { writeLoadReport } = await import('./load-report.ts'); // vega loads only here
      await writeLoadReport(plan.htmlFile, { title: `Load test: ${summary.mode ?? 'run'}`, summary, samples: stats.samples ?? [], thresholds: results, stages: plan.run.stages });
      human.write(`HTML report: ${plan.htmlFile}\n`);
    } catch (err) {
      process.stderr.write(`smartshop simulate: the HTML report could not be written (${(err as Error).message}); the verdict stands\n`);
    }
  }
  if (!summary.reachable) {
    process.stderr.write(`${unreachableMessage(plan.run.target, 'no request got an HTTP answer')}\n`);
    return EXIT.couldNotRun;
  }
  const crossed = results.filter((r) => !r.ok);
  if (crossed.length > 0) process.stderr.write(`smartshop simulate: ${crossed.length} of ${results.length} threshold(s) crossed: ${crossed.map((r) => r.threshold.text).join('; ')}\n`);
  const broken = checks.filter((c) => !c.ok);
  if (broken.length > 0) process.stderr.write(`smartshop simulate: ${broken.length} endpoint check(s) failed: ${broken.map((c) => c.detail).join('; ')}\n`);
  if (crossed.length > 0 || broken.length > 0) return EXIT.failed;
  return EXIT.ok;
}

function toRawFlags(flags: Record<string, string | string[] | boolean | undefined>): RawFlags {
  const raw: RawFlags = {};
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    if (key === 'json') raw.json = value === true;
    else if (key === 'threshold') {
      const all = ([] as unknown[]).concat(value).map(String);
      if (all.length > 0) raw.threshold = all;
    } else if (typeof value === 'string') (raw as Record<string, string>)[key] = value;
  }
  return raw;
}
