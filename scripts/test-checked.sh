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
# Must run as root (apt-get source, the server runs as the postgres user).  Logs:
# /var/cache/catalyst-checked/logs (CATALYST_CHECKED_LOGS to change).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cache=${CATALYST_CHECKED_CACHE:-/var/cache/catalyst-checked}
# (not under tmp_check/, which make clean, and so scripts/test.sh, removes)
logs=${CATALYST_CHECKED_LOGS:-$cache/logs}
port=${CATALYST_TEST_PORT:-54329}
statements=${CATALYST_SQLSMITH_STATEMENTS:-20000}
# (not row_level_security: its 4,000-row INSERTs under policies take over 20 minutes with caches
# discarded, and the C paths it reaches are those of risk_access and position_close)
discard_tests=${CATALYST_DISCARD_TESTS:-"risk_scan risk_access risk_policy risk_settings position_close fold_batch performance_metrics partitions retention row_audit audit_append_only"}
discard_specs=${CATALYST_DISCARD_SPECS:-"risk_invalidation concurrent_close risk_lock_order"}
valgrind_tests=${CATALYST_VALGRIND_TESTS:-}
valgrind_specs=${CATALYST_VALGRIND_SPECS:-}
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
			make -C src/test/isolation install &&
			make -C contrib/pg_stat_statements install
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
# the test clusters preload pg_stat_statements (scripts/cluster.sh): a cache built before that
# gets the module added
if [ ! -f "$("$pg/bin/pg_config" --pkglibdir)/pg_stat_statements.so" ]; then
	srcdir=$(find "$cache/src" -maxdepth 1 -type d -name 'postgresql-15-*' | head -1)
	make -C "$srcdir/contrib/pg_stat_statements" install >>"$cache/build.log" 2>&1 ||
		{ echo "building pg_stat_statements failed"; echo "0 passed, 1 failed"; exit 1; }
fi
$build_only && { echo "checking build ready: $pg"; exit 0; }

# ---------------------------------------------------------------------------------------------
# 2. catalyst built against it, from a copy of the working tree (the checkout's own build and
#    test output stay as scripts/test.sh leaves them)
# ---------------------------------------------------------------------------------------------
export PATH="$pg/bin:$PATH"
export PG_CONFIG=$pg/bin/pg_config
scratch=$(mktemp -d /tmp/catalyst-checked.XXXXXX)
chmod 755 "$scratch"
trap 'for c in "$scratch"/cluster-*; do [ -d "$c" ] && PGBIN=$pg/bin scripts/cluster.sh stop "$c" 2>/dev/null; done; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/src"
cp -r Makefile catalyst.control catalyst--4.1.sql sql src test scripts README.md doc "$scratch/src/"
(cd "$scratch/src" && make -s clean PG_CONFIG="$PG_CONFIG" && make -s all PG_CONFIG="$PG_CONFIG" && make -s install PG_CONFIG="$PG_CONFIG" DESTDIR="$scratch/install") \
	>"$logs/build.log" 2>&1 || { cat "$logs/build.log"; echo "catalyst build failed"; echo "0 passed, 1 failed"; exit 1; }
export PGUSER=postgres PGDATABASE=postgres

summary=()
total_passed=0
total_failed=0

# start_cluster NAME EXTRA_CONF: a fresh cluster on the checking build; PGHOST, PGPORT point at it
start_cluster() {
	local dir=$scratch/cluster-$1
	export PGHOST=$dir PGPORT=$port
	CATALYST_PGCONF=$2 PGBIN=$pg/bin scripts/cluster.sh start "$dir" "$port" contrib_regression "$scratch/install"
}
stop_cluster() {
	PGBIN=$pg/bin scripts/cluster.sh stop "$scratch/cluster-$1"
	cp "$scratch/cluster-$1/server.log" "$logs/$1-server.log" 2>/dev/null
}

