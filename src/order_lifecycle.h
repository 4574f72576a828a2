/*
 * order_lifecycle.h: the order life cycle (order_lifecycle.c), for the code that moves an order
 * through it (fills.c).
 */
#ifndef CATALYST_ORDER_LIFECYCLE_H
#define CATALYST_ORDER_LIFECYCLE_H

/*
 * The reason the order_events rows written until the next call carry (NULL: none).  The caller
 * sets it around its own UPDATE of orders and clears it afterwards, also on error.
 */
extern void catalyst_order_event_reason(const char *reason);

#endif							/* CATALYST_ORDER_LIFECYCLE_H */
