-- record_fill() looks a fill up by (order_id, broker_fill_id) before and after locking its order.
-- That lookup is planned for the table's size at each call (src/spi_util.c,
-- catalyst_keep_custom_plan()): a generic plan made while fills held one page is a sequential
-- scan, kept until the next ANALYZE, and a burst of fills into a new database then read the whole
-- table for every fill (bench/fills.sh measured record_fill() at 2.22 times its limit with it).
-- Here fills is analysed while empty, as a fresh install's autovacuum leaves it; after 1,000 fills
-- the next 100 (and their re-sends) read fills through its index only.
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, submitted_at)
VALUES ('o1', 'c1', 'AAPL', 'buy', 'limit', 5000, 'submitted', '2026-03-02 14:00+00');
ANALYZE catalyst.fills;
SELECT relpages, reltuples FROM pg_class WHERE oid = 'catalyst.fills'::regclass;

BEGIN;
SELECT count(*) FILTER (WHERE catalyst.record_fill('o1', 'F-' || i, 1, 100.00, 0, '2026-03-02 15:00+00'))
       AS first_thousand
FROM generate_series(1, 1000) i;
SELECT seq_scan AS scans_before FROM pg_stat_xact_user_tables WHERE relid = 'catalyst.fills'::regclass \gset
SELECT count(*) FILTER (WHERE catalyst.record_fill('o1', 'F-' || i, 1, 100.00, 0, '2026-03-02 15:00+00'))
       AS next_hundred,
       count(*) FILTER (WHERE NOT catalyst.record_fill('o1', 'F-' || i, 1, 100.00, 0, '2026-03-02 15:00+00'))
       AS resent
FROM generate_series(1001, 1100) i;
SELECT seq_scan - :scans_before AS sequential_scans_of_fills_since
FROM pg_stat_xact_user_tables WHERE relid = 'catalyst.fills'::regclass;
SELECT executed_quantity, status FROM catalyst.orders WHERE order_id = 'o1';
COMMIT;

DROP EXTENSION catalyst;
