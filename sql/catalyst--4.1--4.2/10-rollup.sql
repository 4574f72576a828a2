
------------------------------------------------------------------------------------------------
-- 10. The performance_metrics roll-up without a row every close updates (doc/metrics.md)
------------------------------------------------------------------------------------------------

-- The 4.1 table keeps its rows, ids, indexes and privileges and becomes the days' summaries; the
-- name performance_metrics goes to a view that merges what is not folded in yet.
ALTER TABLE @extschema@.performance_metrics RENAME TO metrics_days;
ALTER TABLE @extschema@.metrics_days
    ADD COLUMN trough_pnl NUMERIC NOT NULL DEFAULT 0;  -- lowest cumulative realized_pnl (from 0)
COMMENT ON TABLE @extschema@.metrics_days IS
    'One row per cycle and trading date: the summary of the day''s folded closes and the metrics derived from it (read catalyst.performance_metrics instead).';
COMMENT ON COLUMN @extschema@.metrics_days.trough_pnl IS
    'The lowest cumulative realized_pnl of the day in closed_at order, from 0 (<= 0, currency units).';

-- The statistics traders read (issue 11, item 5; definitions and sources in doc/metrics.md): the
-- sums and streak runs they are derived from, mergeable like the others, then the statistics.
ALTER TABLE @extschema@.metrics_days
    ADD COLUMN sum_squared_pnl NUMERIC NOT NULL DEFAULT 0,
    ADD COLUMN sum_squared_downside NUMERIC NOT NULL DEFAULT 0,
    ADD COLUMN mae_trades INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN sum_mae NUMERIC NOT NULL DEFAULT 0,
    ADD COLUMN mfe_trades INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN sum_mfe NUMERIC NOT NULL DEFAULT 0,
    ADD COLUMN r_trades INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN sum_r NUMERIC NOT NULL DEFAULT 0,
    ADD COLUMN longest_winning_streak INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN longest_losing_streak INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN first_streak_sign INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN first_streak INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN last_streak_sign INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN last_streak INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN expectancy DECIMAL(20,2),
    ADD COLUMN payoff_ratio DECIMAL(6,2),
    ADD COLUMN sqn DECIMAL(6,2),
    ADD COLUMN kelly_fraction DECIMAL(6,4),
    ADD COLUMN sortino_ratio DECIMAL(6,2),
    ADD COLUMN average_mae DECIMAL(20,2),
    ADD COLUMN average_mfe DECIMAL(20,2),
    ADD COLUMN average_r DECIMAL(10,4);
COMMENT ON COLUMN @extschema@.metrics_days.sum_squared_pnl IS
    'Sum of the squares of the trades'' realized_pnl (currency units squared), for the SQN.';
COMMENT ON COLUMN @extschema@.metrics_days.sum_squared_downside IS
    'Sum of the squares of the trades'' negative pnl_percent (percent squared; a return >= 0 adds 0), for the Sortino ratio.';
COMMENT ON COLUMN @extschema@.metrics_days.mae_trades IS
    'Trades with a max_loss (MAE), which average_mae averages.';
COMMENT ON COLUMN @extschema@.metrics_days.sum_mae IS
    'Sum of the trades'' max_loss (MAE, <= 0, currency units).';
COMMENT ON COLUMN @extschema@.metrics_days.mfe_trades IS
    'Trades with a max_profit (MFE), which average_mfe averages.';
COMMENT ON COLUMN @extschema@.metrics_days.sum_mfe IS
    'Sum of the trades'' max_profit (MFE, >= 0, currency units).';
COMMENT ON COLUMN @extschema@.metrics_days.r_trades IS
    'Trades with an R-multiple (catalyst.r_multiple() not NULL: an initial stop away from the entry price), which average_r averages.';
COMMENT ON COLUMN @extschema@.metrics_days.sum_r IS
    'Sum of the trades'' R-multiples (catalyst.r_multiple()), in R.';
COMMENT ON COLUMN @extschema@.metrics_days.longest_winning_streak IS
    'The most consecutive trades with realized_pnl > 0, in closed_at order (a breakeven ends a streak).';
