// `smartshop chaos run alert:<AlertName>` and `smartshop chaos run alerts`: the CLI side of
// the alert drills (loaded lazily by chaos/command.ts). Exit codes as for every command
// (shared/exit-codes.ts): 0 every drill passed, 1 one failed, 2 no such alert drill, 3 could not run.
import { EXIT } from '../../shared/exit-codes.ts';
import { resolveLabConfig, urls, NodeSql, type Target } from '../../lab/index.ts';
import { alertDrills, findAlertDrill, type AlertDrill } from './catalog.ts';
import { runAlertDrill, writeAlertReports, renderAlertReports, type AlertDrillReport } from './runner.ts';

/** The drills a `run` name asks for, or an error message. */
export function selectAlertDrills(name: string): AlertDrill[] | string {
  if (name === 'alerts') return alertDrills;
  const alert = name.slice('alert:'.length);
  const drill = findAlertDrill(alert);
  return drill ? [drill] : `no alert drill for "${alert}"; there are: ${alertDrills.map((d) => `alert:${d.alert}`).join(', ')}`;
}

export async function runAlertDrillsCli(name: string, o: { target: Target; reportDir: string; database: string }): Promise<number> {
  const selected = selectAlertDrills(name);
  if (typeof selected === 'string') {
    console.error(selected);
    return EXIT.usage;
  }
  const u = urls({ ...resolveLabConfig(process.env), bind: '127.0.0.1' });
  const bare = (url: string): string => url.replace(/\/+$/, '');
  const reports: AlertDrillReport[] = [];
  try {
    for (const drill of selected) {
      reports.push(await runAlertDrill({
        drill,
        target: o.target,
        sql: new NodeSql(o.target, o.database),
        endpoints: { api: bare(u.api), prometheus: bare(u.prometheus), alertmanager: `${bare(u.console)}/alertmanager`, console: bare(u.console) },
        database: o.database,
        reportDir: o.reportDir,
        print: (l) => console.log(l),
      }));
    }
  } catch (err) {
    console.error(`alert drill could not run: ${(err as Error).message}`);
    if (reports.length === 0) return EXIT.couldNotRun;
  }
  const files = await writeAlertReports(o.reportDir, reports);
  console.log(`\n${renderAlertReports(reports)}\n\nreport: ${files.md} (${files.json})`);
  return reports.length === selected.length && reports.every((r) => r.verdict === 'passed') ? EXIT.ok : EXIT.failed;
}
