/*
 * row_changes.h: the details of a row audit event, built as jsonb (row_changes.c), for the row
 * audit (row_audit.c) and the close trigger's position_closed event (position_close.c).
 */
#ifndef CATALYST_ROW_CHANGES_H
#define CATALYST_ROW_CHANGES_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"

/* Add "key": to an object being built; its value comes next. */
extern void catalyst_jsonb_push_key(JsonbParseState **state, const char *key);

/* Add "key": value to an object being built; value NULL: a JSON string `str`. */
extern void catalyst_jsonb_push_member(JsonbParseState **state, const char *key, Jsonb *value,
									   const char *str);

/*
 * Add "old" and "new" to an event's details being built: the columns an UPDATE changed
 * (updated_at left out), as two objects; false (nothing added) when no value changed.
 */
extern bool catalyst_push_changed_columns(JsonbParseState **state, TupleDesc desc,
										  HeapTuple oldrow, HeapTuple newrow);

/*
 * For a trigger that audits an UPDATE in an event of its own (position_closed): add to the
 * event's details being built what the row event would have carried, "old" and "new" (the changed
 * columns) and "user", when row events are written (catalyst.audit on, not a restore).
 */
extern void catalyst_push_update_audit(JsonbParseState **state, Relation rel, HeapTuple oldrow,
									   HeapTuple newrow);

#endif							/* CATALYST_ROW_CHANGES_H */
