-- A close left pending is inserted into metrics_pending without a statement (src/row_insert.c):
-- a DBA's trigger and CHECK on the table still act, the transaction's next statement sees the
-- row, and a table a DBA changed (a column with a default, row-level security) gets the INSERT
-- statement instead, which applies them.
CREATE EXTENSION catalyst;
SET TIME ZONE 'UTC';
SET catalyst.fold_batch = 100;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('pi', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('in', 'pi', 'S', 'buy', 'market', 10, 1.00), ('in2', 'pi', 'S', 'buy', 'market', 10, 1.00);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
SELECT 'pi', 'S', 'long', CASE WHEN i = 3 THEN 5000 ELSE 10 END, CASE WHEN i = 8 THEN 'in2' ELSE 'in' END,
       100.00, '2026-05-04 08:00+00'
FROM generate_series(1, 8) i;

-- a DBA's row trigger and CHECK on metrics_pending
CREATE TABLE pending_seen (position_id integer, realized_pnl numeric);
CREATE FUNCTION pending_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.pending_seen VALUES (NEW.position_id, NEW.realized_pnl);
    RETURN NEW;
END $$;
CREATE TRIGGER seen BEFORE INSERT ON catalyst.metrics_pending FOR EACH ROW EXECUTE FUNCTION pending_seen();
ALTER TABLE catalyst.metrics_pending ADD CONSTRAINT small CHECK (quantity < 1000);

-- in one transaction: the close is pending, its trigger fired, and the next statement reads it
BEGIN;
UPDATE catalyst.positions SET status = 'closed', exit_price = 103.00, closed_at = '2026-05-04 10:00+00' WHERE position_id = 1;
SELECT position_id, realized_pnl FROM catalyst.metrics_pending;
SELECT * FROM pending_seen;
SELECT total_trades, gross_pnl FROM catalyst.performance_metrics WHERE cycle_id = 'pi';
COMMIT;
UPDATE catalyst.positions SET status = 'closed', exit_price = 98.00, closed_at = '2026-05-04 10:01+00' WHERE position_id = 2;
SELECT position_id, realized_pnl FROM catalyst.metrics_pending ORDER BY position_id;
-- the CHECK refuses a close of 5,000 shares: the error is the constraint's, and the position
-- stays open
UPDATE catalyst.positions SET status = 'closed', exit_price = 101.00, closed_at = '2026-05-04 10:02+00' WHERE position_id = 3;
SELECT status FROM catalyst.positions WHERE position_id = 3;
ALTER TABLE catalyst.metrics_pending DROP CONSTRAINT small;
DROP TRIGGER seen ON catalyst.metrics_pending;

-- a statement trigger with a transition table, and a rule, on metrics_pending: the INSERT
-- statement runs, so both act (once each)
CREATE TABLE statements_seen (what text, n bigint);
CREATE FUNCTION statement_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.statements_seen SELECT 'trigger', count(*) FROM newrows;
    RETURN NULL;
END $$;
CREATE TRIGGER statement_seen AFTER INSERT ON catalyst.metrics_pending
    REFERENCING NEW TABLE AS newrows FOR EACH STATEMENT EXECUTE FUNCTION statement_seen();
CREATE RULE rule_seen AS ON INSERT TO catalyst.metrics_pending
    DO ALSO INSERT INTO public.statements_seen VALUES ('rule', NEW.position_id);
UPDATE catalyst.positions SET status = 'closed', exit_price = 102.50, closed_at = '2026-05-04 10:02:30+00' WHERE position_id = 7;
SELECT * FROM statements_seen ORDER BY what;
DROP TRIGGER statement_seen ON catalyst.metrics_pending;
DROP RULE rule_seen ON catalyst.metrics_pending;

-- a column with a default: the INSERT statement fills it in
ALTER TABLE catalyst.metrics_pending ADD COLUMN noted text DEFAULT 'by default';
UPDATE catalyst.positions SET status = 'closed', exit_price = 104.00, closed_at = '2026-05-04 10:03+00' WHERE position_id = 4;
SELECT position_id, realized_pnl, noted FROM catalyst.metrics_pending ORDER BY position_id;
ALTER TABLE catalyst.metrics_pending DROP COLUMN noted;

-- row-level security on the table (its owner is exempt unless forced): the INSERT statement
-- inserts the close
ALTER TABLE catalyst.metrics_pending ENABLE ROW LEVEL SECURITY;
UPDATE catalyst.positions SET status = 'closed', exit_price = 105.00, closed_at = '2026-05-04 10:04+00' WHERE position_id = 5;
ALTER TABLE catalyst.metrics_pending DISABLE ROW LEVEL SECURITY;
-- and back as made, with the dropped column's place: directly again
UPDATE catalyst.positions SET status = 'closed', exit_price = 106.00, closed_at = '2026-05-04 10:05+00' WHERE position_id = 6;
SELECT position_id, realized_pnl, commission FROM catalyst.metrics_pending ORDER BY position_id;
SELECT total_trades, gross_pnl, commissions FROM catalyst.performance_metrics WHERE cycle_id = 'pi';
-- folded, they equal the full recompute
SELECT catalyst.update_performance_metrics('pi', '2026-05-04');
SELECT count(*) AS pending FROM catalyst.metrics_pending;
SELECT total_trades, gross_pnl, commissions FROM catalyst.performance_metrics WHERE cycle_id = 'pi';

-- a precision a DBA gave a column: applied as the INSERT would (rounded to one decimal)
ALTER TABLE catalyst.metrics_pending ALTER COLUMN commission TYPE numeric(12, 1);
UPDATE catalyst.orders SET commission = 1.26 WHERE order_id = 'in2';
UPDATE catalyst.positions SET status = 'closed', exit_price = 102.75, closed_at = '2026-05-04 10:02:45+00' WHERE position_id = 8;
SELECT position_id, commission FROM catalyst.metrics_pending WHERE position_id = 8;
ALTER TABLE catalyst.metrics_pending ALTER COLUMN commission TYPE numeric;

DROP TABLE pending_seen, statements_seen;
DROP FUNCTION statement_seen();
DROP FUNCTION pending_seen();
DROP EXTENSION catalyst;
