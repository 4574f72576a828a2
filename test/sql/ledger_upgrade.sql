-- The ledger on a database updated from 4.1 (issue 11): rows written under 4.1 keep working.
-- Positions from before 4.2 have NULL exited_quantity, exit_value and initial_stop_loss (the
-- update adds the columns without rewriting the table); fills and stops treat them as 0 and
-- "unknown".
SET TIME ZONE 'UTC';
CREATE EXTENSION catalyst VERSION '4.1';
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('u-1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                             submitted_at, executed_price, executed_quantity, commission)
VALUES ('in-1', 'u-1', 'AAPL', 'buy', 'market', 10, 'filled', '2026-03-02 14:00+00', 100.00, 10, 1.00),
       ('in-2', 'u-1', 'TSLA', 'buy', 'market', 10, 'filled', '2026-03-02 14:00+00', 200.00, 10, 1.00),
       ('out-1', 'u-1', 'AAPL', 'sell', 'limit', 10, 'submitted', '2026-03-02 15:00+00', NULL, NULL, NULL),
       ('odd', 'u-1', 'AAPL', 'sell', 'limit', 10, 'partial', NULL, 100.00, 3, NULL);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, exit_order_id,
                                entry_price, stop_loss, opened_at, unrealized_pnl)
VALUES (1, 'u-1', 'AAPL', 'long', 10, 'in-1', 'out-1', 100.00, 95.00, '2026-03-02 14:00+00', -20),
       (2, 'u-1', 'TSLA', 'long', 10, 'in-2', NULL, 200.00, 190.00, '2026-03-02 14:00+00', NULL);
UPDATE catalyst.positions SET status = 'closed', exit_price = 210.00, closed_at = '2026-03-02 16:00+00'
 WHERE position_id = 2;

ALTER EXTENSION catalyst UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'catalyst';
SELECT position_id, status, exited_quantity, exit_value, initial_stop_loss, max_profit, max_loss
FROM catalyst.positions ORDER BY 1;

-- an order written under 4.1 in any state stays as it is; its next transition is checked
SELECT order_id, status FROM catalyst.orders ORDER BY 1;
UPDATE catalyst.orders SET status = 'cancelled' WHERE order_id = 'odd';
SELECT from_status, to_status FROM catalyst.order_events WHERE order_id = 'odd';

-- a 4.1 position exits through fills of its 4.1 exit order
SELECT catalyst.record_fill('out-1', 'E-1', 4, 101.00, 0.10, '2026-03-02 15:30+00') AS new;
SELECT position_id, status, exited_quantity, exit_value, realized_pnl FROM catalyst.positions WHERE position_id = 1;
-- its first stop change under 4.2: the stop it had is its initial stop
UPDATE catalyst.positions SET stop_loss = 97.00, unrealized_pnl = 10 WHERE position_id = 1;
SELECT position_id, stop_loss, initial_stop_loss, max_profit, max_loss FROM catalyst.positions WHERE position_id = 1;
SELECT position_id, old_stop_loss, new_stop_loss FROM catalyst.stop_changes;
SELECT catalyst.record_fill('out-1', 'E-2', 6, 102.00, 0.10, '2026-03-02 15:40+00') AS new;
SELECT position_id, status, exit_price, realized_pnl, round(catalyst.r_multiple(p), 4) AS r
FROM catalyst.positions p ORDER BY 1;

-- a fresh install and this updated database have the same ledger columns
SELECT attrelid::regclass, attname, format_type(atttypid, atttypmod) AS type
FROM pg_attribute
WHERE attrelid IN ('catalyst.positions'::regclass, 'catalyst.orders'::regclass) AND attnum > 0
  AND attname IN ('executed_value', 'exited_quantity', 'exit_value', 'initial_stop_loss')
ORDER BY 1, 2;
DROP EXTENSION catalyst;
