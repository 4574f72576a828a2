-- the client's oldest open position closed
\set n random(1, 100000000)
UPDATE catalyst.positions SET status = 'closed', exit_price = 100 + :n % 11 - 5, closed_at = clock_timestamp()
WHERE position_id = (SELECT position_id FROM catalyst.positions
                     WHERE cycle_id = 'load' AND symbol = 'C' || :client_id AND status = 'open'
                     ORDER BY position_id LIMIT 1);
