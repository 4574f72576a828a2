/*
 * row_changes.c: the details of a row audit event (README, "Security"), built as jsonb: the
 * columns an UPDATE changed as "old" and "new" objects, and the role that made the change as
 * "user".  Shared by the row audit (row_audit.c) and the close trigger (position_close.c), whose
 * position_closed event carries what the closing UPDATE's row event would have.
 */
#include "postgres.h"

#include "row_changes.h"
#include "restore.h"
#include "settings.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/datum.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/numeric.h"
#include "utils/rel.h"

void
catalyst_jsonb_push_key(JsonbParseState **state, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = unconstify(char *, key);
	v.val.string.len = strlen(key);
	pushJsonbValue(state, WJB_KEY, &v);
}

void
catalyst_jsonb_push_member(JsonbParseState **state, const char *key, Jsonb *value, const char *str)
{
	JsonbValue	v;

	catalyst_jsonb_push_key(state, key);
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
 * A column's value as the row's object holds it: NULL as null; directly, for the types of the
 * audited tables' columns but jsonb and interval (the busiest audit event, a close's, writes
 * eight of them), a finite numeric or an integer as a JSON number, a varchar as a string, a
 * timestamptz as to_jsonb()'s ISO 8601 string; anything else (other types, domains, NaN and the
 * infinities, which to_jsonb() writes as strings) through column_to_jsonb().
 */
static void
column_value(Form_pg_attribute att, Datum value, bool isnull, JsonbValue *out)
{
	Jsonb	   *other;

	if (isnull)
	{
		out->type = jbvNull;
		return;
	}
	switch (att->atttypid)
	{
		case NUMERICOID:
			{
				Numeric		n = DatumGetNumeric(value);

				if (numeric_is_nan(n) || numeric_is_inf(n))
					break;
				out->type = jbvNumeric;
				out->val.numeric = n;
				return;
			}
		case INT4OID:
			out->type = jbvNumeric;
			out->val.numeric = int64_to_numeric(DatumGetInt32(value));
			return;
		case INT8OID:
			out->type = jbvNumeric;
			out->val.numeric = int64_to_numeric(DatumGetInt64(value));
			return;
		case VARCHAROID:
			{
				text	   *t = DatumGetTextPP(value);

				out->type = jbvString;
				out->val.string.val = VARDATA_ANY(t);
				out->val.string.len = VARSIZE_ANY_EXHDR(t);
				return;
			}
		case TIMESTAMPTZOID:
			out->type = jbvString;
			out->val.string.val = JsonEncodeDateTime(palloc(MAXDATELEN + 1), value, TIMESTAMPTZOID,
													 NULL);
			out->val.string.len = strlen(out->val.string.val);
			return;
		default:
			break;
	}
	other = column_to_jsonb(att, value);
	out->type = jbvBinary;
	out->val.binary.data = &other->root;
	out->val.binary.len = VARSIZE(other) - VARHDRSZ;
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
	catalyst_jsonb_push_key(state, key);
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < n; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, attnums[i] - 1);
		JsonbValue	value;

		column_value(att, row->values[attnums[i] - 1], row->nulls[attnums[i] - 1], &value);
		catalyst_jsonb_push_key(state, NameStr(att->attname));
		pushJsonbValue(state, WJB_VALUE, &value);
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

/* Whether row events are written now: catalyst.audit on, and not a restore (row_audit.c) */
static bool
row_audit_active(void)
{
	return catalyst_audit_enabled && !catalyst_restoring();
}

bool
catalyst_push_changed_columns(JsonbParseState **state, TupleDesc desc, HeapTuple oldrow,
							  HeapTuple newrow)
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

void
catalyst_push_update_audit(JsonbParseState **state, Relation rel, HeapTuple oldrow,
						   HeapTuple newrow)
{
	if (!row_audit_active())
		return;
	catalyst_push_changed_columns(state, RelationGetDescr(rel), oldrow, newrow);
	catalyst_jsonb_push_member(state, "user", NULL, GetUserNameFromId(GetOuterUserId(), false));
}
