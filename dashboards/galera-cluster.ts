// Galera cluster: membership, component and node state, readiness, replication pressure
// (flow control, queues), throughput and certification conflicts, from mysqld-exporter.
// mysqld-exporter 0.14 (Debian bookworm) turns wsrep status strings into numbers:
// ON/OFF → 1/0, wsrep_cluster_status Primary → 1, non-Primary/Disconnected → 0.
// Data consistency: the last cross-node check (`smartshop stack verify`, every chaos drill),
// exported through node-exporter's textfile collector (stack/consistency-metric.ts).
import { higherIsWorse, lowerIsWorse, onOffMappings, q, rate, stat, stateMappings, stateTimeline, timeseries, upDownMappings } from './panels.ts';
import type { DashboardSpec } from './types.ts';

const node = 'instance=~"$instance"';

export const galeraCluster: DashboardSpec = {
  uid: 'smartshop-galera',
  title: 'SmartShop / Galera cluster',
  description: 'The three-node MariaDB Galera cluster: size, component, node state, whether the nodes hold the same data, flow control, queues, commits and conflicts.',
  file: 'galera-cluster.json',
  variables: [{ name: 'instance', label: 'Node exporter', metric: 'mysql_up', labelName: 'instance' }],
  rows: [
    {
      title: 'Membership',
      panels: [
        stat({
          title: 'Cluster size (smallest view)',
          description: 'Smallest wsrep_cluster_size any node reports; 3 is healthy, 2 is degraded but Primary, 1 has lost quorum unless alone on purpose.',
          unit: 'none',
          queries: q(`min(mysql_global_status_wsrep_cluster_size{${node}})`),
          thresholds: lowerIsWorse(2, 3),
        }),
        stat({
          title: 'Nodes up',
          description: 'mysqld instances the exporters can reach (sum of mysql_up).',
          unit: 'none',
          queries: q(`sum(mysql_up{${node}})`),
          thresholds: lowerIsWorse(2, 3),
        }),
        stat({
          title: 'Nodes in a Primary component',
          description: 'Nodes whose wsrep_cluster_status is Primary; only those accept writes.',
          unit: 'none',
          queries: q(`sum(mysql_global_status_wsrep_cluster_status{${node}} == bool 1)`),
          thresholds: lowerIsWorse(2, 3),
        }),
        stat({
          title: 'Nodes Synced',
          description: 'Nodes whose wsrep_local_state is 4 (Synced).',
          unit: 'none',
          queries: q(`sum(mysql_global_status_wsrep_local_state{${node}} == bool 4)`),
          thresholds: lowerIsWorse(2, 3),
        }),
        timeseries({
          title: 'Cluster size per node',
          description: 'wsrep_cluster_size as each node sees it; nodes disagreeing means a partition.',
          unit: 'none',
          queries: q(`mysql_global_status_wsrep_cluster_size{${node}}`, '{{instance}}'),
          thresholds: lowerIsWorse(2, 3),
          min: 0,
          max: 3,
        }),
        stateTimeline({
          title: 'mysqld up per node',
          description: 'Whether each exporter can reach its mysqld (mysql_up).',
          unit: 'none',
          queries: q(`mysql_up{${node}}`, '{{instance}}'),
          mappings: upDownMappings,
        }),
      ],
    },
    {
      title: 'Node state',
      panels: [
        stateTimeline({
          title: 'Component status per node',
          description: 'wsrep_cluster_status: Primary accepts queries; non-Primary (lost quorum) refuses them with error 1047.',
          unit: 'none',
          queries: q(`mysql_global_status_wsrep_cluster_status{${node}}`, '{{instance}}'),
          mappings: stateMappings({ 0: ['non-Primary', 'red'], 1: ['Primary', 'green'], 2: ['non-Primary', 'red'] }),
        }),
        stateTimeline({
          title: 'Local state per node',
          description: 'wsrep_local_state: 1 Joining, 2 Donor/Desynced, 3 Joined, 4 Synced. Only Synced nodes should take traffic.',
          unit: 'none',
          queries: q(`mysql_global_status_wsrep_local_state{${node}}`, '{{instance}}'),
          mappings: stateMappings({
            1: ['Joining', 'blue'],
            2: ['Donor/Desynced', 'orange'],
            3: ['Joined', 'yellow'],
            4: ['Synced', 'green'],
          }),
        }),
        stateTimeline({
          title: 'Ready per node',
          description: 'wsrep_ready: ON when the node accepts queries.',
          unit: 'none',
          queries: q(`mysql_global_status_wsrep_ready{${node}}`, '{{instance}}'),
          mappings: onOffMappings,
        }),
        stateTimeline({
          title: 'Connected per node',
          description: 'wsrep_connected: ON when the node has a network connection to the group.',
          unit: 'none',
          queries: q(`mysql_global_status_wsrep_connected{${node}}`, '{{instance}}'),
          mappings: onOffMappings,
        }),
      ],
    },
    {
      title: 'Data consistency',
      panels: [
        stateTimeline({
          title: 'Nodes hold the same data',
          description:
            'Per table, the last cross-node check: SAME (1) when every Galera node, read directly with causal reads, held the same row count and CHECKSUM TABLE; ' +
            'DIFFERENT (0) when they differed or a node could not be read. Written by `smartshop stack verify` and by every chaos drill\'s judgement ' +
            '(smartshop_cluster_consistent, node-exporter textfile); a value holds until the next check. Any 0 fires GaleraNodesDiverged.',
          unit: 'none',
          queries: q('min by (table) (smartshop_cluster_consistent)', '{{table}}'),
          mappings: stateMappings({ 0: ['DIFFERENT', 'red'], 1: ['SAME', 'green'] }),
        }),
        stat({
          title: 'Last consistency check',
          description:
            'Time since the last cross-node check (`smartshop stack verify` or a chaos drill): the panel beside it is only as fresh as this. ' +
            'Orange after an hour, red after a day without a check; run `smartshop stack verify` to refresh it.',
          unit: 's',
          queries: q('time() - max(smartshop_cluster_consistency_check_timestamp_seconds)'),
          thresholds: higherIsWorse(3600, 86400),
          height: 8,
        }),
        stat({
          title: 'Nodes read by the last check',
          description: 'Galera nodes the last consistency check could read; below 3 nothing was compared across the whole cluster and every table counts as DIFFERENT.',
          unit: 'none',
          queries: q('max(smartshop_cluster_consistency_nodes_read)'),
          thresholds: lowerIsWorse(2, 3),
          height: 8,
        }),
      ],
    },
    {
      title: 'Backups',
      panels: [
        stat({
          title: 'Newest backup',
          description:
            'Time since the newest finished backup (`smartshop backup create`; node-exporter textfile smartshop_backup.prom). ' +
            'Orange after one hourly interval, red after two: BackupTooOld fires then (its runbook says what to do).',
          unit: 's',
          queries: q('time() - max(smartshop_backup_last_success_timestamp_seconds)'),
          thresholds: higherIsWorse(3600, 7200),
          height: 8,
        }),
        stat({
          title: 'Newest backup size',
          description: 'Size of the newest backup folder: what a restore reads, what copying it off the machine moves.',
          unit: 'bytes',
          queries: q('max(smartshop_backup_last_size_bytes)'),
          height: 8,
        }),
        stat({
          title: 'Newest backup took',
          description: 'Taking the newest backup and opening it in a throw-away server (the check that it restores), in seconds.',
          unit: 's',
          queries: q('max(smartshop_backup_last_duration_seconds)'),
          height: 8,
        }),
        stat({
          title: 'Backups kept',
          description: 'Finished backups in the folder (retention keeps BACKUP_KEEP, 7 by default).',
          unit: 'none',
          queries: q('max(smartshop_backups_kept)'),
          thresholds: lowerIsWorse(1, 2),
          height: 8,
        }),
      ],
    },
    {
      title: 'Replication',
      panels: [
        timeseries({
          title: 'Flow control paused',
          description: 'Share of time replication was paused by flow control (from wsrep_flow_control_paused_ns): a slow node throttles every writer.',
          unit: 'percentunit',
          queries: q(`${rate(`mysql_global_status_wsrep_flow_control_paused_ns{${node}}`)} / 1e9`, '{{instance}}'),
          thresholds: higherIsWorse(0.1, 0.5),
          min: 0,
        }),
        timeseries({
          title: 'Receive and send queues',
          description: 'Write-sets waiting to be applied (recv) or sent (send) on each node; a growing recv queue triggers flow control.',
          unit: 'short',
          queries: [
            q(`mysql_global_status_wsrep_local_recv_queue{${node}}`, 'recv {{instance}}'),
            q(`mysql_global_status_wsrep_local_send_queue{${node}}`, 'send {{instance}}'),
          ],
          thresholds: higherIsWorse(10, 100),
        }),
        timeseries({
          title: 'Commits per second',
          description: 'Write-sets committed by each node for its own clients (wsrep_local_commits).',
          unit: 'ops',
          queries: q(rate(`mysql_global_status_wsrep_local_commits{${node}}`), '{{instance}}'),
        }),
        timeseries({
          title: 'Certification failures per second',
          description: 'Transactions rolled back because a concurrent write-set won (wsrep_local_cert_failures); the app sees error 1213.',
          unit: 'ops',
          queries: q(rate(`mysql_global_status_wsrep_local_cert_failures{${node}}`), '{{instance}}'),
          thresholds: higherIsWorse(0.1, 1),
        }),
      ],
    },
  ],
};
