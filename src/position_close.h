/*
 * position_close.h: the close trigger of positions (position_close.c), for the row audit
 * (row_audit.c).
 */
#ifndef CATALYST_POSITION_CLOSE_H
#define CATALYST_POSITION_CLOSE_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/relcache.h"

/*
 * Whether an UPDATE of a row of `rel` closes a position: the UPDATE that position_close_roll_up()
 * audits with its position_closed event.
 */
extern bool catalyst_position_closes(Relation rel, HeapTuple before, HeapTuple after);

#endif							/* CATALYST_POSITION_CLOSE_H */
