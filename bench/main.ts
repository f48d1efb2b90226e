// `npm run bench`: measures the lab on this machine and writes bench/results/latest.md and
// latest.json. It prints figures and ratios and never fails on time: a section that cannot
// run (the stack is down, no time left) is marked skipped, one that breaks is marked failed,
// and the exit code is 0 either way (2 only for bad options). Every loop is bounded in count
// and time, and the whole run stops starting sections after BENCH_MAX_MINUTES.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { DEFAULT_OUT_DIR, parseOptions, OptionsError, USAGE, type BenchOptions } from './options.ts';
import { gitCommit, machineInfo, packageVersion } from './machine.ts';
import { carryOver, renderMarkdown, renderSection, skipped, type BenchReport, type SectionResult } from './report.ts';
import { stopAllShops } from './shop-process.ts';
import { checkStack, FIX_HINT, labAccess, labEnv, LOOPBACK, REPO_ROOT, type StackStatus } from './stack-check.ts';
import { sectionError, type Section, type SectionContext } from './sections/common.ts';
import { section1 } from './sections/s1-shop-vs-db.ts';
import { section2 } from './sections/s2-instrumentation.ts';
import { section3 } from './sections/s3-load-generator.ts';
import { section4 } from './sections/s4-metrics.ts';
import { section5 } from './sections/s5-stats-growth.ts';
import { section6 } from './sections/s6-failover.ts';
import { section7 } from './sections/s7-durability.ts';
import { section8 } from './sections/s8-binlog.ts';
import { section9 } from './sections/s9-backup.ts';
import { section10 } from './sections/s10-fulfilment.ts';
import { section11 } from './sections/s11-broker-faults.ts';

const SECTIONS: Section[] = [section1, section2, section3, section4, section5, section6, section7, section8, section9, section10, section11];

function missingParts(section: Section, stack: StackStatus | undefined): string[] {
  if (stack === undefined) return section.needs;
  return section.needs.filter((p) => !stack[p]);
}

