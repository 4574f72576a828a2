/*
 * risk.c: reading the rows the risk score is computed from (the scoring itself: risk_score.c),
 * and the SQL-callable risk functions.
 *
 * The ways in:
 *   catalyst_position_risk(position_id)   reads the row through positions_pkey, keeping the
 *       index scan from one call to the next (see "Reading a position by id");
 *   position_risk_score(unrealized_pnl, opened_at, closed_at, stop_loss, entry_price)
 *       scores the columns it is given.  The row form catalyst_position_risk(p positions) is a
 *       SQL function over it that the planner inlines: p.unrealized_pnl and the rest become the
 *       scan's own columns, and the whole row is never built (README, "Risk scoring");
 *   refresh_position_risk(cycle_id)       one UPDATE writing risk_score of the open positions.
 */
#include "postgres.h"

#include "catalyst.h"
#include "columns.h"
#include "risk_score.h"
#include "run_as_owner.h"
#include "spi_util.h"

#include <math.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

/* The order of position_risk_score()'s arguments, and of the SPI query's columns */
static const RiskColumns argument_columns = {1, 2, 3, 4, 5, 5};

static void
risk_columns_of(TupleDesc desc, RiskColumns *cols)
{
	static int	attnums[5];

	cols->unrealized_pnl = catalyst_column(desc, "unrealized_pnl", NUMERICOID, &attnums[0]);
	cols->opened_at = catalyst_column(desc, "opened_at", TIMESTAMPTZOID, &attnums[1]);
	cols->closed_at = catalyst_column(desc, "closed_at", TIMESTAMPTZOID, &attnums[2]);
	cols->stop_loss = catalyst_column(desc, "stop_loss", NUMERICOID, &attnums[3]);
	cols->entry_price = catalyst_column(desc, "entry_price", NUMERICOID, &attnums[4]);
	cols->last = Max(Max(Max(cols->unrealized_pnl, cols->opened_at), Max(cols->closed_at,
																		 cols->stop_loss)),
					 cols->entry_price);
}

/* ------------------------------------------------------------------------------------------
 * Cache invalidation
 *
 * The OIDs of positions and positions_pkey are cached, and so is, per calling expression, an
 * index scan with the access check it relies on.  risk_epoch advances whenever any may be
 * stale: a relcache invalidation of positions or its key (DDL, GRANT/REVOKE, ALTER ... ROW LEVEL
 * SECURITY, VACUUM's statistics), the end of a transaction (a privilege check stands for one
 * transaction) and the abort of a subtransaction (whose locks are gone).
 * ------------------------------------------------------------------------------------------
 */
static Oid	positions_relid = InvalidOid;
static Oid	positions_pkey = InvalidOid;
static uint64 risk_epoch = 1;

static void
risk_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == positions_relid || relid == positions_pkey)
	{
		positions_relid = InvalidOid;
		positions_pkey = InvalidOid;
		risk_epoch++;
	}
}

static void
risk_xact_callback(XactEvent event, void *arg)
{
	if (event != XACT_EVENT_PRE_COMMIT && event != XACT_EVENT_PARALLEL_PRE_COMMIT &&
		event != XACT_EVENT_PRE_PREPARE)
		risk_epoch++;
}

static void
risk_subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid,
					  void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		risk_epoch++;
}

static void
risk_register_callbacks(void)
{
	static bool registered = false;

	if (registered)
		return;
	CacheRegisterRelcacheCallback(risk_relcache_callback, (Datum) 0);
	RegisterXactCallback(risk_xact_callback, NULL);
	RegisterSubXactCallback(risk_subxact_callback, NULL);
	registered = true;
}

static void
resolve_positions(void)
{
	Oid			relid = catalyst_relid("positions");
	Relation	rel = table_open(relid, AccessShareLock);
	Oid			pkey = RelationGetPrimaryKeyIndex(rel);

	table_close(rel, NoLock);
	if (!OidIsValid(pkey))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("catalyst.positions has no primary key"),
				 errhint("The extension's install script creates positions_pkey on position_id.")));
	/* set last: opening the table may have run the callback above */
	positions_relid = relid;
	positions_pkey = pkey;
}

