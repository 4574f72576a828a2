-- The views: v_active_trading (open positions of active cycles with their symbol's latest scan and
-- latest active signal) and v_daily_performance (closed trades per trading date, in
-- catalyst.trading_timezone, over the last 30 trading days).
CREATE EXTENSION catalyst;
SELECT format('ALTER DATABASE %I SET catalyst.trading_timezone = %L', current_database(), 'America/New_York') \gexec
\c
SET TimeZone = 'Asia/Tokyo';  -- the session's zone plays no part

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, status)
VALUES ('c-act', 'normal', 300, 'active'), ('c-stop', 'normal', 300, 'stopped');
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
SELECT 'o' || i, 'c-act', 'X', 'buy', 'market', 1, NULL FROM generate_series(1, 12) i;

-- open positions: two of the active cycle, one of the stopped cycle; a closed one
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                unrealized_pnl, risk_score)
VALUES (1, 'c-act', 'AAPL', 'long', 10, 'o1', 100.00, -50.00, 0.50),
       (2, 'c-act', 'TSLA', 'short', 5, 'o2', 200.00, 12.50, 0.30),
       (3, 'c-stop', 'NVDA', 'long', 1, 'o3', 400.00, 0, 0.30);
-- AAPL: an older and a newer scan, an older and a newer active signal, and a newest inactive one
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume,
                                   momentum_score, catalyst_score, pattern_score, technical_score, catalysts)
VALUES ('old', 'c-act', 'AAPL', now() - interval '2 hours', 99, 1, 40, 40, 40, 40, '["old"]'),
       ('new', 'c-act', 'AAPL', now() - interval '1 hour', 100, 1, 60, 60, 60, 60, '["earnings"]'),
       ('nvda', 'c-stop', 'NVDA', now(), 400, 1, 90, 90, 90, 90, '[]');
INSERT INTO catalyst.trading_signals (cycle_id, symbol, signal_type, confidence, source, active, created_at)
VALUES ('c-act', 'AAPL', 'breakout', 0.50, 't', true, now() - interval '3 hours'),
       ('c-act', 'AAPL', 'momentum', 0.80, 't', true, now() - interval '2 hours'),
       ('c-act', 'AAPL', 'fade', 0.90, 't', false, now() - interval '1 hour');

SELECT * FROM catalyst.v_active_trading ORDER BY symbol;

-- closed trades: two days ago in New York, one at 01:00 and one at 23:30 (already the next day
-- in UTC and in Tokyo); one today; one 40 days ago, outside the window
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES (10, 'c-act', 'AAPL', 'long', 10, 'o10', 100.00,
        catalyst.trading_day_start(catalyst.trading_date(now()) - 2) + interval '1 hour' - interval '2 hours'),
       (11, 'c-act', 'TSLA', 'short', 10, 'o11', 50.00,
        catalyst.trading_day_start(catalyst.trading_date(now()) - 2) + interval '23 hours 30 minutes' - interval '4 hours'),
       (12, 'c-act', 'AAPL', 'long', 1, 'o12', 10.00,
        catalyst.trading_day_start(catalyst.trading_date(now())) - interval '1 hour');
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES (13, 'c-act', 'AAPL', 'long', 1, 'o4', 10.00, now() - interval '41 days');
UPDATE catalyst.positions SET status = 'closed', exit_price = 103.00,   -- long +30
       closed_at = catalyst.trading_day_start(catalyst.trading_date(now()) - 2) + interval '1 hour'
 WHERE position_id = 10;
UPDATE catalyst.positions SET status = 'closed', exit_price = 52.00,    -- short -20
       closed_at = catalyst.trading_day_start(catalyst.trading_date(now()) - 2) + interval '23 hours 30 minutes'
 WHERE position_id = 11;
UPDATE catalyst.positions SET status = 'closed', exit_price = 10.00,    -- breakeven
       closed_at = catalyst.trading_day_start(catalyst.trading_date(now())) + interval '1 minute'
 WHERE position_id = 12;
UPDATE catalyst.positions SET status = 'closed', exit_price = 20.00,    -- +10, too old
       closed_at = now() - interval '40 days'
 WHERE position_id = 13;

-- two days ago: 2 trades, 1 win (+30), 1 loss (short, -20), total +10, hold 2 h and 4 h (avg 3 h);
-- today: the breakeven, hold 1 h 1 min; 40 days ago: not shown
SELECT trading_date - catalyst.trading_date(now()) AS days_ago, total_trades, winning_trades, losing_trades,
       total_pnl, avg_pnl, best_trade, worst_trade, avg_hold_hours
FROM catalyst.v_daily_performance;

-- closed positions leave v_active_trading; a cycle that stops takes its positions with it
UPDATE catalyst.trading_cycles SET status = 'stopped' WHERE cycle_id = 'c-act';
SELECT count(*) AS active_positions_after_stop FROM catalyst.v_active_trading;

RESET TimeZone;
SELECT format('ALTER DATABASE %I RESET catalyst.trading_timezone', current_database()) \gexec
\c
DROP EXTENSION catalyst;
