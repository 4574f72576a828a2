/*
 * metrics.c: the performance_metrics roll-up: what a statement hands it, the fold lock, and the
 * SQL-callable functions (doc/metrics.md).
 *
 * The row triggers of positions hand over each close (catalyst_metrics_add_close) and mark the
 * days of corrected, reopened or deleted closed positions (catalyst_metrics_mark_position); the
 * triggers of orders mark the days of the closed positions whose commission changed or whose
 * order was deleted.  Nothing is locked or written then but the close's two orders, locked FOR
 * SHARE while their commissions are read: a concurrent commission change then either waits for
 * the close to commit (and then sees its position closed) or commits first (and the close reads
 * the new commission).
 *
 * When the statement ends (the AFTER ... FOR EACH STATEMENT triggers), each (cycle, trading date)
 * it touched, in (cycle_id, date) order, is folded by metrics_fold.c if this transaction gets
 * the day's fold lock without waiting, and otherwise left in metrics_pending for whoever folds
 * next.  The fold lock is an advisory lock held to the end of the transaction: a close never
 * waits for it, so no close waits for another's commit; only update_performance_metrics() waits
 * for it.  Under REPEATABLE READ or SERIALIZABLE a statement only leaves its closes pending (its
 * snapshot may predate another fold).  Reads merge what is pending (catalyst_metrics_day, the
 * second half of the view performance_metrics, and performance()), so every read is exact.
 *
 * A database still at 4.1 (no metrics_pending: performance_metrics is a table) gets the 4.1
 * roll-up instead, from the same hand-over: each day a statement touched is recomputed at its
 * end by metrics_v41.c.  The SQL functions the 4.1 script binds route to the same code with
 * `v41` set.
 */
#include "postgres.h"

#include "catalyst.h"
#include "metrics.h"
#include "columns.h"
#include "metrics_fold.h"
#include "metrics_state.h"
#include "metrics_v41.h"
#include "order_commission.h"
#include "run_as_owner.h"
#include "spi_util.h"
#include "trading_day.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

/*
 * The columns of a position the roll-up depends on.  A closed position whose values in any of
 * them change must have its day recomputed.
 */
enum
{
	T_CYCLE_ID,
	T_CLOSED_AT,
	T_POSITION_ID,
	T_REALIZED_PNL,
	T_PNL_PERCENT,
	T_HOLD_DURATION,
	T_QUANTITY,
	T_ENTRY_ORDER_ID,
	T_EXIT_ORDER_ID,
	T_MAX_LOSS,
	T_MAX_PROFIT,
	T_ENTRY_PRICE,
	T_INITIAL_STOP_LOSS,		/* 4.2: absent from a 4.1 schema's positions (read as NULL) */
	N_TRADE_COLUMNS
};

static const char *const trade_columns[N_TRADE_COLUMNS] = {
	"cycle_id", "closed_at", "position_id", "realized_pnl", "pnl_percent", "hold_duration",
	"quantity", "entry_order_id", "exit_order_id", "max_loss", "max_profit", "entry_price",
	"initial_stop_loss",
};

static const Oid trade_types[N_TRADE_COLUMNS] = {
	VARCHAROID, TIMESTAMPTZOID, INT4OID, NUMERICOID, NUMERICOID, INTERVALOID, INT4OID, VARCHAROID,
	VARCHAROID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
};

static int	trade_attnums[N_TRADE_COLUMNS];

/*
 * The attribute number of trade column i, 0 for initial_stop_loss in a 4.1 schema (looked up by
 * name only when the remembered number does not name it).
 */
static int
trade_column(TupleDesc desc, int i)
{
	static int	stop_present = 0;

	/* a 4.1 schema has no initial_stop_loss */
	if (i == T_INITIAL_STOP_LOSS &&
		catalyst_optional_column(desc, trade_columns[i], InvalidOid, &stop_present) == 0)
		return 0;
	return catalyst_column(desc, trade_columns[i], trade_types[i], &trade_attnums[i]);
}

/* Read the trade columns of a position; false if it has no closed_at. */
static bool
read_trade_columns(HeapTuple position, TupleDesc desc, Datum *values, bool *nulls)
{
	for (int i = 0; i < N_TRADE_COLUMNS; i++)
	{
		int			attnum = trade_column(desc, i);

		values[i] = attnum > 0 ? heap_getattr(position, attnum, desc, &nulls[i]) : (Datum) 0;
		if (attnum <= 0)
			nulls[i] = true;
	}
	return !nulls[T_CLOSED_AT];
}

/*
 * Whether a column has different values in two versions of a row.  Binary images: equal images
 * are equal values; anything else counts as a change (at worst, one recompute too many).
 */
