-- create_monthly_partitions(): the current UTC month and `premake` ahead, idempotent, rows parked
-- in DEFAULT moved, the parent's indexes and privileges, bad premake refused, runs recorded.
CREATE EXTENSION catalyst;

-- the month names the checks below expect: the current UTC month and the ones after it
CREATE FUNCTION pg_temp.months(parent text, first int, last int) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    SELECT parent || '_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + i * interval '1 month', 'YYYY_MM')
    FROM generate_series(first, last) i
$$;
-- the monthly partitions a parent has, by name
CREATE FUNCTION pg_temp.monthly(parent text) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = ('catalyst.' || parent)::regclass AND c.relname <> parent || '_default'
    ORDER BY 1
$$;

-- CREATE EXTENSION made the current month and catalyst.premake_months (3) ahead, exactly
SELECT p AS parent,
       ARRAY(SELECT pg_temp.monthly(p)) = ARRAY(SELECT pg_temp.months(p, 0, 3)) AS now_and_3_ahead
FROM unnest(ARRAY['scan_results', 'audit_log']) p;
-- and recorded the run
SELECT job, run_by = current_user AS run_by_me, finished_at >= started_at AS timed,
       summary->>'outcome' AS outcome, summary->'premake' AS premake,
       jsonb_array_length(summary->'created') AS created, summary->'rows_moved_from_default' AS moved
FROM catalyst.maintenance_runs;

-- idempotent: a second call creates nothing
SELECT catalyst.create_monthly_partitions() AS created_again;

-- premake outside 0..120 is an error that changes nothing (not even the run record)
SELECT summary AS last_summary FROM catalyst.maintenance_runs WHERE job = 'create_monthly_partitions' \gset
SELECT catalyst.create_monthly_partitions(-1);
SELECT catalyst.create_monthly_partitions(100000);
SELECT count(*) AS monthly_partitions FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relname ~ '_[0-9]{4}_[0-9]{2}$';
SELECT summary = :'last_summary'::jsonb AS record_unchanged FROM catalyst.maintenance_runs
WHERE job = 'create_monthly_partitions';

-- privileges granted on a parent are copied to the partitions made later
CREATE ROLE regress_catalyst_reader;
GRANT SELECT ON catalyst.scan_results TO regress_catalyst_reader;

-- rows written for months without a partition are parked in DEFAULT ...
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c-1', 'normal', 300);
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume, momentum_score,
                                   catalyst_score, pattern_score, technical_score)
SELECT 's-' || i, 'c-1', 'AAPL',
       (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '5 months' + i * interval '1 day') AT TIME ZONE 'UTC',
       100 + i, 10 * i, 50, 60, 70, 80
FROM generate_series(1, 3) i;
INSERT INTO catalyst.audit_log (event_type, event_category, created_at)
VALUES ('parked', 'test', (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '4 months') AT TIME ZONE 'UTC');
SELECT tableoid::regclass, count(*) FROM catalyst.scan_results GROUP BY 1
UNION ALL
-- (the row audit trail of the test's own inserts is left out: this test is about partitions)
SELECT tableoid::regclass, count(*) FROM catalyst.audit_log WHERE event_category <> 'row_audit' GROUP BY 1
ORDER BY 1;

-- ... and moved into their partitions when those are made, instead of making them fail
SELECT catalyst.create_monthly_partitions(6) AS created;
SELECT p AS parent,
       ARRAY(SELECT pg_temp.monthly(p)) = ARRAY(SELECT pg_temp.months(p, 0, 6)) AS now_and_6_ahead
FROM unnest(ARRAY['scan_results', 'audit_log']) p;
SELECT tableoid::regclass::text = 'catalyst.' || pg_temp.months('scan_results', 5, 5) AS in_its_month,
       count(*), sum(volume) AS volume, min(total_score) AS total_score
FROM catalyst.scan_results GROUP BY 1;
SELECT tableoid::regclass::text = 'catalyst.' || pg_temp.months('audit_log', 4, 4) AS in_its_month, event_type
FROM catalyst.audit_log WHERE event_category <> 'row_audit';
SELECT (SELECT count(*) FROM catalyst.scan_results_default) AS scan_default,
       (SELECT count(*) FROM catalyst.audit_log_default) AS audit_default;
SELECT summary->'created' = to_jsonb(ARRAY(SELECT pg_temp.months('scan_results', 4, 6)
                                           UNION ALL SELECT pg_temp.months('audit_log', 4, 6))) AS created_named,
       summary->'rows_moved_from_default' AS rows_moved
FROM catalyst.maintenance_runs WHERE job = 'create_monthly_partitions';

-- the partition that received the moved rows has the parent's indexes, and the reader's grant
SELECT (SELECT count(*) FROM pg_index WHERE indrelid = 'catalyst.scan_results'::regclass) AS parent_indexes,
       count(*) AS partition_indexes_attached_to_them
FROM pg_index x JOIN pg_inherits i ON i.inhrelid = x.indexrelid
WHERE x.indrelid = ('catalyst.' || (SELECT pg_temp.months('scan_results', 5, 5)))::regclass
  AND i.inhparent IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'catalyst.scan_results'::regclass);
SELECT count(*) AS new_partitions,
       count(*) FILTER (WHERE has_table_privilege('regress_catalyst_reader', 'catalyst.' || m, 'SELECT')) AS reader_may_select
FROM pg_temp.months('scan_results', 4, 6) m;

