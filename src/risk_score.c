/*
 * risk_score.c: the risk score of a position from its columns, the seed's to the digit (seed:
 * calculate_position_risk() in PL/pgSQL).  Reading the rows is risk.c's.
 *
 * The seed adds a weight per rule into a DECIMAL(3,2) variable, rounding after each addition,
 * and returns LEAST(score, 1.0):
 *
 *   unrealized_pnl < risk_loss_high (-500)          + risk_loss_high_weight (0.3)
 *   else unrealized_pnl < risk_loss (-200)          + risk_loss_weight (0.2)
 *   hold time > risk_hold_hours (4)                 + risk_hold_weight (0.2)
 *   |entry_price - stop_loss| / entry_price
 *                       > risk_stop_distance (0.05) + risk_stop_distance_weight (0.2)
 *   no stop_loss                                    + risk_no_stop_weight (0.3)
 *
 * where the hold time is COALESCE(closed_at, now()) - opened_at.  Which weights are added depends
 * only on which rules hold, so the 18 possible scores are computed once, with the seed's numeric
 * arithmetic, whenever a catalyst.risk_* setting changes; a call only decides the rules and
 * copies one of them.  The rules are decided on whole cents and microseconds, with the numeric
 * functions as the fallback wherever integers could not give the seed's answer.
 */
#include "postgres.h"

#include "risk_score.h"
#include "settings.h"

#include <math.h>

#include "access/xact.h"
#include "common/int.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

/* ------------------------------------------------------------------------------------------
 * The scores, computed once per set of settings
 * ------------------------------------------------------------------------------------------
 */

/* The seed's accumulator: v_risk_score DECIMAL(3,2) */
#define RISK_SCORE_TYPMOD	(((3 << 16) | 2) + VARHDRSZ)

typedef enum RiskPnl
{
	PNL_NONE,
	PNL_LOSS,					/* below risk_loss */
	PNL_LOSS_HIGH,				/* below risk_loss_high */
	PNL_CLASSES
} RiskPnl;

typedef enum RiskStop
{
	STOP_NEAR,					/* stop loss within risk_stop_distance (or no entry price) */
	STOP_FAR,
	STOP_NONE,
	STOP_CLASSES
} RiskStop;

/* The catalyst.risk_* settings, as they were when the constants were computed */
typedef struct RiskSettings
{
	double		loss_high;
	double		loss_high_weight;
	double		loss;
	double		loss_weight;
	double		hold_hours;
	double		hold_weight;
	double		stop_distance;
	double		stop_distance_weight;
	double		no_stop_weight;
} RiskSettings;

struct RiskConstants
{
	bool		valid;
	RiskSettings settings;
	MemoryContext cxt;			/* holds the numerics below */

	/* unrealized_pnl < threshold, on numerics and, for values in whole cents, on cents */
	Datum		loss_high;
	Datum		loss;
	int64		loss_high_cents;	/* pnl < loss_high  <=>  cents(pnl) < loss_high_cents */
	int64		loss_cents;

	int64		hold_usecs;

	/* stop distance > risk_stop_distance, on numerics and, when stop_exact, as a fraction */
	Datum		stop_distance;
	bool		stop_exact;
	int64		stop_numerator; /* risk_stop_distance = stop_numerator / stop_denominator */
	int64		stop_denominator;

	Datum		score[PNL_CLASSES][2][STOP_CLASSES];
};

static RiskConstants risk_constants;

static void
current_settings(RiskSettings *s)
{
	s->loss_high = catalyst_risk_loss_high;
	s->loss_high_weight = catalyst_risk_loss_high_weight;
	s->loss = catalyst_risk_loss;
	s->loss_weight = catalyst_risk_loss_weight;
	s->hold_hours = catalyst_risk_hold_hours;
	s->hold_weight = catalyst_risk_hold_weight;
	s->stop_distance = catalyst_risk_stop_distance;
	s->stop_distance_weight = catalyst_risk_stop_distance_weight;
	s->no_stop_weight = catalyst_risk_no_stop_weight;
}

/* Checked on every call, so field by field: cheaper than a memcmp call */
static bool
settings_unchanged(const RiskSettings *s)
{
	return s->loss_high == catalyst_risk_loss_high &&
		s->loss_high_weight == catalyst_risk_loss_high_weight &&
		s->loss == catalyst_risk_loss &&
		s->loss_weight == catalyst_risk_loss_weight &&
		s->hold_hours == catalyst_risk_hold_hours &&
		s->hold_weight == catalyst_risk_hold_weight &&
		s->stop_distance == catalyst_risk_stop_distance &&
		s->stop_distance_weight == catalyst_risk_stop_distance_weight &&
		s->no_stop_weight == catalyst_risk_no_stop_weight;
}

