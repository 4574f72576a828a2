-- catalyst_position_risk(id) for the roles row-level security applies to: catalyst_reader and
-- catalyst_trader read positions through the index too, with catalyst's positions_policy (a
-- position is visible while its cycle is active) evaluated in C (src/risk_policy.c).  Each case
-- compares with what a query shows the same role: a changed or added policy, a hidden cycle, a
-- revoked privilege, row_security = off, inheritance and role membership changed within a
-- transaction give the query's answer.  rp_path() says which way a call read positions: with
-- index scans off and the query planned anew, only the query path scans positions sequentially.
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, status)
VALUES ('live', 'normal', 300, 'active'), ('held', 'normal', 300, 'paused'), ('done', 'normal', 300, 'stopped');
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('o-live', 'live', 'AAPL', 'buy', 'market', 10), ('o-held', 'held', 'AAPL', 'buy', 'market', 10),
       ('o-done', 'done', 'AAPL', 'buy', 'market', 10);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                stop_loss, unrealized_pnl, opened_at)
VALUES (1, 'live', 'AAPL', 'long', 10, 'o-live', 100.00, NULL, -600.00, now()),
       (2, 'live', 'AAPL', 'long', 10, 'o-live', 100.00, 96.00, -300.00, now() - interval '1 day'),
       (3, 'held', 'AAPL', 'long', 10, 'o-held', 100.00, 99.00, -100.00, now()),
       (4, 'done', 'AAPL', 'long', 10, 'o-done', 100.00, 99.00, -100.00, now());
CREATE ROLE regress_rp_reader IN ROLE catalyst_reader;
CREATE ROLE regress_rp_trader IN ROLE catalyst_trader;

-- the score of each position for the current role, or the error's SQLSTATE; one PL/pgSQL
-- expression, so its kept scans serve every call of a transaction
CREATE FUNCTION public.rp_scores() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    out text := '';
BEGIN
    FOR id IN 1..4 LOOP
        BEGIN
            out := out || id || ': ' || catalyst.catalyst_position_risk(id) || '  ';
        EXCEPTION WHEN OTHERS THEN
            out := out || id || ': ' || SQLSTATE || '  ';
        END;
    END LOOP;
    RETURN out;
END $$;
GRANT EXECUTE ON FUNCTION public.rp_scores() TO regress_rp_reader, regress_rp_trader;
-- what a query shows the current role
CREATE FUNCTION public.rp_visible() RETURNS text LANGUAGE sql
RETURN (SELECT string_agg(position_id::text, ', ' ORDER BY position_id) FROM catalyst.positions);
GRANT EXECUTE ON FUNCTION public.rp_visible() TO regress_rp_reader, regress_rp_trader;

-- which way catalyst_position_risk(1) reads positions for the current role
CREATE FUNCTION public.rp_path() RETURNS text LANGUAGE plpgsql
SET enable_indexscan = off SET enable_bitmapscan = off SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    scans bigint := (SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = 'catalyst.positions'::regclass);
BEGIN
    PERFORM catalyst.catalyst_position_risk(1);
    RETURN CASE WHEN (SELECT seq_scan FROM pg_stat_xact_user_tables
                      WHERE relid = 'catalyst.positions'::regclass) = scans
                THEN 'index' ELSE 'query' END;
END $$;
GRANT EXECUTE ON FUNCTION public.rp_path() TO regress_rp_reader, regress_rp_trader;

