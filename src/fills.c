/*
 * fills.c: recording a broker fill, once, and maintaining its order and the position it exits.
 *
 * fill_record(), BEFORE INSERT on fills, for each new row:
 *
 *   1. A fill already recorded under the same (order_id, broker_fill_id) with the same quantity
 *      and price is a re-send: the row is skipped (INSERT 0 0; record_fill() returns false).
 *      With a different quantity or price it is a conflict: SQLSTATE 23505, even under ON
 *      CONFLICT DO NOTHING (this trigger runs before the insert looks at the unique index).
 *   2. Otherwise the order row is locked (FOR NO KEY UPDATE) and the lookup repeated with a new
 *      snapshot: two sessions sending the same fill at once are serialized on the order, and the
 *      second sees the first's committed fill (under READ COMMITTED; REPEATABLE READ and
 *      SERIALIZABLE get a serialization failure instead, to retry).  Every new fill of an order
 *      takes that lock anyway, since it updates the order.
 *   3. The fill is checked against the order: not pending, cancelled or rejected (55000); not
 *      before its submitted_at (22023); no overfill (23514, with the numbers).
 *   4. The order is updated: executed_quantity += quantity, executed_value += quantity x price
 *      (exact), executed_price = executed_value / executed_quantity rounded to the cent (the
 *      seed's DECIMAL(10,2)), commission += commission, filled_at = the latest fill, status
 *      'partial' or 'filled' (order_lifecycle.c checks and logs the transition).
 *   5. The open or partial position whose exit order this is gets the fill: exited_quantity and
 *      exit_value grow, status 'partial' with realized_pnl the exited part's P&L so far, or
 *      'closed' when it is flat (exit_price its exit VWAP to the cent, closed_at the fill's time;
 *      position_close.c derives the P&L from the fills, exit_fills.c).
 *   6. The row gets the order's cycle_id.
 *
 * A NULL, non-positive quantity or price, a NaN or a negative commission is left to the table's
 * constraints, which refuse the row (named) after this trigger: the row only gets its cycle_id,
 * so that cycle_id's NOT NULL does not speak first.  A restore (catalyst_restoring()) inserts
 * fills whose effects its orders and positions already carry: they are left alone.
 *
 * All statements run as the caller, under row-level security: a role records fills only for the
 * orders it may update.
 */
#include "postgres.h"

#include "fills.h"
#include "columns.h"
#include "order_lifecycle.h"
#include "restore.h"
#include "run_as_owner.h"
#include "spi_util.h"

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

typedef enum FillColumn
{
	F_ORDER_ID,
	F_CYCLE_ID,
	F_BROKER_FILL_ID,
	F_QUANTITY,
	F_PRICE,
	F_COMMISSION,
	F_FILLED_AT,
	N_FILL_COLUMNS
} FillColumn;

static const char *const fill_columns[N_FILL_COLUMNS] = {
	"order_id", "cycle_id", "broker_fill_id", "quantity", "price", "commission", "filled_at",
};

static const Oid fill_types[N_FILL_COLUMNS] = {
	VARCHAROID, VARCHAROID, VARCHAROID, INT4OID, NUMERICOID, NUMERICOID, TIMESTAMPTZOID,
};

static int	fill_attnums[N_FILL_COLUMNS];

/* the kept plans, prepared on first use */
static SPIPlanPtr find_fill_plan = NULL;
static SPIPlanPtr lock_order_plan = NULL;
static SPIPlanPtr order_cycle_plan = NULL;
static SPIPlanPtr update_order_plan = NULL;
static SPIPlanPtr exit_position_plan = NULL;
static SPIPlanPtr record_fill_plan = NULL;

/*
 * While fill_record() updates the fill's order: the order and the fill, as a record (in the SPI
 * memory of that call), for catalyst_fill_being_recorded().
 */
static Datum recording_order_id = (Datum) 0;
static Datum recording_fill = (Datum) 0;

/* The fill being recorded */
typedef struct Fill
{
	Datum		order_id;
	Datum		broker_fill_id;
	int32		quantity;
	Datum		price;
	Datum		commission;
	TimestampTz filled_at;
} Fill;

