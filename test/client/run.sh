#!/usr/bin/env bash
# test/client/run.sh: the README's examples (test/client/examples.sql, one statement a line, with
# pgbench's :name variables; values in test/client/variables) run by clients through the extended
# query protocol, parameters untyped, as drivers send them:
#   pgbench -M prepared    each example, as the superuser, a catalyst_admin and (the risk reads,
#                          the first 5 lines) a catalyst_reader login
#   node-postgres          the same (npm installs pg into CATALYST_NODE_DIR, default
#                          /tmp/catalyst-client-node: outside the checkout)
# A TAP script (prove runs it): one test per example per client per role.  Needs a running
# server (PGHOST, PGPORT; scripts/test.sh provides one) and a superuser PGUSER.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
db=catalyst_client
node_dir=${CATALYST_NODE_DIR:-/tmp/catalyst-client-node}
readers=5

mapfile -t examples < <(grep -v '^\s*$' "$here/examples.sql")
mapfile -t defines < <(grep '=' "$here/variables" | sed 's/^/-D/')
roles=("$PGUSER" regress_client_admin regress_client_reader)
total=$(( 2 * (2 * ${#examples[@]} + readers) + 1 ))
echo "1..$total"

work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1; psql -q -d postgres -c "DROP ROLE IF EXISTS regress_client_reader, regress_client_admin" >/dev/null 2>&1' EXIT
dropdb --if-exists "$db" >/dev/null 2>&1
psql -q -d postgres -c "DROP ROLE IF EXISTS regress_client_reader, regress_client_admin" >/dev/null 2>&1
n=0
if createdb "$db" && psql -q -X -v ON_ERROR_STOP=1 -d "$db" -f "$here/setup.sql" >"$work/setup.log" 2>&1; then
	echo "ok $((n += 1)) - database $db with the examples' rows"
else
	echo "not ok $((n += 1)) - database $db with the examples' rows"
	sed 's/^/# /' "$work/setup.log"
fi

# pgbench -M prepared: one script per example, run once
for role in "${roles[@]}"; do
	count=${#examples[@]}
	[ "$role" = regress_client_reader ] && count=$readers
	for ((i = 0; i < count; i++)); do
		printf '%s\n' "${examples[$i]}" >"$work/example.sql"
		if pgbench -n -M prepared -t 1 -U "$role" "${defines[@]}" -f "$work/example.sql" "$db" \
			>"$work/pgbench.log" 2>&1 && grep -q 'number of failed transactions: 0' "$work/pgbench.log"; then
			echo "ok $((n += 1)) - pgbench -M prepared as $role: ${examples[$i]}"
		else
			echo "not ok $((n += 1)) - pgbench -M prepared as $role: ${examples[$i]}"
			grep -iE 'error|abort' "$work/pgbench.log" | sed 's/^/# /'
		fi
	done
done

# node-postgres
if [ ! -d "$node_dir/node_modules/pg" ]; then
	mkdir -p "$node_dir" && npm install --silent --no-audit --no-fund --prefix "$node_dir" pg@8 >"$work/npm.log" 2>&1 ||
		sed 's/^/# /' "$work/npm.log"
fi
for role in "${roles[@]}"; do
	count=${#examples[@]}
	[ "$role" = regress_client_reader ] && count=$readers
	NODE_PATH="$node_dir/node_modules" PGDATABASE=$db \
		node "$here/readme_examples.js" "$here/examples.sql" "$here/variables" "$role" "$count" \
		>"$work/node.log" 2>&1
	# renumber into this script's sequence; a script that died early counts its missing tests
	ran=0
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ -\ (.*)$ ]]; then
			echo "${BASH_REMATCH[1]}ok $((n += 1)) - ${BASH_REMATCH[2]}"
			ran=$((ran + 1))
		elif [[ $line =~ ^# ]]; then
			echo "$line"
		elif [[ ! $line =~ ^1\.\. ]]; then
			echo "# $line"
		fi
	done <"$work/node.log"
	for ((; ran < count; ran++)); do
		echo "not ok $((n += 1)) - node-postgres as $role: example $((ran + 1)) did not run"
	done
done
