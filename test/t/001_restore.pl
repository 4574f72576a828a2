# Restores as the seed's recovery procedure does them (doc/backups.md), each with the restore
# signal PGOPTIONS='-c session_replication_role=replica':
#   - pg_dump -Fc while closes run: the restore's metrics equal the recompute of its trades and
#     each closed position has exactly one position_closed event;
#   - from a quiescent dump: pg_restore into a new database, --clean --if-exists into that
#     existing catalyst database and into a new one, plain SQL through psql, -j 2,
#     --single-transaction: every row, partition, sequence position, privilege and policy equal
#     to the source, with no restore error;
#   - without the signal the restore stops at once with an error that says what to do;
#   - ALTER EXTENSION catalyst UPDATE and DROP EXTENSION work on the restored database.
use strict;
use warnings;

use lib $ENV{CATALYST_ROOT} . '/test/perl';
use CatalystTAP;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = catalyst_node('restore');
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $signal = '-c session_replication_role=replica';

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', 'CREATE EXTENSION catalyst');
$node->safe_psql('src', slurp_file(repo_file('scripts/sample-day.sql')));
# rows in every table: partitions of this month, the DEFAULT ones, a partition made later, the
# archive, the roll-up's tables with a pending marker, the ledger's
$node->safe_psql('src', q{
SELECT catalyst.create_monthly_partitions(8);
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume)
VALUES ('old', 'demo-001', 'AAPL', '2020-01-15 12:00+00', 100.00, 10),
       ('ahead', 'demo-001', 'AAPL', now() + interval '7 months', 100.00, 10);
INSERT INTO catalyst.audit_log (event_type, event_category, created_at) VALUES ('old', 'test', '2020-01-01');
INSERT INTO catalyst.positions_archive (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                        status, opened_at, created_at, updated_at)
VALUES (100000, 'demo-001', 'AAPL', 'long', 1, 'ord-aapl-in', 10.00, 'closed', now(), now(), now());
-- a marker left pending (as a close under REPEATABLE READ leaves its close): it is dumped too
INSERT INTO catalyst.metrics_pending (cycle_id, metric_date) VALUES ('demo-001', '2020-01-01');
-- the ledger (4.2): a fill of a submitted order, with its events
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status)
VALUES ('ord-dump', 'demo-001', 'AAPL', 'buy', 'limit', 10, 'submitted');
SELECT catalyst.record_fill('ord-dump', 'F-1', 4, 190.125);
});
my $ids = load_open_positions($node, 'src', 'live', 300);

# 1. a dump taken while 4 sessions close positions
my $pids = start_closers($node, 'src', $ids, 4, $tmp);
sleep 1;
$node->command_ok([ 'pg_dump', '-Fc', '-f', "$tmp/live.dump", '-d', $node->connstr('src') ],
	'pg_dump -Fc while closes run');
stop_closers($pids, $tmp);
my @acked = acknowledged_closes($tmp);
cmp_ok(scalar(@acked), '>', 10, 'the closes ran while the dump was taken (' . scalar(@acked) . ' acknowledged)');

sub restore_ok
{
	my ($db, $cmd, $name) = @_;
	local $ENV{PGOPTIONS} = $signal;
	my ($stdout, $stderr);
	my $ok = IPC::Run::run($cmd, '>', \$stdout, '2>', \$stderr);
	$stderr = join("\n", grep { !/NOTICE|^DETAIL|^HINT|^$/ } split /\n/, $stderr);
	is(($ok ? 'ok' : 'failed') . ":$stderr", 'ok:', "$name: no error");
	return;
}

$node->safe_psql('postgres', 'CREATE DATABASE live');
restore_ok('live', [ 'pg_restore', '--exit-on-error', '-d', $node->connstr('live'), "$tmp/live.dump" ],
	'pg_restore of the live dump');
is(metrics_mismatch($node, 'live', 'live'), '', 'restored while closes ran: the metrics equal the recompute of the restored trades');
is(close_event_problems($node, 'live', 'live'), '', 'each restored closed position has exactly one position_closed event');
is($node->safe_psql('live', q{SELECT count(*) FROM (SELECT log_id FROM catalyst.audit_log GROUP BY log_id HAVING count(*) > 1) d}),
	'0', 'no audit event twice');

like(slurp_file($node->logfile), qr/LOG:  catalyst: session_replication_role is replica: this session's changes are taken for a restore and are not audited/,
	'the server log records that the restoring session was not audited');

# 2. every form from a quiescent dump equals the source
my $src = fingerprint($node, 'src');
like($src, qr/catalyst\.positions 30\d /, 'the source fingerprint covers the positions');
$node->command_ok([ 'pg_dump', '-Fc', '-f', "$tmp/src.dump", '-d', $node->connstr('src') ], 'pg_dump -Fc');
$node->command_ok([ 'pg_dump', '-Fp', '-f', "$tmp/src.sql", '-d', $node->connstr('src') ], 'pg_dump -Fp');

