-- test/include/metrics_drift.sql: pg_temp.drift(), how many performance_metrics rows differ
-- from update_performance_metrics() of their day, or are missing (a day with a closed trade and
-- no row); the recomputed rows are left in place.  Included by the tests of the metrics roll-up.
-- The rows are compared column by column (every column but metric_id, created_at, updated_at),
-- not as whole-row values: under debug_discard_caches = 1, PostgreSQL 15's to_jsonb() of a row
-- of a UNION ALL view reads its keys from freed memory (doc/checking-build.md).
CREATE FUNCTION pg_temp.drift() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    columns text;
BEGIN
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'catalyst.performance_metrics'::regclass AND a.attnum > 0 AND NOT a.attisdropped
      AND a.attname NOT IN ('metric_id', 'created_at', 'updated_at');
    EXECUTE format('CREATE TEMP TABLE kept AS SELECT %s FROM catalyst.performance_metrics', columns);
    PERFORM catalyst.update_performance_metrics(d.cycle_id, d.day)
    FROM (SELECT cycle_id, metric_date AS day FROM catalyst.performance_metrics
          UNION SELECT cycle_id, catalyst.trading_date(closed_at) FROM catalyst.positions WHERE status = 'closed') d;
    -- a recompute never removes a row: a changed or missing row is one the recompute wrote anew
    EXECUTE format('SELECT count(*) FROM (SELECT %s FROM catalyst.performance_metrics'
                   ' EXCEPT ALL SELECT * FROM kept) d', columns) INTO n;
    DROP TABLE kept;
    RETURN n;
END
$$;
