-- A database still at 4.1 keeps its roll-up with the 4.2 library, until ALTER EXTENSION catalyst
-- UPDATE: every statement that closes, corrects, reopens or deletes trades (or changes an
-- order's commission) recomputes the 4.1 table's row of each day it touched.  After each step
-- the table is compared with a recompute of every day written here in plain SQL.
CREATE EXTENSION catalyst VERSION '4.1';
SELECT extversion FROM pg_extension WHERE extname = 'catalyst';

-- The reference: each (cycle, trading date) from its closed trades, in (closed_at, position_id)
-- order, with both orders' commissions (NULL counts 0).
CREATE FUNCTION pg_temp.reference()
RETURNS TABLE (cycle_id varchar, metric_date date, total_trades int, winning_trades int,
               losing_trades int, win_rate numeric, gross_pnl numeric, commissions numeric,
               net_pnl numeric, largest_win numeric, largest_loss numeric, sharpe_ratio numeric,
               max_drawdown numeric, avg_hold_time interval, total_volume bigint,
               last_position_id int)
LANGUAGE sql AS $$
    WITH trades AS (
        SELECT p.cycle_id, catalyst.trading_date(p.closed_at) AS day, p.position_id, p.closed_at,
               COALESCE(p.realized_pnl, 0) AS pnl, COALESCE(p.pnl_percent, 0) AS ret,
               p.hold_duration, p.quantity,
               COALESCE(eo.commission, 0) + COALESCE(xo.commission, 0) AS commission
          FROM catalyst.positions p
          LEFT JOIN catalyst.orders eo ON eo.order_id = p.entry_order_id
          LEFT JOIN catalyst.orders xo ON xo.order_id = p.exit_order_id
         WHERE p.status = 'closed'
    ), running AS (
        SELECT t.*, sum(t.pnl) OVER w AS cum,
               row_number() OVER (PARTITION BY t.cycle_id, t.day ORDER BY t.closed_at DESC, t.position_id DESC) AS from_last
          FROM trades t
        WINDOW w AS (PARTITION BY t.cycle_id, t.day ORDER BY t.closed_at, t.position_id ROWS UNBOUNDED PRECEDING)
    ), peaks AS (
        SELECT r.*, greatest(max(r.cum) OVER w, 0) AS peak
          FROM running r
        WINDOW w AS (PARTITION BY r.cycle_id, r.day ORDER BY r.closed_at, r.position_id ROWS UNBOUNDED PRECEDING)
    )
    SELECT k.cycle_id, k.day, count(*)::int, (count(*) FILTER (WHERE k.pnl > 0))::int,
           (count(*) FILTER (WHERE k.pnl < 0))::int,
           round(100.0 * count(*) FILTER (WHERE k.pnl > 0) / count(*), 2),
           round(sum(k.pnl), 2), round(sum(k.commission), 2), round(sum(k.pnl) - sum(k.commission), 2),
           round(max(k.pnl) FILTER (WHERE k.pnl > 0), 2), round(min(k.pnl) FILTER (WHERE k.pnl < 0), 2),
           round(avg(k.ret) / nullif(stddev_samp(k.ret), 0), 2),
           round(max(k.peak - k.cum), 2), avg(k.hold_duration), sum(k.quantity),
           min(k.position_id) FILTER (WHERE k.from_last = 1)
      FROM peaks k
     GROUP BY k.cycle_id, k.day
$$;

-- Rows of the table that differ from the reference, and reference rows the table lacks.  A day
-- whose trades all went keeps its row, empty (as 4.1 left it).
CREATE FUNCTION pg_temp.differences() RETURNS bigint LANGUAGE sql AS $$
    WITH kept AS (
        SELECT m.cycle_id, m.metric_date, m.total_trades, m.winning_trades, m.losing_trades,
               m.win_rate, m.gross_pnl, m.commissions, m.net_pnl, m.largest_win, m.largest_loss,
               m.sharpe_ratio, m.max_drawdown, m.avg_hold_time, m.total_volume, m.last_position_id
          FROM catalyst.performance_metrics m
         WHERE m.total_trades > 0
    )
    SELECT (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM pg_temp.reference()) a)
         + (SELECT count(*) FROM (SELECT * FROM pg_temp.reference() EXCEPT SELECT * FROM kept) b)
         + (SELECT count(*) FROM catalyst.performance_metrics m
             WHERE m.total_trades = 0
               AND (m.gross_pnl, m.commissions, m.max_drawdown, m.total_volume, m.sum_wins, m.sum_losses)
                   IS DISTINCT FROM (0, 0, 0, 0, 0, 0)::record)
$$;