COMMENT ON COLUMN @extschema@.metrics_days.longest_losing_streak IS
    'The most consecutive trades with realized_pnl < 0, in closed_at order (a breakeven ends a streak).';
COMMENT ON COLUMN @extschema@.metrics_days.first_streak_sign IS
    'The first trade''s outcome: 1 win, -1 loss, 0 breakeven (0 without trades).';
COMMENT ON COLUMN @extschema@.metrics_days.first_streak IS
    'How many trades, from the first, have the first trade''s outcome in a row (= total_trades: all one outcome).';
COMMENT ON COLUMN @extschema@.metrics_days.last_streak_sign IS
    'The last trade''s outcome: 1 win, -1 loss, 0 breakeven (0 without trades).';
COMMENT ON COLUMN @extschema@.metrics_days.last_streak IS
    'How many trades, back from the last, have the last trade''s outcome in a row.';
COMMENT ON COLUMN @extschema@.metrics_days.expectancy IS
    'Expectancy per trade: gross_pnl / total_trades (currency units); NULL without trades.';
COMMENT ON COLUMN @extschema@.metrics_days.payoff_ratio IS
    'Payoff ratio: average_win / |average_loss|; NULL without a win or a loss.';
COMMENT ON COLUMN @extschema@.metrics_days.sqn IS
    'System quality number (Van Tharp): sqrt(n) * mean / sample standard deviation of realized_pnl; NULL for fewer than 2 trades or no spread.';
COMMENT ON COLUMN @extschema@.metrics_days.kelly_fraction IS
    'Kelly fraction: W - (1 - W) / payoff_ratio with W = winning / (winning + losing trades); NULL without a win or a loss.';
COMMENT ON COLUMN @extschema@.metrics_days.sortino_ratio IS
    'Sortino ratio per trade: mean pnl_percent / sqrt(sum(min(pnl_percent, 0)^2) / n), not annualised; NULL without a negative return.';
COMMENT ON COLUMN @extschema@.metrics_days.average_mae IS
    'Mean max_loss (MAE, <= 0, currency units) of the trades that have one; NULL if none has.';
COMMENT ON COLUMN @extschema@.metrics_days.average_mfe IS
    'Mean max_profit (MFE, >= 0, currency units) of the trades that have one; NULL if none has.';
COMMENT ON COLUMN @extschema@.metrics_days.average_r IS
    'Mean R-multiple (catalyst.r_multiple()) of the r_trades trades that have one (the others are left out); NULL if none has.';

-- The summary of each minute of a day that has trades (slice = minutes since the trading day's
-- start): a close out of order re-derives one minute and re-merges the day from these.
CREATE TABLE @extschema@.metrics_slices (
    cycle_id VARCHAR(20) NOT NULL,
    metric_date DATE NOT NULL,
    slice INTEGER NOT NULL,
    total_trades INTEGER NOT NULL,
    winning_trades INTEGER NOT NULL,
    losing_trades INTEGER NOT NULL,
    sum_wins NUMERIC NOT NULL,
    sum_losses NUMERIC NOT NULL,
    commissions NUMERIC NOT NULL,
    largest_win NUMERIC,
    largest_loss NUMERIC,
    sum_returns NUMERIC NOT NULL,
    sum_squared_returns NUMERIC NOT NULL,
    sum_hold_seconds NUMERIC NOT NULL,
    total_volume BIGINT NOT NULL,
    peak_pnl NUMERIC NOT NULL,
    trough_pnl NUMERIC NOT NULL,
    deepest_drawdown NUMERIC NOT NULL,
    last_closed_at TIMESTAMPTZ,
    last_position_id INTEGER,
    sum_squared_pnl NUMERIC NOT NULL,
    sum_squared_downside NUMERIC NOT NULL,
    mae_trades INTEGER NOT NULL,
    sum_mae NUMERIC NOT NULL,
    mfe_trades INTEGER NOT NULL,
    sum_mfe NUMERIC NOT NULL,
    r_trades INTEGER NOT NULL,
    sum_r NUMERIC NOT NULL,
    longest_winning_streak INTEGER NOT NULL,
    longest_losing_streak INTEGER NOT NULL,
    first_streak_sign INTEGER NOT NULL,
    first_streak INTEGER NOT NULL,
    last_streak_sign INTEGER NOT NULL,
    last_streak INTEGER NOT NULL,
    PRIMARY KEY (cycle_id, metric_date, slice)
) WITH (fillfactor = 50);  -- rewritten by every close: room for HOT updates
COMMENT ON TABLE @extschema@.metrics_slices IS
    'The summary of the closes of one minute of a cycle''s trading day (money in currency units, hold in seconds), merged into metrics_days.';

