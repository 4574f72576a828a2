-- pgTAP: the schema of v4.1 as CREATE EXTENSION installs it.
BEGIN;
CREATE EXTENSION catalyst;
SELECT plan(31);

SELECT has_schema('catalyst', 'CREATE EXTENSION makes schema catalyst');
SELECT tables_are('catalyst', ARRAY[
    'trading_cycles', 'scan_results', 'scan_results_default', 'orders', 'positions', 'positions_archive',
    'trading_signals', 'pattern_detections', 'news_catalysts', 'metrics_days', 'metrics_slices', 'metrics_hours', 'metrics_pending', 'audit_log',
    'audit_log_default', 'maintenance_runs', 'fills', 'order_events', 'stop_changes',
    'scan_results_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM'),
    'scan_results_' || to_char(now() AT TIME ZONE 'UTC' + interval '1 month', 'YYYY_MM'),
    'scan_results_' || to_char(now() AT TIME ZONE 'UTC' + interval '2 months', 'YYYY_MM'),
    'scan_results_' || to_char(now() AT TIME ZONE 'UTC' + interval '3 months', 'YYYY_MM'),
    'audit_log_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM'),
    'audit_log_' || to_char(now() AT TIME ZONE 'UTC' + interval '1 month', 'YYYY_MM'),
    'audit_log_' || to_char(now() AT TIME ZONE 'UTC' + interval '2 months', 'YYYY_MM'),
    'audit_log_' || to_char(now() AT TIME ZONE 'UTC' + interval '3 months', 'YYYY_MM')
], 'the seed''s tables, the archive, maintenance_runs, the roll-up''s and the ledger''s (4.2) and the partitions around this month');
SELECT views_are('catalyst', ARRAY['v_active_trading', 'v_daily_performance', 'performance_metrics'], 'the seed''s two views and performance_metrics (4.2)');
SELECT is_partitioned('catalyst', 'scan_results', 'scan_results is partitioned');
SELECT is_partitioned('catalyst', 'audit_log', 'audit_log is partitioned');
SELECT col_is_pk('catalyst', 'trading_cycles', 'cycle_id', 'trading_cycles key');
SELECT is(pg_get_indexdef('catalyst.scan_results_key'::regclass), 'CREATE UNIQUE INDEX scan_results_key ON ONLY catalyst.scan_results USING btree (scan_time, scan_id, symbol)', 'scan_results key (a unique index, so pg_restore --clean can drop it)');
SELECT col_is_pk('catalyst', 'orders', 'order_id', 'orders key');
SELECT col_is_pk('catalyst', 'positions', 'position_id', 'positions key');
SELECT col_is_pk('catalyst', 'positions_archive', 'position_id', 'positions_archive key: a position is archived once');
SELECT is(pg_get_indexdef('catalyst.audit_log_key'::regclass), 'CREATE UNIQUE INDEX audit_log_key ON ONLY catalyst.audit_log USING btree (log_id, created_at)', 'audit_log key includes the partition key (a unique index, so pg_restore --clean can drop it)');
SELECT col_is_unique('catalyst', 'metrics_days', ARRAY['cycle_id', 'metric_date']::name[], 'one metrics row per cycle and day');
SELECT fk_ok('catalyst', 'orders', 'cycle_id', 'catalyst', 'trading_cycles', 'cycle_id', 'orders.cycle_id references trading_cycles');
SELECT fk_ok('catalyst', 'positions', 'cycle_id', 'catalyst', 'trading_cycles', 'cycle_id', 'positions.cycle_id references trading_cycles');
SELECT fk_ok('catalyst', 'positions', 'entry_order_id', 'catalyst', 'orders', 'order_id', 'positions.entry_order_id references orders');
SELECT fk_ok('catalyst', 'positions', 'exit_order_id', 'catalyst', 'orders', 'order_id', 'positions.exit_order_id references orders');
SELECT col_type_is('catalyst', 'positions', 'hold_duration', 'interval', 'hold_duration is an interval');
SELECT col_is_null('catalyst', 'positions', 'hold_duration', 'hold_duration is empty until the position closes');
SELECT col_type_is('catalyst', 'scan_results', 'total_score', 'numeric(5,2)', 'total_score as the seed types it');
SELECT col_type_is('catalyst', 'performance_metrics', 'win_rate', 'numeric(5,2)', 'win_rate as the seed types it');
SELECT indexes_are('catalyst', 'positions', ARRAY['positions_pkey', 'idx_positions_cycle', 'idx_positions_symbol',
    'idx_positions_status', 'idx_positions_open', 'idx_positions_pnl', 'idx_positions_cycle_closed',
    'idx_positions_closed_entry_order', 'idx_positions_closed_exit_order', 'idx_positions_open_exit_order'],
    'positions indexes');
SELECT indexes_are('catalyst', 'orders', ARRAY['orders_pkey', 'idx_orders_cycle', 'idx_orders_symbol',
    'idx_orders_status', 'idx_orders_created', 'idx_orders_pending'], 'orders indexes');
SELECT is_indexed('catalyst', 'scan_results', ARRAY['is_selected', 'total_score']::name[], 'selected scans are indexed by score');
SELECT index_is_type('catalyst', 'scan_results', 'idx_scan_results_catalysts', 'gin', 'catalysts has a GIN index');
SELECT index_is_type('catalyst', 'news_catalysts', 'idx_news_categories', 'gin', 'categories has a GIN index');
SELECT has_trigger('catalyst', 'trading_cycles', 'update_trading_cycles_updated_at', 'trading_cycles stamps updated_at');
SELECT has_trigger('catalyst', 'orders', 'update_orders_updated_at', 'orders stamps updated_at');
SELECT has_trigger('catalyst', 'positions', 'update_positions_updated_at', 'positions stamps updated_at');
SELECT has_trigger('catalyst', 'metrics_days', 'update_performance_metrics_updated_at', 'metrics_days (the days of performance_metrics) stamps updated_at');
SELECT function_lang_is('catalyst', 'update_updated_at_column', 'c', 'the updated_at trigger is written in C');
SELECT throws_ok(
    $$INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, risk_level) VALUES ('x', 'normal', 300, 1.5)$$,
    '23514', NULL, 'risk_level above 1.0 is rejected by its CHECK constraint');

SELECT * FROM finish();
ROLLBACK;
