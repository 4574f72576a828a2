/*
 * partitions.h: the tables partitioned by month (partitions.c), for retention (retention.c).
 */
#ifndef CATALYST_PARTITIONS_H
#define CATALYST_PARTITIONS_H

#include "postgres.h"

/*
 * A table partitioned by month, the column it is partitioned by (timestamptz) and the setting
 * that gives its retention in days
 */
typedef struct CatalystPartitionedTable
{
	const char *table;
	const char *key;
	const int  *retention_days;
	/* what a new partition needs beyond its parent's privileges, or NULL */
	void		(*protect) (const char *qualified_partition);
	/* undoes protect for a partition detached and kept by retention, or NULL */
	void		(*release) (const char *qualified_partition);
} CatalystPartitionedTable;

/* scan_results and audit_log */
#define CATALYST_N_PARTITIONED_TABLES 2
extern const CatalystPartitionedTable catalyst_partitioned_tables[CATALYST_N_PARTITIONED_TABLES];

#endif							/* CATALYST_PARTITIONS_H */
