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
#include "columns.h"
#include "partition_bounds.h"
#include "row_insert.h"
#include "run_as_owner.h"
#include "spi_util.h"

#include "access/table.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/readfuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

static SPIPlanPtr insert_event_plan = NULL;

/* Nonzero while maintenance code runs a statement that may delete audit_log rows. */
static int	maintenance_depth = 0;

/*
 * An event's columns: the first eight in insert_event_sql's parameter order, then the two whose
 * default the statement would evaluate.
 */
#define EVENT_NCOLUMNS 11
#define EVENT_PARAMETERS 8
static const char *const event_columns[EVENT_NCOLUMNS] = {
	"cycle_id", "event_type", "event_category", "entity_type", "entity_id", "user_action",
	"details", "user_agent", "ip_address", "log_id", "created_at"
};
static const Oid event_types[EVENT_NCOLUMNS] = {
	VARCHAROID, VARCHAROID, VARCHAROID, VARCHAROID, VARCHAROID, VARCHAROID, JSONBOID, TEXTOID,
	INETOID, INT8OID, TIMESTAMPTZOID
};
#define EVENT_IP_ADDRESS 8
#define EVENT_LOG_ID 9
#define EVENT_CREATED_AT 10

static const char insert_event_sql[] =
	"INSERT INTO catalyst.audit_log (cycle_id, event_type, event_category, entity_type,"
	"       entity_id, user_action, details, user_agent, ip_address)"
	" VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, '{}'::pg_catalog.jsonb), $8,"
	"         pg_catalog.inet_client_addr())";

/*
 * A column default of audit_log as last parsed: its stored expression (pg_attrdef.adbin) and what
 * it is, nextval(sequence), now(), or another (InvalidOid), so that an event parses it again only
 * when a DBA changed it.
 */
typedef struct KnownDefault
{
	char	   *adbin;			/* in TopMemoryContext; NULL: none parsed yet */
	Oid			function;		/* F_NEXTVAL, F_NOW or InvalidOid */
	Oid			sequence;		/* nextval's */
} KnownDefault;

static KnownDefault log_id_default, created_at_default;

/*
 * The value of a column's default if it is one catalyst made, nextval() of a sequence or now();
 * false for any other (a DBA's), which only the INSERT statement evaluates.
 */
static bool
made_default(Relation rel, int attnum, KnownDefault *known, Datum *value)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	const char *adbin = NULL;

	for (int i = 0; constr != NULL && i < constr->num_defval; i++)
		if (constr->defval[i].adnum == attnum)
			adbin = constr->defval[i].adbin;
	if (adbin == NULL)
		return false;
	if (known->adbin == NULL || strcmp(known->adbin, adbin) != 0)
	{
		Node	   *expr = stringToNode(adbin);
		FuncExpr   *call = (FuncExpr *) expr;
		Oid			function = InvalidOid;
		Oid			sequence = InvalidOid;
		char	   *copy;

		if (IsA(expr, FuncExpr) && call->funcid == F_NOW && call->args == NIL)
			function = F_NOW;
		else if (IsA(expr, FuncExpr) && call->funcid == F_NEXTVAL &&
				 list_length(call->args) == 1 && IsA(linitial(call->args), Const) &&
				 !((Const *) linitial(call->args))->constisnull)
		{
			function = F_NEXTVAL;
			sequence = DatumGetObjectId(((Const *) linitial(call->args))->constvalue);
		}
		/* all of it replaced at once, after the copy: an error leaves the old one whole */
		copy = MemoryContextStrdup(TopMemoryContext, adbin);
		if (known->adbin != NULL)
			pfree(known->adbin);
		known->adbin = copy;
		known->function = function;
		known->sequence = sequence;
	}
	if (known->function == F_NOW)
		*value = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	else if (known->function == F_NEXTVAL)
		*value = Int64GetDatum(nextval_internal(known->sequence, true));
	else
		return false;
	return true;
}

/*
 * Append the event to its partition of audit_log directly (row_insert.c), as the INSERT statement
 * through audit_log would: routed by created_at, log_id and created_at from audit_log's defaults,
 * the partition's triggers, constraints and indexes.  False, having written nothing, when
 * audit_log is not as catalyst made it (other defaults, statement triggers, rules, row-level
 * security, a partition with other columns, no partition for the row): the caller runs the
 * statement.  The
 * caller acts as the owner of audit_log.
 */
