/*
 * metrics_fold.c: one cycle's trading day, folded (catalyst_fold_day) or read (catalyst_read_day).
 *
 * A day is kept as
 *   - metrics_slices: the summary of each minute of the day that has trades (slice = minutes
 *     since the day's start in catalyst.trading_timezone);
 *   - metrics_hours: the summary of each hour that has trades, the merge of its minutes;
 *   - metrics_days: the summary of the whole day, the merge of its hours, and the metrics
 *     derived from it;
 *   - metrics_pending: closes not folded in yet (one row each, with the values the summary
 *     needs), and markers (closed_at NULL) that say the day must be derived anew from its trades.
 * A committed close is in exactly one of the two: folded into the day's rows, or pending; the
 * transaction that folds pending rows deletes them and rewrites the day's rows in one commit.
 * Closes are folded in batches of catalyst.fold_batch (fold_due()): until a batch is due they
 * wait pending, which costs a writer one narrow row and a reader their merge.
 *
 * Folding trades in (closed_at, position_id) order:
 *   - a trade after every trade of its minute is merged at the minute's end, O(1); if it is
 *     after every trade of its hour and of the day, at their ends too, O(1);
 *   - a trade before the last one of its minute makes that minute be derived anew from its
 *     trades (one minute of positions, in one statement that also takes every pending row of
 *     that minute, so that nothing is counted twice);
 *   - an hour that changed other than at its end is merged again from its minutes (<= 60), and
 *     the day from its hours (<= 25): never the day's trades.
 * Reading does the same in memory, in the caller's snapshot, and writes nothing: a pending close
 * and its position are either both visible or neither, so the result is exact.
 */
#include "postgres.h"

#include "metrics_fold.h"
#include "columns.h"
#include "key_index.h"
#include "metrics_state.h"
#include "row_insert.h"
#include "run_as_owner.h"
#include "settings.h"
#include "spi_util.h"
#include "trading_day.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#define DAY_KEY(a) " " a ".cycle_id" OP("=") "$1 AND " a ".metric_date" OP("=") "$2"

/*
 * The day's row, its minute $3, its hour $4, and whether anything is pending ($1 cycle, $2
 * date).
 */
static const char day_sql[] =
	"SELECT d AS day_row, s AS slice_row, h AS hour_row,"
	"       EXISTS (SELECT FROM catalyst.metrics_pending q WHERE " DAY_KEY("q") ") AS pending"
	"  FROM (SELECT) AS one"
	"  LEFT JOIN catalyst.metrics_days d ON " DAY_KEY("d")
	"  LEFT JOIN catalyst.metrics_slices s ON " DAY_KEY("s") " AND s.slice" OP("=") "$3"
	"  LEFT JOIN catalyst.metrics_hours h ON " DAY_KEY("h") " AND h.slice" OP("=") "$4";

static const char create_day_sql[] =
	"INSERT INTO catalyst.metrics_days (cycle_id, metric_date) VALUES ($1, $2)";

#define PENDING_COLUMNS \
	" q.slice, q.closed_at, q.position_id, q.realized_pnl, q.pnl_percent, q.hold_seconds," \
	" q.quantity, q.commission, q.mae, q.mfe, q.r_multiple"

/* Take the pending rows of a day that closed before $3 (and every marker). */
static const char take_pending_sql[] =
	"DELETE FROM catalyst.metrics_pending q WHERE " DAY_KEY("q")
	"   AND (q.closed_at IS NULL OR q.closed_at" OP("<") "$3)"
	" RETURNING" PENDING_COLUMNS;

/*
 * Day ($1, $2)'s pending rows, counted up to $3; a marker counts $3 (the day must be folded now).
 * fold_due() runs it only when metrics_pending has no index to scan instead.
 */
static const char count_pending_sql[] =
	"SELECT CASE WHEN EXISTS (SELECT FROM catalyst.metrics_pending q WHERE " DAY_KEY("q")
	"                           AND q.closed_at IS NULL) THEN $3"
	"       ELSE (SELECT pg_catalog.count(*) FROM (SELECT FROM catalyst.metrics_pending q"
	"              WHERE " DAY_KEY("q") " LIMIT $3) AS batch) END";

static const char read_pending_sql[] =
	"SELECT" PENDING_COLUMNS " FROM catalyst.metrics_pending q WHERE " DAY_KEY("q");

