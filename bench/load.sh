#!/usr/bin/env bash
# bench/load.sh: a trading day under load for minutes, with maintenance running (issue 10).
#
# pgbench, CATALYST_LOAD_CLIENTS sessions (16) for CATALYST_LOAD_SECONDS (600), fsync on, runs a
# mix of the statements a trading engine sends (bench/load/*.sql, one statement type each):
#   order_fill  an order submitted, then filled by record_fill()         weight 3
#   open        a position opened on a filled entry order              weight 2
#   close       the session's oldest open position closed              weight 2
#   scan        a scan result inserted                                 weight 4
#   pnl         unrealized P&L of an open position updated             weight 4
#   risk        refresh_position_risk() of the cycle                   weight 1
#   view        v_active_trading read                                  weight 2
# while create_monthly_partitions() and cleanup_old_data() run every CATALYST_LOAD_MAINT_EVERY
# seconds (60) in another session.  It reports transactions per second and latency percentiles
# for each statement type (from pgbench's per-transaction log), every lock wait longer than
# 100 ms (log_lock_waits with deadlock_timeout = 100ms) and whether a maintenance run held the
# lock, the errors, and whether performance_metrics equals its recompute at the end.
#
#   bench/load.sh                                    the full 10 minutes
#   CATALYST_LOAD_SECONDS=60 bench/load.sh           a short run
set -euo pipefail
shopt -s inherit_errexit
export CATALYST_BENCH_PORT=${CATALYST_BENCH_PORT:-54343}
source "$(dirname "$0")/lib.sh"

seconds=${CATALYST_LOAD_SECONDS:-600}
clients=${CATALYST_LOAD_CLIENTS:-16}
every=${CATALYST_LOAD_MAINT_EVERY:-60}

bench_start
work=$bench_scratch/load
mkdir -p "$work"
chmod 777 "$work"
psql -X -q -d postgres -c "ALTER SYSTEM SET log_lock_waits = on" \
	-c "ALTER SYSTEM SET deadlock_timeout = '100ms'" \
	-c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %a '" -c "SELECT pg_reload_conf()" >/dev/null

psql -X -q -v ON_ERROR_STOP=1 -d catalyst <<'SQL'
CREATE SEQUENCE public.load_ids;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, started_at)
VALUES ('load', 'normal', 300, now());
INSERT INTO catalyst.trading_signals (cycle_id, symbol, signal_type, signal_strength, confidence, action, source)
SELECT 'load', 'C' || n, 'momentum', 'strong', 0.8, 'buy', 'load' FROM generate_series(1, 64) n;
-- a month of scans a retention run has to retire, and last year's audit events
SELECT catalyst.create_monthly_partitions() AS made \gset
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume)
SELECT 'old' || n, 'load', 'S' || n % 500, now() - interval '100 days' + n * interval '1 second', 10, 1
FROM generate_series(1, 20000) n;
SQL

# maintenance every $every seconds, each run timed, with its backend pid
maintenance() {
	local end=$(( $(date +%s) + seconds ))
	while [ "$(date +%s)" -lt "$end" ]; do
		psql -X -At -d catalyst -v ON_ERROR_STOP=1 <<'SQL' >>"$work/maintenance.log" 2>&1 || echo "ERROR in maintenance" >>"$work/maintenance.log"
SET application_name = 'catalyst-maintenance';
\timing on
SELECT 'pid ' || pg_backend_pid();
SELECT 'partitions ' || coalesce(catalyst.create_monthly_partitions()::text, 'skipped');
SELECT 'cleanup ' || (catalyst.cleanup_old_data()->>'outcome');
SQL
		sleep "$every"
	done
}

echo "load: $clients sessions for $seconds s, maintenance every $every s (fsync on)"
maintenance &
maint_pid=$!
(cd "$work" && pgbench -n -c "$clients" -j 2 -T "$seconds" --log --log-prefix=tx \
	-f "$bench_root/bench/load/order_fill.sql@3" -f "$bench_root/bench/load/open.sql@2" \
	-f "$bench_root/bench/load/close.sql@2" -f "$bench_root/bench/load/scan.sql@4" \
	-f "$bench_root/bench/load/pnl.sql@4" -f "$bench_root/bench/load/risk.sql@1" \
	-f "$bench_root/bench/load/view.sql@2" catalyst >"$work/pgbench.out" 2>"$work/pgbench.err") || true
wait "$maint_pid" || true

