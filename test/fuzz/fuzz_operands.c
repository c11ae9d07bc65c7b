/*
 * fuzz_operands.c -- libFuzzer target: the validator accepts exactly the
 * condition values the evaluator parses, and a stored value is always
 * evaluable as written.
 *
 * Input: byte 0 picks the operand kind (and whether the value is written as
 * a JSON string or as a raw JSON token, for numbers and dates); the rest is
 * the value.  For each kind:
 *	- a key policy with the value in a condition of that kind is accepted by
 *	  kp_policy_parse exactly when kp_operand.c parses the value (string
 *	  form; for raw tokens: when accepted, the compiled text parses);
 *	- when accepted, a request whose context holds the compiled value itself
 *	  (or, for a CIDR block, its address) is allowed: the evaluator parsed
 *	  both sides and found them equal (never "unparseable");
 *	- glob matching (StringLike) agrees, on valid UTF-8 (policies and
 *	  PostgreSQL text are), with a reference matcher over code points,
 *	  where '?' is one UTF-8 character.
 * Build and run: make fuzz (clang, ASan, LSan, UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp.h"
#include "kp_eval.h"
#include "internal/kp_operand.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum kind
{
	K_DATE, K_NUMBER, K_BOOL, K_BASE64, K_IP, K_GLOB, K_COUNT
};

static const char *const ops[K_COUNT] = {
	"DateEquals", "NumericEquals", "Bool", "BinaryEquals", "IpAddress", "StringLike"
};

static bool
parses(enum kind k, const char *s)
{
	kp_instant	t;
	kp_number	n;
	kp_ipnet	ip;
	bool		b;

	switch (k)
	{
		case K_DATE:
			return kp_date_parse(s, &t);
		case K_NUMBER:
			return kp_number_parse(s, &n);
		case K_BOOL:
			return kp_bool_parse(s, &b);
		case K_BASE64:
			return kp_base64_valid(s, NULL);
		case K_IP:
			return kp_ip_parse(s, true, &ip);
		default:
			return true;
	}
}

/* Append s as JSON string contents; false for bytes the policy text refuses. */
static bool
json_escape(char *out, size_t outsize, const char *s)
{
	size_t		o = 0;

	for (; *s != '\0'; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (o + 8 >= outsize)
			return false;
		if (c < 0x20 || c >= 0x80)
			return false;		/* ASCII only: the operand grammars are ASCII */
		if (c == '"' || c == '\\')
			out[o++] = '\\';
		out[o++] = (char) c;
	}
	out[o] = '\0';
	return true;
}

#define MAX_INPUT 200
#define REF_MAX MAX_INPUT

/* Reference glob over code points: '*' any run, '?' one code point. */
static size_t
to_cps(const char *s, unsigned int *cps, size_t max)
{
	size_t		n = 0;
	size_t		len = strlen(s);
	size_t		i = 0;

	while (i < len && n < max)
	{
		unsigned int cp;
		size_t		k = kp_utf8_decode((const unsigned char *) s + i, len - i, &cp);

		if (k == 0)
			return SIZE_MAX;	/* not UTF-8: policies and PostgreSQL text are */
		cps[n++] = cp;
		i += k;
	}
	return n;
}

static bool
ref_glob(const char *pat, const char *txt)
{
	/* inputs are at most 200 bytes, so at most 200 code points each */
	unsigned int p[REF_MAX];
	unsigned int t[REF_MAX];
	size_t		np = to_cps(pat, p, REF_MAX);
	size_t		nt = to_cps(txt, t, REF_MAX);
	static bool dp[REF_MAX + 1][REF_MAX + 1];
	size_t		i;
	size_t		j;

	if (np == SIZE_MAX || nt == SIZE_MAX)
		return kp_glob_match(pat, txt, false);	/* outside the contract */
	memset(dp, 0, sizeof(dp));
	dp[0][0] = true;
	for (i = 1; i <= np; i++)
		dp[i][0] = dp[i - 1][0] && p[i - 1] == '*';
	for (i = 1; i <= np; i++)
		for (j = 1; j <= nt; j++)
		{
			if (p[i - 1] == '*')
				dp[i][j] = dp[i - 1][j] || dp[i][j - 1];
			else
				dp[i][j] = dp[i - 1][j - 1] && (p[i - 1] == '?' || p[i - 1] == t[j - 1]);
		}
	return dp[np][nt];
}

