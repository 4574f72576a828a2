-- search_path safety (CVE-2018-1058, CVE-2020-14350): a hostile schema put first on search_path
-- shadows now(), count(*), the functions the C code calls, the = operator for varchar and for
-- text, and every table name of the extension; every planted object records its call.  Then
-- every function, trigger, view and policy of the extension runs, and none of them calls a
-- planted object.
CREATE SCHEMA hostile;
CREATE TABLE hostile.calls (n serial, what text);
GRANT USAGE ON SCHEMA hostile TO PUBLIC;
GRANT INSERT ON hostile.calls TO PUBLIC;
GRANT USAGE ON SEQUENCE hostile.calls_n_seq TO PUBLIC;
-- a planted object calls this, which records the call and says so
CREATE FUNCTION hostile.called(what text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO hostile.calls (what) VALUES (what);
    RAISE NOTICE 'hostile % called', what;
END $$;

CREATE FUNCTION hostile.now() RETURNS timestamptz
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM hostile.called('now()'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION hostile.count_step(bigint) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM hostile.called('count(*)'); RETURN $1 + 1; END $$;
CREATE AGGREGATE hostile.count(*) (SFUNC = hostile.count_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION hostile.varchar_eq(varchar, varchar) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM hostile.called('=(varchar, varchar)'); RETURN $1::text OPERATOR(pg_catalog.=) $2::text; END $$;
CREATE OPERATOR hostile.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = hostile.varchar_eq);
CREATE FUNCTION hostile.text_eq(text, text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM hostile.called('=(text, text)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.text_eq);
-- what the C code's queries call: qualified there, planted here anyway
CREATE FUNCTION hostile.inet_client_addr() RETURNS inet
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM hostile.called('inet_client_addr()'); RETURN NULL; END $$;
CREATE FUNCTION hostile.current_setting(text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM hostile.called('current_setting()'); RETURN pg_catalog.current_setting($1); END $$;
CREATE FUNCTION hostile.format(text, VARIADIC text[]) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM hostile.called('format()'); RETURN NULL; END $$;
CREATE FUNCTION hostile.quote_ident(text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM hostile.called('quote_ident()'); RETURN pg_catalog.quote_ident($1); END $$;

SET search_path = hostile, pg_catalog, public;

-- the plants work: unqualified names reach them under this search_path
SELECT now() IS NOT NULL AS planted_now;
SELECT 'a'::varchar = 'a'::varchar AS planted_varchar_eq;
SELECT 'a'::text = 'a'::text AS planted_text_eq;
SELECT count(*) AS planted_count FROM (VALUES (1)) v;
SELECT what, pg_catalog.count(*) FROM hostile.calls GROUP BY 1 ORDER BY 1;
TRUNCATE hostile.calls;

-- CREATE EXTENSION with this search_path (the script runs with search_path = catalyst)
CREATE EXTENSION catalyst;

-- Relations named like the extension's, in the hostile schema, ahead of pg_catalog: each is a
-- view over the real table that records every read, and records and drops every write.
CREATE FUNCTION hostile.read(what text, kind anyelement) RETURNS SETOF anyelement
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    PERFORM hostile.called(what);
    RETURN QUERY EXECUTE pg_catalog.format('SELECT * FROM catalyst.%I', what);
END $$;
CREATE FUNCTION hostile.write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN PERFORM hostile.called(TG_OP || ' ' || TG_TABLE_NAME); RETURN NULL; END $$;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['trading_cycles', 'orders', 'positions', 'positions_archive',
                             'scan_results', 'scan_results_default', 'audit_log', 'audit_log_default',
                             'trading_signals', 'pattern_detections', 'news_catalysts',
                             'performance_metrics', 'v_active_trading', 'v_daily_performance',
                             -- 4.2: the roll-up's tables, the ledger's, maintenance_runs
                             'metrics_days', 'metrics_slices', 'metrics_hours', 'metrics_pending',
                             'fills', 'order_events', 'stop_changes', 'maintenance_runs']
    LOOP
        EXECUTE pg_catalog.format('CREATE VIEW hostile.%I AS SELECT * FROM hostile.read(%L, NULL::catalyst.%I)', t, t, t);
        EXECUTE pg_catalog.format('CREATE TRIGGER write INSTEAD OF INSERT OR UPDATE OR DELETE ON hostile.%I '
                                  'FOR EACH ROW EXECUTE FUNCTION hostile.write()', t);
        EXECUTE pg_catalog.format('GRANT ALL ON hostile.%I TO PUBLIC', t);
    END LOOP;
END $$;
SELECT pg_catalog.count(*) AS planted_relations FROM pg_catalog.pg_class
WHERE relnamespace OPERATOR(pg_catalog.=) 'hostile'::regnamespace AND relkind OPERATOR(pg_catalog.=) 'v';
-- they work too: an unqualified name reaches them
SELECT pg_catalog.count(*) AS planted_orders FROM orders;
INSERT INTO audit_log (event_type, event_category) VALUES ('forged', 'test');
SELECT what FROM hostile.calls ORDER BY n;
TRUNCATE hostile.calls;

CREATE ROLE regress_sec_path_trader LOGIN IN ROLE catalyst_trader;
CREATE ROLE regress_sec_path_admin LOGIN IN ROLE catalyst_admin;

-- Now exercise everything, as the superuser and as the trading roles.  The expected output has
-- no NOTICE from a planted object, and hostile.calls stays empty.
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('path-1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('path-o1', 'path-1', 'AAPL', 'buy', 'market', 10), ('path-o2', 'path-1', 'AAPL', 'sell', 'market', 10);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
VALUES (1, 'path-1', 'AAPL', 'long', 10, 'path-o1', 100.00, pg_catalog.now() OPERATOR(pg_catalog.-) interval '2 hours'),
       (2, 'path-1', 'AAPL', 'long', 5, 'path-o2', 100.00, pg_catalog.now());
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, price, volume, momentum_score, catalyst_score, pattern_score, technical_score)
VALUES ('s1', 'path-1', 'AAPL', 100, 1000, 50, 50, 50, 50);
INSERT INTO catalyst.trading_signals (cycle_id, symbol, signal_type, source) VALUES ('path-1', 'AAPL', 'breakout', 'test');
-- the updated_at trigger and the row audit trigger (UPDATE keeps only the changed columns)
UPDATE catalyst.orders SET status = 'submitted' WHERE order_id OPERATOR(pg_catalog.=) 'path-o1';
UPDATE catalyst.positions SET status = 'closed', exit_order_id = 'path-o2', exit_price = 101.00,
       closed_at = opened_at OPERATOR(pg_catalog.+) interval '1 hour', hold_duration = interval '1 hour', realized_pnl = 10 WHERE position_id OPERATOR(pg_catalog.=) 1;
UPDATE catalyst.positions SET unrealized_pnl = NULL WHERE position_id OPERATOR(pg_catalog.=) 1;
-- the functions
SELECT catalyst.trading_date('2024-03-01 23:30+00') AS trading_date,
       catalyst.trading_day_start('2024-03-01') OPERATOR(pg_catalog.=) '2024-03-01 00:00+00' AS day_start;
SELECT p.position_id, catalyst.position_hold_time(p) AS hold_time_if_closed
FROM catalyst.positions p WHERE p.closed_at IS NOT NULL;
SELECT p.position_id, catalyst.position_hold_time(p) OPERATOR(pg_catalog.<) interval '1 day' AS open_hold_time_so_far
FROM catalyst.positions p WHERE p.closed_at IS NULL;
-- the views
SELECT cycle_id, symbol, scan_score FROM catalyst.v_active_trading;
SELECT total_trades, total_pnl FROM catalyst.v_daily_performance;
-- partition maintenance, including moving rows out of the DEFAULT partitions
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume)
VALUES ('s-ahead', 'path-1', 'AAPL', pg_catalog.date_trunc('month', pg_catalog.now()) OPERATOR(pg_catalog.+) interval '6 months 3 days', 1, 1);
INSERT INTO catalyst.audit_log (event_type, event_category, created_at)
VALUES ('ahead', 'test', pg_catalog.date_trunc('month', pg_catalog.now()) OPERATOR(pg_catalog.+) interval '6 months 3 days');
SELECT catalyst.create_monthly_partitions(7) AS created;
-- the catalyst.audit switch and its events
SET catalyst.audit = off;
UPDATE catalyst.orders SET commission = 1 WHERE order_id OPERATOR(pg_catalog.=) 'path-o1';
SET catalyst.audit = on;
UPDATE catalyst.orders SET commission = 2 WHERE order_id OPERATOR(pg_catalog.=) 'path-o1';
-- risk scoring and the metrics roll-up (the close above went through the close triggers)
SELECT catalyst.catalyst_position_risk(1) AS risk_by_id, catalyst.calculate_position_risk(2) AS seed_name;
SELECT p.position_id, catalyst.catalyst_position_risk(p) AS risk_by_row FROM catalyst.positions p ORDER BY 1;
SELECT catalyst.refresh_position_risk() AS refreshed;
SELECT catalyst.update_performance_metrics(p.cycle_id, catalyst.trading_date(p.closed_at))
FROM catalyst.positions p WHERE p.position_id OPERATOR(pg_catalog.=) 1;
SELECT total_trades, gross_pnl, commissions FROM catalyst.performance_metrics;
-- 4.2: any range of days, one day merged, the ledger (a fill, a stop change, R)
SELECT total_trades, gross_pnl FROM catalyst.performance('path-1');
SELECT m.total_trades FROM catalyst.positions p, catalyst.metrics_day(p.cycle_id, catalyst.trading_date(p.closed_at)) m
WHERE p.position_id OPERATOR(pg_catalog.=) 1;
SELECT catalyst.record_fill('path-o1', 'path-f1', 10, 100.00, 0.50) AS fill_recorded;
SELECT status, executed_quantity FROM catalyst.orders WHERE order_id OPERATOR(pg_catalog.=) 'path-o1';
UPDATE catalyst.positions SET stop_loss = 95.00 WHERE position_id OPERATOR(pg_catalog.=) 2;
SELECT p.position_id, catalyst.r_multiple(p) AS r FROM catalyst.positions p ORDER BY 1;
-- retention and the pg_cron job list
SELECT catalyst.cleanup_old_data() IS NOT NULL AS cleaned;
SELECT job_name, schedule FROM catalyst.maintenance_jobs();
-- the append-only guard
\set VERBOSITY terse
DELETE FROM catalyst.audit_log;
\set VERBOSITY default
-- row-level security and the audit as a trader, retention of a partition as the admin
SET SESSION AUTHORIZATION regress_sec_path_trader;
SHOW search_path;
SELECT order_id, status FROM catalyst.orders ORDER BY order_id;
SELECT position_id FROM catalyst.positions WHERE position_id OPERATOR(pg_catalog.=) 1;
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('path-o3', 'path-1', 'TSLA', 'buy', 'market', 1);
UPDATE catalyst.orders SET status = 'submitted' WHERE order_id OPERATOR(pg_catalog.=) 'path-o3';
SELECT cycle_id, symbol FROM catalyst.v_active_trading;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sec_path_admin;
SELECT catalyst.create_monthly_partitions(8) AS created_by_admin;
DELETE FROM catalyst.orders WHERE order_id OPERATOR(pg_catalog.=) 'path-o3';
RESET SESSION AUTHORIZATION;
TRUNCATE catalyst.positions;

-- no planted object was ever called
SELECT pg_catalog.count(*) AS hostile_calls FROM hostile.calls;
-- (the planted views depend on the extension's tables)
DROP FUNCTION hostile.read(text, anyelement) CASCADE;
DROP EXTENSION catalyst;

-- Installing into a schema that others may write into is refused: its owner is not a superuser,
-- or someone else may create objects in it.
RESET search_path;
DROP SCHEMA catalyst;
CREATE SCHEMA catalyst AUTHORIZATION regress_sec_path_trader;
\set VERBOSITY default
CREATE EXTENSION catalyst;
DROP SCHEMA catalyst;
CREATE SCHEMA catalyst;
GRANT CREATE ON SCHEMA catalyst TO PUBLIC;
CREATE EXTENSION catalyst;
DROP SCHEMA catalyst;
-- a schema owned by a superuser and writable by no one else is fine
CREATE SCHEMA catalyst;
GRANT USAGE ON SCHEMA catalyst TO PUBLIC;
CREATE EXTENSION catalyst;
SELECT extname FROM pg_extension WHERE extname = 'catalyst';
DROP EXTENSION catalyst;
REVOKE USAGE ON SCHEMA catalyst FROM PUBLIC;

DROP SCHEMA hostile CASCADE;
DROP ROLE regress_sec_path_trader, regress_sec_path_admin;
