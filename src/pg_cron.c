/*
 * pg_cron.c: which database pg_cron runs in, for scheduling catalyst's maintenance jobs.
 *
 * pg_cron defines cron.database_name as a superuser-only setting, so pg_settings hides it from
 * everyone else (catalyst 4.1 read it there, and told catalyst_admin that pg_cron was not loaded).
 * It is read here without that restriction: which database the scheduler runs in is no secret
 * to the roles allowed to schedule (EXECUTE on this function is granted to catalyst_admin only).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

/* SQL-callable functions */

/*
 * pg_cron_database() RETURNS text: cron.database_name, or NULL when pg_cron is not loaded.  A
 * cron.database_name written in postgresql.conf without pg_cron in shared_preload_libraries is
 * a mere placeholder, which does not count.
 */
PG_FUNCTION_INFO_V1(catalyst_pg_cron_database);
Datum
catalyst_pg_cron_database(PG_FUNCTION_ARGS)
{
	int			flags = GetConfigOptionFlags("cron.database_name", true);
	const char *value;

	/* 0: no such setting; GUC_CUSTOM_PLACEHOLDER: set, but no library defines it */
	if (flags == 0 || (flags & GUC_CUSTOM_PLACEHOLDER) != 0)
		PG_RETURN_NULL();
	value = GetConfigOption("cron.database_name", true, false);
	if (value == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(value));
}
