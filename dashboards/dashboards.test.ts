// The generated dashboards are reproducible, complete (title, description, unit on every
// panel) and identical to the committed JSON.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dashboards } from './catalog.ts';
import { checkDashboards, generateAll } from './generate.ts';
import { buildDashboard, PROMETHEUS_UID } from './render.ts';

const committedDir = fileURLToPath(new URL('../grafana/dashboards/', import.meta.url));

interface PanelJson {
  type: string;
  title?: string;
  description?: string;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr?: string; refId?: string; datasource?: { uid?: string } }[];
}

const built = dashboards.map((spec) => ({ spec, json: JSON.parse(JSON.stringify(buildDashboard(spec))) as { uid: string; panels: PanelJson[]; templating: { list: { name: string; current?: { value?: string } }[] }; links: unknown[] } }));

describe('generated dashboards', () => {
  it('are byte-for-byte identical from one generation to the next', () => {
    expect([...generateAll()]).toEqual([...generateAll()]);
  });

  it('are the seven dashboards with fixed, unique uids and file names', () => {
    expect(dashboards.map((d) => d.uid)).toEqual([
      'smartshop-overview',
      'smartshop-galera',
      'smartshop-haproxy',
      'smartshop-fulfilment',
      'smartshop-host',
      'smartshop-chaos',
      'smartshop-simulator',
    ]);
    expect(new Set(dashboards.map((d) => d.file)).size).toBe(dashboards.length);
  });

  it('match the committed JSON in grafana/dashboards (run `npm run dashboards` if not)', async () => {
    expect(await checkDashboards(committedDir)).toEqual({ missing: [], differing: [], unexpected: [] });
  });

  for (const { spec, json } of built) {
    describe(spec.uid, () => {
      const panels = json.panels.filter((p) => p.type !== 'row');

      it('gives every panel a title, a description, a unit and at least one query', () => {
        expect(panels.length).toBeGreaterThan(0);
        for (const panel of panels) {
          expect(panel.title, JSON.stringify(panel.targets)).toBeTruthy();
          expect(panel.description, panel.title).toBeTruthy();
          expect(panel.fieldConfig?.defaults?.unit, panel.title).toBeTruthy();
          expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        }
      });

      it('queries Prometheus through the shared datasource variable, with distinct refIds', () => {
        for (const panel of panels) {
          const targets = panel.targets ?? [];
          for (const target of targets) {
            expect(target.datasource?.uid, panel.title).toBe('${datasource}');
            expect(target.expr, panel.title).toBeTruthy();
          }
          expect(new Set(targets.map((t) => t.refId)).size, panel.title).toBe(targets.length);
        }
        const datasource = json.templating.list.find((v) => v.name === 'datasource');
        expect(datasource?.current?.value).toBe(PROMETHEUS_UID);
      });

      it('uses template variables only with regex matchers (multi-value and All become regexes)', () => {
        for (const panel of panels) {
          for (const { expr = '' } of panel.targets ?? []) {
            expect(expr, panel.title).not.toMatch(/[^=~!]=\s*"\$/);
          }
        }
      });

      it('links to the other SmartShop dashboards', () => {
        expect(json.links).toHaveLength(1);
      });
    });
  }
});
