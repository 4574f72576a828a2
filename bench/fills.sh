#!/usr/bin/env bash
# bench/fills.sh: recording broker fills (issue 11, "Speed").
#
# ORDERS submitted orders of 100 shares (default 2,500) each get 4 fills of 25: FILLS = 4 x ORDERS
# fills (10,000), one transaction each (psql in autocommit running a generated file), fsync on.
# Timed side by side in one run:
#   limit      a plain INSERT into an unindexed copy of fills (no constraint, index or trigger)
#              plus the UPDATE of the order done by hand, in one transaction per fill
#   record     catalyst.record_fill() per fill: one statement, the order maintained (idempotency
#              check, order lock, order UPDATE, its life-cycle event, audit)
#   resend     the same FILLS fills sent again: all duplicates, nothing written
# and with pgbench, CATALYST_FILLS_CLIENTS sessions (default 8) for CATALYST_FILLS_SECONDS each
# (default 20), every session filling orders of its own, 1 share per fill:
#   limit x8   the limit's transaction
#   record x8  record_fill()
# Targets: record / limit <= 1.5; record x8 / limit x8 (transactions per second) >= 0.5;
# resend / record <= 1.2.  Each figure is the best of CATALYST_BENCH_REPEAT runs (default 2) on
# freshly loaded databases (the pgbench runs alternate limit and record).
#
#   bench/fills.sh
#   CATALYST_FILLS_ORDERS=500 CATALYST_FILLS_SECONDS=5 bench/fills.sh     (a quick look)
set -euo pipefail
shopt -s inherit_errexit
export CATALYST_BENCH_PORT=${CATALYST_BENCH_PORT:-54650}
source "$(dirname "$0")/lib.sh"

orders=${CATALYST_FILLS_ORDERS:-2500}
fills=$((4 * orders))
clients=${CATALYST_FILLS_CLIENTS:-8}
seconds=${CATALYST_FILLS_SECONDS:-20}
repeat=${CATALYST_BENCH_REPEAT:-2}
export PGTZ=UTC

bench_start
work=$bench_scratch/fills
mkdir -p "$work"

# fresh DB QUANTITY: a new database with catalyst, $orders submitted orders o-1.. of QUANTITY
# shares, and fills_copy, fills' columns without its constraints, indexes and triggers
fresh() {
	dropdb --if-exists "$1"
	createdb "$1"
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v n="$orders" -v qty="$2" <<'SQL'
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('bench', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, submitted_at)
SELECT 'o-' || i, 'bench', 'S' || i % 50, 'buy', 'limit', :qty, 'submitted', '2026-03-02 14:00+00'
FROM generate_series(1, :n) i;
CREATE TABLE catalyst.fills_copy (LIKE catalyst.fills INCLUDING DEFAULTS);
VACUUM ANALYZE;
CHECKPOINT;
SQL
}

# the fills, in the order a broker reports them: round k fills 25 shares of every order
awk -v n="$orders" 'BEGIN {
	for (k = 1; k <= 4; k++)
		for (i = 1; i <= n; i++)
			printf "SELECT catalyst.record_fill('\''o-%d'\'', '\''F-%d-%d'\'', 25, %d.%02d, 0.25, timestamptz '\''2026-03-02 15:00+00'\'' + interval '\''%d seconds'\'');\n", i, i, k, 100 + k, i % 100, k * n + i
}' >"$work/record.sql"
awk -v n="$orders" 'BEGIN {
	for (k = 1; k <= 4; k++)
		for (i = 1; i <= n; i++) {
			price = sprintf("%d.%02d", 100 + k, i % 100)
			ts = sprintf("timestamptz '\''2026-03-02 15:00+00'\'' + interval '\''%d seconds'\''", k * n + i)
			print "BEGIN;"
			printf "INSERT INTO catalyst.fills_copy (order_id, cycle_id, broker_fill_id, quantity, price, commission, filled_at, created_at) VALUES ('\''o-%d'\'', '\''bench'\'', '\''F-%d-%d'\'', 25, %s, 0.25, %s, now());\n", i, i, k, price, ts
			printf "UPDATE catalyst.orders SET executed_quantity = COALESCE(executed_quantity, 0) + 25, executed_value = COALESCE(executed_value, 0) + 25 * %s, executed_price = round((COALESCE(executed_value, 0) + 25 * %s) / (COALESCE(executed_quantity, 0) + 25), 2), commission = COALESCE(commission, 0) + 0.25, filled_at = GREATEST(filled_at, %s), status = CASE WHEN COALESCE(executed_quantity, 0) + 25 >= quantity THEN '\''filled'\'' ELSE '\''partial'\'' END WHERE order_id = '\''o-%d'\'';\n", price, price, ts, i
			print "COMMIT;"
		}
}' >"$work/limit.sql"

