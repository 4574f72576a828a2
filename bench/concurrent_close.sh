#!/usr/bin/env bash
# bench/concurrent_close.sh: many sessions closing positions at once, late closes on a big day,
# and performance() over a year (issue 8, "Speed").  One throwaway cluster, fsync on.
#
#   concurrent  pgbench, C sessions (8, then 16), each transaction closes one random open
#               position of one cycle (or of one of 16 cycles) with closed_at = now(), in three
#               8-s windows; the same against catalyst with every trigger of positions disabled
#               (the limit), its windows taking turns with catalyst's (limit, catalyst, limit,
#               ...), so that a machine whose speed drifts weighs on both alike; then the
#               metrics against the full recompute
#   late        a day of 100,000 trades, then 400 closes one transaction each dated an hour
#               before the last folded one, against 400 in-order closes
#   range       performance() over 365 days of 1,000 trades each, against one day's read
#
#   bench/concurrent_close.sh                          everything
#   CATALYST_CONCURRENT_PARTS="concurrent" bench/concurrent_close.sh
#   CATALYST_CONCURRENT_RUNS="16,16" ...                  only 16 sessions over 16 cycles
#   CATALYST_FOLD_BATCH=1 ...                            every session folds each close at once
set -euo pipefail
shopt -s inherit_errexit
export CATALYST_BENCH_PORT=${CATALYST_BENCH_PORT:-54343}
source "$(dirname "$0")/lib.sh"

parts=${CATALYST_CONCURRENT_PARTS:-"concurrent late range"}
seconds=${CATALYST_CONCURRENT_SECONDS:-24}
positions=${CATALYST_CONCURRENT_POSITIONS:-200000}
# "sessions cycles" pairs of the concurrent part
runs=${CATALYST_CONCURRENT_RUNS:-"8,1 16,1 16,16"}
export PGTZ=UTC
if [ -n "${CATALYST_FOLD_BATCH:-}" ]; then export PGOPTIONS="-c catalyst.fold_batch=$CATALYST_FOLD_BATCH"; fi

bench_start
work=$bench_scratch/concurrent
mkdir -p "$work"

# fresh DB CYCLES COUNT: COUNT open positions spread over CYCLES cycles (bench-1 ..), ids 1..COUNT
fresh() {
	dropdb --if-exists "$1"
	createdb "$1"
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v cycles="$2" -v n="$3" -f bench/concurrent/open_positions.sql >/dev/null
}

# the metrics of every day equal the full recompute (and say how many closes were pending)
check() {
	psql -X -At -d "$1" -f bench/concurrent/recompute_check.sql
}

# window DB CLIENTS CYCLES: closes per second of one 8-s pgbench run
window() {
	pgbench -n -M prepared -c "$2" -j 2 -T 8 -D cycles="$3" -D positions="$positions" \
		-f bench/concurrent/close.pgbench "$1" 2>&1 | awk '/^tps = / { printf "%.1f", $3 }'
}

if [[ " $parts " == *" concurrent "* ]]; then
	echo "== concurrent closes: pgbench, one transaction per close, closed_at = now(), fsync on, $((seconds / 8)) 8-s windows each, the limit's and catalyst's taking turns"
	printf '%-34s %-30s %-30s %s\n' "sessions, cycles" "limit tps (8-s windows)" "catalyst tps (8-s windows)" "catalyst/limit, 3rd/1st window"
	for run in $runs; do
		set -- ${run/,/ }
		fresh bench_limit "$2" "$positions"
		psql -X -q -d bench_limit -c "ALTER TABLE catalyst.positions DISABLE TRIGGER USER"
		fresh bench_cat "$2" "$positions"
		limit=""
		cat_tps=""
		for ((w = 0; w < seconds / 8; w++)); do
			limit="$limit $(window bench_limit "$1" "$2")"
			cat_tps="$cat_tps $(window bench_cat "$1" "$2")"
		done
		summary=$(awk -v l="$limit" -v c="$cat_tps" 'BEGIN {
			nl = split(l, a, " "); nc = split(c, b, " "); sl = 0; sc = 0
			for (i = 1; i <= nl; i++) sl += a[i]; for (i = 1; i <= nc; i++) sc += b[i]
			printf "%.2f, %.2f", (sc / nc) / (sl / nl), (nc >= 3 ? b[3] / b[1] : 0) }')
		printf '%-34s %-30s %-30s %s\n' "$1 sessions, $2 cycle(s)" "$limit" "$cat_tps" "$summary"
		echo "   catalyst: $(check bench_cat | tail -1)"
	done
fi