/* A setting as a numeric: float8 to numeric keeps 15 significant digits, so 0.05 is 0.05. */
static Datum
setting_numeric(double value)
{
	return DirectFunctionCall1(float8_numeric, Float8GetDatum(value));
}

/* v_risk_score := v_risk_score + weight: numeric addition, then the DECIMAL(3,2) rounding */
static Datum
add_weight(Datum score, double weight)
{
	Datum		sum = DirectFunctionCall2(numeric_add, score, setting_numeric(weight));

	return DirectFunctionCall2(numeric, sum, Int32GetDatum(RISK_SCORE_TYPMOD));
}

static int
numeric_compare(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

/* ceil(100 * threshold): a value in whole cents v is below threshold iff v < this */
static int64
threshold_cents(Datum threshold)
{
	Datum		hundredfold = DirectFunctionCall2(numeric_mul, threshold,
												  NumericGetDatum(int64_to_numeric(100)));

	return DatumGetInt64(DirectFunctionCall1(numeric_int8,
											 DirectFunctionCall1(numeric_ceil, hundredfold)));
}

/*
 * risk_stop_distance as numerator / 10^scale, when both fit in an int64 (always, but for
 * settings with more than 18 decimals).
 */
static void
stop_fraction(RiskConstants *k)
{
	int			scale = DatumGetInt32(DirectFunctionCall1(numeric_scale, k->stop_distance));
	int64		denominator = 1;
	Datum		scaled;

	k->stop_exact = false;
	if (scale > 18)
		return;
	for (int i = 0; i < scale; i++)
		denominator *= 10;
	scaled = DirectFunctionCall2(numeric_mul, k->stop_distance,
								 NumericGetDatum(int64_to_numeric(denominator)));
	if (numeric_compare(scaled, NumericGetDatum(int64_to_numeric(PG_INT64_MAX))) > 0)
		return;
	k->stop_numerator = DatumGetInt64(DirectFunctionCall1(numeric_int8, scaled));
	k->stop_denominator = denominator;
	k->stop_exact = true;
}

/* The seed's score for one combination of rules, with its own numeric arithmetic. */
static Datum
seed_score(const RiskSettings *s, RiskPnl pnl, bool long_hold, RiskStop stop, Datum one)
{
	Datum		score = DirectFunctionCall2(numeric, NumericGetDatum(int64_to_numeric(0)),
											Int32GetDatum(RISK_SCORE_TYPMOD));

	if (pnl == PNL_LOSS_HIGH)
		score = add_weight(score, s->loss_high_weight);
	else if (pnl == PNL_LOSS)
		score = add_weight(score, s->loss_weight);
	if (long_hold)
		score = add_weight(score, s->hold_weight);
	if (stop == STOP_FAR)
		score = add_weight(score, s->stop_distance_weight);
	else if (stop == STOP_NONE)
		score = add_weight(score, s->no_stop_weight);
	/* LEAST(v_risk_score, 1.0) keeps its first argument unless the second is smaller */
	return numeric_compare(score, one) > 0 ? one : score;
}

const RiskConstants *
catalyst_risk_constants(void)
{
	RiskConstants *k = &risk_constants;
	RiskSettings now;
	MemoryContext cxt;
	MemoryContext old;
	Datum		one;

	if (k->valid && settings_unchanged(&k->settings))
		return k;

	current_settings(&now);
	k->valid = false;
	if (k->cxt)
		MemoryContextDelete(k->cxt);
	k->cxt = NULL;
	cxt = AllocSetContextCreate(TopMemoryContext, "catalyst risk constants", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		k->settings = now;
		k->loss_high = setting_numeric(now.loss_high);
		k->loss = setting_numeric(now.loss);
		k->loss_high_cents = threshold_cents(k->loss_high);
		k->loss_cents = threshold_cents(k->loss);
		k->hold_usecs = (int64) rint(now.hold_hours * (double) USECS_PER_HOUR);
		k->stop_distance = setting_numeric(now.stop_distance);
		stop_fraction(k);
		/* the seed's literal 1.0 */
		one = NumericGetDatum(int64_div_fast_to_numeric(10, 1));
		for (int pnl = 0; pnl < PNL_CLASSES; pnl++)
			for (int hold = 0; hold < 2; hold++)
				for (int stop = 0; stop < STOP_CLASSES; stop++)
					k->score[pnl][hold][stop] = seed_score(&now, pnl, hold, stop, one);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	k->cxt = cxt;
	k->valid = true;
	return k;
}

/* ------------------------------------------------------------------------------------------
 * Deciding the rules for one row
 * ------------------------------------------------------------------------------------------
 */

/*
 * The value of a numeric in whole cents, when it has no more than two decimals and fewer than 17
 * integer digits (every value of positions' DECIMAL(10,2) and (12,2) columns); false otherwise
 * (NaN, infinities, more decimals, too large), and the caller uses the numeric functions.
 *
 * This reads the stored form of numeric, which numeric.c keeps private; it is an on-disk format,
 * unchanged since PostgreSQL 9.1 (pg_upgrade keeps numeric columns as they are).  Reading it in
 * place spares the copy that every numeric function makes of a packed column value.
 */
#define NUMERIC_SIGN_MASK				0xC000
#define NUMERIC_NEG						0x4000
#define NUMERIC_SHORT					0x8000
#define NUMERIC_SPECIAL					0xC000
#define NUMERIC_SHORT_SIGN_MASK			0x2000
#define NUMERIC_SHORT_WEIGHT_SIGN_MASK	0x0040
#define NUMERIC_SHORT_WEIGHT_MASK		0x003F
#define NUMERIC_NBASE					10000

static bool
numeric_cents(Datum value, int64 *cents)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(value);
	const char *data;
	int			len;
	int			ndigits;
	int			weight;
	uint16		header;
	bool		negative;
	int64		acc = 0;

	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		return false;			/* compressed or out of line */
	data = VARDATA_ANY(v);
	len = VARSIZE_ANY_EXHDR(v);
	if (len < (int) sizeof(uint16))
		return false;
	/* a packed value is not aligned: read its 16-bit words with memcpy */
	memcpy(&header, data, sizeof(uint16));
	if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL)
		return false;
	if (header & NUMERIC_SHORT)
	{
		negative = (header & NUMERIC_SHORT_SIGN_MASK) != 0;
		weight = ((header & NUMERIC_SHORT_WEIGHT_SIGN_MASK) ? ~NUMERIC_SHORT_WEIGHT_MASK : 0) |
			(header & NUMERIC_SHORT_WEIGHT_MASK);
		data += sizeof(uint16);
		len -= sizeof(uint16);
	}
	else
	{
		int16		w;

		if (len < (int) (2 * sizeof(uint16)))
			return false;
		negative = (header & NUMERIC_SIGN_MASK) == NUMERIC_NEG;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		weight = w;
		data += 2 * sizeof(uint16);
		len -= 2 * sizeof(uint16);
	}
	ndigits = len / sizeof(int16);
	if (ndigits == 0)
	{
		*cents = 0;
		return true;
	}
	/* digit i (base 10000) weighs 10000^(weight - i); keep values below 10^16 */
	if (weight > 3 || weight - (ndigits - 1) < -1)
		return false;
	for (int power = weight; power >= -1; power--)
	{
		int			i = weight - power;
		int16		digit = 0;

		if (i < ndigits)
			memcpy(&digit, data + i * sizeof(int16), sizeof(int16));
		if (power >= 0)
			acc = acc * NUMERIC_NBASE + digit;
		else
		{
			/* the first fractional digit holds four decimals: the last two must be zero */
			if (digit % 100 != 0)
				return false;
			acc = acc * 100 + digit / 100;
		}
	}
	*cents = negative ? -acc : acc;
	return true;
}

