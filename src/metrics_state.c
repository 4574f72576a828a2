/*
 * metrics_state.c: the summary of a run of trades and the metrics derived from it.
 *
 * Every summary the roll-up keeps (a minute of a day in metrics_slices, a day in metrics_days)
 * and every summary it computes (a range of days for performance(), a day with its not yet
 * folded closes for performance_metrics) is a CatalystSummary, built from single trades and
 * other summaries by catalyst_summary_merge() only, and turned into metrics by
 * catalyst_summary_derive() only: the same trades give the same metrics whichever way they were
 * grouped.  Definitions (doc/metrics.md), n = total_trades:
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
 * and the statistics traders read (issue 11, item 5), w, l = winning, losing trades, SW, SL
 * their sums (SL <= 0), S = SW + SL:
 *   expectancy      S / n                                  (NULL without trades)
 *   payoff_ratio    (SW / w) / |SL / l| = SW l / (-SL w)   (NULL without a win or a loss)
 *   sqn             sqrt(n) mean / sample stddev of realized_pnl
 *                   = S / sqrt((n sum(pnl^2) - S^2) / (n - 1))
 *                                                          (NULL for n < 2 or a zero stddev)
 *   kelly_fraction  W - (1 - W) / payoff_ratio, W = w / (w + l) = w S / ((w + l) SW)
 *                                                          (NULL without a win or a loss)
 *   sortino_ratio   mean / sqrt(sum(min(r, 0)^2) / n) of pnl_percent r
 *                   = sum(r) / sqrt(n sum(min(r, 0)^2))
 *                                                          (NULL without a negative return)
 *   average_mae     sum_mae / mae_trades                   (NULL without one)
 *   average_mfe     sum_mfe / mfe_trades                   (NULL without one)
 *   average_r       sum_r / r_trades                       (NULL without one)
 *   longest_winning_streak, longest_losing_streak: kept as they are (metrics_state.h)
 * A numeric metric beyond its column's range (DECIMAL(p,s) below) is clamped to it and rounded
 * to its scale: no input makes the roll-up fail.
 */
#include "postgres.h"

#include "metrics_state.h"
#include "columns.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

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
	S_TROUGH_PNL,
	S_DEEPEST_DRAWDOWN,
	S_LAST_CLOSED_AT,
	S_LAST_POSITION_ID,
	S_SUM_SQUARED_PNL,
	S_SUM_SQUARED_DOWNSIDE,
	S_MAE_TRADES,
	S_SUM_MAE,
	S_MFE_TRADES,
	S_SUM_MFE,
	S_R_TRADES,
	S_SUM_R,
	S_LONGEST_WINNING_STREAK,
	S_LONGEST_LOSING_STREAK,
	S_FIRST_STREAK_SIGN,
	S_FIRST_STREAK,
	S_LAST_STREAK_SIGN,
	S_LAST_STREAK,
};

const char *const catalyst_summary_columns[CATALYST_N_SUMMARY_COLUMNS] = {
	"total_trades", "winning_trades", "losing_trades", "sum_wins", "sum_losses", "commissions",
	"largest_win", "largest_loss", "sum_returns", "sum_squared_returns", "sum_hold_seconds",
	"total_volume", "peak_pnl", "trough_pnl", "deepest_drawdown", "last_closed_at",
	"last_position_id", "sum_squared_pnl", "sum_squared_downside", "mae_trades", "sum_mae",
	"mfe_trades", "sum_mfe", "r_trades", "sum_r", "longest_winning_streak", "longest_losing_streak",
	"first_streak_sign", "first_streak", "last_streak_sign", "last_streak",
};

const Oid	catalyst_summary_types[CATALYST_N_SUMMARY_COLUMNS] = {
	INT4OID, INT4OID, INT4OID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
	NUMERICOID, NUMERICOID, NUMERICOID, INT8OID, NUMERICOID, NUMERICOID, NUMERICOID,
	TIMESTAMPTZOID, INT4OID, NUMERICOID, NUMERICOID, INT4OID, NUMERICOID, INT4OID, NUMERICOID,
	INT4OID, NUMERICOID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID,
};

