/*
 * test_eval.c -- unit tests of the policy evaluation engine (src/core/kp_eval.c).
 *
 * Policies are written as JSON with single quotes (turned into double
 * quotes before parsing, so a literal ' is written \u0027) and compiled
 * with kp_policy_parse; a few cases the grammar refuses (invalid operands,
 * a statement without Resource) are made by editing a compiled policy.
 *
 * Build: `make unit` links it with the ASan/UBSan variant of the core
 * library (src/core/build/asan/libkp.a).  Every symbol here is static.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kp_eval.h"

#define ACCT		"111122223333"
#define OTHER		"444455556666"
#define ROOT		"arn:aws:iam::111122223333:root"
#define ALICE		"arn:aws:iam::111122223333:user/Alice"
#define BOB			"arn:aws:iam::111122223333:user/Bob"
#define OTHER_ROOT	"arn:aws:iam::444455556666:root"
#define OTHER_CAROL "arn:aws:iam::444455556666:user/Carol"
#define KEY_ARN		"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

#define ALI_ACCT	"1234567890123456"
#define ALI_OTHER	"6543210987654321"
#define ALI_KEY_ARN "acs:kms:cn-hangzhou:1234567890123456:key/key-hzz630494463ejqjx0001"
#define ALI_ALICE	"acs:ram::1234567890123456:user/alice"
#define ALI_ROOT	"acs:ram::1234567890123456:root"
#define ALI_DAVE	"acs:ram::6543210987654321:user/dave"

/* Marks a context key present with no values. */
static const char EMPTY_SET[] = "<empty set>";

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* Compile a document written with ' for ". */
static kp_policy *
parse_as(kp_dialect dialect, kp_doc_kind kind, const char *doc_sq)
{
	char	   *doc = strdup(doc_sq);
	kp_parse_opts opts;
	kp_policy  *policy = NULL;
	kp_error	err;
	kp_status	st;
	char	   *p;

	assert_non_null(doc);
	for (p = doc; *p; p++)
		if (*p == '\'')
			*p = '"';
	memset(&opts, 0, sizeof(opts));
	opts.dialect = dialect;
	opts.kind = kind;
	opts.partition = dialect == KP_DIALECT_AWS ? "aws" : NULL;
	opts.account = dialect == KP_DIALECT_AWS ? ACCT : ALI_ACCT;
	kp_error_clear(&err);
	st = kp_policy_parse(doc, strlen(doc), &opts, &policy, &err);
	if (st != KP_OK)
		fail_msg("parse failed: %s / %s\n%s", err.message, err.detail, doc);
	free(doc);
	assert_non_null(policy);
	return policy;
}

static kp_policy *
key_policy(const char *doc_sq)
{
	return parse_as(KP_DIALECT_AWS, KP_DOC_KEY_POLICY, doc_sq);
}

static kp_policy *
identity_policy(const char *doc_sq)
{
	return parse_as(KP_DIALECT_AWS, KP_DOC_IDENTITY_POLICY, doc_sq);
}

/* A context from key, value pairs ending with NULL (value EMPTY_SET: key
 * present, no values). */
static kp_context *
ctx_va(va_list ap)
{
	kp_context *ctx = kp_context_new();
	const char *k;

	assert_non_null(ctx);
	while ((k = va_arg(ap, const char *)) != NULL)
	{
		const char *v = va_arg(ap, const char *);

		assert_int_equal(kp_context_add(ctx, k, v == EMPTY_SET ? NULL : v),
						 KP_OK);
	}
	return ctx;
}

static kp_context *
ctx_of(const char *first,...)
{
	va_list		ap;
	kp_context *ctx = kp_context_new();
	const char *k;

	assert_non_null(ctx);
	va_start(ap, first);
	for (k = first; k != NULL; k = va_arg(ap, const char *))
	{
		const char *v = va_arg(ap, const char *);

		assert_int_equal(kp_context_add(ctx, k, v == EMPTY_SET ? NULL : v),
						 KP_OK);
	}
	va_end(ap);
	return ctx;
}

static kp_request
request(const char *caller, const char *action, const kp_context *ctx)
{
	kp_request	r;

	memset(&r, 0, sizeof(r));
	r.principal_arn = caller;
	r.action = action;
	r.resource_arn = strncmp(caller, "acs:", 4) == 0 ? ALI_KEY_ARN : KEY_ARN;
	r.context = ctx;
	return r;
}

static kp_decision
authorize(const kp_policy *kp, const kp_policy *id, const char *caller,
		  const char *action)
{
	kp_request	r = request(caller, action, NULL);
	const kp_policy *ids[1];

	ids[0] = id;
	return kp_authorize(kp, ids, id ? 1 : 0, &r, NULL);
}

/*
 * Whether a key policy with Principal "*", Action kms:*, Resource "*" and
 * the given Condition allows the account root, under the request context
 * given as key, value, ..., NULL.
 */
static bool
cond_allows_v(const char *version, const char *cond_sq, va_list ap)
{
	char		doc[8192];
	kp_policy  *p;
	kp_context *ctx;
	kp_request	r;
	kp_decision d;
	kp_trace	trace;
	kp_decision d2;

	snprintf(doc, sizeof(doc),
			 "{%s'Statement':[{'Effect':'Allow','Principal':{'AWS':'*'},"
			 "'Action':'kms:*','Resource':'*','Condition':%s}]}",
			 version, cond_sq);
	p = key_policy(doc);
	ctx = ctx_va(ap);
	r = request(ROOT, "kms:GetKeyPolicy", ctx);
	d = kp_authorize(p, NULL, 0, &r, NULL);
	/* the traced evaluation must agree */
	kp_trace_init(&trace);
	d2 = kp_authorize(p, NULL, 0, &r, &trace);
	assert_int_equal(d, d2);
	assert_int_equal(trace.decision, d);
	assert_int_equal(trace.n_entries, 1);
	kp_trace_free(&trace);
	kp_context_free(ctx);
	kp_policy_free(p);
	assert_true(d != KP_DECISION_EXPLICIT_DENY);
	return d == KP_DECISION_ALLOW;
}

static bool
cond_allows(const char *cond_sq,...)
{
	va_list		ap;
	bool		b;

	va_start(ap, cond_sq);
	b = cond_allows_v("'Version':'2012-10-17',", cond_sq, ap);
	va_end(ap);
	return b;
}

static bool
cond_allows_2008(const char *cond_sq,...)
{
	va_list		ap;
	bool		b;

	va_start(ap, cond_sq);
	b = cond_allows_v("'Version':'2008-10-17',", cond_sq, ap);
	va_end(ap);
	return b;
}

#define ALLOWS(...) assert_true(cond_allows(__VA_ARGS__, NULL))
#define DENIES(...) assert_false(cond_allows(__VA_ARGS__, NULL))

static const char *DEFAULT_POLICY =
"{'Version':'2012-10-17','Id':'key-default-1','Statement':[{"
"'Sid':'Enable IAM User Permissions','Effect':'Allow',"
"'Principal':{'AWS':'arn:aws:iam::111122223333:root'},"
"'Action':'kms:*','Resource':'*'}]}";

/* The example policy of the put_key_policy seed document. */
static const char *SEED_POLICY =
"{'Version':'2012-10-17','Id':'custom-policy-2016-12-07','Statement':["
"{'Sid':'Enable IAM User Permissions','Effect':'Allow',"
" 'Principal':{'AWS':'arn:aws:iam::111122223333:root'},"
" 'Action':'kms:*','Resource':'*'},"
"{'Sid':'Allow access for Key Administrators','Effect':'Allow',"
" 'Principal':{'AWS':['arn:aws:iam::111122223333:user/ExampleAdminUser',"
"  'arn:aws:iam::111122223333:role/ExampleAdminRole']},"
" 'Action':['kms:Create*','kms:Describe*','kms:Enable*','kms:List*',"
"  'kms:Put*','kms:Update*','kms:Revoke*','kms:Disable*','kms:Get*',"
"  'kms:Delete*','kms:ScheduleKeyDeletion','kms:CancelKeyDeletion'],"
" 'Resource':'*'},"
"{'Sid':'Allow use of the key','Effect':'Allow',"
" 'Principal':{'AWS':'arn:aws:iam::111122223333:role/ExamplePowerUserRole'},"
" 'Action':['kms:Encrypt','kms:Decrypt','kms:ReEncrypt*',"
"  'kms:GenerateDataKey*','kms:DescribeKey'],'Resource':'*'},"
"{'Sid':'Allow attachment of persistent resources','Effect':'Allow',"
" 'Principal':{'AWS':'arn:aws:iam::111122223333:role/ExamplePowerUserRole'},"
" 'Action':['kms:CreateGrant','kms:ListGrants','kms:RevokeGrant'],"
" 'Resource':'*',"
" 'Condition':{'Bool':{'kms:GrantIsForAWSResource':'true'}}}]}";

static const char *ALLOW_ALL_IDENTITY =
"{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
"'Action':'kms:*','Resource':'*'}]}";

/* ------------------------------------------------------------------------
 * Matching primitives
 * ------------------------------------------------------------------------ */

