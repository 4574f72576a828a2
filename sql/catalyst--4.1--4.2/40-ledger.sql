
------------------------------------------------------------------------------------------------
-- The ledger (issue 11, items 1-4; doc/ledger.md): idempotent fills that maintain their order,
-- the order life cycle enforced and logged, partial exits, MAE/MFE, the initial stop and its
-- changes, the R-multiple.
------------------------------------------------------------------------------------------------

-- orders: the exact notional of the fills, so the exact VWAP is executed_value / executed_quantity
-- (executed_price keeps the seed's DECIMAL(10,2): that VWAP rounded to the cent).
ALTER TABLE @extschema@.orders ADD COLUMN executed_value NUMERIC;
COMMENT ON COLUMN @extschema@.orders.executed_value IS
    'Exact sum of quantity x price over the order''s fills (money); the exact VWAP is executed_value / executed_quantity.';

-- positions (and the archive, which retention fills column by column): what the exit fills
-- recorded so far, and the stop the trade started with.
-- Added without a default, NOT NULL or a validated check: PostgreSQL 15 refuses an ALTER TABLE
-- that would evaluate a default or scan positions while SQL functions (position_hold_time(),
-- catalyst_position_risk()) take its row type.  The defaults then apply to new rows, the check
-- binds every row written from now on, and the code reads a NULL (a row from before 4.2) as 0.
ALTER TABLE @extschema@.positions
    ADD COLUMN exited_quantity INTEGER,
    ADD COLUMN exit_value NUMERIC,
    ADD COLUMN initial_stop_loss DECIMAL(10,2);
ALTER TABLE @extschema@.positions
    ALTER COLUMN exited_quantity SET DEFAULT 0,
    ALTER COLUMN exit_value SET DEFAULT 0,
    ADD CONSTRAINT positions_quantity_exited_check
        CHECK (exited_quantity OPERATOR(pg_catalog.>=) 0 AND exited_quantity OPERATOR(pg_catalog.<=) quantity)
        NOT VALID;
ALTER TABLE @extschema@.positions_archive
    ADD COLUMN exited_quantity INTEGER,
    ADD COLUMN exit_value NUMERIC,
    ADD COLUMN initial_stop_loss DECIMAL(10,2);
COMMENT ON COLUMN @extschema@.positions.exited_quantity IS
    'Shares closed so far by fills of the exit order(s); the position closes when it equals quantity.';
COMMENT ON COLUMN @extschema@.positions.exit_value IS
    'Exact sum of quantity x price over the exit fills recorded for this position (money).';
COMMENT ON COLUMN @extschema@.positions.initial_stop_loss IS
    'The first stop_loss the position had (price); never changes afterwards; the R-multiple''s risk.';
COMMENT ON COLUMN @extschema@.positions.max_profit IS
    'Maximum favourable excursion (Lean''s MFE, money, >= 0): the highest of 0, every unrealized_pnl written while open and the realized P&L at the close.';
COMMENT ON COLUMN @extschema@.positions.max_loss IS
    'Maximum adverse excursion (Lean''s MAE, money, <= 0): the lowest of 0, every unrealized_pnl written while open and the realized P&L at the close.';
COMMENT ON COLUMN @extschema@.positions_archive.exited_quantity IS 'As positions.exited_quantity.';
COMMENT ON COLUMN @extschema@.positions_archive.exit_value IS 'As positions.exit_value (money).';
COMMENT ON COLUMN @extschema@.positions_archive.initial_stop_loss IS 'As positions.initial_stop_loss (price).';

-- Positions opened before 4.2 have no initial_stop_loss: an open one takes the stop it has when
-- it is next written (src/position_excursion.c); a closed one's initial stop is unknown, and its
-- R-multiple NULL.

-- A fill finds the position it closes through its order.
CREATE INDEX idx_positions_open_exit_order ON @extschema@.positions (exit_order_id)
    WHERE status OPERATOR(pg_catalog.<>) 'closed';

------------------------------------------------------------------------------------------------
-- Tables
------------------------------------------------------------------------------------------------

CREATE TABLE @extschema@.fills (
    fill_id BIGSERIAL PRIMARY KEY,
    order_id VARCHAR(50) NOT NULL
        CONSTRAINT fk_fills_order REFERENCES @extschema@.orders (order_id),
    -- set from the order by the fill trigger (row-level security and audit read it)
    cycle_id VARCHAR(20) NOT NULL,
    broker_fill_id VARCHAR(100) NOT NULL,
    quantity INTEGER NOT NULL CONSTRAINT fills_quantity_check CHECK (quantity OPERATOR(pg_catalog.>) 0),
    price NUMERIC(20,8) NOT NULL
        CONSTRAINT fills_price_check
        CHECK (price OPERATOR(pg_catalog.>) 0 AND price OPERATOR(pg_catalog.<>) 'NaN'::pg_catalog.numeric),
    commission DECIMAL(8,2) NOT NULL DEFAULT 0
        CONSTRAINT fills_commission_check CHECK (commission OPERATOR(pg_catalog.>=) 0),
    filled_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT fills_order_broker_fill_key UNIQUE (order_id, broker_fill_id)
);
COMMENT ON TABLE @extschema@.fills IS
    'The broker''s executions of each order, recorded once per (order_id, broker_fill_id); recording one maintains its order and the position it exits.';
COMMENT ON COLUMN @extschema@.fills.broker_fill_id IS 'The broker''s id of the execution, unique within its order: the idempotency key.';
COMMENT ON COLUMN @extschema@.fills.cycle_id IS 'The order''s cycle, copied by the fill trigger.';
COMMENT ON COLUMN @extschema@.fills.quantity IS 'Shares executed (> 0).';
COMMENT ON COLUMN @extschema@.fills.price IS 'Execution price (money per share, > 0).';
COMMENT ON COLUMN @extschema@.fills.commission IS 'Commission of this execution (money, >= 0).';
COMMENT ON COLUMN @extschema@.fills.filled_at IS 'When the broker executed it (not before the order''s submitted_at).';
COMMENT ON COLUMN @extschema@.fills.created_at IS 'When it was recorded.';

CREATE TABLE @extschema@.order_events (
    event_id BIGSERIAL PRIMARY KEY,
    order_id VARCHAR(50) NOT NULL,
    cycle_id VARCHAR(20) NOT NULL,
    from_status VARCHAR(20),
    to_status VARCHAR(20) NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    changed_by NAME NOT NULL,
    reason TEXT
);
CREATE INDEX idx_order_events_order ON @extschema@.order_events (order_id, event_id);
COMMENT ON TABLE @extschema@.order_events IS
    'Append-only history of every order''s status: one row per insert and per transition, written by the order life-cycle trigger.';
COMMENT ON COLUMN @extschema@.order_events.from_status IS 'The status before (NULL: the order was inserted).';
COMMENT ON COLUMN @extschema@.order_events.to_status IS 'The status after.';
COMMENT ON COLUMN @extschema@.order_events.occurred_at IS 'When (the transaction''s start time, as updated_at).';
COMMENT ON COLUMN @extschema@.order_events.changed_by IS 'The role that made the change.';
COMMENT ON COLUMN @extschema@.order_events.reason IS
    'Why: "fill <broker_fill_id>" for a transition made by a fill, the order''s reject_reason for a cancel or reject, else NULL.';

CREATE TABLE @extschema@.stop_changes (
    change_id BIGSERIAL PRIMARY KEY,
    position_id INTEGER NOT NULL,
    cycle_id VARCHAR(20) NOT NULL,
    old_stop_loss DECIMAL(10,2),
    new_stop_loss DECIMAL(10,2),
    changed_at TIMESTAMPTZ NOT NULL DEFAULT pg_catalog.now(),
    changed_by NAME NOT NULL
);
CREATE INDEX idx_stop_changes_position ON @extschema@.stop_changes (position_id, change_id);
COMMENT ON TABLE @extschema@.stop_changes IS
    'Append-only log of every position''s stop_loss: one row when a position is inserted with a stop and one per change.';
COMMENT ON COLUMN @extschema@.stop_changes.old_stop_loss IS 'The stop before (price; NULL: none).';
COMMENT ON COLUMN @extschema@.stop_changes.new_stop_loss IS 'The stop after (price; NULL: removed).';
COMMENT ON COLUMN @extschema@.stop_changes.changed_at IS 'When (the transaction''s start time).';
COMMENT ON COLUMN @extschema@.stop_changes.changed_by IS 'The role that made the change.';

------------------------------------------------------------------------------------------------
-- Functions and triggers (C: src/fills.c, src/order_lifecycle.c, src/position_excursion.c,
-- src/append_only.c)
------------------------------------------------------------------------------------------------

-- BEFORE INSERT on fills: a duplicate is skipped, a conflicting one refused; a new fill is
-- checked against its order (locked), and the order and the position it exits are maintained.
CREATE FUNCTION @extschema@.fill_record()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_fill_record';
COMMENT ON FUNCTION @extschema@.fill_record() IS
    'BEFORE INSERT trigger on fills: idempotency, the checks of a fill, and the maintenance of its order and position.';

CREATE TRIGGER fill_record_before
    BEFORE INSERT ON @extschema@.fills
    FOR EACH ROW EXECUTE FUNCTION @extschema@.fill_record();

-- Records one fill; true when it was new, false when the same fill was recorded before.
CREATE FUNCTION @extschema@.record_fill(order_id varchar, broker_fill_id varchar, quantity integer,
    price numeric, commission numeric DEFAULT 0, filled_at timestamptz DEFAULT pg_catalog.now())
RETURNS boolean
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'catalyst_record_fill';
COMMENT ON FUNCTION @extschema@.record_fill(varchar, varchar, integer, numeric, numeric, timestamptz) IS
    'Records a broker fill of an order: true when new, false when that (order_id, broker_fill_id) was recorded before with the same quantity and price.';

-- BEFORE INSERT OR UPDATE OF status on orders: the life cycle (what an INSERT may start in,
-- which transitions are allowed).
CREATE FUNCTION @extschema@.order_lifecycle_check()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_order_lifecycle_check';
COMMENT ON FUNCTION @extschema@.order_lifecycle_check() IS
    'BEFORE INSERT OR UPDATE OF status trigger on orders: refuses a status an order may not start in or move to.';

-- AFTER INSERT OR UPDATE OF status on orders: appends the transition to order_events.
CREATE FUNCTION @extschema@.order_lifecycle_record()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_order_lifecycle_record';
COMMENT ON FUNCTION @extschema@.order_lifecycle_record() IS
    'AFTER INSERT OR UPDATE OF status trigger on orders: appends each insert and transition to order_events.';

CREATE TRIGGER order_lifecycle_before
    BEFORE INSERT OR UPDATE OF status ON @extschema@.orders
    FOR EACH ROW EXECUTE FUNCTION @extschema@.order_lifecycle_check();
CREATE TRIGGER order_lifecycle_after
    AFTER INSERT OR UPDATE OF status ON @extschema@.orders
    FOR EACH ROW EXECUTE FUNCTION @extschema@.order_lifecycle_record();

-- BEFORE INSERT OR UPDATE on positions (after position_close_before: trigger names sort so):
-- MAE/MFE and the initial stop.
CREATE FUNCTION @extschema@.position_excursion()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_position_excursion';
COMMENT ON FUNCTION @extschema@.position_excursion() IS
    'BEFORE INSERT OR UPDATE trigger on positions: keeps max_profit (MFE) and max_loss (MAE), refuses them on a closed position, keeps initial_stop_loss.';

-- AFTER INSERT OR UPDATE OF stop_loss on positions: appends the change to stop_changes.
CREATE FUNCTION @extschema@.position_stop_change()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_position_stop_change';
COMMENT ON FUNCTION @extschema@.position_stop_change() IS
    'AFTER INSERT OR UPDATE OF stop_loss trigger on positions: appends each stop to stop_changes.';

CREATE TRIGGER position_excursion_before
    BEFORE INSERT OR UPDATE OF unrealized_pnl, max_profit, max_loss, stop_loss, initial_stop_loss, status
    ON @extschema@.positions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.position_excursion();
CREATE TRIGGER position_stop_change_after
    AFTER INSERT OR UPDATE OF stop_loss ON @extschema@.positions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.position_stop_change();

-- The close's P&L reads the exit fills (exited_quantity, exit_value; src/exit_fills.c): a
-- correction of them recomputes a closed position's P&L and its day.
DROP TRIGGER position_close_before ON @extschema@.positions;
CREATE TRIGGER position_close_before
    BEFORE INSERT OR UPDATE OF status, side, quantity, entry_price, exit_price, opened_at, closed_at,
                               realized_pnl, pnl_percent, hold_duration, exited_quantity, exit_value
    ON @extschema@.positions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.position_close_derive();

-- fills, order_events and stop_changes are append-only (UPDATE, DELETE, TRUNCATE refused).
CREATE FUNCTION @extschema@.ledger_append_only()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'catalyst_ledger_append_only';
COMMENT ON FUNCTION @extschema@.ledger_append_only() IS
    'BEFORE UPDATE OR DELETE row and BEFORE TRUNCATE statement trigger: refuses any change to an append-only ledger table.';

CREATE TRIGGER fills_append_only BEFORE UPDATE OR DELETE ON @extschema@.fills
    FOR EACH ROW EXECUTE FUNCTION @extschema@.ledger_append_only();
CREATE TRIGGER fills_no_truncate BEFORE TRUNCATE ON @extschema@.fills
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.ledger_append_only();
CREATE TRIGGER order_events_append_only BEFORE UPDATE OR DELETE ON @extschema@.order_events
    FOR EACH ROW EXECUTE FUNCTION @extschema@.ledger_append_only();
CREATE TRIGGER order_events_no_truncate BEFORE TRUNCATE ON @extschema@.order_events
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.ledger_append_only();
CREATE TRIGGER stop_changes_append_only BEFORE UPDATE OR DELETE ON @extschema@.stop_changes
    FOR EACH ROW EXECUTE FUNCTION @extschema@.ledger_append_only();
CREATE TRIGGER stop_changes_no_truncate BEFORE TRUNCATE ON @extschema@.stop_changes
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.ledger_append_only();

-- Row audit.  A fill is audited once, with the change it made: the audit event of the UPDATE of
-- its order carries it ("fill", src/row_audit.c), so the INSERT into fills writes none of its own
-- (one audit_log row per fill, not two); UPDATE, DELETE and TRUNCATE of fills, refused anyway,
-- are audited as orders' are.  order_events and stop_changes get none: each of their rows is
-- written by the extension alone (as their owner) because of an UPDATE of orders or positions
-- whose own audit event already carries the change (old and new status or stop_loss, the role);
-- auditing them would record every transition twice.
CREATE TRIGGER audit_fills_changes
    AFTER UPDATE OR DELETE ON @extschema@.fills
    FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row_change();
CREATE TRIGGER audit_fills_truncate
    AFTER TRUNCATE ON @extschema@.fills
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.audit_row_change();

-- The R-multiple of a closed trade: net P&L (realized_pnl less the entry and exit orders'
-- commissions) / (|entry_price - initial_stop_loss| x quantity); NULL while open or without an
-- initial stop (or with one at the entry price).  A function, not a column, because a later
-- commission change of an order changes it.
CREATE FUNCTION @extschema@.r_multiple(p @extschema@.positions)
RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
    WHEN p.status OPERATOR(pg_catalog.=) 'closed'
     AND p.initial_stop_loss OPERATOR(pg_catalog.<>) p.entry_price
    THEN (p.realized_pnl
          OPERATOR(pg_catalog.-) COALESCE((SELECT o.commission FROM @extschema@.orders o
                                           WHERE o.order_id OPERATOR(pg_catalog.=) p.entry_order_id), 0)
          OPERATOR(pg_catalog.-) COALESCE((SELECT o.commission FROM @extschema@.orders o
                                           WHERE o.order_id OPERATOR(pg_catalog.=) p.exit_order_id), 0))
         OPERATOR(pg_catalog./)
         (pg_catalog.abs(p.entry_price OPERATOR(pg_catalog.-) p.initial_stop_loss)
          OPERATOR(pg_catalog.*) p.quantity::pg_catalog.numeric)
END;
COMMENT ON FUNCTION @extschema@.r_multiple(@extschema@.positions) IS
    'R-multiple of a closed trade: net P&L / (|entry_price - initial_stop_loss| x quantity); NULL while open or without an initial stop.';

------------------------------------------------------------------------------------------------
-- Security: row-level security as orders, grants, pg_dump
------------------------------------------------------------------------------------------------

ALTER TABLE @extschema@.fills ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.fills FORCE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.order_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.order_events FORCE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.stop_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.stop_changes FORCE ROW LEVEL SECURITY;

CREATE POLICY fills_policy ON @extschema@.fills
    FOR ALL TO catalyst_reader, catalyst_trader
    USING (EXISTS (SELECT FROM @extschema@.trading_cycles c
                   WHERE c.cycle_id OPERATOR(pg_catalog.=) fills.cycle_id
                     AND c.status OPERATOR(pg_catalog.=) 'active'))
    WITH CHECK (EXISTS (SELECT FROM @extschema@.trading_cycles c
                        WHERE c.cycle_id OPERATOR(pg_catalog.=) fills.cycle_id
                          AND c.status OPERATOR(pg_catalog.=) 'active'));
CREATE POLICY fills_admin_policy ON @extschema@.fills
    FOR ALL TO catalyst_admin
    USING (true) WITH CHECK (true);
-- the logs are written only by the extension (as their owner): the roles read them
CREATE POLICY order_events_policy ON @extschema@.order_events
    FOR SELECT TO catalyst_reader, catalyst_trader
    USING (EXISTS (SELECT FROM @extschema@.trading_cycles c
                   WHERE c.cycle_id OPERATOR(pg_catalog.=) order_events.cycle_id
                     AND c.status OPERATOR(pg_catalog.=) 'active'));
CREATE POLICY order_events_admin_policy ON @extschema@.order_events
    FOR SELECT TO catalyst_admin
    USING (true);
CREATE POLICY stop_changes_policy ON @extschema@.stop_changes
    FOR SELECT TO catalyst_reader, catalyst_trader
    USING (EXISTS (SELECT FROM @extschema@.trading_cycles c
                   WHERE c.cycle_id OPERATOR(pg_catalog.=) stop_changes.cycle_id
                     AND c.status OPERATOR(pg_catalog.=) 'active'));
CREATE POLICY stop_changes_admin_policy ON @extschema@.stop_changes
    FOR SELECT TO catalyst_admin
    USING (true);

REVOKE ALL ON @extschema@.fills, @extschema@.order_events, @extschema@.stop_changes FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.fills_fill_id_seq, @extschema@.order_events_event_id_seq,
    @extschema@.stop_changes_change_id_seq FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.fill_record(), @extschema@.record_fill(varchar, varchar, integer, numeric, numeric, timestamptz),
    @extschema@.order_lifecycle_check(), @extschema@.order_lifecycle_record(),
    @extschema@.position_excursion(), @extschema@.position_stop_change(),
    @extschema@.ledger_append_only(), @extschema@.r_multiple(@extschema@.positions)
    FROM PUBLIC;

GRANT SELECT ON @extschema@.fills, @extschema@.order_events, @extschema@.stop_changes TO catalyst_reader;
GRANT EXECUTE ON FUNCTION @extschema@.r_multiple(@extschema@.positions) TO catalyst_reader;
GRANT INSERT ON @extschema@.fills TO catalyst_trader;
GRANT USAGE ON SEQUENCE @extschema@.fills_fill_id_seq TO catalyst_trader;
GRANT EXECUTE ON FUNCTION @extschema@.record_fill(varchar, varchar, integer, numeric, numeric, timestamptz)
    TO catalyst_trader;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.fills', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.order_events', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.stop_changes', '');
COMMENT ON SEQUENCE @extschema@.fills_fill_id_seq IS 'Generates fills.fill_id.';
COMMENT ON SEQUENCE @extschema@.order_events_event_id_seq IS 'Generates order_events.event_id.';
COMMENT ON SEQUENCE @extschema@.stop_changes_change_id_seq IS 'Generates stop_changes.change_id.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.fills_fill_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.order_events_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.stop_changes_change_id_seq', '');

