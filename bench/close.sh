#!/usr/bin/env bash
# bench/close.sh: closing positions one UPDATE per transaction (issue 3, "Speed").
#
# N open positions of one cycle (default 8,000) are loaded identically into the seed's design
# (database seed, bench/seed-baseline.sql) and into catalyst, then closed one UPDATE each, each
# its own transaction (psql in autocommit running a generated file), in closed_at order, all on
# one trading day.  Timed side by side, fsync on:
#   seed      the seed's BEFORE trigger, which recomputes the whole day in PL/pgSQL on every close
#   catalyst  the C close triggers: incremental metrics, audit event
#   limit     catalyst with every trigger of positions disabled (close, metrics, row audit,
#             updated_at): the UPDATEs and their commits alone
#   4N        catalyst closing 4N positions: linear means about 4x the time of N
# Each catalyst figure is the best of CATALYST_BENCH_REPEAT runs (default 2) on freshly loaded
# databases; the seed runs once (about a minute at 8,000).
#
#   bench/close.sh                     N = 8000
#   CATALYST_CLOSE_N=2000 bench/close.sh
#   CATALYST_CLOSE_SEED=off bench/close.sh   catalyst, limit and 4N only (the seed takes minutes)
set -euo pipefail
shopt -s inherit_errexit
export CATALYST_BENCH_PORT=${CATALYST_BENCH_PORT:-54342}
source "$(dirname "$0")/lib.sh"

n=${CATALYST_CLOSE_N:-8000}
repeat=${CATALYST_BENCH_REPEAT:-2}
# the seed files a trade under DATE(closed_at) in the session's TimeZone: one zone for everyone
export PGTZ=UTC

bench_start
work=$bench_scratch/close
mkdir -p "$work"

# load DB SCHEMA COUNT: one cycle, an entry and an exit order per position (commission 1.00 each),
# COUNT open positions, half long and half short, ids 1..COUNT
load() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v schema="$2" -v n="$3" <<'SQL'
SET search_path = :schema;
INSERT INTO trading_cycles (cycle_id, mode, scan_frequency) VALUES ('bench', 'normal', 300);
INSERT INTO orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, commission,
                    executed_price, executed_quantity)
SELECT d || '-' || i, 'bench', 'S' || i % 50, CASE WHEN (i % 2 = 0) = (d = 'in') THEN 'buy' ELSE 'sell' END,
       'market', 100, 'filled', 1.00, 100.00, 100
FROM generate_series(1, :n) i, unnest(ARRAY['in', 'out']) d;
INSERT INTO positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss, opened_at)
SELECT 'bench', 'S' || i % 50, CASE WHEN i % 2 = 0 THEN 'long' ELSE 'short' END, 100, 'in-' || i,
       100.00, 95.00, '2026-03-02 08:00+00'
FROM generate_series(1, :n) i ORDER BY i;
VACUUM ANALYZE;
CHECKPOINT;
SQL
}

# closes SCHEMA COUNT FILE: one UPDATE per position, one second apart from 09:00 UTC, in closed_at
# order, exit prices 90.00 to 110.00
closes() {
	awk -v schema="$1" -v n="$2" 'BEGIN {
		printf "SET search_path = %s;\n", schema
		for (i = 1; i <= n; i++)
			printf "UPDATE positions SET status = '\''closed'\'', exit_price = %d.00, exit_order_id = '\''out-%d'\'', closed_at = timestamptz '\''2026-03-02 09:00+00'\'' + interval '\''%d seconds'\'', close_reason = '\''bench'\'' WHERE position_id = %d;\n", 90 + (i * 37) % 21, i, i, i
	}' >"$3"
}

# fresh DB SCHEMA COUNT: a new database loaded with COUNT open positions
fresh() {
	dropdb --if-exists "$1"
	createdb "$1"
	if [ "$2" = catalyst ]; then psql -X -q -d "$1" -c "CREATE EXTENSION catalyst" >/dev/null; fi
	load "$1" "$2" "$3"
}

# run DB FILE: milliseconds psql takes to run FILE (autocommit: one transaction per statement)
run() {
	local t0 t1
	t0=$(date +%s%N)
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# best DB COUNT FILE [limit]: best of $repeat runs of catalyst on fresh data (in databases of their
# own: pg_cron holds a connection to the database named catalyst)
best() {
	local db=$1 count=$2 file=$3 limit=${4:-} ms best=
	for _ in $(seq "$repeat"); do
		fresh "$db" catalyst "$count"
		if [ -n "$limit" ]; then
			psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "ALTER TABLE catalyst.positions DISABLE TRIGGER USER"
		fi
		ms=$(run "$db" "$file")
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}

closes public "$n" "$work/seed.sql"
closes catalyst "$n" "$work/catalyst.sql"
closes catalyst $((4 * n)) "$work/catalyst4.sql"

echo "closing $n positions of one cycle and day, one UPDATE per transaction, fsync on"
seed_ms=0
if [ "${CATALYST_CLOSE_SEED:-on}" != off ]; then
	load seed public "$n"
	seed_ms=$(run seed "$work/seed.sql")
fi
catalyst_ms=$(best catalyst_n "$n" "$work/catalyst.sql")
limit_ms=$(best catalyst_limit "$n" "$work/catalyst.sql" limit)
big_ms=$(best catalyst_4x $((4 * n)) "$work/catalyst4.sql")

# the catalyst runs left every trade in the metrics, exactly as the full recompute has it
check() {
	psql -X -At -d "$1" <<'SQL'
CREATE TEMP TABLE kept AS SELECT to_jsonb(m) - 'metric_id' - 'created_at' - 'updated_at' AS r
FROM catalyst.performance_metrics m;
SELECT catalyst.update_performance_metrics('bench', '2026-03-02');
SELECT m.total_trades || ' trades, '
       || CASE WHEN EXISTS (SELECT to_jsonb(m2) - 'metric_id' - 'created_at' - 'updated_at'
                            FROM catalyst.performance_metrics m2 EXCEPT SELECT r FROM kept)
          THEN 'DIFFERENT from' ELSE 'equal to' END || ' the full recompute'
FROM catalyst.performance_metrics m;
SQL
}

printf '%-48s %9s\n' "" "ms"
printf '%-48s %9d\n' "seed (PL/pgSQL trigger, day recomputed per close)" "$seed_ms"
printf '%-48s %9d   seed / catalyst = %s (target >= 20)\n' "catalyst" "$catalyst_ms" "$(ratio "$seed_ms" "$catalyst_ms")"
printf '%-48s %9d   catalyst / limit = %s (target <= 2)\n' "limit (catalyst, triggers of positions disabled)" "$limit_ms" "$(ratio "$catalyst_ms" "$limit_ms")"
printf '%-48s %9d   time(4N) / time(N) = %s (target <= 4.5)\n' "catalyst, $((4 * n)) positions" "$big_ms" "$(ratio "$big_ms" "$catalyst_ms")"
echo "catalyst, $n positions: $(check catalyst_n | tail -1)"
echo "limit, $n positions: $(psql -X -At -d catalyst_limit -c "SELECT count(*) FROM catalyst.performance_metrics") metrics rows, $(psql -X -At -d catalyst_limit -c "SELECT count(*) FROM catalyst.audit_log WHERE entity_type = 'positions' AND event_type <> 'INSERT'") audit events of the closes (the triggers were off)"
echo "catalyst, $((4 * n)) positions: $(check catalyst_4x | tail -1)"
