-- The performance_metrics roll-up: every metric on a hand-computed day, both commissions, the
-- closing trade included, corrections, deletions, reopening, commission changes, closes out of
-- order, archiving, clamping, bad input.
CREATE EXTENSION catalyst;
-- every close folded at once: this test reads the folded rows (batches: fold_batch.sql)
SET catalyst.fold_batch = 1;

\i test/include/metrics_drift.sql

-- the metrics of a cycle's day, as a reader sees them
CREATE FUNCTION pg_temp.day(p_cycle text, p_day date)
RETURNS TABLE (trades int, wins int, losses int, win_rate numeric, gross numeric, commissions numeric,
               net numeric, avg_win numeric, avg_loss numeric, best numeric, worst numeric,
               profit_factor numeric, sharpe numeric, drawdown numeric, recovery numeric,
               avg_hold interval, volume bigint)
LANGUAGE sql AS $$
    SELECT total_trades, winning_trades, losing_trades, win_rate, gross_pnl, commissions, net_pnl,
           average_win, average_loss, largest_win, largest_loss, profit_factor, sharpe_ratio,
           max_drawdown, recovery_factor, avg_hold_time, total_volume
    FROM catalyst.performance_metrics WHERE cycle_id = p_cycle AND metric_date = p_day
$$;

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency)
VALUES ('hand', 'normal', 300), ('other', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('in1', 'hand', 'AAPL', 'buy',  'market', 100, 1.00), ('out1', 'hand', 'AAPL', 'sell', 'market', 100, 1.00),
       ('in2', 'hand', 'TSLA', 'sell', 'market',  10, 0.50), ('out2', 'hand', 'TSLA', 'buy',  'market',  10, NULL),
       ('in3', 'hand', 'NVDA', 'buy',  'market',  20, NULL), ('out3', 'hand', 'NVDA', 'sell', 'market',  20, 2.00),
       ('in4', 'hand', 'AMD',  'sell', 'market',  50, 1.00), ('out4', 'hand', 'AMD',  'buy',  'market',  50, 1.00),
       ('in5', 'hand', 'MSFT', 'buy',  'market',  10, 0.25), ('out5', 'hand', 'MSFT', 'sell', 'market',  10, 0.25);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price, opened_at)
VALUES ('hand', 'AAPL', 'long',  100, 'in1', 'out1',  50.00, '2026-03-02 09:00+00'),
       ('hand', 'TSLA', 'short',  10, 'in2', 'out2', 200.00, '2026-03-02 09:30+00'),
       ('hand', 'NVDA', 'long',   20, 'in3', 'out3', 100.00, '2026-03-02 10:00+00'),
       ('hand', 'AMD',  'short',  50, 'in4', 'out4',  40.00, '2026-03-02 11:00+00'),
       ('hand', 'MSFT', 'long',   10, 'in5', 'out5', 300.00, '2026-03-02 12:00+00');

-- The hand-computed day (2026-03-02 in UTC, the default catalyst.trading_timezone):
--   #  side   qty  entry   exit    pnl      pnl%   hold   commissions (entry + exit)
--   1  long   100   50.00   52.00  +200.00   4.00  1:00   1.00 + 1.00 = 2.00
--   2  short   10  200.00  210.00  -100.00  -5.00  1:30   0.50 + NULL = 0.50
--   3  long    20  100.00   95.00  -100.00  -5.00  2:00   NULL + 2.00 = 2.00
--   4  short   50   40.00   36.00  +200.00  10.00  2:00   1.00 + 1.00 = 2.00
--   5  long    10  300.00  300.00     0.00   0.00  2:00   0.25 + 0.25 = 0.50
-- total 5, winning 2, losing 2 (the breakeven counts only in total), win_rate 2/5 = 40.00
-- gross 200.00, commissions 7.00, net 193.00
-- average_win 400/2 = 200.00, average_loss -200/2 = -100.00, largest_win 200.00, largest_loss -100.00
-- profit_factor 400 / 200 = 2.00
-- sharpe: r = 4, -5, -5, 10, 0; mean 0.8; sample variance (166 - 5 * 0.64) / 4 = 40.7;
--         0.8 / sqrt(40.7) = 0.8 / 6.3797 = 0.1254 -> 0.13
-- cumulative P&L 200, 100, 0, 200, 200; peak 200 from the first trade: falls 0, 100, 200, 0, 0
--         -> max_drawdown 200.00; recovery_factor 193 / 200 = 0.965 -> 0.97
-- avg_hold_time (1 + 1.5 + 2 + 2 + 2) h / 5 = 1.7 h = 1:42:00; total_volume 190

