/*
 * fills.h: recording a fill (fills.c), for the row audit (row_audit.c).
 */
#ifndef CATALYST_FILLS_H
#define CATALYST_FILLS_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/relcache.h"

/*
 * Whether `order_row`, being updated in `rel`, is the order of the fill being recorded right now
 * (fill_record() updates it); then *fill is that fill, as a record of fills' row type.  The
 * UPDATE's audit event carries the fill: a fill is audited once, with the change it made.
 */
extern bool catalyst_fill_being_recorded(Relation rel, HeapTuple order_row, Datum *fill);

#endif							/* CATALYST_FILLS_H */