/* ------------------------------------------------------------------------------------------
 * Reading a position by id
 *
 * Straight through positions_pkey, as a nested loop's inner index scan does: the scan is begun
 * once per calling expression (fn_extra) and rescanned for each id.  Between calls it holds no
 * resource at all, only memory: no buffer pin (released before each call returns), no relcache
 * reference (a call holds its own while it runs, and the one index_beginscan takes is given back
 * at once), no tuple descriptor pin (the slot has a private copy).  So nothing is left to
 * clean up when the query ends, errors out, or its expression outlives it (a PL/pgSQL simple
 * expression lives for the transaction); the memory goes with fn_mcxt.  A scan is rebuilt, not
 * trusted, when risk_epoch has moved, when the relations opened are not the ones it was built on,
 * or when the call that last used it did not finish (an error in the middle of it).
 *
 * A direct read would bypass privileges and row-level security.  So it is taken only when the
 * current user has SELECT on positions and row-level security does not apply to the user;
 * otherwise the row is read through SPI, with the user's privileges and policies.
 * ------------------------------------------------------------------------------------------
 */
typedef struct PositionProbe
{
	uint64		epoch;			/* risk_epoch when access and scan were set up */
	Oid			userid;			/* whose access was checked */
	bool		direct;			/* read through the index (else through SPI) */
	bool		busy;			/* a call is using the scan; still set if it failed */
	MemoryContext cxt;			/* the scan's memory */
	Relation	heap;			/* the relations the scan was built on: compared, */
	Relation	index;			/* never used after their call returned */
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData key;
	RiskColumns cols;
} PositionProbe;

static PositionProbe *
position_probe(FmgrInfo *flinfo)
{
	PositionProbe *probe = (PositionProbe *) flinfo->fn_extra;

	if (probe == NULL)
	{
		probe = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(PositionProbe));
		probe->cxt = AllocSetContextCreate(flinfo->fn_mcxt, "catalyst position probe",
										   ALLOCSET_DEFAULT_SIZES);
		flinfo->fn_extra = probe;
	}
	return probe;
}

/* Its access check (and scan) are from before an invalidation, or for another user */
static bool
probe_stale(const PositionProbe *probe)
{
	return probe->epoch != risk_epoch || probe->userid != GetUserId();
}

static bool
direct_read_allowed(Oid relid)
{
	/* without table-wide SELECT (column privileges, say), SPI's query decides */
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return false;
	return check_enable_rls(relid, InvalidOid, false) != RLS_ENABLED;
}

static void
check_primary_key(Relation heap, Relation index, AttrNumber position_id)
{
	if (index->rd_rel->relam != BTREE_AM_OID ||
		IndexRelationGetNumberOfKeyAttributes(index) != 1 ||
		index->rd_index->indkey.values[0] != position_id ||
		TupleDescAttr(RelationGetDescr(index), 0)->atttypid != INT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the primary key of catalyst.positions is not a btree index on position_id "
						"alone"),
				 errhint("The extension's install script creates positions_pkey on position_id.")));
}

static void
probe_build(PositionProbe *probe, Relation heap, Relation index)
{
	static int	position_id_attnum = 0;
	MemoryContext old;

	/* whatever an earlier scan left holds no resource: its memory is all there is */
	probe->scan = NULL;
	MemoryContextReset(probe->cxt);

	risk_columns_of(RelationGetDescr(heap), &probe->cols);
	check_primary_key(heap, index,
					  catalyst_column(RelationGetDescr(heap), "position_id", INT4OID,
									  &position_id_attnum));

	old = MemoryContextSwitchTo(probe->cxt);
	probe->slot = MakeSingleTupleTableSlot(CreateTupleDescCopyConstr(RelationGetDescr(heap)),
										   table_slot_callbacks(heap));
	probe->scan = index_beginscan(heap, index, GetActiveSnapshot(), 1, 0);
	/* the scan outlives this call; the relcache reference it took may not (see above) */
	RelationDecrementReferenceCount(index);
	ScanKeyInit(&probe->key, 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(0));
	MemoryContextSwitchTo(old);
	probe->heap = heap;
	probe->index = index;
}

