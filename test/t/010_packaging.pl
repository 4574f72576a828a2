# Packaging metadata (moved from the shell TAP test): META.json is valid against the PGXN Meta
# Spec 1.0.0 (its required keys and the formats and values the spec allows; checked with Perl's
# core JSON::PP by test/include/pgxn_meta_check.pl, no validator being packaged for Debian), the
# versions of META.json, catalyst.control, the Makefile and debian/changelog agree, and `make dist`
# makes the PGXN zip of the committed tree.
#
# No server: it checks the git checkout itself, CATALYST_SOURCE.  scripts/test.sh runs it apart
# from the other tests under test/t, in the checkout and as the invoking user (who owns it: git
# and make dist need it), e.g. CATALYST_SOURCE=$PWD prove test/t/010_packaging.pl
use strict;
use warnings;

use File::Temp ();
use JSON::PP;
use Test::More;

my $src = $ENV{CATALYST_SOURCE}
  or BAIL_OUT('CATALYST_SOURCE (the git checkout) is not set: run through scripts/test.sh');
my $work = File::Temp->newdir();

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<', $path) or die "$path: $!";
	local $/;
	return scalar <$fh>;
}

# run a command, its stdout and stderr in one string
sub run
{
	my (@cmd) = @_;
	my $pid = open(my $fh, '-|') // die "fork: $!";
	if ($pid == 0)
	{
		open(STDERR, '>&', \*STDOUT) or die;
		exec(@cmd) or die "exec $cmd[0]: $!";
	}
	local $/;
	my $out = <$fh> // '';
	close $fh;
	return $out;
}

my $checker = "$src/test/include/pgxn_meta_check.pl";
is(run($^X, $checker, "$src/META.json", $src), '', 'META.json is valid against the PGXN Meta Spec 1.0.0');

# the checker can fail: a copy without a license, with a two-part version, an unknown key and a
# file that is not there is refused for each
my $broken = slurp("$src/META.json");
$broken =~ s/^.*"license".*\n//mg;
$broken =~ s/"version": "[^"]*"/"version": "4.2"/;
$broken =~ s/"docfile": "README\.md"/"docfile": "nowhere.md"/g;
$broken =~ s/^\{$/{ "colour": "blue",/mg;
open(my $fh, '>', "$work/META.json") or die;
print $fh $broken;
close $fh;
is(join('', map { "$_;" } sort split /\n/, run($^X, $checker, "$work/META.json", $src)),
	'key colour is not in the spec;provides.catalyst.docfile nowhere.md is not in the distribution;required key license missing;version is not SemVer;',
	'(a broken copy of META.json is refused for each of its faults)');

my ($extversion) = slurp("$src/catalyst.control") =~ /^default_version = '(.*)'$/m;
my ($distversion) = slurp("$src/Makefile") =~ /^DISTVERSION = (.*)$/m;
my ($debversion) = slurp("$src/debian/changelog") =~ /\Acatalyst \(([^)]*)\)/;
my $meta = JSON::PP->new->decode(slurp("$src/META.json"));
$distversion //= '(none)';
is(join(' ', map { $_ // '(none)' } $meta->{version}, $meta->{provides}{catalyst}{version}, $distversion,
		$debversion, defined $extversion ? "$extversion.0" : undef),
	join(' ', ($distversion) x 5),
	'META.json, catalyst.control, the Makefile and debian/changelog give one version');

# make dist writes the zip into the checkout (where scripts/test.sh's make clean removes it too)
my $zip = "$src/catalyst-$distversion.zip";
my $dist_log = run('make', '-s', '-C', $src, 'dist');
ok(-s $zip, "make dist makes catalyst-$distversion.zip") or diag($dist_log);
my @listing = sort split /\n/, (-s $zip ? run('unzip', '-Z1', $zip) : '');
unlink $zip;
my $prefix = "catalyst-$distversion/";
is(join(' ', scalar(grep { index($_, $prefix) != 0 } @listing), scalar(grep { m{/\.ci/} } @listing),
		scalar(grep { m{^\Q$prefix\E(META\.json|Makefile|catalyst\.control|catalyst--4\.1\.sql|README\.md|sql/catalyst--4\.1--4\.2/00-header\.sql)$} } @listing)),
	'0 0 6', "the zip holds the committed tree under $prefix, without .ci");
my @committed = sort grep { !m{^(\.ci/|\.gitignore$|\.gitattributes$)} } split /\n/,
  run('git', '-C', $src, 'ls-tree', '-r', '--name-only', 'HEAD');
is_deeply([ map { substr($_, length $prefix) } grep { !m{/$} } @listing ], \@committed,
	'and every committed file but the export-ignored ones');

done_testing();
