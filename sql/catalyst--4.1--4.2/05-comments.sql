
/*
 * 05-comments.sql: catalog comments on the objects of schema 4.1 (issue 12, item 3), so that
 * \dt+, \d+, \df+, \dp and \du explain themselves.  One sentence of what each object is for;
 * money and time columns say their unit.  Money is in the account's currency (the currency the
 * trading engine books in; catalyst does not convert), prices per share.
 *
 * This part runs first: the parts after it create and comment the objects 4.2 adds, and comment
 * anew each 4.1 object they change (a comment follows its object through a rename, such as
 * performance_metrics becoming metrics_days).  test/sql/comments.sql fails when any object of
 * the extension has no comment.
 */

COMMENT ON SCHEMA @extschema@ IS
    'Catalyst Trading System database (schema v4.1): trading cycles, scans, signals, orders, positions, metrics and audit.';

-- Tables -------------------------------------------------------------------------------------

COMMENT ON TABLE @extschema@.trading_cycles IS
    'One run of the trading engine (a trading cycle): its mode, limits and state; every other trading row belongs to a cycle.';
COMMENT ON COLUMN @extschema@.trading_cycles.scan_frequency IS 'Seconds between two market scans (60 to 3600).';
COMMENT ON COLUMN @extschema@.trading_cycles.risk_level IS 'Risk appetite of the cycle, from 0 (none) to 1.';
COMMENT ON COLUMN @extschema@.trading_cycles.started_at IS 'When the cycle started (timestamp with time zone).';
COMMENT ON COLUMN @extschema@.trading_cycles.stopped_at IS 'When the cycle stopped; NULL while it runs.';
COMMENT ON COLUMN @extschema@.trading_cycles.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN @extschema@.trading_cycles.updated_at IS 'When the row was last updated (set by update_updated_at_column()).';


COMMENT ON TABLE @extschema@.trading_signals IS
    'Trading signals (buy, sell, hold) produced for a symbol during a cycle, active until they expire.';
COMMENT ON COLUMN @extschema@.trading_signals.confidence IS 'Confidence of the signal, from 0 to 1.';
COMMENT ON COLUMN @extschema@.trading_signals.triggered_at IS 'When the signal fired.';
COMMENT ON COLUMN @extschema@.trading_signals.expired_at IS 'When the signal stops being valid; NULL: no expiry.';
COMMENT ON COLUMN @extschema@.trading_signals.created_at IS 'When the row was inserted.';

COMMENT ON TABLE @extschema@.orders IS
    'Orders sent to the broker, with their fills and commissions; positions reference their entry and exit orders.';
COMMENT ON COLUMN @extschema@.orders.limit_price IS 'Limit price per share, in the account''s currency (limit and stop-limit orders).';
COMMENT ON COLUMN @extschema@.orders.stop_price IS 'Stop price per share, in the account''s currency (stop and stop-limit orders).';
COMMENT ON COLUMN @extschema@.orders.executed_price IS 'Average fill price per share, in the account''s currency.';
COMMENT ON COLUMN @extschema@.orders.commission IS 'Commission paid for the order, in the account''s currency (counted in the metrics for entry and exit orders).';
COMMENT ON COLUMN @extschema@.orders.submitted_at IS 'When the order was sent to the broker.';
COMMENT ON COLUMN @extschema@.orders.filled_at IS 'When the order was filled; NULL until then.';
COMMENT ON COLUMN @extschema@.orders.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN @extschema@.orders.updated_at IS 'When the row was last updated (set by update_updated_at_column()).';

COMMENT ON TABLE @extschema@.positions IS
    'Open and closed positions; closing one (status closed, exit_price, closed_at) sets its P&L and rolls it into performance_metrics.';
