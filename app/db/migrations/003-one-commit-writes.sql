-- One commit per write. The Idempotency-Key record is now written in the business
-- transaction itself (claimed first, answered last, committed with the effects), so a key
-- is either done with its effects and answer or not at all. Keys and scopes compare byte
-- for byte (ascii_bin); the fingerprint (SHA-256 of method, path and canonical body) tells
-- a retry from a different request that reuses the key. The old table held claims and
-- answers written in separate commits; its rows are not carried over (they live 24 h).
CREATE TABLE IF NOT EXISTS idempotency_records (
  idem_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  scope VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fingerprint CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status_code SMALLINT UNSIGNED NULL,
  body MEDIUMTEXT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at DATETIME(3) NOT NULL,
  PRIMARY KEY (idem_key, scope),
  KEY idx_idempotency_records_expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

DROP TABLE IF EXISTS idempotency_keys;

-- Per-minute counters behind /api/stats' time windows (orders in the last 10 minutes,
-- payments, revenue and activity in the last hour, distinct logins today), bumped in the
-- business transactions so a window's cost is a few hundred rows whatever the traffic.
-- Sharded like stat_counters: concurrent writers rarely wait on the same row. `bucket` is
-- the UTC minute (or the day, for logins_today); old buckets are purged by the shop.
CREATE TABLE IF NOT EXISTS stat_windows (
  name VARCHAR(32) NOT NULL,
  bucket DATETIME NOT NULL,
  shard TINYINT UNSIGNED NOT NULL,
  value BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (name, bucket, shard),
  KEY idx_stat_windows_bucket (bucket)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Backfill from the rows already there, so a lab upgraded with data answers as before.
-- INSERT IGNORE into shard 0: a replica running this migration at the same time adds nothing.
INSERT IGNORE INTO stat_counters (name, shard, value)
  SELECT 'orders_pending', 0, COUNT(*) FROM orders WHERE status = 'pending';

INSERT IGNORE INTO stat_windows (name, bucket, shard, value)
  SELECT 'orders', DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:00'), 0, COUNT(*) FROM orders
   WHERE created_at >= UTC_TIMESTAMP() - INTERVAL 1 HOUR GROUP BY 2;

INSERT IGNORE INTO stat_windows (name, bucket, shard, value)
  SELECT CONCAT('payments_', status), DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:00'), 0, COUNT(*) FROM payments
   WHERE created_at >= UTC_TIMESTAMP() - INTERVAL 1 HOUR GROUP BY 1, 2;

INSERT IGNORE INTO stat_windows (name, bucket, shard, value)
  SELECT 'revenue_cents', DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:00'), 0, ROUND(SUM(amount) * 100) FROM payments
   WHERE created_at >= UTC_TIMESTAMP() - INTERVAL 1 HOUR AND status = 'success' GROUP BY 2;

INSERT IGNORE INTO stat_windows (name, bucket, shard, value)
  SELECT CONCAT('activity_', level), DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:00'), 0, COUNT(*) FROM activity_logs
   WHERE created_at >= UTC_TIMESTAMP() - INTERVAL 1 HOUR GROUP BY 1, 2;

INSERT IGNORE INTO stat_windows (name, bucket, shard, value)
  SELECT 'logins_today', UTC_DATE(), 0, COUNT(*) FROM users WHERE last_login_at >= UTC_DATE();
