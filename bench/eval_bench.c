/*
 * eval_bench.c -- evaluations per second of the policy core (no PostgreSQL).
 *
 * Build and run: `make bench/eval_bench && ./bench/eval_bench` (links the
 * core library src/core/libkp.a).
 *
 * Not a test: it prints one line per case, "core eval <case>: N evals/s".
 * Each case runs for about BENCH_SECONDS (first argument overrides).
 *
 * bench/run uses a second mode on the documents it stores:
 *	eval_bench --docs SECONDS PRINCIPAL ACTION FILE... [--context KEY=VALUE...]
 * prints, per file, "validate FILE N" (kp_policy_parse calls/s: characters,
 * quota, strict JSON, grammar, compilation) and "evaluate FILE N DECISION"
 * (kp_authorize calls/s of PRINCIPAL and ACTION on a key of the account,
 * with the context and the caller's keys), then the compiled form's
 * figures: "compile FILE N" (kp_policy_compile calls/s), "check FILE N"
 * (kp_compiled_check calls/s), "evaluate_compiled FILE N DECISION"
 * (kp_evaluate_compiled calls/s on checked bytes) and
 * "check_evaluate_compiled FILE N DECISION" (both, per call: a read of
 * stored bytes that misses every cache).
 *
 * Evaluators of the fixed cases: "tree" is kp_authorize on a kp_policy
 * (which compiles the tree, then evaluates the compiled form), "compiled"
 * is kp_authorize_compiled on bytes compiled once, "reference" is the tree
 * evaluator as it was before the compiled form (test/ref/kp_eval_ref.c,
 * linked into this benchmark only, for comparison).
 *
 * A third mode times validation alone, a fixed number of times (so that
 * valgrind --tool=callgrind counts the same work on every run):
 *	eval_bench --parse ITERATIONS FILE...
 * prints, per file, "parse FILE BYTES N calls/s US us/call" (kp_policy_parse
 * of a key policy, AWS dialect).  bench/fixtures/policy-2k.json and
 * policy-32k.json are bench/setup.sql's bench_policy(0) and
 * bench_policy(100, true), the documents bench/run validates.
 *
 * A fourth mode times the access analysis (kp_analyze.h) on documents:
 *	eval_bench --analysis SECONDS FILE...
 * prints, per file, one Markdown table row per check (bench/run's
 * "Access analysis" section): kpa_compare of the policy with itself (PASS,
 * the exhaustive worst case), of a widened copy (its first user moved to
 * account 444455556666: FAIL) with it, with outsiders_only (no public access), with
 * actions = {kms:PutKeyPolicy} (access not granted), and kpa_key_access.
 * Each check runs for at least SECONDS and 3 calls; the row gives the
 * median wall time per call, the result and row count, and the median time
 * of kp_policy_parse of the same document(s) with the ratio between them.
 * SECONDS 0 with --calls N (after SECONDS) runs exactly N calls of each
 * check and no parse timing (for valgrind --tool=callgrind).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kp_analyze.h"
#include "kp_compiled.h"
#include "kp_eval.h"
#include "kp_eval_ref.h"

#define ACCT	"111122223333"
#define KEY_ARN "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
#define BENCH_SECONDS 0.5

static const char *DEFAULT_POLICY =
"{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
"  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n"
"    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n"
"      \"AWS\" : \"arn:aws:iam::111122223333:root\"\n    },\n"
"    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}";

/* The example of the put_key_policy seed document (004). */
static const char *SEED_POLICY =
"{\n    \"Version\": \"2012-10-17\",\n    \"Id\": \"custom-policy-2016-12-07\",\n"
"    \"Statement\": [\n        {\n"
"            \"Sid\": \"Enable IAM User Permissions\",\n"
"            \"Effect\": \"Allow\",\n"
"            \"Principal\": {\n                \"AWS\": \"arn:aws:iam::111122223333:root\"\n            },\n"
"            \"Action\": \"kms:*\",\n            \"Resource\": \"*\"\n        },\n        {\n"
"            \"Sid\": \"Allow access for Key Administrators\",\n"
"            \"Effect\": \"Allow\",\n            \"Principal\": {\n"
"                \"AWS\": [\n"
"                    \"arn:aws:iam::111122223333:user/ExampleAdminUser\",\n"
"                    \"arn:aws:iam::111122223333:role/ExampleAdminRole\"\n"
"                ]\n            },\n"
"            \"Action\": [\n                \"kms:Create*\",\n                \"kms:Describe*\",\n"
"                \"kms:Enable*\",\n                \"kms:List*\",\n                \"kms:Put*\",\n"
"                \"kms:Update*\",\n                \"kms:Revoke*\",\n                \"kms:Disable*\",\n"
"                \"kms:Get*\",\n                \"kms:Delete*\",\n"
"                \"kms:ScheduleKeyDeletion\",\n                \"kms:CancelKeyDeletion\"\n"
"            ],\n            \"Resource\": \"*\"\n        },\n        {\n"
"            \"Sid\": \"Allow use of the key\",\n            \"Effect\": \"Allow\",\n"
"            \"Principal\": {\n                \"AWS\": \"arn:aws:iam::111122223333:role/ExamplePowerUserRole\"\n            },\n"
"            \"Action\": [\n                \"kms:Encrypt\",\n                \"kms:Decrypt\",\n"
"                \"kms:ReEncrypt*\",\n                \"kms:GenerateDataKey*\",\n"
"                \"kms:DescribeKey\"\n            ],\n            \"Resource\": \"*\"\n        },\n        {\n"
"            \"Sid\": \"Allow attachment of persistent resources\",\n"
"            \"Effect\": \"Allow\",\n            \"Principal\": {\n"
"                \"AWS\": \"arn:aws:iam::111122223333:role/ExamplePowerUserRole\"\n            },\n"
"            \"Action\": [\n                \"kms:CreateGrant\",\n                \"kms:ListGrants\",\n"
"                \"kms:RevokeGrant\"\n            ],\n            \"Resource\": \"*\",\n"
"            \"Condition\": {\n                \"Bool\": {\n"
"                    \"kms:GrantIsForAWSResource\": \"true\"\n                }\n            }\n"
"        }\n    ]\n}\n";