-- a role that does not own the tables may make partitions; they belong to the tables' owner
GRANT USAGE ON SCHEMA catalyst TO regress_catalyst_reader;
GRANT EXECUTE ON FUNCTION catalyst.create_monthly_partitions(integer) TO regress_catalyst_reader;
SET ROLE regress_catalyst_reader;
SELECT catalyst.create_monthly_partitions(7) AS created_by_reader;
RESET ROLE;
SELECT run_by AS last_run_by FROM catalyst.maintenance_runs WHERE job = 'create_monthly_partitions';
SELECT count(*) AS partitions, count(*) FILTER (WHERE c.relowner <> p.relowner) AS not_owned_like_parent
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
WHERE i.inhparent IN ('catalyst.scan_results'::regclass, 'catalyst.audit_log'::regclass);

-- a new partition has exactly its parent's privileges, even when the owner's default privileges
-- would grant more (here: everything to PUBLIC)
CREATE TEMP TABLE partitions_before AS SELECT inhrelid FROM pg_inherits;
ALTER DEFAULT PRIVILEGES IN SCHEMA catalyst GRANT ALL ON TABLES TO PUBLIC;
SELECT catalyst.create_monthly_partitions(8) AS created;
ALTER DEFAULT PRIVILEGES IN SCHEMA catalyst REVOKE ALL ON TABLES FROM PUBLIC;
SELECT p.relname AS parent, count(*) AS new_partitions,
       count(*) FILTER (WHERE (SELECT array_agg(a ORDER BY a::text) FROM unnest(c.relacl) a)
                              IS DISTINCT FROM (SELECT array_agg(a ORDER BY a::text) FROM unnest(p.relacl) a))
           AS acl_differs_from_parent,
       count(*) FILTER (WHERE has_table_privilege('public', c.oid, 'SELECT')) AS public_may_select
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
WHERE i.inhparent IN ('catalyst.scan_results'::regclass, 'catalyst.audit_log'::regclass)
  AND i.inhrelid NOT IN (SELECT inhrelid FROM partitions_before)
GROUP BY 1 ORDER BY 1;

-- Coverage by bounds, not names.  A DBA's partitions of other ranges and names: two months
-- ahead of what exists (10 and 11) as one "scan_results_q", and 13 from its 16th day to 14's
-- 11th as "scan_results_odd".  4.1 checked names only, tried to make <table>_YYYY_MM for months
-- 10 and 11 and failed ("would overlap partition"), and so did every later run.
SELECT format('%L', (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '10 months') AT TIME ZONE 'UTC') AS m10,
       format('%L', (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '12 months') AT TIME ZONE 'UTC') AS m12,
       format('%L', (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '13 months 15 days') AT TIME ZONE 'UTC') AS m13_16,
       format('%L', (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '14 months 10 days') AT TIME ZONE 'UTC') AS m14_11
\gset
CREATE TABLE catalyst.scan_results_q PARTITION OF catalyst.scan_results FOR VALUES FROM (:m10) TO (:m12);
CREATE TABLE catalyst.scan_results_odd PARTITION OF catalyst.scan_results FOR VALUES FROM (:m13_16) TO (:m14_11);
SELECT catalyst.create_monthly_partitions(15) AS created;
-- months 9, 12, 15 whole; 13 up to the 16th and 14 from the 11th; and audit_log 9 to 15
SELECT regexp_replace(n, '[0-9]{4}_[0-9]{2}', 'YYYY_MM') AS made, count(*)
FROM jsonb_array_elements_text((SELECT summary->'created' FROM catalyst.maintenance_runs
                                WHERE job = 'create_monthly_partitions')) n
GROUP BY 1 ORDER BY 1;
SELECT summary->>'outcome' AS outcome FROM catalyst.maintenance_runs WHERE job = 'create_monthly_partitions';
-- every instant from this month to the end of month 15 has a partition other than DEFAULT: a
-- scan every 6 hours lands in one
BEGIN;
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume)
SELECT 'probe-' || t, 'c-1', 'AAPL', t, 1, 1
FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                     (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '16 months' - interval '1 second') AT TIME ZONE 'UTC',
                     interval '6 hours') t;
SELECT count(*) FILTER (WHERE tableoid = 'catalyst.scan_results_default'::regclass) AS probes_in_default,
       count(*) FILTER (WHERE tableoid = 'catalyst.scan_results_q'::regclass) > 0 AS dba_quarter_used,
       count(*) FILTER (WHERE tableoid = 'catalyst.scan_results_odd'::regclass) > 0 AS dba_odd_used
FROM catalyst.scan_results WHERE scan_id LIKE 'probe-%';
ROLLBACK;
-- and again: nothing to make
SELECT catalyst.create_monthly_partitions(15) AS created_again;

-- A name taken by a table that is no partition (a month retention kept detached, say) is not
-- reused: the new partition of that month gets a suffix.
SELECT format('catalyst.%I', pg_temp.months('audit_log', 16, 16)) AS taken \gset
CREATE TABLE :taken (x int);
SELECT catalyst.create_monthly_partitions(16) AS created;
SELECT regexp_replace(n, '[0-9]{4}_[0-9]{2}', 'YYYY_MM') AS made
FROM jsonb_array_elements_text((SELECT summary->'created' FROM catalyst.maintenance_runs
                                WHERE job = 'create_monthly_partitions')) n ORDER BY 1;
DROP TABLE :taken;

DROP EXTENSION catalyst;
REVOKE USAGE ON SCHEMA catalyst FROM regress_catalyst_reader;
DROP ROLE regress_catalyst_reader;
