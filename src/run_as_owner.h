/*
 * run_as_owner.h: the extension's tables, found by name, and acting as their owner
 * (run_as_owner.c).
 */
#ifndef CATALYST_RUN_AS_OWNER_H
#define CATALYST_RUN_AS_OWNER_H

#include "postgres.h"

#include "executor/spi.h"

/* The user and security context to go back to after catalyst_become_owner() */
typedef struct CatalystSavedUser
{
	Oid			userid;
	int			sec_context;
} CatalystSavedUser;

/* The OID of the table catalyst.`relname`; an error when there is none. */
extern Oid	catalyst_relid(const char *relname);

/* The owner of a relation. */
extern Oid	catalyst_relation_owner(Oid relid);

/*
 * Act as the owner of a relation (row security not forced) until catalyst_restore_user(saved);
 * *saved receives the current user and security context.
 */
extern void catalyst_become_owner(Oid relid, CatalystSavedUser *saved);

/* Go back to the user and security context catalyst_become_owner() saved. */
extern void catalyst_restore_user(const CatalystSavedUser *saved);

/*
 * Run a statement kept in *plan (prepared from `query` on first use) as the owner of `table`,
 * connected to SPI for just this statement: how the extension's code appends to its own tables.
 * Returns the number of rows processed; a result other than `expected` is an error.
 */
extern uint64 catalyst_exec_as_owner(const char *table, SPIPlanPtr *plan, const char *query,
									 int nargs, Oid *argtypes, Datum *values, const char *nulls,
									 int expected);

#endif							/* CATALYST_RUN_AS_OWNER_H */
