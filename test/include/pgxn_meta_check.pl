#!/usr/bin/perl
# test/include/pgxn_meta_check.pl META.json [DISTRIBUTION_ROOT]: prints what makes META.json
# invalid against the PGXN Meta Spec 1.0.0 (https://pgxn.org/spec/): its required keys, the keys
# it allows, the formats and values of each (SemVer versions, the license names, version ranges
# of prerequisites), and the files `provides` names; nothing when it is valid.  Perl's core
# JSON::PP only: no PGXN validator is packaged for Debian.
use strict;
use warnings;
use JSON::PP;
my ($meta, $root) = @ARGV;
$root //= ".";
my $text = do { local $/; open my $f, "<", $meta or die "$meta: $!\n"; <$f> };
my $m = eval { JSON::PP->new->decode($text) } or do { print "not JSON: $@"; exit };
my @p;
my $semver = qr/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd freebsd gfdl_1_2 gfdl_1_3
	gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0 mozilla_1_1 openssl perl_5 postgresql qpl_1_0 ssleay sun
	zlib open_source restricted unrestricted unknown);
my %keys = map { $_ => 1 } qw(name version abstract maintainer license provides meta-spec description
	generated_by tags no_index prereqs release_status resources);
for my $k (qw(name version abstract maintainer license provides meta-spec)) {
	push @p, "required key $k missing" unless exists $m->{$k};
}
for my $k (keys %$m) { push @p, "key $k is not in the spec" unless $keys{$k} || $k =~ /^[xX]_./ }
push @p, "name must be a term of 2+ characters without /, \\ or spaces"
	unless ($m->{name} // "") =~ m{^[^\s/\\:]{2,}$};
push @p, "version is not SemVer" unless ($m->{version} // "") =~ $semver;
push @p, "abstract is empty" unless length($m->{abstract} // "");
my $mt = $m->{maintainer};
push @p, "maintainer must be a string or a list of strings"
	unless !defined $mt || (!ref $mt && length $mt) || (ref $mt eq "ARRAY" && @$mt && !grep { ref || !length } @$mt);
my $l = $m->{license};
push @p, "license is not one the spec lists"
	unless !defined $l || (!ref $l && $licenses{$l}) || (ref $l eq "ARRAY" && @$l && !grep { !$licenses{$_} } @$l)
	    || (ref $l eq "HASH" && %$l);
my $spec = $m->{"meta-spec"};
push @p, "meta-spec.version must be 1.0.x" unless ref $spec eq "HASH" && ($spec->{version} // "") =~ /^1\.0\.\d+$/;
if (ref $m->{provides} eq "HASH" && %{$m->{provides}}) {
	for my $x (sort keys %{$m->{provides}}) {
		my $e = $m->{provides}{$x};
		push @p, "provides.$x.file missing" unless length($e->{file} // "");
		push @p, "provides.$x.file $e->{file} is not in the distribution" if length($e->{file} // "") && !-f "$root/$e->{file}";
		push @p, "provides.$x.docfile $e->{docfile} is not in the distribution" if defined $e->{docfile} && !-f "$root/$e->{docfile}";
		push @p, "provides.$x.version is not SemVer" unless ($e->{version} // "") =~ $semver;
		for my $k (keys %$e) { push @p, "provides.$x.$k is not in the spec" unless $k =~ /^(file|version|abstract|docfile)$/ || $k =~ /^[xX]_./ }
	}
} else { push @p, "provides must name at least one extension" }
if (exists $m->{prereqs}) {
	for my $phase (keys %{$m->{prereqs}}) {
		push @p, "prereqs phase $phase is not in the spec" unless $phase =~ /^(configure|build|test|runtime|develop)$/;
		for my $rel (keys %{$m->{prereqs}{$phase}}) {
			push @p, "prereqs.$phase.$rel is not in the spec" unless $rel =~ /^(requires|recommends|suggests|conflicts)$/;
			for my $d (keys %{$m->{prereqs}{$phase}{$rel}}) {
				my $v = $m->{prereqs}{$phase}{$rel}{$d};
				push @p, "prereqs.$phase.$rel.$d: $v is not a version range"
					unless "$v" =~ /^(0|((==|!=|>=|>|<=|<)\s*)?\d+\.\d+\.\d+\S*(\s*,\s*(==|!=|>=|>|<=|<)\s*\d+\.\d+\.\d+\S*)*)$/;
			}
		}
	}
}
if (exists $m->{release_status}) { push @p, "release_status must be stable, testing or unstable" unless $m->{release_status} =~ /^(stable|testing|unstable)$/ }
if (exists $m->{tags}) { push @p, "tags must be a list of 1 to 255 characters each" unless ref $m->{tags} eq "ARRAY" && @{$m->{tags}} && !grep { !length || length > 255 } @{$m->{tags}} }
print join("\n", @p);
print "\n" if @p;