-- The summary of each hour of a day that has trades (slice = hours since the trading day's
-- start), the merge of its minutes: a late close re-merges one hour (60 minutes) and the day
-- (24 hours), never the day's 1,440 minutes.
CREATE TABLE @extschema@.metrics_hours (LIKE @extschema@.metrics_slices INCLUDING ALL)
    WITH (fillfactor = 50);
COMMENT ON TABLE @extschema@.metrics_hours IS
    'The summary of the closes of one hour of a cycle''s trading day (money in currency units, hold in seconds): the merge of its metrics_slices, merged into metrics_days.';

-- Closes not folded yet, one row each, insert-only: no unique index, so that no close waits for
-- another's commit.  closed_at NULL: a marker, the day must be derived anew from its trades.
CREATE TABLE @extschema@.metrics_pending (
    cycle_id VARCHAR(20) NOT NULL,
    metric_date DATE NOT NULL,
    slice INTEGER,
    closed_at TIMESTAMPTZ,
    position_id INTEGER,
    realized_pnl NUMERIC,
    pnl_percent NUMERIC,
    hold_seconds NUMERIC,
    quantity INTEGER,
    commission NUMERIC,
    mae NUMERIC,
    mfe NUMERIC,
    r_multiple NUMERIC
);
CREATE INDEX metrics_pending_day ON @extschema@.metrics_pending (cycle_id, metric_date);
COMMENT ON TABLE @extschema@.metrics_pending IS
    'Closes the roll-up has not folded into metrics_days yet (realized_pnl and commission in currency units, hold_seconds in seconds); a row without closed_at marks a day to derive anew.';

COMMENT ON COLUMN @extschema@.metrics_pending.metric_date IS 'Trading date (in catalyst.trading_timezone) the close is filed under.';
COMMENT ON COLUMN @extschema@.metrics_pending.closed_at IS 'When the position closed; NULL: a marker, derive the day anew from its trades.';
COMMENT ON COLUMN @extschema@.metrics_pending.realized_pnl IS 'The close''s realized_pnl, in the account''s currency.';
COMMENT ON COLUMN @extschema@.metrics_pending.pnl_percent IS 'The close''s pnl_percent, in percent.';
COMMENT ON COLUMN @extschema@.metrics_pending.hold_seconds IS 'The close''s hold_duration, in seconds.';
COMMENT ON COLUMN @extschema@.metrics_pending.commission IS 'The commissions of the close''s entry and exit orders, in the account''s currency.';
COMMENT ON COLUMN @extschema@.metrics_pending.mae IS 'The close''s max_loss (MAE), in the account''s currency; NULL if it has none.';
COMMENT ON COLUMN @extschema@.metrics_pending.mfe IS 'The close''s max_profit (MFE), in the account''s currency; NULL if it has none.';
COMMENT ON COLUMN @extschema@.metrics_pending.r_multiple IS 'The close''s catalyst.r_multiple() (in R); NULL if it has none.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.metrics_slices', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.metrics_hours', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.metrics_pending', '');

-- A day's metrics_days row merged with its pending closes, exact in the caller's snapshot.
CREATE FUNCTION @extschema@.metrics_day(p_cycle_id varchar, p_date date)
RETURNS @extschema@.metrics_days
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'catalyst_metrics_day';
COMMENT ON FUNCTION @extschema@.metrics_day(varchar, date) IS
    'One cycle''s trading day: its folded summary merged with its not yet folded closes (what performance_metrics shows for that day).';

