/*
 * analysis_oracle.c -- test-only oracle of the access analysis
 * (analysis_oracle.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis_oracle.h"
#include "kp_eval.h"

static const char *const principals_pool[] = {
	"\"*\"",
	"{\"AWS\":\"111122223333\"}",
	"{\"AWS\":\"arn:aws:iam::111122223333:user/Alice\"}",
	"{\"AWS\":\"arn:aws:iam::444455556666:root\"}",
	"{\"AWS\":[\"arn:aws:iam::111122223333:role/Admin\",\"arn:aws:iam::111122223333:user/Bob\"]}",
	"{\"Service\":\"cloudtrail.amazonaws.com\"}",
	"{\"AWS\":\"arn:aws:iam::444455556666:user/Carol\"}",
};

static const char *const actions_pool[] = {
	"\"Action\":\"kms:*\"",
	"\"Action\":\"kms:Decrypt\"",
	"\"Action\":\"kms:Get*\"",
	"\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\"]",
	"\"Action\":\"kms:*Key*\"",
	"\"NotAction\":\"kms:Decrypt\"",
	"\"Action\":\"kms:PutKeyPolicy\"",
};

/* "Operator":{"key":values} */
static const char *const conditions_pool[] = {
	"\"StringEquals\":{\"kms:EncryptionContext:dept\":[\"it\",\"hr\"]}",
	"\"StringNotEquals\":{\"kms:EncryptionContext:dept\":\"it\"}",
	"\"StringLike\":{\"kms:EncryptionContext:dept\":\"i*\"}",
	"\"StringEqualsIgnoreCase\":{\"kms:EncryptionContext:dept\":\"IT\"}",
	"\"StringEqualsIfExists\":{\"kms:EncryptionContext:dept\":\"hr\"}",
	"\"StringNotLike\":{\"kms:EncryptionContext:dept\":\"?r\"}",
	"\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}",
	"\"NotIpAddress\":{\"aws:SourceIp\":[\"10.1.0.0/16\",\"2001:db8::/32\"]}",
	"\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}",
	"\"NumericGreaterThanEquals\":{\"aws:MultiFactorAuthAge\":\"60\"}",
	"\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}",
	"\"DateLessThanEquals\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}",
	"\"Bool\":{\"aws:SecureTransport\":\"true\"}",
	"\"Null\":{\"kms:EncryptionContext:dept\":\"false\"}",
	"\"ForAnyValue:StringEquals\":{\"kms:EncryptionContextKeys\":[\"dept\",\"app\"]}",
	"\"ForAllValues:StringLike\":{\"kms:EncryptionContextKeys\":\"d*\"}",
	"\"StringEquals\":{\"kms:CallerAccount\":\"111122223333\"}",
	"\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/*\"}",
	"\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::444455556666:user/Carol\"}",
	"\"StringNotEqualsIfExists\":{\"aws:username\":\"Alice\"}",
	"\"StringEquals\":{\"aws:username\":\"Alice\"}",
	"\"StringEquals\":{\"aws:PrincipalType\":[\"Account\",\"FederatedUser\"]}",
	"\"StringLike\":{\"aws:PrincipalArn\":\"arn:aws:sts::111122223333:assumed-role/*\"}",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct byte_src
{
	const uint8_t *p;
	size_t		n;
	size_t		i;
} byte_src;

static unsigned
take(byte_src *b, unsigned mod)
{
	unsigned	v = b->i < b->n ? b->p[b->i] : (unsigned) (b->i * 37 + 11);

	b->i++;
	return mod ? v % mod : 0;
}

void
aor_policy_doc(const uint8_t *data, size_t len, char *out, size_t size)
{
	byte_src	b = {data, len, 0};
	size_t		o = 0;
	unsigned	n_stmts = 1 + take(&b, 3);

	o += (size_t) snprintf(out + o, size - o,
						   "{\"Version\":\"2012-10-17\",\"Statement\":["
						   "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
						   "\"Action\":\"kms:PutKeyPolicy\",\"Resource\":\"*\"}");
	for (unsigned s = 0; s < n_stmts && o < size; s++)
	{
		unsigned	n_cond = take(&b, 3);
		unsigned	used = 0;

		o += (size_t) snprintf(out + o, size - o,
							   ",{\"Effect\":\"%s\",\"Principal\":%s,%s,\"Resource\":\"*\"",
							   take(&b, 4) == 0 ? "Deny" : "Allow",
							   principals_pool[take(&b, N(principals_pool))],
							   actions_pool[take(&b, N(actions_pool))]);
		if (n_cond > 0 && o < size)
		{
			o += (size_t) snprintf(out + o, size - o, ",\"Condition\":{");
			for (unsigned c = 0; c < n_cond && o < size; c++)
			{
				unsigned	k = take(&b, N(conditions_pool));
				const char *cond = conditions_pool[k];
				const char *colon = strchr(cond + 1, '"');
				size_t		oplen = (size_t) (colon - cond + 1);
				bool		dup = false;

				/* one operator once per block (JSON members are unique) */
				for (unsigned j = 0; j < N(conditions_pool); j++)
					if ((used >> j & 1) && strncmp(conditions_pool[j], cond, oplen) == 0)
						dup = true;
				if (dup)
					continue;
				used |= 1u << k;
				o += (size_t) snprintf(out + o, size - o, "%s%s", used == (1u << k) ? "" : ",", cond);
			}
			if (o < size)
				o += (size_t) snprintf(out + o, size - o, "}");
		}
		if (o < size)
			o += (size_t) snprintf(out + o, size - o, "}");
	}
	if (o < size)
		snprintf(out + o, size - o, "]}");
}

kp_policy *
aor_parse(const char *doc)
{
	kp_parse_opts opts;
	kp_policy  *p = NULL;
	kp_error	err;

	memset(&opts, 0, sizeof(opts));
	opts.dialect = KP_DIALECT_AWS;
	opts.kind = KP_DOC_KEY_POLICY;
	opts.partition = "aws";
	opts.account = "111122223333";
	if (kp_policy_parse(doc, strlen(doc), &opts, &p, &err) != KP_OK)
		return NULL;
	return p;
}

static const char *const present[] = {"aws:CurrentTime"};

void
aor_opts(kpa_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->key_arn = AOR_KEY_ARN;
	o->present_keys = present;
	o->n_present_keys = 1;
}

static kp_policy *
permissive(void)
{
	static const char doc[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
	kp_parse_opts opts;
	kp_policy  *p = NULL;
	kp_error	err;

	memset(&opts, 0, sizeof(opts));
	opts.dialect = KP_DIALECT_AWS;
	opts.kind = KP_DOC_IDENTITY_POLICY;
	opts.partition = "aws";
	opts.account = "111122223333";
	if (kp_policy_parse(doc, strlen(doc), &opts, &p, &err) != KP_OK)
		abort();
	return p;
}

static bool
decide(const kp_policy *policy, const kp_policy *ident, const char *principal,
	   bool service, const char *action, kp_context *ctx)
{
	kp_request	req;
	const kp_policy *ids[1] = {ident};

	if (policy == NULL)
		return false;
	/* a federated user has no identity policy (kms_check_identity_owner) */
	if (!service && strstr(principal, ":federated-user/") != NULL)
		ident = NULL;
	memset(&req, 0, sizeof(req));
	req.principal_arn = principal;
	req.principal_is_service = service;
	req.action = action;
	req.resource_arn = AOR_KEY_ARN;
	req.context = ctx;
	return kp_authorize(policy, ids, ident ? 1 : 0, &req, NULL) == KP_DECISION_ALLOW;
}

/* A context from the JSON of a witness, with the caller's derived keys. */
static kp_context *
context_of(const char *json, const char *principal, bool service)
{
	kp_context *ctx = kp_context_new();
	json_object *obj = json_tokener_parse(json ? json : "{}");

	if (ctx == NULL || obj == NULL)
		abort();
	json_object_object_foreach(obj, key, val)
	{
		if (json_object_is_type(val, json_type_array))
			for (size_t i = 0; i < json_object_array_length(val); i++)
				kp_context_add(ctx, key, json_object_get_string(json_object_array_get_idx(val, i)));
		else
			kp_context_add(ctx, key, json_object_get_string(val));
	}
	json_object_put(obj);
	kp_context_add_caller(ctx, principal, NULL, service);
	return ctx;
}

bool
aor_allowed(const kp_policy *policy, const char *principal, bool service,
			const char *action, const char *context_json)
{
	kp_policy  *ident = permissive();
	kp_context *ctx = context_of(context_json, principal, service);
	bool		r = decide(policy, ident, principal, service, action, ctx);

	kp_context_free(ctx);
	kp_policy_free(ident);
	return r;
}

/* Random requests from a pool of values around the pool's operands. */
static const char *const callers[] = {
	"arn:aws:iam::111122223333:user/Alice", "arn:aws:iam::111122223333:user/Bob",
	"arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root",
	"arn:aws:iam::444455556666:user/Carol", "arn:aws:iam::444455556666:user/Dan",
	"arn:aws:sts::111122223333:assumed-role/Admin/s1", "arn:aws:iam::111122223333:role/Admin",
	"arn:aws:sts::111122223333:assumed-role/Other/s1", "arn:aws:iam::999999999999:user/Eve",
	"arn:aws:sts::111122223333:federated-user/Fay", "cloudtrail.amazonaws.com", "logs.amazonaws.com",
};
/* Callers of accounts no pool policy names: outsiders of every kind */
static const char *const outsiders[] = {
	"arn:aws:iam::999999999999:user/Eve", "arn:aws:iam::999999999999:user/Alice",
	"arn:aws:iam::777788889999:root", "arn:aws:sts::777788889999:assumed-role/Admin/s1",
	"arn:aws:sts::777788889999:federated-user/Fay", "arn:aws:iam::777788889999:role/Admin",
};
static const char *const actions[] = {
	"kms:Decrypt", "kms:Encrypt", "kms:GetKeyPolicy", "kms:DescribeKey", "kms:PutKeyPolicy",
	"kms:CreateGrant",
};
static const char *const depts[] = {NULL, "it", "hr", "IT", "i", "x", "ix", "Hr", ""};
static const char *const ips[] = {NULL, "10.0.0.1", "10.1.2.3", "11.0.0.1", "2001:db8::1", "::1", "junk"};
static const char *const ages[] = {NULL, "30", "60", "59.5", "100", "3600", "5000", "x"};
static const char *const times[] = {"2019-01-01T00:00:00Z", "2025-01-01T00:00:00Z",
"2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z"};
static const char *const bools[] = {NULL, "true", "false", "TRUE", "yes"};
static const char *const ctxkeys[][3] = {
	{NULL}, {"dept"}, {"app"}, {"dept", "app"}, {"x"}, {"d1", "dept"}, {"d1", "d2"},
};
static const char *const accounts[] = {NULL, "111122223333", "444455556666"};
static const char *const parns[] = {NULL, "arn:aws:iam::111122223333:role/Admin",
"arn:aws:iam::444455556666:user/Carol", "arn:aws:iam::111122223333:user/Alice"};

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Is the request one the question of opts is about (opts NULL: every request)? */
static bool
selected(const kpa_opts *o, const char *who, const char *act)
{
	bool		hit;

	if (o == NULL)
		return true;
	hit = o->n_actions == 0;
	for (size_t i = 0; i < o->n_actions && !hit; i++)
		hit = kp_action_matches(o->actions[i], act);
	if (!hit)
		return false;
	hit = o->n_principals == 0;
	for (size_t i = 0; i < o->n_principals && !hit; i++)
		hit = strcmp(o->principals[i], who) == 0;
	return hit;
}

bool
aor_check(const kp_policy *gain, const kp_policy *base, const kpa_opts *opts,
		  const kpa_report *report, uint64_t seed, int n_samples, char *why, size_t why_size)
{
	const bool	outsiders_only = opts != NULL && opts->outsiders_only;
	kp_policy  *ident = permissive();
	bool		ok = true;

	for (size_t i = 0; i < report->n_rows && ok; i++)
	{
		const kpa_row *r = &report->rows[i];
		kp_context *ctx;

		if (r->result != KPA_FAIL)
			continue;
		ctx = context_of(r->context, r->principal, r->principal_is_service);
		if (!decide(gain, ident, r->principal, r->principal_is_service, r->action, ctx) ||
			decide(base, ident, r->principal, r->principal_is_service, r->action, ctx))
		{
			snprintf(why, why_size, "witness not confirmed: %s %s %s", r->principal, r->action,
					 r->context);
			ok = false;
		}
		kp_context_free(ctx);
	}
	if (ok && report->result == KPA_PASS)
	{
		uint64_t	s = seed | 1;

		for (int n = 0; n < n_samples && ok; n++)
		{
			kp_context *ctx = kp_context_new();
			const char *who = outsiders_only ? outsiders[rnd(&s) % N(outsiders)]
				: callers[rnd(&s) % N(callers)];
			bool		service = strchr(who, ':') == NULL;
			const char *act = actions[rnd(&s) % N(actions)];
			bool		override = !outsiders_only && rnd(&s) % 3 == 0;
			const char *v;
			char		desc[600];
			size_t		k;

			if ((v = depts[rnd(&s) % N(depts)]) != NULL)
				kp_context_add(ctx, "kms:EncryptionContext:dept", v);
			if ((v = ips[rnd(&s) % N(ips)]) != NULL)
				kp_context_add(ctx, "aws:SourceIp", v);
			if ((v = ages[rnd(&s) % N(ages)]) != NULL)
				kp_context_add(ctx, "aws:MultiFactorAuthAge", v);
			kp_context_add(ctx, "aws:CurrentTime", times[rnd(&s) % N(times)]);
			if ((v = bools[rnd(&s) % N(bools)]) != NULL)
				kp_context_add(ctx, "aws:SecureTransport", v);
			k = rnd(&s) % N(ctxkeys);
			for (int j = 0; j < 3 && ctxkeys[k][j]; j++)
				kp_context_add(ctx, "kms:EncryptionContextKeys", ctxkeys[k][j]);
			/*
			 * sometimes a context that overrides what the caller implies
			 * (never for outsiders: the public check is about callers as
			 * AWS identifies them)
			 */
			if ((v = accounts[rnd(&s) % N(accounts)]) != NULL && override)
				kp_context_add(ctx, "kms:CallerAccount", v);
			if ((v = parns[rnd(&s) % N(parns)]) != NULL && override && rnd(&s) % 2 == 0)
				kp_context_add(ctx, "aws:PrincipalArn", v);
			kp_context_add_caller(ctx, who, NULL, service);
			if (selected(opts, who, act) &&
				decide(gain, ident, who, service, act, ctx) &&
				(base == NULL || !decide(base, ident, who, service, act, ctx)))
			{
				snprintf(desc, sizeof(desc), "false PASS: %s %s (sample %d)", who, act, n);
				snprintf(why, why_size, "%s", desc);
				ok = false;
			}
			kp_context_free(ctx);
		}
	}
	kp_policy_free(ident);
	return ok;
}
