# test/include/tap.sh: sourced by the shell TAP tests in test/t.  TAP output helpers and psql
# against the cluster of scripts/test.sh (PGHOST, PGPORT, PGUSER).
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION GOT EXPECTED
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "#   got:      $2"; echo "#   expected: $3"; fi; }
# contains DESCRIPTION GOT WANTED: WANTED is part of GOT
contains() { if [[ $2 == *"$3"* ]]; then ok "$1"; else notok "$1"; echo "#   got:      $2"; echo "#   wanted in it: $3"; fi; }
bail() { echo "Bail out! $1"; exit 1; }
# q DB [psql arguments]: unaligned, quiet, stopping at the first error
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$@"; }