static void
test_glob(void **state)
{
	assert_true(kp_glob_match("", "", false));
	assert_false(kp_glob_match("", "a", false));
	assert_true(kp_glob_match("*", "", false));
	assert_true(kp_glob_match("**", "", false));
	assert_true(kp_glob_match("*", "anything", false));
	assert_false(kp_glob_match("?", "", false));
	assert_true(kp_glob_match("?", "x", false));
	assert_false(kp_glob_match("?", "xy", false));
	assert_true(kp_glob_match("a?", "ab", false));
	assert_false(kp_glob_match("a?", "a", false));	/* trailing ? needs one */
	assert_true(kp_glob_match("a*b*c", "aXXbYYc", false));
	assert_true(kp_glob_match("a*b*c", "abbbc", false));
	assert_false(kp_glob_match("a*b*c", "aXXbYY", false));
	assert_true(kp_glob_match("*a*a*a*", "aaaa", false));
	assert_false(kp_glob_match("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaa", false));
	assert_true(kp_glob_match("ab*", "ab", false));
	assert_false(kp_glob_match("Ab*", "abc", false));
	assert_true(kp_glob_match("Ab*", "abc", true));
	/* '?' is one UTF-8 character, not one byte */
	assert_true(kp_glob_match("caf?", "caf\xc3\xa9", false));
	assert_false(kp_glob_match("caf??", "caf\xc3\xa9", false));
	assert_true(kp_glob_match("*\xc3\xa9", "caf\xc3\xa9", false));
	assert_false(kp_glob_match(NULL, "a", false));
}

static void
test_action_match(void **state)
{
	assert_true(kp_action_matches("*", "kms:GetKeyPolicy"));
	assert_true(kp_action_matches("kms:*", "kms:GetKeyPolicy"));
	assert_true(kp_action_matches("KMS:getkeypolicy", "kms:GetKeyPolicy"));
	assert_true(kp_action_matches("kms:Get*", "KMS:GETKEYPOLICY"));
	assert_true(kp_action_matches("kms:?etKeyPolicy", "kms:GetKeyPolicy"));
	assert_true(kp_action_matches("kms:*Key*", "kms:PutKeyPolicy"));
	assert_false(kp_action_matches("kms:GetKeyPolicy?", "kms:GetKeyPolicy"));
	assert_false(kp_action_matches("kms:Get", "kms:GetKeyPolicy"));
	assert_false(kp_action_matches("s3:*", "kms:GetKeyPolicy"));
	assert_false(kp_action_matches("", "kms:GetKeyPolicy"));
}

static void
test_context(void **state)
{
	kp_context *ctx = kp_context_new();
	const char *const *v;
	size_t		n;

	assert_non_null(ctx);
	assert_int_equal(kp_context_add(ctx, "aws:TagKeys", "a"), KP_OK);
	assert_int_equal(kp_context_add(ctx, "AWS:tagkeys", "b"), KP_OK);
	assert_int_equal(kp_context_add(ctx, "kms:EncryptionContext:Dept", "IT"), KP_OK);
	assert_int_equal(kp_context_add(ctx, "aws:Empty", NULL), KP_OK);

	v = kp_context_get(ctx, "aws:tagKEYS", &n);
	assert_non_null(v);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	v = kp_context_get(ctx, "KMS:ENCRYPTIONCONTEXT:dept", &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "IT");
	assert_null(kp_context_get(ctx, "aws:Empty", &n));
	assert_int_equal(n, 0);
	assert_null(kp_context_get(ctx, "aws:Nothing", &n));
	assert_null(kp_context_get(NULL, "aws:Nothing", &n));
	kp_context_free(ctx);
	kp_context_free(NULL);
}

static void
expect_key(const kp_context *ctx, const char *key, const char *value)
{
	size_t		n;
	const char *const *v = kp_context_get(ctx, key, &n);

	if (value == NULL)
	{
		assert_null(v);
		return;
	}
	if (v == NULL)
		fail_msg("context key %s absent", key);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], value);
}

static void
test_context_add_caller(void **state)
{
	kp_context *ctx = kp_context_new();

	assert_int_equal(kp_context_add_caller(ctx, "arn:aws:iam::111122223333:user/dev/Alice",
										   NULL, false), KP_OK);
	expect_key(ctx, "aws:PrincipalArn", "arn:aws:iam::111122223333:user/dev/Alice");
	expect_key(ctx, "aws:PrincipalAccount", ACCT);
	expect_key(ctx, "kms:CallerAccount", ACCT);
	expect_key(ctx, "aws:PrincipalType", "User");
	expect_key(ctx, "aws:username", "Alice");
	expect_key(ctx, "aws:PrincipalIsAWSService", "false");
	kp_context_free(ctx);

	ctx = kp_context_new();
	assert_int_equal(kp_context_add(ctx, "kms:CallerAccount", "999999999999"), KP_OK);
	assert_int_equal(kp_context_add_caller(ctx, "arn:aws:sts::111122223333:assumed-role/Admin/s1",
										   NULL, false), KP_OK);
	expect_key(ctx, "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Admin");
	expect_key(ctx, "aws:PrincipalType", "AssumedRole");
	expect_key(ctx, "kms:CallerAccount", "999999999999");	/* kept */
	expect_key(ctx, "aws:username", NULL);
	kp_context_free(ctx);

	ctx = kp_context_new();
	assert_int_equal(kp_context_add_caller(ctx, ROOT, NULL, false), KP_OK);
	expect_key(ctx, "aws:PrincipalType", "Account");
	kp_context_free(ctx);

	ctx = kp_context_new();
	assert_int_equal(kp_context_add_caller(ctx, "cloudtrail.amazonaws.com", NULL, true), KP_OK);
	expect_key(ctx, "aws:PrincipalServiceName", "cloudtrail.amazonaws.com");
	expect_key(ctx, "aws:PrincipalIsAWSService", "true");
	expect_key(ctx, "kms:CallerAccount", NULL);
	kp_context_free(ctx);
}

/* ------------------------------------------------------------------------
 * Decisions: default policy, seed policy, deny precedence
 * ------------------------------------------------------------------------ */

