#!/usr/bin/env bash
# scripts/test-checked.sh: the test suite on a checking build of PostgreSQL 15 (not part of CI's
# .ci/run: it takes hours the first time and tens of minutes after).
#
#   1. builds PostgreSQL 15 from Debian's source package (the same patches as the packaged server,
#      so Debian's extension_destdir works) with --enable-cassert --enable-debug -DUSE_VALGRIND,
#      plus pg_cron from Debian's source, into a cache outside the checkout
#      (CATALYST_CHECKED_CACHE, default /var/cache/catalyst-checked); a second run skips the build
#   2. builds catalyst against it and runs the suite (pg_regress, isolation, pgTAP):
#        assert          the whole suite on the assert build
#        discard_caches  with debug_discard_caches = 1, on the files exercising risk, closes,
#                        metrics, partitions and audit (CATALYST_DISCARD_TESTS to change them)
#        valgrind        the whole suite with every backend under valgrind, PostgreSQL's
#                        src/tools/valgrind.supp (CATALYST_VALGRIND_TESTS to run a subset)
#        sqlsmith        CATALYST_SQLSMITH_STATEMENTS (20000) random statements as each catalyst
#                        role against a populated database; crashes and failed assertions counted
#   3. ends with one line per phase, then "N passed, N failed" over all of them.
#
#   scripts/test-checked.sh [--build-only] [PHASE...]      phases: assert discard_caches valgrind sqlsmith
#
# Must run as root (apt-get source, the server runs as the postgres user).  Logs: tmp_check/checked/.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cache=${CATALYST_CHECKED_CACHE:-/var/cache/catalyst-checked}
port=${CATALYST_TEST_PORT:-54329}
statements=${CATALYST_SQLSMITH_STATEMENTS:-20000}
discard_tests=${CATALYST_DISCARD_TESTS:-"install risk risk_access position_close performance_metrics partitions retention row_audit audit_append_only row_level_security"}
discard_specs=${CATALYST_DISCARD_SPECS:-"risk_invalidation concurrent_close risk_lock_order"}
valgrind_tests=${CATALYST_VALGRIND_TESTS:-}
valgrind_specs=${CATALYST_VALGRIND_SPECS:-}
logs=$root/tmp_check/checked
mkdir -p "$logs"

build_only=false
phases=()
for a in "$@"; do
	case $a in
	--build-only) build_only=true ;;
	assert | discard_caches | valgrind | sqlsmith) phases+=("$a") ;;
	*) echo "usage: $0 [--build-only] [assert] [discard_caches] [valgrind] [sqlsmith]" >&2; exit 2 ;;
	esac
done
[ ${#phases[@]} -gt 0 ] || phases=(assert discard_caches valgrind sqlsmith)
[ "$(id -u)" = 0 ] || { echo "test-checked.sh: run as root" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------
# 1. The checking build (cached)
# ---------------------------------------------------------------------------------------------
# ("postgres" in the prefix: else Debian's per-version-dirs patch puts the modules into the
# system's /usr/lib/postgresql/15/lib)
pg=$cache/postgresql-15
stamp=$pg/.built
# apt-get, waiting while another process holds dpkg's lock
apt() {
	local i
	for i in $(seq 60); do
		apt-get "$@" 2>"$cache/apt.err" && return 0
		grep -q 'Could not get lock' "$cache/apt.err" || { cat "$cache/apt.err" >&2; return 1; }
		sleep 10
	done
	return 1
}
build_postgres() {
	export DEBIAN_FRONTEND=noninteractive
	apt install -y -qq --no-install-recommends dpkg-dev gcc make libreadline-dev zlib1g-dev \
		valgrind sqlsmith postgresql-15-pgtap >/dev/null || return 1
	# deb-src for the same Debian archive the binary packages come from
	if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		local f=/etc/apt/sources.list.d/catalyst-deb-src.sources
		for src in /etc/apt/sources.list.d/*.sources; do
			[ -f "$src" ] && [ "$src" != "$f" ] || continue
			grep -q 'deb.debian.org' "$src" || continue
			sed -e 's/^Types: deb$/Types: deb-src/' "$src"
		done >"$f"
		apt update -qq || return 1
	fi
	rm -rf "$cache/src" && mkdir -p "$cache/src" && chown _apt: "$cache/src" 2>/dev/null
	# the version of the installed server if the archive still has its source, else the newest
	# one it has (a mirror may lack the security archive's sources)
	local v got=false
	for v in $(dpkg-query -W -f='${Version}' postgresql-15) \
		$(apt-cache showsrc postgresql-15 | sed -n 's/^Version: //p' | sort -rV); do
		(cd "$cache/src" && apt-get source -qq "postgresql-15=$v") >>"$cache/src.log" 2>&1 && { got=true; break; }
		rm -rf "$cache/src/"postgresql-15*
	done
	$got || { cat "$cache/src.log"; return 1; }
	(cd "$cache/src" && apt-get source -qq pg-cron) >>"$cache/src.log" 2>&1 || rm -rf "$cache/src/"pg-cron*
	echo "PostgreSQL source: postgresql-15 $v"
	local srcdir
	srcdir=$(find "$cache/src" -maxdepth 1 -type d -name 'postgresql-15-*' | head -1)
	(
		cd "$srcdir" &&
			./configure --prefix="$pg" --enable-cassert --enable-debug --without-icu --without-llvm \
				CFLAGS="-O1 -g -fno-omit-frame-pointer" CPPFLAGS="-DUSE_VALGRIND" &&
			make -j2 &&
			case $(src/bin/pg_config/pg_config --pkglibdir) in
			"$pg"/*) ;;
			*) echo "refusing to install: pkglibdir outside $pg"; false ;;
			esac &&
			make install &&
			make -C src/test/isolation install
	) >"$cache/build.log" 2>&1 || { tail -40 "$cache/build.log"; return 1; }
	cp "$srcdir/src/tools/valgrind.supp" "$pg/valgrind.supp"
	local crondir
	crondir=$(find "$cache/src" -maxdepth 1 -type d -name 'pg-cron-*' | head -1)
	if [ -n "$crondir" ]; then
		(cd "$crondir" && make PG_CONFIG="$pg/bin/pg_config" && make install PG_CONFIG="$pg/bin/pg_config") \
			>"$cache/pg_cron.log" 2>&1 || { tail -40 "$cache/pg_cron.log"; return 1; }
	else
		# no source in the archive: the packaged module (same major version, same ABI)
		echo "pg_cron: no source package; using the packaged binary of postgresql-15-cron"
		cp /usr/lib/postgresql/15/lib/pg_cron.so "$("$pg/bin/pg_config" --pkglibdir)/"
		cp /usr/share/postgresql/15/extension/pg_cron* "$("$pg/bin/pg_config" --sharedir)/extension/"
	fi
	# pgTAP is SQL only: the packaged scripts serve this build too
	cp /usr/share/postgresql/15/extension/pgtap* "$("$pg/bin/pg_config" --sharedir)/extension/"
	touch "$stamp"
}
if [ ! -f "$stamp" ]; then
	echo "building PostgreSQL 15 with assertions into $pg (log: $cache/build.log)"
	mkdir -p "$cache"
	build_postgres || { echo "checking build failed"; echo "0 passed, 1 failed"; exit 1; }
fi
$build_only && { echo "checking build ready: $pg"; exit 0; }
