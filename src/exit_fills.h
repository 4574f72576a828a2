/*
 * exit_fills.h: what the exit fills recorded for a position (positions.exited_quantity and
 * exit_value, schema 4.2) add to its close.
 */
#ifndef CATALYST_EXIT_FILLS_H
#define CATALYST_EXIT_FILLS_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"

/*
 * The proceeds of a position's exit: exit_value of its exit fills, plus exit_price for the
 * quantity they did not cover (all of it on a 4.1 schema, which has no such columns).
 */
extern Datum catalyst_exit_proceeds(HeapTuple position, TupleDesc desc, Datum exit_price,
									int32 quantity);

#endif							/* CATALYST_EXIT_FILLS_H */
