-- Risk scoring reads positions directly only for a user who could SELECT the row: privileges,
-- column privileges and row-level security apply to catalyst_position_risk(id) as to a query.
-- refresh_position_risk() writes as the owner of positions.
CREATE EXTENSION catalyst;

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c1', 'normal', 300), ('c2', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('o1', 'c1', 'AAPL', 'buy', 'market', 10);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                stop_loss, unrealized_pnl, opened_at)
VALUES (1, 'c1', 'AAPL', 'long', 10, 'o1', 100.00, NULL, -600.00, now()),
       (2, 'c2', 'AAPL', 'long', 10, 'o1', 100.00, 96.00, -300.00, now() - interval '1 day');

CREATE ROLE regress_risk_reader;
GRANT USAGE ON SCHEMA catalyst TO regress_risk_reader;
GRANT EXECUTE ON FUNCTION catalyst.catalyst_position_risk(integer),
    catalyst.catalyst_position_risk(catalyst.positions),
    catalyst.position_risk_score(numeric, timestamptz, timestamptz, numeric, numeric),
    catalyst.refresh_position_risk(varchar) TO regress_risk_reader;
-- positions has row-level security (forced); this role sees every row until the test says otherwise
CREATE POLICY regress_all ON catalyst.positions FOR SELECT TO regress_risk_reader USING (true);

-- no privilege on positions: the same error as SELECT
SET ROLE regress_risk_reader;
SELECT catalyst.catalyst_position_risk(1);
SELECT position_id FROM catalyst.positions;
RESET ROLE;

-- SELECT on the columns the score reads is enough
GRANT SELECT (position_id, unrealized_pnl, opened_at, closed_at, stop_loss, entry_price)
    ON catalyst.positions TO regress_risk_reader;
SET ROLE regress_risk_reader;
SELECT catalyst.catalyst_position_risk(1) AS p1, catalyst.catalyst_position_risk(2) AS p2;
RESET ROLE;
REVOKE SELECT (position_id, unrealized_pnl, opened_at, closed_at, stop_loss, entry_price)
    ON catalyst.positions FROM regress_risk_reader;

-- row-level security: a row the policy hides does not exist for the user
GRANT SELECT ON catalyst.positions TO regress_risk_reader;
DROP POLICY regress_all ON catalyst.positions;
CREATE POLICY regress_c1_only ON catalyst.positions FOR SELECT TO regress_risk_reader
    USING (cycle_id = 'c1');
SET ROLE regress_risk_reader;
SELECT catalyst.catalyst_position_risk(1) AS p1;
SELECT catalyst.catalyst_position_risk(2) AS p2;
SELECT catalyst.catalyst_position_risk(p) AS by_row FROM catalyst.positions p ORDER BY position_id;
RESET ROLE;
-- a superuser is not subject to the policy
SELECT catalyst.catalyst_position_risk(2) AS p2_as_owner;
-- with row_security off, a user the policy would filter gets an error, not all rows
SET row_security = off;
SET ROLE regress_risk_reader;
SELECT catalyst.catalyst_position_risk(1);
RESET ROLE;
RESET row_security;
DROP POLICY regress_c1_only ON catalyst.positions;
CREATE POLICY regress_all ON catalyst.positions FOR SELECT TO regress_risk_reader USING (true);

-- A REVOKE takes effect at once, even for an expression planned before it (a PL/pgSQL simple
-- expression keeps its state between calls): the relcache invalidation is seen.
CREATE FUNCTION public.regress_risk_revoke() RETURNS void LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog
AS 'REVOKE SELECT ON catalyst.positions FROM regress_risk_reader';
GRANT EXECUTE ON FUNCTION public.regress_risk_revoke() TO regress_risk_reader;
CREATE FUNCTION public.regress_risk_twice(id integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before_revoke numeric;
BEGIN
    before_revoke := catalyst.catalyst_position_risk(id);
    PERFORM public.regress_risk_revoke();
    BEGIN
        RETURN before_revoke || ', then ' || catalyst.catalyst_position_risk(id);
    EXCEPTION WHEN insufficient_privilege THEN
        RETURN before_revoke || ', then ' || SQLERRM;
    END;
END $$;
SET ROLE regress_risk_reader;
SELECT public.regress_risk_twice(1);
RESET ROLE;

-- refresh_position_risk() needs no privilege on positions: it writes as the table's owner
SET ROLE regress_risk_reader;
SELECT catalyst.refresh_position_risk() AS refreshed;
RESET ROLE;
SELECT position_id, risk_score FROM catalyst.positions ORDER BY position_id;

DROP FUNCTION public.regress_risk_twice(integer);
DROP FUNCTION public.regress_risk_revoke();
DROP EXTENSION catalyst;
REVOKE USAGE ON SCHEMA catalyst FROM regress_risk_reader;
DROP ROLE regress_risk_reader;
