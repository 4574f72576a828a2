/*
 * row_audit.c: the row audit trail of trading_cycles, orders and positions.
 *
 * audit_row_change() is an AFTER INSERT OR UPDATE OR DELETE row trigger (and an AFTER TRUNCATE
 * statement trigger) that appends one audit_log event per changed row through
 * catalyst_audit_event():
 *
 *   event_type      INSERT, UPDATE, DELETE or TRUNCATE
 *   event_category  row_audit
 *   entity_type     the table's name
 *   entity_id       the row's primary key (the table must have a one-column primary key)
 *   cycle_id        the row's cycle_id, when the table has one
 *   details         {"new": row} for INSERT, {"old": row} for DELETE, for UPDATE {"old": {...},
 *                   "new": {...}} with only the columns whose value changed; plus "user", the
 *                   role that made the change
 *
 * updated_at is left out of an UPDATE's columns (audit_log.created_at holds the same instant), so
 * an UPDATE that changes nothing else writes no event: no value changed.
 *
 * An UPDATE that another trigger audits in an event of its own writes no row event here.  The
 * trigger's arguments say which, as contrib's moddatetime reads its column from tgargs: a column
 * and a value, audit_row_change('status', 'closed') on positions, and an UPDATE that gives the
 * column that value (from another one or NULL) is left to the other trigger: the close trigger's
 * position_closed event (position_close.c) carries what this one would have (row_changes.c), so
 * the close is audited once, by one audit_log row.  A 4.1 schema's trigger on positions has no
 * arguments (sql/catalyst--4.1--4.2/60-layout.sql adds them): without arguments, the UPDATE that
 * closes a position is recognised as 4.1's library did (position_columns.c).
 *
 * Likewise a fill is audited once, with the change it made: the UPDATE of orders that recording a
 * fill makes (fills.c) carries the fill as "fill" besides the order's changed columns, and the
 * INSERT into fills writes no event of its own (the audit trigger on fills fires for UPDATE,
 * DELETE and TRUNCATE, which the table refuses anyway).
 *
 * The superuser-only setting catalyst.audit switches the row events off, for bulk loads.  The
 * switch itself is audited: a GUC assign hook cannot write to a table, so the trigger compares the
 * setting with the state the audit trail last recorded for this session, and on a difference
 * first writes an 'audit_disabled' or 'audit_enabled' event, in the same transaction as the first
 * change made in the new state.  The recorded state follows transactions: what an aborted
 * (sub)transaction wrote is gone, so the state becomes unknown and the next change writes the
 * event again.  README, "Security", lists what this cannot see.
 *
 * A restore (catalyst_restoring(), src/restore.c: session_replication_role = replica, which
 * only a superuser may set) writes no event: the restored rows' history is in the restored
 * audit_log.  row_security = off, which any role may set, is audited as usual.
 */
#include "postgres.h"

#include "audit_log.h"
#include "columns.h"
#include "fills.h"
#include "position_columns.h"
#include "restore.h"
#include "row_changes.h"
#include "settings.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"

#define ROW_AUDIT_CATEGORY "row_audit"

/* catalyst.audit as the audit trail last recorded it for this session */
typedef enum AuditSwitchState
{
	AUDIT_SWITCH_ON,
	AUDIT_SWITCH_OFF,
	AUDIT_SWITCH_UNKNOWN		/* an aborted subtransaction may have taken a switch event */
} AuditSwitchState;

/* as of the session's last commit: a session starts with auditing on */
static AuditSwitchState committed_switch = AUDIT_SWITCH_ON;
/* in the current transaction, when xact_switch_set; set in subtransaction xact_switch_subid */
static AuditSwitchState xact_switch;
static bool xact_switch_set = false;
static SubTransactionId xact_switch_subid;
static bool switch_callbacks_registered = false;

/* to_jsonb(record), called with a declared argument type so that it can read the row's own */
static FmgrInfo to_jsonb_record;
static bool to_jsonb_record_ready = false;

static void
switch_xact_callback(XactEvent event, void *arg)
{
	if (!xact_switch_set)
		return;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			committed_switch = xact_switch;
			xact_switch_set = false;
			break;
		case XACT_EVENT_PREPARE:
			/* the prepared transaction may yet be rolled back */
			committed_switch = AUDIT_SWITCH_UNKNOWN;
			xact_switch_set = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			xact_switch_set = false;
			break;
		default:
			break;
	}
}