/*
 * The 2 KB key policy of bench/run (bench/setup.sql, bench_policy(0)): what a
 * call whose key misses the compiled-policy cache parses today.
 */
static const char *BENCH_2K_POLICY =
"{\n"
"  \"Version\": \"2012-10-17\",\n"
"  \"Id\": \"bench-policy-0\",\n"
"  \"Statement\": [\n"
"    {\n"
"      \"Sid\": \"EnableRootAccess\",\n"
"      \"Effect\": \"Allow\",\n"
"      \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"},\n"
"      \"Action\": \"kms:*\",\n"
"      \"Resource\": \"*\"\n"
"    },\n"
"    {\n"
"      \"Sid\": \"AllowApplication\",\n"
"      \"Effect\": \"Allow\",\n"
"      \"Principal\": {\"AWS\": [\"arn:aws:iam::111122223333:role/BenchApp\", \"arn:aws:iam::111122223333:role/Svc00\"]},\n"
"      \"Action\": [\"kms:GetKeyPolicy\", \"kms:PutKeyPolicy\", \"kms:ListKeyPolicies\", \"kms:DescribeKey\",\n"
"                 \"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", \"kms:GenerateDataKey*\"],\n"
"      \"Resource\": \"*\",\n"
"      \"Condition\": {\n"
"        \"StringEquals\": {\"kms:CallerAccount\": \"111122223333\"},\n"
"        \"ArnLike\": {\"aws:PrincipalArn\": [\"arn:aws:iam::111122223333:role/BenchApp\", \"arn:aws:iam::111122223333:role/Svc*\", \"arn:aws:iam::111122223333:role/KeyAdmin\"]},\n"
"        \"DateLessThan\": {\"aws:CurrentTime\": \"2100-01-01T00:00:00Z\"},\n"
"        \"StringEqualsIfExists\": {\"kms:EncryptionContext:tenant\": [\"t0\", \"t1\", \"shared\"]}\n"
"      }\n"
"    },\n"
"    {\n"
"      \"Sid\": \"AllowUsersFromTheNetwork\",\n"
"      \"Effect\": \"Allow\",\n"
"      \"Principal\": {\"AWS\": [\"arn:aws:iam::111122223333:user/U000\", \"arn:aws:iam::111122223333:user/U001\", \"arn:aws:iam::111122223333:user/U002\", \"arn:aws:iam::111122223333:user/U003\"]},\n"
"      \"Action\": [\"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", \"kms:GenerateDataKey*\", \"kms:DescribeKey\"],\n"
"      \"Resource\": \"*\",\n"
"      \"Condition\": {\n"
"        \"IpAddress\": {\"aws:SourceIp\": [\"10.0.0.0/8\", \"192.168.0.0/16\", \"2001:db8::/32\"]},\n"
"        \"Bool\": {\"aws:SecureTransport\": \"true\"},\n"
"        \"StringLikeIfExists\": {\"kms:ViaService\": \"ec2.*.amazonaws.com\"}\n"
"      }\n"
"    },\n"
"    {\n"
"      \"Sid\": \"DenyDeletionExceptKeyAdmin\",\n"
"      \"Effect\": \"Deny\",\n"
"      \"Principal\": \"*\",\n"
"      \"Action\": [\"kms:ScheduleKeyDeletion\", \"kms:DisableKey\"],\n"
"      \"Resource\": \"*\",\n"
"      \"Condition\": {\"StringNotEquals\": {\"aws:PrincipalArn\": [\"arn:aws:iam::111122223333:root\", \"arn:aws:iam::111122223333:role/KeyAdmin\"]}}\n"
"    }\n"
"  ]\n"
"}\n";

static const char *ALLOW_ALL_IDENTITY =
"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
"\"Action\":\"kms:*\",\"Resource\":\"arn:aws:kms:*:111122223333:key/*\"}]}";

