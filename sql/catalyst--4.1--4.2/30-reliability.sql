
------------------------------------------------------------------------------------------------
-- Restores (doc/backups.md).
--
-- 1. The signal: a restore runs with session_replication_role = replica (PGOPTIONS), which only a
--    superuser may set.  It keeps the extension's ordinary triggers and the foreign-key checks
--    from firing while the dump's rows load, in any order (pg_restore -j loads the tables in
--    parallel), so the rows keep their P&L, audit events and metrics exactly.  pg_dump's output
--    always runs with row_security = off; a superuser session in that state without the signal
--    is a restore that would duplicate every event, and is refused (src/restore.c).
-- 2. scan_results and audit_log are keyed by a unique index instead of a PRIMARY KEY: pg_dump 15
--    writes a partition's inherited key constraint as one of its own, and
--    pg_restore --clean then fails to drop it ("cannot drop inherited constraint").  A
--    partitioned unique index is dumped as an index whose partitions go with it.
------------------------------------------------------------------------------------------------

DO $restore$
BEGIN
    IF NOT pg_catalog.current_setting('row_security')::boolean
       AND pg_catalog.current_setting('session_replication_role') OPERATOR(pg_catalog.<>) 'replica' THEN
        RAISE EXCEPTION 'catalyst: row_security is off, as in a restore, but session_replication_role is not replica'
            USING DETAIL = 'A restore without the restore signal would audit and roll up every restored row a second time.',
                  HINT = 'Run the restore with PGOPTIONS=''-c session_replication_role=replica'' (doc/backups.md); outside a restore, run CREATE EXTENSION with row_security on.';
    END IF;
    -- in a restore the two tables come from the dump, already keyed as below
    IF pg_catalog.to_regclass('@extschema@.scan_results') IS NOT NULL THEN
        ALTER TABLE @extschema@.scan_results DROP CONSTRAINT IF EXISTS scan_results_pkey;
        CREATE UNIQUE INDEX IF NOT EXISTS scan_results_key ON @extschema@.scan_results (scan_time, scan_id, symbol);
        ALTER TABLE @extschema@.scan_results_default
            REPLICA IDENTITY USING INDEX scan_results_default_scan_time_scan_id_symbol_idx;
    END IF;
    IF pg_catalog.to_regclass('@extschema@.audit_log') IS NOT NULL THEN
        ALTER TABLE @extschema@.audit_log DROP CONSTRAINT IF EXISTS audit_log_pkey;
        CREATE UNIQUE INDEX IF NOT EXISTS audit_log_key ON @extschema@.audit_log (log_id, created_at);
        ALTER TABLE @extschema@.audit_log_default
            REPLICA IDENTITY USING INDEX audit_log_default_log_id_created_at_idx;
    END IF;
END
$restore$;

DO $comments$
BEGIN
    IF pg_catalog.to_regclass('@extschema@.scan_results_key') IS NOT NULL THEN
        COMMENT ON INDEX @extschema@.scan_results_key IS
            'The key of scan_results (the seed''s primary key), a unique index so that pg_restore --clean can drop the partitions'' copies with it.';
    END IF;
    IF pg_catalog.to_regclass('@extschema@.audit_log_key') IS NOT NULL THEN
        COMMENT ON INDEX @extschema@.audit_log_key IS
            'The key of audit_log (the seed''s primary key), a unique index so that pg_restore --clean can drop the partitions'' copies with it.';
    END IF;
END
$comments$;

-- Under the restore signal the row audit triggers do not fire: a statement trigger that fires only
-- then writes to the server log, once per session, that this session's changes are not audited.
CREATE FUNCTION @extschema@.restore_notice() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'catalyst_restore_notice';
COMMENT ON FUNCTION @extschema@.restore_notice() IS
    'Trigger (AFTER ... FOR EACH STATEMENT, enabled for session_replication_role = replica only): logs once per session that its changes are taken for a restore and not audited.';
REVOKE ALL ON FUNCTION @extschema@.restore_notice() FROM PUBLIC;

CREATE TRIGGER restore_notice AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.trading_cycles
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.restore_notice();
CREATE TRIGGER restore_notice AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.orders
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.restore_notice();
CREATE TRIGGER restore_notice AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.positions
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.restore_notice();
ALTER TABLE @extschema@.trading_cycles ENABLE REPLICA TRIGGER restore_notice;
ALTER TABLE @extschema@.orders ENABLE REPLICA TRIGGER restore_notice;
ALTER TABLE @extschema@.positions ENABLE REPLICA TRIGGER restore_notice;
COMMENT ON TRIGGER restore_notice ON @extschema@.trading_cycles IS
    'Fires only under session_replication_role = replica: logs that the session''s changes are a restore, not audited.';
COMMENT ON TRIGGER restore_notice ON @extschema@.orders IS
    'Fires only under session_replication_role = replica: logs that the session''s changes are a restore, not audited.';
COMMENT ON TRIGGER restore_notice ON @extschema@.positions IS
    'Fires only under session_replication_role = replica: logs that the session''s changes are a restore, not audited.';
