-- Bad input gets a clear error and changes nothing: NULLs, unknown ids, absurd settings and
-- arguments, values outside the CHECK constraints (named in the message), misused triggers.
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('bad-1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('bad-o1', 'bad-1', 'AAPL', 'buy', 'market', 10);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES (1, 'bad-1', 'AAPL', 'long', 10, 'bad-o1', 100.00);

-- a snapshot of everything the statements below must leave alone
CREATE TEMP TABLE snapshot AS
SELECT c.relname, (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid) AS partitions
FROM pg_class c WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind = 'p';
CREATE TEMP VIEW state AS
SELECT (SELECT count(*) FROM catalyst.trading_cycles) AS cycles,
       (SELECT count(*) FROM catalyst.orders) AS orders,
       (SELECT count(*) FROM catalyst.positions) AS positions,
       (SELECT count(*) FROM catalyst.trading_signals) AS signals,
       (SELECT count(*) FROM catalyst.pattern_detections) AS patterns,
       (SELECT count(*) FROM catalyst.news_catalysts) AS news,
       (SELECT count(*) FROM catalyst.scan_results) AS scans,
       (SELECT count(*) FROM catalyst.audit_log) AS audit_events,
       (SELECT md5(string_agg(o::text, '|' ORDER BY o.order_id)) FROM catalyst.orders o) AS orders_md5,
       (SELECT md5(string_agg(p::text, '|' ORDER BY p.position_id)) FROM catalyst.positions p) AS positions_md5;
CREATE TEMP TABLE before AS SELECT * FROM state;

-- NULL into the STRICT functions: NULL, not an error and not a guess
SELECT catalyst.trading_date(NULL) IS NULL AS trading_date_null,
       catalyst.trading_day_start(NULL) IS NULL AS trading_day_start_null;
-- NULL premake means "the setting", documented
SELECT catalyst.create_monthly_partitions(NULL) AS created_with_setting;

\set VERBOSITY terse
-- absurd premake: rejected before anything is made
SELECT catalyst.create_monthly_partitions(-1);
SELECT catalyst.create_monthly_partitions(121);
SELECT catalyst.create_monthly_partitions(100000);
-- absurd settings: rejected by their ranges, the setting keeps its value
SET catalyst.premake_months = -1;
SET catalyst.premake_months = 100000;
SHOW catalyst.premake_months;
SET catalyst.scan_retention_days = 0;
SET catalyst.audit_retention_days = -5;
SET catalyst.position_archive_days = 100000;
SET catalyst.audit = 'maybe';
SET catalyst.risk_loss_weight = 2;
SET catalyst.no_such_setting = 1;
\set VERBOSITY default
-- (a session may not set catalyst.trading_timezone at all: test/sql/trading_timezone.sql)
SET catalyst.trading_timezone = 'Mars/Olympus_Mons';
SHOW catalyst.trading_timezone;
\set VERBOSITY terse

-- unknown ids: a foreign key names what is missing; an UPDATE or DELETE of no row does nothing
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('bad-o2', 'no-such-cycle', 'AAPL', 'buy', 'market', 1);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES (2, 'bad-1', 'AAPL', 'long', 1, 'no-such-order', 100.00);
UPDATE catalyst.positions SET exit_order_id = 'no-such-order' WHERE position_id = 1;
UPDATE catalyst.orders SET status = 'filled' WHERE order_id = 'no-such-order';
DELETE FROM catalyst.positions WHERE position_id = 999999;
DELETE FROM catalyst.trading_cycles WHERE cycle_id = 'bad-1';

-- NULL where a value is required
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES (NULL, 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('bad-o3', 'bad-1', NULL, 'buy', 'market', 1);
UPDATE catalyst.positions SET entry_price = NULL WHERE position_id = 1;

-- every enum-like column and range: the CHECK constraint is named in the message
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('bad-2', 'reckless', 300);
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, status) VALUES ('bad-2', 'normal', 300, 'running');
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('bad-2', 'normal', 59);
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, max_positions) VALUES ('bad-2', 'normal', 300, 11);
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, risk_level) VALUES ('bad-2', 'normal', 300, -0.1);
UPDATE catalyst.trading_cycles SET status = 'archived' WHERE cycle_id = 'bad-1';
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('bad-o4', 'bad-1', 'AAPL', 'hold', 'market', 1);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('bad-o4', 'bad-1', 'AAPL', 'buy', 'iceberg', 1);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, time_in_force)
VALUES ('bad-o4', 'bad-1', 'AAPL', 'buy', 'market', 1, 'forever');
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('bad-o4', 'bad-1', 'AAPL', 'buy', 'market', 0);
UPDATE catalyst.orders SET status = 'lost' WHERE order_id = 'bad-o1';
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES ('bad-1', 'AAPL', 'sideways', 1, 'bad-o1', 100.00);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES ('bad-1', 'AAPL', 'long', -1, 'bad-o1', 100.00);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES ('bad-1', 'AAPL', 'long', 1, 'bad-o1', 0);
UPDATE catalyst.positions SET status = 'gone' WHERE position_id = 1;
INSERT INTO catalyst.trading_signals (cycle_id, symbol, signal_type, source, signal_strength)
VALUES ('bad-1', 'AAPL', 'x', 'test', 'huge');
INSERT INTO catalyst.trading_signals (cycle_id, symbol, signal_type, source, confidence)
VALUES ('bad-1', 'AAPL', 'x', 'test', 1.5);
INSERT INTO catalyst.trading_signals (cycle_id, symbol, signal_type, source, action)
VALUES ('bad-1', 'AAPL', 'x', 'test', 'panic');
INSERT INTO catalyst.pattern_detections (cycle_id, symbol, pattern_type, timeframe, confidence)
VALUES ('bad-1', 'AAPL', 'flag', '5m', -0.5);
INSERT INTO catalyst.news_catalysts (symbol, headline, published_at, sentiment)
VALUES ('AAPL', 'x', '2024-01-01', 'euphoric');
INSERT INTO catalyst.news_catalysts (symbol, headline, published_at, impact_level)
VALUES ('AAPL', 'x', '2024-01-01', 'apocalyptic');
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume, momentum_score)
VALUES ('bad-s', 'bad-1', 'AAPL', '2020-01-15 12:00+00', 1, 1, 101);
-- a bad row in a multi-row statement: none of the rows is written
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('bad-o5', 'bad-1', 'AAPL', 'buy', 'market', 1), ('bad-o6', 'bad-1', 'AAPL', 'buy', 'market', -1);

