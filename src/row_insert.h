/*
 * row_insert.h: one row inserted into a table of the extension without planning a statement
 * (row_insert.c), for the few inserts that every close makes.
 */
#ifndef CATALYST_ROW_INSERT_H
#define CATALYST_ROW_INSERT_H

#include "postgres.h"

#include "utils/rel.h"

/*
 * Insert one row into `rel` (an ordinary table the caller opened with RowExclusiveLock, as the
 * current user, who must be allowed to insert): the n columns `names` of types `types` take
 * `values` (`nulls`); `attnums` caches their attribute numbers (n zeros at first).  Returns false,
 * having inserted nothing, when the table is not as catalyst made it: a column more or missing, or
 * of another type (a default to fill in), row-level security enabled, or no INSERT privilege.
 * The caller then runs its INSERT statement instead, which handles all of these.
 */
extern bool catalyst_insert_row(Relation rel, int n, const char *const *names, const Oid *types,
								int *attnums, Datum *values, const bool *nulls);

#endif							/* CATALYST_ROW_INSERT_H */