-- each close is in the metrics as soon as it happens, the closing trade included
UPDATE catalyst.positions SET status = 'closed', exit_price = 52.00, closed_at = '2026-03-02 10:00+00' WHERE symbol = 'AAPL';
SELECT trades, wins, gross, commissions, net, best, avg_hold, volume FROM pg_temp.day('hand', '2026-03-02');
-- a close rewrites its day's row once, as a HOT update (no new index entries, no dead index versions)
BEGIN;
SELECT pg_stat_get_xact_tuples_updated('catalyst.metrics_days'::regclass) AS updates_before,
       pg_stat_get_xact_tuples_hot_updated('catalyst.metrics_days'::regclass) AS hot_before \gset
UPDATE catalyst.positions SET status = 'closed', exit_price = 210.00, closed_at = '2026-03-02 11:00+00' WHERE symbol = 'TSLA';
SELECT pg_stat_get_xact_tuples_updated('catalyst.metrics_days'::regclass) - :updates_before AS metrics_updates,
       pg_stat_get_xact_tuples_hot_updated('catalyst.metrics_days'::regclass) - :hot_before AS hot_updates;
COMMIT;
UPDATE catalyst.positions SET status = 'closed', exit_price = 95.00, closed_at = '2026-03-02 12:00+00' WHERE symbol = 'NVDA';
UPDATE catalyst.positions SET status = 'closed', exit_price = 36.00, closed_at = '2026-03-02 13:00+00' WHERE symbol = 'AMD';
UPDATE catalyst.positions SET status = 'closed', exit_price = 300.00, closed_at = '2026-03-02 14:00+00' WHERE symbol = 'MSFT';
\x on
SELECT * FROM pg_temp.day('hand', '2026-03-02');
\x off
-- the same numbers from PostgreSQL's own aggregates over the positions, for the cross-check
SELECT round(avg(pnl_percent) / stddev_samp(pnl_percent), 2) AS sharpe, avg(hold_duration) AS avg_hold
FROM catalyst.positions WHERE cycle_id = 'hand';
-- the incremental path left exactly what the full recompute writes
SELECT pg_temp.drift() AS drift;
-- and drift() does notice a row that is not what the recompute would write
UPDATE catalyst.metrics_days SET sum_returns = sum_returns + 1;
SELECT pg_temp.drift() AS drift_after_tampering, pg_temp.drift() AS drift_after_recompute;

-- a corrected trade: AMD's exit was 38.00, not 36.00 -> +100.00, 5.00 %; the day is recomputed:
-- gross 100.00, net 93.00, profit_factor 300/200 = 1.50, average_win 150.00, largest_win 200.00;
-- cumulative 200, 100, 0, 100, 100: max_drawdown still 200.00, recovery 93/200 = 0.465 -> 0.47
-- r = 4, -5, -5, 5, 0: mean -0.2, variance (91 - 0.2) / 4 = 22.7, sharpe -0.2/4.7645 = -0.04
UPDATE catalyst.positions SET exit_price = 38.00 WHERE symbol = 'AMD';
SELECT gross, net, profit_factor, avg_win, best, drawdown, recovery, sharpe FROM pg_temp.day('hand', '2026-03-02');
SELECT pg_temp.drift() AS drift;

