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
#include "catalyst.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "nodes/pg_list.h"
#include "utils/lsyscache.h"

static const char *const user_data_relations[] = {
	"scan_results",
	"audit_log",
	"v_active_trading",
};

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

		if (!OidIsValid(relid) || list_member_oid(getAutoExtensionsOfObject(RelationRelationId, relid), extoid))
			continue;
		ObjectAddressSet(rel, RelationRelationId, relid);
		recordDependencyOn(&rel, &extension, DEPENDENCY_AUTO_EXTENSION);
	}
}