/*
 * Reads position_id's columns through the index into the probe's slot and scores them; false if
 * there is no such row.
 */
static bool
score_direct(PositionProbe *probe, const RiskConstants *k, Oid relid, Oid pkey, int32 position_id,
			 Datum *score)
{
	Relation	heap;
	Relation	index;
	TupleTableSlot *slot;
	MemoryContext old;
	bool		found;
#ifdef RELCACHE_FORCE_RELEASE
	/* a debugging build that frees a relcache entry as soon as nobody references it */
	bool		reuse = false;
#else
	bool		reuse = probe->scan != NULL && !probe->busy;
#endif

	if (reuse)
	{
		/*
		 * The scan's relations.  They are still locked: the scan was built in this transaction,
		 * under locks held to its end, and a scan is dropped whenever risk_epoch moves, at every
		 * transaction end and subtransaction abort.  And their relcache entries are still where
		 * they were: unreferenced, an entry is freed or rebuilt only by an invalidation, which
		 * moves risk_epoch too.  References are held while the call uses them.
		 */
		heap = probe->heap;
		index = probe->index;
		RelationIncrementReferenceCount(heap);
		RelationIncrementReferenceCount(index);
	}
	else
	{
		heap = table_open(relid, AccessShareLock);
		index = index_open(pkey, AccessShareLock);
		if (probe->scan == NULL || probe->busy || probe->heap != heap || probe->index != index)
			probe_build(probe, heap, index);
	}
	slot = probe->slot;

	if (!ActiveSnapshotSet())
		elog(ERROR, "catalyst_position_risk() called without an active snapshot");
	probe->busy = true;
	/* the index AM allocates in the current context and keeps what it allocates for the scan */
	old = MemoryContextSwitchTo(probe->cxt);
	/* the caller's snapshot, as a STABLE function's reads see */
	probe->scan->xs_snapshot = GetActiveSnapshot();
	probe->key.sk_argument = Int32GetDatum(position_id);
	index_rescan(probe->scan, &probe->key, 1, NULL, 0);
	found = index_getnext_slot(probe->scan, ForwardScanDirection, slot);
	MemoryContextSwitchTo(old);

	if (found)
	{
		slot_getsomeattrs(slot, probe->cols.last);
		*score = catalyst_risk_score(k, &probe->cols, slot->tts_values, slot->tts_isnull);
	}

	/* leave no buffer pinned: the slot's, the heap fetch's and the index page's */
	ExecClearTuple(slot);
	old = MemoryContextSwitchTo(probe->cxt);
	index_rescan(probe->scan, &probe->key, 1, NULL, 0);
	MemoryContextSwitchTo(old);
	probe->busy = false;

	/* the locks stay, as a query's do, to the end of the transaction */
	RelationClose(index);
	RelationClose(heap);
	return found;
}

/* The same read through SPI, where row-level security or column privileges apply. */
static bool
score_via_spi(const RiskConstants *k, int32 position_id, Datum *score)
{
	static SPIPlanPtr plan = NULL;
	Datum		arg = Int32GetDatum(position_id);
	bool		found;

	catalyst_spi_connect();
	if (plan == NULL)
	{
		Oid			argtype = INT4OID;

		plan = catalyst_keep_plan("SELECT unrealized_pnl, opened_at, closed_at, stop_loss,"
								  " entry_price"
								  " FROM " CATALYST_SCHEMA ".positions"
								  " WHERE position_id OPERATOR(pg_catalog.=) $1",
								  1, &argtype);
	}
	found = catalyst_spi_query_plan(plan, &arg, NULL, 1) == 1;
	if (found)
	{
		Datum		values[5];
		bool		isnull[5];

		for (int i = 0; i < 5; i++)
			values[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1,
									  &isnull[i]);
		*score = catalyst_risk_score(k, &argument_columns, values, isnull);
	}
	catalyst_spi_finish();
	return found;
}