static kp_policy *
parse(const char *doc, kp_doc_kind kind)
{
	kp_parse_opts opts;
	kp_policy  *p = NULL;
	kp_error	err;

	memset(&opts, 0, sizeof(opts));
	opts.dialect = KP_DIALECT_AWS;
	opts.kind = kind;
	opts.partition = "aws";
	opts.account = ACCT;
	if (kp_policy_parse(doc, strlen(doc), &opts, &p, &err) != KP_OK)
	{
		fprintf(stderr, "eval_bench: parse failed: %s %s\n", err.message, err.detail);
		exit(1);
	}
	return p;
}

/*
 * 20 statements, each with conditions; the caller is named only by the
 * last one, so every statement is looked at.
 */
static char *
twenty_statements(void)
{
	size_t		size = 64 * 1024;
	char	   *doc = malloc(size);
	size_t		len;
	int			i;

	if (doc == NULL)
		exit(1);
	len = (size_t) snprintf(doc, size, "{\"Version\":\"2012-10-17\",\"Statement\":[");
	for (i = 0; i < 20; i++)
		len += (size_t) snprintf(doc + len, size - len,
								 "%s{\"Sid\":\"S%02d\",\"Effect\":\"Allow\","
								 "\"Principal\":{\"AWS\":[\"arn:aws:iam::111122223333:user/U%02d\","
								 "\"arn:aws:iam::111122223333:role/R%02d\"]},"
								 "\"Action\":[\"kms:Get*\",\"kms:Describe*\",\"kms:List*\",\"kms:Put*\"],"
								 "\"Resource\":\"*\",\"Condition\":{"
								 "\"StringEquals\":{\"kms:CallerAccount\":\"111122223333\"},"
								 "\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"2001:db8::/32\"]},"
								 "\"DateLessThan\":{\"aws:CurrentTime\":\"2100-01-01T00:00:00Z\"},"
								 "\"StringLike\":{\"kms:EncryptionContext:owner\":\"${aws:username}*\"},"
								 "\"Bool\":{\"aws:SecureTransport\":\"true\"}}}",
								 i ? "," : "", i, i, i);
	snprintf(doc + len, size - len, "]}");
	return doc;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

typedef enum ev_mode
{
	EV_TREE,					/* kp_authorize on the trees */
	EV_COMPILED,				/* kp_authorize_compiled on compiled bytes */
	EV_REFERENCE				/* the reference (former) tree evaluator */
} ev_mode;

static const char *const mode_names[] = {"tree", "compiled", "reference"};

/* Compile p into bytes at an odd address (as inside a 1-byte-header varlena). */
static unsigned char *
compile_odd(const kp_policy *p, kp_compiled *c)
{
	unsigned char *bytes;
	unsigned char *buf;
	size_t		len;
	kp_error	err;

	if (kp_policy_compile(p, &bytes, &len, &err) != KP_OK ||
		(buf = malloc(len + 1)) == NULL)
	{
		fprintf(stderr, "eval_bench: compile failed\n");
		exit(1);
	}
	memcpy(buf + 1, bytes, len);
	free(bytes);
	if (kp_compiled_open(buf + 1, len, c, &err) != KP_OK)
	{
		fprintf(stderr, "eval_bench: compiled bytes refused: %s\n", err.detail);
		exit(1);
	}
	return buf;
}

static kp_decision
authorize_mode(ev_mode mode, const kp_policy *kp, const kp_compiled *kc,
			   const kp_policy *const *ids, const kp_compiled *const *cids,
			   size_t n_ids, const kp_request *req, kp_trace *trace)
{
	switch (mode)
	{
		case EV_TREE:
			return kp_authorize(kp, ids, n_ids, req, trace);
		case EV_COMPILED:
			return kp_authorize_compiled(kc, cids, n_ids, req, trace);
		case EV_REFERENCE:
			return kp_ref_authorize(kp, ids, n_ids, req, trace);
	}
	return KP_DECISION_IMPLICIT_DENY;
}

static void
run_case(const char *name, const kp_policy *kp, const kp_policy *const *ids,
		 size_t n_ids, const kp_request *req, bool traced,
		 kp_decision expect, double seconds)
{
	kp_compiled kc;
	kp_compiled ic[4];
	const kp_compiled *cids[4];
	unsigned char *kbuf = kp ? compile_odd(kp, &kc) : NULL;
	unsigned char *ibuf[4];
	int			mode;
	size_t		i;

	for (i = 0; i < n_ids && i < 4; i++)
	{
		ibuf[i] = compile_odd(ids[i], &ic[i]);
		cids[i] = &ic[i];
	}
	for (mode = EV_TREE; mode <= EV_REFERENCE; mode++)
	{
		volatile int sink = 0;
		long		n = 0;
		double		start = now_seconds();
		double		elapsed;
		kp_trace	trace;
		kp_decision d;

		kp_trace_init(&trace);
		d = authorize_mode(mode, kp, kp ? &kc : NULL, ids, cids, n_ids, req, NULL);
		if (d != expect)
		{
			fprintf(stderr, "eval_bench: %s (%s): decision %s, expected %s\n", name,
					mode_names[mode], kp_decision_name(d), kp_decision_name(expect));
			exit(1);
		}
		do
		{
			int			k;

			for (k = 0; k < 1000; k++)
			{
				sink += (int) authorize_mode(mode, kp, kp ? &kc : NULL, ids, cids,
											 n_ids, req, traced ? &trace : NULL);
				if (traced)
					kp_trace_free(&trace);
			}
			n += 1000;
			elapsed = now_seconds() - start;
		} while (elapsed < seconds);
		(void) sink;
		printf("core eval %s [%s]: %.0f evals/s\n", name, mode_names[mode],
			   (double) n / elapsed);
	}
	free(kbuf);
	for (i = 0; i < n_ids && i < 4; i++)
		free(ibuf[i]);
}

/* ------------------------------------------------------------------------
 * Per-call work on one document (the 2 KB case and --docs)
 * ------------------------------------------------------------------------ */

typedef struct doc_work
{
	const char *doc;
	size_t		len;
	kp_parse_opts opts;
	const kp_request *req;
	kp_policy  *tree;			/* parsed once */
	unsigned char *buf;			/* what to free */
	const unsigned char *stored;	/* compiled once, at an odd address */
	size_t		stored_len;
	kp_compiled c;
} doc_work;

typedef kp_decision (*work_fn) (doc_work *w);

/* Parse the document, evaluate with the reference (former) tree evaluator. */
static kp_decision
work_parse_reference(doc_work *w)
{
	kp_policy  *p = NULL;
	kp_error	err;
	kp_decision d;

	if (kp_policy_parse(w->doc, w->len, &w->opts, &p, &err) != KP_OK)
		exit(1);
	d = kp_ref_authorize(p, NULL, 0, w->req, NULL);
	kp_policy_free(p);
	return d;
}

/* Parse the document, kp_authorize the tree (compile + evaluate). */
static kp_decision
work_parse_tree(doc_work *w)
{
	kp_policy  *p = NULL;
	kp_error	err;
	kp_decision d;

	if (kp_policy_parse(w->doc, w->len, &w->opts, &p, &err) != KP_OK)
		exit(1);
	d = kp_authorize(p, NULL, 0, w->req, NULL);
	kp_policy_free(p);
	return d;
}

/* Check the stored compiled bytes, evaluate them in place. */
static kp_decision
work_check_evaluate(doc_work *w)
{
	kp_compiled c;
	kp_error	err;

	if (kp_compiled_open(w->stored, w->stored_len, &c, &err) != KP_OK)
		exit(1);
	return kp_authorize_compiled(&c, NULL, 0, w->req, NULL);
}

/* Evaluate checked compiled bytes in place. */
static kp_decision
work_evaluate(doc_work *w)
{
	return kp_authorize_compiled(&w->c, NULL, 0, w->req, NULL);
}

/* Check only. */
static kp_decision
work_check(doc_work *w)
{
	kp_error	err;

	return (kp_decision) kp_compiled_check(w->stored, w->stored_len, &err);
}

/* Compile the parsed tree. */
static kp_decision
work_compile(doc_work *w)
{
	unsigned char *b;
	size_t		len;
	kp_error	err;

	if (kp_policy_compile(w->tree, &b, &len, &err) != KP_OK)
		exit(1);
	free(b);
	return (kp_decision) (len & 1);
}

/* Calls of fn per second over about seconds. */
static double
rate_of(work_fn fn, doc_work *w, double seconds)
{
	volatile int sink = 0;
	long		n = 0;
	double		start = now_seconds();
	double		elapsed;

	do
	{
		int			k;

		for (k = 0; k < 10; k++)
			sink += (int) fn(w);
		n += 10;
		elapsed = now_seconds() - start;
	} while (elapsed < seconds);
	(void) sink;
	return (double) n / elapsed;
}

static void
doc_work_init(doc_work *w, const char *doc, size_t len, const kp_request *req)
{
	kp_error	err;

	memset(w, 0, sizeof(*w));
	w->doc = doc;
	w->len = len;
	w->opts.dialect = KP_DIALECT_AWS;
	w->opts.kind = KP_DOC_KEY_POLICY;
	w->opts.partition = "aws";
	w->opts.account = ACCT;
	w->req = req;
	if (kp_policy_parse(doc, len, &w->opts, &w->tree, &err) != KP_OK)
	{
		fprintf(stderr, "eval_bench: parse failed: %s %s\n", err.message, err.detail);
		exit(1);
	}
	w->buf = compile_odd(w->tree, &w->c);
	w->stored = w->c.data;
	w->stored_len = w->c.len;
}

static void
doc_work_free(doc_work *w)
{
	kp_policy_free(w->tree);
	free(w->buf);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
		fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t) n + 1)) == NULL ||
		fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		fprintf(stderr, "eval_bench: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t) n;
	return buf;
}

