-- Privileges: nothing of catalyst is PUBLIC's; catalyst_reader, catalyst_trader and catalyst_admin
-- may do what README "Security" says, and a login role granted none of them may do nothing.
CREATE EXTENSION catalyst;

-- the three group roles: no login, each a member of the one below it
SELECT rolname, rolcanlogin, rolsuper, rolinherit, rolbypassrls
FROM pg_roles WHERE rolname IN ('catalyst_reader', 'catalyst_trader', 'catalyst_admin') ORDER BY 1;
SELECT r.rolname AS role, m.rolname AS member_of
FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.member JOIN pg_roles m ON m.oid = a.roleid
WHERE r.rolname IN ('catalyst_reader', 'catalyst_trader', 'catalyst_admin') ORDER BY 1;

-- nothing granted to PUBLIC: relations, columns, routines (a NULL proacl means EXECUTE for
-- PUBLIC), the schema
SELECT c.oid::regclass::text AS granted_to_public
FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
WHERE c.relnamespace = 'catalyst'::regnamespace AND a.grantee = 0
UNION ALL
SELECT t.attrelid::regclass || '.' || t.attname
FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid CROSS JOIN LATERAL aclexplode(t.attacl) a
WHERE c.relnamespace = 'catalyst'::regnamespace AND a.grantee = 0
UNION ALL
SELECT p.oid::regprocedure::text
FROM pg_proc p
WHERE p.pronamespace = 'catalyst'::regnamespace
  AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0))
UNION ALL
SELECT n.nspname::text
FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
WHERE n.nspname = 'catalyst' AND a.grantee = 0;

-- what each role may do on each table, view and sequence (monthly partitions: see below)
CREATE FUNCTION pg_temp.privileges(role name, rel regclass) RETURNS text
LANGUAGE sql AS $$
    SELECT coalesce(string_agg(lower(p), ',' ORDER BY o), '-')
    FROM unnest(CASE WHEN (SELECT relkind FROM pg_class WHERE oid = rel) = 'S'
                     THEN ARRAY['USAGE', 'SELECT', 'UPDATE']
                     ELSE ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] END)
         WITH ORDINALITY AS t(p, o)
    WHERE CASE WHEN (SELECT relkind FROM pg_class WHERE oid = rel) = 'S'
               THEN has_sequence_privilege(role, rel, p) ELSE has_table_privilege(role, rel, p) END
$$;
SELECT c.relname, c.relkind,
       pg_temp.privileges('catalyst_reader', c.oid) AS reader,
       pg_temp.privileges('catalyst_trader', c.oid) AS trader,
       pg_temp.privileges('catalyst_admin', c.oid) AS admin
FROM pg_class c
WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
  AND c.relname !~ '_[0-9]{4}_[0-9]{2}$'
ORDER BY c.relkind, c.relname;

-- audit_log: the reader may read every column but the rows' contents and the client's identity
SELECT a.attname, has_column_privilege('catalyst_reader', a.attrelid, a.attnum, 'SELECT') AS reader,
       has_column_privilege('catalyst_admin', a.attrelid, a.attnum, 'SELECT') AS admin
FROM pg_attribute a
WHERE a.attrelid = 'catalyst.audit_log'::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;

-- functions
SELECT p.oid::regprocedure AS function,
       has_function_privilege('catalyst_reader', p.oid, 'EXECUTE') AS reader,
       has_function_privilege('catalyst_trader', p.oid, 'EXECUTE') AS trader,
       has_function_privilege('catalyst_admin', p.oid, 'EXECUTE') AS admin
FROM pg_proc p WHERE p.pronamespace = 'catalyst'::regnamespace
ORDER BY p.oid::regprocedure::text;

-- settings the admin role may set; catalyst.audit and the audit retention stay superuser-only
SELECT s.name,
       has_parameter_privilege('catalyst_trader', s.name, 'SET') AS trader,
       has_parameter_privilege('catalyst_admin', s.name, 'SET') AS admin
