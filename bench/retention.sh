#!/usr/bin/env bash
# bench/retention.sh: partition maintenance and retention, side by side in one cluster.
#
#   1. Making 12 months of partitions ahead for scan_results and audit_log (from the 3 that exist
#      after install, so 9 new months x 2 tables):
#        catalyst   SELECT catalyst.create_monthly_partitions(12)
#        pg_partman SELECT partman.run_maintenance(), pg_partman 4.7 managing the seed's two
#                   partitioned tables (same columns and indexes) in database "partman", set to
#                   make the same 12 months ahead
#   2. Retiring one month of scan_results holding SMALL (1,000,000) and then LARGE (4,000,000) rows,
#      the same rows in both databases:
#        catalyst   SELECT catalyst.cleanup_old_data()                (detach + drop the month)
#        seed       SELECT cleanup_old_data(); VACUUM scan_results    (DELETE, then VACUUM)
#      with the WAL written, the database's and the month's size on disk before and after, and
#      what the filesystem alone takes to free that many bytes.  A month past its retention is
#      not being read any more: between loading and retiring it the server restarts and the
#      month's files leave the operating system's cache (CATALYST_BENCH_HOT=1: they stay, as just
#      loaded).
#
# Times are the server round trips psql reports (\timing), in milliseconds; creation is the best of
# CATALYST_BENCH_REPEAT (5) runs, each from the same starting point, after a checkpoint, the two
# taking turns to go first; a retirement happens once.
#   bench/retention.sh                        the full run
#   CATALYST_BENCH_SMALL_ROWS=100000 CATALYST_BENCH_LARGE_ROWS=400000 bench/retention.sh   quick
set -euo pipefail
export CATALYST_BENCH_PORT=${CATALYST_BENCH_PORT:-54343}
source "$(dirname "$0")/lib.sh"
small=${CATALYST_BENCH_SMALL_ROWS:-1000000}
large=${CATALYST_BENCH_LARGE_ROWS:-4000000}
repeat=${CATALYST_BENCH_REPEAT:-5}
hot=${CATALYST_BENCH_HOT:-0}

bench_start
export PGOPTIONS='-c client_min_messages=warning'

q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$@"; }
# stmt_ms DB SQL...: the summed server round trips of the statements, in ms
stmt_ms() {
	local db=$1
	shift
	local args=(-c '\timing on')
	for s in "$@"; do args+=(-c "$s"); done
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" "${args[@]}" |
		awk '/^Time: / { t += $2 } END { printf "%.1f", t }'
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }

############################################################################################
# 1. Creating 12 months ahead: catalyst against pg_partman
############################################################################################
createdb partman
pg_dump -s -t public.scan_results -t public.audit_log seed | psql -X -q -v ON_ERROR_STOP=1 -d partman >/dev/null
q partman >/dev/null <<'SQL'
CREATE SCHEMA partman;
CREATE EXTENSION pg_partman SCHEMA partman;
-- the current month and 3 ahead, like CREATE EXTENSION catalyst, and a DEFAULT partition
SELECT partman.create_parent('public.scan_results', 'scan_time', 'native', 'monthly', p_premake := 3,
                             p_start_partition := to_char(date_trunc('month', now()), 'YYYY-MM-DD'));
SELECT partman.create_parent('public.audit_log', 'created_at', 'native', 'monthly', p_premake := 3,
                             p_start_partition := to_char(date_trunc('month', now()), 'YYYY-MM-DD'));
-- pg_partman makes future partitions of empty tables only with infinite_time_partitions; it keeps
-- one month more than premake ahead, so premake 11 makes the same months as catalyst's 12
UPDATE partman.part_config SET premake = 11, infinite_time_partitions = true;
SQL

# drops the months 4 to 13 ahead, back to the state after install; $1: partition name infix
reset_sql() {
	cat <<SQL
DO \$\$
DECLARE t text; m int;
BEGIN
    FOREACH t IN ARRAY ARRAY['$2.scan_results', '$2.audit_log'] LOOP
        FOR m IN 4..13 LOOP
            EXECUTE format('DROP TABLE IF EXISTS %s', t || '$1'
                || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + m * interval '1 month', 'YYYY_MM'));
        END LOOP;
    END LOOP;
END
\$\$;
SQL
}
children() { q "$1" -c "SELECT count(*) FROM pg_inherits WHERE inhparent IN ('$2.scan_results'::regclass, '$2.audit_log'::regclass)"; }

