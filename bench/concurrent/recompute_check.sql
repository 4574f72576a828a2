-- bench/concurrent/recompute_check.sql: whether the metrics of every day equal the full recompute
-- (update_performance_metrics()), with how many closes were pending before it; its last line is
-- the verdict.
CREATE TEMP TABLE kept AS SELECT to_jsonb(m) - 'metric_id' - 'created_at' - 'updated_at' AS r
FROM catalyst.performance_metrics m;
SELECT count(*) AS pending FROM catalyst.metrics_pending \gset
SELECT catalyst.update_performance_metrics(cycle_id, metric_date) FROM catalyst.performance_metrics;
SELECT (SELECT sum(total_trades) FROM catalyst.performance_metrics) || ' trades ('
       || :pending || ' pending before the recompute) in '
       || (SELECT count(*) FROM catalyst.positions WHERE status = 'closed') || ' closed positions, '
       || CASE WHEN EXISTS (SELECT to_jsonb(m2) - 'metric_id' - 'created_at' - 'updated_at'
                            FROM catalyst.performance_metrics m2 EXCEPT ALL SELECT r FROM kept)
                 OR EXISTS (SELECT r FROM kept EXCEPT ALL SELECT to_jsonb(m2) - 'metric_id' - 'created_at' - 'updated_at'
                            FROM catalyst.performance_metrics m2)
          THEN 'DIFFERENT from' ELSE 'equal to' END || ' the full recompute';
