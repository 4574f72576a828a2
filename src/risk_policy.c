/*
 * risk_policy.c: how catalyst_position_risk(id) may read a position for the current user.
 *
 * Reading straight through positions_pkey (risk.c) bypasses privileges and row-level security,
 * which a query would apply.  It is taken only where it gives the query's answer:
 *   - the user has SELECT on positions, and row-level security does not apply to the user (the
 *     owner, a superuser, a role with BYPASSRLS); or the SELECT policies that apply to the user
 *     are all permissive with USING (true): RISK_READ_DIRECT;
 *   - or the only policy that filters the user's rows is catalyst's positions_policy exactly as
 *     the install script made it (a row is visible while its cycle is active), the user may read
 *     trading_cycles, and no policy hides a cycle from the user: RISK_READ_ACTIVE_CYCLE, and
 *     risk.c checks the cycle as the policy's subquery would, in the same snapshot;
 *   - anything else (another policy, a changed one, a restrictive one, column privileges only,
 *     a policy hook of another extension, an inheritance child of either table, which a query
 *     reads and the index does not) is left to the query: RISK_READ_QUERY.
 *
 * "Exactly as made" is decided by comparing the policy's expression with the same text parsed and
 * analysed as CREATE POLICY does (equal() ignores parse locations; the column names a stored
 * policy keeps of trading_cycles, which a column added since changes, are left out of the
 * comparison); ALTER POLICY that changes it, or a DBA's own policies, send the user's reads back
 * to the query.  The parsed reference is kept until a relcache invalidation of positions or
 * trading_cycles (it holds their OIDs and column numbers).  risk.c asks again at each
 * transaction, and when the user, security context, row_security or role membership changes.
 */
#include "postgres.h"

#include "catalyst.h"
#include "risk_policy.h"
#include "columns.h"
#include "run_as_owner.h"

#include "access/table.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_clause.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "rewrite/rowsecurity.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

static MemoryContext reference_cxt = NULL;
static Node *active_cycle_qual = NULL;	/* active_cycle_sql analysed (NULL: not analysable) */
static Oid	reference_positions = InvalidOid;	/* the relations it was analysed for */
static Oid	reference_cycles = InvalidOid;
static bool reference_valid = false;	/* analysed to the end, with no invalidation since */

/* positions_policy's USING expression, as catalyst--4.1.sql creates it */
static const char active_cycle_sql[] =
	"SELECT EXISTS (SELECT FROM catalyst.trading_cycles c"
	"                WHERE c.cycle_id OPERATOR(pg_catalog.=) positions.cycle_id"
	"                  AND c.status OPERATOR(pg_catalog.=) 'active')";

static void
reference_invalidate(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == reference_positions || relid == reference_cycles)
		reference_valid = false;
}

/*
 * Forget the column names of every range table entry of a policy expression.  A stored policy
 * keeps those of trading_cycles as they were when it was created; a column added or dropped since
 * changes them and nothing the expression means.
 */
static bool
forget_column_names(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		ListCell   *lc;

		foreach(lc, ((Query *) node)->rtable)
		{
			RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

			if (rte->eref != NULL)
				rte->eref->colnames = NIL;
		}
		return query_tree_walker((Query *) node, forget_column_names, context, 0);
	}
	return expression_tree_walker(node, forget_column_names, context);
}

/*
 * The expression of active_cycle_sql on `positions`, analysed as CREATE POLICY analyses it, its
 * column names forgotten; NULL if a column it names is missing (renamed, say: the stored policy
 * follows a rename, the text does not).
 */
static Node *
analyse_reference(Relation positions, Oid cycles)
{
	static int	attnums[3];
	Relation	cycles_rel = table_open(cycles, AccessShareLock);
	bool		columns = catalyst_optional_column(RelationGetDescr(positions), "cycle_id",
												   VARCHAROID, &attnums[0]) != 0 &&
		catalyst_optional_column(RelationGetDescr(cycles_rel), "cycle_id", VARCHAROID,
								 &attnums[1]) != 0 &&
		catalyst_optional_column(RelationGetDescr(cycles_rel), "status", VARCHAROID,
								 &attnums[2]) != 0;
	List	   *raw;
	ResTarget  *target;
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	Node	   *qual;

	table_close(cycles_rel, NoLock);
	if (!columns)
		return NULL;
	raw = raw_parser(active_cycle_sql, RAW_PARSE_DEFAULT);
	target = linitial_node(ResTarget,
						   castNode(SelectStmt, linitial_node(RawStmt, raw)->stmt)->targetList);
	pstate = make_parsestate(NULL);
	nsitem = addRangeTableEntryForRelation(pstate, positions, AccessShareLock, NULL, false, false);
	addNSItemToQuery(pstate, nsitem, false, true, true);
	qual = transformWhereClause(pstate, target->val, EXPR_KIND_POLICY, "POLICY");
	assign_expr_collations(pstate, qual);
	free_parsestate(pstate);
	forget_column_names(qual, NULL);
	return qual;
}

