/*
 * metrics.c: the performance_metrics roll-up, one row per (cycle_id, trading date).
 *
 * A row holds the running state of its day's trades and the metrics derived from it
 * (metrics_state.c).  Two paths produce the state:
 *
 *   - catalyst_metrics_add_close(): a position that closes is folded into its day, O(1) whatever
 *     the day already holds: lock the row (reading its state and the trade's two commissions in
 *     the same statement), fold the trade in, store.  The fold is only valid in closed_at order
 *     (max drawdown depends on order), so a trade that closed before the last one folded in marks
 *     the day for a full recompute instead; the row is locked already.
 *   - recompute_day(): the full recompute, one set-based statement over the day's closed
 *     positions (and archived ones), the reference the incremental path must match.  It is what
 *     update_performance_metrics() runs, and what a correction, reopening or deletion of a closed
 *     position, or a change of an order's commission, causes.
 *
 * Days to recompute are marked while a statement's row triggers run and recomputed once each
 * when the statement ends (its AFTER STATEMENT trigger), so a statement that deletes or corrects
 * thousands of positions recomputes each day it touched once, not once per row.  Recomputing is
 * idempotent, so a day marked by a statement that later rolled back only costs a recompute.
 *
 * Concurrency: every writer locks the day's row (SELECT ... FOR UPDATE) before reading trades.
 * The recompute aggregates in a new statement, whose snapshot (READ COMMITTED: one per
 * statement) is taken after the lock was granted and so sees every close committed before.  A
 * close still in flight in another session is not seen, and that session folds it in after us,
 * under the same lock.  All of it runs as the owner of performance_metrics, which owns positions
 * and orders too, so row-level security on positions hides nothing from the roll-up.
 */
#include "catalyst.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

/* a schema-qualified operator, for the SQL below */
#define OP(o) " OPERATOR(pg_catalog." o ") "

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
	N_TRADE_COLUMNS
};

static const char *const trade_columns[N_TRADE_COLUMNS] = {
	"cycle_id", "closed_at", "position_id", "realized_pnl", "pnl_percent", "hold_duration",
	"quantity", "entry_order_id", "exit_order_id",
};

static const Oid trade_types[N_TRADE_COLUMNS] = {
	VARCHAROID, TIMESTAMPTZOID, INT4OID, NUMERICOID, NUMERICOID, INTERVALOID, INT4OID, VARCHAROID,
	VARCHAROID,
};

static int	trade_attnums[N_TRADE_COLUMNS];

/*
 * Lock a day's row ($1 cycle, $2 date) and read it, whole (three output columns cost the
 * executor far less to set up than one per state column), with the commissions of a trade's
 * entry and exit orders ($3, $4; NULL counts 0).
 */
static const char lock_day_sql[] =
	"SELECT m.ctid, m AS day_row,"
	"       COALESCE((SELECT o.commission FROM catalyst.orders o WHERE o.order_id" OP("=") "$3), 0)"
	"     " OP("+") "COALESCE((SELECT o.commission FROM catalyst.orders o WHERE o.order_id" OP("=") "$4), 0)"
	"           AS trade_commission"
	"  FROM catalyst.performance_metrics m"
	" WHERE m.cycle_id" OP("=") "$1 AND m.metric_date" OP("=") "$2"
	"   FOR UPDATE OF m";

/* A day's row, empty, unless it exists (or a concurrent session is creating it: then wait). */
static const char create_day_sql[] =
	"INSERT INTO catalyst.performance_metrics (cycle_id, metric_date) VALUES ($1, $2)"
	" ON CONFLICT (cycle_id, metric_date) DO NOTHING";

/*
 * The full recompute of one day ($1 cycle, [$2, $3) the day's bounds in
 * catalyst.trading_timezone): the state of the day's closed positions, and of those archived
 * from positions, in closed_at order (ties by position_id), with both orders' commissions.
 */
