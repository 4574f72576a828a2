-- DROP EXTENSION removes every object of the extension, user data tables and partitions
-- included, and CREATE EXTENSION works again in the same database.
CREATE EXTENSION catalyst;
\set ECHO none
\i scripts/sample-day.sql
\set ECHO all
SELECT count(*) > 0 AS has_partitions FROM pg_inherits WHERE inhparent = 'catalyst.scan_results'::regclass;
-- a partition made after the install goes too
SELECT catalyst.create_monthly_partitions(6) AS created_later;

DROP EXTENSION catalyst;
SELECT count(*) AS objects_left FROM pg_class WHERE relnamespace = 'catalyst'::regnamespace;
SELECT count(*) AS functions_left FROM pg_proc WHERE pronamespace = 'catalyst'::regnamespace;
SELECT count(*) AS types_left FROM pg_type WHERE typnamespace = 'catalyst'::regnamespace;

CREATE EXTENSION catalyst;
SELECT count(*) AS tables FROM pg_class WHERE relnamespace = 'catalyst'::regnamespace AND relkind IN ('r', 'p')
  AND relname !~ '_[0-9]{4}_[0-9]{2}$';
SELECT count(*) AS rows_after_recreate FROM catalyst.positions;
DROP EXTENSION catalyst;
