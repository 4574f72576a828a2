-- Risk scoring: catalyst_position_risk() by id and by row, calculate_position_risk() (the seed's
-- name) and position_risk_score() return exactly what the seed's PL/pgSQL function returns, for
-- every rule, on both sides of every threshold; the catalyst.risk_* settings change the score.
CREATE EXTENSION catalyst;

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c1', 'normal', 300), ('c2', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('o1', 'c1', 'AAPL', 'buy', 'market', 10);

-- The seed's function, verbatim (bench/seed-baseline.sql: hold time computed, not generated),
-- in a scratch schema where "positions" is a view of catalyst.positions.
CREATE SCHEMA seed_ref;
CREATE VIEW seed_ref.positions AS SELECT * FROM catalyst.positions;
SET search_path = seed_ref;
CREATE OR REPLACE FUNCTION calculate_position_risk(
    p_position_id INTEGER
) RETURNS DECIMAL AS $$
DECLARE
    v_risk_score DECIMAL(3,2);
    v_position RECORD;
BEGIN
    SELECT * INTO v_position FROM positions WHERE position_id = p_position_id;
    
    -- Calculate risk based on multiple factors
    v_risk_score := 0.0;
    
    -- PnL factor
    IF v_position.unrealized_pnl < -500 THEN
        v_risk_score := v_risk_score + 0.3;
    ELSIF v_position.unrealized_pnl < -200 THEN
        v_risk_score := v_risk_score + 0.2;
    END IF;
    
    -- Hold duration factor
    IF COALESCE(v_position.closed_at, NOW()) - v_position.opened_at > INTERVAL '4 hours' THEN
        v_risk_score := v_risk_score + 0.2;
    END IF;
    
    -- Stop loss distance factor
    IF v_position.stop_loss IS NOT NULL THEN
        IF ABS(v_position.entry_price - v_position.stop_loss) / v_position.entry_price > 0.05 THEN
            v_risk_score := v_risk_score + 0.2;
        END IF;
    ELSE
        v_risk_score := v_risk_score + 0.3; -- No stop loss
    END IF;
    
    RETURN LEAST(v_risk_score, 1.0);
END;
$$ LANGUAGE plpgsql;
-- The same function with each literal replaced by its setting, the reference for other settings.
CREATE FUNCTION risk_with_settings(p_position_id INTEGER) RETURNS DECIMAL AS $$
DECLARE
    v_risk_score DECIMAL(3,2);
    v_position RECORD;
BEGIN
    SELECT * INTO v_position FROM positions WHERE position_id = p_position_id;
    v_risk_score := 0.0;
    IF v_position.unrealized_pnl < current_setting('catalyst.risk_loss_high')::numeric THEN
        v_risk_score := v_risk_score + current_setting('catalyst.risk_loss_high_weight')::numeric;
    ELSIF v_position.unrealized_pnl < current_setting('catalyst.risk_loss')::numeric THEN
        v_risk_score := v_risk_score + current_setting('catalyst.risk_loss_weight')::numeric;
    END IF;
    IF COALESCE(v_position.closed_at, NOW()) - v_position.opened_at
       > current_setting('catalyst.risk_hold_hours')::float8 * INTERVAL '1 hour' THEN
        v_risk_score := v_risk_score + current_setting('catalyst.risk_hold_weight')::numeric;
    END IF;
    IF v_position.stop_loss IS NOT NULL THEN
        IF ABS(v_position.entry_price - v_position.stop_loss) / v_position.entry_price
           > current_setting('catalyst.risk_stop_distance')::numeric THEN
            v_risk_score := v_risk_score + current_setting('catalyst.risk_stop_distance_weight')::numeric;
        END IF;
    ELSE
        v_risk_score := v_risk_score + current_setting('catalyst.risk_no_stop_weight')::numeric;
    END IF;
    RETURN LEAST(v_risk_score, 1.0);
END;
$$ LANGUAGE plpgsql;
RESET search_path;
ALTER FUNCTION seed_ref.calculate_position_risk(integer) SET search_path = seed_ref, pg_catalog;
ALTER FUNCTION seed_ref.risk_with_settings(integer) SET search_path = seed_ref, pg_catalog;

