#!/usr/bin/env bash
# scripts/build-deb.sh: build the Debian package postgresql-15-catalyst_<version>_<arch>.deb from a
# clean clone of the committed tree (HEAD of this checkout), with dpkg-buildpackage and
# pg_buildext as Debian builds its PostgreSQL extensions.  Uncommitted changes are not in it.
#
#   scripts/build-deb.sh [OUTDIR]    the .deb goes to OUTDIR (default: ./dist); prints its path
#
# As root it first installs what building needs (debhelper, postgresql-server-dev-all, dpkg-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
outdir=$(realpath -m "${1:-$root/dist}")

build_deps=(debhelper dpkg-dev postgresql-server-dev-all git)
missing=()
for p in "${build_deps[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "build-deb.sh: need root to install: ${missing[*]}" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi

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
