#!/usr/bin/env bash
# pg_dump + pg_restore of a database using catalyst reproduces every row of every table, every
# partition and every sequence position, and the privileges, policies and triggers, without a
# single restore error; so does a plain dump replayed by psql.  Runs against the cluster of scripts/test.sh (PGHOST, PGPORT, PGUSER).
set -uo pipefail
cd "$(dirname "$0")/../.."

source test/include/tap.sh

echo "1..10"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for db in dump_src dump_dst dump_plain; do dropdb --if-exists "$db"; done
createdb dump_src
q dump_src -c "CREATE EXTENSION catalyst" >/dev/null 2>&1 || bail "CREATE EXTENSION failed"
q dump_src -f scripts/sample-day.sql >/dev/null || bail "loading the sample day failed"
q dump_src >/dev/null <<'SQL' || bail "loading the extra rows failed"
-- rows in every table: partitions of this month, the DEFAULT ones, a partition made later,
-- the archive and the metrics table
SELECT catalyst.create_monthly_partitions(8);
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume)
VALUES ('old', 'demo-001', 'AAPL', '2020-01-15 12:00+00', 100.00, 10),
       ('ahead', 'demo-001', 'AAPL', now() + interval '7 months', 100.00, 10);
INSERT INTO catalyst.audit_log (event_type, event_category, created_at) VALUES ('old', 'test', '2020-01-01');
INSERT INTO catalyst.positions_archive (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                        status, opened_at, created_at, updated_at)
VALUES (1000, 'demo-001', 'AAPL', 'long', 1, 'ord-aapl-in', 10.00, 'closed', now(), now(), now());
INSERT INTO catalyst.performance_metrics (cycle_id, metric_date, total_trades) VALUES ('demo-001', '2020-01-01', 3);
SELECT setval('catalyst.positions_position_id_seq', 4242);
-- the ledger (4.2): a fill of a submitted order, its events and the sample day's stops
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status)
VALUES ('ord-dump', 'demo-001', 'AAPL', 'buy', 'limit', 10, 'submitted');
SELECT catalyst.record_fill('ord-dump', 'F-1', 4, 190.125);
SQL

# what every table holds, every partition bound, every sequence position
fingerprint() {
	q "$1" <<'SQL'
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
SQL
}
fingerprint dump_src >"$work/src.txt" || bail "fingerprinting the source failed"
# a row count and checksum for each of the 14 tables (maintenance_runs and the ledger's too) and 18 partitions (9 months of 2 tables)
check "the fingerprint covers every table and partition" \
	"$(grep -cE '^catalyst\.[a-z_0-9]+ [0-9]+ ([0-9a-f]{32})?$' "$work/src.txt")" "32"
check "no table of the source database is empty" "$(grep -E '^catalyst\.[a-z_]+ 0 ' "$work/src.txt")" ""
# privileges of every table, partition, view, sequence and function and of audit_log's 8 granted
# columns; the 16 policies; the TRUNCATE guard of audit_log and its 10 partitions
check "the fingerprint covers privileges, policies and the audit triggers" \
	"$(grep -c ' acl ' "$work/src.txt") $(grep -c ' policy ' "$work/src.txt") $(grep -c 'trigger audit_log_no_truncate A' "$work/src.txt")" \
	"$(q dump_src -c "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'catalyst'::regnamespace AND relkind IN ('r', 'p', 'v', 'S'))
	                       + 8 + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'catalyst'::regnamespace)") 16 11"

pg_dump -Fc -f "$work/catalyst.dump" dump_src
check "pg_dump -Fc succeeds" "$?" "0"
createdb dump_dst
pg_restore --exit-on-error -d dump_dst "$work/catalyst.dump" 2>"$work/restore.err"
check "pg_restore succeeds with no error" "$?:$(cat "$work/restore.err")" "0:"
fingerprint dump_dst >"$work/dst.txt"
check "every row, partition and sequence position survives pg_dump -Fc + pg_restore" \
	"$(diff "$work/src.txt" "$work/dst.txt" && echo same)" "same"

pg_dump -Fp -f "$work/catalyst.sql" dump_src
createdb dump_plain
psql -X -q -v ON_ERROR_STOP=1 -d dump_plain -f "$work/catalyst.sql" >/dev/null 2>"$work/plain.err"
check "a plain dump replays through psql with no error" "$?:$(grep -v '^psql:.*NOTICE' "$work/plain.err")" "0:"
fingerprint dump_plain >"$work/plain.txt"
check "every row survives the plain dump" "$(diff "$work/src.txt" "$work/plain.txt" && echo same)" "same"

# after a restore the first maintenance run ties the user data tables to the extension again
q dump_dst -c "SELECT catalyst.create_monthly_partitions()" >/dev/null
q dump_dst -c "DROP EXTENSION catalyst" 2>"$work/drop.err"
check "DROP EXTENSION works in the restored database" "$?:$(cat "$work/drop.err")" "0:"
check "nothing of catalyst is left in it" "$(q dump_dst -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'catalyst'::regnamespace")" "0"

for db in dump_src dump_dst dump_plain; do dropdb --if-exists "$db"; done
