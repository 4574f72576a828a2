/*
 * position_ids.c: a position may not take the id of an archived position.
 *
 * positions_archive is keyed by position_id and the metrics count archived trades with the
 * others, so an id used twice would make the retention's archive step fail on the archive's key
 * for ever after and make the roll-up count one trade for two.  Ids from the sequence never
 * collide; this refuses an explicit one (or a change to one) that does, with the archive's own
 * SQLSTATE.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/rel.h"

#include "columns.h"
#include "restore.h"
#include "run_as_owner.h"

PG_FUNCTION_INFO_V1(catalyst_position_id_not_archived);
Datum
catalyst_position_id_not_archived(PG_FUNCTION_ARGS)
{
	static int	attnum = 0;
	static SPIPlanPtr archived_plan = NULL;
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	row;
	Oid			argtype = INT4OID;
	Datum		id;
	bool		isnull;
	uint64		found;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("position_id_not_archived() must be fired BEFORE INSERT OR UPDATE "
						"FOR EACH ROW")));
	row = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	id = heap_getattr(row, catalyst_column(RelationGetDescr(trigdata->tg_relation), "position_id",
										   INT4OID, &attnum),
					  RelationGetDescr(trigdata->tg_relation), &isnull);
	if (isnull || catalyst_restoring())
		return PointerGetDatum(row);

	found = catalyst_exec_as_owner("positions_archive", &archived_plan,
								   "SELECT FROM catalyst.positions_archive a"
								   " WHERE a.position_id OPERATOR(pg_catalog.=) $1",
								   1, &argtype, &id, NULL, SPI_OK_SELECT);
	if (found > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("position_id %d belongs to an archived position", DatumGetInt32(id)),
				 errdetail("catalyst.positions_archive holds a position with that id; ids are "
						   "unique across both tables."),
				 errhint("Leave position_id to its default (the sequence).")));
	return PointerGetDatum(row);
}