static const char recompute_day_sql[] =
	"WITH day_positions AS ("
	"    SELECT p.position_id, p.closed_at, p.realized_pnl, p.pnl_percent, p.hold_duration,"
	"           p.quantity, p.entry_order_id, p.exit_order_id"
	"      FROM catalyst.positions p"
	"     WHERE p.cycle_id" OP("=") "$1 AND p.status" OP("=") "'closed'"
	"       AND p.closed_at" OP(">=") "$2 AND p.closed_at" OP("<") "$3"
	"    UNION ALL"
	"    SELECT a.position_id, a.closed_at, a.realized_pnl, a.pnl_percent, a.hold_duration,"
	"           a.quantity, a.entry_order_id, a.exit_order_id"
	"      FROM catalyst.positions_archive a"
	"     WHERE a.cycle_id" OP("=") "$1 AND a.status" OP("=") "'closed'"
	"       AND a.closed_at" OP(">=") "$2 AND a.closed_at" OP("<") "$3"
	"       AND NOT EXISTS (SELECT FROM catalyst.positions p"
	"                        WHERE p.position_id" OP("=") "a.position_id)"
	"), trades AS ("
	"    SELECT d.position_id, d.closed_at, d.quantity,"
	"           COALESCE(d.realized_pnl, 0) AS pnl,"
	"           COALESCE(d.pnl_percent, 0) AS ret,"
	"           COALESCE(pg_catalog.extract('epoch', d.hold_duration), 0) AS hold,"
	"           COALESCE(eo.commission, 0)" OP("+") "COALESCE(xo.commission, 0)"
	"               AS commission"
	"      FROM day_positions d"
	"      LEFT JOIN catalyst.orders eo ON eo.order_id" OP("=") "d.entry_order_id"
	"      LEFT JOIN catalyst.orders xo ON xo.order_id" OP("=") "d.exit_order_id"
	"), running AS ("
	"    SELECT t.*, pg_catalog.sum(t.pnl) OVER w AS cum"
	"      FROM trades t"
	"    WINDOW w AS (ORDER BY t.closed_at, t.position_id ROWS UNBOUNDED PRECEDING)"
	"), peaks AS ("
	"    SELECT r.*, GREATEST(pg_catalog.max(r.cum) OVER w, 0) AS peak"
	"      FROM running r"
	"    WINDOW w AS (ORDER BY r.closed_at, r.position_id ROWS UNBOUNDED PRECEDING)"
	")"
	" SELECT pg_catalog.int4(pg_catalog.count(*)) AS total_trades,"
	"        pg_catalog.int4(pg_catalog.count(*) FILTER (WHERE k.pnl" OP(">") "0)) AS winning_trades,"
	"        pg_catalog.int4(pg_catalog.count(*) FILTER (WHERE k.pnl" OP("<") "0)) AS losing_trades,"
	"        COALESCE(pg_catalog.sum(k.pnl) FILTER (WHERE k.pnl" OP(">") "0), 0) AS sum_wins,"
	"        COALESCE(pg_catalog.sum(k.pnl) FILTER (WHERE k.pnl" OP("<") "0), 0) AS sum_losses,"
	"        COALESCE(pg_catalog.sum(k.commission), 0) AS commissions,"
	"        pg_catalog.max(k.pnl) FILTER (WHERE k.pnl" OP(">") "0) AS largest_win,"
	"        pg_catalog.min(k.pnl) FILTER (WHERE k.pnl" OP("<") "0) AS largest_loss,"
	"        COALESCE(pg_catalog.sum(k.ret), 0) AS sum_returns,"
	"        COALESCE(pg_catalog.sum(k.ret" OP("*") "k.ret), 0) AS sum_squared_returns,"
	"        COALESCE(pg_catalog.sum(k.hold), 0) AS sum_hold_seconds,"
	"        COALESCE(pg_catalog.sum(k.quantity), 0) AS total_volume,"
	"        COALESCE(pg_catalog.max(k.peak), 0) AS peak_pnl,"
	"        COALESCE(pg_catalog.max(k.peak" OP("-") "k.cum), 0) AS deepest_drawdown,"
	"        pg_catalog.max(k.closed_at) AS last_closed_at,"
	"        (pg_catalog.array_agg(k.position_id ORDER BY k.closed_at DESC,"
	"                              k.position_id DESC))[1] AS last_position_id"
	"   FROM peaks k";

