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
 *   - a completed run is recorded in catalyst.maintenance_runs, one row per job;
 *   - it keeps out of trading's way (maintenance.h): no lock wait longer than
 *     catalyst.maintenance_lock_timeout, the strong locks of DDL taken only when they are free
 *     (never queued for, so that no trader queues behind a request of ours), and each part of
 *     the run in its own subtransaction: a part that cannot get its locks in time, or fails, is
 *     rolled back alone, named in the summary, and tried again by the next run.
 *
 * A run that fails as a whole (a cancel, an error outside every part) rolls back with everything
 * it did, its record included: the error is in the server log and, for a pg_cron job, in
 * cron.job_run_details.
 */
#include "postgres.h"

#include "maintenance.h"
#include "run_as_owner.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

/* how often catalyst_maintenance_lock_when_free() tries again, in ms */
#define LOCK_RETRY_INTERVAL_MS 10

int			catalyst_maintenance_lock_timeout = 1000;

static SPIPlanPtr record_run_plan = NULL;

void
catalyst_maintenance_define_settings(void)
{
	DefineCustomIntVariable("catalyst.maintenance_lock_timeout",
							"The longest a maintenance run waits for one lock before it leaves "
							"that part for the next run.",
							"create_monthly_partitions() and cleanup_old_data() never wait longer "
							"for a lock; the exclusive locks of DETACH and ATTACH are only taken "
							"when free.",
							&catalyst_maintenance_lock_timeout, 1000, 1, 600000,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
}

int
catalyst_maintenance_limit_lock_waits(void)
{
	int			nest_level = NewGUCNestLevel();
	int			timeout = catalyst_maintenance_lock_timeout;
	char		value[32];

	/* a shorter lock_timeout of the session or the job stays in force */
	if (LockTimeout > 0 && LockTimeout < timeout)
		timeout = LockTimeout;
	snprintf(value, sizeof(value), "%d", timeout);
	(void) set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nest_level;
}

void
catalyst_maintenance_end_lock_limit(int nest_level)
{
	AtEOXact_GUC(true, nest_level);
}

bool
catalyst_maintenance_lock_when_free(int n, const Oid *relids, const LOCKMODE *modes)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   catalyst_maintenance_lock_timeout);

	for (;;)
	{
		int			got = 0;

		while (got < n && ConditionalLockRelationOid(relids[got], modes[got]))
			got++;
		if (got == n)
			return true;
		/* all or nothing: a half-taken set would make others wait for the rest of our tries */
		while (got-- > 0)
			UnlockRelationOid(relids[got], modes[got]);
		if (GetCurrentTimestamp() >= deadline)
			return false;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 LOCK_RETRY_INTERVAL_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

char *
catalyst_maintenance_try(CatalystMaintenanceStep step, void *arg, bool *lock_timeout)
{
	MemoryContext caller_context = CurrentMemoryContext;
	ResourceOwner caller_owner = CurrentResourceOwner;
	char	   *volatile error = NULL;

	*lock_timeout = false;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller_context);
	PG_TRY();
	{
		step(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_context);
		CurrentResourceOwner = caller_owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		StringInfoData buf;

		MemoryContextSwitchTo(caller_context);
		edata = CopyErrorData();
		/* a cancel (or statement_timeout) ends the run as a whole */
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			PG_RE_THROW();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_context);
		CurrentResourceOwner = caller_owner;

		*lock_timeout = edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
		initStringInfo(&buf);
		appendStringInfoString(&buf, "{\"sqlstate\": ");
		escape_json(&buf, unpack_sql_state(edata->sqlerrcode));
		appendStringInfoString(&buf, ", \"message\": ");
		escape_json(&buf, edata->message ? edata->message : "");
		appendStringInfoChar(&buf, '}');
		error = buf.data;
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return error;
}

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
		hint = "Maintenance runs on the primary; its changes reach the standbys through "
			   "replication.";
	}
	else if (!DatumGetBool(DirectFunctionCall1(pg_try_advisory_xact_lock_int8,
											   Int64GetDatum(CATALYST_MAINTENANCE_LOCK_KEY))))
	{
		run->skip_reason = "another catalyst maintenance run is in progress";
		hint = "That run holds the maintenance lock until its transaction ends; call again later "
			   "if needed.";
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
						   "INSERT INTO catalyst.maintenance_runs AS r"
						   " (job, started_at, finished_at, run_by, summary)"
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