static const char insert_pending_sql[] =
	"INSERT INTO catalyst.metrics_pending (cycle_id, metric_date, slice, closed_at, position_id,"
	"       realized_pnl, pnl_percent, hold_seconds, quantity, commission, mae, mfe, r_multiple)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/*
 * The summaries of the slices of [$2, $3) of cycle $1's trades (closed positions and archived
 * ones, in closed_at order, ties by position_id, with both orders' commissions); $4 is the day's
 * start, which numbers the slices.  The writing form first deletes the pending rows of day $5
 * in that range (and, $6, the day's markers): the same statement, so the same snapshot, counts
 * their trades.
 */
static const char derive_take_sql[] =
	"WITH taken AS ("
	"    DELETE FROM catalyst.metrics_pending q"
	"     WHERE q.cycle_id" OP("=") "$1 AND q.metric_date" OP("=") "$5"
	"       AND ((q.closed_at" OP(">=") "$2 AND q.closed_at" OP("<") "$3)"
	"            OR ($6 AND q.closed_at IS NULL))"
	"), ";
/*
 * Per minute: the trades with their outcome (sign of the P&L), the running sum and its peak, and
 * the length of the run of equal outcomes each trade belongs to (gaps and islands: the row
 * number in the minute less the row number among the minute's trades of that outcome is
 * constant along a run).  The first and the last trade of a minute are told by their row number
 * (rn = 1, rn = n), computed in the running sum's window: no ordered aggregate sorts the minute
 * again.  The R-multiple is catalyst.r_multiple()'s expression, on the archive too; a 4.1 schema
 * (no initial_stop_loss) has none.
 */
#define DERIVE_SQL(p_stop, a_stop) \
	"day_positions AS (" \
	"    SELECT p.position_id, p.closed_at, p.realized_pnl, p.pnl_percent, p.hold_duration," \
	"           p.quantity, p.entry_order_id, p.exit_order_id, p.max_loss, p.max_profit," \
	"           p.entry_price, " p_stop " AS initial_stop_loss" \
	"      FROM catalyst.positions p" \
	"     WHERE p.cycle_id" OP("=") "$1 AND p.status" OP("=") "'closed'" \
	"       AND p.closed_at" OP(">=") "$2 AND p.closed_at" OP("<") "$3" \
	"    UNION ALL" \
	"    SELECT a.position_id, a.closed_at, a.realized_pnl, a.pnl_percent, a.hold_duration," \
	"           a.quantity, a.entry_order_id, a.exit_order_id, a.max_loss, a.max_profit," \
	"           a.entry_price, " a_stop " AS initial_stop_loss" \
	"      FROM catalyst.positions_archive a" \
	"     WHERE a.cycle_id" OP("=") "$1 AND a.status" OP("=") "'closed'" \
	"       AND a.closed_at" OP(">=") "$2 AND a.closed_at" OP("<") "$3" \
	"), costs AS (" \
	"    SELECT d.*, COALESCE(eo.commission, 0)" OP("+") "COALESCE(xo.commission, 0) AS" \
	" commission" \
	"      FROM day_positions d" \
	"      LEFT JOIN catalyst.orders eo ON eo.order_id" OP("=") "d.entry_order_id" \
	"      LEFT JOIN catalyst.orders xo ON xo.order_id" OP("=") "d.exit_order_id" \
	"), trades AS (" \
	"    SELECT d.position_id, d.closed_at, d.quantity, d.commission," \
	"           COALESCE(d.realized_pnl, 0) AS pnl," \
	"           pg_catalog.int4(pg_catalog.sign(COALESCE(d.realized_pnl, 0))) AS outcome," \
	"           COALESCE(d.pnl_percent, 0) AS ret," \
	"           COALESCE(pg_catalog.extract('epoch', d.hold_duration), 0) AS hold," \
	"           d.max_loss AS mae, d.max_profit AS mfe," \
	"           CASE WHEN d.initial_stop_loss" OP("<>") "d.entry_price" \
	"                 AND d.quantity" OP("<>") "0" \
	"           THEN (d.realized_pnl" OP("-") "d.commission)" OP("/") \
	"                (pg_catalog.abs(d.entry_price" OP("-") "d.initial_stop_loss)" \
	"                 " OP("*") "d.quantity::pg_catalog.numeric) END AS r," \
	"           pg_catalog.int4(pg_catalog.floor((pg_catalog.extract('epoch', d.closed_at)" \
	"               " OP("-") "pg_catalog.extract('epoch'," \
	" $4::pg_catalog.timestamptz))" OP("/") "60)) AS slice" \
	"      FROM costs d" \
	"), running AS (" \
	"    SELECT t.*, pg_catalog.sum(t.pnl) OVER w AS cum," \
	"           pg_catalog.row_number() OVER w" OP("-") "pg_catalog.row_number() OVER" \
	"               (PARTITION BY t.slice, t.outcome ORDER BY t.closed_at, t.position_id) AS" \
	" island" \
	"      FROM trades t" \
	"    WINDOW w AS (PARTITION BY t.slice ORDER BY t.closed_at, t.position_id ROWS UNBOUNDED" \
	" PRECEDING)" \
	"), peaks AS (" \
	"    SELECT r.*, GREATEST(pg_catalog.max(r.cum) OVER w, 0) AS peak," \
	"           pg_catalog.count(*) OVER (PARTITION BY r.slice, r.outcome, r.island) AS streak," \
	"           pg_catalog.row_number() OVER w AS rn," \
	"           pg_catalog.count(*) OVER (PARTITION BY r.slice) AS n" \
	"      FROM running r" \
	"    WINDOW w AS (PARTITION BY r.slice ORDER BY r.closed_at, r.position_id ROWS UNBOUNDED" \
	" PRECEDING)" \
	")" \
	" SELECT k.slice," \
	"        pg_catalog.int4(pg_catalog.count(*)) AS total_trades," \
	"        pg_catalog.int4(pg_catalog.count(*) FILTER (WHERE k.pnl" OP(">") "0)) AS" \
	" winning_trades," \
	"        pg_catalog.int4(pg_catalog.count(*) FILTER (WHERE k.pnl" OP("<") "0)) AS" \
	" losing_trades," \
	"        COALESCE(pg_catalog.sum(k.pnl) FILTER (WHERE k.pnl" OP(">") "0), 0) AS sum_wins," \
	"        COALESCE(pg_catalog.sum(k.pnl) FILTER (WHERE k.pnl" OP("<") "0), 0) AS sum_losses," \
	"        COALESCE(pg_catalog.sum(k.commission), 0) AS commissions," \
	"        pg_catalog.max(k.pnl) FILTER (WHERE k.pnl" OP(">") "0) AS largest_win," \
	"        pg_catalog.min(k.pnl) FILTER (WHERE k.pnl" OP("<") "0) AS largest_loss," \
	"        COALESCE(pg_catalog.sum(k.ret), 0) AS sum_returns," \
	"        COALESCE(pg_catalog.sum(k.ret" OP("*") "k.ret), 0) AS sum_squared_returns," \
	"        COALESCE(pg_catalog.sum(k.hold), 0) AS sum_hold_seconds," \
	"        COALESCE(pg_catalog.sum(k.quantity), 0) AS total_volume," \
	"        COALESCE(pg_catalog.max(k.peak), 0) AS peak_pnl," \
	"        LEAST(COALESCE(pg_catalog.min(k.cum), 0), 0) AS trough_pnl," \
	"        COALESCE(pg_catalog.max(k.peak" OP("-") "k.cum), 0) AS deepest_drawdown," \
	"        pg_catalog.max(k.closed_at) AS last_closed_at," \
	"        pg_catalog.max(k.position_id) FILTER (WHERE k.rn" OP("=") "k.n) AS last_position_id," \
	"        COALESCE(pg_catalog.sum(k.pnl" OP("*") "k.pnl), 0) AS sum_squared_pnl," \
	"        COALESCE(pg_catalog.sum(k.ret" OP("*") "k.ret) FILTER (WHERE k.ret" OP("<") "0), 0)" \
	"            AS sum_squared_downside," \
	"        pg_catalog.int4(pg_catalog.count(k.mae)) AS mae_trades," \
	"        COALESCE(pg_catalog.sum(k.mae), 0) AS sum_mae," \
	"        pg_catalog.int4(pg_catalog.count(k.mfe)) AS mfe_trades," \
	"        COALESCE(pg_catalog.sum(k.mfe), 0) AS sum_mfe," \
	"        pg_catalog.int4(pg_catalog.count(k.r)) AS r_trades," \
	"        COALESCE(pg_catalog.sum(k.r), 0) AS sum_r," \
	"        pg_catalog.int4(COALESCE(pg_catalog.max(k.streak) FILTER (WHERE" \
	" k.outcome" OP(">") "0), 0))" \
	"            AS longest_winning_streak," \
	"        pg_catalog.int4(COALESCE(pg_catalog.max(k.streak) FILTER (WHERE" \
	" k.outcome" OP("<") "0), 0))" \
	"            AS longest_losing_streak," \
	"        pg_catalog.max(k.outcome) FILTER (WHERE k.rn" OP("=") "1) AS first_streak_sign," \
	"        pg_catalog.int4(pg_catalog.max(k.streak) FILTER (WHERE k.rn" OP("=") "1)) AS" \
	" first_streak," \
	"        pg_catalog.max(k.outcome) FILTER (WHERE k.rn" OP("=") "k.n) AS last_streak_sign," \
	"        pg_catalog.int4(pg_catalog.max(k.streak) FILTER (WHERE k.rn" OP("=") "k.n)) AS" \
	" last_streak" \
	"   FROM peaks k GROUP BY k.slice ORDER BY k.slice"

static const char derive_sql[] = DERIVE_SQL("p.initial_stop_loss", "a.initial_stop_loss");
static const char derive_v41_sql[] = DERIVE_SQL("NULL::pg_catalog.numeric",
												"NULL::pg_catalog.numeric");

static SPIPlanPtr day_plan, create_day_plan, take_pending_plan, count_pending_plan,
			read_pending_plan, insert_pending_plan, derive_plan, derive_v41_plan, derive_take_plan,
			store_day_plan;

/*
 * The two levels of summaries below a day: minutes (metrics_slices, slice = minute of the day)
 * and hours (metrics_hours, slice = hour of the day), each hour the merge of its minutes.
 */
typedef struct Level
{
	const char *table;
	int			minutes;		/* minutes one summary spans */
	SPIPlanPtr	one_plan;		/* the row of slice $3 */
	SPIPlanPtr	range_plan;		/* the rows of slices [$3, $4) */
	SPIPlanPtr	delete_plan;	/* delete the rows of slices [$3, $4) */
	SPIPlanPtr	upsert_plan;
} Level;

static Level minute_level = {"metrics_slices", 1};
static Level hour_level = {"metrics_hours", 60};

/* A slice (minute or hour) of the day being folded or read: its summary as it will be (or is) */
typedef struct Slice
{
	int32		slice;			/* hash key */
	CatalystSummary summary;
	bool		changed;		/* to be written */
	bool		derived;		/* a minute derived anew from its trades: all of them counted */
	bool		stale;			/* an hour to merge again from its minutes */
} Slice;

typedef struct Day
{
	const char *cycle_id;
	DateADT		date;
	TimestampTz start;
	bool		write;
	Datum		key[2];			/* $1 cycle, $2 date */
	HeapTuple	row;			/* metrics_days, or NULL */
	TupleDesc	row_desc;
	CatalystSummary summary;
	bool		remerge;		/* merge the day again from its hours */
	HTAB	   *minutes;
	HTAB	   *hours;
} Day;

/* One trade of the fold, with its minute */
typedef struct Fold
{
	CatalystTrade trade;
	int32		slice;
	bool		own;			/* this statement's, not yet pending */
} Fold;

static SPIPlanPtr
plan(SPIPlanPtr *p, const char *sql, int nargs, const Oid *types)
{
	if (*p == NULL)
		*p = catalyst_keep_plan(sql, nargs, (Oid *) types);
	return *p;
}

static const Oid key_types[4] = {TEXTOID, DATEOID, INT4OID, INT4OID};

static SPIPlanPtr
level_plan(SPIPlanPtr *p, const char *format, const Level *level, int nargs)
{
	if (*p == NULL)
		*p = catalyst_keep_plan(psprintf(format, level->table), nargs, (Oid *) key_types);
	return *p;
}

int
catalyst_slice_of(TimestampTz closed_at, TimestampTz day_start)
{
	return (int) ((closed_at - day_start) / USECS_PER_MINUTE);
}

/* A row of a composite Datum, with its descriptor (kept until the transaction ends). */
static HeapTuple
composite_row(Datum value, TupleDesc *desc)
{
	HeapTupleHeader header = DatumGetHeapTupleHeader(value);
	HeapTuple	row = palloc(HEAPTUPLESIZE);

	row->t_len = HeapTupleHeaderGetDatumLength(header);
	ItemPointerSetInvalid(&row->t_self);
	row->t_tableOid = InvalidOid;
	row->t_data = header;
	*desc = lookup_rowtype_tupdesc_copy(HeapTupleHeaderGetTypeId(header),
										HeapTupleHeaderGetTypMod(header));
	return row;
}

static uint64
run(Day *day, SPIPlanPtr p, Datum *values, const char *nulls, int expected)
{
	if (day->write)
		return catalyst_spi_exec_plan(p, values, nulls, expected, 0);
	return catalyst_spi_query_plan(p, values, nulls, 0);
}

/* The entry of slice k, new (empty, unchanged) if *found is false. */
static Slice *
slice_entry(HTAB *slices, int32 k, bool *found)
{
	Slice	   *s = hash_search(slices, &k, HASH_ENTER, found);

	if (!*found)
	{
		s->changed = s->derived = s->stale = false;
		catalyst_summary_init(&s->summary);
	}
	return s;
}

/* The slice's summary as stored (or at hand). */
static Slice *
load_slice(Day *day, Level *level, HTAB *slices, int32 k)
{
	bool		found;
	Slice	   *s = slice_entry(slices, k, &found);
	Datum		values[3] = {day->key[0], day->key[1], Int32GetDatum(k)};

	if (!found &&
		run(day, level_plan(&level->one_plan,
							"SELECT s.* FROM catalyst.%s s WHERE " DAY_KEY("s") " AND"
							" s.slice" OP("=") "$3",
							level, 3),
			values, NULL, SPI_OK_SELECT) > 0)
		catalyst_summary_read(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, &s->summary);
	return s;
}

static void
put_composite(HTAB *slices, int32 k, Datum value, bool isnull)
{
	bool		found;
	Slice	   *s = slice_entry(slices, k, &found);

	if (!isnull)
	{
		TupleDesc	desc;
		HeapTuple	row = composite_row(value, &desc);

		catalyst_summary_read(row, desc, &s->summary);
	}
}

/* Nothing at hand of the day's minutes and hours. */
static void
new_slices(Day *day)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(int32);
	ctl.entrysize = sizeof(Slice);
	ctl.hcxt = CurrentMemoryContext;
	day->minutes = hash_create("catalyst day minutes", 64, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	day->hours = hash_create("catalyst day hours", 32, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* A day's key, nothing read yet. */
static void
key_day(Day *day, const char *cycle_id, DateADT date)
{
	memset(day, 0, sizeof(*day));
	day->cycle_id = cycle_id;
	day->date = date;
	day->start = catalyst_trading_day_start_of(date);
	day->key[0] = CStringGetTextDatum(cycle_id);
	day->key[1] = DateADTGetDatum(date);
}

/*
 * Open a day: its row, the minute `slice` and its hour (if slice >= 0), whether anything is
 * pending.
 */
static bool
open_day(Day *day, const char *cycle_id, DateADT date, bool write, int32 slice)
{
	Datum		values[4];
	char		nulls[4] = {' ', ' ', slice < 0 ? 'n' : ' ', slice < 0 ? 'n' : ' '};
	HeapTuple	result;
	TupleDesc	desc;
	bool		isnull;
	Datum		value;

	key_day(day, cycle_id, date);
	day->write = write;
	new_slices(day);
	catalyst_summary_init(&day->summary);

	values[0] = day->key[0];
	values[1] = day->key[1];
	values[2] = Int32GetDatum(slice);
	values[3] = Int32GetDatum(slice / 60);
	if (run(day, plan(&day_plan, day_sql, 4, key_types), values, nulls, SPI_OK_SELECT) != 1)
		elog(ERROR, "the metrics of cycle \"%s\" cannot be read", cycle_id);
	result = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;

	value = SPI_getbinval(result, desc, 1, &isnull);
	if (!isnull)
	{
		day->row = composite_row(value, &day->row_desc);
		catalyst_summary_read(day->row, day->row_desc, &day->summary);
	}
	if (slice >= 0)
	{
		value = SPI_getbinval(result, desc, 2, &isnull);
		put_composite(day->minutes, slice, value, isnull);
		value = SPI_getbinval(result, desc, 3, &isnull);
		put_composite(day->hours, slice / 60, value, isnull);
	}
	return DatumGetBool(SPI_getbinval(result, desc, 4, &isnull));
}

/* A pending row as a Fold; false for a marker. */
static bool
pending_fold(HeapTuple row, TupleDesc desc, Fold *f)
{
	bool		isnull;
	Datum		v;

	v = SPI_getbinval(row, desc, 2, &isnull);
	if (isnull)
		return false;
	f->trade.closed_at = DatumGetTimestampTz(v);
	f->slice = DatumGetInt32(SPI_getbinval(row, desc, 1, &isnull));
	f->trade.position_id = DatumGetInt32(SPI_getbinval(row, desc, 3, &isnull));
	f->trade.realized_pnl = SPI_getbinval(row, desc, 4, &isnull);
	f->trade.pnl_percent = SPI_getbinval(row, desc, 5, &isnull);
	f->trade.hold_seconds = SPI_getbinval(row, desc, 6, &isnull);
	f->trade.quantity = DatumGetInt32(SPI_getbinval(row, desc, 7, &isnull));
	f->trade.commission = SPI_getbinval(row, desc, 8, &isnull);
	f->trade.mae = SPI_getbinval(row, desc, 9, &isnull);
	f->trade.has_mae = !isnull;
	f->trade.mfe = SPI_getbinval(row, desc, 10, &isnull);
	f->trade.has_mfe = !isnull;
	f->trade.r = SPI_getbinval(row, desc, 11, &isnull);
	f->trade.has_r = !isnull;
	f->own = false;
	return true;
}

/* Pending rows appended to folds[*n]; true if a marker is among them (the day is derived anew). */
static bool
pending_folds(SPITupleTable *rows, uint64 count, Fold *folds, int *n)
{
	for (uint64 i = 0; i < count; i++)
	{
		if (!pending_fold(rows->vals[i], rows->tupdesc, &folds[*n]))
			return true;
		(*n)++;
	}
	return false;
}

/* The hour of minute k, to be merged again from its minutes. */
static void
stale_hour(Day *day, int32 k)
{
	bool		found;
	Slice	   *h = slice_entry(day->hours, k / 60, &found);

	h->stale = h->changed = true;
	day->remerge = true;
}

/* $1 cycle, [$2, $3) the trades' range, $4 the day's start; the writing form's $5 date, $6
 * markers */
static const Oid derive_types[6] = {
	TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID, DATEOID, BOOLOID
};

/* derive_sql alone: it writes nothing (`v41`: for a 4.1 schema) */
static SPIPlanPtr
derive_read_plan(bool v41)
{
	if (v41)
	{
		if (derive_v41_plan == NULL)
			derive_v41_plan = catalyst_keep_plan(psprintf("WITH %s", derive_v41_sql), 6,
												 (Oid *) derive_types);
		return derive_v41_plan;
	}
	if (derive_plan == NULL)
		derive_plan = catalyst_keep_generic_plan(psprintf("WITH %s", derive_sql), 6,
												 (Oid *) derive_types);
	return derive_plan;
}

/*
 * Derive anew minutes first..last from their trades (the writing form takes the pending rows of
 * that range); `whole_day`: every minute of the day, and the day's markers.  A minute without
 * trades becomes empty.
 */
static void
derive_minutes(Day *day, int32 first, int32 last, bool whole_day)
{
	Datum		values[6];
	SPITupleTable *result;
	uint64		n;

	if (whole_day)				/* whatever the day's length */
	{
		values[1] = TimestampTzGetDatum(day->start);
		values[2] = TimestampTzGetDatum(catalyst_trading_day_start_of(day->date + 1));
	}
	else
	{
		values[1] = TimestampTzGetDatum(day->start + (int64) first * USECS_PER_MINUTE);
		values[2] = TimestampTzGetDatum(day->start + (int64) (last + 1) * USECS_PER_MINUTE);
	}
	values[0] = day->key[0];
	values[3] = TimestampTzGetDatum(day->start);
	values[4] = day->key[1];
	values[5] = BoolGetDatum(whole_day);

	if (day->write)
	{
		if (derive_take_plan == NULL)
			derive_take_plan = catalyst_keep_generic_plan(psprintf("%s%s", derive_take_sql,
																   derive_sql),
														  6, (Oid *) derive_types);
		n = catalyst_spi_exec_plan(derive_take_plan, values, NULL, SPI_OK_SELECT, 0);
	}
	else
		n = catalyst_spi_query_plan(derive_read_plan(false), values, NULL, 0);
	result = SPI_tuptable;

	if (whole_day)
	{
		hash_destroy(day->minutes);
		hash_destroy(day->hours);
		new_slices(day);
	}
	else
		for (int32 k = first; k <= last; k++)
		{
			bool		found;
			Slice	   *s = slice_entry(day->minutes, k, &found);

			catalyst_summary_init(&s->summary);
			s->changed = s->derived = true;
			stale_hour(day, k);
		}
	for (uint64 i = 0; i < n; i++)
	{
		bool		found;
		bool		isnull;
		int32		k = DatumGetInt32(SPI_getbinval(result->vals[i], result->tupdesc, 1, &isnull));
		Slice	   *s = slice_entry(day->minutes, k, &found);

		catalyst_summary_read(result->vals[i], result->tupdesc, &s->summary);
		s->changed = s->derived = true;
		stale_hour(day, k);
	}
	day->remerge = true;
}

static int
compare_slices(const void *a, const void *b)
{
	int32		x = (*(Slice *const *) a)->slice;
	int32		y = (*(Slice *const *) b)->slice;

	return (x > y) - (x < y);
}

/*
 * *out := the merge, in order, of the slices [lo, hi) of a level: those at hand, and (unless
 * `at_hand_only`) the stored ones not at hand.
 */
static void
merge_range(Day *day, Level *level, HTAB *slices, int32 lo, int32 hi, bool at_hand_only,
			CatalystSummary *out)
{
	HASH_SEQ_STATUS seq;
	Slice	   *s;
	Slice	  **sorted;
	long		n = 0;

	if (!at_hand_only)
	{
		Datum		values[4] = {day->key[0], day->key[1], Int32GetDatum(lo), Int32GetDatum(hi)};
		SPITupleTable *result;
		uint64		rows = run(day, level_plan(&level->range_plan,
											   "SELECT s.* FROM catalyst.%s s WHERE " DAY_KEY("s")
											   " AND s.slice" OP(">=") "$3 AND"
											   " s.slice" OP("<") "$4",
											   level, 4),
							   values, NULL, SPI_OK_SELECT);
		int			attnum = 0;

		result = SPI_tuptable;
		for (uint64 i = 0; i < rows; i++)
		{
			bool		found;
			bool		isnull;
			int32		k;

			if (attnum == 0)
				attnum = catalyst_column(result->tupdesc, "slice", INT4OID, &attnum);
			k = DatumGetInt32(SPI_getbinval(result->vals[i], result->tupdesc, attnum, &isnull));
			s = slice_entry(slices, k, &found);
			if (!found)
				catalyst_summary_read(result->vals[i], result->tupdesc, &s->summary);
		}
	}
	sorted = palloc(sizeof(Slice *) * Max(hash_get_num_entries(slices), 1));
	hash_seq_init(&seq, slices);
	while ((s = hash_seq_search(&seq)) != NULL)
		if (s->slice >= lo && s->slice < hi)
			sorted[n++] = s;
	qsort(sorted, n, sizeof(Slice *), compare_slices);
	catalyst_summary_init(out);
	for (long i = 0; i < n; i++)
		catalyst_summary_merge(out, &sorted[i]->summary);
	pfree(sorted);
}

/* Merge again the stale hours from their minutes, and the day from its hours if it must be. */
static void
remerge(Day *day, bool at_hand_only)
{
	HASH_SEQ_STATUS seq;
	Slice	   *h;

	hash_seq_init(&seq, day->hours);
	while ((h = hash_seq_search(&seq)) != NULL)
		if (h->stale)
			merge_range(day, &minute_level, day->minutes, h->slice * 60, h->slice * 60 + 60,
						at_hand_only, &h->summary);
	if (day->remerge)
		merge_range(day, &hour_level, day->hours, PG_INT32_MIN, PG_INT32_MAX, at_hand_only,
					&day->summary);
}

static int
compare_folds(const void *a, const void *b)
{
	return catalyst_trade_cmp(&((const Fold *) a)->trade, &((const Fold *) b)->trade);
}

/*
 * Fold trades (sorted) into the day: merged at their minute's end where they follow it (and at
 * their hour's and the day's end where they follow those), their minute derived anew where
 * they do not.  Trades of a derived minute are counted by the derive.  A minute's trades are
 * summarized together first, so the hour and the day take one merge per minute, not per trade.
 */
static void
fold_trades(Day *day, Fold *folds, int n)
{
	int			i = 0;

	while (i < n)
	{
		int32		k = folds[i].slice;
		int			j = i;
		Slice	   *s;

		while (j < n && folds[j].slice == k)
			j++;
		s = load_slice(day, &minute_level, day->minutes, k);
		if (!s->derived && catalyst_summary_precedes(&s->summary, &folds[i].trade))
		{
			Slice	   *h = load_slice(day, &hour_level, day->hours, k / 60);
			CatalystSummary run;

			catalyst_summary_init(&run);
			for (int t = i; t < j; t++)
			{
				CatalystSummary one;

				catalyst_summary_of_trade(&one, &folds[t].trade);
				catalyst_summary_merge(&run, &one);
			}
			/* the minute's trades are sorted: if the first follows a run, they all do */
			catalyst_summary_merge(&s->summary, &run);
			if (!h->stale && catalyst_summary_precedes(&h->summary, &folds[i].trade))
				catalyst_summary_merge(&h->summary, &run);
			else
				h->stale = true;
			if (!day->remerge && catalyst_summary_precedes(&day->summary, &folds[i].trade))
				catalyst_summary_merge(&day->summary, &run);
			else
				day->remerge = true;
			s->changed = h->changed = true;
		}
		else if (!s->derived)
			derive_minutes(day, k, k, false);
		i = j;
	}
}

/*
 * What this backend knows of each day's pending closes, so that it counts them (scan_pending())
 * only when its own closes since it last counted could make a batch, not at every close.  The
 * count it saw plus its own closes since is a lower bound of the day's pending closes but for
 * other sessions' folds: in one session it is exact, so a batch folds at the same close as if
 * counted each time; with many sessions a batch is found by whichever session counts next, later
 * than it became due.  A marker (derive the day anew) must not wait that long, since every read
 * of its day derives the whole day until it is folded: a session that leaves one invalidates
 * metrics_pending's relation cache entry (catalyst_pend_day()), which every backend processes at
 * its next lock, and forget_hints() then forgets every hint, so the next close of the day counts
 * and finds it.  The hint decides only when to fold, never what a fold or a read takes.  A
 * direct-mapped cache of HINT_SLOTS days, keyed by a hash of (cycle_id, date): a day that loses
 * its slot is counted again at its next close.
 */
#define HINT_SLOTS 64

typedef struct PendingHint
{
	bool		known;
	uint64		key;
	int			pending;		/* the day's pending closes, as far as this backend knows */
} PendingHint;

static PendingHint pending_hints[HINT_SLOTS];

/* metrics_pending's OID, for forget_hints(), which may not read the catalog */
static Oid	pending_oid = InvalidOid;

/* A relation cache invalidation of metrics_pending (or of every relation): every hint is void. */
static void
forget_hints(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == pending_oid)
		memset(pending_hints, 0, sizeof(pending_hints));
}

/* metrics_pending's OID; the first call registers forget_hints() */
static Oid
pending_relid(void)
{
	static bool registered = false;

	if (!registered)
	{
		CacheRegisterRelcacheCallback(forget_hints, (Datum) 0);
		registered = true;
	}
	pending_oid = catalyst_relid("metrics_pending");
	return pending_oid;
}

static PendingHint *
pending_hint(const char *cycle_id, DateADT date)
{
	uint64		key = ((uint64) hash_bytes((const unsigned char *) cycle_id,
										   strlen(cycle_id)) << 32) | (uint32) date;
	PendingHint *hint = &pending_hints[(key ^ (key >> 32)) % HINT_SLOTS];

	if (!hint->known || hint->key != key)
	{
		hint->known = false;
		hint->key = key;
	}
	return hint;
}

/* The columns of metrics_pending, in insert_pending_sql's order, and their types */
#define PENDING_NCOLUMNS 13
static const char *const pending_columns[PENDING_NCOLUMNS] = {
	"cycle_id", "metric_date", "slice", "closed_at", "position_id", "realized_pnl", "pnl_percent",
	"hold_seconds", "quantity", "commission", "mae", "mfe", "r_multiple"
};
static const Oid pending_types[PENDING_NCOLUMNS] = {
	VARCHAROID, DATEOID, INT4OID, TIMESTAMPTZOID, INT4OID, NUMERICOID, NUMERICOID, NUMERICOID,
	INT4OID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID
};

/*
 * Insert a close, or a marker (trade NULL), into metrics_pending: directly (row_insert.c), or by
 * insert_pending_sql if a DBA changed the table so that the statement must decide.
 */
static void
pend(Day *day, const CatalystTrade *trade)
{
	static int	attnums[PENDING_NCOLUMNS];
	Oid			types[PENDING_NCOLUMNS];
	Datum		values[PENDING_NCOLUMNS] = {day->key[0], day->key[1]};
	bool		isnull[PENDING_NCOLUMNS];
	char		nulls[PENDING_NCOLUMNS];
	Relation	pending;
	bool		inserted;

	for (int i = 0; i < PENDING_NCOLUMNS; i++)
		isnull[i] = i >= 2 && trade == NULL;
	if (trade)
	{
		values[2] = Int32GetDatum(catalyst_slice_of(trade->closed_at, day->start));
		values[3] = TimestampTzGetDatum(trade->closed_at);
		values[4] = Int32GetDatum(trade->position_id);
		values[5] = trade->realized_pnl;
		values[6] = trade->pnl_percent;
		values[7] = trade->hold_seconds;
		values[8] = Int32GetDatum(trade->quantity);
		values[9] = trade->commission;
		values[10] = trade->mae;
		isnull[10] = !trade->has_mae;
		values[11] = trade->mfe;
		isnull[11] = !trade->has_mfe;
		values[12] = trade->r;
		isnull[12] = !trade->has_r;
	}
	pending = table_open(pending_relid(), RowExclusiveLock);
	inserted = catalyst_row_insertable(pending, PENDING_NCOLUMNS, pending_columns, pending_types,
									   attnums);
	if (inserted)
		catalyst_insert_row(pending, PENDING_NCOLUMNS, attnums, values, isnull);
	table_close(pending, NoLock);
	if (inserted)
		return;
	for (int i = 0; i < PENDING_NCOLUMNS; i++)
	{
		types[i] = i == 0 ? TEXTOID : pending_types[i];
		nulls[i] = isnull[i] ? 'n' : ' ';
	}
	catalyst_spi_exec_plan(plan(&insert_pending_plan, insert_pending_sql, PENDING_NCOLUMNS, types),
						   values, nulls, SPI_OK_INSERT, 0);
}

/* Delete the stored slices [lo, hi) of a level. */
static void
delete_slices(Day *day, Level *level, int32 lo, int32 hi)
{
	Datum		values[4] = {day->key[0], day->key[1], Int32GetDatum(lo), Int32GetDatum(hi)};

	catalyst_spi_exec_plan(level_plan(&level->delete_plan,
									  "DELETE FROM catalyst.%s s WHERE " DAY_KEY("s")
									  " AND s.slice" OP(">=") "$3 AND s.slice" OP("<") "$4",
									  level, 4),
						   values, NULL, SPI_OK_DELETE, 0);
}

/* Write the changed slices of a level (an empty one is deleted). */
static void
write_slices(Day *day, Level *level, HTAB *slices)
{
	HASH_SEQ_STATUS seq;
	Slice	   *s;

	hash_seq_init(&seq, slices);
	while ((s = hash_seq_search(&seq)) != NULL)
	{
		Datum		values[3 + CATALYST_N_SUMMARY_COLUMNS] = {
			day->key[0], day->key[1], Int32GetDatum(s->slice)
		};
		char		nulls[3 + CATALYST_N_SUMMARY_COLUMNS] = {' ', ' ', ' '};

		if (!s->changed)
			continue;
		if (s->summary.total_trades == 0)
		{
			delete_slices(day, level, s->slice, s->slice + 1);
			continue;
		}
		if (level->upsert_plan == NULL)
		{
			Oid			types[3 + CATALYST_N_SUMMARY_COLUMNS] = {TEXTOID, DATEOID, INT4OID};
			StringInfoData sql;

			initStringInfo(&sql);
			appendStringInfo(&sql, "INSERT INTO catalyst.%s (cycle_id, metric_date, slice",
							 level->table);
			for (int i = 0; i < CATALYST_N_SUMMARY_COLUMNS; i++)
			{
				types[3 + i] = catalyst_summary_types[i];
				appendStringInfo(&sql, ", %s", catalyst_summary_columns[i]);
			}
			appendStringInfoString(&sql, ") VALUES ($1, $2, $3");
			for (int i = 0; i < CATALYST_N_SUMMARY_COLUMNS; i++)
				appendStringInfo(&sql, ", $%d", 4 + i);
			appendStringInfoString(&sql,
								   ") ON CONFLICT (cycle_id, metric_date, slice) DO UPDATE SET ");
			for (int i = 0; i < CATALYST_N_SUMMARY_COLUMNS; i++)
				appendStringInfo(&sql, "%s%s = EXCLUDED.%s", i > 0 ? ", " : "",
								 catalyst_summary_columns[i], catalyst_summary_columns[i]);
			level->upsert_plan = catalyst_keep_plan(sql.data, 3 + CATALYST_N_SUMMARY_COLUMNS,
													types);
		}
		catalyst_summary_values(&s->summary, values + 3, nulls + 3);
		catalyst_spi_exec_plan(level->upsert_plan, values, nulls, SPI_OK_INSERT, 0);
	}
}

static void
store_day(Day *day)
{
	Datum		values[2 + CATALYST_N_SUMMARY_COLUMNS + CATALYST_N_DERIVED_COLUMNS] = {
		day->key[0], day->key[1]
	};
	char		nulls[2 + CATALYST_N_SUMMARY_COLUMNS + CATALYST_N_DERIVED_COLUMNS] = {' ', ' '};

	if (store_day_plan == NULL)
	{
		Oid			types[2 + CATALYST_N_SUMMARY_COLUMNS + CATALYST_N_DERIVED_COLUMNS] = {
			TEXTOID, DATEOID
		};
		StringInfoData sql;
		int			param = 2;

		initStringInfo(&sql);
		appendStringInfoString(&sql, "UPDATE catalyst.metrics_days SET ");
		for (int i = 0; i < CATALYST_N_SUMMARY_COLUMNS; i++)
		{
			types[param] = catalyst_summary_types[i];
			appendStringInfo(&sql, "%s = $%d, ", catalyst_summary_columns[i], ++param);
		}
		for (int i = 0; i < CATALYST_N_DERIVED_COLUMNS; i++)
		{
			types[param] = catalyst_derived_types[i];
			appendStringInfo(&sql, "%s%s = $%d", i > 0 ? ", " : "",
							 catalyst_derived_columns[i], ++param);
		}
		appendStringInfoString(&sql, " WHERE" DAY_KEY("metrics_days"));
		store_day_plan = catalyst_keep_plan(sql.data, param, types);
	}
	catalyst_summary_values(&day->summary, values + 2, nulls + 2);
	catalyst_summary_derive(&day->summary, values + 2 + CATALYST_N_SUMMARY_COLUMNS,
							nulls + 2 + CATALYST_N_SUMMARY_COLUMNS);
	if (catalyst_spi_exec_plan(store_day_plan, values, nulls, SPI_OK_UPDATE, 0) != 1)
		elog(ERROR, "the metrics row of cycle \"%s\" is gone", day->cycle_id);
}

/*
 * The earliest closed_at another transaction may still commit without writing it in the past:
 * the start of the oldest transaction running in another session of this database (a close
 * dated now(), statement_timestamp() or clock_timestamp() is never earlier).  Closes before it
 * are folded; later ones wait, pending, so that folding them does not make a close still in
 * flight land before the day's end.  Nothing but speed depends on it: a close that lands
 * before its slice's end makes the slice be derived anew.  A transaction open for more than
 * HORIZON_LAG (an idle session in a transaction, a long report) is not waited for: its closes,
 * if any, take that slower path, and the pending closes stay a second's worth.
 */
#define HORIZON_LAG USECS_PER_SEC

static TimestampTz
fold_horizon(void)
{
	TimestampTz horizon = DT_NOEND;
	TimestampTz oldest_waited_for = GetCurrentStatementStartTimestamp() - HORIZON_LAG;
	int			n;

	pgstat_clear_backend_activity_snapshot();
	n = pgstat_fetch_stat_numbackends();
	for (int i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *local = pgstat_fetch_stat_local_beentry(i);
		PgBackendStatus *b;

		if (local == NULL)
			continue;
		b = &local->backendStatus;
		if (b->st_procpid == MyProcPid || b->st_backendType != B_BACKEND ||
			b->st_databaseid != MyDatabaseId || b->st_xact_start_timestamp == 0)
			continue;
		if (b->st_xact_start_timestamp >= oldest_waited_for)
			horizon = Min(horizon, b->st_xact_start_timestamp);
	}
	return horizon;
}

/* Insert this statement's closes of a day (or, `recompute`, a marker) into metrics_pending. */
static void
pend_closes(Day *day, List *own, bool recompute)
{
	ListCell   *lc;

	if (recompute)
		pend(day, NULL);
	else
		foreach(lc, own)
			pend(day, lfirst(lc));
}

/*
 * Leave this statement's closes of a day (or, `recompute`, a marker) pending: the day's fold lock
 * is another session's, or no batch is due.
 */
void
catalyst_pend_day(const char *cycle_id, DateADT date, List *own, bool recompute)
{
	Day			day;
	PendingHint *hint = pending_hint(cycle_id, date);

	key_day(&day, cycle_id, date);
	pend_closes(&day, own, recompute);
	/* a marker is folded at the next close of its day, in any session: it must count */
	if (recompute)
		CacheInvalidateRelcacheByRelid(pending_relid());
	else if (hint->known)
		hint->pending += list_length(own);
}

/*
 * The day's pending rows, counted by a scan of `index` in a fresh snapshot up to `batch`; a
 * marker counts `batch`.
 */
static int
scan_pending(Relation pending, Relation index, int closed_at, const char *cycle_id,
			 DateADT date, int batch)
{
	ScanKeyData keys[2];
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	IndexScanDesc scan = index_beginscan(pending, index, snapshot, 2, 0);
	TupleTableSlot *slot = table_slot_create(pending, NULL);
	int			counted = 0;

	ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[0], F_TEXTEQ, CStringGetTextDatum(cycle_id));
	ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[1], F_DATE_EQ, DateADTGetDatum(date));
	index_rescan(scan, keys, 2, NULL, 0);
	while (counted < batch && index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		marker;

		(void) slot_getattr(slot, closed_at, &marker);
		counted = marker ? batch : counted + 1;
	}
	ExecDropSingleTupleTableSlot(slot);
	index_endscan(scan);
	UnregisterSnapshot(snapshot);
	return counted;
}

