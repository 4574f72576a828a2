/*
 * catalyst--4.1--4.2.sql: the update from schema 4.1 to 4.2.
 *
 * `make` assembles this script from the parts in sql/catalyst--4.1--4.2/, in the order of their
 * file names (one part per concern); catalyst--4.1.sql is released and never changes.  There is
 * no catalyst--4.2.sql: CREATE EXTENSION catalyst runs catalyst--4.1.sql and then this script,
 * so a fresh install and an updated 4.1 database get the same schema by construction (as
 * pg_stat_statements does it).  Every name is qualified with @extschema@ or pg_catalog.
 */

\echo Use "ALTER EXTENSION catalyst UPDATE TO '4.2'" to load this file. \quit