static bool
column_changed(HeapTuple before, HeapTuple after, TupleDesc desc, int attnum)
{
	Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
	bool		old_null;
	bool		new_null;
	Datum		old_value = heap_getattr(before, attnum, desc, &old_null);
	Datum		new_value = heap_getattr(after, attnum, desc, &new_null);

	if (old_null || new_null)
		return old_null != new_null;
	return !datum_image_eq(old_value, new_value, att->attbyval, att->attlen);
}

/* Whether any value the roll-up reads differs between two versions of a position. */
bool
catalyst_metrics_trade_changed(HeapTuple before, HeapTuple after, TupleDesc desc)
{
	for (int i = 0; i < N_TRADE_COLUMNS; i++)
	{
		int			attnum = trade_column(desc, i);

		if (attnum > 0 && column_changed(before, after, desc, attnum))
			return true;
	}
	return false;
}

/* The days (of any cycle) on which the positions using an order ($1) closed. */
static const char order_days_sql[] =
	"SELECT p.cycle_id, p.closed_at FROM catalyst.positions p"
	" WHERE p.status" OP("=") "'closed'"
	"   AND (p.entry_order_id" OP("=") "$1 OR p.exit_order_id" OP("=") "$1)"
	" UNION ALL "
	"SELECT a.cycle_id, a.closed_at FROM catalyst.positions_archive a"
	" WHERE a.status" OP("=") "'closed'"
	"   AND (a.entry_order_id" OP("=") "$1 OR a.exit_order_id" OP("=") "$1)";

/* Every day the roll-up keeps (after TRUNCATE positions). */
static const char every_day_sql[] =
	"SELECT m.cycle_id, m.metric_date FROM catalyst.metrics_days m"
	" UNION SELECT q.cycle_id, q.metric_date FROM catalyst.metrics_pending q";

static SPIPlanPtr every_day_plan = NULL;
static SPIPlanPtr every_day_v41_plan = NULL;
static SPIPlanPtr order_days_plan = NULL;

/*
 * The work a statement hands over, per (cycle, trading date): a hash in a context of its own
 * under TopTransactionContext, freed when the statement ends and forgotten when the
 * transaction ends.
 */
#define WORK_CYCLE_ID_BYTES 128

typedef struct WorkKey
{
	DateADT		day;
	char		cycle_id[WORK_CYCLE_ID_BYTES];	/* NUL-padded: the whole struct is the key */
} WorkKey;

typedef struct DayWork
{
	WorkKey		key;
	List	   *closes;			/* HandedClose *, in work_context */
	bool		recompute;
	SubTransactionId recompute_subid;	/* the subtransaction that marked the day */
} DayWork;

/*
 * A close handed over, with the subtransaction it happened in (the trade first: a
 * CatalystTrade *)
 */
typedef struct HandedClose
{
	CatalystTrade trade;
	SubTransactionId subid;
} HandedClose;

static HTAB *work = NULL;
static MemoryContext work_context = NULL;	/* the hash and its lists: freed once processed */
static bool xact_callback_registered = false;

/*
 * A subtransaction that aborts takes back what its statements handed over (a failed statement
 * whose row triggers ran, a savepoint rolled back): its closes and its marks.
 */
static void
forget_subtransaction_work(SubXactEvent event, SubTransactionId subid, SubTransactionId parent,
						   void *arg)
{
	HASH_SEQ_STATUS seq;
	DayWork    *entry;

	if (event != SUBXACT_EVENT_ABORT_SUB || work == NULL)
		return;
	hash_seq_init(&seq, work);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		List	   *kept = NIL;
		ListCell   *lc;
		MemoryContext old = MemoryContextSwitchTo(work_context);

		foreach(lc, entry->closes)
			if (((HandedClose *) lfirst(lc))->subid < subid)
				kept = lappend(kept, lfirst(lc));
		MemoryContextSwitchTo(old);
		entry->closes = kept;
		if (entry->recompute && entry->recompute_subid >= subid)
			entry->recompute = false;
	}
}

static void
forget_work(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* the hash lived in TopTransactionContext, which is going away */
			work = NULL;
			work_context = NULL;
			break;
		default:
			break;
	}
}

/* Whether the database's catalyst schema is still at 4.1: 4.2 added metrics_pending. */
static bool
schema_is_v41(void)
{
	Oid			nsp = get_namespace_oid(CATALYST_SCHEMA, false);

	return !OidIsValid(get_relname_relid("metrics_pending", nsp));
}

/*
 * A function bound by the 4.1 script (`v41`) or the 4.2 one serves the schema of its version
 * only: one bound by the other version's script means a schema halfway through an update.
 */
static void
require_rollup_schema(const char *function, bool v41)
{
	if (schema_is_v41() != v41)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("catalyst function %s() is bound for the %s roll-up, but the catalyst"
				 " schema has the %s one",
						function, v41 ? "4.1" : "4.2", v41 ? "4.2" : "4.1"),
				 errhint("Check that ALTER EXTENSION catalyst UPDATE ran to its end in this"
				 " database.")));
}

