/*
 * metrics.h: the performance_metrics roll-up (metrics.c), for the close trigger
 * (position_close.c).
 */
#ifndef CATALYST_METRICS_H
#define CATALYST_METRICS_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"

/* A position that has just closed: its trade is added to its day's roll-up. */
extern void catalyst_metrics_add_close(HeapTuple position, TupleDesc desc);

/* A closed position corrected, reopened or deleted: its day is marked to be derived anew. */
extern void catalyst_metrics_mark_position(HeapTuple position, TupleDesc desc);

/* Whether an UPDATE of a closed position changed what the roll-up counts of it. */
extern bool catalyst_metrics_trade_changed(HeapTuple before, HeapTuple after, TupleDesc desc);

#endif							/* CATALYST_METRICS_H */
