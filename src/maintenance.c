/*
 * maintenance.c: what every maintenance entry point (create_monthly_partitions,
 * cleanup_old_data) does around its work, the way pg_partman's run_maintenance() does it:
 *
 *   - on a hot standby it does nothing (nothing there can be written; the primary's run
 *     reaches the standby through WAL);
 *   - it takes a transaction-level advisory lock, without waiting: a second run started while
 *     one is in progress returns at once and says so.  Both functions share one lock, so
 *     partition creation and retention never run at the same time either (both lock the
 *     partitioned tables and their DEFAULT partitions, in orders that could deadlock);
 *   - a completed run is recorded in catalyst.maintenance_runs, one row per job.
 *
 * A run that fails rolls back with everything it did, its record included: the error is in the
 * server log and, for a pg_cron job, in cron.job_run_details.
 */
#include "catalyst.h"

#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

static SPIPlanPtr record_run_plan = NULL;

bool
catalyst_maintenance_begin(const char *job, CatalystMaintenanceRun *run)
{
	const char *hint;

	run->job = job;
	run->started_at = GetCurrentTimestamp();
	run->run_by = GetUserNameFromId(GetUserId(), false);
	run->skip_reason = NULL;

	if (RecoveryInProgress())
	{
		run->skip_reason = "the server is a hot standby";
		hint = "Maintenance runs on the primary; its changes reach the standbys through replication.";
	}
	else if (!DatumGetBool(DirectFunctionCall1(pg_try_advisory_xact_lock_int8,
											   Int64GetDatum(CATALYST_MAINTENANCE_LOCK_KEY))))
	{
		run->skip_reason = "another catalyst maintenance run is in progress";
		hint = "That run holds the maintenance lock until its transaction ends; call again later if needed.";
	}
	else
		return true;

	ereport(NOTICE,
			(errmsg("catalyst.%s() did nothing: %s", job, run->skip_reason),
			 errhint("%s", hint)));
	return false;
}

void
catalyst_maintenance_record(const CatalystMaintenanceRun *run, Jsonb *summary)
{
	Oid			argtypes[4] = {TEXTOID, TIMESTAMPTZOID, NAMEOID, JSONBOID};
	Datum		values[4];

	values[0] = CStringGetTextDatum(run->job);
	values[1] = TimestampTzGetDatum(run->started_at);
	values[2] = DirectFunctionCall1(namein, CStringGetDatum(run->run_by));
	values[3] = JsonbPGetDatum(summary);

	catalyst_exec_as_owner("maintenance_runs", &record_run_plan,
						   "INSERT INTO catalyst.maintenance_runs AS r (job, started_at, finished_at, run_by, summary)"
						   " VALUES ($1, $2, pg_catalog.clock_timestamp(), $3, $4)"
						   " ON CONFLICT (job) DO UPDATE SET started_at = excluded.started_at,"
						   "     finished_at = excluded.finished_at, run_by = excluded.run_by,"
						   "     summary = excluded.summary",
						   4, argtypes, values, NULL, SPI_OK_INSERT);
}

/* {"outcome": "skipped", "reason": ...}: what a run that did nothing returns */
Jsonb *
catalyst_maintenance_skipped_summary(const CatalystMaintenanceRun *run)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"outcome\": \"skipped\", \"reason\": ");
	escape_json(&buf, run->skip_reason);
	appendStringInfoChar(&buf, '}');
	return catalyst_jsonb_from_text(buf.data);
}

/* A JSON array of the strings in `names`, appended to `buf`. */
void
catalyst_append_json_names(StringInfo buf, List *names)
{
	ListCell   *lc;

	appendStringInfoChar(buf, '[');
	foreach(lc, names)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(buf, ", ");
		escape_json(buf, (const char *) lfirst(lc));
	}
	appendStringInfoChar(buf, ']');
}

Jsonb *
catalyst_jsonb_from_text(const char *json)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}
