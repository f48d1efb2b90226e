// The lab stacks that several integration files share, each a compose project on host ports
// of its own (a user's stack on the default ports is never touched). A lab start costs about
// a minute of this machine's two cores, so files that can share one do; the two labs run side
// by side, one per vitest project (vitest.config.ts), so that the drills' long holds and the
// alert drills' rule windows wait at the same time:
// - the drills lab (project `lab`): the integrity tests, then the Galera, HAProxy and restore
//   drills;
// - the pipeline lab (project `integration`, after its files that start their own services):
//   the alert drills, then the fulfilment pipeline's drills.
// The sequencer (test/sequencer.ts) runs each lab's files last in its project, in the order
// below; each file's `stack up` finds its lab already healthy after the first, and the global
// teardown (test/lab-env.setup.ts) removes the labs with their volumes after the run, unless
// a lab was already up before it (a developer's kept lab) or CHAOS_KEEP_STACK=1.
// No imports: the drills' files read this before they set the environment their imports read.

/** Neither lab takes scheduled backups: one landing in a drill would take its load and timing
 * (the stack test runs the schedule; the drills take their own backups). */
const NO_SCHEDULED_BACKUP = { BACKUP_INTERVAL_SECONDS: '0' };

export const DRILLS_LAB_ENV = {
  COMPOSE_PROJECT_NAME: 'smartshop-chaos',
  API_PORT: '18000',
  UI_PORT: '13000',
  MYSQL_PORT: '13306',
  HAPROXY_STATS_PORT: '18404',
  PROMETHEUS_PORT: '19090',
  GRAFANA_PORT: '13030',
  ALERTMANAGER_PORT: '19093',
  CONSOLE_PORT: '19095',
  RABBITMQ_MANAGEMENT_PORT: '19672',
  RABBITMQ_METRICS_PORT: '19692',
  ...NO_SCHEDULED_BACKUP,
};

export const PIPELINE_LAB_ENV = {
  COMPOSE_PROJECT_NAME: 'smartshop-pipeline',
  API_PORT: '17000',
  UI_PORT: '17300',
  MYSQL_PORT: '17306',
  HAPROXY_STATS_PORT: '17404',
  PROMETHEUS_PORT: '17090',
  GRAFANA_PORT: '17030',
  ALERTMANAGER_PORT: '17093',
  CONSOLE_PORT: '17095',
  RABBITMQ_MANAGEMENT_PORT: '17672',
  RABBITMQ_METRICS_PORT: '17692',
  ...NO_SCHEDULED_BACKUP,
};

/**
 * The drills lab's files, in the order they run. The integrity tests first, on a lab no fault
 * has touched: the conflicts test needs HAProxy's leastconn to spread a new pool over the
 * nodes, and a node a drill stopped comes back with no connection, so it would take the whole
 * pool. The drills last.
 */
export const DRILLS_LAB_FILES = ['chaos/probes/stale-read.int.test.ts', 'test/integrity/galera-conflicts.int.test.ts', 'chaos/chaos-galera.int.test.ts'];

/** The pipeline lab's files, in order: the alert drills on a quiet lab (nothing unrelated may
 * fire), then the pipeline's drills, which recreate the shop and the workers weakened. */
const PIPELINE_LAB_FILES = ['chaos/alerts/alerts.int.test.ts', 'chaos/chaos-pipeline.int.test.ts'];

/** Every file on a shared lab, each lab's in its order: the sequencer runs them last. */
export const SHARED_LAB_FILES = [...DRILLS_LAB_FILES, ...PIPELINE_LAB_FILES];
