/*
 * risk.c: the risk score of a position (seed: calculate_position_risk() in PL/pgSQL).
 *
 * The score is the seed's, to the digit.  The seed adds a weight per rule into a DECIMAL(3,2)
 * variable, rounding after each addition, and returns LEAST(score, 1.0):
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
 *
 * The ways in:
 *   catalyst_position_risk(position_id)   reads the row through positions_pkey, keeping the
 *       index scan from one call to the next (see "Reading a position by id");
 *   position_risk_score(unrealized_pnl, opened_at, closed_at, stop_loss, entry_price)
 *       scores the columns it is given.  The row form catalyst_position_risk(p positions) is a
 *       SQL function over it that the planner inlines: p.unrealized_pnl and the rest become the
 *       scan's own columns, and the whole row is never built (README, "Risk scoring");
 *   refresh_position_risk(cycle_id)       one UPDATE writing risk_score of the open positions.
 */
#include "postgres.h"

#include "catalyst.h"
#include "run_as_owner.h"
#include "settings.h"
#include "spi_util.h"

#include <math.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
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

typedef struct RiskConstants
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
} RiskConstants;

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

static const RiskConstants *
risk_constants_current(void)
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

/* Where the columns the score reads are, in a row of positions (attribute numbers) */
typedef struct RiskColumns
{
	AttrNumber	unrealized_pnl;
	AttrNumber	opened_at;
	AttrNumber	closed_at;
	AttrNumber	stop_loss;
	AttrNumber	entry_price;
	AttrNumber	last;			/* the highest of them */
} RiskColumns;

/* The order of position_risk_score()'s arguments, and of the SPI query's columns */
static const RiskColumns argument_columns = {1, 2, 3, 4, 5, 5};

static AttrNumber
column_of(TupleDesc desc, const char *name, Oid type)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
		{
			if (att->atttypid != type)
				break;
			return att->attnum;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("catalyst.positions has no column \"%s\" of type %s", name,
					format_type_be(type)),
			 errhint("The risk score reads unrealized_pnl, opened_at, closed_at, stop_loss and "
					 "entry_price.")));
	return InvalidAttrNumber;	/* keep the compiler quiet */
}

static void
risk_columns_of(TupleDesc desc, RiskColumns *cols)
{
	cols->unrealized_pnl = column_of(desc, "unrealized_pnl", NUMERICOID);
	cols->opened_at = column_of(desc, "opened_at", TIMESTAMPTZOID);
	cols->closed_at = column_of(desc, "closed_at", TIMESTAMPTZOID);
	cols->stop_loss = column_of(desc, "stop_loss", NUMERICOID);
	cols->entry_price = column_of(desc, "entry_price", NUMERICOID);
	cols->last = Max(Max(Max(cols->unrealized_pnl, cols->opened_at), Max(cols->closed_at,
																		 cols->stop_loss)),
					 cols->entry_price);
}

/*
 * The score of one row, given its deformed columns (values[attnum - 1]).  Comparisons with NULL
 * add nothing, as in the seed; the result is the cached numeric, to be copied by the caller.
 */
static Datum
risk_score_of(const RiskConstants *k, const RiskColumns *cols, const Datum *values,
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

/* ------------------------------------------------------------------------------------------
 * Cache invalidation
 *
 * The OIDs of positions and positions_pkey are cached, and so is, per calling expression, an
 * index scan with the access check it relies on.  risk_epoch advances whenever any may be
 * stale: a relcache invalidation of positions or its key (DDL, GRANT/REVOKE, ALTER ... ROW LEVEL
 * SECURITY, VACUUM's statistics), the end of a transaction (a privilege check stands for one
 * transaction) and the abort of a subtransaction (whose locks are gone).
 * ------------------------------------------------------------------------------------------
 */
static Oid	positions_relid = InvalidOid;
static Oid	positions_pkey = InvalidOid;
static uint64 risk_epoch = 1;

static void
risk_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == positions_relid || relid == positions_pkey)
	{
		positions_relid = InvalidOid;
		positions_pkey = InvalidOid;
		risk_epoch++;
	}
}

static void
risk_xact_callback(XactEvent event, void *arg)
{
	if (event != XACT_EVENT_PRE_COMMIT && event != XACT_EVENT_PARALLEL_PRE_COMMIT &&
		event != XACT_EVENT_PRE_PREPARE)
		risk_epoch++;
}

