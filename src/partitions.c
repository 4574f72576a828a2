/*
 * partitions.c: monthly partitions of scan_results and audit_log.
 *
 * create_monthly_partitions() makes sure each partitioned table has a partition for the current
 * month and for each of the next `premake` months, named <table>_YYYY_MM and bounded by UTC month
 * starts (UTC, so the bounds never depend on the TimeZone of the session that made them).  Rows
 * already parked in the DEFAULT partition for a month being created are moved into the new
 * partition in the same transaction instead of making CREATE TABLE ... PARTITION OF fail.
 *
 * It is a maintenance job (maintenance.c): nothing on a hot standby, one run at a time, its last
 * run recorded in maintenance_runs.  A run that finds another in progress returns NULL.
 */
#include "postgres.h"

#include "catalyst.h"
#include "partitions.h"
#include "audit_log.h"
#include "maintenance.h"
#include "partition_bounds.h"
#include "run_as_owner.h"
#include "settings.h"
#include "spi_util.h"
#include "user_data.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

const CatalystPartitionedTable catalyst_partitioned_tables[CATALYST_N_PARTITIONED_TABLES] = {
	{"scan_results", "scan_time", &catalyst_scan_retention_days, NULL, NULL},
	{"audit_log", "created_at", &catalyst_audit_retention_days,
	 catalyst_audit_log_protect_partition,
	catalyst_audit_log_release_partition},
};

#define MAX_PREMAKE_MONTHS 120

/*
 * Give the new partition exactly its parent's privileges: first revoke whatever it got on
 * creation (the owner's ALTER DEFAULT PRIVILEGES may grant to anyone), then grant every privilege
 * granted on the parent (the owner's own are implicit).
 */
static void
copy_privileges(Oid parent, const char *partition_qualified)
{
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2] = {ObjectIdGetDatum(parent), CStringGetTextDatum(partition_qualified)};
	uint64		nstatements;

	nstatements = catalyst_spi_exec_args(
		"WITH acl AS ("
		"    SELECT c.oid OPERATOR(pg_catalog.=) $1 AS of_parent, a.grantee, a.privilege_type,"
		" a.is_grantable"
		"      FROM pg_catalog.pg_class c"
		"     CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a"
		"     WHERE c.oid OPERATOR(pg_catalog.=)"
		" ANY (ARRAY[$1, $2::pg_catalog.regclass::pg_catalog.oid])"
		"       AND a.grantee OPERATOR(pg_catalog.<>) c.relowner)"
		"SELECT pg_catalog.format(CASE WHEN acl.of_parent THEN 'GRANT %s ON TABLE %s TO %s%s'"
		"                              ELSE 'REVOKE %s ON TABLE %s FROM %s%s' END,"
		"                         acl.privilege_type, $2,"
		"                         CASE WHEN acl.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'"
		"                              ELSE pg_catalog.quote_ident(r.rolname) END,"
		"                         CASE WHEN acl.of_parent AND acl.is_grantable"
		" THEN ' WITH GRANT OPTION'"
		"                              WHEN NOT acl.of_parent THEN ' CASCADE' ELSE '' END)"
		"  FROM acl LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) acl.grantee"
		" ORDER BY acl.of_parent",
		2, argtypes, args, NULL, SPI_OK_SELECT, 0);

	if (nstatements > 0)
	{
		SPITupleTable *statements = SPI_tuptable;

		for (uint64 i = 0; i < nstatements; i++)
			catalyst_spi_exec(SPI_getvalue(statements->vals[i], statements->tupdesc, 1),
							  SPI_OK_UTILITY, 0);
	}
}

/* A range without partition, and what making its partition did. */
typedef struct NewPartition
{
	const CatalystPartitionedTable *pt;
	Oid			parent;
	TimestampTz from;
	TimestampTz to;
	char		relname[NAMEDATALEN];	/* empty when it turned out to be covered already */
	uint64		rows_moved;
} NewPartition;

/* "YYYY-MM-DD HH:MM:SS.FFFFFF+00": a bound written in UTC, whatever the session's TimeZone */
static char *
utc_text(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "timestamp out of range");
	return psprintf("%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
}

