/*
 * maintenance.h: how the maintenance functions (create_monthly_partitions, cleanup_old_data)
 * keep out of trading's way: bounded lock waits, strong locks taken only when free, and each
 * part of a run in its own subtransaction so that one failing part does not undo the others.
 * Around every run: nothing on a hot standby, one run at a time, the last run recorded in
 * maintenance_runs.
 */
#ifndef CATALYST_MAINTENANCE_H
#define CATALYST_MAINTENANCE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "storage/lockdefs.h"
#include "utils/jsonb.h"

/* catalyst.maintenance_lock_timeout: the longest a maintenance run waits for one lock, in ms */
extern int	catalyst_maintenance_lock_timeout;

/* Define catalyst.maintenance_lock_timeout (at library load, _PG_init()). */
extern void catalyst_maintenance_define_settings(void);

/*
 * Bound every lock wait of the statements that follow by catalyst.maintenance_lock_timeout
 * (PostgreSQL's lock_timeout, set for the run only); returns the GUC nest level to pass to
 * catalyst_maintenance_end_lock_limit() at the end of the run.
 */
extern int	catalyst_maintenance_limit_lock_waits(void);
extern void catalyst_maintenance_end_lock_limit(int nest_level);

/*
 * Lock the `n` relations in the given modes, without ever queueing for them: each attempt takes
 * them all at once or none, and attempts repeat every few milliseconds until
 * catalyst.maintenance_lock_timeout has passed.  Sessions that need the relations never wait
 * behind a request of ours.  Returns false when the locks could not be had in time.
 */
extern bool catalyst_maintenance_lock_when_free(int n, const Oid *relids, const LOCKMODE *modes);

/*
 * Run step(arg) in a subtransaction.  Returns NULL when it succeeded; when it raised an error,
 * the subtransaction (and everything the step did) is rolled back and the error is returned as
 * {"sqlstate": ..., "message": ...} JSON, for the run's summary.  A cancel is not caught.
 */
typedef void (*CatalystMaintenanceStep) (void *arg);
extern char *catalyst_maintenance_try(CatalystMaintenanceStep step, void *arg, bool *lock_timeout);

/*
 * The advisory lock of a maintenance run: its key is the eight bytes of "catalyst"
 * (7161132844276347764), so a DBA can find it in pg_locks or hold it:
 * SELECT pg_advisory_xact_lock(7161132844276347764).
 */
#define CATALYST_MAINTENANCE_LOCK_KEY INT64CONST(0x636174616c797374)

/* One run of a maintenance job (create_monthly_partitions, cleanup_old_data) */
typedef struct CatalystMaintenanceRun
{
	const char *job;			/* the SQL function's name */
	TimestampTz started_at;
	const char *run_by;			/* the calling role */
	const char *skip_reason;	/* set when catalyst_maintenance_begin() returns false */
} CatalystMaintenanceRun;

/*
 * Start a run of `job`: false, with a NOTICE and run->skip_reason, on a hot standby or while
 * another run holds the maintenance lock; true with the lock held to the end of the transaction.
 */
extern bool catalyst_maintenance_begin(const char *job, CatalystMaintenanceRun *run);

/* Record a run and its summary as the job's row of maintenance_runs. */
extern void catalyst_maintenance_record(const CatalystMaintenanceRun *run, Jsonb *summary);

/* {"outcome": "skipped", "reason": ...}: what a run that did nothing returns */
extern Jsonb *catalyst_maintenance_skipped_summary(const CatalystMaintenanceRun *run);

/* A JSON array of the strings in `names`, appended to `buf`. */
extern void catalyst_append_json_names(StringInfo buf, List *names);

/* The jsonb value of a JSON text. */
extern Jsonb *catalyst_jsonb_from_text(const char *json);

#endif							/* CATALYST_MAINTENANCE_H */