static void
risk_subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid,
					  void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		risk_epoch++;
}

static void
risk_register_callbacks(void)
{
	static bool registered = false;

	if (registered)
		return;
	CacheRegisterRelcacheCallback(risk_relcache_callback, (Datum) 0);
	RegisterXactCallback(risk_xact_callback, NULL);
	RegisterSubXactCallback(risk_subxact_callback, NULL);
	registered = true;
}

static void
resolve_positions(void)
{
	Oid			relid = catalyst_relid("positions");
	Relation	rel = table_open(relid, AccessShareLock);
	Oid			pkey = RelationGetPrimaryKeyIndex(rel);

	table_close(rel, NoLock);
	if (!OidIsValid(pkey))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("catalyst.positions has no primary key"),
				 errhint("The extension's install script creates positions_pkey on position_id.")));
	/* set last: opening the table may have run the callback above */
	positions_relid = relid;
	positions_pkey = pkey;
}

/* ------------------------------------------------------------------------------------------
 * Reading a position by id
 *
 * Straight through positions_pkey, as a nested loop's inner index scan does: the scan is begun
 * once per calling expression (fn_extra) and rescanned for each id.  Between calls it holds no
 * resource at all, only memory: no buffer pin (released before each call returns), no relcache
 * reference (a call holds its own while it runs, and the one index_beginscan takes is given back
 * at once), no tuple descriptor pin (the slot has a private copy).  So nothing is left to
 * clean up when the query ends, errors out, or its expression outlives it (a PL/pgSQL simple
 * expression lives for the transaction); the memory goes with fn_mcxt.  A scan is rebuilt, not
 * trusted, when risk_epoch has moved, when the relations opened are not the ones it was built on,
 * or when the call that last used it did not finish (an error in the middle of it).
 *
 * A direct read would bypass privileges and row-level security.  So it is taken only when the
 * current user has SELECT on positions and row-level security does not apply to the user;
 * otherwise the row is read through SPI, with the user's privileges and policies.
 * ------------------------------------------------------------------------------------------
 */
typedef struct PositionProbe
{
	uint64		epoch;			/* risk_epoch when access and scan were set up */
	Oid			userid;			/* whose access was checked */
	bool		direct;			/* read through the index (else through SPI) */
	bool		busy;			/* a call is using the scan; still set if it failed */
	MemoryContext cxt;			/* the scan's memory */
	Relation	heap;			/* the relations the scan was built on: compared, */
	Relation	index;			/* never used after their call returned */
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData key;
	RiskColumns cols;
} PositionProbe;

static PositionProbe *
position_probe(FmgrInfo *flinfo)
{
	PositionProbe *probe = (PositionProbe *) flinfo->fn_extra;

	if (probe == NULL)
	{
		probe = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(PositionProbe));
		probe->cxt = AllocSetContextCreate(flinfo->fn_mcxt, "catalyst position probe",
										   ALLOCSET_DEFAULT_SIZES);
		flinfo->fn_extra = probe;
	}
	return probe;
}

/* Its access check (and scan) are from before an invalidation, or for another user */
static bool
probe_stale(const PositionProbe *probe)
{
	return probe->epoch != risk_epoch || probe->userid != GetUserId();
}

static bool
direct_read_allowed(Oid relid)
{
	/* without table-wide SELECT (column privileges, say), SPI's query decides */
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return false;
	return check_enable_rls(relid, InvalidOid, false) != RLS_ENABLED;
}

static void
check_primary_key(Relation heap, Relation index, AttrNumber position_id)
{
	if (index->rd_rel->relam != BTREE_AM_OID ||
		IndexRelationGetNumberOfKeyAttributes(index) != 1 ||
		index->rd_index->indkey.values[0] != position_id ||
		TupleDescAttr(RelationGetDescr(index), 0)->atttypid != INT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the primary key of catalyst.positions is not a btree index on position_id "
						"alone"),
				 errhint("The extension's install script creates positions_pkey on position_id.")));
}

