// A drill report's pictures and its HTML page: the client requests the drill's traffic made
// (simulator samples), the fault window and the phases from the journal, the target's state
// from the observer's timeline, drawn by charts.ts; the page is self-contained (inline SVG,
// inline style, no script), so it opens from a CI artifact or a mail as it is.
import type { RequestSample } from '../../simulator/index.ts';
import {
  ERROR_CLASSES, latencySpec, lanesSpec, outcomeClass, pointsToDraw, renderSvg, throughputSpec, type ChartPoint, type Span, type XDomain,
} from '../../shared/charts.ts';
import type { DrillReport } from './write.ts';
import { clientsLine } from '../judge/clients.ts';
import { escapeMarkup as esc, htmlPage } from '../../shared/html-page.ts';

export interface Picture {
  /** file name suffix and anchor: latency, throughput, lanes */
  name: string;
  title: string;
  svg: string;
}

/** What the pictures drew, kept in the report so a reader (or a test) can check them. */
export interface PicturesSummary {
  requests: number;
  errors: number;
  /** 1 = every request drawn; k = every error and 1 in k of the others */
  okEvery: number;
  /** the shaded fault window, seconds from the fault's start (none: no fault was injected) */
  fault: { from: number; to: number } | null;
  /** requests the simulator did not keep past its cap (successes only): not drawn */
  dropped: number;
}

const offset = (origin: number, at: number): number => Math.round((at - origin) / 100) / 10;

/**
 * The spans of the lanes chart: the phases, the fault, every node's state (or, in a report
 * from before the observer kept them, the target's), an alert drill's alert, the clients' errors.
 */
function lanes(r: DrillReport, origin: number, fault: Span | undefined): Span[] {
  const at = (kind: string): number | undefined => r.timeline.events.find((e) => e.kind === kind)?.offsetSeconds;
  const end = at('steady-state-back') ?? at('traffic-stop') ?? fault?.to ?? 0;
  const spans: Span[] = r.phases.map((p) => ({ lane: 'phases', label: p.phase, from: offset(origin, Date.parse(p.startedAt)), to: offset(origin, Date.parse(p.endedAt)) }));
  if (fault) spans.push(fault);
  const between = (lane: string, label: string, from: string, to: number | undefined): void => {
    const start = at(from);
    if (start !== undefined) spans.push({ lane, label, from: start, to: to ?? end });
  };
  if (r.lanes && r.lanes.length > 0) {
    spans.push(...r.lanes.map((l) => ({ lane: l.lane, label: l.label, from: offset(origin, l.from), to: offset(origin, l.to) })));
  } else {
    const who = r.targets.join(', ');
    between(`HAProxy: ${who}`, 'DOWN', 'haproxy-marked-down', at('haproxy-marked-up'));
    // the observer marks no rejoin: the steady state back (every node Primary and Synced) ends it
    between(`Galera: ${who}`, 'not Primary', 'target-left-primary', at('steady-state-back'));
  }
  between('clients', 'errors', 'first-client-error', at('last-client-error'));
  return spans;
}

