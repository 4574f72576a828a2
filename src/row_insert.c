/*
 * row_insert.c: one row inserted into a table of the extension without planning a statement.
 *
 * An INSERT through SPI costs, besides the insert, the plan cache's check and locks, the
 * executor's start and end (range table, permissions, a ModifyTable and a Result node, their
 * projections) and SPI's own snapshot and command counter: for a one-row insert of a close, more
 * than the heap and index work.  catalyst_insert_row() does what PostgreSQL's logical replication
 * does to apply a remote INSERT (ExecSimpleRelationInsert(), execReplication.c): BEFORE ROW
 * triggers, constraints, the heap and every index, AFTER ROW triggers, so that a DBA's trigger,
 * CHECK or unique index on the table still holds.  What it does not do (column defaults,
 * row-level security, the permission check of a statement) it leaves to the caller's statement,
 * by catalyst_row_insertable() saying no when any of them could matter.
 */
#include "postgres.h"

#include "row_insert.h"
#include "columns.h"

#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"

bool
catalyst_row_insertable(Relation rel, int n, const char *const *names, const Oid *types,
						int *attnums)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			columns = 0;

	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relrowsecurity ||
		pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT) != ACLCHECK_OK)
		return false;
	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			columns++;
	if (columns != n)
		return false;
	/* n distinct names, each a column of its type: they are all the columns */
	for (int i = 0; i < n; i++)
		if (catalyst_optional_column(desc, names[i], types[i], &attnums[i]) == 0)
			return false;
	return true;
}

void
catalyst_insert_row(Relation rel, int n, const int *attnums, Datum *values, const bool *nulls)
{
	TupleDesc	desc = RelationGetDescr(rel);
	EState	   *estate;
	RangeTblEntry *rte;
	ResultRelInfo *result;
	TupleTableSlot *slot;

	estate = CreateExecutorState();
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	result = makeNode(ResultRelInfo);
	InitResultRelInfo(result, rel, 1, NULL, 0);
	/* where ExecGetTriggerResultRel() finds it, as the apply worker puts it */
	estate->es_opened_result_relations = list_make1(result);
	estate->es_output_cid = GetCurrentCommandId(true);
	ExecOpenIndices(result, false);

	slot = ExecInitExtraTupleSlot(estate, desc, &TTSOpsVirtual);
	ExecClearTuple(slot);
	for (int i = 0; i < desc->natts; i++)
		slot->tts_isnull[i] = true;
	for (int i = 0; i < n; i++)
	{
		slot->tts_values[attnums[i] - 1] = values[i];
		slot->tts_isnull[attnums[i] - 1] = nulls[i];
	}
	ExecStoreVirtualTuple(slot);

	AfterTriggerBeginQuery();
	ExecSimpleRelationInsert(result, estate, slot);
	AfterTriggerEndQuery(estate);

	ExecCloseIndices(result);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	/* the next command of this transaction sees the row */
	CommandCounterIncrement();
}
