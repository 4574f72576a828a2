/*
 * exit_fills.c: a close's proceeds when fills of the exit order closed part or all of a position.
 *
 * Recording an exit fill (fills.c) adds its quantity and quantity x price to the position's
 * exited_quantity and exit_value.  When the position closes, whether by its last exit fill or by
 * today's one-statement close of what is left, its proceeds are
 *
 *   exit_value + exit_price x (quantity - exited_quantity)
 *
 * so realized_pnl (position_close.c) carries every exit fill at its own price, exactly.  With no
 * exit fill this is exit_price x quantity, the 4.1 close.  A 4.1 schema has neither column: the
 * library serves it unchanged.
 */
#include "postgres.h"

#include "exit_fills.h"
#include "columns.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

Datum
catalyst_exit_proceeds(HeapTuple position, TupleDesc desc, Datum exit_price, int32 quantity)
{
	static int	exited_attnum;
	static int	value_attnum;
	int			exited_col = catalyst_optional_column(desc, "exited_quantity", INT4OID,
													  &exited_attnum);
	int			value_col = catalyst_optional_column(desc, "exit_value", NUMERICOID, &value_attnum);
	int32		exited = 0;
	Datum		proceeds;
	bool		isnull;

	if (exited_col > 0)
	{
		Datum		d = heap_getattr(position, exited_col, desc, &isnull);

		if (!isnull)
			exited = DatumGetInt32(d);
	}
	/* the exited_quantity CHECK (0 .. quantity) rejects anything else after this trigger */
	if (exited <= 0 || exited > quantity || value_col == 0)
		return DirectFunctionCall2(numeric_mul, exit_price,
								   DirectFunctionCall1(int4_numeric, Int32GetDatum(quantity)));

	proceeds = heap_getattr(position, value_col, desc, &isnull);
	if (isnull)
		proceeds = NumericGetDatum(int64_to_numeric(0));
	if (exited < quantity)
	{
		Datum		rest = DirectFunctionCall1(int4_numeric, Int32GetDatum(quantity - exited));

		proceeds = DirectFunctionCall2(numeric_add, proceeds,
									   DirectFunctionCall2(numeric_mul, exit_price, rest));
	}
	return proceeds;
}
