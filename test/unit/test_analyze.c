/*
 * test_analyze.c -- unit tests of the access analysis (src/core/kp_analyze.c).
 *
 * Hand-written questions with known answers (each operator family, sets,
 * IfExists, Null, Deny, delegation, public access, policy variables), then
 * random pairs of small policies (test/ref/analysis_oracle.c): every FAIL
 * witness is evaluated again and must be allowed by the new policy and not
 * by the old; every PASS is checked against random requests from a pool of
 * values around the policies' operands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kp_analyze.h"
#include "analysis_oracle.h"

#define ROOT_STMT "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"kms:PutKeyPolicy\",\"Resource\":\"*\"}"

/* A key policy with the root statement and the given statements (' for "). */
static kp_policy *
policy(const char *stmts_sq)
{
	char		doc[8192];
	kp_policy  *p;

	snprintf(doc, sizeof(doc), "{\"Version\":\"2012-10-17\",\"Statement\":[" ROOT_STMT "%s%s]}",
			 stmts_sq[0] ? "," : "", stmts_sq);
	for (char *c = doc; *c; c++)
		if (*c == '\'')
			*c = '"';
	p = aor_parse(doc);
	if (p == NULL)
		fail_msg("policy refused: %s", doc);
	return p;
}

/* kpa_compare(gain, base), checked by the oracle; returns the result. */
static kpa_result
compare(const char *gain_sq, const char *base_sq, kpa_report *out)
{
	kp_policy  *g = policy(gain_sq);
	kp_policy  *b = policy(base_sq);
	kpa_opts	o;
	kp_error	err;
	char		why[800];

	aor_opts(&o);
	assert_int_equal(kpa_compare(g, b, &o, out, &err), KP_OK);
	if (!aor_check(g, b, NULL, out, 42, 3000, why, sizeof(why)))
		fail_msg("%s", why);
	kp_policy_free(g);
	kp_policy_free(b);
	return out->result;
}

static const kpa_row *
find_row(const kpa_report *r, const char *principal, const char *action)
{
	for (size_t i = 0; i < r->n_rows; i++)
		if (r->rows[i].result == KPA_FAIL &&
			(principal == NULL || strcmp(r->rows[i].principal, principal) == 0) &&
			(action == NULL || strcmp(r->rows[i].action, action) == 0))
			return &r->rows[i];
	return NULL;
}

#define ALLOW_STAR(act, cond) "{'Effect':'Allow','Principal':'*','Action':'" act "','Resource':'*'" cond "}"

static void
test_same_policy_passes(void **state)
{
	kpa_report	r;
	const char *p = ALLOW_STAR("kms:Decrypt", ",'Condition':{'IpAddress':{'aws:SourceIp':'10.0.0.0/8'},'StringLike':{'kms:EncryptionContext:dept':'i*'}}");

	(void) state;
	assert_int_equal(compare(p, p, &r), KPA_PASS);
	assert_int_equal(r.n_rows, 0);
	kpa_report_free(&r);
}

static void
test_new_principal(void **state)
{
	kpa_report	r;
	const kpa_row *row;

	(void) state;
	assert_int_equal(compare("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::444455556666:user/Carol'},'Action':'kms:Decrypt','Resource':'*'}",
							 "", &r), KPA_FAIL);
	row = find_row(&r, "arn:aws:iam::444455556666:user/Carol", "kms:Decrypt");
	assert_non_null(row);
	assert_string_equal(row->context, "{}");
	/* only that principal and that action gained */
	assert_int_equal(r.n_rows, 1);
	kpa_report_free(&r);
}

static void
test_wider_ip_range(void **state)
{
	kpa_report	r;
	const kpa_row *row;

	(void) state;
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'IpAddress':{'aws:SourceIp':'10.0.0.0/7'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'IpAddress':{'aws:SourceIp':'10.0.0.0/8'}}"),
							 &r), KPA_FAIL);
	row = find_row(&r, NULL, "kms:Decrypt");
	assert_non_null(row);
	/* the witness lies in 11.0.0.0/8: the part that was added */
	assert_non_null(strstr(row->context, "\"11."));
	kpa_report_free(&r);
	/* narrower: nothing new */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'IpAddress':{'aws:SourceIp':'10.1.0.0/16'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'IpAddress':{'aws:SourceIp':'10.0.0.0/8'}}"),
							 &r), KPA_PASS);
	kpa_report_free(&r);
}

