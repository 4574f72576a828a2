-- catalyst.trading_timezone is one value per database (issue 8): a session, a role, a function or
-- a client may not set its own, or two sessions would file one trade under different days.
-- Only the server's configuration and ALTER DATABASE set it.
CREATE EXTENSION catalyst;
\set VERBOSITY default
-- refused: SET, SET LOCAL, a function's SET clause, set_config(), also for a superuser
SET catalyst.trading_timezone = 'America/New_York';
BEGIN;
SET LOCAL catalyst.trading_timezone = 'America/New_York';
ROLLBACK;
SELECT set_config('catalyst.trading_timezone', 'Asia/Tokyo', false);
CREATE FUNCTION pg_temp.in_tokyo() RETURNS date LANGUAGE sql
    SET catalyst.trading_timezone = 'Asia/Tokyo' AS $$ SELECT catalyst.trading_date(now()) $$;
\set VERBOSITY terse
-- an admin, who may set the other catalyst settings, may not set this one either
SET ROLE catalyst_admin;
SET catalyst.trading_timezone = 'America/New_York';
SET catalyst.premake_months = 4;
RESET ROLE;

-- ALTER DATABASE sets it for new sessions
SELECT format('ALTER DATABASE %I SET catalyst.trading_timezone = %L', current_database(), 'America/New_York') \gexec
\c
SELECT catalyst.trading_date('2026-03-01 23:30-05') AS new_york_date;
SHOW catalyst.trading_timezone;

\i test/include/metrics_drift.sql
-- trades crossing midnight in catalyst.trading_timezone, whatever the session's TimeZone
SET TimeZone = 'Asia/Tokyo';
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('ny', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('in1', 'ny', 'LATE', 'buy', 'market', 10, 1.00);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES ('ny', 'LATE', 'long', 10, 'in1', 10.00, '2026-03-01 23:00-05'),
       ('ny', 'EVE', 'long', 10, 'in1', 10.00, '2026-03-01 22:00-05');
-- opened 23:00 on 1 March in New York, closed 00:30 on 2 March there: a 2 March trade of 1:30
UPDATE catalyst.positions SET status = 'closed', exit_price = 11.00, closed_at = '2026-03-02 00:30-05' WHERE symbol = 'LATE';
-- closed 23:59 on 1 March in New York: 04:59 on 2 March in UTC, 13:59 on 2 March in Tokyo, but a 1 March trade
UPDATE catalyst.positions SET status = 'closed', exit_price = 9.00, closed_at = '2026-03-01 23:59-05' WHERE symbol = 'EVE';
SELECT metric_date, total_trades, gross_pnl, avg_hold_time FROM catalyst.performance_metrics WHERE cycle_id = 'ny' ORDER BY metric_date;
SELECT pg_temp.drift() AS drift;
-- (catalyst.trading_timezone is a per-database setting: the rows filed under New York dates go
-- before it changes back, or they would belong to days that no longer exist)
DELETE FROM catalyst.positions WHERE cycle_id = 'ny';
SELECT metric_date, total_trades FROM catalyst.performance_metrics WHERE cycle_id = 'ny' ORDER BY metric_date;
RESET TimeZone;

SELECT format('ALTER DATABASE %I RESET catalyst.trading_timezone', current_database()) \gexec
\c
SELECT catalyst.trading_date('2026-03-01 23:30-05') AS utc_date_again;
-- a client's startup options are refused the same way (the session keeps the database's value)
\c "dbname=contrib_regression options='-c catalyst.trading_timezone=Asia/Tokyo'"
SELECT catalyst.trading_date('2026-03-01 23:30-05') AS utc_date_despite_client;
SHOW catalyst.trading_timezone;
DROP EXTENSION catalyst;
