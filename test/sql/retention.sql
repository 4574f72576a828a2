-- cleanup_old_data(): months past retention leave as whole partitions (dropped, or kept
-- detached), DEFAULT rows by the same whole-month rule, old closed positions move to the
-- archive in one statement; the summary it returns is recorded in maintenance_runs.
CREATE EXTENSION catalyst;

-- Old months in fixed years, so that the output never depends on today's date.  The retention
-- settings are then chosen to put each cut-off in the middle of a month:
--   scan_results: cut-off about 2020-02-15: 2020-01 goes, 2020-02 and 2020-03 stay
--   audit_log:    cut-off about 2020-03-15: 2020-01 goes (2020-02 has no partition), 2020-03 stays
CREATE FUNCTION pg_temp.days_since(day date) RETURNS text LANGUAGE sql STABLE
AS $$ SELECT (current_date - day)::text $$;
SELECT set_config('catalyst.scan_retention_days', pg_temp.days_since('2020-02-15'), false) IS NOT NULL AS scan_set,
       set_config('catalyst.audit_retention_days', pg_temp.days_since('2020-03-15'), false) IS NOT NULL AS audit_set;

CREATE TABLE catalyst.scan_results_2020_01 PARTITION OF catalyst.scan_results
    FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2020-02-01 00:00+00');
CREATE TABLE catalyst.scan_results_2020_02 PARTITION OF catalyst.scan_results
    FOR VALUES FROM ('2020-02-01 00:00+00') TO ('2020-03-01 00:00+00');
CREATE TABLE catalyst.scan_results_2020_03 PARTITION OF catalyst.scan_results
    FOR VALUES FROM ('2020-03-01 00:00+00') TO ('2020-04-01 00:00+00');
CREATE TABLE catalyst.audit_log_2020_01 PARTITION OF catalyst.audit_log
    FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2020-02-01 00:00+00');
CREATE TABLE catalyst.audit_log_2020_03 PARTITION OF catalyst.audit_log
    FOR VALUES FROM ('2020-03-01 00:00+00') TO ('2020-04-01 00:00+00');
-- guarded against TRUNCATE as create_monthly_partitions() guards the months it makes
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON catalyst.audit_log_2020_03
    FOR EACH STATEMENT EXECUTE FUNCTION catalyst.audit_log_append_only();

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c-1', 'normal', 300);
-- a scan every 6 hours from 2020-01-01 to 2020-03-31, a few in DEFAULT (2019-06 and 2020-05),
-- and one now
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume)
SELECT 's-' || g, 'c-1', 'AAPL', t, 100, 1
FROM generate_series(timestamptz '2020-01-01 00:00+00', '2020-03-31 18:00+00', interval '6 hours')
     WITH ORDINALITY AS s(t, g);
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume)
VALUES ('old-default', 'c-1', 'AAPL', '2019-06-10 12:00+00', 100, 1),
       ('later-default', 'c-1', 'AAPL', '2020-05-10 12:00+00', 100, 1),
       ('now', 'c-1', 'AAPL', now(), 100, 1);
INSERT INTO catalyst.audit_log (event_type, event_category, created_at)
VALUES ('jan', 'test', '2020-01-20 00:00+00'),
       ('feb', 'test', '2020-02-10 00:00+00'),          -- DEFAULT, month before the cut-off's
       ('feb-end', 'test', '2020-02-29 23:59:59+00'),   -- DEFAULT, same
       ('mar', 'test', '2020-03-02 00:00+00'),
       ('apr', 'test', '2020-04-02 00:00+00'),          -- DEFAULT, after the cut-off
       ('now', 'test', now());

CREATE FUNCTION pg_temp.rows_by_partition() RETURNS TABLE (partition text, n bigint)
LANGUAGE sql AS $$
    SELECT CASE WHEN tableoid::regclass::text ~ '_20(19|20)_' OR tableoid::regclass::text ~ '_default$'
                THEN tableoid::regclass::text ELSE 'this month' END, count(*)
    FROM catalyst.scan_results GROUP BY 1
    UNION ALL
    SELECT CASE WHEN tableoid::regclass::text ~ '_20(19|20)_' OR tableoid::regclass::text ~ '_default$'
                THEN tableoid::regclass::text ELSE 'this month' END, count(*)
    FROM catalyst.audit_log WHERE event_category = 'test' GROUP BY 1
    ORDER BY 1
$$;
SELECT * FROM pg_temp.rows_by_partition();

-- closed positions: two older than catalyst.position_archive_days (90), one younger; an open and
-- a partial position opened long ago; their orders
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                             executed_price, executed_quantity)
SELECT 'o-' || i, 'c-1', 'AAPL', CASE WHEN i % 2 = 1 THEN 'buy' ELSE 'sell' END, 'market', 10, 'filled', 100, 10
FROM generate_series(1, 8) i;
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price,
                                exit_price, status, opened_at, closed_at, realized_pnl, close_reason, metadata)
