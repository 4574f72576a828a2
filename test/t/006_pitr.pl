# Point-in-time recovery, the seed's "Recovery Procedure": a base backup (pg_basebackup), more
# closes, then recovery to a target time between two closes.  The recovered database has exactly
# the closes before the target, with their events, and metrics equal to their recompute.
use strict;
use warnings;

use lib $ENV{CATALYST_ROOT} . '/test/perl';
use CatalystTAP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);

my $node = catalyst_node('pitr', has_archiving => 1, allows_streaming => 1, cron => 0);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION catalyst');
load_open_positions($node, 'postgres', 'pitr', 10);
$node->backup('base');

sub close_position
{
	my ($id) = @_;
	$node->safe_psql('postgres', qq{UPDATE catalyst.positions SET status = 'closed', exit_price = 100 + $id - 5,
		closed_at = clock_timestamp(), exit_order_id = replace(entry_order_id, '-in-', '-out-') WHERE position_id = $id});
	return;
}
close_position($_) for 1 .. 5;
sleep 0.2;
my $target = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
sleep 0.2;
close_position($_) for 6 .. 10;
$node->safe_psql('postgres', 'SELECT pg_switch_wal()');
$node->poll_query_until('postgres', q{SELECT last_archived_wal IS NOT NULL AND last_failed_wal IS NULL
	AND last_archived_wal >= (SELECT pg_walfile_name(pg_current_wal_lsn() - 1))  FROM pg_stat_archiver})
  or BAIL_OUT('WAL not archived');
is($node->safe_psql('postgres', q{SELECT count(*) FROM catalyst.positions WHERE status = 'closed'}), '10', '10 closes on the primary');

my $restored = PostgreSQL::Test::Cluster->new('restored');
$restored->init_from_backup($node, 'base', has_restoring => 1);
$restored->append_conf('postgresql.conf', "recovery_target_time = '$target'\nrecovery_target_action = 'promote'\n");
$node->stop;
$restored->start;
$restored->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()') or BAIL_OUT('recovery did not end');

is($restored->safe_psql('postgres', q{SELECT string_agg(position_id::text, ',' ORDER BY position_id) FROM catalyst.positions WHERE status = 'closed'}),
	'1,2,3,4,5', 'recovered to the target: the 5 closes before it, none after');
is($restored->safe_psql('postgres', q{SELECT string_agg(entity_id, ',' ORDER BY entity_id::int) FROM catalyst.audit_log WHERE event_type = 'position_closed'}),
	'1,2,3,4,5', 'the audit trail has exactly their position_closed events');
is(metrics_mismatch($restored, 'postgres'), '', 'the metrics equal the recompute of those closes');
is($restored->safe_psql('postgres', q{SELECT sum(total_trades) FROM catalyst.performance_metrics WHERE cycle_id = 'pitr'}),
	'5', 'and count 5 trades');
is($restored->safe_psql('postgres', 'SELECT catalyst.create_monthly_partitions() IS NOT NULL'), 't',
	'maintenance runs on the recovered server');

$restored->stop;
done_testing();