/* The table the roll-up writes, whose owner it runs as */
static Oid
rollup_table(bool v41)
{
	return catalyst_relid(v41 ? CATALYST_V41_METRICS_TABLE : "metrics_days");
}

static DayWork *
day_work(const char *cycle_id, DateADT day)
{
	WorkKey		key;
	size_t		len = strlen(cycle_id);
	DayWork    *entry;
	bool		found;

	if (len >= WORK_CYCLE_ID_BYTES)
		elog(ERROR, "cycle_id of %zu bytes is longer than the roll-up supports", len);
	memset(&key, 0, sizeof(key));
	key.day = day;
	memcpy(key.cycle_id, cycle_id, len);
	if (work == NULL)
	{
		HASHCTL		ctl;

		if (!xact_callback_registered)
		{
			RegisterXactCallback(forget_work, NULL);
			RegisterSubXactCallback(forget_subtransaction_work, NULL);
			xact_callback_registered = true;
		}
		work_context = AllocSetContextCreate(TopTransactionContext, "catalyst metrics work",
											 ALLOCSET_SMALL_SIZES);
		ctl.keysize = sizeof(WorkKey);
		ctl.entrysize = sizeof(DayWork);
		ctl.hcxt = work_context;
		work = hash_create("catalyst metrics work", 16, &ctl,
						   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	entry = hash_search(work, &key, HASH_ENTER, &found);
	if (!found)
	{
		entry->closes = NIL;
		entry->recompute = false;
		entry->recompute_subid = InvalidSubTransactionId;
	}
	return entry;
}

static void
mark_day(const char *cycle_id, DateADT day)
{
	DayWork    *entry = day_work(cycle_id, day);

	/* the closes stay listed: the recompute counts them, unless a rollback takes the mark back */
	if (!entry->recompute)
	{
		entry->recompute = true;
		entry->recompute_subid = GetCurrentSubTransactionId();
	}
}

/* The fold lock of a day: advisory, (database, hash of cycle_id, date, 3) in pg_locks. */
static bool
lock_day(const char *cycle_id, DateADT day, bool wait)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId,
						 DatumGetUInt32(hash_any((const unsigned char *) cycle_id,
												 strlen(cycle_id))),
						 (uint32) day, 3);
	return LockAcquire(&tag, ExclusiveLock, false, !wait) != LOCKACQUIRE_NOT_AVAIL;
}

static int
compare_work(const void *a, const void *b)
{
	const DayWork *x = *(DayWork *const *) a;
	const DayWork *y = *(DayWork *const *) b;
	int			c = strcmp(x->key.cycle_id, y->key.cycle_id);

	if (c != 0)
		return c;
	return (x->key.day > y->key.day) - (x->key.day < y->key.day);
}

/*
 * Fold or leave pending every day the statement handed over, in (cycle_id, date) order; `v41`:
 * recompute each in the 4.1 table instead.  The caller is connected to SPI.
 */
static void
process_work(bool v41)
{
	MemoryContext per_day = AllocSetContextCreate(CurrentMemoryContext, "catalyst fold",
												  ALLOCSET_DEFAULT_SIZES);
	CatalystSavedUser saved;

	catalyst_become_owner(rollup_table(v41), &saved);
	while (work != NULL && hash_get_num_entries(work) > 0)
	{
		HTAB	   *days = work;
		MemoryContext days_context = work_context;
		long		n = hash_get_num_entries(days);
		DayWork   **sorted = palloc(n * sizeof(DayWork *));
		HASH_SEQ_STATUS seq;
		DayWork    *entry;
		long		i = 0;

		/* detached first: work handed over while folding goes into a new set */
		work = NULL;
		work_context = NULL;
		hash_seq_init(&seq, days);
		while ((entry = hash_seq_search(&seq)) != NULL)
			sorted[i++] = entry;
		qsort(sorted, n, sizeof(DayWork *), compare_work);
		for (i = 0; i < n; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(per_day);
			DayWork    *w = sorted[i];

			if (w->closes == NIL && !w->recompute)
				;				/* a rolled-back savepoint took it all back */
			else if (v41)
				catalyst_v41_recompute_day(w->key.cycle_id, w->key.day);
			else if (!IsolationUsesXactSnapshot() && lock_day(w->key.cycle_id, w->key.day, false))
				catalyst_fold_day(w->key.cycle_id, w->key.day, w->closes, w->recompute);
			else
				catalyst_pend_day(w->key.cycle_id, w->key.day, w->closes, w->recompute);
			MemoryContextSwitchTo(old);
			MemoryContextReset(per_day);
		}
		MemoryContextDelete(days_context);
	}
	catalyst_restore_user(&saved);
	MemoryContextDelete(per_day);
}

