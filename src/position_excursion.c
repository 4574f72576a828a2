/*
 * position_excursion.c: a position's excursions (MAE/MFE) and its stop.
 *
 * position_excursion(), BEFORE INSERT OR UPDATE OF unrealized_pnl, max_profit, max_loss,
 * stop_loss, initial_stop_loss, status on positions (after position_close_before, which derives a
 * close's realized_pnl: triggers fire in name order):
 *
 *   max_profit = the highest of 0, the previous max_profit and every unrealized_pnl written while
 *                the position is open, and the realized P&L at the close;
 *   max_loss   = the lowest of the same (<= 0).
 *
 * That is QuantConnect Lean's MFE and MAE (TradeBuilder: MaxPrice and MinPrice start at the entry
 * fill, move with every market price and fill, and the trade's excursions are (MaxPrice - entry)
 * and (MinPrice - entry) times the quantity, signed by side), with the marks catalyst gets: the
 * unrealized P&L the engine writes and the exit.  A position with no mark keeps NULL.  Once
 * closed, a position's excursions are final: an UPDATE that changes unrealized_pnl, max_profit
 * or max_loss of a closed position (and leaves it closed) is refused (SQLSTATE 55000).
 *
 *   initial_stop_loss = the first stop the position had; a position from before 4.2 takes the
 *                       stop it had when first written under 4.2.  It never changes afterwards
 *                       (55000).
 *
 * position_stop_change(), AFTER INSERT OR UPDATE OF stop_loss: one stop_changes row for a
 * position inserted with a stop and one per change, written as the table's owner.
 *
 * A restore (catalyst_restoring()) brings rows and logs as they were: both leave them alone.
 */
#include "postgres.h"

#include "columns.h"
#include "restore.h"
#include "row_trigger.h"
#include "run_as_owner.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/rel.h"

typedef enum ExcursionColumn
{
	X_POSITION_ID,
	X_CYCLE_ID,
	X_STATUS,
	X_UNREALIZED_PNL,
	X_REALIZED_PNL,
	X_MAX_PROFIT,
	X_MAX_LOSS,
	X_STOP_LOSS,
	X_INITIAL_STOP_LOSS,
	N_EXCURSION_COLUMNS
} ExcursionColumn;

static const char *const excursion_columns[N_EXCURSION_COLUMNS] = {
	"position_id", "cycle_id", "status", "unrealized_pnl", "realized_pnl", "max_profit", "max_loss",
	"stop_loss", "initial_stop_loss",
};

static const Oid excursion_types[N_EXCURSION_COLUMNS] = {
	INT4OID, VARCHAROID, VARCHAROID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
	NUMERICOID,
};

static int	excursion_attnums[N_EXCURSION_COLUMNS];

static SPIPlanPtr insert_stop_change_plan = NULL;

/* A row's values of the columns above */
typedef struct Row
{
	Datum		values[N_EXCURSION_COLUMNS];
	bool		nulls[N_EXCURSION_COLUMNS];
} Row;

static int
column(TupleDesc desc, ExcursionColumn c)
{
	return catalyst_column(desc, excursion_columns[c], excursion_types[c], &excursion_attnums[c]);
}

static void
read_row(HeapTuple tuple, TupleDesc desc, Row *row)
{
	for (int c = 0; c < N_EXCURSION_COLUMNS; c++)
		row->values[c] = heap_getattr(tuple, column(desc, c), desc, &row->nulls[c]);
}

static bool
is_closed(const Row *row)
{
	return !row->nulls[X_STATUS] && strcmp(TextDatumGetCString(row->values[X_STATUS]),
										   "closed") == 0;
}

static bool
same_value(const Row *a, const Row *b, ExcursionColumn c)
{
	if (a->nulls[c] || b->nulls[c])
		return a->nulls[c] == b->nulls[c];
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a->values[c], b->values[c])) == 0;
}

