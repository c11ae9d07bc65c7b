/*
 * fuzz_compiled.c -- differential libFuzzer target of the compiled form:
 * kp_policy_compile + kp_compiled_check + kp_evaluate_compiled against the
 * reference evaluator on the tree (test/ref/kp_eval_ref.c).
 *
 * Input: byte 0 selects dialect and kind as in fuzz_policy (so its corpus
 * seeds this one); then the policy document, up to the first 0xFF byte (a
 * byte no UTF-8 document holds); then the request parts, lines of
 *	p<ARN>         a caller           s<name>  a service caller
 *	a<action>      an action          r<ARN>   a resource
 *	u<account>     the caller's account
 *	k<key>=<value> a context value; a key whose first byte is below 0x20
 *	               names one of the keys policies commonly use (by that byte)
 *	m<b1><b2><b3>  a mutation of the compiled bytes: position b1 * 256 + b2
 *	               (modulo the length), XOR b3 (0 means 0x5A)
 * For an accepted policy: compile, copy the bytes to an odd address, check
 * them, and evaluate every caller x action (the input's and a fixed set),
 * traced and untraced: decisions and traces must equal the reference's.
 * Then every mutation: with the stored checksum it must be refused as
 * corrupt; with the checksum recomputed it must be refused or, when the
 * structure survived, evaluate without a memory error.  A truncation of the
 * bytes must be refused as corrupt.
 * Build and run: make fuzz (clang, ASan, LSan, UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp.h"
#include "kp_compiled.h"
#include "kp_eval.h"
#include "kp_eval_ref.h"
#include "kp_ref_diff.h"
#include "internal/kp_compiled_format.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
	"aws:SourceIp", "aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport",
	"aws:TagKeys", "aws:username", "aws:PrincipalArn", "kms:EncryptionContext:dept",
	"kms:EncryptionContext:n", "kms:EncryptionContext:b", "kms:CallerAccount",
	"aws:MultiFactorAuthAge", "kms:ViaService", "acs:SourceIp", "acs:CurrentTime",
	"kms:GrantOperations", "kms:GrantIsForAWSResource", "aws:PrincipalAccount",
	"aws:RequestTag/team", "aws:PrincipalTag/team", "kms:EncryptionAlgorithm",
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

#define MAX_PARTS 16

typedef struct who
{
	const char *arn;
	bool		service;
	const char *account;
} who;

static const who fixed_callers[] = {
	{"arn:aws:iam::111122223333:root", false, NULL},
	{"arn:aws:iam::111122223333:user/Alice", false, NULL},
	{"arn:aws:iam::444455556666:user/Carol", false, NULL},
	{"arn:aws:sts::111122223333:assumed-role/Admin/s1", false, NULL},
	{"cloudtrail.amazonaws.com", true, NULL},
	{"acs:ram::1192853035118460:user/alice", false, NULL},
	{"acs:ram::1192853035118460:assumed-role/app/s", false, NULL},
};

static const char *const fixed_actions[] = {
	"kms:PutKeyPolicy", "KMS:decrypt", "kms:Foo", "kms:CreateGrant",
};

static const char *ALLOW_ALL =
"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
"\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
static const char *DEFAULT_KEY =
"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
"\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
"\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";

static kp_policy *
parse(const char *doc, size_t len, kp_dialect dialect, kp_doc_kind kind, int depth)
{
	kp_parse_opts opts;
	kp_policy  *p = NULL;
	kp_error	err;

	memset(&opts, 0, sizeof(opts));
	opts.dialect = dialect;
	opts.kind = kind;
	opts.partition = "aws";
	opts.account = dialect == KP_DIALECT_AWS ? "111122223333" : "1192853035118460";
	opts.max_depth = depth;
	if (kp_policy_parse(doc, len, &opts, &p, &err) != KP_OK)
		return NULL;
	return p;
}

/* Compile p into a fresh buffer at an odd address; *buf is what to free. */
static void
compile_odd(const kp_policy *p, unsigned char **buf, kp_compiled *c)
{
	unsigned char *bytes;
	size_t		len;
	kp_error	err;
	kp_status	st = kp_policy_compile(p, &bytes, &len, &err);

	if (st != KP_OK)
		abort();				/* a parsed policy always compiles */
	*buf = malloc(len + 1);
	if (*buf == NULL)
		abort();
	memcpy(*buf + 1, bytes, len);
	free(bytes);
	if (kp_compiled_open(*buf + 1, len, c, &err) != KP_OK)
	{
		fprintf(stderr, "fresh blob refused: %s\n", err.detail);
		abort();
	}
}

