-- The C trigger update_updated_at_column() stamps updated_at on every UPDATE, on every table
-- that has the column (the seed forgot performance_metrics).
CREATE EXTENSION catalyst;

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, created_at, updated_at)
VALUES ('c1', 'normal', 300, '2020-01-01', '2020-01-01');
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, created_at, updated_at)
VALUES ('o1', 'c1', 'AAPL', 'buy', 'market', 10, '2020-01-01', '2020-01-01');
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, created_at, updated_at)
VALUES ('c1', 'AAPL', 'long', 10, 'o1', 100.00, '2020-01-01', '2020-01-01');
INSERT INTO catalyst.metrics_days (cycle_id, metric_date, created_at, updated_at)
VALUES ('c1', '2020-01-01', '2020-01-01', '2020-01-01');

BEGIN;
UPDATE catalyst.trading_cycles SET max_positions = 6;
UPDATE catalyst.orders SET status = 'submitted';
UPDATE catalyst.positions SET unrealized_pnl = 5;
UPDATE catalyst.metrics_days SET metadata = '{"note": 1}';
-- updated_at is the transaction's start time; created_at is left alone
SELECT 'trading_cycles' AS t, updated_at = now() AS stamped, created_at = '2020-01-01' AS created_kept FROM catalyst.trading_cycles
UNION ALL SELECT 'orders', updated_at = now(), created_at = '2020-01-01' FROM catalyst.orders
UNION ALL SELECT 'positions', updated_at = now(), created_at = '2020-01-01' FROM catalyst.positions
UNION ALL SELECT 'metrics_days', updated_at = now(), created_at = '2020-01-01' FROM catalyst.metrics_days;
COMMIT;

-- an explicit updated_at in the UPDATE is overridden, as the seed's trigger did
UPDATE catalyst.orders SET updated_at = '1999-01-01';
SELECT updated_at > '2020-01-01' AS overridden FROM catalyst.orders;

-- misuse is a clear error
SELECT catalyst.update_updated_at_column();
CREATE TABLE public.no_updated_at (id int);
CREATE TRIGGER t BEFORE UPDATE ON public.no_updated_at
    FOR EACH ROW EXECUTE FUNCTION catalyst.update_updated_at_column();
INSERT INTO public.no_updated_at VALUES (1);
UPDATE public.no_updated_at SET id = 2;
CREATE TABLE public.wrong_type (updated_at date);
CREATE TRIGGER t BEFORE UPDATE ON public.wrong_type
    FOR EACH ROW EXECUTE FUNCTION catalyst.update_updated_at_column();
INSERT INTO public.wrong_type VALUES ('2020-01-01');
UPDATE public.wrong_type SET updated_at = '2020-01-02';
CREATE TRIGGER t2 AFTER UPDATE ON public.no_updated_at
    FOR EACH ROW EXECUTE FUNCTION catalyst.update_updated_at_column();
UPDATE public.no_updated_at SET id = 3;
DROP TABLE public.no_updated_at, public.wrong_type;

DROP EXTENSION catalyst;
