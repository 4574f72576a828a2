/*
 * partition_bounds.h: the ranges covered by the monthly partitions of scan_results and audit_log,
 * read from the catalog (for create_monthly_partitions() and retention alike).
 */
#ifndef CATALYST_PARTITION_BOUNDS_H
#define CATALYST_PARTITION_BOUNDS_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

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

#endif							/* CATALYST_PARTITION_BOUNDS_H */