static void
test_strings(void **state)
{
	kpa_report	r;

	(void) state;
	/* StringLike a* allows more than StringEquals a */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'kms:EncryptionContext:dept':'a*'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'kms:EncryptionContext:dept':'a'}}"),
							 &r), KPA_FAIL);
	kpa_report_free(&r);
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'kms:EncryptionContext:dept':'a'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'kms:EncryptionContext:dept':'a*'}}"),
							 &r), KPA_PASS);
	kpa_report_free(&r);
	/* IgnoreCase allows "A" too */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEqualsIgnoreCase':{'kms:EncryptionContext:dept':'a'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'kms:EncryptionContext:dept':'a'}}"),
							 &r), KPA_FAIL);
	assert_non_null(strstr(r.rows[0].context, "\"A\""));
	kpa_report_free(&r);
	/* a?c within a*: nothing new; a*c versus a?c: "ac" is new */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'kms:EncryptionContext:dept':'a?c'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'kms:EncryptionContext:dept':'a*'}}"),
							 &r), KPA_PASS);
	kpa_report_free(&r);
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'kms:EncryptionContext:dept':'a*c'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'kms:EncryptionContext:dept':'a?c'}}"),
							 &r), KPA_FAIL);
	assert_non_null(strstr(r.rows[0].context, "\"ac\""));
	kpa_report_free(&r);
	/* a character no pattern names: "?" against "a" in either case */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'kms:EncryptionContext:dept':'?'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEqualsIgnoreCase':{'kms:EncryptionContext:dept':'a'}}"),
							 &r), KPA_FAIL);
	kpa_report_free(&r);
	/* ArnLike: a wildcard does not cross ':' before the resource part */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'ArnLike':{'kms:EncryptionContext:src':'arn:aws:s3:::b*'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'ArnLike':{'kms:EncryptionContext:src':'arn:aws:s3:::*'}}"),
							 &r), KPA_PASS);
	kpa_report_free(&r);
}

static void
test_numbers_and_dates(void **state)
{
	kpa_report	r;

	(void) state;
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'NumericLessThanEquals':{'aws:MultiFactorAuthAge':'3600'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'NumericLessThan':{'aws:MultiFactorAuthAge':'3600'}}"),
							 &r), KPA_FAIL);
	assert_non_null(strstr(r.rows[0].context, "\"3600\""));
	kpa_report_free(&r);
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'NumericLessThan':{'aws:MultiFactorAuthAge':'3600'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'NumericLessThanEquals':{'aws:MultiFactorAuthAge':'3600'}}"),
							 &r), KPA_PASS);
	kpa_report_free(&r);
	/* between two bounds: 100 < x < 101 has values (100.5) */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'NumericGreaterThan':{'aws:MultiFactorAuthAge':'100'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'NumericGreaterThanEquals':{'aws:MultiFactorAuthAge':'101'}}"),
							 &r), KPA_FAIL);
	kpa_report_free(&r);
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'DateLessThanEquals':{'aws:CurrentTime':'2030-01-01T00:00:00Z'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'DateLessThan':{'aws:CurrentTime':'2030-01-01T00:00:00Z'}}"),
							 &r), KPA_FAIL);
	kpa_report_free(&r);
	/* the same instant written two ways */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'DateLessThan':{'aws:CurrentTime':'2030-01-01T01:00:00+01:00'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'DateLessThan':{'aws:CurrentTime':'2030-01-01T00:00:00Z'}}"),
							 &r), KPA_PASS);
	kpa_report_free(&r);
}

static void
test_sets_null_ifexists(void **state)
{
	kpa_report	r;

	(void) state;
	/* ForAnyValue is wider than ForAllValues: a set with another member */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'ForAnyValue:StringEquals':{'kms:EncryptionContextKeys':'a'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'ForAllValues:StringEquals':{'kms:EncryptionContextKeys':['a','b']}}"),
							 &r), KPA_FAIL);
	assert_non_null(strstr(r.rows[0].context, "["));
	kpa_report_free(&r);
	/* ForAllValues on an absent key is true: the witness lacks the key */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'ForAllValues:StringEquals':{'kms:EncryptionContextKeys':'a'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'ForAnyValue:StringEquals':{'kms:EncryptionContextKeys':'a'}}"),
							 &r), KPA_FAIL);
	kpa_report_free(&r);
	/* IfExists: the absent key is new access */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEqualsIfExists':{'kms:EncryptionContext:dept':'a'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'kms:EncryptionContext:dept':'a'}}"),
							 &r), KPA_FAIL);
	assert_string_equal(r.rows[0].context, "{}");
	kpa_report_free(&r);
	/* Null false = present: StringLike * needs a value too */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'Null':{'kms:EncryptionContext:dept':'false'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'kms:EncryptionContext:dept':'*'}}"),
							 &r), KPA_PASS);
	kpa_report_free(&r);
	/* Bool: "TRUE" is true */
	assert_int_equal(compare(ALLOW_STAR("kms:Decrypt", ",'Condition':{'Bool':{'aws:SecureTransport':'true'}}"),
							 ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'aws:SecureTransport':'true'}}"),
							 &r), KPA_FAIL);
	kpa_report_free(&r);
}

