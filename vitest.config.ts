import { defineConfig } from 'vitest/config';
import { LabSequencer } from './test/sequencer.ts';
import { DRILLS_LAB_FILES } from './test/shared-lab.ts';

// Three projects: `unit` is pure logic (fast, no services); `integration` and `lab` talk to
// real MariaDB / Galera / HAProxy / Prometheus / RabbitMQ, each running its files one at a
// time. `lab` is the drills lab's files (test/shared-lab.ts); `integration` every other file
// (the pipeline lab's last). One vitest process runs every file without file parallelism in
// one queue, whatever its project; `npm test` (scripts/test-lanes.mjs) runs `integration` and
// `lab` as two processes side by side, so that at most two labs share the machine's two cores
// and the drills' holds and the alert drills' rule windows wait at the same time.
export default defineConfig({
  test: {
    // the sequencer is the run's, not a project's: the files on the shared lab go last
    sequence: { sequencer: LabSequencer },
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'reports/junit.xml' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**', ...DRILLS_LAB_FILES],
          fileParallelism: false,
          globalSetup: ['test/lab-env.setup.ts'],
          setupFiles: ['test/lab-env.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: DRILLS_LAB_FILES,
          fileParallelism: false,
          globalSetup: ['test/drills-lab.setup.ts'],
          setupFiles: ['test/lab-env.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
