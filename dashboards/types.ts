// The data a dashboard file declares. Dashboards are plain data so that the same
// declaration both renders to Grafana JSON (render.ts) and feeds live verification
// (verify.ts), which must know every query and which ones only have data during a fault.
import type { ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';

export interface QuerySpec {
  expr: string;
  legend?: string;
  // True when the series exist only while a chaos fault is active (e.g. chaos_fault_active):
  // live verification skips them outside a drill.
  faultOnly?: boolean;
}

export interface ThresholdStep {
  value: number | null;
  color: string;
}

type PanelKind = 'timeseries' | 'stat' | 'state-timeline';

export interface PanelSpec {
  kind: PanelKind;
  title: string;
  description: string;
  // A Grafana unit id ("reqps", "percentunit", "s", "none", ...). Always set: a number without a unit is a guess.
  unit: string;
  queries: QuerySpec[];
  thresholds?: ThresholdStep[];
  // Draw the thresholds on a time series as dashed lines (e.g. the 80% payment expectation).
  showThresholds?: boolean;
  mappings?: ValueMapping[];
  min?: number;
  max?: number;
  stacked?: boolean;
  // Shade chaos fault windows (adds a faultOnly chaos_fault_active query drawn as an area).
  faultShading?: boolean;
  width?: number;
  height?: number;
}

interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

// A multi-value template variable filled from `label_values(<metric>, <label>)`.
export interface VariableSpec {
  name: string;
  label: string;
  metric: string;
  labelName: string;
}

interface AnnotationSpec {
  name: string;
  expr: string;
  titleFormat: string;
  tagKeys: string;
  color: string;
  faultOnly?: boolean;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  // File name under grafana/dashboards/.
  file: string;
  variables: VariableSpec[];
  rows: RowSpec[];
  annotations?: AnnotationSpec[];
}
