-- The statistics traders read (issue 11, item 5): expectancy, payoff ratio, SQN, Kelly fraction,
-- streaks, Sortino ratio, average MAE/MFE and R, on hand-computed days (doc/metrics.md).
-- Every position: long 10 at 100.00, so realized_pnl = (exit - 100) * 10 and pnl_percent =
-- realized_pnl / 10.
CREATE EXTENSION catalyst;
-- every close folded at once: this test reads the folded rows (batches: fold_batch.sql)
SET catalyst.fold_batch = 1;
SET TIME ZONE 'UTC';
\i test/include/metrics_drift.sql
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('ts', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('e', 'ts', 'S', 'buy', 'market', 10, NULL), ('x1', 'ts', 'S', 'sell', 'market', 10, 2.00);

-- day 1 (stop 98: 1 R = 2 * 10 = 20), day 2 (stop 95: 1 R = 50), day 3 (position 11 without a
-- stop: no R; position 12 stop 98)
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                stop_loss, opened_at)
SELECT i, 'ts', 'S', 'long', 10, 'e', 100.00,
       CASE WHEN i BETWEEN 8 AND 10 THEN 95.00 WHEN i = 11 THEN NULL ELSE 98.00 END,
       '2026-06-01 09:00+00'
FROM generate_series(1, 12) i;
-- marks while open: MAE = the lowest of 0, the marks and the close; MFE the highest
UPDATE catalyst.positions SET unrealized_pnl = -5 WHERE position_id = 1;
UPDATE catalyst.positions SET unrealized_pnl = 25 WHERE position_id = 2;
UPDATE catalyst.positions SET unrealized_pnl = -8 WHERE position_id = 4;
UPDATE catalyst.positions SET unrealized_pnl = 6 WHERE position_id = 4;
UPDATE catalyst.positions SET unrealized_pnl = 5 WHERE position_id = 5;
UPDATE catalyst.positions SET unrealized_pnl = -12 WHERE position_id = 7;

-- closes, one statement each; position 2 after position 3 (late in its minute: the minute is
-- derived anew)
CREATE TEMP TABLE closes (position_id int, exit_price numeric, closed_at timestamptz, exit_order text);
INSERT INTO closes VALUES
    (1, 103.00, '2026-06-01 10:00:10+00', 'x1'),   -- +30 (R (30 - 2) / 20 = 1.4)
    (3, 101.00, '2026-06-01 10:01:05+00', NULL),   -- +10, next minute
    (2, 102.00, '2026-06-01 10:00:20+00', NULL),   -- +20, late
    (4, 100.00, '2026-06-01 10:01:30+00', NULL),   --   0, breakeven: ends the winning streak
    (5, 98.00, '2026-06-01 10:01:40+00', NULL),    -- -20
    (6, 99.00, '2026-06-01 10:02:00+00', NULL),    -- -10, next minute
    (7, 104.00, '2026-06-01 10:02:30+00', NULL),   -- +40
    (8, 101.00, '2026-06-02 09:00:00+00', NULL),   -- +10, next day
    (9, 102.00, '2026-06-02 09:05:00+00', NULL),   -- +20
    (10, 101.00, '2026-06-02 09:10:00+00', NULL),  -- +10
    (11, 97.00, '2026-06-03 09:00:00+00', NULL),   -- -30, no R
    (12, 99.00, '2026-06-03 09:01:00+00', NULL);   -- -10
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM closes ORDER BY ctid LOOP
        UPDATE catalyst.positions
           SET status = 'closed', exit_price = c.exit_price, closed_at = c.closed_at, exit_order_id = c.exit_order
         WHERE position_id = c.position_id;
    END LOOP;
END
$$;
SELECT position_id, realized_pnl, pnl_percent, max_loss, max_profit, round(catalyst.r_multiple(p), 4) AS r
FROM catalyst.positions p ORDER BY position_id;

-- day 1: pnl 30 20 10 0 -20 -10 40: n 7, 4 wins (sum 100), 2 losses (sum -30), 1 breakeven
--   expectancy 70 / 7 = 10.00; payoff (100/4) / (30/2) = 1.67
--   SQN: sum(pnl^2) = 3500, sample var = (3500 - 7 * 10^2) / 6 = 466.67, sqrt(7) * 10 / 21.602 = 1.22
--   Kelly: W = 4 / 6, W - (1 - W) / (5/3) = 0.6667 - 0.2 = 0.4667
--   streaks: + + + 0 - - +: 3 wins (10:00 to 10:01), 2 losses (10:01 to 10:02)
--   Sortino: returns 3 2 1 0 -2 -1 4, mean 1, downside sqrt((4 + 1) / 7) = 0.845: 1.18
--   MAE (-5 0 0 -8 -20 -10 -12) / 7 = -7.86; MFE (30 25 10 6 5 0 40) / 7 = 16.57
--   R (1.4 1 0.5 0 -1 -0.5 2) / 7 = 0.4857
-- day 2: pnl 10 20 10, only wins: payoff and Kelly NULL, no negative return: Sortino NULL;
--   expectancy 13.33; SQN sqrt(3) * 13.333 / 5.7735 = 4.00; MAE 0, MFE 13.33; R (0.2 0.4 0.2) / 3
-- day 3: pnl -30 -10, no win: payoff and Kelly NULL; expectancy -20; SQN -20 / 14.142 * sqrt(2)
--   = -2.00; Sortino -2 / sqrt((9 + 1) / 2) = -0.89; MAE -20; R: position 11 has none, so -0.5
--   over 1 trade
SELECT metric_date, total_trades, winning_trades, losing_trades, expectancy, payoff_ratio, sqn, kelly_fraction,
       longest_winning_streak, longest_losing_streak, sortino_ratio, average_mae, average_mfe, average_r, r_trades
