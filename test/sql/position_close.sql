-- Closing a position: realized P&L with the side's sign, pnl_percent, hold_duration, the audit
-- event, corrections, reopening, clear errors.  (The metrics roll-up: performance_metrics.sql.)
CREATE EXTENSION catalyst;

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('in-l', 'c1', 'AAPL', 'buy', 'market', 100, 1.00),
       ('in-s', 'c1', 'TSLA', 'sell', 'market', 10, 1.00),
       ('out-l', 'c1', 'AAPL', 'sell', 'market', 100, 1.00),
       ('out-s', 'c1', 'TSLA', 'buy', 'market', 10, 1.00);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES ('c1', 'AAPL', 'long', 100, 'in-l', 50.00, '2026-03-02 09:00+00'),
       ('c1', 'TSLA', 'short', 10, 'in-s', 200.00, '2026-03-02 09:30+00');

-- long: (exit - entry) * qty = (52.50 - 50.00) * 100 = 250.00, 250 / 5000 = 5.00 %
-- short: (entry - exit) * qty = (200.00 - 210.00) * 10 = -100.00 (the seed booked +100.00), -5.00 %
UPDATE catalyst.positions
   SET status = 'closed', exit_price = 52.50, closed_at = '2026-03-02 10:15+00',
       exit_order_id = 'out-l', close_reason = 'take_profit'
 WHERE position_id = 1;
UPDATE catalyst.positions
   SET status = 'closed', exit_price = 210.00, closed_at = '2026-03-02 11:00+00',
       exit_order_id = 'out-s', close_reason = 'stop_loss'
 WHERE position_id = 2;
SELECT position_id, side, realized_pnl, pnl_percent, hold_duration
FROM catalyst.positions ORDER BY position_id;
-- a close is audited once: its position_closed event is also the UPDATE's row audit event (no
-- UPDATE event of its own), with the changed columns, old and new, and the role
SELECT entity_type, event_type, count(*) AS events
FROM catalyst.audit_log WHERE entity_id IN ('1', '2') GROUP BY 1, 2 ORDER BY 1, 2;
SELECT a.entity_id, c.key AS changed_column, c.value AS old, a.details->'new'->c.key AS new
FROM catalyst.audit_log a, jsonb_each(a.details->'old') c
WHERE a.event_type = 'position_closed' ORDER BY a.entity_id, c.key;
SELECT entity_id, details->>'user' = current_user AS by_current_user,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(details->'new') k)
       = (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(details->'old') k) AS same_columns
FROM catalyst.audit_log WHERE event_type = 'position_closed' ORDER BY entity_id;

-- a short that wins: entry 200.00, exit 190.00, 10 shares: +100.00, +5.00 %
UPDATE catalyst.positions SET exit_price = 190.00 WHERE position_id = 2;
SELECT position_id, realized_pnl, pnl_percent FROM catalyst.positions WHERE position_id = 2;

-- one audit event per close, with symbol, side, pnl and close_reason; corrections add none
SELECT cycle_id, event_type, event_category, entity_type, entity_id,
       details - '{old,new,user}'::text[] AS trade
FROM catalyst.audit_log WHERE event_type = 'position_closed' ORDER BY entity_id;

-- every input of the P&L is recomputed when it changes on a closed position
UPDATE catalyst.positions SET quantity = 200 WHERE position_id = 1;      -- 2.50 * 200 = 500.00, 5.00 %
SELECT realized_pnl, pnl_percent FROM catalyst.positions WHERE position_id = 1;
UPDATE catalyst.positions SET entry_price = 52.00 WHERE position_id = 1; -- 0.50 * 200 = 100.00, 100/10400 = 0.96 %
SELECT realized_pnl, pnl_percent FROM catalyst.positions WHERE position_id = 1;
UPDATE catalyst.positions SET side = 'short' WHERE position_id = 1;     -- -100.00, -0.96 %
SELECT realized_pnl, pnl_percent FROM catalyst.positions WHERE position_id = 1;
UPDATE catalyst.positions SET closed_at = '2026-03-03 09:00+00' WHERE position_id = 1;
SELECT hold_duration FROM catalyst.positions WHERE position_id = 1;
-- a hand-written realized_pnl on a closed position is replaced by the derived one
UPDATE catalyst.positions SET realized_pnl = 1, pnl_percent = 1 WHERE position_id = 1;
SELECT realized_pnl, pnl_percent FROM catalyst.positions WHERE position_id = 1;

-- reopened: the realized P&L, the percentage and the hold duration are cleared
UPDATE catalyst.positions SET status = 'open' WHERE position_id = 1;
SELECT status, realized_pnl, pnl_percent, hold_duration FROM catalyst.positions WHERE position_id = 1;
-- an open position's realized_pnl is left to its writer
UPDATE catalyst.positions SET realized_pnl = 12.34 WHERE position_id = 1;
SELECT realized_pnl FROM catalyst.positions WHERE position_id = 1;