static void
test_deny_and_delegation(void **state)
{
	kpa_report	r;

	(void) state;
	/* a Deny only takes away */
	assert_int_equal(compare(ALLOW_STAR("kms:*", "") ",{'Effect':'Deny','Principal':'*','Action':'kms:Decrypt','Resource':'*','Condition':{'Bool':{'aws:SecureTransport':'false'}}}",
							 ALLOW_STAR("kms:*", ""), &r), KPA_PASS);
	kpa_report_free(&r);
	/* removing the Deny gives back exactly the denied requests */
	assert_int_equal(compare(ALLOW_STAR("kms:*", ""),
							 ALLOW_STAR("kms:*", "") ",{'Effect':'Deny','Principal':'*','Action':'kms:Decrypt','Resource':'*','Condition':{'Bool':{'aws:SecureTransport':'false'}}}",
							 &r), KPA_FAIL);
	for (size_t i = 0; i < r.n_rows; i++)
	{
		assert_string_equal(r.rows[i].action, "kms:Decrypt");
		assert_non_null(strstr(r.rows[i].context, "\"aws:SecureTransport\": \"false\""));
	}
	kpa_report_free(&r);
	/* the account principal grants every identity of the account (delegation) */
	assert_int_equal(compare("{'Effect':'Allow','Principal':{'AWS':'111122223333'},'Action':'kms:Decrypt','Resource':'*'}",
							 "{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:user/Alice'},'Action':'kms:Decrypt','Resource':'*'}",
							 &r), KPA_FAIL);
	assert_non_null(find_row(&r, "arn:aws:iam::111122223333:user/kms-analysis-caller", "kms:Decrypt"));
	assert_null(find_row(&r, "arn:aws:iam::111122223333:user/Alice", "kms:Decrypt"));
	kpa_report_free(&r);
}

static void
test_policy_variable_unknown(void **state)
{
	kpa_report	r;
	kp_policy  *g = policy(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'kms:EncryptionContext:owner':'${aws:username}'}}"));
	kp_policy  *b = policy("");
	kpa_opts	o;
	kp_error	err;

	(void) state;
	aor_opts(&o);
	assert_int_equal(kpa_compare(g, b, &o, &r, &err), KP_OK);
	assert_int_equal(r.result, KPA_UNKNOWN);
	assert_non_null(strstr(r.rows[0].reason, "policy variable"));
	kpa_report_free(&r);
	kp_policy_free(g);
	kp_policy_free(b);
}

static kpa_result
public_access(const char *stmts_sq, kpa_report *r)
{
	kp_policy  *p = policy(stmts_sq);
	kpa_opts	o;
	kp_error	err;
	char		why[800];

	aor_opts(&o);
	o.outsiders_only = true;
	assert_int_equal(kpa_compare(p, NULL, &o, r, &err), KP_OK);
	if (!aor_check(p, NULL, &o, r, 7, 3000, why, sizeof(why)))
		fail_msg("%s", why);
	kp_policy_free(p);
	return r->result;
}

