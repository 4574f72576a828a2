-- scripts/demo-report.sql: what catalyst makes of the sample day (scripts/demo.sh).
\pset footer off
\echo '== Positions (P&L set by the close trigger, signed by side; hold time live for open ones)'
SELECT position_id, symbol, side, quantity, entry_price, exit_price, status, realized_pnl, pnl_percent,
       date_trunc('second', catalyst.position_hold_time(p)) AS hold_time
FROM catalyst.positions p ORDER BY position_id;
\echo '== Risk scores of the open positions (catalyst_position_risk), written by refresh_position_risk()'
SELECT catalyst.refresh_position_risk() AS positions_rescored;
SELECT position_id, symbol, unrealized_pnl, stop_loss, catalyst.catalyst_position_risk(position_id) AS risk
FROM catalyst.positions WHERE status = 'open' ORDER BY position_id;
\echo '== v_active_trading'
SELECT * FROM catalyst.v_active_trading ORDER BY symbol;
\echo '== v_daily_performance'
SELECT * FROM catalyst.v_daily_performance;
\echo '== performance_metrics (kept incrementally by the close trigger)'
SELECT cycle_id, metric_date, total_trades, winning_trades, losing_trades, win_rate, gross_pnl, commissions,
       net_pnl, average_win, average_loss, largest_win, largest_loss, profit_factor, sharpe_ratio,
       max_drawdown, recovery_factor, avg_hold_time, total_volume
FROM catalyst.performance_metrics;
\echo '== The audit trail'
SELECT event_type, event_category, entity_type, count(*) FROM catalyst.audit_log GROUP BY 1, 2, 3 ORDER BY 2, 3, 1;
\echo '== Partitions'
SELECT parent.relname AS parent, child.relname AS partition, pg_get_expr(child.relpartbound, child.oid) AS bounds,
       (SELECT count(*) FROM catalyst.scan_results s WHERE s.tableoid = child.oid)
     + (SELECT count(*) FROM catalyst.audit_log a WHERE a.tableoid = child.oid) AS rows
FROM pg_inherits i JOIN pg_class parent ON parent.oid = i.inhparent JOIN pg_class child ON child.oid = i.inhrelid
WHERE parent.relnamespace = 'catalyst'::regnamespace AND parent.relkind = 'p'
ORDER BY 1, 2;
\echo '== Maintenance jobs scheduled with pg_cron (schedule_maintenance())'
SELECT job_name, schedule, command FROM catalyst.schedule_maintenance();
