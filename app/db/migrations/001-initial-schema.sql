-- Initial schema. Galera rules: InnoDB everywhere, a primary key on every table, no
-- foreign keys (they widen certification conflicts; existence is checked in the INSERTs).
-- Every statement is idempotent so replicas starting together can all run it.
CREATE TABLE IF NOT EXISTS products (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  sku VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_products_sku (sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  email VARCHAR(254) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_login_at DATETIME(3) NULL,
  logged_in TINYINT(1) NOT NULL DEFAULT 0,
  KEY idx_users_created_at (created_at),
  KEY idx_users_last_login_at (last_login_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  quantity INT UNSIGNED NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  status VARCHAR(16) NOT NULL,
  -- status before the last transition, set by the same UPDATE (SET previous_status = status
  -- runs first), so metrics know the "from" of a cancel without a read-then-write.
  previous_status VARCHAR(16) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY idx_orders_status (status),
  KEY idx_orders_created_at (created_at),
  KEY idx_orders_user_id (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One payment per order: the order's conditional transition already guarantees it; the
-- unique key is the second lock on the door.
CREATE TABLE IF NOT EXISTS payments (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  status VARCHAR(16) NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_payments_order_id (order_id),
  KEY idx_payments_created_status (created_at, status, amount)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS activity_logs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  level VARCHAR(8) NOT NULL,
  event VARCHAR(40) NOT NULL,
  message VARCHAR(500) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY idx_activity_logs_created_level (created_at, level)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Totals that would otherwise need COUNT(*) over millions of rows. Sharded (16 rows per
-- counter, one picked at random per write) so concurrent writers on different Galera nodes
-- rarely certify against the same row; a read sums at most 16 rows per counter.
CREATE TABLE IF NOT EXISTS stat_counters (
  name VARCHAR(32) NOT NULL,
  shard TINYINT UNSIGNED NOT NULL,
  value BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (name, shard)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Idempotency-Key: the key row is inserted before the work (INSERT IGNORE decides the
-- owner), the response is stored after it; a retry replays the stored response.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  idem_key VARCHAR(128) NOT NULL,
  scope VARCHAR(255) NOT NULL,
  status_code SMALLINT UNSIGNED NULL,
  body MEDIUMTEXT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (idem_key, scope),
  KEY idx_idempotency_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