static void
switch_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	/*
	 * Subtransaction ids grow within a transaction: a state set at or after the start of the
	 * aborting subtransaction was set inside it, and its event is being rolled back.
	 */
	if (event == SUBXACT_EVENT_ABORT_SUB && xact_switch_set && xact_switch_subid >= mySubid)
	{
		xact_switch = AUDIT_SWITCH_UNKNOWN;
		xact_switch_subid = parentSubid;
	}
}

/* {"user": ..., "session": ..., "table": ...} of a switch event */
static Jsonb *
switch_details(Relation rel)
{
	JsonbParseState *state = NULL;
	char		session[64];

	/* the session id of log_line_prefix's %c, to find the session in the server log */
	snprintf(session, sizeof(session), "%lx.%x", (long) MyStartTime, MyProcPid);
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	catalyst_jsonb_push_member(&state, "user", NULL, GetUserNameFromId(GetOuterUserId(), false));
	catalyst_jsonb_push_member(&state, "session", NULL, session);
	catalyst_jsonb_push_member(&state, "table", NULL, RelationGetRelationName(rel));
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/*
 * Write an 'audit_disabled' or 'audit_enabled' event when catalyst.audit differs from what the
 * audit trail last recorded for this session.
 */
static void
record_audit_switch(Relation rel)
{
	AuditSwitchState now = catalyst_audit_enabled ? AUDIT_SWITCH_ON : AUDIT_SWITCH_OFF;
	AuditSwitchState recorded = xact_switch_set ? xact_switch : committed_switch;
	CatalystAuditEvent event = {0};

	if (now == recorded)
		return;
	if (!switch_callbacks_registered)
	{
		RegisterXactCallback(switch_xact_callback, NULL);
		RegisterSubXactCallback(switch_subxact_callback, NULL);
		switch_callbacks_registered = true;
	}

	event.event_type = now == AUDIT_SWITCH_ON ? "audit_enabled" : "audit_disabled";
	event.event_category = ROW_AUDIT_CATEGORY;
	event.entity_type = "setting";
	event.entity_id = "catalyst.audit";
	event.details = switch_details(rel);
	catalyst_audit_event(&event);

	xact_switch = now;
	xact_switch_set = true;
	xact_switch_subid = GetCurrentSubTransactionId();
}

static Jsonb *
record_to_jsonb(Datum record)
{
	if (!to_jsonb_record_ready)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		fmgr_info(F_TO_JSONB, &to_jsonb_record);
		/* to_jsonb() learns its argument's type from fn_expr; a record carries its own row type */
		to_jsonb_record.fn_expr = (Node *)
			makeFuncExpr(F_TO_JSONB, JSONBOID, list_make1(makeNullConst(RECORDOID, -1, InvalidOid)),
						 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
		MemoryContextSwitchTo(old);
		to_jsonb_record_ready = true;
	}
	return DatumGetJsonbP(FunctionCall1(&to_jsonb_record, record));
}

/* The text of a column of a row, NULL when the value is */
static char *
column_text(TupleDesc desc, HeapTuple tuple, int attnum)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);
	Oid			outfunc;
	bool		varlena;

	if (isnull)
		return NULL;
	getTypeOutputInfo(TupleDescAttr(desc, attnum - 1)->atttypid, &outfunc, &varlena);
	return OidOutputFunctionCall(outfunc, value);
}

/* The column number of the table's one-column primary key */
static int
primary_key_column(Relation rel)
{
	Bitmapset  *key = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	int			member = -1;

	if (bms_num_members(key) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("table \"%s\" has no one-column primary key", RelationGetRelationName(rel)),
				 errhint("audit_row_change() names each row by its primary key; attach it only to "
						 "tables with a one-column primary key.")));
	member = bms_next_member(key, member);
	return member + FirstLowInvalidHeapAttributeNumber;
}

/*
 * Whether an UPDATE is audited by another trigger (top of this file): the trigger's arguments
 * (column, value) say which; a trigger without arguments, 4.1's, leaves the UPDATE that closes a
 * position to position_closed.
 */
static bool
audited_elsewhere(TriggerData *trigdata, HeapTuple oldrow, HeapTuple newrow)
{
	Trigger    *trigger = trigdata->tg_trigger;
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	int			attnum = 0;
	char	   *before;
	char	   *after;

	if (trigger->tgnargs == 0)
		return catalyst_position_closes(trigdata->tg_relation, oldrow, newrow);
	if (trigger->tgnargs != 2)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row_change() takes no arguments, or two: a column and a value"),
				 errhint("An UPDATE that gives the column the value is audited by another "
						 "trigger.")));
	attnum = catalyst_column(desc, trigger->tgargs[0], InvalidOid, &attnum);
	after = column_text(desc, newrow, attnum);
	before = column_text(desc, oldrow, attnum);
	return after != NULL && strcmp(after, trigger->tgargs[1]) == 0 &&
		(before == NULL || strcmp(before, trigger->tgargs[1]) != 0);
}

