#!/usr/bin/env bash
# Maintenance across the nodes and databases of a cluster:
#   - the statements that schedule_maintenance()'s HINT gives, run in pg_cron's database, really
#     schedule the jobs for the other database, and again do not duplicate them;
#   - on a hot standby (a pg_basebackup replica of the test cluster) both maintenance functions
#     do nothing, and say so;
#   - on a server without pg_cron in shared_preload_libraries (cron.database_name only written in
#     postgresql.conf) CREATE EXTENSION works and scheduling is a clear error with a HINT.
# Runs against the cluster of scripts/test.sh (PGHOST, PGPORT, PGUSER).
set -uo pipefail
cd "$(dirname "$0")/../.."

source test/include/tap.sh
# (from /: the checkout may be somewhere the postgres user cannot enter; every path is absolute)
as_server_user() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

echo "1..13"
work=$(mktemp -d /tmp/catalyst-t002.XXXXXX)
chmod 755 "$work"
[ "$(id -u)" = 0 ] && chown postgres: "$work"
standby=$work/standby
nocron=$work/nocron
cleanup() {
	[ -f "$standby/postmaster.pid" ] && as_server_user pg_ctl -D "$standby" -m immediate -w stop >/dev/null
	scripts/cluster.sh stop "$nocron" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

cron_db=$(q postgres -c "SHOW cron.database_name") || bail "the test cluster has no pg_cron"
dropdb --if-exists maint_other
createdb maint_other && q maint_other -c "CREATE EXTENSION catalyst" >/dev/null || bail "CREATE EXTENSION failed"

# 1. The HINT's statements, run where pg_cron lives
q postgres -c "SELECT 1 FROM pg_database WHERE datname = '$cron_db'" | grep -q 1 || createdb "$cron_db"
made_cron=$(q "$cron_db" -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")
[ "$made_cron" = 0 ] && q "$cron_db" -c "CREATE EXTENSION pg_cron"
hint_statements() {
	psql -X -q -v SHOW_CONTEXT=never -d maint_other -c "SELECT catalyst.$1()" 2>&1 | grep '^SELECT cron\.'
}
schedule=$(hint_statements schedule_maintenance)
check "the HINT of schedule_maintenance() has the three statements of maintenance_jobs()" \
	"$(grep -c '^SELECT cron.schedule_in_database(' <<<"$schedule"):$schedule" \
	"3:$(q maint_other -c "SELECT statement FROM catalyst.maintenance_jobs()")"
q "$cron_db" -c "$schedule" >/dev/null
q "$cron_db" -c "$schedule" >/dev/null
check "run twice in pg_cron's database, they schedule the three jobs once, to run in the other database" \
	"$(q "$cron_db" -c "SELECT string_agg(jobname || ' ' || schedule || ' ' || database, ', ' ORDER BY jobid)
	                    FROM cron.job WHERE jobname LIKE 'catalyst-%@maint_other'")" \
	"catalyst-partitions@maint_other 0 1 * * * maint_other, catalyst-cleanup@maint_other 0 2 * * * maint_other, catalyst-risk-refresh@maint_other * * * * * maint_other"
q "$cron_db" -c "$(hint_statements unschedule_maintenance)" >/dev/null
check "the statements of unschedule_maintenance()'s HINT remove them" \
	"$(q "$cron_db" -c "SELECT count(*) FROM cron.job WHERE jobname LIKE 'catalyst-%@maint_other'")" "0"
[ "$made_cron" = 0 ] && q "$cron_db" -c "DROP EXTENSION pg_cron"

# 2. A hot standby: a base backup of the test cluster, streaming from it
as_server_user pg_basebackup -D "$standby" -R -X stream -c fast -h "$PGHOST" -p "$PGPORT" -U postgres \
	|| bail "pg_basebackup failed"
standby_port=$((PGPORT + 1))
as_server_user pg_ctl -D "$standby" -l "$work/standby.log" -w \
	-o "-p $standby_port -k $work -c listen_addresses=''" start >/dev/null || { cat "$work/standby.log"; bail "the standby did not start"; }
sq() { psql -X -q -At -h "$work" -p "$standby_port" -d maint_other "$@"; }
check "the replica is a hot standby" "$(sq -c "SELECT pg_is_in_recovery()")" "t"
out=$(sq -c "SELECT coalesce(catalyst.create_monthly_partitions()::text, 'NULL')" 2>&1)
check "create_monthly_partitions() on the standby returns NULL" "$(tail -n 1 <<<"$out")" "NULL"
contains "and says why in a NOTICE" "$out" "create_monthly_partitions() did nothing: the server is a hot standby"
check "cleanup_old_data() on the standby is skipped, saying why" \
	"$(sq -c "SELECT r->>'outcome' || ': ' || (r->>'reason') FROM catalyst.cleanup_old_data() r" 2>/dev/null)" \
	"skipped: the server is a hot standby"
as_server_user pg_ctl -D "$standby" -m fast -w stop >/dev/null

# 3. A server without pg_cron loaded, cron.database_name written in its postgresql.conf anyway
destdir=$(q postgres -c "SHOW extension_destdir")
nocron_port=$((PGPORT + 2))
CATALYST_PGCONF="shared_preload_libraries = ''" scripts/cluster.sh start "$nocron" "$nocron_port" postgres "$destdir" \
	|| bail "the cluster without pg_cron did not start"
nq() { psql -X -q -h "$nocron" -p "$nocron_port" -d postgres "$@"; }
check "pg_cron is not loaded there" "$(nq -At -c "SHOW shared_preload_libraries")" ""
nq -c "CREATE EXTENSION catalyst" 2>"$work/create.err"
check "CREATE EXTENSION catalyst works without pg_cron" "$?:$(cat "$work/create.err")" "0:"
out=$(nq -v SHOW_CONTEXT=never -c "SELECT catalyst.schedule_maintenance()" 2>&1)
contains "schedule_maintenance() is a clear error" "$out" "ERROR:  pg_cron is not loaded in this server"
contains "whose HINT says how to enable pg_cron" "$out" \
	"HINT:  Add pg_cron to shared_preload_libraries and set cron.database_name = 'postgres' in postgresql.conf, restart the server, run CREATE EXTENSION pg_cron in that database"
check "maintenance_jobs() still gives the jobs" "$(nq -At -c "SELECT count(*) FROM catalyst.maintenance_jobs()")" "3"
check "cleanup_old_data() runs without pg_cron" \
	"$(nq -At -c "SELECT r->>'outcome' || ' ' || (r->'cron_history'->'deleted') FROM catalyst.cleanup_old_data() r")" "done null"

dropdb --if-exists maint_other
