/*
 * append_only.c: the guard triggers of append-only tables.
 *
 * ledger_append_only() keeps the ledger's tables (fills, order_events, stop_changes)
 * append-only: a BEFORE UPDATE OR DELETE row trigger and a BEFORE TRUNCATE statement trigger that
 * refuse the change, whoever asks.  A fill is a fact reported by the broker and an event a fact of
 * the order's history: a correction is a new row, never an edit.  audit_log's guard (audit_log.c)
 * checks its calls the same way.
 */
#include "postgres.h"

#include "append_only.h"

#include "commands/trigger.h"
#include "utils/rel.h"

const char *
catalyst_append_only_operation(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent ev;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as a trigger", name)));
	ev = trigdata->tg_event;
	if (!TRIGGER_FIRED_BEFORE(ev) ||
		!(TRIGGER_FIRED_FOR_ROW(ev) ? (TRIGGER_FIRED_BY_UPDATE(ev) || TRIGGER_FIRED_BY_DELETE(ev))
		  : TRIGGER_FIRED_BY_TRUNCATE(ev)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be fired BEFORE UPDATE OR DELETE FOR EACH ROW "
						"or BEFORE TRUNCATE FOR EACH STATEMENT", name)));
	return TRIGGER_FIRED_BY_UPDATE(ev) ? "UPDATE" :
		TRIGGER_FIRED_BY_DELETE(ev) ? "DELETE" : "TRUNCATE";
}

/* SQL-callable functions */

PG_FUNCTION_INFO_V1(catalyst_ledger_append_only);
Datum
catalyst_ledger_append_only(PG_FUNCTION_ARGS)
{
	const char *operation = catalyst_append_only_operation(fcinfo, "ledger_append_only");
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("%s is append-only: %s is refused",
					RelationGetRelationName(trigdata->tg_relation),
					operation),
			 errdetail("Its rows record what happened to an order or a position; no role may "
					   "change or remove them."),
			 errhint("Record what happened since as a new row (a new fill, a new stop).")));
	pg_unreachable();
}