/* The score of position position_id, for the by-id functions below */
static Datum
position_risk_by_id(FunctionCallInfo fcinfo, int32 position_id)
{
	const RiskConstants *k = catalyst_risk_constants();
	PositionProbe *probe = position_probe(fcinfo->flinfo);
	Datum		score = (Datum) 0;
	bool		found;
	Oid			relid;
	Oid			pkey;

	risk_register_callbacks();
	if (!OidIsValid(positions_relid))
		resolve_positions();
	if (probe_stale(probe))
	{
		/*
		 * Lock before checking access: taking the lock processes pending invalidations, so the
		 * check sees the privileges and policies of now, as a query's would.
		 */
		LockRelationOid(positions_relid, AccessShareLock);
		if (!OidIsValid(positions_relid))
			resolve_positions();
	}
	/* copies: invalidations met from here on reset the cache, not these */
	relid = positions_relid;
	pkey = positions_pkey;
	if (probe_stale(probe))
	{
		/* the epoch before the check: an invalidation the check itself meets forces another */
		uint64		epoch = risk_epoch;

		probe->direct = direct_read_allowed(relid);
		probe->userid = GetUserId();
		probe->scan = NULL;
		probe->epoch = epoch;
	}
	if (probe->direct)
		found = score_direct(probe, k, relid, pkey, position_id, &score);
	else
		found = score_via_spi(k, position_id, &score);
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("position %d does not exist", position_id)));
	return datumCopy(score, false, -1);
}

/* SQL-callable functions */

/* catalyst_position_risk(position_id integer), and the seed's calculate_position_risk(integer) */
PG_FUNCTION_INFO_V1(catalyst_position_risk_by_id);
Datum
catalyst_position_risk_by_id(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(position_risk_by_id(fcinfo, PG_GETARG_INT32(0)));
}

/*
 * catalyst_position_risk(position_id text), since 4.2: the id as text.  A parameter whose type the
 * client leaves open (node-postgres, asyncpg, pgbench -M prepared) matches both the integer and
 * the positions-row overloads, which PostgreSQL cannot choose between; given a text overload, it
 * takes that one (an untyped value "looks like a string"), and the id is read here as int4in
 * reads it.
 */
PG_FUNCTION_INFO_V1(catalyst_position_risk_by_text);
Datum
catalyst_position_risk_by_text(PG_FUNCTION_ARGS)
{
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_DATUM(position_risk_by_id(fcinfo, pg_strtoint32(id)));
}

/*
 * position_risk_score(unrealized_pnl, opened_at, closed_at, stop_loss, entry_price), the body of
 * the row form.  That one cannot be STRICT and still be inlined, so NULL in, NULL out is decided
 * here: opened_at and entry_price are NOT NULL in positions, so without both there is no position
 * (the NULL row); any other NULL counts as in the seed.
 */
PG_FUNCTION_INFO_V1(catalyst_position_risk_of_columns);
Datum
catalyst_position_risk_of_columns(PG_FUNCTION_ARGS)
{
	const RiskConstants *k = catalyst_risk_constants();
	Datum		values[5];
	bool		isnull[5];

	for (int i = 0; i < 5; i++)
	{
		values[i] = PG_GETARG_DATUM(i);
		isnull[i] = PG_ARGISNULL(i);
	}
	if (isnull[argument_columns.opened_at - 1] && isnull[argument_columns.entry_price - 1])
		PG_RETURN_NULL();
	PG_RETURN_DATUM(datumCopy(catalyst_risk_score(k, &argument_columns, values, isnull),
							  false, -1));
}

/*
 * The catalyst.risk_* settings the scores are written with: their values without any SET made in
 * this session (the server's configuration, ALTER DATABASE ... SET, ALTER ROLE ... SET, the
 * connection's options), for the rest of the calling function, as a SET clause of a function
 * would.  The scores refresh_position_risk() writes are read by everyone; a session trying other
 * thresholds (a superuser's, the only one who may) must not write its scores for everyone.
 */
static const char *const risk_setting_names[] = {
	"catalyst.risk_loss_high", "catalyst.risk_loss_high_weight",
	"catalyst.risk_loss", "catalyst.risk_loss_weight",
	"catalyst.risk_hold_hours", "catalyst.risk_hold_weight",
	"catalyst.risk_stop_distance", "catalyst.risk_stop_distance_weight",
	"catalyst.risk_no_stop_weight",
};

