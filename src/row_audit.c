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
 * An UPDATE that closes a position (status becomes 'closed') writes no row event here: the close
 * trigger's position_closed event (position_close.c) carries what this one would have, through
 * catalyst_row_audit_push_update(), so the close is audited once, by one audit_log row.
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

#include "row_audit.h"
#include "audit_log.h"
#include "fills.h"
#include "position_close.h"
#include "restore.h"
#include "settings.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
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

/* Add "key": to an object being built; its value comes next */
static void
push_key(JsonbParseState **state, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = unconstify(char *, key);
	v.val.string.len = strlen(key);
	pushJsonbValue(state, WJB_KEY, &v);
}

/* Add "key": value to an object being built; value NULL: a JSON string `str` */
static void
push_member(JsonbParseState **state, const char *key, Jsonb *value, const char *str)
{
	JsonbValue	v;

	push_key(state, key);
	if (value)
	{
		v.type = jbvBinary;
		v.val.binary.data = &value->root;
		v.val.binary.len = VARSIZE(value) - VARHDRSZ;
	}
	else
	{
		v.type = jbvString;
		v.val.string.val = unconstify(char *, str);
		v.val.string.len = strlen(str);
	}
	pushJsonbValue(state, WJB_VALUE, &v);
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
	push_member(&state, "user", NULL, GetUserNameFromId(GetOuterUserId(), false));
	push_member(&state, "session", NULL, session);
	push_member(&state, "table", NULL, RelationGetRelationName(rel));
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

/* A row's values, deformed once: a row of positions has some 25 columns, many NULL */
typedef struct RowValues
{
	Datum	   *values;
	bool	   *nulls;
} RowValues;

static void
deform_row(TupleDesc desc, HeapTuple tuple, RowValues *row)
{
	row->values = palloc(desc->natts * sizeof(Datum));
	row->nulls = palloc(desc->natts * sizeof(bool));
	heap_deform_tuple(tuple, desc, row->values, row->nulls);
}

/*
 * One column's value as to_jsonb(record) writes it in the row's object: to_jsonb() called with
 * the column's declared type, which it reads from fn_expr.
 */
static Jsonb *
column_to_jsonb(Form_pg_attribute att, Datum value)
{
	FmgrInfo	to_jsonb;

	fmgr_info(F_TO_JSONB, &to_jsonb);
	to_jsonb.fn_expr = (Node *)
		makeFuncExpr(F_TO_JSONB, JSONBOID,
					 list_make1(makeNullConst(att->atttypid, att->atttypmod, att->attcollation)),
					 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	return DatumGetJsonbP(FunctionCall1(&to_jsonb, value));
}

/*
 * Add "key": {...} with the columns `attnums` of a row to an object being built: the object
 * to_jsonb() would make of a record of those columns, built member by member.  (Such a record
 * needs a row type of its own, and a blessed row type lives as long as the backend: one per
 * distinct set of changed columns would grow CacheMemoryContext for good.)
 */
static void
push_columns(JsonbParseState **state, const char *key, TupleDesc desc, const RowValues *row,
			 const int *attnums, int n)
{
	push_key(state, key);
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < n; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, attnums[i] - 1);

		if (row->nulls[attnums[i] - 1])
		{
			JsonbValue	null = {.type = jbvNull};

			push_key(state, NameStr(att->attname));
			pushJsonbValue(state, WJB_VALUE, &null);
		}
		else
			push_member(state, NameStr(att->attname),
						column_to_jsonb(att, row->values[attnums[i] - 1]), NULL);
	}
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* The attribute numbers of the columns whose value an UPDATE changed, updated_at left out */
static int
changed_columns(TupleDesc desc, const RowValues *old, const RowValues *new, int *attnums)
{
	int			n = 0;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || strcmp(NameStr(att->attname), "updated_at") == 0)
			continue;
		if (old->nulls[i] != new->nulls[i] ||
			(!old->nulls[i] && !datum_image_eq(old->values[i], new->values[i],
											   att->attbyval, att->attlen)))
			attnums[n++] = i + 1;
	}
	return n;
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

/* Whether row events are written now: catalyst.audit on, and not a restore (top of this file) */
static bool
row_audit_active(void)
{
	return catalyst_audit_enabled && !catalyst_restoring();
}

/*
 * Add "old" and "new" to an event's details being built: the columns an UPDATE changed, as two
 * objects; false (nothing added) when no value changed.
 */
static bool
push_changed_columns(JsonbParseState **state, TupleDesc desc, HeapTuple oldrow, HeapTuple newrow)
{
	int		   *attnums = palloc(desc->natts * sizeof(int));
	RowValues	old;
	RowValues	new;
	int			n;

	deform_row(desc, oldrow, &old);
	deform_row(desc, newrow, &new);
	n = changed_columns(desc, &old, &new, attnums);
	if (n > 0)
	{
		push_columns(state, "old", desc, &old, attnums, n);
		push_columns(state, "new", desc, &new, attnums, n);
	}
	return n > 0;
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
	int			cycle_attnum = SPI_fnumber(desc, "cycle_id");

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (TRIGGER_FIRED_BY_UPDATE(ev))
	{
		Datum		fill;

		/* a close is audited by its position_closed event (top of this file) */
		if (catalyst_position_closes(rel, oldrow, newrow) ||
			!push_changed_columns(&state, desc, oldrow, newrow))
			return false;
		/* the order UPDATE a fill makes carries the fill (top of this file) */
		if (catalyst_fill_being_recorded(rel, newrow, &fill))
			push_member(&state, "fill", record_to_jsonb(fill), NULL);
	}
	else if (oldrow)
		push_member(&state, "old", record_to_jsonb(heap_copy_tuple_as_datum(oldrow, desc)), NULL);
	else
		push_member(&state, "new", record_to_jsonb(heap_copy_tuple_as_datum(newrow, desc)), NULL);
	push_member(&state, "user", NULL, GetUserNameFromId(GetOuterUserId(), false));

	event->event_type = TRIGGER_FIRED_BY_INSERT(ev) ? "INSERT" :
		TRIGGER_FIRED_BY_UPDATE(ev) ? "UPDATE" : "DELETE";
	event->entity_id = column_text(desc, row, primary_key_column(rel));
	event->cycle_id = cycle_attnum > 0 ? column_text(desc, row, cycle_attnum) : NULL;
	event->details = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
	return true;
}

/*
 * For a trigger that audits an UPDATE in an event of its own (position_closed): add to the
 * event's details being built what the row event would have carried, "old" and "new" (the changed
 * columns) and "user", when row events are written (catalyst.audit on, not a restore).
 */
void
catalyst_row_audit_push_update(JsonbParseState **state, Relation rel, HeapTuple oldrow,
							   HeapTuple newrow)
{
	if (!row_audit_active())
		return;
	push_changed_columns(state, RelationGetDescr(rel), oldrow, newrow);
	push_member(state, "user", NULL, GetUserNameFromId(GetOuterUserId(), false));
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
		(TRIGGER_FIRED_FOR_ROW(ev) ? TRIGGER_FIRED_BY_TRUNCATE(ev) : !TRIGGER_FIRED_BY_TRUNCATE(ev)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row_change() must be fired AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW "
						"or AFTER TRUNCATE FOR EACH STATEMENT")));

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
			push_member(&state, "user", NULL, GetUserNameFromId(GetOuterUserId(), false));
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
