/*
 * retention.c: cleanup_old_data(), retention by partition.
 *
 * The seed deleted old rows one by one and then needed a VACUUM (which a function cannot run);
 * the deleted rows' space stayed with the table.  Here a month leaves as a whole:
 *
 *   - a partition of scan_results or audit_log whose whole range lies before the cut-off
 *     (now() minus catalyst.scan_retention_days / catalyst.audit_retention_days days of 24 hours)
 *     is detached and dropped, or only detached when catalyst.retention_keep_detached is on.
 *     The cost does not depend on how many rows the month holds, and dropping the files gives
 *     the space back to the operating system.  Partitions are recognised by their bounds, not
 *     their names.
 *   - rows of the DEFAULT partition are retired by the same rule, a whole UTC month at a time:
 *     those before the first instant of the cut-off's UTC month are deleted.  DEFAULT only holds
 *     rows written before their month had a partition, so this DELETE is small.
 *   - closed positions whose closed_at is older than catalyst.position_archive_days move to
 *     positions_archive in one statement (DELETE ... RETURNING feeding INSERT): a position is
 *     either still in positions or in the archive, never both, never neither.  Orders are not
 *     touched (positions reference orders, not the reverse).
 *   - pg_cron's history of catalyst's own jobs (cron.job_run_details) older than the audit
 *     retention is deleted, when pg_cron is installed in this database.
 *
 * The tables' changes are made as their owner (run_as_owner.c); pg_cron's history as the caller,
 * whose row-level security there shows only the caller's own jobs' runs.  It is a maintenance
 * job (maintenance.c): nothing on a hot standby, one run at a time, recorded in
 * maintenance_runs.
 */
#include "catalyst.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

/* A partition due for retirement. */
typedef struct RetiredPartition
{
	Oid			relid;
	TimestampTz upper;			/* its upper bound: the partitions leave oldest first */
} RetiredPartition;

/* now() minus `days` days of 24 hours */
static TimestampTz
days_before(TimestampTz now, int days)
{
	return now - (int64) days * USECS_PER_DAY;
}

/* The first instant of the UTC month of `ts`. */
static TimestampTz
utc_month_start(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	Timestamp	result;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "timestamp out of range");
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	if (tm2timestamp(&tm, 0, NULL, &result) != 0)
		elog(ERROR, "timestamp out of range");
	return result;
}

/*
 * The upper bound of a range partition on a timestamptz column, from its catalog entry; false
 * when it has none to compare (MAXVALUE).
 */
static bool
partition_upper_bound(Oid relid, TimestampTz *upper)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Datum		bound;
	bool		isnull;
	PartitionBoundSpec *spec;
	PartitionRangeDatum *datum;
	Const	   *value;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	bound = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_relpartbound, &isnull);
	if (isnull)
		elog(ERROR, "relation %u is not a partition", relid);
	spec = castNode(PartitionBoundSpec, stringToNode(TextDatumGetCString(bound)));
	ReleaseSysCache(tuple);

	if (spec->strategy != PARTITION_STRATEGY_RANGE || list_length(spec->upperdatums) != 1)
		elog(ERROR, "partition %u is not a range partition on one column", relid);
	datum = linitial_node(PartitionRangeDatum, spec->upperdatums);
	if (datum->kind != PARTITION_RANGE_DATUM_VALUE)
		return false;
	value = castNode(Const, datum->value);
	if (value->consttype != TIMESTAMPTZOID)
		elog(ERROR, "partition %u is not bounded by timestamptz values", relid);
	*upper = DatumGetTimestampTz(value->constvalue);
	return true;
}

static int
compare_upper(const ListCell *a, const ListCell *b)
{
	const RetiredPartition *pa = lfirst(a);
	const RetiredPartition *pb = lfirst(b);

	return (pa->upper > pb->upper) - (pa->upper < pb->upper);
}

static void
append_json_timestamptz(StringInfo buf, TimestampTz ts)
{
	char		iso[MAXDATELEN + 1];

	JsonEncodeDateTime(iso, TimestampTzGetDatum(ts), TIMESTAMPTZOID, NULL);
	escape_json(buf, iso);
}

