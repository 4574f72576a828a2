-- The rows the examples read: one cycle, its order, an open and a closed position.
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency)
VALUES ('cycle-2026-01-05', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('ord-1', 'cycle-2026-01-05', 'AAPL', 'buy', 'market', 10);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id,
                                entry_price, stop_loss, unrealized_pnl, opened_at)
VALUES (1, 'cycle-2026-01-05', 'AAPL', 'long', 10, 'ord-1', 100.00, 94.50, -350.00, now() - interval '5 hours'),
       (2, 'cycle-2026-01-05', 'AAPL', 'long', 10, 'ord-1', 100.00, NULL, 0, '2026-01-05 14:30:00+00');
UPDATE catalyst.positions SET status = 'closed', exit_price = 101.00, closed_at = '2026-01-05 20:00:00+00'
WHERE position_id = 2;
CREATE ROLE regress_client_reader LOGIN IN ROLE catalyst_reader;
CREATE ROLE regress_client_admin LOGIN IN ROLE catalyst_admin;
