/*
 * metrics_state.c: the running state of one cycle's trading day, and the metrics derived from it.
 *
 * A performance_metrics row holds the state of its day's trades (counts, exact sums of wins,
 * losses, commissions, returns, squared returns and hold seconds, the largest win and loss, the
 * running peak of cumulative P&L and the deepest fall from it, and the (closed_at, position_id)
 * of the last trade folded in) and the metrics derived from it.  Both ways of producing a state,
 * folding one more trade into it (the incremental close path) and aggregating the whole day (the
 * full recompute), end in catalyst_day_state_store(), which derives the metrics from the state
 * and writes both: the metrics are the same whichever path produced the state.
 *
 * Definitions (README, "Closing positions and the metrics roll-up"), n = total_trades:
 *   win_rate        winning_trades::numeric / n * 100 (0 without trades), as the seed generates it
 *   gross_pnl       sum_wins + sum_losses
 *   net_pnl         gross_pnl - commissions, as the seed generates it
 *   average_win     sum_wins / winning_trades            (NULL without a win)
 *   average_loss    sum_losses / losing_trades           (NULL without a loss)
 *   profit_factor   sum_wins / -sum_losses                (NULL without a loss)
 *   sharpe_ratio    mean / sample stddev of pnl_percent  (NULL for n < 2 or a zero stddev)
 *   max_drawdown    deepest_drawdown
 *   recovery_factor net_pnl / max_drawdown                (NULL when max_drawdown = 0)
 *   avg_hold_time   sum_hold_seconds / n                  (NULL without trades)
 * A numeric metric beyond its column's range is clamped to it (the DECIMAL(6,2) ratios to
 * +-9999.99), and rounded to the column's scale when stored: no input makes the roll-up fail.
 */
#include "catalyst.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "storage/lockdefs.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* The state columns, in the order of the store statement's parameters $2..$17 */
enum
{
	S_TOTAL_TRADES,
	S_WINNING_TRADES,
	S_LOSING_TRADES,
	S_SUM_WINS,
	S_SUM_LOSSES,
	S_COMMISSIONS,
	S_LARGEST_WIN,
	S_LARGEST_LOSS,
	S_SUM_RETURNS,
	S_SUM_SQUARED_RETURNS,
	S_SUM_HOLD_SECONDS,
	S_TOTAL_VOLUME,
	S_PEAK_PNL,
	S_DEEPEST_DRAWDOWN,
	S_LAST_CLOSED_AT,
	S_LAST_POSITION_ID,
	N_STATE
};

static const char *const state_columns[N_STATE] = {
	"total_trades", "winning_trades", "losing_trades", "sum_wins", "sum_losses", "commissions",
	"largest_win", "largest_loss", "sum_returns", "sum_squared_returns", "sum_hold_seconds",
	"total_volume", "peak_pnl", "deepest_drawdown", "last_closed_at", "last_position_id",
};

static const Oid state_types[N_STATE] = {
	INT4OID, INT4OID, INT4OID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
	NUMERICOID, NUMERICOID, NUMERICOID, INT8OID, NUMERICOID, NUMERICOID, TIMESTAMPTZOID, INT4OID,
};

/* The derived columns, parameters $18..$27 */
enum
{
	D_WIN_RATE,
	D_GROSS_PNL,
	D_NET_PNL,
	D_AVERAGE_WIN,
	D_AVERAGE_LOSS,
	D_PROFIT_FACTOR,
	D_SHARPE_RATIO,
	D_MAX_DRAWDOWN,
	D_RECOVERY_FACTOR,
	D_AVG_HOLD_TIME,
	N_DERIVED
};

static const char *const derived_columns[N_DERIVED] = {
	"win_rate", "gross_pnl", "net_pnl", "average_win", "average_loss", "profit_factor",
	"sharpe_ratio", "max_drawdown", "recovery_factor", "avg_hold_time",
};