COMMENT ON COLUMN @extschema@.positions.entry_price IS 'Average entry price per share, in the account''s currency (> 0).';
COMMENT ON COLUMN @extschema@.positions.exit_price IS 'Average exit price per share, in the account''s currency; required to close.';
COMMENT ON COLUMN @extschema@.positions.stop_loss IS 'Stop-loss price per share, in the account''s currency; NULL: none (raises the risk score).';
COMMENT ON COLUMN @extschema@.positions.take_profit IS 'Take-profit price per share, in the account''s currency.';
COMMENT ON COLUMN @extschema@.positions.opened_at IS 'When the position was opened.';
COMMENT ON COLUMN @extschema@.positions.closed_at IS 'When the position was closed; its trading date files the trade in performance_metrics.';
COMMENT ON COLUMN @extschema@.positions.hold_duration IS 'Time held, closed_at - opened_at (interval), set at the close; position_hold_time(p) gives an open one''s.';
COMMENT ON COLUMN @extschema@.positions.unrealized_pnl IS 'Profit or loss of the open position at the last mark, in the account''s currency (written by the trading engine).';
COMMENT ON COLUMN @extschema@.positions.realized_pnl IS 'Profit or loss of the closed position, in the account''s currency, signed by side (set by the close trigger).';
COMMENT ON COLUMN @extschema@.positions.pnl_percent IS 'realized_pnl as a percentage of entry_price * quantity (set by the close trigger).';
COMMENT ON COLUMN @extschema@.positions.max_profit IS 'Largest unrealized profit seen while open, in the account''s currency (written by the trading engine).';
COMMENT ON COLUMN @extschema@.positions.max_loss IS 'Largest unrealized loss seen while open, in the account''s currency (written by the trading engine).';
COMMENT ON COLUMN @extschema@.positions.risk_score IS 'Risk score from 0 to 1 written by refresh_position_risk(); NULL until the first refresh.';
COMMENT ON COLUMN @extschema@.positions.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN @extschema@.positions.updated_at IS 'When the row was last updated (set by update_updated_at_column()).';

COMMENT ON TABLE @extschema@.positions_archive IS
    'Closed positions moved out of positions by cleanup_old_data() after catalyst.position_archive_days days; read only.';
-- the archive has the columns of positions: the same comments, and its own archived_at
DO $comments$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT a.attname, pg_catalog.col_description(a.attrelid, a.attnum) AS description
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid OPERATOR(pg_catalog.=) '@extschema@.positions'::pg_catalog.regclass
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
          AND pg_catalog.col_description(a.attrelid, a.attnum) IS NOT NULL
          AND EXISTS (SELECT FROM pg_catalog.pg_attribute b
                      WHERE b.attrelid OPERATOR(pg_catalog.=) '@extschema@.positions_archive'::pg_catalog.regclass
                        AND b.attname OPERATOR(pg_catalog.=) a.attname AND NOT b.attisdropped)
    LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.positions_archive.%I IS %L',
                                  col.attname, col.description);
    END LOOP;
END
$comments$;
COMMENT ON COLUMN @extschema@.positions_archive.archived_at IS 'When cleanup_old_data() moved the position here.';

COMMENT ON TABLE @extschema@.pattern_detections IS
    'Chart patterns detected for a symbol, with the entry, target and stop they suggest.';
COMMENT ON COLUMN @extschema@.pattern_detections.confidence IS 'Confidence of the detection, from 0 to 1.';
COMMENT ON COLUMN @extschema@.pattern_detections.entry_point IS 'Suggested entry price per share, in the account''s currency.';
COMMENT ON COLUMN @extschema@.pattern_detections.target_price IS 'Suggested target price per share, in the account''s currency.';
COMMENT ON COLUMN @extschema@.pattern_detections.stop_loss IS 'Suggested stop-loss price per share, in the account''s currency.';
COMMENT ON COLUMN @extschema@.pattern_detections.risk_reward_ratio IS 'Expected reward per unit of risk (a ratio, no unit).';
COMMENT ON COLUMN @extschema@.pattern_detections.detected_at IS 'When the pattern was detected.';
COMMENT ON COLUMN @extschema@.pattern_detections.valid_until IS 'When the pattern stops being valid; NULL: no limit.';

COMMENT ON TABLE @extschema@.news_catalysts IS
    'News items that may move a symbol, with their sentiment and relevance.';
