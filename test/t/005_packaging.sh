#!/usr/bin/env bash
# Packaging metadata: META.json is valid against the PGXN Meta Spec 1.0.0 (its required keys and
# the formats and values the spec allows; checked with Perl's core JSON::PP, no validator being
# packaged for Debian), the versions of META.json, catalyst.control, the Makefile and
# debian/changelog agree, and `make dist` makes the PGXN zip of the committed tree.
set -uo pipefail
cd "$(dirname "$0")/../.."

source test/include/tap.sh

echo "1..6"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

problems=$(perl test/include/pgxn_meta_check.pl META.json . 2>&1)
check "META.json is valid against the PGXN Meta Spec 1.0.0" "$problems" ""
# the checker can fail: a copy without a license, with a two-part version, an unknown key and a
# file that is not there is refused for each
sed -e '/"license"/d' -e '0,/"version": "[^"]*"/s//"version": "4.2"/' -e 's/"docfile": "README.md"/"docfile": "nowhere.md"/' \
	-e 's/^{$/{ "colour": "blue",/' META.json >"$work/META.json"
check "(a broken copy of META.json is refused for each of its faults)" \
	"$(perl test/include/pgxn_meta_check.pl "$work/META.json" . 2>&1 | sort | tr '\n' ';')" \
	"key colour is not in the spec;provides.catalyst.docfile nowhere.md is not in the distribution;required key license missing;version is not SemVer;"

extversion=$(sed -n "s/^default_version = '\(.*\)'/\1/p" catalyst.control)
distversion=$(sed -n 's/^DISTVERSION = //p' Makefile)
check "META.json, catalyst.control, the Makefile and debian/changelog give one version" \
	"$(perl -MJSON::PP -e 'my $m = JSON::PP->new->decode(do { local $/; <STDIN> });
	       print join " ", $m->{version}, $m->{provides}{catalyst}{version}' <META.json) $distversion $(sed -n '1s/^catalyst (\([^)]*\)).*/\1/p' debian/changelog) $extversion.0" \
	"$distversion $distversion $distversion $distversion $distversion"

make -s dist >/dev/null 2>"$work/dist.log"
zip=catalyst-$distversion.zip
[ -s "$zip" ] && ok "make dist makes $zip" || { notok "make dist makes $zip"; cat "$work/dist.log"; }
listing=$(unzip -Z1 "$zip" 2>/dev/null | sort)
check "the zip holds the committed tree under catalyst-$distversion/, without .ci" \
	"$(echo "$listing" | grep -cvE "^catalyst-$distversion/") $(echo "$listing" | grep -c '/\.ci/') $(echo "$listing" | grep -cE "^catalyst-$distversion/(META\.json|Makefile|catalyst\.control|catalyst--4\.1\.sql|README\.md|sql/catalyst--4\.1--4\.2/00-header\.sql)$")" \
	"0 0 6"
check "and every committed file but the export-ignored ones" \
	"$(echo "$listing" | grep -v '/$' | sed "s|^catalyst-$distversion/||" | sort | md5sum)" \
	"$(git ls-tree -r --name-only HEAD | grep -vE '^(\.ci/|\.gitignore$|\.gitattributes$)' | sort | md5sum)"
rm -f "$zip"
