/*
 * row_insert.h: one row inserted into a table of the extension without planning a statement
 * (row_insert.c), for the few inserts that every close makes.
 */
#ifndef CATALYST_ROW_INSERT_H
#define CATALYST_ROW_INSERT_H

#include "postgres.h"

#include "utils/rel.h"

/*
 * Whether an INSERT into `rel` does nothing beyond its rows and their row triggers: no rule, no
 * INSERT statement trigger or transition table, no row-level security.
 */
extern bool catalyst_only_rows_triggered(Relation rel);

/*
 * Whether one row can be inserted into `rel` (an ordinary table the caller opened with
 * RowExclusiveLock) by catalyst_insert_row(): it has exactly the n columns `names`, of types
 * `types` (`attnums` caches their attribute numbers, n zeros at first), no type modifier but a
 * varchar's length or a numeric's precision, catalyst_only_rows_triggered(), and the current user
 * may insert.  When it is false (a column catalyst did not make, whose
 * default only a statement fills in, say), the caller runs its INSERT statement instead, which
 * handles all of these.
 */
extern bool catalyst_row_insertable(Relation rel, int n, const char *const *names,
									const Oid *types, int *attnums);

/*
 * Insert one row into `rel`, found insertable with the same n columns: column attnums[i] takes
 * values[i] (nulls[i]).  Triggers, constraints and indexes act as for an INSERT; the transaction's
 * next command sees the row.
 */
extern void catalyst_insert_row(Relation rel, int n, const int *attnums, Datum *values,
								const bool *nulls);

#endif							/* CATALYST_ROW_INSERT_H */