export async function drawPictures(r: DrillReport, samples: readonly RequestSample[], dropped = 0): Promise<{ pictures: Picture[]; summary: PicturesSummary }> {
  // the time axis is the timeline's own (timeline.ts): seconds from the fault's start, or
  // from its first event when no fault was injected (then nothing is shaded)
  const origin = r.timeline.faultStart ?? (r.timeline.events[0] ? r.timeline.events[0].at - r.timeline.events[0].offsetSeconds * 1000 : Date.parse(r.startedAt));
  const rollbackAt = r.timeline.events.find((e) => e.kind === 'rollback-start')?.offsetSeconds ?? r.options.faultSeconds;
  const fault: Span | undefined = r.timeline.faultStart === undefined ? undefined : { lane: 'fault', label: 'injected', from: 0, to: rollbackAt };
  const points: ChartPoint[] = samples.map((s) => ({ t: offset(origin, s.at), ms: s.ms, outcome: outcomeClass(s.outcome) }));
  const { drawn, okEvery } = pointsToDraw(points);
  const spans = lanes(r, origin, fault);
  // one x range for the three charts, so that they line up one under the other
  const ts = [...points.map((p) => p.t), ...spans.flatMap((s) => [s.from, s.to])];
  const domain: XDomain = ts.length > 0 ? [Math.floor(Math.min(...ts)), Math.ceil(Math.max(...ts))] : undefined;
  const pictures: Picture[] = [
    { name: 'latency', title: 'Latency of every request', svg: await renderSvg(latencySpec(drawn, fault, okEvery, domain)) },
    { name: 'throughput', title: 'Throughput by outcome', svg: await renderSvg(throughputSpec(points, fault, domain)) },
    { name: 'lanes', title: 'Phases, the fault, every node and the alert', svg: await renderSvg(lanesSpec(spans, fault, 'Phases, the fault, each node as Galera, HAProxy and the broker showed it', domain)) },
  ];
  return {
    pictures,
    summary: {
      requests: points.length,
      errors: points.filter((p) => ERROR_CLASSES.includes(p.outcome)).length,
      okEvery,
      fault: fault ? { from: fault.from, to: fault.to } : null,
      dropped,
    },
  };
}

/** The report as one self-contained HTML page. */
export function renderHtml(r: DrillReport, pictures: readonly Picture[], summary: PicturesSummary): string {
  const verdictClass = r.verdict.verdict === 'passed' ? 'ok' : r.verdict.verdict === 'deviated' ? 'deviated' : 'crossed';
  const row = (k: string, v: string): string => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`;
  const outcomes = Object.entries(r.traffic.byOutcome).sort().map(([k, v]) => `${k} × ${v}`).join(', ');
  return htmlPage(`${r.drill}: ${r.verdict.verdict}`, `<h1>${esc(r.drill)}: <span class="${verdictClass}">${esc(r.verdict.verdict)}</span></h1>
<p>${esc(r.verdict.reason)}</p>
<table>
${row('proves', r.proves)}
${row('fault', r.fault)}
${row('targets', r.targets.join(', '))}
${row('project', `${r.project}${r.runtime ? ` (${r.runtime})` : ''}`)}
${row('started / ended', `${r.startedAt} / ${r.endedAt}`)}
${row('client requests', `${r.traffic.requests}: ${outcomes}`)}
${r.clients ? row('during the fault', clientsLine(r.clients)) : ''}
${row('writes acknowledged / lost', `${r.writes.acknowledged} / ${r.writes.lost}`)}
</table>
${r.verdict.failures.length ? `<h2>Failures</h2><ul>${r.verdict.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
${r.verdict.deviations.length ? `<h2>Deviations</h2><ul>${r.verdict.deviations.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
${pictures.map((p) => `<figure id="${p.name}"><figcaption>${esc(p.title)}</figcaption>\n${p.svg}\n</figure>`).join('\n')}
<p>Drawn: ${summary.requests} requests, of them ${summary.errors} errors (5xx, timeouts, connection errors)${summary.okEvery > 1 ? `; the latency chart shows every error and 1 in ${summary.okEvery} of the others` : ''}${summary.dropped > 0 ? `; ${summary.dropped} successful requests past the simulator's cap are not drawn` : ''}. ${summary.fault ? `The fault window (shaded) runs from ${summary.fault.from} s to ${summary.fault.to} s: the fault's injection to the rollback's start.` : 'No fault was injected: nothing is shaded.'}</p>
<h2>Phases</h2>
<table><tr><th>phase</th><th>started</th><th>seconds</th><th>outcome</th><th>detail</th></tr>
${r.phases.map((p) => `<tr><td>${esc(p.phase)}</td><td>${esc(p.startedAt)}</td><td>${p.seconds.toFixed(1)}</td><td>${esc(p.outcome)}</td><td>${esc(p.detail)}</td></tr>`).join('\n')}
</table>
<h2>Timeline</h2>
<table><tr><th>T+ (s)</th><th>event</th><th>detail</th></tr>
${r.timeline.events.map((e) => `<tr><td>${e.offsetSeconds.toFixed(1)}</td><td>${esc(e.kind)}</td><td>${esc(e.detail)}</td></tr>`).join('\n')}
</table>`);
}