/* One request: reference on the trees against the compiled evaluator. */
static void
compare(const kp_policy *kp, const kp_compiled *kc, const kp_policy *ip,
		const kp_compiled *ic, const kp_request *req)
{
	const kp_policy *ids[1] = {ip};
	const kp_compiled *cids[1] = {ic};
	size_t		n = ip != NULL ? 1 : 0;
	kp_trace	a;
	kp_trace	b;
	kp_decision da;
	kp_decision db;
	char		why[2048];
	const char *diff;

	kp_trace_init(&a);
	kp_trace_init(&b);
	if (kp_ref_evaluate(kp, ids, n, req, &a, &da) != KP_OK ||
		kp_evaluate_compiled(kc, cids, n, req, &b, &db) != KP_OK)
		abort();
	if (da != db)
	{
		fprintf(stderr, "decision %d vs %d for %s %s\n", da, db,
				req->principal_arn, req->action);
		abort();
	}
	if ((diff = kp_ref_trace_diff(&a, &b, why, sizeof(why))) != NULL)
	{
		fprintf(stderr, "trace differs: %s\n", diff);
		abort();
	}
	kp_trace_free(&a);
	kp_trace_free(&b);
	if (kp_ref_authorize(kp, ids, n, req, NULL) != da ||
		kp_authorize_compiled(kc, cids, n, req, NULL) != da)
		abort();
}

