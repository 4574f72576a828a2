-- The order life cycle (issue 11, item 2): what an INSERT may start in, the allowed transitions,
-- each one in the append-only order_events; anything else refused naming both states (55000).
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('l-1', 'normal', 300);
\i test/include/try.sql
CREATE FUNCTION pg_temp.new_order(id text, status text DEFAULT 'pending') RETURNS void LANGUAGE sql AS $$
    INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status)
    VALUES (id, 'l-1', 'AAPL', 'buy', 'limit', 10, status)
$$;

-- an INSERT starts in pending or submitted (submitted_at stamped when not given) ...
SELECT pg_temp.new_order('o-pending');
SELECT pg_temp.new_order('o-submitted', 'submitted');
SELECT order_id, status, submitted_at IS NOT NULL AS submitted_at_set FROM catalyst.orders ORDER BY order_id;
-- ... or, the seed's way, filled with its executed columns; nothing else
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                             executed_price, executed_quantity, commission)
VALUES ('o-seed', 'l-1', 'AAPL', 'buy', 'market', 10, 'filled', 190.00, 10, 1.00);
SELECT pg_temp.try($$SELECT pg_temp.new_order('o-x', 'filled')$$) AS filled_without_execution;
SELECT pg_temp.try($$INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                                                   executed_price, executed_quantity)
                     VALUES ('o-x', 'l-1', 'AAPL', 'buy', 'market', 10, 'filled', 190.00, 9)$$) AS filled_short;
SELECT pg_temp.try($$SELECT pg_temp.new_order('o-x', 'partial')$$) AS insert_partial;
SELECT pg_temp.try($$SELECT pg_temp.new_order('o-x', 'cancelled')$$) AS insert_cancelled;
SELECT pg_temp.try($$SELECT pg_temp.new_order('o-x', 'rejected')$$) AS insert_rejected;
-- a status that is none of the six is the CHECK constraint's
SELECT pg_temp.try($$SELECT pg_temp.new_order('o-x', 'lost')$$) AS insert_unknown;

-- every transition, allowed or not: the matrix of what an UPDATE of status does from each state
CREATE TEMP TABLE matrix (from_status text, to_status text, outcome text);
DO $$
DECLARE
    f text;
    t text;
    n int := 0;
    id text;
BEGIN
    FOREACH f IN ARRAY ARRAY['pending', 'submitted', 'partial', 'filled', 'cancelled', 'rejected'] LOOP
        FOREACH t IN ARRAY ARRAY['pending', 'submitted', 'partial', 'filled', 'cancelled', 'rejected'] LOOP
            CONTINUE WHEN f = t;
            n := n + 1;
            id := 'm-' || n;
            -- reach f the legal way
            PERFORM pg_temp.new_order(id, CASE WHEN f = 'pending' THEN 'pending' ELSE 'submitted' END);
            IF f = 'partial' THEN
                UPDATE catalyst.orders SET status = 'partial', executed_quantity = 4, executed_price = 1 WHERE order_id = id;
            ELSIF f IN ('filled', 'cancelled', 'rejected') THEN
                UPDATE catalyst.orders SET status = f, executed_quantity = 10, executed_price = 1 WHERE order_id = id;
            END IF;
            -- the execution the target needs, so that only the transition itself is judged
            INSERT INTO matrix VALUES (f, t, pg_temp.try(format(
                'UPDATE catalyst.orders SET status = %L, executed_quantity = %s, executed_price = 1 WHERE order_id = %L',
                t, CASE WHEN t = 'partial' THEN 4 ELSE 10 END, id)));
        END LOOP;
    END LOOP;
END
$$;
SELECT from_status, to_status, outcome FROM matrix ORDER BY from_status, to_status;

-- the executed quantity a status needs
SELECT pg_temp.try($$UPDATE catalyst.orders SET status = 'filled' WHERE order_id = 'o-submitted'$$) AS filled_without_execution;
SELECT pg_temp.try($$UPDATE catalyst.orders SET status = 'partial' WHERE order_id = 'o-submitted'$$) AS partial_without_execution;
SELECT pg_temp.try($$UPDATE catalyst.orders SET status = 'partial', executed_quantity = 10 WHERE order_id = 'o-submitted'$$) AS partial_all_executed;
-- the error in full: both states named
UPDATE catalyst.orders SET status = 'pending' WHERE order_id = 'o-seed';
-- nothing half-applied: a multi-row UPDATE with one illegal transition changes no row
UPDATE catalyst.orders SET status = 'cancelled' WHERE order_id IN ('o-pending', 'o-seed');
SELECT order_id, status FROM catalyst.orders WHERE order_id IN ('o-pending', 'o-seed') ORDER BY 1;

-- the events: insert and each transition, with from, to, who and why; readable with the order
UPDATE catalyst.orders SET status = 'rejected', reject_reason = 'insufficient buying power' WHERE order_id = 'o-pending';
SELECT o.order_id, o.status, e.from_status, e.to_status, e.changed_by = current_user AS by_me,
       e.occurred_at <= now() AS at_set, e.reason
FROM catalyst.orders o JOIN catalyst.order_events e USING (order_id)
WHERE o.order_id IN ('o-pending', 'o-submitted', 'o-seed', 'm-7') ORDER BY o.order_id, e.event_id;
-- an UPDATE that leaves the status alone writes no event
UPDATE catalyst.orders SET status = status, metadata = '{"x": 1}' WHERE order_id = 'o-seed';
SELECT count(*) AS events_of_o_seed FROM catalyst.order_events WHERE order_id = 'o-seed';

-- order_events is append-only, for superusers too; each transition is audited once, by the
-- orders UPDATE that made it (the event rows themselves are not audited again)
UPDATE catalyst.order_events SET reason = 'forged';
DELETE FROM catalyst.order_events;
TRUNCATE catalyst.order_events;
SELECT count(*) AS transitions,
       count(*) FILTER (WHERE EXISTS (
           SELECT FROM catalyst.audit_log a
           WHERE a.entity_type = 'orders' AND a.event_type = 'UPDATE' AND a.entity_id = e.order_id
             AND a.details->'old'->>'status' = e.from_status
             AND a.details->'new'->>'status' = e.to_status)) AS audited_by_the_orders_update,
       (SELECT count(*) FROM catalyst.audit_log WHERE entity_type = 'order_events') AS order_events_audited
FROM catalyst.order_events e WHERE e.from_status IS NOT NULL;

-- a trader reads the events of its active cycles and cannot write them
CREATE ROLE regress_lifecycle_trader LOGIN IN ROLE catalyst_trader;
SET SESSION AUTHORIZATION regress_lifecycle_trader;
SELECT count(*) > 0 AS reads_events FROM catalyst.order_events;
SELECT pg_temp.try($$INSERT INTO catalyst.order_events (order_id, cycle_id, to_status, changed_by) VALUES ('o-seed', 'l-1', 'filled', 'x')$$) AS trader_writes;
UPDATE catalyst.orders SET status = 'submitted' WHERE order_id = 'm-2';
RESET SESSION AUTHORIZATION;
SELECT from_status, to_status, changed_by FROM catalyst.order_events WHERE order_id = 'm-2' ORDER BY event_id;

DROP EXTENSION catalyst;
DROP ROLE regress_lifecycle_trader;
