-- unrealized P&L of one of the client's open positions
\set n random(1, 100000000)
UPDATE catalyst.positions SET unrealized_pnl = (:n % 2001 - 1000) / 10.0
WHERE position_id = (SELECT position_id FROM catalyst.positions
                     WHERE cycle_id = 'load' AND symbol = 'C' || :client_id AND status = 'open'
                     ORDER BY position_id DESC LIMIT 1);
