#!/usr/bin/env bash
# scripts/deps.sh: install, through apt-get, what building and testing catalyst needs.
# Idempotent: packages already present are not fetched again.  Must run as root (or via sudo).
set -euo pipefail

packages=(
	make gcc
	postgresql-15 postgresql-server-dev-15  # server, headers and PGXS
	postgresql-15-cron                      # pg_cron: scheduling (optional at run time, tested)
	postgresql-15-pgtap                     # pgTAP
	libtap-parser-sourcehandler-pgtap-perl  # pg_prove
	libipc-run-perl                         # PostgreSQL::Test::Cluster (the Perl TAP tests)
	postgresql-15-partman                   # pg_partman: the reference in the partition benchmark
	unzip                                   # the packaging test lists the PGXN zip (make dist)
	debhelper dpkg-dev postgresql-server-dev-all  # the Debian package (scripts/build-deb.sh)
	git                                     # make dist and build-deb.sh work from the committed tree
)

# the client test (test/client): node-postgres through npm; a node from elsewhere that has npm
# (NodeSource's nodejs ships it) is kept
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "deps.sh: need root to install: ${missing[*]}" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# Debian's postgresql-common would create and start a cluster "main" on port 5432: not wanted.
	mkdir -p /etc/postgresql-common/createcluster.d
	echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/catalyst-no-main.conf
	# the whole list, not only what is missing: the server comes up to the version of the headers
	apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
