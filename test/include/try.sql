-- test/include/try.sql: pg_temp.try(sql), the SQLSTATE and message of a statement that fails, or
-- 'ok': a refusal's SQLSTATE in one line.  Included by the ledger's tests.
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
