
------------------------------------------------------------------------------------------------
-- 20-maintenance: partition maintenance, retention and scheduling (doc/maintenance.md)
------------------------------------------------------------------------------------------------

-- pg_cron's database, read in C: pg_settings hides cron.database_name (a superuser-only
-- setting) from catalyst_admin, for whom 4.1's SQL version returned NULL and
-- schedule_maintenance() said pg_cron was not loaded.  Its EXECUTE grant is kept.
CREATE OR REPLACE FUNCTION @extschema@.pg_cron_database()
RETURNS text
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'catalyst_pg_cron_database';
COMMENT ON FUNCTION @extschema@.pg_cron_database() IS
    'The database pg_cron runs in (cron.database_name, readable by catalyst_admin too), or NULL when pg_cron is not loaded.';

COMMENT ON FUNCTION @extschema@.create_monthly_partitions(integer) IS
    'Makes partitions of scan_results and audit_log for the parts of the current UTC month and the next premake months that no partition covers; returns how many it made (NULL: it did nothing).';
COMMENT ON FUNCTION @extschema@.cleanup_old_data() IS
    'Retention: archives old closed positions, trims pg_cron history, deletes old DEFAULT rows, then detaches old months; never waits long for a lock; returns a jsonb summary of what it did and deferred.';

-- Who may change how long maintenance waits for a lock: as for the other maintenance settings.
GRANT SET ON PARAMETER catalyst.maintenance_lock_timeout TO catalyst_admin;

-- A close's P&L is derived from exit_price: a negative one is refused by a named constraint
-- (SQLSTATE 23514) instead of overflowing pnl_percent.  NOT VALID first, so that the update never
-- fails on rows already there; validated when they all comply (otherwise a WARNING names them).
ALTER TABLE @extschema@.positions
    ADD CONSTRAINT positions_exit_price_check CHECK (exit_price OPERATOR(pg_catalog.>=) 0) NOT VALID;
COMMENT ON CONSTRAINT positions_exit_price_check ON @extschema@.positions IS
    'exit_price, when set, is a price: zero or more (the P&L of a close is derived from it).';
DO $exit_price$
DECLARE
    bad bigint;
BEGIN
    SELECT pg_catalog.count(*) INTO bad FROM @extschema@.positions p
    WHERE p.exit_price OPERATOR(pg_catalog.<) 0;
    IF bad OPERATOR(pg_catalog.=) 0 THEN
        ALTER TABLE @extschema@.positions VALIDATE CONSTRAINT positions_exit_price_check;
    ELSE
        RAISE WARNING 'catalyst: % positions have a negative exit_price; positions_exit_price_check checks new rows only', bad
            USING HINT = 'Correct them, then run ALTER TABLE catalyst.positions VALIDATE CONSTRAINT positions_exit_price_check.';
    END IF;
END
$exit_price$;

-- audit_log's append-only row trigger: ordinary ENABLE instead of ENABLE ALWAYS, so that logical
-- replication's apply worker (session_replication_role = replica, which only a superuser may
-- set) applies the publisher's retention DELETEs instead of stopping on them.  The TRUNCATE
-- guards stay ALWAYS: retention never truncates.  audit_log is user data and is absent while a
-- restore runs CREATE EXTENSION (the dump brings it, with its triggers' state).  The parent's
-- ENABLE reaches the clones on its partitions.
DO $append_only$
BEGIN
    IF pg_catalog.to_regclass('@extschema@.audit_log') IS NOT NULL THEN
        ALTER TABLE @extschema@.audit_log ENABLE TRIGGER audit_log_append_only;
    END IF;
END
$append_only$;
COMMENT ON FUNCTION @extschema@.audit_log_append_only() IS
    'Trigger on audit_log and its partitions: UPDATE, DELETE (row trigger, not fired for replication apply) and TRUNCATE (statement triggers, ENABLE ALWAYS) raise an error.';
