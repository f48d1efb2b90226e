// Panel defaults shared by the six dashboard files, so each file only says what is
// specific to its panels (title, description, unit, queries, thresholds).
import { MappingType } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import type { PanelSpec, QuerySpec, ThresholdStep } from './types.ts';

type PanelInput = Omit<PanelSpec, 'kind' | 'queries'> & { queries: QuerySpec[] | QuerySpec };

function panel(kind: PanelSpec['kind'], input: PanelInput): PanelSpec {
  const queries = Array.isArray(input.queries) ? input.queries : [input.queries];
  return { ...input, kind, queries };
}

export const timeseries = (input: PanelInput): PanelSpec => panel('timeseries', input);
export const stat = (input: PanelInput): PanelSpec => panel('stat', { width: 6, height: 5, ...input });
export const stateTimeline = (input: PanelInput): PanelSpec => panel('state-timeline', input);

export function q(expr: string, legend?: string, options: { faultOnly?: boolean } = {}): QuerySpec {
  return { expr, ...(legend === undefined ? {} : { legend }), ...(options.faultOnly ? { faultOnly: true } : {}) };
}

// `rate(<metric>[$__rate_interval])`, the way every counter on these dashboards is read.
export const rate = (selector: string): string => `rate(${selector}[$__rate_interval])`;

// Thresholds where a higher value is worse: green below `warn`, orange up to `crit`, red above.
export function higherIsWorse(warn: number, crit: number): ThresholdStep[] {
  return [
    { value: null, color: 'green' },
    { value: warn, color: 'orange' },
    { value: crit, color: 'red' },
  ];
}

// Thresholds where a lower value is worse: red below `crit`, orange up to `ok`, green from `ok`.
export function lowerIsWorse(crit: number, ok: number): ThresholdStep[] {
  return [
    { value: null, color: 'red' },
    { value: crit, color: 'orange' },
    { value: ok, color: 'green' },
  ];
}

// Value → text/colour mappings for gauges that encode a state as a number.
export function stateMappings(states: Record<number, [text: string, color: string]>): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  Object.entries(states).forEach(([value, [text, color]], index) => {
    options[value] = { text, color, index };
  });
  return [{ type: MappingType.ValueToText, options }];
}

export const upDownMappings = stateMappings({ 0: ['DOWN', 'red'], 1: ['UP', 'green'] });
export const onOffMappings = stateMappings({ 0: ['OFF', 'red'], 1: ['ON', 'green'] });