static void
test_default_policy(void **state)
{
	kp_policy  *kp = key_policy(DEFAULT_POLICY);
	kp_policy  *all = identity_policy(ALLOW_ALL_IDENTITY);
	kp_policy  *enc = identity_policy(
									  "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
									  "'Action':'kms:Encrypt','Resource':'*'}]}");

	/* the account root directly */
	assert_int_equal(authorize(kp, NULL, ROOT, "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	/* other identities only by delegation */
	assert_int_equal(authorize(kp, NULL, ALICE, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, all, ALICE, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, enc, ALICE, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, enc, ALICE, "kms:Encrypt"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, all, "arn:aws:sts::111122223333:assumed-role/Admin/s1",
							   "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	/* another account: no */
	assert_int_equal(authorize(kp, all, OTHER_CAROL, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, OTHER_ROOT, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	/* another partition's root is not this account's */
	assert_int_equal(authorize(kp, all, "arn:aws-cn:iam::111122223333:user/Alice",
							   "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	/* identity policies alone never allow */
	assert_int_equal(authorize(NULL, all, ALICE, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(NULL, NULL, ROOT, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);

	kp_policy_free(kp);
	kp_policy_free(all);
	kp_policy_free(enc);
}

static void
test_seed_policy(void **state)
{
	kp_policy  *kp = key_policy(SEED_POLICY);
	const char *admin = "arn:aws:iam::111122223333:user/ExampleAdminUser";
	const char *power = "arn:aws:sts::111122223333:assumed-role/ExamplePowerUserRole/s";
	kp_context *ctx;
	kp_request	r;

	assert_int_equal(authorize(kp, NULL, admin, "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, admin, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, admin, "kms:Decrypt"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, power, "kms:Decrypt"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, power, "kms:ReEncryptFrom"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, power, "kms:PutKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	/* the Bool condition */
	assert_int_equal(authorize(kp, NULL, power, "kms:CreateGrant"), KP_DECISION_IMPLICIT_DENY);
	ctx = ctx_of("kms:GrantIsForAWSResource", "TRUE", NULL);
	r = request(power, "kms:CreateGrant", ctx);
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_ALLOW);
	kp_context_free(ctx);
	ctx = ctx_of("kms:GrantIsForAWSResource", "false", NULL);
	r = request(power, "kms:CreateGrant", ctx);
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	kp_context_free(ctx);
	kp_policy_free(kp);
}

static void
test_deny_precedence(void **state)
{
	kp_policy  *kp = key_policy(
								"{'Version':'2012-10-17','Statement':["
								"{'Effect':'Allow','Principal':{'AWS':'*'},'Action':'kms:*','Resource':'*'},"
								"{'Effect':'Deny','Principal':{'AWS':'arn:aws:iam::111122223333:user/Bob'},"
								" 'Action':'kms:PutKeyPolicy','Resource':'*'}]}");
	kp_policy  *id_deny = identity_policy(
										  "{'Version':'2012-10-17','Statement':[{'Effect':'Deny',"
										  "'Action':'kms:Get*','Resource':'arn:aws:kms:*:111122223333:key/*'}]}");

	assert_int_equal(authorize(kp, NULL, ALICE, "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, BOB, "kms:PutKeyPolicy"), KP_DECISION_EXPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, BOB, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	/* an identity-policy Deny denies what the key policy allows */
	assert_int_equal(authorize(kp, id_deny, ALICE, "kms:GetKeyPolicy"), KP_DECISION_EXPLICIT_DENY);
	assert_int_equal(authorize(kp, id_deny, ALICE, "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	/* and without any Allow it is still an explicit deny */
	assert_int_equal(authorize(NULL, id_deny, ALICE, "kms:GetKeyPolicy"), KP_DECISION_EXPLICIT_DENY);
	kp_policy_free(kp);
	kp_policy_free(id_deny);
}

static void
test_deny_account_principal(void **state)
{
	/* A Deny naming the account applies to all its identities directly. */
	kp_policy  *kp = key_policy(
								"{'Version':'2012-10-17','Statement':["
								"{'Effect':'Allow','Principal':{'AWS':['arn:aws:iam::111122223333:user/Alice',"
								"  'arn:aws:iam::444455556666:user/Carol']},'Action':'kms:*','Resource':'*'},"
								"{'Effect':'Deny','Principal':{'AWS':'111122223333'},"
								" 'Action':'kms:PutKeyPolicy','Resource':'*'}]}");
	kp_policy  *all = identity_policy(ALLOW_ALL_IDENTITY);

	assert_int_equal(authorize(kp, NULL, ALICE, "kms:PutKeyPolicy"), KP_DECISION_EXPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, ROOT, "kms:PutKeyPolicy"), KP_DECISION_EXPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, ALICE, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	/* not the other account */
	assert_int_equal(authorize(kp, all, OTHER_CAROL, "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	kp_policy_free(kp);
	kp_policy_free(all);
}

static void
test_not_action(void **state)
{
	kp_policy  *kp = key_policy(
								"{'Version':'2012-10-17','Statement':["
								"{'Effect':'Allow','Principal':{'AWS':'*'},'NotAction':['kms:Put*','kms:Delete*'],'Resource':'*'}]}");

	assert_int_equal(authorize(kp, NULL, ALICE, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, ALICE, "kms:Decrypt"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, ALICE, "kms:PutKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, ALICE, "KMS:deletealias"), KP_DECISION_IMPLICIT_DENY);
	kp_policy_free(kp);
}

static void
test_missing_elements(void **state)
{
	/* A statement without Action or Resource has no effect. */
	kp_policy  *kp = key_policy(DEFAULT_POLICY);
	kp_statement *st = &kp->statements[0];
	size_t		n;

	n = st->n_resources;
	st->n_resources = 0;
	assert_int_equal(authorize(kp, NULL, ROOT, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	st->n_resources = n;
	n = st->n_actions;
	st->n_actions = 0;
	assert_int_equal(authorize(kp, NULL, ROOT, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	st->n_actions = n;
	assert_int_equal(authorize(kp, NULL, ROOT, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	kp_policy_free(kp);
}

/* ------------------------------------------------------------------------
 * Principals
 * ------------------------------------------------------------------------ */

static void
test_principal_roles(void **state)
{
	kp_policy  *kp = key_policy(
								"{'Version':'2012-10-17','Statement':["
								"{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:role/path/to/Admin'},"
								" 'Action':'kms:*','Resource':'*'},"
								"{'Effect':'Allow','Principal':{'AWS':'arn:aws:sts::111122223333:assumed-role/Ops/s1'},"
								" 'Action':'kms:Get*','Resource':'*'}]}");

	assert_int_equal(authorize(kp, NULL, "arn:aws:iam::111122223333:role/path/to/Admin",
							   "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, "arn:aws:sts::111122223333:assumed-role/Admin/session1",
							   "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, "arn:aws:sts::111122223333:assumed-role/admin/session1",
							   "kms:PutKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, "arn:aws:sts::111122223333:assumed-role/Admin2/s",
							   "kms:PutKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, "arn:aws:sts::999999999999:assumed-role/Admin/s",
							   "kms:PutKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, "arn:aws:iam::111122223333:role/Admin",
							   "kms:PutKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	/* a session principal: that session only */
	assert_int_equal(authorize(kp, NULL, "arn:aws:sts::111122223333:assumed-role/Ops/s1",
							   "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, "arn:aws:sts::111122223333:assumed-role/Ops/s2",
							   "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	/* user names are case-sensitive */
	kp_policy_free(kp);
	kp = key_policy("{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
					"'Principal':{'AWS':'arn:aws:iam::111122223333:user/Alice'},"
					"'Action':'kms:*','Resource':'*'}]}");
	assert_int_equal(authorize(kp, NULL, ALICE, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, "arn:aws:iam::111122223333:user/alice",
							   "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, ROOT, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	kp_policy_free(kp);
}

static void
test_principal_service_and_any(void **state)
{
	kp_policy  *kp = key_policy(
								"{'Version':'2012-10-17','Statement':["
								"{'Effect':'Allow','Principal':{'Service':'cloudtrail.amazonaws.com'},"
								" 'Action':'kms:GenerateDataKey*','Resource':'*'}]}");
	kp_request	r;

	r = request("cloudtrail.amazonaws.com", "kms:GenerateDataKey", NULL);
	r.principal_is_service = true;
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_ALLOW);
	r.principal_arn = "config.amazonaws.com";
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	/* not a service caller: no match even with the same text */
	r.principal_arn = "cloudtrail.amazonaws.com";
	r.principal_is_service = false;
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	kp_policy_free(kp);

	kp = key_policy("{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
					"'Principal':'*','Action':'kms:Describe*','Resource':'*'}]}");
	r = request("cloudtrail.amazonaws.com", "kms:DescribeKey", NULL);
	r.principal_is_service = true;
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, ALICE, "kms:DescribeKey"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, ROOT, "kms:DescribeKey"), KP_DECISION_ALLOW);
	kp_policy_free(kp);
}

static void
test_cross_account_aws(void **state)
{
	kp_policy  *kp = key_policy(
								"{'Version':'2012-10-17','Statement':["
								"{'Effect':'Allow','Principal':{'AWS':'444455556666'},"
								" 'Action':'kms:Decrypt','Resource':'*'},"
								"{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::444455556666:user/Erin'},"
								" 'Action':'kms:Encrypt','Resource':'*'},"
								"{'Effect':'Allow','Principal':{'AWS':'*'},"
								" 'Action':'kms:DescribeKey','Resource':'*'}]}");
	kp_policy  *all = identity_policy(ALLOW_ALL_IDENTITY);
	const char *erin = "arn:aws:iam::444455556666:user/Erin";

	/* external account principal: delegation to its identity policies */
	assert_int_equal(authorize(kp, NULL, OTHER_CAROL, "kms:Decrypt"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, all, OTHER_CAROL, "kms:Decrypt"), KP_DECISION_ALLOW);
	/* an external user named directly still needs its identity policies */
	assert_int_equal(authorize(kp, NULL, erin, "kms:Encrypt"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, all, erin, "kms:Encrypt"), KP_DECISION_ALLOW);
	/* so does "*" for another account, but not for this one */
	assert_int_equal(authorize(kp, NULL, OTHER_CAROL, "kms:DescribeKey"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, ALICE, "kms:DescribeKey"), KP_DECISION_ALLOW);
	/* the external root holds all permissions of its account */
	assert_int_equal(authorize(kp, NULL, OTHER_ROOT, "kms:Decrypt"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, OTHER_ROOT, "kms:PutKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	kp_policy_free(kp);
	kp_policy_free(all);
}

static void
test_principal_account_field(void **state)
{
	/* principal_account overrides the ARN's account field */
	kp_policy  *kp = key_policy(DEFAULT_POLICY);
	kp_policy  *all = identity_policy(ALLOW_ALL_IDENTITY);
	const kp_policy *ids[1] = {all};
	kp_request	r = request(ALICE, "kms:GetKeyPolicy", NULL);

	r.principal_account = OTHER;
	assert_int_equal(kp_authorize(kp, ids, 1, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	r.principal_account = ACCT;
	assert_int_equal(kp_authorize(kp, ids, 1, &r, NULL), KP_DECISION_ALLOW);
	/* no key account in the resource: strict (cross-account) reading */
	r.resource_arn = "*";
	assert_int_equal(kp_authorize(kp, ids, 1, &r, NULL), KP_DECISION_ALLOW);
	kp_policy_free(kp);
	kp = key_policy("{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
					"'Principal':{'AWS':'arn:aws:iam::111122223333:user/Alice'},"
					"'Action':'kms:*','Resource':'*'}]}");
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	r.resource_arn = KEY_ARN;
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_ALLOW);
	kp_policy_free(kp);
	kp_policy_free(all);
}

static void
test_lockout_check(void **state)
{
	/* The root cannot replace a root-only policy by one naming only Bob. */
	kp_policy  *newp = key_policy(
								  "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
								  "'Principal':{'AWS':'arn:aws:iam::111122223333:user/Bob'},"
								  "'Action':'kms:*','Resource':'*'}]}");
	kp_policy  *put_only = identity_policy(
										   "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
										   "'Action':'kms:PutKeyPolicy','Resource':'arn:aws:kms:us-east-1:111122223333:key/*'}]}");
	kp_policy  *dflt = key_policy(DEFAULT_POLICY);

	assert_int_equal(authorize(newp, NULL, ROOT, "kms:PutKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(newp, NULL, BOB, "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	/* Alice under the default policy: only when her IAM policy allows */
	assert_int_equal(authorize(dflt, NULL, ALICE, "kms:PutKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(dflt, put_only, ALICE, "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	kp_policy_free(newp);
	kp_policy_free(put_only);
	kp_policy_free(dflt);
}

static void
test_identity_resources(void **state)
{
	kp_policy  *kp = key_policy(DEFAULT_POLICY);
	kp_policy  *other_key = identity_policy(
											"{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
											"'Action':'kms:*','Resource':'arn:aws:kms:us-east-1:111122223333:key/other'}]}");
	kp_policy  *region = identity_policy(
										 "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
										 "'Action':'kms:*','Resource':'arn:aws:kms:us-east-?:111122223333:key/*'}]}");
	kp_policy  *notres = identity_policy(
										 "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
										 "'Action':'kms:*','NotResource':'arn:aws:kms:*:*:key/other'}]}");
	kp_policy  *notres2 = identity_policy(
										  "{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
										  "'Action':'kms:*','NotResource':'arn:aws:kms:*:*:key/1234*'}]}");
	kp_policy  *lower = identity_policy(
										"{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
										"'Action':'kms:*','Resource':'arn:aws:kms:us-east-1:111122223333:KEY/*'}]}");

	assert_int_equal(authorize(kp, other_key, ALICE, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, region, ALICE, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, notres, ALICE, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, notres2, ALICE, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	/* resource ARNs are case-sensitive */
	assert_int_equal(authorize(kp, lower, ALICE, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	kp_policy_free(kp);
	kp_policy_free(other_key);
	kp_policy_free(region);
	kp_policy_free(notres);
	kp_policy_free(notres2);
	kp_policy_free(lower);
}

static void
test_several_identity_policies(void **state)
{
	kp_policy  *kp = key_policy(DEFAULT_POLICY);
	kp_policy  *a = identity_policy(
									"{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
									"'Action':'kms:Encrypt','Resource':'*'}]}");
	kp_policy  *b = identity_policy(
									"{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
									"'Action':'kms:GetKeyPolicy','Resource':'*'}]}");
	kp_policy  *c = identity_policy(
									"{'Version':'2012-10-17','Statement':[{'Effect':'Deny',"
									"'Action':'kms:GetKeyPolicy','Resource':'*',"
									"'Condition':{'Bool':{'aws:SecureTransport':'false'}}}]}");
	const kp_policy *ids[4] = {a, NULL, b, c};
	kp_context *ctx = ctx_of("aws:SecureTransport", "true", NULL);
	kp_request	r = request(ALICE, "kms:GetKeyPolicy", ctx);

	assert_int_equal(kp_authorize(kp, ids, 4, &r, NULL), KP_DECISION_ALLOW);
	kp_context_free(ctx);
	ctx = ctx_of("aws:SecureTransport", "false", NULL);
	r.context = ctx;
	assert_int_equal(kp_authorize(kp, ids, 4, &r, NULL), KP_DECISION_EXPLICIT_DENY);
	assert_int_equal(kp_authorize(kp, ids, 2, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	kp_context_free(ctx);
	kp_policy_free(kp);
	kp_policy_free(a);
	kp_policy_free(b);
	kp_policy_free(c);
}

/* ------------------------------------------------------------------------
 * Conditions
 * ------------------------------------------------------------------------ */

static void
test_cond_string(void **state)
{
	const char *eq = "{'StringEquals':{'kms:CallerAccount':['111122223333','222233334444']}}";

	ALLOWS(eq, "kms:CallerAccount", ACCT);
	ALLOWS(eq, "KMS:CALLERACCOUNT", "222233334444");	/* keys ignore case */
	DENIES(eq, "kms:CallerAccount", OTHER);
	DENIES(eq);					/* absent */
	DENIES("{'StringEquals':{'aws:username':'Alice'}}", "aws:username", "alice");
	ALLOWS("{'StringEquals':{'aws:username':''}}", "aws:username", "");
	DENIES("{'StringEquals':{'aws:username':''}}", "aws:username", "x");

	ALLOWS("{'StringNotEquals':{'kms:CallerAccount':['111122223333','222233334444']}}",
		   "kms:CallerAccount", OTHER);
	DENIES("{'StringNotEquals':{'kms:CallerAccount':['111122223333','222233334444']}}",
		   "kms:CallerAccount", "222233334444");
	ALLOWS("{'StringNotEquals':{'kms:CallerAccount':'111122223333'}}");	/* absent */

	ALLOWS("{'StringEqualsIgnoreCase':{'aws:username':'ALICE'}}", "aws:username", "alice");
	DENIES("{'StringEqualsIgnoreCase':{'aws:username':'ALICE'}}", "aws:username", "alicia");
	DENIES("{'StringNotEqualsIgnoreCase':{'aws:username':'ALICE'}}", "aws:username", "alice");
	ALLOWS("{'StringNotEqualsIgnoreCase':{'aws:username':'ALICE'}}", "aws:username", "bob");
	ALLOWS("{'StringNotEqualsIgnoreCase':{'aws:username':'ALICE'}}");
}

static void
test_cond_string_like(void **state)
{
	ALLOWS("{'StringLike':{'aws:username':'Al*'}}", "aws:username", "Alice");
	ALLOWS("{'StringLike':{'aws:username':'Al*'}}", "aws:username", "Al");
	DENIES("{'StringLike':{'aws:username':'Al*'}}", "aws:username", "al");	/* case */
	ALLOWS("{'StringLike':{'aws:username':'A?ice'}}", "aws:username", "Alice");
	DENIES("{'StringLike':{'aws:username':'Alice?'}}", "aws:username", "Alice");
	ALLOWS("{'StringLike':{'aws:username':'*'}}", "aws:username", "");
	DENIES("{'StringLike':{'aws:username':'*'}}");	/* absent */
	ALLOWS("{'StringLike':{'aws:username':''}}", "aws:username", "");
	DENIES("{'StringLike':{'aws:username':''}}", "aws:username", "a");
	DENIES("{'StringLike':{'aws:username':'?'}}", "aws:username", "");
	ALLOWS("{'StringLike':{'aws:username':['x','*z']}}", "aws:username", "zzz");

	ALLOWS("{'StringNotLike':{'aws:username':['Al*','Bo?']}}", "aws:username", "Carol");
	DENIES("{'StringNotLike':{'aws:username':['Al*','Bo?']}}", "aws:username", "Bob");
	ALLOWS("{'StringNotLike':{'aws:username':['Al*','Bo?']}}");
}

static void
test_cond_numeric(void **state)
{
	ALLOWS("{'NumericEquals':{'test:n':'10'}}", "test:n", "10");
	ALLOWS("{'NumericEquals':{'test:n':'1.50'}}", "test:n", "1.5");
	ALLOWS("{'NumericEquals':{'test:n':10}}", "test:n", "10.000");
	ALLOWS("{'NumericEquals':{'test:n':'0'}}", "test:n", "-0.0");
	ALLOWS("{'NumericEquals':{'test:n':'1500'}}", "test:n", "1.5e3");
	DENIES("{'NumericEquals':{'test:n':'10'}}", "test:n", "ten");
	DENIES("{'NumericEquals':{'test:n':'10'}}", "test:n", "");
	DENIES("{'NumericEquals':{'test:n':'10'}}", "test:n", "10x");
	DENIES("{'NumericEquals':{'test:n':'10'}}");
	/* exact beyond double / long double precision */
	DENIES("{'NumericEquals':{'test:n':'123456789012345678901234567890'}}",
		   "test:n", "123456789012345678901234567891");
	ALLOWS("{'NumericLessThan':{'test:n':'123456789012345678901234567891'}}",
		   "test:n", "123456789012345678901234567890");

	ALLOWS("{'NumericNotEquals':{'test:n':['1','2']}}", "test:n", "3");
	DENIES("{'NumericNotEquals':{'test:n':['1','2']}}", "test:n", "2.0");
	ALLOWS("{'NumericNotEquals':{'test:n':['1','2']}}");

	ALLOWS("{'NumericLessThan':{'test:n':'10'}}", "test:n", "9.99");
	DENIES("{'NumericLessThan':{'test:n':'10'}}", "test:n", "10");
	ALLOWS("{'NumericLessThan':{'test:n':'-1'}}", "test:n", "-2");
	DENIES("{'NumericLessThan':{'test:n':'-1'}}", "test:n", "-0.5");
	ALLOWS("{'NumericLessThanEquals':{'test:n':'10'}}", "test:n", "10");
	DENIES("{'NumericLessThanEquals':{'test:n':'10'}}", "test:n", "10.01");
	ALLOWS("{'NumericGreaterThan':{'test:n':'0.001'}}", "test:n", "0.01");
	DENIES("{'NumericGreaterThan':{'test:n':'0.001'}}", "test:n", "0.0009");
	ALLOWS("{'NumericGreaterThanEquals':{'aws:MultiFactorAuthAge':'3600'}}",
		   "aws:MultiFactorAuthAge", "3600");
	DENIES("{'NumericGreaterThanEquals':{'aws:MultiFactorAuthAge':'3600'}}",
		   "aws:MultiFactorAuthAge", "99");
}

static void
test_cond_date(void **state)
{
	const char *lt = "{'DateLessThan':{'aws:CurrentTime':'2024-06-01T00:00:00Z'}}";

	ALLOWS(lt, "aws:CurrentTime", "2024-05-31T23:59:59Z");
	ALLOWS(lt, "aws:CurrentTime", "2024-05-31T23:59:59.999Z");
	DENIES(lt, "aws:CurrentTime", "2024-06-01T00:00:00Z");
	DENIES(lt, "aws:CurrentTime", "2024-06-01T00:00:00.000000001Z");
	/* offsets: 01:30+02:00 is 23:30 the day before */
	ALLOWS(lt, "aws:CurrentTime", "2024-06-01T01:30:00+02:00");
	DENIES(lt, "aws:CurrentTime", "2024-05-31T23:30:00-01:00");
	ALLOWS(lt, "aws:CurrentTime", "2024-05-31");
	ALLOWS(lt, "aws:CurrentTime", "1717199999");	/* epoch seconds */
	DENIES(lt, "aws:CurrentTime", "1717200000");
	DENIES(lt, "aws:CurrentTime", "yesterday");
	DENIES(lt, "aws:CurrentTime", "2024-02-30T00:00:00Z");
	DENIES(lt);

	ALLOWS("{'DateEquals':{'aws:CurrentTime':'2024-06-01T00:00:00Z'}}",
		   "aws:CurrentTime", "2024-06-01T02:00:00+02:00");
	ALLOWS("{'DateEquals':{'aws:CurrentTime':'2024-06-01'}}",
		   "aws:CurrentTime", "1717200000");
	ALLOWS("{'DateNotEquals':{'aws:CurrentTime':'2024-06-01'}}",
		   "aws:CurrentTime", "2024-06-02");
	DENIES("{'DateNotEquals':{'aws:CurrentTime':'2024-06-01'}}",
		   "aws:CurrentTime", "2024-06-01T00:00:00Z");
	ALLOWS("{'DateNotEquals':{'aws:CurrentTime':'2024-06-01'}}");
	ALLOWS("{'DateLessThanEquals':{'aws:EpochTime':'1717200000'}}",
		   "aws:EpochTime", "1717200000");
	ALLOWS("{'DateGreaterThan':{'aws:TokenIssueTime':'2020-01-01T00:00:00Z'}}",
		   "aws:TokenIssueTime", "2024-02-29T12:00:00.5Z");
	DENIES("{'DateGreaterThan':{'aws:TokenIssueTime':'2020-01-01T00:00:00Z'}}",
		   "aws:TokenIssueTime", "1999-12-31T23:59:59Z");
	ALLOWS("{'DateGreaterThanEquals':{'aws:CurrentTime':'2020-01-01T00:00:00Z'}}",
		   "aws:CurrentTime", "2020-01-01T00:00:00Z");
	/* before the epoch */
	ALLOWS("{'DateLessThan':{'aws:CurrentTime':'1970-01-01T00:00:00Z'}}",
		   "aws:CurrentTime", "1969-12-31T23:59:59Z");
	ALLOWS("{'DateGreaterThan':{'aws:CurrentTime':'1969-12-31T23:59:58.5Z'}}",
		   "aws:CurrentTime", "-1");
	DENIES("{'DateGreaterThan':{'aws:CurrentTime':'1969-12-31T23:59:59.5Z'}}",
		   "aws:CurrentTime", "-1");
}

static void
test_cond_bool_binary(void **state)
{
	ALLOWS("{'Bool':{'aws:SecureTransport':'true'}}", "aws:SecureTransport", "true");
	ALLOWS("{'Bool':{'aws:SecureTransport':true}}", "aws:SecureTransport", "True");
	DENIES("{'Bool':{'aws:SecureTransport':'true'}}", "aws:SecureTransport", "false");
	DENIES("{'Bool':{'aws:SecureTransport':'true'}}", "aws:SecureTransport", "yes");
	DENIES("{'Bool':{'aws:SecureTransport':'true'}}");
	ALLOWS("{'Bool':{'aws:SecureTransport':'false'}}", "aws:SecureTransport", "FALSE");

	ALLOWS("{'BinaryEquals':{'test:b':'QUJD'}}", "test:b", "QUJD");
	DENIES("{'BinaryEquals':{'test:b':'QUJD'}}", "test:b", "QUJE");
	DENIES("{'BinaryEquals':{'test:b':'QUJD'}}", "test:b", "QUI=");
	ALLOWS("{'BinaryEquals':{'test:b':'QUI='}}", "test:b", "QUI=");
	DENIES("{'BinaryEquals':{'test:b':'QUJD'}}", "test:b", "ABC");
	DENIES("{'BinaryEquals':{'test:b':'QUJD'}}");
}

static void
test_cond_binary_text(void **state)
{
	/* policy values the grammar refuses (patched in) match nothing */
	kp_policy  *kp = key_policy(
								"{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':'*',"
								"'Action':'kms:*','Resource':'*','Condition':{'BinaryEquals':{'test:b':'QUJD'},"
								"'NumericEquals':{'test:n':'1'}}}]}");
	kp_condition *c = &kp->statements[0].conditions[0];
	kp_condition *n = &kp->statements[0].conditions[1];
	kp_context *ctx = ctx_of("test:b", "not base64!", "test:n", "1", NULL);
	kp_request	r = request(ROOT, "kms:Encrypt", ctx);

	if (c->op != KP_OP_BINARY_EQUALS)
	{
		kp_condition *t = c;

		c = n;
		n = t;
	}
	/*
	 * Every operand goes through kp_operand.c: a value that is not base64
	 * (the grammar refuses it) matches nothing, not even itself as text.
	 */
	free(c->values[0]);
	c->values[0] = strdup("not base64!");
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	free(c->values[0]);
	c->values[0] = strdup("QUJD");
	/* an unparsable number matches nothing */
	free(n->values[0]);
	n->values[0] = strdup("one");
	assert_int_equal(kp_authorize(kp, NULL, 0, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	kp_context_free(ctx);
	kp_policy_free(kp);
}

static void
test_cond_ip(void **state)
{
	const char *ip = "{'IpAddress':{'aws:SourceIp':['203.0.113.0/24','2001:db8::/32','198.51.100.7']}}";

	ALLOWS(ip, "aws:SourceIp", "203.0.113.45");
	DENIES(ip, "aws:SourceIp", "203.0.114.1");
	ALLOWS(ip, "aws:SourceIp", "198.51.100.7");
	DENIES(ip, "aws:SourceIp", "198.51.100.8");
	ALLOWS(ip, "aws:SourceIp", "2001:db8:1234::1");
	ALLOWS(ip, "aws:SourceIp", "2001:DB8::");
	DENIES(ip, "aws:SourceIp", "2001:db9::1");
	DENIES(ip, "aws:SourceIp", "::ffff:203.0.113.45");
	DENIES(ip, "aws:SourceIp", "not-an-ip");
	DENIES(ip, "aws:SourceIp", "203.0.113.0/24");	/* request: an address */
	DENIES(ip);
	ALLOWS("{'IpAddress':{'aws:SourceIp':'0.0.0.0/0'}}", "aws:SourceIp", "8.8.8.8");
	ALLOWS("{'IpAddress':{'aws:SourceIp':'10.1.2.3/31'}}", "aws:SourceIp", "10.1.2.2");
	DENIES("{'IpAddress':{'aws:SourceIp':'10.1.2.3/31'}}", "aws:SourceIp", "10.1.2.4");
	ALLOWS("{'IpAddress':{'aws:SourceIp':'::1'}}", "aws:SourceIp", "0:0:0:0:0:0:0:1");

	ALLOWS("{'NotIpAddress':{'aws:SourceIp':['10.0.0.0/8','fd00::/8']}}", "aws:SourceIp", "192.0.2.1");
	DENIES("{'NotIpAddress':{'aws:SourceIp':['10.0.0.0/8','fd00::/8']}}", "aws:SourceIp", "10.9.9.9");
	DENIES("{'NotIpAddress':{'aws:SourceIp':['10.0.0.0/8','fd00::/8']}}", "aws:SourceIp", "fd12::1");
	ALLOWS("{'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}}");
}

static void
test_cond_arn(void **state)
{
	const char *like = "{'ArnLike':{'aws:SourceArn':'arn:aws:cloudtrail:*:111122223333:trail/*'}}";

	ALLOWS(like, "aws:SourceArn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/main");
	DENIES(like, "aws:SourceArn", "arn:aws:cloudtrail:us-east-1:444455556666:trail/main");
	DENIES(like, "aws:SourceArn", "arn:aws:cloudtrail:us-east-1:111122223333:Trail/main");
	DENIES(like, "aws:SourceArn", "not an arn");
	DENIES(like);
	/* a wildcard never crosses ':' except in the resource part */
	DENIES("{'ArnLike':{'aws:SourceArn':'arn:aws:*:111122223333:trail/x'}}",
		   "aws:SourceArn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/x");
	ALLOWS("{'ArnLike':{'aws:SourceArn':'arn:aws:logs:*:*:*'}}",
		   "aws:SourceArn", "arn:aws:logs:us-east-1:111122223333:log-group:g:*");
	ALLOWS("{'ArnLike':{'aws:SourceArn':'arn:aws:logs:us-east-?:*:log-group:g:*'}}",
		   "aws:SourceArn", "arn:aws:logs:us-east-1:111122223333:log-group:g:x");
	ALLOWS("{'ArnLike':{'aws:SourceArn':'*'}}", "aws:SourceArn", "arn:aws:s3:::bucket");
	/* ArnEquals is ArnLike */
	ALLOWS("{'ArnEquals':{'aws:PrincipalArn':'arn:aws:iam::111122223333:role/*'}}",
		   "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Admin");
	DENIES("{'ArnEquals':{'aws:PrincipalArn':'arn:aws:iam::111122223333:role/Admin'}}",
		   "aws:PrincipalArn", "arn:aws:iam::111122223333:role/admin");

	ALLOWS("{'ArnNotLike':{'aws:PrincipalArn':'arn:aws:iam::*:role/Admin*'}}",
		   "aws:PrincipalArn", "arn:aws:iam::111122223333:user/Admin");
	DENIES("{'ArnNotLike':{'aws:PrincipalArn':'arn:aws:iam::*:role/Admin*'}}",
		   "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Admin2");
	ALLOWS("{'ArnNotLike':{'aws:PrincipalArn':'arn:aws:iam::*:role/Admin*'}}");
	DENIES("{'ArnNotEquals':{'aws:PrincipalArn':'arn:aws:iam::111122223333:root'}}",
		   "aws:PrincipalArn", ROOT);
	ALLOWS("{'ArnNotEquals':{'aws:PrincipalArn':'arn:aws:iam::111122223333:root'}}",
		   "aws:PrincipalArn", ALICE);
}

static void
test_cond_if_exists_and_null(void **state)
{
	ALLOWS("{'StringEqualsIfExists':{'kms:CallerAccount':'111122223333'}}");
	ALLOWS("{'StringEqualsIfExists':{'kms:CallerAccount':'111122223333'}}",
		   "kms:CallerAccount", ACCT);
	DENIES("{'StringEqualsIfExists':{'kms:CallerAccount':'111122223333'}}",
		   "kms:CallerAccount", OTHER);
	ALLOWS("{'BoolIfExists':{'aws:MultiFactorAuthPresent':'true'}}");
	DENIES("{'BoolIfExists':{'aws:MultiFactorAuthPresent':'true'}}",
		   "aws:MultiFactorAuthPresent", "false");
	ALLOWS("{'NumericLessThanIfExists':{'test:n':'5'}}");
	ALLOWS("{'IpAddressIfExists':{'aws:SourceIp':'10.0.0.0/8'}}");
	ALLOWS("{'StringNotEqualsIfExists':{'aws:username':'x'}}");
	DENIES("{'StringNotEqualsIfExists':{'aws:username':'x'}}", "aws:username", "x");
	ALLOWS("{'StringEqualsIfExists':{'aws:username':'x'}}", "aws:username", EMPTY_SET);

	ALLOWS("{'Null':{'kms:BypassPolicyLockoutSafetyCheck':'true'}}");
	DENIES("{'Null':{'kms:BypassPolicyLockoutSafetyCheck':true}}",
		   "kms:BypassPolicyLockoutSafetyCheck", "false");
	ALLOWS("{'Null':{'kms:BypassPolicyLockoutSafetyCheck':'false'}}",
		   "kms:BypassPolicyLockoutSafetyCheck", "false");
	DENIES("{'Null':{'kms:BypassPolicyLockoutSafetyCheck':'false'}}");
	ALLOWS("{'Null':{'aws:TagKeys':'true'}}", "aws:TagKeys", EMPTY_SET);
}

static void
test_cond_set_operators(void **state)
{
	const char *any = "{'ForAnyValue:StringEquals':{'aws:TagKeys':['Dept','Project']}}";
	const char *all = "{'ForAllValues:StringEquals':{'aws:TagKeys':['Dept','Project']}}";

	ALLOWS(any, "aws:TagKeys", "Owner", "aws:TagKeys", "Dept");
	DENIES(any, "aws:TagKeys", "Owner", "aws:TagKeys", "Cost");
	DENIES(any);
	DENIES(any, "aws:TagKeys", EMPTY_SET);

	ALLOWS(all, "aws:TagKeys", "Dept");
	ALLOWS(all, "aws:TagKeys", "Dept", "aws:TagKeys", "Project");
	DENIES(all, "aws:TagKeys", "Dept", "aws:TagKeys", "Owner");
	ALLOWS(all);
	ALLOWS(all, "aws:TagKeys", EMPTY_SET);

	/* negated operators, value by value */
	ALLOWS("{'ForAnyValue:StringNotEquals':{'aws:TagKeys':['Dept','Project']}}",
		   "aws:TagKeys", "Dept", "aws:TagKeys", "Owner");
	DENIES("{'ForAnyValue:StringNotEquals':{'aws:TagKeys':['Dept','Project']}}",
		   "aws:TagKeys", "Dept", "aws:TagKeys", "Project");
	DENIES("{'ForAnyValue:StringNotEquals':{'aws:TagKeys':['Dept','Project']}}");
	ALLOWS("{'ForAllValues:StringNotLike':{'aws:TagKeys':['aws:*','Sys*']}}",
		   "aws:TagKeys", "Dept", "aws:TagKeys", "Owner");
	DENIES("{'ForAllValues:StringNotLike':{'aws:TagKeys':['aws:*','Sys*']}}",
		   "aws:TagKeys", "Dept", "aws:TagKeys", "System");
	ALLOWS("{'ForAllValues:StringNotLike':{'aws:TagKeys':['aws:*','Sys*']}}");

	/* with other operator families and IfExists */
	ALLOWS("{'ForAnyValue:StringLike':{'aws:CalledVia':'*.amazonaws.com'}}",
		   "aws:CalledVia", "athena.amazonaws.com");
	ALLOWS("{'ForAnyValue:StringLikeIfExists':{'aws:TagKeys':'x*'}}");
	ALLOWS("{'ForAnyValue:IpAddress':{'test:ips':'10.0.0.0/8'}}",
		   "test:ips", "192.0.2.1", "test:ips", "10.0.0.1");
	DENIES("{'ForAllValues:NumericLessThan':{'test:ns':'10'}}",
		   "test:ns", "1", "test:ns", "11");

	/* several request values without a set operator: any of them */
	ALLOWS("{'StringEquals':{'aws:TagKeys':'Dept'}}",
		   "aws:TagKeys", "Owner", "aws:TagKeys", "Dept");
	DENIES("{'StringNotEquals':{'aws:TagKeys':'Dept'}}",
		   "aws:TagKeys", "Owner", "aws:TagKeys", "Dept");
}

static void
test_cond_combination(void **state)
{
	/* operators AND, keys AND, values OR */
	const char *c = "{'StringEquals':{'kms:CallerAccount':['111122223333','999999999999'],"
		"'aws:PrincipalType':'User'},'Bool':{'aws:SecureTransport':'true'}}";

	ALLOWS(c, "kms:CallerAccount", "999999999999", "aws:PrincipalType", "User",
		   "aws:SecureTransport", "true");
	DENIES(c, "kms:CallerAccount", "999999999999", "aws:PrincipalType", "User",
		   "aws:SecureTransport", "false");
	DENIES(c, "kms:CallerAccount", "999999999999", "aws:SecureTransport", "true");
	DENIES(c, "kms:CallerAccount", OTHER, "aws:PrincipalType", "User",
		   "aws:SecureTransport", "true");
}

static void
test_policy_variables(void **state)
{
	const char *own = "{'StringEquals':{'kms:EncryptionContext:user':'${aws:username}'}}";

	ALLOWS(own, "aws:username", "Alice", "kms:EncryptionContext:user", "Alice");
	DENIES(own, "aws:username", "Alice", "kms:EncryptionContext:user", "Bob");
	/* the variable's key is absent: the value matches nothing */
	DENIES(own, "kms:EncryptionContext:user", "${aws:username}");
	DENIES(own, "kms:EncryptionContext:user", "");
	/* ... so a negated operator holds */
	ALLOWS("{'StringNotEquals':{'kms:EncryptionContext:user':'${aws:username}'}}",
		   "kms:EncryptionContext:user", "x");
	/* Version 2008-10-17: literal text */
	assert_false(cond_allows_2008(own, "aws:username", "Alice",
								  "kms:EncryptionContext:user", "Alice", NULL));
	assert_true(cond_allows_2008(own, "aws:username", "Alice",
								 "kms:EncryptionContext:user", "${aws:username}", NULL));
	/* embedded, several, keys ignore case */
	ALLOWS("{'StringEquals':{'kms:EncryptionContext:p':'home/${AWS:USERNAME}/${aws:PrincipalAccount}'}}",
		   "aws:username", "Alice", "aws:PrincipalAccount", ACCT,
		   "kms:EncryptionContext:p", "home/Alice/111122223333");
	/* specials: ${*} is a literal '*' in a pattern, not a wildcard */
	ALLOWS("{'StringLike':{'kms:EncryptionContext:s':'a${*}b'}}",
		   "kms:EncryptionContext:s", "a*b");
	DENIES("{'StringLike':{'kms:EncryptionContext:s':'a${*}b'}}",
		   "kms:EncryptionContext:s", "axxb");
	ALLOWS("{'StringLike':{'kms:EncryptionContext:s':'${?}*${$}'}}",
		   "kms:EncryptionContext:s", "?anything$");
	ALLOWS("{'StringEquals':{'kms:EncryptionContext:s':'${*}${?}${$}'}}",
		   "kms:EncryptionContext:s", "*?$");
	/* substituted text is literal in a pattern; the policy's own * is not */
	ALLOWS("{'StringLike':{'kms:EncryptionContext:p':'${aws:username}/*'}}",
		   "aws:username", "A?", "kms:EncryptionContext:p", "A?/x");
	DENIES("{'StringLike':{'kms:EncryptionContext:p':'${aws:username}/*'}}",
		   "aws:username", "A?", "kms:EncryptionContext:p", "AB/x");
	/* default value */
	ALLOWS("{'StringEquals':{'kms:EncryptionContext:t':'${aws:PrincipalTag/team, \\u0027none\\u0027}'}}",
		   "kms:EncryptionContext:t", "none");
	ALLOWS("{'StringEquals':{'kms:EncryptionContext:t':'${aws:PrincipalTag/team, \\u0027none\\u0027}'}}",
		   "aws:PrincipalTag/team", "red", "kms:EncryptionContext:t", "red");
	/* unterminated: literal */
	ALLOWS("{'StringEquals':{'kms:EncryptionContext:t':'${abc'}}",
		   "kms:EncryptionContext:t", "${abc");
	/* multi-valued keys are not variables */
	DENIES(own, "aws:username", "Alice", "aws:username", "Bob",
		   "kms:EncryptionContext:user", "Alice");
	/* Arn operators take variables too */
	ALLOWS("{'ArnLike':{'aws:SourceArn':'arn:aws:s3:::${aws:username}-*'}}",
		   "aws:username", "alice", "aws:SourceArn", "arn:aws:s3:::alice-logs");
	/* long expansions go to the heap */
	{
		char		longname[3000];
		char		expect[3100];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		snprintf(expect, sizeof(expect), "u-%s-v", longname);
		ALLOWS("{'StringLike':{'kms:EncryptionContext:x':'u-${aws:username}-?'}}",
			   "aws:username", longname, "kms:EncryptionContext:x", expect);
	}
}

static void
test_policy_variables_resource(void **state)
{
	kp_policy  *kp = key_policy(DEFAULT_POLICY);
	kp_policy  *id = identity_policy(
									 "{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Action':'kms:*',"
									 "'Resource':'arn:aws:kms:*:${aws:PrincipalAccount}:key/*'}]}");
	const kp_policy *ids[1] = {id};
	kp_context *ctx = ctx_of("aws:PrincipalAccount", ACCT, NULL);
	kp_request	r = request(ALICE, "kms:Decrypt", ctx);

	assert_int_equal(kp_authorize(kp, ids, 1, &r, NULL), KP_DECISION_ALLOW);
	kp_context_free(ctx);
	ctx = ctx_of("aws:PrincipalAccount", OTHER, NULL);
	r.context = ctx;
	assert_int_equal(kp_authorize(kp, ids, 1, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	r.context = NULL;
	assert_int_equal(kp_authorize(kp, ids, 1, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	kp_context_free(ctx);
	kp_policy_free(kp);
	kp_policy_free(id);
}

/* ------------------------------------------------------------------------
 * Alibaba
 * ------------------------------------------------------------------------ */

static kp_policy *
ali(const char *doc_sq)
{
	return parse_as(KP_DIALECT_ALIBABA, KP_DOC_KEY_POLICY, doc_sq);
}

/* An Alibaba RAM (identity) policy: no Principal. */
static kp_policy *
ali_ram(const char *doc_sq)
{
	return parse_as(KP_DIALECT_ALIBABA, KP_DOC_IDENTITY_POLICY, doc_sq);
}

static void
test_alibaba(void **state)
{
	kp_policy  *kp = ali(
						 "{'Version':'1','Statement':[{'Effect':'Allow','Principal':{'RAM':["
						 "'acs:ram::6543210987654321:*']},'Action':['kms:Decrypt'],'Resource':['*']},"
						 "{'Effect':'Allow','Principal':{'RAM':['acs:ram::1234567890123456:user/alice']},"
						 "'Action':['kms:GetKeyPolicy'],'Resource':['*']}]}");
	/* RAM policies (their principal is ignored) */
	kp_policy  *ram_all = ali_ram(
							  "{'Version':'1','Statement':[{'Effect':'Allow',"
							  "'Action':['kms:*'],'Resource':['*']}]}");
	kp_policy  *ram_deny = ali_ram(
							   "{'Version':'1','Statement':[{'Effect':'Deny',"
							   "'Action':['kms:GetKeyPolicy'],'Resource':['*']}]}");
	const char *bob = "acs:ram::1234567890123456:user/bob";

	/* same account: key policy OR RAM policy */
	assert_int_equal(authorize(kp, NULL, ALI_ALICE, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, NULL, bob, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, ram_all, bob, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(NULL, ram_all, bob, "kms:GetKeyPolicy"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, ram_deny, ALI_ALICE, "kms:GetKeyPolicy"), KP_DECISION_EXPLICIT_DENY);
	/* the account itself holds every permission */
	assert_int_equal(authorize(kp, NULL, ALI_ROOT, "kms:PutKeyPolicy"), KP_DECISION_ALLOW);
	/* ... also with no policy at all: the dialect comes from the acs: key ARN */
	assert_int_equal(authorize(NULL, NULL, ALI_ROOT, "kms:CreateKey"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(NULL, NULL, ALI_ALICE, "kms:CreateKey"), KP_DECISION_IMPLICIT_DENY);
	/* another account: both */
	assert_int_equal(authorize(kp, NULL, ALI_DAVE, "kms:Decrypt"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, ram_all, ALI_DAVE, "kms:Decrypt"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, ram_all, ALI_DAVE, "kms:GetKeyPolicy"), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(authorize(kp, NULL, "acs:ram::6543210987654321:root", "kms:Decrypt"),
					 KP_DECISION_ALLOW);
	kp_policy_free(kp);
	kp_policy_free(ram_all);
	kp_policy_free(ram_deny);
}

static void
test_alibaba_principals(void **state)
{
	kp_policy  *kp = ali(
						 "{'Version':'1','Statement':[{'Effect':'Allow','Principal':{'RAM':["
						 "'acs:ram::6543210987654321:root','acs:ram::6543210987654321:role/ops']},"
						 "'Action':['kms:Decrypt'],'Resource':['*'],"
						 "'Condition':{'IpAddress':{'acs:SourceIp':'10.0.0.0/8'}}},"
						 "{'Effect':'Deny','Principal':{'RAM':['acs:ram::1234567890123456:*']},"
						 "'Action':['kms:Delete*'],'Resource':['*']}]}");
	kp_policy  *ram_all = ali_ram(
							  "{'Version':'1','Statement':[{'Effect':'Allow',"
							  "'Action':['kms:*'],'Resource':['*']}]}");
	const kp_policy *ids[1] = {ram_all};
	kp_context *ctx = ctx_of("acs:SourceIp", "10.1.2.3", NULL);
	kp_request	r = request("acs:ram::6543210987654321:assumed-role/ops/s1", "kms:Decrypt", ctx);

	assert_int_equal(kp_authorize(kp, ids, 1, &r, NULL), KP_DECISION_ALLOW);
	r.principal_arn = "acs:ram::6543210987654321:assumed-role/dev/s1";
	assert_int_equal(kp_authorize(kp, ids, 1, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	/* :root is the account root only */
	r.principal_arn = ALI_DAVE;
	assert_int_equal(kp_authorize(kp, ids, 1, &r, NULL), KP_DECISION_IMPLICIT_DENY);
	/* acs:ram::<acct>:* covers the root and every identity */
	assert_int_equal(authorize(kp, ram_all, ALI_ROOT, "kms:DeleteKey"), KP_DECISION_EXPLICIT_DENY);
	assert_int_equal(authorize(kp, ram_all, ALI_ALICE, "kms:DeleteKey"), KP_DECISION_EXPLICIT_DENY);
	assert_int_equal(authorize(kp, ram_all, ALI_ALICE, "kms:Encrypt"), KP_DECISION_ALLOW);
	assert_int_equal(authorize(kp, ram_all, ALI_DAVE, "kms:DeleteKey"), KP_DECISION_IMPLICIT_DENY);
	kp_context_free(ctx);
	kp_policy_free(kp);
	kp_policy_free(ram_all);
}

/* ------------------------------------------------------------------------
 * Trace
 * ------------------------------------------------------------------------ */

static void
test_trace(void **state)
{
	kp_policy  *kp = key_policy(
								"{'Version':'2012-10-17','Statement':["
								"{'Sid':'Root','Effect':'Allow','Principal':{'AWS':'111122223333'},"
								" 'Action':'kms:*','Resource':'*'},"
								"{'Sid':'Bob','Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:user/Bob'},"
								" 'Action':['kms:Get*','kms:List*'],'Resource':'*'},"
								"{'Effect':'Allow','Principal':{'AWS':'*'},'Action':'kms:PutKeyPolicy','Resource':'*',"
								" 'Condition':{'StringEquals':{'kms:CallerAccount':'111122223333'}}},"
								"{'Sid':'NoIp','Effect':'Deny','Principal':{'AWS':'*'},'Action':'kms:*','Resource':'*',"
								" 'Condition':{'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}}}]}");
	kp_policy  *id = identity_policy(ALLOW_ALL_IDENTITY);
	const kp_policy *ids[1] = {id};
	kp_context *ctx = ctx_of("kms:CallerAccount", OTHER, "aws:SourceIp", "10.0.0.1", NULL);
	kp_request	r = request(ALICE, "kms:PutKeyPolicy", ctx);
	kp_trace	t;
	kp_decision d;

	kp_trace_init(&t);
	d = kp_authorize(kp, ids, 1, &r, &t);
	assert_int_equal(d, KP_DECISION_ALLOW);
	assert_int_equal(t.decision, KP_DECISION_ALLOW);
	assert_int_equal(t.n_entries, 5);
	assert_false(t.incomplete);

	assert_string_equal(t.entries[0].label, "key policy");
	assert_int_equal(t.entries[0].policy_index, -1);
	assert_int_equal(t.entries[0].statement, 0);
	assert_string_equal(t.entries[0].sid, "Root");
	assert_true(t.entries[0].allow);
	assert_int_equal(t.entries[0].outcome, KP_TRACE_APPLIED);
	assert_int_equal(t.entries[0].via, KP_TRACE_VIA_DELEGATION);
	assert_true(t.entries[0].identity_granted);
	assert_string_equal(t.entries[0].detail,
						"principal 111122223333 matched (account delegation)");

	assert_int_equal(t.entries[1].outcome, KP_TRACE_NO_PRINCIPAL);
	assert_string_equal(t.entries[1].detail,
						"caller arn:aws:iam::111122223333:user/Alice matches none of "
						"[arn:aws:iam::111122223333:user/Bob]");
	assert_string_equal(kp_trace_outcome_name(t.entries[1].outcome),
						"principal did not match");

	assert_null(t.entries[2].sid);
	assert_int_equal(t.entries[2].outcome, KP_TRACE_CONDITION_FAILED);
	assert_string_equal(t.entries[2].detail,
						"condition StringEquals kms:CallerAccount: request value "
						"'444455556666' matches none of ['111122223333']");

	assert_false(t.entries[3].allow);
	assert_int_equal(t.entries[3].outcome, KP_TRACE_CONDITION_FAILED);
	assert_string_equal(t.entries[3].detail,
						"condition NotIpAddress aws:SourceIp: request value "
						"'10.0.0.1' matches '10.0.0.0/8'");

	assert_string_equal(t.entries[4].label, "identity policy 0");
	assert_int_equal(t.entries[4].policy_index, 0);
	assert_int_equal(t.entries[4].outcome, KP_TRACE_APPLIED);
	assert_int_equal(t.entries[4].via, KP_TRACE_VIA_NONE);
	assert_null(t.entries[4].detail);

	assert_string_equal(t.summary,
						"allowed by key policy statement 0 (Sid \"Root\") (account "
						"delegation) and identity policy 0 statement 0");

	/* now without identity policies, and a missing source IP */
	kp_context_free(ctx);
	ctx = ctx_of("kms:CallerAccount", ACCT, NULL);
	r.context = ctx;
	r.action = "kms:GetKeyPolicy";
	d = kp_authorize(kp, NULL, 0, &r, &t);	/* reuses t: freed first */
	assert_int_equal(d, KP_DECISION_EXPLICIT_DENY);
	assert_int_equal(t.n_entries, 4);
	assert_false(t.entries[0].identity_granted);
	assert_int_equal(t.entries[2].outcome, KP_TRACE_NO_ACTION);
	assert_string_equal(t.entries[2].detail,
						"action kms:GetKeyPolicy matches none of [kms:PutKeyPolicy]");
	assert_int_equal(t.entries[3].outcome, KP_TRACE_APPLIED);
	assert_string_equal(t.summary, "explicit deny: key policy statement 3 (Sid \"NoIp\")");
	assert_string_equal(kp_decision_name(d), "explicit deny");
	kp_trace_free(&t);
	kp_trace_free(&t);			/* idempotent */

	/* delegation without identity policies */
	kp_context_free(ctx);
	ctx = ctx_of("aws:SourceIp", "10.0.0.1", NULL);
	r.context = ctx;
	r.action = "kms:Decrypt";
	d = kp_authorize(kp, NULL, 0, &r, &t);
	assert_int_equal(d, KP_DECISION_IMPLICIT_DENY);
	assert_string_equal(t.summary,
						"implicit deny: key policy statement 0 (Sid \"Root\") allows only "
						"through identity policies (account delegation), and no identity "
						"policy allows kms:Decrypt");
	kp_trace_free(&t);

	kp_context_free(ctx);
	kp_policy_free(kp);
	kp_policy_free(id);
}

static void
test_trace_details(void **state)
{
	kp_policy  *kp = key_policy(
								"{'Version':'2012-10-17','Statement':["
								"{'Effect':'Allow','Principal':'*','NotAction':'kms:Put*','Resource':'*'},"
								"{'Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
								" 'Condition':{'IpAddress':{'aws:SourceIp':'10.0.0.0/8'}}},"
								"{'Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
								" 'Condition':{'ForAllValues:StringEquals':{'aws:TagKeys':['a','b']}}},"
								"{'Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
								" 'Condition':{'ForAnyValue:StringNotEquals':{'aws:TagKeys':['a','c']}}},"
								"{'Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
								" 'Condition':{'StringLike':{'aws:TagKeys':['x*']}}},"
								"{'Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
								" 'Condition':{'Null':{'aws:TagKeys':'true'}}}]}");
	kp_policy  *id = identity_policy(
									 "{'Version':'2012-10-17','Statement':["
									 "{'Effect':'Allow','Action':'kms:*','NotResource':'arn:aws:kms:*:*:key/1234*'},"
									 "{'Effect':'Allow','Action':'kms:*','Resource':['arn:aws:kms:*:*:alias/*']}]}");
	const kp_policy *ids[1] = {id};
	kp_context *ctx = ctx_of("aws:TagKeys", "a", "aws:TagKeys", "c", NULL);
	kp_request	r = request(OTHER_CAROL, "kms:PutKeyPolicy", ctx);
	kp_trace	t;

	kp_trace_init(&t);
	assert_int_equal(kp_authorize(kp, ids, 1, &r, &t), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(t.n_entries, 8);
	assert_string_equal(t.entries[0].detail,
						"action kms:PutKeyPolicy excluded by NotAction kms:Put*");
	assert_string_equal(t.entries[1].detail,
						"condition IpAddress aws:SourceIp: key absent");
	assert_string_equal(t.entries[2].detail,
						"condition ForAllValues:StringEquals aws:TagKeys: request value "
						"'c' matches none of ['a', 'b']");
	assert_string_equal(t.entries[3].detail,
						"condition ForAnyValue:StringNotEquals aws:TagKeys: every request "
						"value matches one of ['a', 'c']");
	assert_string_equal(t.entries[4].detail,
						"condition StringLike aws:TagKeys: request values ['a', 'c'] match "
						"none of ['x*']");
	assert_string_equal(t.entries[5].detail,
						"condition Null aws:TagKeys: key present");
	assert_string_equal(t.entries[6].detail,
						"resource " KEY_ARN " excluded by NotResource arn:aws:kms:*:*:key/1234*");
	assert_int_equal(t.entries[7].outcome, KP_TRACE_NO_RESOURCE);
	assert_string_equal(t.entries[7].detail,
						"resource " KEY_ARN " matches none of [arn:aws:kms:*:*:alias/*]");
	assert_string_equal(t.summary,
						"implicit deny: no key policy statement allows kms:PutKeyPolicy "
						"for " OTHER_CAROL);
	kp_trace_free(&t);

	/* cross-account */
	r.action = "kms:Decrypt";
	assert_int_equal(kp_authorize(kp, ids, 1, &r, &t), KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(t.entries[0].outcome, KP_TRACE_APPLIED);
	assert_int_equal(t.entries[0].via, KP_TRACE_VIA_CROSS_ACCOUNT);
	assert_false(t.entries[0].identity_granted);
	assert_string_equal(t.entries[0].detail, "principal * matched (cross-account)");
	kp_trace_free(&t);

	/* long lists are cut */
	{
		char		doc[8192];
		size_t		len;
		int			i;

		len = (size_t) snprintf(doc, sizeof(doc),
								"{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
								"'Principal':'*','Action':'kms:*','Resource':'*','Condition':"
								"{'StringEquals':{'aws:username':[");
		for (i = 0; i < 60; i++)
			len += (size_t) snprintf(doc + len, sizeof(doc) - len,
									 "%s'user-number-%02d'", i ? "," : "", i);
		snprintf(doc + len, sizeof(doc) - len, "]}}}]}");
		kp_policy_free(kp);
		kp = key_policy(doc);
		kp_context_free(ctx);
		ctx = ctx_of("aws:username", "nobody", NULL);
		r = request(ROOT, "kms:Decrypt", ctx);
		assert_int_equal(kp_authorize(kp, NULL, 0, &r, &t), KP_DECISION_IMPLICIT_DENY);
		assert_true(strlen(t.entries[0].detail) < 400);
		assert_string_equal(t.entries[0].detail + strlen(t.entries[0].detail) - 3, "...");
		kp_trace_free(&t);
	}

	kp_context_free(ctx);
	kp_policy_free(kp);
	kp_policy_free(id);
}

static void
test_trace_alibaba_summary(void **state)
{
	kp_policy  *kp = ali(
						 "{'Version':'1','Statement':[{'Sid':'ali','Effect':'Allow','Principal':{'RAM':["
						 "'acs:ram::1234567890123456:user/alice']},'Action':['kms:Encrypt'],'Resource':['*']}]}");
	kp_policy  *ram = ali_ram(
						  "{'Version':'1','Statement':[{'Effect':'Allow',"
						  "'Action':['kms:Get*'],'Resource':['*']}]}");
	const kp_policy *ids[1] = {ram};
	kp_request	r = request("acs:ram::1234567890123456:user/bob", "kms:GetKeyPolicy", NULL);
	kp_trace	t;

	kp_trace_init(&t);
	assert_int_equal(kp_authorize(kp, ids, 1, &r, &t), KP_DECISION_ALLOW);
	assert_string_equal(t.summary, "allowed by identity policy 0 statement 0 (same account)");
	kp_trace_free(&t);
	r = request(ALI_DAVE, "kms:GetKeyPolicy", NULL);
	assert_int_equal(kp_authorize(kp, ids, 1, &r, &t), KP_DECISION_IMPLICIT_DENY);
	assert_string_equal(t.summary,
						"implicit deny: identity policies allow kms:GetKeyPolicy, but the "
						"caller is of another account and the key policy does not allow it");
	kp_trace_free(&t);
	kp_policy_free(kp);
	kp_policy_free(ram);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_action_match),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_context_add_caller),
		cmocka_unit_test(test_default_policy),
		cmocka_unit_test(test_seed_policy),
		cmocka_unit_test(test_deny_precedence),
		cmocka_unit_test(test_deny_account_principal),
		cmocka_unit_test(test_not_action),
		cmocka_unit_test(test_missing_elements),
		cmocka_unit_test(test_principal_roles),
		cmocka_unit_test(test_principal_service_and_any),
		cmocka_unit_test(test_cross_account_aws),
		cmocka_unit_test(test_principal_account_field),
		cmocka_unit_test(test_lockout_check),
		cmocka_unit_test(test_identity_resources),
		cmocka_unit_test(test_several_identity_policies),
		cmocka_unit_test(test_cond_string),
		cmocka_unit_test(test_cond_string_like),
		cmocka_unit_test(test_cond_numeric),
		cmocka_unit_test(test_cond_date),
		cmocka_unit_test(test_cond_bool_binary),
		cmocka_unit_test(test_cond_binary_text),
		cmocka_unit_test(test_cond_ip),
		cmocka_unit_test(test_cond_arn),
		cmocka_unit_test(test_cond_if_exists_and_null),
		cmocka_unit_test(test_cond_set_operators),
		cmocka_unit_test(test_cond_combination),
		cmocka_unit_test(test_policy_variables),
		cmocka_unit_test(test_policy_variables_resource),
		cmocka_unit_test(test_alibaba),
		cmocka_unit_test(test_alibaba_principals),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_trace_details),
		cmocka_unit_test(test_trace_alibaba_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
