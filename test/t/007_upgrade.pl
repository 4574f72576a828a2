# The upgrade path, as contrib's oldextversions tests it: a database created at the released
# 4.1, loaded with trading data while the current library serves it, then
# ALTER EXTENSION catalyst UPDATE.  Every row is kept; the schema (pg_dump -s), the extension's
# members, its config-dump marks and the automatic dependencies equal a fresh install's; the
# updated database dumps and restores.  Compared generically, so that every part added to the
# update script is covered without being named here.
use strict;
use warnings;

use lib $ENV{CATALYST_ROOT} . '/test/perl';
use CatalystTAP;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = catalyst_node('upgrade', cron => 0);
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
$node->safe_psql('postgres', 'CREATE DATABASE old; CREATE DATABASE fresh');
$node->safe_psql('old', q{CREATE EXTENSION catalyst VERSION '4.1'});
is($node->safe_psql('old', q{SELECT extversion FROM pg_extension WHERE extname = 'catalyst'}), '4.1', 'created at 4.1');

# the current library serves the 4.1 schema: every C symbol 4.1 binds is exported (the C
# validator loads the library and looks each one up), and trading, closes, maintenance, risk work
my $c_symbols = q{SELECT count(*) || ' ' || count(v.ok) FROM pg_proc p
	CROSS JOIN LATERAL (SELECT true AS ok FROM (SELECT pg_catalog.fmgr_c_validator(p.oid)) x) v
	WHERE p.pronamespace = 'catalyst'::regnamespace AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')};
like($node->safe_psql('old', $c_symbols), qr/^([1-9]\d*) \1$/, 'the library has every C symbol of the 4.1 schema');
$node->safe_psql('old', slurp_file(repo_file('scripts/sample-day.sql')));
load_open_positions($node, 'old', 'up', 50);
$node->safe_psql('old', q{
UPDATE catalyst.positions SET status = 'closed', exit_price = 101, closed_at = now(), exit_order_id = replace(entry_order_id, '-in-', '-out-')
WHERE cycle_id = 'up' AND position_id % 2 = 0;
SELECT catalyst.refresh_position_risk();
SELECT catalyst.create_monthly_partitions();
SELECT catalyst.cleanup_old_data();});
is(metrics_mismatch($node, 'old'), '', 'at 4.1 the metrics equal the recompute');

# what every row holds, in the columns the tables have at 4.1 (performance_metrics, a table at
# 4.1, is read through the view of that name after the update; the update derives each of its
# days anew, which stamps updated_at)
my $rows_sql = q{
SELECT format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(r, ''|'' ORDER BY r)), '''') FROM (SELECT ROW(%s)::text AS r FROM %s) t',
              c.oid::regclass,
              (SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum)
               FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 AND a.attname IN (SELECT unnest(string_to_array(current_setting('upgrade.columns_' || c.relname, true), ',')))),
              c.oid::regclass)
FROM pg_class c WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind IN ('r', 'v')
  AND current_setting('upgrade.columns_' || c.relname, true) IS NOT NULL ORDER BY 1 \gexec
};
my $columns = $node->safe_psql('old', q{
SELECT string_agg(format('SET upgrade.columns_%s = %L;', c.relname,
                         (SELECT string_agg(a.attname, ',') FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                            AND (c.relname, a.attname) <> ('performance_metrics', 'updated_at'))), ' ')
FROM pg_class c WHERE c.relnamespace = 'catalyst'::regnamespace AND c.relkind = 'r'});
my $before = $node->safe_psql('old', $columns . $rows_sql);
like($before, qr/catalyst\.positions 54 [0-9a-f]{32}/, 'the rows of every table, in their 4.1 columns');

$node->command_ok([ 'pg_dump', '-Fc', '-f', "$tmp/at41.dump", '-d', $node->connstr('old') ], 'pg_dump -Fc at 4.1');

my ($ret, $stdout, $stderr) = $node->psql('old', 'ALTER EXTENSION catalyst UPDATE');
is("$ret:$stderr", '0:', 'ALTER EXTENSION catalyst UPDATE');
is($node->safe_psql('old', $columns . $rows_sql), $before, 'every row is kept');
is(metrics_mismatch($node, 'old'), '', 'after the update the metrics equal the recompute');
like($node->safe_psql('old', $c_symbols), qr/^([1-9]\d*) \1$/, 'and every C symbol of the updated schema');

$node->safe_psql('fresh', 'CREATE EXTENSION catalyst');
is($node->safe_psql('old', q{SELECT extversion FROM pg_extension WHERE extname = 'catalyst'}),
	$node->safe_psql('fresh', q{SELECT extversion FROM pg_extension WHERE extname = 'catalyst'}),
	'the updated database is at the default version');

# the schema, the members, the config-dump marks and the automatic dependencies
my %schema;
for my $db ('old', 'fresh')
{
	my $out;
	IPC::Run::run([ 'pg_dump', '-s', '-d', $node->connstr($db) ], '>', \$out) or die 'pg_dump -s failed';
	# (pg_dump's \restrict key is new in every dump)
	$out =~ s/^\\(un)?restrict .*$//mg;
	open(my $fh, '>', "$tmp/$db.schema.sql") or die;
	print $fh $out;
	close $fh;
	$schema{$db} = $out;
}
ok(length($schema{fresh}) > 10000, 'pg_dump -s of the fresh install');
my $diff = `diff $tmp/old.schema.sql $tmp/fresh.schema.sql`;
is($diff, '', 'pg_dump -s of the updated database equals the fresh install');
my $catalog_sql = q{
SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
FROM pg_depend d WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'catalyst')
UNION ALL
SELECT 'auto ' || pg_describe_object(d.classid, d.objid, d.objsubid)
FROM pg_depend d WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'x'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'catalyst')
UNION ALL
SELECT 'config_dump ' || c::regclass || ' ' || coalesce(w, '')
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, w) WHERE e.extname = 'catalyst'
ORDER BY 1};
my $fresh_catalog = $node->safe_psql('fresh', $catalog_sql);
like($fresh_catalog, qr/config_dump catalyst\.positions/, 'the catalog comparison covers the config-dump marks');
is($node->safe_psql('old', $catalog_sql), $fresh_catalog,
	'the extension members, config-dump marks and automatic dependencies equal the fresh install');

# the updated database dumps and restores
$node->command_ok([ 'pg_dump', '-Fc', '-f', "$tmp/old.dump", '-d', $node->connstr('old') ], 'pg_dump -Fc of the updated database');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
{
	local $ENV{PGOPTIONS} = '-c session_replication_role=replica';
	$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), "$tmp/old.dump" ],
		'pg_restore of the updated database');
}
is(fingerprint($node, 'restored'), fingerprint($node, 'old'), 'the restore equals the updated database');

# a dump taken at 4.1, restored by this library, then brought to the current key of the two
# partitioned tables with the statements of doc/backups.md: the same schema as a fresh install
$node->safe_psql('postgres', 'CREATE DATABASE from41');
{
	local $ENV{PGOPTIONS} = '-c session_replication_role=replica';
	$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('from41'), "$tmp/at41.dump" ],
		'pg_restore of the 4.1 dump');
}
is(metrics_mismatch($node, 'from41'), '',
	'its performance_metrics rows (a table at 4.1, a view now) are taken in: the metrics equal the recompute');
is($node->safe_psql('from41', 'SELECT count(*) FROM catalyst.metrics_days'),
	$node->safe_psql('old', 'SELECT count(*) FROM catalyst.metrics_days'), 'one metrics_days row per 4.1 row');
my (undef, undef, $warning) = $node->psql('from41', 'SELECT catalyst.create_monthly_partitions()');
like($warning, qr/WARNING:  catalyst: restored table audit_log still has the primary key audit_log_pkey of catalyst 4\.1.*HINT:  Run the statements of doc\/backups\.md/s,
	'the first maintenance run after the restore says what to do');
my ($doc_sql) = slurp_file(repo_file('doc/backups.md')) =~ /Bring them to\s+4\.2 after the restore[^`]*```sql\n(.*?)```/s;
like($doc_sql // '', qr/CREATE UNIQUE INDEX audit_log_key/, 'doc/backups.md gives the statements for a 4.1 dump');
$node->safe_psql('from41', $doc_sql);
my $from41;
IPC::Run::run([ 'pg_dump', '-s', '-d', $node->connstr('from41') ], '>', \$from41) or die 'pg_dump -s failed';
$from41 =~ s/^\\(un)?restrict .*$//mg;
# the tables and view the dump defines (not members of the extension) have the dump's comments:
# 4.1 gave them none (doc/backups.md)
my $dump_defined = qr/(?:audit_log|scan_results|v_active_trading)/;
my $dump_comment = qr/--\n-- Name: \w+ $dump_defined\S*(?: ON $dump_defined\S*)?; Type: COMMENT;[^\n]*\n--\n\nCOMMENT ON [^\n]*\n\n\n/;
ok($schema{fresh} =~ $dump_comment, 'the fresh install comments the tables a dump defines');
my ($fresh_uncommented, $from41_uncommented) = map { (my $t = $_) =~ s/$dump_comment//g; $t } $schema{fresh}, $from41;
open(my $fh41, '>', "$tmp/from41.schema.sql") or die;
print $fh41 $from41_uncommented;
close $fh41;
open(my $fhf, '>', "$tmp/fresh.uncommented.sql") or die;
print $fhf $fresh_uncommented;
close $fhf;
is(`diff $tmp/from41.schema.sql $tmp/fresh.uncommented.sql`, '', 'then pg_dump -s equals the fresh install (but for those comments)');

# bad input: a version that does not exist is PostgreSQL's error, and changes nothing
($ret, $stdout, $stderr) = $node->psql('old', q{ALTER EXTENSION catalyst UPDATE TO '9.9'});
like($stderr, qr/ERROR:  extension "catalyst" has no update path from version "4\.2" to version "9\.9"/,
	'ALTER EXTENSION catalyst UPDATE TO 9.9 is PostgreSQL\'s error');

$node->stop;
done_testing();
