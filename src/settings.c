/*
 * settings.c: the catalyst.* configuration parameters (README, "Settings").
 *
 * All of them are defined here, in one place, so the README's table and this file can be read
 * side by side.  The prefix is reserved: a misspelt catalyst.* name is an error, not a silent
 * placeholder.
 */
#include "postgres.h"

#include "settings.h"

#include "pgtime.h"
#include "utils/guc.h"

/* Trading calendar */
char	   *catalyst_trading_timezone = NULL;

/* Metrics roll-up */
int			catalyst_fold_batch = 64;

/* Partition maintenance and retention */
int			catalyst_premake_months = 3;
int			catalyst_scan_retention_days = 30;
int			catalyst_audit_retention_days = 180;
int			catalyst_position_archive_days = 90;
bool		catalyst_retention_keep_detached = false;

/* Row auditing */
bool		catalyst_audit_enabled = true;

/* Risk scoring: the seed's thresholds and weights are the defaults */
double		catalyst_risk_loss_high = -500.0;
double		catalyst_risk_loss_high_weight = 0.3;
double		catalyst_risk_loss = -200.0;
double		catalyst_risk_loss_weight = 0.2;
double		catalyst_risk_hold_hours = 4.0;
double		catalyst_risk_hold_weight = 0.2;
double		catalyst_risk_stop_distance = 0.05;
double		catalyst_risk_stop_distance_weight = 0.2;
double		catalyst_risk_no_stop_weight = 0.3;

/*
 * catalyst.trading_timezone decides the trading date every session files a trade under: one
 * value per database.  Only the server's configuration (postgresql.conf, ALTER SYSTEM) and
 * ALTER DATABASE may set it; SET, a function's SET clause, ALTER ROLE and a client's startup
 * options are refused.  PGC_S_TEST is ALTER DATABASE (or ALTER SYSTEM) checking the value.
 */
static bool
check_trading_timezone(char **newval, void **extra, GucSource source)
{
	if (source > PGC_S_DATABASE && source != PGC_S_TEST)
	{
		GUC_check_errcode(ERRCODE_CANT_CHANGE_RUNTIME_PARAM);
		GUC_check_errmsg("catalyst.trading_timezone can only be set for the whole database");
		GUC_check_errdetail("Two sessions must file a trade under the same trading date.");
		GUC_check_errhint("Use ALTER DATABASE ... SET catalyst.trading_timezone = '...' (new "
						  "sessions see it), or postgresql.conf / ALTER SYSTEM for every "
						  "database.");
		return false;
	}
	if (*newval == NULL || pg_tzset(*newval) == NULL)
	{
		GUC_check_errdetail("\"%s\" is not a time zone name known to this server.",
							*newval ? *newval : "");
		GUC_check_errhint("Use a name from pg_timezone_names, such as 'America/New_York' or "
						  "'UTC'.");
		return false;
	}
	return true;
}

/*
 * The risk thresholds and weights are the firm's risk policy, and refresh_position_risk() writes
 * the scores they give into positions for everyone to read: only a superuser (or a role a
 * superuser grants SET on them; catalyst grants none) may set them.  refresh_position_risk()
 * scores with their database-wide values, never with a SET made in the calling session (risk.c).
 */
static void
define_real(const char *name, const char *desc, double *var, double boot, double min, double max)
{
	DefineCustomRealVariable(name, desc, NULL, var, boot, min, max,
							 PGC_SUSET, 0, NULL, NULL, NULL);
}

static void
define_days(const char *name, const char *desc, int *var, int boot)
{
	DefineCustomIntVariable(name, desc, NULL, var, boot, 1, 36500,
							PGC_SUSET, 0, NULL, NULL, NULL);
}

void
catalyst_define_settings(void)
{
	DefineCustomStringVariable("catalyst.trading_timezone",
							   "Time zone whose calendar decides a trade's trading date.",
							   "The metrics roll-up and v_daily_performance file a position under "
							   "the date of closed_at in this zone, whatever the session's "
							   "TimeZone is.",
							   &catalyst_trading_timezone, "UTC",
							   PGC_SUSET, 0, check_trading_timezone, NULL, NULL);

	DefineCustomIntVariable("catalyst.fold_batch",
							"Closes of a cycle's day left pending before one close folds them "
							"into the day's metrics rows in one go.",
							"1 folds every close at once.  Reads stay exact either way: they "
							"merge the pending closes.",
							&catalyst_fold_batch, 64, 1, 1000,
							PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomIntVariable("catalyst.premake_months",
							"Months ahead of the current one that create_monthly_partitions() "
							"makes.",
							NULL, &catalyst_premake_months, 3, 0, 120,
							PGC_SUSET, 0, NULL, NULL, NULL);
	define_days("catalyst.scan_retention_days",
				"Days of scan_results kept; older whole-month partitions are retired.",
				&catalyst_scan_retention_days, 30);
	define_days("catalyst.audit_retention_days",
				"Days of audit_log kept; older whole-month partitions are retired.",
				&catalyst_audit_retention_days, 180);
	define_days("catalyst.position_archive_days",
				"Days after which closed positions move to positions_archive.",
				&catalyst_position_archive_days, 90);
	DefineCustomBoolVariable("catalyst.retention_keep_detached",
							 "Keep retired partitions as detached tables instead of dropping them.",
							 NULL, &catalyst_retention_keep_detached, false,
							 PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomBoolVariable("catalyst.audit",
							 "Write an audit_log row for every change to trading_cycles, orders "
							 "and positions.",
							 "Only a superuser may switch it; the switch itself is audited.",
							 &catalyst_audit_enabled, true,
							 PGC_SUSET, 0, NULL, NULL, NULL);

	define_real("catalyst.risk_loss_high",
				"Unrealized P&L below which a position scores risk_loss_high_weight.",
				&catalyst_risk_loss_high, -500.0, -1e12, 1e12);
	define_real("catalyst.risk_loss_high_weight", "Risk added for a large unrealized loss.",
				&catalyst_risk_loss_high_weight, 0.3, 0.0, 1.0);
	define_real("catalyst.risk_loss",
				"Unrealized P&L below which a position scores risk_loss_weight.",
				&catalyst_risk_loss, -200.0, -1e12, 1e12);
	define_real("catalyst.risk_loss_weight", "Risk added for a moderate unrealized loss.",
				&catalyst_risk_loss_weight, 0.2, 0.0, 1.0);
	define_real("catalyst.risk_hold_hours",
				"Hold time in hours beyond which a position scores risk_hold_weight.",
				&catalyst_risk_hold_hours, 4.0, 0.0, 1e6);
	define_real("catalyst.risk_hold_weight", "Risk added for a long hold.",
				&catalyst_risk_hold_weight, 0.2, 0.0, 1.0);
	define_real("catalyst.risk_stop_distance",
				"Distance of stop_loss from entry_price, as a fraction of entry_price, beyond "
				"which a position scores risk_stop_distance_weight.",
				&catalyst_risk_stop_distance, 0.05, 0.0, 1e6);
	define_real("catalyst.risk_stop_distance_weight", "Risk added for a distant stop loss.",
				&catalyst_risk_stop_distance_weight, 0.2, 0.0, 1.0);
	define_real("catalyst.risk_no_stop_weight", "Risk added for a position without a stop loss.",
				&catalyst_risk_no_stop_weight, 0.3, 0.0, 1.0);

	MarkGUCPrefixReserved("catalyst");
}
