#!/usr/bin/env bash
# The demo's simulation (scripts/demo-simulate.sql) and report (scripts/demo-html.sql), as
# scripts/demo.sh runs them: the simulation goes through the real interfaces and covers what it
# claims, is deterministic for a seed, and the report is one self-contained HTML file with the
# equity curve.  Runs against the cluster of scripts/test.sh (PGHOST, PGPORT, PGUSER).
set -uo pipefail
cd "$(dirname "$0")/../.."

source test/include/tap.sh

echo "1..12"
cleanup() {
	for db in demo_a demo_b demo_c; do dropdb --if-exists "$db" 2>/dev/null; done
	[ -n "${work:-}" ] && rm -rf "$work"
}
trap cleanup EXIT
cleanup >/dev/null 2>&1
work=$(mktemp -d)

simulate() { # DB SEED DAYS
	createdb "$1" && q "$1" -c "CREATE EXTENSION catalyst" >/dev/null &&
		q "$1" -v seed="$2" -v days="$3" -f scripts/demo-simulate.sql >"$work/$1.log" 2>&1
}
trades() {
	q "$1" -c "SELECT string_agg(concat_ws(':', p.cycle_id, p.symbol, p.side, p.quantity, p.entry_price, p.exit_price,
	                                       p.stop_loss, p.realized_pnl, p.opened_at, p.closed_at, p.status),
	                             ' ' ORDER BY p.position_id) FROM catalyst.positions p"
}

simulate demo_a 7 3 && ok "three days simulated with seed 7" || { notok "three days simulated with seed 7"; cat "$work/demo_a.log"; }
check "one stopped cycle a day, the last one active" \
	"$(q demo_a -c "SELECT string_agg(status, ',' ORDER BY cycle_id) FROM catalyst.trading_cycles")" "stopped,stopped,active"
check "scans, signals, news, filled orders, long and short positions" \
	"$(q demo_a -c "SELECT (SELECT count(*) > 0 FROM catalyst.scan_results WHERE is_selected)
	                    AND (SELECT count(*) > 0 FROM catalyst.trading_signals)
	                    AND (SELECT count(*) > 0 FROM catalyst.news_catalysts)
	                    AND (SELECT bool_and(status = 'filled') FROM catalyst.orders)
	                    AND (SELECT count(DISTINCT side) = 2 FROM catalyst.positions)")" "t"
check "winners, losers and breakevens closed, three positions left open with a risk score" \
	"$(q demo_a -c "SELECT (SELECT count(*) > 0 FROM catalyst.positions WHERE realized_pnl > 0)
	                    AND (SELECT count(*) > 0 FROM catalyst.positions WHERE realized_pnl < 0)
	                    AND (SELECT count(*) > 0 FROM catalyst.positions WHERE status = 'closed' AND realized_pnl = 0)
	                    AND (SELECT count(*) = 3 FROM catalyst.positions WHERE status = 'open' AND risk_score IS NOT NULL)")" "t"
check "the close triggers filed a metrics row for each day and audited every close" \
	"$(q demo_a -c "SELECT (SELECT count(*) FROM catalyst.performance_metrics) = 3
	                    AND (SELECT count(*) FROM catalyst.audit_log WHERE event_type = 'position_closed')
	                        = (SELECT count(*) FROM catalyst.positions WHERE status = 'closed')")" "t"
check "the maintenance jobs ran (their run records)" \
	"$(q demo_a -c "SELECT string_agg(job, ',' ORDER BY job) FROM catalyst.maintenance_runs")" \
	"cleanup_old_data,create_monthly_partitions"

simulate demo_b 7 3
simulate demo_c 8 3
check "the same seed gives the same trades" "$(trades demo_b)" "$(trades demo_a)"
[ "$(trades demo_c)" != "$(trades demo_a)" ] && ok "another seed gives other trades" || notok "another seed gives other trades"

report=$work/report.html
q demo_a -A -t -v seed=7 -v days=3 -f scripts/demo-html.sql -o "$report" 2>"$work/html.log"
[ -s "$report" ] && grep -q '</html>' "$report" && ok "the report is written" || { notok "the report is written"; cat "$work/html.log"; }
# the curve: one point for the start and one per closed trade, and the drawdown area under the peak
points=$(grep -o '<polyline class="equity" points="[^"]*"' "$report" | sed 's/.*points="//; s/"$//' | wc -w)
check "the equity curve has a point per closed trade, and the start" "$points" \
	"$(q demo_a -c "SELECT count(*) + 1 FROM catalyst.positions WHERE status = 'closed'")"
contains "the drawdown is shaded" "$(cat "$report")" '<path class="drawdown" d="M '
# self-contained: no script, no stylesheet or image fetched, no URL but the SVG namespace
check "no network: no script, link, src or URL but the SVG namespace" \
	"$(grep -oiE '<script|<link|src=|url\(|https?://[^"]*' "$report" | grep -v '^http://www.w3.org/2000/svg$' | sort -u)" ""