/*
 * The name of a new partition: <table>_YYYY_MM for a whole month, <table>_YYYY_MM_DD for the
 * part of a month from day DD that a DBA's partitions leave uncovered; with _2, _3 ... when a
 * relation of the schema has the name already.
 */
static void
choose_name(NewPartition *np, bool whole_month)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char		base[NAMEDATALEN];
	Oid			nsp = get_rel_namespace(np->parent);

	if (timestamp2tm(np->from, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "timestamp out of range");
	if (whole_month)
		snprintf(base, sizeof(base), "%s_%04d_%02d", np->pt->table, tm.tm_year, tm.tm_mon);
	else
		snprintf(base, sizeof(base), "%s_%04d_%02d_%02d", np->pt->table, tm.tm_year, tm.tm_mon,
				 tm.tm_mday);
	strlcpy(np->relname, base, NAMEDATALEN);
	for (int i = 2; OidIsValid(get_relname_relid(np->relname, nsp)); i++)
		snprintf(np->relname, NAMEDATALEN, "%s_%d", base, i);
}

/* Whether a partition of `parent` covers any part of [from, to). */
static bool
overlaps_partition(Oid parent, TimestampTz from, TimestampTz to)
{
	ListCell   *lc;

	foreach(lc, catalyst_partition_ranges(parent))
	{
		CatalystPartitionRange *range = lfirst(lc);

		if (range->lower < to && range->upper > from)
			return true;
	}
	return false;
}

/*
 * Make the partition of np->from .. np->to, as the table's owner, in a subtransaction of its own
 * (catalyst_maintenance_try).
 *
 * Trading is not stopped: the partition is made as a plain table and attached (ATTACH PARTITION
 * needs only SHARE UPDATE EXCLUSIVE on the partitioned table, which no INSERT, UPDATE, DELETE
 * or SELECT conflicts with; CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE).  The
 * DEFAULT partition is locked first, ACCESS EXCLUSIVE, when it is free: from then on no row can
 * enter it, so the rows of the range it holds are all moved into the new partition before the
 * ATTACH checks that it holds none (a row arriving in between made the whole run fail).  Only
 * writes of rows that have no partition, and reads of the DEFAULT partition, wait for the end
 * of the run.
 */
static void
make_partition(void *arg)
{
	NewPartition *np = arg;
	const char *qparent = quote_qualified_identifier(CATALYST_SCHEMA, np->pt->table);
	const char *qkey = quote_identifier(np->pt->key);
	Oid			default_part = get_default_partition_oid(np->parent);
	Oid			relids[2] = {np->parent, default_part};
	LOCKMODE	modes[2] = {ShareUpdateExclusiveLock, AccessExclusiveLock};
	const char *qpart;
	StringInfoData sql;

	if (!catalyst_maintenance_lock_when_free(OidIsValid(default_part) ? 2 : 1, relids, modes))
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("%s or its DEFAULT partition was in use for all of "
						"catalyst.maintenance_lock_timeout (%d ms)",
						np->pt->table, catalyst_maintenance_lock_timeout),
				 errdetail("ATTACH PARTITION needs the DEFAULT partition to itself for a moment."),
				 errhint("The next run of create_monthly_partitions() tries again.")));
	/* locked: someone may have made a partition of the range meanwhile */
	if (overlaps_partition(np->parent, np->from, np->to))
	{
		np->relname[0] = '\0';
		return;
	}

	qpart = quote_qualified_identifier(CATALYST_SCHEMA, np->relname);
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
					 "INCLUDING GENERATED INCLUDING STORAGE)", qpart, qparent);
	catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);

	if (OidIsValid(default_part))
	{
		char	   *cols = catalyst_column_list(np->parent);
		Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
		Datum		bounds[2] = {TimestampTzGetDatum(np->from), TimestampTzGetDatum(np->to)};

		/* the rows already parked in DEFAULT for this range: ATTACH would refuse them there */
		resetStringInfo(&sql);
		appendStringInfo(&sql,
						 "WITH moved AS (DELETE FROM %s WHERE %s OPERATOR(pg_catalog.>=) $1 "
						 "AND %s OPERATOR(pg_catalog.<) $2 RETURNING %s) "
						 "INSERT INTO %s (%s) SELECT %s FROM moved",
						 quote_qualified_identifier(
							 get_namespace_name(get_rel_namespace(default_part)),
							 get_rel_name(default_part)),
						 qkey, qkey, cols, qpart, cols, cols);
		/* audit_log's append-only trigger lets this move out of the DEFAULT partition through */
		np->rows_moved = catalyst_spi_exec_maintenance(sql.data, 2, argtypes, bounds, NULL,
													   SPI_OK_INSERT, 0);
	}

	resetStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%s) TO (%s)",
					 qparent, qpart, quote_literal_cstr(utc_text(np->from)),
					 quote_literal_cstr(utc_text(np->to)));
	catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);

	copy_privileges(np->parent, qpart);
	if (np->pt->protect)
		np->pt->protect(qpart);

	/*
	 * A partition made while CREATE EXTENSION runs would become a member of the extension; like
	 * its parent it is user data (see user_data.c), so it is released.
	 */
	if (creating_extension)
	{
		resetStringInfo(&sql);
		appendStringInfo(&sql, "ALTER EXTENSION catalyst DROP TABLE %s", qpart);
		catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
	}
	pfree(sql.data);
}