/* The order, as locked */
typedef struct Order
{
	char	   *status;
	int32		quantity;
	int32		executed_quantity;
	Datum		executed_value;
	Datum		commission;
	bool		has_filled_at;
	TimestampTz filled_at;
	bool		has_submitted_at;
	TimestampTz submitted_at;
	char	   *cycle_id;
} Order;

static int
column(TupleDesc desc, FillColumn c)
{
	return catalyst_column(desc, fill_columns[c], fill_types[c], &fill_attnums[c]);
}

static Datum
numeric_of_int(int64 i)
{
	return NumericGetDatum(int64_to_numeric(i));
}

static bool
less_than(Datum a, Datum b)
{
	return DatumGetBool(DirectFunctionCall2(numeric_lt, a, b));
}

static char *
numeric_text(Datum n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, n));
}

/*
 * The fill's values; false when one the trigger needs is NULL or out of its CHECK's range (the
 * constraints refuse the row, named, after this trigger).
 */
static bool
read_fill(HeapTuple tuple, TupleDesc desc, Fill *fill)
{
	Datum		values[N_FILL_COLUMNS];
	bool		nulls[N_FILL_COLUMNS];

	for (int c = 0; c < N_FILL_COLUMNS; c++)
	{
		values[c] = heap_getattr(tuple, column(desc, c), desc, &nulls[c]);
		if (nulls[c] && c != F_CYCLE_ID)
			return false;
	}
	fill->order_id = values[F_ORDER_ID];
	fill->broker_fill_id = values[F_BROKER_FILL_ID];
	fill->quantity = DatumGetInt32(values[F_QUANTITY]);
	fill->price = values[F_PRICE];
	fill->commission = values[F_COMMISSION];
	fill->filled_at = DatumGetTimestampTz(values[F_FILLED_AT]);
	if (numeric_is_nan(DatumGetNumeric(fill->price)) ||
		numeric_is_nan(DatumGetNumeric(fill->commission)))
		return false;
	return fill->quantity > 0 && less_than(numeric_of_int(0), fill->price) &&
		!less_than(fill->commission, numeric_of_int(0));
}

/*
 * Step 1: whether the fill was recorded before (then true, and the caller skips the row); a
 * recorded fill with other contents is refused.
 */
static bool
recorded_before(const Fill *fill)
{
	Oid			argtypes[2] = {VARCHAROID, VARCHAROID};
	Datum		args[2] = {fill->order_id, fill->broker_fill_id};
	bool		isnull;
	int32		quantity;
	Datum		price;

	if (find_fill_plan == NULL)
		find_fill_plan = catalyst_keep_custom_plan(
			"SELECT f.quantity, f.price FROM catalyst.fills f"
			" WHERE f.order_id OPERATOR(pg_catalog.=) $1"
			"   AND f.broker_fill_id OPERATOR(pg_catalog.=) $2",
			2, argtypes);
	if (catalyst_spi_exec_plan(find_fill_plan, args, NULL, SPI_OK_SELECT, 1) == 0)
		return false;

	quantity = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
										   &isnull));
	price = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (quantity != fill->quantity ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, price, fill->price)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("fill \"%s\" of order \"%s\" was recorded with other contents",
						TextDatumGetCString(fill->broker_fill_id),
						TextDatumGetCString(fill->order_id)),
				 errdetail("Recorded: %d at %s; sent now: %d at %s.", quantity, numeric_text(price),
						   fill->quantity, numeric_text(fill->price)),
				 errhint("A broker_fill_id names one execution: send it again unchanged, or record "
						 "a correction under a new broker_fill_id.")));
	return true;
}

/* The cycle of an order, NULL when there is no such order (for the caller) */
static char *
order_cycle(Datum order_id)
{
	Oid			argtypes[1] = {VARCHAROID};
	Datum		args[1] = {order_id};
	bool		isnull;

	if (order_cycle_plan == NULL)
		order_cycle_plan = catalyst_keep_plan(
			"SELECT o.cycle_id FROM catalyst.orders o WHERE o.order_id OPERATOR(pg_catalog.=) $1",
			1, argtypes);
	if (catalyst_spi_exec_plan(order_cycle_plan, args, NULL, SPI_OK_SELECT, 1) == 0)
		return NULL;
	return TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
											 &isnull));
}

