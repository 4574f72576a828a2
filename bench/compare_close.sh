#!/usr/bin/env bash
# bench/compare_close.sh: two builds of catalyst side by side under concurrent closes, and the
# no-trigger limit, their 8-s pgbench windows taking turns (A, B, limit, A, B, limit, ...), so that
# a machine whose speed drifts weighs on all three alike.  For "did this commit make closes
# faster?", where two runs of bench/concurrent_close.sh differ by more than the change.
#
#   bench/compare_close.sh REV_A REV_B           git revisions (the limit uses A's build)
#   CATALYST_COMPARE_ROUNDS=5 (windows each)  CATALYST_COMPARE_SESSIONS=16  CATALYST_COMPARE_CYCLES=16
#   CATALYST_COMPARE_FOLD_BATCH_A=... / _B=...  catalyst.fold_batch of one side (default: its own)
#
# Each side: a throwaway cluster (fsync on) on ports CATALYST_BENCH_PORT, +1, +2, 600,000 open
# positions over the cycles, each transaction closing one random open position with
# closed_at = now(), as bench/concurrent_close.sh's.  Prints each window's closes per second, then
# A / limit, B / limit and B / A over all windows, and each side's metrics against the recompute.
set -euo pipefail
shopt -s inherit_errexit
rev_a=${1:?usage: bench/compare_close.sh REV_A REV_B}
rev_b=${2:?usage: bench/compare_close.sh REV_A REV_B}
rounds=${CATALYST_COMPARE_ROUNDS:-5}
sessions=${CATALYST_COMPARE_SESSIONS:-16}
cycles=${CATALYST_COMPARE_CYCLES:-16}
port=${CATALYST_BENCH_PORT:-54360}
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$(pg_config --bindir):$PATH" PGUSER=postgres PGTZ=UTC
if [ "$(id -u)" = 0 ]; then "$root/scripts/deps.sh"; fi
work=$(mktemp -d /tmp/catalyst-compare.XXXXXX)
chmod 755 "$work"
stop() {
	for side in a b limit; do "$root/scripts/cluster.sh" stop "$work/$side/cluster" 2>/dev/null || true; done
	for side in a b; do git -C "$root" worktree remove --force "$work/$side/tree" 2>/dev/null || true; done
	rm -rf "$work"
}
trap stop EXIT

# side NAME REV PORT FOLD_BATCH [limit]: build REV, start its cluster, load the positions
side() {
	local dir=$work/$1
	mkdir -p "$dir"
	if [ "$1" != limit ]; then
		git -C "$root" worktree add -q --detach "$dir/tree" "$2"
		make -s -C "$dir/tree" >/dev/null
		make -s -C "$dir/tree" install DESTDIR="$dir/install" >/dev/null
	fi
	CATALYST_PGCONF=$'fsync = on\nshared_buffers = 1GB\nmax_wal_size = 8GB\nmax_connections = 50' \
		"$root/scripts/cluster.sh" start "$dir/cluster" "$3" catalyst "${6:-$dir/install}"
	PGHOST=$dir/cluster PGPORT=$3 createdb b
	PGHOST=$dir/cluster PGPORT=$3 psql -X -q -v ON_ERROR_STOP=1 -d b -v cycles="$cycles" -v n=600000 \
		-f "$root/bench/concurrent/open_positions.sql" >/dev/null
	if [ -n "$4" ]; then PGHOST=$dir/cluster PGPORT=$3 psql -X -q -d b -c "ALTER DATABASE b SET catalyst.fold_batch = $4"; fi
	if [ "${5:-}" = limit ]; then PGHOST=$dir/cluster PGPORT=$3 psql -X -q -d b -c "ALTER TABLE catalyst.positions DISABLE TRIGGER USER"; fi
}
side a "$rev_a" "$port" "${CATALYST_COMPARE_FOLD_BATCH_A:-}"
side b "$rev_b" $((port + 1)) "${CATALYST_COMPARE_FOLD_BATCH_B:-}"
side limit "" $((port + 2)) "" limit "$work/a/install"

# window SIDE PORT: closes per second of one 8-s pgbench run
window() {
	PGHOST=$work/$1/cluster PGPORT=$2 pgbench -n -M prepared -c "$sessions" -j 2 -T 8 -D cycles="$cycles" \
		-D positions=600000 -f "$root/bench/concurrent/close.pgbench" b 2>&1 | awk '/^tps = / { printf "%.0f", $3 }'
}
a="" b="" limit=""
for ((r = 0; r < rounds; r++)); do
	a="$a $(window a "$port")"
	b="$b $(window b $((port + 1)))"
	limit="$limit $(window limit $((port + 2)))"
done
echo "$sessions sessions over $cycles cycle(s), closes per second in 8-s windows, taking turns"
echo "A $rev_a:$a"
echo "B $rev_b:$b"
echo "limit:$limit"
awk -v a="$a" -v b="$b" -v l="$limit" 'BEGIN { n = split(a, x, " "); split(b, y, " "); split(l, z, " ")
	for (i = 1; i <= n; i++) { sa += x[i]; sb += y[i]; sl += z[i] }
	printf "A / limit %.3f, B / limit %.3f, B / A %.3f\n", sa / sl, sb / sl, sb / sa }'
for s in A:a:$port B:b:$((port + 1)); do
	IFS=: read -r label name p <<<"$s"
	echo "$label: $(PGHOST=$work/$name/cluster PGPORT=$p psql -X -q -At -d b \
		-f "$root/bench/concurrent/recompute_check.sql" | tail -1)"
done