COMMENT ON COLUMN @extschema@.news_catalysts.sentiment_score IS 'Sentiment from -1 (negative) to 1 (positive).';
COMMENT ON COLUMN @extschema@.news_catalysts.relevance_score IS 'Relevance to the symbol, from 0 to 1.';
COMMENT ON COLUMN @extschema@.news_catalysts.published_at IS 'When the news was published.';
COMMENT ON COLUMN @extschema@.news_catalysts.processed_at IS 'When the trading engine processed the news; NULL until then.';
COMMENT ON COLUMN @extschema@.news_catalysts.created_at IS 'When the row was inserted.';


COMMENT ON TABLE @extschema@.maintenance_runs IS
    'The last completed run of each maintenance function (create_monthly_partitions, cleanup_old_data), with its summary.';
COMMENT ON COLUMN @extschema@.maintenance_runs.started_at IS 'Clock time at which the run started.';
COMMENT ON COLUMN @extschema@.maintenance_runs.finished_at IS 'Clock time at which the run finished.';

-- Sequences ----------------------------------------------------------------------------------

COMMENT ON SEQUENCE @extschema@.positions_position_id_seq IS 'Generates positions.position_id.';
COMMENT ON SEQUENCE @extschema@.trading_signals_signal_id_seq IS 'Generates trading_signals.signal_id.';
COMMENT ON SEQUENCE @extschema@.pattern_detections_detection_id_seq IS 'Generates pattern_detections.detection_id.';
COMMENT ON SEQUENCE @extschema@.news_catalysts_catalyst_id_seq IS 'Generates news_catalysts.catalyst_id.';

-- Views --------------------------------------------------------------------------------------



