/*
 * append_only.h: the guard triggers of append-only tables (audit_log in audit_log.c; fills,
 * order_events and stop_changes in append_only.c).
 */
#ifndef CATALYST_APPEND_ONLY_H
#define CATALYST_APPEND_ONLY_H

#include "postgres.h"

#include "fmgr.h"

/*
 * The operation ("UPDATE", "DELETE" or "TRUNCATE") a guard trigger, the function `name`, was
 * fired for: BEFORE UPDATE OR DELETE FOR EACH ROW or BEFORE TRUNCATE FOR EACH STATEMENT; any other
 * call is an error.
 */
extern const char *catalyst_append_only_operation(FunctionCallInfo fcinfo, const char *name);

#endif							/* CATALYST_APPEND_ONLY_H */
