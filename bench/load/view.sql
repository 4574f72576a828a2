-- the dashboard reads v_active_trading
SELECT count(*), sum(unrealized_pnl) FROM catalyst.v_active_trading;
