-- catalyst_position_risk(id) keeps an index scan on positions_pkey from one call to the next
-- (src/risk.c, "Reading a position by id").  It holds nothing between calls: errors in the middle
-- of a call (caught in subtransactions), ids that do not exist, a cursor read across a rolled-back
-- savepoint, DDL in the same transaction as a PL/pgSQL expression that keeps its scan: right
-- scores, no resource leak warning, no "being used by active queries".  The reference is the row
-- form, which reads no index.  (Privileges changing between calls: risk_access.sql; invalidations
-- from another session: specs/risk_invalidation.spec.)  scripts/test-checked.sh also runs this
-- file with debug_discard_caches = 1 and under valgrind.
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('o1', 'c1', 'AAPL', 'buy', 'market', 10);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id,
                                entry_price, stop_loss, unrealized_pnl, opened_at)
SELECT i, 'c1', 'AAPL', 'long', 1, 'o1', 100.00, CASE WHEN i % 4 = 0 THEN NULL ELSE 100 - i % 9 END,
       -50 * (i % 15), now() - (i % 10) * interval '1 hour'
FROM generate_series(1, 60) i;
CREATE FUNCTION public.risk_by_row(id integer) RETURNS numeric LANGUAGE sql STABLE
RETURN (SELECT catalyst.catalyst_position_risk(p) FROM catalyst.positions p WHERE position_id = id);

-- Position 100002 fails in the middle of a call: opened and closed at the same infinity, which has
-- no hold time (the constraints that refuse it are dropped in this transaction).
BEGIN;
ALTER TABLE catalyst.positions DROP CONSTRAINT positions_opened_at_finite,
    DROP CONSTRAINT positions_closed_at_finite;
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                opened_at, closed_at)
VALUES (100002, 'c1', 'AAPL', 'long', 1, 'o1', 10.00, 'infinity', 'infinity');
DO $$
DECLARE
    total numeric := 0;
    failures int := 0;
BEGIN
    FOR i IN 1..60 LOOP
        BEGIN
            total := total + catalyst.catalyst_position_risk(CASE i % 3 WHEN 0 THEN 100002 WHEN 1 THEN i ELSE -i END);
        EXCEPTION WHEN datetime_field_overflow OR no_data_found THEN
            failures := failures + 1;
        END;
    END LOOP;
    RAISE NOTICE 'failures %, total matches the row form: %', failures,
        total = (SELECT sum(public.risk_by_row(i)) FROM generate_series(1, 60, 3) i);
END $$;
ROLLBACK;

BEGIN;
DECLARE c CURSOR FOR
    SELECT position_id, catalyst.catalyst_position_risk(position_id) = public.risk_by_row(position_id) AS same
    FROM catalyst.positions WHERE position_id <= 6 ORDER BY position_id;
FETCH 2 FROM c;
SAVEPOINT s;
FETCH 2 FROM c;
SELECT catalyst.catalyst_position_risk(-7);
ROLLBACK TO s;
FETCH 2 FROM c;
COMMIT;

CREATE FUNCTION public.risk_of(id integer) RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
    RETURN catalyst.catalyst_position_risk(id);
END $$;
BEGIN;
SELECT public.risk_of(1) = public.risk_by_row(1) AS same;
SELECT public.risk_of(2) = public.risk_by_row(2) AS same;
ALTER TABLE catalyst.positions ALTER COLUMN close_reason SET STATISTICS 200;
SELECT public.risk_of(3) = public.risk_by_row(3) AS same;
ROLLBACK;

-- the text overload (untyped driver parameters) goes the same way, with the same scan
SELECT catalyst.catalyst_position_risk('5') = public.risk_by_row(5) AS same,
       catalyst.catalyst_position_risk(' 7 ') = public.risk_by_row(7) AS padded;
SELECT catalyst.catalyst_position_risk('5a');

DROP FUNCTION public.risk_of(integer);
DROP FUNCTION public.risk_by_row(integer);
DROP EXTENSION catalyst;
