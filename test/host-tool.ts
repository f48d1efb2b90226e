// One rule for tests that need a program on the host (promtool, tmux, shellcheck, groovy):
// on a developer's machine a missing tool skips those tests with a visible line saying what
// to install; in CI (CI=true) it fails them, because CI installs every tool
// (scripts/test-deps.sh) and a skip there would hide a missing install step.
import { spawnSync } from 'node:child_process';

export interface HostTool {
  name: string;
  /** the tool answered its version probe */
  present: boolean;
  /** skip the tests that need it (missing, and not in CI) */
  skip: boolean;
  /** for a test that must fail in CI when the tool is missing */
  assertPresent(): void;
}

/** Probes `command versionArgs` (command defaults to the name); `debianPackage` is what the message says to install. */
export function hostTool(name: string, debianPackage: string, versionArgs: string[] = ['--version'], command = name): HostTool {
  const probe = spawnSync(command, versionArgs, { timeout: 30_000 });
  const present = probe.error === undefined && probe.status === 0;
  const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
  const install = `apt-get install -y ${debianPackage} (or: make test-deps)`;
  if (!present && !inCi) console.warn(`${name} not found: skipping the tests that need it; ${install}. In CI they fail instead.`);
  return {
    name,
    present,
    skip: !present && !inCi,
    assertPresent() {
      if (!present) throw new Error(`${name} is not installed on this CI machine: ${install}`);
    },
  };
}
