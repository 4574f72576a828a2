-- test/include/metrics_drift.sql: pg_temp.drift(), how many performance_metrics rows differ
-- from update_performance_metrics() of their day, or are missing (a day with a closed trade and
-- no row); the recomputed rows are left in place.  Included by the tests of the metrics roll-up.
CREATE FUNCTION pg_temp.drift() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    CREATE TEMP TABLE kept AS
        SELECT to_jsonb(m) - 'metric_id' - 'created_at' - 'updated_at' AS r FROM catalyst.performance_metrics m;
    PERFORM catalyst.update_performance_metrics(d.cycle_id, d.day)
    FROM (SELECT cycle_id, metric_date AS day FROM catalyst.performance_metrics
          UNION SELECT cycle_id, catalyst.trading_date(closed_at) FROM catalyst.positions WHERE status = 'closed') d;
    -- a recompute never removes a row: a changed or missing row is one the recompute wrote anew
    SELECT count(*) INTO n FROM (
        SELECT to_jsonb(m) - 'metric_id' - 'created_at' - 'updated_at' FROM catalyst.performance_metrics m
        EXCEPT ALL SELECT r FROM kept) d;
    DROP TABLE kept;
    RETURN n;
END
$$;