static bool
append_directly(Datum *values, bool *nulls)
{
	static int	parent_attnums[2];
	static int	leaf_attnums[EVENT_NCOLUMNS];
	Relation	parent = table_open(catalyst_relid("audit_log"), RowExclusiveLock);
	TupleDesc	desc = RelationGetDescr(parent);
	int			log_id = catalyst_optional_column(desc, "log_id", INT8OID, &parent_attnums[0]);
	int			created_at = catalyst_optional_column(desc, "created_at", TIMESTAMPTZOID,
													  &parent_attnums[1]);
	Oid			leaf_id = InvalidOid;
	Relation	leaf = NULL;
	bool		appended = false;

	if (log_id != 0 && created_at != 0 && catalyst_only_rows_triggered(parent) &&
		pg_class_aclcheck(RelationGetRelid(parent), GetUserId(), ACL_INSERT) == ACLCHECK_OK &&
		made_default(parent, created_at, &created_at_default, &values[EVENT_CREATED_AT]))
	{
		TimestampTz at = DatumGetTimestampTz(values[EVENT_CREATED_AT]);

		leaf_id = catalyst_partition_for(parent, created_at, at);
		if (OidIsValid(leaf_id))
		{
			leaf = table_open(leaf_id, RowExclusiveLock);
			/* still the partition once locked (not detached meanwhile), and as made */
			if (catalyst_partition_for(parent, created_at, at) == leaf_id &&
				catalyst_row_insertable(leaf, EVENT_NCOLUMNS, event_columns, event_types,
										leaf_attnums) &&
				made_default(parent, log_id, &log_id_default, &values[EVENT_LOG_ID]))
			{
				nulls[EVENT_LOG_ID] = nulls[EVENT_CREATED_AT] = false;
				catalyst_insert_row(leaf, EVENT_NCOLUMNS, leaf_attnums, values, nulls);
				appended = true;
			}
			table_close(leaf, NoLock);
		}
	}
	table_close(parent, NoLock);
	return appended;
}

void
catalyst_audit_event(const CatalystAuditEvent *event)
{
	Oid			argtypes[EVENT_PARAMETERS];
	Datum		values[EVENT_NCOLUMNS];
	bool		isnull[EVENT_NCOLUMNS];
	char		nulls[EVENT_PARAMETERS];
	const char *texts[6] = {event->cycle_id, event->event_type, event->event_category,
	event->entity_type, event->entity_id, event->user_action};
	CatalystSavedUser saved;
	bool		appended;

	for (int i = 0; i < 6; i++)
	{
		values[i] = texts[i] ? CStringGetTextDatum(texts[i]) : (Datum) 0;
		isnull[i] = texts[i] == NULL;
	}
	values[6] = event->details ? JsonbPGetDatum(event->details) :
		DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	isnull[6] = false;
	/* the application name as the session set it; an empty one is unknown */
	isnull[7] = !(application_name && application_name[0]);
	values[7] = isnull[7] ? (Datum) 0 : CStringGetTextDatum(application_name);
	{
		LOCAL_FCINFO(client, 0);

		InitFunctionCallInfoData(*client, NULL, 0, InvalidOid, NULL, NULL);
		values[EVENT_IP_ADDRESS] = inet_client_addr(client);
		isnull[EVENT_IP_ADDRESS] = client->isnull;
	}
	isnull[EVENT_LOG_ID] = isnull[EVENT_CREATED_AT] = true;

	catalyst_become_owner(catalyst_relid("audit_log"), &saved);
	appended = append_directly(values, isnull);
	catalyst_restore_user(&saved);
	if (appended)
		return;
	for (int i = 0; i < EVENT_PARAMETERS; i++)
	{
		argtypes[i] = i < 6 ? VARCHAROID : event_types[i];
		nulls[i] = isnull[i] ? 'n' : ' ';
	}
	catalyst_exec_as_owner("audit_log", &insert_event_plan, insert_event_sql, EVENT_PARAMETERS,
						   argtypes, values, nulls, SPI_OK_INSERT);
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
