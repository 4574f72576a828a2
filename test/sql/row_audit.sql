-- The row audit trail: every INSERT, UPDATE and DELETE on trading_cycles, orders and positions
-- writes exactly one audit_log event, with the primary key, the cycle, the old and new values
-- (for UPDATE the changed columns only), the role, the client; catalyst.audit switches it off for
-- a superuser, and the switch itself is recorded.
CREATE EXTENSION catalyst;

-- the audit triggers are on these three tables and no other
SELECT pg_get_triggerdef(t.oid) AS audit_trigger
FROM pg_trigger t
WHERE t.tgfoid = 'catalyst.audit_row_change()'::regprocedure ORDER BY t.tgrelid::regclass::text, t.tgname;

CREATE ROLE regress_sec_audit_trader LOGIN IN ROLE catalyst_trader;
CREATE ROLE regress_sec_audit_admin LOGIN IN ROLE catalyst_admin;

-- the trader needs no privilege on audit_log for its changes to be audited
SET application_name = 'engine-7';
SET SESSION AUTHORIZATION regress_sec_audit_trader;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('aud-1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('aud-o1', 'aud-1', 'AAPL', 'buy', 'market', 10),
       ('aud-o2', 'aud-1', 'TSLA', 'sell', 'limit', 5),
       ('aud-o3', 'aud-1', 'NVDA', 'buy', 'market', 1);
-- 4.2: an order is submitted before it fills (the life cycle is enforced)
UPDATE catalyst.orders SET status = 'submitted', submitted_at = '2026-03-02 14:00+00' WHERE order_id = 'aud-o1';
UPDATE catalyst.orders SET status = 'filled', executed_price = 190.25, executed_quantity = 10 WHERE order_id = 'aud-o1';
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss)
VALUES (1, 'aud-1', 'AAPL', 'long', 10, 'aud-o1', 190.25, 185.00),
       (2, 'aud-1', 'TSLA', 'short', 5, 'aud-o2', 240.00, NULL);
-- one statement, three orders: three events
UPDATE catalyst.orders SET metadata = '{"batch": 1}';
-- two rows touched, one really changed: one event; an UPDATE that changes nothing (but
-- updated_at, which the trigger stamps) is no change and writes none
UPDATE catalyst.positions SET unrealized_pnl = CASE position_id WHEN 1 THEN 12.50 END;
UPDATE catalyst.positions SET unrealized_pnl = unrealized_pnl;
UPDATE catalyst.positions SET updated_at = '2001-01-01' WHERE position_id = 1;
-- an upsert that updates is an UPDATE
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('aud-o3', 'aud-1', 'NVDA', 'buy', 'market', 1)
ON CONFLICT (order_id) DO UPDATE SET status = 'cancelled';
-- what is rolled back or fails leaves no event
BEGIN;
UPDATE catalyst.orders SET status = 'rejected' WHERE order_id = 'aud-o2';
ROLLBACK;
\set VERBOSITY terse
UPDATE catalyst.orders SET status = 'lost' WHERE order_id = 'aud-o2';
\set VERBOSITY default
-- no row, no event
UPDATE catalyst.orders SET status = 'filled' WHERE order_id = 'no-such-order';
RESET SESSION AUTHORIZATION;

-- the admin deletes; the row's last values are in the event
CREATE TEMP TABLE before_delete AS
SELECT 'positions' AS entity_type, position_id::text AS entity_id, to_jsonb(p) AS old_row
FROM catalyst.positions p WHERE position_id = 2
UNION ALL
SELECT 'orders', order_id, to_jsonb(o) FROM catalyst.orders o WHERE order_id = 'aud-o2';
SET SESSION AUTHORIZATION regress_sec_audit_admin;
DELETE FROM catalyst.positions WHERE position_id = 2;
DELETE FROM catalyst.orders WHERE order_id = 'aud-o2';
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('aud-2', 'conservative', 600);
DELETE FROM catalyst.trading_cycles WHERE cycle_id = 'aud-2';
RESET SESSION AUTHORIZATION;

-- Exactly one event per row changed.  Expected: trading_cycles 2 INSERT, 1 DELETE; orders 3
-- INSERT, 1 + 3 + 1 UPDATE, 1 DELETE; positions 2 INSERT, 1 UPDATE, 1 DELETE.
SELECT entity_type, event_type, count(*) AS events, count(DISTINCT entity_id) AS rows_named
FROM catalyst.audit_log WHERE event_category = 'row_audit'
GROUP BY 1, 2 ORDER BY 1, 2;

-- each event names its row by primary key and its cycle, the role and the client
SELECT entity_type, event_type, entity_id, cycle_id, details->>'user' AS by_user, user_agent,
       ip_address IS NOT DISTINCT FROM inet_client_addr() AS client_address
FROM catalyst.audit_log WHERE event_category = 'row_audit'
ORDER BY entity_type, entity_id, log_id;

