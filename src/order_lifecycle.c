/*
 * order_lifecycle.c: the order life cycle, enforced and logged.
 *
 * order_lifecycle_check(), BEFORE INSERT OR UPDATE OF status on orders:
 *   an INSERT starts in 'pending' or 'submitted', or, the seed's way, in 'filled' with
 *   executed_quantity = quantity and executed_price set;
 *   an UPDATE may move pending -> submitted | cancelled | rejected,
 *   submitted -> partial | filled | cancelled | rejected, partial -> filled | cancelled;
 *   'partial' needs 0 < executed_quantity < quantity, 'filled' executed_quantity = quantity and
 *   executed_price (set by fills, or by hand the seed's way);
 *   entering 'submitted' without submitted_at stamps it with the transaction's start time.
 * Anything else is refused (SQLSTATE 55000) naming both states.
 *
 * order_lifecycle_record(), AFTER INSERT OR UPDATE OF status: one order_events row per insert and
 * per transition, written as the table's owner (no role may write the log itself).
 *
 * A restore (catalyst_restoring()) brings orders in any state with their events: both triggers
 * leave its rows alone.
 */
#include "postgres.h"

#include "order_lifecycle.h"
#include "columns.h"
#include "restore.h"
#include "row_trigger.h"
#include "run_as_owner.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

typedef enum OrderColumn
{
	O_ORDER_ID,
	O_CYCLE_ID,
	O_STATUS,
	O_QUANTITY,
	O_EXECUTED_QUANTITY,
	O_EXECUTED_PRICE,
	O_SUBMITTED_AT,
	O_REJECT_REASON,
	N_ORDER_COLUMNS
} OrderColumn;

static const char *const order_columns[N_ORDER_COLUMNS] = {
	"order_id", "cycle_id", "status", "quantity", "executed_quantity", "executed_price",
	"submitted_at", "reject_reason",
};

static const Oid order_types[N_ORDER_COLUMNS] = {
	VARCHAROID, VARCHAROID, VARCHAROID, INT4OID, INT4OID, NUMERICOID, TIMESTAMPTZOID, VARCHAROID,
};

static int	order_attnums[N_ORDER_COLUMNS];

/* see catalyst_order_event_reason(); kept in TopMemoryContext */
static char *event_reason = NULL;

static SPIPlanPtr insert_event_plan = NULL;

static int
column(TupleDesc desc, OrderColumn c)
{
	return catalyst_column(desc, order_columns[c], order_types[c], &order_attnums[c]);
}

static Datum
value_of(HeapTuple tuple, TupleDesc desc, OrderColumn c, bool *isnull)
{
	return heap_getattr(tuple, column(desc, c), desc, isnull);
}

static char *
text_of(HeapTuple tuple, TupleDesc desc, OrderColumn c)
{
	bool		isnull;
	Datum		value = value_of(tuple, desc, c, &isnull);

	return isnull ? NULL : TextDatumGetCString(value);
}

void
catalyst_order_event_reason(const char *reason)
{
	if (event_reason)
		pfree(event_reason);
	event_reason = reason ? MemoryContextStrdup(TopMemoryContext, reason) : NULL;
}

/* Whether `status` is one of orders_status_check's */
static bool
known_status(const char *status)
{
	static const char *const statuses[] = {
		"pending", "submitted", "partial", "filled", "cancelled", "rejected",
	};

	for (size_t i = 0; i < lengthof(statuses); i++)
		if (strcmp(statuses[i], status) == 0)
			return true;
	return false;
}

/* Whether an order may move from `from` to `to` */
static bool
transition_allowed(const char *from, const char *to)
{
	static const char *const allowed[][2] = {
		{"pending", "submitted"}, {"pending", "cancelled"}, {"pending", "rejected"},
		{"submitted", "partial"}, {"submitted", "filled"}, {"submitted", "cancelled"},
		{"submitted", "rejected"},
		{"partial", "filled"}, {"partial", "cancelled"},
	};

	for (size_t i = 0; i < lengthof(allowed); i++)
		if (strcmp(allowed[i][0], from) == 0 && strcmp(allowed[i][1], to) == 0)
			return true;
	return false;
}

static void
refuse_transition(const char *order_id, const char *from, const char *to, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 from ? errmsg("order \"%s\" cannot go from '%s' to '%s'", order_id, from, to)
			 : errmsg("order \"%s\" cannot be inserted as '%s'", order_id, to),
			 errdetail("%s", detail),
			 errhint("An order moves pending -> submitted | cancelled | rejected, submitted -> "
					 "partial | filled | cancelled | rejected, partial -> filled | cancelled; "
					 "fills move it to partial and filled (catalyst.record_fill).")));
}

/*
 * The executed quantity a status needs: 'partial' 0 < executed_quantity < quantity, 'filled'
 * executed_quantity = quantity with an executed_price.
 */