static void
test_public_access(void **state)
{
	kpa_report	r;

	(void) state;
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ""), &r), KPA_FAIL);
	assert_non_null(find_row(&r, "arn:aws:iam::999999999999:user/kms-analysis-outsider", "kms:Decrypt"));
	kpa_report_free(&r);
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'kms:CallerAccount':'111122223333'}}"), &r), KPA_PASS);
	kpa_report_free(&r);
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringNotEquals':{'kms:CallerAccount':'111122223333'}}"), &r), KPA_FAIL);
	kpa_report_free(&r);
	/* a wildcard on a key the caller implies: outsiders it matches are not enumerated */
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::*:role/Public*'}}"), &r), KPA_UNKNOWN);
	kpa_report_free(&r);
	assert_int_equal(public_access("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::444455556666:root'},'Action':'kms:Decrypt','Resource':'*'}", &r), KPA_PASS);
	kpa_report_free(&r);
	/* a wildcard after a literal account matches only that account's callers */
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:role/Svc*'}}"), &r), KPA_PASS);
	kpa_report_free(&r);
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'aws:PrincipalArn':['arn:aws:iam::444455556666:*','arn:aws:sts::111122223333:assumed-role/*']}}"), &r), KPA_PASS);
	kpa_report_free(&r);
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'ArnNotLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:role/Svc*'}}"), &r), KPA_FAIL);
	kpa_report_free(&r);
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringLike':{'aws:PrincipalArn':'arn:aws:iam::1111*'}}"), &r), KPA_UNKNOWN);
	kpa_report_free(&r);
	/* every kind of caller an outsider can be: a user of a given name, the account, a session, a federated user, a role */
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'aws:username':'bob'}}"), &r), KPA_FAIL);
	assert_non_null(find_row(&r, "arn:aws:iam::999999999999:user/bob", "kms:Decrypt"));
	kpa_report_free(&r);
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'aws:PrincipalType':'Account'}}"), &r), KPA_FAIL);
	assert_non_null(find_row(&r, "arn:aws:iam::999999999999:root", "kms:Decrypt"));
	kpa_report_free(&r);
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'aws:PrincipalType':'AssumedRole'}}"), &r), KPA_FAIL);
	kpa_report_free(&r);
	/* a federated user of another account has no identity policy: never allowed */
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'aws:PrincipalType':'FederatedUser'}}"), &r), KPA_PASS);
	kpa_report_free(&r);
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'Null':{'aws:PrincipalType':'true'}}"), &r), KPA_FAIL);
	kpa_report_free(&r);
	assert_int_equal(public_access(ALLOW_STAR("kms:Decrypt", ",'Condition':{'StringEquals':{'aws:PrincipalType':'Service'}}"), &r), KPA_PASS);
	kpa_report_free(&r);
}

static void
test_access_not_granted(void **state)
{
	kp_policy  *p = policy(ALLOW_STAR("kms:Get*", ",'Condition':{'Bool':{'aws:SecureTransport':'true'}}"));
	kpa_opts	o;
	kpa_report	r;
	kp_error	err;
	const char *acts[] = {"kms:PutKeyPolicy", "kms:Decrypt"};
	const char *acts2[] = {"kms:GetKeyPolicy"};
	const char *who[] = {"arn:aws:iam::444455556666:root"};
	char		why[800];

	(void) state;
	aor_opts(&o);
	o.actions = acts;
	o.n_actions = 2;
	o.principals = who;
	o.n_principals = 1;
	assert_int_equal(kpa_compare(p, NULL, &o, &r, &err), KP_OK);
	assert_int_equal(r.result, KPA_PASS);
	assert_true(aor_check(p, NULL, &o, &r, 11, 3000, why, sizeof(why)));
	kpa_report_free(&r);
	o.actions = acts2;
	o.n_actions = 1;
	assert_int_equal(kpa_compare(p, NULL, &o, &r, &err), KP_OK);
	assert_int_equal(r.result, KPA_FAIL);
	for (size_t i = 0; i < r.n_rows; i++)
	{
		assert_string_equal(r.rows[i].action, "kms:GetKeyPolicy");
		assert_non_null(strstr(r.rows[i].principal, "444455556666"));
		assert_true(aor_allowed(p, r.rows[i].principal, false, r.rows[i].action, r.rows[i].context));
	}
	kpa_report_free(&r);
	kp_policy_free(p);
}