------------------------------------------------------------------------------------------------
-- Comments on the rest of what this part creates or redefines
------------------------------------------------------------------------------------------------

COMMENT ON COLUMN @extschema@.fills.fill_id IS 'The fill''s key (for the audit trail; a re-send consumes a value).';
COMMENT ON COLUMN @extschema@.fills.order_id IS 'The order executed.';
COMMENT ON COLUMN @extschema@.order_events.event_id IS 'The event''s key, in the order events happened.';
COMMENT ON COLUMN @extschema@.order_events.order_id IS 'The order (not a foreign key: the log outlives a deleted order).';
COMMENT ON COLUMN @extschema@.order_events.cycle_id IS 'The order''s cycle (row-level security reads it).';
COMMENT ON COLUMN @extschema@.stop_changes.change_id IS 'The change''s key, in the order changes happened.';
COMMENT ON COLUMN @extschema@.stop_changes.position_id IS 'The position (not a foreign key: the log outlives an archived or deleted position).';
COMMENT ON COLUMN @extschema@.stop_changes.cycle_id IS 'The position''s cycle (row-level security reads it).';

COMMENT ON CONSTRAINT positions_quantity_exited_check ON @extschema@.positions IS
    'Exit fills never close more than the position holds (NOT VALID: binds rows written since 4.2).';