/* The days (of any cycle) on which the positions using an order ($1) closed. */
static const char order_days_sql[] =
	"SELECT p.cycle_id, p.closed_at FROM catalyst.positions p"
	" WHERE p.status" OP("=") "'closed'"
	"   AND (p.entry_order_id" OP("=") "$1 OR p.exit_order_id" OP("=") "$1)"
	" UNION ALL "
	"SELECT a.cycle_id, a.closed_at FROM catalyst.positions_archive a"
	" WHERE a.status" OP("=") "'closed'"
	"   AND (a.entry_order_id" OP("=") "$1 OR a.exit_order_id" OP("=") "$1)";

static SPIPlanPtr lock_day_plan = NULL;
static SPIPlanPtr create_day_plan = NULL;
static SPIPlanPtr recompute_day_plan = NULL;
static SPIPlanPtr order_days_plan = NULL;

/*
 * Days marked for a recompute at the end of the current statement: a hash in
 * TopTransactionContext, forgotten when the transaction ends.
 */
#define MARKED_CYCLE_ID_BYTES 128

typedef struct MarkedDay
{
	DateADT		day;
	char		cycle_id[MARKED_CYCLE_ID_BYTES];	/* NUL-padded: the whole struct is the key */
} MarkedDay;

static HTAB *marked_days = NULL;
static bool xact_callback_registered = false;

static void
forget_marked_days(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* the hash lived in TopTransactionContext, which is going away */
			marked_days = NULL;
			break;
		default:
			break;
	}
}

static void
make_key(MarkedDay *key, const char *cycle_id, DateADT day)
{
	size_t		len = strlen(cycle_id);

	if (len >= MARKED_CYCLE_ID_BYTES)
		elog(ERROR, "cycle_id of %zu bytes is longer than the roll-up supports", len);
	memset(key, 0, sizeof(*key));
	key->day = day;
	memcpy(key->cycle_id, cycle_id, len);
}

