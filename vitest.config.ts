import { defineConfig } from 'vitest/config';
import { LaneSequencer } from './test/lanes.ts';

// Two projects, one after the other: `unit` is pure logic (fast, no services);
// `integration` talks to real MariaDB / Galera / HAProxy / Prometheus / RabbitMQ and runs
// its files in two lanes (test/lanes.ts): the drills' file in one, every other file in turn
// in the other. Each lab file has a lab of its own, so two lanes never share one.
export default defineConfig({
  test: {
    // the sequencer is the run's, not a project's: it is asked once per group
    sequence: { sequencer: LaneSequencer },
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'reports/junit.xml' },
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          globalSetup: ['test/lab-env.setup.ts'],
          setupFiles: ['test/lab-env.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
