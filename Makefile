# catalyst: the Catalyst Trading System schema v4.1 as a PostgreSQL 15 extension.
EXTENSION = catalyst
EXTVERSION = 4.1

MODULE_big = catalyst
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))

DATA = $(EXTENSION)--$(EXTVERSION).sql

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