static void
probe_build(PositionProbe *probe, Relation heap, Relation index)
{
	MemoryContext old;

	/* whatever an earlier scan left holds no resource: its memory is all there is */
	probe->scan = NULL;
	MemoryContextReset(probe->cxt);

	risk_columns_of(RelationGetDescr(heap), &probe->cols);
	check_primary_key(heap, index, column_of(RelationGetDescr(heap), "position_id", INT4OID));

	old = MemoryContextSwitchTo(probe->cxt);
	probe->slot = MakeSingleTupleTableSlot(CreateTupleDescCopyConstr(RelationGetDescr(heap)),
										   table_slot_callbacks(heap));
	probe->scan = index_beginscan(heap, index, GetActiveSnapshot(), 1, 0);
	/* the scan outlives this call; the relcache reference it took may not (see above) */
	RelationDecrementReferenceCount(index);
	ScanKeyInit(&probe->key, 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(0));
	MemoryContextSwitchTo(old);
	probe->heap = heap;
	probe->index = index;
}

/*
 * Reads position_id's columns through the index into the probe's slot and scores them; false if
 * there is no such row.
 */
static bool
score_direct(PositionProbe *probe, const RiskConstants *k, Oid relid, Oid pkey, int32 position_id,
			 Datum *score)
{
	Relation	heap;
	Relation	index;
	TupleTableSlot *slot;
	MemoryContext old;
	bool		found;
#ifdef RELCACHE_FORCE_RELEASE
	/* a debugging build that frees a relcache entry as soon as nobody references it */
	bool		reuse = false;
#else
	bool		reuse = probe->scan != NULL && !probe->busy;
#endif

	if (reuse)
	{
		/*
		 * The scan's relations.  They are still locked: the scan was built in this transaction,
		 * under locks held to its end, and a scan is dropped whenever risk_epoch moves, at every
		 * transaction end and subtransaction abort.  And their relcache entries are still where
		 * they were: unreferenced, an entry is freed or rebuilt only by an invalidation, which
		 * moves risk_epoch too.  References are held while the call uses them.
		 */
		heap = probe->heap;
		index = probe->index;
		RelationIncrementReferenceCount(heap);
		RelationIncrementReferenceCount(index);
	}
	else
	{
		heap = table_open(relid, AccessShareLock);
		index = index_open(pkey, AccessShareLock);
		if (probe->scan == NULL || probe->busy || probe->heap != heap || probe->index != index)
			probe_build(probe, heap, index);
	}
	slot = probe->slot;

	if (!ActiveSnapshotSet())
		elog(ERROR, "catalyst_position_risk() called without an active snapshot");
	probe->busy = true;
	/* the index AM allocates in the current context and keeps what it allocates for the scan */
	old = MemoryContextSwitchTo(probe->cxt);
	/* the caller's snapshot, as a STABLE function's reads see */
	probe->scan->xs_snapshot = GetActiveSnapshot();
	probe->key.sk_argument = Int32GetDatum(position_id);
	index_rescan(probe->scan, &probe->key, 1, NULL, 0);
	found = index_getnext_slot(probe->scan, ForwardScanDirection, slot);
	MemoryContextSwitchTo(old);

	if (found)
	{
		slot_getsomeattrs(slot, probe->cols.last);
		*score = risk_score_of(k, &probe->cols, slot->tts_values, slot->tts_isnull);
	}

	/* leave no buffer pinned: the slot's, the heap fetch's and the index page's */
	ExecClearTuple(slot);
	old = MemoryContextSwitchTo(probe->cxt);
	index_rescan(probe->scan, &probe->key, 1, NULL, 0);
	MemoryContextSwitchTo(old);
	probe->busy = false;

	/* the locks stay, as a query's do, to the end of the transaction */
	RelationClose(index);
	RelationClose(heap);
	return found;
}

/* The same read through SPI, where row-level security or column privileges apply. */
static bool
score_via_spi(const RiskConstants *k, int32 position_id, Datum *score)
{
	static SPIPlanPtr plan = NULL;
	Datum		arg = Int32GetDatum(position_id);
	bool		found;

	catalyst_spi_connect();
	if (plan == NULL)
	{
		Oid			argtype = INT4OID;

		plan = catalyst_keep_plan("SELECT unrealized_pnl, opened_at, closed_at, stop_loss,"
								  " entry_price"
								  " FROM " CATALYST_SCHEMA ".positions"
								  " WHERE position_id OPERATOR(pg_catalog.=) $1",
								  1, &argtype);
	}
	found = catalyst_spi_query_plan(plan, &arg, NULL, 1) == 1;
	if (found)
	{
		Datum		values[5];
		bool		isnull[5];

		for (int i = 0; i < 5; i++)
			values[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1,
									  &isnull[i]);
		*score = risk_score_of(k, &argument_columns, values, isnull);
	}
	catalyst_spi_finish();
	return found;
}