VALUES ('c-1', 'AAPL', 'long', 10, 'o-1', 'o-2', 100, 110, 'closed', now() - interval '120 days',
        now() - interval '100 days', 100, 'target', '{"note": "old"}'),
       ('c-1', 'AAPL', 'long', 10, 'o-3', 'o-4', 100, 90, 'closed', now() - interval '95 days',
        now() - interval '91 days', -100, 'stop', '{}'),
       ('c-1', 'AAPL', 'long', 10, 'o-5', 'o-6', 100, 105, 'closed', now() - interval '95 days',
        now() - interval '89 days', 50, 'target', '{}'),
       ('c-1', 'AAPL', 'long', 10, 'o-7', NULL, 100, NULL, 'open', now() - interval '200 days', NULL, NULL, NULL, '{}'),
       ('c-1', 'AAPL', 'short', 10, 'o-8', NULL, 100, NULL, 'partial', now() - interval '200 days', NULL, NULL, NULL, '{}');
CREATE TEMP TABLE positions_before AS SELECT * FROM catalyst.positions;

-- in one transaction with the checks of its cut-offs, which are now() minus the settings' days
BEGIN;
SELECT catalyst.cleanup_old_data() AS result \gset
SELECT (:'result'::jsonb->'scan_results'->>'cutoff')::timestamptz
           = now() - current_setting('catalyst.scan_retention_days')::int * interval '24 hours' AS scan_cutoff_ok,
       (:'result'::jsonb->'audit_log'->>'cutoff')::timestamptz
           = now() - current_setting('catalyst.audit_retention_days')::int * interval '24 hours' AS audit_cutoff_ok,
       (:'result'::jsonb->'positions'->>'cutoff')::timestamptz = now() - 90 * interval '24 hours' AS positions_cutoff_ok,
       (:'result'::jsonb->'cron_history'->>'cutoff')::timestamptz
           = now() - current_setting('catalyst.audit_retention_days')::int * interval '24 hours' AS history_cutoff_ok;
COMMIT;
SELECT :'result'::jsonb->>'outcome' AS outcome,
       :'result'::jsonb->'scan_results'->'dropped' AS scan_dropped,
       :'result'::jsonb->'scan_results'->'detached' AS scan_detached,
       :'result'::jsonb->'scan_results'->'default_rows_deleted' AS scan_default_deleted,
       :'result'::jsonb->'audit_log'->'dropped' AS audit_dropped,
       :'result'::jsonb->'audit_log'->'default_rows_deleted' AS audit_default_deleted,
       :'result'::jsonb->'positions'->'archived' AS positions_archived,
       :'result'::jsonb->'cron_history'->'deleted' AS cron_history_deleted;
-- the months past retention are gone, tables and rows; the younger ones and DEFAULT's later rows stay
SELECT * FROM pg_temp.rows_by_partition();
SELECT to_regclass('catalyst.scan_results_2020_01') AS dropped_scan, to_regclass('catalyst.audit_log_2020_01') AS dropped_audit;
SELECT event_type FROM catalyst.audit_log WHERE event_category = 'test' ORDER BY created_at;

-- exactly the old closed positions moved, unchanged, and only once; their orders stay
SELECT position_id, status, closed_at < now() - interval '90 days' AS closed_over_90_days_ago
FROM catalyst.positions_archive ORDER BY position_id;
SELECT count(*) AS archived_rows_differing FROM catalyst.positions_archive a
JOIN positions_before b USING (position_id)
WHERE to_jsonb(a) - 'archived_at' <> to_jsonb(b) OR a.archived_at IS NULL;
SELECT position_id, status FROM catalyst.positions ORDER BY position_id;
SELECT (SELECT count(*) FROM catalyst.positions) + (SELECT count(*) FROM catalyst.positions_archive) AS positions_total,
       (SELECT count(*) FROM positions_before) AS positions_before,
       (SELECT count(*) FROM catalyst.positions p JOIN catalyst.positions_archive a USING (position_id)) AS in_both,
       (SELECT count(*) FROM catalyst.orders) AS orders;

-- the run is recorded with the summary the function returned
SELECT job, summary = :'result'::jsonb AS summary_recorded, run_by = current_user AS run_by_me
FROM catalyst.maintenance_runs WHERE job = 'cleanup_old_data';

-- a second run finds nothing more to do
SELECT r->'scan_results'->'dropped' AS scan_dropped, r->'audit_log'->'dropped' AS audit_dropped,
       r->'scan_results'->'default_rows_deleted' AS scan_default, r->'positions'->'archived' AS archived
FROM catalyst.cleanup_old_data() r;

