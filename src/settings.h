/*
 * settings.h: the catalyst.* configuration parameters (settings.c; README, "Settings").
 */
#ifndef CATALYST_SETTINGS_H
#define CATALYST_SETTINGS_H

#include "postgres.h"

/* Trading calendar */
extern char *catalyst_trading_timezone;

/* Metrics roll-up */
extern int	catalyst_fold_batch;

/* Partition maintenance and retention */
extern int	catalyst_premake_months;
extern int	catalyst_scan_retention_days;
extern int	catalyst_audit_retention_days;
extern int	catalyst_position_archive_days;
extern bool catalyst_retention_keep_detached;

/* Row auditing */
extern bool catalyst_audit_enabled;

/* Risk scoring */
extern double catalyst_risk_loss_high;
extern double catalyst_risk_loss_high_weight;
extern double catalyst_risk_loss;
extern double catalyst_risk_loss_weight;
extern double catalyst_risk_hold_hours;
extern double catalyst_risk_hold_weight;
extern double catalyst_risk_stop_distance;
extern double catalyst_risk_stop_distance_weight;
extern double catalyst_risk_no_stop_weight;

/* Define the catalyst.* parameters and reserve the prefix (at library load, _PG_init()). */
extern void catalyst_define_settings(void);

#endif							/* CATALYST_SETTINGS_H */
