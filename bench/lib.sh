# bench/lib.sh: sourced by the benchmark scripts (bench/*.sh).  Starts one throwaway cluster
# with this checkout's build, and gives each benchmark two databases loaded side by side:
#   seed      bench/seed-baseline.sql: the seed's design as written, made to run (the peer)
#   catalyst  CREATE EXTENSION catalyst
# Benchmarks print ratios measured in the same run, never absolute pass/fail timings.
set -euo pipefail
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

bench_start() {
	cd "$bench_root"
	if [ "$(id -u)" = 0 ]; then scripts/deps.sh; fi
	export PATH="$(pg_config --bindir):$PATH"
	bench_scratch=$(mktemp -d /tmp/catalyst-bench.XXXXXX)
	chmod 755 "$bench_scratch"
	make -s >/dev/null
	make -s install DESTDIR="$bench_scratch/install" >/dev/null
	# commits really reach the disk: the close benchmark measures them
	CATALYST_PGCONF=$'fsync = on\nshared_buffers = 1GB\nmax_wal_size = 8GB\nmax_connections = 50' \
		scripts/cluster.sh start "$bench_scratch/cluster" "${CATALYST_BENCH_PORT:-54331}" catalyst "$bench_scratch/install"
	export PGHOST=$bench_scratch/cluster PGPORT=${CATALYST_BENCH_PORT:-54331} PGUSER=postgres
	trap bench_stop EXIT
	createdb seed
	psql -X -q -v ON_ERROR_STOP=1 -d seed -f bench/seed-baseline.sql >/dev/null
	createdb catalyst
	psql -X -q -v ON_ERROR_STOP=1 -d catalyst -c "CREATE EXTENSION catalyst" >/dev/null
}

bench_stop() {
	scripts/cluster.sh stop "$bench_scratch/cluster" || true
	rm -rf "$bench_scratch"
}

# bench_ms DB SQL: milliseconds that one psql run of SQL takes (best of CATALYST_BENCH_REPEAT, 3)
bench_ms() {
	local db=$1 sql=$2 best= t0 t1 ms
	for _ in $(seq "${CATALYST_BENCH_REPEAT:-3}"); do
		t0=$(date +%s%N)
		psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "$sql" >/dev/null
		t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}

# ratio A B: A / B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