-- Every difference between catalyst's score (by id, by the seed's name, by row, by columns) and a
-- reference function, compared as text: the same value with the same number of decimals.
CREATE FUNCTION seed_ref.differences(reference regproc)
RETURNS TABLE (positions bigint, by_id bigint, seed_name bigint, by_row bigint, by_columns bigint)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT count(*),
               count(*) FILTER (WHERE catalyst.catalyst_position_risk(position_id)::text IS DISTINCT FROM r::text),
               count(*) FILTER (WHERE catalyst.calculate_position_risk(position_id)::text IS DISTINCT FROM r::text),
               count(*) FILTER (WHERE catalyst.catalyst_position_risk(p)::text IS DISTINCT FROM r::text),
               count(*) FILTER (WHERE catalyst.position_risk_score(unrealized_pnl, opened_at, closed_at,
                                      stop_loss, entry_price)::text IS DISTINCT FROM r::text)
        FROM catalyst.positions p, LATERAL %s(position_id) r$q$, reference);
END $$;

-- One transaction, so that now() is the same for the rows made relative to it and for the scores.
BEGIN;
-- Every combination of: unrealized_pnl around -500 and -200 (and NULL); hold time around 4 hours,
-- open (now() - opened_at) or closed (closed_at - opened_at, even negative); stop loss absent, or
-- at, just inside and just outside 5 % of entry_price, above and below, for small and large prices.
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss,
                                unrealized_pnl, opened_at, closed_at, exit_price, status)
SELECT 'c1', 'AAPL', 'long', 10, 'o1', s.entry, s.stop, pnl,
       now() - h.open_for - h.closed_for, CASE WHEN h.closed THEN now() - h.open_for END,
       CASE WHEN h.closed THEN s.entry END,
       CASE WHEN h.closed THEN 'closed' ELSE 'open' END
FROM unnest(ARRAY[NULL, -1000.00, -500.01, -500.00, -499.99, -200.01, -200.00, -199.99, 0.00, 250.50]) pnl,
     (VALUES (false, interval '0', interval '4 hours' - interval '1 microsecond'),
             (false, interval '0', interval '4 hours'),
             (false, interval '0', interval '4 hours 1 microsecond'),
             (false, interval '0', interval '30 minutes'),
             (false, interval '0', interval '2 days'),
             (true, interval '1 day', interval '4 hours'),
             (true, interval '1 day', interval '4 hours 1 microsecond'),
             (true, interval '1 hour', interval '1 hour'),
             (true, interval '2 days', interval '26 hours'),
             (true, interval '-1 hour', interval '-2 hours')) h(closed, open_for, closed_for),
     (VALUES (100.00, NULL), (100.00, 95.00), (100.00, 105.00), (100.00, 94.99), (100.00, 95.01),
             (100.00, 105.01), (100.00, 100.00), (100.00, 80.00), (100.00, -5.00),
             (33.33, 31.66), (33.33, 31.67), (0.01, 0.02), (99999999.99, 94999999.99),
             (20.00, 19.00), (19.99, 18.99)) s(entry, stop);
-- and 3,000 more, spread by arithmetic (no random(): the output must not change between runs)
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss,
                                unrealized_pnl, opened_at, closed_at, exit_price, status)
SELECT 'c2', 'MSFT', 'short', 5, 'o1', entry,
       CASE WHEN i % 7 = 0 THEN NULL ELSE round(entry * (1 - ((i * 31) % 13 - 6) / 100.0), 2) END,
       ((i * 7919) % 200000 - 100000) / 100.0,
       now() - (i * 37 % 600) * interval '1 minute',
       CASE WHEN i % 5 = 0 THEN now() - (i % 240) * interval '1 minute' END,
       CASE WHEN i % 5 = 0 THEN entry END,
       CASE WHEN i % 5 = 0 THEN 'closed' ELSE 'open' END
FROM generate_series(1, 3000) i, LATERAL (SELECT 1 + (i * 104729 % 99999) / 100.0 AS entry) e;

SELECT * FROM seed_ref.differences('seed_ref.calculate_position_risk');
-- every rule on both sides: how many positions get each score
SELECT seed_ref.calculate_position_risk(position_id) AS seed_score, count(*)
FROM catalyst.positions GROUP BY 1 ORDER BY 1;
-- in a parallel worker too
SET force_parallel_mode = on;
SELECT count(*) FILTER (WHERE catalyst.catalyst_position_risk(position_id) IS DISTINCT FROM risk_score) AS by_id_differs
FROM (SELECT position_id, catalyst.catalyst_position_risk(p) AS risk_score FROM catalyst.positions p) s;
RESET force_parallel_mode;