/* scan_pending() by the query count_pending_sql, for a metrics_pending without such an index. */
static int
query_pending(const char *cycle_id, DateADT date, int batch)
{
	Datum		values[3] = {CStringGetTextDatum(cycle_id), DateADTGetDatum(date),
	Int64GetDatum(batch)};
	Oid			types[3] = {TEXTOID, DATEOID, INT8OID};
	bool		isnull;

	catalyst_spi_exec_plan(plan(&count_pending_plan, count_pending_sql, 3, types), values, NULL,
						   SPI_OK_SELECT, 1);
	return (int) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
											 &isnull));
}

/*
 * Whether the day's closes are to be folded now: a marker waits for nothing, and closes wait
 * until catalyst.fold_batch of them, this statement's with the pending ones, can be folded in
 * one go (one write of the day's rows for them all).
 *
 * The day's pending closes are counted only when this backend's hint (above) says its own closes
 * could make a batch, or another session left a marker, by a scan of an index of metrics_pending
 * on (cycle_id, metric_date) (metrics_pending_day, or whichever qualifies if a DBA replaced it),
 * not by a query, whose planning and executor start cost more than the rest of a pending close;
 * without such an index, by the query.  The answer only decides when to fold (a fold takes
 * whatever is pending then, exactly), so a fresh snapshot of the moment does.
 */
