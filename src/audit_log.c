/*
 * audit_log.c: append one event to catalyst.audit_log.
 *
 * Every writer of the audit trail (the position-close trigger, the row audit trigger, the
 * maintenance functions) goes through catalyst_audit_event(), so an event always carries the
 * client's address and application name, and is written as the owner of audit_log: the role that
 * caused the event needs no privilege on the audit trail.
 */
#include "catalyst.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

static SPIPlanPtr insert_event_plan = NULL;

void
catalyst_audit_event(const CatalystAuditEvent *event)
{
	Oid			argtypes[7] = {VARCHAROID, VARCHAROID, VARCHAROID, VARCHAROID, VARCHAROID, VARCHAROID, JSONBOID};
	Datum		values[7];
	char		nulls[7];
	const char *texts[6] = {event->cycle_id, event->event_type, event->event_category,
	event->entity_type, event->entity_id, event->user_action};
	CatalystSavedUser saved;

	for (int i = 0; i < 6; i++)
	{
		values[i] = texts[i] ? CStringGetTextDatum(texts[i]) : (Datum) 0;
		nulls[i] = texts[i] ? ' ' : 'n';
	}
	values[6] = event->details ? JsonbPGetDatum(event->details) : (Datum) 0;
	nulls[6] = event->details ? ' ' : 'n';

	catalyst_spi_connect();
	if (insert_event_plan == NULL)
		insert_event_plan = catalyst_keep_plan(
			"INSERT INTO catalyst.audit_log (cycle_id, event_type, event_category, entity_type,"
			"       entity_id, user_action, details, ip_address, user_agent)"
			" VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, '{}'::pg_catalog.jsonb),"
			"         pg_catalog.inet_client_addr(),"
			"         NULLIF(pg_catalog.current_setting('application_name'), ''))",
			7, argtypes);
	catalyst_become_owner(catalyst_relid("audit_log"), &saved);
	catalyst_spi_exec_plan(insert_event_plan, values, nulls, SPI_OK_INSERT, 0);
	catalyst_restore_user(&saved);
	catalyst_spi_finish();
}