static void
check_execution(HeapTuple order, TupleDesc desc, const char *order_id, const char *from,
				const char *to)
{
	bool		qnull;
	bool		pnull;
	int32		quantity = DatumGetInt32(value_of(order, desc, O_QUANTITY, &qnull));
	Datum		executed = value_of(order, desc, O_EXECUTED_QUANTITY, &qnull);
	int32		executed_quantity = qnull ? 0 : DatumGetInt32(executed);

	(void) value_of(order, desc, O_EXECUTED_PRICE, &pnull);
	if (strcmp(to, "filled") == 0 && (executed_quantity != quantity || pnull))
		refuse_transition(order_id, from, to,
						  psprintf("'filled' needs executed_quantity = quantity (%d) and an "
								   "executed_price; the order has executed_quantity %s%s.",
								   quantity, qnull ? "NULL" : psprintf("%d", executed_quantity),
								   pnull ? " and no executed_price" : ""));
	if (strcmp(to, "partial") == 0 && (executed_quantity <= 0 || executed_quantity >= quantity))
		refuse_transition(order_id, from, to,
						  psprintf("'partial' needs 0 < executed_quantity < quantity (%d); the "
								   "order has executed_quantity %s.",
								   quantity, qnull ? "NULL" : psprintf("%d", executed_quantity)));
}

/* SQL-callable functions */

PG_FUNCTION_INFO_V1(catalyst_order_lifecycle_check);
Datum
catalyst_order_lifecycle_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = catalyst_row_trigger(fcinfo, "order_lifecycle_check", true, false);
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	bool		inserting = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	HeapTuple	order = inserting ? trigdata->tg_trigtuple : trigdata->tg_newtuple;
	char	   *to;
	char	   *from = NULL;
	char	   *order_id;
	bool		isnull;

	if (catalyst_restoring())
		return PointerGetDatum(order);
	to = text_of(order, desc, O_STATUS);
	order_id = text_of(order, desc, O_ORDER_ID);
	/*
	 * NULL status or order_id, or a status that is none of the six: the table's NOT NULL and CHECK
	 * constraints refuse the row, named, after this trigger
	 */
	if (to == NULL || order_id == NULL || !known_status(to))
		return PointerGetDatum(order);

	if (inserting)
	{
		if (strcmp(to, "filled") == 0)
			check_execution(order, desc, order_id, NULL, to);
		else if (strcmp(to, "pending") != 0 && strcmp(to, "submitted") != 0)
			refuse_transition(order_id, NULL, to,
							  "An order is inserted as 'pending' or 'submitted', or as 'filled' "
							  "with its executed columns set (the seed's way).");
	}
	else
	{
		from = text_of(trigdata->tg_trigtuple, desc, O_STATUS);
		if (strcmp(from, to) == 0)
			return PointerGetDatum(order);
		if (!transition_allowed(from, to))
			refuse_transition(order_id, from, to,
							  psprintf("'%s' -> '%s' is not a transition of the order life cycle.",
									   from, to));
		check_execution(order, desc, order_id, from, to);
	}

	(void) value_of(order, desc, O_SUBMITTED_AT, &isnull);
	if (strcmp(to, "submitted") == 0 && isnull)
	{
		int			attnum = column(desc, O_SUBMITTED_AT);
		Datum		now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		bool		nonull = false;

		order = heap_modify_tuple_by_cols(order, desc, 1, &attnum, &now, &nonull);
	}
	return PointerGetDatum(order);
}

PG_FUNCTION_INFO_V1(catalyst_order_lifecycle_record);
Datum
catalyst_order_lifecycle_record(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = catalyst_row_trigger(fcinfo, "order_lifecycle_record", false, false);
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	bool		inserting = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	HeapTuple	order = inserting ? trigdata->tg_trigtuple : trigdata->tg_newtuple;
	char	   *from = inserting ? NULL : text_of(trigdata->tg_trigtuple, desc, O_STATUS);
	char	   *to = text_of(order, desc, O_STATUS);
	const char *reason = event_reason;
	Oid			argtypes[6] = {VARCHAROID, VARCHAROID, VARCHAROID, VARCHAROID, NAMEOID, TEXTOID};
	Datum		values[6];
	char		nulls[7] = "      ";

	if (catalyst_restoring() || (from && strcmp(from, to) == 0))
		return PointerGetDatum(NULL);

	if (reason == NULL && (strcmp(to, "cancelled") == 0 || strcmp(to, "rejected") == 0))
		reason = text_of(order, desc, O_REJECT_REASON);

	values[0] = CStringGetTextDatum(text_of(order, desc, O_ORDER_ID));
	values[1] = CStringGetTextDatum(text_of(order, desc, O_CYCLE_ID));
	values[2] = from ? CStringGetTextDatum(from) : (Datum) 0;
	nulls[2] = from ? ' ' : 'n';
	values[3] = CStringGetTextDatum(to);
	values[4] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetOuterUserId(),
																			  false)));
	values[5] = reason ? CStringGetTextDatum(reason) : (Datum) 0;
	nulls[5] = reason ? ' ' : 'n';
	catalyst_exec_as_owner("order_events", &insert_event_plan,
						   "INSERT INTO catalyst.order_events (order_id, cycle_id, from_status,"
						   " to_status, changed_by, reason) VALUES ($1, $2, $3, $4, $5, $6)",
						   6, argtypes, values, nulls, SPI_OK_INSERT);
	return PointerGetDatum(NULL);
}
