/*
 * row_insert.c: one row inserted into a table of the extension without planning a statement.
 *
 * An INSERT through SPI costs, besides the insert, the plan cache's check and locks, the
 * executor's start and end (range table, permissions, a ModifyTable and a Result node, their
 * projections) and SPI's own snapshot and command counter: for a one-row insert of a close, more
 * than the heap and index work.  catalyst_insert_row() does what PostgreSQL's logical replication
 * does to apply a remote INSERT (ExecSimpleRelationInsert(), execReplication.c): BEFORE ROW
 * triggers, constraints, the heap and every index, AFTER ROW triggers, so that a DBA's trigger,
 * CHECK or unique index on the table still holds; and it applies a varchar's length and a
 * numeric's precision as the INSERT's implicit cast would.  What it does not do (column
 * defaults, statement triggers and transition tables, rules, row-level security, the permission
 * check of a statement, other type modifiers) it leaves to the caller's statement, by
 * catalyst_row_insertable() saying no when any of them could matter.
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
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

bool
catalyst_only_rows_triggered(Relation rel)
{
	TriggerDesc *triggers = rel->trigdesc;

	return rel->rd_rules == NULL && !rel->rd_rel->relrowsecurity &&
		(triggers == NULL || !(triggers->trig_insert_before_statement ||
							   triggers->trig_insert_after_statement ||
							   triggers->trig_insert_new_table));
}

bool
catalyst_row_insertable(Relation rel, int n, const char *const *names, const Oid *types,
						int *attnums)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			columns = 0;

	if (rel->rd_rel->relkind != RELKIND_RELATION || !catalyst_only_rows_triggered(rel) ||
		pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT) != ACLCHECK_OK)
		return false;
	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			columns++;
	if (columns != n)
		return false;
	/* n distinct names, each a column of its type: they are all the columns */
	for (int i = 0; i < n; i++)
	{
		Form_pg_attribute column;

		if (catalyst_optional_column(desc, names[i], types[i], &attnums[i]) == 0)
			return false;
		/* a length or precision catalyst_insert_row() applies as the INSERT would, or none */
		column = TupleDescAttr(desc, attnums[i] - 1);
		if (column->atttypmod >= 0 && column->atttypid != VARCHAROID &&
			column->atttypid != NUMERICOID)
			return false;
	}
	return true;
}

/*
 * A value in its column's varchar(n) or numeric(p, s): as the INSERT's implicit cast, an error
 * for a string too long (trailing spaces cut), rounding for a number.
 */
static Datum
typmod_applied(Form_pg_attribute column, Datum value)
{
	if (column->atttypmod < 0)
		return value;
	if (column->atttypid == VARCHAROID)
		return DirectFunctionCall3(varchar, value, Int32GetDatum(column->atttypmod),
								   BoolGetDatum(false));
	return DirectFunctionCall2(numeric, value, Int32GetDatum(column->atttypmod));
}

void
catalyst_insert_row(Relation rel, int n, const int *attnums, Datum *values, const bool *nulls)
{
	TupleDesc	desc = RelationGetDescr(rel);
	EState	   *estate;
	RangeTblEntry *rte;
	ResultRelInfo *result;
	TupleTableSlot *slot;
	MemoryContext old;

	estate = CreateExecutorState();
	/* everything below in the executor state's memory, freed with it */
	old = MemoryContextSwitchTo(estate->es_query_cxt);
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
		int			a = attnums[i] - 1;

		slot->tts_isnull[a] = nulls[i];
		if (!nulls[i])
			slot->tts_values[a] = typmod_applied(TupleDescAttr(desc, a), values[i]);
	}
	ExecStoreVirtualTuple(slot);

	AfterTriggerBeginQuery();
	ExecSimpleRelationInsert(result, estate, slot);
	AfterTriggerEndQuery(estate);

	ExecCloseIndices(result);
	ExecResetTupleTable(estate->es_tupleTable, false);
	MemoryContextSwitchTo(old);
	FreeExecutorState(estate);
	/* the next command of this transaction sees the row */
	CommandCounterIncrement();
}
