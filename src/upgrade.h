/*
 * upgrade.h: the C library serves a database whose catalyst schema is still at an older version.
 *
 * A C function that an older install or update script binds, and that the current schema no
 * longer uses, stays in the library (so that CREATE EXTENSION catalyst VERSION '4.1' still
 * works) and either keeps working or refuses with catalyst_retired_function().
 */
#ifndef CATALYST_UPGRADE_H
#define CATALYST_UPGRADE_H

/* ereport(ERROR): `function` belongs to an older schema; ALTER EXTENSION catalyst UPDATE. */
extern void catalyst_retired_function(const char *function) pg_attribute_noreturn();

#endif							/* CATALYST_UPGRADE_H */