# run_suite NAME REGRESS ISOLATION PGTAP: pg_regress and isolation files (space-separated names;
# "all" for every one) and pgTAP (yes/no) against the running cluster; sets passed, failed
run_suite() {
	local name=$1 regress=$2 isolation=$3 pgtap=$4
	local all_regress all_isolation
	all_regress=$(cd "$scratch/src" && ls test/sql/*.sql | sed 's#test/sql/##; s#\.sql$##' | tr '\n' ' ')
	all_isolation=$(cd "$scratch/src" && ls test/specs/*.spec | sed 's#test/specs/##; s#\.spec$##' | tr '\n' ' ')
	[ "$regress" = all ] && regress=$all_regress
	[ "$isolation" = all ] && isolation=$all_isolation
	passed=0
	failed=0
	(
		cd "$scratch/src" || exit 1
		rm -rf results output_iso regression.diffs
		[ -n "$regress" ] && make -s installcheck PG_CONFIG="$PG_CONFIG" REGRESS="$regress" ISOLATION=
		[ -n "$isolation" ] && make -s installcheck PG_CONFIG="$PG_CONFIG" REGRESS= ISOLATION="$isolation"
		for d in regression.diffs output_iso/regression.diffs; do [ -s "$d" ] && cat "$d"; done
	) >"$logs/$name-installcheck.log" 2>&1
	# one line per file: "test NAME ... ok" or "... FAILED"; a file with neither did not run
	local files
	files=$(echo $regress $isolation | wc -w)
	passed=$(grep -cE '^test [a-z0-9_]+ +\.\.\. ok' "$logs/$name-installcheck.log")
	failed=$(grep -cE '^test [a-z0-9_]+ +\.\.\. FAILED' "$logs/$name-installcheck.log")
	if [ $((passed + failed)) -lt "$files" ]; then
		echo "$name: $((files - passed - failed)) test files did not run (see $logs/$name-installcheck.log)"
		failed=$((files - passed))
	fi
	grep -E "FAILED|failed \(" "$logs/$name-installcheck.log" | sed "s/^/$name: /"
	if [ "$pgtap" = yes ]; then
		createdb catalyst_tap && psql -q -X -d catalyst_tap -c "CREATE EXTENSION pgtap" >/dev/null
		pg_prove --verbose -d catalyst_tap "$scratch"/src/test/pgtap/*.sql >"$logs/$name-pgtap.log" 2>&1
		# prove's summary "Files=N, Tests=N"; a run that fails short of any "not ok" is one failure
		local tests notok
		tests=$(grep -oE '^Files=[0-9]+, Tests=[0-9]+' "$logs/$name-pgtap.log" | grep -oE '[0-9]+$')
		notok=$(grep -cE '^\s*not ok [0-9]+' "$logs/$name-pgtap.log")
		passed=$((passed + ${tests:-0} - notok))
		failed=$((failed + notok))
		if ! grep -qE '^Result: PASS' "$logs/$name-pgtap.log" && [ "$notok" -eq 0 ]; then failed=$((failed + 1)); fi
		grep -E '^\s*not ok' "$logs/$name-pgtap.log" | sed "s/^/$name: /"
	fi
}

# assertion failures and crashes in a server log
server_failures() {
	local log=$1
	traps=$(grep -c 'TRAP:' "$log" 2>/dev/null)
	crashes=$(grep -cE 'terminated by signal|was terminated by exception' "$log" 2>/dev/null)
	grep -E 'TRAP:|terminated by signal' "$log" | head -20
}

# suite_phase LABEL NAME EXTRA_CONF REGRESS ISOLATION PGTAP: run_suite on a fresh cluster, with the
# server log's failed assertions and crashes counted as failures
suite_phase() {
	start_cluster "$2" "$3" || return 1
	run_suite "$2" "$4" "$5" "$6"
	stop_cluster "$2"
	server_failures "$logs/$2-server.log"
	failed=$((failed + traps + crashes))
	summary+=("$1: $passed passed, $failed failed")
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
}

# assert: the whole suite on the assert-enabled build
phase_assert() {
	suite_phase assert assert "" all all yes
}

# discard_caches: every cache entry rebuilt at each use (debug_discard_caches = 1), for the files
# that exercise risk, closes, metrics, partitions and the audit
phase_discard_caches() {
	suite_phase discard_caches discard "debug_discard_caches = 1" "$discard_tests" "$discard_specs" no
}

# ---------------------------------------------------------------------------------------------
# valgrind: every server process under memcheck with PostgreSQL's suppressions; an error is a
# failure.  The whole suite unless CATALYST_VALGRIND_TESTS / _SPECS name a subset.
# ---------------------------------------------------------------------------------------------
phase_valgrind() {
	local dir=$scratch/cluster-valgrind
	start_cluster valgrind "" || return 1
	PGBIN=$pg/bin scripts/cluster.sh stop "$dir"
	mkdir -p "$dir/valgrind" && chown postgres: "$dir/valgrind"
	(cd / && runuser -u postgres -- valgrind --quiet --trace-children=yes --track-origins=yes \
		--read-var-info=no --num-callers=30 --leak-check=no --gen-suppressions=all \
		--suppressions="$pg/valgrind.supp" --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
		--log-file="$dir/valgrind/%p.log" \
		"$pg/bin/postgres" -D "$dir/data" >"$dir/server.log" 2>&1) &
	local i
	for i in $(seq 300); do
		pg_isready -q -h "$dir" -p "$port" && break
		sleep 2
	done
	run_suite valgrind "${valgrind_tests:-all}" "${valgrind_specs:-all}" yes
	stop_cluster valgrind
	wait
	cat "$dir"/valgrind/*.log >"$logs/valgrind-errors.log" 2>/dev/null
	local errors
	errors=$(grep -c 'VALGRINDERROR-BEGIN' "$logs/valgrind-errors.log")
	server_failures "$logs/valgrind-server.log"
	[ "$errors" -gt 0 ] && echo "valgrind: $errors errors, in $logs/valgrind-errors.log"
	summary+=("valgrind: $errors errors (suite: $passed passed, $failed failed${valgrind_tests:+; subset: $valgrind_tests${valgrind_specs:+ / $valgrind_specs}})")
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed + errors + traps + crashes))
}

# ---------------------------------------------------------------------------------------------
# sqlsmith: random statements as each catalyst role against a populated database
# ---------------------------------------------------------------------------------------------
phase_sqlsmith() {
	start_cluster sqlsmith "" || return 1
	local db=catalyst_smith statements_run=0 role
	createdb "$db" && psql -q -X -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL || return 1
CREATE EXTENSION catalyst;
\i $root/scripts/sample-day.sql
SELECT catalyst.refresh_position_risk();
CREATE ROLE smith_reader LOGIN IN ROLE catalyst_reader;
CREATE ROLE smith_trader LOGIN IN ROLE catalyst_trader;
CREATE ROLE smith_admin LOGIN IN ROLE catalyst_admin;
SQL
	for role in smith_reader smith_trader smith_admin; do
		# sqlsmith stops when the server goes away (a crash): run it again for what is left
		local left=$statements run=0 done_now
		while [ "$left" -gt 0 ] && [ "$run" -lt 50 ]; do
			run=$((run + 1))
			for i in $(seq 30); do pg_isready -q -h "$PGHOST" -p "$port" && break; sleep 2; done
			PGOPTIONS="-c statement_timeout=5s" timeout 3600 sqlsmith \
				--target="host=$PGHOST port=$port dbname=$db user=$role" --seed=$((run * 7919 + ${#role})) \
				--max-queries="$left" --exclude-catalog --verbose >"$logs/sqlsmith-$role-$run.log" 2>&1
			# its last report (every 800 statements and at the end); after a crash its progress
			# lines count too: one character per statement
			done_now=$(grep -oE '^queries: [0-9]+' "$logs/sqlsmith-$role-$run.log" | tail -1 | grep -oE '[0-9]+')
			[ -n "$done_now" ] ||
				done_now=$(grep -E '^[.a-zA-Z]+$' "$logs/sqlsmith-$role-$run.log" | grep -v '[a-df-zA-Z]\{4\}' | tr -d '\n' | wc -c)
			[ "$done_now" -gt 0 ] || break
			left=$((left - done_now))
		done
		statements_run=$((statements_run + statements - (left > 0 ? left : 0)))
	done
	stop_cluster sqlsmith
	server_failures "$logs/sqlsmith-server.log"
	summary+=("sqlsmith: $statements_run statements, $crashes crashes, $traps assertion failures")
	total_failed=$((total_failed + crashes + traps))
	[ "$statements_run" -ge $((3 * statements)) ] || total_failed=$((total_failed + 1))
}

for phase in "${phases[@]}"; do
	echo "== $phase ($(date -u +%H:%M:%S))"
	"phase_$phase" || { summary+=("$phase: could not start"); total_failed=$((total_failed + 1)); }
done
echo
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
