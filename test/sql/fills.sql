-- Fills (issue 11, item 1): recorded once per (order_id, broker_fill_id), maintaining their
-- order; duplicates are told, conflicts and bad fills refused with their SQLSTATE, nothing
-- half-applied.
CREATE EXTENSION catalyst;
SET TIME ZONE 'UTC';
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('f-1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, submitted_at)
VALUES ('o-buy', 'f-1', 'AAPL', 'buy', 'limit', 100, 'submitted', '2026-03-02 14:30+00'),
       ('o-pending', 'f-1', 'AAPL', 'buy', 'limit', 10, 'pending', NULL),
       ('o-cancel', 'f-1', 'AAPL', 'buy', 'limit', 10, 'submitted', '2026-03-02 14:30+00'),
       ('o-reject', 'f-1', 'AAPL', 'buy', 'limit', 10, 'submitted', '2026-03-02 14:30+00');
UPDATE catalyst.orders SET status = 'cancelled' WHERE order_id = 'o-cancel';
UPDATE catalyst.orders SET status = 'rejected', reject_reason = 'no margin' WHERE order_id = 'o-reject';

\i test/include/try.sql
CREATE TEMP VIEW buy AS
SELECT status, executed_quantity, executed_value, executed_price, commission, filled_at,
       executed_value / executed_quantity AS exact_vwap
FROM catalyst.orders WHERE order_id = 'o-buy';

-- the first fill: new (true); the order is partial, its columns the fill's
SELECT catalyst.record_fill('o-buy', 'X-1', 30, 190.10, 0.30, '2026-03-02 14:31+00') AS new;
SELECT * FROM buy;
-- sent again, identical: told it is not new, nothing changes (commission and time of a re-send
-- are not compared: the first recording stands)
SELECT catalyst.record_fill('o-buy', 'X-1', 30, 190.10, 0.99, '2026-03-02 14:59+00') AS new;
SELECT * FROM buy;
-- plain INSERT ... ON CONFLICT DO NOTHING, and a plain INSERT: the same (INSERT 0 0 for a re-send)
INSERT INTO catalyst.fills (order_id, broker_fill_id, quantity, price, commission, filled_at)
VALUES ('o-buy', 'X-2', 50, 190.2345, 0.50, '2026-03-02 14:32+00') ON CONFLICT DO NOTHING;
INSERT INTO catalyst.fills (order_id, broker_fill_id, quantity, price, commission, filled_at)
VALUES ('o-buy', 'X-2', 50, 190.2345, 0.50, '2026-03-02 14:32+00') ON CONFLICT DO NOTHING;
INSERT INTO catalyst.fills (order_id, broker_fill_id, quantity, price, filled_at)
VALUES ('o-buy', 'X-2', 50, 190.2345, '2026-03-02 14:32+00');
-- the same fill twice in one statement is recorded once
INSERT INTO catalyst.fills (order_id, broker_fill_id, quantity, price, commission, filled_at)
VALUES ('o-buy', 'X-3', 5, 190.00, 0.05, '2026-03-02 14:33+00'),
       ('o-buy', 'X-3', 5, 190.00, 0.05, '2026-03-02 14:33+00');
-- the exact VWAP is executed_value / executed_quantity; executed_price is it to the cent
SELECT * FROM buy;

-- a different quantity or price under a recorded broker_fill_id is a conflict (23505), also
-- under ON CONFLICT DO NOTHING
SELECT catalyst.record_fill('o-buy', 'X-1', 31, 190.10, 0.30, '2026-03-02 14:31+00');
INSERT INTO catalyst.fills (order_id, broker_fill_id, quantity, price, filled_at)
VALUES ('o-buy', 'X-2', 50, 190.23, '2026-03-02 14:32+00') ON CONFLICT DO NOTHING;

-- bad fills, each refused with its SQLSTATE
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', 16, 190.00, 0, '2026-03-02 14:40+00')$$) AS overfill;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-cancel', 'X-9', 1, 190.00)$$) AS cancelled;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-reject', 'X-9', 1, 190.00)$$) AS rejected;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-pending', 'X-9', 1, 190.00)$$) AS pending;
SELECT pg_temp.try($$SELECT catalyst.record_fill('no-such-order', 'X-9', 1, 190.00)$$) AS unknown_order;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', 1, 190.00, 0, '2026-03-02 14:29+00')$$) AS before_submitted;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', NULL, 190.00)$$) AS null_quantity;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', 1, NULL)$$) AS null_price;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', NULL, 1, 190.00)$$) AS null_broker_fill_id;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', -1, 190.00)$$) AS negative_quantity;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', 0, 190.00)$$) AS zero_quantity;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', 1, -190.00)$$) AS negative_price;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', 1, 'NaN')$$) AS nan_price;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', 1, 190.00, -0.01)$$) AS negative_commission;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-9', 1, 190.00, NULL)$$) AS null_commission;
-- the overfill's message carries the numbers
SELECT catalyst.record_fill('o-buy', 'X-9', 16, 190.00, 0, '2026-03-02 14:40+00');
-- and the early fill's both times (it printed the fill's time twice: a shared buffer)
SELECT catalyst.record_fill('o-buy', 'X-9', 1, 190.00, 0, '2026-03-02 14:29+00');
-- none of them changed the order or recorded a fill
SELECT * FROM buy;
SELECT order_id, broker_fill_id, cycle_id, quantity, price, commission, filled_at FROM catalyst.fills ORDER BY fill_id;