/* Step 2: lock the order and read what the fill changes */
static void
lock_order(const Fill *fill, Order *order)
{
	Oid			argtypes[1] = {VARCHAROID};
	Datum		args[1] = {fill->order_id};
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;

	if (lock_order_plan == NULL)
		lock_order_plan = catalyst_keep_plan(
			"SELECT o.status, o.quantity, o.executed_quantity,"
			"       COALESCE(o.executed_value,"
			"                o.executed_price OPERATOR(pg_catalog.*)"
			" o.executed_quantity::pg_catalog.numeric),"
			"       o.commission, o.filled_at, o.submitted_at, o.cycle_id"
			"  FROM catalyst.orders o WHERE o.order_id OPERATOR(pg_catalog.=) $1"
			"   FOR NO KEY UPDATE",
			1, argtypes);
	if (catalyst_spi_exec_plan(lock_order_plan, args, NULL, SPI_OK_SELECT, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("order \"%s\" does not exist", TextDatumGetCString(fill->order_id)),
				 errdetail("A fill must belong to an order of catalyst.orders that you may "
						   "update."),
				 errhint("Insert the order first; check the order_id the broker reported.")));

	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	order->status = TextDatumGetCString(SPI_getbinval(row, desc, 1, &isnull));
	order->quantity = DatumGetInt32(SPI_getbinval(row, desc, 2, &isnull));
	d = SPI_getbinval(row, desc, 3, &isnull);
	order->executed_quantity = isnull ? 0 : DatumGetInt32(d);
	d = SPI_getbinval(row, desc, 4, &isnull);
	order->executed_value = isnull ? numeric_of_int(0) : d;
	d = SPI_getbinval(row, desc, 5, &isnull);
	order->commission = isnull ? numeric_of_int(0) : d;
	d = SPI_getbinval(row, desc, 6, &isnull);
	order->has_filled_at = !isnull;
	order->filled_at = isnull ? 0 : DatumGetTimestampTz(d);
	d = SPI_getbinval(row, desc, 7, &isnull);
	order->has_submitted_at = !isnull;
	order->submitted_at = isnull ? 0 : DatumGetTimestampTz(d);
	order->cycle_id = TextDatumGetCString(SPI_getbinval(row, desc, 8, &isnull));
}

/* Step 3 */
static void
check_fill(const Fill *fill, const Order *order)
{
	char	   *order_id = TextDatumGetCString(fill->order_id);

	if (strcmp(order->status, "submitted") != 0 && strcmp(order->status, "partial") != 0 &&
		strcmp(order->status, "filled") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("order \"%s\" is %s: it takes no fill", order_id, order->status),
				 errdetail("Fills are recorded for submitted and partially filled orders."),
				 errhint(strcmp(order->status, "pending") == 0
						 ? "Set the order's status to 'submitted' when it is sent to the broker."
						 : "A cancelled or rejected order is final; check the fill's order_id.")));
	if (order->has_submitted_at && fill->filled_at < order->submitted_at)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fill \"%s\" of order \"%s\" is earlier than the order's submission",
						TextDatumGetCString(fill->broker_fill_id), order_id),
				 errdetail("filled_at %s is before submitted_at %s.",
						   pstrdup(timestamptz_to_str(fill->filled_at)),
						   pstrdup(timestamptz_to_str(order->submitted_at))),
				 errhint("Check the fill's time and the order's submitted_at.")));
	if ((int64) order->executed_quantity + fill->quantity > order->quantity)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("fill \"%s\" would overfill order \"%s\"",
						TextDatumGetCString(fill->broker_fill_id), order_id),
				 errdetail("The order is for %d; %d executed so far plus this fill's %d makes "
						   "%lld.",
						   order->quantity, order->executed_quantity, fill->quantity,
						   (long long) order->executed_quantity + fill->quantity),
				 errhint("Check the fill's quantity and order_id.")));
}