FROM catalyst.performance_metrics WHERE cycle_id = 'ts' ORDER BY metric_date;
-- the streak state behind them: day 1 starts with 3 wins and ends with 1, day 2 is all wins
SELECT metric_date, first_streak_sign, first_streak, last_streak_sign, last_streak, mae_trades, mfe_trades
FROM catalyst.metrics_days WHERE cycle_id = 'ts' ORDER BY metric_date;
-- and each minute of day 1 (position 2's late close derived minute 600 anew)
SELECT slice, total_trades, longest_winning_streak, longest_losing_streak, first_streak_sign, first_streak,
       last_streak_sign, last_streak
FROM catalyst.metrics_slices WHERE cycle_id = 'ts' AND metric_date = '2026-06-01' ORDER BY slice;
SELECT pg_temp.drift() AS drift;

-- the three days: pnl 30 20 10 0 -20 -10 40 | 10 20 10 | -30 -10: n 12, 7 wins (140), 4 losses (-70)
--   expectancy 70 / 12 = 5.83; payoff 20 / 17.5 = 1.14; Kelly 7/11 - (4/11) / (8/7) = 0.3182
--   SQN 70 / sqrt((12 * 5100 - 70^2) / 11) = 0.98; Sortino 7 / sqrt(12 * 15) = 0.52
--   streaks: the 4 wins from day 1's last trade across midnight; 2 losses
--   MAE -95 / 12 = -7.92; MFE 156 / 12 = 13.00; R 3.7 / 11 = 0.3364 (position 11 left out)
SELECT total_trades, expectancy, payoff_ratio, sqn, kelly_fraction, longest_winning_streak, longest_losing_streak,
       sortino_ratio, average_mae, average_mfe, average_r, r_trades
FROM catalyst.performance('ts', '2026-06-01', '2026-06-03');
-- day 2 alone (only wins) and days 2..3 (the 3 wins, then the 2 losses)
SELECT total_trades, expectancy, payoff_ratio, sqn, kelly_fraction, longest_winning_streak, longest_losing_streak,
       sortino_ratio, average_mae, average_mfe, average_r, r_trades
FROM catalyst.performance('ts', '2026-06-02', '2026-06-02')
UNION ALL
SELECT total_trades, expectancy, payoff_ratio, sqn, kelly_fraction, longest_winning_streak, longest_losing_streak,
       sortino_ratio, average_mae, average_mfe, average_r, r_trades
FROM catalyst.performance('ts', '2026-06-02', '2026-06-03');
-- an empty range: no trade, every statistic NULL, streaks 0
SELECT total_trades, expectancy, payoff_ratio, sqn, kelly_fraction, longest_winning_streak, longest_losing_streak,
       sortino_ratio, average_mae, average_mfe, average_r, r_trades
FROM catalyst.performance('ts', '2026-07-01', '2026-07-31');

-- a close left pending (REPEATABLE READ) is merged by the read: a -20 on day 2 ends its streak
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                stop_loss, opened_at, status, exit_price, closed_at)
VALUES (13, 'ts', 'S', 'long', 10, 'e', 100.00, 90.00, '2026-06-02 08:00+00', 'closed', 98.00, '2026-06-02 09:20+00');
COMMIT;
SELECT count(*) AS pending FROM catalyst.metrics_pending WHERE cycle_id = 'ts';
-- day 2: pnl 10 20 10 -20: expectancy 5.00, payoff (40/3) / 20 = 0.67, Kelly 3/4 - (1/4) / (2/3) = 0.375,
-- streaks 3 and 1, R (0.2 0.4 0.2 -0.2) / 4 = 0.15
SELECT metric_date, total_trades, expectancy, payoff_ratio, kelly_fraction, longest_winning_streak,
       longest_losing_streak, average_r, r_trades
FROM catalyst.performance_metrics WHERE cycle_id = 'ts' AND metric_date = '2026-06-02';
-- the lifetime: the losses -20 | -30 -10 run from day 2 into day 3 (3); R (3.7 - 0.2) / 12 = 0.2917
SELECT total_trades, longest_winning_streak, longest_losing_streak, average_r, r_trades
FROM catalyst.performance('ts');
SELECT pg_temp.drift() AS drift;

DROP EXTENSION catalyst;
