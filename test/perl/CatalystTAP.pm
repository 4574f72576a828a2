# test/perl/CatalystTAP.pm: what the Perl TAP tests under test/t share.  Each test makes its own
# nodes with PostgreSQL::Test::Cluster; catalyst_node() makes one that loads this checkout's
# private build (scripts/test.sh installs it with DESTDIR=$CATALYST_DESTDIR, found through
# Debian's extension_destdir), with pg_cron preloaded unless asked otherwise.
package CatalystTAP;

use strict;
use warnings;

use Exporter 'import';
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(catalyst_node repo_file fingerprint metrics_mismatch load_open_positions
  start_closers stop_closers acknowledged_closes close_event_problems closes_survived);

# A file of the checkout (scripts/test.sh copies test/, scripts/ and doc/ to $CATALYST_ROOT)
sub repo_file
{
	my ($path) = @_;
	my $root = $ENV{CATALYST_ROOT} or BAIL_OUT('CATALYST_ROOT is not set: run through scripts/test.sh');
	return "$root/$path";
}

# catalyst_node(NAME, cron => 0|1 (default 1), init options of PostgreSQL::Test::Cluster)
sub catalyst_node
{
	my ($name, %opts) = @_;
	my $cron = exists $opts{cron} ? delete $opts{cron} : 1;
	my $destdir = $ENV{CATALYST_DESTDIR} or BAIL_OUT('CATALYST_DESTDIR is not set: run through scripts/test.sh');
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%opts);
	$node->append_conf('postgresql.conf', join("\n",
		"extension_destdir = '$destdir'",
		"shared_preload_libraries = '" . ($cron ? 'pg_cron' : '') . "'",
		"cron.database_name = 'postgres'",
		"max_connections = 40",
		"log_min_messages = warning", ''));
	return $node;
}

# One line per relation, row count and checksum, sequence position, privilege, policy, trigger
sub fingerprint
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, slurp_file(repo_file('test/include/fingerprint.sql')));
}

# Rows where catalyst.performance_metrics differs from a recompute from the trades (positions and
# the archive), by cycle and trading date: the counts, P&L sums and volume.  Read through
# performance_metrics only, whatever stands behind it.  '' when they agree.  Optionally of one cycle.
sub metrics_mismatch
{
	my ($node, $db, $cycle) = @_;
	my $where = defined $cycle ? "cycle_id = '$cycle'" : 'true';
	return $node->safe_psql($db, qq{
WITH trades AS (
    SELECT cycle_id, catalyst.trading_date(closed_at) AS day, coalesce(realized_pnl, 0) AS pnl, quantity
    FROM catalyst.positions WHERE status = 'closed' AND $where
    UNION ALL
    SELECT cycle_id, catalyst.trading_date(closed_at), coalesce(realized_pnl, 0), quantity
    FROM catalyst.positions_archive WHERE status = 'closed' AND $where),
recompute AS (
    SELECT cycle_id, day, count(*) AS total_trades, count(*) FILTER (WHERE pnl > 0) AS winning_trades,
           count(*) FILTER (WHERE pnl < 0) AS losing_trades, sum(pnl) AS gross_pnl, sum(quantity) AS total_volume
    FROM trades GROUP BY 1, 2),
kept AS (
    SELECT cycle_id, metric_date AS day, total_trades::bigint, winning_trades::bigint, losing_trades::bigint,
           gross_pnl::numeric, total_volume::numeric
    FROM catalyst.performance_metrics WHERE total_trades > 0 AND $where)
SELECT coalesce(string_agg(format('%s', d), chr(10)), '') FROM (
    (SELECT 'recompute', * FROM recompute EXCEPT ALL SELECT 'recompute', * FROM kept)
    UNION ALL
    (SELECT 'kept', * FROM kept EXCEPT ALL SELECT 'kept', * FROM recompute)) d});
}

# Closed positions of a cycle without exactly one position_closed event, and its events of no
# closed position
sub close_event_problems
{
	my ($node, $db, $cycle) = @_;
	return $node->safe_psql($db, qq{
SELECT coalesce(string_agg(format('%s %s', coalesce(p.position_id::text, e.entity_id), coalesce(e.n, 0)), ', '), '')
FROM (SELECT position_id FROM catalyst.positions WHERE status = 'closed' AND cycle_id = '$cycle'
      UNION ALL SELECT position_id FROM catalyst.positions_archive WHERE cycle_id = '$cycle') p
FULL JOIN (SELECT entity_id, count(*) AS n FROM catalyst.audit_log
           WHERE event_type = 'position_closed' AND cycle_id = '$cycle' GROUP BY entity_id) e
  ON e.entity_id = p.position_id::text
WHERE e.n IS DISTINCT FROM 1 OR p.position_id IS NULL});
}