-- Released objects ------------------------------------------------------------------------
-- scan_results, audit_log (with their DEFAULT partitions and audit_log's sequence) and
-- v_active_trading are not members of the extension: pg_dump dumps them, comments included, and
-- a restore's CREATE EXTENSION leaves them to the dump (catalyst--4.1.sql), so each is commented
-- only where it exists.

DO $comments$
BEGIN
    IF pg_catalog.to_regclass('@extschema@.scan_results') IS NOT NULL THEN
        COMMENT ON TABLE @extschema@.scan_results IS
            'Market scan results, one row per symbol and scan, partitioned by UTC month (kept catalyst.scan_retention_days days).';
        COMMENT ON COLUMN @extschema@.scan_results.scan_time IS 'When the scan was taken; the partition key (UTC months).';
        COMMENT ON COLUMN @extschema@.scan_results.price IS 'Last price at the scan, per share, in the account''s currency.';
        COMMENT ON COLUMN @extschema@.scan_results.change_percent IS 'Price change of the day, in percent.';
        COMMENT ON COLUMN @extschema@.scan_results.momentum_score IS 'Momentum score from the scanner (0 to 100).';
        COMMENT ON COLUMN @extschema@.scan_results.catalyst_score IS 'News catalyst score from the scanner (0 to 100).';
        COMMENT ON COLUMN @extschema@.scan_results.pattern_score IS 'Chart pattern score from the scanner (0 to 100).';
        COMMENT ON COLUMN @extschema@.scan_results.technical_score IS 'Technical indicator score from the scanner (0 to 100).';
        COMMENT ON COLUMN @extschema@.scan_results.total_score IS 'Weighted total of the four scores (generated column).';
        COMMENT ON COLUMN @extschema@.scan_results.created_at IS 'When the row was inserted.';
    END IF;
    IF pg_catalog.to_regclass('@extschema@.scan_results_default') IS NOT NULL THEN
        COMMENT ON TABLE @extschema@.scan_results_default IS
            'DEFAULT partition of scan_results: rows of a month that had no partition yet; create_monthly_partitions() moves them out.';
    END IF;
    IF pg_catalog.to_regclass('@extschema@.audit_log') IS NOT NULL THEN
        COMMENT ON TABLE @extschema@.audit_log IS
            'Append-only audit trail (row changes, closes, setting switches), partitioned by UTC month (kept catalyst.audit_retention_days days).';
        COMMENT ON COLUMN @extschema@.audit_log.created_at IS 'When the event was written (the transaction''s start); the partition key (UTC months).';
        COMMENT ON TRIGGER audit_log_append_only ON @extschema@.audit_log IS 'Refuses UPDATE and DELETE of events (cloned onto every partition).';
        COMMENT ON TRIGGER audit_log_no_truncate ON @extschema@.audit_log IS 'Refuses TRUNCATE of the audit trail.';
    END IF;
    IF pg_catalog.to_regclass('@extschema@.audit_log_default') IS NOT NULL THEN
        COMMENT ON TABLE @extschema@.audit_log_default IS
            'DEFAULT partition of audit_log: events of a month that had no partition yet; create_monthly_partitions() moves them out.';
        COMMENT ON TRIGGER audit_log_no_truncate ON @extschema@.audit_log_default IS 'Refuses TRUNCATE of this partition of the audit trail.';
    END IF;
    IF pg_catalog.to_regclass('@extschema@.audit_log_log_id_seq') IS NOT NULL THEN
        COMMENT ON SEQUENCE @extschema@.audit_log_log_id_seq IS 'Generates audit_log.log_id.';
    END IF;
    IF pg_catalog.to_regclass('@extschema@.v_active_trading') IS NOT NULL THEN
        COMMENT ON VIEW @extschema@.v_active_trading IS
            'Open positions of active cycles with their latest scan score and active signal (security_invoker).';
        COMMENT ON COLUMN @extschema@.v_active_trading.entry_price IS 'Average entry price per share, in the account''s currency.';
        COMMENT ON COLUMN @extschema@.v_active_trading.unrealized_pnl IS 'Unrealized profit or loss, in the account''s currency.';
        COMMENT ON COLUMN @extschema@.v_active_trading.risk_score IS 'Risk score from 0 to 1 (last refresh_position_risk()).';
        COMMENT ON COLUMN @extschema@.v_active_trading.scan_score IS 'total_score of the symbol''s latest scan in the cycle (0 to 100).';
        COMMENT ON COLUMN @extschema@.v_active_trading.signal_confidence IS 'Confidence of the symbol''s latest active signal, from 0 to 1.';
    END IF;
END
$comments$;

-- Functions ----------------------------------------------------------------------------------

COMMENT ON FUNCTION @extschema@.update_updated_at_column() IS
    'Trigger: stamps updated_at with the transaction''s time on every UPDATE.';
COMMENT ON FUNCTION @extschema@.trading_date(timestamptz) IS
    'The trading date of a timestamp: its date in catalyst.trading_timezone.';
COMMENT ON FUNCTION @extschema@.trading_day_start(date) IS
    'The instant a trading date starts in catalyst.trading_timezone.';
COMMENT ON FUNCTION @extschema@.position_hold_time(@extschema@.positions) IS
    'How long a position has been held (interval): until now() while open, until closed_at once closed.';
COMMENT ON FUNCTION @extschema@.create_monthly_partitions(integer) IS
    'Makes the missing monthly partitions of scan_results and audit_log (current month and premake ahead); returns how many.';
COMMENT ON FUNCTION @extschema@.cleanup_old_data() IS
    'Retention: drops or detaches months past their retention, archives old closed positions, trims pg_cron history; returns a jsonb summary.';
COMMENT ON FUNCTION @extschema@.pg_cron_database() IS
    'The database pg_cron runs in (cron.database_name), or NULL when pg_cron is not loaded.';
COMMENT ON FUNCTION @extschema@.maintenance_jobs() IS
    'The pg_cron jobs catalyst schedules for this database, with the statement that schedules each.';
COMMENT ON FUNCTION @extschema@.require_pg_cron_here(text) IS
    'Raises a clear error, with the statements to run where pg_cron lives, unless pg_cron can schedule jobs from this database.';
COMMENT ON FUNCTION @extschema@.schedule_maintenance() IS
    'Registers (or puts back) catalyst''s pg_cron jobs: partitions, cleanup and risk refresh; returns them.';
COMMENT ON FUNCTION @extschema@.unschedule_maintenance() IS
    'Removes catalyst''s pg_cron jobs of this database; returns how many.';
COMMENT ON FUNCTION @extschema@.audit_row_change() IS
    'Trigger: writes one audit_log event per inserted, updated or deleted row (and per TRUNCATE) of trading_cycles, orders and positions.';
COMMENT ON FUNCTION @extschema@.audit_log_append_only() IS
    'Trigger: refuses UPDATE, DELETE and TRUNCATE on audit_log and its partitions.';
COMMENT ON FUNCTION @extschema@.position_close_derive() IS
    'Trigger: sets a closing position''s realized_pnl (signed by side), pnl_percent and hold_duration, and refuses an incomplete close.';

-- Triggers -----------------------------------------------------------------------------------

COMMENT ON TRIGGER update_trading_cycles_updated_at ON @extschema@.trading_cycles IS 'Stamps updated_at.';
COMMENT ON TRIGGER update_orders_updated_at ON @extschema@.orders IS 'Stamps updated_at.';
COMMENT ON TRIGGER update_positions_updated_at ON @extschema@.positions IS 'Stamps updated_at.';
COMMENT ON TRIGGER update_performance_metrics_updated_at ON @extschema@.performance_metrics IS 'Stamps updated_at.';
COMMENT ON TRIGGER audit_trading_cycles_changes ON @extschema@.trading_cycles IS 'Audits each changed row into audit_log.';
COMMENT ON TRIGGER audit_trading_cycles_truncate ON @extschema@.trading_cycles IS 'Audits TRUNCATE into audit_log.';
COMMENT ON TRIGGER audit_orders_changes ON @extschema@.orders IS 'Audits each changed row into audit_log.';
COMMENT ON TRIGGER audit_orders_truncate ON @extschema@.orders IS 'Audits TRUNCATE into audit_log.';
COMMENT ON TRIGGER audit_positions_changes ON @extschema@.positions IS 'Audits each changed row into audit_log (a close by its position_closed event instead).';
COMMENT ON TRIGGER audit_positions_truncate ON @extschema@.positions IS 'Audits TRUNCATE into audit_log.';
COMMENT ON TRIGGER position_close_before ON @extschema@.positions IS 'Derives a closing position''s P&L and hold time.';
COMMENT ON TRIGGER position_close_after ON @extschema@.positions IS 'Rolls a close into performance_metrics and writes its position_closed event; marks corrected days.';
COMMENT ON TRIGGER position_close_after_statement ON @extschema@.positions IS 'Recomputes, once each, the metric days the statement marked.';
COMMENT ON TRIGGER order_commission_after_update ON @extschema@.orders IS 'Marks the metric days of closed positions whose order''s commission changed.';
COMMENT ON TRIGGER order_commission_after_statement ON @extschema@.orders IS 'Recomputes, once each, the metric days the statement marked.';

-- Row-level security policies ----------------------------------------------------------------

COMMENT ON POLICY orders_policy ON @extschema@.orders IS
    'catalyst_reader and catalyst_trader see and write the orders of active cycles only.';
COMMENT ON POLICY orders_admin_policy ON @extschema@.orders IS 'catalyst_admin sees and writes every order.';
COMMENT ON POLICY positions_policy ON @extschema@.positions IS
    'catalyst_reader and catalyst_trader see and write the positions of active cycles only.';
COMMENT ON POLICY positions_admin_policy ON @extschema@.positions IS 'catalyst_admin sees and writes every position.';
COMMENT ON POLICY positions_archive_policy ON @extschema@.positions_archive IS
    'catalyst_reader and catalyst_trader read the archived positions of active cycles only.';
COMMENT ON POLICY positions_archive_admin_policy ON @extschema@.positions_archive IS 'catalyst_admin reads every archived position.';
COMMENT ON POLICY trading_cycles_read ON @extschema@.trading_cycles IS 'catalyst_reader and catalyst_trader read every cycle.';
COMMENT ON POLICY trading_cycles_insert ON @extschema@.trading_cycles IS 'catalyst_trader may start cycles, but not stopped ones.';
COMMENT ON POLICY trading_cycles_update ON @extschema@.trading_cycles IS
    'catalyst_trader may change cycles that are not stopped, and not reactivate a stopped one.';
COMMENT ON POLICY trading_cycles_admin_policy ON @extschema@.trading_cycles IS 'catalyst_admin sees and changes every cycle.';

-- Roles --------------------------------------------------------------------------------------
-- Roles and their comments belong to the cluster, not to this database: a comment is set only
-- where the role has none, so a DBA's own comment, or one another database set, is kept.  DROP
-- EXTENSION leaves them, as it leaves the roles.

DO $comments$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT v.rolname, v.description
        FROM (VALUES
            ('catalyst_reader', 'catalyst: reads the trading tables and views (row-level security: active cycles) and the risk functions.'),
            ('catalyst_trader', 'catalyst: what catalyst_reader may, and inserts and updates what a trading engine writes.'),
            ('catalyst_admin', 'catalyst: what catalyst_trader may, and deletes, every row, the audit trail and the maintenance functions.'))
            AS v(rolname, description)
        JOIN pg_catalog.pg_roles o ON o.rolname OPERATOR(pg_catalog.=) v.rolname
        WHERE pg_catalog.shobj_description(o.oid, 'pg_authid') IS NULL
    LOOP
        EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.rolname, r.description);
    END LOOP;
