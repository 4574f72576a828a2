/*
 * metrics_fold.h: one cycle's trading day as the roll-up keeps it (metrics_days, its minutes in
 * metrics_slices, its not yet folded closes in metrics_pending), folded or read exactly.
 */
#ifndef CATALYST_METRICS_FOLD_H
#define CATALYST_METRICS_FOLD_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/date.h"

#include "metrics_state.h"

/*
 * Fold into the day's rows the closes of this statement (`own`, a List of CatalystTrade *) and
 * the pending ones that no running transaction can precede, once they make a batch
 * (catalyst.fold_batch; until then own closes are left pending); a day marked `recompute` is
 * derived anew from its trades at once.  Own closes that cannot be folded yet are left pending.
 * The caller is connected to SPI as the owner of the roll-up's tables and holds the day's fold
 * lock.
 */
extern void catalyst_fold_day(const char *cycle_id, DateADT day, List *own, bool recompute);

/* Leave this statement's closes of a day (or, `recompute`, a marker) pending, taking no lock. */
extern void catalyst_pend_day(const char *cycle_id, DateADT day, List *own, bool recompute);

/*
 * The exact summary of a day in the caller's snapshot: its folded state merged with its pending
 * closes, without writing anything.  *day_row is the metrics_days row (NULL if there is none
 * yet).  The caller is connected to SPI as the owner of the roll-up's tables.
 */
extern void catalyst_read_day(const char *cycle_id, DateADT day, CatalystSummary *summary,
							  HeapTuple *day_row, TupleDesc *day_desc);

/*
 * The summary of a whole day derived from its trades, in a statement of its own (a new snapshot
 * under READ COMMITTED), writing nothing; `v41`: of a 4.1 schema (whose positions have no
 * initial_stop_loss, so no R).  The caller is connected to SPI as the owner of positions and
 * orders.
 */
extern void catalyst_summarize_day(const char *cycle_id, DateADT day, bool v41,
								   CatalystSummary *out);

/* The trading-day minute a close falls in. */
extern int	catalyst_slice_of(TimestampTz closed_at, TimestampTz day_start);

#endif							/* CATALYST_METRICS_FOLD_H */
