/*
 * position_close.c: the triggers on positions that close, correct, reopen and delete trades
 * (seed: on_position_closed() in PL/pgSQL, BEFORE UPDATE OF status).
 *
 * position_close_derive(), BEFORE INSERT OR UPDATE OF the P&L's inputs (and outputs, so that a
 * hand-written realized_pnl is replaced): a closed position gets realized_pnl with the sign of
 * its side, pnl_percent and hold_duration, recomputed whenever the row is written while closed
 * (so a corrected exit_price, quantity, closed_at, entry_price or side is recomputed); a
 * reopened one gets them cleared.
 *
 * position_close_roll_up(), AFTER INSERT, DELETE or UPDATE OF the columns the roll-up reads: a
 * position that has just closed is folded into its day's performance_metrics row (metrics.c)
 * and an audit event position_closed is written; a closed position that changed, was reopened
 * or deleted has its day(s) recomputed.  It runs AFTER, unlike the seed's trigger, so the day's
 * metrics include the closing position.
 *
 * The position_closed event of an UPDATE is also that UPDATE's row audit event (row_audit.c
 * writes none for it): with catalyst.audit on, its details carry the changed columns and the
 * user besides the trade, so a close costs one audit_log row, not two.
 *
 * A restore (catalyst_restoring(), src/restore.c) inserts rows that already carry their P&L, together with the metrics rows and
 * audit events they produced: inserted rows are then left alone.
 */
#include "postgres.h"

#include "position_close.h"
#include "audit_log.h"
#include "columns.h"
#include "exit_fills.h"
#include "metrics.h"
#include "restore.h"
#include "row_audit.h"
#include "run_as_owner.h"

#include "access/htup_details.h"
#include "common/int.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* the columns of positions these triggers read or write */
typedef enum PositionColumn
{
	P_POSITION_ID,
	P_CYCLE_ID,
	P_SYMBOL,
	P_SIDE,
	P_QUANTITY,
	P_ENTRY_PRICE,
	P_EXIT_PRICE,
	P_STATUS,
	P_OPENED_AT,
	P_CLOSED_AT,
	P_HOLD_DURATION,
	P_REALIZED_PNL,
	P_PNL_PERCENT,
	P_CLOSE_REASON,
	N_POSITION_COLUMNS
} PositionColumn;

static const char *const position_columns[N_POSITION_COLUMNS] = {
	"position_id", "cycle_id", "symbol", "side", "quantity", "entry_price", "exit_price", "status",
	"opened_at", "closed_at", "hold_duration", "realized_pnl", "pnl_percent", "close_reason",
};

static const Oid position_types[N_POSITION_COLUMNS] = {
	INT4OID, VARCHAROID, VARCHAROID, VARCHAROID, INT4OID, NUMERICOID, NUMERICOID, VARCHAROID,
	TIMESTAMPTZOID, TIMESTAMPTZOID, INTERVALOID, NUMERICOID, NUMERICOID, VARCHAROID,
};

static int	position_attnums[N_POSITION_COLUMNS];

static int
column(TupleDesc desc, PositionColumn c)
{
	return catalyst_column(desc, position_columns[c], position_types[c], &position_attnums[c]);
}

static Datum
value_of(HeapTuple tuple, TupleDesc desc, PositionColumn c, bool *isnull)
{
	return heap_getattr(tuple, column(desc, c), desc, isnull);
}

