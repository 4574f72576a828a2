# catalyst: the Catalyst Trading System schema v4.1 as a PostgreSQL 15 extension.
EXTENSION = catalyst
EXTVERSION = 4.2
# the release's version for PGXN (META.json) and Debian (debian/changelog); test/t/010_packaging.pl
# checks that they agree
DISTVERSION = 4.2.0

# Sources are found from this Makefile's directory, so that a VPATH build works too (Debian's
# pg_buildext builds in build-<version>/ with `make -f ../Makefile VPATH=..`).
source_dir := $(patsubst %/,%,$(dir $(firstword $(MAKEFILE_LIST))))
ifneq ($(source_dir),.)
$(shell mkdir -p src)
endif

MODULE_big = catalyst
OBJS = $(patsubst $(source_dir)/%.c,%.o,$(wildcard $(source_dir)/src/*.c))

# 4.1 is released: its install script never changes.  Each later version is an update script
# assembled from its parts (sql/catalyst--A--B/NN-concern.sql, in file-name order); there is no
# install script for 4.2, so CREATE EXTENSION runs 4.1 and then the updates.
DATA = $(EXTENSION)--4.1.sql
UPDATE_PARTS_4_2 = $(sort $(wildcard $(source_dir)/sql/$(EXTENSION)--4.1--4.2/*.sql))
DATA_built = $(EXTENSION)--4.1--4.2.sql

# (a rule before PGXS's own would be make's default goal: `make` builds everything, as PGXS's)
.DEFAULT_GOAL := all
$(EXTENSION)--4.1--4.2.sql: $(UPDATE_PARTS_4_2)
	cat $^ >$@

# The manual: README.md and doc/*.md, installed into $(docdir)/extension/catalyst/ (set after
# PGXS below, which names the directory extension/ for every extension).
DOCS = README.md $(patsubst $(source_dir)/%,%,$(sort $(wildcard $(source_dir)/doc/*.md)))

# pg_regress: one file per feature under test/sql, expected output under test/expected.
TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test
# isolationtester: concurrency specs under test/specs.
ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test

PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
EXTRA_CLEAN = results output_iso regression.diffs regression.out tmp_install tmp_check \
	$(EXTENSION)-$(DISTVERSION).zip

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# one directory of documents per extension, not every extension's README.md in one place
docmoduledir := extension/$(EXTENSION)

# The PGXN distribution: the committed tree as $(EXTENSION)-$(DISTVERSION).zip (git archive; files
# marked export-ignore in .gitattributes stay out).
.PHONY: dist
dist:
	git -C $(source_dir) archive --format=zip --prefix=$(EXTENSION)-$(DISTVERSION)/ \
		-o $(abspath $(EXTENSION)-$(DISTVERSION).zip) HEAD