static const Oid derived_types[N_DERIVED] = {
	NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
	NUMERICOID, INTERVALOID,
};

static int	state_attnums[N_STATE];
static int	derived_attnums[N_DERIVED];
static SPIPlanPtr store_plan = NULL;

/* numeric arithmetic on Datums */
static Datum
num(int64 value)
{
	return NumericGetDatum(int64_to_numeric(value));
}

static Datum
add(Datum a, Datum b)
{
	return DirectFunctionCall2(numeric_add, a, b);
}

static Datum
sub(Datum a, Datum b)
{
	return DirectFunctionCall2(numeric_sub, a, b);
}

static Datum
mul(Datum a, Datum b)
{
	return DirectFunctionCall2(numeric_mul, a, b);
}

static Datum
divide(Datum a, Datum b)
{
	return DirectFunctionCall2(numeric_div, a, b);
}

static Datum
negate(Datum a)
{
	return DirectFunctionCall1(numeric_uminus, a);
}

static int
cmp(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

static int
sign(Datum a)
{
	return cmp(a, num(0));
}

/*
 * Read the state from a row with the state columns by name (a performance_metrics row, or the
 * full recompute's aggregate).  NULL sums read as 0.
 */
void
catalyst_day_state_read(HeapTuple row, TupleDesc desc, CatalystDayState *state)
{
	Datum		values[N_STATE];
	bool		nulls[N_STATE];

	for (int i = 0; i < N_STATE; i++)
		values[i] = heap_getattr(row, catalyst_column(desc, state_columns[i], state_types[i], &state_attnums[i]),
								 desc, &nulls[i]);

	state->total_trades = nulls[S_TOTAL_TRADES] ? 0 : DatumGetInt32(values[S_TOTAL_TRADES]);
	state->winning_trades = nulls[S_WINNING_TRADES] ? 0 : DatumGetInt32(values[S_WINNING_TRADES]);
	state->losing_trades = nulls[S_LOSING_TRADES] ? 0 : DatumGetInt32(values[S_LOSING_TRADES]);
	state->sum_wins = nulls[S_SUM_WINS] ? num(0) : values[S_SUM_WINS];
	state->sum_losses = nulls[S_SUM_LOSSES] ? num(0) : values[S_SUM_LOSSES];
	state->commissions = nulls[S_COMMISSIONS] ? num(0) : values[S_COMMISSIONS];
	state->has_largest_win = !nulls[S_LARGEST_WIN];
	state->largest_win = values[S_LARGEST_WIN];
	state->has_largest_loss = !nulls[S_LARGEST_LOSS];
	state->largest_loss = values[S_LARGEST_LOSS];
	state->sum_returns = nulls[S_SUM_RETURNS] ? num(0) : values[S_SUM_RETURNS];
	state->sum_squared_returns = nulls[S_SUM_SQUARED_RETURNS] ? num(0) : values[S_SUM_SQUARED_RETURNS];
	state->sum_hold_seconds = nulls[S_SUM_HOLD_SECONDS] ? num(0) : values[S_SUM_HOLD_SECONDS];
	state->total_volume = nulls[S_TOTAL_VOLUME] ? 0 : DatumGetInt64(values[S_TOTAL_VOLUME]);
	state->peak_pnl = nulls[S_PEAK_PNL] ? num(0) : values[S_PEAK_PNL];
	state->deepest_drawdown = nulls[S_DEEPEST_DRAWDOWN] ? num(0) : values[S_DEEPEST_DRAWDOWN];
	state->has_last = !nulls[S_LAST_CLOSED_AT] && !nulls[S_LAST_POSITION_ID];
	state->last_closed_at = state->has_last ? DatumGetTimestampTz(values[S_LAST_CLOSED_AT]) : 0;
	state->last_position_id = state->has_last ? DatumGetInt32(values[S_LAST_POSITION_ID]) : 0;
}

/*
 * Whether a trade can be folded into the state: it closed after the last trade folded in
 * (closed_at, then position_id).  A state with trades but no last trade (a row written by hand)
 * folds nothing.
 */
bool
catalyst_day_state_follows(const CatalystDayState *state, const CatalystTrade *trade)
{
	if (!state->has_last)
		return state->total_trades == 0;
	if (trade->closed_at != state->last_closed_at)
		return trade->closed_at > state->last_closed_at;
	return trade->position_id > state->last_position_id;
}

/*
 * Fold one more trade into the state, in closed_at order: the cumulative P&L after it is
 * sum_wins + sum_losses, its peak (from 0) and the deepest fall below the peak follow.
 */
void
catalyst_day_state_fold(CatalystDayState *state, const CatalystTrade *trade)
{
	Datum		cumulative;
	Datum		fall;
	int			s = sign(trade->realized_pnl);

	state->total_trades++;
	if (s > 0)
	{
		state->winning_trades++;
		state->sum_wins = add(state->sum_wins, trade->realized_pnl);
		if (!state->has_largest_win || cmp(trade->realized_pnl, state->largest_win) > 0)
			state->largest_win = trade->realized_pnl;
		state->has_largest_win = true;
	}
	else if (s < 0)
	{
		state->losing_trades++;
		state->sum_losses = add(state->sum_losses, trade->realized_pnl);
		if (!state->has_largest_loss || cmp(trade->realized_pnl, state->largest_loss) < 0)
			state->largest_loss = trade->realized_pnl;
		state->has_largest_loss = true;
	}
	state->commissions = add(state->commissions, trade->commission);
	state->sum_returns = add(state->sum_returns, trade->pnl_percent);
	state->sum_squared_returns = add(state->sum_squared_returns, mul(trade->pnl_percent, trade->pnl_percent));
	state->sum_hold_seconds = add(state->sum_hold_seconds, trade->hold_seconds);
	state->total_volume += trade->quantity;

	cumulative = add(state->sum_wins, state->sum_losses);
	if (cmp(cumulative, state->peak_pnl) > 0)
		state->peak_pnl = cumulative;
	fall = sub(state->peak_pnl, cumulative);
	if (cmp(fall, state->deepest_drawdown) > 0)
		state->deepest_drawdown = fall;

	state->has_last = true;
	state->last_closed_at = trade->closed_at;
	state->last_position_id = trade->position_id;
}

/* The largest value of a DECIMAL(p,s) column, 10^(p-s) - 10^-s: built once per typmod. */
static Datum
column_bound(int32 typmod)
{
	static int32 known_typmods[8];
	static Datum known_bounds[8];
	static int	known = 0;
	int			precision = ((typmod - VARHDRSZ) >> 16) & 0xffff;
	int			scale = (typmod - VARHDRSZ) & 0xffff;
	char		digits[1002];
	int			len = 0;
	MemoryContext old;
	Datum		bound;

	for (int i = 0; i < known; i++)
		if (known_typmods[i] == typmod)
			return known_bounds[i];

	if (scale > precision || precision > 1000)
		elog(ERROR, "unsupported numeric typmod %d for a metrics column", typmod);
	for (int i = 0; i < precision - scale; i++)
		digits[len++] = '9';
	if (len == 0)
		digits[len++] = '0';
	if (scale > 0)
	{
		digits[len++] = '.';
		for (int i = 0; i < scale; i++)
			digits[len++] = '9';
	}
	digits[len] = '\0';

	old = MemoryContextSwitchTo(TopMemoryContext);
	bound = DirectFunctionCall3(numeric_in, CStringGetDatum(digits),
								ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	MemoryContextSwitchTo(old);
	if (known < (int) lengthof(known_typmods))
	{
		known_typmods[known] = typmod;
		known_bounds[known++] = bound;
	}
	return bound;
}

/* the attribute of a derived column in performance_metrics */
static Form_pg_attribute
derived_attribute(TupleDesc desc, int d)
{
	return TupleDescAttr(desc, catalyst_column(desc, derived_columns[d], derived_types[d], &derived_attnums[d]) - 1);
}

/* A value clamped to the range of a DECIMAL(p,s) column (rounding happens when it is stored). */
static Datum
clamp_to_column(TupleDesc desc, int d, Datum value)
{
	int32		typmod = derived_attribute(desc, d)->atttypmod;
	Datum		bound;

	if (typmod < (int32) VARHDRSZ)
		return value;			/* unconstrained */
	bound = column_bound(typmod);
	if (cmp(value, bound) > 0)
		return bound;
	if (cmp(negate(value), bound) > 0)
		return negate(bound);
	return value;
}

/* The mean hold time, exact to the microsecond, days and hours justified like closed_at - opened_at. */
static Datum
mean_hold_time(Datum sum_seconds, int32 trades)
{
	Datum		micros = DirectFunctionCall2(numeric_round,
											 divide(mul(sum_seconds, num(USECS_PER_SEC)), num(trades)),
											 Int32GetDatum(0));
	Interval   *mean = palloc0(sizeof(Interval));

	if (cmp(micros, num(PG_INT64_MAX)) > 0)
		micros = num(PG_INT64_MAX);
	else if (cmp(micros, num(PG_INT64_MIN)) < 0)
		micros = num(PG_INT64_MIN);
	mean->time = DatumGetInt64(DirectFunctionCall1(numeric_int8, micros));
	return DirectFunctionCall1(interval_justify_hours, IntervalPGetDatum(mean));
}

/* The derived metrics of a state, as parameter values (nulls[i] = 'n' for NULL). */
static void
derive(const CatalystDayState *state, TupleDesc desc, Datum *values, char *nulls)
{
	int32		n = state->total_trades;
	Datum		gross = add(state->sum_wins, state->sum_losses);
	Datum		net = sub(gross, state->commissions);

	for (int i = 0; i < N_DERIVED; i++)
		nulls[i] = 'n';
#define SET(d, value) (values[d] = clamp_to_column(desc, d, (value)), nulls[d] = ' ')

	/* as the seed's generated column: winning_trades::DECIMAL / total_trades * 100 */
	SET(D_WIN_RATE, n > 0 ? mul(divide(num(state->winning_trades), num(n)), num(100)) : num(0));
	SET(D_GROSS_PNL, gross);
	SET(D_NET_PNL, net);
	SET(D_MAX_DRAWDOWN, state->deepest_drawdown);
	if (state->winning_trades > 0)
		SET(D_AVERAGE_WIN, divide(state->sum_wins, num(state->winning_trades)));
	if (state->losing_trades > 0)
		SET(D_AVERAGE_LOSS, divide(state->sum_losses, num(state->losing_trades)));
	if (sign(state->sum_losses) < 0)
		SET(D_PROFIT_FACTOR, divide(state->sum_wins, negate(state->sum_losses)));
	if (n > 1)
	{
		/* sample variance from the exact sums: (n * sum(r^2) - sum(r)^2) / (n * (n - 1)) */
		Datum		spread = sub(mul(num(n), state->sum_squared_returns),
								 mul(state->sum_returns, state->sum_returns));

		if (sign(spread) > 0)
		{
			Datum		variance = divide(spread, mul(num(n), num(n - 1)));

			SET(D_SHARPE_RATIO, divide(divide(state->sum_returns, num(n)),
									   DirectFunctionCall1(numeric_sqrt, variance)));
		}
	}
	if (sign(state->deepest_drawdown) > 0)
		SET(D_RECOVERY_FACTOR, divide(net, state->deepest_drawdown));
#undef SET
	if (n > 0)
	{
		values[D_AVG_HOLD_TIME] = mean_hold_time(state->sum_hold_seconds, n);
		nulls[D_AVG_HOLD_TIME] = ' ';
	}
}

/*
 * UPDATE performance_metrics SET <state>, <derived> WHERE ctid = $1: the row version the caller
 * locked, found without a scan.
 */
static SPIPlanPtr
prepare_store(TupleDesc desc)
{
	Oid			argtypes[1 + N_STATE + N_DERIVED];
	StringInfoData sql;
	int			param = 1;

	argtypes[0] = TIDOID;
	initStringInfo(&sql);
	appendStringInfoString(&sql, "UPDATE catalyst.performance_metrics SET ");
	for (int i = 0; i < N_STATE; i++)
	{
		argtypes[param] = state_types[i];
		appendStringInfo(&sql, "%s = $%d, ", state_columns[i], ++param);
	}
	for (int i = 0; i < N_DERIVED; i++)
	{
		argtypes[param] = derived_attribute(desc, i)->atttypid;
		appendStringInfo(&sql, "%s%s = $%d", i > 0 ? ", " : "", derived_columns[i], ++param);
	}
	appendStringInfoString(&sql, " WHERE ctid OPERATOR(pg_catalog.=) $1");
	return catalyst_keep_plan(sql.data, param, argtypes);
}

/*
 * Write a state and its derived metrics into its row (state->row).  The caller is connected to
 * SPI, holds the row's lock (so state->row is still its latest version) and acts as the owner of
 * performance_metrics.
 */
void
catalyst_day_state_store(const CatalystDayState *state)
{
	Relation	rel = relation_open(catalyst_relid("performance_metrics"), AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	Datum		values[1 + N_STATE + N_DERIVED];
	char		nulls[1 + N_STATE + N_DERIVED];
	Datum	   *s = values + 1;
	char	   *sn = nulls + 1;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = PointerGetDatum(&state->row);
	s[S_TOTAL_TRADES] = Int32GetDatum(state->total_trades);
	s[S_WINNING_TRADES] = Int32GetDatum(state->winning_trades);
	s[S_LOSING_TRADES] = Int32GetDatum(state->losing_trades);
	s[S_SUM_WINS] = state->sum_wins;
	s[S_SUM_LOSSES] = state->sum_losses;
	s[S_COMMISSIONS] = state->commissions;
	s[S_LARGEST_WIN] = state->largest_win;
	sn[S_LARGEST_WIN] = state->has_largest_win ? ' ' : 'n';
	s[S_LARGEST_LOSS] = state->largest_loss;
	sn[S_LARGEST_LOSS] = state->has_largest_loss ? ' ' : 'n';
	s[S_SUM_RETURNS] = state->sum_returns;
	s[S_SUM_SQUARED_RETURNS] = state->sum_squared_returns;
	s[S_SUM_HOLD_SECONDS] = state->sum_hold_seconds;
	s[S_TOTAL_VOLUME] = Int64GetDatum(state->total_volume);
	s[S_PEAK_PNL] = state->peak_pnl;
	s[S_DEEPEST_DRAWDOWN] = state->deepest_drawdown;
	s[S_LAST_CLOSED_AT] = TimestampTzGetDatum(state->last_closed_at);
	sn[S_LAST_CLOSED_AT] = state->has_last ? ' ' : 'n';
	s[S_LAST_POSITION_ID] = Int32GetDatum(state->last_position_id);
	sn[S_LAST_POSITION_ID] = state->has_last ? ' ' : 'n';
	derive(state, desc, s + N_STATE, sn + N_STATE);

	if (store_plan == NULL)
		store_plan = prepare_store(desc);
	relation_close(rel, AccessShareLock);

	if (catalyst_spi_exec_plan(store_plan, values, nulls, SPI_OK_UPDATE, 0) != 1)
		elog(ERROR, "the locked performance_metrics row (%u,%u) is gone",
			 ItemPointerGetBlockNumber(&state->row), ItemPointerGetOffsetNumber(&state->row));
}