static bool
text_equals(Datum value, const char *s)
{
	text	   *t = DatumGetTextPP(value);
	size_t		len = strlen(s);

	return VARSIZE_ANY_EXHDR(t) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

static bool
is_closed(HeapTuple position, TupleDesc desc)
{
	bool		isnull;
	Datum		status = value_of(position, desc, P_STATUS, &isnull);

	return !isnull && text_equals(status, "closed");
}

/*
 * A derived numeric value rounded to the declared precision and scale of its column; one that
 * does not fit is a clear error naming the column and the inputs, not numeric()'s bare overflow.
 * (With the table's CHECK constraints on the prices and quantity, realized_pnl and pnl_percent
 * always fit; this guards a column narrowed by hand.)
 */
static Datum
fit_numeric_column(TupleDesc desc, int attnum, Datum value, int32 position_id)
{
	int32		typmod = TupleDescAttr(desc, attnum - 1)->atttypmod;

	if (typmod >= (int32) VARHDRSZ)
	{
		int			precision = ((typmod - VARHDRSZ) >> 16) & 0xffff;
		int			scale = (int16) ((typmod - VARHDRSZ) & 0xffff);
		Datum		rounded = DirectFunctionCall2(numeric_round, value, Int32GetDatum(scale));
		Datum		limit = DirectFunctionCall3(numeric_in, CStringGetDatum(psprintf("1e%d", precision - scale)),
												ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));

		if (DatumGetBool(DirectFunctionCall2(numeric_ge,
											 DirectFunctionCall1(numeric_abs, rounded), limit)))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("position %d cannot be closed: its %s does not fit the column",
							position_id, NameStr(TupleDescAttr(desc, attnum - 1)->attname)),
					 errdetail("%s would be %s, and the column holds values below 10^%d.",
							   NameStr(TupleDescAttr(desc, attnum - 1)->attname),
							   DatumGetCString(DirectFunctionCall1(numeric_out, rounded)),
							   precision - scale),
					 errhint("Check exit_price, entry_price and quantity of the position.")));
	}
	return DirectFunctionCall2(numeric, value, Int32GetDatum(typmod));
}

/*
 * The last instant a position may close at: its trading day must have a next day that a
 * timestamp can represent (the metrics roll-up bounds the day by the next day's start), in any
 * time zone catalyst.trading_timezone may name.  294276-12-30 00:00:00+00.
 */
#define LAST_CLOSE_INSTANT (END_TIMESTAMP - 2 * USECS_PER_DAY)

/* hold_duration = closed_at - opened_at, or a clear error when it cannot be represented */
static Datum
hold_duration(int32 position_id, TimestampTz opened_at, TimestampTz closed_at)
{
	int64		hold;

	if (closed_at >= LAST_CLOSE_INSTANT)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("position %d cannot be closed at %s", position_id,
						timestamptz_to_str(closed_at)),
				 errdetail("A close is filed under its trading day, and the days from "
						   "294276-12-30 (UTC) on have no representable next day."),
				 errhint("closed_at must be the time the position closed.")));
	if (TIMESTAMP_NOT_FINITE(opened_at) || pg_sub_s64_overflow(closed_at, opened_at, &hold))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("position %d cannot be closed: its hold_duration is out of range", position_id),
				 errdetail("opened_at is %s and closed_at is %s; the time between them cannot be represented.",
						   pstrdup(timestamptz_to_str(opened_at)), pstrdup(timestamptz_to_str(closed_at))),
				 errhint("opened_at must be the time the position opened.")));
	return DirectFunctionCall2(timestamp_mi, TimestampTzGetDatum(closed_at),
							   TimestampTzGetDatum(opened_at));
}

static void
require_close_value(bool isnull, int32 position_id, const char *what)
{
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("position %d cannot be closed without %s", position_id, what),
				 errdetail("status is 'closed' but %s is NULL.", what),
				 errhint("Set exit_price and closed_at in the same statement that sets status = 'closed'.")));
}

/*
 * The P&L of a closed position:
 *   realized_pnl  = (exit_price - entry_price) * quantity, negated for a short; with exit fills,
 *                   their exact proceeds for the quantity they closed (exit_fills.c)
 *   pnl_percent   = realized_pnl * 100 / (entry_price * quantity)
 *   hold_duration = closed_at - opened_at
 */