# run DB FILE: milliseconds psql takes to run FILE
run() {
	local t0 t1
	t0=$(date +%s%N)
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# min A B: the smaller, A when B is empty
min() { if [ -z "$2" ] || [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

echo "recording $fills fills ($orders orders of 100 shares, 4 fills of 25 each), one per transaction, fsync on"
# alternated, best of $repeat each on fresh databases, so that a burst of other load on the
# machine hits both alike; the re-send runs on the database the record run left
limit_ms=
record_ms=
resend_ms=
for _ in $(seq "$repeat"); do
	fresh fills_db 100
	limit_ms=$(min "$(run fills_db "$work/limit.sql")" "$limit_ms")
	fresh fills_db 100
	record_ms=$(min "$(run fills_db "$work/record.sql")" "$record_ms")
	resend_ms=$(min "$(run fills_db "$work/record.sql")" "$resend_ms")
done
state=$(psql -X -At -d fills_db -c "SELECT count(*) || ' fills, ' || (SELECT count(*) FROM catalyst.orders WHERE status = 'filled' AND executed_quantity = 100) || ' orders filled, ' || (SELECT count(*) FROM catalyst.order_events WHERE to_status IN ('partial', 'filled')) || ' fill transitions' FROM catalyst.fills")

# pgbench: each session fills orders of its own (client_id picks a slice of 1,000), 1 share each
pgbench_orders=$((clients * 1000))
cat >"$work/record.pgbench" <<'PGB'
\set o :client_id * 1000 + random(1, 1000)
\set f random(1, 2000000000)
SELECT catalyst.record_fill('o-' || :o, 'P-' || :client_id || '-' || :f, 1, 100.25, 0.01, now());
PGB
cat >"$work/limit.pgbench" <<'PGB'
\set o :client_id * 1000 + random(1, 1000)
\set f random(1, 2000000000)
BEGIN;
INSERT INTO catalyst.fills_copy (order_id, cycle_id, broker_fill_id, quantity, price, commission, filled_at, created_at) VALUES ('o-' || :o, 'bench', 'P-' || :client_id || '-' || :f, 1, 100.25, 0.01, now(), now());
UPDATE catalyst.orders SET executed_quantity = COALESCE(executed_quantity, 0) + 1, executed_value = COALESCE(executed_value, 0) + 100.25, executed_price = round((COALESCE(executed_value, 0) + 100.25) / (COALESCE(executed_quantity, 0) + 1), 2), commission = COALESCE(commission, 0) + 0.01, filled_at = GREATEST(filled_at, now()), status = 'partial' WHERE order_id = 'o-' || :o;
COMMIT;
PGB
tps() {
	local saved=$orders
	orders=$pgbench_orders
	fresh fills_pgbench 100000000
	orders=$saved
	pgbench -n -c "$clients" -j "$clients" -T "$seconds" -f "$1" fills_pgbench 2>&1 |
		awk '/^tps = / { printf "%.0f", $3 }'
}
# alternated, best of $repeat each, so that a burst of other load on the machine hits both alike
limit_tps=0
record_tps=0
for _ in $(seq "$repeat"); do
	t=$(tps "$work/limit.pgbench")
	if [ "$t" -gt "$limit_tps" ]; then limit_tps=$t; fi
	t=$(tps "$work/record.pgbench")
	if [ "$t" -gt "$record_tps" ]; then record_tps=$t; fi
done
fills_pgbench=$(psql -X -At -d fills_pgbench -c "SELECT count(*) || ' fills, ' || count(DISTINCT order_id) || ' orders' FROM catalyst.fills")

printf '%-52s %9s\n' "" "ms"
printf '%-52s %9d\n' "limit (INSERT into unindexed copy + order UPDATE)" "$limit_ms"
printf '%-52s %9d   record / limit = %s (target <= 1.5)\n' "record_fill()" "$record_ms" "$(ratio "$record_ms" "$limit_ms")"
printf '%-52s %9d   resend / record = %s (target <= 1.2)\n' "the same $fills fills again (all duplicates)" "$resend_ms" "$(ratio "$resend_ms" "$record_ms")"
echo "after the runs: $state"
printf '%-52s %9s\n' "$clients sessions, ${seconds} s each" "tps"
printf '%-52s %9d\n' "limit x$clients" "$limit_tps"
printf '%-52s %9d   record / limit = %s (target >= 0.5)\n' "record_fill() x$clients" "$record_tps" "$(ratio "$record_tps" "$limit_tps")"
echo "record_fill() x$clients left $fills_pgbench"
