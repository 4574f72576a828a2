
/*
 * 50-monitoring.sql: slow-query monitoring over pg_stat_statements (issue 12, item 6).
 *
 * The seed's query reads pg_stat_statements.mean, a column PostgreSQL 13 renamed mean_exec_time.
 * pg_stat_statements stays optional, as pg_partman treats pg_jobmon: it is found at call time in
 * pg_catalog.pg_extension, in whatever schema it was created, and never put in `requires`.
 * Without it the function fails with a HINT that says how to enable it.  Not SECURITY DEFINER:
 * the caller sees the query text pg_stat_statements shows it (all of it with pg_read_all_stats,
 * its own queries' otherwise).
 */
CREATE FUNCTION @extschema@.slow_queries(threshold_ms double precision DEFAULT 100)
RETURNS TABLE (queryid bigint, role_name name, database_name name, calls bigint,
               mean_exec_ms double precision, max_exec_ms double precision,
               total_exec_ms double precision, rows bigint, query text)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    pgss_schema name;
BEGIN
    IF threshold_ms OPERATOR(pg_catalog.<) 0 OR threshold_ms OPERATOR(pg_catalog.=) 'NaN' THEN
        RAISE EXCEPTION 'threshold_ms must be a number of milliseconds >= 0, not %', threshold_ms
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT n.nspname INTO pgss_schema
    FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
    WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pg_stat_statements is not installed in database "%"', pg_catalog.current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'catalyst.slow_queries() reads the statistics of the pg_stat_statements extension.',
                  HINT = 'Add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart the '
                         'server, then run CREATE EXTENSION pg_stat_statements in this database as a superuser.';
    END IF;
    BEGIN
        RETURN QUERY EXECUTE pg_catalog.format(
            'SELECT s.queryid, r.rolname, d.datname, s.calls, s.mean_exec_time, s.max_exec_time,'
            '       s.total_exec_time, s.rows, s.query'
            '  FROM %I.pg_stat_statements s'
            '  LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) s.userid'
            '  LEFT JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) s.dbid'
            ' WHERE s.mean_exec_time OPERATOR(pg_catalog.>) $1'
            ' ORDER BY s.mean_exec_time DESC, s.queryid', pgss_schema)
        USING threshold_ms;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'permission denied to read pg_stat_statements in schema "%"', pgss_schema
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = pg_catalog.format('pg_stat_statements said: %s', SQLERRM),
                  HINT = pg_catalog.format('A superuser can grant it: GRANT USAGE ON SCHEMA %I TO catalyst_admin;',
                                           pgss_schema);
    WHEN object_not_in_prerequisite_state THEN
        -- the extension exists but its library was not preloaded
        RAISE EXCEPTION 'pg_stat_statements is installed but not loaded'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = pg_catalog.format('pg_stat_statements said: %s', SQLERRM),
                  HINT = 'Add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart the server.';
    END;
END
$function$;

REVOKE ALL ON FUNCTION @extschema@.slow_queries(double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.slow_queries(double precision) TO catalyst_admin;

COMMENT ON FUNCTION @extschema@.slow_queries(double precision) IS
    'Statements whose mean execution time in pg_stat_statements exceeds threshold_ms milliseconds, slowest first (times in ms); needs the pg_stat_statements extension.';
