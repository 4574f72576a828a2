-- Catalog comments: every object of the extension has one (issue 12).  The list below must stay
-- empty; the last part shows that it does list an object whose comment goes.
--
-- Checked: the extension's member objects (pg_depend), every relation of schema catalyst but the
-- monthly partitions (so also scan_results, audit_log, their DEFAULT partitions, audit_log's
-- sequence and v_active_trading, which 4.1 releases from the extension for pg_dump), every
-- function of the schema, the row-level security policies, the user triggers (not the clones on
-- partitions), the schema, the three roles, and the columns that hold money or time (numeric,
-- date, time, timestamp and interval).  Indexes and constraints are not checked.  The settings
-- cannot take a COMMENT: each has its description in pg_settings, checked too.
CREATE EXTENSION catalyst;

CREATE TEMP VIEW checked_objects AS
WITH rels AS (
    SELECT c.oid, c.relkind
    FROM pg_class c
    WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND (NOT c.relispartition OR pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT')
)
SELECT d.classid, d.objid, d.objsubid
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'catalyst')
UNION
SELECT 'pg_class'::regclass, r.oid, 0 FROM rels r
UNION
SELECT 'pg_proc'::regclass, p.oid, 0 FROM pg_proc p WHERE p.pronamespace = 'catalyst'::regnamespace
UNION
SELECT 'pg_policy'::regclass, p.oid, 0 FROM pg_policy p JOIN rels r ON r.oid = p.polrelid
UNION
SELECT 'pg_trigger'::regclass, t.oid, 0
FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid
WHERE NOT t.tgisinternal AND t.tgparentid = 0
UNION
SELECT 'pg_namespace'::regclass, 'catalyst'::regnamespace, 0
UNION
SELECT 'pg_class'::regclass, a.attrelid, a.attnum
FROM pg_attribute a JOIN rels r ON r.oid = a.attrelid
WHERE r.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped
  AND NOT (SELECT c.relispartition FROM pg_class c WHERE c.oid = a.attrelid)
  AND a.atttypid IN ('numeric'::regtype, 'date'::regtype, 'time'::regtype, 'timetz'::regtype,
                     'timestamp'::regtype, 'timestamptz'::regtype, 'interval'::regtype);

CREATE TEMP VIEW missing_comments AS
SELECT pg_describe_object(o.classid, o.objid, o.objsubid) AS missing_comment
FROM checked_objects o
WHERE NOT EXISTS (SELECT FROM pg_description d
                  WHERE d.classoid = o.classid AND d.objoid = o.objid AND d.objsubid = o.objsubid)
UNION ALL
SELECT 'role ' || r.rolname
FROM pg_roles r
WHERE r.rolname IN ('catalyst_reader', 'catalyst_trader', 'catalyst_admin')
  AND shobj_description(r.oid, 'pg_authid') IS NULL
UNION ALL
SELECT 'setting ' || s.name
FROM pg_settings s
WHERE s.name LIKE 'catalyst.%' AND coalesce(s.short_desc, '') = '';

-- the settings exist once the library is loaded
SELECT catalyst.trading_date('2026-01-05 12:00+00') AS library_loaded;

-- what is checked: enough of each kind that a broken query would show
SELECT classid::regclass AS catalog, objsubid <> 0 AS is_column, count(*) > 0 AS some
FROM checked_objects GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) >= 150 AS at_least_150_objects FROM checked_objects;
SELECT count(*) >= 16 AS at_least_16_settings FROM pg_settings WHERE name LIKE 'catalyst.%';

-- a fresh install: nothing without a comment
SELECT * FROM missing_comments ORDER BY 1;

-- the roles' comments (cluster-wide; set only where the role had none)
SELECT rolname, shobj_description(oid, 'pg_authid') IS NOT NULL AS commented
FROM pg_roles WHERE rolname LIKE 'catalyst\_%' ORDER BY 1;

-- the test can fail: objects whose comment goes are listed
BEGIN;
COMMENT ON TABLE catalyst.orders IS NULL;
COMMENT ON COLUMN catalyst.positions.realized_pnl IS NULL;
COMMENT ON POLICY orders_policy ON catalyst.orders IS NULL;
COMMENT ON FUNCTION catalyst.cleanup_old_data() IS NULL;
COMMENT ON TRIGGER audit_orders_changes ON catalyst.orders IS NULL;
COMMENT ON VIEW catalyst.v_active_trading IS NULL;
CREATE FUNCTION catalyst.uncommented() RETURNS int LANGUAGE sql RETURN 1;
SELECT * FROM missing_comments ORDER BY 1;
ROLLBACK;

-- a DBA's own comment on a role is kept by the update
DROP EXTENSION catalyst;
COMMENT ON ROLE catalyst_reader IS 'dashboards of the desk';
CREATE EXTENSION catalyst VERSION '4.1';
ALTER EXTENSION catalyst UPDATE;
SELECT shobj_description(oid, 'pg_authid') AS reader_comment FROM pg_roles WHERE rolname = 'catalyst_reader';

-- a 4.1 database updated to 4.2: nothing without a comment either
SELECT * FROM missing_comments ORDER BY 1;

-- put the extension's comment back for the tests that follow
COMMENT ON ROLE catalyst_reader IS NULL;
DROP EXTENSION catalyst;
CREATE EXTENSION catalyst;
SELECT * FROM missing_comments ORDER BY 1;
DROP EXTENSION catalyst;