static bool
fold_due(const char *cycle_id, DateADT date, List *own, bool recompute)
{
	static int	attnums[3] = {0, 0, 0};
	int			others = catalyst_fold_batch - list_length(own);
	Relation	pending;
	Relation	day_index;
	TupleDesc	desc;
	int			key_attnums[2];
	int			closed_at;
	int			counted;
	PendingHint *hint;

	if (recompute || others <= 0)
		return true;
	hint = pending_hint(cycle_id, date);
	if (hint->known && hint->pending < others)
		return false;			/* catalyst_pend_day() counts the closes in */
	pending = table_open(pending_relid(), AccessShareLock);
	desc = RelationGetDescr(pending);
	key_attnums[0] = catalyst_column(desc, "cycle_id", VARCHAROID, &attnums[0]);
	key_attnums[1] = catalyst_column(desc, "metric_date", DATEOID, &attnums[1]);
	closed_at = catalyst_column(desc, "closed_at", TIMESTAMPTZOID, &attnums[2]);
	day_index = catalyst_open_key_index(pending, key_attnums, 2, false, AccessShareLock);
	if (day_index != NULL)
	{
		counted = scan_pending(pending, day_index, closed_at, cycle_id, date, others);
		relation_close(day_index, AccessShareLock);
	}
	else
		counted = query_pending(cycle_id, date, others);
	table_close(pending, AccessShareLock);
	/* a fold takes every pending close but those of transactions still running */
	hint->known = true;
	hint->pending = counted >= others ? 0 : counted;
	return counted >= others;
}