/* What one run did: the partitions made, and the ranges left for the next run. */
typedef struct PartitionRun
{
	MemoryContext context;		/* the caller's, which outlives SPI's */
	List	   *created;
	uint64		rows_moved;
	StringInfoData deferred;	/* JSON objects, comma-separated */
} PartitionRun;

/*
 * Make partitions for the parts of [from, to) (one UTC month) that no partition covers: the whole
 * month, or what a DBA's partitions of other ranges and names leave of it.
 */
static void
cover_month(const CatalystPartitionedTable *pt, Oid parent, TimestampTz from, TimestampTz to,
			PartitionRun *run)
{
	TimestampTz next = from;
	ListCell   *lc;
	List	   *gaps = NIL;

	foreach(lc, catalyst_partition_ranges(parent))
	{
		CatalystPartitionRange *range = lfirst(lc);

		if (range->upper <= next || range->lower >= to)
			continue;
		if (range->lower > next)
		{
			TimestampTz *gap = palloc(2 * sizeof(TimestampTz));

			gap[0] = next;
			gap[1] = range->lower;
			gaps = lappend(gaps, gap);
		}
		next = Max(next, range->upper);
	}
	if (next < to)
	{
		TimestampTz *gap = palloc(2 * sizeof(TimestampTz));

		gap[0] = next;
		gap[1] = to;
		gaps = lappend(gaps, gap);
	}

	foreach(lc, gaps)
	{
		TimestampTz *gap = lfirst(lc);
		NewPartition np;
		char	   *error;
		bool		lock_timeout;

		memset(&np, 0, sizeof(np));
		np.pt = pt;
		np.parent = parent;
		np.from = gap[0];
		np.to = gap[1];
		choose_name(&np, np.from == from && np.to == to);
		error = catalyst_maintenance_try(make_partition, &np, &lock_timeout);
		if (error == NULL && np.relname[0] != '\0')
		{
			MemoryContext spi_context = MemoryContextSwitchTo(run->context);

			run->created = lappend(run->created, pstrdup(np.relname));
			MemoryContextSwitchTo(spi_context);
			run->rows_moved += np.rows_moved;
		}
		else if (error != NULL)
		{
			if (run->deferred.len > 0)
				appendStringInfoString(&run->deferred, ", ");
			appendStringInfoString(&run->deferred, "{\"partition\": ");
			escape_json(&run->deferred, np.relname);
			appendStringInfoString(&run->deferred, ", \"from\": ");
			escape_json(&run->deferred, utc_text(np.from));
			appendStringInfoString(&run->deferred, ", \"to\": ");
			escape_json(&run->deferred, utc_text(np.to));
			appendStringInfo(&run->deferred, ", %s", error + 1);
		}
	}
}