COMMENT ON CONSTRAINT fills_quantity_check ON @extschema@.fills IS 'A fill executes at least one share.';
COMMENT ON CONSTRAINT fills_price_check ON @extschema@.fills IS 'A fill''s price is a positive number.';
COMMENT ON CONSTRAINT fills_commission_check ON @extschema@.fills IS 'A commission is never negative.';
COMMENT ON CONSTRAINT fills_order_broker_fill_key ON @extschema@.fills IS
    'The idempotency key: one row per broker execution of an order.';
COMMENT ON CONSTRAINT fk_fills_order ON @extschema@.fills IS 'Every fill belongs to an order.';

COMMENT ON INDEX @extschema@.idx_positions_open_exit_order IS
    'A fill finds the open or partial position its order exits.';
COMMENT ON INDEX @extschema@.idx_order_events_order IS 'An order''s history, in order.';
COMMENT ON INDEX @extschema@.idx_stop_changes_position IS 'A position''s stops, in order.';

COMMENT ON TRIGGER fill_record_before ON @extschema@.fills IS
    'Skips a re-sent fill, refuses a conflicting or bad one, maintains the order and the position it exits.';
COMMENT ON TRIGGER order_lifecycle_before ON @extschema@.orders IS
    'Refuses a status an order may not start in or move to.';
