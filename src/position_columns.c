/*
 * position_columns.c: the columns of positions that the close trigger reads and writes, found by
 * name (catalyst_column()), and whether a row or an UPDATE closes a position.  Shared by the close
 * trigger (position_close.c) and, for a 4.1 schema's audit trigger, the row audit (row_audit.c).
 */
#include "postgres.h"

#include "position_columns.h"
#include "columns.h"
#include "run_as_owner.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/rel.h"

static const char *const position_columns[N_POSITION_COLUMNS] = {
	"position_id", "cycle_id", "symbol", "side", "quantity", "entry_price", "exit_price", "status",
	"opened_at", "closed_at", "hold_duration", "realized_pnl", "pnl_percent", "close_reason",
};

static const Oid position_types[N_POSITION_COLUMNS] = {
	INT4OID, VARCHAROID, VARCHAROID, VARCHAROID, INT4OID, NUMERICOID, NUMERICOID, VARCHAROID,
	TIMESTAMPTZOID, TIMESTAMPTZOID, INTERVALOID, NUMERICOID, NUMERICOID, VARCHAROID,
};

static int	position_attnums[N_POSITION_COLUMNS];

int
catalyst_position_column(TupleDesc desc, CatalystPositionColumn c)
{
	return catalyst_column(desc, position_columns[c], position_types[c], &position_attnums[c]);
}

Datum
catalyst_position_value(HeapTuple position, TupleDesc desc, CatalystPositionColumn c,
						bool *isnull)
{
	return heap_getattr(position, catalyst_position_column(desc, c), desc, isnull);
}

bool
catalyst_text_equals(Datum value, const char *s)
{
	text	   *t = DatumGetTextPP(value);
	size_t		len = strlen(s);

	return VARSIZE_ANY_EXHDR(t) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

bool
catalyst_position_is_closed(HeapTuple position, TupleDesc desc)
{
	bool		isnull;
	Datum		status = catalyst_position_value(position, desc, P_STATUS, &isnull);

	return !isnull && catalyst_text_equals(status, "closed");
}

bool
catalyst_position_closes(Relation rel, HeapTuple before, HeapTuple after)
{
	TupleDesc	desc = RelationGetDescr(rel);

	return RelationGetRelid(rel) == catalyst_relid("positions") &&
		catalyst_position_is_closed(after, desc) && !catalyst_position_is_closed(before, desc);
}