static void
use_database_wide_settings(void)
{
	struct config_generic **guc = get_guc_variables();
	int			nguc = GetNumConfigOptions();

	for (size_t i = 0; i < lengthof(risk_setting_names); i++)
	{
		const struct config_real *setting = NULL;
		char		value[64];

		for (int j = 0; j < nguc && setting == NULL; j++)
			if (guc[j]->vartype == PGC_REAL && strcmp(guc[j]->name, risk_setting_names[i]) == 0)
				setting = (const struct config_real *) guc[j];
		if (setting == NULL)
			elog(ERROR, "setting %s is not defined", risk_setting_names[i]);
		/* the exact double: the reset value is read from the setting, not from its %g display */
		snprintf(value, sizeof(value), "%.17g", setting->reset_val);
		(void) set_config_option(risk_setting_names[i], value, PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
}

/*
 * refresh_position_risk(cycle_id varchar DEFAULT NULL): one UPDATE setting risk_score of every
 * open position (of one cycle) whose score has changed; returns how many it updated.  Runs as the
 * owner of positions, like the extension's other writes to its own tables, with the settings'
 * database-wide values (use_database_wide_settings()).
 *
 * It never waits for a row lock: it locks the rows to update with SKIP LOCKED and updates only
 * those, so a row a trader's transaction holds is left for the next run, and the refresh cannot
 * deadlock with a trader's multi-row update (it would otherwise lock some of the trader's rows
 * and wait for the others, while the trader waits for those it holds).
 */
PG_FUNCTION_INFO_V1(catalyst_refresh_position_risk);
Datum
catalyst_refresh_position_risk(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr all_plan = NULL;
	static SPIPlanPtr cycle_plan = NULL;
#define CHANGED_OPEN_POSITIONS \
	"SELECT q.position_id FROM " CATALYST_SCHEMA ".positions q" \
	" WHERE q.status OPERATOR(pg_catalog.=) 'open'" \
	" AND (q.risk_score IS NULL" \
	" OR q.risk_score OPERATOR(pg_catalog.<>) " CATALYST_SCHEMA ".catalyst_position_risk(q))"
#define REFRESH_SQL(cycle_condition) \
	"UPDATE " CATALYST_SCHEMA ".positions p" \
	" SET risk_score = " CATALYST_SCHEMA ".catalyst_position_risk(p)" \
	" FROM (" CHANGED_OPEN_POSITIONS cycle_condition " FOR NO KEY UPDATE OF q SKIP LOCKED) todo" \
	" WHERE p.position_id OPERATOR(pg_catalog.=) todo.position_id"
	CatalystSavedUser saved;
	uint64		updated;
	int			nestlevel = NewGUCNestLevel();

	use_database_wide_settings();
	catalyst_become_owner(catalyst_relid("positions"), &saved);
	catalyst_spi_connect();
	if (PG_ARGISNULL(0))
	{
		if (all_plan == NULL)
			all_plan = catalyst_keep_plan(REFRESH_SQL(""), 0, NULL);
		updated = catalyst_spi_exec_plan(all_plan, NULL, NULL, SPI_OK_UPDATE, 0);
	}
	else
	{
		Datum		cycle_id = PG_GETARG_DATUM(0);

		if (cycle_plan == NULL)
		{
			Oid			argtype = VARCHAROID;

			cycle_plan =
				catalyst_keep_plan(REFRESH_SQL(" AND q.cycle_id OPERATOR(pg_catalog.=) $1"),
								   1, &argtype);
		}
		updated = catalyst_spi_exec_plan(cycle_plan, &cycle_id, NULL, SPI_OK_UPDATE, 0);
	}
#undef REFRESH_SQL
#undef CHANGED_OPEN_POSITIONS
	catalyst_spi_finish();
	catalyst_restore_user(&saved);
	AtEOXact_GUC(true, nestlevel);
	PG_RETURN_INT32((int32) updated);
}
