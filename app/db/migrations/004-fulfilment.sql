-- Asynchronous fulfilment (docs/fulfilment.md). The payment that marks an order paid also
-- writes its event here, in the same commit (transactional outbox); a relay publishes the
-- rows to RabbitMQ with publisher confirms and then marks them published. A crash between
-- the confirm and the mark publishes a row twice: consumers dedupe on the message id.
CREATE TABLE IF NOT EXISTS outbox (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  type VARCHAR(64) NOT NULL,
  payload JSON NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  published_at DATETIME(3) NULL,
  -- the relay's oldest-first scan of what is left to publish
  KEY idx_outbox_unpublished (published_at, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Leadership among the shop's replicas: one relay publishes at a time. Galera has no
-- GET_LOCK, so a lease is a row taken and renewed by conditional UPDATEs and lost when it
-- is not renewed before `expires_at`.
CREATE TABLE IF NOT EXISTS leases (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  holder VARCHAR(128) NULL,
  expires_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT IGNORE INTO leases (name, holder, expires_at) VALUES ('outbox-relay', NULL, '1970-01-02 00:00:00');

-- What a consumer has applied, written in the transaction of the effect itself: a message
-- delivered again (at-least-once) finds its row and is acked without being applied twice.
CREATE TABLE IF NOT EXISTS processed_messages (
  consumer VARCHAR(64) NOT NULL,
  message_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  processed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (consumer, message_id),
  KEY idx_processed_messages_at (processed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The effect of fulfilment. No unique key on order_id on purpose: a carrier's API has no
-- constraint the shop controls, so the processed-messages record is the only guard, and the
-- drills' ledger can see a duplicate if that guard ever fails.
CREATE TABLE IF NOT EXISTS shipments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  message_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tracking_number VARCHAR(32) NOT NULL,
  worker VARCHAR(128) NOT NULL,
  paid_at DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY idx_shipments_order_id (order_id),
  KEY idx_shipments_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
