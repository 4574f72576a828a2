-- an order inserted, then filled
\set n random(1, 100000000)
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status)
VALUES ('f' || :client_id || '-' || nextval('public.load_ids'), 'load', 'F' || :client_id, 'buy', 'limit', 10, 'pending');
UPDATE catalyst.orders SET status = 'filled', filled_at = now(), executed_price = 100 + :n % 50, executed_quantity = 10, commission = 0.5
WHERE order_id = 'f' || :client_id || '-' || currval('public.load_ids');
