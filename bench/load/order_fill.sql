-- an order submitted, then filled through the ledger (catalyst.record_fill, 4.2)
\set n random(1, 100000000)
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, submitted_at)
VALUES ('f' || :client_id || '-' || nextval('public.load_ids'), 'load', 'F' || :client_id, 'buy', 'limit', 10, 'submitted', now());
SELECT catalyst.record_fill('f' || :client_id || '-' || currval('public.load_ids'), 'fill-' || currval('public.load_ids'), 10, 100 + :n % 50, 0.5);
