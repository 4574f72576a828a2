/*
 * columns.c: a column of one of the extension's tables, found by name and remembered.
 *
 * The close and metrics triggers read a dozen columns of every row they see.  Looking each up by
 * name (SPI_fnumber) scans the tuple descriptor every time; instead each call site keeps the
 * attribute number it found last, and only checks that it still names that column, of the type
 * the caller reads it as (a column may be dropped, added or retyped later: reading a float8 as a
 * numeric would crash the server).  It is the one way the C code finds a column by name.
 */
#include "postgres.h"

#include "columns.h"

#include "access/tupdesc.h"
#include "executor/spi.h"
#include "utils/builtins.h"

int
catalyst_optional_column(TupleDesc desc, const char *name, Oid type, int *cached)
{
	int			attnum = *cached;

	if (attnum > 0 && attnum <= desc->natts &&
		!TupleDescAttr(desc, attnum - 1)->attisdropped &&
		(!OidIsValid(type) || TupleDescAttr(desc, attnum - 1)->atttypid == type) &&
		strcmp(NameStr(TupleDescAttr(desc, attnum - 1)->attname), name) == 0)
		return attnum;
	attnum = SPI_fnumber(desc, name);
	if (attnum <= 0 || (OidIsValid(type) && TupleDescAttr(desc, attnum - 1)->atttypid != type))
		return 0;
	*cached = attnum;
	return attnum;
}

int
catalyst_column(TupleDesc desc, const char *name, Oid type, int *cached)
{
	int			attnum = catalyst_optional_column(desc, name, type, cached);

	if (attnum == 0)
	{
		attnum = SPI_fnumber(desc, name);
		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("a table of catalyst has lost its column \"%s\"", name),
					 errhint("catalyst reads the columns of schema v4.1: put the column back, "
							 "or reinstall the extension.")));
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" is of type %s where catalyst reads %s", name,
						format_type_be(TupleDescAttr(desc, attnum - 1)->atttypid),
						format_type_be(type)),
				 errhint("catalyst reads the columns of schema v4.1 with their types: "
						 "change the column back, or reinstall the extension.")));
	}
	return attnum;
}
