// What the shop's clients may see while a drill's fault is active, in the few shapes the
// drills share (drills/catalog.ts, drills/alerts.ts).
import type { Expectations } from '../types.ts';

// What a client may see while one node is away: HAProxy moves connections, the app retries
// or answers 503; a 500 or a hang is a bug.
export const oneNodeAway: Expectations = {
  allowedClientStatuses: [409, 503],
  forbidClientStatuses: [500, 502, 504],
  forbidTimeouts: true,
  targetLeavesPrimary: false,
  haproxyMarksTargetDown: true,
  retryAfterOn503: true,
  latencyRises: false,
  lossPossible: false,
};

// A dropped table breaks every request that touches it (a 500: the shop cannot know), and
// the restore stops the shop and the nodes: refused connections. Neither is a deviation here.
export const restoring: Expectations = {
  allowedClientStatuses: [409, 500, 502, 503, 504],
  forbidClientStatuses: [],
  forbidTimeouts: false,
  targetLeavesPrimary: false,
  haproxyMarksTargetDown: false,
  retryAfterOn503: false,
  latencyRises: false,
  lossPossible: false,
};

// The fulfilment drills break the pipeline, not the database: the shop's clients see nothing
// (a worker or a dead-letter is invisible to them), and the fulfilment ledger judges.
export const pipelineOnly: Expectations = {
  allowedClientStatuses: [409],
  forbidClientStatuses: [500, 502, 503, 504],
  forbidTimeouts: true,
  targetLeavesPrimary: false,
  haproxyMarksTargetDown: false,
  retryAfterOn503: false,
  latencyRises: false,
  lossPossible: false,
};

// The whole broker restarting, or taking a backlog at once after refusing publishers: payments
// never wait for it (the outbox), but three Erlang nodes booting at once, or the outbox's
// backlog published and shipped in a burst, load a two-core machine enough that a few requests
// find the database slow to answer (measured: rabbitmq-full-outage 4 × 503 of 5,100 requests,
// 8 s after the start; rabbitmq-disk-alarm once in three CI-like runs 84 × 503 of 4,829 in one
// second, 20 s after the limit was restored, the shop's pool waiting more than 3 s): a 503 with
// Retry-After is tolerated, a 500 or a hang is not.
export const brokerRestart: Expectations = {
  ...pipelineOnly,
  allowedClientStatuses: [409, 503],
  forbidClientStatuses: [500, 502, 504],
  retryAfterOn503: true,
};