static RiskPnl
pnl_class(const RiskConstants *k, Datum pnl)
{
	int64		cents;

	if (numeric_cents(pnl, &cents))
	{
		if (cents < k->loss_high_cents)
			return PNL_LOSS_HIGH;
		return cents < k->loss_cents ? PNL_LOSS : PNL_NONE;
	}
	if (DatumGetBool(DirectFunctionCall2(numeric_lt, pnl, k->loss_high)))
		return PNL_LOSS_HIGH;
	return DatumGetBool(DirectFunctionCall2(numeric_lt, pnl, k->loss)) ? PNL_LOSS : PNL_NONE;
}

/*
 * COALESCE(closed_at, now()) - opened_at > risk_hold_hours.  The interval timestamptz - timestamptz
 * gives compares as its length in microseconds; PostgreSQL 15 computes that length without an
 * overflow check, and so does this (unsigned arithmetic wraps as its signed one does).
 *
 * PostgreSQL 15 cannot subtract infinite timestamps, and the seed fails there; so that one such
 * value cannot fail a whole refresh, an infinite end makes the hold time infinite (opened at
 * -infinity, or closed at +infinity: a long hold; the other way round: not).  positions refuses
 * infinite opened_at and closed_at since 4.2 (sql/catalyst--4.1--4.2/25-risk.sql), so only
 * position_risk_score()'s arguments, or rows of a database not yet updated, get here.
 */