END
$comments$;

-- The metrics and risk objects of 4.1; 10-rollup.sql and 25-risk.sql comment what they change.
COMMENT ON TABLE @extschema@.performance_metrics IS
    'Trading metrics of one cycle and trading date, kept incrementally by the close triggers; always equal to update_performance_metrics().';
COMMENT ON COLUMN @extschema@.performance_metrics.metric_date IS 'Trading date (in catalyst.trading_timezone) of the trades summed.';
COMMENT ON COLUMN @extschema@.performance_metrics.win_rate IS 'winning_trades / total_trades, in percent.';
COMMENT ON COLUMN @extschema@.performance_metrics.gross_pnl IS 'Sum of realized_pnl, in the account''s currency.';
COMMENT ON COLUMN @extschema@.performance_metrics.commissions IS 'Commissions of the entry and exit orders of the trades, in the account''s currency.';
COMMENT ON COLUMN @extschema@.performance_metrics.net_pnl IS 'gross_pnl - commissions, in the account''s currency.';
COMMENT ON COLUMN @extschema@.performance_metrics.average_win IS 'Mean realized_pnl of the winning trades, in the account''s currency; NULL without one.';
COMMENT ON COLUMN @extschema@.performance_metrics.average_loss IS 'Mean realized_pnl of the losing trades (negative), in the account''s currency; NULL without one.';
COMMENT ON COLUMN @extschema@.performance_metrics.largest_win IS 'Largest winning realized_pnl, in the account''s currency.';
COMMENT ON COLUMN @extschema@.performance_metrics.largest_loss IS 'Smallest (most negative) losing realized_pnl, in the account''s currency.';
COMMENT ON COLUMN @extschema@.performance_metrics.profit_factor IS 'Sum of wins / |sum of losses| (a ratio, clamped to +-9999.99); NULL without a loss.';
COMMENT ON COLUMN @extschema@.performance_metrics.sharpe_ratio IS 'Mean / sample standard deviation of the trades'' pnl_percent, not annualised (a ratio).';
COMMENT ON COLUMN @extschema@.performance_metrics.max_drawdown IS 'Largest fall of the running cumulative realized_pnl below its peak, in the account''s currency (positive).';
COMMENT ON COLUMN @extschema@.performance_metrics.recovery_factor IS 'net_pnl / max_drawdown (a ratio); NULL when max_drawdown is 0.';
COMMENT ON COLUMN @extschema@.performance_metrics.avg_hold_time IS 'Mean hold_duration of the trades (interval).';
COMMENT ON COLUMN @extschema@.performance_metrics.total_volume IS 'Sum of the trades'' quantity, in shares.';
COMMENT ON COLUMN @extschema@.performance_metrics.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN @extschema@.performance_metrics.updated_at IS 'When the row was last updated.';
COMMENT ON COLUMN @extschema@.performance_metrics.sum_wins IS 'Running state: sum of the winning realized_pnl, in the account''s currency, exact.';
COMMENT ON COLUMN @extschema@.performance_metrics.sum_losses IS 'Running state: sum of the losing realized_pnl, in the account''s currency, exact.';
COMMENT ON COLUMN @extschema@.performance_metrics.sum_returns IS 'Running state: sum of the trades'' pnl_percent, in percent.';
COMMENT ON COLUMN @extschema@.performance_metrics.sum_squared_returns IS 'Running state: sum of the squared pnl_percent, in percent squared.';
COMMENT ON COLUMN @extschema@.performance_metrics.sum_hold_seconds IS 'Running state: sum of the trades'' hold_duration, in seconds.';
COMMENT ON COLUMN @extschema@.performance_metrics.peak_pnl IS 'Running state: peak of the cumulative realized_pnl so far, in the account''s currency.';
COMMENT ON COLUMN @extschema@.performance_metrics.deepest_drawdown IS 'Running state: deepest drawdown so far, in the account''s currency (exact max_drawdown).';
COMMENT ON COLUMN @extschema@.performance_metrics.last_closed_at IS 'Running state: closed_at of the last trade folded in.';
COMMENT ON SEQUENCE @extschema@.performance_metrics_metric_id_seq IS 'Generates performance_metrics.metric_id.';