/* 4.2 added trough_pnl and everything after last_position_id */
const bool	catalyst_summary_in_v41[CATALYST_N_SUMMARY_COLUMNS] = {
	true, true, true, true, true, true, true, true, true, true, true, true, true, false, true,
	true, true,
};

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
	D_EXPECTANCY,
	D_PAYOFF_RATIO,
	D_SQN,
	D_KELLY_FRACTION,
	D_SORTINO_RATIO,
	D_AVERAGE_MAE,
	D_AVERAGE_MFE,
	D_AVERAGE_R,
};

const char *const catalyst_derived_columns[CATALYST_N_DERIVED_COLUMNS] = {
	"win_rate", "gross_pnl", "net_pnl", "average_win", "average_loss", "profit_factor",
	"sharpe_ratio", "max_drawdown", "recovery_factor", "avg_hold_time", "expectancy",
	"payoff_ratio", "sqn", "kelly_fraction", "sortino_ratio", "average_mae", "average_mfe",
	"average_r",
};

const Oid	catalyst_derived_types[CATALYST_N_DERIVED_COLUMNS] = {
	NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
	NUMERICOID, NUMERICOID, INTERVALOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
	NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
};

/* 4.2 added everything after avg_hold_time */
const bool	catalyst_derived_in_v41[CATALYST_N_DERIVED_COLUMNS] = {
	true, true, true, true, true, true, true, true, true, true,
};

/*
 * DECIMAL(precision, scale) of each numeric derived column (performance_metrics, 4.1; the 4.2
 * statistics: money as DECIMAL(20,2), ratios as the 4.1 ratios DECIMAL(6,2), the Kelly fraction
 * DECIMAL(6,4), the average R DECIMAL(10,4))
 */
static const int derived_precision[CATALYST_N_DERIVED_COLUMNS] = {5, 20, 20, 20, 20, 6, 6, 20, 6, 0,
20, 6, 6, 6, 6, 20, 20, 10};
static const int derived_scale[CATALYST_N_DERIVED_COLUMNS] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 0,
2, 2, 2, 4, 2, 2, 2, 4};

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

/*
 * 0, made once for the backend's life (in TopMemoryContext): every empty summary shares it, and
 * a sign is a comparison with it, so neither allocates.  Numerics are never changed in place.
 */
static Datum
zero(void)
{
	static Datum value;

	if (value == (Datum) 0)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		value = num(0);
		MemoryContextSwitchTo(old);
	}
	return value;
}

static int
sign(Datum a)
{
	return cmp(a, zero());
}

static Datum
larger(Datum a, Datum b)
{
	return cmp(a, b) >= 0 ? a : b;
}

static Datum
smaller(Datum a, Datum b)
{
	return cmp(a, b) <= 0 ? a : b;
}

void
catalyst_summary_init(CatalystSummary *s)
{
	Datum		z = zero();

	memset(s, 0, sizeof(*s));
	s->sum_wins = s->sum_losses = s->commissions = z;
	s->sum_returns = s->sum_squared_returns = s->sum_hold_seconds = z;
	s->peak_pnl = s->trough_pnl = s->deepest_drawdown = z;
	s->sum_squared_pnl = s->sum_squared_downside = z;
	s->sum_mae = s->sum_mfe = s->sum_r = z;
}