-- Other settings: thresholds, then weights that need the DECIMAL(3,2) rounding and the cap at 1.0,
-- then stop distances with 7 and with 19 decimals.
SET catalyst.risk_loss_high = -300;
SET catalyst.risk_loss = -100;
SET catalyst.risk_hold_hours = 1.5;
SET catalyst.risk_stop_distance = 0.02;
SELECT * FROM seed_ref.differences('seed_ref.risk_with_settings');
SELECT count(*) FILTER (WHERE catalyst.catalyst_position_risk(position_id)
                              <> seed_ref.calculate_position_risk(position_id)) AS scores_changed
FROM catalyst.positions;
RESET ALL;
SET catalyst.risk_loss_high_weight = 0.125;
SET catalyst.risk_loss_weight = 0.375;
SET catalyst.risk_hold_weight = 0.45;
SET catalyst.risk_stop_distance_weight = 0.05;
SET catalyst.risk_no_stop_weight = 0.9;
SELECT * FROM seed_ref.differences('seed_ref.risk_with_settings');
SELECT catalyst.catalyst_position_risk(p) AS score, count(*) FROM catalyst.positions p GROUP BY 1 ORDER BY 1;
RESET ALL;
SET catalyst.risk_stop_distance = 0.0512345;
SELECT * FROM seed_ref.differences('seed_ref.risk_with_settings');
SET catalyst.risk_stop_distance = 1e-19;
SELECT * FROM seed_ref.differences('seed_ref.risk_with_settings');
RESET ALL;
SELECT * FROM seed_ref.differences('seed_ref.calculate_position_risk');
COMMIT;

-- One position under the seed's settings and under a desk's own.
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                stop_loss, unrealized_pnl, opened_at, closed_at, exit_price, status)
VALUES (100001, 'c1', 'NVDA', 'long', 10, 'o1', 100.00, 96.00, -250.00, '2026-01-05 14:00+00', '2026-01-05 17:00+00', 97.00, 'closed');
SELECT catalyst.catalyst_position_risk(100001) AS seed_settings;
SET catalyst.risk_loss_high = -250;
SET catalyst.risk_hold_hours = 2;
SET catalyst.risk_stop_distance = 0.03;
SELECT catalyst.catalyst_position_risk(100001) AS desk_settings,
       catalyst.calculate_position_risk(p_position_id => 100001) AS seed_name;
RESET ALL;

-- The row form is inlined: it reads the scan's own columns, the whole row is never built.
EXPLAIN (VERBOSE, COSTS OFF) SELECT catalyst.catalyst_position_risk(p) FROM catalyst.positions p;

-- NULL in, NULL out; an unknown id is an error naming it (SQLSTATE P0002), where the seed made up 0.30
SELECT catalyst.catalyst_position_risk(NULL::integer) IS NULL AS by_id,
       catalyst.calculate_position_risk(NULL) IS NULL AS seed_name,
       catalyst.catalyst_position_risk(NULL::catalyst.positions) IS NULL AS by_row,
       catalyst.position_risk_score(NULL, NULL, NULL, NULL, NULL) IS NULL AS by_columns;
SELECT seed_ref.calculate_position_risk(-1) AS seed_unknown_id;
DO $$
BEGIN
    PERFORM catalyst.catalyst_position_risk(-1);
EXCEPTION WHEN no_data_found THEN
    RAISE NOTICE 'SQLSTATE %: %', SQLSTATE, SQLERRM;
END $$;
-- the score of values that are no position's: the seed's rules still apply to each
SELECT catalyst.position_risk_score(-600, NULL, NULL, NULL, 10) AS no_opened_at,
       catalyst.position_risk_score(NULL, now() - interval '5 hours', NULL, 1, NULL) AS no_entry_price,
       catalyst.position_risk_score(-1e30, now(), NULL, 'NaN', 10) AS odd_numbers;

-- Infinite timestamps.  In the seed, and in 4.1, one position with an infinite opened_at failed
-- every refresh_position_risk() (and so the every-minute job); since 4.2 positions refuses them,
-- with a clear error naming the constraint.
\set VERBOSITY terse
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES (100002, 'c1', 'AAPL', 'long', 1, 'o1', 10.00, 'infinity');
UPDATE catalyst.positions SET closed_at = '-infinity' WHERE position_id = 1;
\set VERBOSITY default
-- A database where such rows exist anyway (the constraints dropped here, in a transaction, to make
-- them): scoring does not fail.  An infinite end makes the hold infinite: opened at -infinity, a
-- long hold; opened at +infinity, not.
BEGIN;
ALTER TABLE catalyst.positions DROP CONSTRAINT positions_opened_at_finite,
    DROP CONSTRAINT positions_closed_at_finite;
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                stop_loss, unrealized_pnl, opened_at)
VALUES (100002, 'c1', 'AAPL', 'long', 1, 'o1', 10.00, 9.90, 0, 'infinity'),
       (100003, 'c1', 'AAPL', 'long', 1, 'o1', 10.00, 9.90, 0, '-infinity');