if [[ " $parts " == *" late "* ]]; then
	echo "== a close dated an hour before the last folded one, on a day of 100,000 trades (one transaction each)"
	dropdb --if-exists bench_late
	createdb bench_late
	psql -X -q -v ON_ERROR_STOP=1 -d bench_late <<'SQL' >/dev/null
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('day', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('in', 'day', 'S', 'buy', 'market', 1, 1.00);
-- 100,000 trades between 00:00 and 20:00 UTC on 2026-03-02, folded in one statement
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
SELECT 'day', 'S', 'long', 10, 'in', 100.00, '2026-03-02 00:00+00', 'closed', 90 + (i * 37) % 21,
       timestamptz '2026-03-02 00:00+00' + i * interval '720 ms'
FROM generate_series(1, 100000) i;
-- 1,200 open positions to close
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
SELECT 'day', 'S', 'long', 10, 'in', 100.00, '2026-03-02 00:00+00' FROM generate_series(1, 1200);
VACUUM ANALYZE;
CHECKPOINT;
SQL
	first=$(psql -X -At -d bench_late -c "SELECT min(position_id) FROM catalyst.positions WHERE status = 'open'")
	# in order: after the day's last trade (20:00), one second apart; late: an hour before the
	# last folded one (19:06:40), 7 ms apart, so all in one minute; spread: an hour and more
	# before it, each in a minute of its own (a batch folds as many minutes as closes)
	closes() { # FILE FIRST-POSITION AWK-EXPRESSION-OF-i-FOR-closed_at
		awk -v f="$2" 'BEGIN { for (i = 0; i < 400; i++)
			printf "UPDATE catalyst.positions SET status = '\''closed'\'', exit_price = %d, closed_at = %s WHERE position_id = %d;\n", 90 + i % 21, '"$3"', f + i }' >"$1"
	}
	closes "$work/inorder.sql" "$first" 'sprintf("timestamptz '\''2026-03-02 20:00+00'\'' + interval '\''%d s'\''", i + 1)'
	closes "$work/late.sql" $((first + 400)) 'sprintf("timestamptz '\''2026-03-02 18:06:40+00'\'' + interval '\''%d ms'\''", 7 * i)'
	closes "$work/spread.sql" $((first + 800)) 'sprintf("timestamptz '\''2026-03-02 18:06:40+00'\'' - interval '\''%d s'\''", 61 * i)'
	timed() { # FILE: milliseconds psql takes to run it
		local t0 t1
		t0=$(date +%s%N); psql -X -q -v ON_ERROR_STOP=1 -d bench_late -f "$1" >/dev/null; t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000000))
	}
	inorder=$(timed "$work/inorder.sql")
	late=$(timed "$work/late.sql")
	spread=$(timed "$work/spread.sql")
	printf '400 in-order closes %d ms, 400 closes an hour back %d ms: late / in order = %s (target <= 2)\n' \
		"$inorder" "$late" "$(ratio "$late" "$inorder")"
	printf '400 closes an hour and more back, each in a minute of its own %d ms: / in order = %s\n' \
		"$spread" "$(ratio "$spread" "$inorder")"
	echo "   $(check bench_late | tail -1)"
fi

if [[ " $parts " == *" range "* ]]; then
	echo "== performance() over 365 days of 1,000 trades each"
	dropdb --if-exists bench_range
	createdb bench_range
	psql -X -q -v ON_ERROR_STOP=1 -d bench_range <<'SQL' >/dev/null
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('year', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('in', 'year', 'S', 'buy', 'market', 1, 1.00);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at,
                                status, exit_price, closed_at)
SELECT 'year', 'S', CASE WHEN i % 3 = 0 THEN 'short' ELSE 'long' END, 10, 'in', 100.00,
       timestamptz '2025-01-01 13:00+00' + d * interval '1 day',
       'closed', 90 + (i * 37 + d) % 21,
       timestamptz '2025-01-01 14:00+00' + d * interval '1 day' + i * interval '20 s'
FROM generate_series(0, 364) d, generate_series(1, 1000) i;
VACUUM ANALYZE;
SQL
	ms() {   # best of 5 runs in one session (after a first that prepares the plans), in ms
		printf '\\timing on\n%s;\n%s;\n%s;\n%s;\n%s;\n%s;\n' "$1" "$1" "$1" "$1" "$1" "$1" |
			psql -X -q -d bench_range -o /dev/null 2>&1 | awk '/^Time:/ { n++; if (n > 1) print $2 }' | sort -n | head -1
	}
	year=$(ms "SELECT * FROM catalyst.performance('year', '2025-01-01', '2025-12-31')")
	day=$(ms "SELECT * FROM catalyst.performance('year', '2025-06-01', '2025-06-01')")
	row=$(ms "SELECT * FROM catalyst.performance_metrics WHERE cycle_id = 'year' AND metric_date = '2025-06-01'")
	printf 'performance() over 365 days: %s ms (target <= 20); one day: %s ms (365 days / 1 day = %s); one performance_metrics row: %s ms\n' \
		"$year" "$day" "$(ratio "$year" "$day")" "$row"
	psql -X -At -d bench_range -c "SELECT 'check: ' || total_trades || ' trades, max_drawdown ' || max_drawdown || ', sharpe ' || sharpe_ratio FROM catalyst.performance('year')"
	psql -X -At -d bench_range <<'SQL'
WITH t AS (SELECT realized_pnl AS pnl, pnl_percent AS r, closed_at, position_id FROM catalyst.positions WHERE cycle_id = 'year'),
c AS (SELECT closed_at, position_id, sum(pnl) OVER w AS cum FROM t WINDOW w AS (ORDER BY closed_at, position_id)),
p AS (SELECT cum, greatest(max(cum) OVER w, 0) AS peak FROM c WINDOW w AS (ORDER BY closed_at, position_id))
SELECT 'check: ' || (SELECT count(*) FROM t) || ' trades, max_drawdown ' || (SELECT max(peak - cum) FROM p)
       || ', sharpe ' || (SELECT round(avg(r) / stddev_samp(r), 2) FROM t) || ' (window functions over the trades)';
SQL
fi