COMMENT ON VIEW @extschema@.v_daily_performance IS
    'Closed trades summed per trading date (catalyst.trading_timezone), from positions (security_invoker).';
COMMENT ON COLUMN @extschema@.v_daily_performance.trading_date IS 'Trading date of the trades (in catalyst.trading_timezone).';
COMMENT ON COLUMN @extschema@.v_daily_performance.total_pnl IS 'Sum of realized_pnl, in the account''s currency.';
COMMENT ON COLUMN @extschema@.v_daily_performance.avg_pnl IS 'Mean realized_pnl, in the account''s currency.';
COMMENT ON COLUMN @extschema@.v_daily_performance.best_trade IS 'Largest realized_pnl, in the account''s currency.';
COMMENT ON COLUMN @extschema@.v_daily_performance.worst_trade IS 'Smallest realized_pnl, in the account''s currency.';
COMMENT ON COLUMN @extschema@.v_daily_performance.avg_hold_hours IS 'Mean hold time of the trades, in hours.';

COMMENT ON FUNCTION @extschema@.update_performance_metrics(varchar, date) IS
    'Recomputes one cycle''s day of performance_metrics from its trades (the reference the incremental roll-up equals).';
COMMENT ON FUNCTION @extschema@.position_close_roll_up() IS
    'Trigger: folds a close into its day''s performance_metrics in O(1), writes its position_closed event, marks corrected days.';