/* An extreme so far: *acc NULL (none) or the greater (sign 1) or lesser (-1) with `value` */
static void
fold(Datum *acc, bool *acc_null, Datum value, bool value_null, int sign)
{
	if (value_null || numeric_is_nan(DatumGetNumeric(value)))
		return;
	if (*acc_null ||
		sign * DatumGetInt32(DirectFunctionCall2(numeric_cmp, value, *acc)) > 0)
	{
		*acc = value;
		*acc_null = false;
	}
}

/* The realized P&L at a close is a mark too, if it fits max_profit's DECIMAL(12,2) */
static bool
fits_excursion(Datum value)
{
	Datum		limit = NumericGetDatum(int64_to_numeric(INT64CONST(10000000000)));

	return DatumGetBool(DirectFunctionCall2(numeric_lt,
											DirectFunctionCall1(numeric_abs, value), limit));
}

/* A value as its column stores it (0 as 0.00 in a DECIMAL(12,2)) */
static Datum
fit_column(TupleDesc desc, int attnum, Datum value)
{
	return DirectFunctionCall2(numeric, value,
							   Int32GetDatum(TupleDescAttr(desc, attnum - 1)->atttypmod));
}

/* SQL-callable functions */

PG_FUNCTION_INFO_V1(catalyst_position_excursion);
Datum
catalyst_position_excursion(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = catalyst_row_trigger(fcinfo, "position_excursion", true, false);
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	bool		inserting = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	HeapTuple	tuple = inserting ? trigdata->tg_trigtuple : trigdata->tg_newtuple;
	Row			new;
	Row			old;
	bool		closing;
	Datum		mfe = (Datum) 0;
	Datum		mae = (Datum) 0;
	bool		mfe_null = true;
	bool		mae_null = true;
	int			cols[3];
	Datum		values[3];
	bool		nulls[3];

	if (catalyst_restoring())
		return PointerGetDatum(tuple);
	read_row(tuple, desc, &new);
	if (!inserting)
		read_row(trigdata->tg_trigtuple, desc, &old);
	closing = is_closed(&new) && (inserting || !is_closed(&old));

	if (!inserting && is_closed(&old) && is_closed(&new) &&
		!(same_value(&old, &new, X_UNREALIZED_PNL) && same_value(&old, &new, X_MAX_PROFIT) &&
		  same_value(&old, &new, X_MAX_LOSS)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("position %d is closed: its unrealized P&L and excursions are final",
						DatumGetInt32(new.values[X_POSITION_ID])),
				 errdetail("The UPDATE changes unrealized_pnl, max_profit or max_loss of a closed "
						   "position."),
				 errhint("Mark open positions only; reopen a position (status 'open') to correct "
						 "it.")));

	if (!inserting && !old.nulls[X_INITIAL_STOP_LOSS] &&
		!same_value(&old, &new, X_INITIAL_STOP_LOSS))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("position %d keeps its initial stop",
						DatumGetInt32(new.values[X_POSITION_ID])),
				 errdetail("initial_stop_loss is %s; it never changes.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   old.values[X_INITIAL_STOP_LOSS]))),
				 errhint("Move the stop with stop_loss; catalyst.stop_changes logs each change.")));

	/* the excursions: every mark so far, 0 (the entry) included once there is one */
	if (!inserting)
	{
		fold(&mfe, &mfe_null, old.values[X_MAX_PROFIT], old.nulls[X_MAX_PROFIT], 1);
		fold(&mae, &mae_null, old.values[X_MAX_LOSS], old.nulls[X_MAX_LOSS], -1);
	}
	fold(&mfe, &mfe_null, new.values[X_MAX_PROFIT], new.nulls[X_MAX_PROFIT], 1);
	fold(&mae, &mae_null, new.values[X_MAX_LOSS], new.nulls[X_MAX_LOSS], -1);
	if (!is_closed(&new) || closing)
	{
		fold(&mfe, &mfe_null, new.values[X_UNREALIZED_PNL], new.nulls[X_UNREALIZED_PNL], 1);
		fold(&mae, &mae_null, new.values[X_UNREALIZED_PNL], new.nulls[X_UNREALIZED_PNL], -1);
	}
	if (closing && !new.nulls[X_REALIZED_PNL] && fits_excursion(new.values[X_REALIZED_PNL]))
	{
		fold(&mfe, &mfe_null, new.values[X_REALIZED_PNL], false, 1);
		fold(&mae, &mae_null, new.values[X_REALIZED_PNL], false, -1);
	}
	if (!mfe_null || !mae_null)
	{
		Datum		zero = NumericGetDatum(int64_to_numeric(0));

		fold(&mfe, &mfe_null, zero, false, 1);
		fold(&mae, &mae_null, zero, false, -1);
	}

	cols[0] = column(desc, X_MAX_PROFIT);
	values[0] = mfe_null ? (Datum) 0 : fit_column(desc, cols[0], mfe);
	nulls[0] = mfe_null;
	cols[1] = column(desc, X_MAX_LOSS);
	values[1] = mae_null ? (Datum) 0 : fit_column(desc, cols[1], mae);
	nulls[1] = mae_null;
	/* the initial stop: the one given, else the stop before this UPDATE, else the new one */
	cols[2] = column(desc, X_INITIAL_STOP_LOSS);
	values[2] = new.values[X_INITIAL_STOP_LOSS];
	nulls[2] = new.nulls[X_INITIAL_STOP_LOSS];
	if (nulls[2] && !inserting && !old.nulls[X_STOP_LOSS])
	{
		values[2] = old.values[X_STOP_LOSS];
		nulls[2] = false;
	}
	if (nulls[2])
	{
		values[2] = new.values[X_STOP_LOSS];
		nulls[2] = new.nulls[X_STOP_LOSS];
	}
	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, desc, 3, cols, values, nulls));
}

