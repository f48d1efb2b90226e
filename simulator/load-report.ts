// The load test's HTML report (`simulate --html FILE`): the run's request samples drawn with
// the charts every report uses (shared/charts.ts): latency of every request, percentiles per
// second with the latency thresholds as lines, throughput by outcome, the arrival stages as
// lanes; the thresholds' verdicts in a table. One self-contained file (inline SVG, no
// script), which Jenkins archives beside the JUnit file.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  latencySpec, lanesSpec, outcomeClass, percentilesSpec, pointsToDraw, renderSvg, throughputSpec, type ChartPoint, type Span,
} from '../shared/charts.ts';
import type { Stage } from './engine/arrivals.ts';
import type { RunSummary } from './engine/run.ts';
import type { RequestSample } from './engine/stats.ts';
import type { ThresholdResult } from './thresholds.ts';
import { escapeMarkup as esc, htmlPage } from '../shared/html-page.ts';

export interface LoadReportInput {
  title: string;
  summary: RunSummary;
  samples: readonly RequestSample[];
  thresholds: readonly ThresholdResult[];
  stages: readonly Stage[] | undefined;
}

/** The stages as spans on the time axis: "→ 20/s" while the rate ramps to 20 journeys/s. */
function stageSpans(stages: readonly Stage[]): Span[] {
  let from = 0;
  return stages.map((s, i) => {
    const span = { lane: 'stages', label: `${i + 1}: → ${s.target}/s`, from, to: from + s.durationSeconds };
    from = span.to;
    return span;
  });
}

async function renderLoadReport(i: LoadReportInput): Promise<string> {
  const origin = Date.parse(i.summary.startedAt);
  const points: ChartPoint[] = i.samples.map((s) => ({ t: Math.round((s.at - origin) / 100) / 10, ms: s.ms, outcome: outcomeClass(s.outcome) }));
  const { drawn, okEvery } = pointsToDraw(points);
  // latency limits drawn as lines: the thresholds on http_req_duration over every endpoint
  const limits = i.thresholds.filter((r) => r.threshold.metric === 'http_req_duration' && r.threshold.endpoint === undefined).map((r) => ({ label: r.threshold.text, ms: r.threshold.value }));
  const charts = [
    ['latency', await renderSvg(latencySpec(drawn, undefined, okEvery))],
    ['percentiles', await renderSvg(percentilesSpec(points, limits))],
    ['throughput', await renderSvg(throughputSpec(points, undefined))],
    ...(i.stages && i.stages.length > 0 ? [['stages', await renderSvg(lanesSpec(stageSpans(i.stages), undefined, 'Arrival stages (journeys per second each ramps to)'))]] : []),
  ];
  const failed = i.thresholds.filter((r) => !r.ok).length;
  const s = i.summary;
  const outcomes = Object.entries(s.requests.byOutcome).sort().map(([k, v]) => `${k} × ${v}`).join(', ');
  return htmlPage(i.title, `<h1>${esc(i.title)}: <span class="${failed ? 'crossed' : 'ok'}">${failed ? `${failed} threshold(s) crossed` : 'every threshold met'}</span></h1>
<table>
<tr><th>target</th><td>${esc(s.target)}</td></tr>
<tr><th>started / ran</th><td>${esc(s.startedAt)} / ${s.elapsedSeconds.toFixed(1)} s (seed ${s.seed})</td></tr>
<tr><th>journeys</th><td>${s.journeys.started} started, ${s.journeys.completed} completed, ${s.journeys.failed} failed, ${s.journeys.limited} limited, ${s.journeys.dropped} dropped</td></tr>
<tr><th>requests</th><td>${s.requests.total}: ${esc(outcomes)}</td></tr>
</table>
<h2>Thresholds</h2>
<table><tr><th>threshold</th><th>observed</th><th>verdict</th></tr>
${i.thresholds.map((r) => `<tr><td>${esc(r.threshold.text)}</td><td>${r.observed === undefined ? 'nothing to measure' : r.observed.toFixed(r.threshold.metric === 'http_req_duration' ? 1 : 4)}</td><td class="${r.ok ? 'ok' : 'crossed'}">${r.ok ? 'met' : 'crossed'}</td></tr>`).join('\n')}
</table>
${charts.map(([name, svg]) => `<figure id="${name}">\n${svg}\n</figure>`).join('\n')}`);
}

export async function writeLoadReport(file: string, input: LoadReportInput): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, await renderLoadReport(input));
}
