-- The trading date of a timestamp is its date in catalyst.trading_timezone, whatever the
-- session's TimeZone; an open position's hold time runs until now.
CREATE EXTENSION catalyst;

SET TimeZone = 'Asia/Tokyo';
SHOW catalyst.trading_timezone;
-- 23:30 on 1 March in New York is 04:30 on 2 March in UTC
SELECT catalyst.trading_date('2026-03-01 23:30-05') AS utc_date;
-- one value per database: ALTER DATABASE, seen by new sessions
SELECT format('ALTER DATABASE %I SET catalyst.trading_timezone = %L', current_database(), 'America/New_York') \gexec
\c
SET TimeZone = 'Asia/Tokyo';
SELECT catalyst.trading_date('2026-03-01 23:30-05') AS new_york_date;
-- the session's TimeZone (Tokyo, already 2 March) plays no part
SELECT ('2026-03-01 23:30-05'::timestamptz)::date AS session_date;
-- midnight in the trading zone, across a daylight-saving change (8 March 2026 in New York)
SELECT catalyst.trading_day_start('2026-03-08') AT TIME ZONE 'UTC' AS dst_day_start_utc,
       catalyst.trading_day_start('2026-03-09') AT TIME ZONE 'UTC' AS next_day_start_utc;
SELECT catalyst.trading_date('infinity'), catalyst.trading_day_start('-infinity');
SELECT catalyst.trading_date(NULL) IS NULL AS null_in_null_out;

SHOW catalyst.trading_timezone;
-- the prefix is reserved: a misspelt setting is an error, not a silent placeholder
SET catalyst.trading_timezon = 'UTC';
SELECT format('ALTER DATABASE %I RESET catalyst.trading_timezone', current_database()) \gexec
\c

-- hold time: live for an open position, fixed once closed
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('o1', 'c1', 'AAPL', 'buy', 'market', 10);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES ('c1', 'AAPL', 'long', 10, 'o1', 100.00, now() - interval '90 minutes'),
       ('c1', 'AAPL', 'long', 10, 'o1', 100.00, '2026-01-01 10:00+00');
UPDATE catalyst.positions SET closed_at = '2026-01-01 16:30+00' WHERE opened_at = '2026-01-01 10:00+00';
SELECT position_id, CASE WHEN closed_at IS NOT NULL THEN catalyst.position_hold_time(p) END AS closed_hold_time,
       catalyst.position_hold_time(p) = now() - opened_at AS runs_until_now
FROM catalyst.positions p ORDER BY 1;

\set VERBOSITY terse
-- entry_price must be positive (the seed let a zero through, and then divided by it)
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES ('c1', 'AAPL', 'long', 10, 'o1', 0);

DROP EXTENSION catalyst;
