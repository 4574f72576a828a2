-- catalyst_position_risk(id) for the roles row-level security applies to: catalyst_reader and
-- catalyst_trader read positions through the index too, with catalyst's positions_policy (a
-- position is visible while its cycle is active) evaluated in C (src/risk_policy.c).  Each case
-- compares with what a query shows the same role: a changed or added policy, a hidden cycle, a
-- revoked privilege and row_security = off give the query's answer.
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

-- as the owner, every position; as reader and trader, those of the active cycle (P0002: "does
-- not exist" for the others, as for a row a query does not return)
SELECT public.rp_scores() AS owner;
SET ROLE regress_rp_reader;
SELECT public.rp_visible() AS reader_sees, public.rp_scores() AS reader;
SET ROLE regress_rp_trader;
SELECT public.rp_visible() AS trader_sees, public.rp_scores() AS trader;
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
SELECT public.rp_visible() AS reader_sees, public.rp_scores() AS reader;
RESET ROLE;
-- set back as the install script made it, it is recognised again
ALTER POLICY positions_policy ON catalyst.positions
    USING (EXISTS (SELECT FROM catalyst.trading_cycles c
                   WHERE c.cycle_id OPERATOR(pg_catalog.=) positions.cycle_id
                     AND c.status OPERATOR(pg_catalog.=) 'active'));
SET ROLE regress_rp_reader;
SELECT public.rp_visible() AS reader_sees, public.rp_scores() AS reader;
RESET ROLE;

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

-- with row_security off, a role the policy filters gets the query's error, not every row
SET row_security = off;
SET ROLE regress_rp_reader;
SELECT catalyst.catalyst_position_risk(1);
RESET ROLE;
RESET row_security;

-- the admin role's policy shows every row
CREATE ROLE regress_rp_admin IN ROLE catalyst_admin;
GRANT EXECUTE ON FUNCTION public.rp_scores() TO regress_rp_admin;
SET ROLE regress_rp_admin;
SELECT public.rp_scores() AS admin;
RESET ROLE;

DROP FUNCTION public.rp_pause_between();
DROP FUNCTION public.rp_visible();
DROP FUNCTION public.rp_scores();
DROP EXTENSION catalyst;
DROP ROLE regress_rp_reader, regress_rp_trader, regress_rp_admin;
