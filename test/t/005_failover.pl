# Failover: a primary with a synchronous standby, 4 sessions closing positions, the primary
# stopped in immediate mode and the standby promoted.  On the new primary every acknowledged close
# is there with its event and its metrics; maintenance, a no-op while it was a standby, now acts;
# the pg_cron jobs scheduled on the old primary are there once and can be scheduled again in place.
use strict;
use warnings;

use lib $ENV{CATALYST_ROOT} . '/test/perl';
use CatalystTAP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = catalyst_node('primary', allows_streaming => 1);
$primary->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
# catalyst in pg_cron's database, so that the jobs are scheduled there
$primary->safe_psql('postgres', 'CREATE EXTENSION pg_cron; CREATE EXTENSION catalyst');
my $ids = load_open_positions($primary, 'postgres', 'fo', 2000);
is($primary->safe_psql('postgres', 'SELECT count(*) FROM catalyst.schedule_maintenance()'), '3', 'the jobs are scheduled on the primary');

$primary->backup('base');
# (the backup brings the primary's settings: the private build, pg_cron)
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->append_conf('postgresql.conf', "synchronous_standby_names = 'standby'\n");
$primary->reload;
$primary->poll_query_until('postgres', q{SELECT sync_state = 'sync' FROM pg_stat_replication})
  or BAIL_OUT('the standby is not synchronous');
pass('the standby is synchronous');
is($standby->safe_psql('postgres', 'SELECT catalyst.create_monthly_partitions(12) IS NULL'), 't',
	'create_monthly_partitions() does nothing on the standby');

my $closers = start_closers($primary, 'postgres', $ids, 4, $tmp);
sleep 3;
$primary->stop('immediate');
stop_closers($closers, $tmp);
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()') or BAIL_OUT('no promotion');

closes_survived($standby, 'postgres', 'fo', $tmp, 20, 'on the promoted standby');

# maintenance acts now
cmp_ok($standby->safe_psql('postgres', 'SELECT catalyst.create_monthly_partitions(12)'), '>', 0,
	'create_monthly_partitions() makes partitions on the new primary');
is($standby->safe_psql('postgres', q{SELECT catalyst.cleanup_old_data()->>'outcome'}), 'done',
	'cleanup_old_data() runs on the new primary');
is($standby->safe_psql('postgres', q{SELECT string_agg(job, ',' ORDER BY job) FROM catalyst.maintenance_runs}),
	'cleanup_old_data,create_monthly_partitions', 'both runs are recorded');

# the jobs came over with the data, once each; scheduling again replaces them in place
is($standby->safe_psql('postgres', q{SELECT count(*) FROM cron.job WHERE jobname LIKE 'catalyst-%'}), '3',
	'the promoted standby has the three jobs once');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM catalyst.schedule_maintenance()'), '3',
	'pg_cron jobs can be scheduled on the new primary');
is($standby->safe_psql('postgres', q{SELECT count(*) FROM cron.job WHERE jobname LIKE 'catalyst-%'}), '3',
	'still three jobs: none would run twice');

$standby->stop;
done_testing();