/*
 * Mark every day the roll-up keeps (after TRUNCATE positions), as seen in the latest snapshot:
 * under REPEATABLE READ the transaction's own would miss a day whose first close committed after
 * it began, and that day would keep trades that are gone.
 */
static void
mark_every_day(bool v41)
{
	SPIPlanPtr *kept = v41 ? &every_day_v41_plan : &every_day_plan;
	CatalystSavedUser saved;
	uint64		n;

	if (*kept == NULL)
		*kept = catalyst_keep_plan(v41 ? catalyst_v41_every_day_sql : every_day_sql, 0, NULL);
	catalyst_become_owner(rollup_table(v41), &saved);
	n = catalyst_spi_query_latest(*kept, NULL, NULL, 0);
	catalyst_restore_user(&saved);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		bool		isnull;
		Datum		day = SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull);

		mark_day(SPI_getvalue(row, SPI_tuptable->tupdesc, 1), DatumGetDateADT(day));
	}
}

/*
 * Mark the days of every closed position (or archived one) that uses order `order_id`.  The
 * positions are looked up in the latest snapshot: under REPEATABLE READ the transaction's own
 * would miss a close that committed after it began (the close's FOR SHARE lock on the order,
 * released at its commit, does not make the change's UPDATE fail), and that close's day would
 * keep the old commission.
 */
static void
mark_order_days(Datum order_id)
{
	Oid			argtype = TEXTOID;
	CatalystSavedUser saved;
	uint64		n;

	catalyst_spi_connect();
	if (order_days_plan == NULL)
		order_days_plan = catalyst_keep_plan(order_days_sql, 1, &argtype);
	catalyst_become_owner(catalyst_relid("positions"), &saved);
	n = catalyst_spi_query_latest(order_days_plan, &order_id, NULL, 0);
	catalyst_restore_user(&saved);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		bool		isnull;
		Datum		closed_at = SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull);

		if (!isnull)
			mark_day(SPI_getvalue(row, SPI_tuptable->tupdesc, 1),
					 catalyst_trading_date_of(DatumGetTimestampTz(closed_at)));
	}
	catalyst_spi_finish();
}

static Datum
copy_numeric(Datum value)
{
	return datumCopy(value, false, -1);
}

/*
 * catalyst.r_multiple() of a closed position (40-ledger.sql), in the current memory context:
 * (realized_pnl - commission) / (|entry_price - initial_stop_loss| * quantity), the same
 * numeric operations as the SQL function and the roll-up's derive; undefined without a P&L or
 * an initial stop, with the stop at the entry price, or (never, by the check) zero quantity.
 */
static Datum
r_multiple(const Datum *values, const bool *nulls, Datum commission, bool *defined)
{
	Datum		risk;

	*defined = false;
	if (nulls[T_REALIZED_PNL] || nulls[T_INITIAL_STOP_LOSS] || nulls[T_ENTRY_PRICE] ||
		nulls[T_QUANTITY] || DatumGetInt32(values[T_QUANTITY]) == 0 ||
		DatumGetBool(DirectFunctionCall2(numeric_eq, values[T_INITIAL_STOP_LOSS],
										 values[T_ENTRY_PRICE])))
		return (Datum) 0;
	risk = DirectFunctionCall1(numeric_abs, DirectFunctionCall2(numeric_sub, values[T_ENTRY_PRICE],
																values[T_INITIAL_STOP_LOSS]));
	risk = DirectFunctionCall2(numeric_mul, risk,
							   NumericGetDatum(int64_to_numeric(
								   DatumGetInt32(values[T_QUANTITY]))));
	*defined = true;
	return DirectFunctionCall2(numeric_div,
							   DirectFunctionCall2(numeric_sub, values[T_REALIZED_PNL], commission),
							   risk);
}

/*
 * A position has just closed: hand it over to the statement's end, with its orders'
 * commissions (the orders locked FOR SHARE).  A day marked for a recompute counts it anyway.
 */
