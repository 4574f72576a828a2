/*
 * catalyst.c: module entry point.
 *
 * The library is loaded by the first call of any of its functions (CREATE EXTENSION calls some),
 * or at server start when listed in shared_preload_libraries; either way _PG_init only defines
 * the catalyst.* settings.
 */
#include "postgres.h"

#include "catalyst.h"
#include "maintenance.h"
#include "settings.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	/* before catalyst_define_settings(), which reserves the prefix */
	catalyst_maintenance_define_settings();
	catalyst_define_settings();
}