-- as the owner, every position; as reader and trader, those of the active cycle (P0002: "does
-- not exist" for the others, as for a row a query does not return), read through the index
SELECT public.rp_scores() AS owner;
SET ROLE regress_rp_reader;
SELECT public.rp_visible() AS reader_sees, public.rp_scores() AS reader, public.rp_path() AS path;
SET ROLE regress_rp_trader;
SELECT public.rp_visible() AS trader_sees, public.rp_scores() AS trader, public.rp_path() AS path;
RESET ROLE;

-- the cycle is read in each call's snapshot: pausing it hides its positions from the next call
-- of the same expression, in the same transaction
CREATE FUNCTION public.rp_pause_between() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before_pause text := public.rp_scores();
BEGIN
    UPDATE catalyst.trading_cycles SET status = 'paused' WHERE cycle_id = 'live';
    RETURN before_pause || '| ' || public.rp_scores() || '| sees: ' || coalesce(public.rp_visible(), 'nothing');
END $$;
GRANT EXECUTE ON FUNCTION public.rp_pause_between() TO regress_rp_trader;
BEGIN;
SET ROLE regress_rp_trader;
SELECT public.rp_pause_between();
ROLLBACK;

-- a changed policy is the query's to apply: positions of paused cycles become visible
ALTER POLICY positions_policy ON catalyst.positions
    USING (EXISTS (SELECT FROM catalyst.trading_cycles c
                   WHERE c.cycle_id OPERATOR(pg_catalog.=) positions.cycle_id
                     AND c.status OPERATOR(pg_catalog.<>) 'stopped'));
SET ROLE regress_rp_reader;
SELECT public.rp_visible() AS reader_sees, public.rp_scores() AS reader, public.rp_path() AS path;
RESET ROLE;
-- set back as the install script made it, it is recognised again
ALTER POLICY positions_policy ON catalyst.positions
    USING (EXISTS (SELECT FROM catalyst.trading_cycles c
                   WHERE c.cycle_id OPERATOR(pg_catalog.=) positions.cycle_id
                     AND c.status OPERATOR(pg_catalog.=) 'active'));
SET ROLE regress_rp_reader;
SELECT public.rp_visible() AS reader_sees, public.rp_scores() AS reader, public.rp_path() AS path;
RESET ROLE;

-- a column added to trading_cycles and dropped again changes nothing the policy means (the stored
-- policy keeps the column names it was created with; they are not compared)
ALTER TABLE catalyst.trading_cycles ADD COLUMN regress_note text;
SET ROLE regress_rp_reader;
SELECT public.rp_scores() AS reader, public.rp_path() AS path_with_column;
RESET ROLE;
ALTER TABLE catalyst.trading_cycles DROP COLUMN regress_note;
SET ROLE regress_rp_reader;
SELECT public.rp_scores() AS reader, public.rp_path() AS path_after_drop;
RESET ROLE;
-- a renamed column: the stored policy follows it, the text does not match; the query path, with
-- no error
ALTER TABLE catalyst.trading_cycles RENAME COLUMN status TO regress_state;
SET ROLE regress_rp_reader;
SELECT public.rp_scores() AS reader, public.rp_path() AS path_renamed;
RESET ROLE;
ALTER TABLE catalyst.trading_cycles RENAME COLUMN regress_state TO status;
SET ROLE regress_rp_reader;
SELECT public.rp_path() AS path_renamed_back;
RESET ROLE;

-- an inheritance child of trading_cycles holds an active copy of the paused cycle: a query
-- reads the child too, and so does the score (through the query)
CREATE TABLE public.regress_more_cycles () INHERITS (catalyst.trading_cycles);
INSERT INTO public.regress_more_cycles (cycle_id, mode, scan_frequency, status) VALUES ('held', 'normal', 300, 'active');
GRANT SELECT ON public.regress_more_cycles TO catalyst_reader;
SET ROLE regress_rp_reader;
SELECT public.rp_visible() AS reader_sees, public.rp_scores() AS reader, public.rp_path() AS path;
RESET ROLE;
DROP TABLE public.regress_more_cycles;

-- a DBA's restrictive policy on positions applies too
CREATE POLICY regress_first_only ON catalyst.positions AS RESTRICTIVE FOR SELECT TO catalyst_reader
    USING (position_id = 1);
SET ROLE regress_rp_reader;
SELECT public.rp_visible() AS reader_sees, public.rp_scores() AS reader;
RESET ROLE;
DROP POLICY regress_first_only ON catalyst.positions;

-- and one on trading_cycles: the policy's subquery no longer finds the cycle
CREATE POLICY regress_hide_live ON catalyst.trading_cycles AS RESTRICTIVE FOR SELECT TO catalyst_reader
    USING (cycle_id <> 'live');
SET ROLE regress_rp_reader;
SELECT coalesce(public.rp_visible(), 'nothing') AS reader_sees, public.rp_scores() AS reader;
RESET ROLE;
DROP POLICY regress_hide_live ON catalyst.trading_cycles;

-- without SELECT on trading_cycles the policy's subquery fails, and so does the score
REVOKE SELECT ON catalyst.trading_cycles FROM catalyst_reader;
SET ROLE regress_rp_reader;
SELECT catalyst.catalyst_position_risk(1);
SELECT position_id FROM catalyst.positions;
RESET ROLE;
GRANT SELECT ON catalyst.trading_cycles TO catalyst_reader;

-- with row_security off, a role the policy filters gets the query's error, not every row; also
-- when the setting changes between two calls of one expression
SET row_security = off;
SET ROLE regress_rp_reader;
SELECT catalyst.catalyst_position_risk(1);
RESET ROLE;
RESET row_security;
CREATE FUNCTION public.rp_row_security_between() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    out text := '';
BEGIN
    FOR i IN 1..2 LOOP
        IF i = 2 THEN
            PERFORM set_config('row_security', 'off', true);
        END IF;
        BEGIN
            out := out || catalyst.catalyst_position_risk(1) || '; ';
        EXCEPTION WHEN OTHERS THEN
            out := out || SQLERRM;
        END;
    END LOOP;
    RETURN out;
END $$;
GRANT EXECUTE ON FUNCTION public.rp_row_security_between() TO regress_rp_reader;
BEGIN;
SET ROLE regress_rp_reader;
SELECT public.rp_row_security_between();
ROLLBACK;

-- a role that is also catalyst_admin reads every row; revoked between two calls of one
-- expression, the second call sees what a query sees
CREATE ROLE regress_rp_both IN ROLE catalyst_reader, catalyst_admin;
CREATE FUNCTION public.rp_revoke_admin() RETURNS void LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog
AS 'REVOKE catalyst_admin FROM regress_rp_both';
GRANT EXECUTE ON FUNCTION public.rp_revoke_admin() TO regress_rp_both;
GRANT EXECUTE ON FUNCTION public.rp_scores(), public.rp_visible() TO regress_rp_both;
CREATE FUNCTION public.rp_membership_between() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before_revoke text := public.rp_scores();
BEGIN
    PERFORM public.rp_revoke_admin();
    RETURN before_revoke || '| ' || public.rp_scores() || '| sees: ' || public.rp_visible();
END $$;
GRANT EXECUTE ON FUNCTION public.rp_membership_between() TO regress_rp_both;
SET ROLE regress_rp_both;
SELECT public.rp_membership_between();
RESET ROLE;

-- the admin role's policy shows every row
CREATE ROLE regress_rp_admin IN ROLE catalyst_admin;
GRANT EXECUTE ON FUNCTION public.rp_scores() TO regress_rp_admin;
SET ROLE regress_rp_admin;
SELECT public.rp_scores() AS admin;
RESET ROLE;

DROP FUNCTION public.rp_membership_between();
DROP FUNCTION public.rp_revoke_admin();
DROP FUNCTION public.rp_row_security_between();
DROP FUNCTION public.rp_path();
DROP FUNCTION public.rp_pause_between();
DROP FUNCTION public.rp_visible();
DROP FUNCTION public.rp_scores();
DROP EXTENSION catalyst;
DROP ROLE regress_rp_reader, regress_rp_trader, regress_rp_admin, regress_rp_both;
