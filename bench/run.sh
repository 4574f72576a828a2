#!/usr/bin/env bash
# bench/run.sh: every benchmark, one after the other (each starts its own cluster).
set -euo pipefail
cd "$(dirname "$0")"
for b in risk close retention security; do
	[ -x "./$b.sh" ] && "./$b.sh"
done
