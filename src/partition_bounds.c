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
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
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
