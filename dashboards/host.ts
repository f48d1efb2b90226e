// Host: CPU, memory, disk and network of the machine running the lab (node-exporter).
import { higherIsWorse, q, rate, timeseries } from './panels.ts';
import type { DashboardSpec } from './types.ts';

const host = 'instance=~"$instance"';
// Pseudo file systems say nothing about disk space; overlay stays in because a containerised
// node-exporter without host mounts only sees its own overlay root.
const realFs = `${host}, fstype!~"tmpfs|ramfs|squashfs|nsfs|proc|sysfs"`;

export const hostDashboard: DashboardSpec = {
  uid: 'smartshop-host',
  title: 'SmartShop / Host',
  description: 'CPU, memory, disk and network of the lab host, from node-exporter.',
  file: 'host.json',
  variables: [{ name: 'instance', label: 'Host', metric: 'node_uname_info', labelName: 'instance' }],
  rows: [
    {
      title: 'CPU and memory',
      panels: [
        timeseries({
          title: 'CPU busy',
          description: 'Share of CPU time not idle, averaged over all cores. The lab machine has 2 cores: above 80% everything slows down.',
          unit: 'percentunit',
          queries: q(`1 - avg by (instance) (${rate(`node_cpu_seconds_total{mode="idle", ${host}}`)})`, '{{instance}}'),
          thresholds: higherIsWorse(0.8, 0.95),
          min: 0,
          max: 1,
        }),
        timeseries({
          title: 'CPU by mode',
          description: 'Average share of CPU time per mode (user, system, iowait, steal, ...), idle excluded.',
          unit: 'percentunit',
          queries: q(`avg by (mode) (${rate(`node_cpu_seconds_total{mode!="idle", ${host}}`)})`, '{{mode}}'),
          stacked: true,
          min: 0,
        }),
        timeseries({
          title: 'Load average',
          description: 'Runnable and uninterruptible tasks averaged over 1 and 5 minutes; compare with the number of cores.',
          unit: 'short',
          queries: [q(`node_load1{${host}}`, '1m {{instance}}'), q(`node_load5{${host}}`, '5m {{instance}}')],
          thresholds: higherIsWorse(2, 4),
        }),
        timeseries({
          title: 'Memory used',
          description: 'Share of memory not available to new processes (1 - MemAvailable / MemTotal).',
          unit: 'percentunit',
          queries: q(`1 - node_memory_MemAvailable_bytes{${host}} / node_memory_MemTotal_bytes{${host}}`, '{{instance}}'),
          thresholds: higherIsWorse(0.8, 0.9),
          min: 0,
          max: 1,
        }),
      ],
    },
    {
      title: 'Disk and network',
      panels: [
        timeseries({
          title: 'File system used',
          description: 'Share of each file system in use; MariaDB stops writing when its data directory fills up.',
          unit: 'percentunit',
          queries: q(`1 - node_filesystem_avail_bytes{${realFs}} / node_filesystem_size_bytes{${realFs}}`, '{{mountpoint}}'),
          thresholds: higherIsWorse(0.8, 0.9),
          min: 0,
          max: 1,
        }),
        timeseries({
          title: 'Disk throughput',
          description: 'Bytes read and written per second per block device.',
          unit: 'Bps',
          queries: [
            q(rate(`node_disk_read_bytes_total{${host}}`), 'read {{device}}'),
            q(rate(`node_disk_written_bytes_total{${host}}`), 'written {{device}}'),
          ],
        }),
        timeseries({
          title: 'Network throughput',
          description: 'Bytes received and sent per second per interface (loopback excluded).',
          unit: 'Bps',
          queries: [
            q(rate(`node_network_receive_bytes_total{device!="lo", ${host}}`), 'in {{device}}'),
            q(rate(`node_network_transmit_bytes_total{device!="lo", ${host}}`), 'out {{device}}'),
          ],
        }),
        timeseries({
          title: 'Network errors and drops',
          description: 'Receive and transmit errors and drops per second; non-zero during a network partition drill or a saturated link.',
          unit: 'pps',
          queries: [
            q(`sum by (instance) (${rate(`node_network_receive_errs_total{${host}}`)} + ${rate(`node_network_transmit_errs_total{${host}}`)})`, 'errors {{instance}}'),
            q(`sum by (instance) (${rate(`node_network_receive_drop_total{${host}}`)} + ${rate(`node_network_transmit_drop_total{${host}}`)})`, 'drops {{instance}}'),
          ],
        }),
      ],
    },
  ],
};