static void
mark_day(const char *cycle_id, DateADT day)
{
	MarkedDay	key;

	make_key(&key, cycle_id, day);
	if (marked_days == NULL)
	{
		HASHCTL		ctl;

		if (!xact_callback_registered)
		{
			RegisterXactCallback(forget_marked_days, NULL);
			xact_callback_registered = true;
		}
		ctl.keysize = sizeof(MarkedDay);
		ctl.entrysize = sizeof(MarkedDay);
		ctl.hcxt = TopTransactionContext;
		marked_days = hash_create("catalyst marked metric days", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	hash_search(marked_days, &key, HASH_ENTER, NULL);
}

static bool
day_is_marked(const char *cycle_id, DateADT day)
{
	MarkedDay	key;

	if (marked_days == NULL)
		return false;
	make_key(&key, cycle_id, day);
	return hash_search(marked_days, &key, HASH_FIND, NULL) != NULL;
}

/* Read the trade columns of a position; false if it has no closed_at. */
static bool
read_trade_columns(HeapTuple position, TupleDesc desc, Datum *values, bool *nulls)
{
	for (int i = 0; i < N_TRADE_COLUMNS; i++)
		values[i] = heap_getattr(position, catalyst_column(desc, trade_columns[i], trade_types[i], &trade_attnums[i]),
								 desc, &nulls[i]);
	return !nulls[T_CLOSED_AT];
}

/*
 * Lock the row of a day, creating it if it is missing, and read its state; `orders` are the
 * entry and exit order ids whose commissions come back in *commission.  The caller is connected
 * to SPI and acts as the owner of performance_metrics.
 */
static void
lock_day(Datum cycle_id, DateADT day, const Datum *orders, const bool *orders_null,
		 CatalystDayState *state, Datum *commission)
{
	Oid			argtypes[4] = {TEXTOID, DATEOID, TEXTOID, TEXTOID};
	Datum		values[4] = {cycle_id, DateADTGetDatum(day), orders[0], orders[1]};
	char		nulls[4] = {' ', ' ', orders_null[0] ? 'n' : ' ', orders_null[1] ? 'n' : ' '};
	HeapTuple	row;
	TupleDesc	desc;
	HeapTupleHeader day_row;
	HeapTupleData day_tuple;
	TupleDesc	day_desc;
	bool		isnull;

	if (lock_day_plan == NULL)
		lock_day_plan = catalyst_keep_plan(lock_day_sql, 4, argtypes);
	if (create_day_plan == NULL)
		create_day_plan = catalyst_keep_plan(create_day_sql, 2, argtypes);

	if (catalyst_spi_exec_plan(lock_day_plan, values, nulls, SPI_OK_SELECT, 0) == 0)
	{
		/*
		 * No row yet: create it (waiting for a concurrent creator to finish), then lock it.  In
		 * READ COMMITTED the second statement sees the row whoever created it; in REPEATABLE
		 * READ a row created by a concurrent transaction is a serialization failure.
		 */
		catalyst_spi_exec_plan(create_day_plan, values, nulls, SPI_OK_INSERT, 0);
		if (catalyst_spi_exec_plan(lock_day_plan, values, nulls, SPI_OK_SELECT, 0) == 0)
			elog(ERROR, "the metrics row of cycle \"%s\" for %s cannot be locked",
				 TextDatumGetCString(cycle_id),
				 DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day))));
	}
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	state->row = *(ItemPointer) DatumGetPointer(SPI_getbinval(row, desc, 1, &isnull));
	*commission = SPI_getbinval(row, desc, 3, &isnull);

	day_row = DatumGetHeapTupleHeader(SPI_getbinval(row, desc, 2, &isnull));
	day_tuple.t_len = HeapTupleHeaderGetDatumLength(day_row);
	ItemPointerSetInvalid(&day_tuple.t_self);
	day_tuple.t_tableOid = InvalidOid;
	day_tuple.t_data = day_row;
	day_desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(day_row), HeapTupleHeaderGetTypMod(day_row));
	catalyst_day_state_read(&day_tuple, day_desc, state);
	ReleaseTupleDesc(day_desc);
}

/* Recompute one day from its trades: lock its row (creating it), then aggregate in a new statement. */
static void
recompute_day(const char *cycle_id, DateADT day)
{
	Oid			argtypes[3] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[3];
	Datum		no_orders[2] = {0, 0};
	bool		no_orders_null[2] = {true, true};
	CatalystDayState state;
	Datum		ignored;
	ItemPointerData locked;
	CatalystSavedUser saved;

	values[0] = CStringGetTextDatum(cycle_id);
	values[1] = TimestampTzGetDatum(catalyst_trading_day_start_of(day));
	values[2] = TimestampTzGetDatum(catalyst_trading_day_start_of(day + 1));

	catalyst_spi_connect();
	if (recompute_day_plan == NULL)
		recompute_day_plan = catalyst_keep_plan(recompute_day_sql, 3, argtypes);
	catalyst_become_owner(catalyst_relid("performance_metrics"), &saved);

	lock_day(values[0], day, no_orders, no_orders_null, &state, &ignored);
	locked = state.row;
	if (catalyst_spi_exec_plan(recompute_day_plan, values, NULL, SPI_OK_SELECT, 0) != 1)
		elog(ERROR, "the recompute of the metrics of cycle \"%s\" returned no row", cycle_id);
	catalyst_day_state_read(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, &state);
	state.row = locked;
	catalyst_day_state_store(&state);

	catalyst_restore_user(&saved);
	catalyst_spi_finish();
}

static int
compare_marked_days(const void *a, const void *b)
{
	const MarkedDay *x = a;
	const MarkedDay *y = b;
	int			c = strcmp(x->cycle_id, y->cycle_id);

	if (c != 0)
		return c;
	return (x->day > y->day) - (x->day < y->day);
}

/*
 * Recompute every marked day, in (cycle_id, date) order so that two sessions recomputing the
 * same days lock them in the same order.
 */