void
catalyst_fold_day(const char *cycle_id, DateADT date, List *own, bool recompute)
{
	Day			day;
	int32		first_slice = -1;
	bool		pending;
	TimestampTz horizon;
	Fold	   *folds;
	int			n = 0;
	int			capacity;
	ListCell   *lc;

	if (!fold_due(cycle_id, date, own, recompute))
	{
		catalyst_pend_day(cycle_id, date, own, false);
		return;
	}
	if (!recompute && own != NIL)
		first_slice = catalyst_slice_of(((CatalystTrade *) llast(own))->closed_at,
										catalyst_trading_day_start_of(date));
	pending = open_day(&day, cycle_id, date, true, first_slice);
	if (day.row == NULL)
		catalyst_spi_exec_plan(plan(&create_day_plan, create_day_sql, 2, key_types),
							   day.key, NULL, SPI_OK_INSERT, 0);

	horizon = fold_horizon();
	capacity = list_length(own) + 16;
	folds = palloc(sizeof(Fold) * capacity);
	if (pending && !recompute)
	{
		SPITupleTable *result;
		uint64		rows;
		Datum		values[3] = {day.key[0], day.key[1], TimestampTzGetDatum(horizon)};
		Oid			types[3] = {TEXTOID, DATEOID, TIMESTAMPTZOID};

		rows = catalyst_spi_exec_plan(plan(&take_pending_plan, take_pending_sql, 3, types),
									  values, NULL, SPI_OK_DELETE_RETURNING, 0);
		result = SPI_tuptable;
		if (rows + list_length(own) > (uint64) capacity)
		{
			capacity = rows + list_length(own);
			folds = repalloc(folds, sizeof(Fold) * capacity);
		}
		recompute = pending_folds(result, rows, folds, &n);
	}

	if (recompute)
	{
		/* every trade of the day, this statement's and the pending ones, is counted */
		derive_minutes(&day, 0, 0, true);
		remerge(&day, true);
		delete_slices(&day, &minute_level, PG_INT32_MIN, PG_INT32_MAX);
		delete_slices(&day, &hour_level, PG_INT32_MIN, PG_INT32_MAX);
		write_slices(&day, &minute_level, day.minutes);
		write_slices(&day, &hour_level, day.hours);
		store_day(&day);
		return;
	}

	foreach(lc, own)
	{
		CatalystTrade *t = lfirst(lc);

		folds[n].trade = *t;
		folds[n].slice = catalyst_slice_of(t->closed_at, day.start);
		folds[n].own = true;
		n++;
	}
	qsort(folds, n, sizeof(Fold), compare_folds);

	/* this statement's closes from the horizon on wait, unless their slice is derived anew */
	{
		int			m = 0;
		int			waiting = 0;
		Fold	   *later = palloc(sizeof(Fold) * Max(n, 1));

		for (int i = 0; i < n; i++)
		{
			if (folds[i].own && folds[i].trade.closed_at >= horizon)
				later[waiting++] = folds[i];
			else
				folds[m++] = folds[i];
		}
		fold_trades(&day, folds, m);
		for (int i = 0; i < waiting; i++)
		{
			Slice	   *s = hash_search(day.minutes, &later[i].slice, HASH_FIND, NULL);

			if (s == NULL || !s->derived)
				pend(&day, &later[i].trade);
		}
	}
	remerge(&day, false);
	write_slices(&day, &minute_level, day.minutes);
	write_slices(&day, &hour_level, day.hours);
	store_day(&day);
}

