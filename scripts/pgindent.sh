#!/usr/bin/env bash
# scripts/pgindent.sh: indent the C code the PostgreSQL way, with PostgreSQL 15's pgindent and
# pg_bsd_indent 2.1.1 (Debian: apt-get install pg-bsd-indent), at the project's 100 columns.
#
#   scripts/pgindent.sh             indents src/*.c and src/*.h in place
#   scripts/pgindent.sh FILE...     indents those files only
#   scripts/pgindent.sh --diff ...  changes nothing: prints what indenting would change
#
# scripts/pgindent/pgindent is PostgreSQL 15.18's src/tools/pgindent/pgindent, unchanged, and
# scripts/pgindent/typedefs.list its list of PostgreSQL's typedefs (PostgreSQL License,
# scripts/pgindent/COPYRIGHT; scripts/pgindent/README says where they come from).  The project's
# own typedefs are in src/typedefs.list: add a struct, enum or function pointer type there when
# you declare one (pg_bsd_indent formats "Type *name" as "Type * name" for a type it does not
# know).  pgindent's own options are PostgreSQL's (-l79); this script adds -l100 -lc100, the
# project's line length, after them.
set -euo pipefail
cd "$(dirname "$0")/.."

diff_only=false
if [ "${1:-}" = --diff ]; then diff_only=true; shift; fi
if [ $# -eq 0 ]; then set -- src/*.c src/*.h; fi

indent=${PG_BSD_INDENT:-$(command -v pg_bsd_indent || true)}
if [ -z "$indent" ]; then
	echo "pgindent.sh: pg_bsd_indent 2.1.1 is needed (Debian: apt-get install pg-bsd-indent)" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
LC_ALL=C sort -u scripts/pgindent/typedefs.list src/typedefs.list >"$work/typedefs.list"
# pg_bsd_indent takes its options in order: the last -l wins
printf '#!/bin/sh\nexec "%s" "$@" -l100 -lc100\n' "$indent" >"$work/pg_bsd_indent"
chmod +x "$work/pg_bsd_indent"

if $diff_only; then
	for f in "$@"; do mkdir -p "$work/copy/$(dirname "$f")"; cp "$f" "$work/copy/$f"; done
	(cd "$work/copy" && perl "$OLDPWD/scripts/pgindent/pgindent" --indent="$work/pg_bsd_indent" \
		--typedefs="$work/typedefs.list" "$@")
	for f in "$@"; do diff -u "$f" "$work/copy/$f" || true; done
else
	perl scripts/pgindent/pgindent --indent="$work/pg_bsd_indent" --typedefs="$work/typedefs.list" "$@"
fi