echo
echo "pgbench: $(grep -E '^(number of transactions actually processed|number of failed transactions|tps)' "$work/pgbench.out" | tr '\n' ';')"
# per-transaction log: client_id transaction_no time_us script_no epoch us
echo
echo "statement type      count    tps    p50 ms    p95 ms    p99 ms    max ms"
names=(order_fill open close scan pnl risk view)
cat "$work"/tx.* | awk '{ print $4, $3 }' | sort -k1,1n -k2,2n | awk -v secs="$seconds" -v names="${names[*]}" '
	BEGIN { split(names, name, " ") }
	function flush() {
		if (n == 0) return
		printf "%-14s %10d %6.1f %9.2f %9.2f %9.2f %9.2f\n", name[s + 1], n, n / secs,
			v[int(n * 0.50) + 1] / 1000, v[int(n * 0.95) + 1] / 1000, v[int(n * 0.99) + 1] / 1000, v[n] / 1000
	}
	$1 != s { flush(); s = $1; n = 0 }
	{ v[++n] = $2 }
	END { flush() }'

echo
echo "maintenance runs: $(grep -c '^partitions' "$work/maintenance.log" || true) (durations in ms: $(grep -E '^Time:' "$work/maintenance.log" | awk '{ print $2 }' | sort -n | tr '\n' ' '))"
grep -q "ERROR" "$work/maintenance.log" && { echo "maintenance errors:"; grep -B2 ERROR "$work/maintenance.log"; }
maint_pids=$(grep '^pid ' "$work/maintenance.log" | awk '{ print $2 }' | tr '\n' '|')
log=$bench_scratch/cluster/server.log
waits=$(grep -c 'still waiting for' "$log" || true)
by_maint=$(grep -A1 'still waiting for' "$log" | grep -cE "Process(es)? holding the lock: (${maint_pids%|})\b" || true)
echo "lock waits longer than 100 ms: $waits, of which behind a maintenance run: $by_maint"
# what they waited for: a row lock (tuple of a relation) or another transaction's end
grep -o 'still waiting for [A-Za-z]* on [a-z]*' "$log" | sort | uniq -c | sort -rn || true
for oid in $(grep 'still waiting for' "$log" | grep -o 'of relation [0-9]*' | awk '{ print $3 }' | sort | uniq -c | sort -rn | head -3 | awk '{ print $2 }'); do
	echo "  row-lock waits on $(psql -X -At -d catalyst -c "SELECT '$oid'::regclass"): $(grep 'still waiting for' "$log" | grep -c "of relation $oid ")"
done
echo "errors: pgbench aborted clients $(grep -c 'aborted' "$work/pgbench.err" || true), server ERROR lines $(grep -c ' ERROR: ' "$log" || true)"
grep ' ERROR: ' "$log" | sort | uniq -c | sort -rn | head -5 || true

# the metrics, read through performance_metrics, against a recompute from the trades
mismatch=$(psql -X -At -d catalyst <<'SQL'
WITH trades AS (
    SELECT cycle_id, catalyst.trading_date(closed_at) AS day, coalesce(realized_pnl, 0) AS pnl, quantity
    FROM catalyst.positions WHERE status = 'closed'
    UNION ALL
    SELECT cycle_id, catalyst.trading_date(closed_at), coalesce(realized_pnl, 0), quantity
    FROM catalyst.positions_archive WHERE status = 'closed'),
recompute AS (
    SELECT cycle_id, day, count(*) AS total_trades, count(*) FILTER (WHERE pnl > 0) AS winning_trades,
           count(*) FILTER (WHERE pnl < 0) AS losing_trades, sum(pnl) AS gross_pnl, sum(quantity) AS total_volume
    FROM trades GROUP BY 1, 2),
kept AS (
    SELECT cycle_id, metric_date, total_trades::bigint, winning_trades::bigint, losing_trades::bigint,
           gross_pnl::numeric, total_volume::numeric
    FROM catalyst.performance_metrics WHERE total_trades > 0)
SELECT count(*) FROM ((SELECT * FROM recompute EXCEPT ALL SELECT * FROM kept)
                      UNION ALL (SELECT * FROM kept EXCEPT ALL SELECT * FROM recompute)) d;
SQL
)
closes=$(psql -X -At -d catalyst -c "SELECT count(*) FROM catalyst.positions WHERE status = 'closed'")
echo "metrics: $closes closes; rows differing from the recompute: $mismatch"
