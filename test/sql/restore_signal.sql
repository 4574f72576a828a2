-- The restore signal (issue 9, item 1).  Auditing and the close triggers are skipped only under
-- session_replication_role = replica, which only a superuser may set; row_security = off, which
-- any role may set, never skips them.  Each hole of the old rule (a superuser with row_security
-- off was taken for a restore, and superuser() is true in a superuser's SECURITY DEFINER
-- function and in the extension's owner-context code) is tried here.
CREATE EXTENSION catalyst;
CREATE ROLE regress_rs_trader LOGIN IN ROLE catalyst_trader;
CREATE ROLE regress_rs_admin LOGIN IN ROLE catalyst_admin;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('rs-1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
SELECT 'rs-o' || n, 'rs-1', 'AAPL', 'buy', 'market', 10 FROM generate_series(1, 6) n;

-- a superuser's SECURITY DEFINER function that a trader may call, as a DBA might write one
CREATE FUNCTION public.rs_book(p_id int, p_order text, p_exit numeric, p_pnl numeric) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
    INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                    status, exit_price, opened_at, closed_at, realized_pnl)
    VALUES (p_id, 'rs-1', 'AAPL', 'long', 10, p_order, 100, 'closed', p_exit,
            now() - interval '1 hour', now(), p_pnl)
$$;
GRANT EXECUTE ON FUNCTION public.rs_book(int, text, numeric, numeric) TO regress_rs_trader;
CREATE TEMP TABLE mark AS SELECT coalesce(max(log_id), 0) AS since FROM catalyst.audit_log;
GRANT SELECT ON mark TO PUBLIC;

-- 1. a trader with row_security off, through the function: audited, and the made-up P&L replaced
SET SESSION AUTHORIZATION regress_rs_trader;
SET row_security = off;
SELECT public.rs_book(1, 'rs-o1', 110, 999999);
RESET row_security;
RESET SESSION AUTHORIZATION;
SELECT position_id, realized_pnl FROM catalyst.positions WHERE position_id = 1;
SELECT event_type, entity_id, details->>'pnl' AS pnl FROM catalyst.audit_log, mark
WHERE log_id > mark.since ORDER BY log_id;
SELECT total_trades, gross_pnl FROM catalyst.performance_metrics WHERE cycle_id = 'rs-1';

-- 2. an admin with row_security off running the maintenance that writes positions: audited
UPDATE mark SET since = (SELECT max(log_id) FROM catalyst.audit_log);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss)
VALUES (2, 'rs-1', 'AAPL', 'long', 10, 'rs-o2', 100, 90);
UPDATE mark SET since = (SELECT max(log_id) FROM catalyst.audit_log);
SET SESSION AUTHORIZATION regress_rs_admin;
SET row_security = off;
SELECT catalyst.refresh_position_risk('rs-1') > 0 AS rescored;
RESET row_security;
RESET SESSION AUTHORIZATION;
SELECT event_type, entity_id, details->'new' ? 'risk_score' AS risk_event, details->>'user' AS by_user
FROM catalyst.audit_log, mark WHERE log_id > mark.since ORDER BY log_id;

-- ... and cleanup_old_data(), which archives an old closed position (a DELETE from positions)
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                status, exit_price, opened_at, closed_at)
VALUES (7, 'rs-1', 'AAPL', 'long', 10, 'rs-o6', 100, 'closed', 101, now() - interval '201 days', now() - interval '200 days');
UPDATE mark SET since = (SELECT max(log_id) FROM catalyst.audit_log);
SET SESSION AUTHORIZATION regress_rs_admin;
SET row_security = off;
SELECT catalyst.cleanup_old_data()->'positions'->>'archived' AS archived;
RESET row_security;
RESET SESSION AUTHORIZATION;
SELECT event_type, entity_id, details->>'user' AS by_user
FROM catalyst.audit_log, mark WHERE log_id > mark.since ORDER BY log_id;

-- 3. a superuser's ordinary session is audited; with row_security off, as pg_dump's output runs,
-- but without the restore signal, a write is refused: it would be a restore that audits and
-- rolls up every row a second time
UPDATE mark SET since = (SELECT max(log_id) FROM catalyst.audit_log);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES (3, 'rs-1', 'AAPL', 'short', 10, 'rs-o3', 100);
SET row_security = off;
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES (4, 'rs-1', 'AAPL', 'short', 10, 'rs-o4', 100);
SELECT public.rs_book(5, 'rs-o5', 120, 1);
RESET row_security;
SELECT event_type, entity_id FROM catalyst.audit_log, mark WHERE log_id > mark.since ORDER BY log_id;
SELECT count(*) AS positions_4_5 FROM catalyst.positions WHERE position_id IN (4, 5);

-- 4. the restore signal: only a superuser may set it ...
SET SESSION AUTHORIZATION regress_rs_trader;
SET session_replication_role = replica;
SET SESSION AUTHORIZATION regress_rs_admin;
SET session_replication_role = replica;
RESET SESSION AUTHORIZATION;
-- ... and under it rows load as the dump has them: P&L kept (the close trigger would make it
-- 100.00), no event, no metrics fold, no foreign-key check (pg_restore -j loads tables in any
-- order)
UPDATE mark SET since = (SELECT max(log_id) FROM catalyst.audit_log);
SET session_replication_role = replica;
SET row_security = off;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('rs-restored', 'normal', 300);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                status, exit_price, opened_at, closed_at, realized_pnl, pnl_percent)
VALUES (6, 'rs-restored', 'AAPL', 'long', 10, 'rs-o-not-yet-loaded', 100, 'closed', 110,
        now() - interval '1 hour', now(), 77.00, 7.70);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('rs-o-not-yet-loaded', 'rs-restored', 'AAPL', 'buy', 'market', 10);
RESET row_security;
RESET session_replication_role;
SELECT position_id, realized_pnl, pnl_percent FROM catalyst.positions WHERE position_id = 6;
SELECT count(*) AS events FROM catalyst.audit_log, mark WHERE log_id > mark.since;
SELECT count(*) AS restored_metrics FROM catalyst.performance_metrics WHERE cycle_id = 'rs-restored';

DROP FUNCTION public.rs_book(int, text, numeric, numeric);
DROP EXTENSION catalyst;
DROP ROLE regress_rs_trader, regress_rs_admin;
