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
 *     their names (partition_bounds.c).
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
 * Trading first: the parts run in an order that keeps the strong locks for last.  The archive,
 * the history and the DEFAULT rows take only row-level locks and skip or time out on rows others
 * hold; the DETACH of old months, which needs ACCESS EXCLUSIVE on the partitioned table, comes
 * at the very end, is only attempted when those locks are free (maintenance.h: never queued
 * for, so no audited write ever waits behind it), and is then held only for the rest of the run,
 * a few catalog changes.  A trader holding a row retention wants therefore neither waits for it
 * nor deadlocks with it: the row is archived by a later run.  Each part runs in its own
 * subtransaction; what could not be done is named in the summary ("deferred", "errors") and the
 * next run tries it again.
 *
 * The tables' changes are made as their owner (run_as_owner.c); pg_cron's history as the caller,
 * whose row-level security there shows only the caller's own jobs' runs.  It is a maintenance
 * job (maintenance.c): nothing on a hot standby, one run at a time, recorded in
 * maintenance_runs.
 */
#include "postgres.h"

#include "catalyst.h"
#include "audit_log.h"
#include "maintenance.h"
#include "partition_bounds.h"
#include "partitions.h"
#include "run_as_owner.h"
#include "settings.h"
#include "spi_util.h"

#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

/* failures of single archive rows listed in the summary (the rest are counted) */
#define MAX_LISTED_FAILURES 10

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

static void
append_json_timestamptz(StringInfo buf, TimestampTz ts)
{
	char		iso[MAXDATELEN + 1];

	JsonEncodeDateTime(iso, TimestampTzGetDatum(ts), TIMESTAMPTZOID, NULL);
	escape_json(buf, iso);
}

static const char *
qualified_relname(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/* {"part": ..., "sqlstate": ..., "message": ...}: `error` is catalyst_maintenance_try()'s JSON */
static void
append_part_error(StringInfo errors, const char *part, const char *error)
{
	if (errors->len > 0)
		appendStringInfoString(errors, ", ");
	appendStringInfoString(errors, "{\"part\": ");
	escape_json(errors, part);
	appendStringInfo(errors, ", %s", error + 1);
}

/* What one run does to one partitioned table, and what it could not do. */
typedef struct RetireTable
{
	const CatalystPartitionedTable *pt;
	Oid			parent;
	Oid			default_part;
	TimestampTz cutoff;
	List	   *due;			/* CatalystPartitionRange of the months past retention */
	List	   *retired;		/* names of those detached (and dropped) */
	List	   *deferred;		/* names of those left for the next run: their locks were busy */
	uint64		default_deleted;
	StringInfoData errors;		/* JSON objects, comma-separated */
	/* the partition being retired, for retire_one_partition() */
	Oid			current;
	bool		has_failures;
} RetireTable;

/* DETACH one partition and DROP it (or release it when catalyst.retention_keep_detached is on) */
static void
retire_one_partition(void *arg)
{
	RetireTable *rt = arg;
	const char *qpart = qualified_relname(rt->current);
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s DETACH PARTITION %s",
					 quote_qualified_identifier(CATALYST_SCHEMA, rt->pt->table), qpart);
	catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
	if (!catalyst_retention_keep_detached)
	{
		resetStringInfo(&sql);
		appendStringInfo(&sql, "DROP TABLE %s", qpart);
		catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
	}
	else if (rt->pt->release)
		rt->pt->release(qpart);
	pfree(sql.data);
}

/*
 * Retire the months of one table that are past retention: take ACCESS EXCLUSIVE on the table,
 * those partitions and the DEFAULT partition (DETACH needs all three) only when all are free,
 * then detach each month in its own subtransaction.
 */