/* The score of position position_id, for the by-id functions below */
static Datum
position_risk_by_id(FunctionCallInfo fcinfo, int32 position_id)
{
	const RiskConstants *k = risk_constants_current();
	PositionProbe *probe = position_probe(fcinfo->flinfo);
	Datum		score = (Datum) 0;
	bool		found;
	Oid			relid;
	Oid			pkey;

	risk_register_callbacks();
	if (!OidIsValid(positions_relid))
		resolve_positions();
	if (probe_stale(probe))
	{
		/*
		 * Lock before checking access: taking the lock processes pending invalidations, so the
		 * check sees the privileges and policies of now, as a query's would.
		 */
		LockRelationOid(positions_relid, AccessShareLock);
		if (!OidIsValid(positions_relid))
			resolve_positions();
	}
	/* copies: invalidations met from here on reset the cache, not these */
	relid = positions_relid;
	pkey = positions_pkey;
	if (probe_stale(probe))
	{
		/* the epoch before the check: an invalidation the check itself meets forces another */
		uint64		epoch = risk_epoch;

		probe->direct = direct_read_allowed(relid);
		probe->userid = GetUserId();
		probe->scan = NULL;
		probe->epoch = epoch;
	}
	if (probe->direct)
		found = score_direct(probe, k, relid, pkey, position_id, &score);
	else
		found = score_via_spi(k, position_id, &score);
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("position %d does not exist", position_id)));
	return datumCopy(score, false, -1);
}

/* SQL-callable functions */

/* catalyst_position_risk(position_id integer), and the seed's calculate_position_risk(integer) */
PG_FUNCTION_INFO_V1(catalyst_position_risk_by_id);
Datum
catalyst_position_risk_by_id(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(position_risk_by_id(fcinfo, PG_GETARG_INT32(0)));
}

/*
 * catalyst_position_risk(position_id text), since 4.2: the id as text.  A parameter whose type the
 * client leaves open (node-postgres, asyncpg, pgbench -M prepared) matches both the integer and
 * the positions-row overloads, which PostgreSQL cannot choose between; given a text overload, it
 * takes that one (an untyped value "looks like a string"), and the id is read here as int4in
 * reads it.
 */
PG_FUNCTION_INFO_V1(catalyst_position_risk_by_text);
Datum
catalyst_position_risk_by_text(PG_FUNCTION_ARGS)
{
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_DATUM(position_risk_by_id(fcinfo, pg_strtoint32(id)));
}

/*
 * position_risk_score(unrealized_pnl, opened_at, closed_at, stop_loss, entry_price), the body of
 * the row form.  That one cannot be STRICT and still be inlined, so NULL in, NULL out is decided
 * here: opened_at and entry_price are NOT NULL in positions, so without both there is no position
 * (the NULL row); any other NULL counts as in the seed.
 */
PG_FUNCTION_INFO_V1(catalyst_position_risk_of_columns);
Datum
catalyst_position_risk_of_columns(PG_FUNCTION_ARGS)
{
	const RiskConstants *k = risk_constants_current();
	Datum		values[5];
	bool		isnull[5];

	for (int i = 0; i < 5; i++)
	{
		values[i] = PG_GETARG_DATUM(i);
		isnull[i] = PG_ARGISNULL(i);
	}
	if (isnull[argument_columns.opened_at - 1] && isnull[argument_columns.entry_price - 1])
		PG_RETURN_NULL();
	PG_RETURN_DATUM(datumCopy(risk_score_of(k, &argument_columns, values, isnull), false, -1));
}

/*
 * The catalyst.risk_* settings the scores are written with: their values without any SET made in
 * this session (the server's configuration, ALTER DATABASE ... SET, ALTER ROLE ... SET, the
 * connection's options), for the rest of the calling function, as a SET clause of a function
 * would.  The scores refresh_position_risk() writes are read by everyone; a session trying other
 * thresholds (a superuser's, the only one who may) must not write its scores for everyone.
 */
