/*
 * partition_bounds.c: what each partition of a table partitioned by month covers, from its
 * catalog entry (pg_class.relpartbound), whatever its name.  A DBA may add partitions of any
 * range and name (a quarter, a half year, one reaching MAXVALUE); partition creation and
 * retention both go by these bounds, never by names.
 */
#include "postgres.h"

#include "partition_bounds.h"

#include "access/htup_details.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/partcache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

/* A range bound datum as a timestamptz: MINVALUE/MAXVALUE as -infinity/+infinity. */
static bool
bound_value(PartitionRangeDatum *datum, TimestampTz *value)
{
	Const	   *c;

	if (datum->kind == PARTITION_RANGE_DATUM_MINVALUE)
		TIMESTAMP_NOBEGIN(*value);
	else if (datum->kind == PARTITION_RANGE_DATUM_MAXVALUE)
		TIMESTAMP_NOEND(*value);
	else
	{
		c = castNode(Const, datum->value);
		if (c->consttype != TIMESTAMPTZOID || c->constisnull)
			return false;
		*value = DatumGetTimestampTz(c->constvalue);
	}
	return true;
}

/* The range of one partition; false when it is not a one-column range partition. */
static bool
partition_range(Oid relid, CatalystPartitionRange *range)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Datum		bound;
	bool		isnull;
	PartitionBoundSpec *spec;
	bool		ok;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	bound = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_relpartbound, &isnull);
	if (isnull)
	{
		ReleaseSysCache(tuple);
		return false;
	}
	spec = castNode(PartitionBoundSpec, stringToNode(TextDatumGetCString(bound)));
	ReleaseSysCache(tuple);

	ok = !spec->is_default && spec->strategy == PARTITION_STRATEGY_RANGE &&
		list_length(spec->lowerdatums) == 1 && list_length(spec->upperdatums) == 1 &&
		bound_value(linitial_node(PartitionRangeDatum, spec->lowerdatums), &range->lower) &&
		bound_value(linitial_node(PartitionRangeDatum, spec->upperdatums), &range->upper);
	range->relid = relid;
	return ok;
}

static int
compare_lower(const ListCell *a, const ListCell *b)
{
	const CatalystPartitionRange *ra = lfirst(a);
	const CatalystPartitionRange *rb = lfirst(b);

	return (ra->lower > rb->lower) - (ra->lower < rb->lower);
}

List *
catalyst_partition_ranges(Oid parent)
{
	List	   *ranges = NIL;
	ListCell   *lc;

	foreach(lc, find_inheritance_children(parent, NoLock))
	{
		CatalystPartitionRange *range = palloc(sizeof(CatalystPartitionRange));

		if (partition_range(lfirst_oid(lc), range))
			ranges = lappend(ranges, range);
		else
			pfree(range);
	}
	list_sort(ranges, compare_lower);
	return ranges;
}

/* As get_partition_for_tuple() (execPartition.c, static) finds it for a range-partitioned table. */
Oid
catalyst_partition_for(Relation parent, AttrNumber attnum, TimestampTz value)
{
	PartitionKey key = RelationGetPartitionKey(parent);
	PartitionDesc partitions;
	PartitionBoundInfo bounds;
	Datum		values[1] = {TimestampTzGetDatum(value)};
	bool		equal;
	int			index;

	if (key == NULL || key->strategy != PARTITION_STRATEGY_RANGE || key->partnatts != 1 ||
		key->partattrs[0] != attnum || key->parttypid[0] != TIMESTAMPTZOID)
		return InvalidOid;
	/* as the executor's partition directory: without one being detached, but in RR/SERIALIZABLE */
	partitions = RelationGetPartitionDesc(parent, !IsolationUsesXactSnapshot());
	if (partitions->nparts == 0)
		return InvalidOid;
	bounds = partitions->boundinfo;
	/* the greatest bound <= value; the partition is the one whose upper bound comes next */
	index = bounds->indexes[partition_range_datum_bsearch(key->partsupfunc, key->partcollation,
														  bounds, 1, values, &equal) + 1];
	if (index < 0)
		index = bounds->default_index;
	if (index < 0 || !partitions->is_leaf[index])
		return InvalidOid;
	return partitions->oids[index];
}