/*
 * Retire the months of one partitioned table older than its retention; appends
 * "table": {"cutoff": ..., "dropped": [...], "detached": [...], "default_rows_deleted": n}.
 */
static void
retire_old_months(const CatalystPartitionedTable *pt, TimestampTz now, StringInfo summary)
{
	Oid			parent = catalyst_relid(pt->table);
	Oid			default_part = get_default_partition_oid(parent);
	TimestampTz cutoff = days_before(now, *pt->retention_days);
	List	   *retired = NIL;
	List	   *names = NIL;
	ListCell   *lc;
	uint64		default_deleted = 0;
	CatalystSavedUser saved;
	StringInfoData sql;

	foreach(lc, find_inheritance_children(parent, NoLock))
	{
		Oid			child = lfirst_oid(lc);
		TimestampTz upper;

		if (child != default_part && partition_upper_bound(child, &upper) && upper <= cutoff)
		{
			RetiredPartition *rp = palloc(sizeof(RetiredPartition));

			rp->relid = child;
			rp->upper = upper;
			retired = lappend(retired, rp);
		}
	}
	list_sort(retired, compare_upper);

	initStringInfo(&sql);
	catalyst_become_owner(parent, &saved);
	foreach(lc, retired)
	{
		RetiredPartition *rp = lfirst(lc);
		char	   *relname = get_rel_name(rp->relid);
		const char *qpart = quote_qualified_identifier(get_namespace_name(get_rel_namespace(rp->relid)),
													   relname);

		resetStringInfo(&sql);
		appendStringInfo(&sql, "ALTER TABLE %s DETACH PARTITION %s",
						 quote_qualified_identifier(CATALYST_SCHEMA, pt->table), qpart);
		catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
		if (!catalyst_retention_keep_detached)
		{
			resetStringInfo(&sql);
			appendStringInfo(&sql, "DROP TABLE %s", qpart);
			catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
		}
		else if (pt->release)
			pt->release(qpart);
		names = lappend(names, relname);
	}

	if (OidIsValid(default_part))
	{
		Oid			argtypes[1] = {TIMESTAMPTZOID};
		Datum		values[1] = {TimestampTzGetDatum(utc_month_start(cutoff))};

		resetStringInfo(&sql);
		appendStringInfo(&sql, "DELETE FROM %s WHERE %s OPERATOR(pg_catalog.<) $1",
						 quote_qualified_identifier(get_namespace_name(get_rel_namespace(default_part)),
													get_rel_name(default_part)),
						 quote_identifier(pt->key));
		/* audit_log's append-only trigger lets retention's DELETE of the DEFAULT partition through */
		default_deleted = catalyst_spi_exec_maintenance(sql.data, 1, argtypes, values, NULL,
														SPI_OK_DELETE, 0);
	}
	catalyst_restore_user(&saved);

	escape_json(summary, pt->table);
	appendStringInfoString(summary, ": {\"cutoff\": ");
	append_json_timestamptz(summary, cutoff);
	appendStringInfoString(summary, ", \"dropped\": ");
	catalyst_append_json_names(summary, catalyst_retention_keep_detached ? NIL : names);
	appendStringInfoString(summary, ", \"detached\": ");
	catalyst_append_json_names(summary, catalyst_retention_keep_detached ? names : NIL);
	appendStringInfo(summary, ", \"default_rows_deleted\": " UINT64_FORMAT "}", default_deleted);
	pfree(sql.data);
}

/* Move the closed positions older than `cutoff` to positions_archive; returns how many. */
static uint64
archive_closed_positions(TimestampTz cutoff)
{
	Oid			positions = catalyst_relid("positions");
	char	   *cols = catalyst_column_list(positions);
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(cutoff)};
	StringInfoData sql;
	CatalystSavedUser saved;
	uint64		archived;

	/*
	 * One statement: the rows the DELETE removes are exactly the rows the INSERT writes.  A
	 * column of positions missing from positions_archive fails the statement, and with it the
	 * run, instead of losing that column's values.
	 */
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "WITH moved AS (DELETE FROM catalyst.positions"
					 " WHERE status OPERATOR(pg_catalog.=) 'closed' AND closed_at OPERATOR(pg_catalog.<) $1"
					 " RETURNING %s)"
					 " INSERT INTO catalyst.positions_archive (%s) SELECT %s FROM moved",
					 cols, cols, cols);
	catalyst_become_owner(positions, &saved);
	archived = catalyst_spi_exec_args(sql.data, 1, argtypes, values, NULL, SPI_OK_INSERT, 0);
	catalyst_restore_user(&saved);
	pfree(sql.data);
	return archived;
}

