/*
 * columns.c: a column of a trigger's table, found by name and remembered.
 *
 * The close and metrics triggers read a dozen columns of every row they see.  Looking each up by
 * name (SPI_fnumber) scans the tuple descriptor every time; instead each call site keeps the
 * attribute number it found last, and only checks that it still names that column (a column
 * may be dropped or added later, which changes the numbers).
 */
#include "catalyst.h"

#include "access/tupdesc.h"

int
catalyst_column(TupleDesc desc, const char *name, int *cached)
{
	int			attnum = *cached;

	if (attnum <= 0 || attnum > desc->natts ||
		TupleDescAttr(desc, attnum - 1)->attisdropped ||
		strcmp(NameStr(TupleDescAttr(desc, attnum - 1)->attname), name) != 0)
	{
		attnum = SPI_fnumber(desc, name);
		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("the trigger's table has no column \"%s\"", name),
					 errhint("catalyst's triggers read the columns of schema v4.1: put the column back, "
							 "or reinstall the extension.")));
		*cached = attnum;
	}
	return attnum;
}
