-- test/include/fingerprint.sql: what a restore must reproduce exactly, one line each: every
-- relation of schema catalyst with its partition bound, every table's row count and checksum, every
-- sequence position, the privileges (columns too), row-level security, view options, triggers and
-- policies.  Run through psql (\gexec).  Used by the TAP tests of restores and upgrades.
SELECT c.oid::regclass::text || ' ' || coalesce(pg_catalog.pg_get_expr(c.relpartbound, c.oid), '')
FROM pg_class c WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
ORDER BY 1;
SELECT format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(t::text, ''|'' ORDER BY t::text)), '''') FROM %s t',
              c.oid::regclass, c.oid::regclass)
FROM pg_class c WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind = 'r'
ORDER BY 1 \gexec
SELECT format('SELECT %L || '' '' || last_value || '' '' || is_called FROM %s', c.oid::regclass, c.oid::regclass)
FROM pg_class c WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind = 'S'
ORDER BY 1 \gexec
-- the security setup: privileges (columns too), row-level security, view options, triggers, policies
-- (a NULL acl is the default one: compare what is in effect)
SELECT c.oid::regclass || ' acl '
       || coalesce(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))::text
       || ' rls ' || c.relrowsecurity
       || '/' || c.relforcerowsecurity || ' options ' || coalesce(array_to_string(c.reloptions, ','), '-')
FROM pg_class c WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
ORDER BY 1;
SELECT a.attrelid::regclass || '.' || a.attname || ' acl ' || a.attacl::text
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'catalyst'::regnamespace AND a.attacl IS NOT NULL ORDER BY 1;
SELECT p.oid::regprocedure || ' acl ' || coalesce(p.proacl, acldefault('f'::"char", p.proowner))::text
FROM pg_proc p WHERE p.pronamespace = 'catalyst'::regnamespace ORDER BY 1;
SELECT t.tgrelid::regclass || ' trigger ' || t.tgname || ' ' || t.tgenabled::text
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = 'catalyst'::regnamespace AND NOT t.tgisinternal ORDER BY 1;
SELECT p.polrelid::regclass || ' policy ' || p.polname || ' ' || p.polroles::regrole[]::text || ' '
       || coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '') || ' check '
       || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '')
FROM pg_policy p ORDER BY 1;