FROM pg_settings s
WHERE s.name LIKE 'catalyst.%' AND s.context = 'superuser'
ORDER BY 1;

-- Login roles, one per group role and one with no grant, as a trading engine would connect.
CREATE ROLE regress_sec_priv_reader LOGIN IN ROLE catalyst_reader;
CREATE ROLE regress_sec_priv_trader LOGIN IN ROLE catalyst_trader;
CREATE ROLE regress_sec_priv_admin LOGIN IN ROLE catalyst_admin;
CREATE ROLE regress_sec_priv_nobody LOGIN;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('priv-1', 'normal', 300);

\set VERBOSITY terse
-- no grant: nothing at all, not even the schema
SET SESSION AUTHORIZATION regress_sec_priv_nobody;
SELECT count(*) FROM catalyst.trading_cycles;
SELECT catalyst.trading_date(now());
SELECT * FROM catalyst.v_active_trading;
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('priv-o0', 'priv-1', 'AAPL', 'buy', 'market', 1);
RESET SESSION AUTHORIZATION;

-- a day the roll-up has pending (a marker): the view merges it for a reader, who may not read
-- metrics_pending itself (its rows are single trades, which row-level security may hide)
INSERT INTO catalyst.metrics_pending (cycle_id, metric_date) VALUES ('priv-1', '2024-03-01');

-- the reader: reads everything, audit_log without details; writes nothing, runs no maintenance
SET SESSION AUTHORIZATION regress_sec_priv_reader;
SELECT metric_date, total_trades FROM catalyst.performance_metrics WHERE cycle_id = 'priv-1';
SELECT count(*) FROM catalyst.metrics_pending;
SELECT count(*) AS cycles FROM catalyst.trading_cycles;
SELECT count(*) AS orders FROM catalyst.orders;
SELECT count(*) FROM catalyst.positions_archive;
SELECT count(*) FROM catalyst.scan_results;
SELECT count(*) FROM catalyst.performance_metrics;
SELECT count(*) FROM catalyst.v_active_trading;
SELECT count(*) FROM catalyst.v_daily_performance;
SELECT catalyst.trading_date('2024-03-01 12:00+00') AS trading_date;
SELECT count(event_type) > 0 AS reads_audit_events FROM catalyst.audit_log;
SELECT details FROM catalyst.audit_log;
SELECT * FROM catalyst.audit_log;
SELECT count(*) FROM catalyst.audit_log_default;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('priv-r', 'normal', 300);
UPDATE catalyst.trading_cycles SET max_positions = 2;
INSERT INTO catalyst.audit_log (event_type, event_category) VALUES ('forged', 'test');
SELECT catalyst.create_monthly_partitions(1);
SET catalyst.premake_months = 1;
RESET SESSION AUTHORIZATION;