/* The reference expression for these relations, analysed again if an invalidation came since */
static Node *
reference_qual(Relation positions, Oid cycles)
{
	static bool registered = false;

	if (!registered)
	{
		reference_cxt = AllocSetContextCreate(TopMemoryContext, "catalyst positions_policy",
											  ALLOCSET_SMALL_SIZES);
		CacheRegisterRelcacheCallback(reference_invalidate, (Datum) 0);
		registered = true;
	}
	/*
	 * An invalidation met while analysing leaves the reference invalid, to be analysed again at
	 * the next call; this call still uses it.  Nothing it depends on can have changed meanwhile:
	 * positions and trading_cycles are locked (a policy or column change needs an exclusive lock),
	 * and taking those locks processed every invalidation committed before.  (With
	 * debug_discard_caches every catalog access meets one.)
	 */
	if (!reference_valid || reference_positions != RelationGetRelid(positions) ||
		reference_cycles != cycles)
	{
		CatalystSavedUser saved;
		MemoryContext old;
		Node	   *qual;

		MemoryContextReset(reference_cxt);
		active_cycle_qual = NULL;
		reference_positions = RelationGetRelid(positions);
		reference_cycles = cycles;
		reference_valid = true;
		/* as the owner: the caller may lack USAGE on the schema the names are looked up in */
		catalyst_become_owner(reference_positions, &saved);
		old = MemoryContextSwitchTo(reference_cxt);
		PG_TRY();
		{
			qual = analyse_reference(positions, cycles);
		}
		PG_CATCH();
		{
			/* analysed again next time, not taken as "no reference" */
			reference_valid = false;
			PG_RE_THROW();
		}
		PG_END_TRY();
		MemoryContextSwitchTo(old);
		catalyst_restore_user(&saved);
		active_cycle_qual = qual;
	}
	return active_cycle_qual;
}

/* Whether a policy applies to the user's SELECT (rowsecurity.c's check_role_for_policy()) */
static bool
applies_to_select_by(const RowSecurityPolicy *policy, Oid user)
{
	Datum	   *roles;
	int			n;

	if (policy->polcmd != '*' && policy->polcmd != ACL_SELECT_CHR)
		return false;
	deconstruct_array(policy->roles, OIDOID, sizeof(Oid), true, TYPALIGN_INT, &roles, NULL, &n);
	if (n > 0 && DatumGetObjectId(roles[0]) == ACL_ID_PUBLIC)
		return true;
	for (int i = 0; i < n; i++)
		if (has_privs_of_role(user, DatumGetObjectId(roles[i])))
			return true;
	return false;
}

static bool
is_true(const Node *qual)
{
	return qual != NULL && IsA(qual, Const) && ((const Const *) qual)->consttype == BOOLOID &&
		!((const Const *) qual)->constisnull && DatumGetBool(((const Const *) qual)->constvalue);
}

/* A policy's expression is the reference, column names aside (see forget_column_names()) */
static bool
matches(Expr *qual, Node *reference)
{
	Node	   *copy = copyObject((Node *) qual);

	forget_column_names(copy, NULL);
	return equal(copy, reference);
}

typedef enum VisibleRows
{
	ROWS_ALL,					/* a permissive USING (true) applies, nothing restricts */
	ROWS_OF_ACTIVE_CYCLES,		/* only `known` applies (permissive), nothing restricts */
	ROWS_OTHER					/* anything else: the query decides */
} VisibleRows;

/* What the row-level security of `rel` leaves the user to SELECT (security applies to the user) */
static VisibleRows
visible_rows(Relation rel, Oid user, Node *known)
{
	bool		all = false;
	bool		known_applies = false;
	ListCell   *lc;

	/* another extension's policies are not ours to evaluate; no policy at all: no row */
	if (row_security_policy_hook_permissive != NULL ||
		row_security_policy_hook_restrictive != NULL || rel->rd_rsdesc == NULL)
		return ROWS_OTHER;
	foreach(lc, rel->rd_rsdesc->policies)
	{
		RowSecurityPolicy *policy = lfirst(lc);

		if (!applies_to_select_by(policy, user))
			continue;
		if (!policy->permissive)
			return ROWS_OTHER;
		if (is_true((Node *) policy->qual))
			all = true;
		else if (known != NULL && matches(policy->qual, known))
			known_applies = true;
		else
			return ROWS_OTHER;
	}
	return all ? ROWS_ALL : known_applies ? ROWS_OF_ACTIVE_CYCLES : ROWS_OTHER;
}

RiskReadMode
catalyst_risk_read_mode(Oid positions, Oid cycles)
{
	Oid			user = GetUserId();
	Relation	rel;
	VisibleRows rows;

	/* without table-wide SELECT (column privileges, say), the query decides */
	if (pg_class_aclcheck(positions, user, ACL_SELECT) != ACLCHECK_OK)
		return RISK_READ_QUERY;
	if (check_enable_rls(positions, InvalidOid, false) != RLS_ENABLED)
		return RISK_READ_DIRECT;

	rel = table_open(positions, NoLock);
	/* a query reads the tables' inheritance children too; the index reads only the table */
	if (rel->rd_rel->relhassubclass)
		rows = ROWS_OTHER;
	else
		rows = visible_rows(rel, user, reference_qual(rel, cycles));
	table_close(rel, NoLock);
	if (rows != ROWS_OF_ACTIVE_CYCLES)
		return rows == ROWS_ALL ? RISK_READ_DIRECT : RISK_READ_QUERY;

	/* the policy's subquery reads trading_cycles as the user, under its own policies */
	if (pg_class_aclcheck(cycles, user, ACL_SELECT) != ACLCHECK_OK)
		return RISK_READ_QUERY;
	rel = table_open(cycles, AccessShareLock);
	if (rel->rd_rel->relhassubclass)
		rows = ROWS_OTHER;
	else if (check_enable_rls(cycles, InvalidOid, false) == RLS_ENABLED)
		rows = visible_rows(rel, user, NULL);
	else
		rows = ROWS_ALL;
	table_close(rel, NoLock);
	return rows == ROWS_ALL ? RISK_READ_ACTIVE_CYCLE : RISK_READ_QUERY;
}
