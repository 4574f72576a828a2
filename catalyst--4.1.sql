/* catalyst--4.1.sql: the Catalyst Trading System schema v4.1, made to run on PostgreSQL 15. */

\echo Use "CREATE EXTENSION catalyst" to load this file. \quit

-- CREATE EXTENSION runs this script with search_path = @extschema@: whoever may create objects in
-- that schema could capture the unqualified operators of the CHECK constraints and index
-- predicates below (CVE-2018-1058, CVE-2020-14350).  So the schema must be owned by a superuser
-- and writable by no one else; CREATE EXTENSION creates it so when it does not exist.
DO $schema_check$
BEGIN
    IF EXISTS (
        SELECT FROM pg_catalog.pg_namespace n
        JOIN pg_catalog.pg_roles o ON o.oid OPERATOR(pg_catalog.=) n.nspowner
        WHERE n.oid OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
          AND (NOT o.rolsuper
               OR EXISTS (SELECT FROM pg_catalog.aclexplode(n.nspacl) a
                          WHERE a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
                            AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner)))
    THEN
        RAISE EXCEPTION 'schema @extschema@ is not safe to install catalyst into'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Its owner is not a superuser, or a role other than its owner may create objects in it.',
                  HINT = 'Drop the schema (or make a superuser its owner and revoke CREATE on it from every other role), then run CREATE EXTENSION again.';
    END IF;
END
$schema_check$;

/*
 * Every name below is qualified with @extschema@ or pg_catalog: the script never depends on the
 * search_path of the role running CREATE EXTENSION.  Every deviation from the design document
 * (database-schema-mcp-v41.md) is listed in README.md, "Differences from schema v4.1".
 */

------------------------------------------------------------------------------------------------
-- C functions used by the tables' triggers and defaults
------------------------------------------------------------------------------------------------

-- BEFORE UPDATE row trigger: stamps NEW.updated_at with the transaction's start time (seed: PL/pgSQL).
CREATE FUNCTION @extschema@.update_updated_at_column()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_update_updated_at';

-- The trading date of a timestamp: its calendar date in catalyst.trading_timezone.
CREATE FUNCTION @extschema@.trading_date(ts timestamptz)
RETURNS date
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'catalyst_trading_date';

-- The first instant of a trading date (midnight in catalyst.trading_timezone).
CREATE FUNCTION @extschema@.trading_day_start(day date)
RETURNS timestamptz
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'catalyst_trading_day_start';

------------------------------------------------------------------------------------------------
-- 1. Trading cycles
------------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.trading_cycles (
    cycle_id VARCHAR(20) PRIMARY KEY,
    mode VARCHAR(20) NOT NULL CHECK (mode IN ('aggressive', 'normal', 'conservative')),
    status VARCHAR(20) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'paused', 'stopped')),
    scan_frequency INTEGER NOT NULL CHECK (scan_frequency BETWEEN 60 AND 3600),
    max_positions INTEGER NOT NULL DEFAULT 5 CHECK (max_positions BETWEEN 1 AND 10),
    risk_level DECIMAL(3,2) NOT NULL DEFAULT 0.5 CHECK (risk_level BETWEEN 0.0 AND 1.0),
    started_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    stopped_at TIMESTAMPTZ,
    stop_reason VARCHAR(100),
    configuration JSONB DEFAULT '{}',
    metrics JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX idx_trading_cycles_status ON @extschema@.trading_cycles (status);
CREATE INDEX idx_trading_cycles_started_at ON @extschema@.trading_cycles (started_at DESC);
CREATE INDEX idx_trading_cycles_active ON @extschema@.trading_cycles (status, started_at DESC)
    WHERE status = 'active';

------------------------------------------------------------------------------------------------
-- 2. Scan results (partitioned by month of scan_time)
------------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.scan_results (
    scan_id VARCHAR(50) NOT NULL,
    cycle_id VARCHAR(20) NOT NULL,
    symbol VARCHAR(10) NOT NULL,
    scan_time TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    price DECIMAL(10,2) NOT NULL,
    volume BIGINT NOT NULL,
    change_percent DECIMAL(6,2),
    momentum_score DECIMAL(5,2) CHECK (momentum_score BETWEEN 0 AND 100),
    catalyst_score DECIMAL(5,2) CHECK (catalyst_score BETWEEN 0 AND 100),
    pattern_score DECIMAL(5,2) CHECK (pattern_score BETWEEN 0 AND 100),
    technical_score DECIMAL(5,2) CHECK (technical_score BETWEEN 0 AND 100),
    total_score DECIMAL(5,2) GENERATED ALWAYS AS (
        (momentum_score * 0.3 + catalyst_score * 0.3 +
         pattern_score * 0.2 + technical_score * 0.2)
    ) STORED,
    catalysts JSONB DEFAULT '[]',
    patterns JSONB DEFAULT '[]',
    signals JSONB DEFAULT '{}',
    is_selected BOOLEAN DEFAULT FALSE,
    selection_rank INTEGER,
    created_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (scan_time, scan_id, symbol)
) PARTITION BY RANGE (scan_time);

-- Rows outside every monthly partition land here instead of failing; create_monthly_partitions()
-- moves them out when it creates their month.
CREATE TABLE @extschema@.scan_results_default PARTITION OF @extschema@.scan_results DEFAULT;

CREATE INDEX idx_scan_results_cycle ON @extschema@.scan_results (cycle_id);
CREATE INDEX idx_scan_results_symbol ON @extschema@.scan_results (symbol, scan_time DESC);
CREATE INDEX idx_scan_results_selected ON @extschema@.scan_results (is_selected, total_score DESC)
    WHERE is_selected = TRUE;
CREATE INDEX idx_scan_results_scores ON @extschema@.scan_results (total_score DESC);
CREATE INDEX idx_scan_results_catalysts ON @extschema@.scan_results USING GIN (catalysts);