-- the trader: writes what an engine writes, deletes nothing, touches neither the audit trail
-- nor maintenance
SET SESSION AUTHORIZATION regress_sec_priv_trader;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('priv-2', 'aggressive', 60);
UPDATE catalyst.trading_cycles SET max_positions = 3 WHERE cycle_id = 'priv-2';
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, price, volume) VALUES ('s1', 'priv-2', 'AAPL', 190, 100);
INSERT INTO catalyst.trading_signals (cycle_id, symbol, signal_type, source) VALUES ('priv-2', 'AAPL', 'breakout', 'test');
INSERT INTO catalyst.pattern_detections (cycle_id, symbol, pattern_type, timeframe) VALUES ('priv-2', 'AAPL', 'flag', '5m');
INSERT INTO catalyst.news_catalysts (symbol, headline, published_at) VALUES ('AAPL', 'news', '2024-03-01');
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('priv-o1', 'priv-2', 'AAPL', 'buy', 'market', 10);
UPDATE catalyst.orders SET status = 'submitted' WHERE order_id = 'priv-o1';
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES ('priv-2', 'AAPL', 'long', 10, 'priv-o1', 190.50) RETURNING symbol, side;
UPDATE catalyst.positions SET unrealized_pnl = 12.5 WHERE entry_order_id = 'priv-o1';
SELECT symbol, side, unrealized_pnl FROM catalyst.v_active_trading;
-- refused: deleting, truncating, the audit trail, the metrics and the archive, maintenance
DELETE FROM catalyst.orders WHERE order_id = 'priv-o1';
TRUNCATE catalyst.trading_signals;
SELECT details FROM catalyst.audit_log;
INSERT INTO catalyst.audit_log (event_type, event_category) VALUES ('forged', 'test');
INSERT INTO catalyst.metrics_days (cycle_id, metric_date) VALUES ('priv-2', '2024-03-01');
INSERT INTO catalyst.positions_archive (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price, status)
VALUES (99, 'priv-2', 'AAPL', 'long', 1, 'priv-o1', 1, 'closed');
SELECT catalyst.create_monthly_partitions(1);
SET catalyst.premake_months = 1;
RESET SESSION AUTHORIZATION;

-- the admin: deletes, reads the whole audit trail, runs partition maintenance, sets the
-- maintenance settings; not catalyst.audit nor the audit retention
SET SESSION AUTHORIZATION regress_sec_priv_admin;
SELECT count(details) > 0 AS reads_details FROM catalyst.audit_log;
DELETE FROM catalyst.trading_signals WHERE cycle_id = 'priv-2';
-- the metrics and the archive are the extension's to write, even for the admin: it recomputes
INSERT INTO catalyst.metrics_days (cycle_id, metric_date) VALUES ('priv-2', '2024-03-01');
SELECT catalyst.update_performance_metrics('priv-2', '2024-03-01');
SELECT total_trades FROM catalyst.performance_metrics WHERE cycle_id = 'priv-2';
SET catalyst.premake_months = 5;
SELECT catalyst.create_monthly_partitions() AS created;
SET catalyst.audit = off;
SET catalyst.audit_retention_days = 1;
UPDATE catalyst.audit_log SET details = '{}';
TRUNCATE catalyst.orders;
RESET SESSION AUTHORIZATION;
RESET catalyst.premake_months;

-- partitions made later (here by the admin) carry their parent's privileges and are owned like it
SELECT count(*) AS later_partitions,
       bool_and(c.relowner = p.relowner) AS owned_like_parent,
       bool_and(pg_temp.privileges('catalyst_reader', c.oid) = pg_temp.privileges('catalyst_reader', p.oid)
            AND pg_temp.privileges('catalyst_trader', c.oid) = pg_temp.privileges('catalyst_trader', p.oid)
            AND pg_temp.privileges('catalyst_admin', c.oid) = pg_temp.privileges('catalyst_admin', p.oid))
           AS same_privileges
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
WHERE p.relnamespace = 'catalyst'::regnamespace AND c.relname ~ '_[0-9]{4}_[0-9]{2}$';
SELECT DISTINCT pg_temp.privileges('catalyst_reader', c.oid) AS reader_on_audit_partitions
FROM pg_class c WHERE c.relname ~ '^audit_log_[0-9]{4}_[0-9]{2}$';

-- what the login roles did is in the audit trail, under their own names
SELECT entity_type, event_type, details->>'user' AS by_user, count(*)
FROM catalyst.audit_log WHERE event_category = 'row_audit'
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

DROP EXTENSION catalyst;
-- the group roles stay (they belong to the cluster); the test's login roles go
SELECT count(*) AS group_roles_left FROM pg_roles
WHERE rolname IN ('catalyst_reader', 'catalyst_trader', 'catalyst_admin');
DROP ROLE regress_sec_priv_reader, regress_sec_priv_trader, regress_sec_priv_admin, regress_sec_priv_nobody;
