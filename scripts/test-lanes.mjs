// `npm test`'s test run, after the checks: the unit tests, then the integration tests in two
// lanes side by side, each its own vitest process running its files one at a time:
//   integration: every file that starts its own services, then the pipeline lab's files
//   lab:         the drills lab's files (test/shared-lab.ts)
// so that the Galera drills' holds and the alert drills' rule windows wait at the same time
// (one vitest process runs every file with file parallelism off in one queue, one at a time,
// whatever project it belongs to). Each lane's lines are prefixed with its name; each writes
// its JUnit report, merged at the end into reports/junit.xml (CI) for Jenkins and the CI
// summary. The lab's passwords are written into .env before the lanes start, so that their
// global setups never race to write it. Exits non-zero when any run failed.
// Extra arguments go to every vitest run (e.g. a file filter).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const extra = process.argv.slice(2);
const ci = Boolean(process.env.CI);
const junit = (lane) => `reports/junit-${lane}.xml`;

/** Runs a command with each output line prefixed; resolves to its exit code. */
function run(tag, cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.on('data', (chunk) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) process.stdout.write(`[${tag}] ${line}\n`);
      });
      stream.on('end', () => { if (rest) process.stdout.write(`[${tag}] ${rest}\n`); });
    }
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const vitest = (lane, projects) => ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), ...(ci ? [`--outputFile.junit=${junit(lane)}`] : []), ...extra];

/** One <testsuites> of every lane's <testsuite> elements. */
function mergeJunit(lanes) {
  const suites = [];
  const totals = { tests: 0, failures: 0, errors: 0, time: 0 };
  for (const lane of lanes) {
    if (!existsSync(junit(lane))) continue;
    const xml = readFileSync(junit(lane), 'utf8');
    const head = /<testsuites\b([^>]*)>/.exec(xml)?.[1] ?? '';
    for (const k of Object.keys(totals)) totals[k] += Number(new RegExp(`\\b${k}="([\\d.]+)"`).exec(head)?.[1] ?? 0);
    suites.push(xml.slice(xml.indexOf('>', xml.indexOf('<testsuites')) + 1, xml.lastIndexOf('</testsuites>')));
    rmSync(junit(lane));
  }
  const attrs = `name="vitest tests" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" time="${totals.time.toFixed(3)}"`;
  writeFileSync('reports/junit.xml', `<?xml version="1.0" encoding="UTF-8" ?>\n<testsuites ${attrs}>${suites.join('')}</testsuites>\n`);
}

const unit = await run('unit', 'npx', vitest('unit', ['unit']));
const secrets = await run('secrets', 'npx', ['tsx', 'scripts/lab-secrets.mts']);
const started = Date.now();
const [integration, lab] = await Promise.all([
  run('integration', 'npx', vitest('integration', ['integration'])),
  run('lab', 'npx', vitest('lab', ['lab'])),
]);
console.log(`==> integration lanes side by side: ${Math.round((Date.now() - started) / 1000)} s (integration exit ${integration}, lab exit ${lab})`);
if (ci) mergeJunit(['unit', 'integration', 'lab']);
process.exit([unit, secrets, integration, lab].some((c) => c !== 0) ? 1 : 0);
