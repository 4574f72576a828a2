/*
 * catalyst.h: what is project-wide in the catalyst extension: the PostgreSQL version it is built
 * for and the schema its objects live in.  Each module declares its own functions in a header of
 * its own name (spi_util.h for spi_util.c, and so on).
 */
#ifndef CATALYST_H
#define CATALYST_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "catalyst requires PostgreSQL 15 or later"
#endif

/* The schema every object of the extension lives in (catalyst.control: schema = catalyst). */
#define CATALYST_SCHEMA "catalyst"

#endif							/* CATALYST_H */
