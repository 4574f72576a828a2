/*
 * metrics.c: the performance_metrics roll-up, one row per (cycle_id, trading date).
 *
 * A row holds the running state of its day's trades (counts, exact sums of wins, losses, returns,
 * squared returns and hold seconds, the running peak of cumulative P&L and the deepest fall from
 * it, and the (closed_at, position_id) of the last trade folded in); every derived metric is a
 * generated column of that state (catalyst--4.1.sql).  Two paths write the state:
 *
 *   - catalyst_metrics_add_close(): a position that closes is folded into its day with one
 *     prepared INSERT ... ON CONFLICT DO UPDATE, O(1) whatever the day already holds.  The fold
 *     is only valid in closed_at order (max drawdown depends on order), so the update applies
 *     only when the trade comes after the last one folded in; otherwise the statement leaves the
 *     row locked but unchanged and the day is marked for a full recompute.
 *   - recompute_day(): the full recompute, one set-based statement over the day's closed
 *     positions (and archived ones), the reference the incremental path must match.  It is what
 *     update_performance_metrics() runs, and what a correction, reopening or deletion of a
 *     closed position, or a change of an order's commission, causes.
 *
 * Days to recompute are marked while a statement's row triggers run and recomputed once each
 * when the statement ends (its AFTER STATEMENT trigger), so a statement that deletes or corrects
 * thousands of positions recomputes each day it touched once, not once per row.  Recomputing is
 * idempotent, so a day marked by a statement that later rolled back only costs a recompute.
 *
 * Concurrency: every writer locks the day's row before reading the trades.  The incremental
 * statement locks it through ON CONFLICT; the recompute locks it in one statement and aggregates
 * in the next, whose snapshot (READ COMMITTED: one per statement) is taken after the lock was
 * granted and so sees every close committed before.  A close still in flight in another session
 * is not seen, and that session folds it in after us, under the same lock.
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
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* a schema-qualified operator, for the SQL below */
#define OP(o) " OPERATOR(pg_catalog." o ") "

/*
 * The columns of a position the roll-up depends on, in the order of the incremental statement's
 * parameters ($1..$9; $10 is the trading date).  A closed position whose values in any of them
 * change must have its day recomputed.
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

static Oid	add_close_argtypes[N_TRADE_COLUMNS + 1] = {
	TEXTOID, TIMESTAMPTZOID, INT4OID, NUMERICOID, NUMERICOID, INTERVALOID,
	INT4OID, TEXTOID, TEXTOID, DATEOID,
};

/*
 * Fold one closed trade into its day.  A NULL realized_pnl, pnl_percent or hold_duration counts
 * as 0 (the close trigger always sets them; only a row written with it disabled lacks them), as
 * in the recompute.  The cumulative P&L before the trade is sum_wins + sum_losses.
 */