/* The summary of one trade. */
void
catalyst_summary_of_trade(CatalystSummary *s, const CatalystTrade *trade)
{
	Datum		pnl = trade->realized_pnl;
	int			sg = sign(pnl);

	catalyst_summary_init(s);
	s->total_trades = 1;
	if (sg > 0)
	{
		s->winning_trades = 1;
		s->sum_wins = pnl;
		s->has_largest_win = true;
		s->largest_win = pnl;
		s->peak_pnl = pnl;
	}
	else if (sg < 0)
	{
		s->losing_trades = 1;
		s->sum_losses = pnl;
		s->has_largest_loss = true;
		s->largest_loss = pnl;
		s->trough_pnl = pnl;
		s->deepest_drawdown = negate(pnl);
	}
	s->commissions = trade->commission;
	s->sum_returns = trade->pnl_percent;
	s->sum_squared_returns = mul(trade->pnl_percent, trade->pnl_percent);
	s->sum_hold_seconds = trade->hold_seconds;
	s->total_volume = trade->quantity;
	s->sum_squared_pnl = mul(pnl, pnl);
	if (sign(trade->pnl_percent) < 0)
		s->sum_squared_downside = mul(trade->pnl_percent, trade->pnl_percent);
	if (trade->has_mae)
	{
		s->mae_trades = 1;
		s->sum_mae = trade->mae;
	}
	if (trade->has_mfe)
	{
		s->mfe_trades = 1;
		s->sum_mfe = trade->mfe;
	}
	if (trade->has_r)
	{
		s->r_trades = 1;
		s->sum_r = trade->r;
	}
	s->longest_winning_streak = sg > 0 ? 1 : 0;
	s->longest_losing_streak = sg < 0 ? 1 : 0;
	s->first_streak_sign = s->last_streak_sign = sg > 0 ? 1 : (sg < 0 ? -1 : 0);
	s->first_streak = s->last_streak = 1;
	s->has_last = true;
	s->last_closed_at = trade->closed_at;
	s->last_position_id = trade->position_id;
}

/* a := the run a followed by the run b */
void
catalyst_summary_merge(CatalystSummary *a, const CatalystSummary *b)
{
	Datum		sa;

	if (b->total_trades == 0)
		return;
	sa = add(a->sum_wins, a->sum_losses);

	/* order-dependent first, from a's values before they change */
	a->deepest_drawdown = larger(larger(a->deepest_drawdown, b->deepest_drawdown),
								 sub(sub(a->peak_pnl, sa), b->trough_pnl));
	a->peak_pnl = larger(a->peak_pnl, add(sa, b->peak_pnl));
	a->trough_pnl = smaller(a->trough_pnl, add(sa, b->trough_pnl));
	if (a->total_trades == 0)
	{
		a->longest_winning_streak = b->longest_winning_streak;
		a->longest_losing_streak = b->longest_losing_streak;
		a->first_streak_sign = b->first_streak_sign;
		a->first_streak = b->first_streak;
		a->last_streak_sign = b->last_streak_sign;
		a->last_streak = b->last_streak;
	}
	else
	{
		bool		joined = a->last_streak_sign == b->first_streak_sign;
		int64		join = joined ? a->last_streak + b->first_streak : 0;

		a->longest_winning_streak = Max(a->longest_winning_streak, b->longest_winning_streak);
		a->longest_losing_streak = Max(a->longest_losing_streak, b->longest_losing_streak);
		if (joined && b->first_streak_sign > 0)
			a->longest_winning_streak = Max(a->longest_winning_streak, join);
		else if (joined && b->first_streak_sign < 0)
			a->longest_losing_streak = Max(a->longest_losing_streak, join);
		if (a->first_streak == a->total_trades && a->first_streak_sign == b->first_streak_sign)
			a->first_streak += b->first_streak;
		if (b->last_streak == b->total_trades && b->last_streak_sign == a->last_streak_sign)
			a->last_streak += b->last_streak;
		else
			a->last_streak = b->last_streak;
		a->last_streak_sign = b->last_streak_sign;
	}

	a->total_trades += b->total_trades;
	a->winning_trades += b->winning_trades;
	a->losing_trades += b->losing_trades;
	a->sum_wins = add(a->sum_wins, b->sum_wins);
	a->sum_losses = add(a->sum_losses, b->sum_losses);
	a->commissions = add(a->commissions, b->commissions);
	if (b->has_largest_win && (!a->has_largest_win || cmp(b->largest_win, a->largest_win) > 0))
	{
		a->has_largest_win = true;
		a->largest_win = b->largest_win;
	}
	if (b->has_largest_loss && (!a->has_largest_loss || cmp(b->largest_loss, a->largest_loss) < 0))
	{
		a->has_largest_loss = true;
		a->largest_loss = b->largest_loss;
	}
	a->sum_returns = add(a->sum_returns, b->sum_returns);
	a->sum_squared_returns = add(a->sum_squared_returns, b->sum_squared_returns);
	a->sum_hold_seconds = add(a->sum_hold_seconds, b->sum_hold_seconds);
	a->total_volume += b->total_volume;
	a->sum_squared_pnl = add(a->sum_squared_pnl, b->sum_squared_pnl);
	a->sum_squared_downside = add(a->sum_squared_downside, b->sum_squared_downside);
	a->mae_trades += b->mae_trades;
	a->sum_mae = add(a->sum_mae, b->sum_mae);
	a->mfe_trades += b->mfe_trades;
	a->sum_mfe = add(a->sum_mfe, b->sum_mfe);
	a->r_trades += b->r_trades;
	a->sum_r = add(a->sum_r, b->sum_r);
	if (b->has_last)
	{
		a->has_last = true;
		a->last_closed_at = b->last_closed_at;
		a->last_position_id = b->last_position_id;
	}
}

