/*
 * risk_policy.h: how catalyst_position_risk(id) may read a position for the current user
 * (risk_policy.c): straight through the index, through the index with catalyst's own row-level
 * security policy applied in C, or through a query.
 */
#ifndef CATALYST_RISK_POLICY_H
#define CATALYST_RISK_POLICY_H

#include "postgres.h"

typedef enum RiskReadMode
{
	RISK_READ_QUERY,			/* through SPI: the query applies privileges and policies */
	RISK_READ_DIRECT,			/* through the index: no policy hides a row from the user */
	RISK_READ_ACTIVE_CYCLE		/* through the index, a row visible only while its cycle is active:
								 * catalyst's positions_policy, unchanged, is the only policy that
								 * filters the user's rows */
} RiskReadMode;

/*
 * The way the current user may read positions (`positions`, whose cycles are in `cycles`).  The
 * caller holds a lock on positions; an error if row_security is off and a policy would apply, as
 * for a query.
 */
extern RiskReadMode catalyst_risk_read_mode(Oid positions, Oid cycles);

#endif							/* CATALYST_RISK_POLICY_H */