static void
retire_partitions(void *arg)
{
	RetireTable *rt = arg;
	int			n = 0;
	Oid		   *relids = palloc(sizeof(Oid) * (list_length(rt->due) + 2));
	LOCKMODE   *modes = palloc(sizeof(LOCKMODE) * (list_length(rt->due) + 2));
	List	   *attached = NIL;
	ListCell   *lc;
	CatalystSavedUser saved;

	relids[n++] = rt->parent;
	foreach(lc, rt->due)
		relids[n++] = ((CatalystPartitionRange *) lfirst(lc))->relid;
	if (OidIsValid(rt->default_part))
		relids[n++] = rt->default_part;
	for (int i = 0; i < n; i++)
		modes[i] = AccessExclusiveLock;

	if (!catalyst_maintenance_lock_when_free(n, relids, modes))
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("%s was in use for all of catalyst.maintenance_lock_timeout (%d ms)",
						rt->pt->table, catalyst_maintenance_lock_timeout),
				 errdetail("DETACH PARTITION needs the table to itself for a moment."),
				 errhint("The next run of cleanup_old_data() tries again.")));

	/* locked: the partitions that are still attached (a DBA may have detached one meanwhile) */
	foreach(lc, catalyst_partition_ranges(rt->parent))
		attached = lappend_oid(attached, ((CatalystPartitionRange *) lfirst(lc))->relid);

	catalyst_become_owner(rt->parent, &saved);
	foreach(lc, rt->due)
	{
		char	   *relname;
		char	   *error;
		bool		lock_timeout;

		rt->current = ((CatalystPartitionRange *) lfirst(lc))->relid;
		if (!list_member_oid(attached, rt->current))
			continue;
		relname = get_rel_name(rt->current);
		error = catalyst_maintenance_try(retire_one_partition, rt, &lock_timeout);
		if (error == NULL)
			rt->retired = lappend(rt->retired, relname);
		else
		{
			append_part_error(&rt->errors, relname, error);
			rt->has_failures = true;
		}
	}
	catalyst_restore_user(&saved);
}

/* Delete the DEFAULT partition's rows older than the cut-off's UTC month. */
static void
delete_old_default_rows(void *arg)
{
	RetireTable *rt = arg;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(utc_month_start(rt->cutoff))};
	StringInfoData sql;
	CatalystSavedUser saved;

	initStringInfo(&sql);
	appendStringInfo(&sql, "DELETE FROM %s WHERE %s OPERATOR(pg_catalog.<) $1",
					 qualified_relname(rt->default_part), quote_identifier(rt->pt->key));
	catalyst_become_owner(rt->parent, &saved);
	/* audit_log's append-only trigger lets retention's DELETE of the DEFAULT partition through */
	rt->default_deleted = catalyst_spi_exec_maintenance(sql.data, 1, argtypes, values, NULL,
														SPI_OK_DELETE, 0);
	catalyst_restore_user(&saved);
	pfree(sql.data);
}

static void
retire_table_init(RetireTable *rt, const CatalystPartitionedTable *pt, TimestampTz now)
{
	ListCell   *lc;

	memset(rt, 0, sizeof(RetireTable));
	rt->pt = pt;
	rt->parent = catalyst_relid(pt->table);
	rt->default_part = get_default_partition_oid(rt->parent);
	rt->cutoff = days_before(now, *pt->retention_days);
	initStringInfo(&rt->errors);
	foreach(lc, catalyst_partition_ranges(rt->parent))
	{
		CatalystPartitionRange *range = lfirst(lc);

		if (range->upper <= rt->cutoff)
			rt->due = lappend(rt->due, range);
	}
}

/* The DEFAULT rows of one table: its own part, so that a lock it cannot get defers it alone. */
static void
retire_default_rows(RetireTable *rt)
{
	char	   *error;
	bool		lock_timeout;

	if (!OidIsValid(rt->default_part))
		return;
	error = catalyst_maintenance_try(delete_old_default_rows, rt, &lock_timeout);
	if (error != NULL)
	{
		append_part_error(&rt->errors, get_rel_name(rt->default_part), error);
		rt->has_failures = true;
	}
}

