/*
 * catalyst.h: declarations shared by the catalyst extension's C files.
 */
#ifndef CATALYST_H
#define CATALYST_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/date.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#if PG_VERSION_NUM < 150000
#error "catalyst requires PostgreSQL 15 or later"
#endif

/* The schema every object of the extension lives in (catalyst.control: schema = catalyst). */
#define CATALYST_SCHEMA "catalyst"

/* settings.c: the catalyst.* configuration parameters */
extern char *catalyst_trading_timezone;
extern int	catalyst_premake_months;
extern int	catalyst_scan_retention_days;
extern int	catalyst_audit_retention_days;
extern int	catalyst_position_archive_days;
extern bool catalyst_retention_keep_detached;
extern bool catalyst_audit_enabled;
extern double catalyst_risk_loss_high;
extern double catalyst_risk_loss_high_weight;
extern double catalyst_risk_loss;
extern double catalyst_risk_loss_weight;
extern double catalyst_risk_hold_hours;
extern double catalyst_risk_hold_weight;
extern double catalyst_risk_stop_distance;
extern double catalyst_risk_stop_distance_weight;
extern double catalyst_risk_no_stop_weight;

extern void catalyst_define_settings(void);

/* trading_day.c: the trading date of a timestamp, in catalyst.trading_timezone */
extern DateADT catalyst_trading_date_of(TimestampTz ts);
extern TimestampTz catalyst_trading_day_start_of(DateADT day);

/* run_as_owner.c: the extension's tables and acting as their owner */
typedef struct CatalystSavedUser
{
	Oid			userid;
	int			sec_context;
} CatalystSavedUser;

extern Oid	catalyst_relid(const char *relname);
extern Oid	catalyst_relation_owner(Oid relid);
extern void catalyst_become_owner(Oid relid, CatalystSavedUser *saved);
extern void catalyst_restore_user(const CatalystSavedUser *saved);
extern uint64 catalyst_exec_as_owner(const char *table, SPIPlanPtr *plan, const char *query,
									 int nargs, Oid *argtypes, Datum *values, const char *nulls,
									 int expected);

/* audit_log.c: one event appended to catalyst.audit_log (NULL fields stay NULL) */
typedef struct CatalystAuditEvent
{
	const char *cycle_id;
	const char *event_type;
	const char *event_category;
	const char *entity_type;
	const char *entity_id;
	const char *user_action;
	Jsonb	   *details;		/* NULL: '{}' */
} CatalystAuditEvent;

extern void catalyst_audit_event(const CatalystAuditEvent *event);

/* audit_log.c (security): audit_log is append-only but for the maintenance code */
extern uint64 catalyst_spi_exec_maintenance(const char *query, int nargs, Oid *argtypes,
											Datum *values, const char *nulls, int expected, long count);
extern void catalyst_audit_log_protect_partition(const char *qualified_partition);
extern void catalyst_audit_log_release_partition(const char *qualified_partition);

/*
 * partitions.c: the tables partitioned by month, the column each is partitioned by (timestamptz)
 * and the setting that gives its retention in days (retention.c)
 */
typedef struct CatalystPartitionedTable
{
	const char *table;
	const char *key;
	const int  *retention_days;
	/* what a new partition needs beyond its parent's privileges, or NULL */
	void		(*protect) (const char *qualified_partition);
	/* undoes protect for a partition detached and kept by retention, or NULL */
	void		(*release) (const char *qualified_partition);
} CatalystPartitionedTable;

#define CATALYST_N_PARTITIONED_TABLES 2
extern const CatalystPartitionedTable catalyst_partitioned_tables[CATALYST_N_PARTITIONED_TABLES];

/*
 * maintenance.c: around every maintenance job (create_monthly_partitions, cleanup_old_data):
 * nothing on a hot standby, one run at a time, the last run recorded in maintenance_runs.
 * The advisory lock's key is the eight bytes of "catalyst" (7161132844276347764), so a DBA can
 * find it in pg_locks or hold it: SELECT pg_advisory_xact_lock(7161132844276347764).
 */
#define CATALYST_MAINTENANCE_LOCK_KEY INT64CONST(0x636174616c797374)

typedef struct CatalystMaintenanceRun
{
	const char *job;			/* the SQL function's name */
	TimestampTz started_at;
	const char *run_by;			/* the calling role */
	const char *skip_reason;	/* set when catalyst_maintenance_begin() returns false */
} CatalystMaintenanceRun;

extern bool catalyst_maintenance_begin(const char *job, CatalystMaintenanceRun *run);
extern void catalyst_maintenance_record(const CatalystMaintenanceRun *run, Jsonb *summary);
extern Jsonb *catalyst_maintenance_skipped_summary(const CatalystMaintenanceRun *run);
extern void catalyst_append_json_names(StringInfo buf, List *names);
extern Jsonb *catalyst_jsonb_from_text(const char *json);

/* user_data.c: tables dumped as the user's, dropped with the extension */
extern void catalyst_bind_user_data(void);
/* restore.c: whether this session is a restore (session_replication_role = replica) */
extern bool catalyst_restoring(void);

/* position_close.c, metrics.c, columns.c: closing positions and the performance_metrics roll-up */
extern int	catalyst_column(TupleDesc desc, const char *name, Oid type, int *cached);

extern void catalyst_metrics_add_close(HeapTuple position, TupleDesc desc);
extern void catalyst_metrics_mark_position(HeapTuple position, TupleDesc desc);
extern bool catalyst_metrics_trade_changed(HeapTuple before, HeapTuple after, TupleDesc desc);

/* position_close.c, row_audit.c: an UPDATE that closes a position is audited once, by position_closed */
extern bool catalyst_position_closes(Relation rel, HeapTuple before, HeapTuple after);
extern void catalyst_row_audit_push_update(JsonbParseState **state, Relation rel, HeapTuple oldrow,
										   HeapTuple newrow);

/* spi_util.c: checked SPI execution and kept plans */
extern void catalyst_spi_connect(void);
extern void catalyst_spi_finish(void);
extern SPIPlanPtr catalyst_keep_plan(const char *query, int nargs, Oid *argtypes);
extern uint64 catalyst_spi_exec(const char *query, int expected, long count);
extern uint64 catalyst_spi_exec_args(const char *query, int nargs, Oid *argtypes,
									 Datum *values, const char *nulls, int expected, long count);
extern uint64 catalyst_spi_exec_plan(SPIPlanPtr plan, Datum *values, const char *nulls,
									 int expected, long count);
extern char *catalyst_column_list(Oid relid);

/* spi_util.c, for risk.c: a read-only query that sees the caller's snapshot (STABLE functions) */
extern uint64 catalyst_spi_query_plan(SPIPlanPtr plan, Datum *values, const char *nulls, long count);

#endif							/* CATALYST_H */
