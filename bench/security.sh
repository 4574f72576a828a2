#!/usr/bin/env bash
# bench/security.sh: what the row audit trail and row-level security cost.
#
# The same N orders and N positions are inserted, updated and deleted (one statement per table,
# each phase in a transaction that is rolled back, best of CATALYST_BENCH_REPEAT) in:
#   seed          bench/seed-baseline.sql: its audit trigger is attached to nothing, so no audit
#   seed+audit    the same, with the seed's audit_trigger_function() made to run (its OLD.id /
#                 NEW.id read the table's key instead) attached to trading_cycles, orders, positions
#   catalyst      the extension, as a superuser: the C audit trigger writes one event per row
#   audit off     the extension with catalyst.audit = off (a superuser's bulk load)
#   trader        the extension as a catalyst_trader login: audit and row-level security
# and K single-row lookups of positions by key are timed in the seed, in catalyst as a superuser
# (no row-level security) and as a trader (the policy's check on trading_cycles' key).
#
#   CATALYST_BENCH_ROWS (20000)  orders and positions per phase
#   CATALYST_BENCH_LOOKUPS (20000)
#   CATALYST_BENCH_PORT (54331), CATALYST_BENCH_REPEAT (3): see bench/lib.sh
source "$(dirname "$0")/lib.sh"
rows=${CATALYST_BENCH_ROWS:-20000}
lookups=${CATALYST_BENCH_LOOKUPS:-20000}

bench_start

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }

createdb seed_audit
psql_q -d seed_audit -f bench/seed-baseline.sql
psql_q -d seed_audit <<'SQL'
-- the seed's audit trigger, with its one fault mended: no table has a column id, so the key is
-- read from the row by the name given as the trigger's argument
CREATE OR REPLACE FUNCTION audit_trigger_function()
RETURNS TRIGGER AS $$
BEGIN
    INSERT INTO audit_log (event_type, event_category, entity_type, entity_id, details)
    VALUES (TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME,
            CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD)->>TG_ARGV[0] ELSE to_jsonb(NEW)->>TG_ARGV[0] END,
            jsonb_build_object('operation', TG_OP, 'old', to_jsonb(OLD), 'new', to_jsonb(NEW)));
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_trading_cycles AFTER INSERT OR UPDATE OR DELETE ON trading_cycles
    FOR EACH ROW EXECUTE FUNCTION audit_trigger_function('cycle_id');
CREATE TRIGGER audit_orders AFTER INSERT OR UPDATE OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION audit_trigger_function('order_id');
CREATE TRIGGER audit_positions AFTER INSERT OR UPDATE OR DELETE ON positions
    FOR EACH ROW EXECUTE FUNCTION audit_trigger_function('position_id');
SQL

# the same committed rows everywhere: one active cycle, N orders, N positions (loaded into catalyst
# with catalyst.audit off)
load() {
	local db=$1 t=$2 pre=$3
	psql_q -d "$db" <<SQL
$pre
INSERT INTO ${t}trading_cycles (cycle_id, mode, scan_frequency) VALUES ('bench-1', 'normal', 300);
INSERT INTO ${t}orders (order_id, cycle_id, symbol, direction, order_type, quantity)
SELECT 'o' || i, 'bench-1', 'AAPL', 'buy', 'market', 10 FROM generate_series(1, $rows) i;
INSERT INTO ${t}positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price)
SELECT i, 'bench-1', 'AAPL', 'long', 10, 'o' || i, 100.00 FROM generate_series(1, $rows) i;
ANALYZE;
SQL
}
load seed "" ""
load seed_audit "" ""
load catalyst catalyst. "SET catalyst.audit = off;"
psql_q -d catalyst -c "CREATE ROLE bench_trader LOGIN IN ROLE catalyst_trader"

insert_sql() {
	echo "BEGIN;
INSERT INTO ${1}orders (order_id, cycle_id, symbol, direction, order_type, quantity)
SELECT 'n' || i, 'bench-1', 'AAPL', 'buy', 'market', 1 FROM generate_series(1, $rows) i;
INSERT INTO ${1}positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price)
SELECT $rows + i, 'bench-1', 'AAPL', 'long', 1, 'n' || i, 100.00 FROM generate_series(1, $rows) i;
ROLLBACK;"
}
update_sql() {
	echo "BEGIN;
UPDATE ${1}orders SET status = 'submitted' WHERE cycle_id = 'bench-1';
UPDATE ${1}positions SET unrealized_pnl = 1.50 WHERE cycle_id = 'bench-1';
ROLLBACK;"
}
# positions only: deleting orders checks positions' foreign keys on entry_order_id and
# exit_order_id, which the seed does not index, one scan of positions per order, in both databases
delete_sql() {
	echo "BEGIN; DELETE FROM ${1}positions; ROLLBACK;"
}
lookup_sql() {
	echo "DO \$\$ DECLARE r record; BEGIN
FOR i IN 1..$lookups LOOP SELECT * INTO r FROM ${1}positions WHERE position_id = (i % $rows) + 1; END LOOP;
END \$\$;"
}

# every run starts from a vacuumed table: the rolled-back runs before it leave dead rows behind
run() {
	local db=$1 sql=$2
	PGUSER=postgres psql_q -d "$db" -c "VACUUM ANALYZE ${3:-}orders, ${3:-}positions, ${3:-}audit_log"
	bench_ms "$db" "$sql"
}

printf '%-8s %10s %12s %10s %10s %10s %14s %18s\n' phase "seed ms" "seed+audit" catalyst "audit off" trader \
	"catalyst/seed" "catalyst/seed+audit"
for phase in insert update delete; do
	s=$(run seed "$(${phase}_sql "")")
	sa=$(run seed_audit "$(${phase}_sql "")")
	c=$(run catalyst "$(${phase}_sql catalyst.)" catalyst.)
	off=$(run catalyst "SET catalyst.audit = off; $(${phase}_sql catalyst.)" catalyst.)
	if [ "$phase" = delete ]; then
		tr="-"		# a trader may not delete
	else
		tr=$(PGUSER=bench_trader run catalyst "$(${phase}_sql catalyst.)" catalyst.)
	fi
	printf '%-8s %10s %12s %10s %10s %10s %14s %18s\n' "$phase" "$s" "$sa" "$c" "$off" "$tr" \
		"$(ratio "$c" "$s")" "$(ratio "$c" "$sa")"
done

s=$(run seed "$(lookup_sql "")")
c=$(run catalyst "$(lookup_sql catalyst.)" catalyst.)
tr=$(PGUSER=bench_trader run catalyst "$(lookup_sql catalyst.)" catalyst.)
echo
printf '%-30s %10s %10s %10s %16s\n' "$lookups lookups by position_id" "seed ms" catalyst trader "trader/catalyst"
printf '%-30s %10s %10s %10s %16s\n' "" "$s" "$c" "$tr" "$(ratio "$tr" "$c")"
echo
echo "rows per phase: insert and update $rows orders + $rows positions, delete $rows positions;"
echo "catalyst writes one audit_log event per row; seed+audit one per row with its PL/pgSQL trigger"
