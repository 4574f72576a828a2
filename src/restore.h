/*
 * restore.h: whether this session is a restore (restore.c).
 */
#ifndef CATALYST_RESTORE_H
#define CATALYST_RESTORE_H

#include "postgres.h"

/*
 * Whether this session is a restore (session_replication_role = replica, which only a superuser
 * may set): the triggers then leave the restored rows as they come.
 */
extern bool catalyst_restoring(void);

#endif							/* CATALYST_RESTORE_H */