-- Every column of the 4.1 table, with the same meaning: days with nothing pending straight from
-- metrics_days, the others merged.
CREATE VIEW @extschema@.performance_metrics AS
SELECT d.metric_id, d.cycle_id, d.metric_date, d.total_trades, d.winning_trades, d.losing_trades,
       d.win_rate, d.gross_pnl, d.commissions, d.net_pnl, d.average_win, d.average_loss,
       d.largest_win, d.largest_loss, d.profit_factor, d.sharpe_ratio, d.max_drawdown,
       d.recovery_factor, d.avg_hold_time, d.total_volume, d.metadata, d.created_at, d.updated_at,
       d.sum_wins, d.sum_losses, d.sum_returns, d.sum_squared_returns, d.sum_hold_seconds,
       d.peak_pnl, d.deepest_drawdown, d.last_closed_at, d.last_position_id,
       d.expectancy, d.payoff_ratio, d.sqn, d.kelly_fraction, d.longest_winning_streak,
       d.longest_losing_streak, d.sortino_ratio, d.average_mae, d.average_mfe, d.average_r,
       d.r_trades
  FROM @extschema@.metrics_days d
 WHERE NOT EXISTS (SELECT FROM @extschema@.metrics_pending q
                    WHERE q.cycle_id OPERATOR(pg_catalog.=) d.cycle_id
                      AND q.metric_date OPERATOR(pg_catalog.=) d.metric_date)
UNION ALL
SELECT m.metric_id, m.cycle_id, m.metric_date, m.total_trades, m.winning_trades, m.losing_trades,
       m.win_rate, m.gross_pnl, m.commissions, m.net_pnl, m.average_win, m.average_loss,
       m.largest_win, m.largest_loss, m.profit_factor, m.sharpe_ratio, m.max_drawdown,
       m.recovery_factor, m.avg_hold_time, m.total_volume, m.metadata, m.created_at, m.updated_at,
       m.sum_wins, m.sum_losses, m.sum_returns, m.sum_squared_returns, m.sum_hold_seconds,
       m.peak_pnl, m.deepest_drawdown, m.last_closed_at, m.last_position_id,
       m.expectancy, m.payoff_ratio, m.sqn, m.kelly_fraction, m.longest_winning_streak,
       m.longest_losing_streak, m.sortino_ratio, m.average_mae, m.average_mfe, m.average_r,
       m.r_trades
  FROM (SELECT DISTINCT q.cycle_id, q.metric_date FROM @extschema@.metrics_pending q) k
 CROSS JOIN LATERAL @extschema@.metrics_day(k.cycle_id, k.metric_date) m;
COMMENT ON VIEW @extschema@.performance_metrics IS
    'One row per cycle and trading date with the day''s metrics, exact: includes every committed close (money in currency units).';

-- The summary columns of metrics_slices and metrics_hours, and every column of the view, mean
-- what the same column of metrics_days means: they take its comment.
DO $copy_comments$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT t.relname, a.attname, pg_catalog.col_description(d.oid, da.attnum) AS description
        FROM pg_catalog.pg_class t
        JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) t.oid
        JOIN pg_catalog.pg_class d ON d.relname OPERATOR(pg_catalog.=) 'metrics_days'
                                  AND d.relnamespace OPERATOR(pg_catalog.=) t.relnamespace
        JOIN pg_catalog.pg_attribute da ON da.attrelid OPERATOR(pg_catalog.=) d.oid
                                       AND da.attname OPERATOR(pg_catalog.=) a.attname
        WHERE t.relnamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
          AND t.relname OPERATOR(pg_catalog.=) ANY (ARRAY['metrics_slices', 'metrics_hours', 'performance_metrics'])
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
          AND pg_catalog.col_description(d.oid, da.attnum) IS NOT NULL
    LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN %I.%I.%I IS %L',
                                  '@extschema@', c.relname, c.attname, c.description);
    END LOOP;
END
$copy_comments$;

