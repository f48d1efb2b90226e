// Renders a DashboardSpec to Grafana JSON with @grafana/grafana-foundation-sdk (the build for
// Grafana 11.6), then makes the output deterministic: panel ids and query refIds are assigned
// in declaration order and object keys are sorted, so `npm run dashboards` is reproducible.
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { AnnotationQuery, Dashboard, DataSourceRef, DynamicConfigValue, ThresholdsConfig, ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LineInterpolation,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
} from '@grafana/grafana-foundation-sdk/common';
import type { DashboardSpec, PanelSpec, QuerySpec, VariableSpec } from './types.ts';

// The datasource provisioning (grafana/provisioning/) gives Prometheus this fixed uid.
export const PROMETHEUS_UID = 'prometheus';
const DASHBOARD_TAG = 'smartshop';
const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
const FAULT_SERIES = 'fault active';
const FAULT_QUERY: QuerySpec = { expr: 'max(chaos_fault_active)', legend: FAULT_SERIES, faultOnly: true };

// The setters every panel builder has; the three SDK builders share them structurally.
interface CommonPanelBuilder {
  title(title: string): unknown;
  description(description: string): unknown;
  unit(unit: string): unknown;
  span(width: number): unknown;
  height(height: number): unknown;
  datasource(datasource: DataSourceRef): unknown;
  withTarget(target: Builder<Dataquery>): unknown;
  thresholds(thresholds: Builder<ThresholdsConfig>): unknown;
  mappings(mappings: ValueMapping[]): unknown;
  min(min: number): unknown;
  max(max: number): unknown;
}

export function panelQueries(spec: PanelSpec): QuerySpec[] {
  return spec.faultShading ? [...spec.queries, FAULT_QUERY] : spec.queries;
}

function applyCommon(builder: CommonPanelBuilder, spec: PanelSpec): void {
  builder.title(spec.title);
  builder.description(spec.description);
  builder.unit(spec.unit);
  builder.span(spec.width ?? 12);
  builder.height(spec.height ?? 8);
  builder.datasource(DATASOURCE);
  panelQueries(spec).forEach((query, index) => {
    const target = new DataqueryBuilder().expr(query.expr).refId(String.fromCharCode(65 + index)).datasource(DATASOURCE);
    if (query.legend !== undefined) target.legendFormat(query.legend);
    builder.withTarget(target);
  });
  if (spec.thresholds) builder.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(spec.thresholds));
  if (spec.mappings) builder.mappings(spec.mappings);
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
}

// The fault window drawn as a red area on a hidden 0..1 axis behind the panel's own series.
const FAULT_OVERRIDE: DynamicConfigValue[] = [
  { id: 'custom.fillOpacity', value: 20 },
  { id: 'custom.lineWidth', value: 0 },
  { id: 'custom.lineInterpolation', value: LineInterpolation.StepAfter },
  { id: 'custom.axisPlacement', value: 'hidden' },
  { id: 'min', value: 0 },
  { id: 'max', value: 1 },
  { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
];

function buildPanel(spec: PanelSpec): TimeseriesBuilder | StatBuilder | StateTimelineBuilder {
  switch (spec.kind) {
    case 'timeseries': {
      const builder = new TimeseriesBuilder().fillOpacity(10).lineWidth(1).spanNulls(false);
      applyCommon(builder, spec);
      if (spec.stacked) builder.stacking(new StackingConfigBuilder().mode(StackingMode.Normal)).fillOpacity(40);
      if (spec.showThresholds) builder.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
      if (spec.faultShading) builder.overrideByName(FAULT_SERIES, FAULT_OVERRIDE);
      return builder;
    }
    case 'stat': {
      // Last value, coloured by the thresholds, with a sparkline: a stat is read at a glance.
      const builder = new StatBuilder()
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .colorMode(BigValueColorMode.Value)
        .graphMode(BigValueGraphMode.Area);
      applyCommon(builder, spec);
      return builder;
    }
    case 'state-timeline': {
      const builder = new StateTimelineBuilder().mergeValues(true).rowHeight(0.8);
      applyCommon(builder, spec);
      return builder;
    }
  }
}

function variable(spec: VariableSpec): QueryVariableBuilder {
  return new QueryVariableBuilder(spec.name)
    .label(spec.label)
    .datasource(DATASOURCE)
    .query(`label_values(${spec.metric}, ${spec.labelName})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: 'All', value: '$__all' });
}

// Grafana's own annotation store (for annotations posted through its API) plus the spec's.
function annotations(spec: DashboardSpec): AnnotationQuery[] {
  const builtIn: AnnotationQuery = {
    builtIn: 1,
    datasource: { type: 'grafana', uid: '-- Grafana --' },
    enable: true,
    hide: true,
    iconColor: 'rgba(0, 211, 255, 1)',
    name: 'Annotations & Alerts',
    type: 'dashboard',
  };
  const fromPrometheus = (spec.annotations ?? []).map(
    (a): AnnotationQuery & Record<string, unknown> => ({
      datasource: DATASOURCE,
      enable: true,
      expr: a.expr,
      iconColor: a.color,
      name: a.name,
      step: '15s',
      tagKeys: a.tagKeys,
      titleFormat: a.titleFormat,
      useValueForTime: false,
    }),
  );
  return [builtIn, ...fromPrometheus];
}

export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_TAG, 'generated'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(
      new DatasourceVariableBuilder('datasource')
        .label('Data source')
        .type('prometheus')
        .current({ selected: true, text: 'Prometheus', value: PROMETHEUS_UID }),
    )
    .link(
      new DashboardLinkBuilder('SmartShop dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    );
  for (const v of spec.variables) builder.withVariable(variable(v));
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(buildPanel(panel));
  }
  const dashboard = builder.build();
  dashboard.annotations = { list: annotations(spec) };
  // Fixed, declaration-ordered panel ids so links to ?viewPanel=N stay valid between generations.
  (dashboard.panels ?? []).forEach((panel, index) => {
    panel.id = index + 1;
  });
  return dashboard;
}

// JSON with object keys sorted at every level (arrays keep their order) and a final newline.
function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, inner]) => inner !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return Object.fromEntries(entries.map(([k, inner]) => [k, sort(inner)]));
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

export function renderDashboard(spec: DashboardSpec): string {
  return stableJson(buildDashboard(spec));
}
