/*
 * spi_util.c: SPI calls whose return codes are always checked.
 *
 * A failing statement raises its own ERROR; a return code other than the expected one means the
 * statement did something its caller did not write it to do, which cannot happen, hence elog.
 * Also the column list of statements that copy rows from one table to another.
 */
#include "postgres.h"

#include "spi_util.h"

#include "access/tupdesc.h"
#include "catalog/pg_attribute.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

void
catalyst_spi_connect(void)
{
	int			rc = SPI_connect();

	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
}

void
catalyst_spi_finish(void)
{
	int			rc = SPI_finish();

	if (rc != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
}

static SPIPlanPtr
keep_with_options(const char *query, int nargs, Oid *argtypes, int cursor_options)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(query, nargs, argtypes, cursor_options);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare_cursor failed (%s): %s",
			 SPI_result_code_string(SPI_result), query);
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed: %s", query);
	return plan;
}

/*
 * Prepare a statement once per backend: the plan is kept in SPI's long-lived memory and the
 * caller stores it in a static.
 */
SPIPlanPtr
catalyst_keep_plan(const char *query, int nargs, Oid *argtypes)
{
	return keep_with_options(query, nargs, argtypes, 0);
}

/*
 * The same, always run with its generic plan.  For a statement whose custom plans the plan cache
 * judges cheaper than the generic one, it would otherwise plan the statement anew at every
 * execution; that costs more than the plan could save when the parameters only bound an index
 * range (the roll-up's derivation of a minute from its trades).
 */
SPIPlanPtr
catalyst_keep_generic_plan(const char *query, int nargs, Oid *argtypes)
{
	return keep_with_options(query, nargs, argtypes, CURSOR_OPT_GENERIC_PLAN);
}

/*
 * The same, planned anew at every execution, for the table's size then.  For a lookup in a table
 * that grows from empty while a backend lives (fills): a generic plan made while the table was
 * one page is a sequential scan, and it is kept until the next ANALYZE invalidates it, so a burst
 * of inserts into a new table would cost O(rows) each.
 */
SPIPlanPtr
catalyst_keep_custom_plan(const char *query, int nargs, Oid *argtypes)
{
	return keep_with_options(query, nargs, argtypes, CURSOR_OPT_CUSTOM_PLAN);
}

static void
check_result(int rc, int expected, const char *what)
{
	if (rc != expected)
		elog(ERROR, "SPI returned %s instead of %s: %s",
			 SPI_result_code_string(rc), SPI_result_code_string(expected), what);
}

uint64
catalyst_spi_exec(const char *query, int expected, long count)
{
	int			rc = SPI_execute(query, false, count);

	check_result(rc, expected, query);
	return SPI_processed;
}

uint64
catalyst_spi_exec_args(const char *query, int nargs, Oid *argtypes, Datum *values,
					   const char *nulls, int expected, long count)
{
	int			rc = SPI_execute_with_args(query, nargs, argtypes, values, nulls, false, count);

	check_result(rc, expected, query);
	return SPI_processed;
}

uint64
catalyst_spi_exec_plan(SPIPlanPtr plan, Datum *values, const char *nulls, int expected, long count)
{
	int			rc = SPI_execute_plan(plan, values, nulls, false, count);

	check_result(rc, expected, "prepared statement");
	return SPI_processed;
}

/*
 * A prepared read-only query: it sees the caller's snapshot, as a STABLE function's queries must,
 * instead of taking a new one.
 */
uint64
catalyst_spi_query_plan(SPIPlanPtr plan, Datum *values, const char *nulls, long count)
{
	int			rc = SPI_execute_plan(plan, values, nulls, true, count);

	check_result(rc, SPI_OK_SELECT, "prepared query");
	return SPI_processed;
}

uint64
catalyst_spi_query_latest(SPIPlanPtr plan, Datum *values, const char *nulls, long count)
{
	int			rc = SPI_execute_snapshot(plan, values, nulls, GetLatestSnapshot(), InvalidSnapshot,
										  false, true, count);

	check_result(rc, SPI_OK_SELECT, "prepared query");
	return SPI_processed;
}

/*
 * "col1, col2, ..." of every stored, non-generated column of a table: what a statement moving
 * its rows (DELETE ... RETURNING into INSERT) may write.
 */
char *
catalyst_column_list(Oid relid)
{
	StringInfoData buf;
	TupleDesc	desc = lookup_rowtype_tupdesc(get_rel_type_id(relid), -1);

	initStringInfo(&buf);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated != '\0')
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, quote_identifier(NameStr(att->attname)));
	}
	ReleaseTupleDesc(desc);
	return buf.data;
}