async function main(opts: BenchOptions): Promise<void> {
  const started = new Date();
  const overallDeadline = started.getTime() + opts.maxMinutes * 60_000;
  const log = (line: string): void => console.log(line);
  const machine = machineInfo();
  log(`SmartShop bench${opts.quick ? ' (quick smoke run)' : ''}: sections ${opts.only.join(', ')}, ${opts.runs} runs of ${opts.seconds} s at ${opts.concurrency} in flight`);
  log(`machine: ${machine.cpuModel} × ${machine.cores} cores, ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB, load ${machine.loadAverageStart.map((l) => l.toFixed(2)).join(' ')}`);

  const selected = SECTIONS.filter((s) => (opts.only as number[]).includes(s.id));
  const access = labAccess(labEnv());
  let stack: StackStatus | undefined;
  if (selected.some((s) => s.needs.length > 0)) {
    stack = await checkStack(access);
    if (stack.problems.length === 0) {
      log(`lab stack: up (${stack.galeraUp ?? 'HAProxy'}; MariaDB ${stack.mariadbVersion ?? '?'}; HAProxy ${stack.haproxyVersion ?? '?'})`);
    } else {
      log('');
      log('!! The lab stack is not (fully) up:');
      for (const p of stack.problems) log(`!!   - ${p}`);
      log(`!! To fix: ${FIX_HINT}.`);
      const blocked = selected.filter((s) => missingParts(s, stack).length > 0).map((s) => s.id);
      if (blocked.length > 0) log(`!! Sections ${blocked.join(', ')} need it and are skipped; the others run.`);
      log('');
    }
  }

  const notMeasured = stack === undefined ? 'not measured (no selected section needs the lab)' : 'not measured (lab not reached)';
  const versions: Record<string, string> = {
    node: process.version,
    'MariaDB (lab, through HAProxy)': stack?.mariadbVersion ?? notMeasured,
    HAProxy: stack?.haproxyVersion ?? notMeasured,
    autocannon: packageVersion('autocannon'),
    mysql2: packageVersion('mysql2'),
    'smartshop commit': await gitCommit(REPO_ROOT),
  };
  const results: SectionResult[] = [];
  for (const section of selected) {
    const missing = missingParts(section, stack);
    if (missing.length > 0) {
      const problems = stack?.problems.filter((p) => missing.some((m) => (m === 'api' ? p.startsWith('shop API') : p.startsWith('MySQL')))) ?? [];
      results.push(skipped(section.id, section.title, `needs the lab stack's ${missing.map((m) => (m === 'api' ? 'shop API' : 'MySQL through HAProxy')).join(' and ')}, which did not answer (${problems.join('; ') || 'not checked'}): ${FIX_HINT}, then run the bench again.`));
      log(`[${section.id}] ${section.title}: skipped (lab stack not up)`);
      continue;
    }
    const budget = (opts.quick ? section.budgetSeconds / 3 : section.budgetSeconds) * 1000;
    const deadline = Math.min(overallDeadline, Date.now() + budget);
    if (deadline - Date.now() < 15_000 && section.id !== 6) {
      results.push(skipped(section.id, section.title, `the bench's time (BENCH_MAX_MINUTES=${opts.maxMinutes}) was up before this section.`));
      log(`[${section.id}] ${section.title}: skipped (time budget)`);
      continue;
    }
    log(`[${section.id}] ${section.title}`);
    const ctx: SectionContext = { opts, stack, deadline, log, versions };
    const t0 = Date.now();
    let result: SectionResult;
    try {
      result = { id: section.id, title: section.title, ...(await section.run(ctx)), seconds: (Date.now() - t0) / 1000 };
    } catch (err) {
      result = sectionError(section, err, (Date.now() - t0) / 1000);
      log(`  failed: ${(err as Error).message}`);
    } finally {
      await stopAllShops();
    }
    results.push(result);
    log('');
    log(renderSection(result));
  }

  const ended = new Date();
  const intoCommitted = !opts.quick && resolve(opts.outDir) === resolve(DEFAULT_OUT_DIR);
  const md = join(opts.outDir, 'latest.md');
  const json = join(opts.outDir, 'latest.json');
  // a run of some sections into the committed results keeps the others from the last run
  const previous = intoCommitted && selected.length < SECTIONS.length
    ? await readFile(json, 'utf8').then((t) => JSON.parse(t) as BenchReport, () => undefined)
    : undefined;
  const report: BenchReport = {
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    seconds: (ended.getTime() - started.getTime()) / 1000,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick: opts.quick,
    options: {
      sections: opts.only,
      runs: opts.runs,
      seconds: opts.seconds,
      concurrency: opts.concurrency,
      mixedSeconds: opts.mixedSeconds,
      statsSizes: opts.statsSizes,
      statsRequests: opts.statsRequests,
      noiseThreshold: opts.noiseThreshold,
    },
    machine: { ...machine, loadAverageEnd: loadavg() },
    versions,
    stack: {
      checked: stack !== undefined,
      up: stack !== undefined && stack.problems.length === 0,
      problems: stack?.problems ?? [],
      endpoints: { api: access.api, mysql: `${LOOPBACK}:${access.mysqlPort}`, 'HAProxy stats': access.haproxyStats },
    },
    sections: carryOver(results, previous),
  };
  await mkdir(opts.outDir, { recursive: true });
  await writeFile(md, renderMarkdown(report));
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  const shown = (file: string): string => {
    const rel = relative(process.cwd(), file);
    return rel === '' || rel.startsWith('..') ? file : rel;
  };
  log(`wrote ${shown(md)} and ${shown(json)} (${Math.round(report.seconds)} s)`);
  // a run (not --quick) into the committed results also rewrites the README's figures from them
  if (intoCommitted) {
    const { rewriteReadme } = await import('./readme-figures.ts');
    if (await rewriteReadme()) log('README.md figures rewritten from the new results (bench/readme-figures.ts): commit both');
  }
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error('\ninterrupted: stopping the shops this bench started');
  void stopAllShops().finally(() => process.exit(130));
});

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof OptionsError)) throw err;
  console.error(`bench: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
try {
  await main(options);
} finally {
  await stopAllShops();
}
// mysql2 pools, keep-alive sockets and timers of the sections must not keep the bench alive
process.exit(0);