static const char add_close_sql[] =
	"INSERT INTO catalyst.performance_metrics AS m"
	"       (cycle_id, metric_date, total_trades, winning_trades, losing_trades, sum_wins, sum_losses,"
	"        commissions, largest_win, largest_loss, sum_returns, sum_squared_returns,"
	"        sum_hold_seconds, total_volume, peak_pnl, deepest_drawdown, last_closed_at,"
	"        last_position_id)"
	" SELECT $1, $10, 1,"
	"        CASE WHEN t.pnl" OP(">") "0 THEN 1 ELSE 0 END,"
	"        CASE WHEN t.pnl" OP("<") "0 THEN 1 ELSE 0 END,"
	"        GREATEST(t.pnl, 0), LEAST(t.pnl, 0), t.commission,"
	"        CASE WHEN t.pnl" OP(">") "0 THEN t.pnl END,"
	"        CASE WHEN t.pnl" OP("<") "0 THEN t.pnl END,"
	"        t.ret, t.ret" OP("*") "t.ret, t.hold, $7,"
	"        GREATEST(t.pnl, 0), GREATEST(" OP("-") "t.pnl, 0), $2, $3"
	"   FROM (SELECT COALESCE($4, 0) AS pnl,"
	"                COALESCE($5, 0) AS ret,"
	"                COALESCE(pg_catalog.extract('epoch', $6), 0) AS hold,"
	"                COALESCE((SELECT o.commission FROM catalyst.orders o"
	"                                     WHERE o.order_id" OP("=") "$8), 0)"
	"              " OP("+") "COALESCE((SELECT o.commission FROM catalyst.orders o"
	"                                     WHERE o.order_id" OP("=") "$9), 0) AS commission) t"
	" ON CONFLICT (cycle_id, metric_date) DO UPDATE SET"
	"        total_trades = m.total_trades" OP("+") "1,"
	"        winning_trades = m.winning_trades" OP("+") "EXCLUDED.winning_trades,"
	"        losing_trades = m.losing_trades" OP("+") "EXCLUDED.losing_trades,"
	"        sum_wins = m.sum_wins" OP("+") "EXCLUDED.sum_wins,"
	"        sum_losses = m.sum_losses" OP("+") "EXCLUDED.sum_losses,"
	"        commissions = m.commissions" OP("+") "EXCLUDED.commissions,"
	"        largest_win = GREATEST(m.largest_win, EXCLUDED.largest_win),"
	"        largest_loss = LEAST(m.largest_loss, EXCLUDED.largest_loss),"
	"        sum_returns = m.sum_returns" OP("+") "EXCLUDED.sum_returns,"
	"        sum_squared_returns = m.sum_squared_returns" OP("+") "EXCLUDED.sum_squared_returns,"
	"        sum_hold_seconds = m.sum_hold_seconds" OP("+") "EXCLUDED.sum_hold_seconds,"
	"        total_volume = m.total_volume" OP("+") "EXCLUDED.total_volume,"
	"        peak_pnl = GREATEST(m.peak_pnl, m.sum_wins" OP("+") "m.sum_losses"
	"                            " OP("+") "EXCLUDED.sum_wins" OP("+") "EXCLUDED.sum_losses),"
	"        deepest_drawdown = GREATEST(m.deepest_drawdown,"
	"            GREATEST(m.peak_pnl, m.sum_wins" OP("+") "m.sum_losses" OP("+") "EXCLUDED.sum_wins"
	"                     " OP("+") "EXCLUDED.sum_losses)"
	"            " OP("-") "(m.sum_wins" OP("+") "m.sum_losses" OP("+") "EXCLUDED.sum_wins"
	"                     " OP("+") "EXCLUDED.sum_losses)),"
	"        last_closed_at = EXCLUDED.last_closed_at,"
	"        last_position_id = EXCLUDED.last_position_id"
	"  WHERE (m.last_closed_at, m.last_position_id)" OP("<")
	"        (EXCLUDED.last_closed_at, EXCLUDED.last_position_id)";

/*
 * Lock the day's row, creating it if it is missing: ON CONFLICT DO UPDATE locks the existing row
 * even when its WHERE clause rejects the update, and waits for a concurrent writer to finish.
 */
static const char lock_day_sql[] =
	"INSERT INTO catalyst.performance_metrics AS m (cycle_id, metric_date) VALUES ($1, $2)"
	" ON CONFLICT (cycle_id, metric_date) DO UPDATE SET last_position_id = m.last_position_id"
	"  WHERE false";

/*
 * The full recompute of one day ($1 cycle, $2 date, [$3, $4) its bounds in
 * catalyst.trading_timezone): the day's closed positions, and those archived from positions,
 * in closed_at order (ties by position_id), with both orders' commissions.
 */
