# The group roles catalyst_reader, catalyst_trader and catalyst_admin belong to the cluster
# (moved from the shell TAP test): the first CREATE EXTENSION makes them, a CREATE EXTENSION in
# another database finds them and leaves them as they are, DROP EXTENSION keeps them, and their
# grants work in every database.
use strict;
use warnings;

use lib $ENV{CATALYST_ROOT} . '/test/perl';
use CatalystTAP;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = catalyst_node('roles', cron => 0);
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE roles_db1; CREATE DATABASE roles_db2');
my $roles_sql = q{SELECT string_agg(r.rolname || ':' || r.rolcanlogin || ':' || r.rolconnlimit || ':'
	|| coalesce((SELECT string_agg(m.rolname, ',' ORDER BY m.rolname) FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.roleid
	             WHERE a.member = r.oid), ''), ' ' ORDER BY r.rolname)
	FROM pg_roles r WHERE r.rolname IN ('catalyst_reader', 'catalyst_trader', 'catalyst_admin')};

my ($ret, $stdout, $stderr) = $node->psql('roles_db1', 'CREATE EXTENSION catalyst');
is("$ret:" . $node->safe_psql('postgres', $roles_sql),
	'0:catalyst_admin:false:-1:catalyst_trader catalyst_reader:false:-1: catalyst_trader:false:-1:catalyst_reader',
	'after CREATE EXTENSION the three NOLOGIN group roles exist, each a member of the one below');

# a DBA's change to a role must survive a CREATE EXTENSION elsewhere
$node->safe_psql('postgres', 'ALTER ROLE catalyst_reader CONNECTION LIMIT 5');
($ret, $stdout, $stderr) = $node->psql('roles_db2', 'CREATE EXTENSION catalyst');
is("$ret:$stderr", '0:', 'CREATE EXTENSION in a second database works, silently, with the roles already there');
is($node->safe_psql('postgres', $roles_sql),
	'catalyst_admin:false:-1:catalyst_trader catalyst_reader:false:5: catalyst_trader:false:-1:catalyst_reader',
	'... and leaves the roles as they were');

# a trading engine's login role works in both databases
$node->safe_psql('postgres', 'CREATE ROLE regress_roles_engine LOGIN IN ROLE catalyst_trader');
sub engine
{
	my ($db, $sql) = @_;
	my ($r, $out, $err) = $node->psql($db, $sql, extra_params => [ '-U', 'regress_roles_engine' ]);
	return "$out$err";
}
for my $db ('roles_db1', 'roles_db2')
{
	engine($db, qq{INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('$db', 'normal', 300);
		INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
		VALUES ('$db-o', '$db', 'AAPL', 'buy', 'market', 1)});
}
is(engine('roles_db1', 'SELECT order_id FROM catalyst.orders') . ' ' . engine('roles_db2', 'SELECT order_id FROM catalyst.orders'),
	'roles_db1-o roles_db2-o', 'the trader\'s grants work in both databases');

($ret, $stdout, $stderr) = $node->psql('roles_db1', 'DROP EXTENSION catalyst');
is("$ret:$stderr", '0:', 'DROP EXTENSION succeeds');
is($node->safe_psql('postgres', $roles_sql),
	'catalyst_admin:false:-1:catalyst_trader catalyst_reader:false:5: catalyst_trader:false:-1:catalyst_reader',
	'DROP EXTENSION keeps the roles');
is(engine('roles_db2', q{UPDATE catalyst.orders SET status = 'submitted' RETURNING status}), 'submitted',
	'the other database still works');

# while a database uses them, the roles cannot be dropped by accident
($ret, $stdout, $stderr) = $node->psql('postgres', 'DROP ROLE catalyst_reader');
like($stderr, qr/ERROR:  role "catalyst_reader" cannot be dropped because some objects depend on it/,
	'a group role in use cannot be dropped');
$node->stop;
done_testing();
