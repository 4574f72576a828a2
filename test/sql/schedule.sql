-- schedule_maintenance() / unschedule_maintenance() with pg_cron in this database (pg_regress's
-- database is the cluster's cron.database_name), and the trimming of catalyst's job history.
CREATE EXTENSION catalyst;
\set SHOW_CONTEXT never

-- the install never needs pg_cron; without it in this database, scheduling says what to do
SELECT catalyst.schedule_maintenance();
SELECT catalyst.unschedule_maintenance();
-- the jobs, and the statements that schedule them here
SELECT * FROM catalyst.maintenance_jobs();

CREATE EXTENSION pg_cron;
SELECT job_name, schedule, command, jobid IS NOT NULL AS scheduled FROM catalyst.schedule_maintenance();
SELECT jobname, schedule, command, database = current_database() AS here, username = current_user AS mine, active
FROM cron.job ORDER BY jobid;
CREATE TEMP TABLE first_jobs AS SELECT jobid, jobname FROM cron.job;

-- someone edits a job; scheduling again puts it back, in the same job, without duplicates
UPDATE cron.job SET schedule = '30 4 * * *', command = 'SELECT 1' WHERE jobname = 'catalyst-cleanup';
SELECT job_name FROM catalyst.schedule_maintenance();
SELECT count(*) AS jobs, count(DISTINCT jobname) AS names,
       count(*) FILTER (WHERE (jobid, jobname) IN (SELECT jobid, jobname FROM first_jobs)) AS same_job_ids
FROM cron.job;
SELECT jobname, schedule, command FROM cron.job WHERE jobname = 'catalyst-cleanup';

-- cleanup_old_data() trims pg_cron's history of catalyst's jobs (here, and those scheduled here
-- for another database) older than catalyst.audit_retention_days (180), and only theirs
SELECT cron.schedule('regress-other-job', '0 3 * * *', 'SELECT 1') IS NOT NULL AS other_job;
SELECT cron.schedule_in_database('catalyst-cleanup@elsewhere', '0 2 * * *', 'SELECT 1', 'postgres') IS NOT NULL AS elsewhere_job;
INSERT INTO cron.job_run_details (jobid, database, username, command, status, return_message, start_time, end_time)
SELECT j.jobid, 'x', current_user, 'x', 'succeeded', 'regress ' || j.jobname || ' ' || a.days,
       now() - a.days * interval '1 day', now() - a.days * interval '1 day'
FROM cron.job j
CROSS JOIN (VALUES (10), (179), (181), (400)) AS a (days)
WHERE j.jobname IN ('catalyst-cleanup', 'catalyst-risk-refresh', 'regress-other-job', 'catalyst-cleanup@elsewhere');
SELECT r->'cron_history'->'deleted' AS history_deleted FROM catalyst.cleanup_old_data() r;
SELECT return_message AS history_left FROM cron.job_run_details WHERE return_message LIKE 'regress %'
ORDER BY jobid, end_time;

-- unscheduling removes catalyst's jobs of this database, and nothing else
SELECT catalyst.unschedule_maintenance() AS removed;
SELECT jobname FROM cron.job ORDER BY jobname;
SELECT catalyst.unschedule_maintenance() AS removed_again;

-- catalyst_admin may schedule (pg_cron asks for USAGE on its schema, which a superuser grants).
-- cron.database_name is a superuser-only setting: pg_settings does not show it to the admin,
-- and pg_cron_database() read it there (4.1), so scheduling said pg_cron was not loaded.
CREATE ROLE regress_sched_admin LOGIN IN ROLE catalyst_admin;
GRANT USAGE ON SCHEMA cron TO regress_sched_admin;
SET ROLE regress_sched_admin;
SELECT count(*) AS visible_in_pg_settings FROM pg_settings WHERE name = 'cron.database_name';
SELECT catalyst.pg_cron_database() = current_database() AS pg_cron_here;
SELECT job_name, jobid IS NOT NULL AS scheduled FROM catalyst.schedule_maintenance();
SELECT jobname, username = current_user AS mine FROM cron.job ORDER BY jobid;
SELECT catalyst.unschedule_maintenance() AS removed_by_admin;
RESET ROLE;
REVOKE USAGE ON SCHEMA cron FROM regress_sched_admin;
DROP ROLE regress_sched_admin;

SELECT cron.unschedule(jobname) FROM cron.job ORDER BY jobid;
DROP EXTENSION pg_cron;
DROP EXTENSION catalyst;