------------------------------------------------------------------------------------------------
-- 3. Orders
------------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.orders (
    order_id VARCHAR(50) PRIMARY KEY,
    cycle_id VARCHAR(20) NOT NULL,
    symbol VARCHAR(10) NOT NULL,
    direction VARCHAR(10) NOT NULL CHECK (direction IN ('buy', 'sell')),
    order_type VARCHAR(20) NOT NULL
        CHECK (order_type IN ('market', 'limit', 'stop', 'stop_limit')),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    limit_price DECIMAL(10,2),
    stop_price DECIMAL(10,2),
    time_in_force VARCHAR(10) DEFAULT 'day'
        CHECK (time_in_force IN ('day', 'gtc', 'ioc', 'fok')),
    status VARCHAR(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'submitted', 'partial', 'filled', 'cancelled', 'rejected')),
    submitted_at TIMESTAMPTZ,
    filled_at TIMESTAMPTZ,
    executed_price DECIMAL(10,2),
    executed_quantity INTEGER,
    commission DECIMAL(8,2),
    reject_reason VARCHAR(200),
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX idx_orders_cycle ON @extschema@.orders (cycle_id);
CREATE INDEX idx_orders_symbol ON @extschema@.orders (symbol);
CREATE INDEX idx_orders_status ON @extschema@.orders (status);
CREATE INDEX idx_orders_created ON @extschema@.orders (created_at DESC);
CREATE INDEX idx_orders_pending ON @extschema@.orders (status, created_at)
    WHERE status IN ('pending', 'submitted');

ALTER TABLE @extschema@.orders ADD CONSTRAINT fk_orders_cycle
    FOREIGN KEY (cycle_id) REFERENCES @extschema@.trading_cycles (cycle_id);

------------------------------------------------------------------------------------------------
-- 4. Positions
------------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.positions (
    position_id SERIAL PRIMARY KEY,
    cycle_id VARCHAR(20) NOT NULL,
    symbol VARCHAR(10) NOT NULL,
    side VARCHAR(10) NOT NULL CHECK (side IN ('long', 'short')),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    entry_order_id VARCHAR(50) NOT NULL,
    exit_order_id VARCHAR(50),
    -- seed: no check; a zero price makes pnl_percent and the risk score divide by zero
    entry_price DECIMAL(10,2) NOT NULL CONSTRAINT positions_entry_price_check CHECK (entry_price > 0),
    exit_price DECIMAL(10,2),
    stop_loss DECIMAL(10,2),
    take_profit DECIMAL(10,2),
    status VARCHAR(20) NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'closed', 'partial')),
    opened_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    closed_at TIMESTAMPTZ,
    -- seed: GENERATED ALWAYS AS (COALESCE(closed_at, NOW()) - opened_at), which PostgreSQL rejects
    -- (now() is not immutable).  Set when the position closes; an open position's live hold time
    -- is catalyst.position_hold_time(p).
    hold_duration INTERVAL,
    unrealized_pnl DECIMAL(12,2),
    -- seed: DECIMAL(12,2) and DECIMAL(6,2); widened so that no close can overflow them
    realized_pnl DECIMAL(20,2),
    pnl_percent DECIMAL(14,2),
    max_profit DECIMAL(12,2),
    max_loss DECIMAL(12,2),
    risk_score DECIMAL(3,2),
    close_reason VARCHAR(100),
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX idx_positions_cycle ON @extschema@.positions (cycle_id);
CREATE INDEX idx_positions_symbol ON @extschema@.positions (symbol);
CREATE INDEX idx_positions_status ON @extschema@.positions (status);
CREATE INDEX idx_positions_open ON @extschema@.positions (status, opened_at DESC) WHERE status = 'open';
CREATE INDEX idx_positions_pnl ON @extschema@.positions (realized_pnl DESC) WHERE status = 'closed';
-- not in the seed: the metrics roll-up reads one cycle's closed positions of one day
CREATE INDEX idx_positions_cycle_closed ON @extschema@.positions (cycle_id, closed_at)
    WHERE status = 'closed';

ALTER TABLE @extschema@.positions ADD CONSTRAINT fk_positions_cycle
    FOREIGN KEY (cycle_id) REFERENCES @extschema@.trading_cycles (cycle_id);
ALTER TABLE @extschema@.positions ADD CONSTRAINT fk_positions_entry_order
    FOREIGN KEY (entry_order_id) REFERENCES @extschema@.orders (order_id);
ALTER TABLE @extschema@.positions ADD CONSTRAINT fk_positions_exit_order
    FOREIGN KEY (exit_order_id) REFERENCES @extschema@.orders (order_id);

-- An open position's hold time so far; a closed one's is its hold_duration.
CREATE FUNCTION @extschema@.position_hold_time(p @extschema@.positions)
RETURNS interval
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN COALESCE(p.closed_at, pg_catalog.now()) OPERATOR(pg_catalog.-) p.opened_at;

-- Closed positions older than catalyst.position_archive_days move here (seed: used, never created).
CREATE TABLE @extschema@.positions_archive (
    LIKE @extschema@.positions INCLUDING CONSTRAINTS,
    archived_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (position_id)
);
CREATE INDEX idx_positions_archive_cycle ON @extschema@.positions_archive (cycle_id, closed_at);

