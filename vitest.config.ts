import { defineConfig } from 'vitest/config';
import { LabSequencer } from './test/sequencer.ts';

// Two projects: `unit` is pure logic (fast, no services); `integration` talks to real
// MariaDB / Galera / HAProxy / Prometheus and runs its files one at a time so that
// services started by one file never compete with another's.
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
          // Some unit tests run real tools (promtool, groovy, ansible-playbook, the CLI), and CI
          // runs this project beside lint and a lab's start on two cores: promtool took 1.2 s
          // alone and 4.6 s so (vitest's default limit is 5 s). Tests never assert on time, so
          // the limit only has to catch a hang.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          fileParallelism: false,
          globalSetup: ['test/lab-env.setup.ts'],
          setupFiles: ['test/lab-env.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
