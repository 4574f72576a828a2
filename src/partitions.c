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
#include "catalyst.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

const CatalystPartitionedTable catalyst_partitioned_tables[CATALYST_N_PARTITIONED_TABLES] = {
	{"scan_results", "scan_time", &catalyst_scan_retention_days, NULL, NULL},
	{"audit_log", "created_at", &catalyst_audit_retention_days, catalyst_audit_log_protect_partition,
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
		"    SELECT c.oid OPERATOR(pg_catalog.=) $1 AS of_parent, a.grantee, a.privilege_type, a.is_grantable"
		"      FROM pg_catalog.pg_class c"
		"     CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a"
		"     WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY[$1, $2::pg_catalog.regclass::pg_catalog.oid])"
		"       AND a.grantee OPERATOR(pg_catalog.<>) c.relowner)"
		"SELECT pg_catalog.format(CASE WHEN acl.of_parent THEN 'GRANT %s ON TABLE %s TO %s%s'"
		"                              ELSE 'REVOKE %s ON TABLE %s FROM %s%s' END,"
		"                         acl.privilege_type, $2,"
		"                         CASE WHEN acl.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'"
		"                              ELSE pg_catalog.quote_ident(r.rolname) END,"
		"                         CASE WHEN acl.of_parent AND acl.is_grantable THEN ' WITH GRANT OPTION'"
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

static bool
create_month_partition(const CatalystPartitionedTable *pt, Oid parent, int year, int month,
					   char *relname, uint64 *rows_moved)
{
	char		from[32];
	char		to[32];
	const char *qparent = quote_qualified_identifier(CATALYST_SCHEMA, pt->table);
	const char *qpart;
	const char *qdefault;
	const char *qkey = quote_identifier(pt->key);
	char		default_name[NAMEDATALEN];
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		bounds[2];
	StringInfoData sql;
	bool		default_has_rows;

	snprintf(relname, NAMEDATALEN, "%s_%04d_%02d", pt->table, year, month);
	if (OidIsValid(get_relname_relid(relname, get_rel_namespace(parent))))
		return false;

	snprintf(from, sizeof(from), "%04d-%02d-01 00:00:00+00", year, month);
	snprintf(to, sizeof(to), "%04d-%02d-01 00:00:00+00",
			 month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1);
	bounds[0] = DirectFunctionCall3(timestamptz_in, CStringGetDatum(from),
									ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	bounds[1] = DirectFunctionCall3(timestamptz_in, CStringGetDatum(to),
									ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));

	qpart = quote_qualified_identifier(CATALYST_SCHEMA, relname);
	snprintf(default_name, sizeof(default_name), "%s_default", pt->table);
	qdefault = quote_qualified_identifier(CATALYST_SCHEMA, default_name);

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT 1 FROM %s WHERE %s OPERATOR(pg_catalog.>=) $1 AND %s OPERATOR(pg_catalog.<) $2 LIMIT 1",
					 qdefault, qkey, qkey);
	default_has_rows = catalyst_spi_exec_args(sql.data, 2, argtypes, bounds, NULL,
											  SPI_OK_SELECT, 1) > 0;

	resetStringInfo(&sql);
	if (!default_has_rows)
	{
		appendStringInfo(&sql, "CREATE TABLE %s PARTITION OF %s FOR VALUES FROM (%s) TO (%s)",
						 qpart, qparent, quote_literal_cstr(from), quote_literal_cstr(to));
		catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
	}
	else
	{
		/*
		 * PARTITION OF would fail: the DEFAULT partition holds rows of this month.  Build the
		 * partition as a plain table, move the rows into it and attach it; ATTACH then finds the
		 * DEFAULT partition clean and creates the parent's indexes on the new partition.
		 */
		char	   *cols = catalyst_column_list(parent);

		appendStringInfo(&sql,
						 "CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
						 "INCLUDING GENERATED INCLUDING STORAGE)", qpart, qparent);
		catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);

		resetStringInfo(&sql);
		appendStringInfo(&sql,
						 "WITH moved AS (DELETE FROM %s WHERE %s OPERATOR(pg_catalog.>=) $1 "
						 "AND %s OPERATOR(pg_catalog.<) $2 RETURNING %s) "
						 "INSERT INTO %s (%s) SELECT %s FROM moved",
						 qdefault, qkey, qkey, cols, qpart, cols, cols);
		/* audit_log's append-only trigger lets this move out of the DEFAULT partition through */
		*rows_moved += catalyst_spi_exec_maintenance(sql.data, 2, argtypes, bounds, NULL,
													 SPI_OK_INSERT, 0);

		resetStringInfo(&sql);
		appendStringInfo(&sql, "ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%s) TO (%s)",
						 qparent, qpart, quote_literal_cstr(from), quote_literal_cstr(to));
		catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
	}

	copy_privileges(parent, qpart);
	if (pt->protect)
		pt->protect(qpart);

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
	return true;
}

/*
 * Create the missing partitions of the current UTC month and the `premake` months after it, for
 * every partitioned table.  Runs as the owner of each table, so a partition is owned like its
 * parent whoever calls this.  Returns the names of the partitions it created.
 */
static List *
create_monthly_partitions(int premake, uint64 *rows_moved)
{
	struct pg_tm tm;
	fsec_t		fsec;
	List	   *created = NIL;
	MemoryContext caller_context = CurrentMemoryContext;	/* outlives SPI's */
	CatalystSavedUser saved;

	if (timestamp2tm(GetCurrentTransactionStartTimestamp(), NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "current timestamp out of range");

	catalyst_bind_user_data();

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
			char		relname[NAMEDATALEN];

			if (create_month_partition(pt, parent, year, month, relname, rows_moved))
			{
				MemoryContext spi_context = MemoryContextSwitchTo(caller_context);

				created = lappend(created, pstrdup(relname));
				MemoryContextSwitchTo(spi_context);
			}
			if (++month > 12)
			{
				month = 1;
				year++;
			}
		}
		catalyst_restore_user(&saved);
	}
	catalyst_spi_finish();
	return created;
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
	List	   *created;
	uint64		rows_moved = 0;
	StringInfoData summary;

	if (premake < 0 || premake > MAX_PREMAKE_MONTHS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("premake must be between 0 and %d months, not %d", MAX_PREMAKE_MONTHS, premake),
				 errdetail("premake is the number of months after the current one to make partitions for."),
				 errhint("Without an argument it makes catalyst.premake_months (now %d) months ahead.",
						 catalyst_premake_months)));

	if (!catalyst_maintenance_begin("create_monthly_partitions", &run))
		PG_RETURN_NULL();

	created = create_monthly_partitions(premake, &rows_moved);

	initStringInfo(&summary);
	appendStringInfo(&summary, "{\"outcome\": \"done\", \"premake\": %d, \"created\": ", premake);
	catalyst_append_json_names(&summary, created);
	appendStringInfo(&summary, ", \"rows_moved_from_default\": " UINT64_FORMAT "}", rows_moved);
	catalyst_maintenance_record(&run, catalyst_jsonb_from_text(summary.data));

	PG_RETURN_INT32(list_length(created));
}