-- misused trigger functions
\set VERBOSITY default
SELECT catalyst.audit_row_change();
CREATE TABLE public.no_key (id int, cycle_id varchar(20));
CREATE TRIGGER audit AFTER INSERT ON public.no_key FOR EACH ROW EXECUTE FUNCTION catalyst.audit_row_change();
INSERT INTO public.no_key VALUES (1, 'bad-1');
CREATE TABLE public.before_audit (id int PRIMARY KEY);
CREATE TRIGGER audit BEFORE INSERT ON public.before_audit FOR EACH ROW EXECUTE FUNCTION catalyst.audit_row_change();
INSERT INTO public.before_audit VALUES (1);
CREATE TABLE public.one_argument (id int PRIMARY KEY, status text);
CREATE TRIGGER audit AFTER UPDATE ON public.one_argument FOR EACH ROW EXECUTE FUNCTION catalyst.audit_row_change('status');
INSERT INTO public.one_argument VALUES (1, 'open');
UPDATE public.one_argument SET status = 'closed';
DROP TABLE public.no_key, public.before_audit, public.one_argument;

-- nothing changed: the same rows, audit events and partitions as before
SELECT (SELECT row(b.*)::text FROM before b) = (SELECT row(s.*)::text FROM state s) AS rows_unchanged;
SELECT s.relname, s.partitions = (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = ('catalyst.' || s.relname)::regclass)
       AS partitions_unchanged
FROM snapshot s ORDER BY 1;

DROP VIEW state;
DROP EXTENSION catalyst;
