#!/usr/bin/env bash
# The group roles catalyst_reader, catalyst_trader and catalyst_admin belong to the cluster: the
# first CREATE EXTENSION makes them, a CREATE EXTENSION in another database finds them and leaves
# them as they are, DROP EXTENSION keeps them, and their grants work in every database.  Runs
# against the cluster of scripts/test.sh (PGHOST, PGPORT, PGUSER).
set -uo pipefail
cd "$(dirname "$0")/../.."

source test/include/tap.sh

echo "1..8"
cleanup() {
	for db in roles_db1 roles_db2; do dropdb --if-exists "$db" 2>/dev/null; done
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS regress_roles_engine" 2>/dev/null
	# the DBA's change made below, undone
	psql -X -q -d postgres -c "ALTER ROLE catalyst_reader CONNECTION LIMIT -1" 2>/dev/null
	[ -n "${work:-}" ] && rm -rf "$work"
}
trap cleanup EXIT
cleanup >/dev/null 2>&1
work=$(mktemp -d)

roles() {
	q postgres -c "SELECT string_agg(r.rolname || ':' || r.rolcanlogin || ':' || r.rolconnlimit || ':'
	                                 || coalesce((SELECT string_agg(m.rolname, ',' ORDER BY m.rolname)
	                                              FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.roleid
	                                              WHERE a.member = r.oid), ''), ' ' ORDER BY r.rolname)
	               FROM pg_roles r WHERE r.rolname IN ('catalyst_reader', 'catalyst_trader', 'catalyst_admin')"
}

createdb roles_db1 && createdb roles_db2
q roles_db1 -c "CREATE EXTENSION catalyst" 2>"$work/create1.err"
check "after CREATE EXTENSION the three NOLOGIN group roles exist, each a member of the one below" \
	"$?:$(roles)" \
	"0:catalyst_admin:false:-1:catalyst_trader catalyst_reader:false:-1: catalyst_trader:false:-1:catalyst_reader"

# a DBA's change to a role must survive a CREATE EXTENSION elsewhere
q postgres -c "ALTER ROLE catalyst_reader CONNECTION LIMIT 5"
q roles_db2 -c "CREATE EXTENSION catalyst" 2>"$work/create2.err"
check "CREATE EXTENSION in a second database works, silently, with the roles already there" \
	"$?:$(cat "$work/create2.err")" "0:"
check "... and leaves the roles as they were" \
	"$(roles)" \
	"catalyst_admin:false:-1:catalyst_trader catalyst_reader:false:5: catalyst_trader:false:-1:catalyst_reader"

# a trading engine's login role works in both databases
q postgres -c "CREATE ROLE regress_roles_engine LOGIN IN ROLE catalyst_trader"
engine() { psql -X -q -v ON_ERROR_STOP=1 -At -U regress_roles_engine -d "$@"; }
for db in roles_db1 roles_db2; do
	engine "$db" -c "INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('$db', 'normal', 300);
	                 INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
	                 VALUES ('$db-o', '$db', 'AAPL', 'buy', 'market', 1)" 2>>"$work/engine.err"
done
check "the trader's grants work in both databases" \
	"$(engine roles_db1 -c "SELECT order_id FROM catalyst.orders") $(engine roles_db2 -c "SELECT order_id FROM catalyst.orders") $(cat "$work/engine.err")" \
	"roles_db1-o roles_db2-o "

q roles_db1 -c "DROP EXTENSION catalyst" 2>"$work/drop.err"
check "DROP EXTENSION succeeds" "$?:$(cat "$work/drop.err")" "0:"
check "DROP EXTENSION keeps the roles" \
	"$(roles)" \
	"catalyst_admin:false:-1:catalyst_trader catalyst_reader:false:5: catalyst_trader:false:-1:catalyst_reader"
check "the other database still works" \
	"$(engine roles_db2 -c "UPDATE catalyst.orders SET status = 'submitted' RETURNING status" 2>&1)" "submitted"

# while a database uses them, the roles cannot be dropped by accident
out=$(q postgres -c "DROP ROLE catalyst_reader" 2>&1)
check "a group role in use cannot be dropped" \
	"$(echo "$out" | head -1)" \
	'ERROR:  role "catalyst_reader" cannot be dropped because some objects depend on it'