/* The months past retention of one table: the last part of the run. */
static void
retire_months(RetireTable *rt)
{
	char	   *error;
	bool		lock_timeout;
	ListCell   *lc;

	if (rt->due == NIL)
		return;
	error = catalyst_maintenance_try(retire_partitions, rt, &lock_timeout);
	if (error == NULL)
		return;
	/* the whole table's subtransaction was rolled back: nothing of it was retired */
	list_free(rt->retired);
	rt->retired = NIL;
	foreach(lc, rt->due)
		rt->deferred = lappend(rt->deferred,
							   get_rel_name(((CatalystPartitionRange *) lfirst(lc))->relid));
	resetStringInfo(&rt->errors);
	if (!lock_timeout)
		append_part_error(&rt->errors, rt->pt->table, error);
	rt->has_failures = true;
}

/*
 * "table": {"cutoff": ..., "dropped": [...], "detached": [...], "deferred": [...],
 * "default_rows_deleted": n, "errors": [...]}
 */
static void
append_table_summary(StringInfo summary, const RetireTable *rt)
{
	escape_json(summary, rt->pt->table);
	appendStringInfoString(summary, ": {\"cutoff\": ");
	append_json_timestamptz(summary, rt->cutoff);
	appendStringInfoString(summary, ", \"dropped\": ");
	catalyst_append_json_names(summary, catalyst_retention_keep_detached ? NIL : rt->retired);
	appendStringInfoString(summary, ", \"detached\": ");
	catalyst_append_json_names(summary, catalyst_retention_keep_detached ? rt->retired : NIL);
	appendStringInfoString(summary, ", \"deferred\": ");
	catalyst_append_json_names(summary, rt->deferred);
	appendStringInfo(summary, ", \"default_rows_deleted\": " UINT64_FORMAT ", \"errors\": [%s]}",
					 rt->default_deleted, rt->errors.data);
}

/* Archiving the closed positions older than `cutoff`. */
typedef struct ArchiveRun
{
	TimestampTz cutoff;
	const char *batch_sql;		/* every such position not locked by another session */
	const char *one_sql;		/* the same for one position_id ($2) */
	int32		position_id;	/* for one_sql */
	uint64		archived;
	uint64		failed;
	StringInfoData errors;
} ArchiveRun;

static void
archive_batch(void *arg)
{
	ArchiveRun *ar = arg;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(ar->cutoff)};
	CatalystSavedUser saved;

	catalyst_become_owner(catalyst_relid("positions"), &saved);
	ar->archived += catalyst_spi_exec_args(ar->batch_sql, 1, argtypes, values, NULL, SPI_OK_INSERT,
										   0);
	catalyst_restore_user(&saved);
}

static void
archive_one(void *arg)
{
	ArchiveRun *ar = arg;
	Oid			argtypes[2] = {TIMESTAMPTZOID, INT4OID};
	Datum		values[2] = {TimestampTzGetDatum(ar->cutoff), Int32GetDatum(ar->position_id)};
	CatalystSavedUser saved;

	catalyst_become_owner(catalyst_relid("positions"), &saved);
	ar->archived += catalyst_spi_exec_args(ar->one_sql, 2, argtypes, values, NULL, SPI_OK_INSERT,
										   0);
	catalyst_restore_user(&saved);
}

/* The positions_id of the closed positions older than the cut-off, in the caller's memory. */
static int32 *
archive_candidates(const ArchiveRun *ar, uint64 *n)
{
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(ar->cutoff)};
	CatalystSavedUser saved;
	int32	   *ids;
	bool		isnull;

	catalyst_become_owner(catalyst_relid("positions"), &saved);
	*n = catalyst_spi_exec_args("SELECT position_id FROM catalyst.positions"
								" WHERE status OPERATOR(pg_catalog.=) 'closed'"
								"   AND closed_at OPERATOR(pg_catalog.<) $1 ORDER BY position_id",
								1, argtypes, values, NULL, SPI_OK_SELECT, 0);
	catalyst_restore_user(&saved);
	ids = SPI_palloc(sizeof(int32) * (*n + 1));
	for (uint64 i = 0; i < *n; i++)
		ids[i] = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1,
											 &isnull));
	return ids;
}

