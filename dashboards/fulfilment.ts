// Fulfilment (docs/fulfilment.md): the pipeline from a paid order to its shipment. The outbox
// (the shop), the relay's publishing, the queue as RabbitMQ's own plugin reports it, the
// workers' outcomes and the end-to-end lag, so a backlog shows where it builds up.
import { higherIsWorse, lowerIsWorse, q, rate, stat, timeseries } from './panels.ts';
import type { DashboardSpec } from './types.ts';

const queue = 'queue=~"fulfilment|fulfilment.dead"';
const quantile = (p: number, bucket: string): string => `histogram_quantile(${p}, sum by (le) (${rate(bucket)}))`;

export const fulfilmentDashboard: DashboardSpec = {
  uid: 'smartshop-fulfilment',
  title: 'SmartShop / Fulfilment',
  description: 'Paid orders through the outbox, the relay, RabbitMQ and the workers to their shipment: backlog, rates, redeliveries, dead letters, lag.',
  file: 'fulfilment.json',
  variables: [],
  rows: [
    {
      title: 'End to end',
      panels: [
        stat({
          title: 'Lag p99 (paid → shipped)',
          description: 'From the commit that made an order paid to the commit of its shipment, 99th percentile (smartshop_fulfilment_lag_seconds).',
          unit: 's',
          queries: q(quantile(0.99, 'smartshop_fulfilment_lag_seconds_bucket')),
          thresholds: higherIsWorse(1, 10),
        }),
        stat({
          title: 'Outbox backlog',
          description: 'Paid orders whose event the broker has not confirmed yet (smartshop_outbox_backlog); it grows when the relay or the broker is down.',
          unit: 'short',
          queries: q('max(smartshop_outbox_backlog)'),
          thresholds: higherIsWorse(10, 100),
        }),
        stat({
          title: 'Dead letters',
          description: 'Messages in fulfilment.dead: they failed past their delivery limit and wait for `smartshop queue dlq replay`.',
          unit: 'short',
          queries: q('sum(rabbitmq_queue_messages_ready{queue="fulfilment.dead"})'),
          thresholds: higherIsWorse(1, 10),
        }),
        stat({
          title: 'Workers consuming',
          description: 'Workers connected to RabbitMQ and consuming (smartshop_worker_connected).',
          unit: 'none',
          queries: q('sum(smartshop_worker_connected)'),
          thresholds: lowerIsWorse(0.5, 1),
        }),
        timeseries({
          title: 'Lag paid → shipped',
          description: 'p50 and p99 of the end-to-end lag; a step up is a backlog somewhere in the pipeline.',
          unit: 's',
          queries: [q(quantile(0.5, 'smartshop_fulfilment_lag_seconds_bucket'), 'p50'), q(quantile(0.99, 'smartshop_fulfilment_lag_seconds_bucket'), 'p99')],
          thresholds: higherIsWorse(1, 10),
          faultShading: true,
        }),
        timeseries({
          title: 'Paid, published, shipped',
          description: 'Payments that succeeded, messages the relay got confirmed (copies included) and orders shipped, per second: the three should move together.',
          unit: 'ops',
          queries: [
            q(`sum(${rate('smartshop_payments_total{outcome="success"}')})`, 'paid'),
            q(`sum(${rate('smartshop_relay_published_total')})`, 'published'),
            q(`sum(${rate('smartshop_worker_messages_total{outcome="applied"}')}) or vector(0)`, 'shipped'),
          ],
          faultShading: true,
        }),
      ],
    },
    {
      title: 'Outbox and relay (the shop)',
      panels: [
        timeseries({
          title: 'Outbox backlog and its oldest event',
          description: 'Events not yet confirmed by the broker, and the age of the oldest: a relay that lost its lease or a broker that refuses shows here first.',
          unit: 'short',
          queries: [q('max(smartshop_outbox_backlog)', 'events'), q('max(smartshop_outbox_oldest_seconds)', 'oldest (s)')],
          faultShading: true,
        }),
        timeseries({
          title: 'Relay leader and confirm latency',
          description: 'Which shop replica holds the relay lease (1), and the p99 time from publishing a batch to the broker confirming it.',
          unit: 's',
          queries: [
            q('smartshop_relay_leader', 'leader {{instance}}'),
            q(quantile(0.99, 'smartshop_relay_confirm_duration_seconds_bucket'), 'confirm p99'),
          ],
        }),
        timeseries({
          title: 'Relay failures',
          description: 'Relay failures per second by stage (lease, read, publish, mark); each is retried, nothing is lost.',
          unit: 'ops',
          queries: q(`sum by (stage) (${rate('smartshop_relay_errors_total')}) or vector(0)`, '{{stage}}'),
          faultShading: true,
        }),
      ],
    },
    {
      title: 'Queue (RabbitMQ)',
      panels: [
        timeseries({
          title: 'Queue depth and unacked',
          description: 'Messages ready and delivered-but-unacked per queue, from RabbitMQ\'s own plugin.',
          unit: 'short',
          queries: [
            q(`sum by (queue) (rabbitmq_queue_messages_ready{${queue}})`, 'ready {{queue}}'),
            q(`sum by (queue) (rabbitmq_queue_messages_unacked{${queue}})`, 'unacked {{queue}}'),
          ],
          faultShading: true,
        }),
        timeseries({
          title: 'Consumers',
          description: 'Consumers on the fulfilment queue: one per worker.',
          unit: 'short',
          queries: q('sum by (queue) (rabbitmq_queue_consumers{queue="fulfilment"})', '{{queue}}'),
        }),
        stat({
          title: 'Broker nodes scraped',
          description: 'Broker nodes Prometheus reaches (up{job="rabbitmq"}); below 3 a node is gone.',
          unit: 'none',
          queries: q('sum(up{job="rabbitmq"})'),
          thresholds: lowerIsWorse(2, 3),
        }),
      ],
    },
    {
      title: 'Workers',
      panels: [
        timeseries({
          title: 'Messages by outcome',
          description: 'applied: shipped; duplicate: a redelivery or a copy, acked and skipped; not_paid, invalid, injected_failure: returned, dead-lettered past the limit; db_error: kept and tried again.',
          unit: 'ops',
          queries: q(`sum by (outcome) (${rate('smartshop_worker_messages_total')})`, '{{outcome}}'),
          faultShading: true,
        }),
        timeseries({
          title: 'Handling time p99 and messages in hand',
          description: 'From delivery to ack per message (p99), and messages the workers hold unacked now.',
          unit: 's',
          queries: [
            q(quantile(0.99, 'smartshop_worker_handle_duration_seconds_bucket'), 'handling p99'),
            q('sum(smartshop_worker_in_flight)', 'in hand'),
          ],
        }),
      ],
    },
  ],
};
