-- The product catalogue (prices in euros). INSERT IGNORE on fixed ids: safe to re-run.
INSERT IGNORE INTO products (id, sku, name, price) VALUES
  (1, 'EARBUDS-WL', 'Wireless earbuds', 89.99),
  (2, 'WATCH-SMART', 'Smart watch', 199.99),
  (3, 'PHONE-CASE', 'Phone case', 39.99),
  (4, 'CHARGER-USBC', 'USB-C fast charger', 24.99),
  (5, 'SPEAKER-BT', 'Bluetooth speaker', 59.99),
  (6, 'KEYBOARD-MECH', 'Mechanical keyboard', 129.99),
  (7, 'MONITOR-27', '27-inch 4K monitor', 349.99),
  (8, 'LAPTOP-STAND', 'Laptop stand', 44.99);
