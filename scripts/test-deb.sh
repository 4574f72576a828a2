#!/usr/bin/env bash
# scripts/test-deb.sh: the Debian package, end to end, as TAP.  Builds it from a clean clone
# (scripts/build-deb.sh) unless given a .deb, installs it on this machine's PostgreSQL 15 with
# apt-get, starts a throwaway cluster with the system's binaries (its own directory and port, Unix
# socket only), runs CREATE EXTENSION catalyst and a smoke test, stops the cluster and removes the
# package.  No other cluster is touched: the list of clusters (pg_lsclusters) is the same before,
# during and after.  Needs root (dpkg); skips otherwise.  Runs of it on one machine take turns.
#
#   scripts/test-deb.sh [DEB]        CATALYST_DEB_TEST_PORT (default 54463) is the cluster's port
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# TAP output
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION GOT EXPECTED
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "#   got:      $2"; echo "#   expected: $3"; fi; }
bail() { echo "Bail out! $1"; exit 1; }

if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP installing a package needs root"; exit 0; fi
port=${CATALYST_DEB_TEST_PORT:-54463}
pkg=postgresql-15-catalyst
pgbin=/usr/lib/postgresql/15/bin
sharedir=/usr/share/postgresql/15/extension
export DEBIAN_FRONTEND=noninteractive

# one run at a time on this machine: they install and remove the same package
exec 9>/tmp/catalyst-test-deb.lock
flock 9

work=$(mktemp -d /tmp/catalyst-test-deb.XXXXXX)
chmod 755 "$work"
cleanup() {
	[ -f "$work/cluster/data/postmaster.pid" ] &&
		(cd / && runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/cluster/data" -m immediate -w stop >/dev/null 2>&1)
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && [ -n "${installed_here:-}" ] &&
		apt-get remove -y -qq -o DPkg::Lock::Timeout=300 "$pkg" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

echo "1..13"

# never overwrite or remove a catalyst someone installed: by make install, or this package
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
	bail "$pkg is already installed on this machine: not replacing it"
fi
if [ -e "$sharedir/catalyst.control" ]; then
	bail "$sharedir/catalyst.control exists (make install?): not overwriting it"
fi

deb=${1:-}
if [ -z "$deb" ]; then
	deb=$(scripts/build-deb.sh "$work/dist" 2>"$work/build.log" | tail -1)
fi
if [ -f "$deb" ] && [[ $(basename "$deb") =~ ^${pkg}_[0-9][0-9.]*_[a-z0-9]+\.deb$ ]]; then
	ok "the package is built: $(basename "$deb")"
else
	notok "the package is built"; cat "$work/build.log"; bail "no package"
fi
check "it depends on postgresql-15 and suggests postgresql-15-cron" \
	"$(dpkg-deb -f "$deb" Depends | grep -oE '(^|, )postgresql-15( |,|$)' | head -1 | tr -d ', ')/$(dpkg-deb -f "$deb" Suggests)" \
	"postgresql-15/postgresql-15-cron"
check "it ships the update script that make assembles from its parts" \
	"$(dpkg-deb -c "$deb" | grep -oE "$sharedir/catalyst(--4\.1--4\.2\.sql|--4\.1\.sql|\.control)$" | sort | tr '\n' ' ')" \
	"$sharedir/catalyst--4.1--4.2.sql $sharedir/catalyst--4.1.sql $sharedir/catalyst.control "

clusters_before=$(pg_lsclusters -h 2>/dev/null)
installed_here=1
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "$(realpath "$deb")" >"$work/install.log" 2>&1
check "apt-get installs it" "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" "install ok installed"
check "the manual is installed, README.md and doc/*.md" \
	"$(ls /usr/share/doc/postgresql-doc-15/extension/catalyst/ 2>/dev/null | sed 's/\.gz$//' | sort | tr '\n' ' ')" \
	"$(cd "$root" && git ls-files README.md 'doc/*.md' | xargs -n1 basename | sort | tr '\n' ' ')"
check "no cluster was created or changed by installing it" "$(pg_lsclusters -h 2>/dev/null)" "$clusters_before"

# a throwaway cluster of the system's PostgreSQL 15, which finds the packaged extension
mkdir -p "$work/cluster" && chown postgres: "$work/cluster"
as_postgres() { (cd / && runuser -u postgres -- "$@"); }
as_postgres "$pgbin/initdb" -D "$work/cluster/data" -U postgres -A trust --no-sync >"$work/initdb.log" 2>&1
cat >>"$work/cluster/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$work/cluster'
fsync = off
CONF
as_postgres "$pgbin/pg_ctl" -D "$work/cluster/data" -l "$work/cluster/server.log" -w start >/dev/null 2>&1
export PGHOST=$work/cluster PGPORT=$port PGUSER=postgres
check "a throwaway cluster starts" "$("$pgbin/psql" -X -At -d postgres -c 'SELECT 1' 2>&1)" "1"

psql15() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
check "CREATE EXTENSION catalyst installs the default version" \
	"$(psql15 -d postgres -c 'CREATE EXTENSION catalyst' -c "SELECT extversion FROM pg_extension WHERE extname = 'catalyst'" 2>&1)" "4.2"
check "smoke: a long position closes with its P&L, and is scored" \
	"$(psql15 -d postgres 2>&1 <<'SQL'
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('deb-1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, executed_price, executed_quantity, commission)
VALUES ('deb-in', 'deb-1', 'AAPL', 'buy', 'market', 10, 'filled', 100.00, 10, 1.00);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss, opened_at)
VALUES ('deb-1', 'AAPL', 'long', 10, 'deb-in', 100.00, 95.00, now() - interval '1 hour');
UPDATE catalyst.positions SET status = 'closed', exit_price = 103.50, closed_at = now();
SELECT realized_pnl || ' ' || catalyst.catalyst_position_risk(position_id) FROM catalyst.positions;
SQL
)" "35.00 0.00"
check "the catalog explains the schema: every table and view has its comment" \
	"$(psql15 -d postgres -c "SELECT count(*) >= 10 AND bool_and(obj_description(c.oid, 'pg_class') IS NOT NULL)
	                         FROM pg_class c WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind IN ('r', 'p', 'v')
	                           AND NOT c.relispartition" 2>&1)" "t"
check "a 4.1 database updates to 4.2 from the packaged scripts" \
	"$(psql15 -d template1 -c "CREATE DATABASE upd" >/dev/null 2>&1;
	   psql15 -d upd -c "CREATE EXTENSION catalyst VERSION '4.1'" -c "ALTER EXTENSION catalyst UPDATE" \
	          -c "SELECT extversion FROM pg_extension WHERE extname = 'catalyst'" 2>&1)" "4.2"
as_postgres "$pgbin/pg_ctl" -D "$work/cluster/data" -m fast -w stop >/dev/null 2>&1

apt-get remove -y -qq -o DPkg::Lock::Timeout=300 "$pkg" >"$work/remove.log" 2>&1
check "apt-get removes it, with its files" \
	"$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -c 'install ok installed') $(ls "$sharedir"/catalyst* /usr/lib/postgresql/15/lib/catalyst.so 2>/dev/null | wc -l)" "0 0"
check "the clusters of this machine are as they were" "$(pg_lsclusters -h 2>/dev/null)" "$clusters_before"
