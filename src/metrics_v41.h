/*
 * metrics_v41.h: the roll-up of a database whose catalyst schema is still at 4.1.
 *
 * For the transition window: after the 4.2 library is installed and before the DBA runs ALTER
 * EXTENSION catalyst UPDATE, a database created at 4.1 keeps the 4.1 schema, in which
 * performance_metrics is a table (no metrics_days, metrics_slices, metrics_hours or
 * metrics_pending).  metrics.c collects what a statement closed, changed, reopened or deleted
 * as it does for 4.2, and at statement end hands each (cycle, trading date) to
 * catalyst_v41_recompute_day() instead of folding it: slower (a recompute of the whole day per
 * statement, serialized per day by the day's row lock), but exact.
 *
 * It can be removed, with the 4.1 branches of metrics.c, when the library no longer serves
 * databases at 4.1: when a release drops the 4.1 install script (catalyst--4.1.sql) and the
 * update path from it.  Only metrics.c calls it.
 */
#ifndef CATALYST_METRICS_V41_H
#define CATALYST_METRICS_V41_H

#include "postgres.h"

#include "utils/date.h"

/* The table the 4.1 roll-up writes (catalyst.performance_metrics), to run as its owner */
#define CATALYST_V41_METRICS_TABLE "performance_metrics"

/* (cycle_id, metric_date) of every row of the 4.1 table (after TRUNCATE positions) */
extern const char catalyst_v41_every_day_sql[];

/*
 * Recompute one cycle's trading day in the 4.1 table from its trades, as 4.1 did: lock the
 * day's row (creating it if it is missing; a concurrent writer of the day is waited for), derive
 * the day in a statement of its own, write the summary and derived columns.  The caller is
 * connected to SPI as the owner of performance_metrics (who owns positions and orders too).
 */
extern void catalyst_v41_recompute_day(const char *cycle_id, DateADT day);

#endif							/* CATALYST_METRICS_V41_H */
