/*
 * audit_log.c: the audit trail, catalyst.audit_log: appending events, and refusing anything else.
 *
 * Every writer of the audit trail (the position-close trigger, the row audit trigger, the
 * maintenance functions) goes through catalyst_audit_event(), so an event always carries the
 * client's address and application name, and is written as the owner of audit_log: the role that
 * caused the event needs no privilege on the audit trail.
 *
 * audit_log is append-only: audit_log_append_only(), a BEFORE UPDATE OR DELETE row trigger on
 * audit_log (cloned onto every partition) and a BEFORE TRUNCATE statement trigger on audit_log and
 * on each of its partitions, refuses every change, whoever asks, superusers included.  Old events
 * leave only with whole partitions (DETACH and DROP fire no row trigger).  The one exception is
 * the extension's own maintenance code moving rows between partitions, which runs its statement
 * through catalyst_spi_exec_maintenance().
 *
 * Since 4.2 the row trigger is an ordinary ENABLE trigger (4.1: ENABLE ALWAYS): it does not fire
 * under session_replication_role = replica, which is how logical replication's apply worker
 * runs, so a subscriber applies the publisher's retention (its DELETEs of old DEFAULT rows, its
 * moves out of DEFAULT) instead of stopping on the first one.  session_replication_role can be
 * set only by a superuser (or a role a superuser granted SET on it), who can disable any trigger
 * anyway; for every other role the trail stays append-only.  The TRUNCATE guards stay ENABLE
 * ALWAYS: catalyst's retention never truncates audit_log, so nothing replicated needs them off.
 */
#include "postgres.h"

#include "catalyst.h"
#include "audit_log.h"
#include "append_only.h"
#include "run_as_owner.h"
#include "spi_util.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

static SPIPlanPtr insert_event_plan = NULL;

/* Nonzero while maintenance code runs a statement that may delete audit_log rows. */
static int	maintenance_depth = 0;

void
catalyst_audit_event(const CatalystAuditEvent *event)
{
	Oid			argtypes[8] = {VARCHAROID, VARCHAROID, VARCHAROID, VARCHAROID, VARCHAROID,
							   VARCHAROID,
	JSONBOID, TEXTOID};
	Datum		values[8];
	char		nulls[8];
	const char *texts[6] = {event->cycle_id, event->event_type, event->event_category,
	event->entity_type, event->entity_id, event->user_action};

	for (int i = 0; i < 6; i++)
	{
		values[i] = texts[i] ? CStringGetTextDatum(texts[i]) : (Datum) 0;
		nulls[i] = texts[i] ? ' ' : 'n';
	}
	values[6] = event->details ? JsonbPGetDatum(event->details) : (Datum) 0;
	nulls[6] = event->details ? ' ' : 'n';
	/* the application name as the session set it; an empty one is unknown */
	values[7] = (application_name &&
				 application_name[0]) ? CStringGetTextDatum(application_name) : (Datum) 0;
	nulls[7] = (application_name && application_name[0]) ? ' ' : 'n';

	catalyst_exec_as_owner("audit_log", &insert_event_plan,
						   "INSERT INTO catalyst.audit_log (cycle_id, event_type, event_category,"
						   " entity_type,"
						   "       entity_id, user_action, details, ip_address, user_agent)"
						   " VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, '{}'::pg_catalog.jsonb),"
						   "         pg_catalog.inet_client_addr(), $8)",
						   8, argtypes, values, nulls, SPI_OK_INSERT);
}

/*
 * Run one statement of the maintenance code that may delete rows of audit_log (moving them out of
 * the DEFAULT partition into a new monthly one): the append-only trigger lets its DELETEs through.
 */
uint64
catalyst_spi_exec_maintenance(const char *query, int nargs, Oid *argtypes, Datum *values,
							  const char *nulls, int expected, long count)
{
	uint64		processed;

	maintenance_depth++;
	PG_TRY();
	{
		processed = catalyst_spi_exec_args(query, nargs, argtypes, values, nulls, expected, count);
	}
	PG_FINALLY();
	{
		maintenance_depth--;
	}
	PG_END_TRY();
	return processed;
}

/*
 * Protect a new partition of audit_log against TRUNCATE (the row trigger is cloned onto it by
 * PostgreSQL; a statement trigger is not).  Called by create_monthly_partitions() as the owner.
 */
void
catalyst_audit_log_protect_partition(const char *qualified_partition)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON %s"
					 " FOR EACH STATEMENT EXECUTE FUNCTION %s()",
					 qualified_partition,
					 quote_qualified_identifier(CATALYST_SCHEMA, "audit_log_append_only"));
	catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s ENABLE ALWAYS TRIGGER audit_log_no_truncate",
					 qualified_partition);
	catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
	pfree(sql.data);
}

/*
 * A month of audit_log that retention detaches and keeps (catalyst.retention_keep_detached) is
 * the DBA's table from then on: it loses the TRUNCATE guard and log_id's default, which would
 * otherwise tie it to the extension's function and sequence and make DROP EXTENSION fail.
 * (DETACH drops the cloned row trigger.)
 */
void
catalyst_audit_log_release_partition(const char *qualified_partition)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "DROP TRIGGER IF EXISTS audit_log_no_truncate ON %s",
					 qualified_partition);
	catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s ALTER COLUMN log_id DROP DEFAULT", qualified_partition);
	catalyst_spi_exec(sql.data, SPI_OK_UTILITY, 0);
	pfree(sql.data);
}

/* SQL-callable functions */

PG_FUNCTION_INFO_V1(catalyst_audit_log_append_only);
Datum
catalyst_audit_log_append_only(PG_FUNCTION_ARGS)
{
	const char *operation = catalyst_append_only_operation(fcinfo, "audit_log_append_only");
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) && maintenance_depth > 0)
		return PointerGetDatum(trigdata->tg_trigtuple);

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("audit_log is append-only: %s is refused", operation),
			 errdetail("%s on \"%s\" would change or remove events, which no role may do.",
					   operation, RelationGetRelationName(trigdata->tg_relation)),
			 errhint("Old events leave audit_log only when retention drops whole monthly "
					 "partitions (catalyst.audit_retention_days).")));
	pg_unreachable();
}
