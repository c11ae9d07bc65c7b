# kms_policy -- PGXS build
EXTENSION = kms_policy
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = kms_policy

# The policy core: plain C + json-c, no PostgreSQL headers (unit-tested and
# fuzzed on its own, see test/).
CORE_SRCS = src/kp_error.c src/kp_operand.c src/policy_json.c src/arn.c src/policy_validate.c \
	src/kms_iam_data.c src/kp_iam.c src/policy_eval.c
# The PostgreSQL glue.
GLUE_SRCS = src/kms_policy.c src/errors.c src/keys.c src/triggers.c \
	src/policy_cache.c src/authz.c src/registry.c

OBJS = $(CORE_SRCS:.c=.o) $(GLUE_SRCS:.c=.o)
KMS_HEADERS = $(wildcard src/*.h)

DATA = $(wildcard $(EXTENSION)--*.sql)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION) --encoding=UTF8

ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --inputdir=. --load-extension=$(EXTENSION) --encoding=UTF8

PG_CPPFLAGS = -DKMS_POLICY_VERSION=\"$(EXTVERSION)\"
SHLIB_LINK += $(shell pkg-config --libs json-c)

EXTRA_CLEAN = test/unit/*_test test/fuzz/fuzz_policy bench/eval_bench

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Rebuild objects when a header changes (after PGXS, so "all" stays the default goal).
$(OBJS): $(KMS_HEADERS)

# ---------------------------------------------------------------------------
# Core unit tests (cmocka), built without PostgreSQL and run under
# AddressSanitizer/LeakSanitizer.
# ---------------------------------------------------------------------------
CORE_CC ?= gcc
CORE_CFLAGS = -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fno-omit-frame-pointer -fsanitize=address,undefined -Isrc
UNIT_TESTS = $(patsubst test/unit/%.c,test/unit/%_test,$(sort $(wildcard test/unit/test_*.c)))

test/unit/%_test: test/unit/%.c $(CORE_SRCS) src/kp.h $(wildcard src/kp_*.h)
	$(CORE_CC) $(CORE_CFLAGS) -o $@ $< $(CORE_SRCS) -lcmocka -ljson-c

.PHONY: unit
unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; ./$$t; done

# ---------------------------------------------------------------------------
# libFuzzer target over kp_policy_parse (clang, ASan + LeakSanitizer + UBSan).
# FUZZ_SECONDS bounds the run.
# ---------------------------------------------------------------------------
FUZZ_SECONDS ?= 60
test/fuzz/fuzz_policy: test/fuzz/fuzz_policy.c $(CORE_SRCS) src/kp.h
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -o $@ $< $(CORE_SRCS) -ljson-c

.PHONY: fuzz
fuzz: test/fuzz/fuzz_policy
	mkdir -p test/fuzz/work
	./test/fuzz/fuzz_policy -max_total_time=$(FUZZ_SECONDS) -max_len=40000 \
		-detect_leaks=1 -print_final_stats=1 test/fuzz/work test/fuzz/corpus

# ---------------------------------------------------------------------------
# TAP tests in t/ (run as a non-root user: initdb refuses root).
# ---------------------------------------------------------------------------
.PHONY: prove_installcheck
prove_installcheck:
	rm -rf $(CURDIR)/tmp_check
	cd $(srcdir) && TESTDIR='$(CURDIR)' PATH="$(bindir):$$PATH" PGPORT='6$(DEF_PGPORT)' \
		PG_REGRESS='$(top_builddir)/src/test/regress/pg_regress' \
		$(PROVE) $(PG_PROVE_FLAGS) $(PROVE_FLAGS) $(if $(PROVE_TESTS),$(PROVE_TESTS),t/*.pl)

# ---------------------------------------------------------------------------
# Benchmarks (not tests): core evaluations per second, and SQL calls per
# second (bench/sql_bench.sh, needs make install and root for pg_virtualenv).
# ---------------------------------------------------------------------------
bench/eval_bench: bench/eval_bench.c $(CORE_SRCS) src/kp.h src/kp_eval.h
	$(CORE_CC) -std=gnu11 -O2 -Isrc -o $@ $< $(CORE_SRCS) -ljson-c

.PHONY: bench
bench: bench/eval_bench
	./bench/eval_bench
	bash bench/sql_bench.sh