-- a position inserted already closed is derived, audited and rolled up like one closed later
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at, close_reason)
VALUES ('c1', 'AAPL', 'long', 10, 'in-l', 10.00, '2026-03-02 12:00+00', 'closed', 9.00, '2026-03-02 12:01+00', 'manual');
SELECT position_id, realized_pnl, pnl_percent, hold_duration FROM catalyst.positions WHERE position_id = 3;
SELECT entity_id, details FROM catalyst.audit_log WHERE entity_id = '3' AND event_type = 'position_closed';

-- rounding: 1 share bought at 3.00 and sold at 4.00 is +33.33 %; 7 at 0.03 sold at 0.01 is -66.67 %
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
VALUES ('c1', 'X', 'long', 1, 'in-l', 3.00, '2026-03-02 12:00+00', 'closed', 4.00, '2026-03-02 12:00+00'),
       ('c1', 'Y', 'long', 7, 'in-l', 0.03, '2026-03-02 12:00+00', 'closed', 0.01, '2026-03-02 12:00+00');
SELECT symbol, realized_pnl, pnl_percent, hold_duration FROM catalyst.positions WHERE symbol IN ('X', 'Y') ORDER BY symbol;

-- extreme prices do not overflow: (99999999.99 - 0.01) * 2147483647 fits realized_pnl
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
VALUES ('c1', 'BIG', 'long', 2147483647, 'in-l', 0.01, '2026-03-04 12:00+00', 'closed', 99999999.99, '2026-03-04 13:00+00');
SELECT realized_pnl, pnl_percent FROM catalyst.positions WHERE symbol = 'BIG';

-- clear errors: closing without exit_price or closed_at, or at an infinite time
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES ('c1', 'AMD', 'long', 10, 'in-l', 100.00, '2026-03-02 09:00+00');
\set VERBOSITY default
UPDATE catalyst.positions SET status = 'closed', closed_at = '2026-03-02 13:00+00' WHERE symbol = 'AMD';
UPDATE catalyst.positions SET status = 'closed', exit_price = 101.00 WHERE symbol = 'AMD';
UPDATE catalyst.positions SET status = 'closed', exit_price = 101.00, closed_at = 'infinity' WHERE symbol = 'AMD';
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, status, closed_at)
VALUES ('c1', 'AMD', 'long', 10, 'in-l', 100.00, 'closed', '2026-03-02 13:00+00');
\set VERBOSITY terse
-- a close that also sets a price or quantity the table's CHECK constraints refuse gets the
-- constraint's error, not a division by zero from the trigger
UPDATE catalyst.positions SET status = 'closed', exit_price = 101.00, closed_at = '2026-03-02 13:00+00',
       entry_price = 0 WHERE symbol = 'AMD';
UPDATE catalyst.positions SET status = 'closed', exit_price = 101.00, closed_at = '2026-03-02 13:00+00',
       quantity = 0 WHERE symbol = 'AMD';
-- and nothing changed
SELECT status, exit_price, closed_at, realized_pnl FROM catalyst.positions WHERE symbol = 'AMD';
-- a reopened position keeps its exit_price and closed_at: closing it again needs neither
UPDATE catalyst.positions SET status = 'closed' WHERE position_id = 1;
SELECT status, realized_pnl, pnl_percent, hold_duration FROM catalyst.positions WHERE position_id = 1;

-- unknown ids close nothing, and NULLs are not a close
UPDATE catalyst.positions SET status = 'closed', exit_price = 1, closed_at = '2026-03-02' WHERE position_id = 999;
UPDATE catalyst.positions SET status = 'closed', exit_price = 1, closed_at = '2026-03-02' WHERE position_id = NULL;
SELECT count(*) AS close_events FROM catalyst.audit_log WHERE event_type = 'position_closed';

-- after all these closes, corrections and reopenings, every metrics row equals the full recompute
\i test/include/metrics_drift.sql
SELECT count(*) AS metric_days, pg_temp.drift() AS drift FROM catalyst.performance_metrics;

-- a column the triggers read, retyped by hand, is a clear error, not a misread value
BEGIN;
SET LOCAL catalyst.fold_batch = 1;
ALTER TABLE catalyst.metrics_days ALTER COLUMN trough_pnl TYPE float8;
UPDATE catalyst.positions SET status = 'closed', exit_price = 101.00, closed_at = '2026-03-02 13:00+00'
 WHERE symbol = 'AMD';
ROLLBACK;

-- the trigger functions refuse to be misused
SELECT catalyst.position_close_derive();
CREATE TABLE public.not_positions (status text);
CREATE TRIGGER wrong AFTER INSERT ON public.not_positions
    FOR EACH STATEMENT EXECUTE FUNCTION catalyst.position_close_roll_up();
INSERT INTO public.not_positions VALUES ('closed');
DROP TABLE public.not_positions;

DROP EXTENSION catalyst;