static HeapTuple
derive_closed(HeapTuple position, TupleDesc desc)
{
	int			cols[3] = {column(desc, P_REALIZED_PNL), column(desc, P_PNL_PERCENT),
	column(desc, P_HOLD_DURATION)};
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	bool		isnull;
	int32		position_id = DatumGetInt32(value_of(position, desc, P_POSITION_ID, &isnull));
	Datum		exit_price = value_of(position, desc, P_EXIT_PRICE, &isnull);
	Datum		closed_at;
	Datum		entry_price;
	Datum		quantity;
	int32		qty;
	const int	required[] = {P_ENTRY_PRICE, P_SIDE, P_OPENED_AT, P_QUANTITY};
	Datum		proceeds;
	Datum		cost;
	Datum		gross;

	require_close_value(isnull, position_id, "exit_price");
	closed_at = value_of(position, desc, P_CLOSED_AT, &isnull);
	require_close_value(isnull, position_id, "closed_at");
	if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(closed_at)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("position %d cannot be closed at an infinite time", position_id),
				 errhint("closed_at must be the time the position closed.")));

	/*
	 * NOT NULL columns: this BEFORE trigger runs before PostgreSQL checks them, so a NULL here is
	 * left to the table's own not-null error (an UPDATE may set one to NULL as it closes).
	 */
	for (size_t i = 0; i < lengthof(required); i++)
	{
		(void) value_of(position, desc, required[i], &isnull);
		if (isnull)
			return position;
	}
	entry_price = value_of(position, desc, P_ENTRY_PRICE, &isnull);
	if (numeric_is_nan(DatumGetNumeric(exit_price)) || numeric_is_nan(DatumGetNumeric(entry_price)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("position %d cannot be closed with a price that is not a number", position_id),
				 errhint("entry_price and exit_price must be numbers, not NaN.")));
	qty = DatumGetInt32(value_of(position, desc, P_QUANTITY, &isnull));

	/*
	 * A price or quantity out of range breaks the table's CHECK constraints, which run after this
	 * trigger: leave the row as it is so that the constraint, named, rejects it, rather than
	 * dividing by zero or overflowing here (a negative exit_price at an entry of 0.01 would make
	 * pnl_percent overflow).
	 */
	if (qty <= 0 ||
		DatumGetBool(DirectFunctionCall2(numeric_le, entry_price, NumericGetDatum(int64_to_numeric(0)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, exit_price, NumericGetDatum(int64_to_numeric(0)))))
		return position;
	quantity = DirectFunctionCall1(int4_numeric, Int32GetDatum(qty));

	/* proceeds less cost: exit fills at their own prices, the rest at exit_price (exit_fills.c) */
	proceeds = catalyst_exit_proceeds(position, desc, exit_price, qty);
	cost = DirectFunctionCall2(numeric_mul, entry_price, quantity);
	if (text_equals(value_of(position, desc, P_SIDE, &isnull), "short"))
		gross = DirectFunctionCall2(numeric_sub, cost, proceeds);
	else
		gross = DirectFunctionCall2(numeric_sub, proceeds, cost);

	values[0] = fit_numeric_column(desc, cols[0], gross, position_id);
	values[1] = fit_numeric_column(desc, cols[1],
								   DirectFunctionCall2(numeric_div,
													   DirectFunctionCall2(numeric_mul, values[0],
																		   NumericGetDatum(int64_to_numeric(100))),
													   DirectFunctionCall2(numeric_mul, entry_price, quantity)),
								   position_id);
	values[2] = hold_duration(position_id,
							  DatumGetTimestampTz(value_of(position, desc, P_OPENED_AT, &isnull)),
							  DatumGetTimestampTz(closed_at));

	return heap_modify_tuple_by_cols(position, desc, 3, cols, values, nulls);
}

/* A reopened position has no realized P&L. */
static HeapTuple
clear_closed(HeapTuple position, TupleDesc desc)
{
	int			cols[3] = {column(desc, P_REALIZED_PNL), column(desc, P_PNL_PERCENT),
	column(desc, P_HOLD_DURATION)};
	Datum		values[3] = {0, 0, 0};
	bool		nulls[3] = {true, true, true};

	return heap_modify_tuple_by_cols(position, desc, 3, cols, values, nulls);
}

static void
push_key(JsonbParseState **state, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	pushJsonbValue(state, WJB_KEY, &v);
}

static void
push_text_value(JsonbParseState **state, Datum value, bool isnull)
{
	JsonbValue	v;

	if (isnull)
		v.type = jbvNull;
	else
	{
		text	   *t = DatumGetTextPP(value);

		v.type = jbvString;
		v.val.string.val = VARDATA_ANY(t);
		v.val.string.len = VARSIZE_ANY_EXHDR(t);
	}
	pushJsonbValue(state, WJB_VALUE, &v);
}

/*
 * audit_log event position_closed: {"symbol", "side", "pnl", "close_reason"}, and for an UPDATE
 * (`before` not NULL) what its row audit event would have carried ("old", "new", "user").
 */
