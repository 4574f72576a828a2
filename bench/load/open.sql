-- a position opened on its filled entry order
\set n random(1, 100000000)
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, executed_price, executed_quantity, commission)
VALUES ('in-' || nextval('public.load_ids'), 'load', 'C' || :client_id, 'buy', 'market', 10, 'filled', 100, 10, 0.5);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss, opened_at)
VALUES ('load', 'C' || :client_id, CASE WHEN :n % 3 = 0 THEN 'short' ELSE 'long' END, 10,
        'in-' || currval('public.load_ids'), 100, CASE WHEN :n % 2 = 0 THEN 95 END, now());