void
catalyst_metrics_add_close(HeapTuple position, TupleDesc desc)
{
	Datum		values[N_TRADE_COLUMNS];
	bool		nulls[N_TRADE_COLUMNS];
	bool		order_nulls[2];
	Datum		orders[2];
	char	   *cycle_id;
	DateADT		day;
	DayWork    *entry;
	CatalystTrade *trade;
	HandedClose *handed;
	MemoryContext old;
	Datum		commission;

	if (!read_trade_columns(position, desc, values, nulls))
		return;
	day = catalyst_trading_date_of(DatumGetTimestampTz(values[T_CLOSED_AT]));
	cycle_id = TextDatumGetCString(values[T_CYCLE_ID]);
	entry = day_work(cycle_id, day);

	orders[0] = values[T_ENTRY_ORDER_ID];
	orders[1] = values[T_EXIT_ORDER_ID];
	order_nulls[0] = nulls[T_ENTRY_ORDER_ID];
	order_nulls[1] = nulls[T_EXIT_ORDER_ID];
	commission = catalyst_close_commission(orders, order_nulls);

	old = MemoryContextSwitchTo(work_context);
	handed = palloc(sizeof(HandedClose));
	handed->subid = GetCurrentSubTransactionId();
	trade = &handed->trade;
	trade->position_id = DatumGetInt32(values[T_POSITION_ID]);
	trade->closed_at = DatumGetTimestampTz(values[T_CLOSED_AT]);
	trade->quantity = DatumGetInt32(values[T_QUANTITY]);
	trade->realized_pnl = nulls[T_REALIZED_PNL] ? NumericGetDatum(int64_to_numeric(0)) :
		copy_numeric(values[T_REALIZED_PNL]);
	trade->pnl_percent = nulls[T_PNL_PERCENT] ? NumericGetDatum(int64_to_numeric(0)) :
		copy_numeric(values[T_PNL_PERCENT]);
	trade->hold_seconds = nulls[T_HOLD_DURATION] ? NumericGetDatum(int64_to_numeric(0)) :
		DirectFunctionCall2(extract_interval, CStringGetTextDatum("epoch"),
							values[T_HOLD_DURATION]);
	trade->commission = copy_numeric(commission);
	trade->has_mae = !nulls[T_MAX_LOSS];
	trade->mae = trade->has_mae ? copy_numeric(values[T_MAX_LOSS]) : (Datum) 0;
	trade->has_mfe = !nulls[T_MAX_PROFIT];
	trade->mfe = trade->has_mfe ? copy_numeric(values[T_MAX_PROFIT]) : (Datum) 0;
	trade->r = r_multiple(values, nulls, commission, &trade->has_r);
	entry->closes = lappend(entry->closes, handed);
	MemoryContextSwitchTo(old);
}

/* A closed position changed, was reopened or deleted: its day is derived anew at statement end. */
void
catalyst_metrics_mark_position(HeapTuple position, TupleDesc desc)
{
	Datum		values[N_TRADE_COLUMNS];
	bool		nulls[N_TRADE_COLUMNS];

	if (read_trade_columns(position, desc, values, nulls))
		mark_day(TextDatumGetCString(values[T_CYCLE_ID]),
				 catalyst_trading_date_of(DatumGetTimestampTz(values[T_CLOSED_AT])));
}

static void
check_statement_trigger(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be fired AFTER ... FOR EACH STATEMENT", name)));
}

/* A cycle_id argument: not NULL, and a cycle of trading_cycles (else P0002). */
static char *
existing_cycle(FunctionCallInfo fcinfo, const char *function)
{
	Oid			argtype = TEXTOID;
	Datum		cycle_id;
	CatalystSavedUser saved;
	uint64		found;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s() needs a cycle_id, not NULL", function),
				 errhint("The metrics are kept per cycle_id of catalyst.trading_cycles.")));
	cycle_id = PG_GETARG_DATUM(0);
	catalyst_spi_connect();
	catalyst_become_owner(catalyst_relid("trading_cycles"), &saved);
	found = catalyst_spi_exec_args("SELECT FROM catalyst.trading_cycles c"
								   " WHERE c.cycle_id" OP("=") "$1",
								   1, &argtype, &cycle_id, NULL, SPI_OK_SELECT, 1);
	catalyst_restore_user(&saved);
	catalyst_spi_finish();
	if (found == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("trading cycle \"%s\" does not exist", TextDatumGetCString(cycle_id)),
				 errhint("The metrics are kept per cycle_id of catalyst.trading_cycles.")));
	return TextDatumGetCString(cycle_id);
}

/*
 * update_performance_metrics(cycle_id, date): the day derived anew from its trades (the seed's
 * name, the reference the roll-up must equal).  It waits for the day's fold lock (4.1: for the
 * day's row lock).  Like the seed's, it leaves a row for the day even when the day has no trade.
 */
static Datum
recompute_performance_metrics(FunctionCallInfo fcinfo, bool v41)
{
	char	   *cycle_id;
	DateADT		day;
	CatalystSavedUser saved;

	require_rollup_schema("update_performance_metrics", v41);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("update_performance_metrics() needs a cycle_id and a date, not NULL"),
				 errhint("Call update_performance_metrics('cycle-id') for today's trading date, "
						 "or give the date as the second argument.")));
	day = PG_GETARG_DATEADT(1);
	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("update_performance_metrics() needs a finite date")));
	cycle_id = existing_cycle(fcinfo, "update_performance_metrics");

	if (v41)
	{
		/* 4.1 ran at any isolation level: the row lock makes a concurrent write an error */
		catalyst_spi_connect();
		catalyst_become_owner(rollup_table(true), &saved);
		catalyst_v41_recompute_day(cycle_id, day);
		catalyst_restore_user(&saved);
		catalyst_spi_finish();
		PG_RETURN_VOID();
	}
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("update_performance_metrics() must run in a READ COMMITTED transaction"),
				 errdetail("It rewrites the day from the latest committed trades, which a "
						   "REPEATABLE READ or SERIALIZABLE snapshot may not show."),
				 errhint("Run it in its own transaction at the default isolation level.")));
	lock_day(cycle_id, day, true);
	catalyst_spi_connect();
	catalyst_become_owner(rollup_table(false), &saved);
	catalyst_fold_day(cycle_id, day, NIL, true);
	catalyst_restore_user(&saved);
	catalyst_spi_finish();
	PG_RETURN_VOID();
}

