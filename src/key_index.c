/*
 * key_index.c: a btree index that a direct index scan may use for equality on leading columns.
 *
 * The hottest lookups of the close path (whether a day's batch is due, the commission of a
 * close's orders) scan an index directly instead of running a query, whose planning and
 * executor start cost more than the lookup.  They use whichever index qualifies rather than one
 * found by name, so that a DBA who drops, renames or rebuilds an index changes nothing but speed.
 * An index qualifies only if an equality scan key of the column's type's default btree operator
 * family, under the column's collation, means on it what `=` means in the queries it replaces,
 * and if every snapshot of this transaction can use it, as the planner decides; a unique one
 * only if it is checked at once (not DEFERRABLE), so that it finds at most one visible row.
 */
#include "postgres.h"

#include "key_index.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "nodes/pg_list.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

static bool
qualifies(Relation index, TupleDesc desc, const int *attnums, int nkeys, bool unique)
{
	Form_pg_index form = index->rd_index;

	if (index->rd_rel->relkind != RELKIND_INDEX || index->rd_rel->relam != BTREE_AM_OID ||
		!form->indisvalid || form->indnkeyatts < nkeys ||
		(unique && (!form->indisunique || !form->indimmediate || form->indnkeyatts != nkeys)) ||
		!heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL))
		return false;
	/* a new index over broken HOT chains misses rows older snapshots see (as the planner) */
	if (form->indcheckxmin &&
		!TransactionIdPrecedes(HeapTupleHeaderGetXmin(index->rd_indextuple->t_data),
							   TransactionXmin))
		return false;
	for (int k = 0; k < nkeys; k++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, attnums[k] - 1);

		if (form->indkey.values[k] != attnums[k] ||
			index->rd_indcollation[k] != att->attcollation ||
			index->rd_opfamily[k] !=
			lookup_type_cache(att->atttypid, TYPECACHE_BTREE_OPFAMILY)->btree_opf)
			return false;
	}
	return true;
}

Relation
catalyst_open_key_index(Relation rel, const int *attnums, int nkeys, bool unique,
						LOCKMODE lockmode)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Relation	found = NULL;

	foreach(lc, indexes)
	{
		/* (an index that REINDEX CONCURRENTLY just dropped is gone: skipped) */
		Relation	index = try_relation_open(lfirst_oid(lc), lockmode);

		if (index == NULL)
			continue;
		if (qualifies(index, RelationGetDescr(rel), attnums, nkeys, unique))
		{
			found = index;
			break;
		}
		relation_close(index, lockmode);
	}
	list_free(indexes);
	return found;
}
