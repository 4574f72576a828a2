/*
 * metrics_state.h: the mergeable summary of a run of trades (a minute, a day, a range of days)
 * and the metrics derived from it.
 *
 * One struct, one merge and one derive: a statistic added later is a field, a line in
 * catalyst_summary_merge() and a line in catalyst_summary_derive().
 */
#ifndef CATALYST_METRICS_STATE_H
#define CATALYST_METRICS_STATE_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"

/* One closed trade as the roll-up counts it (NULL P&L, return or hold time count as 0) */
typedef struct CatalystTrade
{
	int32		position_id;
	TimestampTz closed_at;
	Datum		realized_pnl;
	Datum		pnl_percent;
	Datum		hold_seconds;
	int32		quantity;
	Datum		commission;		/* entry and exit order's, NULL as 0 */
	bool		has_mae;		/* max_loss (MAE, <= 0), if the position has one */
	Datum		mae;
	bool		has_mfe;		/* max_profit (MFE, >= 0), if the position has one */
	Datum		mfe;
	bool		has_r;			/* catalyst.r_multiple(), if defined (an initial stop) */
	Datum		r;
} CatalystTrade;

/*
 * The summary of trades taken in (closed_at, position_id) order.  Numerics are exact.  With
 * S = sum_wins + sum_losses the run's total P&L and the running sum starting at 0:
 *   peak_pnl          P, the highest running sum (>= 0)
 *   trough_pnl        m, the lowest running sum (<= 0)
 *   deepest_drawdown  D, the largest fall of the running sum below an earlier high (>= 0)
 * Run a followed by run b: S = Sa + Sb, P = max(Pa, Sa + Pb), m = min(ma, Sa + mb),
 * D = max(Da, Db, Pa - Sa - mb).
 *
 * Streaks (a trade's outcome: +1 win, -1 loss, 0 breakeven, by the sign of realized_pnl; a
 * breakeven ends both kinds of streak):
 *   first_streak_sign, first_streak  the first trade's outcome and the length of the run of
 *                                    equal outcomes it starts
 *   last_streak_sign, last_streak    the same for the run the last trade ends
 *   longest_winning_streak, longest_losing_streak
 * A run is all one outcome when first_streak = total_trades.  Run a followed by run b: the
 * longest streaks are the larger of a's, b's and, where a's last outcome is b's first, the
 * joined run a.last_streak + b.first_streak; a's first run grows by b's first when a is all
 * one outcome equal to b's first, b's last run by a's last when b is all one outcome equal to
 * a's last.
 */
typedef struct CatalystSummary
{
	int64		total_trades;
	int64		winning_trades;
	int64		losing_trades;
	Datum		sum_wins;
	Datum		sum_losses;
	Datum		commissions;
	bool		has_largest_win;
	Datum		largest_win;
	bool		has_largest_loss;
	Datum		largest_loss;
	Datum		sum_returns;
	Datum		sum_squared_returns;
	Datum		sum_hold_seconds;
	int64		total_volume;
	Datum		peak_pnl;
	Datum		trough_pnl;
	Datum		deepest_drawdown;
	Datum		sum_squared_pnl;	/* sum of realized_pnl^2 (SQN) */
	Datum		sum_squared_downside;	/* sum of min(pnl_percent, 0)^2 (Sortino) */
	int64		mae_trades;		/* trades with a max_loss, and its sum */
	Datum		sum_mae;
	int64		mfe_trades;		/* trades with a max_profit, and its sum */
	Datum		sum_mfe;
	int64		r_trades;		/* trades with an R-multiple, and its sum */
	Datum		sum_r;
	int64		longest_winning_streak;
	int64		longest_losing_streak;
	int32		first_streak_sign;
	int64		first_streak;
	int32		last_streak_sign;
	int64		last_streak;
	bool		has_last;		/* (closed_at, position_id) of the last trade */
	TimestampTz last_closed_at;
	int32		last_position_id;
} CatalystSummary;

/* The summary columns, as metrics_days, metrics_slices and the recompute name them */
#define CATALYST_N_SUMMARY_COLUMNS 31
extern const char *const catalyst_summary_columns[CATALYST_N_SUMMARY_COLUMNS];
extern const Oid catalyst_summary_types[CATALYST_N_SUMMARY_COLUMNS];

/* The derived metrics, as performance_metrics names them */
#define CATALYST_N_DERIVED_COLUMNS 18
extern const char *const catalyst_derived_columns[CATALYST_N_DERIVED_COLUMNS];
extern const Oid catalyst_derived_types[CATALYST_N_DERIVED_COLUMNS];

/* Whether a summary or derived column is one of the 4.1 table performance_metrics */
extern const bool catalyst_summary_in_v41[CATALYST_N_SUMMARY_COLUMNS];
extern const bool catalyst_derived_in_v41[CATALYST_N_DERIVED_COLUMNS];

/*
 * The summary of no trades (init), of one trade (of_trade); a merged with the run b that follows
 * it (merge); whether a summary's last trade comes before `trade` in (closed_at, position_id)
 * order (precedes), and that order itself (trade_cmp).
 */
extern void catalyst_summary_init(CatalystSummary *s);
extern void catalyst_summary_of_trade(CatalystSummary *s, const CatalystTrade *trade);
extern void catalyst_summary_merge(CatalystSummary *a, const CatalystSummary *b);
extern bool catalyst_summary_precedes(const CatalystSummary *s, const CatalystTrade *trade);
extern int	catalyst_trade_cmp(const CatalystTrade *a, const CatalystTrade *b);

/*
 * A summary read from a row with the summary columns (read), as the values of those columns
 * (values), and the derived metrics of performance_metrics it gives (derive); nulls as SPI's.
 */
extern void catalyst_summary_read(HeapTuple row, TupleDesc desc, CatalystSummary *s);
extern void catalyst_summary_values(const CatalystSummary *s, Datum *values, char *nulls);
extern void catalyst_summary_derive(const CatalystSummary *s, Datum *values, char *nulls);

#endif							/* CATALYST_METRICS_STATE_H */