int
catalyst_trade_cmp(const CatalystTrade *a, const CatalystTrade *b)
{
	if (a->closed_at != b->closed_at)
		return a->closed_at < b->closed_at ? -1 : 1;
	return (a->position_id > b->position_id) - (a->position_id < b->position_id);
}

/*
 * Whether every trade of a summary comes before `trade` in (closed_at, position_id) order, so
 * that the trade can be merged at its end.  A summary with trades but no last trade (a row
 * written by hand) takes nothing.
 */
bool
catalyst_summary_precedes(const CatalystSummary *s, const CatalystTrade *trade)
{
	if (!s->has_last)
		return s->total_trades == 0;
	if (trade->closed_at != s->last_closed_at)
		return trade->closed_at > s->last_closed_at;
	return trade->position_id > s->last_position_id;
}

/* Read a summary from a row with the summary columns by name; NULL sums read as 0. */
void
catalyst_summary_read(HeapTuple row, TupleDesc desc, CatalystSummary *s)
{
	static int	attnums[CATALYST_N_SUMMARY_COLUMNS];
	Datum		v[CATALYST_N_SUMMARY_COLUMNS];
	bool		n[CATALYST_N_SUMMARY_COLUMNS];
	Datum	   *row_values = palloc(sizeof(Datum) * desc->natts);
	bool	   *row_nulls = palloc(sizeof(bool) * desc->natts);

	/* every column at once: heap_getattr() would walk the row again for each one */
	heap_deform_tuple(row, desc, row_values, row_nulls);
	for (int i = 0; i < CATALYST_N_SUMMARY_COLUMNS; i++)
	{
		int			attnum = catalyst_column(desc, catalyst_summary_columns[i],
											 catalyst_summary_types[i], &attnums[i]);

		v[i] = row_values[attnum - 1];
		n[i] = row_nulls[attnum - 1];
	}
	pfree(row_values);
	pfree(row_nulls);
	catalyst_summary_init(s);
#define NUM(i, field) if (!n[i]) s->field = v[i]
	s->total_trades = n[S_TOTAL_TRADES] ? 0 : DatumGetInt32(v[S_TOTAL_TRADES]);
	s->winning_trades = n[S_WINNING_TRADES] ? 0 : DatumGetInt32(v[S_WINNING_TRADES]);
	s->losing_trades = n[S_LOSING_TRADES] ? 0 : DatumGetInt32(v[S_LOSING_TRADES]);
	NUM(S_SUM_WINS, sum_wins);
	NUM(S_SUM_LOSSES, sum_losses);
	NUM(S_COMMISSIONS, commissions);
	s->has_largest_win = !n[S_LARGEST_WIN];
	NUM(S_LARGEST_WIN, largest_win);
	s->has_largest_loss = !n[S_LARGEST_LOSS];
	NUM(S_LARGEST_LOSS, largest_loss);
	NUM(S_SUM_RETURNS, sum_returns);
	NUM(S_SUM_SQUARED_RETURNS, sum_squared_returns);
	NUM(S_SUM_HOLD_SECONDS, sum_hold_seconds);
	s->total_volume = n[S_TOTAL_VOLUME] ? 0 : DatumGetInt64(v[S_TOTAL_VOLUME]);
	NUM(S_PEAK_PNL, peak_pnl);
	NUM(S_TROUGH_PNL, trough_pnl);
	NUM(S_DEEPEST_DRAWDOWN, deepest_drawdown);
	NUM(S_SUM_SQUARED_PNL, sum_squared_pnl);
	NUM(S_SUM_SQUARED_DOWNSIDE, sum_squared_downside);
	NUM(S_SUM_MAE, sum_mae);
	NUM(S_SUM_MFE, sum_mfe);
	NUM(S_SUM_R, sum_r);
#undef NUM
#define INT(i, field) s->field = n[i] ? 0 : DatumGetInt32(v[i])
	INT(S_MAE_TRADES, mae_trades);
	INT(S_MFE_TRADES, mfe_trades);
	INT(S_R_TRADES, r_trades);
	INT(S_LONGEST_WINNING_STREAK, longest_winning_streak);
	INT(S_LONGEST_LOSING_STREAK, longest_losing_streak);
	INT(S_FIRST_STREAK_SIGN, first_streak_sign);
	INT(S_FIRST_STREAK, first_streak);
	INT(S_LAST_STREAK_SIGN, last_streak_sign);
	INT(S_LAST_STREAK, last_streak);
#undef INT
	s->has_last = !n[S_LAST_CLOSED_AT] && !n[S_LAST_POSITION_ID];
	if (s->has_last)
	{
		s->last_closed_at = DatumGetTimestampTz(v[S_LAST_CLOSED_AT]);
		s->last_position_id = DatumGetInt32(v[S_LAST_POSITION_ID]);
	}
}