/* Step 4; `record` is the fill as a record, for the UPDATE's audit event */
static void
update_order(const Fill *fill, const Order *order, Datum notional, Datum record)
{
	Oid			argtypes[7] = {VARCHAROID, INT4OID, NUMERICOID, NUMERICOID, NUMERICOID,
	TIMESTAMPTZOID, VARCHAROID};
	Datum		args[7];
	int32		executed = order->executed_quantity + fill->quantity;
	Datum		value = DirectFunctionCall2(numeric_add, order->executed_value, notional);
	TimestampTz filled_at = fill->filled_at;

	if (order->has_filled_at && order->filled_at > filled_at)
		filled_at = order->filled_at;
	args[0] = fill->order_id;
	args[1] = Int32GetDatum(executed);
	args[2] = value;
	args[3] = DirectFunctionCall2(numeric_round,
								  DirectFunctionCall2(numeric_div, value, numeric_of_int(executed)),
								  Int32GetDatum(2));
	args[4] = DirectFunctionCall2(numeric_add, order->commission, fill->commission);
	args[5] = TimestampTzGetDatum(filled_at);
	args[6] = CStringGetTextDatum(executed == order->quantity ? "filled" : "partial");

	if (update_order_plan == NULL)
		update_order_plan = catalyst_keep_plan(
			"UPDATE catalyst.orders SET executed_quantity = $2, executed_value = $3,"
			"       executed_price = $4, commission = $5, filled_at = $6, status = $7"
			" WHERE order_id OPERATOR(pg_catalog.=) $1",
			7, argtypes);

	catalyst_order_event_reason(psprintf("fill %s", TextDatumGetCString(fill->broker_fill_id)));
	recording_order_id = fill->order_id;
	recording_fill = record;
	PG_TRY();
	{
		catalyst_spi_exec_plan(update_order_plan, args, NULL, SPI_OK_UPDATE, 0);
	}
	PG_FINALLY();
	{
		catalyst_order_event_reason(NULL);
		recording_order_id = (Datum) 0;
		recording_fill = (Datum) 0;
	}
	PG_END_TRY();
}

/* Step 5 */
static void
exit_position(const Fill *fill, Datum notional)
{
	Oid			argtypes[4] = {VARCHAROID, INT4OID, NUMERICOID, TIMESTAMPTZOID};
	Datum		args[4] = {fill->order_id, Int32GetDatum(fill->quantity), notional,
	TimestampTzGetDatum(fill->filled_at)};

	if (exit_position_plan == NULL)
		exit_position_plan = catalyst_keep_plan(
			"UPDATE catalyst.positions p"
			"   SET exited_quantity = x.exited, exit_value = x.value,"
			"       status = CASE WHEN x.flat THEN 'closed' ELSE 'partial' END,"
			"       exit_price = CASE WHEN x.flat"
			"                         THEN pg_catalog.round(x.value OPERATOR(pg_catalog./)"
			" x.exited, 2)"
			"                         ELSE p.exit_price END,"
			"       closed_at = CASE WHEN x.flat THEN $4 ELSE p.closed_at END,"
			"       realized_pnl = CASE WHEN x.flat THEN p.realized_pnl"
			"                           WHEN p.side OPERATOR(pg_catalog.=) 'short'"
			"                           THEN (p.entry_price OPERATOR(pg_catalog.*) x.exited)"
			"                                OPERATOR(pg_catalog.-) x.value"
			"                           ELSE x.value OPERATOR(pg_catalog.-)"
			"                                (p.entry_price OPERATOR(pg_catalog.*) x.exited) END"
			"  FROM (SELECT q.position_id,"
			"               COALESCE(q.exited_quantity, 0) OPERATOR(pg_catalog.+) $2 AS exited,"
			"               COALESCE(q.exit_value, 0) OPERATOR(pg_catalog.+) $3 AS value,"
			"               COALESCE(q.exited_quantity, 0) OPERATOR(pg_catalog.+) $2"
			"                 OPERATOR(pg_catalog.>=) q.quantity AS flat"
			"          FROM catalyst.positions q"
			"         WHERE q.exit_order_id OPERATOR(pg_catalog.=) $1"
			"           AND q.status OPERATOR(pg_catalog.<>) 'closed') x"
			" WHERE p.position_id OPERATOR(pg_catalog.=) x.position_id",
			4, argtypes);
	catalyst_spi_exec_plan(exit_position_plan, args, NULL, SPI_OK_UPDATE, 0);
}

bool
catalyst_fill_being_recorded(Relation rel, HeapTuple order_row, Datum *fill)
{
	static int	order_id_attnum;
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	Datum		order_id;

	if (recording_fill == (Datum) 0 || RelationGetRelid(rel) != catalyst_relid("orders"))
		return false;
	order_id = heap_getattr(order_row, catalyst_column(desc, "order_id", VARCHAROID,
													   &order_id_attnum),
							desc, &isnull);
	if (isnull || !DatumGetBool(DirectFunctionCall2Coll(texteq, C_COLLATION_OID, order_id,
														recording_order_id)))
		return false;
	*fill = recording_fill;
	return true;
}