my %forms = (
	custom => [ 'pg_restore', '--exit-on-error', '-d', $node->connstr('r_custom'), "$tmp/src.dump" ],
	clean_new => [ 'pg_restore', '--exit-on-error', '--clean', '--if-exists', '-d', $node->connstr('r_clean_new'), "$tmp/src.dump" ],
	parallel => [ 'pg_restore', '--exit-on-error', '-j', '2', '-d', $node->connstr('r_parallel'), "$tmp/src.dump" ],
	single => [ 'pg_restore', '--exit-on-error', '--single-transaction', '-d', $node->connstr('r_single'), "$tmp/src.dump" ],
	plain => [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('r_plain'), '-f', "$tmp/src.sql" ]);
for my $form (sort keys %forms)
{
	$node->safe_psql('postgres', "CREATE DATABASE r_$form");
	restore_ok("r_$form", $forms{$form}, "restore $form");
	is(fingerprint($node, "r_$form"), $src, "restore $form: every row, partition, sequence position, privilege and policy equal");
}
# into the existing catalyst database, twice (the second drops what the first restored)
for my $round (1, 2)
{
	restore_ok('r_custom', [ 'pg_restore', '--exit-on-error', '--clean', '--if-exists', '-d', $node->connstr('r_custom'), "$tmp/src.dump" ],
		"pg_restore --clean --if-exists into the existing catalyst database (round $round)");
	is(fingerprint($node, 'r_custom'), $src, "--clean --if-exists into the existing database (round $round): equal");
}
# over a database where catalyst is at 4.1
$node->safe_psql('postgres', 'CREATE DATABASE r_old');
$node->safe_psql('r_old', q{CREATE EXTENSION catalyst VERSION '4.1'});
$node->safe_psql('r_old', slurp_file(repo_file('scripts/sample-day.sql')));
restore_ok('r_old', [ 'pg_restore', '--exit-on-error', '--clean', '--if-exists', '-d', $node->connstr('r_old'), "$tmp/src.dump" ],
	'pg_restore --clean --if-exists over a catalyst 4.1 database');
is(fingerprint($node, 'r_old'), $src, 'over the 4.1 database: equal to the source');
is($node->safe_psql('r_old', q{SELECT extversion FROM pg_extension WHERE extname = 'catalyst'}),
	$node->safe_psql('src', q{SELECT extversion FROM pg_extension WHERE extname = 'catalyst'}), 'and at the source\'s version');
is(metrics_mismatch($node, 'r_parallel', 'live') . close_event_problems($node, 'r_parallel', 'live'), '',
	'-j 2: metrics equal the recompute, one position_closed event per close');

# 3. without the signal: an error at the first statement that says what to do
$node->safe_psql('postgres', 'CREATE DATABASE r_nosignal');
my ($ret, $stdout, $stderr);
my $ok = IPC::Run::run([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('r_nosignal'), "$tmp/src.dump" ],
	'>', \$stdout, '2>', \$stderr);
ok(!$ok, 'a restore without the signal fails');
like($stderr, qr/HINT:  Run the restore with PGOPTIONS='-c session_replication_role=replica'/, 'and its HINT gives the signal');
is($node->safe_psql('r_nosignal', q{SELECT count(*) FROM pg_class WHERE relnamespace::regnamespace::text = 'catalyst'}),
	'0', 'nothing was restored half-way');

# 4. the restored database is updatable and droppable
($ret, $stdout, $stderr) = $node->psql('r_parallel', 'ALTER EXTENSION catalyst UPDATE');
is($ret, 0, 'ALTER EXTENSION catalyst UPDATE works on the restored database');
is($node->safe_psql('r_parallel', q{SELECT extversion FROM pg_extension WHERE extname = 'catalyst'}),
	$node->safe_psql('src', q{SELECT extversion FROM pg_extension WHERE extname = 'catalyst'}),
	'the restored database is at the version of a fresh install');
$node->safe_psql('r_parallel', 'SELECT catalyst.create_monthly_partitions()');
($ret, $stdout, $stderr) = $node->psql('r_parallel', 'DROP EXTENSION catalyst');
is("$ret:$stderr", '0:', 'after the first maintenance run, DROP EXTENSION works in the restored database');
is($node->safe_psql('r_parallel', q{SELECT count(*) FROM pg_class WHERE relnamespace::regnamespace::text = 'catalyst'}),
	'0', 'nothing of catalyst is left in it');

$node->stop;
done_testing();
