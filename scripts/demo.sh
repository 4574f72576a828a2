#!/usr/bin/env bash
# scripts/demo.sh: build catalyst, start a throwaway PostgreSQL 15 cluster with pg_cron (in
# /tmp/catalyst-demo, Unix socket only: no existing server is touched), create the extension, load a
# small trading day as a trading engine writes it, and print what the extension makes of it.  Then
# simulate DAYS trading days before it (scripts/demo-simulate.sql: deterministic for a SEED) and
# write an HTML report of them (scripts/demo-html.sql: equity curve and drawdowns, daily metrics,
# open positions and their risk, the audit trail), one self-contained file whose path it prints.
#
#   scripts/demo.sh [SEED [DAYS]]   build, start, load, show, simulate (defaults: 42, 10 days) and
#                                   write tmp_demo/report.html; the cluster keeps running for psql
#   scripts/demo.sh stop            stop the cluster and remove /tmp/catalyst-demo
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
demo=/tmp/catalyst-demo
port=${CATALYST_DEMO_PORT:-54330}
seed=${1:-42}
days=${2:-10}

if [ "${1:-}" = stop ]; then
	scripts/cluster.sh stop "$demo/cluster" || true
	rm -rf "$demo"
	echo "demo cluster stopped"
	exit 0
fi

[[ $seed =~ ^-?[0-9]+$ && $days =~ ^[0-9]+$ ]] || { echo "usage: scripts/demo.sh [SEED [DAYS]] | stop" >&2; exit 2; }

if [ "$(id -u)" = 0 ]; then scripts/deps.sh; fi
export PATH="$(pg_config --bindir):$PATH"
make -s >/dev/null
scripts/cluster.sh stop "$demo/cluster" 2>/dev/null || true
rm -rf "$demo" && mkdir -p "$demo" && chmod 755 "$demo"
make -s install DESTDIR="$demo/install" >/dev/null
scripts/cluster.sh start "$demo/cluster" "$port" catalyst_demo "$demo/install"

export PGHOST=$demo/cluster PGPORT=$port PGUSER=postgres PGDATABASE=catalyst_demo
createdb catalyst_demo
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION catalyst;
SQL
psql -X -q -v ON_ERROR_STOP=1 -f scripts/sample-day.sql
psql -X -v ON_ERROR_STOP=1 -f scripts/demo-report.sql

echo
echo "== Simulating $days trading days (seed $seed) and running the maintenance jobs once"
psql -X -q -v ON_ERROR_STOP=1 -v seed="$seed" -v days="$days" -f scripts/demo-simulate.sql >/dev/null
mkdir -p "$root/tmp_demo"
report=$root/tmp_demo/report.html
psql -X -q -A -t -v ON_ERROR_STOP=1 -v seed="$seed" -v days="$days" -f scripts/demo-html.sql -o "$report"

cat <<EOT

The report (equity curve, daily metrics, open positions and their risk, the audit trail):
    $report

The demo cluster is running.  Connect with:
    psql -h $demo/cluster -p $port -U postgres catalyst_demo
Stop it with:
    $root/scripts/demo.sh stop
EOT