COMMENT ON FUNCTION @extschema@.order_commission_roll_up() IS
    'Trigger: marks the metric days of the closed positions whose entry or exit order''s commission changed.';
COMMENT ON FUNCTION @extschema@.performance_metrics_recompute_marked() IS
    'Trigger: at the end of a statement, recomputes once each metric day its rows marked.';

COMMENT ON FUNCTION @extschema@.catalyst_position_risk(integer) IS
    'Risk score (0 to 1) of a position by id, with the catalyst.risk_* thresholds and weights; an unknown id is an error.';
COMMENT ON FUNCTION @extschema@.calculate_position_risk(integer) IS
    'The seed''s name for catalyst_position_risk(position_id): risk score (0 to 1) of a position by id.';
COMMENT ON FUNCTION @extschema@.catalyst_position_risk(@extschema@.positions) IS
    'Risk score (0 to 1) of a positions row at hand, inlined over its columns.';
COMMENT ON FUNCTION @extschema@.position_risk_score(numeric, timestamptz, timestamptz, numeric, numeric) IS
    'Risk score (0 to 1) of column values (unrealized_pnl and prices in the account''s currency); the core of the other risk functions.';
COMMENT ON FUNCTION @extschema@.refresh_position_risk(varchar) IS
    'Writes risk_score of the open positions of one cycle (NULL: all) whose score changed; returns how many rows it updated.';
