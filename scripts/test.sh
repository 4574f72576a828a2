#!/usr/bin/env bash
# scripts/test.sh: the whole test suite, from a fresh Debian 12 machine (run as root) or a
# developer's (deps already installed).
#
#   1. installs the build and test dependencies (scripts/deps.sh, idempotent)
#   2. builds with -Wall -Wextra -Werror and installs into a private directory (no system one)
#   3. starts a throwaway PostgreSQL 15 cluster with pg_cron preloaded
#   4. runs pg_regress and isolationtester (make installcheck), the layout check of src/
#      (scripts/check-layout.pl), pgTAP (pg_prove) and the Perl TAP tests under test/t (prove:
#      PostgreSQL::Test::Cluster nodes, and the packaging checks of the checkout), printing every
#      diff or failure
#   5. stops the cluster and ends with the line "N passed, N failed" over all suites
#
# Counts: one per pg_regress or isolation test file, one per TAP assertion.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ "$(id -u)" = 0 ]; then scripts/deps.sh || exit 1; fi

export PATH="$(pg_config --bindir):$PATH"
# The build and the cluster live outside the checkout, which the postgres user may not be able
# to read (a clone under /root, say).  Logs stay in ./tmp_check.
scratch=$(mktemp -d /tmp/catalyst-test.XXXXXX)
chmod 755 "$scratch"
make -s clean >/dev/null
mkdir -p "$root/tmp_check"
make -s >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
make -s install DESTDIR="$scratch/install" >/dev/null || { echo "install failed"; echo "0 passed, 1 failed"; exit 1; }

cluster=$scratch/cluster
export PGHOST=$cluster PGPORT=${CATALYST_TEST_PORT:-54329} PGUSER=postgres
export PGDATABASE=postgres
scripts/cluster.sh start "$cluster" "$PGPORT" contrib_regression "$scratch/install" || {
	cat "$cluster/server.log" 2>/dev/null; echo "0 passed, 1 failed"; exit 1; }
trap 'scripts/cluster.sh stop "$cluster"; cp "$cluster/server.log" "$root/tmp_check/" 2>/dev/null; rm -rf "$scratch"' EXIT

passed=0
failed=0

# pg_regress and isolationtester: "All N tests passed." or "M of N tests failed."  Run apart, so
# that a failure in one does not keep the other from running.
{
	make -s installcheck ISOLATION=
	make -s installcheck REGRESS=
} >"$root/tmp_check/installcheck.log" 2>&1
cat "$root/tmp_check/installcheck.log"
while read -r line; do
	if [[ $line =~ All\ ([0-9]+)\ tests\ passed ]]; then
		passed=$((passed + BASH_REMATCH[1]))
	elif [[ $line =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ failed ]]; then
		failed=$((failed + BASH_REMATCH[1]))
		passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
	fi
done < <(grep -E "tests passed|tests failed" "$root/tmp_check/installcheck.log")
for diffs in regression.diffs output_iso/regression.diffs; do
	[ -s "$diffs" ] && { echo "==== $diffs"; cat "$diffs"; }
done
if [ "$(grep -cE "tests passed|tests failed" "$root/tmp_check/installcheck.log")" -ne 2 ]; then
	echo "pg_regress or isolationtester did not run to the end"
	failed=$((failed + 1))
fi

# TAP suites: count "ok" and "not ok" lines of the verbose output.
count_tap() {
	local log=$1
	cat "$log"
	local ok notok
	ok=$(grep -cE '^\s*ok [0-9]+' "$log")
	notok=$(grep -cE '^\s*not ok [0-9]+' "$log")
	passed=$((passed + ok))
	failed=$((failed + notok))
	# a script that died before planning or finished short of its plan counts as a failure
	grep -qE '^Result: PASS' "$log" || [ "$notok" -gt 0 ] || failed=$((failed + 1))
}

# The layout of src/ (scripts/check-layout.pl, over the objects just built): the call graph
# between files has no cycle, each .c includes the headers of what it calls, every non-static
# function has a comment, no line is longer than 100 columns.
prove --verbose scripts/check-layout.pl >"$root/tmp_check/layout.log" 2>&1
count_tap "$root/tmp_check/layout.log"

createdb catalyst_tap && psql -q -d catalyst_tap -c "CREATE EXTENSION pgtap" >/dev/null
pg_prove --verbose -d catalyst_tap test/pgtap/*.sql >"$root/tmp_check/pgtap.log" 2>&1
count_tap "$root/tmp_check/pgtap.log"

# Perl TAP tests (test/t/*.pl, or those CATALYST_TAP_TESTS names).  The tests of the git checkout
# itself, which need no server (010_packaging.pl: META.json, make dist, git ls-tree), run in the
# checkout as the invoking user, who owns it (CATALYST_SOURCE=$root); the others apart, below.
node_tests=()
checkout_tests=()
for t in ${CATALYST_TAP_TESTS:-test/t/*.pl}; do
	case $(basename "$t") in
	010_packaging.pl) checkout_tests+=("$t") ;;
	*) node_tests+=("$t") ;;
	esac
done
if [ ${#checkout_tests[@]} -gt 0 ]; then
	CATALYST_SOURCE="$root" prove --verbose "${checkout_tests[@]}" >"$root/tmp_check/checkout-tap.log" 2>&1
	count_tap "$root/tmp_check/checkout-tap.log"
fi

# Perl TAP tests on PostgreSQL::Test::Cluster, as contrib and pgvector run them: each test makes
# its own nodes, which load the private build through extension_destdir.  They run as the
# server's user from a copy of test/, scripts/ and doc/ it can read.
pgxs=$(dirname "$(dirname "$(pg_config --pgxs)")")/..
tap=$scratch/tap
mkdir -p "$tap" && cp -r test scripts doc "$tap/"
[ "$(id -u)" = 0 ] && chown -R postgres: "$tap"
tap_env=(PATH="$PATH" PERL5LIB="$pgxs/src/test/perl" PG_REGRESS="$pgxs/src/test/regress/pg_regress"
	TESTDIR="$tap" CATALYST_ROOT="$tap" CATALYST_DESTDIR="$scratch/install")
if [ "$(id -u)" = 0 ]; then as_tap_user=(runuser -u postgres --); else as_tap_user=(); fi
if [ ${#node_tests[@]} -gt 0 ]; then
	(cd "$tap" && "${as_tap_user[@]}" env "${tap_env[@]}" prove --verbose "${node_tests[@]}") \
		>"$root/tmp_check/perl-tap.log" 2>&1
	cp -r "$tap/tmp_check/log" "$root/tmp_check/perl-tap-logs" 2>/dev/null
	count_tap "$root/tmp_check/perl-tap.log"
fi

# Client drivers: the README's examples through the extended query protocol, parameters untyped
# (pgbench -M prepared, node-postgres; test/client/run.sh, a TAP script).
prove --verbose test/client/run.sh >"$root/tmp_check/client.log" 2>&1
count_tap "$root/tmp_check/client.log"

# The Debian package (scripts/test-deb.sh): built from a clean clone of HEAD (what is committed),
# installed with apt-get, tried on a throwaway cluster of its own and removed.  As root only, as
# CI runs; CATALYST_TEST_DEB=0 leaves it out.
if [ "$(id -u)" = 0 ] && [ "${CATALYST_TEST_DEB:-1}" != 0 ]; then
	CATALYST_DEB_TEST_PORT=$((PGPORT + 3)) prove --verbose scripts/test-deb.sh >"$root/tmp_check/deb.log" 2>&1
	count_tap "$root/tmp_check/deb.log"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
