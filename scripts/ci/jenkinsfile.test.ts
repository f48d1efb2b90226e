// The Jenkinsfile is compiled as Groovy (Debian's groovy, DSL words stubbed by
// scripts/ci/jenkinsfile-harness.groovy) and walked: every stage must call exactly one
// `npm run ci:<stage>`, each of those scripts must exist in package.json and point at a
// scripts/ci/*.sh that exists, and teardown must run in post { always }.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostTool } from '../../test/host-tool.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const harness = ['scripts/ci/jenkinsfile-harness.groovy'];

interface Walk {
  stages: string[];
  steps: { path: string[]; stage: string | null; sh: string }[];
  published: { stage: string | null; reportDir: string; reportFiles: string }[];
}

async function walk(jenkinsfile: string): Promise<Walk> {
  const { stdout } = await run(join(root, 'scripts/ci/groovy.sh'), [...harness, jenkinsfile], { cwd: root, timeout: 90_000 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Walk;
}

function npmScripts(sh: string): string[] {
  return [...sh.matchAll(/npm run ([\w:.-]+)/g)].map((m) => m[1] ?? '');
}

const expected: Record<string, string> = {
  checkout: 'ci:checkout',
  install: 'ci:install',
  'lint and typecheck': 'ci:lint',
  'unit tests': 'ci:unit',
  'build images': 'ci:build',
  deploy: 'ci:deploy',
  'smoke test': 'ci:smoke',
  'load test': 'ci:loadtest',
  'chaos gate': 'ci:chaos',
  'dashboards: check and live verification': 'ci:dashboards',
};

const groovy = hostTool('groovy', 'groovy default-jre-headless', ['--version'], join(root, 'scripts/ci/groovy.sh'));

describe.skipIf(groovy.skip)('Jenkinsfile', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'jenkinsfile-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  let walked: Walk;
  beforeAll(async () => {
    walked = await walk('Jenkinsfile');
  }, 120_000);

  it('compiles as Groovy and has the stages in order', () => {
    expect(walked.stages).toEqual(Object.keys(expected));
  });

  it('calls exactly one npm script per stage, the one named for it', () => {
    const { steps } = walked;
    for (const [stage, script] of Object.entries(expected)) {
      const calls = steps.filter((s) => s.stage === stage).flatMap((s) => npmScripts(s.sh));
      expect(calls, stage).toEqual([script]);
    }
  });

  it('tears down in post { always }', () => {
    const { steps } = walked;
    const teardown = steps.filter((s) => s.stage === null && s.path.join('/') === 'pipeline/post/always');
    expect(teardown.flatMap((s) => npmScripts(s.sh))).toEqual(['ci:teardown']);
  });

  it('only calls npm scripts that exist in package.json, each backed by its scripts/ci file', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const called = new Set(walked.steps.flatMap((s) => npmScripts(s.sh)));
    expect(called.size).toBe(11);
    for (const name of called) {
      const body = pkg.scripts[name];
      expect(body, `package.json has no script "${name}"`).toBeTypeOf('string');
      const file = /scripts\/ci\/[\w-]+\.sh/.exec(body ?? '')?.[0];
      expect(file && existsSync(join(root, file)), `${name}: ${body}`).toBe(true);
    }
  });

  it('publishes the HTML pages the stages write: the load test report and the drills\' index', () => {
    expect(walked.published).toEqual([
      { stage: 'load test', reportDir: 'reports/loadtest', reportFiles: 'load-report.html' },
      { stage: 'chaos gate', reportDir: 'reports/chaos', reportFiles: 'index.html' },
    ]);
    // the scripts behind those stages write exactly those files
    expect(readFileSync(join(root, 'scripts/ci/loadtest.sh'), 'utf8')).toContain('--html "$REPORTS/loadtest/load-report.html"');
    expect(readFileSync(join(root, 'scripts/ci/chaos.sh'), 'utf8')).toContain('> "$REPORTS/chaos/index.html"');
  });

  it('fails on a Jenkinsfile that is not valid Groovy', async () => {
    const broken = join(tmp, 'Jenkinsfile');
    writeFileSync(broken, readFileSync(join(root, 'Jenkinsfile'), 'utf8').replace("stage('deploy') {", "stage('deploy') {{"));
    await expect(walk(broken)).rejects.toThrow();
  });
});
