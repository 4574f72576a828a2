/*
 * upgrade.c: what the library says to a database still at an older catalyst version.
 */
#include "postgres.h"

#include "upgrade.h"

void
catalyst_retired_function(const char *function)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("catalyst function %s() belongs to an older version of the extension's schema",
					function),
			 errdetail("The installed catalyst library no longer serves it; the database's "
					   "catalyst schema has not been updated to the library's version."),
			 errhint("Run ALTER EXTENSION catalyst UPDATE in this database.")));
}
