-- The catalyst.risk_* settings are risk policy: only a superuser may set them (per database with
-- ALTER DATABASE ... SET, or server-wide), and refresh_position_risk() writes the scores of
-- everyone's positions with those database-wide values, never with a session's own SET.
CREATE EXTENSION catalyst;

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, status)
VALUES ('c1', 'normal', 300, 'active');
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('o1', 'c1', 'AAPL', 'buy', 'market', 10);
-- no stop loss: scores risk_no_stop_weight (0.3 by default) and nothing else
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id,
                                entry_price, unrealized_pnl, opened_at)
VALUES (1, 'c1', 'AAPL', 'long', 10, 'o1', 100.00, 0, now());

SELECT name, context FROM pg_settings WHERE name LIKE 'catalyst.risk%' ORDER BY 1;

-- no catalyst role may set them, not even for its own session
CREATE ROLE regress_risk_trader LOGIN IN ROLE catalyst_trader;
CREATE ROLE regress_risk_admin LOGIN IN ROLE catalyst_admin;
SET ROLE regress_risk_trader;
SET catalyst.risk_no_stop_weight = 0;
SELECT catalyst.catalyst_position_risk(1) AS trader_sees;
RESET ROLE;
SET ROLE regress_risk_admin;
SET catalyst.risk_no_stop_weight = 0;
SELECT set_config('catalyst.risk_hold_hours', '0', false);
ALTER ROLE regress_risk_admin SET catalyst.risk_no_stop_weight = 0;
RESET ROLE;

-- A superuser's session may try other values; what it computes changes, what the refresh writes
-- does not.
SET catalyst.risk_no_stop_weight = 0.9;
SELECT catalyst.catalyst_position_risk(1) AS session_score;
-- (the session's settings are back after a refresh that fails...)
CREATE FUNCTION public.regress_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'update refused';
END $$;
CREATE TRIGGER regress_refuse BEFORE UPDATE ON catalyst.positions
    FOR EACH ROW EXECUTE FUNCTION public.regress_refuse();
SELECT catalyst.refresh_position_risk() AS refreshed;
SHOW catalyst.risk_no_stop_weight;
DROP TRIGGER regress_refuse ON catalyst.positions;
DROP FUNCTION public.regress_refuse();
SELECT catalyst.refresh_position_risk() AS refreshed;
SELECT risk_score AS written FROM catalyst.positions WHERE position_id = 1;
-- (... and after one that succeeds)
SHOW catalyst.risk_no_stop_weight;
RESET catalyst.risk_no_stop_weight;

-- The database-wide value: ALTER DATABASE ... SET, seen by every new session and by the refresh
-- whoever runs it.  The refresh reads the value exactly, not as SHOW displays it (0.125, which
-- would score 0.13).
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET catalyst.risk_no_stop_weight = 0.12499999', current_database());
END $$;
\c
SET catalyst.risk_no_stop_weight = 0.9;
SELECT catalyst.refresh_position_risk() AS refreshed;
SELECT risk_score AS written FROM catalyst.positions WHERE position_id = 1;
SELECT catalyst.position_risk_score(0, now(), NULL, NULL, 100) AS session_score;
RESET catalyst.risk_no_stop_weight;
SELECT catalyst.position_risk_score(0, now(), NULL, NULL, 100) AS database_score;
-- a trader's reads use the database's value too
SET ROLE regress_risk_trader;
SELECT catalyst.catalyst_position_risk(1) AS trader_sees;
RESET ROLE;
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I RESET catalyst.risk_no_stop_weight', current_database());
END $$;
\c

DROP ROLE regress_risk_trader;
DROP ROLE regress_risk_admin;
DROP EXTENSION catalyst;
