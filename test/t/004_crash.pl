# Crashes: 4 sessions close positions of one cycle in a loop while partition maintenance runs;
# a backend is killed with SIGKILL (the server goes through crash recovery), then the server is
# stopped in immediate mode.  Afterwards every close a client saw acknowledged is there with
# exactly one position_closed event, the metrics equal the recompute, and no partition or
# maintenance run is half done.
use strict;
use warnings;

use lib $ENV{CATALYST_ROOT} . '/test/perl';
use CatalystTAP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);

my $node = catalyst_node('crash', cron => 0);
$node->append_conf('postgresql.conf', "restart_after_crash = on\nfsync = on\n");
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
$node->safe_psql('postgres', 'CREATE EXTENSION catalyst');
my $ids = load_open_positions($node, 'postgres', 'crash', 4000);

# maintenance in a loop: partitions further and further ahead, and retention
my $connstr = $node->connstr('postgres');
my $maint = fork();
die "fork: $!" unless defined $maint;
if ($maint == 0)
{
	# (its connection errors while the server is down are expected)
	open(STDERR, '>', '/dev/null') or die;
	my $parent = getppid();
	for (my $k = 4; !-e "$tmp/stop" && getppid() == $parent; $k++)
	{
		system('psql', '-X', '-q', '-o', '/dev/null', '-d', $connstr, '-c',
			"SELECT catalyst.create_monthly_partitions($k % 24); SELECT catalyst.cleanup_old_data()");
		sleep 0.05;
	}
	POSIX::_exit(0);
}
my $closers = start_closers($node, 'postgres', $ids, 4, $tmp);

# 1. SIGKILL of a backend that is closing positions
my $victim = '';
sleep 1;
for (1 .. 500)
{
	$victim = $node->safe_psql('postgres', q{SELECT pid FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND query LIKE 'UPDATE catalyst.positions%' AND pid <> pg_backend_pid() LIMIT 1});
	last if $victim ne '';
	sleep 0.01;
}
like($victim, qr/^\d+$/, 'found a backend closing a position') or BAIL_OUT('no backend to kill');
kill 'KILL', $victim;
# the server restarts every backend and recovers; the sessions go on closing
# (not poll_query_until: a psql that the restarting server turns away before it reads its query
# makes IPC::Run die on the broken pipe)
my $up = '';
for (1 .. 600)
{
	$up = eval { $node->safe_psql('postgres', 'SELECT true') } // '';
	last if $up eq 't';
	sleep 0.1;
}
$up eq 't' or die 'no recovery';
my $recovered = $node->safe_psql('postgres', q{SELECT count(*) FROM catalyst.positions WHERE status = 'closed'});
sleep 2;
ok($node->safe_psql('postgres', q{SELECT count(*) FROM catalyst.positions WHERE status = 'closed'}) > $recovered,
	'closes go on after crash recovery');

# 2. immediate shutdown under the same load
$node->stop('immediate');
stop_closers($closers, $tmp);
waitpid($maint, 0);
$node->start;

closes_survived($node, 'postgres', 'crash', $tmp, 50, 'there after the restart');

# no half-done partition: each table named like a partition is attached, with its parent's indexes
is($node->safe_psql('postgres', q{
SELECT coalesce(string_agg(c.relname, ', '), '')
FROM pg_class c
WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind = 'r' AND c.relname ~ '^(scan_results|audit_log)_'
  AND (NOT c.relispartition
       OR (SELECT count(*) FROM pg_index WHERE indrelid = c.oid)
          <> (SELECT count(*) FROM pg_index i JOIN pg_inherits h ON h.inhrelid = c.oid WHERE i.indrelid = h.inhparent))}),
	'', 'every partition is attached and has every index of its parent');
is($node->safe_psql('postgres', q{
SELECT coalesce(string_agg(p, ', '), '')
FROM catalyst.maintenance_runs r, jsonb_array_elements_text(coalesce(r.summary->'created', '[]')) p
WHERE to_regclass('catalyst.' || p) IS NULL}),
	'', 'every partition a recorded maintenance run made exists');
is($node->safe_psql('postgres', q{SELECT count(*) FROM catalyst.maintenance_runs WHERE finished_at IS NULL OR summary->>'outcome' <> 'done'}),
	'0', 'no maintenance run is recorded half done');
is($node->safe_psql('postgres', 'SELECT catalyst.create_monthly_partitions(2) IS NOT NULL'), 't', 'maintenance runs after the crash');

$node->stop;
done_testing();
