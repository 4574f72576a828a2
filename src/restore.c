/*
 * restore.c: how the extension recognises a restore (doc/backups.md).
 */
#include "postgres.h"

#include "restore.h"

#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/rls.h"

/*
 * Whether the rows being written come from a restore (doc/backups.md).  The signal is
 * session_replication_role = replica, which only a superuser may set and which the DBA gives the
 * restore's connections (PGOPTIONS='-c session_replication_role=replica'; pg_restore -j opens
 * several, and each reads PGOPTIONS).  In that state PostgreSQL fires neither the extension's
 * ordinary triggers nor foreign-key checks, so this is what a trigger enabled ALWAYS asks.  A
 * restore brings rows that already carry what the triggers would add (P&L, metrics, audit events).
 *
 * pg_dump's output always runs with row_security = off, which is on otherwise: a superuser session
 * in that state without the signal is a restore that would write every event and metric a second
 * time, and is refused before it writes anything.  row_security alone proves nothing (any role may
 * set it, and superuser() is true in a superuser's SECURITY DEFINER function), so it is never a
 * reason to skip a trigger.
 */
bool
catalyst_restoring(void)
{
	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
	{
		static bool logged = false;

		/* the audit trail cannot record it (it is the restore's target): the server log does */
		if (!logged)
			ereport(LOG,
					(errmsg("catalyst: session_replication_role is replica: this session's changes "
							"are taken for a restore and are not audited"),
					 errdetail("Session user \"%s\".", GetUserNameFromId(GetSessionUserId(),
																		 false))));
		logged = true;
		return true;
	}
	if (!row_security && superuser_arg(GetSessionUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a superuser session with row_security off is writing catalyst's audited "
						"tables"),
				 errdetail("pg_dump's output runs with row_security off; a restore without the "
						   "restore signal would audit and roll up every restored row a second "
						   "time."),
				 errhint("Restore with PGOPTIONS='-c session_replication_role=replica' "
						 "(doc/backups.md); outside a restore, SET row_security = on.")));
	return false;
}

/* SQL-callable functions */

/*
 * AFTER ... FOR EACH STATEMENT on the audited tables, enabled REPLICA (it fires only under
 * session_replication_role = replica): the row audit triggers do not fire at all then, so this is
 * where a session that switched auditing off that way is written to the server log
 * (catalyst_restoring() logs it once per session).
 */
PG_FUNCTION_INFO_V1(catalyst_restore_notice);
Datum
catalyst_restore_notice(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("restore_notice() must be fired AFTER ... FOR EACH STATEMENT")));
	(void) catalyst_restoring();
	return PointerGetDatum(NULL);
}
