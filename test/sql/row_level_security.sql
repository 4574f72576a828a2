-- Row-level security on orders and positions: the reader and trader roles see and write only the
-- rows of active cycles, the admin role all of them; the policies keep index scans; FORCE binds a
-- member of the tables' owner too.
CREATE EXTENSION catalyst;

SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relrowsecurity ORDER BY 1;
SELECT tablename, policyname, permissive, roles, cmd FROM pg_policies
WHERE schemaname = 'catalyst' ORDER BY 1, 2;

CREATE ROLE regress_sec_rls_reader LOGIN IN ROLE catalyst_reader;
CREATE ROLE regress_sec_rls_trader LOGIN IN ROLE catalyst_trader;
CREATE ROLE regress_sec_rls_admin LOGIN IN ROLE catalyst_admin;

-- an active cycle and a stopped one, each with an order and a position
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, status)
VALUES ('rls-live', 'normal', 300, 'active'), ('rls-done', 'normal', 300, 'stopped');
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('live-o', 'rls-live', 'AAPL', 'buy', 'market', 10), ('done-o', 'rls-done', 'TSLA', 'buy', 'market', 5);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES (1, 'rls-live', 'AAPL', 'long', 10, 'live-o', 190.00), (2, 'rls-done', 'TSLA', 'long', 5, 'done-o', 240.00);

\set VERBOSITY terse
-- the trader sees the active cycle's rows only, in the tables and through the views
SET SESSION AUTHORIZATION regress_sec_rls_trader;
SELECT order_id, cycle_id FROM catalyst.orders ORDER BY 1;
SELECT position_id, cycle_id FROM catalyst.positions ORDER BY 1;
SELECT * FROM catalyst.orders WHERE order_id = 'done-o';
SELECT cycle_id, symbol FROM catalyst.v_active_trading;
-- it cannot change a stopped cycle's rows (no row matches), nor write a row into one
UPDATE catalyst.orders SET status = 'cancelled' WHERE order_id = 'done-o';
UPDATE catalyst.positions SET unrealized_pnl = -1 WHERE position_id = 2;
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('sneak-o', 'rls-done', 'TSLA', 'sell', 'market', 5);
UPDATE catalyst.orders SET cycle_id = 'rls-done' WHERE order_id = 'live-o';
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES ('rls-done', 'TSLA', 'short', 5, 'live-o', 240.00);
-- its own active rows it may change
UPDATE catalyst.orders SET status = 'submitted' WHERE order_id = 'live-o';
-- stopping a cycle hides its rows from then on
UPDATE catalyst.trading_cycles SET status = 'stopped', stopped_at = now() WHERE cycle_id = 'rls-live';
SELECT count(*) AS orders_visible FROM catalyst.orders;
-- and a stopped cycle stays stopped: reactivating it would bring its rows back
UPDATE catalyst.trading_cycles SET status = 'active', stopped_at = NULL WHERE cycle_id = 'rls-live';
SELECT cycle_id, status FROM catalyst.trading_cycles ORDER BY 1;
RESET SESSION AUTHORIZATION;
-- the admin may
SET SESSION AUTHORIZATION regress_sec_rls_admin;
UPDATE catalyst.trading_cycles SET status = 'active', stopped_at = NULL WHERE cycle_id = 'rls-live'
RETURNING cycle_id, status;
RESET SESSION AUTHORIZATION;

-- the reader sees the same rows as the trader
SET SESSION AUTHORIZATION regress_sec_rls_reader;
SELECT order_id FROM catalyst.orders ORDER BY 1;
SELECT position_id FROM catalyst.positions ORDER BY 1;
RESET SESSION AUTHORIZATION;

-- the admin sees and corrects every row
SET SESSION AUTHORIZATION regress_sec_rls_admin;
SELECT order_id FROM catalyst.orders ORDER BY 1;
UPDATE catalyst.orders SET status = 'cancelled' WHERE order_id = 'done-o' RETURNING order_id, status;
RESET SESSION AUTHORIZATION;

-- nothing the trader tried on the stopped cycle happened
SELECT order_id, cycle_id, status FROM catalyst.orders ORDER BY 1;
SELECT position_id, cycle_id, unrealized_pnl FROM catalyst.positions ORDER BY 1;

-- FORCE ROW LEVEL SECURITY: a role made a member of the tables' owner has the owner's rights, and
-- would bypass row-level security without FORCE; with it, it sees what its catalyst roles let it
-- see (here none: nothing).
CREATE ROLE regress_sec_rls_owner_member LOGIN;
DO $$ BEGIN
    EXECUTE format('GRANT %I TO regress_sec_rls_owner_member',
                   (SELECT relowner::regrole FROM pg_class WHERE oid = 'catalyst.orders'::regclass));
END $$;
SET SESSION AUTHORIZATION regress_sec_rls_owner_member;
SELECT count(*) AS orders_seen_by_owner_member FROM catalyst.orders;
RESET SESSION AUTHORIZATION;
BEGIN;
ALTER TABLE catalyst.orders NO FORCE ROW LEVEL SECURITY;
SET LOCAL SESSION AUTHORIZATION regress_sec_rls_owner_member;
SELECT count(*) AS orders_seen_without_force FROM catalyst.orders;
ROLLBACK;
DO $$ BEGIN
    EXECUTE format('REVOKE %I FROM regress_sec_rls_owner_member',
                   (SELECT relowner::regrole FROM pg_class WHERE oid = 'catalyst.orders'::regclass));
END $$;

-- The policies keep index scans.  With many cycles of which half are active: a trader's lookup
-- by key reads positions_pkey and checks its cycle through trading_cycles_pkey (for writes too:
-- WITH CHECK); a scan of all positions reads the active cycles once into a hash, not once per row.
SET catalyst.audit = off;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, status)
SELECT 'rls-' || i, 'normal', 300, CASE WHEN i % 2 = 0 THEN 'active' ELSE 'stopped' END
FROM generate_series(1, 4000) i;
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
SELECT 'rls-o' || i, 'rls-' || i, 'AAPL', 'buy', 'market', 1 FROM generate_series(1, 4000) i;
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price)
SELECT 100 + i, 'rls-' || i, 'AAPL', 'long', 1, 'rls-o' || i, 10 FROM generate_series(1, 4000) i;
RESET catalyst.audit;
ANALYZE catalyst.trading_cycles, catalyst.orders, catalyst.positions;
SET SESSION AUTHORIZATION regress_sec_rls_trader;
EXPLAIN (COSTS OFF) SELECT * FROM catalyst.positions WHERE position_id = 102;
EXPLAIN (COSTS OFF) SELECT * FROM catalyst.orders WHERE order_id = 'rls-o2';
EXPLAIN (COSTS OFF) UPDATE catalyst.positions SET unrealized_pnl = 1 WHERE position_id = 102;
EXPLAIN (COSTS OFF) SELECT count(*) FROM catalyst.positions;
SELECT count(*) AS positions_of_active_cycles FROM catalyst.positions;
SELECT position_id FROM catalyst.positions WHERE position_id IN (101, 102);
RESET SESSION AUTHORIZATION;

DROP EXTENSION catalyst;
DROP ROLE regress_sec_rls_reader, regress_sec_rls_trader, regress_sec_rls_admin, regress_sec_rls_owner_member;
