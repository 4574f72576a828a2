/*
 * order_commission.c: the commission a close counts, read from its entry and exit orders, each
 * locked FOR SHARE until the transaction ends (doc/metrics.md, "A close").
 *
 * The lock is what keeps a close and a concurrent change of one of its orders' commission from
 * missing each other: the change either waits for the close to commit (and then sees its
 * position closed, and marks its day) or commits first (and the close reads the new value).
 *
 * This runs for every close, so it does by hand what the query
 *     SELECT o.commission FROM catalyst.orders o WHERE o.order_id = $1 FOR SHARE
 * does, through a unique btree index on orders.order_id: the same snapshot (a new one in READ
 * COMMITTED after a command counter increment, as SPI takes; the transaction's otherwise), the
 * same row lock, and what ExecLockRows() does when the row changed under it: in READ COMMITTED
 * the newest version is locked and must still have that order_id; under REPEATABLE READ or
 * SERIALIZABLE a concurrent update or delete is a serialization failure.  The query's planning
 * and executor start cost more than the lookup.  Without an index that qualifies (key_index.c: a
 * DBA replaced orders' primary key, made it DEFERRABLE, or just built one this transaction's
 * snapshot may not use) the query runs instead.
 */
#include "postgres.h"

#include "order_commission.h"
#include "catalyst.h"
#include "columns.h"
#include "key_index.h"
#include "run_as_owner.h"
#include "spi_util.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

/* The same, by a query: both orders' commissions ($1, $2; NULL counts 0), each locked FOR SHARE */
static const char commission_sql[] =
	"SELECT COALESCE((SELECT o.commission FROM catalyst.orders o WHERE o.order_id" OP("=") "$1 FOR"
	" SHARE), 0)"
	"     " OP("+") "COALESCE((SELECT o.commission FROM catalyst.orders o WHERE"
	" o.order_id" OP("=") "$2 FOR SHARE), 0)";

static SPIPlanPtr commission_plan = NULL;

/* As ExecLockRows() reports a concurrent update or delete of a row it locks */
static void
serialization_failure(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not serialize access due to concurrent update"),
			 errdetail("A close reads the commission of its orders, and another transaction"
					   " changed one of them after this transaction's snapshot was taken."),
			 errhint("Retry the transaction.")));
}

/*
 * The commission of order `order_id` (NULL if it has none, or there is no such order), the order
 * locked FOR SHARE.  `key` and `commission` are orders' attribute numbers.
 */
static Datum
locked_commission(Relation orders, Relation index, int key, int commission, Snapshot snapshot,
				  Datum order_id, bool *isnull)
{
	ScanKeyData skey;
	IndexScanDesc scan;
	TupleTableSlot *slot = table_slot_create(orders, NULL);
	Datum		result = (Datum) 0;
	bool		found = false;

	*isnull = true;
	ScanKeyEntryInitialize(&skey, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[0], F_TEXTEQ, order_id);
	scan = index_beginscan(orders, index, snapshot, 1, 0);
	index_rescan(scan, &skey, 1, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		ItemPointerData tid = slot->tts_tid;
		TM_FailureData tmfd;
		TM_Result	locked;

		locked = table_tuple_lock(orders, &tid, snapshot, slot, GetCurrentCommandId(true),
								  LockTupleShare, LockWaitBlock,
								  IsolationUsesXactSnapshot() ? 0 :
								  TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
		switch (locked)
		{
			case TM_Ok:
				/* READ COMMITTED, the row updated meanwhile: its newest version must match */
				if (tmfd.traversed)
				{
					bool		key_null;
					Datum		key_now = slot_getattr(slot, key, &key_null);

					found = !key_null &&
						DatumGetBool(DirectFunctionCall2Coll(texteq, index->rd_indcollation[0],
															 key_now, order_id));
				}
				else
					found = true;
				break;
			case TM_SelfModified:
				/* changed by a later command of this transaction: as ExecLockRows(), skipped */
				break;
			case TM_Updated:
				if (IsolationUsesXactSnapshot())
					serialization_failure();
				elog(ERROR, "unexpected table_tuple_lock status %d", (int) locked);
				break;
			case TM_Deleted:
				if (IsolationUsesXactSnapshot())
					serialization_failure();
				break;			/* READ COMMITTED: the order is gone */
			default:
				elog(ERROR, "unexpected table_tuple_lock status %d", (int) locked);
		}
	}
	if (found)
	{
		result = slot_getattr(slot, commission, isnull);
		if (!*isnull)
			result = datumCopy(result, false, -1);
	}
	else
		*isnull = true;
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	return result;
}

/* catalyst_close_commission() by commission_sql, as the owner of orders */
static Datum
query_commission(const Datum *order_ids, const bool *nulls)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	char		spi_nulls[2] = {nulls[0] ? 'n' : ' ', nulls[1] ? 'n' : ' '};
	CatalystSavedUser saved;
	Datum		sum;
	bool		isnull;

	catalyst_spi_connect();
	if (commission_plan == NULL)
		commission_plan = catalyst_keep_plan(commission_sql, 2, argtypes);
	catalyst_become_owner(catalyst_relid("orders"), &saved);
	catalyst_spi_exec_plan(commission_plan, unconstify(Datum *, order_ids), spi_nulls,
						   SPI_OK_SELECT, 0);
	catalyst_restore_user(&saved);
	sum = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	sum = SPI_datumTransfer(sum, false, -1);
	catalyst_spi_finish();
	return sum;
}

Datum
catalyst_close_commission(const Datum *order_ids, const bool *nulls)
{
	static int	attnums[2] = {0, 0};
	Relation	orders;
	Relation	index;
	int			key;
	int			commission;
	Snapshot	snapshot;
	Datum		sum = NumericGetDatum(int64_to_numeric(0));

	/* RowShareLock, as SELECT ... FOR SHARE takes; like the query's locks, held to the end */
	orders = table_open(catalyst_relid("orders"), RowShareLock);
	key = catalyst_column(RelationGetDescr(orders), "order_id", VARCHAROID, &attnums[0]);
	commission = catalyst_column(RelationGetDescr(orders), "commission", NUMERICOID, &attnums[1]);
	index = catalyst_open_key_index(orders, &key, 1, true, AccessShareLock);
	if (index == NULL)
	{
		table_close(orders, NoLock);
		return query_commission(order_ids, nulls);
	}

	/* this transaction's earlier changes are seen, as by a query run through SPI */
	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	for (int i = 0; i < 2; i++)
	{
		bool		isnull;
		Datum		value;

		if (nulls[i])
			continue;
		value = locked_commission(orders, index, key, commission, snapshot, order_ids[i],
								  &isnull);
		if (!isnull)
			sum = DirectFunctionCall2(numeric_add, sum, value);
	}
	UnregisterSnapshot(snapshot);
	index_close(index, NoLock);
	table_close(orders, NoLock);
	return sum;
}
