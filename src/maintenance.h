/*
 * maintenance.h: how the maintenance functions (create_monthly_partitions, cleanup_old_data)
 * keep out of trading's way: bounded lock waits, strong locks taken only when free, and each
 * part of a run in its own subtransaction so that one failing part does not undo the others.
 * (The rest of maintenance.c, older, is declared in catalyst.h.)
 */
#ifndef CATALYST_MAINTENANCE_H
#define CATALYST_MAINTENANCE_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "storage/lockdefs.h"

/* catalyst.maintenance_lock_timeout: the longest a maintenance run waits for one lock, in ms */
extern int	catalyst_maintenance_lock_timeout;

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

#endif							/* CATALYST_MAINTENANCE_H */
