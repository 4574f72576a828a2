/*
 * audit_log.h: appending to catalyst.audit_log, and keeping it append-only (audit_log.c).
 */
#ifndef CATALYST_AUDIT_LOG_H
#define CATALYST_AUDIT_LOG_H

#include "postgres.h"

#include "utils/jsonb.h"

/* One event appended to catalyst.audit_log (NULL fields stay NULL) */
typedef struct CatalystAuditEvent
{
	const char *cycle_id;
	const char *event_type;
	const char *event_category;
	const char *entity_type;
	const char *entity_id;
	const char *user_action;
	Jsonb	   *details;		/* NULL: '{}' */
} CatalystAuditEvent;

/* Append one event to audit_log, as the table's owner. */
extern void catalyst_audit_event(const CatalystAuditEvent *event);

/*
 * Run one statement of the maintenance code that may delete rows of audit_log (moving them out of
 * the DEFAULT partition into a new monthly one): the append-only trigger lets its DELETEs
 * through.  As catalyst_spi_exec_args().
 */
extern uint64 catalyst_spi_exec_maintenance(const char *query, int nargs, Oid *argtypes,
											Datum *values, const char *nulls, int expected,
											long count);

/* Protect a new partition of audit_log against TRUNCATE (as its owner). */
extern void catalyst_audit_log_protect_partition(const char *qualified_partition);

/*
 * A month of audit_log that retention detaches and keeps becomes the DBA's table: it loses the
 * TRUNCATE guard and log_id's default.
 */
extern void catalyst_audit_log_release_partition(const char *qualified_partition);

#endif							/* CATALYST_AUDIT_LOG_H */
