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
#include "risk_policy.h"
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
#include "utils/syscache.h"
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
 * The OIDs of positions, trading_cycles and their primary keys are cached, and so is, per calling
 * expression, the way the user may read positions (risk_policy.c) with the index scans it uses.
 * risk_epoch advances whenever any may be stale: a relcache invalidation of one of the four
 * (DDL, GRANT/REVOKE, CREATE/ALTER/DROP POLICY, ALTER ... ROW LEVEL SECURITY, VACUUM's
 * statistics), a change of role membership or of a role's attributes (BYPASSRLS), the end of a
 * transaction (a privilege check stands for one transaction) and the abort of a subtransaction
 * (whose locks are gone).  A probe is also stale for another user, security context or
 * row_security setting than it was checked for.
 * ------------------------------------------------------------------------------------------
 */
typedef struct RiskRelations
{
	Oid			positions;
	Oid			positions_pkey;
	Oid			cycles;
	Oid			cycles_pkey;
} RiskRelations;

static RiskRelations relations; /* all InvalidOid until resolved */
static uint64 risk_epoch = 1;

static void
risk_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == relations.positions ||
		relid == relations.positions_pkey || relid == relations.cycles ||
		relid == relations.cycles_pkey)
	{
		memset(&relations, 0, sizeof(relations));
		risk_epoch++;
	}
}

static void
risk_roles_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	risk_epoch++;
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
	/* which policies apply to a user follows role membership */
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, risk_roles_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, risk_roles_callback, (Datum) 0);
	RegisterXactCallback(risk_xact_callback, NULL);
	RegisterSubXactCallback(risk_subxact_callback, NULL);
	registered = true;
}

static Oid
primary_key_of(Oid relid, const char *relname)
{
	Relation	rel = table_open(relid, AccessShareLock);
	Oid			pkey = RelationGetPrimaryKeyIndex(rel);

	table_close(rel, NoLock);
	if (!OidIsValid(pkey))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("catalyst.%s has no primary key", relname),
				 errdetail("catalyst_position_risk() reads the table through its primary key."),
				 errhint("The extension's install script creates %s_pkey.", relname)));
	return pkey;
}

static void
resolve_relations(void)
{
	RiskRelations found;

	found.positions = catalyst_relid("positions");
	found.positions_pkey = primary_key_of(found.positions, "positions");
	found.cycles = catalyst_relid("trading_cycles");
	found.cycles_pkey = primary_key_of(found.cycles, "trading_cycles");
	/* set last: opening the tables may have run the callback above */
	relations = found;
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
 * A direct read bypasses privileges and row-level security, so it is taken only where
 * risk_policy.c finds it gives the query's answer.  Under catalyst's own positions_policy (the
 * reader and trader roles) the position's cycle is read the same way, through
 * trading_cycles_pkey with a second kept scan, and the row is visible only if that cycle is
 * 'active' in the same snapshot: the policy's EXISTS subquery, evaluated in C.  Otherwise the row
 * is read through SPI, with the user's privileges and policies.
 * ------------------------------------------------------------------------------------------
 */

/* One index scan for one key, kept from one call to the next */
typedef struct KeyScan
{
	Relation	heap;			/* the relations the scan was built on: compared, */
	Relation	index;			/* never used after their call returned */
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData key;
} KeyScan;

typedef struct PositionProbe
{
	uint64		epoch;			/* risk_epoch when access and scans were set up */
	Oid			userid;			/* whose access was checked, */
	int			sec_context;	/* in which security context, */
	bool		row_security;	/* under which row_security setting */
	RiskReadMode mode;			/* how this user reads positions */
	bool		busy;			/* a call is using the scans; still set if it failed */
	MemoryContext cxt;			/* the scans' memory */
	KeyScan		position;		/* through positions_pkey */
	KeyScan		cycle;			/* through trading_cycles_pkey (RISK_READ_ACTIVE_CYCLE) */
	RiskColumns cols;
	AttrNumber	cycle_id;		/* positions.cycle_id */
	AttrNumber	status;			/* trading_cycles.status */
	Oid			status_collation;
	Datum		active;			/* 'active' as text */
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

/* Its access check (and scans) are from before an invalidation, or for another user */
static bool
probe_stale(const PositionProbe *probe)
{
	Oid			userid;
	int			sec_context;

	GetUserIdAndSecContext(&userid, &sec_context);
	return probe->epoch != risk_epoch || probe->userid != userid ||
		probe->sec_context != sec_context || probe->row_security != row_security;
}

/*
 * `index` is a btree on `column` of `heap` alone, of the column's type (*cached: as for
 * catalyst_column())
 */
static void
check_key_index(Relation heap, Relation index, const char *column, Oid type, int *cached)
{
	AttrNumber	attnum = catalyst_column(RelationGetDescr(heap), column, type, cached);

	if (index->rd_rel->relam != BTREE_AM_OID ||
		IndexRelationGetNumberOfKeyAttributes(index) != 1 ||
		index->rd_index->indkey.values[0] != attnum ||
		TupleDescAttr(RelationGetDescr(index), 0)->atttypid != type)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the primary key of catalyst.%s is not a btree index on %s alone",
						RelationGetRelationName(heap), column),
				 errdetail("catalyst_position_risk() reads the table through its primary key."),
				 errhint("The extension's install script creates %s_pkey on %s.",
						 RelationGetRelationName(heap), column)));
}

