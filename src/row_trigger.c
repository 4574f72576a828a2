/*
 * row_trigger.c: how the C row triggers check that they were called as they must be (a C trigger
 * function can be attached to any table and event by anyone who may create triggers).
 */
#include "postgres.h"

#include "row_trigger.h"

TriggerData *
catalyst_row_trigger(FunctionCallInfo fcinfo, const char *name, bool before, bool with_delete)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as a trigger", name)));
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		(before ? !TRIGGER_FIRED_BEFORE(trigdata->tg_event) :
		 !TRIGGER_FIRED_AFTER(trigdata->tg_event)) ||
		!(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ||
		  TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ||
		  (with_delete && TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be fired %s %s FOR EACH ROW", name,
						before ? "BEFORE" : "AFTER",
						with_delete ? "INSERT, UPDATE or DELETE" : "INSERT OR UPDATE")));
	return trigdata;
}