-- catalyst.retention_keep_detached: the month leaves the table but its rows are kept, detached
SET catalyst.retention_keep_detached = on;
SELECT set_config('catalyst.scan_retention_days', pg_temp.days_since('2020-03-15'), false) IS NOT NULL AS scan_set;
SELECT r->'scan_results'->'dropped' AS scan_dropped, r->'scan_results'->'detached' AS scan_detached
FROM catalyst.cleanup_old_data() r;
SELECT c.relispartition, c.relkind, (SELECT count(*) FROM catalyst.scan_results_2020_02) AS rows_kept,
       EXISTS (SELECT FROM pg_inherits WHERE inhrelid = c.oid) AS still_attached
FROM pg_class c WHERE c.oid = 'catalyst.scan_results_2020_02'::regclass;
SELECT count(*) AS scan_rows_of_2020_02_left FROM catalyst.scan_results
WHERE scan_time >= '2020-02-01 00:00+00' AND scan_time < '2020-03-01 00:00+00';
-- the next run leaves the detached table alone
SELECT r->'scan_results'->'detached' AS scan_detached FROM catalyst.cleanup_old_data() r;
-- an audit_log month kept detached is the DBA's: no longer append-only, nothing ties it to the
-- extension (DROP EXTENSION at the end of this file leaves it)
SELECT set_config('catalyst.audit_retention_days', pg_temp.days_since('2020-04-15'), false) IS NOT NULL AS audit_set;
SELECT r->'audit_log'->'detached' AS audit_detached FROM catalyst.cleanup_old_data() r;
SELECT count(*) AS kept_audit_rows FROM catalyst.audit_log_2020_03;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'catalyst.audit_log_2020_03'::regclass;
RESET catalyst.audit_retention_days;
RESET catalyst.retention_keep_detached;

-- One part that fails does not undo the others, and one archive row that fails does not keep
-- the rest from moving: a position whose position_id is already in the archive (as a restore of
-- an older dump could leave it) is named in the summary and stays in positions; the others move.
-- 4.1 failed the whole run, the months it had dropped included.
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price,
                                exit_price, status, opened_at, closed_at, close_reason)
VALUES ('c-1', 'MSFT', 'long', 10, 'o-1', 'o-2', 100, 110, 'closed', now() - interval '120 days',
        now() - interval '100 days', 'target'),
       ('c-1', 'MSFT', 'long', 10, 'o-3', 'o-4', 100, 90, 'closed', now() - interval '120 days',
        now() - interval '100 days', 'stop');
INSERT INTO catalyst.positions_archive
SELECT (jsonb_populate_record(NULL::catalyst.positions_archive, to_jsonb(p) || jsonb_build_object('archived_at', now()))).*
FROM catalyst.positions p WHERE symbol = 'MSFT' AND close_reason = 'stop';
SELECT r->>'outcome' AS outcome, r->>'retry' AS retry, r->'positions'->'archived' AS archived,
       r->'positions'->'failed' AS failed, r->'positions'->'left_for_next_run' AS left_for_next_run,
       (r->'positions'->'errors'->0->>'position_id')::int
           = (SELECT position_id FROM catalyst.positions WHERE symbol = 'MSFT' AND close_reason = 'stop') AS failed_one_named,
       r->'positions'->'errors'->0->>'sqlstate' AS sqlstate, r->'positions'->'errors'->0->>'message' AS message
FROM catalyst.cleanup_old_data() r;
SELECT symbol, close_reason FROM catalyst.positions WHERE symbol = 'MSFT';
SELECT summary->>'outcome' AS recorded_outcome FROM catalyst.maintenance_runs WHERE job = 'cleanup_old_data';
-- the DBA removes the stale archive row; the next run moves the position
DELETE FROM catalyst.positions_archive a USING catalyst.positions p WHERE a.position_id = p.position_id;
SELECT r->>'outcome' AS outcome, r->'positions'->'archived' AS archived, r->'positions'->'failed' AS failed
FROM catalyst.cleanup_old_data() r;

-- the function runs as the tables' owner, so not everyone may call it
CREATE ROLE regress_catalyst_nobody;
GRANT USAGE ON SCHEMA catalyst TO regress_catalyst_nobody;
SET ROLE regress_catalyst_nobody;
SELECT catalyst.cleanup_old_data();
RESET ROLE;
REVOKE USAGE ON SCHEMA catalyst FROM regress_catalyst_nobody;
DROP ROLE regress_catalyst_nobody;

DROP EXTENSION catalyst;
-- the kept tables stay, as the README says
SELECT relname FROM pg_class WHERE relnamespace = 'catalyst'::regnamespace AND relkind = 'r' ORDER BY 1;
DROP TABLE catalyst.scan_results_2020_02, catalyst.audit_log_2020_03;
