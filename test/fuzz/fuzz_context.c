/*
 * fuzz_context.c -- libFuzzer target over the request context of
 * evaluation: a fixed set of policies (every operator family, set
 * operators, IfExists, Null, policy variables, both dialects) against
 * fuzzed contexts.
 *
 * Input: lines "key=value"; a line whose first byte is below 0x20 names one
 * of the keys the policies use (by that byte), so conditions are reached.
 * Checks, besides ASan/LSan/UBSan: the context holds what was added (also in
 * other letter cases), decisions are deterministic (twice the same), do not
 * depend on the order of the context's keys and values, and are the same
 * with and without a trace.
 * Build and run: make fuzz (clang, ASan, LSan, UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp.h"
#include "kp_eval.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
	"aws:SourceIp", "aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport",
	"aws:TagKeys", "aws:username", "aws:PrincipalArn", "kms:EncryptionContext:dept",
	"kms:EncryptionContext:n", "kms:EncryptionContext:b", "kms:CallerAccount",
	"aws:MultiFactorAuthAge", "kms:ViaService", "acs:SourceIp", "acs:CurrentTime",
	"kms:GrantOperations",
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const aws_docs[] = {
	"{\"Version\":\"2012-10-17\",\"Statement\":["
	"{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},"
	"{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{"
	"\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"2001:db8::/32\"]},"
	"\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"},"
	"\"NumericLessThanEquals\":{\"aws:MultiFactorAuthAge\":\"3600\"},"
	"\"BoolIfExists\":{\"aws:SecureTransport\":true}}},"
	"{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{"
	"\"ForAnyValue:StringLike\":{\"aws:TagKeys\":[\"secret*\",\"?x?\"]}}},"
	"{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Encrypt\",\"Resource\":\"*\",\"Condition\":{"
	"\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]},"
	"\"StringEquals\":{\"kms:EncryptionContext:dept\":\"${aws:username}\"},"
	"\"Null\":{\"kms:ViaService\":\"true\"}}}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":["
	"{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"kms:Decrypt\",\"kms:Encrypt\"],\"Resource\":\"*\",\"Condition\":{"
	"\"NumericEquals\":{\"kms:EncryptionContext:n\":[1.5E3,\"-0\"]},"
	"\"BinaryEquals\":{\"kms:EncryptionContext:b\":\"QUJD\"},"
	"\"DateGreaterThanEquals\":{\"aws:EpochTime\":\"2024-02-29\"},"
	"\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/${aws:username}\"},"
	"\"StringNotEqualsIgnoreCase\":{\"kms:CallerAccount\":\"444455556666\"},"
	"\"ForAnyValue:StringEquals\":{\"kms:GrantOperations\":[\"Decrypt\",\"Encrypt\"]}}},"
	"{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":\"kms:Get*\",\"Resource\":\"*\",\"Condition\":{"
	"\"NotIpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"},\"StringNotLike\":{\"kms:ViaService\":\"*.amazonaws.com\"}}}]}",
};

static const char *const ali_doc =
	"{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"RAM\":[\"acs:ram::1192853035118460:*\"]},"
	"\"Action\":[\"kms:*\"],\"Resource\":[\"*\"],\"Condition\":{\"IpAddress\":{\"acs:SourceIp\":\"10.0.0.0/8\"},"
	"\"DateLessThan\":{\"acs:CurrentTime\":\"2030-01-01T00:00:00Z\"}}}]}";

static const char *const actions[] = {"kms:Decrypt", "kms:Encrypt", "kms:GetKeyPolicy"};

typedef struct pair
{
	char	   *key;
	char	   *value;
} pair;

/* A context of pairs[0..n) in order (step 1) or reversed (step -1). */
static kp_context *
build(const pair *pairs, size_t n, bool reverse, bool upper)
{
	kp_context *ctx = kp_context_new();
	size_t		i;

	if (ctx == NULL)
		abort();
	for (i = 0; i < n; i++)
	{
		const pair *p = &pairs[reverse ? n - 1 - i : i];
		char	   *key = strdup(p->key);
		char	   *c;
		kp_status	st;

		if (key == NULL)
			abort();
		if (upper)
			for (c = key; *c; c++)
				if (*c >= 'a' && *c <= 'z')
					*c -= 'a' - 'A';
		st = kp_context_add(ctx, key, p->value);
		free(key);
		if (st != KP_OK)
		{
			kp_context_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

static kp_decision
decide(const kp_policy *kp, const kp_policy *id, bool alibaba, const char *action,
	   const kp_context *ctx, bool with_trace)
{
	kp_request	req;
	kp_trace	trace;
	kp_decision d;

	memset(&req, 0, sizeof(req));
	req.principal_arn = alibaba ? "acs:ram::1192853035118460:user/alice"
		: "arn:aws:iam::111122223333:user/Alice";
	req.action = action;
	req.resource_arn = alibaba ? "acs:kms:cn-hangzhou:1192853035118460:key/key-abcdefgh12345678"
		: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
	req.context = ctx;
	kp_trace_init(&trace);
	d = kp_authorize(kp, id ? (const kp_policy *const *) &id : NULL, id ? 1 : 0, &req,
					 with_trace ? &trace : NULL);
	if (with_trace && trace.decision != d)
		abort();
	kp_trace_free(&trace);
	return d;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static kp_policy *pol[3];
	static bool ready = false;
	pair	   *pairs;
	size_t		n = 0;
	size_t		cap = size / 2 + 1;
	size_t		pos = 0;
	kp_context *a;
	kp_context *b;
	kp_context *c;
	size_t		i;
	size_t		j;

	if (!ready)
	{
		static const kp_parse_opts aws = {KP_DIALECT_AWS, KP_DOC_KEY_POLICY, "aws", "111122223333", 0};
		static const kp_parse_opts ali = {KP_DIALECT_ALIBABA, KP_DOC_KEY_POLICY, "", "1192853035118460", 0};
		kp_error	err;

		for (i = 0; i < 2; i++)
			if (kp_policy_parse(aws_docs[i], strlen(aws_docs[i]), &aws, &pol[i], &err) != KP_OK)
			{
				fprintf(stderr, "policy %zu: %s %s\n", i, err.message, err.detail);
				abort();
			}
		if (kp_policy_parse(ali_doc, strlen(ali_doc), &ali, &pol[2], &err) != KP_OK)
		{
			fprintf(stderr, "alibaba policy: %s %s\n", err.message, err.detail);
			abort();
		}
		ready = true;			/* kept for the process: not a leak per run */
	}
	if (size > 4096)
		return 0;

	pairs = calloc(cap, sizeof(pair));
	if (pairs == NULL)
		abort();
	while (pos < size && n < cap)
	{
		const uint8_t *line = data + pos;
		const uint8_t *end = memchr(line, '\n', size - pos);
		size_t		len = end ? (size_t) (end - line) : size - pos;
		const uint8_t *eq;

		pos += len + 1;
		if (len == 0)
			continue;
		if (line[0] < 0x20)
		{
			pairs[n].key = strdup(keys[line[0] % N_KEYS]);
			pairs[n].value = strndup((const char *) line + 1, len - 1);
		}
		else if ((eq = memchr(line, '=', len)) != NULL)
		{
			pairs[n].key = strndup((const char *) line, (size_t) (eq - line));
			pairs[n].value = strndup((const char *) eq + 1, len - (size_t) (eq - line) - 1);
		}
		else
			continue;
		if (pairs[n].key == NULL || pairs[n].value == NULL)
			abort();
		n++;
	}

	a = build(pairs, n, false, false);
	b = build(pairs, n, true, false);
	c = build(pairs, n, false, true);
	if ((a == NULL) != (b == NULL) || (a == NULL) != (c == NULL))
		abort();				/* a limit is a limit in any order */
	if (a != NULL)
	{
		/* every key is there, in any case, with every value */
		for (i = 0; i < n; i++)
		{
			size_t		na;
			size_t		nc;
			const char *const *va = kp_context_get(a, pairs[i].key, &na);
			const char *const *vc = kp_context_get(c, pairs[i].key, &nc);

			if (va == NULL || na != nc || vc == NULL)
				abort();
		}
		for (i = 0; i < 3; i++)
			for (j = 0; j < sizeof(actions) / sizeof(actions[0]); j++)
			{
				bool		ali = i == 2;
				kp_decision d1 = decide(pol[i], NULL, ali, actions[j], a, false);

				if (decide(pol[i], NULL, ali, actions[j], a, false) != d1 ||
					decide(pol[i], NULL, ali, actions[j], a, true) != d1 ||
					decide(pol[i], NULL, ali, actions[j], b, false) != d1 ||
					decide(pol[i], NULL, ali, actions[j], c, false) != d1)
				{
					fprintf(stderr, "policy %zu action %s: nondeterministic decision\n",
							i, actions[j]);
					abort();
				}
			}
	}
	kp_context_free(a);
	kp_context_free(b);
	kp_context_free(c);
	for (i = 0; i < n; i++)
	{
		free(pairs[i].key);
		free(pairs[i].value);
	}
	free(pairs);
	return 0;
}