best_catalyst=
best_partman=
time_catalyst() {
	q catalyst -c "CHECKPOINT"
	best_catalyst=$(min "$(stmt_ms catalyst "SELECT catalyst.create_monthly_partitions(12)")" "$best_catalyst")
}
time_partman() {
	q partman -c "CHECKPOINT"
	best_partman=$(min "$(stmt_ms partman "SELECT partman.run_maintenance()")" "$best_partman")
}
for rep in $(seq "$repeat"); do
	q catalyst -c "$(reset_sql _ catalyst)"
	q partman -c "$(reset_sql _p public)"
	before_c=$(children catalyst catalyst)
	before_p=$(children partman public)
	if [ $((rep % 2)) = 1 ]; then time_catalyst; time_partman; else time_partman; time_catalyst; fi
	made_c=$(( $(children catalyst catalyst) - before_c ))
	made_p=$(( $(children partman public) - before_p ))
done
echo "== making 12 months ahead for scan_results and audit_log (best of $repeat)"
echo "catalyst.create_monthly_partitions(12): $best_catalyst ms ($made_c partitions made)"
echo "pg_partman 4.7 run_maintenance():       $best_partman ms ($made_p partitions made)"
echo "pg_partman / catalyst: $(ratio "$best_partman" "$best_catalyst")x (at least 1.00 wanted)"
echo

############################################################################################
# 2. Retiring a month of scan_results
############################################################################################
# load DB TABLE MONTH ROWS: ROWS scans spread over the 28 first days of MONTH (YYYY-MM), into a
# partition of their own, in either database
load() {
	local db=$1 table=$2 month=$3 rows=$4
	local part=${table}_${month/-/_}
	q "$db" -c "CREATE TABLE $part PARTITION OF $table FOR VALUES FROM ('$month-01 00:00+00') TO ('$month-01 00:00+00'::timestamptz + interval '1 month')"
	q "$db" -c "
INSERT INTO $table (scan_id, cycle_id, symbol, scan_time, price, volume, change_percent, momentum_score,
                    catalyst_score, pattern_score, technical_score, catalysts, is_selected, selection_rank)
SELECT 'scan-' || g, 'bench-cycle', 'SYM' || (g % 500),
       '$month-01 00:00+00'::timestamptz + (g - 1) * (interval '28 days' / $rows),
       10 + (g % 1000) / 10.0, 1000 + g % 100000, (g % 2000) / 100.0 - 10,
       g % 101, (g * 7) % 101, (g * 13) % 101, (g * 17) % 101,
       (CASE g % 4 WHEN 0 THEN '[\"earnings\"]' WHEN 1 THEN '[\"news\", \"upgrade\"]' ELSE '[]' END)::jsonb,
       g % 50 = 0, CASE WHEN g % 50 = 0 THEN g % 10 END
FROM generate_series(1, $rows) g"
	q "$db" -c "VACUUM ANALYZE $part" -c "CHECKPOINT"
}
sizes() { q "$1" -c "SELECT pg_database_size(current_database()) || ' ' || coalesce(pg_total_relation_size(to_regclass('$2')), 0)"; }
wal_lsn() { q postgres -c "SELECT pg_current_wal_insert_lsn()"; }
wal_since() { q postgres -c "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$1')"; }
# fs_free_ms BYTES: what this filesystem itself takes to give BYTES back (truncating a file of that
# size, written around the page cache), next to the cluster's files
fs_free_ms() {
	local f=$bench_scratch/fs-free.bin t0 t1
	dd if=/dev/zero of="$f" bs=1M count=$(( $1 / 1048576 + 1 )) oflag=direct conv=fsync status=none
	t0=$(date +%s%N)
	truncate -s 0 "$f"
	t1=$(date +%s%N)
	rm -f "$f"
	awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", ns / 1e6 }'
}

# cold DB PARTITION...: the partitions' files (all forks and segments, indexes and TOAST too) leave
# the operating system's cache; run after a restart, which empties shared_buffers
cold() {
	local db=$1 rel f seg
	shift
	for rel in "$@"; do
		for f in $(q "$db" -c "
			SELECT current_setting('data_directory') || '/' || pg_relation_filepath(c.oid)
			FROM pg_class c
			WHERE c.oid = '$rel'::regclass OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = '$rel'::regclass)
			   OR c.oid IN (SELECT indexrelid FROM pg_index
			                WHERE indrelid IN ('$rel'::regclass, (SELECT reltoastrelid FROM pg_class WHERE oid = '$rel'::regclass)))"); do
			for seg in "$f" "$f".* "$f"_*; do
				if [ -f "$seg" ]; then dd if="$seg" iflag=nocache count=0 status=none; fi
			done
		done
	done
}
restart() {
	scripts/cluster.sh stop "$bench_scratch/cluster"
	scripts/cluster.sh start "$bench_scratch/cluster" "$CATALYST_BENCH_PORT" catalyst "$bench_scratch/install"
}