static const char recompute_day_sql[] =
	"WITH day_positions AS ("
	"    SELECT p.position_id, p.closed_at, p.realized_pnl, p.pnl_percent, p.hold_duration,"
	"           p.quantity, p.entry_order_id, p.exit_order_id"
	"      FROM catalyst.positions p"
	"     WHERE p.cycle_id" OP("=") "$1 AND p.status" OP("=") "'closed'"
	"       AND p.closed_at" OP(">=") "$3 AND p.closed_at" OP("<") "$4"
	"    UNION ALL"
	"    SELECT a.position_id, a.closed_at, a.realized_pnl, a.pnl_percent, a.hold_duration,"
	"           a.quantity, a.entry_order_id, a.exit_order_id"
	"      FROM catalyst.positions_archive a"
	"     WHERE a.cycle_id" OP("=") "$1 AND a.status" OP("=") "'closed'"
	"       AND a.closed_at" OP(">=") "$3 AND a.closed_at" OP("<") "$4"
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
	" UPDATE catalyst.performance_metrics m"
	"    SET (total_trades, winning_trades, losing_trades, sum_wins, sum_losses, commissions,"
	"         largest_win, largest_loss, sum_returns, sum_squared_returns, sum_hold_seconds,"
	"         total_volume, peak_pnl, deepest_drawdown, last_closed_at, last_position_id) ="
	"        (SELECT pg_catalog.count(*),"
	"                pg_catalog.count(*) FILTER (WHERE k.pnl" OP(">") "0),"
	"                pg_catalog.count(*) FILTER (WHERE k.pnl" OP("<") "0),"
	"                COALESCE(pg_catalog.sum(k.pnl) FILTER (WHERE k.pnl" OP(">") "0), 0),"
	"                COALESCE(pg_catalog.sum(k.pnl) FILTER (WHERE k.pnl" OP("<") "0), 0),"
	"                COALESCE(pg_catalog.sum(k.commission), 0),"
	"                pg_catalog.max(k.pnl) FILTER (WHERE k.pnl" OP(">") "0),"
	"                pg_catalog.min(k.pnl) FILTER (WHERE k.pnl" OP("<") "0),"
	"                COALESCE(pg_catalog.sum(k.ret), 0),"
	"                COALESCE(pg_catalog.sum(k.ret" OP("*") "k.ret), 0),"
	"                COALESCE(pg_catalog.sum(k.hold), 0),"
	"                COALESCE(pg_catalog.sum(k.quantity), 0),"
	"                COALESCE(pg_catalog.max(k.peak), 0),"
	"                COALESCE(pg_catalog.max(k.peak" OP("-") "k.cum), 0),"
	"                pg_catalog.max(k.closed_at),"
	"                (pg_catalog.array_agg(k.position_id ORDER BY k.closed_at DESC,"
	"                                      k.position_id DESC))[1]"
	"           FROM peaks k)"
	"  WHERE m.cycle_id" OP("=") "$1 AND m.metric_date" OP("=") "$2";

/* The days (of any cycle) on which the positions using an order ($1) closed. */
static const char order_days_sql[] =
	"SELECT p.cycle_id, p.closed_at FROM catalyst.positions p"
	" WHERE p.status" OP("=") "'closed'"
	"   AND (p.entry_order_id" OP("=") "$1 OR p.exit_order_id" OP("=") "$1)"
	" UNION ALL "
	"SELECT a.cycle_id, a.closed_at FROM catalyst.positions_archive a"
	" WHERE a.status" OP("=") "'closed'"
	"   AND (a.entry_order_id" OP("=") "$1 OR a.exit_order_id" OP("=") "$1)";

static SPIPlanPtr add_close_plan = NULL;
static SPIPlanPtr lock_day_plan = NULL;
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

/* Read the trade columns of a position into SPI parameter arrays; false if it has no closed_at. */
static bool
read_trade(HeapTuple position, TupleDesc desc, Datum *values, char *nulls)
{
	for (int i = 0; i < N_TRADE_COLUMNS; i++)
	{
		int			attnum = SPI_fnumber(desc, trade_columns[i]);
		bool		isnull;

		if (attnum <= 0)
			elog(ERROR, "positions has no column \"%s\"", trade_columns[i]);
		values[i] = heap_getattr(position, attnum, desc, &isnull);
		nulls[i] = isnull ? 'n' : ' ';
	}
	return nulls[T_CLOSED_AT] == ' ';
}

/*
 * Recompute one day from its trades: lock its row (creating it), then aggregate in a new
 * statement.  Runs as the owner of performance_metrics, which owns positions and orders too, so
 * row-level security on positions hides nothing from the roll-up.
 */
