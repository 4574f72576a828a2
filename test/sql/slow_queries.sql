-- catalyst.slow_queries(threshold_ms): pg_stat_statements' statements slower on average than the
-- threshold, for catalyst_admin; without pg_stat_statements, an error whose HINT says how to get it.
CREATE EXTENSION catalyst;

-- not installed in this database: the clear error (the cluster preloads the library, but the
-- extension is what the function needs)
SET ROLE catalyst_admin;
SELECT * FROM catalyst.slow_queries(100);
RESET ROLE;

-- installed, in a schema of its own (not on search_path): found through pg_extension
CREATE SCHEMA monitoring;
CREATE EXTENSION pg_stat_statements SCHEMA monitoring;
SELECT monitoring.pg_stat_statements_reset() IS NOT NULL AS reset;

-- (the test cluster preloads pg_stat_statements with compute_query_id off: on for this session)
SET compute_query_id = on;
SET ROLE catalyst_admin;
SELECT pg_sleep(0.3);
-- the admin may not read the schema yet: the error says what to grant
SELECT * FROM catalyst.slow_queries(200);
RESET ROLE;
GRANT USAGE ON SCHEMA monitoring TO catalyst_admin;
SET ROLE catalyst_admin;
SELECT 1 AS fast;
-- pg_sleep(0.3) took at least 300 ms: above a 200 ms threshold whatever the machine's load
SELECT query, calls, role_name, database_name = current_database() AS this_db, mean_exec_ms >= 300 AS slow
FROM catalyst.slow_queries(200) WHERE query LIKE 'SELECT pg_sleep%';
-- every row returned is above the threshold, slowest first
SELECT count(*) FILTER (WHERE mean_exec_ms <= 200) AS below_threshold,
       bool_and(mean_exec_ms >= 0) IS NOT FALSE AS means_non_negative
FROM catalyst.slow_queries(200);
SELECT coalesce(bool_and(ordered), true) AS slowest_first
FROM (SELECT mean_exec_ms >= lead(mean_exec_ms) OVER () OR lead(mean_exec_ms) OVER () IS NULL AS ordered
      FROM catalyst.slow_queries(0)) s;
-- a threshold the statement is below: not listed
SELECT count(*) AS sleep_listed_at_1h FROM catalyst.slow_queries(3600000) WHERE query LIKE 'SELECT pg_sleep%';
-- a negative threshold is refused; NULL gives no row
SELECT * FROM catalyst.slow_queries(-1);
SELECT count(*) AS null_threshold FROM catalyst.slow_queries(NULL);
RESET ROLE;

-- not for readers and traders, nor PUBLIC
SET ROLE catalyst_trader;
SELECT * FROM catalyst.slow_queries(100);
RESET ROLE;
SELECT has_function_privilege('public', 'catalyst.slow_queries(double precision)', 'EXECUTE') AS public_may;

RESET compute_query_id;
DROP EXTENSION pg_stat_statements;
REVOKE USAGE ON SCHEMA monitoring FROM catalyst_admin;
DROP SCHEMA monitoring;
-- removed again: the error comes back
SELECT * FROM catalyst.slow_queries(100);
DROP EXTENSION catalyst;