static void
write_close_event(Relation rel, HeapTuple before, HeapTuple position)
{
	TupleDesc	desc = RelationGetDescr(rel);
	JsonbParseState *state = NULL;
	JsonbValue	pnl;
	JsonbValue *object;
	CatalystAuditEvent event = {0};
	bool		isnull;
	Datum		value;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	push_key(&state, "symbol");
	value = value_of(position, desc, P_SYMBOL, &isnull);
	push_text_value(&state, value, isnull);
	push_key(&state, "side");
	value = value_of(position, desc, P_SIDE, &isnull);
	push_text_value(&state, value, isnull);
	push_key(&state, "pnl");
	value = value_of(position, desc, P_REALIZED_PNL, &isnull);
	pnl.type = isnull ? jbvNull : jbvNumeric;
	if (!isnull)
		pnl.val.numeric = DatumGetNumeric(value);
	pushJsonbValue(&state, WJB_VALUE, &pnl);
	push_key(&state, "close_reason");
	value = value_of(position, desc, P_CLOSE_REASON, &isnull);
	push_text_value(&state, value, isnull);
	if (before)
		catalyst_row_audit_push_update(&state, rel, before, position);
	object = pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	event.cycle_id = TextDatumGetCString(value_of(position, desc, P_CYCLE_ID, &isnull));
	event.event_type = "position_closed";
	event.event_category = "trading";
	event.entity_type = "position";
	event.entity_id = DatumGetCString(DirectFunctionCall1(int4out,
														  value_of(position, desc, P_POSITION_ID, &isnull)));
	event.details = JsonbValueToJsonb(object);
	catalyst_audit_event(&event);
}

/*
 * Whether an UPDATE of a row of `rel` closes a position: the UPDATE that position_close_roll_up()
 * audits with its position_closed event (for row_audit.c).
 */
bool
catalyst_position_closes(Relation rel, HeapTuple before, HeapTuple after)
{
	TupleDesc	desc = RelationGetDescr(rel);

	return RelationGetRelid(rel) == catalyst_relid("positions") &&
		is_closed(after, desc) && !is_closed(before, desc);
}

static TriggerData *
check_row_trigger(FunctionCallInfo fcinfo, const char *name, bool before)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as a trigger", name)));
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		(before ? !TRIGGER_FIRED_BEFORE(trigdata->tg_event) : !TRIGGER_FIRED_AFTER(trigdata->tg_event)) ||
		(before && TRIGGER_FIRED_BY_DELETE(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be fired %s FOR EACH ROW", name,
						before ? "BEFORE INSERT OR UPDATE" : "AFTER INSERT, UPDATE or DELETE")));
	return trigdata;
}

/* SQL-callable functions */

PG_FUNCTION_INFO_V1(catalyst_position_close_derive);
Datum
catalyst_position_close_derive(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = check_row_trigger(fcinfo, "position_close_derive", true);
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		HeapTuple	position = trigdata->tg_trigtuple;

		if (!catalyst_restoring() && is_closed(position, desc))
			position = derive_closed(position, desc);
		return PointerGetDatum(position);
	}

	if (is_closed(trigdata->tg_newtuple, desc))
		return PointerGetDatum(derive_closed(trigdata->tg_newtuple, desc));
	if (is_closed(trigdata->tg_trigtuple, desc))
		return PointerGetDatum(clear_closed(trigdata->tg_newtuple, desc));
	return PointerGetDatum(trigdata->tg_newtuple);
}

PG_FUNCTION_INFO_V1(catalyst_position_close_roll_up);
Datum
catalyst_position_close_roll_up(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = check_row_trigger(fcinfo, "position_close_roll_up", false);
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	HeapTuple	before = trigdata->tg_trigtuple;

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		if (!catalyst_restoring() && is_closed(before, desc))
		{
			catalyst_metrics_add_close(before, desc);
			write_close_event(trigdata->tg_relation, NULL, before);
		}
	}
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		if (is_closed(before, desc))
			catalyst_metrics_mark_position(before, desc);
	}
	else
	{
		HeapTuple	after = trigdata->tg_newtuple;
		bool		was_closed = is_closed(before, desc);
		bool		now_closed = is_closed(after, desc);

		if (now_closed && !was_closed)
		{
			catalyst_metrics_add_close(after, desc);
			write_close_event(trigdata->tg_relation, before, after);
		}
		else if (was_closed && !now_closed)
			catalyst_metrics_mark_position(before, desc);
		else if (was_closed && catalyst_metrics_trade_changed(before, after, desc))
		{
			catalyst_metrics_mark_position(before, desc);
			catalyst_metrics_mark_position(after, desc);
		}
	}
	return PointerGetDatum(NULL);
}
