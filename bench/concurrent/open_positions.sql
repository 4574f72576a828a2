-- bench/concurrent/open_positions.sql: catalyst with :n open positions spread over :cycles cycles
-- (bench-1 ...), ids 1..:n, each entered by its cycle's filled order; for bench/concurrent_close.sh
-- and bench/compare_close.sh (psql -v cycles=... -v n=...).
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency)
SELECT 'bench-' || c, 'normal', 300 FROM generate_series(1, :cycles) c;
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, commission, executed_price, executed_quantity)
SELECT 'in-' || c, 'bench-' || c, 'S', 'buy', 'market', 100, 'filled', 1.00, 100.00, 100 FROM generate_series(1, :cycles) c;
ALTER TABLE catalyst.positions DISABLE TRIGGER USER;   -- loading only: open positions
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss, opened_at)
SELECT 'bench-' || (1 + i % :cycles), 'S' || i % 50, CASE WHEN i % 2 = 0 THEN 'long' ELSE 'short' END, 100,
       'in-' || (1 + i % :cycles), 100.00, 95.00, now() - interval '1 hour'
FROM generate_series(1, :n) i ORDER BY i;
ALTER TABLE catalyst.positions ENABLE TRIGGER USER;
VACUUM ANALYZE;
CHECKPOINT;