-- What the table holds, in short
CREATE FUNCTION pg_temp.days()
RETURNS TABLE (cycle_id varchar, metric_date date, trades int, wins int, losses int, gross numeric,
               commissions numeric, drawdown numeric, last_position int)
LANGUAGE sql AS $$
    SELECT m.cycle_id, m.metric_date, m.total_trades, m.winning_trades, m.losing_trades, m.gross_pnl,
           m.commissions, m.max_drawdown, m.last_position_id
      FROM catalyst.performance_metrics m ORDER BY m.cycle_id, m.metric_date
$$;

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency)
VALUES ('a', 'normal', 300), ('b', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
SELECT 'o' || i, CASE WHEN i <= 16 THEN 'a' ELSE 'b' END, 'S' || i, 'buy', 'market', 10,
       CASE WHEN i % 3 = 0 THEN NULL ELSE i * 0.25 END
  FROM generate_series(1, 20) i;
-- positions 1..10 of cycle a, 11..12 of cycle b, all open at 08:00 UTC on 2026-03-02
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, exit_order_id,
                                entry_price, opened_at)
SELECT i, CASE WHEN i <= 10 THEN 'a' ELSE 'b' END, 'S' || i, CASE WHEN i % 2 = 0 THEN 'short' ELSE 'long' END,
       10 + i, 'o' || i, CASE WHEN i <= 8 THEN 'o' || (i + 8) WHEN i > 10 THEN 'o' || (i + 6) END,
       100.00, '2026-03-02 08:00+00'
  FROM generate_series(1, 12) i;
SELECT pg_temp.differences() AS differences, count(*) AS days FROM catalyst.performance_metrics;

-- closes in closed_at order, one statement each, on 2026-03-02
UPDATE catalyst.positions SET status = 'closed', exit_price = 104.00, closed_at = '2026-03-02 09:00+00' WHERE position_id = 1;
UPDATE catalyst.positions SET status = 'closed', exit_price = 101.00, closed_at = '2026-03-02 09:30+00' WHERE position_id = 2;
UPDATE catalyst.positions SET status = 'closed', exit_price =  97.00, closed_at = '2026-03-02 10:00+00' WHERE position_id = 3;
SELECT pg_temp.differences() AS differences;
SELECT * FROM pg_temp.days();
-- 4.1's row audit trigger has no arguments: each close is still audited once, by its
-- position_closed event (no UPDATE event of its own)
SELECT a.event_type, a.entity_type, count(*) FROM catalyst.audit_log a
 WHERE a.entity_id IN ('1', '2', '3') AND a.entity_type IN ('position', 'positions')
 GROUP BY 1, 2 ORDER BY 1, 2;
-- a close before the day's last one (the drawdown depends on the order), and one statement
-- closing on two days and in two cycles at once
UPDATE catalyst.positions SET status = 'closed', exit_price = 110.00, closed_at = '2026-03-02 08:45+00' WHERE position_id = 4;
UPDATE catalyst.positions SET status = 'closed',
       exit_price = CASE position_id WHEN 5 THEN 95.00 WHEN 6 THEN 90.00 WHEN 11 THEN 103.00 END,
       closed_at = CASE position_id WHEN 5 THEN timestamptz '2026-03-03 12:00+00'
                                    WHEN 6 THEN timestamptz '2026-03-03 11:00+00'
                                    ELSE timestamptz '2026-03-02 15:00+00' END
 WHERE position_id IN (5, 6, 11);
-- and a close inserted closed, on a third day
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                opened_at, status, exit_price, closed_at)
VALUES (13, 'a', 'S13', 'long', 5, 'o13', 50.00, '2026-03-04 08:00+00', 'closed', 55.00, '2026-03-04 10:00+00');
SELECT pg_temp.differences() AS differences;
SELECT * FROM pg_temp.days();

