#!/usr/bin/env bash
# scripts/build-deb.sh: build the Debian package postgresql-15-catalyst_<version>_<arch>.deb from a
# clean clone of the committed tree (HEAD of this checkout), with dpkg-buildpackage and
# pg_buildext as Debian builds its PostgreSQL extensions.  Uncommitted changes are not in it.
#
#   scripts/build-deb.sh [OUTDIR]    the .deb goes to OUTDIR (default: ./dist); prints its path
#
# As root it first installs what building needs (scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
outdir=$(realpath -m "${1:-$root/dist}")

# as root, what building needs (debhelper, dpkg-dev, postgresql-server-dev-all, git), with the rest
# of the project's dependencies
if [ "$(id -u)" = 0 ]; then scripts/deps.sh; fi

work=$(mktemp -d /tmp/catalyst-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
# a clean clone: only what is committed, nothing built or left over in this checkout
git clone -q --no-local "$root" "$work/catalyst"
cd "$work/catalyst"
dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }

mkdir -p "$outdir"
for deb in "$work"/postgresql-*-catalyst_*.deb; do
	cp "$deb" "$outdir/"
	echo "$outdir/$(basename "$deb")"
done
