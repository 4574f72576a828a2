-- audit_log is append-only: UPDATE, DELETE and TRUNCATE are refused for every role, superusers
-- and the owner included, on the table and on each partition; partition maintenance still moves
-- rows out of the DEFAULT partition, and retention still drops whole partitions.  The row guard
-- is an ordinary ENABLE trigger (4.2): with session_replication_role = replica, as logical
-- replication applies the publisher's retention, a superuser's DELETE goes through; no other role
-- can set it.  TRUNCATE stays refused even then (ENABLE ALWAYS).
CREATE EXTENSION catalyst;

-- the guard triggers on the table and every partition: the row trigger enabled as usual (O), the
-- TRUNCATE triggers ALWAYS (A)
SELECT c.relname, t.tgname, t.tgenabled
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgfoid = 'catalyst.audit_log_append_only()'::regprocedure
  AND c.relname !~ '_[0-9]{4}_[0-9]{2}$'
ORDER BY 1, 2;
SELECT count(*) AS partitions, count(*) FILTER (WHERE (
           SELECT count(*) FROM pg_trigger t
           WHERE t.tgrelid = i.inhrelid
             AND t.tgenabled = CASE t.tgname WHEN 'audit_log_no_truncate' THEN 'A' ELSE 'O' END
             AND t.tgfoid = 'catalyst.audit_log_append_only()'::regprocedure) = 2) AS guarded
FROM pg_inherits i WHERE i.inhparent = 'catalyst.audit_log'::regclass;

INSERT INTO catalyst.audit_log (event_type, event_category) VALUES ('kept', 'test');
INSERT INTO catalyst.audit_log (event_type, event_category, created_at) VALUES ('old', 'test', '2020-01-15');
SELECT format('catalyst.audit_log_%s', to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')) AS this_month \gset

-- the superuser running this test owns audit_log; still refused
UPDATE catalyst.audit_log SET event_type = 'forged' WHERE event_type = 'old';
DELETE FROM catalyst.audit_log WHERE event_type = 'old';
TRUNCATE catalyst.audit_log;
\set VERBOSITY terse
UPDATE catalyst.audit_log SET event_type = 'forged';
DELETE FROM catalyst.audit_log WHERE event_type = 'kept';
UPDATE :this_month SET details = '{"forged": true}';
DELETE FROM :this_month;
TRUNCATE :this_month;
DELETE FROM catalyst.audit_log_default;
TRUNCATE catalyst.audit_log_default;
-- moving an event to another month is an UPDATE too
UPDATE catalyst.audit_log SET created_at = '2020-02-01' WHERE event_type = 'old';
-- a role with every privilege but the superuser's: refused the same way, and it cannot take the
-- replication apply worker's setting
CREATE ROLE regress_sec_append_owner LOGIN;
GRANT USAGE ON SCHEMA catalyst TO regress_sec_append_owner;
GRANT ALL ON catalyst.audit_log TO regress_sec_append_owner;
SET SESSION AUTHORIZATION regress_sec_append_owner;
DELETE FROM catalyst.audit_log;
UPDATE catalyst.audit_log SET event_type = 'forged';
SET session_replication_role = replica;
DELETE FROM catalyst.audit_log;
RESET SESSION AUTHORIZATION;
REVOKE ALL ON catalyst.audit_log FROM regress_sec_append_owner;
REVOKE USAGE ON SCHEMA catalyst FROM regress_sec_append_owner;
DROP ROLE regress_sec_append_owner;
\set VERBOSITY default

-- nothing changed
SELECT event_type, created_at = '2020-01-15' AS old_date, tableoid::regclass::text = :'this_month' AS this_month
FROM catalyst.audit_log ORDER BY event_type;

-- What logical replication's apply worker does (it runs with session_replication_role =
-- replica): the publisher's retention deleted its old DEFAULT rows, and the subscriber applies
-- that DELETE.  With 4.1's ENABLE ALWAYS guard it failed, and replication stopped there.
-- TRUNCATE is still refused.
SET session_replication_role = replica;
DELETE FROM catalyst.audit_log_default WHERE event_type = 'old';
TRUNCATE catalyst.audit_log;
RESET session_replication_role;
SELECT event_type FROM catalyst.audit_log ORDER BY event_type;

-- Maintenance is the exception: create_monthly_partitions() moves the rows parked in the
-- DEFAULT partition into a month it creates (a DELETE from the DEFAULT partition), and guards the
-- new partition like the others.
INSERT INTO catalyst.audit_log (event_type, event_category, created_at)
VALUES ('ahead', 'test', date_trunc('month', now()) + interval '9 months 3 days');
SELECT tableoid::regclass = 'catalyst.audit_log_default'::regclass AS parked FROM catalyst.audit_log WHERE event_type = 'ahead';
SELECT catalyst.create_monthly_partitions(10) AS created;
SELECT tableoid::regclass::text ~ '^catalyst\.audit_log_[0-9]{4}_[0-9]{2}$' AS moved_to_its_month
FROM catalyst.audit_log WHERE event_type = 'ahead';
SELECT count(*) AS partitions, count(*) FILTER (WHERE (
           SELECT count(*) FROM pg_trigger t
           WHERE t.tgrelid = i.inhrelid
             AND t.tgenabled = CASE t.tgname WHEN 'audit_log_no_truncate' THEN 'A' ELSE 'O' END
             AND t.tgfoid = 'catalyst.audit_log_append_only()'::regprocedure) = 2) AS guarded
FROM pg_inherits i WHERE i.inhparent = 'catalyst.audit_log'::regclass;
SELECT tableoid::regclass AS ahead_month FROM catalyst.audit_log WHERE event_type = 'ahead' \gset
\set VERBOSITY terse
DELETE FROM :ahead_month;
TRUNCATE :ahead_month;
\set VERBOSITY default

-- Retention works by whole partitions: DETACH and DROP fire no row trigger.
ALTER TABLE catalyst.audit_log DETACH PARTITION :ahead_month;
DROP TABLE :ahead_month;
SELECT count(*) AS ahead_events_left FROM catalyst.audit_log WHERE event_type = 'ahead';

-- misuse of the guard function is a clear error
SELECT catalyst.audit_log_append_only();
CREATE TABLE public.guarded (id int);
CREATE TRIGGER g AFTER DELETE ON public.guarded
    FOR EACH ROW EXECUTE FUNCTION catalyst.audit_log_append_only();
INSERT INTO public.guarded VALUES (1);
DELETE FROM public.guarded;
DROP TABLE public.guarded;

DROP EXTENSION catalyst;