/* The audit event of one changed row; false when there is nothing to record */
static bool
row_event(TriggerData *trigdata, CatalystAuditEvent *event)
{
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	TriggerEvent ev = trigdata->tg_event;
	HeapTuple	oldrow = TRIGGER_FIRED_BY_INSERT(ev) ? NULL : trigdata->tg_trigtuple;
	HeapTuple	newrow = TRIGGER_FIRED_BY_INSERT(ev) ? trigdata->tg_trigtuple :
		TRIGGER_FIRED_BY_UPDATE(ev) ? trigdata->tg_newtuple : NULL;
	HeapTuple	row = newrow ? newrow : oldrow;
	JsonbParseState *state = NULL;
	int			cycle_attnum = 0;

	cycle_attnum = catalyst_optional_column(desc, "cycle_id", InvalidOid, &cycle_attnum);
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (TRIGGER_FIRED_BY_UPDATE(ev))
	{
		Datum		fill;

		/* a close is audited by its position_closed event (top of this file) */
		if (audited_elsewhere(trigdata, oldrow, newrow) ||
			!catalyst_push_changed_columns(&state, desc, oldrow, newrow))
			return false;
		/* the order UPDATE a fill makes carries the fill (top of this file) */
		if (catalyst_fill_being_recorded(rel, newrow, &fill))
			catalyst_jsonb_push_member(&state, "fill", record_to_jsonb(fill), NULL);
	}
	else if (oldrow)
		catalyst_jsonb_push_member(&state, "old",
								   record_to_jsonb(heap_copy_tuple_as_datum(oldrow, desc)), NULL);
	else
		catalyst_jsonb_push_member(&state, "new",
								   record_to_jsonb(heap_copy_tuple_as_datum(newrow, desc)), NULL);
	catalyst_jsonb_push_member(&state, "user", NULL, GetUserNameFromId(GetOuterUserId(), false));

	event->event_type = TRIGGER_FIRED_BY_INSERT(ev) ? "INSERT" :
		TRIGGER_FIRED_BY_UPDATE(ev) ? "UPDATE" : "DELETE";
	event->entity_id = column_text(desc, row, primary_key_column(rel));
	event->cycle_id = cycle_attnum > 0 ? column_text(desc, row, cycle_attnum) : NULL;
	event->details = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
	return true;
}

/* SQL-callable functions */

PG_FUNCTION_INFO_V1(catalyst_audit_row_change);
Datum
catalyst_audit_row_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent ev;
	MemoryContext work;
	MemoryContext old;
	CatalystAuditEvent event = {0};
	bool		record = true;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row_change() must be called as a trigger")));
	ev = trigdata->tg_event;
	if (!TRIGGER_FIRED_AFTER(ev) ||
		(TRIGGER_FIRED_FOR_ROW(ev) ? TRIGGER_FIRED_BY_TRUNCATE(ev) :
		 !TRIGGER_FIRED_BY_TRUNCATE(ev)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row_change() must be fired AFTER INSERT OR UPDATE OR DELETE "
						"FOR EACH ROW or AFTER TRUNCATE FOR EACH STATEMENT")));

	/* a restore (see the top of this file) */
	if (catalyst_restoring())
		return PointerGetDatum(NULL);

	work = AllocSetContextCreate(CurrentMemoryContext, "row audit", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(work);

	record_audit_switch(trigdata->tg_relation);
	if (catalyst_audit_enabled)
	{
		event.event_category = ROW_AUDIT_CATEGORY;
		event.entity_type = RelationGetRelationName(trigdata->tg_relation);
		if (TRIGGER_FIRED_BY_TRUNCATE(ev))
		{
			JsonbParseState *state = NULL;

			pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
			catalyst_jsonb_push_member(&state, "user", NULL, GetUserNameFromId(GetOuterUserId(),
																			   false));
			event.event_type = "TRUNCATE";
			event.details = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
		}
		else
			record = row_event(trigdata, &event);
		if (record)
			catalyst_audit_event(&event);
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);
	return PointerGetDatum(NULL);
}