-- A dump taken at 4.1 holds performance_metrics as a table; restored by this version (whose
-- performance_metrics is this view), its rows go into metrics_days, each day marked to be
-- derived anew from its trades (4.1 kept no trough_pnl nor minute summaries).  ALWAYS: a restore
-- runs with session_replication_role = replica.  Only who may insert into the view fires it: no
-- catalyst role may.
CREATE FUNCTION @extschema@.performance_metrics_restore_row()
RETURNS trigger
LANGUAGE plpgsql
AS $restore_row$
BEGIN
    INSERT INTO @extschema@.metrics_days (
        metric_id, cycle_id, metric_date, total_trades, winning_trades, losing_trades, win_rate,
        gross_pnl, commissions, net_pnl, average_win, average_loss, largest_win, largest_loss,
        profit_factor, sharpe_ratio, max_drawdown, recovery_factor, avg_hold_time, total_volume,
        metadata, created_at, updated_at, sum_wins, sum_losses, sum_returns, sum_squared_returns,
        sum_hold_seconds, peak_pnl, deepest_drawdown, last_closed_at, last_position_id)
    VALUES (
        NEW.metric_id, NEW.cycle_id, NEW.metric_date, NEW.total_trades, NEW.winning_trades,
        NEW.losing_trades, NEW.win_rate, NEW.gross_pnl, NEW.commissions, NEW.net_pnl,
        NEW.average_win, NEW.average_loss, NEW.largest_win, NEW.largest_loss, NEW.profit_factor,
        NEW.sharpe_ratio, NEW.max_drawdown, NEW.recovery_factor, NEW.avg_hold_time,
        NEW.total_volume, NEW.metadata, NEW.created_at, NEW.updated_at, NEW.sum_wins,
        NEW.sum_losses, NEW.sum_returns, NEW.sum_squared_returns, NEW.sum_hold_seconds,
        NEW.peak_pnl, NEW.deepest_drawdown, NEW.last_closed_at, NEW.last_position_id);
    INSERT INTO @extschema@.metrics_pending (cycle_id, metric_date) VALUES (NEW.cycle_id, NEW.metric_date);
    RETURN NEW;
END
$restore_row$;
COMMENT ON FUNCTION @extschema@.performance_metrics_restore_row() IS
    'INSTEAD OF INSERT on performance_metrics: a row of a 4.1 dump goes into metrics_days, its day marked to be derived anew.';
CREATE TRIGGER performance_metrics_restore_row
    INSTEAD OF INSERT ON @extschema@.performance_metrics
    FOR EACH ROW EXECUTE FUNCTION @extschema@.performance_metrics_restore_row();
-- ALTER TABLE ... ENABLE ALWAYS TRIGGER refuses views; this sets what it would set (the view's
-- relcache entry is rebuilt by the ALTER VIEW below).
UPDATE pg_catalog.pg_trigger SET tgenabled = 'A'
 WHERE tgrelid OPERATOR(pg_catalog.=) '@extschema@.performance_metrics'::pg_catalog.regclass
   AND tgname OPERATOR(pg_catalog.=) 'performance_metrics_restore_row';
COMMENT ON TRIGGER performance_metrics_restore_row ON @extschema@.performance_metrics IS
    'Takes the rows a 4.1 dump restores into performance_metrics (a table in 4.1) into metrics_days.';