/* Evaluate a (possibly mutated) blob that passed the check: must not crash. */
static void
evaluate_any(const kp_compiled *c, bool key, const kp_request *req)
{
	kp_trace	t;
	kp_decision d;

	kp_trace_init(&t);
	if (key)
		(void) kp_evaluate_compiled(c, NULL, 0, req, &t, &d);
	else
		(void) kp_evaluate_compiled(NULL, &c, 1, req, &t, &d);
	kp_trace_free(&t);
	(void) kp_authorize_compiled(key ? c : NULL, key ? NULL : &c, key ? 0 : 1,
								 req, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kp_dialect	dialect;
	kp_doc_kind kind;
	const uint8_t *sep;
	size_t		doc_len;
	kp_policy  *policy;
	kp_policy  *other;
	unsigned char *buf;
	unsigned char *obuf;
	kp_compiled c;
	kp_compiled oc;
	kp_context *ctx;
	char	   *spec = NULL;
	who			callers[MAX_PARTS + 8];
	size_t		n_callers = 0;
	const char *acts[MAX_PARTS + 8];
	size_t		n_acts = 0;
	const char *resource = NULL;
	const char *account = NULL;
	const unsigned char *muts[MAX_PARTS];
	size_t		n_muts = 0;
	size_t		i;
	size_t		j;

	if (size < 1)
		return 0;
	dialect = (data[0] & 1) ? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;
	kind = (data[0] & 2) && dialect == KP_DIALECT_AWS ?
		KP_DOC_IDENTITY_POLICY : KP_DOC_KEY_POLICY;
	sep = memchr(data + 1, 0xFF, size - 1);
	doc_len = sep ? (size_t) (sep - (data + 1)) : size - 1;
	policy = parse((const char *) data + 1, doc_len, dialect, kind,
				   (data[0] & 4) ? 8 : 0);
	if (policy == NULL)
		return 0;

	ctx = kp_context_new();
	if (ctx == NULL)
		abort();
	(void) kp_context_add(ctx, "aws:SourceIp", "10.1.2.3");
	(void) kp_context_add(ctx, "kms:EncryptionContext:dept", "it");
	(void) kp_context_add(ctx, "aws:CurrentTime", "2026-11-23T12:00:00Z");

	/* The request parts (a NUL-terminated copy, split into lines). */
	if (sep != NULL)
	{
		size_t		len = size - (size_t) (sep + 1 - data);
		char	   *line;
		char	   *next;

		spec = malloc(len + 1);
		if (spec == NULL)
			abort();
		memcpy(spec, sep + 1, len);
		spec[len] = '\0';
		for (line = spec; line != NULL && *line != '\0'; line = next)
		{
			char	   *nl = strchr(line, '\n');

			next = nl ? nl + 1 : NULL;
			if (nl)
				*nl = '\0';
			switch (line[0])
			{
				case 'p':
				case 's':
					if (n_callers < MAX_PARTS)
					{
						callers[n_callers].arn = line + 1;
						callers[n_callers].service = line[0] == 's';
						callers[n_callers].account = NULL;
						n_callers++;
					}
					break;
				case 'a':
					if (n_acts < MAX_PARTS)
						acts[n_acts++] = line + 1;
					break;
				case 'r':
					resource = line + 1;
					break;
				case 'u':
					account = line + 1;
					break;
				case 'k':
					{
						char	   *key = line + 1;
						char	   *eq = strchr(key, '=');
						const char *k = key;

						if (eq == NULL)
							break;
						*eq = '\0';
						if ((unsigned char) key[0] < 0x20 && key[0] != '\0')
							k = keys[(unsigned char) key[0] % N_KEYS];
						(void) kp_context_add(ctx, k, eq + 1);
						break;
					}
				case 'm':
					if (n_muts < MAX_PARTS && strlen(line) >= 4)
						muts[n_muts++] = (const unsigned char *) line + 1;
					break;
				default:
					break;
			}
		}
	}
	for (i = 0; i < sizeof(fixed_callers) / sizeof(fixed_callers[0]); i++)
		callers[n_callers++] = fixed_callers[i];
	for (i = 0; i < sizeof(fixed_actions) / sizeof(fixed_actions[0]); i++)
		acts[n_acts++] = fixed_actions[i];
	if (account != NULL && n_callers > 0)
		callers[0].account = account;

	compile_odd(policy, &buf, &c);
	other = kind == KP_DOC_KEY_POLICY ?
		parse(ALLOW_ALL, strlen(ALLOW_ALL), KP_DIALECT_AWS, KP_DOC_IDENTITY_POLICY, 0) :
		parse(DEFAULT_KEY, strlen(DEFAULT_KEY), KP_DIALECT_AWS, KP_DOC_KEY_POLICY, 0);
	if (other == NULL)
		abort();
	compile_odd(other, &obuf, &oc);

	for (i = 0; i < n_callers; i++)
		for (j = 0; j < n_acts; j++)
		{
			kp_request	req;
			bool		acs = strncmp(callers[i].arn, "acs:", 4) == 0;

			memset(&req, 0, sizeof(req));
			req.principal_arn = callers[i].arn;
			req.principal_is_service = callers[i].service;
			req.principal_account = callers[i].account;
			req.action = acts[j];
			req.resource_arn = resource ? resource : acs
				? "acs:kms:cn-hangzhou:1192853035118460:key/key-abcdefgh12345678"
				: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
			req.context = ctx;
			if (kind == KP_DOC_KEY_POLICY)
			{
				compare(policy, &c, NULL, NULL, &req);
				compare(policy, &c, other, &oc, &req);
			}
			else
			{
				compare(NULL, NULL, policy, &c, &req);
				compare(other, &oc, policy, &c, &req);
			}
		}

	/* Mutations and a truncation of the compiled bytes. */
	{
		unsigned char *m = malloc(c.len + 1);
		kp_request	req;
		kp_error	err;

		if (m == NULL)
			abort();
		memset(&req, 0, sizeof(req));
		req.principal_arn = callers[0].arn;
		req.principal_is_service = callers[0].service;
		req.action = acts[0];
		req.resource_arn = resource ? resource :
			"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
		req.context = ctx;
		for (i = 0; i < n_muts; i++)
		{
			size_t		pos = ((size_t) muts[i][0] * 256 + muts[i][1]) % c.len;
			unsigned char x = muts[i][2] ? muts[i][2] : 0x5A;
			kp_compiled mc;
			kp_status	st;

			memcpy(m + 1, c.data, c.len);
			m[1 + pos] ^= x;
			if (kp_compiled_check(m + 1, c.len, &err) != KP_ERR_CORRUPT)
			{
				fprintf(stderr, "byte %zu ^ 0x%02x not refused as corrupt\n", pos, x);
				abort();
			}
			/* The same damage behind a valid checksum. */
			kp_wr64(m + 1 + KPC_H_CHECKSUM,
					kp_compiled_checksum(m + 1 + KPC_H_CHECKED, c.len - KPC_H_CHECKED));
			st = kp_compiled_open(m + 1, c.len, &mc, &err);
			if (st == KP_OK)
				evaluate_any(&mc, kind == KP_DOC_KEY_POLICY, &req);
			else if (st != KP_ERR_CORRUPT && st != KP_ERR_STALE)
				abort();
		}
		if (kp_compiled_check(c.data, (size + c.len) % c.len, &err) != KP_ERR_CORRUPT)
			abort();
		free(m);
	}

	free(buf);
	free(obuf);
	free(spec);
	kp_context_free(ctx);
	kp_policy_free(policy);
	kp_policy_free(other);
	return 0;
}
