#!/usr/bin/env perl
# scripts/check-layout.pl: the layout of src/ (issue 12, item 5, "Code laid out by concern"), as
# TAP.  Run after a build, from the top of the checkout (scripts/test.sh does, through prove):
#
#   1. the call graph between files, from the symbols each object file defines and uses
#      (nm src/*.o), printed as "# a -> b (symbols)" lines
#   2. no dependency cycle in it: no two .c files call each other, directly or through a chain
#   3. each .c includes the header of every module it calls, and no other of the project's
#      headers (catalyst.h, the project-wide one, and its own header aside)
#   4. every non-static function has a comment, at its declaration in a header or its definition
#   5. no line of src/ is longer than 100 columns (tabs of 4)
#
# Usage: scripts/check-layout.pl [SRCDIR]   (default src)
use strict;
use warnings;

my $src = shift // 'src';
my @objects = sort glob("$src/*.o");
my @sources = sort glob("$src/*.c");
my @headers = sort glob("$src/*.h");
my $n = 0;

sub ok
{
	my ($ok, $name, @diag) = @_;
	$n++;
	print(($ok ? 'ok' : 'not ok') . " $n - $name\n");
	print "# $_\n" for @diag;
	return $ok;
}

sub base { my $f = shift; $f =~ s{.*/}{}; $f =~ s{\.[cho]$}{}; return $f }

sub slurp
{
	my $f = shift;
	open(my $fh, '<', $f) or die "$f: $!";
	local $/;
	return <$fh>;
}

# 1. who defines and who uses each global symbol
my (%defined_by, %used_by);
for my $o (@objects)
{
	my $file = base($o);
	for (`nm $o`)
	{
		if (/^[0-9a-f]+\s+[TDBRC]\s+(\S+)$/) { $defined_by{$1} = $file }
		elsif (/^\s+U\s+(\S+)$/) { push @{ $used_by{$file} }, $1 }
	}
}
my %calls;    # file -> file -> [symbols]
for my $file (keys %used_by)
{
	for my $sym (@{ $used_by{$file} })
	{
		my $to = $defined_by{$sym};
		push @{ $calls{$file}{$to} }, $sym if defined $to && $to ne $file;
	}
}
my @graph;
for my $from (sort keys %calls)
{
	push @graph, "$from -> $_ (" . join(', ', sort @{ $calls{$from}{$_} }) . ")"
	  for sort keys %{ $calls{$from} };
}
ok(@objects > 0 && @objects == @sources,
	'the call graph between files, from nm of ' . scalar(@objects) . ' objects', @graph)
  or print "# build first: every src/*.c needs its src/*.o\n";

# 2. cycles: a depth-first search; a back edge closes a cycle
my (%state, @stack, @cycles);
sub visit
{
	my $f = shift;
	$state{$f} = 1;
	push @stack, $f;
	for my $to (sort keys %{ $calls{$f} // {} })
	{
		if (($state{$to} // 0) == 1)
		{
			my @path = @stack;
			shift @path while $path[0] ne $to;
			push @cycles, join(' -> ', @path, $to);
		}
		elsif (!$state{$to}) { visit($to) }
	}
	pop @stack;
	$state{$f} = 2;
}
visit($_) for grep { !$state{$_} } sort keys %calls;
ok(!@cycles, 'no dependency cycle between files', map { "cycle: $_" } @cycles);

# 3. includes: the headers of the modules called, no others
my %header = map { base($_) => 1 } @headers;
my @wrong;
for my $c (@sources)
{
	my $file = base($c);
	my %included = map { $_ => 1 } (slurp($c) =~ /^#include "(\w+)\.h"/mg);
	delete $included{$_} for grep { !$header{$_} } keys %included;
	delete @included{ 'catalyst', $file };
	my %needed = map { $_ => 1 } keys %{ $calls{$file} // {} };
	for (sort keys %needed)
	{
		push @wrong, "$file.c calls $_.c but does not include $_.h" unless $included{$_};
	}
	for (sort keys %included)
	{
		push @wrong, "$file.c includes $_.h but calls nothing of $_.c" unless $needed{$_};
	}
	push @wrong, "$file.c does not include its own header $file.h"
	  if $header{$file} && $file ne 'catalyst' && slurp($c) !~ /^#include "$file\.h"/m;
}
ok(!@wrong, 'each .c includes the headers of the modules it calls, and no other', @wrong);

# 4. a comment on every non-static function: above its declaration in a header (a comment may
# head a group of declarations, no blank line between), or above its definition.  Functions
# declared with PG_FUNCTION_INFO_V1 are SQL-callable: their comment is the SQL one.
my %commented;
for my $h (@headers)
{
	my @lines = split /\n/, slurp($h);
	for my $i (0 .. $#lines)
	{
		next unless $lines[$i] =~ /^extern\s[^;]*?\b(\w+)\s*\(/;
		my $name = $1;
		for (my $j = $i - 1; $j >= 0 && $lines[$j] =~ /\S/; $j--)
		{
			if ($lines[$j] =~ m{\*/\s*$}) { $commented{$name} = 1; last }
		}
	}
}
my @uncommented;
for my $c (@sources)
{
	my $text = slurp($c);
	my %sql = map { $_ => 1 } ($text =~ /PG_FUNCTION_INFO_V1\((\w+)\)/g);
	my @lines = split /\n/, $text;
	for my $i (2 .. $#lines)
	{
		next unless $lines[$i] =~ /^(\w+)\(/;
		my $name = $1;
		next if $lines[ $i - 1 ] =~ /^static\b/ || $lines[ $i - 1 ] !~ /^\w/;
		next if $sql{$name} || $name eq '_PG_init' || $commented{$name};
		push @uncommented, base($c) . ".c: $name()" unless $lines[ $i - 2 ] =~ m{\*/\s*$};
	}
}
ok(!@uncommented, 'a comment on every non-static function', @uncommented);

# 5. 100 columns.
my @long;
for my $f (@sources, @headers)
{
	my $lineno = 0;
	for my $line (split /\n/, slurp($f))
	{
		$lineno++;
		1 while $line =~ s/\t+/' ' x (length($&) * 4 - length($`) % 4)/e;
		push @long, "$f:$lineno: " . length($line) . " columns" if length($line) > 100;
	}
}
ok(!@long, 'no line of src/ is longer than 100 columns', @long);

print "1..$n\n";