# A cycle with N open positions, each with its filled entry and exit orders; returns their ids
sub load_open_positions
{
	my ($node, $db, $cycle, $n) = @_;
	$node->safe_psql($db, qq{
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, started_at)
VALUES ('$cycle', 'normal', 300, now() - interval '1 day');
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status, executed_price, executed_quantity, commission)
SELECT '$cycle-' || side || '-' || n, '$cycle', 'S' || n % 20, 'buy', 'market', 10, 'filled', 100, 10, 0.5
FROM generate_series(1, $n) n, unnest(ARRAY['in', 'out']) side;
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
SELECT '$cycle', 'S' || n % 20, CASE WHEN n % 3 = 0 THEN 'short' ELSE 'long' END, 10, '$cycle-in-' || n, 100,
       now() - interval '2 hours'
FROM generate_series(1, $n) n ORDER BY n;});
	return [ split /\n/, $node->safe_psql($db, "SELECT position_id FROM catalyst.positions WHERE cycle_id = '$cycle' ORDER BY 1") ];
}

# Sessions closing positions, one psql per close (autocommit): a close is acknowledged when psql
# exits 0 having printed its id, which is then appended to $dir/acked.K.  Session K closes every
# $sessions-th of the positions @$ids (of load_open_positions()), in order.  Runs until done or
# until stop_closers().
sub start_closers
{
	my ($node, $db, $ids, $sessions, $dir) = @_;
	my @pids;
	my $connstr = $node->connstr($db);
	for my $k (0 .. $sessions - 1)
	{
		my $pid = fork();
		die "fork: $!" unless defined $pid;
		if ($pid == 0)
		{
			my $parent = getppid();
			open(my $acked, '>>', "$dir/acked.$k") or die;
			$acked->autoflush(1);
			for (my $i = $k; $i < @$ids; $i += $sessions)
			{
				my $id = $ids->[$i];
				last if -e "$dir/stop" || getppid() != $parent;
				my $out = `psql -X -At -q -d '$connstr' -c "UPDATE catalyst.positions SET status = 'closed', exit_price = 100 + ($id % 7) - 3, closed_at = clock_timestamp(), exit_order_id = replace(entry_order_id, '-in-', '-out-') WHERE position_id = $id AND status = 'open' RETURNING position_id" 2>/dev/null`;
				print $acked "$id\n" if $? == 0 && $out =~ /^$id$/m;
			}
			# (not exit: the END blocks of PostgreSQL::Test::Cluster would stop the nodes)
			POSIX::_exit(0);
		}
		push @pids, $pid;
	}
	return \@pids;
}

sub stop_closers
{
	my ($pids, $dir) = @_;
	open(my $fh, '>', "$dir/stop") or die;
	close $fh;
	waitpid($_, 0) for @$pids;
	return;
}

# The ids of the acknowledged closes so far
sub acknowledged_closes
{
	my ($dir) = @_;
	my @ids;
	for my $f (glob("$dir/acked.*"))
	{
		push @ids, grep { /^\d+$/ } split /\n/, slurp_file($f);
	}
	return sort { $a <=> $b } @ids;
}

# The assertions after a crash, failover or the like: at least $min closes were acknowledged, each
# is closed on $node, every closed position of the cycle has exactly one position_closed event,
# and the metrics equal the recompute.  $where names the node in the descriptions.
sub closes_survived
{
	my ($node, $db, $cycle, $dir, $min, $where) = @_;
	my @acked = acknowledged_closes($dir);
	cmp_ok(scalar(@acked), '>', $min, 'closes were acknowledged (' . scalar(@acked) . ')');
	my %closed = map { $_ => 1 } split /\n/,
	  $node->safe_psql($db, "SELECT position_id FROM catalyst.positions WHERE status = 'closed' AND cycle_id = '$cycle'");
	is(join(',', grep { !$closed{$_} } @acked), '', "every acknowledged close is $where");
	is(close_event_problems($node, $db, $cycle), '', 'each closed position has exactly one position_closed event');
	is(metrics_mismatch($node, $db, $cycle), '', 'the metrics count every close and equal the recompute');
	return;
}

1;