-- The view reads metrics_days and metrics_pending with its owner's rights: metrics_pending holds
-- single trades (position_id, realized_pnl) that row-level security on positions may hide from a
-- reader, so no catalyst role reads it directly.  (Written out although it is the default: it
-- also rebuilds the view's relcache entry after the catalog update above.)
ALTER VIEW @extschema@.performance_metrics SET (security_invoker = false);

-- The metrics of a range of trading dates (inclusive; NULL: unbounded), in closed_at order
-- across the days: O(days).  An unknown cycle is an error (P0002).
CREATE FUNCTION @extschema@.performance(p_cycle_id varchar, p_from date DEFAULT NULL, p_to date DEFAULT NULL,
    OUT total_trades bigint, OUT winning_trades bigint, OUT losing_trades bigint,
    OUT win_rate numeric, OUT gross_pnl numeric, OUT commissions numeric, OUT net_pnl numeric,
    OUT average_win numeric, OUT average_loss numeric, OUT largest_win numeric,
    OUT largest_loss numeric, OUT profit_factor numeric, OUT sharpe_ratio numeric,
    OUT max_drawdown numeric, OUT recovery_factor numeric, OUT avg_hold_time interval,
    OUT total_volume bigint, OUT expectancy numeric, OUT payoff_ratio numeric, OUT sqn numeric,
    OUT kelly_fraction numeric, OUT longest_winning_streak bigint,
    OUT longest_losing_streak bigint, OUT sortino_ratio numeric, OUT average_mae numeric,
    OUT average_mfe numeric, OUT average_r numeric, OUT r_trades bigint)
RETURNS record
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'catalyst_performance';
COMMENT ON FUNCTION @extschema@.performance(varchar, date, date) IS
    'The metrics of one cycle''s trades over trading dates p_from..p_to (NULL bounds: its whole life), drawdown and Sharpe ratio across the range (money in currency units).';

-- The 4.1 functions, bound to the 4.2 roll-up.
CREATE OR REPLACE FUNCTION @extschema@.update_performance_metrics(
    p_cycle_id varchar,
    p_date date DEFAULT @extschema@.trading_date(pg_catalog.now()))
RETURNS void
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'catalyst_recompute_performance_metrics';
COMMENT ON FUNCTION @extschema@.update_performance_metrics(varchar, date) IS
    'Derives one cycle''s trading day anew from its trades (the reference the roll-up equals); waits for the day''s fold lock.';
CREATE OR REPLACE FUNCTION @extschema@.performance_metrics_recompute_marked()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_metrics_statement_end';
COMMENT ON FUNCTION @extschema@.performance_metrics_recompute_marked() IS
    'AFTER ... FOR EACH STATEMENT: folds the closes and marked days a statement handed to the roll-up, or leaves them pending.';
CREATE OR REPLACE FUNCTION @extschema@.order_commission_roll_up()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_metrics_order_marks';
COMMENT ON FUNCTION @extschema@.order_commission_roll_up() IS
    'AFTER UPDATE or DELETE on orders: marks the days of the closed (and archived) positions whose commission changed or went.';

-- Deleting an order changes the commissions of the days whose trades used it.
CREATE TRIGGER order_commission_after_delete
    AFTER DELETE ON @extschema@.orders
    FOR EACH ROW EXECUTE FUNCTION @extschema@.order_commission_roll_up();
CREATE TRIGGER order_commission_after_delete_statement
    AFTER DELETE ON @extschema@.orders
    FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.performance_metrics_recompute_marked();
COMMENT ON TRIGGER order_commission_after_delete ON @extschema@.orders IS
    'Marks the metric days of the closed positions whose entry or exit order is deleted.';
COMMENT ON TRIGGER order_commission_after_delete_statement ON @extschema@.orders IS
    'Folds or leaves pending, once each, the metric days the statement marked.';

-- A position may not take the id of an archived one: the archive is keyed by position_id.
CREATE FUNCTION @extschema@.position_id_not_archived()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_position_id_not_archived';
COMMENT ON FUNCTION @extschema@.position_id_not_archived() IS
    'BEFORE INSERT or UPDATE OF position_id on positions: refuses the id of an archived position (SQLSTATE 23505).';
CREATE TRIGGER position_id_not_archived
    BEFORE INSERT OR UPDATE OF position_id ON @extschema@.positions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.position_id_not_archived();
COMMENT ON TRIGGER position_id_not_archived ON @extschema@.positions IS
    'Refuses a position_id that an archived position has.';

-- Privileges: what readers could read of the 4.1 table they read through the view.
REVOKE ALL ON @extschema@.metrics_slices, @extschema@.metrics_hours, @extschema@.metrics_pending,
    @extschema@.performance_metrics FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.metrics_day(varchar, date),
    @extschema@.performance(varchar, date, date), @extschema@.position_id_not_archived(),
    @extschema@.performance_metrics_restore_row()
    FROM PUBLIC;
GRANT SELECT ON @extschema@.performance_metrics TO catalyst_reader;
GRANT EXECUTE ON FUNCTION @extschema@.metrics_day(varchar, date),
    @extschema@.performance(varchar, date, date) TO catalyst_reader;
