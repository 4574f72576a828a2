/*
 * row_audit.h: the row audit trail (row_audit.c), for the close trigger (position_close.c).
 */
#ifndef CATALYST_ROW_AUDIT_H
#define CATALYST_ROW_AUDIT_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"

/*
 * For a trigger that audits an UPDATE in an event of its own (position_closed): add to the
 * event's details being built what the row event would have carried, "old" and "new" (the changed
 * columns) and "user", when row events are written (catalyst.audit on, not a restore).
 */
extern void catalyst_row_audit_push_update(JsonbParseState **state, Relation rel,
										   HeapTuple oldrow, HeapTuple newrow);

#endif							/* CATALYST_ROW_AUDIT_H */
