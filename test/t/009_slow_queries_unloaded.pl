# catalyst.slow_queries() on a server where pg_stat_statements is installed in the database but
# its library is not preloaded (moved from the shell TAP test): a clear error whose HINT says to
# preload it, not pg_stat_statements' own message alone.  (test/sql/slow_queries.sql covers the
# server that preloads it.)
use strict;
use warnings;

use lib $ENV{CATALYST_ROOT} . '/test/perl';
use CatalystTAP;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = catalyst_node('unloaded', cron => 0);
# whatever catalyst_node() preloads, nothing here (the last setting in postgresql.conf wins)
$node->append_conf('postgresql.conf', "shared_preload_libraries = ''");
$node->start;
is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), '', 'pg_stat_statements is not preloaded there');
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'CREATE EXTENSION catalyst; CREATE EXTENSION pg_stat_statements');
is("$ret:$stderr", '0:', 'both extensions install');
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT * FROM catalyst.slow_queries(100)',
	extra_params => [ '-v', 'SHOW_CONTEXT=never' ]);
like($stderr, qr/ERROR:  pg_stat_statements is installed but not loaded/, 'slow_queries() is a clear error');
like($stderr,
	qr/HINT:  Add pg_stat_statements to shared_preload_libraries in postgresql\.conf and restart the server\./,
	'whose HINT says to preload it');
$node->stop;
done_testing();