/*
 * Move the closed positions older than `cutoff` to positions_archive; appends
 * "positions": {"cutoff": ..., "archived": n, "left_for_next_run": n, "failed": n,
 * "errors": [...]}; returns false when a position is left for the next run (locked by another
 * session, or failing).
 *
 * One statement moves them all: the rows the DELETE removes are exactly the rows the INSERT
 * writes.  Positions another session has locked are skipped (SKIP LOCKED), not waited for.  If
 * the statement fails (a column of positions missing from positions_archive, a position_id
 * already archived), the positions are moved one by one, each in its own subtransaction, so
 * that the ones that can move do, and each failure is named.
 */
static bool
archive_closed_positions(TimestampTz cutoff, StringInfo summary)
{
	char	   *cols = catalyst_column_list(catalyst_relid("positions"));
	const char *template =
		"WITH candidates AS (SELECT c.position_id FROM catalyst.positions c"
		"     WHERE c.status OPERATOR(pg_catalog.=) 'closed'"
		" AND c.closed_at OPERATOR(pg_catalog.<) $1 %s"
		"     FOR UPDATE SKIP LOCKED),"
		" moved AS (DELETE FROM catalyst.positions"
		"     WHERE position_id IN (SELECT candidates.position_id FROM candidates) RETURNING %s)"
		" INSERT INTO catalyst.positions_archive (%s) SELECT %s FROM moved";
	ArchiveRun	ar;
	char	   *error;
	bool		lock_timeout;
	uint64		left = 0;

	memset(&ar, 0, sizeof(ar));
	ar.cutoff = cutoff;
	ar.batch_sql = psprintf(template, "", cols, cols, cols);
	ar.one_sql = psprintf(template, "AND c.position_id OPERATOR(pg_catalog.=) $2", cols, cols,
						  cols);
	initStringInfo(&ar.errors);

	error = catalyst_maintenance_try(archive_batch, &ar, &lock_timeout);
	if (error != NULL && lock_timeout)
	{
		/* positions or the archive is locked by someone: nothing to gain from one by one */
		append_part_error(&ar.errors, "positions", error);
	}
	else if (error != NULL)
	{
		uint64		n;
		int32	   *ids = archive_candidates(&ar, &n);

		for (uint64 i = 0; i < n; i++)
		{
			ar.position_id = ids[i];
			error = catalyst_maintenance_try(archive_one, &ar, &lock_timeout);
			if (error == NULL)
				continue;
			if (++ar.failed <= MAX_LISTED_FAILURES)
			{
				if (ar.errors.len > 0)
					appendStringInfoString(&ar.errors, ", ");
				appendStringInfo(&ar.errors, "{\"position_id\": %d, %s", ids[i], error + 1);
			}
		}
	}

	/* what is left: positions locked by others, or failing; the next run tries them again */
	{
		Oid			argtypes[1] = {TIMESTAMPTZOID};
		Datum		values[1] = {TimestampTzGetDatum(cutoff)};
		CatalystSavedUser saved;
		bool		isnull;

		catalyst_become_owner(catalyst_relid("positions"), &saved);
		if (catalyst_spi_exec_args("SELECT pg_catalog.count(*) FROM catalyst.positions"
								   " WHERE status OPERATOR(pg_catalog.=) 'closed'"
								   "   AND closed_at OPERATOR(pg_catalog.<) $1",
								   1, argtypes, values, NULL, SPI_OK_SELECT, 0) == 1)
			left = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
											   &isnull));
		catalyst_restore_user(&saved);
	}

	appendStringInfoString(summary, "\"positions\": {\"cutoff\": ");
	append_json_timestamptz(summary, cutoff);
	appendStringInfo(summary,
					 ", \"archived\": " UINT64_FORMAT ", \"left_for_next_run\": " UINT64_FORMAT
					 ", \"failed\": " UINT64_FORMAT ", \"errors\": [%s]}",
					 ar.archived, left, ar.failed, ar.errors.data);
	return ar.errors.len == 0 && left == 0;
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