static void
test_key_access(void **state)
{
	kp_policy  *p = policy("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:user/Alice'},'Action':'kms:Decrypt','Resource':'*'},"
						   "{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::444455556666:user/Carol'},'Action':'kms:Encrypt','Resource':'*','Condition':{'Bool':{'aws:SecureTransport':'true'}}}");
	kpa_opts	o;
	kpa_access_row *rows;
	size_t		n;
	kp_error	err;
	int			seen = 0;

	(void) state;
	aor_opts(&o);
	assert_int_equal(kpa_key_access(p, &o, &rows, &n, &err), KP_OK);
	for (size_t i = 0; i < n; i++)
	{
		if (strcmp(rows[i].principal, "arn:aws:iam::111122223333:root") == 0)
		{
			assert_string_equal(rows[i].action, "kms:PutKeyPolicy");
			assert_int_equal(rows[i].access, KPA_ACCESS_DELEGATED);
			seen |= 1;
		}
		else if (strcmp(rows[i].principal, "arn:aws:iam::111122223333:user/Alice") == 0)
		{
			/* Decrypt directly (PutKeyPolicy only through the account principal: the root's row) */
			assert_string_equal(rows[i].action, "kms:Decrypt");
			assert_int_equal(rows[i].access, KPA_ACCESS_ALLOWED);
			seen |= 2;
		}
		else if (strcmp(rows[i].principal, "arn:aws:iam::444455556666:user/Carol") == 0)
		{
			assert_string_equal(rows[i].action, "kms:Encrypt");
			assert_int_equal(rows[i].access, KPA_ACCESS_ALLOWED_IF);
			assert_non_null(strstr(rows[i].conditions, "aws:SecureTransport"));
			seen |= 4;
		}
		else
			fail_msg("unexpected row %s %s", rows[i].principal, rows[i].action);
	}
	assert_int_equal(seen, 7);
	kpa_access_rows_free(rows, n);
	kp_policy_free(p);
}

/* Random pairs: every answer checked by the oracle; a policy against itself is PASS. */
static void
test_random_pairs(void **state)
{
	uint64_t	s = 0x9E3779B97F4A7C15ULL;
	int			pass = 0;
	int			failn = 0;
	int			public_pass = 0;

	(void) state;
	for (int n = 0; n < 400; n++)
	{
		uint8_t		a[48];
		uint8_t		b[48];
		char		da[8192];
		char		db[8192];
		kp_policy  *pa;
		kp_policy  *pb;
		kpa_opts	o;
		kpa_report	r;
		kp_error	err;
		char		why[800];

		for (size_t i = 0; i < sizeof(a); i++)
		{
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			a[i] = (uint8_t) s;
			b[i] = (uint8_t) (s >> 8);
		}
		if (n % 3 == 0)
			memcpy(b, a, 24);	/* similar policies, too */
		aor_policy_doc(a, sizeof(a), da, sizeof(da));
		aor_policy_doc(b, sizeof(b), db, sizeof(db));
		pa = aor_parse(da);
		pb = aor_parse(db);
		if (pa == NULL || pb == NULL)
			fail_msg("pool policy refused: %s / %s", da, db);
		aor_opts(&o);
		assert_int_equal(kpa_compare(pa, pb, &o, &r, &err), KP_OK);
		if (r.result == KPA_UNKNOWN)
			fail_msg("UNKNOWN for %s / %s: %s", da, db, r.rows[0].reason);
		if (!aor_check(pa, pb, NULL, &r, (uint64_t) n + 1, 400, why, sizeof(why)))
			fail_msg("%s\nnew: %s\nold: %s", why, da, db);
		if (r.result == KPA_PASS)
			pass++;
		else
			failn++;
		kpa_report_free(&r);
		assert_int_equal(kpa_compare(pa, pa, &o, &r, &err), KP_OK);
		if (r.result != KPA_PASS)
			fail_msg("a policy against itself is not PASS: %s", da);
		kpa_report_free(&r);
		/* public access: no outsider allowed when PASS */
		o.outsiders_only = true;
		assert_int_equal(kpa_compare(pa, NULL, &o, &r, &err), KP_OK);
		if (!aor_check(pa, NULL, &o, &r, (uint64_t) n + 7, 400, why, sizeof(why)))
			fail_msg("public access: %s\npolicy: %s", why, da);
		if (r.result == KPA_PASS)
			public_pass++;
		kpa_report_free(&r);
		kp_policy_free(pa);
		kp_policy_free(pb);
	}
	/* both answers occur */
	assert_true(pass > 20);
	assert_true(failn > 20);
	assert_true(public_pass > 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_policy_passes),
		cmocka_unit_test(test_new_principal),
		cmocka_unit_test(test_wider_ip_range),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers_and_dates),
		cmocka_unit_test(test_sets_null_ifexists),
		cmocka_unit_test(test_deny_and_delegation),
		cmocka_unit_test(test_policy_variable_unknown),
		cmocka_unit_test(test_public_access),
		cmocka_unit_test(test_access_not_granted),
		cmocka_unit_test(test_key_access),
		cmocka_unit_test(test_random_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
