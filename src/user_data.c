/*
 * user_data.c: the tables pg_dump must dump as ordinary tables.
 *
 * scan_results and audit_log are partitioned, and their partitions come and go with maintenance.
 * If they were members of the extension, pg_dump would dump neither the partitions' definitions
 * nor a restorable form of their rows; if their parents were members and the partitions not,
 * a restore would attach the dumped partitions to parents that already carry indexes and then
 * fail on every dumped partition index.  So the two partitioned tables, their partitions and the
 * view over them are released from the extension after the install script creates them, and are
 * tied to it by an automatic dependency instead: pg_dump dumps them like any table of the user,
 * and DROP EXTENSION still drops them.  A restore recreates the dependency the first time
 * create_monthly_partitions() runs (the daily job, or by hand).
 */
#include "postgres.h"

#include "catalyst.h"
#include "user_data.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "nodes/pg_list.h"
#include "utils/lsyscache.h"

static const char *const user_data_relations[] = {
	"scan_results",
	"audit_log",
	"v_active_trading",
};

/*
 * A restore always installs the library's default version, whose scan_results and audit_log are
 * keyed by unique indexes; a dump taken at 4.1 brings them with 4.1's primary keys.  Say what to
 * run (doc/backups.md, tested by test/t/007_upgrade.pl).
 */
static void
warn_if_keyed_as_4_1(Oid relid, const char *relname)
{
	char	   *pkey = psprintf("%s_pkey", relname);

	if (OidIsValid(get_relation_constraint_oid(relid, pkey, true)))
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("catalyst: restored table %s still has the primary key %s of catalyst 4.1",
						relname, pkey),
				 errdetail("The dump was taken at catalyst 4.1; the restore installed the "
						   "library's default version, which keys the table by the unique index "
						   "%s_key.", relname),
				 errhint("Run the statements of doc/backups.md, \"Restoring into a database at "
						 "another catalyst version\".")));
	pfree(pkey);
}

void
catalyst_bind_user_data(void)
{
	Oid			extoid = get_extension_oid("catalyst", false);
	Oid			nsp = get_namespace_oid(CATALYST_SCHEMA, false);
	ObjectAddress extension;

	ObjectAddressSet(extension, ExtensionRelationId, extoid);
	for (size_t i = 0; i < lengthof(user_data_relations); i++)
	{
		Oid			relid = get_relname_relid(user_data_relations[i], nsp);
		ObjectAddress rel;

		if (!OidIsValid(relid) || list_member_oid(getAutoExtensionsOfObject(RelationRelationId,
																			relid), extoid))
			continue;
		ObjectAddressSet(rel, RelationRelationId, relid);
		recordDependencyOn(&rel, &extension, DEPENDENCY_AUTO_EXTENSION);
		/*
		 * The first maintenance run after a restore; not CREATE EXTENSION, whose 4.1 script binds
		 * the tables before the update script re-keys them.
		 */
		if (!creating_extension && get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
			warn_if_keyed_as_4_1(relid, user_data_relations[i]);
	}
}
