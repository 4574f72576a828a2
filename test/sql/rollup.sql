-- The 4.2 roll-up (issue 8): performance() over ranges of days, closes out of order inside a
-- minute and across minutes, closes far in the past or future, closes left pending and merged
-- by every read, and the defects of the 4.1 roll-up (each failed before the fix):
--   - an explicit position_id equal to an archived one
--   - deleting an order that only archived positions use
-- (commission races, deadlocks and aborts: test/specs/rollup_races.spec; the trading zone:
-- trading_timezone.sql)
CREATE EXTENSION catalyst;
-- every close folded at once: these tests read the folded rows (batches: fold_batch.sql)
SET catalyst.fold_batch = 1;
\i test/include/metrics_drift.sql

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('p', 'normal', 300), ('q', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('in', 'p', 'X', 'buy', 'market', 1, 0.50), ('out', 'p', 'X', 'sell', 'market', 1, 0.25);
-- three days of trades, P&L in closed_at order: day 1: +30, -50; day 2: +10, -40; day 3: +100
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price,
                                opened_at, status, exit_price, closed_at)
VALUES ('p', 'X', 'long', 10, 'in', 'out', 100.00, '2026-04-01 08:00+00', 'closed', 103.00, '2026-04-01 10:00+00'),
       ('p', 'X', 'long', 10, 'in', 'out', 100.00, '2026-04-01 08:00+00', 'closed',  95.00, '2026-04-01 11:00+00'),
       ('p', 'X', 'long', 10, 'in', 'out', 100.00, '2026-04-02 08:00+00', 'closed', 101.00, '2026-04-02 10:00+00'),
       ('p', 'X', 'long', 10, 'in', 'out', 100.00, '2026-04-02 08:00+00', 'closed',  96.00, '2026-04-02 11:00+00'),
       ('p', 'X', 'long', 10, 'in', 'out', 100.00, '2026-04-03 08:00+00', 'closed', 110.00, '2026-04-03 10:00+00');

-- one day as performance_metrics has it
SELECT metric_date, total_trades, gross_pnl, max_drawdown FROM catalyst.performance_metrics WHERE cycle_id = 'p' ORDER BY 1;
-- the range: the drawdown runs across the days: cumulative 30, -20, -10, -50, 50: from the
-- peak 30 down to -50 is 80 (no single day has more than 50); commissions 5 x 0.75
SELECT total_trades, winning_trades, losing_trades, gross_pnl, commissions, net_pnl, max_drawdown,
       recovery_factor, largest_win, largest_loss, total_volume
FROM catalyst.performance('p', '2026-04-01', '2026-04-03');
-- days 1..2 only; the lifetime (NULL bounds); one bound open; a range with no trade
SELECT total_trades, gross_pnl, max_drawdown FROM catalyst.performance('p', '2026-04-01', '2026-04-02');
SELECT total_trades, gross_pnl, max_drawdown FROM catalyst.performance('p');
SELECT total_trades, gross_pnl, max_drawdown FROM catalyst.performance('p', '2026-04-02', NULL);
SELECT total_trades, gross_pnl, max_drawdown, win_rate, average_win, sharpe_ratio, avg_hold_time
FROM catalyst.performance('p', '2020-01-01', '2020-12-31');
-- ... and the same from PostgreSQL's own aggregates over the trades
SELECT count(*), sum(realized_pnl), round(avg(pnl_percent) / stddev_samp(pnl_percent), 2) AS sharpe
FROM catalyst.positions WHERE cycle_id = 'p';
SELECT sharpe_ratio FROM catalyst.performance('p');

-- bad input: clear errors (22023, 22004, P0002)
\set VERBOSITY default
SELECT * FROM catalyst.performance('p', '2026-04-03', '2026-04-01');
SELECT * FROM catalyst.performance(NULL, '2026-04-01', '2026-04-03');
SELECT * FROM catalyst.performance('no-such-cycle');
\set VERBOSITY sqlstate
SELECT * FROM catalyst.performance('p', '2026-04-03', '2026-04-01');
SELECT * FROM catalyst.performance(NULL, '2026-04-01', '2026-04-03');
SELECT * FROM catalyst.performance('no-such-cycle');
\set VERBOSITY terse

-- a close out of order inside a minute (its minute is derived anew) and one in an earlier
-- minute of the day (the day is merged again from its minutes): day 3 becomes -20 at 09:59:30,
-- +100 at 10:00:00, -30 at 10:00:00.5 ... in closed_at order
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price,
                                opened_at, status, exit_price, closed_at)
VALUES ('p', 'X', 'long', 10, 'in', 'out', 100.00, '2026-04-03 08:00+00', 'closed', 97.00, '2026-04-03 10:00:00.5+00');
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price,
                                opened_at, status, exit_price, closed_at)
VALUES ('p', 'X', 'long', 10, 'in', 'out', 100.00, '2026-04-03 08:00+00', 'closed', 98.00, '2026-04-03 09:59:30+00');
SELECT total_trades, gross_pnl, max_drawdown, last_closed_at FROM catalyst.performance_metrics
WHERE cycle_id = 'p' AND metric_date = '2026-04-03';
SELECT slice, total_trades, sum_wins + sum_losses AS pnl, peak_pnl, trough_pnl, deepest_drawdown
FROM catalyst.metrics_slices WHERE cycle_id = 'p' AND metric_date = '2026-04-03' ORDER BY slice;
SELECT pg_temp.drift() AS drift;

