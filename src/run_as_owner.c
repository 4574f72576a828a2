/*
 * run_as_owner.c: act as the owner of one of the extension's tables.
 *
 * Triggers and maintenance functions run as whoever fired or called them, but what they write
 * (audit_log, performance_metrics, new partitions) belongs to the extension, not to that role.
 * Like PostgreSQL's own referential-integrity triggers, they switch to the owner of the table
 * they write for the duration of the write, with row-level security not forced on that owner.
 * A transaction or subtransaction abort restores the user by itself.
 */
#include "postgres.h"

#include "catalyst.h"
#include "run_as_owner.h"
#include "spi_util.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

Oid
catalyst_relid(const char *relname)
{
	Oid			nsp = get_namespace_oid(CATALYST_SCHEMA, false);
	Oid			relid = get_relname_relid(relname, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table %s.%s does not exist", CATALYST_SCHEMA, relname),
				 errhint("Is the catalyst extension installed in this database?")));
	return relid;
}

Oid
catalyst_relation_owner(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

void
catalyst_become_owner(Oid relid, CatalystSavedUser *saved)
{
	GetUserIdAndSecContext(&saved->userid, &saved->sec_context);
	SetUserIdAndSecContext(catalyst_relation_owner(relid),
						   saved->sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
}

void
catalyst_restore_user(const CatalystSavedUser *saved)
{
	SetUserIdAndSecContext(saved->userid, saved->sec_context);
}

/*
 * Run a statement kept in *plan (prepared from `query` on first use) as the owner of `table`,
 * connected to SPI for just this statement: how the extension's code appends to its own tables.
 */
uint64
catalyst_exec_as_owner(const char *table, SPIPlanPtr *plan, const char *query, int nargs,
					   Oid *argtypes, Datum *values, const char *nulls, int expected)
{
	CatalystSavedUser saved;
	uint64		processed;

	catalyst_spi_connect();
	if (*plan == NULL)
		*plan = catalyst_keep_plan(query, nargs, argtypes);
	catalyst_become_owner(catalyst_relid(table), &saved);
	processed = catalyst_spi_exec_plan(*plan, values, nulls, expected, 0);
	catalyst_restore_user(&saved);
	catalyst_spi_finish();
	return processed;
}