------------------------------------------------------------------------------------------------
-- 5. Trading signals
------------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.trading_signals (
    signal_id SERIAL PRIMARY KEY,
    cycle_id VARCHAR(20) NOT NULL,
    symbol VARCHAR(10) NOT NULL,
    signal_type VARCHAR(50) NOT NULL,
    signal_strength VARCHAR(20) CHECK (signal_strength IN ('weak', 'moderate', 'strong')),
    confidence DECIMAL(3,2) CHECK (confidence BETWEEN 0.0 AND 1.0),
    action VARCHAR(20) CHECK (action IN ('buy', 'sell', 'hold', 'close')),
    source VARCHAR(50) NOT NULL,
    parameters JSONB DEFAULT '{}',
    active BOOLEAN DEFAULT TRUE,
    triggered_at TIMESTAMPTZ,
    expired_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX idx_signals_cycle ON @extschema@.trading_signals (cycle_id);
CREATE INDEX idx_signals_symbol ON @extschema@.trading_signals (symbol, created_at DESC);
CREATE INDEX idx_signals_active ON @extschema@.trading_signals (active, symbol) WHERE active = TRUE;
CREATE INDEX idx_signals_type ON @extschema@.trading_signals (signal_type);

------------------------------------------------------------------------------------------------
-- 6. Pattern detections
------------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.pattern_detections (
    detection_id SERIAL PRIMARY KEY,
    cycle_id VARCHAR(20) NOT NULL,
    symbol VARCHAR(10) NOT NULL,
    pattern_type VARCHAR(50) NOT NULL,
    timeframe VARCHAR(10) NOT NULL,
    confidence DECIMAL(3,2) CHECK (confidence BETWEEN 0.0 AND 1.0),
    entry_point DECIMAL(10,2),
    target_price DECIMAL(10,2),
    stop_loss DECIMAL(10,2),
    risk_reward_ratio DECIMAL(4,2),
    pattern_data JSONB DEFAULT '{}',
    detected_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    valid_until TIMESTAMPTZ
);

CREATE INDEX idx_patterns_cycle ON @extschema@.pattern_detections (cycle_id);
CREATE INDEX idx_patterns_symbol ON @extschema@.pattern_detections (symbol, detected_at DESC);
CREATE INDEX idx_patterns_type ON @extschema@.pattern_detections (pattern_type);
CREATE INDEX idx_patterns_confidence ON @extschema@.pattern_detections (confidence DESC);

------------------------------------------------------------------------------------------------
-- 7. News catalysts
------------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.news_catalysts (
    catalyst_id SERIAL PRIMARY KEY,
    symbol VARCHAR(10) NOT NULL,
    headline TEXT NOT NULL,
    summary TEXT,
    source VARCHAR(100),
    url TEXT,
    sentiment VARCHAR(20) CHECK (sentiment IN ('positive', 'negative', 'neutral', 'mixed')),
    sentiment_score DECIMAL(3,2),
    relevance_score DECIMAL(3,2),
    impact_level VARCHAR(20) CHECK (impact_level IN ('low', 'medium', 'high', 'critical')),
    categories TEXT[],
    entities JSONB DEFAULT '[]',
    published_at TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX idx_news_symbol ON @extschema@.news_catalysts (symbol, published_at DESC);
CREATE INDEX idx_news_published ON @extschema@.news_catalysts (published_at DESC);
CREATE INDEX idx_news_sentiment ON @extschema@.news_catalysts (sentiment, sentiment_score);
CREATE INDEX idx_news_impact ON @extschema@.news_catalysts (impact_level)
    WHERE impact_level IN ('high', 'critical');
CREATE INDEX idx_news_categories ON @extschema@.news_catalysts USING GIN (categories);

------------------------------------------------------------------------------------------------
-- 8. Performance metrics
------------------------------------------------------------------------------------------------

-- One row per cycle and trading date, kept by the position-close triggers (see "Position close
-- and the performance roll-up" below).  The row holds the running state of the day's trades
-- (the columns after updated_at) and the metrics derived from it (win_rate ... avg_hold_time),
-- both written by the same C code whether the state comes from folding in one more close or
-- from a full recompute (src/metrics_state.c).  The seed's win_rate and net_pnl were generated
-- columns: PostgreSQL reads and compiles every generation expression anew for each statement,
-- which cost a close more than the rest of the roll-up.  Money columns are widened from the
-- seed's DECIMAL(10,2)/(12,2); a derived value beyond its column's range (a ratio above 9999.99,
-- say) is clamped to the range.
CREATE TABLE @extschema@.performance_metrics (
    metric_id SERIAL PRIMARY KEY,
    cycle_id VARCHAR(20) NOT NULL,
    metric_date DATE NOT NULL,
    total_trades INTEGER NOT NULL DEFAULT 0,
    winning_trades INTEGER NOT NULL DEFAULT 0,
    losing_trades INTEGER NOT NULL DEFAULT 0,
    win_rate DECIMAL(5,2),
    gross_pnl DECIMAL(20,2),
    commissions DECIMAL(20,2) NOT NULL DEFAULT 0,
    net_pnl DECIMAL(20,2),
    average_win DECIMAL(20,2),
    average_loss DECIMAL(20,2),
    largest_win DECIMAL(20,2),
    largest_loss DECIMAL(20,2),
    profit_factor DECIMAL(6,2),
    sharpe_ratio DECIMAL(6,2),
    max_drawdown DECIMAL(20,2),
    recovery_factor DECIMAL(6,2),
    avg_hold_time INTERVAL,
    total_volume BIGINT NOT NULL DEFAULT 0,
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    -- running state of the day, exact (unconstrained NUMERIC)
    sum_wins NUMERIC NOT NULL DEFAULT 0,             -- sum of the winning trades' realized_pnl
    sum_losses NUMERIC NOT NULL DEFAULT 0,           -- sum of the losing trades' realized_pnl (<= 0)
    sum_returns NUMERIC NOT NULL DEFAULT 0,          -- sum of pnl_percent
    sum_squared_returns NUMERIC NOT NULL DEFAULT 0,  -- sum of pnl_percent^2
    sum_hold_seconds NUMERIC NOT NULL DEFAULT 0,     -- sum of hold_duration, in seconds
    peak_pnl NUMERIC NOT NULL DEFAULT 0,             -- highest cumulative realized_pnl so far (from 0)
    deepest_drawdown NUMERIC NOT NULL DEFAULT 0,     -- largest fall of the cumulative P&L from its peak
    last_closed_at TIMESTAMPTZ,                      -- (closed_at, position_id) of the last trade
    last_position_id INTEGER,                        -- folded in, in closed_at order
    UNIQUE (cycle_id, metric_date)
) WITH (fillfactor = 50);

-- Every close rewrites its day's row.  Its updates are HOT (heap-only: no new index entries, no
-- dead index versions) as long as no indexed column changes and the page has room, hence the
-- fillfactor and no seed index idx_metrics_pnl on net_pnl (one row per cycle and day sorts by
-- net_pnl in no time).
CREATE INDEX idx_metrics_cycle ON @extschema@.performance_metrics (cycle_id);
CREATE INDEX idx_metrics_date ON @extschema@.performance_metrics (metric_date DESC);

------------------------------------------------------------------------------------------------
-- 9. Audit log (partitioned by month of created_at)
------------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.audit_log (
    log_id BIGSERIAL,
    cycle_id VARCHAR(20),
    event_type VARCHAR(50) NOT NULL,
    event_category VARCHAR(50) NOT NULL,
    entity_type VARCHAR(50),
    entity_id VARCHAR(50),
    user_action VARCHAR(100),
    details JSONB DEFAULT '{}',
    ip_address INET,
    user_agent TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    -- seed: PRIMARY KEY (log_id); a partitioned table's key must include the partition key
    PRIMARY KEY (log_id, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE @extschema@.audit_log_default PARTITION OF @extschema@.audit_log DEFAULT;

CREATE INDEX idx_audit_cycle ON @extschema@.audit_log (cycle_id);
CREATE INDEX idx_audit_event ON @extschema@.audit_log (event_type);
CREATE INDEX idx_audit_entity ON @extschema@.audit_log (entity_type, entity_id);
CREATE INDEX idx_audit_created ON @extschema@.audit_log (created_at DESC);

------------------------------------------------------------------------------------------------
-- updated_at triggers: every table with an updated_at column (the seed forgot
-- performance_metrics, and created the trading_cycles trigger before its function)
------------------------------------------------------------------------------------------------

CREATE TRIGGER update_trading_cycles_updated_at
    BEFORE UPDATE ON @extschema@.trading_cycles
    FOR EACH ROW EXECUTE FUNCTION @extschema@.update_updated_at_column();
CREATE TRIGGER update_orders_updated_at
    BEFORE UPDATE ON @extschema@.orders
    FOR EACH ROW EXECUTE FUNCTION @extschema@.update_updated_at_column();
CREATE TRIGGER update_positions_updated_at
    BEFORE UPDATE ON @extschema@.positions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.update_updated_at_column();
CREATE TRIGGER update_performance_metrics_updated_at
    BEFORE UPDATE ON @extschema@.performance_metrics
    FOR EACH ROW EXECUTE FUNCTION @extschema@.update_updated_at_column();

------------------------------------------------------------------------------------------------
-- Views
------------------------------------------------------------------------------------------------

CREATE VIEW @extschema@.v_active_trading AS
SELECT
    tc.cycle_id,
    tc.mode,
    tc.status AS cycle_status,
    p.symbol,
    p.side,
    p.quantity,
    p.entry_price,
    p.unrealized_pnl,
    p.risk_score,
    sr.total_score AS scan_score,
    sr.catalysts,
    ts.signal_type,
    ts.confidence AS signal_confidence
FROM @extschema@.trading_cycles tc
JOIN @extschema@.positions p ON tc.cycle_id OPERATOR(pg_catalog.=) p.cycle_id
LEFT JOIN LATERAL (
    SELECT s.total_score, s.catalysts
    FROM @extschema@.scan_results s
    WHERE s.symbol OPERATOR(pg_catalog.=) p.symbol
    ORDER BY s.scan_time DESC
    LIMIT 1
) sr ON TRUE
LEFT JOIN LATERAL (
    SELECT t.signal_type, t.confidence
    FROM @extschema@.trading_signals t
    WHERE t.symbol OPERATOR(pg_catalog.=) p.symbol AND t.active
    ORDER BY t.created_at DESC
    LIMIT 1
) ts ON TRUE
WHERE tc.status OPERATOR(pg_catalog.=) 'active'
  AND p.status OPERATOR(pg_catalog.=) 'open';

-- seed: DATE(closed_at) in the session's TimeZone and CURRENT_DATE; here the trading date is
-- closed_at in catalyst.trading_timezone, the same day the metrics roll-up files the trade under.
CREATE VIEW @extschema@.v_daily_performance AS
SELECT
    d.trading_date,
    pg_catalog.count(*) AS total_trades,
    pg_catalog.count(*) FILTER (WHERE d.realized_pnl OPERATOR(pg_catalog.>) 0) AS winning_trades,
    pg_catalog.count(*) FILTER (WHERE d.realized_pnl OPERATOR(pg_catalog.<) 0) AS losing_trades,
    pg_catalog.sum(d.realized_pnl) AS total_pnl,
    pg_catalog.avg(d.realized_pnl) AS avg_pnl,
    pg_catalog.max(d.realized_pnl) AS best_trade,
    pg_catalog.min(d.realized_pnl) AS worst_trade,
    (pg_catalog.avg(pg_catalog.date_part('epoch', d.hold_duration)) OPERATOR(pg_catalog./) 3600)::DECIMAL(8,2)
        AS avg_hold_hours
FROM (
    SELECT @extschema@.trading_date(p.closed_at) AS trading_date, p.realized_pnl, p.hold_duration
    FROM @extschema@.positions p
    WHERE p.status OPERATOR(pg_catalog.=) 'closed'
      AND p.closed_at OPERATOR(pg_catalog.>=)
          @extschema@.trading_day_start(@extschema@.trading_date(pg_catalog.now()) OPERATOR(pg_catalog.-) 30)
) d
GROUP BY d.trading_date
ORDER BY d.trading_date DESC;

------------------------------------------------------------------------------------------------
-- Partition maintenance
------------------------------------------------------------------------------------------------

-- Creates the partitions of the current month and the next `premake` months (NULL: the setting
-- catalyst.premake_months) for scan_results and audit_log; returns how many it created, or NULL
-- when it did nothing (hot standby, or another maintenance run in progress).
CREATE FUNCTION @extschema@.create_monthly_partitions(premake integer DEFAULT NULL)
RETURNS integer
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'catalyst_create_monthly_partitions_sql';

------------------------------------------------------------------------------------------------
-- Risk scoring
------------------------------------------------------------------------------------------------

-- A position's risk score, 0 to 1: the seed's calculate_position_risk() formula, with its
-- thresholds and weights as the catalyst.risk_* settings (README, "Risk scoring").
-- An unknown id is an error (SQLSTATE P0002).
CREATE FUNCTION @extschema@.catalyst_position_risk(position_id integer)
RETURNS numeric
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'catalyst_position_risk_by_id';

-- The score of the given values, as if they were a position's columns.
CREATE FUNCTION @extschema@.position_risk_score(unrealized_pnl numeric, opened_at timestamptz,
    closed_at timestamptz, stop_loss numeric, entry_price numeric)
RETURNS numeric
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'catalyst_position_risk_of_columns';

-- The score of a row at hand: SELECT catalyst.catalyst_position_risk(p) FROM catalyst.positions p.
-- A SQL function so that the planner inlines it: p.unrealized_pnl and the rest become the scan's
-- own columns and the whole row is never built (building it costs more than the score).  Inlining
-- rules out STRICT and a SET clause: position_risk_score() returns NULL for the NULL row, and the
-- body, parsed when this is created, names nothing through the search_path.
CREATE FUNCTION @extschema@.catalyst_position_risk(p @extschema@.positions)
RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE
RETURN @extschema@.position_risk_score(p.unrealized_pnl, p.opened_at, p.closed_at, p.stop_loss,
                                       p.entry_price);

-- The seed's name for the score by id.
CREATE FUNCTION @extschema@.calculate_position_risk(p_position_id integer)
RETURNS numeric
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'catalyst_position_risk_by_id';

-- Writes risk_score of the open positions (of one cycle, or all) whose score changed, in one
-- UPDATE run as the owner of positions; returns how many rows it updated.
CREATE FUNCTION @extschema@.refresh_position_risk(cycle_id varchar DEFAULT NULL)
RETURNS integer
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'catalyst_refresh_position_risk';

------------------------------------------------------------------------------------------------
-- Position close and the performance roll-up
------------------------------------------------------------------------------------------------

-- BEFORE INSERT or UPDATE on positions: a closed position's realized_pnl (signed by side),
-- pnl_percent and hold_duration; cleared when it reopens (seed: on_position_closed()).
CREATE FUNCTION @extschema@.position_close_derive()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_position_close_derive';

-- AFTER INSERT, UPDATE or DELETE on positions: a close is folded into its day's metrics and
-- audited (position_closed); a corrected, reopened or deleted closed position marks its day(s).
CREATE FUNCTION @extschema@.position_close_roll_up()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_position_close_roll_up';

-- AFTER UPDATE on orders: a commission change marks the days of the closed positions using it.
CREATE FUNCTION @extschema@.order_commission_roll_up()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_metrics_order_changed';

-- AFTER ... FOR EACH STATEMENT: recomputes, once each, the days the statement's rows marked.
CREATE FUNCTION @extschema@.performance_metrics_recompute_marked()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_metrics_recompute_marked';

-- The full recompute of one cycle's day (seed name; default: today's trading date).
CREATE FUNCTION @extschema@.update_performance_metrics(
    p_cycle_id varchar,
    p_date date DEFAULT @extschema@.trading_date(pg_catalog.now()))
RETURNS void
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'catalyst_update_performance_metrics';

-- No WHEN clauses: PostgreSQL parses a trigger's WHEN clause anew for every statement, which
-- cost a single-row close more than the test it makes; the C functions test the rows instead,
-- and UPDATE OF keeps the triggers from firing at all for updates that touch none of the
-- columns they read (unrealized_pnl, risk_score, ...).
CREATE TRIGGER position_close_before
    BEFORE INSERT OR UPDATE OF status, side, quantity, entry_price, exit_price, opened_at, closed_at,
                               realized_pnl, pnl_percent, hold_duration
    ON @extschema@.positions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.position_close_derive();
CREATE TRIGGER position_close_after
    AFTER INSERT OR DELETE
       OR UPDATE OF status, cycle_id, position_id, side, quantity, entry_price, exit_price, opened_at,
                    closed_at, realized_pnl, pnl_percent, hold_duration, entry_order_id, exit_order_id
    ON @extschema@.positions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.position_close_roll_up();
CREATE TRIGGER position_close_after_statement
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.positions
    FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.performance_metrics_recompute_marked();
CREATE TRIGGER order_commission_after_update
    AFTER UPDATE OF commission, order_id ON @extschema@.orders
    FOR EACH ROW EXECUTE FUNCTION @extschema@.order_commission_roll_up();
CREATE TRIGGER order_commission_after_statement
    AFTER UPDATE OF commission, order_id ON @extschema@.orders
    FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.performance_metrics_recompute_marked();

-- A commission change finds the closed positions (and archived ones) that use the order.
CREATE INDEX idx_positions_closed_entry_order ON @extschema@.positions (entry_order_id)
    WHERE status = 'closed';
CREATE INDEX idx_positions_closed_exit_order ON @extschema@.positions (exit_order_id)
    WHERE status = 'closed';
CREATE INDEX idx_positions_archive_entry_order ON @extschema@.positions_archive (entry_order_id);
CREATE INDEX idx_positions_archive_exit_order ON @extschema@.positions_archive (exit_order_id);

------------------------------------------------------------------------------------------------
-- Retention, maintenance runs and pg_cron scheduling
------------------------------------------------------------------------------------------------

-- The last completed run of each maintenance job: when it started and finished, the role that
-- ran it, and what it did (the jsonb summary; for cleanup_old_data, what the function returned).
-- A run that fails rolls back, this row's update included; pg_cron's cron.job_run_details and
-- the server log keep its error.
CREATE TABLE @extschema@.maintenance_runs (
    job TEXT PRIMARY KEY CHECK (job IN ('create_monthly_partitions', 'cleanup_old_data')),
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    run_by NAME NOT NULL,
    summary JSONB NOT NULL
);

-- Retention by partition: retires the months of scan_results and audit_log older than their
-- retention (dropped, or kept detached), archives old closed positions, trims pg_cron's history
-- of catalyst's jobs; returns what it did.  Runs as the tables' owner, hence not for everyone.
CREATE FUNCTION @extschema@.cleanup_old_data()
RETURNS jsonb
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'catalyst_cleanup_old_data';

-- The database pg_cron runs in (cron.database_name), or NULL when pg_cron is not loaded.  Read
-- from pg_settings, which lists only loaded settings: cron.database_name written in
-- postgresql.conf without pg_cron in shared_preload_libraries is a mere placeholder.
CREATE FUNCTION @extschema@.pg_cron_database()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT s.setting FROM pg_catalog.pg_settings s WHERE s.name OPERATOR(pg_catalog.=) 'cron.database_name');

-- The pg_cron jobs of catalyst, for this database: name, schedule (pg_cron's time zone, GMT in
-- pg_cron 1.4), command, and the statement that schedules it where pg_cron lives.  When pg_cron
-- lives in another database, the names carry "@<this database>" so that several databases'
-- jobs do not replace each other there (pg_cron names are unique per role).
CREATE FUNCTION @extschema@.maintenance_jobs(
    OUT job_name text, OUT schedule text, OUT command text, OUT statement text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT n.job_name, j.schedule, j.command,
       CASE WHEN n.here
            THEN pg_catalog.format('SELECT cron.schedule(%L, %L, %L);', n.job_name, j.schedule, j.command)
            ELSE pg_catalog.format('SELECT cron.schedule_in_database(%L, %L, %L, %L);',
                                   n.job_name, j.schedule, j.command, pg_catalog.current_database())
       END
FROM (VALUES
        (1, 'catalyst-partitions', '0 1 * * *', 'SELECT @extschema@.create_monthly_partitions()'),
        (2, 'catalyst-cleanup', '0 2 * * *', 'SELECT @extschema@.cleanup_old_data()'),
        (3, 'catalyst-risk-refresh', '* * * * *', 'SELECT @extschema@.refresh_position_risk()')
     ) AS j (ord, name, schedule, command)
CROSS JOIN LATERAL (
    SELECT here,
           CASE WHEN here THEN j.name
                ELSE j.name OPERATOR(pg_catalog.||) '@' OPERATOR(pg_catalog.||) pg_catalog.current_database()
           END AS job_name
    FROM (SELECT COALESCE(@extschema@.pg_cron_database() OPERATOR(pg_catalog.=) pg_catalog.current_database(),
                          false) AS here) h
) n
ORDER BY j.ord
$$;

-- Raises the error that says why catalyst's jobs cannot be (un)scheduled from this database, if
-- they cannot: pg_cron not loaded, loaded for another database (the HINT then gives the
-- statements to run there), or not installed here.
CREATE FUNCTION @extschema@.require_pg_cron_here(statements_for_cron_database text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cron_database text := @extschema@.pg_cron_database();
BEGIN
    IF cron_database IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not loaded in this server'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'catalyst schedules its maintenance jobs with pg_cron, which runs only when preloaded.',
                  HINT = pg_catalog.format('Add pg_cron to shared_preload_libraries and set cron.database_name = ''%s'' '
                                           'in postgresql.conf, restart the server, run CREATE EXTENSION pg_cron in '
                                           'that database, then call this function again.',
                                           pg_catalog.current_database());
    ELSIF cron_database OPERATOR(pg_catalog.<>) pg_catalog.current_database() THEN
        RAISE EXCEPTION 'pg_cron runs in database "%", not in this one ("%")',
                        cron_database, pg_catalog.current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'pg_cron keeps every job in the database named by cron.database_name, '
                           'so catalyst cannot reach its jobs from here.',
                  HINT = pg_catalog.format(E'Run these statements in database "%s" as a superuser:\n%s',
                                           cron_database, statements_for_cron_database);
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
        RAISE EXCEPTION 'pg_cron is not installed in this database'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'cron.database_name names this database, but CREATE EXTENSION pg_cron has not run in it.',
                  HINT = 'Run CREATE EXTENSION pg_cron, then call this function again.';
    END IF;
END
$$;

-- Registers (or, run again, updates in place: pg_cron upserts by job name and role) the jobs of
-- maintenance_jobs() with pg_cron in this database; returns them with their pg_cron job ids.
CREATE FUNCTION @extschema@.schedule_maintenance()
RETURNS TABLE (job_name text, schedule text, command text, jobid bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.require_pg_cron_here(
        (SELECT pg_catalog.string_agg(m.statement, E'\n' ORDER BY m.ordinality)
         FROM @extschema@.maintenance_jobs() WITH ORDINALITY m));
    RETURN QUERY
        SELECT m.job_name, m.schedule, m.command, cron.schedule(m.job_name, m.schedule, m.command)
        FROM @extschema@.maintenance_jobs() m;
END
$$;

-- Removes the jobs of maintenance_jobs() that the calling role has in pg_cron; returns how many.
CREATE FUNCTION @extschema@.unschedule_maintenance()
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    removed integer;
BEGIN
    PERFORM @extschema@.require_pg_cron_here(
        (SELECT pg_catalog.string_agg(pg_catalog.format('SELECT cron.unschedule(%L);', m.job_name), E'\n'
                                      ORDER BY m.ordinality)
         FROM @extschema@.maintenance_jobs() WITH ORDINALITY m));
    SELECT pg_catalog.count(cron.unschedule(m.job_name)) INTO removed
    FROM @extschema@.maintenance_jobs() m
    WHERE EXISTS (SELECT FROM cron.job c
                  WHERE c.jobname OPERATOR(pg_catalog.=) m.job_name
                    AND c.username OPERATOR(pg_catalog.=) CURRENT_USER);
    RETURN removed;
END
$$;

------------------------------------------------------------------------------------------------
-- Security: roles, privileges, row-level security, row audit
------------------------------------------------------------------------------------------------

-- Three group roles (README, "Security").  Roles belong to the cluster, not to a database or an
-- extension: they are created once, by the first CREATE EXTENSION, with each one a member of the
-- one below it; a role that exists already is left as the DBA made it.  DROP EXTENSION keeps them.
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'catalyst_reader') THEN
        CREATE ROLE catalyst_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'catalyst_trader') THEN
        CREATE ROLE catalyst_trader NOLOGIN IN ROLE catalyst_reader;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'catalyst_admin') THEN
        CREATE ROLE catalyst_admin NOLOGIN IN ROLE catalyst_trader;
    END IF;
END
$roles$;

-- Row audit: one audit_log event per row inserted, updated or deleted (C, src/row_audit.c).
CREATE FUNCTION @extschema@.audit_row_change()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_audit_row_change';

CREATE TRIGGER audit_trading_cycles_changes
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.trading_cycles
    FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row_change();
CREATE TRIGGER audit_trading_cycles_truncate
    AFTER TRUNCATE ON @extschema@.trading_cycles
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_row_change();
CREATE TRIGGER audit_orders_changes
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.orders
    FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row_change();
CREATE TRIGGER audit_orders_truncate
    AFTER TRUNCATE ON @extschema@.orders
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_row_change();
CREATE TRIGGER audit_positions_changes
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.positions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row_change();
CREATE TRIGGER audit_positions_truncate
    AFTER TRUNCATE ON @extschema@.positions
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_row_change();

-- audit_log is append-only, for superusers too: UPDATE, DELETE and TRUNCATE raise an error (C,
-- src/audit_log.c).  The row trigger is cloned onto every partition; the TRUNCATE trigger is not,
-- so each partition gets its own (create_monthly_partitions() adds it to the ones it makes).
-- ENABLE ALWAYS: they fire under session_replication_role = replica too.
CREATE FUNCTION @extschema@.audit_log_append_only()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_audit_log_append_only';

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON @extschema@.audit_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON @extschema@.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON @extschema@.audit_log_default
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_log_append_only();
ALTER TABLE @extschema@.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;
ALTER TABLE @extschema@.audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;
ALTER TABLE @extschema@.audit_log_default ENABLE ALWAYS TRIGGER audit_log_no_truncate;

-- Row-level security (seed: orders only, for every role, with cycle_id IN (SELECT ...)): the
-- reader and trader roles see and write only the orders and positions of active cycles, the admin
-- role all of them.  EXISTS on trading_cycles' primary key lets the planner check one row by its
-- key, or hash the active cycles for a scan of many rows, instead of evaluating an IN list.
-- FORCE: the policies bind the tables' owner too, so that a role granted membership in the owner
-- (which would make it an owner) does not bypass them.  Superusers and BYPASSRLS roles bypass
-- row-level security anyway, and the extension's C code writes as the owner with row-level
-- security not forced (src/run_as_owner.c), as PostgreSQL's foreign-key checks do.
ALTER TABLE @extschema@.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.orders FORCE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.positions ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.positions FORCE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.positions_archive ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.positions_archive FORCE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.trading_cycles ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.trading_cycles FORCE ROW LEVEL SECURITY;

-- trading_cycles: everyone may read every cycle (the policies below look cycles up), a trader
-- may start and change cycles but not touch a stopped one: otherwise it could reactivate a cycle
-- and see again the orders and positions the policies hide.
CREATE POLICY trading_cycles_read ON @extschema@.trading_cycles
    FOR SELECT TO catalyst_reader, catalyst_trader
    USING (true);
CREATE POLICY trading_cycles_insert ON @extschema@.trading_cycles
    FOR INSERT TO catalyst_trader
    WITH CHECK (true);
CREATE POLICY trading_cycles_update ON @extschema@.trading_cycles
    FOR UPDATE TO catalyst_trader
    USING (status OPERATOR(pg_catalog.<>) 'stopped')
    WITH CHECK (true);
CREATE POLICY trading_cycles_admin_policy ON @extschema@.trading_cycles
    FOR ALL TO catalyst_admin
    USING (true) WITH CHECK (true);

CREATE POLICY orders_policy ON @extschema@.orders
    FOR ALL TO catalyst_reader, catalyst_trader
    USING (EXISTS (SELECT FROM @extschema@.trading_cycles c
                   WHERE c.cycle_id OPERATOR(pg_catalog.=) orders.cycle_id
                     AND c.status OPERATOR(pg_catalog.=) 'active'))
    WITH CHECK (EXISTS (SELECT FROM @extschema@.trading_cycles c
                        WHERE c.cycle_id OPERATOR(pg_catalog.=) orders.cycle_id
                          AND c.status OPERATOR(pg_catalog.=) 'active'));
CREATE POLICY orders_admin_policy ON @extschema@.orders
    FOR ALL TO catalyst_admin
    USING (true) WITH CHECK (true);
CREATE POLICY positions_policy ON @extschema@.positions
    FOR ALL TO catalyst_reader, catalyst_trader
    USING (EXISTS (SELECT FROM @extschema@.trading_cycles c
                   WHERE c.cycle_id OPERATOR(pg_catalog.=) positions.cycle_id
                     AND c.status OPERATOR(pg_catalog.=) 'active'))
    WITH CHECK (EXISTS (SELECT FROM @extschema@.trading_cycles c
                        WHERE c.cycle_id OPERATOR(pg_catalog.=) positions.cycle_id
                          AND c.status OPERATOR(pg_catalog.=) 'active'));
CREATE POLICY positions_admin_policy ON @extschema@.positions
    FOR ALL TO catalyst_admin
    USING (true) WITH CHECK (true);
-- archived positions: the same rows as positions for readers and traders, all for the admin;
-- only the extension's retention writes the archive
CREATE POLICY positions_archive_policy ON @extschema@.positions_archive
    FOR SELECT TO catalyst_reader, catalyst_trader
    USING (EXISTS (SELECT FROM @extschema@.trading_cycles c
                   WHERE c.cycle_id OPERATOR(pg_catalog.=) positions_archive.cycle_id
                     AND c.status OPERATOR(pg_catalog.=) 'active'));
CREATE POLICY positions_archive_admin_policy ON @extschema@.positions_archive
    FOR SELECT TO catalyst_admin
    USING (true);

-- The views check privileges and row-level security as the role that queries them, not as their
-- owner (a superuser, who would see every row).
ALTER VIEW @extschema@.v_active_trading SET (security_invoker = true);
ALTER VIEW @extschema@.v_daily_performance SET (security_invoker = true);

-- Privileges.  Nothing of the extension is PUBLIC's: the REVOKEs run after every object of the
-- script is made, and partitions made later copy their parent's privileges (src/partitions.c).
-- Trigger functions need no EXECUTE privilege to fire.
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL ROUTINES IN SCHEMA @extschema@ FROM PUBLIC;
GRANT USAGE ON SCHEMA @extschema@ TO catalyst_reader;

-- catalyst_reader: every table and view, audit_log without the rows' contents and the clients'
-- addresses (details holds old and new rows, which row-level security would hide from it).
GRANT SELECT ON @extschema@.trading_cycles, @extschema@.orders, @extschema@.positions,
    @extschema@.positions_archive, @extschema@.trading_signals, @extschema@.pattern_detections,
    @extschema@.news_catalysts, @extschema@.performance_metrics,
    @extschema@.scan_results, @extschema@.scan_results_default,
    @extschema@.v_active_trading, @extschema@.v_daily_performance
    TO catalyst_reader;
GRANT SELECT (log_id, cycle_id, event_type, event_category, entity_type, entity_id, user_action,
              created_at)
    ON @extschema@.audit_log TO catalyst_reader;
GRANT EXECUTE ON FUNCTION @extschema@.trading_date(timestamptz),
    @extschema@.trading_day_start(date), @extschema@.position_hold_time(@extschema@.positions),
    @extschema@.catalyst_position_risk(integer), @extschema@.catalyst_position_risk(@extschema@.positions),
    @extschema@.calculate_position_risk(integer),
    @extschema@.position_risk_score(numeric, timestamptz, timestamptz, numeric, numeric)
    TO catalyst_reader;

-- catalyst_trader (and what catalyst_reader may): what a trading engine writes.  No DELETE.
GRANT INSERT, UPDATE ON @extschema@.trading_cycles, @extschema@.orders, @extschema@.positions,
    @extschema@.trading_signals, @extschema@.pattern_detections, @extschema@.news_catalysts,
    @extschema@.scan_results, @extschema@.scan_results_default
    TO catalyst_trader;
GRANT USAGE ON SEQUENCE @extschema@.positions_position_id_seq,
    @extschema@.trading_signals_signal_id_seq, @extschema@.pattern_detections_detection_id_seq,
    @extschema@.news_catalysts_catalyst_id_seq
    TO catalyst_trader;

-- catalyst_admin (and what catalyst_trader may): corrections (DELETE), every row of orders,
-- positions and the archive, the whole audit trail (read only: nobody writes it but the
-- extension), the maintenance functions and settings.  The archive and performance_metrics are
-- written only by the extension's code, so that the metrics always equal their recompute.  catalyst.audit and catalyst.audit_retention_days stay superuser-only:
-- they decide what the audit trail keeps.
GRANT DELETE ON @extschema@.trading_cycles, @extschema@.orders, @extschema@.positions,
    @extschema@.trading_signals, @extschema@.pattern_detections, @extschema@.news_catalysts,
    @extschema@.scan_results, @extschema@.scan_results_default
    TO catalyst_admin;
GRANT SELECT ON @extschema@.audit_log, @extschema@.audit_log_default TO catalyst_admin;
GRANT EXECUTE ON FUNCTION @extschema@.create_monthly_partitions(integer),
    @extschema@.refresh_position_risk(varchar), @extschema@.update_performance_metrics(varchar, date),
    @extschema@.cleanup_old_data(),
    @extschema@.schedule_maintenance(), @extschema@.unschedule_maintenance(),
    @extschema@.maintenance_jobs(), @extschema@.pg_cron_database(),
    @extschema@.require_pg_cron_here(text)
    TO catalyst_admin;
GRANT SELECT ON @extschema@.maintenance_runs TO catalyst_admin;
GRANT SET ON PARAMETER catalyst.premake_months, catalyst.scan_retention_days,
    catalyst.position_archive_days, catalyst.retention_keep_detached, catalyst.trading_timezone
    TO catalyst_admin;

------------------------------------------------------------------------------------------------
-- pg_dump keeps the rows of every table and the position of every sequence of the extension
------------------------------------------------------------------------------------------------

-- (scan_results, audit_log and their partitions are dumped as ordinary tables: see below.)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.trading_cycles', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.orders', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.positions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.positions_archive', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.trading_signals', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pattern_detections', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.news_catalysts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.performance_metrics', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.maintenance_runs', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.positions_position_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.trading_signals_signal_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pattern_detections_detection_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.news_catalysts_catalyst_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.performance_metrics_metric_id_seq', '');

------------------------------------------------------------------------------------------------
-- scan_results, audit_log (with their partitions and sequence) and v_active_trading are user
-- data, not members of the extension: pg_dump dumps them like any table, with their partitions
-- and indexes, and DROP EXTENSION still drops them through an automatic dependency
-- (src/user_data.c explains why).  A restore brings its own copies, so when the script runs
-- inside one it drops those it just made: pg_dump's output, plain or archive, always starts
-- with SET row_security = off, which is on otherwise.
------------------------------------------------------------------------------------------------

DO $install$
BEGIN
    IF pg_catalog.current_setting('row_security')::boolean THEN
        ALTER EXTENSION catalyst DROP VIEW @extschema@.v_active_trading;
        ALTER EXTENSION catalyst DROP TABLE @extschema@.scan_results;
        ALTER EXTENSION catalyst DROP TABLE @extschema@.scan_results_default;
        ALTER EXTENSION catalyst DROP TABLE @extschema@.audit_log;
        ALTER EXTENSION catalyst DROP TABLE @extschema@.audit_log_default;
        ALTER EXTENSION catalyst DROP SEQUENCE @extschema@.audit_log_log_id_seq;
        -- the partitions of the current month and the next catalyst.premake_months
        PERFORM @extschema@.create_monthly_partitions();
    ELSE
        RAISE NOTICE 'catalyst: row_security is off, as in a restore: scan_results, audit_log and v_active_trading are left to the dump'
            USING HINT = 'Outside a restore, run CREATE EXTENSION with row_security on.';
        DROP VIEW @extschema@.v_active_trading;
        DROP TABLE @extschema@.scan_results, @extschema@.audit_log;
    END IF;
END
$install$;
