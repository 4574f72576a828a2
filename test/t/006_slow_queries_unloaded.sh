#!/usr/bin/env bash
# catalyst.slow_queries() on a server where pg_stat_statements is installed in the database but
# its library is not preloaded: a clear error whose HINT says to preload it, not
# pg_stat_statements' own message alone.  (test/sql/slow_queries.sql covers the server that
# preloads it.)  Starts its own cluster, with the build of scripts/test.sh, on PGPORT + 4.
set -uo pipefail
cd "$(dirname "$0")/../.."

source test/include/tap.sh

echo "1..4"
work=$(mktemp -d /tmp/catalyst-t006.XXXXXX)
chmod 755 "$work"
[ "$(id -u)" = 0 ] && chown postgres: "$work"
cluster=$work/unloaded
trap 'scripts/cluster.sh stop "$cluster" 2>/dev/null; rm -rf "$work"' EXIT

destdir=$(q postgres -c "SHOW extension_destdir")
port=$((PGPORT + 4))
CATALYST_PGCONF="shared_preload_libraries = ''" scripts/cluster.sh start "$cluster" "$port" postgres "$destdir" \
	|| bail "the cluster without preloaded libraries did not start"
uq() { psql -X -q -h "$cluster" -p "$port" -d postgres "$@"; }
check "pg_stat_statements is not preloaded there" "$(uq -At -c "SHOW shared_preload_libraries")" ""
uq -c "CREATE EXTENSION catalyst" -c "CREATE EXTENSION pg_stat_statements" 2>"$work/create.err"
check "both extensions install" "$?:$(cat "$work/create.err")" "0:"
out=$(uq -v SHOW_CONTEXT=never -c "SELECT * FROM catalyst.slow_queries(100)" 2>&1)
contains "slow_queries() is a clear error" "$out" "ERROR:  pg_stat_statements is installed but not loaded"
contains "whose HINT says to preload it" "$out" \
	"HINT:  Add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart the server."