-- a correction: position 1's exit was 102.00 (its day is recomputed)
UPDATE catalyst.positions SET exit_price = 102.00 WHERE position_id = 1;
SELECT pg_temp.differences() AS differences;
-- a close moved to another day: both days are recomputed
UPDATE catalyst.positions SET closed_at = '2026-03-03 09:00+00' WHERE position_id = 2;
SELECT pg_temp.differences() AS differences;
SELECT * FROM pg_temp.days();
-- a reopening: position 3 leaves its day
UPDATE catalyst.positions SET status = 'open', exit_price = NULL, closed_at = NULL WHERE position_id = 3;
SELECT pg_temp.differences() AS differences;
-- a delete: position 13 was its day's only trade; the day keeps its row, empty
DELETE FROM catalyst.positions WHERE position_id = 13;
SELECT pg_temp.differences() AS differences;
SELECT * FROM pg_temp.days();
-- a commission change of an order (position 5's exit order o13) reaches its day
UPDATE catalyst.orders SET commission = 7.25 WHERE order_id = 'o13';
SELECT pg_temp.differences() AS differences;
SELECT commissions FROM catalyst.performance_metrics WHERE cycle_id = 'a' AND metric_date = '2026-03-03';
-- a rolled-back savepoint takes its recompute back with it
BEGIN;
SAVEPOINT s;
UPDATE catalyst.positions SET status = 'closed', exit_price = 120.00, closed_at = '2026-03-02 16:00+00' WHERE position_id = 7;
SELECT total_trades FROM catalyst.performance_metrics WHERE cycle_id = 'a' AND metric_date = '2026-03-02';
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT pg_temp.differences() AS differences;
-- a close under REPEATABLE READ (no concurrent writer of the day: no serialization failure)
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE catalyst.positions SET status = 'closed', exit_price = 99.00, closed_at = '2026-03-02 17:00+00' WHERE position_id = 7;
COMMIT;
SELECT pg_temp.differences() AS differences;
-- TRUNCATE positions empties every day (rolled back)
BEGIN;
TRUNCATE catalyst.positions;
SELECT pg_temp.differences() AS differences, sum(total_trades) AS trades FROM catalyst.performance_metrics;
ROLLBACK;

-- update_performance_metrics(): a tampered row is recomputed; a day without trades gets a row
UPDATE catalyst.performance_metrics SET gross_pnl = 0, max_drawdown = 1, last_position_id = NULL
 WHERE cycle_id = 'a' AND metric_date = '2026-03-02';
SELECT pg_temp.differences() AS differences_after_tampering;
SELECT catalyst.update_performance_metrics('a', '2026-03-02');
SELECT catalyst.update_performance_metrics('b', '2026-03-05');
SELECT pg_temp.differences() AS differences;
SELECT catalyst.update_performance_metrics('nope', '2026-03-02');
SELECT * FROM pg_temp.days();
-- a statement that touches no trade writes nothing
SELECT max(updated_at) AS last_write FROM catalyst.performance_metrics \gset
UPDATE catalyst.positions SET unrealized_pnl = 1 WHERE status = 'open';
SELECT max(updated_at) = :'last_write' AS unchanged FROM catalyst.performance_metrics;

-- The update: the same rows (ids, metadata, every metric), now through the 4.2 view.
UPDATE catalyst.performance_metrics SET metadata = '{"kept": true}' WHERE cycle_id = 'b';
CREATE TEMP TABLE before_update AS
SELECT metric_id, cycle_id, metric_date, total_trades, winning_trades, losing_trades, win_rate,
       gross_pnl, commissions, net_pnl, average_win, average_loss, largest_win, largest_loss,
       profit_factor, sharpe_ratio, max_drawdown, recovery_factor, avg_hold_time, total_volume,
       metadata, created_at, sum_wins, sum_losses, sum_returns, sum_squared_returns,
       sum_hold_seconds, peak_pnl, deepest_drawdown, last_closed_at, last_position_id
  FROM catalyst.performance_metrics;
ALTER EXTENSION catalyst UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'catalyst';
SELECT relkind FROM pg_class WHERE oid = 'catalyst.performance_metrics'::regclass;
WITH after_update AS (
    SELECT metric_id, cycle_id, metric_date, total_trades, winning_trades, losing_trades, win_rate,
           gross_pnl, commissions, net_pnl, average_win, average_loss, largest_win, largest_loss,
           profit_factor, sharpe_ratio, max_drawdown, recovery_factor, avg_hold_time, total_volume,
           metadata, created_at, sum_wins, sum_losses, sum_returns, sum_squared_returns,
           sum_hold_seconds, peak_pnl, deepest_drawdown, last_closed_at, last_position_id
      FROM catalyst.performance_metrics)
SELECT (SELECT count(*) FROM before_update) AS days_before,
       (SELECT count(*) FROM after_update) AS days_after,
       (SELECT count(*) FROM (SELECT * FROM before_update EXCEPT SELECT * FROM after_update) x) AS lost,
       (SELECT count(*) FROM (SELECT * FROM after_update EXCEPT SELECT * FROM before_update) x) AS new;
SELECT pg_temp.differences() AS differences;
-- and the 4.2 roll-up takes over
UPDATE catalyst.positions SET status = 'closed', exit_price = 100.50, closed_at = '2026-03-02 18:00+00' WHERE position_id = 8;
SELECT pg_temp.differences() AS differences;
SELECT * FROM pg_temp.days();
DROP EXTENSION catalyst;
