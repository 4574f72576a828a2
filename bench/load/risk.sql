-- risk scores of the cycle's open positions refreshed
SELECT catalyst.refresh_position_risk('load');
