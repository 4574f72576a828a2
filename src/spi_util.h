/*
 * spi_util.h: SPI calls whose return codes are always checked, and kept plans (spi_util.c).
 */
#ifndef CATALYST_SPI_UTIL_H
#define CATALYST_SPI_UTIL_H

#include "postgres.h"

#include "executor/spi.h"

/*
 * A schema-qualified operator for the SQL the C code issues ("x" OP("=") "$1"): a user's
 * operator of the same name earlier on search_path cannot capture it.
 */
#define OP(o) " OPERATOR(pg_catalog." o ") "

/* SPI_connect(); a failure is an error. */
extern void catalyst_spi_connect(void);

/* SPI_finish(); a failure is an error. */
extern void catalyst_spi_finish(void);

/*
 * Prepare a statement once per backend: the plan is kept in SPI's long-lived memory and the
 * caller stores it in a static.
 */
extern SPIPlanPtr catalyst_keep_plan(const char *query, int nargs, Oid *argtypes);

/* The same, always executed with its generic plan (never planned anew per execution) */
extern SPIPlanPtr catalyst_keep_generic_plan(const char *query, int nargs, Oid *argtypes);

/* The same, planned anew for its parameters at every execution (a table that grows from empty) */
extern SPIPlanPtr catalyst_keep_custom_plan(const char *query, int nargs, Oid *argtypes);

/*
 * Execute a statement (read-write, at most `count` rows, 0: all) and return the number of rows
 * processed; a return code other than `expected` is an error.
 */
extern uint64 catalyst_spi_exec(const char *query, int expected, long count);

/* catalyst_spi_exec() of a statement with parameters. */
extern uint64 catalyst_spi_exec_args(const char *query, int nargs, Oid *argtypes,
									 Datum *values, const char *nulls, int expected, long count);

/* catalyst_spi_exec() of a prepared statement. */
extern uint64 catalyst_spi_exec_plan(SPIPlanPtr plan, Datum *values, const char *nulls,
									 int expected, long count);

/*
 * A prepared read-only query: it sees the caller's snapshot, as a STABLE function's queries
 * must, instead of taking a new one.
 */
extern uint64 catalyst_spi_query_plan(SPIPlanPtr plan, Datum *values, const char *nulls,
									  long count);

/*
 * A prepared query that must see every committed row, even under REPEATABLE READ or
 * SERIALIZABLE: it runs in the latest snapshot instead of the transaction's (as PostgreSQL's
 * foreign-key checks do).
 */
extern uint64 catalyst_spi_query_latest(SPIPlanPtr plan, Datum *values, const char *nulls,
										long count);

/*
 * "col1, col2, ..." of every stored, non-generated column of a table: what a statement moving
 * its rows (DELETE ... RETURNING into INSERT) may write.
 */
extern char *catalyst_column_list(Oid relid);

#endif							/* CATALYST_SPI_UTIL_H */
