-- Partial exits (issue 11, item 3): a position whose exit order fills in parts is 'partial' with
-- the exited quantity and its realized P&L so far, and closes when flat, with the P&L of every
-- exit fill at its own price; it counts in the metrics on the day it goes flat.  Today's
-- one-statement close keeps working, also for the rest of a partial position.
CREATE EXTENSION catalyst;
SET TIME ZONE 'UTC';
-- (catalyst.trading_timezone: the default, UTC)
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('p-1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                             submitted_at, executed_price, executed_quantity, commission)
VALUES ('in-long', 'p-1', 'AAPL', 'buy', 'market', 100, 'filled', '2026-03-02 14:00+00', 100.00, 100, 1.00),
       ('in-short', 'p-1', 'TSLA', 'sell', 'market', 10, 'filled', '2026-03-02 14:00+00', 200.00, 10, 1.00),
       ('in-hand', 'p-1', 'NVDA', 'buy', 'market', 10, 'filled', '2026-03-02 14:00+00', 50.00, 10, 1.00);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, submitted_at)
VALUES ('out-long', 'p-1', 'AAPL', 'sell', 'limit', 100, 'submitted', '2026-03-02 15:00+00'),
       ('out-short', 'p-1', 'TSLA', 'buy', 'limit', 10, 'submitted', '2026-03-02 15:00+00'),
       ('out-hand', 'p-1', 'NVDA', 'sell', 'limit', 10, 'submitted', '2026-03-02 15:00+00');
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, exit_order_id,
                                entry_price, stop_loss, opened_at)
VALUES (1, 'p-1', 'AAPL', 'long', 100, 'in-long', 'out-long', 100.00, 98.00, '2026-03-02 14:00+00'),
       (2, 'p-1', 'TSLA', 'short', 10, 'in-short', 'out-short', 200.00, 210.00, '2026-03-02 14:00+00'),
       (3, 'p-1', 'NVDA', 'long', 10, 'in-hand', 'out-hand', 50.00, NULL, '2026-03-02 14:00+00');
CREATE TEMP VIEW pos AS
SELECT position_id, status, exited_quantity, exit_value, exit_price, closed_at, realized_pnl, pnl_percent
FROM catalyst.positions ORDER BY position_id;

-- the long exits in three fills over two days: partial, with the exited part's P&L so far ...
SELECT catalyst.record_fill('out-long', 'L-1', 30, 101.10, 0.30, '2026-03-02 15:01+00');
SELECT * FROM pos WHERE position_id = 1;
SELECT catalyst.record_fill('out-long', 'L-2', 50, 101.2345, 0.50, '2026-03-02 15:02+00');
SELECT * FROM pos WHERE position_id = 1;
-- ... not a trade of the metrics yet
SELECT count(*) AS metrics_rows FROM catalyst.performance_metrics;
-- ... and flat with the last: closed at the last fill's time, exit_price its exit VWAP to the
-- cent, realized_pnl exactly sum(quantity x (price - entry)) over the fills, rounded once
SELECT catalyst.record_fill('out-long', 'L-3', 20, 99.00, 0.20, '2026-03-03 15:03+00');
SELECT * FROM pos WHERE position_id = 1;
SELECT sum(quantity * (price - 100.00)) AS exact_pnl FROM catalyst.fills WHERE order_id = 'out-long';
-- the trade counts on the day it went flat, with all its realized P&L and both orders' commissions
SELECT metric_date, total_trades, gross_pnl, commissions, net_pnl FROM catalyst.performance_metrics ORDER BY 1;

-- a short: the P&L's sign is the side's
SELECT catalyst.record_fill('out-short', 'S-1', 4, 195.00, 0, '2026-03-03 15:10+00');
SELECT * FROM pos WHERE position_id = 2;
SELECT catalyst.record_fill('out-short', 'S-2', 6, 205.00, 0, '2026-03-03 15:11+00');
SELECT * FROM pos WHERE position_id = 2;

-- part by fills, the rest by today's one-statement close at exit_price
SELECT catalyst.record_fill('out-hand', 'H-1', 4, 55.00, 0, '2026-03-03 15:20+00');
UPDATE catalyst.positions SET status = 'closed', exit_price = 60.00, closed_at = '2026-03-03 15:30+00',
       close_reason = 'manual' WHERE position_id = 3;
SELECT * FROM pos WHERE position_id = 3;

-- the metrics count each trade once, on the day it went flat, as the closed positions say
SELECT metric_date, total_trades, winning_trades, losing_trades, gross_pnl, commissions, net_pnl
FROM catalyst.performance_metrics ORDER BY 1;
SELECT catalyst.trading_date(closed_at) AS day, count(*) AS trades, sum(realized_pnl) AS gross
FROM catalyst.positions WHERE status = 'closed' GROUP BY 1 ORDER BY 1;

-- an exit fill beyond the position's quantity is refused (the exit order was larger), nothing kept
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                             submitted_at, executed_price, executed_quantity)
VALUES ('in-small', 'p-1', 'AMD', 'buy', 'market', 5, 'filled', '2026-03-02 14:00+00', 10.00, 5);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, submitted_at)
VALUES ('out-big', 'p-1', 'AMD', 'sell', 'limit', 10, 'submitted', '2026-03-02 15:00+00');
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, exit_order_id,
                                entry_price, opened_at)
VALUES (4, 'p-1', 'AMD', 'long', 5, 'in-small', 'out-big', 10.00, '2026-03-02 14:00+00');
\set VERBOSITY terse
SELECT catalyst.record_fill('out-big', 'B-1', 6, 11.00, 0, '2026-03-03 15:40+00');
\set VERBOSITY default
SELECT status, executed_quantity FROM catalyst.orders WHERE order_id = 'out-big';
SELECT * FROM pos WHERE position_id = 4;

DROP VIEW pos;
DROP EXTENSION catalyst;
