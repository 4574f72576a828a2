
------------------------------------------------------------------------------------------------
-- 90. The metrics of a 4.1 database derived anew (doc/metrics.md), last: the derive reads
-- positions.initial_stop_loss (the R-multiple), which 40-ledger.sql adds.
------------------------------------------------------------------------------------------------

-- A 4.1 database keeps its days: each is derived anew, which also fills its slices.
SELECT @extschema@.update_performance_metrics(d.cycle_id, d.metric_date)
  FROM @extschema@.metrics_days d
 WHERE EXISTS (SELECT FROM @extschema@.trading_cycles c
                WHERE c.cycle_id OPERATOR(pg_catalog.=) d.cycle_id)
 ORDER BY d.cycle_id, d.metric_date;