COMMENT ON TRIGGER order_lifecycle_after ON @extschema@.orders IS
    'Appends each insert and transition to order_events.';
COMMENT ON TRIGGER position_excursion_before ON @extschema@.positions IS
    'Keeps max_profit and max_loss (MFE/MAE) and initial_stop_loss; refuses excursion changes on a closed position.';
COMMENT ON TRIGGER position_stop_change_after ON @extschema@.positions IS
    'Appends each stop_loss to stop_changes.';
COMMENT ON TRIGGER position_close_before ON @extschema@.positions IS
    'Derives a closed position''s realized_pnl (exit fills at their prices), pnl_percent and hold_duration; clears them on reopening.';
COMMENT ON TRIGGER fills_append_only ON @extschema@.fills IS 'Refuses UPDATE and DELETE of fills.';
COMMENT ON TRIGGER fills_no_truncate ON @extschema@.fills IS 'Refuses TRUNCATE of fills.';
COMMENT ON TRIGGER order_events_append_only ON @extschema@.order_events IS 'Refuses UPDATE and DELETE of order_events.';
COMMENT ON TRIGGER order_events_no_truncate ON @extschema@.order_events IS 'Refuses TRUNCATE of order_events.';
COMMENT ON TRIGGER stop_changes_append_only ON @extschema@.stop_changes IS 'Refuses UPDATE and DELETE of stop_changes.';
COMMENT ON TRIGGER stop_changes_no_truncate ON @extschema@.stop_changes IS 'Refuses TRUNCATE of stop_changes.';
COMMENT ON TRIGGER audit_fills_changes ON @extschema@.fills IS
    'An audit_log event per fill updated or deleted (both refused); a new fill is audited with its order''s UPDATE.';
COMMENT ON TRIGGER audit_fills_truncate ON @extschema@.fills IS 'An audit_log event for a TRUNCATE of fills.';

COMMENT ON POLICY fills_policy ON @extschema@.fills IS 'Readers and traders: the fills of active cycles.';
COMMENT ON POLICY fills_admin_policy ON @extschema@.fills IS 'The admin role: every fill.';
COMMENT ON POLICY order_events_policy ON @extschema@.order_events IS 'Readers and traders: the events of active cycles.';
COMMENT ON POLICY order_events_admin_policy ON @extschema@.order_events IS 'The admin role: every event.';
COMMENT ON POLICY stop_changes_policy ON @extschema@.stop_changes IS 'Readers and traders: the stop changes of active cycles.';
COMMENT ON POLICY stop_changes_admin_policy ON @extschema@.stop_changes IS 'The admin role: every stop change.';
