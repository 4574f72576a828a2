/*
 * trading_day.c: which trading date a timestamp belongs to.
 *
 * A trade is filed under the calendar date of its closed_at in catalyst.trading_timezone, never
 * in the session's TimeZone: two sessions with different TimeZone settings must agree on the day.
 */
#include "postgres.h"

#include "trading_day.h"
#include "settings.h"

#include "fmgr.h"
#include "pgtime.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

static pg_tz *
trading_zone(void)
{
	/* pg_tzset caches loaded zones; the name was validated when the setting was assigned */
	pg_tz	   *tz = pg_tzset(catalyst_trading_timezone);

	if (tz == NULL)
		elog(ERROR, "time zone \"%s\" of catalyst.trading_timezone cannot be loaded",
			 catalyst_trading_timezone);
	return tz;
}

DateADT
catalyst_trading_date_of(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tzoff;

	if (TIMESTAMP_IS_NOBEGIN(ts))
		return DATEVAL_NOBEGIN;
	if (TIMESTAMP_IS_NOEND(ts))
		return DATEVAL_NOEND;
	if (timestamp2tm(ts, &tzoff, &tm, &fsec, NULL, trading_zone()) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE;
}

TimestampTz
catalyst_trading_day_start_of(DateADT day)
{
	struct pg_tm tm;
	TimestampTz result;
	int			tzoff;

	if (DATE_IS_NOBEGIN(day))
		return DT_NOBEGIN;
	if (DATE_IS_NOEND(day))
		return DT_NOEND;
	memset(&tm, 0, sizeof(tm));
	j2date(day + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tzoff = DetermineTimeZoneOffset(&tm, trading_zone());
	if (tm2timestamp(&tm, 0, &tzoff, &result) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range for timestamp")));
	return result;
}

/* SQL-callable functions */

PG_FUNCTION_INFO_V1(catalyst_trading_date);
Datum
catalyst_trading_date(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(catalyst_trading_date_of(PG_GETARG_TIMESTAMPTZ(0)));
}

PG_FUNCTION_INFO_V1(catalyst_trading_day_start);
Datum
catalyst_trading_day_start(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(catalyst_trading_day_start_of(PG_GETARG_DATEADT(0)));
}