/* SQL-callable functions */

PG_FUNCTION_INFO_V1(catalyst_fill_record);
Datum
catalyst_fill_record(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tuple;
	MemoryContext caller;
	MemoryContext spi;
	Fill		fill;
	Order		order;
	Datum		notional;
	Datum		cycle_id;
	int			cycle_attnum;
	bool		cycle_null = false;
	bool		order_null;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("fill_record() must be called as a trigger")));
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("fill_record() must be fired BEFORE INSERT FOR EACH ROW")));

	desc = RelationGetDescr(trigdata->tg_relation);
	tuple = trigdata->tg_trigtuple;
	if (catalyst_restoring())
		return PointerGetDatum(tuple);
	fill.order_id = heap_getattr(tuple, column(desc, F_ORDER_ID), desc, &order_null);
	if (order_null)
		return PointerGetDatum(tuple);	/* the NOT NULL constraint refuses it */

	caller = CurrentMemoryContext;
	catalyst_spi_connect();
	spi = CurrentMemoryContext;
	if (!read_fill(tuple, desc, &fill))
	{
		/*
		 * A value the constraints refuse: give the row its cycle, so that the constraint on the
		 * bad value is the one that names it (cycle_id's NOT NULL would come first).
		 */
		char	   *cycle = order_cycle(fill.order_id);

		MemoryContextSwitchTo(caller);
		cycle_null = (cycle == NULL);
		cycle_id = cycle ? CStringGetTextDatum(cycle) : (Datum) 0;
		catalyst_spi_finish();
		cycle_attnum = column(desc, F_CYCLE_ID);
		return PointerGetDatum(heap_modify_tuple_by_cols(tuple, desc, 1, &cycle_attnum, &cycle_id,
														 &cycle_null));
	}
	if (recorded_before(&fill))
	{
		catalyst_spi_finish();
		return PointerGetDatum(NULL);
	}
	lock_order(&fill, &order);
	/* a new snapshot: a concurrent sender of this fill that held the lock has committed */
	if (recorded_before(&fill))
	{
		catalyst_spi_finish();
		return PointerGetDatum(NULL);
	}
	check_fill(&fill, &order);
	/* the new row outlives SPI's memory */
	cycle_attnum = column(desc, F_CYCLE_ID);
	MemoryContextSwitchTo(caller);
	cycle_id = CStringGetTextDatum(order.cycle_id);
	tuple = heap_modify_tuple_by_cols(tuple, desc, 1, &cycle_attnum, &cycle_id, &cycle_null);
	MemoryContextSwitchTo(spi);
	notional = DirectFunctionCall2(numeric_mul, numeric_of_int(fill.quantity), fill.price);
	update_order(&fill, &order, notional, heap_copy_tuple_as_datum(tuple, desc));
	exit_position(&fill, notional);
	catalyst_spi_finish();
	return PointerGetDatum(tuple);
}

PG_FUNCTION_INFO_V1(catalyst_record_fill);
Datum
catalyst_record_fill(PG_FUNCTION_ARGS)
{
	Oid			argtypes[6] = {VARCHAROID, VARCHAROID, INT4OID, NUMERICOID, NUMERICOID,
							   TIMESTAMPTZOID};
	Datum		args[6];
	char		nulls[6];
	uint64		inserted;

	for (int i = 0; i < 6; i++)
	{
		nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
		args[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
	}
	catalyst_spi_connect();
	if (record_fill_plan == NULL)
		record_fill_plan = catalyst_keep_plan(
			"INSERT INTO catalyst.fills (order_id, broker_fill_id, quantity, price, commission,"
			" filled_at)"
			" VALUES ($1, $2, $3, $4, $5, $6)"
			" ON CONFLICT (order_id, broker_fill_id) DO NOTHING",
			6, argtypes);
	inserted = catalyst_spi_exec_plan(record_fill_plan, args, nulls, SPI_OK_INSERT, 0);
	catalyst_spi_finish();
	PG_RETURN_BOOL(inserted == 1);
}