/*
 * AFTER ... FOR EACH STATEMENT on positions and orders: fold, or leave pending, what the
 * statement's row triggers handed over (after TRUNCATE positions: every day derived anew);
 * 4.1: recompute each day in its table.
 */
static Datum
statement_end(FunctionCallInfo fcinfo, bool v41)
{
	bool		truncate;

	check_statement_trigger(fcinfo, "performance_metrics_recompute_marked");
	truncate = TRIGGER_FIRED_BY_TRUNCATE(((TriggerData *) fcinfo->context)->tg_event);
	if (work == NULL && !truncate)
		return PointerGetDatum(NULL);
	require_rollup_schema("performance_metrics_recompute_marked", v41);
	catalyst_spi_connect();
	if (truncate)
		mark_every_day(v41);
	process_work(v41);
	catalyst_spi_finish();
	return PointerGetDatum(NULL);
}

/*
 * AFTER UPDATE OF commission, order_id OR DELETE FOR EACH ROW on orders (4.1: UPDATE only): mark
 * the days of the closed positions (and archived ones) that use the order as their entry or
 * exit, when its commission or id changed or it was deleted.
 */
static Datum
order_marks(FunctionCallInfo fcinfo, bool v41)
{
	static int	order_id_attnum = 0;
	static int	commission_attnum = 0;
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	before;
	int			id;
	bool		isnull;
	Datum		order_id;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("order_commission_roll_up() must be fired AFTER UPDATE OR DELETE FOR EACH"
				 " ROW")));
	require_rollup_schema("order_commission_roll_up", v41);

	desc = RelationGetDescr(trigdata->tg_relation);
	before = trigdata->tg_trigtuple;
	id = catalyst_column(desc, "order_id", VARCHAROID, &order_id_attnum);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		HeapTuple	after = trigdata->tg_newtuple;
		bool		id_changed = column_changed(before, after, desc, id);

		if (!id_changed &&
			!column_changed(before, after, desc,
							catalyst_column(desc, "commission", NUMERICOID, &commission_attnum)))
			return PointerGetDatum(NULL);
		if (id_changed)
		{
			order_id = heap_getattr(after, id, desc, &isnull);
			if (!isnull)
				mark_order_days(order_id);
		}
	}
	order_id = heap_getattr(before, id, desc, &isnull);
	if (!isnull)
		mark_order_days(order_id);
	return PointerGetDatum(NULL);
}

/* A value for a column of `desc`, numeric ones rounded to their declared typmod. */
static Datum
fit_attribute(TupleDesc desc, int attnum, Datum value)
{
	Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);

	if (att->atttypid == NUMERICOID && att->atttypmod >= (int32) VARHDRSZ)
		return DirectFunctionCall2(numeric, value, Int32GetDatum(att->atttypmod));
	return value;
}

/* Set the summary and derived columns of a tuple of `desc` (found by name). */
static void
set_metrics(TupleDesc desc, const CatalystSummary *summary, Datum *values, bool *nulls)
{
	Datum		v[CATALYST_N_SUMMARY_COLUMNS + CATALYST_N_DERIVED_COLUMNS];
	char		n[CATALYST_N_SUMMARY_COLUMNS + CATALYST_N_DERIVED_COLUMNS];

	catalyst_summary_values(summary, v, n);
	catalyst_summary_derive(summary, v + CATALYST_N_SUMMARY_COLUMNS,
							n + CATALYST_N_SUMMARY_COLUMNS);
	for (int i = 0; i < CATALYST_N_SUMMARY_COLUMNS + CATALYST_N_DERIVED_COLUMNS; i++)
	{
		const char *name = i < CATALYST_N_SUMMARY_COLUMNS ? catalyst_summary_columns[i] :
			catalyst_derived_columns[i - CATALYST_N_SUMMARY_COLUMNS];
		int			cached = 0;
		int			attnum = catalyst_optional_column(desc, name, InvalidOid, &cached);

		if (attnum == 0)
			continue;			/* performance() has no state columns */
		nulls[attnum - 1] = n[i] == 'n';
		if (!nulls[attnum - 1])
			values[attnum - 1] = fit_attribute(desc, attnum, v[i]);
	}
}

