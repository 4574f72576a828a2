/*
 * updated_at.c: the BEFORE UPDATE trigger that stamps updated_at (seed: update_updated_at_column()
 * in PL/pgSQL).  Modelled on contrib/spi/moddatetime.c, with the column name fixed.
 */
#include "postgres.h"

#include "columns.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(catalyst_update_updated_at);
Datum
catalyst_update_updated_at(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	tupdesc;
	int			attnum = 0;
	Datum		newval;
	bool		newnull = false;
	HeapTuple	newtuple;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("update_updated_at_column() must be called as a trigger")));
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("update_updated_at_column() must be fired BEFORE UPDATE FOR EACH ROW")));

	rel = trigdata->tg_relation;
	tupdesc = RelationGetDescr(rel);
	attnum = catalyst_optional_column(tupdesc, "updated_at", TIMESTAMPTZOID, &attnum);
	if (attnum == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table \"%s\" has no column \"updated_at\" of type timestamptz",
						RelationGetRelationName(rel)),
				 errhint("Attach update_updated_at_column() only to tables with an updated_at "
						 "timestamptz column.")));

	/* now(): the transaction's start time, as the seed's NEW.updated_at = NOW() */
	newval = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	newtuple = heap_modify_tuple_by_cols(trigdata->tg_newtuple, tupdesc, 1, &attnum, &newval,
										 &newnull);

	return PointerGetDatum(newtuple);
}
