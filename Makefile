# catalyst: the Catalyst Trading System schema v4.1 as a PostgreSQL 15 extension.
EXTENSION = catalyst
EXTVERSION = 4.2

MODULE_big = catalyst
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))

# 4.1 is released: its install script never changes.  Each later version is an update script
# assembled from its parts (sql/catalyst--A--B/NN-concern.sql, in file-name order); there is no
# install script for 4.2, so CREATE EXTENSION runs 4.1 and then the updates.
DATA = $(EXTENSION)--4.1.sql
UPDATE_PARTS_4_2 = $(sort $(wildcard sql/$(EXTENSION)--4.1--4.2/*.sql))
DATA_built = $(EXTENSION)--4.1--4.2.sql

$(EXTENSION)--4.1--4.2.sql: $(UPDATE_PARTS_4_2)
	cat $^ >$@

# pg_regress: one file per feature under test/sql, expected output under test/expected.
TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test
# isolationtester: concurrency specs under test/specs.
ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test

PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
EXTRA_CLEAN = results output_iso regression.diffs regression.out tmp_install tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
