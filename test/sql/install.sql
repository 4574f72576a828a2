-- CREATE EXTENSION gives every table, view, index and trigger of schema v4.1 in schema catalyst.
CREATE EXTENSION catalyst;

SELECT extname, extversion, extrelocatable, extnamespace::regnamespace
FROM pg_extension WHERE extname = 'catalyst';

-- the nine tables of the seed, positions_archive, maintenance_runs, the DEFAULT partitions and both views
SELECT c.relname, c.relkind
FROM pg_class c
WHERE c.relnamespace = 'catalyst'::regnamespace
  AND c.relkind IN ('r', 'p', 'v')
  AND c.relname !~ '_[0-9]{4}_[0-9]{2}$'
ORDER BY c.relname;

-- every index the seed names, under the seed's name; the query lists those missing
SELECT name AS missing_index
FROM unnest(ARRAY[
    'idx_trading_cycles_status', 'idx_trading_cycles_started_at', 'idx_trading_cycles_active',
    'idx_scan_results_cycle', 'idx_scan_results_symbol', 'idx_scan_results_selected',
    'idx_scan_results_scores', 'idx_scan_results_catalysts',
    'idx_orders_cycle', 'idx_orders_symbol', 'idx_orders_status', 'idx_orders_created', 'idx_orders_pending',
    'idx_positions_cycle', 'idx_positions_symbol', 'idx_positions_status', 'idx_positions_open', 'idx_positions_pnl',
    'idx_signals_cycle', 'idx_signals_symbol', 'idx_signals_active', 'idx_signals_type',
    'idx_patterns_cycle', 'idx_patterns_symbol', 'idx_patterns_type', 'idx_patterns_confidence',
    'idx_news_symbol', 'idx_news_published', 'idx_news_sentiment', 'idx_news_impact', 'idx_news_categories',
    'idx_metrics_cycle', 'idx_metrics_date',   -- not idx_metrics_pnl: see performance_metrics.sql
    'idx_audit_cycle', 'idx_audit_event', 'idx_audit_entity', 'idx_audit_created']) AS name
WHERE to_regclass('catalyst.' || name) IS NULL;

-- the seed's foreign keys and the generated columns (performance_metrics' win_rate and net_pnl,
-- generated in the seed, are derived by a trigger instead: performance_metrics.sql)
SELECT conrelid::regclass, conname, confrelid::regclass
FROM pg_constraint
WHERE contype = 'f' AND connamespace = 'catalyst'::regnamespace
ORDER BY 1, 2;

SELECT attrelid::regclass, attname
FROM pg_attribute
WHERE attgenerated = 's' AND attrelid::regclass::text IN
      ('catalyst.scan_results', 'catalyst.performance_metrics')
ORDER BY 1, 2;

-- updated_at triggers on every table that has updated_at
SELECT c.relname, t.tgname
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = 'catalyst'::regnamespace AND NOT t.tgisinternal
  AND t.tgname LIKE 'update_%_updated_at'
ORDER BY 1;
SELECT attrelid::regclass AS has_updated_at_but_no_trigger
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE a.attname = 'updated_at' AND c.relnamespace = 'catalyst'::regnamespace AND c.relkind = 'r'
  AND c.relname <> 'positions_archive'
  AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = a.attrelid AND t.tgname LIKE 'update_%_updated_at');

-- partitions for the current UTC month and catalyst.premake_months (3) ahead, and DEFAULT ones
SELECT parent.relname AS parent,
       count(*) FILTER (WHERE pg_get_expr(child.relpartbound, child.oid) <> 'DEFAULT') AS monthly,
       count(*) FILTER (WHERE pg_get_expr(child.relpartbound, child.oid) = 'DEFAULT') AS default_partitions,
       bool_and(child.relname IN (
           SELECT parent.relname || '_' || to_char(m, 'YYYY_MM')
           FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                                date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months',
                                interval '1 month') m
           UNION ALL SELECT parent.relname || '_default')) AS names_as_expected
FROM pg_inherits i
JOIN pg_class parent ON parent.oid = i.inhparent
JOIN pg_class child ON child.oid = i.inhrelid
WHERE parent.relnamespace = 'catalyst'::regnamespace AND parent.relkind = 'p'
GROUP BY parent.relname
ORDER BY 1;

-- rows timestamped now land in this month's partition, not in the DEFAULT one
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c-now', 'normal', 300);
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, price, volume)
VALUES ('s-now', 'c-now', 'AAPL', 190.00, 1000)
RETURNING tableoid::regclass::text = 'catalyst.scan_results_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')
          AS in_current_month;
INSERT INTO catalyst.audit_log (cycle_id, event_type, event_category)
VALUES ('c-now', 'test', 'install')
RETURNING tableoid::regclass::text = 'catalyst.audit_log_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')
          AS in_current_month;
-- a row of a month without partition is kept in DEFAULT instead of failing
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume)
VALUES ('s-old', 'c-now', 'AAPL', '2020-01-15 12:00+00', 100.00, 10)
RETURNING tableoid::regclass;

-- the CHECK constraints of the seed still reject bad values, naming the constraint
\set VERBOSITY terse
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c-bad', 'reckless', 300);
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c-bad', 'normal', 5);

DROP EXTENSION catalyst;