-- an INSERT holds the whole new row (aud-1 was never changed since)
SELECT a.entity_id, a.details->'new' = to_jsonb(c) AS whole_row
FROM catalyst.audit_log a JOIN catalyst.trading_cycles c ON c.cycle_id = a.entity_id
WHERE a.entity_type = 'trading_cycles' AND a.event_type = 'INSERT';
-- an UPDATE holds the changed columns only, old and new
SELECT entity_id, details - 'user' AS changes
FROM catalyst.audit_log WHERE event_type = 'UPDATE' ORDER BY entity_type, entity_id, log_id;
-- a DELETE holds the whole old row
SELECT a.entity_type, a.entity_id, a.details->'old' = b.old_row AS whole_old_row
FROM catalyst.audit_log a JOIN before_delete b USING (entity_type, entity_id)
WHERE a.event_type = 'DELETE' ORDER BY 1;

-- catalyst.audit: only a superuser may switch it
SET SESSION AUTHORIZATION regress_sec_audit_trader;
\set VERBOSITY terse
SET catalyst.audit = off;
\set VERBOSITY default
RESET SESSION AUTHORIZATION;

-- Switched off: no row event, but the first change made in the new state records
-- 'audit_disabled'; switched on again, the first change records 'audit_enabled'.  The recorded
-- state follows transactions: an 'audit_disabled' rolled back with its transaction is written
-- again by the next change; one rolled back with a savepoint too.
CREATE TEMP TABLE mark AS SELECT max(log_id) AS log_id FROM catalyst.audit_log;
SET catalyst.audit = off;
UPDATE catalyst.orders SET commission = 1 WHERE order_id = 'aud-o1';
UPDATE catalyst.orders SET commission = 2 WHERE order_id = 'aud-o1';
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
SELECT 'bulk-' || i, 'aud-1', 'AAPL', 'buy', 'market', i FROM generate_series(1, 100) i;
SET catalyst.audit = on;
UPDATE catalyst.orders SET commission = 3 WHERE order_id = 'aud-o1';
BEGIN;
SET LOCAL catalyst.audit = off;
UPDATE catalyst.orders SET commission = 4 WHERE order_id = 'aud-o1';
ROLLBACK;
BEGIN;
SET LOCAL catalyst.audit = off;
UPDATE catalyst.orders SET commission = 5 WHERE order_id = 'aud-o1';
SAVEPOINT s;
SET LOCAL catalyst.audit = on;
UPDATE catalyst.orders SET commission = 6 WHERE order_id = 'aud-o1';
ROLLBACK TO s;
UPDATE catalyst.orders SET commission = 7 WHERE order_id = 'aud-o1';
COMMIT;
UPDATE catalyst.orders SET commission = 8 WHERE order_id = 'aud-o1';
SELECT row_number() OVER (ORDER BY a.log_id) AS n, a.event_type, a.entity_type, a.entity_id,
       a.details->>'table' AS first_table, a.details->>'user' AS by_user,
       a.details->'session' IS NOT NULL AS names_session,
       a.details->'new'->>'commission' AS new_commission
FROM catalyst.audit_log a, mark WHERE a.log_id > mark.log_id ORDER BY a.log_id;
SELECT count(*) AS bulk_orders, (SELECT count(*) FROM catalyst.audit_log WHERE entity_id LIKE 'bulk-%') AS bulk_events
FROM catalyst.orders WHERE order_id LIKE 'bulk-%';

-- row_security off is no restore signal (test/sql/restore_signal.sql): a superuser writing with
-- it off, as pg_dump's output runs, without session_replication_role = replica is refused.  A
-- trader with row_security off is refused: row-level security applies to every audited table.
CREATE TEMP TABLE mark2 AS SELECT max(log_id) AS log_id FROM catalyst.audit_log;
SET row_security = off;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('restored', 'normal', 300);
SET SESSION AUTHORIZATION regress_sec_audit_trader;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('aud-3', 'normal', 300);
\set VERBOSITY terse
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('aud-o9', 'aud-3', 'AAPL', 'buy', 'market', 1);
\set VERBOSITY default
RESET SESSION AUTHORIZATION;
RESET row_security;
SELECT a.event_type, a.entity_id FROM catalyst.audit_log a, mark2 WHERE a.log_id > mark2.log_id ORDER BY a.log_id;

-- A close (status becomes 'closed') is audited once, by the close trigger's position_closed
-- event, which carries what the UPDATE event would have: the changed columns and the role.  With
-- catalyst.audit off the close event is still written, with the trade alone.  A reopening is an
-- ordinary UPDATE event.
CREATE TEMP TABLE mark3 AS SELECT max(log_id) AS log_id FROM catalyst.audit_log;
SET SESSION AUTHORIZATION regress_sec_audit_trader;
UPDATE catalyst.positions
   SET status = 'closed', exit_price = 191.00, closed_at = '2026-03-02 15:00+00', close_reason = 'target'
 WHERE position_id = 1;
UPDATE catalyst.positions SET status = 'open' WHERE position_id = 1;
RESET SESSION AUTHORIZATION;
SET catalyst.audit = off;
UPDATE catalyst.positions SET status = 'closed' WHERE position_id = 1;
RESET catalyst.audit;
SELECT row_number() OVER (ORDER BY a.log_id) AS n, a.event_type, a.event_category, a.entity_type,
       a.entity_id, a.details->>'user' AS by_user,
       (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(a.details) k) AS detail_keys,
       (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(a.details->'new') k) AS changed_columns
