/*
 * position_columns.h: the columns of positions that the close trigger (position_close.c) reads
 * and writes, and whether a row or an UPDATE closes a position (position_columns.c).
 */
#ifndef CATALYST_POSITION_COLUMNS_H
#define CATALYST_POSITION_COLUMNS_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/relcache.h"

/* the columns of positions the close trigger reads or writes */
typedef enum CatalystPositionColumn
{
	P_POSITION_ID,
	P_CYCLE_ID,
	P_SYMBOL,
	P_SIDE,
	P_QUANTITY,
	P_ENTRY_PRICE,
	P_EXIT_PRICE,
	P_STATUS,
	P_OPENED_AT,
	P_CLOSED_AT,
	P_HOLD_DURATION,
	P_REALIZED_PNL,
	P_PNL_PERCENT,
	P_CLOSE_REASON,
	N_POSITION_COLUMNS
} CatalystPositionColumn;

/* The attribute number of a column of positions in `desc` (columns.h, catalyst_column()). */
extern int	catalyst_position_column(TupleDesc desc, CatalystPositionColumn c);

/* The value of a column of a row of positions. */
extern Datum catalyst_position_value(HeapTuple position, TupleDesc desc, CatalystPositionColumn c,
									 bool *isnull);

/* Whether a text value (text or varchar) is the string `s`. */
extern bool catalyst_text_equals(Datum value, const char *s);

/* Whether a row of positions is closed (status = 'closed'). */
extern bool catalyst_position_is_closed(HeapTuple position, TupleDesc desc);

/*
 * Whether an UPDATE of a row of `rel` closes a position: `rel` is catalyst.positions, the row was
 * not closed before and is after.
 */
extern bool catalyst_position_closes(Relation rel, HeapTuple before, HeapTuple after);

#endif							/* CATALYST_POSITION_COLUMNS_H */