SELECT catalyst.refresh_position_risk() > 0 AS refreshed_with_infinite_rows;
SELECT position_id, risk_score, catalyst.catalyst_position_risk(position_id) AS by_id
FROM catalyst.positions WHERE position_id IN (100002, 100003) ORDER BY position_id;
SELECT catalyst.position_risk_score(0, '-infinity', 'infinity', 9.90, 10.00) AS whole_time,
       catalyst.position_risk_score(0, now(), 'infinity', 9.90, 10.00) AS closed_at_infinity,
       catalyst.position_risk_score(0, now(), '-infinity', 9.90, 10.00) AS closed_at_minus_infinity;
-- the seed fails on such a row; catalyst only where the hold has no value at all (same infinity)
UPDATE catalyst.positions SET opened_at = 'infinity', closed_at = 'infinity' WHERE position_id = 100002;
DO $$
BEGIN
    PERFORM seed_ref.calculate_position_risk(100003);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'seed: SQLSTATE %: %', SQLSTATE, SQLERRM;
END $$;
DO $$
BEGIN
    PERFORM catalyst.catalyst_position_risk(100002);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'catalyst: SQLSTATE %: %', SQLSTATE, SQLERRM;
END $$;

ROLLBACK;
-- (the index scan the by-id form keeps between calls: test/sql/risk_scan.sql)

-- refresh_position_risk(): risk_score of the open positions, one cycle or all, only where it changed
SELECT count(*) FILTER (WHERE status = 'open') AS open_c1 FROM catalyst.positions WHERE cycle_id = 'c1';
SELECT count(*) FILTER (WHERE status = 'open') AS open_c2 FROM catalyst.positions WHERE cycle_id = 'c2';
DELETE FROM catalyst.positions WHERE position_id = 100002;
-- (one transaction: now(), and so the hold times, stay put between the statements, however slowly
-- they run, as under valgrind)
BEGIN;
SELECT catalyst.refresh_position_risk('c2') AS refreshed_c2;
SELECT catalyst.refresh_position_risk() AS refreshed_rest;
SELECT catalyst.refresh_position_risk() AS refreshed_again;
SELECT count(*) FILTER (WHERE status = 'open' AND risk_score::text IS DISTINCT FROM seed_ref.calculate_position_risk(position_id)::text) AS open_wrong,
       count(*) FILTER (WHERE status <> 'open' AND risk_score IS NOT NULL) AS closed_written
FROM catalyst.positions;
-- refresh_position_risk() writes with the settings' database-wide values: a SET in the session
-- changes what this session computes, not what the refresh writes (test/sql/risk_settings.sql)
SET catalyst.risk_no_stop_weight = 0.1;
SELECT catalyst.refresh_position_risk() AS refreshed_with_session_setting;
SELECT count(*) FILTER (WHERE risk_score::text IS DISTINCT FROM seed_ref.calculate_position_risk(position_id)::text) AS open_wrong,
       count(*) FILTER (WHERE risk_score IS DISTINCT FROM catalyst.catalyst_position_risk(p)) AS differ_from_session
FROM catalyst.positions p WHERE status = 'open';
SHOW catalyst.risk_no_stop_weight;
RESET catalyst.risk_no_stop_weight;
COMMIT;

DROP SCHEMA seed_ref CASCADE;
DROP EXTENSION catalyst;

-- An update of a 4.1 database holding a position with an infinite time stops, before changing
-- anything, and names what to correct; corrected, it updates.
CREATE EXTENSION catalyst VERSION '4.1';
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('o1', 'c1', 'AAPL', 'buy', 'market', 10);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES (1, 'c1', 'AAPL', 'long', 1, 'o1', 10.00, 'infinity');
-- (the refresh, with the 4.2 library, scores it instead of failing for every position)
SELECT catalyst.refresh_position_risk();
ALTER EXTENSION catalyst UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'catalyst';
UPDATE catalyst.positions SET opened_at = '2026-01-05 14:30:00+00' WHERE position_id = 1;
ALTER EXTENSION catalyst UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'catalyst';
DROP EXTENSION catalyst;
