/*
 * key_index.h: a btree index of one of the extension's tables that a direct index scan may use
 * for equality on its leading columns (key_index.c).
 */
#ifndef CATALYST_KEY_INDEX_H
#define CATALYST_KEY_INDEX_H

#include "postgres.h"

#include "storage/lockdefs.h"
#include "utils/relcache.h"

/*
 * The first index of `rel` whose leading `nkeys` key columns are `attnums`, that is a valid,
 * non-partial btree with their types' default operator families and the columns' collations
 * (and unique on exactly those columns, not deferrable, if `unique`), that every snapshot of this
 * transaction may scan, opened with `lockmode`; NULL if none is.
 * A DBA may drop, rebuild or replace the extension's indexes: callers then fall back to a query.
 */
extern Relation catalyst_open_key_index(Relation rel, const int *attnums, int nkeys, bool unique,
										LOCKMODE lockmode);

#endif							/* CATALYST_KEY_INDEX_H */
