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
 * with the context and the caller's keys).
 *
 * A third mode times validation alone, a fixed number of times (so that
 * valgrind --tool=callgrind counts the same work on every run):
 *	eval_bench --parse ITERATIONS FILE...
 * prints, per file, "parse FILE BYTES N calls/s US us/call" (kp_policy_parse
 * of a key policy, AWS dialect).  bench/fixtures/policy-2k.json and
 * policy-32k.json are bench/setup.sql's bench_policy(0) and
 * bench_policy(100, true), the documents bench/run validates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kp_eval.h"

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

static void
run_case(const char *name, const kp_policy *kp, const kp_policy *const *ids,
		 size_t n_ids, const kp_request *req, bool traced,
		 kp_decision expect, double seconds)
{
	volatile int sink = 0;
	long		n = 0;
	double		start = now_seconds();
	double		elapsed;
	kp_trace	trace;
	kp_decision d;

	kp_trace_init(&trace);
	d = kp_authorize(kp, ids, n_ids, req, NULL);
	if (d != expect)
	{
		fprintf(stderr, "eval_bench: %s: decision %s, expected %s\n", name,
				kp_decision_name(d), kp_decision_name(expect));
		exit(1);
	}
	do
	{
		int			i;

		for (i = 0; i < 1000; i++)
		{
			sink += (int) kp_authorize(kp, ids, n_ids, req, traced ? &trace : NULL);
			if (traced)
				kp_trace_free(&trace);
		}
		n += 1000;
		elapsed = now_seconds() - start;
	} while (elapsed < seconds);
	(void) sink;
	printf("core eval %s: %.0f evals/s\n", name, (double) n / elapsed);
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

	kp_context_free(ctx);
	kp_policy_free(dflt);
	kp_policy_free(seed);
	kp_policy_free(p20);
	kp_policy_free(all);
	free(doc20);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--docs") == 0)
		return docs_mode(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "--parse") == 0)
		return parse_mode(argc - 1, argv + 1);
	return fixed_cases(argc > 1 ? atof(argv[1]) : BENCH_SECONDS);
}