static void
recompute_marked_days(void)
{
	while (marked_days != NULL)
	{
		HTAB	   *days = marked_days;
		long		n = hash_get_num_entries(days);
		MarkedDay  *sorted = palloc(Max(n, 1) * sizeof(MarkedDay));
		HASH_SEQ_STATUS seq;
		MarkedDay  *entry;
		long		i = 0;

		/* detached first: a day marked while recomputing goes into a new set */
		marked_days = NULL;
		hash_seq_init(&seq, days);
		while ((entry = hash_seq_search(&seq)) != NULL)
			sorted[i++] = *entry;
		hash_destroy(days);

		qsort(sorted, n, sizeof(MarkedDay), compare_marked_days);
		for (i = 0; i < n; i++)
			recompute_day(sorted[i].cycle_id, sorted[i].day);
		pfree(sorted);
	}
}

/* Mark every day that has a metrics row (after TRUNCATE positions). */
static void
mark_every_metrics_day(void)
{
	CatalystSavedUser saved;
	uint64		n;

	catalyst_spi_connect();
	catalyst_become_owner(catalyst_relid("performance_metrics"), &saved);
	n = catalyst_spi_exec("SELECT m.cycle_id, m.metric_date FROM catalyst.performance_metrics m",
						  SPI_OK_SELECT, 0);
	catalyst_restore_user(&saved);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		bool		isnull;
		Datum		day = SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull);

		mark_day(SPI_getvalue(row, SPI_tuptable->tupdesc, 1), DatumGetDateADT(day));
	}
	catalyst_spi_finish();
}

/* Mark the days of every closed position (or archived one) that uses order `order_id`. */
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
	n = catalyst_spi_exec_plan(order_days_plan, &order_id, NULL, SPI_OK_SELECT, 0);
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

/*
 * A position has just closed: fold it into its day.  If the day is already marked for a
 * recompute at the end of this statement, the recompute will count it.  If it closed before the
 * last trade folded in, the day is marked (its row is locked already).
 */
void
catalyst_metrics_add_close(HeapTuple position, TupleDesc desc)
{
	Datum		values[N_TRADE_COLUMNS];
	bool		nulls[N_TRADE_COLUMNS];
	char	   *cycle_id;
	DateADT		day;
	Datum		orders[2];
	bool		orders_null[2];
	CatalystTrade trade;
	CatalystDayState state;
	CatalystSavedUser saved;

	if (!read_trade_columns(position, desc, values, nulls))
		return;
	trade.closed_at = DatumGetTimestampTz(values[T_CLOSED_AT]);
	day = catalyst_trading_date_of(trade.closed_at);
	cycle_id = TextDatumGetCString(values[T_CYCLE_ID]);
	if (day_is_marked(cycle_id, day))
		return;

	trade.position_id = DatumGetInt32(values[T_POSITION_ID]);
	trade.quantity = DatumGetInt32(values[T_QUANTITY]);
	trade.realized_pnl = nulls[T_REALIZED_PNL] ? NumericGetDatum(int64_to_numeric(0)) : values[T_REALIZED_PNL];
	trade.pnl_percent = nulls[T_PNL_PERCENT] ? NumericGetDatum(int64_to_numeric(0)) : values[T_PNL_PERCENT];
	trade.hold_seconds = nulls[T_HOLD_DURATION] ? NumericGetDatum(int64_to_numeric(0)) :
		DirectFunctionCall2(extract_interval, CStringGetTextDatum("epoch"), values[T_HOLD_DURATION]);

	orders[0] = values[T_ENTRY_ORDER_ID];
	orders_null[0] = nulls[T_ENTRY_ORDER_ID];
	orders[1] = values[T_EXIT_ORDER_ID];
	orders_null[1] = nulls[T_EXIT_ORDER_ID];

	catalyst_spi_connect();
	catalyst_become_owner(catalyst_relid("performance_metrics"), &saved);
	lock_day(values[T_CYCLE_ID], day, orders, orders_null, &state, &trade.commission);
	if (catalyst_day_state_follows(&state, &trade))
	{
		catalyst_day_state_fold(&state, &trade);
		catalyst_day_state_store(&state);
	}
	else
		mark_day(cycle_id, day);
	catalyst_restore_user(&saved);
	catalyst_spi_finish();
}

