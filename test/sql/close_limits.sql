-- Closes at the edges of what the columns hold get a clear error (SQLSTATE, detail, hint), never
-- a bare numeric overflow, a raw datetime error or a wrong hold_duration.
CREATE EXTENSION catalyst;
\set VERBOSITY default

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('in', 'c1', 'PENNY', 'buy', 'market', 1);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES ('c1', 'PENNY', 'long', 1, 'in', 0.01, '2026-03-02 09:00+00'),
       ('c1', 'PENNY', 'short', 1, 'in', 0.01, '2026-03-02 09:00+00'),
       ('c1', 'LATE', 'long', 1, 'in', 10.00, '2026-03-02 09:00+00'),
       ('c1', 'ANCIENT', 'long', 1, 'in', 10.00, '4713-11-24 00:00+00 BC');

-- the widest move the prices allow, either side: +-999,999,999,800.00 % fits pnl_percent
UPDATE catalyst.positions SET status = 'closed', exit_price = 99999999.99, closed_at = '2026-03-02 10:00+00'
 WHERE symbol = 'PENNY';
SELECT side, realized_pnl, pnl_percent FROM catalyst.positions WHERE symbol = 'PENNY' ORDER BY side;
UPDATE catalyst.positions SET status = 'open' WHERE symbol = 'PENNY';

-- an absurd exit_price: a negative one made pnl_percent overflow ("numeric field overflow");
-- now the named constraint refuses it (23514), and nothing changes.  (Terse: the constraint's
-- DETAIL shows the whole row, timestamps of now included.)
\set VERBOSITY terse
UPDATE catalyst.positions SET status = 'closed', exit_price = -99999999.99, closed_at = '2026-03-02 10:00+00'
 WHERE symbol = 'PENNY' AND side = 'long';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE catalyst.positions SET status = 'closed', exit_price = -99999999.99, closed_at = '2026-03-02 10:00+00'
 WHERE symbol = 'PENNY' AND side = 'short';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
VALUES ('c1', 'PENNY', 'long', 1, 'in', 0.01, '2026-03-02 09:00+00', 'closed', -5, '2026-03-02 10:00+00');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- one beyond the column's precision is the column's own error (numeric field overflow, 22003)
UPDATE catalyst.positions SET status = 'closed', exit_price = 100000000.00, closed_at = '2026-03-02 10:00+00'
 WHERE symbol = 'PENNY' AND side = 'long';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
\set VERBOSITY default
SELECT symbol, side, status, exit_price, realized_pnl FROM catalyst.positions ORDER BY position_id;
-- a worthless exit is a price: -100 %
UPDATE catalyst.positions SET status = 'closed', exit_price = 0, closed_at = '2026-03-02 10:00+00'
 WHERE symbol = 'PENNY' AND side = 'long';
SELECT realized_pnl, pnl_percent FROM catalyst.positions WHERE symbol = 'PENNY' AND side = 'long';

-- the last representable day: the trade's day has no next day (the metrics' day bound); it
-- failed with "date out of range for timestamp" from the roll-up
UPDATE catalyst.positions SET status = 'closed', exit_price = 11, closed_at = '294276-12-31 23:59:59+00'
 WHERE symbol = 'LATE';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- the day before the limit still closes, in the trading time zone furthest east or west
-- (catalyst.trading_timezone is one value per database: set there, seen by the next session)
SELECT format('ALTER DATABASE %I SET catalyst.trading_timezone = %L', current_database(), 'Pacific/Kiritimati') \gexec
\c
UPDATE catalyst.positions SET status = 'closed', exit_price = 11, closed_at = '294276-12-29 23:59:59+00'
 WHERE symbol = 'LATE';
SELECT closed_at, realized_pnl, hold_duration > interval '106000000 days' AS long_hold
FROM catalyst.positions WHERE symbol = 'LATE';
SELECT format('ALTER DATABASE %I SET catalyst.trading_timezone = %L', current_database(), 'Etc/GMT+12') \gexec
\c
UPDATE catalyst.positions SET status = 'open' WHERE symbol = 'LATE';
UPDATE catalyst.positions SET status = 'closed' WHERE symbol = 'LATE';
SELECT status, hold_duration > interval '106000000 days' AS long_hold FROM catalyst.positions WHERE symbol = 'LATE';
SELECT format('ALTER DATABASE %I RESET catalyst.trading_timezone', current_database()) \gexec
\c

-- a hold longer than an interval holds: it wrapped around to a negative hold_duration
-- (-104300821 days) and was stored; now a clear error
UPDATE catalyst.positions SET status = 'closed', exit_price = 11, closed_at = '294276-12-29 00:00+00'
 WHERE symbol = 'ANCIENT';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT status, hold_duration FROM catalyst.positions WHERE symbol = 'ANCIENT';
-- an ordinary close of it works
UPDATE catalyst.positions SET status = 'closed', exit_price = 11, closed_at = '2026-03-02 10:00+00'
 WHERE symbol = 'ANCIENT';
SELECT status, hold_duration FROM catalyst.positions WHERE symbol = 'ANCIENT';

-- a close (or an update of a closed position) that sets a NOT NULL column to NULL: the close
-- trigger runs before PostgreSQL checks NOT NULL, and read the NULL (sqlsmith crashed the server
-- with these on the checking build); now the column's own not-null error (23502)
\set VERBOSITY terse
UPDATE catalyst.positions SET entry_price = NULL WHERE symbol = 'ANCIENT';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE catalyst.positions SET side = NULL, status = 'closed', exit_price = 10, closed_at = '2026-03-02 10:00+00'
 WHERE symbol = 'PENNY' AND side = 'long';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE catalyst.positions SET quantity = NULL WHERE symbol = 'ANCIENT';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
UPDATE catalyst.positions SET opened_at = NULL WHERE symbol = 'ANCIENT';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
\set VERBOSITY default
SELECT symbol, side, status, entry_price, quantity, realized_pnl FROM catalyst.positions WHERE symbol = 'ANCIENT';

-- the constraint is in the catalog, validated, with its comment
SELECT conname, convalidated, pg_get_constraintdef(oid) AS definition,
       obj_description(oid, 'pg_constraint') AS comment
FROM pg_constraint WHERE conname = 'positions_exit_price_check';

DROP EXTENSION catalyst;