static void
recompute_day(const char *cycle_id, DateADT day)
{
	Oid			argtypes[4] = {TEXTOID, DATEOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[4];
	CatalystSavedUser saved;
	uint64		updated;

	values[0] = CStringGetTextDatum(cycle_id);
	values[1] = DateADTGetDatum(day);
	values[2] = TimestampTzGetDatum(catalyst_trading_day_start_of(day));
	values[3] = TimestampTzGetDatum(catalyst_trading_day_start_of(day + 1));

	catalyst_spi_connect();
	if (lock_day_plan == NULL)
		lock_day_plan = catalyst_keep_plan(lock_day_sql, 2, argtypes);
	if (recompute_day_plan == NULL)
		recompute_day_plan = catalyst_keep_plan(recompute_day_sql, 4, argtypes);

	catalyst_become_owner(catalyst_relid("performance_metrics"), &saved);
	catalyst_spi_exec_plan(lock_day_plan, values, NULL, SPI_OK_INSERT, 0);
	updated = catalyst_spi_exec_plan(recompute_day_plan, values, NULL, SPI_OK_UPDATE, 0);
	catalyst_restore_user(&saved);
	catalyst_spi_finish();

	if (updated != 1)
		elog(ERROR, "recompute of the metrics of cycle \"%s\" updated %llu rows, not 1",
			 cycle_id, (unsigned long long) updated);
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
 * last trade folded in, the statement locked the row without changing it; the day is marked.
 */
void
catalyst_metrics_add_close(HeapTuple position, TupleDesc desc)
{
	Datum		values[N_TRADE_COLUMNS + 1];
	char		nulls[N_TRADE_COLUMNS + 1];
	char	   *cycle_id;
	DateADT		day;
	CatalystSavedUser saved;
	uint64		applied;

	if (!read_trade(position, desc, values, nulls))
		return;
	day = catalyst_trading_date_of(DatumGetTimestampTz(values[T_CLOSED_AT]));
	cycle_id = TextDatumGetCString(values[T_CYCLE_ID]);
	if (day_is_marked(cycle_id, day))
		return;
	values[N_TRADE_COLUMNS] = DateADTGetDatum(day);
	nulls[N_TRADE_COLUMNS] = ' ';

	catalyst_spi_connect();
	if (add_close_plan == NULL)
		add_close_plan = catalyst_keep_plan(add_close_sql, N_TRADE_COLUMNS + 1, add_close_argtypes);
	catalyst_become_owner(catalyst_relid("performance_metrics"), &saved);
	applied = catalyst_spi_exec_plan(add_close_plan, values, nulls, SPI_OK_INSERT, 0);
	catalyst_restore_user(&saved);
	catalyst_spi_finish();

	if (applied == 0)
		mark_day(cycle_id, day);
}

/* A closed position changed, was reopened or deleted: its day is recomputed at statement end. */
void
catalyst_metrics_mark_position(HeapTuple position, TupleDesc desc)
{
	Datum		values[N_TRADE_COLUMNS];
	char		nulls[N_TRADE_COLUMNS];

	if (read_trade(position, desc, values, nulls))
		mark_day(TextDatumGetCString(values[T_CYCLE_ID]),
				 catalyst_trading_date_of(DatumGetTimestampTz(values[T_CLOSED_AT])));
}

/* Whether any value the roll-up reads differs between two versions of a position. */
bool
catalyst_metrics_trade_changed(HeapTuple before, HeapTuple after, TupleDesc desc)
{
	Datum		old_values[N_TRADE_COLUMNS];
	Datum		new_values[N_TRADE_COLUMNS];
	char		old_nulls[N_TRADE_COLUMNS];
	char		new_nulls[N_TRADE_COLUMNS];

	read_trade(before, desc, old_values, old_nulls);
	read_trade(after, desc, new_values, new_nulls);
	for (int i = 0; i < N_TRADE_COLUMNS; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, SPI_fnumber(desc, trade_columns[i]) - 1);

		if (old_nulls[i] != new_nulls[i])
			return true;
		/* binary images: equal images are equal values; anything else counts as a change */
		if (old_nulls[i] == ' ' &&
			!datum_image_eq(old_values[i], new_values[i], att->attbyval, att->attlen))
			return true;
	}
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
 * AFTER UPDATE FOR EACH ROW on orders, when commission (or order_id) changes: mark the days of
 * the closed positions that use the order as their entry or exit.
 */
PG_FUNCTION_INFO_V1(catalyst_metrics_order_changed);
Datum
catalyst_metrics_order_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int			attnum;
	bool		old_null;
	bool		new_null;
	Datum		old_id;
	Datum		new_id;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("order_commission_roll_up() must be fired AFTER UPDATE FOR EACH ROW")));

	desc = RelationGetDescr(trigdata->tg_relation);
	attnum = SPI_fnumber(desc, "order_id");
	if (attnum <= 0)
		elog(ERROR, "orders has no column \"order_id\"");
	old_id = heap_getattr(trigdata->tg_trigtuple, attnum, desc, &old_null);
	new_id = heap_getattr(trigdata->tg_newtuple, attnum, desc, &new_null);
	if (!old_null)
		mark_order_days(old_id);
	if (!new_null && (old_null || !datum_image_eq(old_id, new_id, false, -1)))
		mark_order_days(new_id);
	return PointerGetDatum(NULL);
}
