/*
 * trading_day.h: the trading date of a timestamp, in catalyst.trading_timezone (trading_day.c).
 */
#ifndef CATALYST_TRADING_DAY_H
#define CATALYST_TRADING_DAY_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/date.h"

/* The trading date an instant falls on, in catalyst.trading_timezone. */
extern DateADT catalyst_trading_date_of(TimestampTz ts);

/* The instant a trading date begins (its midnight in catalyst.trading_timezone). */
extern TimestampTz catalyst_trading_day_start_of(DateADT day);

#endif							/* CATALYST_TRADING_DAY_H */