/* Begin the scan of `index` (on `heap`) for keys compared with `equals`, in the current context */
static void
key_scan_begin(KeyScan *ks, Relation heap, Relation index, RegProcedure equals)
{
	ks->slot = MakeSingleTupleTableSlot(CreateTupleDescCopyConstr(RelationGetDescr(heap)),
										table_slot_callbacks(heap));
	ks->scan = index_beginscan(heap, index, GetActiveSnapshot(), 1, 0);
	/* the scan outlives this call; the relcache reference it took may not (see above) */
	RelationDecrementReferenceCount(index);
	ScanKeyEntryInitialize(&ks->key, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[0], equals, (Datum) 0);
	ks->heap = heap;
	ks->index = index;
}

/* The row whose key is `value` into ks->slot, as the caller's snapshot sees it: false if none */
static bool
key_scan_fetch(KeyScan *ks, MemoryContext cxt, Datum value)
{
	/* the index AM allocates in the current context and keeps what it allocates for the scan */
	MemoryContext old = MemoryContextSwitchTo(cxt);
	bool		found;

	/* the caller's snapshot, as a STABLE function's reads see */
	ks->scan->xs_snapshot = GetActiveSnapshot();
	ks->key.sk_argument = value;
	index_rescan(ks->scan, &ks->key, 1, NULL, 0);
	found = index_getnext_slot(ks->scan, ForwardScanDirection, ks->slot);
	MemoryContextSwitchTo(old);
	return found;
}

/* Leave no buffer pinned: the slot's, the heap fetch's and the index page's */
static void
key_scan_release(KeyScan *ks, MemoryContext cxt)
{
	MemoryContext old;

	ExecClearTuple(ks->slot);
	old = MemoryContextSwitchTo(cxt);
	index_rescan(ks->scan, &ks->key, 1, NULL, 0);
	MemoryContextSwitchTo(old);
}

/* The scans on these relations (cycles and cycles_pkey NULL unless the cycle is checked) */
static void
probe_build(PositionProbe *probe, Relation positions, Relation positions_pkey, Relation cycles,
			Relation cycles_pkey)
{
	static int	position_id_attnum = 0;
	static int	cycle_key_attnum = 0;
	static int	cycle_id_attnum = 0;
	static int	status_attnum = 0;
	MemoryContext old;

	/* whatever earlier scans left hold no resource: their memory is all there is */
	probe->position.scan = NULL;
	probe->cycle.scan = NULL;
	MemoryContextReset(probe->cxt);

	risk_columns_of(RelationGetDescr(positions), &probe->cols);
	check_key_index(positions, positions_pkey, "position_id", INT4OID, &position_id_attnum);
	old = MemoryContextSwitchTo(probe->cxt);
	key_scan_begin(&probe->position, positions, positions_pkey, F_INT4EQ);
	if (cycles != NULL)
	{
		TupleDesc	desc = RelationGetDescr(cycles);

		check_key_index(cycles, cycles_pkey, "cycle_id", VARCHAROID, &cycle_key_attnum);
		probe->cycle_id = catalyst_column(RelationGetDescr(positions), "cycle_id", VARCHAROID,
										  &cycle_id_attnum);
		probe->status = catalyst_column(desc, "status", VARCHAROID, &status_attnum);
		probe->status_collation = TupleDescAttr(desc, probe->status - 1)->attcollation;
		probe->active = CStringGetTextDatum("active");
		key_scan_begin(&probe->cycle, cycles, cycles_pkey, F_TEXTEQ);
	}
	MemoryContextSwitchTo(old);
}

/*
 * positions_policy for the position in probe->position.slot: EXISTS (SELECT FROM trading_cycles
 * c WHERE c.cycle_id = positions.cycle_id AND c.status = 'active'), in the caller's snapshot.
 */
