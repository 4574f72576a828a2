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
 * writes none for it: its trigger on positions is audit_row_change('status', 'closed')): with
 * catalyst.audit on, its details carry the changed columns and the user besides the trade
 * (row_changes.c), so a close costs one audit_log row, not two.  The columns of positions read
 * here are found through position_columns.c.
 *
 * A restore (catalyst_restoring(), src/restore.c) inserts rows that already carry their P&L,
 * together with the metrics rows and audit events they produced: inserted rows are then left
 * alone.
 */
#include "postgres.h"

#include "audit_log.h"
#include "exit_fills.h"
#include "metrics.h"
#include "position_columns.h"
#include "restore.h"
#include "row_changes.h"
#include "row_trigger.h"

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
		Datum		limit = DirectFunctionCall3(numeric_in,
												CStringGetDatum(psprintf("1e%d",
																		 precision - scale)),
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
				 errmsg("position %d cannot be closed: its hold_duration is out of range",
						position_id),
				 errdetail("opened_at is %s and closed_at is %s; the time between them cannot be "
						   "represented.",
						   pstrdup(timestamptz_to_str(opened_at)),
						   pstrdup(timestamptz_to_str(closed_at))),
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
				 errhint("Set exit_price and closed_at in the same statement that sets status = "
						 "'closed'.")));
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
	int			cols[3] = {catalyst_position_column(desc, P_REALIZED_PNL),
						   catalyst_position_column(desc, P_PNL_PERCENT),
	catalyst_position_column(desc, P_HOLD_DURATION)};
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	bool		isnull;
	int32		position_id = DatumGetInt32(catalyst_position_value(position, desc, P_POSITION_ID,
																	&isnull));
	Datum		exit_price = catalyst_position_value(position, desc, P_EXIT_PRICE, &isnull);
	Datum		closed_at;
	Datum		entry_price;
	Datum		quantity;
	int32		qty;
	const int	required[] = {P_ENTRY_PRICE, P_SIDE, P_OPENED_AT, P_QUANTITY};
	Datum		proceeds;
	Datum		cost;
	Datum		gross;
	Datum		percent;

	require_close_value(isnull, position_id, "exit_price");
	closed_at = catalyst_position_value(position, desc, P_CLOSED_AT, &isnull);
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
		(void) catalyst_position_value(position, desc, required[i], &isnull);
		if (isnull)
			return position;
	}
	entry_price = catalyst_position_value(position, desc, P_ENTRY_PRICE, &isnull);
	if (numeric_is_nan(DatumGetNumeric(exit_price)) || numeric_is_nan(DatumGetNumeric(entry_price)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("position %d cannot be closed with a price that is not a number",
						position_id),
				 errhint("entry_price and exit_price must be numbers, not NaN.")));
	qty = DatumGetInt32(catalyst_position_value(position, desc, P_QUANTITY, &isnull));

	/*
	 * A price or quantity out of range breaks the table's CHECK constraints, which run after this
	 * trigger: leave the row as it is so that the constraint, named, rejects it, rather than
	 * dividing by zero or overflowing here (a negative exit_price at an entry of 0.01 would make
	 * pnl_percent overflow).
	 */
	if (qty <= 0 ||
		DatumGetBool(DirectFunctionCall2(numeric_le, entry_price,
										 NumericGetDatum(int64_to_numeric(0)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, exit_price,
										 NumericGetDatum(int64_to_numeric(0)))))
		return position;
	quantity = DirectFunctionCall1(int4_numeric, Int32GetDatum(qty));

	/* proceeds less cost: exit fills at their own prices, the rest at exit_price (exit_fills.c) */
	proceeds = catalyst_exit_proceeds(position, desc, exit_price, qty);
	cost = DirectFunctionCall2(numeric_mul, entry_price, quantity);
	if (catalyst_text_equals(catalyst_position_value(position, desc, P_SIDE, &isnull), "short"))
		gross = DirectFunctionCall2(numeric_sub, cost, proceeds);
	else
		gross = DirectFunctionCall2(numeric_sub, proceeds, cost);

	values[0] = fit_numeric_column(desc, cols[0], gross, position_id);
	percent = DirectFunctionCall2(numeric_mul, values[0], NumericGetDatum(int64_to_numeric(100)));
	values[1] = fit_numeric_column(desc, cols[1],
								   DirectFunctionCall2(numeric_div, percent,
													   DirectFunctionCall2(numeric_mul, entry_price,
																		   quantity)),
								   position_id);
	values[2] = hold_duration(position_id,
							  DatumGetTimestampTz(catalyst_position_value(position, desc,
																		  P_OPENED_AT, &isnull)),
							  DatumGetTimestampTz(closed_at));

	return heap_modify_tuple_by_cols(position, desc, 3, cols, values, nulls);
}