PG_FUNCTION_INFO_V1(catalyst_position_stop_change);
Datum
catalyst_position_stop_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = catalyst_row_trigger(fcinfo, "position_stop_change", false, false);
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	bool		inserting = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	Row			new;
	Row			old;
	Oid			argtypes[5] = {INT4OID, VARCHAROID, NUMERICOID, NUMERICOID, NAMEOID};
	Datum		values[5];
	char		nulls[6] = "     ";

	if (catalyst_restoring())
		return PointerGetDatum(NULL);
	read_row(inserting ? trigdata->tg_trigtuple : trigdata->tg_newtuple, desc, &new);
	if (inserting)
	{
		if (new.nulls[X_STOP_LOSS])
			return PointerGetDatum(NULL);
		old.nulls[X_STOP_LOSS] = true;
		old.values[X_STOP_LOSS] = (Datum) 0;
	}
	else
	{
		read_row(trigdata->tg_trigtuple, desc, &old);
		if (same_value(&old, &new, X_STOP_LOSS))
			return PointerGetDatum(NULL);
	}

	values[0] = new.values[X_POSITION_ID];
	values[1] = new.values[X_CYCLE_ID];
	values[2] = old.values[X_STOP_LOSS];
	nulls[2] = old.nulls[X_STOP_LOSS] ? 'n' : ' ';
	values[3] = new.values[X_STOP_LOSS];
	nulls[3] = new.nulls[X_STOP_LOSS] ? 'n' : ' ';
	values[4] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetOuterUserId(),
																			  false)));
	catalyst_exec_as_owner("stop_changes", &insert_stop_change_plan,
						   "INSERT INTO catalyst.stop_changes (position_id, cycle_id,"
						   " old_stop_loss, new_stop_loss, changed_by) VALUES ($1, $2, $3, $4, $5)",
						   5, argtypes, values, nulls, SPI_OK_INSERT);
	return PointerGetDatum(NULL);
}