static kp_decision
decide(const kp_policy *p, const char *value)
{
	kp_context *ctx = kp_context_new();
	kp_request	req;
	kp_decision d;

	if (ctx == NULL)
		abort();
	if (kp_context_add(ctx, "test:k", value) != KP_OK)
		abort();
	memset(&req, 0, sizeof(req));
	req.principal_arn = "arn:aws:iam::111122223333:user/Alice";
	req.action = "kms:Decrypt";
	req.resource_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
	req.context = ctx;
	d = kp_authorize(p, NULL, 0, &req, NULL);
	kp_context_free(ctx);
	return d;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const kp_parse_opts opts = {KP_DIALECT_AWS, KP_DOC_KEY_POLICY, "aws", "111122223333", 0};
	enum kind	k;
	bool		raw;
	char		value[256];
	char		esc[600];
	char		doc[1024];
	kp_policy  *p = NULL;
	kp_error	err;
	kp_status	st;

	if (size < 1 || size > MAX_INPUT)
		return 0;
	k = (enum kind) (data[0] % K_COUNT);
	raw = (data[0] & 0x80) && (k == K_DATE || k == K_NUMBER);
	memcpy(value, data + 1, size - 1);
	value[size - 1] = '\0';
	if (strlen(value) != size - 1)
		return 0;				/* NUL inside */

	if (k == K_GLOB)
	{
		/* value = pattern '\n' text: the matcher against the reference */
		char	   *nl = strchr(value, '\n');

		if (nl == NULL)
			return 0;
		*nl = '\0';
		if (kp_glob_match(value, nl + 1, false) != ref_glob(value, nl + 1))
		{
			fprintf(stderr, "glob \"%s\" vs \"%s\": kp %d, reference %d\n",
					value, nl + 1, kp_glob_match(value, nl + 1, false),
					ref_glob(value, nl + 1));
			abort();
		}
		return 0;
	}

	if (raw)
	{
		/* a raw JSON token: only digits, signs, '.', 'e' and 'E' */
		if (strspn(value, "0123456789+-.eE") != strlen(value) || value[0] == '\0')
			return 0;
		snprintf(doc, sizeof(doc),
				 "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\","
				 "\"Resource\":\"*\",\"Condition\":{\"%s\":{\"test:k\":%s}}}}", ops[k], value);
	}
	else
	{
		if (!json_escape(esc, sizeof(esc), value))
			return 0;
		snprintf(doc, sizeof(doc),
				 "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\","
				 "\"Resource\":\"*\",\"Condition\":{\"%s\":{\"test:k\":\"%s\"}}}}", ops[k], esc);
	}

	st = kp_policy_parse(doc, strlen(doc), &opts, &p, &err);
	if (!raw && (st == KP_OK) != parses(k, value))
	{
		fprintf(stderr, "%s \"%s\": validator %d, operand parser %d\n",
				ops[k], value, (int) st, parses(k, value));
		abort();
	}
	if (st == KP_OK)
	{
		const char *stored = p->statements[0].conditions[0].values[0];
		char		request[256];

		if (!parses(k, stored))
		{
			fprintf(stderr, "%s: stored \"%s\" does not parse\n", ops[k], stored);
			abort();
		}
		snprintf(request, sizeof(request), "%s", stored);
		if (k == K_IP)
			request[strcspn(request, "/")] = '\0';	/* the block's address */
		if (decide(p, request) != KP_DECISION_ALLOW)
		{
			fprintf(stderr, "%s: stored \"%s\" does not match request \"%s\"\n",
					ops[k], stored, request);
			abort();
		}
		kp_policy_free(p);
	}
	else if (p != NULL || st == KP_ERR_NOMEM)
		abort();
	return 0;
}
