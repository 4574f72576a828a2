/*
 * metrics_v41.c: the performance_metrics table of a database still at 4.1, kept by the 4.2
 * library (metrics_v41.h says when this can go).
 *
 * 4.1 kept one row per (cycle_id, metric_date), folding closes into it one by one and
 * recomputing the day from its trades when a trade was corrected, reopened, deleted or closed
 * out of order.  Here every day a statement touched is recomputed, once, at the statement's end
 * (metrics.c decides which days, in (cycle_id, date) order): the day's row is locked FOR UPDATE
 * (created first if missing), which waits for a concurrent writer of the same day; the day is
 * then derived from its trades by metrics_fold.c in a statement of its own, whose snapshot
 * (READ COMMITTED) sees that writer's commit; and the row is rewritten.  Under REPEATABLE READ
 * or SERIALIZABLE a concurrent write of the day is a serialization failure, as in 4.1.
 */
#include "postgres.h"

#include "metrics_v41.h"
#include "metrics_fold.h"
#include "metrics_state.h"
#include "spi_util.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

const char	catalyst_v41_every_day_sql[] =
	"SELECT m.cycle_id, m.metric_date FROM catalyst.performance_metrics m";

/* Lock the row of day ($1 cycle, $2 date). */
static const char lock_day_sql[] =
	"SELECT FROM catalyst.performance_metrics m"
	" WHERE m.cycle_id" OP("=") "$1 AND m.metric_date" OP("=") "$2"
	"   FOR UPDATE OF m";

/*
 * The day's row, empty, unless it exists; a concurrent session creating it is waited for.  Run
 * only when the row is missing, as 4.1 did: each INSERT takes a metric_id from the sequence.
 */
static const char create_day_sql[] =
	"INSERT INTO catalyst.performance_metrics (cycle_id, metric_date) VALUES ($1, $2)"
	" ON CONFLICT (cycle_id, metric_date) DO NOTHING";

static SPIPlanPtr lock_day_plan = NULL;
static SPIPlanPtr create_day_plan = NULL;
static SPIPlanPtr store_day_plan = NULL;

#define N_STORE_PARAMS (2 + CATALYST_N_SUMMARY_COLUMNS + CATALYST_N_DERIVED_COLUMNS)

/*
 * UPDATE of the day's row ($1 cycle, $2 date): $3.. the summary columns (in
 * catalyst_summary_columns order), then the derived ones; the parameters of the columns 4.2
 * added (catalyst_summary_in_v41, catalyst_derived_in_v41) are unused: the 4.1 table has only
 * the 4.1 columns.
 */
static SPIPlanPtr
store_plan(void)
{
	Oid			types[N_STORE_PARAMS] = {TEXTOID, DATEOID};
	StringInfoData sql;
	bool		first = true;

	if (store_day_plan != NULL)
		return store_day_plan;
	initStringInfo(&sql);
	appendStringInfoString(&sql, "UPDATE catalyst.performance_metrics m SET ");
	for (int i = 0; i < CATALYST_N_SUMMARY_COLUMNS; i++)
	{
		types[2 + i] = catalyst_summary_types[i];
		if (!catalyst_summary_in_v41[i])
			continue;
		appendStringInfo(&sql, "%s%s = $%d", first ? "" : ", ", catalyst_summary_columns[i], 3 + i);
		first = false;
	}
	for (int i = 0; i < CATALYST_N_DERIVED_COLUMNS; i++)
	{
		int			param = 2 + CATALYST_N_SUMMARY_COLUMNS + i;

		types[param] = catalyst_derived_types[i];
		if (!catalyst_derived_in_v41[i])
			continue;
		appendStringInfo(&sql, ", %s = $%d", catalyst_derived_columns[i], param + 1);
	}
	appendStringInfoString(&sql, " WHERE m.cycle_id" OP("=") "$1 AND m.metric_date" OP("=") "$2");
	store_day_plan = catalyst_keep_plan(sql.data, N_STORE_PARAMS, types);
	pfree(sql.data);
	return store_day_plan;
}

void
catalyst_v41_recompute_day(const char *cycle_id, DateADT day)
{
	Oid			key_types[2] = {TEXTOID, DATEOID};
	Datum		values[N_STORE_PARAMS];
	char		nulls[N_STORE_PARAMS];
	CatalystSummary summary;

	if (lock_day_plan == NULL)
		lock_day_plan = catalyst_keep_plan(lock_day_sql, 2, key_types);
	if (create_day_plan == NULL)
		create_day_plan = catalyst_keep_plan(create_day_sql, 2, key_types);

	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(cycle_id);
	values[1] = DateADTGetDatum(day);
	if (catalyst_spi_exec_plan(lock_day_plan, values, nulls, SPI_OK_SELECT, 0) == 0)
	{
		/*
		 * No row yet: create it, then lock it.  Under READ COMMITTED the second statement sees
		 * the row whoever created it; under REPEATABLE READ a row created by a concurrent
		 * transaction is a serialization failure (of the INSERT).
		 */
		catalyst_spi_exec_plan(create_day_plan, values, nulls, SPI_OK_INSERT, 0);
		if (catalyst_spi_exec_plan(lock_day_plan, values, nulls, SPI_OK_SELECT, 0) == 0)
			elog(ERROR, "the performance_metrics row of cycle \"%s\" for %s cannot be locked",
				 cycle_id, DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day))));
	}

	/* after the lock: a new snapshot, which sees what the day's previous writer committed */
	catalyst_summarize_day(cycle_id, day, true, &summary);

	catalyst_summary_values(&summary, values + 2, nulls + 2);
	catalyst_summary_derive(&summary, values + 2 + CATALYST_N_SUMMARY_COLUMNS,
							nulls + 2 + CATALYST_N_SUMMARY_COLUMNS);
	if (catalyst_spi_exec_plan(store_plan(), values, nulls, SPI_OK_UPDATE, 0) != 1)
		elog(ERROR, "the performance_metrics row of cycle \"%s\" is gone", cycle_id);
}
