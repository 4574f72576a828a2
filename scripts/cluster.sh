#!/usr/bin/env bash
# scripts/cluster.sh: start or stop a throwaway PostgreSQL 15 cluster that loads a private build
# of catalyst (`make install DESTDIR=...`, found through Debian's extension_destdir setting), with
# pg_cron and pg_stat_statements preloaded.  No existing server or system directory is touched.
#
#   scripts/cluster.sh start DIR PORT CRON_DB DESTDIR   initdb DIR (if new), start it on PORT
#   scripts/cluster.sh stop DIR                         stop it
#
# The server listens on a Unix socket in DIR only.  PostgreSQL refuses to run as root: when run
# as root the server runs as the postgres user, so DIR and DESTDIR must be readable by it.
set -euo pipefail

PGBIN=${PGBIN:-$(pg_config --bindir)}
cmd=${1:?usage: cluster.sh start DIR PORT CRON_DB DESTDIR | stop DIR}
dir=$(realpath -m "${2:?cluster directory}")

# (from /: the checkout may be somewhere the postgres user cannot enter; every path is absolute)
as_server_user() {
	if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case $cmd in
start)
	port=${3:?port}
	crondb=${4:?database of pg_cron}
	destdir=$(realpath "${5:?DESTDIR of the catalyst build}")
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		mkdir -p "$dir"
		[ "$(id -u)" = 0 ] && chown postgres: "$dir"
		as_server_user "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync >"$dir/initdb.log"
		cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
shared_preload_libraries = 'pg_cron,pg_stat_statements'
# pg_stat_statements is there for catalyst.slow_queries(); its test turns query ids on for its own
# session, so that elsewhere EXPLAIN VERBOSE prints no "Query Identifier" and benchmarks pay nothing
compute_query_id = off
cron.database_name = '$crondb'
extension_destdir = '$destdir'
fsync = off
max_connections = 50
log_min_messages = warning
CONF
		# extra settings, one per line, e.g. for benchmarks: CATALYST_PGCONF=$'fsync = on'
		[ -n "${CATALYST_PGCONF:-}" ] && printf '%s\n' "$CATALYST_PGCONF" >>"$dir/data/postgresql.conf"
	fi
	as_server_user "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
	;;
stop)
	[ -f "$dir/data/postmaster.pid" ] && as_server_user "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	;;
*)
	echo "usage: cluster.sh start DIR PORT CRON_DB DESTDIR | stop DIR" >&2
	exit 2
	;;
esac
