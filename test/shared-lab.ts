// The one lab stack the integrity tests, the alert drills and the drills share: compose project
// smartshop-chaos on its own host ports (+10000), so a user's stack on the default ports is
// never touched. A lab start costs about a minute of this machine's two cores, and five files
// would start one each; the sequencer (test/sequencer.ts) runs SHARED_LAB_FILES last and in
// this order, each file's `stack up` finds the lab already healthy, and the global teardown
// (test/lab-env.setup.ts) removes it with its volumes after the run, unless it was already up
// before (a developer's kept lab) or CHAOS_KEEP_STACK=1.
// Measured: two labs side by side (this lab's files beside the others, in two vitest
// processes) took longer than one after the other (2,714 s against 2,470 s) and failed five
// drills on their recovery bounds: two cores do not hold two labs under fault.
// No imports: the drills' files read this before they set the environment their imports read.

export const SHARED_LAB_ENV = {
  COMPOSE_PROJECT_NAME: 'smartshop-chaos',
  API_PORT: '18000',
  UI_PORT: '13000',
  EDGE_PORT: '18080',
  MYSQL_PORT: '13306',
  HAPROXY_STATS_PORT: '18404',
  PROMETHEUS_PORT: '19090',
  GRAFANA_PORT: '13030',
  ALERTMANAGER_PORT: '19093',
  CONSOLE_PORT: '19095',
  RABBITMQ_MANAGEMENT_PORT: '19672',
  RABBITMQ_METRICS_PORT: '19692',
  // No scheduled backup: one landing in a drill would take its load and timing (the stack
  // test runs the schedule; the drills take their own backups).
  BACKUP_INTERVAL_SECONDS: '0',
};

/**
 * The files on the shared lab, in the order they run, after every other integration file.
 * The edge's test first (a few dozen requests, no fault), then the integrity tests, on a lab no fault has touched: the conflicts test needs
 * HAProxy's leastconn to spread a new pool over the nodes, and a node a drill stopped comes
 * back with no connection, so it would take the whole pool. They raise no alert (an
 * in-process shop Prometheus does not scrape, direct node connections), so the alert drills
 * still start on a quiet lab; then the pipeline's drills (which recreate the shop and the
 * workers weakened, and put them back), then the Galera and restore drills.
 */
export const SHARED_LAB_FILES = ['edge/edge.int.test.ts', 'chaos/probes/stale-read.int.test.ts', 'test/integrity/galera-conflicts.int.test.ts', 'chaos/chaos-alerts.int.test.ts', 'chaos/chaos-edge.int.test.ts', 'chaos/chaos-pipeline.int.test.ts', 'chaos/chaos-galera.int.test.ts'];