/* A count as the INTEGER column holds it: beyond its range is an error, not a wrap. */
static Datum
count_datum(int64 count, const char *column)
{
	if (count > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s of " INT64_FORMAT " does not fit performance_metrics", column, count),
				 errhint("performance() has no such limit: it counts in bigint.")));
	return Int32GetDatum((int32) count);
}

/* The summary columns' values in catalyst_summary_columns order (nulls[i] = 'n' for NULL). */
void
catalyst_summary_values(const CatalystSummary *s, Datum *v, char *n)
{
	memset(n, ' ', CATALYST_N_SUMMARY_COLUMNS);
	v[S_TOTAL_TRADES] = count_datum(s->total_trades, "total_trades");
	v[S_WINNING_TRADES] = count_datum(s->winning_trades, "winning_trades");
	v[S_LOSING_TRADES] = count_datum(s->losing_trades, "losing_trades");
	v[S_SUM_WINS] = s->sum_wins;
	v[S_SUM_LOSSES] = s->sum_losses;
	v[S_COMMISSIONS] = s->commissions;
	v[S_LARGEST_WIN] = s->largest_win;
	n[S_LARGEST_WIN] = s->has_largest_win ? ' ' : 'n';
	v[S_LARGEST_LOSS] = s->largest_loss;
	n[S_LARGEST_LOSS] = s->has_largest_loss ? ' ' : 'n';
	v[S_SUM_RETURNS] = s->sum_returns;
	v[S_SUM_SQUARED_RETURNS] = s->sum_squared_returns;
	v[S_SUM_HOLD_SECONDS] = s->sum_hold_seconds;
	v[S_TOTAL_VOLUME] = Int64GetDatum(s->total_volume);
	v[S_PEAK_PNL] = s->peak_pnl;
	v[S_TROUGH_PNL] = s->trough_pnl;
	v[S_DEEPEST_DRAWDOWN] = s->deepest_drawdown;
	v[S_LAST_CLOSED_AT] = TimestampTzGetDatum(s->last_closed_at);
	n[S_LAST_CLOSED_AT] = s->has_last ? ' ' : 'n';
	v[S_LAST_POSITION_ID] = Int32GetDatum(s->last_position_id);
	n[S_LAST_POSITION_ID] = s->has_last ? ' ' : 'n';
	v[S_SUM_SQUARED_PNL] = s->sum_squared_pnl;
	v[S_SUM_SQUARED_DOWNSIDE] = s->sum_squared_downside;
	v[S_MAE_TRADES] = count_datum(s->mae_trades, "mae_trades");
	v[S_SUM_MAE] = s->sum_mae;
	v[S_MFE_TRADES] = count_datum(s->mfe_trades, "mfe_trades");
	v[S_SUM_MFE] = s->sum_mfe;
	v[S_R_TRADES] = count_datum(s->r_trades, "r_trades");
	v[S_SUM_R] = s->sum_r;
	v[S_LONGEST_WINNING_STREAK] = count_datum(s->longest_winning_streak, "longest_winning_streak");
	v[S_LONGEST_LOSING_STREAK] = count_datum(s->longest_losing_streak, "longest_losing_streak");
	v[S_FIRST_STREAK_SIGN] = Int32GetDatum(s->first_streak_sign);
	v[S_FIRST_STREAK] = count_datum(s->first_streak, "first_streak");
	v[S_LAST_STREAK_SIGN] = Int32GetDatum(s->last_streak_sign);
	v[S_LAST_STREAK] = count_datum(s->last_streak, "last_streak");
}

