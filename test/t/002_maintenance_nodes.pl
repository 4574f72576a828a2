# Maintenance across the nodes and databases of a cluster (moved from the shell TAP test):
#   - the statements that schedule_maintenance()'s HINT gives, run in pg_cron's database, really
#     schedule the jobs for the other database, and again do not duplicate them;
#   - on a hot standby both maintenance functions do nothing, and say so;
#   - on a server without pg_cron in shared_preload_libraries (cron.database_name only written in
#     postgresql.conf) CREATE EXTENSION works and scheduling is a clear error with a HINT.
use strict;
use warnings;

use lib $ENV{CATALYST_ROOT} . '/test/perl';
use CatalystTAP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = catalyst_node('maint', allows_streaming => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_cron; CREATE DATABASE maint_other');
$node->safe_psql('maint_other', 'CREATE EXTENSION catalyst');

# 1. the HINT's statements, run where pg_cron lives
sub hint_statements
{
	my ($function) = @_;
	my ($ret, $stdout, $stderr) = $node->psql('maint_other', "SELECT catalyst.$function()");
	return join("\n", grep { /^SELECT cron\./ } split /\n/, $stderr);
}
my $schedule = hint_statements('schedule_maintenance');
is($schedule, $node->safe_psql('maint_other', 'SELECT statement FROM catalyst.maintenance_jobs()'),
	'the HINT of schedule_maintenance() has the statements of maintenance_jobs()');
is(scalar(() = $schedule =~ /^SELECT cron\.schedule_in_database\(/mg), 3, 'three of them');
$node->safe_psql('postgres', $schedule) for 1 .. 2;
is($node->safe_psql('postgres', q{SELECT string_agg(jobname || ' ' || schedule || ' ' || database, ', ' ORDER BY jobid)
	FROM cron.job WHERE jobname LIKE 'catalyst-%@maint_other'}),
	'catalyst-partitions@maint_other 0 1 * * * maint_other, catalyst-cleanup@maint_other 0 2 * * * maint_other, catalyst-risk-refresh@maint_other * * * * * maint_other',
	'run twice in pg_cron\'s database, they schedule the three jobs once, to run in the other database');
$node->safe_psql('postgres', hint_statements('unschedule_maintenance'));
is($node->safe_psql('postgres', q{SELECT count(*) FROM cron.job WHERE jobname LIKE 'catalyst-%@maint_other'}), '0',
	'the statements of unschedule_maintenance()\'s HINT remove them');

# 2. a hot standby
$node->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('maint_standby');
$standby->init_from_backup($node, 'base', has_streaming => 1);
$standby->start;
is($standby->safe_psql('maint_other', 'SELECT pg_is_in_recovery()'), 't', 'the replica is a hot standby');
my ($ret, $stdout, $stderr) = $standby->psql('maint_other', q{SELECT coalesce(catalyst.create_monthly_partitions()::text, 'NULL')});
is($stdout, 'NULL', 'create_monthly_partitions() on the standby returns NULL');
like($stderr, qr/create_monthly_partitions\(\) did nothing: the server is a hot standby/, 'and says why in a NOTICE');
is($standby->safe_psql('maint_other', q{SELECT r->>'outcome' || ': ' || (r->>'reason') FROM catalyst.cleanup_old_data() r}),
	'skipped: the server is a hot standby', 'cleanup_old_data() on the standby is skipped, saying why');
$standby->stop;
$node->stop;

# 3. a server without pg_cron loaded, cron.database_name written in its postgresql.conf anyway
my $nocron = catalyst_node('nocron', cron => 0);
$nocron->start;
is($nocron->safe_psql('postgres', 'SHOW shared_preload_libraries'), '', 'pg_cron is not loaded there');
($ret, $stdout, $stderr) = $nocron->psql('postgres', 'CREATE EXTENSION catalyst');
is("$ret:$stderr", '0:', 'CREATE EXTENSION catalyst works without pg_cron');
($ret, $stdout, $stderr) = $nocron->psql('postgres', 'SELECT catalyst.schedule_maintenance()');
like($stderr, qr/ERROR:  pg_cron is not loaded in this server/, 'schedule_maintenance() is a clear error');
like($stderr, qr/HINT:  Add pg_cron to shared_preload_libraries and set cron\.database_name = 'postgres' in postgresql\.conf, restart the server, run CREATE EXTENSION pg_cron in that database/,
	'whose HINT says how to enable pg_cron');
is($nocron->safe_psql('postgres', 'SELECT count(*) FROM catalyst.maintenance_jobs()'), '3', 'maintenance_jobs() still gives the jobs');
is($nocron->safe_psql('postgres', q{SELECT r->>'outcome' || ' ' || (r->'cron_history'->'deleted') FROM catalyst.cleanup_old_data() r}),
	'done null', 'cleanup_old_data() runs without pg_cron');
$nocron->stop;
done_testing();