/* eval_bench --docs SECONDS PRINCIPAL ACTION FILE... [--context KEY=VALUE...] */
static int
docs_mode(int argc, char **argv)
{
	double		seconds;
	kp_context *ctx = kp_context_new();
	kp_request	req;
	int			first_file = 4,
				end_files = argc,
				i;

	if (argc < 5 || ctx == NULL)
	{
		fprintf(stderr, "usage: eval_bench --docs SECONDS PRINCIPAL ACTION FILE... [--context KEY=VALUE...]\n");
		return 2;
	}
	seconds = atof(argv[1]);
	if (seconds <= 0)
		seconds = BENCH_SECONDS;
	for (i = first_file; i < argc; i++)
		if (strcmp(argv[i], "--context") == 0)
		{
			end_files = i;
			break;
		}
	for (i = end_files + 1; i < argc; i++)
	{
		char	   *eq = strchr(argv[i], '=');

		if (eq == NULL)
		{
			fprintf(stderr, "eval_bench: context item without '=': %s\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		if (kp_context_add(ctx, argv[i], eq + 1) != KP_OK)
			return 1;
	}
	if (kp_context_add_caller(ctx, argv[2], NULL, false) != KP_OK ||
		kp_context_add(ctx, "aws:CurrentTime", "2025-06-01T12:00:00Z") != KP_OK)
		return 1;
	memset(&req, 0, sizeof(req));
	req.principal_arn = argv[2];
	req.action = argv[3];
	req.resource_arn = KEY_ARN;
	req.context = ctx;

	for (i = first_file; i < end_files; i++)
	{
		size_t		len;
		char	   *doc = read_file(argv[i], &len);
		kp_parse_opts opts;
		kp_policy  *p = NULL;
		kp_error	err;
		long		n = 0;
		double		start,
					elapsed;
		kp_decision d;
		volatile int sink = 0;

		memset(&opts, 0, sizeof(opts));
		opts.dialect = KP_DIALECT_AWS;
		opts.kind = KP_DOC_KEY_POLICY;
		opts.partition = "aws";
		opts.account = ACCT;
		start = now_seconds();
		do
		{
			int			j;

			for (j = 0; j < 10; j++)
			{
				if (kp_policy_parse(doc, len, &opts, &p, &err) != KP_OK)
				{
					fprintf(stderr, "eval_bench: %s: %s %s\n", argv[i], err.message, err.detail);
					return 1;
				}
				kp_policy_free(p);
			}
			n += 10;
			elapsed = now_seconds() - start;
		} while (elapsed < seconds);
		printf("validate %s %.0f\n", argv[i], (double) n / elapsed);

		p = parse(doc, KP_DOC_KEY_POLICY);
		d = kp_authorize(p, NULL, 0, &req, NULL);
		n = 0;
		start = now_seconds();
		do
		{
			int			j;

			for (j = 0; j < 100; j++)
				sink += (int) kp_authorize(p, NULL, 0, &req, NULL);
			n += 100;
			elapsed = now_seconds() - start;
		} while (elapsed < seconds);
		(void) sink;
		printf("evaluate %s %.0f %s\n", argv[i], (double) n / elapsed, kp_decision_name(d));
		kp_policy_free(p);
		{
			doc_work	w;

			doc_work_init(&w, doc, len, &req);
			printf("compile %s %.0f\n", argv[i], rate_of(work_compile, &w, seconds));
			printf("check %s %.0f\n", argv[i], rate_of(work_check, &w, seconds));
			printf("evaluate_compiled %s %.0f %s\n", argv[i],
				   rate_of(work_evaluate, &w, seconds),
				   kp_decision_name(work_evaluate(&w)));
			printf("check_evaluate_compiled %s %.0f %s\n", argv[i],
				   rate_of(work_check_evaluate, &w, seconds),
				   kp_decision_name(work_check_evaluate(&w)));
			doc_work_free(&w);
		}
		free(doc);
	}
	kp_context_free(ctx);
	return 0;
}

/* eval_bench --parse ITERATIONS FILE... */
static int
parse_mode(int argc, char **argv)
{
	long		iterations;
	int			i;

	if (argc < 3 || (iterations = atol(argv[1])) <= 0)
	{
		fprintf(stderr, "usage: eval_bench --parse ITERATIONS FILE...\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
	{
		size_t		len;
		char	   *doc = read_file(argv[i], &len);
		kp_parse_opts opts;
		kp_error	err;
		double		start,
					elapsed;
		long		n;

		memset(&opts, 0, sizeof(opts));
		opts.dialect = KP_DIALECT_AWS;
		opts.kind = KP_DOC_KEY_POLICY;
		opts.partition = "aws";
		opts.account = ACCT;
		start = now_seconds();
		for (n = 0; n < iterations; n++)
		{
			kp_policy  *p = NULL;

			if (kp_policy_parse(doc, len, &opts, &p, &err) != KP_OK)
			{
				fprintf(stderr, "eval_bench: %s: %s %s\n", argv[i], err.message, err.detail);
				return 1;
			}
			kp_policy_free(p);
		}
		elapsed = now_seconds() - start;
		printf("parse %s %zu bytes %.0f calls/s %.2f us/call\n", argv[i], len,
			   (double) iterations / elapsed, elapsed * 1e6 / (double) iterations);
		free(doc);
	}
	return 0;
}

/* The fixed cases (make bench). */
static int
fixed_cases(double seconds)
{
	kp_policy  *dflt = parse(DEFAULT_POLICY, KP_DOC_KEY_POLICY);
	kp_policy  *seed = parse(SEED_POLICY, KP_DOC_KEY_POLICY);
	char	   *doc20 = twenty_statements();
	kp_policy  *p20 = parse(doc20, KP_DOC_KEY_POLICY);
	kp_policy  *all = parse(ALLOW_ALL_IDENTITY, KP_DOC_IDENTITY_POLICY);
	const kp_policy *ids[1] = {all};
	kp_context *ctx = kp_context_new();
	kp_request	req;

	if (seconds <= 0)
		seconds = BENCH_SECONDS;
	if (ctx == NULL ||
		kp_context_add_caller(ctx, "arn:aws:iam::111122223333:user/U19", NULL, false) != KP_OK ||
		kp_context_add(ctx, "aws:SourceIp", "10.1.2.3") != KP_OK ||
		kp_context_add(ctx, "aws:CurrentTime", "2025-06-01T12:00:00Z") != KP_OK ||
		kp_context_add(ctx, "aws:SecureTransport", "true") != KP_OK ||
		kp_context_add(ctx, "kms:EncryptionContext:owner", "U19-data") != KP_OK ||
		kp_context_add(ctx, "kms:GrantIsForAWSResource", "true") != KP_OK)
	{
		fprintf(stderr, "eval_bench: out of memory\n");
		return 1;
	}

	memset(&req, 0, sizeof(req));
	req.resource_arn = KEY_ARN;
	req.context = ctx;

	req.principal_arn = "arn:aws:iam::111122223333:root";
	req.action = "kms:GetKeyPolicy";
	run_case("default policy, root GetKeyPolicy", dflt, NULL, 0, &req, false,
			 KP_DECISION_ALLOW, seconds);
	req.principal_arn = "arn:aws:iam::111122223333:user/U19";
	run_case("default policy, user via IAM delegation", dflt, ids, 1, &req, false,
			 KP_DECISION_ALLOW, seconds);
	run_case("default policy, user via IAM delegation (traced)", dflt, ids, 1, &req,
			 true, KP_DECISION_ALLOW, seconds);

	req.principal_arn = "arn:aws:sts::111122223333:assumed-role/ExamplePowerUserRole/s1";
	req.action = "kms:CreateGrant";
	run_case("seed 004 policy, role session CreateGrant", seed, NULL, 0, &req, false,
			 KP_DECISION_ALLOW, seconds);
	req.principal_arn = "arn:aws:iam::111122223333:user/ExampleAdminUser";
	req.action = "kms:PutKeyPolicy";
	run_case("seed 004 policy, admin PutKeyPolicy", seed, NULL, 0, &req, false,
			 KP_DECISION_ALLOW, seconds);

	req.principal_arn = "arn:aws:iam::111122223333:user/U19";
	req.action = "kms:GetKeyPolicy";
	run_case("20 statements with conditions, last matches", p20, NULL, 0, &req, false,
			 KP_DECISION_ALLOW, seconds);
	req.principal_arn = "arn:aws:iam::111122223333:user/Nobody";
	run_case("20 statements with conditions, none matches", p20, NULL, 0, &req, false,
			 KP_DECISION_IMPLICIT_DENY, seconds);

	/*
	 * The 2 KB policy of bench/run, per call: parsing the document (a
	 * compiled-policy cache miss today) against checking stored compiled
	 * bytes and evaluating them in place.
	 */
	{
		kp_context *c2 = kp_context_new();
		kp_request	r2;
		doc_work	w;
		kp_decision d;
		struct
		{
			const char *name;
			work_fn		fn;
		}			works[] = {
			{"parse + evaluate (reference tree evaluator)", work_parse_reference},
			{"parse + kp_authorize (compiles the tree)", work_parse_tree},
			{"check + evaluate compiled", work_check_evaluate},
			{"evaluate compiled (checked once)", work_evaluate},
			{"check only", work_check},
			{"compile only (from the tree)", work_compile},
		};
		size_t		k;

		if (c2 == NULL ||
			kp_context_add(c2, "kms:EncryptionContext:tenant", "t1") != KP_OK ||
			kp_context_add(c2, "aws:SourceIp", "10.1.2.3") != KP_OK ||
			kp_context_add(c2, "aws:SecureTransport", "true") != KP_OK ||
			kp_context_add(c2, "aws:CurrentTime", "2025-06-01T12:00:00Z") != KP_OK ||
			kp_context_add_caller(c2, "arn:aws:iam::111122223333:role/BenchApp",
								  NULL, false) != KP_OK)
			return 1;
		memset(&r2, 0, sizeof(r2));
		r2.principal_arn = "arn:aws:iam::111122223333:role/BenchApp";
		r2.action = "kms:Decrypt";
		r2.resource_arn = KEY_ARN;
		r2.context = c2;
		doc_work_init(&w, BENCH_2K_POLICY, strlen(BENCH_2K_POLICY), &r2);
		d = work_check_evaluate(&w);
		if (d != KP_DECISION_ALLOW || work_parse_reference(&w) != d ||
			work_parse_tree(&w) != d)
		{
			fprintf(stderr, "eval_bench: 2 KB policy: unexpected decision\n");
			return 1;
		}
		printf("core 2 KB policy: %zu characters, compiled %zu bytes\n",
			   strlen(BENCH_2K_POLICY), w.stored_len);
		for (k = 0; k < sizeof(works) / sizeof(works[0]); k++)
			printf("core 2 KB policy, %s: %.0f calls/s\n", works[k].name,
				   rate_of(works[k].fn, &w, seconds));
		doc_work_free(&w);
		kp_context_free(c2);
	}

	kp_context_free(ctx);
	kp_policy_free(dflt);
	kp_policy_free(seed);
	kp_policy_free(p20);
	kp_policy_free(all);
	free(doc20);
	return 0;
}

/* ------------------------------------------------------------------------
 * Access analysis (--analysis)
 * ------------------------------------------------------------------------ */

static const char *const ANALYSIS_PRESENT_KEYS[] = {
	"aws:CurrentTime", "aws:EpochTime", "aws:RequestedRegion", "aws:ViaAWSService",
	"kms:KeySpec", "kms:KeyUsage", "kms:KeyOrigin", "kms:MultiRegion"
};
static const char *const ANALYSIS_PUT_ACTION[] = {"kms:PutKeyPolicy"};

typedef enum an_check
{
	AN_SAME,					/* kpa_compare(p, p) */
	AN_WIDENED,					/* kpa_compare(p', p) */
	AN_PUBLIC,					/* kpa_compare(p, NULL), outsiders_only */
	AN_NOT_GRANTED,				/* kpa_compare(p, NULL), actions = {PutKeyPolicy} */
	AN_KEY_ACCESS				/* kpa_key_access(p) */
} an_check;

static const char *const an_check_names[] = {
	"`kpa_compare(P, P)` (no new access, identical: PASS, exhaustive)",
	"`kpa_compare(P', P)` (no new access, P' moves its first user to account 444455556666)",
	"`kpa_compare(P, NULL)`, `outsiders_only` (no public access)",
	"`kpa_compare(P, NULL)`, actions `kms:PutKeyPolicy` (access not granted)",
	"`kpa_key_access(P)`",
};

typedef struct an_item
{
	kp_policy  *p;
	kp_policy  *wide;
	kpa_opts	opts;
	kpa_opts	opts_public;
	kpa_opts	opts_put;
} an_item;

/* One call of the check: its result name and row count. */
static void
an_run(const an_item *it, an_check check, const char **result, size_t *rows)
{
	kpa_report	report;
	kp_error	err;
	kp_status	st;

	memset(&report, 0, sizeof(report));
	switch (check)
	{
		case AN_SAME:
			st = kpa_compare(it->p, it->p, &it->opts, &report, &err);
			break;
		case AN_WIDENED:
			st = kpa_compare(it->wide, it->p, &it->opts, &report, &err);
			break;
		case AN_PUBLIC:
			st = kpa_compare(it->p, NULL, &it->opts_public, &report, &err);
			break;
		case AN_NOT_GRANTED:
			st = kpa_compare(it->p, NULL, &it->opts_put, &report, &err);
			break;
		case AN_KEY_ACCESS:
		default:
			{
				kpa_access_row *arows = NULL;
				size_t		n = 0;

				st = kpa_key_access(it->p, &it->opts, &arows, &n, &err);
				if (st != KP_OK)
					break;
				*result = "-";
				*rows = n;
				kpa_access_rows_free(arows, n);
				return;
			}
	}
	if (st != KP_OK)
	{
		fprintf(stderr, "eval_bench: analysis failed: %s %s\n", err.message, err.detail);
		exit(1);
	}
	*result = kpa_result_name(report.result);
	*rows = report.n_rows;
	kpa_report_free(&report);
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Median seconds per call of check over at least seconds and 3 calls. */
static double
an_median(const an_item *it, an_check check, double seconds, long *calls)
{
	size_t		cap = 64,
				n = 0;
	double	   *t = malloc(cap * sizeof(double));
	double		start = now_seconds(),
				m;

	if (t == NULL)
		exit(1);
	while (n < 3 || now_seconds() - start < seconds)
	{
		const char *r;
		size_t		rows;
		double		t0 = now_seconds();

		an_run(it, check, &r, &rows);
		if (n == cap && (t = realloc(t, (cap *= 2) * sizeof(double))) == NULL)
			exit(1);
		t[n++] = now_seconds() - t0;
	}
	qsort(t, n, sizeof(double), cmp_double);
	m = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	free(t);
	*calls = (long) n;
	return m;
}

/* Median seconds per kp_policy_parse of doc over at least seconds and 3 calls. */
static double
parse_median(const char *doc, size_t len, const kp_parse_opts *opts, double seconds)
{
	size_t		cap = 1024,
				n = 0;
	double	   *t = malloc(cap * sizeof(double));
	double		start = now_seconds(),
				m;

	if (t == NULL)
		exit(1);
	while (n < 3 || now_seconds() - start < seconds)
	{
		kp_policy  *p = NULL;
		kp_error	err;
		double		t0 = now_seconds();

		if (kp_policy_parse(doc, len, opts, &p, &err) != KP_OK)
			exit(1);
		kp_policy_free(p);
		if (n == cap && (t = realloc(t, (cap *= 2) * sizeof(double))) == NULL)
			exit(1);
		t[n++] = now_seconds() - t0;
	}
	qsort(t, n, sizeof(double), cmp_double);
	m = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	free(t);
	return m;
}

/* doc with the first "from" replaced by "to" (malloc'd), or NULL. */
static char *
replace_first(const char *doc, const char *from, const char *to)
{
	const char *at = strstr(doc, from);
	size_t		lf = strlen(from),
				lt = strlen(to),
				ld = strlen(doc);
	char	   *out;

	if (at == NULL || (out = malloc(ld - lf + lt + 1)) == NULL)
		return NULL;
	memcpy(out, doc, (size_t) (at - doc));
	memcpy(out + (at - doc), to, lt);
	strcpy(out + (at - doc) + lt, at + lf);
	return out;
}

static const char *
fmt_time(double s, char *buf, size_t size)
{
	if (s >= 1e-3)
		snprintf(buf, size, "%.2f ms", s * 1e3);
	else
		snprintf(buf, size, "%.1f µs", s * 1e6);
	return buf;
}

/* eval_bench --analysis SECONDS [--calls N] FILE... */
static int
analysis_mode(int argc, char **argv)
{
	double		seconds;
	long		fixed_calls = 0;
	int			first = 2,
				i;

	if (argc < 3)
	{
		fprintf(stderr, "usage: eval_bench --analysis SECONDS [--calls N] FILE...\n");
		return 2;
	}
	seconds = atof(argv[1]);
	if (argc > 3 && strcmp(argv[2], "--calls") == 0)
	{
		fixed_calls = atol(argv[3]);
		first = 4;
	}
	else if (seconds <= 0)
		seconds = 1.0;
	for (i = first; i < argc; i++)
	{
		size_t		len;
		char	   *doc = read_file(argv[i], &len);
		char	   *wide_doc = replace_first(doc, "\"arn:aws:iam::111122223333:user/", "\"arn:aws:iam::444455556666:user/");
		kp_parse_opts popts;
		an_item		it;
		kp_error	err;
		double		parse_one = 0,
					parse_wide = 0;
		int			c;
		const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];

		if (wide_doc == NULL)
		{
			fprintf(stderr, "eval_bench: %s names no user to move\n", argv[i]);
			return 1;
		}
		memset(&popts, 0, sizeof(popts));
		popts.dialect = KP_DIALECT_AWS;
		popts.kind = KP_DOC_KEY_POLICY;
		popts.partition = "aws";
		popts.account = ACCT;
		memset(&it, 0, sizeof(it));
		if (kp_policy_parse(doc, len, &popts, &it.p, &err) != KP_OK ||
			kp_policy_parse(wide_doc, strlen(wide_doc), &popts, &it.wide, &err) != KP_OK)
		{
			fprintf(stderr, "eval_bench: %s: %s %s\n", argv[i], err.message, err.detail);
			return 1;
		}
		it.opts.key_arn = KEY_ARN;
		it.opts.present_keys = ANALYSIS_PRESENT_KEYS;
		it.opts.n_present_keys = sizeof(ANALYSIS_PRESENT_KEYS) / sizeof(ANALYSIS_PRESENT_KEYS[0]);
		it.opts_public = it.opts;
		it.opts_public.outsiders_only = true;
		it.opts_put = it.opts;
		it.opts_put.actions = ANALYSIS_PUT_ACTION;
		it.opts_put.n_actions = 1;
		if (fixed_calls <= 0)
		{
			parse_one = parse_median(doc, len, &popts, seconds);
			parse_wide = parse_median(wide_doc, strlen(wide_doc), &popts, seconds);
		}
		for (c = AN_SAME; c <= AN_KEY_ACCESS; c++)
		{
			const char *result;
			size_t		rows;
			long		calls = 0;
			double		med,
						base;
			char		b1[32],
						b2[32];

			an_run(&it, (an_check) c, &result, &rows);
			if (fixed_calls > 0)
			{
				long		k;
				double		t0 = now_seconds();

				for (k = 0; k < fixed_calls; k++)
					an_run(&it, (an_check) c, &result, &rows);
				printf("analysis %s %d %s %zu rows %.3f ms/call\n", name, c, result, rows,
					   (now_seconds() - t0) * 1e3 / (double) fixed_calls);
				continue;
			}
			med = an_median(&it, (an_check) c, seconds, &calls);
			/* what the check validates: two documents for a compare of two */
			base = c == AN_SAME ? 2 * parse_one :
				c == AN_WIDENED ? parse_one + parse_wide : parse_one;
			printf("| %s (%zu bytes) | %s | **%s** | %s | %zu | %ld | %s (%s) | %.0f × |\n",
				   name, len, an_check_names[c], fmt_time(med, b1, sizeof(b1)), result, rows,
				   calls, fmt_time(base, b2, sizeof(b2)),
				   c <= AN_WIDENED ? "both documents" : "the document", med / base);
			fflush(stdout);
		}
		kp_policy_free(it.p);
		kp_policy_free(it.wide);
		free(wide_doc);
		free(doc);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--analysis") == 0)
		return analysis_mode(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "--docs") == 0)
		return docs_mode(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "--parse") == 0)
		return parse_mode(argc - 1, argv + 1);
	return fixed_cases(argc > 1 ? atof(argv[1]) : BENCH_SECONDS);
}
