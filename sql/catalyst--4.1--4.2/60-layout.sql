/*
 * 60-layout.sql: the row audit of positions names the UPDATE it leaves to the close trigger
 * (issue 12, item 5, "Code laid out by concern").
 *
 * audit_row_change() learns from its trigger's arguments, as contrib's moddatetime reads its
 * column, that an UPDATE giving status the value 'closed' is audited by the close trigger's
 * position_closed event instead (src/row_audit.c), so that the row audit no longer calls into
 * the close trigger's code.  4.1's trigger, without arguments, still behaves as before with this
 * library (a 4.1 database served by it until ALTER EXTENSION catalyst UPDATE).  CREATE OR
 * REPLACE keeps the trigger's identity, and with it its comment and any dependency on it.
 */
CREATE OR REPLACE TRIGGER audit_positions_changes
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.positions
    FOR EACH ROW EXECUTE FUNCTION @extschema@.audit_row_change('status', 'closed');
COMMENT ON TRIGGER audit_positions_changes ON @extschema@.positions IS
    'Audits each changed row into audit_log; an UPDATE that sets status to ''closed'' is audited by its position_closed event instead (the trigger''s arguments).';
