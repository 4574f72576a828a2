
------------------------------------------------------------------------------------------------
-- Risk scoring (doc/risk.md)
------------------------------------------------------------------------------------------------

-- A position opened or closed at 'infinity' or '-infinity' has no hold time: PostgreSQL 15 cannot
-- subtract it, so such a row made every refresh_position_risk() fail, and closing it failed with
-- a raw datetime error.  positions refuses them; an update of a database that holds some stops
-- with the rows to correct (the constraint checks every row).
DO $$
DECLARE
    bad integer;
BEGIN
    SELECT pg_catalog.count(*) INTO bad FROM @extschema@.positions
    WHERE NOT pg_catalog.isfinite(opened_at) OR NOT pg_catalog.isfinite(closed_at);
    IF bad OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'catalyst.positions has % row(s) with an infinite opened_at or closed_at', bad
            USING ERRCODE = 'check_violation',
                  DETAIL = 'catalyst 4.2 refuses infinite timestamps on positions: they have no hold time.',
                  HINT = 'Find them with SELECT position_id FROM catalyst.positions WHERE NOT isfinite(opened_at) '
                      'OR NOT isfinite(closed_at); set real times, then run ALTER EXTENSION catalyst UPDATE again.';
    END IF;
END
$$;

ALTER TABLE @extschema@.positions
    ADD CONSTRAINT positions_opened_at_finite CHECK (pg_catalog.isfinite(opened_at)),
    ADD CONSTRAINT positions_closed_at_finite CHECK (pg_catalog.isfinite(closed_at));
COMMENT ON CONSTRAINT positions_opened_at_finite ON @extschema@.positions IS
    'opened_at is a real point in time, not infinity: the hold time and the risk score subtract it.';
COMMENT ON CONSTRAINT positions_closed_at_finite ON @extschema@.positions IS
    'closed_at is NULL or a real point in time, not infinity: the hold time subtracts it.';

-- The score by id, with the id as text.  A driver's parameter of unspecified type
-- (node-postgres, asyncpg, pgbench -M prepared: SELECT catalyst.catalyst_position_risk($1))
-- matched both the integer and the positions-row overloads, an error ("is not unique"); with this
-- overload PostgreSQL resolves such a parameter to text, as it resolves any unknown-type value.
CREATE FUNCTION @extschema@.catalyst_position_risk(position_id text)
RETURNS numeric
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'catalyst_position_risk_by_text';
COMMENT ON FUNCTION @extschema@.catalyst_position_risk(text) IS
    'The risk score (0 to 1) of the position whose id is given as text, as catalyst_position_risk(integer): the overload an untyped driver parameter resolves to.';
REVOKE ALL ON FUNCTION @extschema@.catalyst_position_risk(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.catalyst_position_risk(text) TO catalyst_reader;

-- What changed in the functions the 4.1 script made, bound to the same C symbols.
COMMENT ON FUNCTION @extschema@.refresh_position_risk(varchar) IS
    'Writes risk_score of the open positions (of one cycle, or all) whose score changed, with the catalyst.risk_* settings'' database-wide values; skips rows another transaction has locked (the next run gets them); returns how many rows it updated.';
