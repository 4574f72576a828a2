/*
 * columns.h: a column of one of the extension's tables, found by name and remembered
 * (columns.c): the one way the C code finds a column.
 */
#ifndef CATALYST_COLUMNS_H
#define CATALYST_COLUMNS_H

#include "postgres.h"

#include "access/tupdesc.h"

/*
 * The attribute number of the column `name` of type `type` in `desc`.  *cached is the number
 * found last (0 at first), checked and updated: a missing column, or one of another type, is an
 * error naming it.  `type` InvalidOid: a column of any type.
 */
extern int	catalyst_column(TupleDesc desc, const char *name, Oid type, int *cached);

/*
 * The attribute number of an optional column: as catalyst_column(), but 0 when `desc` has no
 * column `name` of type `type`.
 */
extern int	catalyst_optional_column(TupleDesc desc, const char *name, Oid type, int *cached);

#endif							/* CATALYST_COLUMNS_H */
