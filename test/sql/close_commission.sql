-- The commission a close counts (its entry and exit orders', each locked FOR SHARE until the
-- transaction ends: doc/metrics.md, "A close") is read through a unique btree index of orders on
-- order_id, not by a query.  A DBA who replaces orders' primary key by indexes of another shape
-- leaves closes exact (the query runs instead), and a unique index under any name serves.
CREATE EXTENSION catalyst;
SET TIME ZONE 'UTC';
\i test/include/metrics_drift.sql
SET catalyst.fold_batch = 1;

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('cc', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('in-1', 'cc', 'S', 'buy', 'market', 10, 1.25),
       ('in-2', 'cc', 'S', 'buy', 'market', 10, NULL),
       ('out-1', 'cc', 'S', 'sell', 'market', 10, 0.75),
       ('out-2', 'cc', 'S', 'sell', 'market', 10, 0.50),
       ('out-3', 'cc', 'S', 'sell', 'market', 10, 0.30);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price, opened_at)
VALUES ('cc', 'S', 'long', 10, 'in-1', 'out-1', 100.00, '2026-05-04 08:00+00'),
       ('cc', 'S', 'long', 10, 'in-2', 'out-2', 100.00, '2026-05-04 08:00+00'),
       ('cc', 'S', 'long', 10, 'in-1', 'out-3', 100.00, '2026-05-04 08:00+00'),
       ('cc', 'S', 'long', 10, 'in-2', NULL, 100.00, '2026-05-04 08:00+00');
-- close a position; how many times the close scanned orders sequentially (this transaction's
-- statistics, before and after)
CREATE FUNCTION pg_temp.close_scanning(p_id int, p_exit numeric, p_at timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    before bigint := (SELECT seq_scan FROM pg_catalog.pg_stat_xact_user_tables
                      WHERE relid = 'catalyst.orders'::regclass);
BEGIN
    UPDATE catalyst.positions SET status = 'closed', exit_price = p_exit, closed_at = p_at
     WHERE position_id = p_id;
    RETURN (SELECT seq_scan FROM pg_catalog.pg_stat_xact_user_tables
            WHERE relid = 'catalyst.orders'::regclass) - before;
END
$$;
-- which orders this transaction has locked (a row's xmax is the one transaction that locked it)
CREATE TEMP VIEW locked_orders AS
SELECT order_id, xmax::text = pg_current_xact_id()::text AS locked_by_this_transaction
FROM catalyst.orders ORDER BY order_id;

-- by the index: with the planner's index scans off (which the query would obey), a close scans
-- orders sequentially 0 times, and both its orders are locked by it
SET enable_indexscan = off;
SET enable_bitmapscan = off;
BEGIN;
SELECT pg_temp.close_scanning(1, 103.00, '2026-05-04 10:00+00') AS sequential_scans;
SELECT * FROM locked_orders;
COMMIT;
-- 1.25 + 0.75
SELECT commissions, net_pnl FROM catalyst.performance_metrics WHERE cycle_id = 'cc';

-- orders' primary key replaced by indexes that cannot serve (not unique; another collation than
-- the column's): the query counts, as exactly, and scans orders as the planner says
ALTER TABLE catalyst.orders DROP CONSTRAINT orders_pkey CASCADE;
CREATE INDEX orders_by_id ON catalyst.orders (order_id);
CREATE UNIQUE INDEX orders_by_id_c ON catalyst.orders (order_id COLLATE "POSIX");
BEGIN;
SELECT pg_temp.close_scanning(2, 95.00, '2026-05-04 10:05+00') AS sequential_scans;
SELECT * FROM locked_orders;
COMMIT;
-- + 0 (a NULL commission) + 0.50
SELECT commissions, net_pnl FROM catalyst.performance_metrics WHERE cycle_id = 'cc';

-- a unique index on order_id under any name serves again
CREATE UNIQUE INDEX orders_unique_id ON catalyst.orders (order_id);
BEGIN;
SELECT pg_temp.close_scanning(3, 101.00, '2026-05-04 10:10+00') AS sequential_scans;
COMMIT;
-- an exit order that is not there (its foreign key went with the primary key) counts 0
UPDATE catalyst.positions SET exit_order_id = 'no-such-order' WHERE position_id = 4;
BEGIN;
SELECT pg_temp.close_scanning(4, 99.00, '2026-05-04 10:15+00') AS sequential_scans;
COMMIT;
-- + 1.25 + 0.30, + 0 (a NULL commission) + 0
SELECT commissions, net_pnl FROM catalyst.performance_metrics WHERE cycle_id = 'cc';
-- a DEFERRABLE unique constraint does not serve (a transaction may hold two rows of one
-- order_id until it commits): the query runs, and refuses to close a position whose exit order
-- is two rows
DROP INDEX catalyst.orders_unique_id, catalyst.orders_by_id_c;
ALTER TABLE catalyst.orders ADD CONSTRAINT orders_deferred_id UNIQUE (order_id) DEFERRABLE INITIALLY DEFERRED;
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price, opened_at)
VALUES ('cc', 'S', 'long', 10, 'in-1', 'out-1', 100.00, '2026-05-04 08:00+00');
BEGIN;
SET LOCAL catalyst.audit = off;   -- (the row audit of orders needs their primary key)
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('out-1', 'cc', 'S', 'sell', 'market', 10, 9.00);
\set VERBOSITY terse
UPDATE catalyst.positions SET status = 'closed', exit_price = 100.00,
       closed_at = '2026-05-04 10:20+00' WHERE position_id = 5;
\set VERBOSITY default
ROLLBACK;
RESET enable_indexscan;
RESET enable_bitmapscan;
SELECT pg_temp.drift() AS drift;

DROP VIEW locked_orders;
DROP EXTENSION catalyst;