/*
 * Delete pg_cron's history of catalyst's jobs that ended before `cutoff`.  Returns false, doing
 * nothing, when pg_cron is not installed in this database or the caller may not delete there.
 * catalyst's jobs are those named by maintenance_jobs(), here or, with an "@database" suffix,
 * for another database whose jobs live in this one.
 */
static bool
trim_cron_history(TimestampTz cutoff, uint64 *deleted)
{
	Oid			cron_nsp;
	Oid			history;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(cutoff)};

	if (!OidIsValid(get_extension_oid("pg_cron", true)))
		return false;
	cron_nsp = get_namespace_oid("cron", true);
	history = OidIsValid(cron_nsp) ? get_relname_relid("job_run_details", cron_nsp) : InvalidOid;
	if (!OidIsValid(history) ||
		pg_namespace_aclcheck(cron_nsp, GetUserId(), ACL_USAGE) != ACLCHECK_OK ||
		pg_class_aclcheck(history, GetUserId(), ACL_DELETE) != ACLCHECK_OK)
		return false;

	*deleted = catalyst_spi_exec_args(
		"DELETE FROM cron.job_run_details d USING cron.job j"
		" WHERE d.jobid OPERATOR(pg_catalog.=) j.jobid"
		"   AND d.end_time OPERATOR(pg_catalog.<) $1"
		"   AND pg_catalog.split_part(j.jobname, '@', 1) OPERATOR(pg_catalog.=)"
		"       ANY (ARRAY(SELECT m.job_name FROM catalyst.maintenance_jobs() m))",
		1, argtypes, values, NULL, SPI_OK_DELETE, 0);
	return true;
}

/* SQL-callable functions */

/*
 * cleanup_old_data() RETURNS jsonb: what it retired, or {"outcome": "skipped", ...} when it did
 * nothing (hot standby, or another maintenance run in progress).
 */
PG_FUNCTION_INFO_V1(catalyst_cleanup_old_data);
Datum
catalyst_cleanup_old_data(PG_FUNCTION_ARGS)
{
	CatalystMaintenanceRun run;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	TimestampTz position_cutoff = days_before(now, catalyst_position_archive_days);
	TimestampTz history_cutoff = days_before(now, catalyst_audit_retention_days);
	StringInfoData summary;
	uint64		history_deleted = 0;
	Jsonb	   *result;

	if (!catalyst_maintenance_begin("cleanup_old_data", &run))
		PG_RETURN_JSONB_P(catalyst_maintenance_skipped_summary(&run));

	initStringInfo(&summary);
	appendStringInfoString(&summary, "{\"outcome\": \"done\", ");

	catalyst_spi_connect();
	for (int t = 0; t < CATALYST_N_PARTITIONED_TABLES; t++)
	{
		retire_old_months(&catalyst_partitioned_tables[t], now, &summary);
		appendStringInfoString(&summary, ", ");
	}

	appendStringInfoString(&summary, "\"positions\": {\"cutoff\": ");
	append_json_timestamptz(&summary, position_cutoff);
	appendStringInfo(&summary, ", \"archived\": " UINT64_FORMAT "}, ",
					 archive_closed_positions(position_cutoff));

	appendStringInfoString(&summary, "\"cron_history\": {\"cutoff\": ");
	append_json_timestamptz(&summary, history_cutoff);
	if (trim_cron_history(history_cutoff, &history_deleted))
		appendStringInfo(&summary, ", \"deleted\": " UINT64_FORMAT "}}", history_deleted);
	else
		appendStringInfoString(&summary, ", \"deleted\": null}}");
	catalyst_spi_finish();

	result = catalyst_jsonb_from_text(summary.data);
	catalyst_maintenance_record(&run, result);
	PG_RETURN_JSONB_P(result);
}
