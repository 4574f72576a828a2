/*
 * risk_score.h: the seed's risk score of a position from its columns (risk_score.c), with the
 * catalyst.risk_* settings; no relation is read here (risk.c reads the rows).
 */
#ifndef CATALYST_RISK_SCORE_H
#define CATALYST_RISK_SCORE_H

#include "postgres.h"

#include "access/attnum.h"

/* Where the columns the score reads are, in a row of positions (attribute numbers) */
typedef struct RiskColumns
{
	AttrNumber	unrealized_pnl;
	AttrNumber	opened_at;
	AttrNumber	closed_at;
	AttrNumber	stop_loss;
	AttrNumber	entry_price;
	AttrNumber	last;			/* the highest of them */
} RiskColumns;

/* The 18 possible scores and the thresholds, for the current settings (opaque) */
typedef struct RiskConstants RiskConstants;

/*
 * The constants of the current catalyst.risk_* settings: computed again only when a setting
 * changed since the last call.
 */
extern const RiskConstants *catalyst_risk_constants(void);

/*
 * The score of one row, given its deformed columns (values[attnum - 1] at the attribute numbers
 * of `cols`).  Comparisons with NULL add nothing, as in the seed; the result is the cached
 * numeric, to be copied by the caller.
 */
extern Datum catalyst_risk_score(const RiskConstants *k, const RiskColumns *cols,
								 const Datum *values, const bool *isnull);

#endif							/* CATALYST_RISK_SCORE_H */