FROM catalyst.audit_log a, mark3 WHERE a.log_id > mark3.log_id ORDER BY a.log_id;
SELECT details->'old'->>'status' AS old_status, details->'new'->>'status' AS new_status,
       details->'new'->>'exit_price' AS new_exit_price, details->>'pnl' = details->'new'->>'realized_pnl' AS pnl_is_new_realized_pnl
FROM catalyst.audit_log a, mark3 WHERE a.log_id > mark3.log_id AND a.event_type = 'position_closed' AND a.details ? 'new';

-- The changed columns' values are what to_jsonb() writes of the row, to the digit and the
-- character: the types of catalyst's own columns are written without calling to_jsonb()
-- (src/row_changes.c), a NaN and the types a DBA may add through it.  Compared as text, so that
-- 1.50 written as 1.5 would show.
BEGIN;
ALTER TABLE catalyst.orders
    ADD COLUMN dba_note text, ADD COLUMN dba_day date, ADD COLUMN dba_flag boolean, ADD COLUMN dba_count bigint;
CREATE TEMP TABLE order_before AS SELECT to_jsonb(o) AS r FROM catalyst.orders o WHERE order_id = 'aud-o1';
CREATE TEMP TABLE position_before AS SELECT to_jsonb(p) AS r FROM catalyst.positions p WHERE position_id = 1;
CREATE TEMP TABLE mark5 AS SELECT max(log_id) AS log_id FROM catalyst.audit_log;
UPDATE catalyst.orders
   SET limit_price = 'NaN', stop_price = 180.10, commission = 1.50, quantity = 11, symbol = 'A"B\C',
       submitted_at = '2026-03-04 05:06:07.089+00', metadata = '{"k": [1, "x"]}',
       dba_note = 'a note', dba_day = '2026-03-04', dba_flag = true, dba_count = 9007199254740993
 WHERE order_id = 'aud-o1';
UPDATE catalyst.positions SET status = 'open' WHERE position_id = 1;
CREATE TEMP TABLE reopened AS SELECT to_jsonb(p) AS r FROM catalyst.positions p WHERE position_id = 1;
UPDATE catalyst.positions
   SET status = 'closed', exit_price = 192.30, closed_at = '2026-03-02 15:30:00.5+00', close_reason = 'take "profit"'
 WHERE position_id = 1;
SELECT a.event_type, a.entity_id,
       (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(a.details->'new') k) AS changed_columns,
       (a.details->'new')::text = (SELECT jsonb_object_agg(e.key, e.value)::text FROM jsonb_each(now_row.r) e
                                   WHERE a.details->'new' ? e.key) AS new_as_to_jsonb,
       (a.details->'old')::text = (SELECT jsonb_object_agg(e.key, e.value)::text FROM jsonb_each(old_row.r) e
                                   WHERE a.details->'old' ? e.key) AS old_as_to_jsonb
FROM catalyst.audit_log a
JOIN mark5 ON a.log_id > mark5.log_id
CROSS JOIN LATERAL (SELECT CASE a.entity_type WHEN 'orders' THEN (SELECT to_jsonb(o) FROM catalyst.orders o WHERE o.order_id = a.entity_id)
                                               ELSE (SELECT to_jsonb(p) FROM catalyst.positions p WHERE p.position_id::text = a.entity_id) END) now_row(r)
CROSS JOIN LATERAL (SELECT CASE WHEN a.entity_type = 'orders' THEN (SELECT r FROM order_before)
                                WHEN a.event_type = 'position_closed' THEN (SELECT r FROM reopened)
                                ELSE (SELECT r FROM position_before) END) old_row(r)
WHERE a.entity_type IN ('orders', 'position')
ORDER BY a.log_id;
ROLLBACK;

-- changes made by the extension's own code as the table owner (here refresh_position_risk(),
-- run by the admin) are signed by the role that called it, not by the owner
CREATE TEMP TABLE mark4 AS SELECT max(log_id) AS log_id FROM catalyst.audit_log;
UPDATE catalyst.positions SET status = 'open', unrealized_pnl = -900 WHERE position_id = 1;
SET SESSION AUTHORIZATION regress_sec_audit_admin;
SELECT catalyst.refresh_position_risk() AS refreshed;
RESET SESSION AUTHORIZATION;
SELECT a.event_type, a.entity_id, a.details->>'user' AS by_user,
       (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(a.details->'new') k) AS changed_columns
FROM catalyst.audit_log a, mark4 WHERE a.log_id > mark4.log_id AND a.details->'new' ? 'risk_score';

-- TRUNCATE of an audited table is one event
TRUNCATE catalyst.positions;
SELECT event_type, entity_type, entity_id, details->>'user' AS by_user
FROM catalyst.audit_log WHERE event_type = 'TRUNCATE';

DROP EXTENSION catalyst;
DROP ROLE regress_sec_audit_trader, regress_sec_audit_admin;