declare -A ms
retire() {
	local rows=$1 month=$2 label=$3
	load catalyst catalyst.scan_results "$month" "$rows"
	load seed scan_results "$month" "$rows"
	local part=scan_results_${month/-/_}
	if [ "$hot" != 1 ]; then
		restart
		cold catalyst "catalyst.$part"
		cold seed "$part"
	fi
	read -r cdb0 cpart0 <<<"$(sizes catalyst "catalyst.$part")"
	read -r sdb0 spart0 <<<"$(sizes seed "$part")"
	local lsn
	lsn=$(wal_lsn)
	ms[catalyst_$label]=$(stmt_ms catalyst "SELECT catalyst.cleanup_old_data()")
	local cwal
	cwal=$(wal_since "$lsn")
	lsn=$(wal_lsn)
	ms[seed_$label]=$(stmt_ms seed "SELECT cleanup_old_data()" "VACUUM scan_results")
	local swal
	swal=$(wal_since "$lsn")
	ms[fs_$label]=$(fs_free_ms "$cpart0")
	read -r cdb1 cpart1 <<<"$(sizes catalyst "catalyst.$part")"
	read -r sdb1 spart1 <<<"$(sizes seed "$part")"
	q catalyst -c "SELECT count(*) FROM catalyst.scan_results WHERE scan_time < '$month-01'::date + 31" | grep -qx 0
	q seed -c "SELECT count(*) FROM scan_results WHERE scan_time < '$month-01'::date + 31" | grep -qx 0
	echo "== retiring a month of scan_results holding $rows rows"
	echo "catalyst cleanup_old_data() (drop the partition):  ${ms[catalyst_$label]} ms, WAL $(mb "$cwal");" \
		"database $(mb "$cdb0") -> $(mb "$cdb1"), the month $(mb "$cpart0") -> $(mb "$cpart1")"
	echo "seed cleanup_old_data() + VACUUM (DELETE):        ${ms[seed_$label]} ms, WAL $(mb "$swal");" \
		"database $(mb "$sdb0") -> $(mb "$sdb1"), the month $(mb "$spart0") -> $(mb "$spart1")"
	echo "seed / catalyst: $(ratio "${ms[seed_$label]}" "${ms[catalyst_$label]}")x"
	echo "(this filesystem alone takes ${ms[fs_$label]} ms to free $(mb "$cpart0"): truncate of a file that size)"
	echo
	# the seed's emptied partition goes, so that the next month starts from the same state
	q seed -c "DROP TABLE $part"
}
retire "$small" 2020-01 small
retire "$large" 2020-02 large

echo "== summary ($([ "$hot" = 1 ] && echo "months retired as just loaded, in the caches" || echo "months retired cold, out of the caches"))"
echo "making 12 months ahead: pg_partman / catalyst = $(ratio "$best_partman" "$best_catalyst")x ($best_partman ms / $best_catalyst ms; at least 1.00 wanted)"
echo "retiring $large vs $small rows, catalyst: $(ratio "${ms[catalyst_large]}" "${ms[catalyst_small]}")x (${ms[catalyst_large]} ms / ${ms[catalyst_small]} ms; at most 1.50 wanted)"
c_small=$(awk -v a="${ms[catalyst_small]}" -v b="${ms[fs_small]}" 'BEGIN { printf "%.1f", a - b }')
c_large=$(awk -v a="${ms[catalyst_large]}" -v b="${ms[fs_large]}" 'BEGIN { printf "%.1f", a - b }')
echo "  the same without the filesystem's own freeing time: $(ratio "$c_large" "$c_small")x ($c_large ms / $c_small ms)"
echo "retiring $small rows, seed DELETE + VACUUM / catalyst: $(ratio "${ms[seed_small]}" "${ms[catalyst_small]}")x (${ms[seed_small]} ms / ${ms[catalyst_small]} ms; at least 10 wanted)"
echo "retiring $large rows, seed DELETE + VACUUM / catalyst: $(ratio "${ms[seed_large]}" "${ms[catalyst_large]}")x (${ms[seed_large]} ms / ${ms[catalyst_large]} ms)"
