# kms_policy -- PGXS build
EXTENSION = kms_policy
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = kms_policy

# The policy core (src/core): plain C + json-c, built as the static library
# libkp.a without PostgreSQL's include path, so no PostgreSQL header can
# reach it.  The extension, the unit tests, the fuzz targets and the core
# benchmark all link it (test/ and bench/ link instrumented variants).
CORE_SRCS = $(addprefix src/core/,kp_error.c kp_operand.c kp_json.c kp_arn.c \
	kp_validate.c kp_iam_data.c kp_iam.c kp_eval.c kp_compiled.c kp_analyze.c kp_lint.c)
CORE_PUBLIC_HEADERS = src/core/kp.h src/core/kp_eval.h src/core/kp_compiled.h src/core/kp_analyze.h src/core/kp_lint.h
CORE_HEADERS = $(CORE_PUBLIC_HEADERS) $(wildcard src/core/internal/*.h)
CORE_LIB = src/core/libkp.a
JSONC_CFLAGS := $(shell pkg-config --cflags json-c)
JSONC_LIBS := $(shell pkg-config --libs json-c)
CORE_CC ?= gcc
CORE_LIB_CFLAGS = -std=gnu11 -O2 -g -fPIC -Wall -Wextra -Wno-unused-parameter \
	-Isrc/core $(JSONC_CFLAGS)

# The PostgreSQL glue (src/pg), in layers where calls only go down
# (src/pg/kms_policy.c lists them): errors and settings; SPI, argument and
# trigger helpers; the stores and the compiled-policy cache; authorization;
# the SQL API and the trigger functions.
GLUE_SRCS = src/pg/kms_policy.c src/pg/kms_errors.c src/pg/kms_settings.c \
	src/pg/kms_spi.c src/pg/kms_args.c src/pg/kms_trigger_util.c \
	src/pg/kms_key_store.c src/pg/kms_principal_store.c src/pg/kms_identity_store.c \
	src/pg/kms_policy_cache.c src/pg/kms_history.c src/pg/kms_authz.c \
	src/pg/kms_api_keys.c src/pg/kms_api_identity.c src/pg/kms_api_authz.c \
	src/pg/kms_api_access_keys.c src/pg/kms_api_analysis.c src/pg/kms_api_validate.c \
	src/pg/kms_triggers_keys.c src/pg/kms_triggers_identity.c

OBJS = $(GLUE_SRCS:.c=.o)
KMS_HEADERS = $(wildcard src/pg/*.h)

DATA = $(wildcard $(EXTENSION)--*.sql)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION) --encoding=UTF8

ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --inputdir=. --load-extension=$(EXTENSION) --encoding=UTF8

PG_CPPFLAGS = -DKMS_POLICY_VERSION=\"$(EXTVERSION)\" -Isrc/pg
# The glue sees the core's public headers only (kp.h, kp_eval.h, kp_lint.h).
PG_CPPFLAGS += -Isrc/core
SHLIB_LINK += $(CORE_LIB) $(JSONC_LIBS)

EXTRA_CLEAN = $(CORE_LIB) $(CORE_SRCS:.c=.o) src/core/build \
	test/unit/*_test $(addprefix test/fuzz/,$(FUZZ_TARGETS)) bench/eval_bench

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Rebuild objects when a header changes (after PGXS, so "all" stays the default goal).
$(OBJS): $(KMS_HEADERS) $(CORE_PUBLIC_HEADERS)

# The core library, built before the extension links it.  (This pattern rule
# wins over PGXS's %.o: %.c for src/core, its stem being shorter.)
src/core/%.o: src/core/%.c $(CORE_HEADERS)
	$(CORE_CC) $(CORE_LIB_CFLAGS) -c -o $@ $<

$(CORE_LIB): $(CORE_SRCS:.c=.o)
	rm -f $@
	$(AR) crs $@ $^

$(shlib): $(CORE_LIB)

# The KMS endpoint program (endpoint/, its own Makefile): built by "make",
# installed into pg_config --bindir by "make install".
ENDPOINT = endpoint/kms-policy-endpoint
all: $(ENDPOINT)
$(ENDPOINT): $(wildcard endpoint/*.c endpoint/*.h) endpoint/Makefile
	$(MAKE) -C endpoint PG_CONFIG=$(PG_CONFIG)
.PHONY: install-endpoint clean-endpoint
install: install-endpoint
install-endpoint: $(ENDPOINT)
	$(MAKE) -C endpoint PG_CONFIG=$(PG_CONFIG) install
clean: clean-endpoint
clean-endpoint:
	$(MAKE) -C endpoint clean

# Instrumented variants of the same library (same CORE_SRCS), one object
# folder each under src/core/build/:
#   asan  gcc, AddressSanitizer/LeakSanitizer + UBSan: the unit tests
#   fuzz  clang, libFuzzer coverage + ASan + UBSan: the fuzz targets
CORE_ASAN_LIB = src/core/build/asan/libkp.a
CORE_ASAN_CFLAGS = -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fno-omit-frame-pointer -fsanitize=address,undefined
CORE_FUZZ_LIB = src/core/build/fuzz/libkp.a
CORE_FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined

src/core/build/asan/%.o: src/core/%.c $(CORE_HEADERS)
	@mkdir -p $(@D)
	$(CORE_CC) $(CORE_ASAN_CFLAGS) -Isrc/core $(JSONC_CFLAGS) -c -o $@ $<

src/core/build/fuzz/%.o: src/core/%.c $(CORE_HEADERS)
	@mkdir -p $(@D)
	clang $(CORE_FUZZ_CFLAGS) -Isrc/core $(JSONC_CFLAGS) -c -o $@ $<

$(CORE_ASAN_LIB): $(patsubst src/core/%.c,src/core/build/asan/%.o,$(CORE_SRCS))
	rm -f $@
	$(AR) crs $@ $^

$(CORE_FUZZ_LIB): $(patsubst src/core/%.c,src/core/build/fuzz/%.o,$(CORE_SRCS))
	rm -f $@
	$(AR) crs $@ $^

.PHONY: core
core: $(CORE_LIB)

# ---------------------------------------------------------------------------
# Core unit tests (cmocka), built without PostgreSQL and run under
# AddressSanitizer/LeakSanitizer; they link the asan variant of libkp.a and
# may include the core's internal headers.
# ---------------------------------------------------------------------------
UNIT_TESTS = $(patsubst test/unit/%.c,test/unit/%_test,$(sort $(wildcard test/unit/test_*.c)))

# The reference evaluator (test/ref: the tree evaluator before the compiled
# form, the oracle of the differential tests) is linked into every unit test
# and fuzz target, never into libkp.a.
REF_SRCS = test/ref/kp_eval_ref.c test/ref/analysis_oracle.c
REF_HEADERS = test/ref/kp_eval_ref.h test/ref/analysis_oracle.h

test/unit/%_test: test/unit/%.c $(CORE_ASAN_LIB) $(CORE_HEADERS) $(REF_SRCS) $(REF_HEADERS)
	$(CORE_CC) $(CORE_ASAN_CFLAGS) -Isrc/core -Itest/ref $(JSONC_CFLAGS) -o $@ $< $(REF_SRCS) \
		$(CORE_ASAN_LIB) -lcmocka $(JSONC_LIBS)

.PHONY: unit
unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; ./$$t; done

# ---------------------------------------------------------------------------
# libFuzzer targets (clang, ASan + LeakSanitizer + UBSan), each with its seed
# corpus in test/fuzz/corpus_<target>:
#   fuzz_policy    kp_policy_parse + evaluation of what it accepts, and
#                  kp_policy_lint (ERROR findings iff the parse refuses)
#   fuzz_operands  the validator accepts exactly what the evaluator parses
#   fuzz_context   fuzzed request contexts: deterministic, order-independent
#   fuzz_analyze   the access analysis: witnesses replayed, no PASS that
#                  random requests contradict (test/ref/analysis_oracle.c)
#   fuzz_compiled  the compiled form against the reference evaluator
#                  (test/ref), and damaged compiled bytes; also seeded from
#                  corpus_policy
# FUZZ_SECONDS bounds the run of each target (5 targets: 5 x FUZZ_SECONDS).
# ---------------------------------------------------------------------------
FUZZ_SECONDS ?= 20
FUZZ_TARGETS = fuzz_policy fuzz_operands fuzz_context fuzz_compiled fuzz_analyze
FUZZ_BINS = $(addprefix test/fuzz/,$(FUZZ_TARGETS))

test/fuzz/fuzz_%: test/fuzz/fuzz_%.c $(CORE_FUZZ_LIB) $(CORE_HEADERS) $(REF_SRCS) $(REF_HEADERS)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Isrc/core -Itest/ref $(JSONC_CFLAGS) -o $@ $< $(REF_SRCS) $(CORE_FUZZ_LIB) $(JSONC_LIBS)

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== $$t ($(FUZZ_SECONDS)s)"; \
		c=$${t#fuzz_}; mkdir -p test/fuzz/work_$$c; \
		seeds=test/fuzz/corpus_$$c; \
		if [ $$c = compiled ]; then seeds="$$seeds test/fuzz/corpus_policy"; fi; \
		./test/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=40000 \
			-detect_leaks=1 -print_final_stats=1 -artifact_prefix=test/fuzz/ \
			test/fuzz/work_$$c $$seeds; \
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
# Benchmarks (not tests): bench/run builds, installs, starts a throwaway
# cluster and writes BENCHMARKS.md (kms_policy beside plain SQL); it needs
# root.  bench/eval_bench is its core benchmark.
# ---------------------------------------------------------------------------
# It links the reference evaluator (test/ref) to compare with the evaluator
# that came before the compiled form.
bench/eval_bench: bench/eval_bench.c $(CORE_LIB) $(CORE_PUBLIC_HEADERS) $(REF_SRCS) $(REF_HEADERS)
	$(CORE_CC) -std=gnu11 -O2 -g -Isrc/core -Itest/ref -o $@ $< $(REF_SRCS) $(CORE_LIB) $(JSONC_LIBS)

.PHONY: bench
bench: bench/eval_bench
	bash bench/run