static bool
long_hold(const RiskConstants *k, TimestampTz opened_at, bool open, TimestampTz closed_at)
{
	TimestampTz end = open ? GetCurrentTransactionStartTimestamp() : closed_at;

	if (TIMESTAMP_NOT_FINITE(end) || TIMESTAMP_NOT_FINITE(opened_at))
	{
		/* +infinity - +infinity and -infinity - -infinity have no value */
		if (end == opened_at)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("a position opened and closed at the same infinite time has no hold "
							"time"),
					 errdetail("opened_at and closed_at are both %s.",
							   TIMESTAMP_IS_NOBEGIN(end) ? "-infinity" : "infinity"),
					 errhint("Give opened_at and closed_at real points in time.")));
		return TIMESTAMP_IS_NOEND(end) || TIMESTAMP_IS_NOBEGIN(opened_at);
	}
	return (int64) ((uint64) end - (uint64) opened_at) > k->hold_usecs;
}

/*
 * |entry_price - stop_loss| / entry_price > risk_stop_distance.
 *
 * With both prices in whole cents (entry E > 0, distance D = |E - S|) the quotient is exactly
 * D / E, and D / E > n / d  <=>  D * d > n * E.  numeric division rounds the quotient q to at
 * least 16 significant digits, an error below q * 10^-16, so the exact comparison is the seed's
 * whenever q and the threshold differ by more than q * 10^-15; otherwise (a stop exactly at the
 * threshold, for one) the seed's own numeric expression decides.
 */
static bool
far_stop(const RiskConstants *k, Datum entry_price, Datum stop_loss)
{
	int64		entry;
	int64		stop;
	Datum		distance;

	if (k->stop_exact && numeric_cents(entry_price, &entry) && numeric_cents(stop_loss, &stop) &&
		entry > 0)
	{
		int64		distance = entry > stop ? entry - stop : stop - entry;
		int64		lhs;
		int64		rhs;

		if (!pg_mul_s64_overflow(distance, k->stop_denominator, &lhs) &&
			!pg_mul_s64_overflow(k->stop_numerator, entry, &rhs))
		{
			int64		band = lhs / INT64CONST(1000000000000000);

			if (lhs - rhs > band)
				return true;
			if (rhs - lhs > band)
				return false;
		}
	}
	distance = DirectFunctionCall1(numeric_abs,
								   DirectFunctionCall2(numeric_sub, entry_price, stop_loss));
	return DatumGetBool(DirectFunctionCall2(numeric_gt,
											DirectFunctionCall2(numeric_div, distance, entry_price),
											k->stop_distance));
}

Datum
catalyst_risk_score(const RiskConstants *k, const RiskColumns *cols, const Datum *values,
					const bool *isnull)
{
	RiskPnl		pnl = PNL_NONE;
	bool		hold = false;
	RiskStop	stop;

#define COLUMN(c) values[(c) - 1]
#define COLUMN_NULL(c) isnull[(c) - 1]
	if (!COLUMN_NULL(cols->unrealized_pnl))
		pnl = pnl_class(k, COLUMN(cols->unrealized_pnl));
	if (!COLUMN_NULL(cols->opened_at))
		hold = long_hold(k, DatumGetTimestampTz(COLUMN(cols->opened_at)),
						 COLUMN_NULL(cols->closed_at),
						 DatumGetTimestampTz(COLUMN(cols->closed_at)));
	if (COLUMN_NULL(cols->stop_loss))
		stop = STOP_NONE;
	else if (COLUMN_NULL(cols->entry_price))
		stop = STOP_NEAR;
	else
		stop = far_stop(k, COLUMN(cols->entry_price),
						COLUMN(cols->stop_loss)) ? STOP_FAR : STOP_NEAR;
#undef COLUMN
#undef COLUMN_NULL
	return k->score[pnl][hold][stop];
}
