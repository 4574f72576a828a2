-- MAE/MFE, the initial stop and its changes, the R-multiple (issue 11, item 4).
CREATE EXTENSION catalyst;
SET TIME ZONE 'UTC';
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('x-1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                             executed_price, executed_quantity, commission)
VALUES ('in-1', 'x-1', 'AAPL', 'buy', 'market', 100, 'filled', 100.00, 100, 1.00),
       ('out-1', 'x-1', 'AAPL', 'sell', 'market', 100, 'filled', 103.00, 100, 1.00),
       ('in-2', 'x-1', 'TSLA', 'sell', 'market', 10, 'filled', 200.00, 10, 0.50),
       ('in-3', 'x-1', 'NVDA', 'buy', 'market', 10, 'filled', 50.00, 10, 0);
\i test/include/try.sql
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                stop_loss, opened_at)
VALUES (1, 'x-1', 'AAPL', 'long', 100, 'in-1', 100.00, 98.00, '2026-03-02 14:00+00'),
       (2, 'x-1', 'TSLA', 'short', 10, 'in-2', 200.00, 210.00, '2026-03-02 14:00+00'),
       (3, 'x-1', 'NVDA', 'long', 10, 'in-3', 50.00, NULL, '2026-03-02 14:00+00');
CREATE TEMP VIEW exc AS
SELECT position_id, status, unrealized_pnl, max_profit, max_loss, stop_loss, initial_stop_loss, realized_pnl
FROM catalyst.positions ORDER BY position_id;
-- no mark yet: no excursion
SELECT * FROM exc;

-- every unrealized_pnl written moves the excursions: the highest (>= 0) and the lowest (<= 0)
UPDATE catalyst.positions SET unrealized_pnl = 150 WHERE position_id = 1;
UPDATE catalyst.positions SET unrealized_pnl = -120 WHERE position_id = 1;
UPDATE catalyst.positions SET unrealized_pnl = 80 WHERE position_id = 1;
UPDATE catalyst.positions SET unrealized_pnl = -30 WHERE position_id = 2;
UPDATE catalyst.positions SET unrealized_pnl = -10 WHERE position_id = 2;
UPDATE catalyst.positions SET unrealized_pnl = 5 WHERE position_id = 3;
SELECT * FROM exc;
-- a hand-written excursion never shrinks them
UPDATE catalyst.positions SET max_profit = 1, max_loss = 0 WHERE position_id = 1;
SELECT position_id, max_profit, max_loss FROM exc WHERE position_id = 1;

-- the stop moves: each change logged, the initial stop kept
UPDATE catalyst.positions SET stop_loss = 99.00 WHERE position_id = 1;
UPDATE catalyst.positions SET stop_loss = 101.00 WHERE position_id = 1;
UPDATE catalyst.positions SET stop_loss = 101.00, unrealized_pnl = 90 WHERE position_id = 1;
UPDATE catalyst.positions SET stop_loss = 48.00 WHERE position_id = 3;
SELECT position_id, old_stop_loss, new_stop_loss, changed_by = current_user AS by_me
FROM catalyst.stop_changes ORDER BY change_id;
SELECT position_id, stop_loss, initial_stop_loss FROM exc;
SELECT pg_temp.try($$UPDATE catalyst.positions SET initial_stop_loss = 97.00 WHERE position_id = 1$$) AS initial_changed;

-- the close is the last mark (Lean counts the exit fill's price): position 1 closes above its
-- best mark, position 2 (short) below its worst
UPDATE catalyst.positions SET status = 'closed', exit_order_id = 'out-1', exit_price = 103.00,
       closed_at = '2026-03-02 16:00+00' WHERE position_id = 1;
UPDATE catalyst.positions SET status = 'closed', exit_price = 204.00, closed_at = '2026-03-02 16:00+00'
 WHERE position_id = 2;
SELECT * FROM exc;

-- closed: the excursions are final (55000), nothing changed
SELECT pg_temp.try($$UPDATE catalyst.positions SET unrealized_pnl = 500 WHERE position_id = 1$$) AS mark_closed;
SELECT pg_temp.try($$UPDATE catalyst.positions SET max_profit = 500 WHERE position_id = 1$$) AS mfe_closed;
SELECT pg_temp.try($$UPDATE catalyst.positions SET max_loss = -500 WHERE position_id = 2$$) AS mae_closed;
UPDATE catalyst.positions SET unrealized_pnl = 500 WHERE position_id IN (1, 3);
SELECT * FROM exc;
-- writing the same values, or other columns of a closed position, is not a change of them
UPDATE catalyst.positions SET unrealized_pnl = unrealized_pnl, close_reason = 'target' WHERE position_id = 1;

-- the R-multiple of a closed trade: net P&L / (|entry - initial stop| x quantity); NULL while open
-- or without an initial stop
--   1: (300.00 - 1.00 - 1.00) / (|100 - 98| x 100) = 1.49
--   2: (-40.00 - 0.50) / (|200 - 210| x 10) = -0.405
SELECT position_id, status, realized_pnl, initial_stop_loss, round(catalyst.r_multiple(p), 4) AS r
FROM catalyst.positions p ORDER BY position_id;
UPDATE catalyst.positions SET status = 'closed', exit_price = 51.00, closed_at = '2026-03-02 16:00+00' WHERE position_id = 3;
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                status, exit_price, opened_at, closed_at)
VALUES (4, 'x-1', 'AAPL', 'long', 1, 'in-1', 100.00, 'closed', 101.00, '2026-03-02 14:00+00', '2026-03-02 15:00+00');
SELECT position_id, round(catalyst.r_multiple(p), 4) AS r FROM catalyst.positions p WHERE position_id IN (3, 4) ORDER BY 1;

-- stop_changes is append-only; each change is audited once, by the positions UPDATE that made
-- it; a trader reads it and cannot write it
UPDATE catalyst.stop_changes SET new_stop_loss = 1;
DELETE FROM catalyst.stop_changes;
SELECT count(*) AS changes,
       count(*) FILTER (WHERE EXISTS (
           SELECT FROM catalyst.audit_log a
           WHERE a.entity_type = 'positions' AND a.event_type = 'UPDATE' AND a.entity_id = s.position_id::text
             AND (a.details->'old'->>'stop_loss')::numeric = s.old_stop_loss
             AND (a.details->'new'->>'stop_loss')::numeric = s.new_stop_loss)) AS audited_by_the_positions_update,
       (SELECT count(*) FROM catalyst.audit_log WHERE entity_type = 'stop_changes') AS stop_changes_audited
FROM catalyst.stop_changes s WHERE s.old_stop_loss IS NOT NULL;
CREATE ROLE regress_excursion_trader LOGIN IN ROLE catalyst_trader;
SET SESSION AUTHORIZATION regress_excursion_trader;
SELECT count(*) AS stop_changes_read FROM catalyst.stop_changes;
SELECT pg_temp.try($$INSERT INTO catalyst.stop_changes (position_id, cycle_id, changed_by) VALUES (1, 'x-1', 'x')$$) AS trader_writes;
RESET SESSION AUTHORIZATION;

DROP VIEW exc;
DROP EXTENSION catalyst;
DROP ROLE regress_excursion_trader;
