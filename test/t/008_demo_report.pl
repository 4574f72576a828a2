# The demo's simulation (scripts/demo-simulate.sql) and report (scripts/demo-html.sql), as
# scripts/demo.sh runs them (moved from the shell TAP test): the simulation goes through the real
# interfaces and covers what it claims, is deterministic for a seed, and the report is one
# self-contained HTML file with the equity curve.
use strict;
use warnings;

use lib $ENV{CATALYST_ROOT} . '/test/perl';
use CatalystTAP;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = catalyst_node('demo');
$node->start;
my $simulate_sql = slurp_file(repo_file('scripts/demo-simulate.sql'));
my $html_sql = slurp_file(repo_file('scripts/demo-html.sql'));

# simulate(DB, SEED, DAYS): a new database with the extension and DAYS simulated days; psql's
# return code and stderr
sub simulate
{
	my ($db, $seed, $days) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION catalyst');
	my ($ret, $stdout, $stderr) = $node->psql($db, $simulate_sql,
		extra_params => [ '-v', "seed=$seed", '-v', "days=$days" ]);
	return ($ret, $stderr);
}

# every trade of a database, in order
sub trades
{
	my ($db) = @_;
	return $node->safe_psql($db, q{SELECT string_agg(concat_ws(':', p.cycle_id, p.symbol, p.side, p.quantity, p.entry_price,
	                                                    p.exit_price, p.stop_loss, p.realized_pnl, p.opened_at, p.closed_at, p.status),
	                                          ' ' ORDER BY p.position_id) FROM catalyst.positions p});
}

my ($ret, $stderr) = simulate('demo_a', 7, 3);
is($ret, 0, 'three days simulated with seed 7') or diag($stderr);
is($node->safe_psql('demo_a', q{SELECT string_agg(status, ',' ORDER BY cycle_id) FROM catalyst.trading_cycles}),
	'stopped,stopped,active', 'one stopped cycle a day, the last one active');
is($node->safe_psql('demo_a', q{SELECT (SELECT count(*) > 0 FROM catalyst.scan_results WHERE is_selected)
	                    AND (SELECT count(*) > 0 FROM catalyst.trading_signals)
	                    AND (SELECT count(*) > 0 FROM catalyst.news_catalysts)
	                    AND (SELECT bool_and(status = 'filled') FROM catalyst.orders)
	                    AND (SELECT count(DISTINCT side) = 2 FROM catalyst.positions)}),
	't', 'scans, signals, news, filled orders, long and short positions');
is($node->safe_psql('demo_a', q{SELECT (SELECT count(*) > 0 FROM catalyst.positions WHERE realized_pnl > 0)
	                    AND (SELECT count(*) > 0 FROM catalyst.positions WHERE realized_pnl < 0)
	                    AND (SELECT count(*) > 0 FROM catalyst.positions WHERE status = 'closed' AND realized_pnl = 0)
	                    AND (SELECT count(*) = 3 FROM catalyst.positions WHERE status = 'open' AND risk_score IS NOT NULL)}),
	't', 'winners, losers and breakevens closed, three positions left open with a risk score');
is($node->safe_psql('demo_a', q{SELECT (SELECT count(*) FROM catalyst.performance_metrics) = 3
	                    AND (SELECT count(*) FROM catalyst.audit_log WHERE event_type = 'position_closed')
	                        = (SELECT count(*) FROM catalyst.positions WHERE status = 'closed')}),
	't', 'the close triggers filed a metrics row for each day and audited every close');
is($node->safe_psql('demo_a', q{SELECT string_agg(job, ',' ORDER BY job) FROM catalyst.maintenance_runs}),
	'cleanup_old_data,create_monthly_partitions', 'the maintenance jobs ran (their run records)');

simulate('demo_b', 7, 3);
simulate('demo_c', 8, 3);
my $trades_a = trades('demo_a');
is(trades('demo_b'), $trades_a, 'the same seed gives the same trades');
isnt(trades('demo_c'), $trades_a, 'another seed gives other trades');

my $report = PostgreSQL::Test::Utils::tempdir() . '/report.html';
($ret, my $stdout, $stderr) = $node->psql('demo_a', $html_sql,
	extra_params => [ '-v', 'seed=7', '-v', 'days=3', '-o', $report ]);
my $html = -s $report ? slurp_file($report) : '';
ok($ret == 0 && $html =~ m{</html>}, 'the report is written') or diag($stderr);
# the curve: one point for the start and one per closed trade, and the drawdown area under the peak
my ($points) = $html =~ /<polyline class="equity" points="([^"]*)"/;
is(scalar(my @p = split ' ', $points // ''),
	$node->safe_psql('demo_a', q{SELECT count(*) + 1 FROM catalyst.positions WHERE status = 'closed'}),
	'the equity curve has a point per closed trade, and the start');
like($html, qr/<path class="drawdown" d="M /, 'the drawdown is shaded');
# self-contained: no script, no stylesheet or image fetched, no URL but the SVG namespace
my %fetches = map { $_ => 1 } grep { $_ ne 'http://www.w3.org/2000/svg' }
  $html =~ m{(<script|<link|src=|url\(|https?://[^"]*)}gi;
is(join(' ', sort keys %fetches), '', 'no network: no script, link, src or URL but the SVG namespace');

$node->stop;
done_testing();