/* pg_cron's history, as its own part */
typedef struct TrimHistory
{
	TimestampTz cutoff;
	bool		done;
	uint64		deleted;
} TrimHistory;

static void
trim_history_step(void *arg)
{
	TrimHistory *th = arg;

	th->done = trim_cron_history(th->cutoff, &th->deleted);
}

/* SQL-callable functions */

/*
 * cleanup_old_data() RETURNS jsonb: what it retired, or {"outcome": "skipped", ...} when it did
 * nothing (hot standby, or another maintenance run in progress).  "outcome" is "done", or
 * "partial" when a part was deferred or failed (the summary names it; the next run retries it).
 */
PG_FUNCTION_INFO_V1(catalyst_cleanup_old_data);
Datum
catalyst_cleanup_old_data(PG_FUNCTION_ARGS)
{
	CatalystMaintenanceRun run;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	RetireTable tables[CATALYST_N_PARTITIONED_TABLES];
	TrimHistory history = {days_before(now, catalyst_audit_retention_days), false, 0};
	StringInfoData summary;
	StringInfoData rest;
	char	   *history_error;
	bool		lock_timeout;
	bool		partial;
	int			nest_level;
	Jsonb	   *result;

	if (!catalyst_maintenance_begin("cleanup_old_data", &run))
		PG_RETURN_JSONB_P(catalyst_maintenance_skipped_summary(&run));

	/* in the function's memory: what is allocated while connected to SPI goes with SPI_finish */
	initStringInfo(&summary);
	nest_level = catalyst_maintenance_limit_lock_waits();
	catalyst_spi_connect();

	/* row-level work first: it holds no lock a trader's statement would queue behind */
	initStringInfo(&rest);
	partial = !archive_closed_positions(days_before(now, catalyst_position_archive_days), &rest);

	history_error = catalyst_maintenance_try(trim_history_step, &history, &lock_timeout);
	appendStringInfoString(&rest, ", \"cron_history\": {\"cutoff\": ");
	append_json_timestamptz(&rest, history.cutoff);
	if (history.done)
		appendStringInfo(&rest, ", \"deleted\": " UINT64_FORMAT "}", history.deleted);
	else if (history_error != NULL)
	{
		appendStringInfo(&rest, ", \"deleted\": null, \"error\": %s}", history_error);
		partial = true;
	}
	else
		appendStringInfoString(&rest, ", \"deleted\": null}");

	for (int t = 0; t < CATALYST_N_PARTITIONED_TABLES; t++)
	{
		retire_table_init(&tables[t], &catalyst_partitioned_tables[t], now);
		retire_default_rows(&tables[t]);
	}
	/* last: the catalog changes, each table's exclusive lock held from here to the commit */
	for (int t = 0; t < CATALYST_N_PARTITIONED_TABLES; t++)
	{
		retire_months(&tables[t]);
		partial |= tables[t].has_failures;
	}

	appendStringInfo(&summary, "{\"outcome\": \"%s\", ", partial ? "partial" : "done");
	if (partial)
		appendStringInfoString(&summary, "\"retry\": \"what is deferred or failed is left as it "
										 "was; the next run tries it again\", ");
	for (int t = 0; t < CATALYST_N_PARTITIONED_TABLES; t++)
	{
		append_table_summary(&summary, &tables[t]);
		appendStringInfoString(&summary, ", ");
	}
	appendStringInfo(&summary, "%s}", rest.data);

	catalyst_spi_finish();
	catalyst_maintenance_end_lock_limit(nest_level);

	result = catalyst_jsonb_from_text(summary.data);
	catalyst_maintenance_record(&run, result);
	PG_RETURN_JSONB_P(result);
}