/* A column of a function's result row, found by name (columns.c) and set */
static void
put_column(TupleDesc desc, const char *name, Datum value, Datum *values, bool *nulls)
{
	int			cached = 0;
	int			attnum = catalyst_column(desc, name, InvalidOid, &cached);

	values[attnum - 1] = value;
	nulls[attnum - 1] = false;
}

/* SQL-callable functions */

/*
 * metrics_day(cycle_id, date): the day's metrics_days row merged with the day's pending closes,
 * exact in the caller's snapshot (the second half of the view performance_metrics).
 */
PG_FUNCTION_INFO_V1(catalyst_metrics_day);
Datum
catalyst_metrics_day(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	CatalystSummary summary;
	HeapTuple	day_row;
	TupleDesc	day_desc;
	Datum	   *values;
	bool	   *nulls;
	CatalystSavedUser saved;
	char	   *cycle_id;
	HeapTupleHeader result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "metrics_day() must return a row");
	desc = BlessTupleDesc(desc);
	cycle_id = TextDatumGetCString(PG_GETARG_DATUM(0));

	catalyst_spi_connect();
	catalyst_become_owner(catalyst_relid("metrics_days"), &saved);
	catalyst_read_day(cycle_id, PG_GETARG_DATEADT(1), &summary, &day_row, &day_desc);
	catalyst_restore_user(&saved);

	values = palloc0(sizeof(Datum) * desc->natts);
	nulls = palloc(sizeof(bool) * desc->natts);
	if (day_row != NULL)
		heap_deform_tuple(day_row, day_desc, values, nulls);
	else
	{
		memset(nulls, true, sizeof(bool) * desc->natts);
		put_column(desc, "cycle_id", PG_GETARG_DATUM(0), values, nulls);
		put_column(desc, "metric_date", PG_GETARG_DATUM(1), values, nulls);
		/* what the first fold will write (metric_id is assigned then) */
		put_column(desc, "metadata", DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")),
				   values, nulls);
		put_column(desc, "created_at", TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
				   values, nulls);
		put_column(desc, "updated_at", TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
				   values, nulls);
	}
	set_metrics(desc, &summary, values, nulls);
	result = SPI_returntuple(heap_form_tuple(desc, values, nulls), desc);
	catalyst_spi_finish();
	PG_RETURN_HEAPTUPLEHEADER(result);
}

/*
 * performance(cycle_id, from, to): the metrics of every trade of the trading dates from..to
 * (inclusive; NULL: unbounded), in closed_at order across the days, merged from the days'
 * summaries: O(days).
 */
