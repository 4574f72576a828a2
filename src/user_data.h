/*
 * user_data.h: the tables dumped as the user's, dropped with the extension (user_data.c).
 */
#ifndef CATALYST_USER_DATA_H
#define CATALYST_USER_DATA_H

/*
 * Release scan_results, audit_log, their partitions and the view over them from the extension
 * and tie them to it by an automatic dependency instead (create_monthly_partitions() runs it).
 */
extern void catalyst_bind_user_data(void);

#endif							/* CATALYST_USER_DATA_H */