-- the last 15 fill the order: status filled, filled_at the latest fill (not the last sent)
SELECT catalyst.record_fill('o-buy', 'X-4', 15, 190.40, 0.15, '2026-03-02 14:31:30+00') AS new;
SELECT * FROM buy;
-- a filled order takes no more (overfill)
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-buy', 'X-5', 1, 190.00)$$) AS after_filled;

-- the transitions the fills made are in order_events, with the fill that made them
SELECT order_id, from_status, to_status, changed_by = current_user AS by_me, reason
FROM catalyst.order_events WHERE order_id = 'o-buy' ORDER BY event_id;

-- fills are append-only; each is audited once, by the event of the order UPDATE it made, which
-- carries the fill (a re-send and a refused fill changed nothing and have none)
UPDATE catalyst.fills SET price = 1 WHERE broker_fill_id = 'X-1';
DELETE FROM catalyst.fills WHERE broker_fill_id = 'X-1';
TRUNCATE catalyst.fills;
SELECT entity_type, event_type, entity_id, cycle_id, details->'fill'->>'broker_fill_id' AS broker_fill_id,
       details->'fill'->>'quantity' AS quantity, details->'fill'->>'price' AS price,
       details->'old'->>'executed_quantity' AS executed_before, details->'new'->>'executed_quantity' AS executed_after,
       details->>'user' = current_user AS by_me
FROM catalyst.audit_log WHERE entity_type IN ('fills', 'orders') AND event_type <> 'INSERT' AND entity_id = 'o-buy'
ORDER BY log_id;
SELECT count(*) AS fill_events FROM catalyst.audit_log WHERE entity_type = 'fills';

-- a trader records fills through record_fill() or INSERT, for orders of active cycles only; a
-- reader may not
CREATE ROLE regress_fills_trader LOGIN IN ROLE catalyst_trader;
CREATE ROLE regress_fills_reader LOGIN IN ROLE catalyst_reader;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, status) VALUES ('f-stopped', 'normal', 300, 'stopped');
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status)
VALUES ('o-trader', 'f-1', 'AAPL', 'buy', 'limit', 10, 'submitted'),
       ('o-stopped', 'f-stopped', 'AAPL', 'buy', 'limit', 10, 'submitted');
SET SESSION AUTHORIZATION regress_fills_trader;
SELECT catalyst.record_fill('o-trader', 'T-1', 4, 10.00) AS new;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-stopped', 'T-1', 4, 10.00)$$) AS stopped_cycle;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_fills_reader;
SELECT pg_temp.try($$SELECT catalyst.record_fill('o-trader', 'T-2', 1, 10.00)$$) AS reader;
SELECT order_id, broker_fill_id FROM catalyst.fills ORDER BY fill_id;
RESET SESSION AUTHORIZATION;
SELECT status, executed_quantity FROM catalyst.orders WHERE order_id IN ('o-trader', 'o-stopped') ORDER BY order_id;

-- every object of the ledger says what it is for: the queries list those without a comment
SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.oid IN ('catalyst.fills'::regclass, 'catalyst.order_events'::regclass, 'catalyst.stop_changes'::regclass)
  AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL;
SELECT t.tgrelid::regclass, t.tgname FROM pg_trigger t
WHERE NOT t.tgisinternal AND obj_description(t.oid, 'pg_trigger') IS NULL
  AND (t.tgrelid IN ('catalyst.fills'::regclass, 'catalyst.order_events'::regclass, 'catalyst.stop_changes'::regclass)
       OR t.tgname IN ('order_lifecycle_before', 'order_lifecycle_after', 'position_excursion_before',
                       'position_stop_change_after', 'position_close_before'));
SELECT p.oid::regprocedure FROM pg_proc p
WHERE p.proname IN ('fill_record', 'record_fill', 'order_lifecycle_check', 'order_lifecycle_record',
                    'position_excursion', 'position_stop_change', 'ledger_append_only', 'r_multiple')
  AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT pol.polname FROM pg_policy pol
WHERE pol.polrelid IN ('catalyst.fills'::regclass, 'catalyst.order_events'::regclass, 'catalyst.stop_changes'::regclass)
  AND obj_description(pol.oid, 'pg_policy') IS NULL;

DROP VIEW buy;
DROP EXTENSION catalyst;
DROP ROLE regress_fills_trader, regress_fills_reader;