static const char *const risk_setting_names[] = {
	"catalyst.risk_loss_high", "catalyst.risk_loss_high_weight",
	"catalyst.risk_loss", "catalyst.risk_loss_weight",
	"catalyst.risk_hold_hours", "catalyst.risk_hold_weight",
	"catalyst.risk_stop_distance", "catalyst.risk_stop_distance_weight",
	"catalyst.risk_no_stop_weight",
};

static void
use_database_wide_settings(void)
{
	struct config_generic **guc = get_guc_variables();
	int			nguc = GetNumConfigOptions();

	for (size_t i = 0; i < lengthof(risk_setting_names); i++)
	{
		const struct config_real *setting = NULL;
		char		value[64];

		for (int j = 0; j < nguc && setting == NULL; j++)
			if (guc[j]->vartype == PGC_REAL && strcmp(guc[j]->name, risk_setting_names[i]) == 0)
				setting = (const struct config_real *) guc[j];
		if (setting == NULL)
			elog(ERROR, "setting %s is not defined", risk_setting_names[i]);
		/* the exact double: the reset value is read from the setting, not from its %g display */
		snprintf(value, sizeof(value), "%.17g", setting->reset_val);
		(void) set_config_option(risk_setting_names[i], value, PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
}

/*
 * refresh_position_risk(cycle_id varchar DEFAULT NULL): one UPDATE setting risk_score of every
 * open position (of one cycle) whose score has changed; returns how many it updated.  Runs as the
 * owner of positions, like the extension's other writes to its own tables, with the settings'
 * database-wide values (use_database_wide_settings()).
 *
 * It never waits for a row lock: it locks the rows to update with SKIP LOCKED and updates only
 * those, so a row a trader's transaction holds is left for the next run, and the refresh cannot
 * deadlock with a trader's multi-row update (it would otherwise lock some of the trader's rows
 * and wait for the others, while the trader waits for those it holds).
 */
PG_FUNCTION_INFO_V1(catalyst_refresh_position_risk);
Datum
catalyst_refresh_position_risk(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr all_plan = NULL;
	static SPIPlanPtr cycle_plan = NULL;
#define CHANGED_OPEN_POSITIONS \
	"SELECT q.position_id FROM " CATALYST_SCHEMA ".positions q" \
	" WHERE q.status OPERATOR(pg_catalog.=) 'open'" \
	" AND (q.risk_score IS NULL" \
	" OR q.risk_score OPERATOR(pg_catalog.<>) " CATALYST_SCHEMA ".catalyst_position_risk(q))"
#define REFRESH_SQL(cycle_condition) \
	"UPDATE " CATALYST_SCHEMA ".positions p" \
	" SET risk_score = " CATALYST_SCHEMA ".catalyst_position_risk(p)" \
	" FROM (" CHANGED_OPEN_POSITIONS cycle_condition " FOR NO KEY UPDATE OF q SKIP LOCKED) todo" \
	" WHERE p.position_id OPERATOR(pg_catalog.=) todo.position_id"
	CatalystSavedUser saved;
	uint64		updated;
	int			nestlevel = NewGUCNestLevel();

	use_database_wide_settings();
	catalyst_become_owner(catalyst_relid("positions"), &saved);
	catalyst_spi_connect();
	if (PG_ARGISNULL(0))
	{
		if (all_plan == NULL)
			all_plan = catalyst_keep_plan(REFRESH_SQL(""), 0, NULL);
		updated = catalyst_spi_exec_plan(all_plan, NULL, NULL, SPI_OK_UPDATE, 0);
	}
	else
	{
		Datum		cycle_id = PG_GETARG_DATUM(0);

		if (cycle_plan == NULL)
		{
			Oid			argtype = VARCHAROID;

			cycle_plan =
				catalyst_keep_plan(REFRESH_SQL(" AND q.cycle_id OPERATOR(pg_catalog.=) $1"),
								   1, &argtype);
		}
		updated = catalyst_spi_exec_plan(cycle_plan, &cycle_id, NULL, SPI_OK_UPDATE, 0);
	}
#undef REFRESH_SQL
#undef CHANGED_OPEN_POSITIONS
	catalyst_spi_finish();
	catalyst_restore_user(&saved);
	AtEOXact_GUC(true, nestlevel);
	PG_RETURN_INT32((int32) updated);
}