/* A closed position changed, was reopened or deleted: its day is recomputed at statement end. */
void
catalyst_metrics_mark_position(HeapTuple position, TupleDesc desc)
{
	Datum		values[N_TRADE_COLUMNS];
	bool		nulls[N_TRADE_COLUMNS];

	if (read_trade_columns(position, desc, values, nulls))
		mark_day(TextDatumGetCString(values[T_CYCLE_ID]),
				 catalyst_trading_date_of(DatumGetTimestampTz(values[T_CLOSED_AT])));
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
		if (column_changed(before, after, desc,
						   catalyst_column(desc, trade_columns[i], trade_types[i], &trade_attnums[i])))
			return true;
	return false;
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

/* SQL-callable functions */

/*
 * update_performance_metrics(cycle_id, date): the full recompute of one day (seed name).  Like
 * the seed's, it leaves a row for the day even when the day has no trade.
 */
PG_FUNCTION_INFO_V1(catalyst_update_performance_metrics);
Datum
catalyst_update_performance_metrics(PG_FUNCTION_ARGS)
{
	Oid			argtype = TEXTOID;
	Datum		cycle_id;
	DateADT		day;
	CatalystSavedUser saved;
	uint64		found;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("update_performance_metrics() needs a cycle_id and a date, not NULL"),
				 errhint("Call update_performance_metrics('cycle-id') for today's trading date, "
						 "or give the date as the second argument.")));
	cycle_id = PG_GETARG_DATUM(0);
	day = PG_GETARG_DATEADT(1);
	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("update_performance_metrics() needs a finite date")));

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

	recompute_day(TextDatumGetCString(cycle_id), day);
	PG_RETURN_VOID();
}

/*
 * AFTER ... FOR EACH STATEMENT on positions and orders: recompute the days the statement's row
 * triggers marked (after TRUNCATE positions: every day that has a metrics row).
 */
PG_FUNCTION_INFO_V1(catalyst_metrics_recompute_marked);
Datum
catalyst_metrics_recompute_marked(PG_FUNCTION_ARGS)
{
	check_statement_trigger(fcinfo, "performance_metrics_recompute_marked");
	if (TRIGGER_FIRED_BY_TRUNCATE(((TriggerData *) fcinfo->context)->tg_event))
		mark_every_metrics_day();
	recompute_marked_days();
	return PointerGetDatum(NULL);
}

/*
 * AFTER UPDATE OF commission, order_id FOR EACH ROW on orders: when the commission (or the id)
 * changed, mark the days of the closed positions that use the order as their entry or exit.
 */
PG_FUNCTION_INFO_V1(catalyst_metrics_order_changed);
Datum
catalyst_metrics_order_changed(PG_FUNCTION_ARGS)
{
	static int	order_id_attnum = 0;
	static int	commission_attnum = 0;
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	before;
	HeapTuple	after;
	int			id;
	bool		isnull;
	Datum		order_id;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("order_commission_roll_up() must be fired AFTER UPDATE FOR EACH ROW")));

	desc = RelationGetDescr(trigdata->tg_relation);
	before = trigdata->tg_trigtuple;
	after = trigdata->tg_newtuple;
	id = catalyst_column(desc, "order_id", VARCHAROID, &order_id_attnum);
	if (column_changed(before, after, desc, id) ||
		column_changed(before, after, desc, catalyst_column(desc, "commission", NUMERICOID, &commission_attnum)))
	{
		order_id = heap_getattr(before, id, desc, &isnull);
		if (!isnull)
			mark_order_days(order_id);
		if (column_changed(before, after, desc, id))
		{
			order_id = heap_getattr(after, id, desc, &isnull);
			if (!isnull)
				mark_order_days(order_id);
		}
	}
	return PointerGetDatum(NULL);
}
