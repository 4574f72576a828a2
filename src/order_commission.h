/*
 * order_commission.h: the commission a close counts, read from its entry and exit orders with
 * both locked FOR SHARE (order_commission.c).
 */
#ifndef CATALYST_ORDER_COMMISSION_H
#define CATALYST_ORDER_COMMISSION_H

#include "postgres.h"

/*
 * The sum of the commissions of the orders `order_ids[0]` (entry) and `order_ids[1]` (exit),
 * varchar; a NULL id, a missing order and a NULL commission count 0.  Each order found stays
 * locked FOR SHARE until the transaction ends.  A numeric in the current memory context.
 */
extern Datum catalyst_close_commission(const Datum *order_ids, const bool *nulls);

#endif							/* CATALYST_ORDER_COMMISSION_H */
