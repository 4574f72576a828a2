/*
 * partition_bounds.h: the ranges covered by the monthly partitions of scan_results and audit_log,
 * read from the catalog (for create_monthly_partitions() and retention alike).
 */
#ifndef CATALYST_PARTITION_BOUNDS_H
#define CATALYST_PARTITION_BOUNDS_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/rel.h"

/* One partition's [lower, upper) range; MINVALUE and MAXVALUE as -infinity and +infinity. */
typedef struct CatalystPartitionRange
{
	Oid			relid;
	TimestampTz lower;
	TimestampTz upper;
} CatalystPartitionRange;

/*
 * The ranges of the partitions of `parent` (range partitioned on one timestamptz column), sorted
 * by lower bound; the DEFAULT partition, and any partition of another kind, is left out.
 */
extern List *catalyst_partition_ranges(Oid parent);

/*
 * The partition of `parent` (open, range partitioned on the one timestamptz column `attnum`) that
 * a row with `value` in that column goes to, as the executor's tuple routing finds it: the
 * partition whose range holds it, else the DEFAULT partition.  InvalidOid when `parent` is
 * partitioned otherwise, when no partition takes the row, or when that partition is itself
 * partitioned.
 */
extern Oid	catalyst_partition_for(Relation parent, AttrNumber attnum, TimestampTz value);

#endif							/* CATALYST_PARTITION_BOUNDS_H */
