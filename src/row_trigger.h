/*
 * row_trigger.h: the calling check of the C row triggers (position_close.c, order_lifecycle.c,
 * position_excursion.c).
 */
#ifndef CATALYST_ROW_TRIGGER_H
#define CATALYST_ROW_TRIGGER_H

#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"

/*
 * The TriggerData of a row trigger fired BEFORE (`before`) or AFTER INSERT OR UPDATE (and, with
 * `with_delete`, DELETE); any other call of the function `name` is an error.
 */
extern TriggerData *catalyst_row_trigger(FunctionCallInfo fcinfo, const char *name, bool before,
										 bool with_delete);

#endif							/* CATALYST_ROW_TRIGGER_H */