static bool
cycle_active(PositionProbe *probe)
{
	bool		isnull;
	Datum		cycle_id = slot_getattr(probe->position.slot, probe->cycle_id, &isnull);
	Datum		status;

	if (isnull || !key_scan_fetch(&probe->cycle, probe->cxt, cycle_id))
		return false;
	status = slot_getattr(probe->cycle.slot, probe->status, &isnull);
	return !isnull && DatumGetBool(DirectFunctionCall2Coll(texteq, probe->status_collation,
														   status, probe->active));
}

/*
 * Reads position_id's columns through the index into the probe's slot and scores them; false if
 * there is no such row (or, checking its cycle, none the user may see).
 */
static bool
score_direct(PositionProbe *probe, const RiskConstants *k, const RiskRelations *rels,
			 int32 position_id, Datum *score)
{
	bool		check_cycle = probe->mode == RISK_READ_ACTIVE_CYCLE;
	Relation	opened[4] = {NULL, NULL, NULL, NULL};
	bool		found;
#ifdef RELCACHE_FORCE_RELEASE
	/* a debugging build that frees a relcache entry as soon as nobody references it */
	bool		reuse = false;
#else
	bool		reuse = probe->position.scan != NULL && !probe->busy;
#endif

	if (!ActiveSnapshotSet())
		elog(ERROR, "catalyst_position_risk() called without an active snapshot");
	if (reuse)
	{
		/*
		 * The scans' relations.  They are still locked: the scans were built in this transaction,
		 * under locks held to its end, and scans are dropped whenever risk_epoch moves, at every
		 * transaction end and subtransaction abort.  And their relcache entries are still where
		 * they were: unreferenced, an entry is freed or rebuilt only by an invalidation, which
		 * moves risk_epoch too.  References are held while the call uses them.
		 */
		opened[0] = probe->position.heap;
		opened[1] = probe->position.index;
		if (check_cycle)
		{
			opened[2] = probe->cycle.heap;
			opened[3] = probe->cycle.index;
		}
		for (int i = 0; i < 4; i++)
			if (opened[i] != NULL)
				RelationIncrementReferenceCount(opened[i]);
	}
	else
	{
		opened[0] = table_open(rels->positions, AccessShareLock);
		opened[1] = index_open(rels->positions_pkey, AccessShareLock);
		if (check_cycle)
		{
			opened[2] = table_open(rels->cycles, AccessShareLock);
			opened[3] = index_open(rels->cycles_pkey, AccessShareLock);
		}
		if (probe->position.scan == NULL || probe->busy ||
			probe->position.heap != opened[0] || probe->position.index != opened[1] ||
			(check_cycle && (probe->cycle.heap != opened[2] || probe->cycle.index != opened[3])))
			probe_build(probe, opened[0], opened[1], opened[2], opened[3]);
	}

	probe->busy = true;
	found = key_scan_fetch(&probe->position, probe->cxt, Int32GetDatum(position_id));
	if (found && check_cycle)
		found = cycle_active(probe);
	if (found)
	{
		TupleTableSlot *slot = probe->position.slot;

		slot_getsomeattrs(slot, probe->cols.last);
		*score = catalyst_risk_score(k, &probe->cols, slot->tts_values, slot->tts_isnull);
	}
	key_scan_release(&probe->position, probe->cxt);
	if (check_cycle)
		key_scan_release(&probe->cycle, probe->cxt);
	probe->busy = false;

	/* the locks stay, as a query's do, to the end of the transaction */
	for (int i = 3; i >= 0; i--)
		if (opened[i] != NULL)
			RelationClose(opened[i]);
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
	RiskRelations rels;

	risk_register_callbacks();
	if (!OidIsValid(relations.positions))
		resolve_relations();
	if (probe_stale(probe))
	{
		/*
		 * Lock before checking access: taking the lock processes pending invalidations, so the
		 * check sees the privileges and policies of now, as a query's would.
		 */
		LockRelationOid(relations.positions, AccessShareLock);
		if (!OidIsValid(relations.positions))
			resolve_relations();
	}
	/* a copy: invalidations met from here on reset the cache, not this */
	rels = relations;
	if (probe_stale(probe))
	{
		/* the epoch before the check: an invalidation the check itself meets forces another */
		uint64		epoch = risk_epoch;

		probe->mode = catalyst_risk_read_mode(rels.positions, rels.cycles);
		GetUserIdAndSecContext(&probe->userid, &probe->sec_context);
		probe->row_security = row_security;
		probe->position.scan = NULL;
		probe->cycle.scan = NULL;
		probe->epoch = epoch;
	}
	if (probe->mode == RISK_READ_QUERY)
		found = score_via_spi(k, position_id, &score);
	else
		found = score_direct(probe, k, &rels, position_id, &score);
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