-- both commissions count, and changing one on an order recomputes the days of its positions:
-- out2 (TSLA's exit, NULL so far) gets 1.50 -> commissions 8.50, net 91.50
UPDATE catalyst.orders SET commission = 1.50 WHERE order_id = 'out2';
SELECT commissions, net FROM pg_temp.day('hand', '2026-03-02');
-- in3 (NVDA's entry) 0.75 -> 9.25; an order no closed position uses changes nothing
UPDATE catalyst.orders SET commission = 0.75 WHERE order_id = 'in3';
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity) VALUES ('spare', 'hand', 'X', 'buy', 'market', 1);
UPDATE catalyst.orders SET commission = 99.00 WHERE order_id = 'spare';
SELECT commissions, net FROM pg_temp.day('hand', '2026-03-02');
SELECT pg_temp.drift() AS drift;

-- a deleted trade: NVDA (-100.00) goes; 4 trades, gross 200.00, commissions 9.25 - 2.75 = 6.50,
-- cumulative 200, 100, 200, 200: max_drawdown 100.00, recovery (200 - 6.5) / 100 = 1.94 (rounded 1.935)
DELETE FROM catalyst.positions WHERE symbol = 'NVDA';
SELECT trades, losses, gross, commissions, net, worst, drawdown, recovery FROM pg_temp.day('hand', '2026-03-02');
SELECT pg_temp.drift() AS drift;

-- a reopened trade leaves the metrics: TSLA (-100.00) reopens; 3 trades, all wins or breakeven:
-- no loss -> average_loss, largest_loss, profit_factor NULL; never falls -> max_drawdown 0, recovery NULL
UPDATE catalyst.positions SET status = 'open' WHERE symbol = 'TSLA';
SELECT trades, wins, losses, avg_loss, worst, profit_factor, drawdown, recovery FROM pg_temp.day('hand', '2026-03-02');
-- closing it again brings it back, out of order (closed_at 11:00 is before the last trade, 14:00)
UPDATE catalyst.positions SET status = 'closed' WHERE symbol = 'TSLA';
SELECT trades, losses, drawdown FROM pg_temp.day('hand', '2026-03-02');
SELECT pg_temp.drift() AS drift;

-- a correction that moves a trade to another day recomputes both days
UPDATE catalyst.positions SET closed_at = '2026-03-03 09:00+00' WHERE symbol = 'MSFT';
SELECT metric_date, total_trades, gross_pnl, total_volume FROM catalyst.performance_metrics
WHERE cycle_id = 'hand' ORDER BY metric_date;
-- ... and one that moves it to another cycle
UPDATE catalyst.positions SET cycle_id = 'other' WHERE symbol = 'MSFT';
SELECT cycle_id, metric_date, total_trades FROM catalyst.performance_metrics ORDER BY cycle_id, metric_date;
SELECT pg_temp.drift() AS drift;

-- prices that are not numbers are refused
\set VERBOSITY default
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
VALUES ('other', 'NAN', 'long', 1, 'in1', 10.00, '2026-03-03 09:00+00', 'closed', 'NaN', '2026-03-03 10:00+00');
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
VALUES ('other', 'NAN', 'long', 1, 'in1', 'NaN', '2026-03-03 09:00+00', 'closed', 10.00, '2026-03-03 10:00+00');
\set VERBOSITY terse

-- closes out of order, one statement each and all in one statement: the drawdown follows closed_at
-- order: -50 at 09:00, +80 at 10:00, -80 at 11:00 -> cumulative -50, 30, -50; peak 0, 30, 30
-- -> falls 50, 0, 80 -> max_drawdown 80.00 (the start, 0, counts as a peak); gross -50.00
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('order', 'normal', 300), ('bulk', 'normal', 300);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
SELECT c, s, 'long', 1, 'in1', 100.00, '2026-03-05 08:00+00'
FROM unnest(ARRAY['order', 'bulk']) c, unnest(ARRAY['A', 'B', 'C']) s;
UPDATE catalyst.positions SET status = 'closed', exit_price = 20.00, closed_at = '2026-03-05 11:00+00' WHERE cycle_id = 'order' AND symbol = 'C';
UPDATE catalyst.positions SET status = 'closed', exit_price = 180.00, closed_at = '2026-03-05 10:00+00' WHERE cycle_id = 'order' AND symbol = 'B';
UPDATE catalyst.positions SET status = 'closed', exit_price = 50.00, closed_at = '2026-03-05 09:00+00' WHERE cycle_id = 'order' AND symbol = 'A';
UPDATE catalyst.positions
   SET status = 'closed',
       exit_price = CASE symbol WHEN 'A' THEN 50.00 WHEN 'B' THEN 180.00 ELSE 20.00 END,
       closed_at = CASE symbol WHEN 'A' THEN timestamptz '2026-03-05 09:00+00' WHEN 'B' THEN '2026-03-05 10:00+00'
                   ELSE '2026-03-05 11:00+00' END
 WHERE cycle_id = 'bulk';
SELECT cycle_id, total_trades, gross_pnl, max_drawdown, last_closed_at = '2026-03-05 11:00+00' AS last_is_c
FROM catalyst.performance_metrics WHERE metric_date = '2026-03-05' ORDER BY cycle_id;
SELECT pg_temp.drift() AS drift;

-- (trades crossing midnight in catalyst.trading_timezone: test/sql/trading_timezone.sql)

-- archived positions still count: moving a day's trades to positions_archive changes nothing
CREATE TEMP TABLE before_archive AS SELECT * FROM pg_temp.day('order', '2026-03-05');
WITH moved AS (DELETE FROM catalyst.positions WHERE cycle_id = 'order' RETURNING *)
INSERT INTO catalyst.positions_archive
SELECT (jsonb_populate_record(NULL::catalyst.positions_archive, to_jsonb(m) || jsonb_build_object('archived_at', now()))).* FROM moved m;
SELECT count(*) AS unchanged FROM (SELECT * FROM before_archive INTERSECT SELECT * FROM pg_temp.day('order', '2026-03-05')) s;
-- and a commission change on an order of an archived position reaches its day: in1 1.00 -> 2.00,
-- the entry order of the three archived trades (3.00 -> 6.00), of 'bulk''s three (3.00 -> 6.00)
-- and of AAPL on 'hand''s 2 March (6.00 -> 7.00); 'other' has none
SELECT cycle_id, metric_date, commissions FROM catalyst.performance_metrics WHERE total_trades > 0 ORDER BY 1, 2;
UPDATE catalyst.orders SET commission = 2.00 WHERE order_id = 'in1';
SELECT cycle_id, metric_date, commissions FROM catalyst.performance_metrics WHERE total_trades > 0 ORDER BY 1, 2;

-- no input makes the roll-up fail: beyond a column's range, a value is clamped
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('huge', 'normal', 300);
-- profit_factor 1000000.00 / 0.01 and recovery_factor beyond 9999.99; sharpe of returns 1, 1, 1.01
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
VALUES ('huge', 'L', 'long', 1, 'in1', 10.00, '2026-03-06 09:00+00', 'closed', 9.99, '2026-03-06 09:30+00'),
       ('huge', 'W', 'long', 100000, 'in1', 10.00, '2026-03-06 09:00+00', 'closed', 20.00, '2026-03-06 10:00+00');
SELECT gross, profit_factor, drawdown, recovery FROM pg_temp.day('huge', '2026-03-06');
-- six trades of 214748364657050327.06 each: the day's sums pass DECIMAL(20,2)'s 999999999999999999.99,
-- where gross_pnl and net_pnl are clamped; the state keeps the exact sum
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
SELECT 'huge', 'BIG', 'long', 2147483647, 'in1', 0.01, '2026-03-07 09:00+00', 'closed', 99999999.99, '2026-03-07 10:00+00'
FROM generate_series(1, 6);
SELECT trades, gross, net, avg_win, best, sharpe FROM pg_temp.day('huge', '2026-03-07');
SELECT sum_wins FROM catalyst.performance_metrics WHERE cycle_id = 'huge' AND metric_date = '2026-03-07';
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
VALUES ('huge', 'S1', 'long', 1, 'in1', 100.00, '2026-03-08 09:00+00', 'closed', 1100.00, '2026-03-08 10:00+00'),
       ('huge', 'S2', 'long', 1, 'in1', 100.00, '2026-03-08 09:00+00', 'closed', 1100.00, '2026-03-08 10:01+00'),
       ('huge', 'S3', 'long', 1, 'in1', 100.00, '2026-03-08 09:00+00', 'closed', 1100.01, '2026-03-08 10:02+00');
-- r = 1000.00, 1000.00, 1000.01: mean 1000.00333, sample stddev 0.005774 -> 173205.7, clamped to 9999.99
SELECT sharpe FROM pg_temp.day('huge', '2026-03-08');
SELECT pg_temp.drift() AS drift;

-- TRUNCATE positions empties every day's metrics, and archived trades still count
TRUNCATE catalyst.positions;
SELECT cycle_id, metric_date, total_trades, gross_pnl FROM catalyst.performance_metrics
WHERE total_trades > 0 OR cycle_id = 'hand' ORDER BY 1, 2;

-- update_performance_metrics(): unknown cycles, NULLs and infinite dates are clear errors; a day
-- without trades gets an empty row, like the seed's function
\set VERBOSITY default
SELECT catalyst.update_performance_metrics('no-such-cycle', '2026-03-02');
SELECT catalyst.update_performance_metrics(NULL, '2026-03-02');
SELECT catalyst.update_performance_metrics('hand', NULL);
SELECT catalyst.update_performance_metrics('hand', 'infinity');
\set VERBOSITY terse
SELECT catalyst.update_performance_metrics('hand', '2020-01-01');
SELECT * FROM pg_temp.day('hand', '2020-01-01');
-- the default date is today's trading date
SELECT catalyst.update_performance_metrics('hand');
SELECT count(*) AS today_row FROM catalyst.performance_metrics
WHERE cycle_id = 'hand' AND metric_date = catalyst.trading_date(now());

-- misuse of the trigger functions
SELECT catalyst.performance_metrics_recompute_marked();
CREATE TABLE public.t (x int);
CREATE TRIGGER wrong BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION catalyst.performance_metrics_recompute_marked();
INSERT INTO public.t VALUES (1);
CREATE TRIGGER wrong2 AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION catalyst.order_commission_roll_up();
DROP TRIGGER wrong ON public.t;
INSERT INTO public.t VALUES (1);
DROP TABLE public.t;

DROP EXTENSION catalyst;