/*
 * Create the missing partitions of the current UTC month and the `premake` months after it, for
 * every partitioned table.  Runs as the owner of each table, so a partition is owned like its
 * parent whoever calls this.  A month is missing when no partition covers it, whatever the
 * partitions' names (a DBA may have made a quarter, or a year, under a name of their own).
 */
static void
create_monthly_partitions(int premake, PartitionRun *run)
{
	struct pg_tm tm;
	fsec_t		fsec;
	CatalystSavedUser saved;
	int			nest_level;

	if (timestamp2tm(GetCurrentTransactionStartTimestamp(), NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "current timestamp out of range");

	catalyst_bind_user_data();

	nest_level = catalyst_maintenance_limit_lock_waits();
	catalyst_spi_connect();
	for (int t = 0; t < CATALYST_N_PARTITIONED_TABLES; t++)
	{
		const CatalystPartitionedTable *pt = &catalyst_partitioned_tables[t];
		Oid			parent = catalyst_relid(pt->table);
		int			year = tm.tm_year;
		int			month = tm.tm_mon;

		catalyst_become_owner(parent, &saved);
		for (int i = 0; i <= premake; i++)
		{
			char		from[32];
			char		to[32];

			snprintf(from, sizeof(from), "%04d-%02d-01 00:00:00+00", year, month);
			if (++month > 12)
			{
				month = 1;
				year++;
			}
			snprintf(to, sizeof(to), "%04d-%02d-01 00:00:00+00", year, month);
			cover_month(pt, parent,
						DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
																CStringGetDatum(from),
																ObjectIdGetDatum(InvalidOid),
																Int32GetDatum(-1))),
						DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
																CStringGetDatum(to),
																ObjectIdGetDatum(InvalidOid),
																Int32GetDatum(-1))),
						run);
		}
		catalyst_restore_user(&saved);
	}
	catalyst_spi_finish();
	catalyst_maintenance_end_lock_limit(nest_level);
}

/* SQL-callable functions */

/*
 * create_monthly_partitions(premake integer DEFAULT NULL) RETURNS integer: how many partitions it
 * created, or NULL when it did nothing (hot standby, or another maintenance run in progress).
 */
PG_FUNCTION_INFO_V1(catalyst_create_monthly_partitions_sql);
Datum
catalyst_create_monthly_partitions_sql(PG_FUNCTION_ARGS)
{
	int			premake = PG_ARGISNULL(0) ? catalyst_premake_months : PG_GETARG_INT32(0);
	CatalystMaintenanceRun run;
	PartitionRun result;
	StringInfoData summary;

	if (premake < 0 || premake > MAX_PREMAKE_MONTHS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("premake must be between 0 and %d months, not %d", MAX_PREMAKE_MONTHS,
						premake),
				 errdetail("premake is the number of months after the current one to make "
						   "partitions for."),
				 errhint("Without an argument it makes catalyst.premake_months (now %d) months "
						 "ahead.",
						 catalyst_premake_months)));

	if (!catalyst_maintenance_begin("create_monthly_partitions", &run))
		PG_RETURN_NULL();

	memset(&result, 0, sizeof(result));
	result.context = CurrentMemoryContext;
	initStringInfo(&result.deferred);
	create_monthly_partitions(premake, &result);

	initStringInfo(&summary);
	appendStringInfo(&summary, "{\"outcome\": \"%s\", \"premake\": %d, \"created\": ",
					 result.deferred.len > 0 ? "partial" : "done", premake);
	catalyst_append_json_names(&summary, result.created);
	appendStringInfo(&summary, ", \"rows_moved_from_default\": " UINT64_FORMAT, result.rows_moved);
	if (result.deferred.len > 0)
		appendStringInfo(&summary, ", \"deferred\": [%s], \"retry\": \"the next run tries the "
								   "deferred ranges again\"",
						 result.deferred.data);
	appendStringInfoChar(&summary, '}');
	catalyst_maintenance_record(&run, catalyst_jsonb_from_text(summary.data));

	PG_RETURN_INT32(list_length(result.created));
}
