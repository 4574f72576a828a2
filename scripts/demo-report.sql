-- scripts/demo-report.sql: what catalyst makes of the sample day (scripts/demo.sh).
\pset footer off
\echo '== Positions (P&L set by the close trigger, hold time live for open ones)'
SELECT position_id, symbol, side, quantity, entry_price, exit_price, status, realized_pnl, pnl_percent,
       date_trunc('second', catalyst.position_hold_time(p)) AS hold_time
FROM catalyst.positions p ORDER BY position_id;
\echo '== v_active_trading'
SELECT * FROM catalyst.v_active_trading ORDER BY symbol;
\echo '== v_daily_performance'
SELECT * FROM catalyst.v_daily_performance;
\echo '== performance_metrics'
SELECT * FROM catalyst.performance_metrics;
\echo '== Partitions'
SELECT parent.relname AS parent, child.relname AS partition, pg_get_expr(child.relpartbound, child.oid) AS bounds,
       (SELECT count(*) FROM catalyst.scan_results s WHERE s.tableoid = child.oid)
     + (SELECT count(*) FROM catalyst.audit_log a WHERE a.tableoid = child.oid) AS rows
FROM pg_inherits i JOIN pg_class parent ON parent.oid = i.inhparent JOIN pg_class child ON child.oid = i.inhrelid
WHERE parent.relnamespace = 'catalyst'::regnamespace AND parent.relkind = 'p'
ORDER BY 1, 2;
