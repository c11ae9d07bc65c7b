# kms_policy -- PGXS build
EXTENSION = kms_policy
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = kms_policy

# The policy core: plain C + json-c, no PostgreSQL headers (unit-tested and
# fuzzed on its own, see test/).
CORE_SRCS = src/kp_error.c src/kp_operand.c src/policy_json.c src/arn.c src/policy_validate.c \
	src/kms_iam_data.c src/kp_iam.c src/policy_eval.c
# The PostgreSQL glue, in layers where calls only go down (src/pg/kms_policy.c
# lists them): errors and settings; SPI, argument and trigger helpers; the
# stores and the compiled-policy cache; authorization; the SQL API and the
# trigger functions.
GLUE_SRCS = src/pg/kms_policy.c src/pg/kms_errors.c src/pg/kms_settings.c \
	src/pg/kms_spi.c src/pg/kms_args.c src/pg/kms_trigger_util.c \
	src/pg/kms_key_store.c src/pg/kms_principal_store.c src/pg/kms_identity_store.c \
	src/pg/kms_policy_cache.c src/pg/kms_authz.c \
	src/pg/kms_api_keys.c src/pg/kms_api_identity.c src/pg/kms_api_authz.c \
	src/pg/kms_triggers_keys.c src/pg/kms_triggers_identity.c

OBJS = $(CORE_SRCS:.c=.o) $(GLUE_SRCS:.c=.o)
KMS_HEADERS = $(wildcard src/*.h src/pg/*.h)

DATA = $(wildcard $(EXTENSION)--*.sql)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION) --encoding=UTF8

ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --inputdir=. --load-extension=$(EXTENSION) --encoding=UTF8

PG_CPPFLAGS = -DKMS_POLICY_VERSION=\"$(EXTVERSION)\" -Isrc -Isrc/pg
SHLIB_LINK += $(shell pkg-config --libs json-c)

EXTRA_CLEAN = test/unit/*_test $(addprefix test/fuzz/,fuzz_policy fuzz_operands fuzz_context) bench/eval_bench

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
# libFuzzer targets (clang, ASan + LeakSanitizer + UBSan), each with its seed
# corpus in test/fuzz/corpus_<target>:
#   fuzz_policy    kp_policy_parse + evaluation of what it accepts
#   fuzz_operands  the validator accepts exactly what the evaluator parses
#   fuzz_context   fuzzed request contexts: deterministic, order-independent
# FUZZ_SECONDS bounds the run of each target (3 targets: 3 x FUZZ_SECONDS).
# ---------------------------------------------------------------------------
FUZZ_SECONDS ?= 20
FUZZ_TARGETS = fuzz_policy fuzz_operands fuzz_context
FUZZ_BINS = $(addprefix test/fuzz/,$(FUZZ_TARGETS))

test/fuzz/fuzz_%: test/fuzz/fuzz_%.c $(CORE_SRCS) src/kp.h $(wildcard src/kp_*.h)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Isrc -o $@ $< $(CORE_SRCS) -ljson-c

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== $$t ($(FUZZ_SECONDS)s)"; \
		c=$${t#fuzz_}; mkdir -p test/fuzz/work_$$c; \
		./test/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=40000 \
			-detect_leaks=1 -print_final_stats=1 -artifact_prefix=test/fuzz/ \
			test/fuzz/work_$$c test/fuzz/corpus_$$c; \
	done

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