/* A reopened position has no realized P&L. */
static HeapTuple
clear_closed(HeapTuple position, TupleDesc desc)
{
	int			cols[3] = {catalyst_position_column(desc, P_REALIZED_PNL),
						   catalyst_position_column(desc, P_PNL_PERCENT),
	catalyst_position_column(desc, P_HOLD_DURATION)};
	Datum		values[3] = {0, 0, 0};
	bool		nulls[3] = {true, true, true};

	return heap_modify_tuple_by_cols(position, desc, 3, cols, values, nulls);
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
	catalyst_jsonb_push_key(&state, "symbol");
	value = catalyst_position_value(position, desc, P_SYMBOL, &isnull);
	push_text_value(&state, value, isnull);
	catalyst_jsonb_push_key(&state, "side");
	value = catalyst_position_value(position, desc, P_SIDE, &isnull);
	push_text_value(&state, value, isnull);
	catalyst_jsonb_push_key(&state, "pnl");
	value = catalyst_position_value(position, desc, P_REALIZED_PNL, &isnull);
	pnl.type = isnull ? jbvNull : jbvNumeric;
	if (!isnull)
		pnl.val.numeric = DatumGetNumeric(value);
	pushJsonbValue(&state, WJB_VALUE, &pnl);
	catalyst_jsonb_push_key(&state, "close_reason");
	value = catalyst_position_value(position, desc, P_CLOSE_REASON, &isnull);
	push_text_value(&state, value, isnull);
	if (before)
		catalyst_push_update_audit(&state, rel, before, position);
	object = pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	event.cycle_id = TextDatumGetCString(catalyst_position_value(position, desc, P_CYCLE_ID,
																 &isnull));
	event.event_type = "position_closed";
	event.event_category = "trading";
	event.entity_type = "position";
	value = catalyst_position_value(position, desc, P_POSITION_ID, &isnull);
	event.entity_id = DatumGetCString(DirectFunctionCall1(int4out, value));
	event.details = JsonbValueToJsonb(object);
	catalyst_audit_event(&event);
}

/* SQL-callable functions */

PG_FUNCTION_INFO_V1(catalyst_position_close_derive);
Datum
catalyst_position_close_derive(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = catalyst_row_trigger(fcinfo, "position_close_derive", true, false);
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		HeapTuple	position = trigdata->tg_trigtuple;

		if (!catalyst_restoring() && catalyst_position_is_closed(position, desc))
			position = derive_closed(position, desc);
		return PointerGetDatum(position);
	}

	if (catalyst_position_is_closed(trigdata->tg_newtuple, desc))
		return PointerGetDatum(derive_closed(trigdata->tg_newtuple, desc));
	if (catalyst_position_is_closed(trigdata->tg_trigtuple, desc))
		return PointerGetDatum(clear_closed(trigdata->tg_newtuple, desc));
	return PointerGetDatum(trigdata->tg_newtuple);
}

PG_FUNCTION_INFO_V1(catalyst_position_close_roll_up);
Datum
catalyst_position_close_roll_up(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = catalyst_row_trigger(fcinfo, "position_close_roll_up", false, true);
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	HeapTuple	before = trigdata->tg_trigtuple;

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		if (!catalyst_restoring() && catalyst_position_is_closed(before, desc))
		{
			catalyst_metrics_add_close(before, desc);
			write_close_event(trigdata->tg_relation, NULL, before);
		}
	}
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		if (catalyst_position_is_closed(before, desc))
			catalyst_metrics_mark_position(before, desc);
	}
	else
	{
		HeapTuple	after = trigdata->tg_newtuple;
		bool		was_closed = catalyst_position_is_closed(before, desc);
		bool		now_closed = catalyst_position_is_closed(after, desc);

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
