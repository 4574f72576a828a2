-- pgTAP: scheduling from a database that is not pg_cron's (the cluster's cron.database_name is
-- pg_regress's contrib_regression; this is catalyst_tap): a clear error whose HINT gives the
-- statements to run there, and maintenance_jobs() giving the same statements as rows.
BEGIN;
CREATE EXTENSION catalyst;
SELECT plan(11);

-- the SQLSTATE, message and hint of the error a statement raises
CREATE FUNCTION pg_temp.error_of(sql text, OUT state text, OUT message text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
END
$$;

SELECT is(catalyst.pg_cron_database(), 'contrib_regression',
          'pg_cron is loaded and lives in another database');
SELECT ok(NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron'),
          'CREATE EXTENSION catalyst did not need pg_cron here');

SELECT results_eq(
    'SELECT job_name, schedule, command FROM catalyst.maintenance_jobs()',
    $$VALUES ('catalyst-partitions@catalyst_tap', '0 1 * * *', 'SELECT catalyst.create_monthly_partitions()'),
             ('catalyst-cleanup@catalyst_tap', '0 2 * * *', 'SELECT catalyst.cleanup_old_data()'),
             ('catalyst-risk-refresh@catalyst_tap', '* * * * *', 'SELECT catalyst.refresh_position_risk()')$$,
    'maintenance_jobs(): the three jobs, named for this database so that they cannot replace another database''s');
SELECT is((SELECT statement FROM catalyst.maintenance_jobs() WHERE job_name = 'catalyst-cleanup@catalyst_tap'),
          $$SELECT cron.schedule_in_database('catalyst-cleanup@catalyst_tap', '0 2 * * *', 'SELECT catalyst.cleanup_old_data()', 'catalyst_tap');$$,
          'maintenance_jobs(): the statement schedules the job in pg_cron''s database to run in this one');

SELECT throws_ok('SELECT catalyst.schedule_maintenance()', '55000',
                 'pg_cron runs in database "contrib_regression", not in this one ("catalyst_tap")',
                 'schedule_maintenance() from another database than pg_cron''s is a clear error');
SELECT is((pg_temp.error_of('SELECT catalyst.schedule_maintenance()')).hint,
          E'Run these statements in database "contrib_regression" as a superuser:\n'
          || (SELECT string_agg(statement, E'\n' ORDER BY n) FROM catalyst.maintenance_jobs() WITH ORDINALITY AS m(j, s, c, statement, n)),
          'its HINT gives exactly the statements of maintenance_jobs()');
SELECT throws_ok('SELECT catalyst.unschedule_maintenance()', '55000',
                 'pg_cron runs in database "contrib_regression", not in this one ("catalyst_tap")',
                 'unschedule_maintenance() too');
SELECT is((pg_temp.error_of('SELECT catalyst.unschedule_maintenance()')).hint,
          E'Run these statements in database "contrib_regression" as a superuser:\n'
          || E'SELECT cron.unschedule(\'catalyst-partitions@catalyst_tap\');\n'
          || E'SELECT cron.unschedule(\'catalyst-cleanup@catalyst_tap\');\n'
          || E'SELECT cron.unschedule(\'catalyst-risk-refresh@catalyst_tap\');',
          'its HINT gives the cron.unschedule statements to run there');

-- cleanup_old_data() cannot reach pg_cron's history from here, and says so with a null
SELECT is(catalyst.cleanup_old_data()->'cron_history'->'deleted', 'null'::jsonb,
          'cleanup_old_data() leaves pg_cron''s history alone when pg_cron is not in this database');

-- the maintenance functions and the run table
SELECT has_table('catalyst', 'maintenance_runs', 'maintenance_runs records the last run of each job');
SELECT ok(has_function_privilege('public', 'catalyst.cleanup_old_data()', 'EXECUTE') IS FALSE
          AND has_function_privilege('public', 'catalyst.schedule_maintenance()', 'EXECUTE') IS FALSE
          AND has_function_privilege('public', 'catalyst.unschedule_maintenance()', 'EXECUTE') IS FALSE,
          'retention and scheduling are not for every role');

SELECT * FROM finish();
ROLLBACK;