/*
 * The largest value of derived column d, 10^(p-s) - 10^-s: made once per column for the
 * backend's life (ten values at most, in TopMemoryContext).
 */
static Datum
column_bound(int d)
{
	static Datum bounds[CATALYST_N_DERIVED_COLUMNS];
	char		digits[64];
	int			len = 0;
	MemoryContext old;

	if (bounds[d] != (Datum) 0)
		return bounds[d];
	for (int i = 0; i < derived_precision[d] - derived_scale[d]; i++)
		digits[len++] = '9';
	if (len == 0)
		digits[len++] = '0';
	digits[len++] = '.';
	for (int i = 0; i < derived_scale[d]; i++)
		digits[len++] = '9';
	digits[len] = '\0';
	old = MemoryContextSwitchTo(TopMemoryContext);
	bounds[d] = DirectFunctionCall3(numeric_in, CStringGetDatum(digits),
									ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	MemoryContextSwitchTo(old);
	return bounds[d];
}

/* A value clamped to derived column d's range and rounded to its scale. */
static Datum
fit_column(int d, Datum value)
{
	Datum		bound = column_bound(d);

	if (cmp(value, bound) > 0)
		value = bound;
	else if (cmp(negate(value), bound) > 0)
		value = negate(bound);
	return DirectFunctionCall2(numeric_round, value, Int32GetDatum(derived_scale[d]));
}

/*
 * The mean hold time, exact to the microsecond, days and hours justified like closed_at -
 * opened_at.
 */
static Datum
mean_hold_time(Datum sum_seconds, int64 trades)
{
	Datum		micros = DirectFunctionCall2(numeric_round,
											 divide(mul(sum_seconds, num(USECS_PER_SEC)),
													num(trades)),
											 Int32GetDatum(0));
	Interval   *mean = palloc0(sizeof(Interval));

	if (cmp(micros, num(PG_INT64_MAX)) > 0)
		micros = num(PG_INT64_MAX);
	else if (cmp(micros, num(PG_INT64_MIN)) < 0)
		micros = num(PG_INT64_MIN);
	mean->time = DatumGetInt64(DirectFunctionCall1(numeric_int8, micros));
	return DirectFunctionCall1(interval_justify_hours, IntervalPGetDatum(mean));
}

/* The derived metrics of a summary, in catalyst_derived_columns order (nulls[i] = 'n' for NULL). */
void
catalyst_summary_derive(const CatalystSummary *s, Datum *values, char *nulls)
{
	int64		n = s->total_trades;
	Datum		gross = add(s->sum_wins, s->sum_losses);
	Datum		net = sub(gross, s->commissions);

	memset(nulls, 'n', CATALYST_N_DERIVED_COLUMNS);
#define SET(d, value) (values[d] = fit_column(d, (value)), nulls[d] = ' ')

	/* as the seed's generated column: winning_trades::DECIMAL / total_trades * 100 */
	SET(D_WIN_RATE, n > 0 ? mul(divide(num(s->winning_trades), num(n)), num(100)) : num(0));
	SET(D_GROSS_PNL, gross);
	SET(D_NET_PNL, net);
	SET(D_MAX_DRAWDOWN, s->deepest_drawdown);
	if (s->winning_trades > 0)
		SET(D_AVERAGE_WIN, divide(s->sum_wins, num(s->winning_trades)));
	if (s->losing_trades > 0)
		SET(D_AVERAGE_LOSS, divide(s->sum_losses, num(s->losing_trades)));
	if (sign(s->sum_losses) < 0)
		SET(D_PROFIT_FACTOR, divide(s->sum_wins, negate(s->sum_losses)));
	if (n > 1)
	{
		/* sample variance from the exact sums: (n * sum(r^2) - sum(r)^2) / (n * (n - 1)) */
		Datum		spread = sub(mul(num(n), s->sum_squared_returns),
								 mul(s->sum_returns, s->sum_returns));

		if (sign(spread) > 0)
		{
			Datum		variance = divide(spread, mul(num(n), num(n - 1)));

			SET(D_SHARPE_RATIO, divide(divide(s->sum_returns, num(n)),
									   DirectFunctionCall1(numeric_sqrt, variance)));
		}
	}
	if (sign(s->deepest_drawdown) > 0)
		SET(D_RECOVERY_FACTOR, divide(net, s->deepest_drawdown));

	if (n > 0)
		SET(D_EXPECTANCY, divide(gross, num(n)));
	if (s->winning_trades > 0 && s->losing_trades > 0 && sign(s->sum_losses) < 0)
	{
		Datum		wins = num(s->winning_trades);

		SET(D_PAYOFF_RATIO, divide(mul(s->sum_wins, num(s->losing_trades)),
								   mul(negate(s->sum_losses), wins)));
		SET(D_KELLY_FRACTION, divide(mul(wins, gross),
									 mul(num(s->winning_trades + s->losing_trades), s->sum_wins)));
	}
	if (n > 1)
	{
		/* S / sqrt((n sum(pnl^2) - S^2) / (n - 1)): one square root, at derive time only */
		Datum		spread = sub(mul(num(n), s->sum_squared_pnl), mul(gross, gross));

		if (sign(spread) > 0)
			SET(D_SQN, divide(gross, DirectFunctionCall1(numeric_sqrt,
														 divide(spread, num(n - 1)))));
	}
	if (n > 0 && sign(s->sum_squared_downside) > 0)
		SET(D_SORTINO_RATIO, divide(s->sum_returns,
									DirectFunctionCall1(numeric_sqrt,
														mul(num(n), s->sum_squared_downside))));
	if (s->mae_trades > 0)
		SET(D_AVERAGE_MAE, divide(s->sum_mae, num(s->mae_trades)));
	if (s->mfe_trades > 0)
		SET(D_AVERAGE_MFE, divide(s->sum_mfe, num(s->mfe_trades)));
	if (s->r_trades > 0)
		SET(D_AVERAGE_R, divide(s->sum_r, num(s->r_trades)));
#undef SET
	if (n > 0)
	{
		values[D_AVG_HOLD_TIME] = mean_hold_time(s->sum_hold_seconds, n);
		nulls[D_AVG_HOLD_TIME] = ' ';
	}
}