PG_FUNCTION_INFO_V1(catalyst_performance);
Datum
catalyst_performance(PG_FUNCTION_ARGS)
{
	static const char days_sql[] =
		"SELECT d.metric_date, d AS day_row,"
		"       EXISTS (SELECT FROM catalyst.metrics_pending q WHERE"
		" q.cycle_id" OP("=") "d.cycle_id"
		"                  AND q.metric_date" OP("=") "d.metric_date) AS pending"
		"  FROM catalyst.metrics_days d"
		" WHERE d.cycle_id" OP("=") "$1"
		"   AND ($2 IS NULL OR d.metric_date" OP(">=") "$2) AND ($3 IS NULL OR"
		" d.metric_date" OP("<=") "$3)"
		" UNION ALL "
		"SELECT DISTINCT q.metric_date, NULL::catalyst.metrics_days, true FROM"
		" catalyst.metrics_pending q"
		" WHERE q.cycle_id" OP("=") "$1"
		"   AND ($2 IS NULL OR q.metric_date" OP(">=") "$2) AND ($3 IS NULL OR"
		" q.metric_date" OP("<=") "$3)"
		"   AND NOT EXISTS (SELECT FROM catalyst.metrics_days d WHERE d.cycle_id" OP("=") "$1"
		"                      AND d.metric_date" OP("=") "q.metric_date)"
		" ORDER BY 1";
	static SPIPlanPtr days_plan = NULL;
	Oid			argtypes[3] = {TEXTOID, DATEOID, DATEOID};
	Datum		args[3];
	char		argnulls[3];
	TupleDesc	desc;
	CatalystSummary total;
	CatalystSavedUser saved;
	SPITupleTable *days;
	uint64		n;
	char	   *cycle_id;
	Datum	   *values;
	bool	   *nulls;
	HeapTupleHeader result;

	cycle_id = existing_cycle(fcinfo, "performance");
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2) && PG_GETARG_DATEADT(1) > PG_GETARG_DATEADT(2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("performance() needs p_from <= p_to"),
				 errdetail("The range %s .. %s is empty.",
						   DatumGetCString(DirectFunctionCall1(date_out, PG_GETARG_DATUM(1))),
						   DatumGetCString(DirectFunctionCall1(date_out, PG_GETARG_DATUM(2)))),
				 errhint("Both bounds are trading dates and both are included.")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "performance() must return a row");
	desc = BlessTupleDesc(desc);

	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	args[2] = PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2);
	argnulls[0] = ' ';
	argnulls[1] = PG_ARGISNULL(1) ? 'n' : ' ';
	argnulls[2] = PG_ARGISNULL(2) ? 'n' : ' ';

	catalyst_spi_connect();
	catalyst_become_owner(catalyst_relid("metrics_days"), &saved);
	if (days_plan == NULL)
		days_plan = catalyst_keep_plan(days_sql, 3, argtypes);
	n = catalyst_spi_query_plan(days_plan, args, argnulls, 0);
	days = SPI_tuptable;
	catalyst_summary_init(&total);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	row = days->vals[i];
		bool		isnull;
		CatalystSummary day;

		if (DatumGetBool(SPI_getbinval(row, days->tupdesc, 3, &isnull)))
		{
			HeapTuple	ignored_row;
			TupleDesc	ignored_desc;

			catalyst_read_day(cycle_id,
							  DatumGetDateADT(SPI_getbinval(row, days->tupdesc, 1, &isnull)),
							  &day, &ignored_row, &ignored_desc);
		}
		else
		{
			HeapTupleHeader header =
				DatumGetHeapTupleHeader(SPI_getbinval(row, days->tupdesc, 2, &isnull));
			HeapTupleData tuple;
			TupleDesc	day_desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(header),
														  HeapTupleHeaderGetTypMod(header));

			tuple.t_len = HeapTupleHeaderGetDatumLength(header);
			ItemPointerSetInvalid(&tuple.t_self);
			tuple.t_tableOid = InvalidOid;
			tuple.t_data = header;
			catalyst_summary_read(&tuple, day_desc, &day);
			ReleaseTupleDesc(day_desc);
		}
		catalyst_summary_merge(&total, &day);
	}
	catalyst_restore_user(&saved);

	values = palloc0(sizeof(Datum) * desc->natts);
	nulls = palloc(sizeof(bool) * desc->natts);
	memset(nulls, true, sizeof(bool) * desc->natts);
	set_metrics(desc, &total, values, nulls);
	/* the counts are bigint here: a lifetime may hold more than 2^31 trades */
	put_column(desc, "total_trades", Int64GetDatum(total.total_trades), values, nulls);
	put_column(desc, "winning_trades", Int64GetDatum(total.winning_trades), values, nulls);
	put_column(desc, "losing_trades", Int64GetDatum(total.losing_trades), values, nulls);
	put_column(desc, "longest_winning_streak", Int64GetDatum(total.longest_winning_streak),
			   values, nulls);
	put_column(desc, "longest_losing_streak", Int64GetDatum(total.longest_losing_streak),
			   values, nulls);
	put_column(desc, "r_trades", Int64GetDatum(total.r_trades), values, nulls);
	result = SPI_returntuple(heap_form_tuple(desc, values, nulls), desc);
	catalyst_spi_finish();
	PG_RETURN_HEAPTUPLEHEADER(result);
}

/* The 4.2 bindings of the roll-up (sql/catalyst--4.1--4.2/10-rollup.sql) */
PG_FUNCTION_INFO_V1(catalyst_recompute_performance_metrics);
Datum
catalyst_recompute_performance_metrics(PG_FUNCTION_ARGS)
{
	return recompute_performance_metrics(fcinfo, false);
}

PG_FUNCTION_INFO_V1(catalyst_metrics_statement_end);
Datum
catalyst_metrics_statement_end(PG_FUNCTION_ARGS)
{
	return statement_end(fcinfo, false);
}

PG_FUNCTION_INFO_V1(catalyst_metrics_order_marks);
Datum
catalyst_metrics_order_marks(PG_FUNCTION_ARGS)
{
	return order_marks(fcinfo, false);
}

/*
 * The 4.1 bindings (catalyst--4.1.sql), for a database not updated yet: the same functions on
 * the 4.1 table (metrics_v41.c).
 */
PG_FUNCTION_INFO_V1(catalyst_update_performance_metrics);
Datum
catalyst_update_performance_metrics(PG_FUNCTION_ARGS)
{
	return recompute_performance_metrics(fcinfo, true);
}

PG_FUNCTION_INFO_V1(catalyst_metrics_recompute_marked);
Datum
catalyst_metrics_recompute_marked(PG_FUNCTION_ARGS)
{
	return statement_end(fcinfo, true);
}

PG_FUNCTION_INFO_V1(catalyst_metrics_order_changed);
Datum
catalyst_metrics_order_changed(PG_FUNCTION_ARGS)
{
	return order_marks(fcinfo, true);
}