-- closes far in the past and in the future are filed under their own trading dates
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
VALUES ('q', 'X', 'long', 1, 'in', 10.00, '1900-01-01 00:00+00', 'closed', 11.00, '1900-01-01 23:59:59+00'),
       ('q', 'X', 'long', 1, 'in', 10.00, '2026-04-01 00:00+00', 'closed', 12.00, '2199-12-31 23:59:59.999999+00');
SELECT metric_date, total_trades, gross_pnl FROM catalyst.performance_metrics WHERE cycle_id = 'q' ORDER BY 1;
SELECT total_trades, gross_pnl FROM catalyst.performance('q');
SELECT pg_temp.drift() AS drift;

-- a close under REPEATABLE READ is left pending; every read merges it at once
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE catalyst.positions SET exit_price = 99.00 WHERE cycle_id = 'p' AND closed_at = '2026-04-03 10:00+00';
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
VALUES ('p', 'X', 'long', 10, 'in', 100.00, '2026-04-04 08:00+00', 'closed', 105.00, '2026-04-04 10:00+00');
COMMIT;
SELECT metric_date, slice IS NULL AS marker FROM catalyst.metrics_pending ORDER BY 1, 2;
SELECT metric_date, total_trades, gross_pnl, max_drawdown FROM catalyst.performance_metrics WHERE cycle_id = 'p' ORDER BY 1;
SELECT total_trades, gross_pnl, max_drawdown FROM catalyst.performance('p');
SELECT pg_temp.drift() AS drift;
SELECT count(*) AS pending_after_recompute FROM catalyst.metrics_pending;

-- defect: an explicit position_id equal to an archived one; the recompute dropped the archived
-- trade and every later archiving failed on the archive's key.  Now refused (23505).
WITH moved AS (DELETE FROM catalyst.positions WHERE cycle_id = 'p' AND closed_at < '2026-04-02' RETURNING *)
INSERT INTO catalyst.positions_archive
SELECT (jsonb_populate_record(NULL::catalyst.positions_archive, to_jsonb(m) || jsonb_build_object('archived_at', now()))).*
FROM moved m;
SELECT min(position_id) AS archived_id FROM catalyst.positions_archive \gset
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES (:archived_id, 'p', 'X', 'long', 1, 'in', 10.00, '2026-04-01 09:00+00');
UPDATE catalyst.positions SET position_id = :archived_id WHERE cycle_id = 'q' AND closed_at < '2000-01-01';
SELECT metric_date, total_trades, gross_pnl FROM catalyst.performance_metrics WHERE metric_date = '2026-04-01';
SELECT pg_temp.drift() AS drift;

-- defect: deleting an order that only archived positions use changed those days only at the
-- next recompute.  Now the day follows at once: the commissions of the two archived trades go
-- (2 x 0.25 of 'out'; 'in' is still used by open positions' entry, 'out' only by the archive)
UPDATE catalyst.positions SET exit_order_id = NULL WHERE exit_order_id = 'out';
SELECT commissions FROM catalyst.performance_metrics WHERE cycle_id = 'p' AND metric_date = '2026-04-01';
DELETE FROM catalyst.orders WHERE order_id = 'out';
SELECT commissions FROM catalyst.performance_metrics WHERE cycle_id = 'p' AND metric_date = '2026-04-01';
SELECT pg_temp.drift() AS drift;

-- a 4.1 database updated to 4.2 keeps its days (rows, ids, metadata): the update derives each
-- anew.  (Until it is updated, the 4.2 library keeps its 4.1 table: test/sql/serve_v41.sql.)
DROP EXTENSION catalyst;
CREATE EXTENSION catalyst VERSION '4.1';
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('old', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity) VALUES ('in', 'old', 'X', 'buy', 'market', 1);
-- (the rows a 4.1 library would have written)
ALTER TABLE catalyst.positions DISABLE TRIGGER position_close_after;
ALTER TABLE catalyst.positions DISABLE TRIGGER position_close_after_statement;
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at, status, exit_price, closed_at)
VALUES ('old', 'X', 'long', 10, 'in', 100.00, '2026-04-01 08:00+00', 'closed', 104.00, '2026-04-01 09:00+00'),
       ('old', 'X', 'long', 10, 'in', 100.00, '2026-04-01 08:00+00', 'closed', 98.00, '2026-04-01 09:30+00');
ALTER TABLE catalyst.positions ENABLE TRIGGER position_close_after;
ALTER TABLE catalyst.positions ENABLE TRIGGER position_close_after_statement;
INSERT INTO catalyst.performance_metrics (metric_id, cycle_id, metric_date, total_trades, metadata)
VALUES (42, 'old', '2026-04-01', 2, '{"kept": true}');
ALTER EXTENSION catalyst UPDATE;
SELECT metric_id, metric_date, total_trades, gross_pnl, max_drawdown, metadata FROM catalyst.performance_metrics;
SELECT count(*) AS slices FROM catalyst.metrics_slices;
DROP EXTENSION catalyst;