void
catalyst_read_day(const char *cycle_id, DateADT date, CatalystSummary *summary,
				  HeapTuple *day_row, TupleDesc *day_desc)
{
	Day			day;

	if (open_day(&day, cycle_id, date, false, -1))
	{
		SPITupleTable *result;
		uint64		rows = catalyst_spi_query_plan(plan(&read_pending_plan, read_pending_sql, 2,
														key_types),
												   day.key, NULL, 0);
		Fold	   *folds = palloc(sizeof(Fold) * Max(rows, 1));
		int			n = 0;
		bool		recompute;

		result = SPI_tuptable;
		recompute = pending_folds(result, rows, folds, &n);
		if (recompute)
		{
			derive_minutes(&day, 0, 0, true);
			remerge(&day, true);
		}
		else
		{
			qsort(folds, n, sizeof(Fold), compare_folds);
			fold_trades(&day, folds, n);
			remerge(&day, false);
		}
	}
	*summary = day.summary;
	*day_row = day.row;
	*day_desc = day.row_desc;
}

/*
 * The summary of a whole day derived from its trades: derive_sql (which writes nothing) over the
 * day's bounds, its minutes merged in order.  It runs as a statement of its own, not in the
 * caller's snapshot: under READ COMMITTED it sees every close committed before it starts (after
 * the caller locked the day, say).  The summary's values live in the caller's memory context and
 * SPI's, so until the caller's SPI_finish.  The caller is connected to SPI as the owner of
 * positions and orders.
 */
void
catalyst_summarize_day(const char *cycle_id, DateADT date, bool v41, CatalystSummary *out)
{
	TimestampTz start = catalyst_trading_day_start_of(date);
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	SPITupleTable *result;
	uint64		n;

	values[0] = CStringGetTextDatum(cycle_id);
	values[1] = TimestampTzGetDatum(start);
	values[2] = TimestampTzGetDatum(catalyst_trading_day_start_of(date + 1));
	values[3] = TimestampTzGetDatum(start);
	values[4] = DateADTGetDatum(date);
	values[5] = BoolGetDatum(false);
	n = catalyst_spi_exec_plan(derive_read_plan(v41), values, nulls, SPI_OK_SELECT, 0);
	result = SPI_tuptable;
	catalyst_summary_init(out);
	for (uint64 i = 0; i < n; i++)
	{
		CatalystSummary minute;

		catalyst_summary_read(result->vals[i], result->tupdesc, &minute);
		catalyst_summary_merge(out, &minute);
	}
}
