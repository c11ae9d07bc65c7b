/*
 * test_validate.c -- unit tests of the key-policy grammar
 * (kp_policy_check_text, kp_policy_parse, kp_policy_free) and of the
 * generated KMS action / condition-key tables.
 *
 * Built without PostgreSQL and run under ASan/LSan/UBSan:
 *	make test/unit/test_validate_test && ./test/unit/test_validate_test
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kp.h"
#include "internal/kp_iam.h"

#define MSG_INVALID_PRINCIPALS \
	"Policy contains a statement with one or more invalid principals."
#define MSG_NO_PRINCIPAL "Policy contains a statement with no principal."
#define MSG_INVALID_ARN "An ARN in the specified key policy is invalid."
#define MSG_PATTERN \
	"1 validation error detected: Value at 'policy' failed to satisfy " \
	"constraint: Member must satisfy regular expression pattern: " \
	"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"
#define MSG_TOO_LONG \
	"1 validation error detected: Value at 'policy' failed to satisfy " \
	"constraint: Member must have length less than or equal to 131072"
#define MSG_EMPTY \
	"1 validation error detected: Value at 'policy' failed to satisfy " \
	"constraint: Member must have length greater than or equal to 1"
#define MSG_QUOTA \
	"The key policy exceeds the 32768-character key policy document size quota."
#define MSG_OVERLY(x) \
	"OverlyPermissiveCondition: Using the ForAllValues set operator with a " \
	"single-valued condition key matches requests without the specified " x \
	" or with an unspecified " x ". To fix, remove ForAllValues."
#define RESOURCE_STAR_TEXT \
	"the only accepted Resource value in a key policy is \"*\""

/* seed 000 (and 001): the default key policy returned by GetKeyPolicy */
#define SEED_DEFAULT \
	"{\n" \
	"  \"Version\" : \"2012-10-17\",\n" \
	"  \"Id\" : \"key-default-1\",\n" \
	"  \"Statement\" : [ {\n" \
	"    \"Sid\" : \"Enable IAM User Permissions\",\n" \
	"    \"Effect\" : \"Allow\",\n" \
	"    \"Principal\" : {\n" \
	"      \"AWS\" : \"arn:aws:iam::111122223333:root\"\n" \
	"    },\n" \
	"    \"Action\" : \"kms:*\",\n" \
	"    \"Resource\" : \"*\"\n" \
	"  } ]\n" \
	"}"

/* seed 002: the ExampleUser policy (Python example) */
#define SEED_EXAMPLE_USER \
	"\n" \
	"{\n" \
	"    \"Version\": \"2012-10-17\",\n" \
	"    \"Statement\": [{\n" \
	"        \"Sid\": \"Allow access for ExampleUser\",\n" \
	"        \"Effect\": \"Allow\",\n" \
	"        \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:user/ExampleUser\"},\n" \
	"        \"Action\": [\n" \
	"            \"kms:Encrypt\",\n" \
	"            \"kms:GenerateDataKey*\",\n" \
	"            \"kms:Decrypt\",\n" \
	"            \"kms:DescribeKey\",\n" \
	"            \"kms:ReEncrypt*\"\n" \
	"        ],\n" \
	"        \"Resource\": \"*\"\n" \
	"    }]\n" \
	"}"

/* seed 002: the PHP example */
#define SEED_PHP \
	"{ \n" \
	"        \"Version\": \"2012-10-17\", \n" \
	"        \"Id\": \"custom-policy-2016-12-07\", \n" \
	"        \"Statement\": [ \n" \
	"            { \"Sid\": \"Enable IAM User Permissions\", \n" \
	"            \"Effect\": \"Allow\", \n" \
	"            \"Principal\": \n" \
	"               { \"AWS\": \"arn:aws:iam::111122223333:user/root\" }, \n" \
	"            \"Action\": [ \"kms:*\" ], \n" \
	"            \"Resource\": \"*\" }, \n" \
	"            { \"Sid\": \"Enable IAM User Permissions\", \n" \
	"            \"Effect\": \"Allow\", \n" \
	"            \"Principal\":\n" \
	"               { \"AWS\": \"arn:aws:iam::111122223333:user/ExampleUser\" }, \n" \
	"            \"Action\": [\n" \
	"                \"kms:Encrypt*\",\n" \
	"                \"kms:GenerateDataKey*\",\n" \
	"                \"kms:Decrypt*\",\n" \
	"                \"kms:DescribeKey*\",\n" \
	"                \"kms:ReEncrypt*\"\n" \
	"            ], \n" \
	"            \"Resource\": \"*\" }\n" \
	"        ]\n" \
	"    } "

/* seed 002: the Node.js example */
#define SEED_NODE \
	"{\n" \
	"    \"Version\": \"2012-10-17\",\n" \
	"    \"Id\": \"custom-policy-2016-12-07\",\n" \
	"    \"Statement\": [\n" \
	"        {\n" \
	"            \"Sid\": \"Enable IAM User Permissions\",\n" \
	"            \"Effect\": \"Allow\",\n" \
	"            \"Principal\": {\n" \
	"                \"AWS\": \"arn:aws:iam::111122223333:root\"\n" \
	"            },\n" \
	"            \"Action\": \"kms:*\",\n" \
	"            \"Resource\": \"*\"\n" \
	"        },\n" \
	"        {\n" \
	"            \"Sid\": \"Enable IAM User Permissions\",\n" \
	"            \"Effect\": \"Allow\",\n" \
	"            \"Principal\": {\n" \
	"                \"AWS\": \"arn:aws:iam::111122223333:user/ExampleUser\"\n" \
	"            },\n" \
	"            \"Action\": [\n" \
	"                \"kms:Encrypt*\",\n" \
	"                \"kms:GenerateDataKey*\",\n" \
	"                \"kms:Decrypt*\",\n" \
	"                \"kms:DescribeKey*\",\n" \
	"                \"kms:ReEncrypt*\"\n" \
	"            ],\n" \
	"            \"Resource\": \"*\"\n" \
	"        } \n" \
	"    ]\n" \
	"}"

/* seed 002: the PowerShell example */
#define SEED_POWERSHELL \
	"{\n" \
	"    \"Version\": \"2012-10-17\", \n" \
	"    \"Statement\": [\n" \
	"        {\n" \
	"            \"Sid\": \"Enable IAM User Permissions\",\n" \
	"            \"Effect\": \"Allow\",\n" \
	"            \"Principal\": {\n" \
	"                \"AWS\": \"arn:aws:iam::111122223333:root\"\n" \
	"            },\n" \
	"            \"Action\": \"kms:*\",\n" \
	"            \"Resource\": \"*\"\n" \
	"        },\n" \
	"        {\n" \
	"            \"Sid\": \"Enable IAM User Permissions\",\n" \
	"            \"Effect\": \"Allow\",\n" \
	"            \"Principal\": {\n" \
	"                \"AWS\": \"arn:aws:iam::111122223333:user/ExampleUser\"\n" \
	"            },\n" \
	"            \"Action\": [\n" \
	"                \"kms:Encrypt*\",\n" \
	"                \"kms:GenerateDataKey*\",\n" \
	"                \"kms:Decrypt*\",\n" \
	"                \"kms:DescribeKey*\",\n" \
	"                \"kms:ReEncrypt*\"\n" \
	"            ],\n" \
	"            \"Resource\": \"*\"\n" \
	"        }]\n" \
	"    }"

/* seed 004: the put_key_policy example */
#define SEED_004 \
	"{\n" \
	"    \"Version\": \"2012-10-17\",\n" \
	"    \"Id\": \"custom-policy-2016-12-07\",\n" \
	"    \"Statement\": [\n" \
	"        {\n" \
	"            \"Sid\": \"Enable IAM User Permissions\",\n" \
	"            \"Effect\": \"Allow\",\n" \
	"            \"Principal\": {\n" \
	"                \"AWS\": \"arn:aws:iam::111122223333:root\"\n" \
	"            },\n" \
	"            \"Action\": \"kms:*\",\n" \
	"            \"Resource\": \"*\"\n" \
	"        },\n" \
	"        {\n" \
	"            \"Sid\": \"Allow access for Key Administrators\",\n" \
	"            \"Effect\": \"Allow\",\n" \
	"            \"Principal\": {\n" \
	"                \"AWS\": [\n" \
	"                    \"arn:aws:iam::111122223333:user/ExampleAdminUser\",\n" \
	"                    \"arn:aws:iam::111122223333:role/ExampleAdminRole\"\n" \
	"                ]\n" \
	"            },\n" \
	"            \"Action\": [\n" \
	"                \"kms:Create*\",\n" \
	"                \"kms:Describe*\",\n" \
	"                \"kms:Enable*\",\n" \
	"                \"kms:List*\",\n" \
	"                \"kms:Put*\",\n" \
	"                \"kms:Update*\",\n" \
	"                \"kms:Revoke*\",\n" \
	"                \"kms:Disable*\",\n" \
	"                \"kms:Get*\",\n" \
	"                \"kms:Delete*\",\n" \
	"                \"kms:ScheduleKeyDeletion\",\n" \
	"                \"kms:CancelKeyDeletion\"\n" \
	"            ],\n" \
	"            \"Resource\": \"*\"\n" \
	"        },\n" \
	"        {\n" \
	"            \"Sid\": \"Allow use of the key\",\n" \
	"            \"Effect\": \"Allow\",\n" \
	"            \"Principal\": {\n" \
	"                \"AWS\": \"arn:aws:iam::111122223333:role/ExamplePowerUserRole\"\n" \
	"            },\n" \
	"            \"Action\": [\n" \
	"                \"kms:Encrypt\",\n" \
	"                \"kms:Decrypt\",\n" \
	"                \"kms:ReEncrypt*\",\n" \
	"                \"kms:GenerateDataKey*\",\n" \
	"                \"kms:DescribeKey\"\n" \
	"            ],\n" \
	"            \"Resource\": \"*\"\n" \
	"        },\n" \
	"        {\n" \
	"            \"Sid\": \"Allow attachment of persistent resources\",\n" \
	"            \"Effect\": \"Allow\",\n" \
	"            \"Principal\": {\n" \
	"                \"AWS\": \"arn:aws:iam::111122223333:role/ExamplePowerUserRole\"\n" \
	"            },\n" \
	"            \"Action\": [\n" \
	"                \"kms:CreateGrant\",\n" \
	"                \"kms:ListGrants\",\n" \
	"                \"kms:RevokeGrant\"\n" \
	"            ],\n" \
	"            \"Resource\": \"*\",\n" \
	"            \"Condition\": {\n" \
	"                \"Bool\": {\n" \
	"                    \"kms:GrantIsForAWSResource\": \"true\"\n" \
	"                }\n" \
	"            }\n" \
	"        }\n" \
	"    ]\n" \
	"}\n"

/* seed 003: Alibaba's default key policy, **** replaced by digits */
#define SEED_ALIBABA \
	"{\"Statement\": [{\"Action\": [\"kms:*\"],\"Effect\": \"Allow\",\"Principal\": {\"RAM\": [\"acs:ram::1903253031261234:*\",\"acs:ram::1192853035111234:*\"]},\"Resource\": [\"*\"],\"Sid\": \"kms default key policy\"}],\"Version\": \"1\" }"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static const kp_parse_opts aws_key = {
	KP_DIALECT_AWS, KP_DOC_KEY_POLICY, "aws", "111122223333", 0
};
static const kp_parse_opts aws_identity = {
	KP_DIALECT_AWS, KP_DOC_IDENTITY_POLICY, "aws", "111122223333", 0
};
static const kp_parse_opts alibaba_key = {
	KP_DIALECT_ALIBABA, KP_DOC_KEY_POLICY, NULL, "1234567890123456", 0
};

#define ROOT "{\"AWS\":\"arn:aws:iam::111122223333:root\"}"

/* A one-statement key policy. */
#define DOC(principal, action, tail) \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"," \
	"\"Principal\":" principal ",\"Action\":" action ",\"Resource\":\"*\"" \
	tail "}]}"
#define DOC_P(principal) DOC(principal, "\"kms:*\"", "")
#define DOC_A(action) DOC(ROOT, action, "")
#define DOC_C(cond) DOC(ROOT, "\"kms:*\"", ",\"Condition\":" cond)
/* A statement body, and a policy of several. */
#define STMT(tail) \
	"{\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\"," \
	"\"Resource\":\"*\"" tail "}"
#define POLICY(stmts) "{\"Version\":\"2012-10-17\",\"Statement\":[" stmts "]}"
/* A statement with only the given elements. */
#define RAW(elems) "{\"Version\":\"2012-10-17\",\"Statement\":[{" elems "}]}"

/* Alibaba: one statement. */
#define ADOC(principal, action, tail) \
	"{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\"," \
	"\"Principal\":" principal ",\"Action\":" action ",\"Resource\":[\"*\"]" \
	tail "}]}"
#define ARAM "{\"RAM\":\"acs:ram::1234567890123456:root\"}"

/* Identity policy: one statement. */
#define IDOC(elems) \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"," \
	"\"Action\":\"kms:Decrypt\"" elems "}]}"

static kp_policy *
accept_opts(const kp_parse_opts *opts, const char *doc)
{
	kp_error	err;
	kp_policy  *p = NULL;
	kp_status	rc;

	rc = kp_policy_parse(doc, strlen(doc), opts, &p, &err);
	if (rc != KP_OK)
		print_error("unexpected failure for %s\n  status %d message \"%s\"\n"
					"  path \"%s\"\n  detail \"%s\"\n",
					doc, (int) rc, err.message, err.path, err.detail);
	assert_int_equal(rc, KP_OK);
	assert_int_equal(err.status, KP_OK);
	assert_non_null(p);
	return p;
}

static void
accept_free(const kp_parse_opts *opts, const char *doc)
{
	kp_policy_free(accept_opts(opts, doc));
}

static void
refuse_opts(const kp_parse_opts *opts, const char *doc, kp_status st,
			const char *message, const char *path, const char *detail_part)
{
	kp_error	err;
	kp_policy  *p = (kp_policy *) &err;	/* must be reset to NULL */
	kp_status	rc;

	rc = kp_policy_parse(doc, strlen(doc), opts, &p, &err);
	if (rc != st || (message && strcmp(err.message, message) != 0) ||
		(path && strcmp(err.path, path) != 0) ||
		(detail_part && strstr(err.detail, detail_part) == NULL) ||
		(path && path[0] && strstr(err.detail, path) == NULL))
		print_error("for %s\n  got status %d message \"%s\"\n  path \"%s\"\n"
					"  detail \"%s\"\n",
					doc, (int) rc, err.message, err.path, err.detail);
	assert_int_equal(rc, st);
	assert_int_equal(err.status, st);
	assert_null(p);
	if (message)
		assert_string_equal(err.message, message);
	if (path)
		assert_string_equal(err.path, path);
	assert_true(err.detail[0] != '\0');
	if (path && path[0])
		assert_non_null(strstr(err.detail, path));
	if (detail_part)
		assert_non_null(strstr(err.detail, detail_part));
}

#define accept_key(doc) accept_free(&aws_key, doc)
#define refuse_key(doc, st, msg, path, part) \
	refuse_opts(&aws_key, doc, st, msg, path, part)
#define malformed(doc, path) \
	refuse_opts(&aws_key, doc, KP_ERR_MALFORMED, NULL, path, NULL)
#define bad_principal(doc, path) \
	refuse_opts(&aws_key, doc, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path, NULL)
#define bad_arn(doc, path, part) \
	refuse_opts(&aws_key, doc, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path, part)
#define malformed_arn(doc, path, part) \
	refuse_opts(&aws_key, doc, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path, part)
#define no_principal(doc) \
	refuse_opts(&aws_key, doc, KP_ERR_MALFORMED, MSG_NO_PRINCIPAL, \
				"Statement[0].Principal", "no principal")

/* A document of n copies of ch (a multi-byte UTF-8 sequence allowed). */
static char *
repeat(const char *ch, size_t n, size_t *len)
{
	size_t		w = strlen(ch);
	char	   *s = malloc(n * w + 1);
	size_t		i;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * w, ch, w);
	s[n * w] = '\0';
	*len = n * w;
	return s;
}

/* ------------------------------------------------------------------------
 * Characters and length
 * ------------------------------------------------------------------------ */

static void
test_text_empty(void **state)
{
	kp_error	err;

	assert_int_equal(kp_policy_check_text("", 0, KP_DIALECT_AWS, &err),
					 KP_ERR_VALIDATION);
	assert_string_equal(err.message, MSG_EMPTY);
	refuse_key("", KP_ERR_VALIDATION, MSG_EMPTY, "", NULL);
	assert_int_equal(kp_policy_check_text("", 0, KP_DIALECT_ALIBABA, &err),
					 KP_ERR_VALIDATION);
}

static void
test_text_euro_sign(void **state)
{
	kp_error	err;
	/* "€" is U+20AC; the "é" before it is one character */
	const char *doc = "{\"Id\":\"\xc3\xa9\xe2\x82\xac\"}";

	assert_int_equal(kp_policy_check_text(doc, strlen(doc), KP_DIALECT_AWS, &err),
					 KP_ERR_VALIDATION);
	assert_string_equal(err.message, MSG_PATTERN);
	assert_non_null(strstr(err.detail, "U+20AC"));
	assert_non_null(strstr(err.detail, "character offset 8"));
	assert_int_equal(err.offset, 9);	/* byte offset */
	refuse_key(doc, KP_ERR_VALIDATION, MSG_PATTERN, "", "U+20AC");
	/* Alibaba takes any character but controls */
	assert_int_equal(kp_policy_check_text(doc, strlen(doc), KP_DIALECT_ALIBABA, &err),
					 KP_OK);
}

static void
test_text_latin1_allowed(void **state)
{
	kp_error	err;
	const char *doc = "\t\r\n \xc2\xa0\xc3\xbf~";	/* U+00A0, U+00FF */

	assert_int_equal(kp_policy_check_text(doc, strlen(doc), KP_DIALECT_AWS, &err),
					 KP_OK);
	assert_int_equal(err.status, KP_OK);
	accept_key(DOC(ROOT, "\"kms:*\"", ",\"Sid\":\"Caf\xc3\xa9 \xc2\xa9 \xc3\xbf\""));
}

static void
test_text_controls_and_bad_utf8(void **state)
{
	kp_error	err;
	const char	nul[] = "{\"a\":\0}";

	assert_int_equal(kp_policy_check_text("{\x01}", 3, KP_DIALECT_AWS, &err),
					 KP_ERR_VALIDATION);
	assert_non_null(strstr(err.detail, "U+0001"));
	assert_int_equal(kp_policy_check_text(nul, sizeof(nul) - 1, KP_DIALECT_AWS, &err),
					 KP_ERR_VALIDATION);
	assert_non_null(strstr(err.detail, "U+0000"));
	assert_int_equal(kp_policy_check_text("{\x7f}", 3, KP_DIALECT_AWS, &err),
					 KP_OK);
	/* U+0085 (a C1 control) is inside U+0020..U+00FF for AWS */
	assert_int_equal(kp_policy_check_text("\xc2\x85", 2, KP_DIALECT_AWS, &err),
					 KP_OK);
	assert_int_equal(kp_policy_check_text("\xc2\x85", 2, KP_DIALECT_ALIBABA, &err),
					 KP_ERR_VALIDATION);
	assert_int_equal(kp_policy_check_text("{\x01}", 3, KP_DIALECT_ALIBABA, &err),
					 KP_ERR_VALIDATION);
	assert_non_null(strstr(err.detail, "U+0001"));
	/* emoji */
	assert_int_equal(kp_policy_check_text("\xf0\x9f\x98\x80", 4, KP_DIALECT_AWS, &err),
					 KP_ERR_VALIDATION);
	assert_non_null(strstr(err.detail, "U+1F600"));
	assert_int_equal(kp_policy_check_text("\xf0\x9f\x98\x80", 4, KP_DIALECT_ALIBABA, &err),
					 KP_OK);
	/* invalid UTF-8: stray byte, truncated sequence, overlong, surrogate */
	assert_int_equal(kp_policy_check_text("a\xff", 2, KP_DIALECT_AWS, &err),
					 KP_ERR_VALIDATION);
	assert_string_equal(err.message, MSG_PATTERN);
	assert_int_equal(err.offset, 1);
	assert_int_equal(kp_policy_check_text("\xc3", 1, KP_DIALECT_AWS, &err),
					 KP_ERR_VALIDATION);
	assert_int_equal(kp_policy_check_text("\xc0\xaf", 2, KP_DIALECT_AWS, &err),
					 KP_ERR_VALIDATION);
	assert_int_equal(kp_policy_check_text("\xed\xa0\x80", 3, KP_DIALECT_ALIBABA, &err),
					 KP_ERR_VALIDATION);
	assert_int_equal(kp_policy_check_text("\xf4\x90\x80\x80", 4, KP_DIALECT_ALIBABA, &err),
					 KP_ERR_VALIDATION);
}

static void
test_text_aws_quota(void **state)
{
	kp_error	err;
	size_t		len;
	char	   *s;

	/* 32768 characters: within the quota */
	s = repeat(" ", 32768, &len);
	assert_int_equal(kp_policy_check_text(s, len, KP_DIALECT_AWS, &err), KP_OK);
	free(s);

	/* 32768 two-byte characters are still 32768 characters */
	s = repeat("\xc3\xa9", 32768, &len);
	assert_int_equal(kp_policy_check_text(s, len, KP_DIALECT_AWS, &err), KP_OK);
	free(s);

	s = repeat(" ", 32769, &len);
	assert_int_equal(kp_policy_check_text(s, len, KP_DIALECT_AWS, &err),
					 KP_ERR_LIMIT);
	assert_string_equal(err.message, MSG_QUOTA);
	assert_non_null(strstr(err.detail, "32769"));
	free(s);

	s = repeat(" ", 131072, &len);
	assert_int_equal(kp_policy_check_text(s, len, KP_DIALECT_AWS, &err),
					 KP_ERR_LIMIT);
	free(s);

	s = repeat(" ", 131073, &len);
	assert_int_equal(kp_policy_check_text(s, len, KP_DIALECT_AWS, &err),
					 KP_ERR_VALIDATION);
	assert_string_equal(err.message, MSG_TOO_LONG);
	assert_non_null(strstr(err.detail, "131073"));
	free(s);
}

static void
test_text_quota_through_parse(void **state)
{
	/* a valid policy padded with whitespace past the quota */
	const char *base = SEED_DEFAULT;
	size_t		blen = strlen(base);
	size_t		len = KP_AWS_POLICY_QUOTA + 1;
	char	   *doc = malloc(len + 1);

	assert_non_null(doc);
	memset(doc, ' ', len);
	memcpy(doc, base, blen);
	doc[len] = '\0';
	refuse_key(doc, KP_ERR_LIMIT, MSG_QUOTA, "", "32769");

	/* exactly at the quota it is accepted */
	doc[len - 1] = '\0';
	accept_key(doc);
	free(doc);
}

static void
test_text_alibaba_bytes(void **state)
{
	kp_error	err;
	size_t		len;
	char	   *s;

	s = repeat("\xc3\xa9", 16384, &len);	/* 32768 bytes */
	assert_int_equal(kp_policy_check_text(s, len, KP_DIALECT_ALIBABA, &err), KP_OK);
	free(s);
	s = repeat("\xe2\x82\xac", 10923, &len);	/* 32769 bytes */
	assert_int_equal(kp_policy_check_text(s, len, KP_DIALECT_ALIBABA, &err),
					 KP_ERR_LIMIT);
	assert_non_null(strstr(err.detail, "32769"));
	free(s);
}

/* ------------------------------------------------------------------------
 * Seed policies
 * ------------------------------------------------------------------------ */

static void
test_seed_default(void **state)
{
	kp_policy  *p = accept_opts(&aws_key, SEED_DEFAULT);
	kp_statement *st;

	assert_int_equal(p->dialect, KP_DIALECT_AWS);
	assert_int_equal(p->kind, KP_DOC_KEY_POLICY);
	assert_int_equal(p->version, KP_VERSION_2012);
	assert_string_equal(p->id, "key-default-1");
	assert_int_equal(p->n_statements, 1);
	st = &p->statements[0];
	assert_string_equal(st->sid, "Enable IAM User Permissions");
	assert_true(st->allow);
	assert_int_equal(st->n_principals, 1);
	assert_int_equal(st->principals[0].kind, KP_PRIN_AWS);
	assert_string_equal(st->principals[0].value, "arn:aws:iam::111122223333:root");
	assert_string_equal(st->principals[0].arn, "arn:aws:iam::111122223333:root");
	assert_string_equal(st->principals[0].path, "Statement[0].Principal.AWS");
	assert_false(st->not_action);
	assert_int_equal(st->n_actions, 1);
	assert_string_equal(st->actions[0], "kms:*");
	assert_false(st->not_resource);
	assert_int_equal(st->n_resources, 1);
	assert_string_equal(st->resources[0], "*");
	assert_int_equal(st->n_conditions, 0);
	assert_null(st->conditions);
	kp_policy_free(p);
}

static void
test_seed_002(void **state)
{
	kp_policy  *p;

	p = accept_opts(&aws_key, SEED_EXAMPLE_USER);
	assert_int_equal(p->n_statements, 1);
	assert_null(p->id);
	assert_int_equal(p->statements[0].n_actions, 5);
	assert_string_equal(p->statements[0].actions[1], "kms:GenerateDataKey*");
	assert_string_equal(p->statements[0].principals[0].arn,
						"arn:aws:iam::111122223333:user/ExampleUser");
	kp_policy_free(p);

	p = accept_opts(&aws_key, SEED_PHP);
	assert_int_equal(p->n_statements, 2);
	/* duplicate Sids are allowed */
	assert_string_equal(p->statements[0].sid, p->statements[1].sid);
	assert_string_equal(p->statements[0].principals[0].arn,
						"arn:aws:iam::111122223333:user/root");
	kp_policy_free(p);

	p = accept_opts(&aws_key, SEED_NODE);
	assert_int_equal(p->n_statements, 2);
	assert_string_equal(p->statements[1].principals[0].path,
						"Statement[1].Principal.AWS");
	kp_policy_free(p);

	accept_key(SEED_POWERSHELL);
}

static void
test_seed_004(void **state)
{
	kp_policy  *p = accept_opts(&aws_key, SEED_004);
	kp_statement *st;
	kp_condition *cd;

	assert_int_equal(p->n_statements, 4);
	assert_string_equal(p->id, "custom-policy-2016-12-07");
	st = &p->statements[1];
	assert_int_equal(st->n_principals, 2);
	assert_string_equal(st->principals[1].arn,
						"arn:aws:iam::111122223333:role/ExampleAdminRole");
	assert_string_equal(st->principals[1].path, "Statement[1].Principal.AWS[1]");
	assert_int_equal(st->n_actions, 12);
	st = &p->statements[3];
	assert_int_equal(st->n_conditions, 1);
	cd = &st->conditions[0];
	assert_int_equal(cd->op, KP_OP_BOOL);
	assert_int_equal(cd->set_op, KP_SET_NONE);
	assert_false(cd->if_exists);
	assert_string_equal(cd->op_text, "Bool");
	assert_string_equal(cd->key, "kms:GrantIsForAWSResource");
	assert_int_equal(cd->n_values, 1);
	assert_string_equal(cd->values[0], "true");
	assert_string_equal(cd->path,
						"Statement[3].Condition.Bool.kms:GrantIsForAWSResource");
	kp_policy_free(p);
}

static void
test_seed_alibaba(void **state)
{
	kp_policy  *p = accept_opts(&alibaba_key, SEED_ALIBABA);
	kp_statement *st;

	assert_int_equal(p->dialect, KP_DIALECT_ALIBABA);
	assert_int_equal(p->version, KP_VERSION_ALIBABA_1);
	assert_int_equal(p->n_statements, 1);
	st = &p->statements[0];
	assert_string_equal(st->sid, "kms default key policy");
	assert_int_equal(st->n_principals, 2);
	assert_int_equal(st->principals[0].kind, KP_PRIN_RAM);
	assert_string_equal(st->principals[0].arn, "acs:ram::1903253031261234:*");
	assert_string_equal(st->principals[1].path, "Statement[0].Principal.RAM[1]");
	assert_string_equal(st->actions[0], "kms:*");
	assert_string_equal(st->resources[0], "*");
	kp_policy_free(p);
	/* the AWS grammar refuses it */
	refuse_opts(&aws_key, SEED_ALIBABA, KP_ERR_MALFORMED, NULL, "Version", NULL);
}

/* ------------------------------------------------------------------------
 * Top level
 * ------------------------------------------------------------------------ */

static void
test_top_level(void **state)
{
	kp_policy  *p;

	malformed("{\"Version\":\"2012-10-17\",\"Foo\":1,\"Statement\":[" STMT("") "]}",
			  "Foo");
	/* element names are case-sensitive */
	malformed("{\"Version\":\"2012-10-17\",\"statement\":[" STMT("") "]}",
			  "statement");
	malformed("{\"Version\":\"2012-10-18\",\"Statement\":[" STMT("") "]}",
			  "Version");
	malformed("{\"Version\":2012,\"Statement\":[" STMT("") "]}", "Version");
	malformed("{\"Version\":\"2012-10-17\",\"Id\":7,\"Statement\":[" STMT("") "]}",
			  "Id");
	refuse_key("{\"Version\":\"2012-10-17\"}", KP_ERR_MALFORMED, NULL, "",
			   "no Statement");
	malformed("{\"Version\":\"2012-10-17\",\"Statement\":[]}", "Statement");
	malformed("{\"Version\":\"2012-10-17\",\"Statement\":\"x\"}", "Statement");
	malformed("{\"Version\":\"2012-10-17\",\"Statement\":null}", "Statement");
	malformed("{\"Statement\":[" STMT("") ",\"x\"]}", "Statement[1]");
	malformed("{\"Statement\":[" STMT("") ",[]]}", "Statement[1]");

	p = accept_opts(&aws_key, "{\"Statement\":[" STMT("") "]}");
	assert_int_equal(p->version, KP_VERSION_NONE);
	kp_policy_free(p);
	p = accept_opts(&aws_key, "{\"Version\":\"2008-10-17\",\"Id\":\"my id\","
					"\"Statement\":[" STMT("") "]}");
	assert_int_equal(p->version, KP_VERSION_2008);
	assert_string_equal(p->id, "my id");
	kp_policy_free(p);

	/* Statement as a single object: paths have no index */
	p = accept_opts(&aws_key, "{\"Version\":\"2012-10-17\",\"Statement\":" STMT("") "}");
	assert_int_equal(p->n_statements, 1);
	assert_string_equal(p->statements[0].principals[0].path,
						"Statement.Principal.AWS");
	kp_policy_free(p);
	refuse_key("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
			   "\"Resource\":\"*\"}}", KP_ERR_MALFORMED, MSG_NO_PRINCIPAL,
			   "Statement", NULL);
}

static void
test_json_errors(void **state)
{
	kp_error	err;
	kp_policy  *p = NULL;
	const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":[" STMT("") "]";

	assert_int_equal(kp_policy_parse(doc, strlen(doc), &aws_key, &p, &err),
					 KP_ERR_MALFORMED);
	assert_null(p);
	assert_true(err.offset >= 0);
	doc = "[1]";
	assert_int_equal(kp_policy_parse(doc, strlen(doc), &aws_key, &p, &err),
					 KP_ERR_MALFORMED);
	assert_null(p);
	/* nesting beyond max_depth */
	{
		kp_parse_opts o = aws_key;
		const char *deep = DOC_C("{\"StringEquals\":{\"kms:CallerAccount\":[[[[[[\"x\"]]]]]]}}");

		o.max_depth = 6;
		assert_int_equal(kp_policy_parse(deep, strlen(deep), &o, &p, &err),
						 KP_ERR_MALFORMED);
		assert_null(p);
	}
}

static void
test_null_out_and_err(void **state)
{
	kp_policy  *p = NULL;
	const char *doc = SEED_DEFAULT;

	assert_int_equal(kp_policy_parse(doc, strlen(doc), &aws_key, NULL, NULL), KP_OK);
	assert_int_equal(kp_policy_parse("{}", 2, &aws_key, NULL, NULL), KP_ERR_MALFORMED);
	/* default options: AWS key policy, partition "aws" */
	doc = DOC_P("{\"AWS\":\"444455556666\"}");
	assert_int_equal(kp_policy_parse(doc, strlen(doc), NULL, &p, NULL), KP_OK);
	assert_string_equal(p->statements[0].principals[0].arn,
						"arn:aws:iam::444455556666:root");
	kp_policy_free(p);
	kp_policy_free(NULL);
}

/* ------------------------------------------------------------------------
 * Statement elements
 * ------------------------------------------------------------------------ */

static void
test_statement_elements(void **state)
{
	kp_policy  *p;

	malformed(POLICY(STMT(",\"Foo\":1")), "Statement[0].Foo");
	malformed(POLICY(STMT("") "," STMT(",\"effect\":\"Allow\"")),
			  "Statement[1].effect");
	malformed(POLICY(STMT(",\"Sid\":5")), "Statement[0].Sid");
	/* any characters in a key-policy Sid */
	p = accept_opts(&aws_key, POLICY(STMT(",\"Sid\":\"Allow use: #1 (\\u00e9)\"")));
	assert_string_equal(p->statements[0].sid, "Allow use: #1 (\xc3\xa9)");
	kp_policy_free(p);

	/* Effect */
	refuse_key(RAW("\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":\"*\""),
			   KP_ERR_MALFORMED, NULL, "Statement[0]", "Effect");
	malformed(RAW("\"Effect\":\"allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":\"*\""),
			  "Statement[0].Effect");
	malformed(RAW("\"Effect\":true,\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":\"*\""),
			  "Statement[0].Effect");
	p = accept_opts(&aws_key, RAW("\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\""));
	assert_false(p->statements[0].allow);
	kp_policy_free(p);

	/* Principal */
	refuse_key(RAW("\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\""),
			   KP_ERR_MALFORMED, MSG_NO_PRINCIPAL, "Statement[0]", NULL);
	refuse_key(POLICY(STMT("") "," "{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"),
			   KP_ERR_MALFORMED, MSG_NO_PRINCIPAL, "Statement[1]", NULL);
	refuse_key(RAW("\"Effect\":\"Allow\",\"NotPrincipal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":\"*\""),
			   KP_ERR_MALFORMED, NULL, "Statement[0].NotPrincipal",
			   "key policies do not support NotPrincipal");
	refuse_key(POLICY(STMT(",\"NotPrincipal\":" ROOT)),
			   KP_ERR_MALFORMED, NULL, "Statement[0].NotPrincipal",
			   "key policies do not support NotPrincipal");

	/* Action / NotAction */
	malformed(POLICY(STMT(",\"NotAction\":\"kms:Decrypt\"")), "Statement[0]");
	refuse_key(RAW("\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Resource\":\"*\""),
			   KP_ERR_MALFORMED, NULL, "Statement[0]", "NotAction");
	p = accept_opts(&aws_key, RAW("\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":[\"kms:Decrypt\",\"kms:Encrypt\"],\"Resource\":\"*\""));
	assert_true(p->statements[0].not_action);
	assert_int_equal(p->statements[0].n_actions, 2);
	kp_policy_free(p);
	malformed(DOC_A("3"), "Statement[0].Action");
	malformed(DOC_A("[]"), "Statement[0].Action");
	malformed(DOC_A("[\"kms:Decrypt\",null]"), "Statement[0].Action[1]");
	malformed(DOC_A("{\"kms\":\"Decrypt\"}"), "Statement[0].Action");
}

static void
test_resource(void **state)
{
	kp_policy  *p;

	refuse_key(RAW("\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\""),
			   KP_ERR_MALFORMED, NULL, "Statement[0]", RESOURCE_STAR_TEXT);
	refuse_key(RAW("\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\""),
			   KP_ERR_MALFORMED, NULL, "Statement[0].Resource", RESOURCE_STAR_TEXT);
	refuse_key(RAW("\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"NotResource\":\"*\""),
			   KP_ERR_MALFORMED, NULL, "Statement[0].NotResource", RESOURCE_STAR_TEXT);
	refuse_key(POLICY(STMT(",\"NotResource\":\"*\"")),
			   KP_ERR_MALFORMED, NULL, "Statement[0].NotResource", RESOURCE_STAR_TEXT);
	malformed(RAW("\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":[]"),
			  "Statement[0].Resource");
	malformed(RAW("\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":[\"*\",\"*\"]"),
			  "Statement[0].Resource");
	malformed(RAW("\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":1"),
			  "Statement[0].Resource");
	malformed(RAW("\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":\"**\""),
			  "Statement[0].Resource");
	p = accept_opts(&aws_key, RAW("\"Effect\":\"Allow\",\"Principal\":" ROOT ",\"Action\":\"kms:*\",\"Resource\":[\"*\"]"));
	assert_int_equal(p->statements[0].n_resources, 1);
	assert_string_equal(p->statements[0].resources[0], "*");
	kp_policy_free(p);
}

/* ------------------------------------------------------------------------
 * Principals
 * ------------------------------------------------------------------------ */

static void
test_principal_forms(void **state)
{
	kp_policy  *p;
	kp_statement *st;
	kp_parse_opts cn = aws_key;

	p = accept_opts(&aws_key, DOC_P("\"*\""));
	st = &p->statements[0];
	assert_int_equal(st->n_principals, 1);
	assert_int_equal(st->principals[0].kind, KP_PRIN_ANY);
	assert_string_equal(st->principals[0].value, "*");
	assert_string_equal(st->principals[0].path, "Statement[0].Principal");
	kp_policy_free(p);

	p = accept_opts(&aws_key, DOC_P("{\"AWS\":\"*\"}"));
	assert_int_equal(p->statements[0].principals[0].kind, KP_PRIN_ANY);
	assert_string_equal(p->statements[0].principals[0].path, "Statement[0].Principal.AWS");
	kp_policy_free(p);

	p = accept_opts(&aws_key, DOC_P("{\"AWS\":[\"444455556666\","
									"\"arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/Bob\","
									"\"arn:aws:iam::111122223333:role/service-role/My.Role+=,@_-\","
									"\"arn:aws:sts::111122223333:assumed-role/Admin/session@example.com\","
									"\"arn:aws:sts::111122223333:federated-user/Carol\","
									"\"arn:aws-us-gov:iam::111122223333:root\"],"
									"\"Service\":[\"cloudtrail.amazonaws.com\","
									"\"logs.us-east-1.amazonaws.com\",\"s3.amazonaws.com.cn\"]}"));
	st = &p->statements[0];
	assert_int_equal(st->n_principals, 9);
	assert_int_equal(st->principals[0].kind, KP_PRIN_AWS);
	assert_string_equal(st->principals[0].value, "444455556666");
	assert_string_equal(st->principals[0].arn, "arn:aws:iam::444455556666:root");
	assert_string_equal(st->principals[0].path, "Statement[0].Principal.AWS[0]");
	assert_string_equal(st->principals[3].arn,
						"arn:aws:sts::111122223333:assumed-role/Admin/session@example.com");
	assert_int_equal(st->principals[6].kind, KP_PRIN_SERVICE);
	assert_string_equal(st->principals[6].value, "cloudtrail.amazonaws.com");
	assert_string_equal(st->principals[6].arn, "cloudtrail.amazonaws.com");
	assert_string_equal(st->principals[8].path, "Statement[0].Principal.Service[2]");
	kp_policy_free(p);

	/* Service first: document order is kept */
	p = accept_opts(&aws_key, DOC_P("{\"Service\":\"s3.amazonaws.com\",\"AWS\":\"111122223333\"}"));
	assert_int_equal(p->statements[0].principals[0].kind, KP_PRIN_SERVICE);
	assert_string_equal(p->statements[0].principals[0].path, "Statement[0].Principal.Service");
	assert_int_equal(p->statements[0].principals[1].kind, KP_PRIN_AWS);
	kp_policy_free(p);

	/* an account id takes the key's partition */
	cn.partition = "aws-cn";
	p = accept_opts(&cn, DOC_P("{\"AWS\":\"444455556666\"}"));
	assert_string_equal(p->statements[0].principals[0].arn,
						"arn:aws-cn:iam::444455556666:root");
	kp_policy_free(p);
}

static void
test_principal_invalid(void **state)
{
	bad_principal(DOC_P("\"bob\""), "Statement[0].Principal");
	bad_principal(DOC_P("[\"*\"]"), "Statement[0].Principal");
	/* empty principals are AWS's "no principal" */
	no_principal(DOC_P("{}"));
	no_principal(DOC_P("\"\""));
	no_principal(DOC_P("{\"AWS\":[]}"));
	no_principal(DOC_P("{\"AWS\":\"\"}"));
	no_principal(DOC_P("{\"AWS\":[\"\"]}"));
	no_principal(DOC_P("{\"AWS\":[],\"Service\":[\"\"]}"));
	/* an empty value beside a real one is an invalid principal */
	bad_principal(DOC_P("{\"AWS\":[\"111122223333\",\"\"]}"), "Statement[0].Principal.AWS[1]");
	bad_principal(DOC_P("null"), "Statement[0].Principal");
	refuse_key(DOC_P("{\"Federated\":\"cognito-identity.amazonaws.com\"}"),
			   KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS,
			   "Statement[0].Principal.Federated", "not supported in a key policy");
	refuse_key(DOC_P("{\"AWS\":\"111122223333\",\"CanonicalUser\":\"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be\"}"),
			   KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS,
			   "Statement[0].Principal.CanonicalUser", "not supported in a key policy");
	bad_principal(DOC_P("{\"aws\":\"111122223333\"}"), "Statement[0].Principal.aws");
	bad_principal(DOC_P("{\"AWS\":\"bob\"}"), "Statement[0].Principal.AWS");
	bad_principal(DOC_P("{\"AWS\":[\"111122223333\",\"AROAEXAMPLEID\"]}"),
				  "Statement[0].Principal.AWS[1]");
	bad_principal(DOC_P("{\"AWS\":\"11112222333\"}"), "Statement[0].Principal.AWS");
	bad_principal(DOC_P("{\"AWS\":\"ARN:aws:iam::111122223333:root\"}"),
				  "Statement[0].Principal.AWS");
	bad_principal(DOC_P("{\"AWS\":123}"), "Statement[0].Principal.AWS");
	bad_principal(DOC_P("{\"AWS\":[\"*\",{}]}"), "Statement[0].Principal.AWS[1]");
	bad_principal(DOC_P("{\"Service\":\"Cloudtrail.amazonaws.com\"}"),
				  "Statement[0].Principal.Service");
	bad_principal(DOC_P("{\"Service\":\"cloudtrail\"}"), "Statement[0].Principal.Service");
	bad_principal(DOC_P("{\"Service\":\".amazonaws.com\"}"), "Statement[0].Principal.Service");
	bad_principal(DOC_P("{\"Service\":\"a..b.amazonaws.com\"}"), "Statement[0].Principal.Service");
	bad_principal(DOC_P("{\"Service\":\"*\"}"), "Statement[0].Principal.Service");
	bad_principal(DOC_P("{\"Service\":[\"s3.amazonaws.com\",\"s3_x.amazonaws.com\"]}"),
				  "Statement[0].Principal.Service[1]");
}

static void
test_principal_invalid_arn(void **state)
{
	/*
	 * A malformed principal ARN is MalformedPolicyDocumentException "one or
	 * more invalid principals" (public Terraform module issues); a
	 * well-formed ARN of a kind that cannot be a principal is
	 * InvalidArnException.
	 */
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws::us-east-1:111122223333:root\"}"),
				  "Statement[0].Principal.AWS", "no valid service part");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:iam::111122223333\"}"),
				  "Statement[0].Principal.AWS", "six parts");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws\"}"), "Statement[0].Principal.AWS", "six parts");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:iam::111122223333:root:extra\"}"),
				  "Statement[0].Principal.AWS", "too many parts");
	malformed_arn(DOC_P("{\"AWS\":\"arn:foo:iam::111122223333:root\"}"),
				  "Statement[0].Principal.AWS", "partition \"foo\"");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:iam::12345:root\"}"),
				  "Statement[0].Principal.AWS", "12 digits");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:iam:::root\"}"),
				  "Statement[0].Principal.AWS", "12 digits");
	malformed_arn(DOC_P("{\"AWS\":[\"*\",\"arn:aws:iam::111122223333:user/\"]}"),
				  "Statement[0].Principal.AWS[1]", "user name");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:iam::111122223333:role/a//b\"}"),
				  "Statement[0].Principal.AWS", "role name");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:iam::111122223333:user/*\"}"),
				  "Statement[0].Principal.AWS", "wildcard");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:iam::111122223333:role/Admin?\"}"),
				  "Statement[0].Principal.AWS", "wildcard");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:iam::*:root\"}"),
				  "Statement[0].Principal.AWS", "wildcard");
	bad_arn(DOC_P("{\"AWS\":\"arn:aws:iam::111122223333:group/Admins\"}"),
			"Statement[0].Principal.AWS", "IAM groups cannot be principals");
	bad_arn(DOC_P("{\"AWS\":\"arn:aws:iam::111122223333:instance-profile/web\"}"),
			"Statement[0].Principal.AWS", "instance profiles cannot be principals");
	bad_arn(DOC_P("{\"AWS\":\"arn:aws:iam::111122223333:policy/p\"}"),
			"Statement[0].Principal.AWS", "resource \"policy/p\"");
	bad_arn(DOC_P("{\"AWS\":\"arn:aws:iam::111122223333:Root\"}"),
			"Statement[0].Principal.AWS", "resource \"Root\"");
	bad_arn(DOC_P("{\"AWS\":\"arn:aws:s3:::bucket\"}"),
			"Statement[0].Principal.AWS", "service \"s3\"");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:iam:us-east-1:111122223333:root\"}"),
				  "Statement[0].Principal.AWS", "region \"us-east-1\"");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:sts::111122223333:assumed-role/Admin\"}"),
				  "Statement[0].Principal.AWS", "assumed-role/<role>/<session>");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:sts::111122223333:assumed-role/Admin/s/x\"}"),
				  "Statement[0].Principal.AWS", "assumed-role/<role>/<session>");
	malformed_arn(DOC_P("{\"AWS\":\"arn:aws:sts::111122223333:federated-user/\"}"),
				  "Statement[0].Principal.AWS", "federated user");
	bad_arn(DOC_P("{\"AWS\":\"arn:aws:sts::111122223333:role/x\"}"),
			"Statement[0].Principal.AWS", "STS principal ARN");
}

/* ------------------------------------------------------------------------
 * Actions
 * ------------------------------------------------------------------------ */

static void
test_actions(void **state)
{
	kp_policy  *p;

	p = accept_opts(&aws_key, DOC_A("[\"*\",\"kms:*\",\"KMS:getkeypolicy\",\"kms:Get*\","
									"\"kms:?ecrypt\",\"kms:*Key*\",\"s3:GetObject\",\"s3:*\","
									"\"ec2-instance-connect:Send*\",\"kms:ListKeyPolicies\"]"));
	assert_int_equal(p->statements[0].n_actions, 10);
	/* kept as written */
	assert_string_equal(p->statements[0].actions[2], "KMS:getkeypolicy");
	kp_policy_free(p);

	/* accepted with a note: they name no KMS action */
	p = accept_opts(&aws_key, DOC_A("[\"kms:GetKeyPolicy\",\"kms:GetKeyPolcy\"]"));
	assert_int_equal(p->n_notes, 1);
	assert_string_equal(p->notes[0].path, "Statement[0].Action[1]");
	assert_string_equal(p->notes[0].value, "kms:GetKeyPolcy");
	assert_string_equal(p->notes[0].detail,
						"Statement[0].Action[1]: \"kms:GetKeyPolcy\" names no KMS action; this statement allows nothing through it.");
	kp_policy_free(p);
	p = accept_opts(&aws_key, DOC_A("\"kms:Foo*\""));
	assert_int_equal(p->n_notes, 1);
	assert_non_null(strstr(p->notes[0].detail, "matches no KMS action"));
	kp_policy_free(p);
	p = accept_opts(&aws_key, DOC_A("[\"kms=GenerateDataKey\",\"kms:Decrypt?\",\"s3\",\"kms:\","
									"\":Decrypt\",\"kms:Get-Key\",\"kms :Decrypt\",\"kms:kms:Decrypt\","
									"\"s3_x:Get\",\"**\",\"s3:GetObject\",\"kms:Decrypt\"]"));
	assert_int_equal(p->n_notes, 10);
	assert_string_equal(p->notes[0].value, "kms=GenerateDataKey");
	assert_non_null(strstr(p->notes[0].detail, "is not of the form"));
	assert_string_equal(p->notes[9].path, "Statement[0].Action[9]");
	kp_policy_free(p);
	p = accept_opts(&aws_key, RAW("\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:Dcrypt\",\"Resource\":\"*\""));
	assert_int_equal(p->n_notes, 1);
	assert_non_null(strstr(p->notes[0].detail, "this statement denies nothing"));
	kp_policy_free(p);
	p = accept_opts(&aws_key, RAW("\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":[\"kms:Decrypt\",\"kms:Dcrypt\"],\"Resource\":\"*\""));
	assert_int_equal(p->n_notes, 1);
	assert_string_equal(p->notes[0].path, "Statement[0].NotAction[1]");
	assert_non_null(strstr(p->notes[0].detail, "this statement excludes nothing"));
	kp_policy_free(p);
	/* no notes for well-formed documents */
	p = accept_opts(&aws_key, DOC_A("\"kms:*\""));
	assert_int_equal(p->n_notes, 0);
	assert_null(p->notes);
	kp_policy_free(p);
	/* still refused: an empty action */
	malformed(DOC_A("\"\""), "Statement[0].Action");
	/* Alibaba keeps its own rule: well-formed kms: actions only */
	refuse_opts(&alibaba_key, ADOC("{\"RAM\":\"acs:ram::1192853035118460:root\"}", "\"kms=Decrypt\"", ""),
				KP_ERR_MALFORMED, NULL, "Statement[0].Action", "not valid");
	refuse_opts(&alibaba_key, ADOC("{\"RAM\":\"acs:ram::1192853035118460:root\"}", "\"s3:Get\"", ""),
				KP_ERR_MALFORMED, NULL, "Statement[0].Action", "does not start with");
}

static void
test_action_table(void **state)
{
	assert_int_equal(kp_kms_action_count, 56);
	assert_true(kp_is_kms_action("kms:GetKeyPolicy"));
	assert_true(kp_is_kms_action("KMS:GETKEYPOLICY"));
	assert_true(kp_is_kms_action("PutKeyPolicy"));
	assert_true(kp_is_kms_action("kms:ListKeyPolicies"));
	assert_true(kp_is_kms_action("kms:CancelKeyDeletion"));
	assert_true(kp_is_kms_action("kms:VerifyMac"));
	assert_false(kp_is_kms_action("kms:GetKeyPolcy"));
	assert_false(kp_is_kms_action("kms:Get*"));
	assert_false(kp_is_kms_action("s3:GetObject"));
	assert_false(kp_is_kms_action(""));
	assert_false(kp_is_kms_action(NULL));
	assert_string_equal(kp_kms_action_canonical("kms:reencryptfrom"), "ReEncryptFrom");
}

static void
test_condition_key_table(void **state)
{
	const kp_cond_key_def *d;

	d = kp_lookup_condition_key("kms:CallerAccount");
	assert_non_null(d);
	assert_int_equal(d->type, KP_KEY_STRING);
	assert_false(d->templated);
	d = kp_lookup_condition_key("KMS:encryptioncontextkeys");
	assert_non_null(d);
	assert_int_equal(d->type, KP_KEY_ARRAY_OF_STRING);
	d = kp_lookup_condition_key("kms:EncryptionContext:Department");
	assert_non_null(d);
	assert_true(d->templated);
	assert_string_equal(d->name, "kms:EncryptionContext:");
	assert_null(kp_lookup_condition_key("kms:EncryptionContext:"));
	assert_null(kp_lookup_condition_key("kms:EncryptionContext"));
	d = kp_lookup_condition_key("aws:requesttag/Project");
	assert_non_null(d);
	assert_string_equal(d->name, "aws:RequestTag/");
	assert_non_null(kp_lookup_condition_key("aws:PrincipalTag/team"));
	assert_non_null(kp_lookup_condition_key("aws:ResourceTag/team"));
	assert_int_equal(kp_lookup_condition_key("aws:SourceIp")->type, KP_KEY_IP_ADDRESS);
	assert_int_equal(kp_lookup_condition_key("aws:CurrentTime")->type, KP_KEY_DATE);
	assert_int_equal(kp_lookup_condition_key("aws:MultiFactorAuthAge")->type, KP_KEY_NUMERIC);
	assert_int_equal(kp_lookup_condition_key("aws:SecureTransport")->type, KP_KEY_BOOL);
	assert_int_equal(kp_lookup_condition_key("aws:PrincipalArn")->type, KP_KEY_ARN);
	assert_int_equal(kp_lookup_condition_key("aws:TagKeys")->type, KP_KEY_ARRAY_OF_STRING);
	assert_non_null(kp_lookup_condition_key("aws:referer"));
	assert_non_null(kp_lookup_condition_key("aws:userid"));
	assert_non_null(kp_lookup_condition_key("kms:RecipientAttestation:PCR31"));
	assert_null(kp_lookup_condition_key("kms:CallerAcount"));
	assert_null(kp_lookup_condition_key("aws:FooBar"));
	assert_null(kp_lookup_condition_key("ec2:SourceInstanceArn"));
	assert_null(kp_lookup_condition_key(NULL));
}

/* ------------------------------------------------------------------------
 * Conditions
 * ------------------------------------------------------------------------ */

#define CP "Statement[0].Condition."

static void
test_condition_operators(void **state)
{
	kp_policy  *p;
	kp_condition *cd;

	p = accept_opts(&aws_key, DOC_C("{\"StringEqualsIfExists\":{\"kms:CallerAccount\":\"111122223333\","
									"\"kms:ViaService\":[\"ec2.us-east-1.amazonaws.com\",\"rds.us-east-1.amazonaws.com\"]},"
									"\"ForAnyValue:StringLike\":{\"kms:EncryptionContextKeys\":\"Dept*\"},"
									"\"ForAllValues:StringEquals\":{\"kms:EncryptionContextKeys\":[\"a\",\"b\"]},"
									"\"ForAnyValue:StringEqualsIgnoreCaseIfExists\":{\"aws:TagKeys\":\"x\"},"
									"\"Null\":{\"aws:SourceVpc\":true}}"));
	assert_int_equal(p->statements[0].n_conditions, 6);
	cd = &p->statements[0].conditions[0];
	assert_int_equal(cd->op, KP_OP_STRING_EQUALS);
	assert_true(cd->if_exists);
	assert_int_equal(cd->set_op, KP_SET_NONE);
	assert_string_equal(cd->op_text, "StringEqualsIfExists");
	assert_string_equal(cd->path, CP "StringEqualsIfExists.kms:CallerAccount");
	cd = &p->statements[0].conditions[1];
	assert_int_equal(cd->n_values, 2);
	assert_string_equal(cd->values[1], "rds.us-east-1.amazonaws.com");
	cd = &p->statements[0].conditions[2];
	assert_int_equal(cd->op, KP_OP_STRING_LIKE);
	assert_int_equal(cd->set_op, KP_SET_FOR_ANY_VALUE);
	assert_false(cd->if_exists);
	cd = &p->statements[0].conditions[3];
	assert_int_equal(cd->set_op, KP_SET_FOR_ALL_VALUES);
	cd = &p->statements[0].conditions[4];
	assert_int_equal(cd->op, KP_OP_STRING_EQUALS_IGNORE_CASE);
	assert_int_equal(cd->set_op, KP_SET_FOR_ANY_VALUE);
	assert_true(cd->if_exists);
	cd = &p->statements[0].conditions[5];
	assert_int_equal(cd->op, KP_OP_NULL);
	assert_string_equal(cd->values[0], "true");
	assert_string_equal(cd->path, CP "Null.aws:SourceVpc");
	kp_policy_free(p);

	/* every operator, with and without IfExists */
	accept_key(DOC_C("{\"StringNotEquals\":{\"kms:ViaService\":\"x\"},"
					 "\"StringNotEqualsIgnoreCase\":{\"kms:ViaService\":\"x\"},"
					 "\"StringNotLikeIfExists\":{\"kms:ViaService\":\"x*\"},"
					 "\"NumericEquals\":{\"kms:RotationPeriodInDays\":90},"
					 "\"NumericNotEquals\":{\"kms:RotationPeriodInDays\":\"90\"},"
					 "\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"},"
					 "\"NumericLessThanEquals\":{\"aws:MultiFactorAuthAge\":-2.5},"
					 "\"NumericGreaterThan\":{\"aws:MultiFactorAuthAge\":\"-2.5\"},"
					 "\"NumericGreaterThanEqualsIfExists\":{\"aws:MultiFactorAuthAge\":1.5e3},"
					 "\"DateEquals\":{\"aws:CurrentTime\":\"2019-07-16\"},"
					 "\"DateNotEquals\":{\"aws:CurrentTime\":\"2019-07-16T12:00:00Z\"},"
					 "\"DateLessThan\":{\"aws:CurrentTime\":\"2019-07-16T12:00+05:30\"},"
					 "\"DateLessThanEquals\":{\"aws:CurrentTime\":\"2019-07-16T12:00:00.123Z\"},"
					 "\"DateGreaterThan\":{\"aws:EpochTime\":1563278400},"
					 "\"DateGreaterThanEquals\":{\"aws:TokenIssueTime\":\"1563278400\"},"
					 "\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"TRUE\"},"
					 "\"BinaryEquals\":{\"kms:ViaService\":\"QmluYXJ5VmFsdWU=\"},"
					 "\"IpAddress\":{\"aws:SourceIp\":[\"203.0.113.0/24\",\"2001:db8::/32\",\"10.0.0.1\",\"::1\"]},"
					 "\"NotIpAddress\":{\"aws:SourceIp\":\"192.0.2.0/0\"},"
					 "\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/*\"},"
					 "\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:*:111122223333:trail/*\"},"
					 "\"ArnNotEquals\":{\"aws:PrincipalArn\":\"x\"},"
					 "\"ArnNotLikeIfExists\":{\"aws:PrincipalArn\":\"x\"}}"));

	malformed(DOC_C("{\"StringEqual\":{\"kms:CallerAccount\":\"1\"}}"), CP "StringEqual");
	malformed(DOC_C("{\"stringequals\":{\"kms:CallerAccount\":\"1\"}}"), CP "stringequals");
	malformed(DOC_C("{\"NullIfExists\":{\"aws:SourceVpc\":\"true\"}}"), CP "NullIfExists");
	malformed(DOC_C("{\"ForAnyValue:Null\":{\"aws:SourceVpc\":\"true\"}}"), CP "ForAnyValue:Null");
	malformed(DOC_C("{\"ForAllValues:StringEqualsIfExistsIfExists\":{\"aws:TagKeys\":\"a\"}}"),
			  CP "ForAllValues:StringEqualsIfExistsIfExists");
	malformed(DOC_C("{\"forAnyValue:StringEquals\":{\"aws:TagKeys\":\"a\"}}"),
			  CP "forAnyValue:StringEquals");
	malformed(DOC_C("{\"IfExists\":{\"aws:TagKeys\":\"a\"}}"), CP "IfExists");
	malformed(DOC_C("{\"StringEquals\":\"kms:CallerAccount\"}"), CP "StringEquals");
	malformed(DOC_C("{\"StringEquals\":[]}"), CP "StringEquals");
	malformed(DOC_C("\"StringEquals\""), "Statement[0].Condition");
	malformed(DOC_C("[]"), "Statement[0].Condition");

	/* empty Condition blocks are harmless */
	p = accept_opts(&aws_key, DOC_C("{}"));
	assert_int_equal(p->statements[0].n_conditions, 0);
	kp_policy_free(p);
	accept_key(DOC_C("{\"StringEquals\":{}}"));
}

static void
test_condition_keys(void **state)
{
	kp_policy  *p;

	p = accept_opts(&aws_key, DOC_C("{\"StringEquals\":{\"kms:EncryptionContext:Department\":\"IT\","
									"\"kms:encryptioncontext:project\":\"x\","
									"\"aws:sourcevpc\":\"vpc-1\","
									"\"aws:RequestTag/Project\":\"Alpha\","
									"\"aws:PrincipalTag/team\":\"blue\","
									"\"s3:prefix\":\"home/\","
									"\"ec2:SourceInstanceArn\":\"x\","
									"\"my-svc:Some Key/With:Colons\":\"x\"}}"));
	assert_int_equal(p->statements[0].n_conditions, 8);
	/* kept as written */
	assert_string_equal(p->statements[0].conditions[1].key, "kms:encryptioncontext:project");
	kp_policy_free(p);

	malformed(DOC_C("{\"StringEquals\":{\"kms:CallerAcount\":\"1\"}}"),
			  CP "StringEquals.kms:CallerAcount");
	malformed(DOC_C("{\"StringEquals\":{\"aws:FooBar\":\"1\"}}"), CP "StringEquals.aws:FooBar");
	malformed(DOC_C("{\"StringEquals\":{\"kms:EncryptionContext:\":\"1\"}}"),
			  CP "StringEquals.kms:EncryptionContext:");
	malformed(DOC_C("{\"StringEquals\":{\"aws:RequestTag/\":\"1\"}}"),
			  CP "StringEquals.aws:RequestTag/");
	malformed(DOC_C("{\"StringEquals\":{\"CallerAccount\":\"1\"}}"), CP "StringEquals.CallerAccount");
	malformed(DOC_C("{\"StringEquals\":{\":x\":\"1\"}}"), CP "StringEquals.:x");
	malformed(DOC_C("{\"StringEquals\":{\"s3:\":\"1\"}}"), CP "StringEquals.s3:");
	malformed(DOC_C("{\"StringEquals\":{\"s 3:x\":\"1\"}}"), CP "StringEquals.s 3:x");
}

static void
test_condition_forbidden_keys(void **state)
{
	const char *doc = POLICY(STMT(",\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":\"1\","
								  "\"aws:ResourceTag/Project\":\"Alpha\"}}") ","
							 STMT(",\"Condition\":{\"StringLike\":{\"kms:ResourceTag/x\":\"y\"},"
								  "\"ForAnyValue:StringEquals\":{\"kms:ResourceAliases\":\"alias/a\","
								  "\"aws:ResourceTag/Project\":\"Beta\"}}"));

	refuse_key(doc, KP_ERR_MALFORMED,
			   "These condition keys are not permitted in a key policy: "
			   "aws:ResourceTag/Project, kms:ResourceTag/x, kms:ResourceAliases",
			   CP "StringEquals.aws:ResourceTag/Project", NULL);
	refuse_key(DOC_C("{\"ForAnyValue:StringEquals\":{\"KMS:resourcealiases\":\"alias/a\"}}"),
			   KP_ERR_MALFORMED,
			   "These condition keys are not permitted in a key policy: KMS:resourcealiases",
			   CP "ForAnyValue:StringEquals.KMS:resourcealiases", NULL);
	/* an earlier, unrelated problem is reported first */
	malformed(POLICY(STMT(",\"Action\":\"kms:Foo\"") ","
					 STMT(",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/P\":\"x\"}}")),
			  "Statement[0]");
	/* allowed in identity policies */
	accept_free(&aws_identity,
				IDOC(",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/Project\":\"A\"},"
					 "\"ForAnyValue:StringLike\":{\"kms:ResourceAliases\":\"alias/x*\"}}"));
}

static void
test_condition_for_all_values(void **state)
{
	refuse_key(DOC_C("{\"ForAllValues:StringEquals\":{\"kms:EncryptionContext:Dept\":\"IT\"}}"),
			   KP_ERR_MALFORMED, MSG_OVERLY("encryption context"),
			   CP "ForAllValues:StringEquals.kms:EncryptionContext:Dept", NULL);
	refuse_key(DOC_C("{\"ForAllValues:StringLike\":{\"aws:RequestTag/Project\":\"*\"}}"),
			   KP_ERR_MALFORMED, MSG_OVERLY("tag"),
			   CP "ForAllValues:StringLike.aws:RequestTag/Project", NULL);
	refuse_key(DOC_C("{\"ForAllValues:StringEqualsIfExists\":{\"kms:CallerAccount\":\"1\"}}"),
			   KP_ERR_MALFORMED, MSG_OVERLY("value"),
			   CP "ForAllValues:StringEqualsIfExists.kms:CallerAccount", NULL);
	refuse_key(DOC_C("{\"ForAllValues:IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}"),
			   KP_ERR_MALFORMED, MSG_OVERLY("value"),
			   CP "ForAllValues:IpAddress.aws:SourceIp", NULL);
	/* multi-valued keys, and keys of other services, are fine */
	accept_key(DOC_C("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"],"
					 "\"kms:GrantOperations\":\"Decrypt\",\"s3:x\":\"y\"}}"));
	/* ForAnyValue with a single-valued key is allowed */
	accept_key(DOC_C("{\"ForAnyValue:StringEquals\":{\"kms:EncryptionContext:Dept\":\"IT\"}}"));
}

static void
test_condition_values(void **state)
{
	kp_policy  *p;
	kp_condition *cd;

	/* JSON scalars are kept as text */
	p = accept_opts(&aws_key, DOC_C("{\"StringEquals\":{\"kms:ViaService\":[\"x\",true,false,10,1.50,-3]}}"));
	cd = &p->statements[0].conditions[0];
	assert_int_equal(cd->n_values, 6);
	assert_string_equal(cd->values[0], "x");
	assert_string_equal(cd->values[1], "true");
	assert_string_equal(cd->values[2], "false");
	assert_string_equal(cd->values[3], "10");
	assert_string_equal(cd->values[4], "1.50");
	assert_string_equal(cd->values[5], "-3");
	kp_policy_free(p);
	p = accept_opts(&aws_key, DOC_C("{\"StringEquals\":{\"kms:ViaService\":\"\"}}"));
	assert_string_equal(p->statements[0].conditions[0].values[0], "");
	kp_policy_free(p);

	/* shape */
	malformed(DOC_C("{\"StringEquals\":{\"kms:ViaService\":{}}}"), CP "StringEquals.kms:ViaService");
	malformed(DOC_C("{\"StringEquals\":{\"kms:ViaService\":null}}"), CP "StringEquals.kms:ViaService");
	malformed(DOC_C("{\"StringEquals\":{\"kms:ViaService\":[]}}"), CP "StringEquals.kms:ViaService");
	malformed(DOC_C("{\"StringEquals\":{\"kms:ViaService\":[\"a\",[\"b\"]]}}"),
			  CP "StringEquals.kms:ViaService[1]");
	malformed(DOC_C("{\"StringEquals\":{\"kms:ViaService\":[null]}}"),
			  CP "StringEquals.kms:ViaService[0]");

	/* Numeric */
	malformed(DOC_C("{\"NumericLessThan\":{\"kms:RotationPeriodInDays\":\"ten\"}}"),
			  CP "NumericLessThan.kms:RotationPeriodInDays");
	malformed(DOC_C("{\"NumericLessThan\":{\"kms:RotationPeriodInDays\":[1,\"1.\"]}}"),
			  CP "NumericLessThan.kms:RotationPeriodInDays[1]");
	malformed(DOC_C("{\"NumericLessThan\":{\"kms:RotationPeriodInDays\":true}}"),
			  CP "NumericLessThan.kms:RotationPeriodInDays");
	malformed(DOC_C("{\"NumericLessThan\":{\"kms:RotationPeriodInDays\":\"\"}}"),
			  CP "NumericLessThan.kms:RotationPeriodInDays");
	malformed(DOC_C("{\"NumericLessThan\":{\"kms:RotationPeriodInDays\":\"${aws:x}\"}}"),
			  CP "NumericLessThan.kms:RotationPeriodInDays");

	/* Date */
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":\"2019-13-01\"}}"),
			  CP "DateLessThan.aws:CurrentTime");
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":\"2019-02-30\"}}"),
			  CP "DateLessThan.aws:CurrentTime");
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":\"2019-07-16T25:00:00Z\"}}"),
			  CP "DateLessThan.aws:CurrentTime");
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":\"2019-07-16T12:00:00\"}}"),
			  CP "DateLessThan.aws:CurrentTime");
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":\"2019-07-16T12:00:00.Z\"}}"),
			  CP "DateLessThan.aws:CurrentTime");
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":\"2019-07-16T12:00+5:30\"}}"),
			  CP "DateLessThan.aws:CurrentTime");
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":\"yesterday\"}}"),
			  CP "DateLessThan.aws:CurrentTime");
	/* epoch seconds may have a fraction, as a JSON number too */
	accept_key(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":1.5}}"));
	/* February 29 only in leap years (the evaluator's rule) */
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":\"2025-02-29\"}}"),
			  CP "DateLessThan.aws:CurrentTime");
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":\"1900-02-29T00:00:00Z\"}}"),
			  CP "DateLessThan.aws:CurrentTime");
	accept_key(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":[\"2024-02-29\",\"2000-02-29T00:00:00Z\"]}}"));
	malformed(DOC_C("{\"DateLessThan\":{\"aws:CurrentTime\":false}}"),
			  CP "DateLessThan.aws:CurrentTime");

	/* Bool / Null */
	malformed(DOC_C("{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}"), CP "Bool.aws:SecureTransport");
	malformed(DOC_C("{\"Bool\":{\"aws:SecureTransport\":1}}"), CP "Bool.aws:SecureTransport");
	malformed(DOC_C("{\"Null\":{\"aws:SourceVpc\":\"maybe\"}}"), CP "Null.aws:SourceVpc");
	accept_key(DOC_C("{\"Null\":{\"aws:SourceVpc\":[\"False\",true]},\"Bool\":{\"aws:SecureTransport\":false}}"));

	/* Binary */
	malformed(DOC_C("{\"BinaryEquals\":{\"kms:ViaService\":\"not base64!\"}}"),
			  CP "BinaryEquals.kms:ViaService");
	malformed(DOC_C("{\"BinaryEquals\":{\"kms:ViaService\":\"abc\"}}"),
			  CP "BinaryEquals.kms:ViaService");
	malformed(DOC_C("{\"BinaryEquals\":{\"kms:ViaService\":\"a=bc\"}}"),
			  CP "BinaryEquals.kms:ViaService");
	malformed(DOC_C("{\"BinaryEquals\":{\"kms:ViaService\":5}}"),
			  CP "BinaryEquals.kms:ViaService");

	/* IP */
	malformed(DOC_C("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"}}"), CP "IpAddress.aws:SourceIp");
	malformed(DOC_C("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/129\"}}"), CP "IpAddress.aws:SourceIp");
	malformed(DOC_C("{\"IpAddress\":{\"aws:SourceIp\":\"300.1.1.1\"}}"), CP "IpAddress.aws:SourceIp");
	malformed(DOC_C("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/\"}}"), CP "IpAddress.aws:SourceIp");
	malformed(DOC_C("{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"example.com\"]}}"),
			  CP "NotIpAddress.aws:SourceIp[1]");
	malformed(DOC_C("{\"IpAddress\":{\"aws:SourceIp\":10}}"), CP "IpAddress.aws:SourceIp");
}

static void
test_condition_paths_across_statements(void **state)
{
	kp_policy  *p;

	p = accept_opts(&aws_key, POLICY(STMT("") ","
									 STMT(",\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":\"1\"},"
										  "\"Bool\":{\"aws:SecureTransport\":\"true\",\"kms:MultiRegion\":false}}")));
	assert_int_equal(p->statements[1].n_conditions, 3);
	assert_string_equal(p->statements[1].conditions[2].path,
						"Statement[1].Condition.Bool.kms:MultiRegion");
	assert_string_equal(p->statements[1].conditions[2].values[0], "false");
	kp_policy_free(p);
	malformed(POLICY(STMT("") "," STMT(",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"x\"}}")),
			  "Statement[1].Condition.Bool.aws:SecureTransport");
	/* Statement as a single object */
	malformed("{\"Statement\":" STMT(",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":[true,\"x\"]}}") "}",
			  "Statement.Condition.Bool.aws:SecureTransport[1]");
}

/* ------------------------------------------------------------------------
 * Identity policies
 * ------------------------------------------------------------------------ */

static void
test_identity_policy(void **state)
{
	kp_policy  *p;

	p = accept_opts(&aws_identity,
					IDOC(",\"Resource\":[\"arn:aws:kms:*:111122223333:key/*\","
						 "\"arn:aws:kms:us-east-1:111122223333:alias/${aws:username}\","
						 "\"arn:aws:s3:::bucket/*\",\"*\",\"arn:*:kms:us-?ast-1:*:key/?\"]"));
	assert_int_equal(p->kind, KP_DOC_IDENTITY_POLICY);
	assert_int_equal(p->statements[0].n_principals, 0);
	assert_int_equal(p->statements[0].n_resources, 5);
	assert_false(p->statements[0].not_resource);
	kp_policy_free(p);

	p = accept_opts(&aws_identity, IDOC(",\"NotResource\":\"arn:aws:kms:us-east-1:111122223333:key/k\""));
	assert_true(p->statements[0].not_resource);
	kp_policy_free(p);

	refuse_opts(&aws_identity, IDOC(",\"Resource\":\"*\",\"Principal\":\"*\""),
				KP_ERR_MALFORMED, NULL, "Statement[0].Principal", NULL);
	refuse_opts(&aws_identity, IDOC(",\"Resource\":\"*\",\"NotPrincipal\":\"*\""),
				KP_ERR_MALFORMED, NULL, "Statement[0].NotPrincipal", NULL);
	refuse_opts(&aws_identity, IDOC(",\"Resource\":\"*\",\"NotResource\":\"*\""),
				KP_ERR_MALFORMED, NULL, "Statement[0]", "exactly one of Resource and NotResource");
	refuse_opts(&aws_identity, IDOC(""),
				KP_ERR_MALFORMED, NULL, "Statement[0]", "exactly one of Resource and NotResource");
	refuse_opts(&aws_identity, IDOC(",\"Resource\":[\"*\",\"bucket\"]"),
				KP_ERR_MALFORMED, NULL, "Statement[0].Resource[1]", NULL);
	refuse_opts(&aws_identity, IDOC(",\"Resource\":\"arn:foo:kms:::key/x\""),
				KP_ERR_MALFORMED, NULL, "Statement[0].Resource", NULL);
	refuse_opts(&aws_identity, IDOC(",\"Resource\":\"arn:aws:kms:us-east-1:1\""),
				KP_ERR_MALFORMED, NULL, "Statement[0].Resource", NULL);
	refuse_opts(&aws_identity, IDOC(",\"Resource\":\"arn:aws::us-east-1:1:x\""),
				KP_ERR_MALFORMED, NULL, "Statement[0].Resource", NULL);
	refuse_opts(&aws_identity, IDOC(",\"Resource\":\"arn:aws:kms:us-east-1:1:\""),
				KP_ERR_MALFORMED, NULL, "Statement[0].Resource", NULL);
	refuse_opts(&aws_identity, IDOC(",\"Resource\":[]"),
				KP_ERR_MALFORMED, NULL, "Statement[0].Resource", NULL);
}

/* ------------------------------------------------------------------------
 * Alibaba Cloud
 * ------------------------------------------------------------------------ */

#define ali_malformed(doc, path) \
	refuse_opts(&alibaba_key, doc, KP_ERR_MALFORMED, NULL, path, NULL)
#define ali_bad_principal(doc, path) \
	refuse_opts(&alibaba_key, doc, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path, NULL)
#define ali_bad_arn(doc, path) \
	refuse_opts(&alibaba_key, doc, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path, NULL)

static void
test_alibaba_document(void **state)
{
	kp_policy  *p;

	ali_malformed("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" ARAM
				  ",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}", "");
	ali_malformed("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" ARAM
				  ",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}", "Version");
	ali_malformed("{\"Version\":1,\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" ARAM
				  ",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}", "Version");
	ali_malformed("{\"Version\":\"1\",\"Id\":\"x\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" ARAM
				  ",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}", "Id");
	ali_malformed("{\"Version\":\"1\"}", "");

	/* Sid */
	p = accept_opts(&alibaba_key, ADOC(ARAM, "\"kms:*\"", ",\"Sid\":\"kms default key policy_/+=.@-\""));
	assert_string_equal(p->statements[0].sid, "kms default key policy_/+=.@-");
	kp_policy_free(p);
	ali_malformed(ADOC(ARAM, "\"kms:*\"", ",\"Sid\":\"no #hash\""), "Statement[0].Sid");
	ali_malformed(ADOC(ARAM, "\"kms:*\"", ",\"Sid\":\"caf\xc3\xa9\""), "Statement[0].Sid");
	ali_malformed(ADOC(ARAM, "\"kms:*\"",
					   ",\"Sid\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
					   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""),
				  "Statement[0].Sid");
	accept_free(&alibaba_key, ADOC(ARAM, "\"kms:*\"",
								   ",\"Sid\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
								   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""));

	/* elements */
	ali_malformed(ADOC(ARAM, "\"kms:*\"", ",\"NotAction\":\"kms:Decrypt\""), "Statement[0].NotAction");
	ali_malformed("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" ARAM
				  ",\"Resource\":\"*\"}]}", "Statement[0]");
	ali_malformed("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" ARAM
				  ",\"Action\":\"kms:*\",\"Resource\":\"acs:kms:cn-hangzhou:1234567890123456:key/key-hzz630494463ejqjx1234\"}]}",
				  "Statement[0].Resource");
	refuse_opts(&alibaba_key, "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}",
				KP_ERR_MALFORMED, MSG_NO_PRINCIPAL, "Statement[0]", NULL);
	/* € is fine in an Alibaba policy */
	accept_free(&alibaba_key, ADOC(ARAM, "\"kms:*\"",
								   ",\"Condition\":{\"StringEquals\":{\"kms:tag/cost\":\"100\xe2\x82\xac\"}}"));
}

static void
test_alibaba_principals(void **state)
{
	kp_policy  *p;

	p = accept_opts(&alibaba_key, ADOC("{\"RAM\":[\"acs:ram::1234567890123456:root\","
									   "\"acs:ram::1234567890123456:user/for_test_policy\","
									   "\"acs:ram::1:role/my-role.x\",\"acs:ram::12345678901234567890:*\"]}",
									   "\"kms:*\"", ""));
	assert_int_equal(p->statements[0].n_principals, 4);
	assert_int_equal(p->statements[0].principals[0].kind, KP_PRIN_RAM);
	assert_string_equal(p->statements[0].principals[0].path, "Statement[0].Principal.RAM[0]");
	assert_int_equal(p->statements[0].principals[1].kind, KP_PRIN_RAM);
	assert_string_equal(p->statements[0].principals[1].value,
						"acs:ram::1234567890123456:user/for_test_policy");
	kp_policy_free(p);

	/* Alibaba has no "everyone" principal */
	ali_bad_principal(ADOC("{\"RAM\":\"*\"}", "\"kms:*\"", ""), "Statement[0].Principal.RAM");
	ali_bad_principal(ADOC("{\"RAM\":[\"acs:ram::1234567890123456:root\",\"*\"]}", "\"kms:*\"", ""),
					  "Statement[0].Principal.RAM[1]");

	ali_bad_principal(ADOC("\"*\"", "\"kms:*\"", ""), "Statement[0].Principal");
	ali_bad_principal(ADOC("{\"AWS\":\"*\"}", "\"kms:*\"", ""), "Statement[0].Principal.AWS");
	ali_bad_principal(ADOC("{\"RAM\":\"acs:ram::123:root\",\"Service\":\"x\"}", "\"kms:*\"", ""),
					  "Statement[0].Principal.Service");
	refuse_opts(&alibaba_key, ADOC("{\"RAM\":[]}", "\"kms:*\"", ""), KP_ERR_MALFORMED,
				MSG_NO_PRINCIPAL, "Statement[0].Principal", NULL);
	ali_bad_principal(ADOC("{\"RAM\":\"bob\"}", "\"kms:*\"", ""), "Statement[0].Principal.RAM");
	ali_bad_principal(ADOC("{\"RAM\":\"1234567890123456\"}", "\"kms:*\"", ""),
					  "Statement[0].Principal.RAM");
	ali_bad_arn(ADOC("{\"RAM\":\"acs:ram::12ab:root\"}", "\"kms:*\"", ""), "Statement[0].Principal.RAM");
	ali_bad_arn(ADOC("{\"RAM\":\"acs:ram::123456789012345678901:root\"}", "\"kms:*\"", ""),
				"Statement[0].Principal.RAM");
	ali_bad_arn(ADOC("{\"RAM\":[\"acs:ram::123:root\",\"acs:ecs::123:root\"]}", "\"kms:*\"", ""),
				"Statement[0].Principal.RAM[1]");
	ali_bad_arn(ADOC("{\"RAM\":\"acs:ram::123:group/x\"}", "\"kms:*\"", ""), "Statement[0].Principal.RAM");
	ali_bad_arn(ADOC("{\"RAM\":\"acs:ram::123:user/\"}", "\"kms:*\"", ""), "Statement[0].Principal.RAM");
	ali_bad_arn(ADOC("{\"RAM\":\"acs:ram::123:user/a*\"}", "\"kms:*\"", ""), "Statement[0].Principal.RAM");
	ali_bad_arn(ADOC("{\"RAM\":\"acs:ram:cn-hangzhou:123:root\"}", "\"kms:*\"", ""),
				"Statement[0].Principal.RAM");
	ali_bad_arn(ADOC("{\"RAM\":\"acs:ram::123\"}", "\"kms:*\"", ""), "Statement[0].Principal.RAM");
}

static void
test_alibaba_actions_conditions(void **state)
{
	accept_free(&alibaba_key, ADOC(ARAM, "[\"kms:*\",\"KMS:Encrypt\",\"kms:GetSecretValue\",\"kms:Describe*\",\"kms:?et*\"]", ""));
	ali_malformed(ADOC(ARAM, "\"*\"", ""), "Statement[0].Action");
	ali_malformed(ADOC(ARAM, "[\"kms:*\",\"ecs:DescribeInstances\"]", ""), "Statement[0].Action[1]");
	ali_malformed(ADOC(ARAM, "\"kms:\"", ""), "Statement[0].Action");
	ali_malformed(ADOC(ARAM, "\"kms:Get_Secret\"", ""), "Statement[0].Action");

	accept_free(&alibaba_key, ADOC(ARAM, "\"kms:*\"",
								   ",\"Condition\":{\"IpAddress\":{\"acs:SourceIp\":[\"192.168.0.0/16\"]},"
								   "\"Bool\":{\"acs:SecureTransport\":\"true\",\"acs:MFAPresent\":true},"
								   "\"DateLessThan\":{\"acs:CurrentTime\":\"2026-01-01T00:00:00+08:00\"},"
								   "\"StringEquals\":{\"acs:SourceVpc\":\"vpc-1\",\"acs:AccessId\":\"x\","
								   "\"ACS:sourceip\":\"1.2.3.4\",\"kms:tag/env\":\"prod\",\"kms:Anything\":\"x\"}}"));
	ali_malformed(ADOC(ARAM, "\"kms:*\"", ",\"Condition\":{\"StringEquals\":{\"acs:Foo\":\"x\"}}"),
				  "Statement[0].Condition.StringEquals.acs:Foo");
	ali_malformed(ADOC(ARAM, "\"kms:*\"", ",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"1.2.3.4\"}}"),
				  "Statement[0].Condition.IpAddress.aws:SourceIp");
	ali_malformed(ADOC(ARAM, "\"kms:*\"", ",\"Condition\":{\"IpAddress\":{\"acs:SourceIp\":\"1.2.3.400\"}}"),
				  "Statement[0].Condition.IpAddress.acs:SourceIp");
	ali_malformed(ADOC(ARAM, "\"kms:*\"", ",\"Condition\":{\"StringEqual\":{\"acs:SourceIp\":\"x\"}}"),
				  "Statement[0].Condition.StringEqual");
}

/*
 * The text of number and boolean condition values.  Before issue 17 it was
 * json-c's serialisation (json_object_to_json_string_ext, PLAIN, 0.16) of
 * the tree it parsed: a double keeps the text it was parsed from, an integer
 * prints its int64 value (so "-0" becomes "0").  Stored policies were
 * compiled that way; the scanner's tree must give the same strings.
 */
static void
test_condition_value_text(void **state)
{
	static const char *const want[] = {
		"1.0", "1e3", "1E3", "1E+3", "1e-3", "0.1", "-0.0", "0.10", "2.50",
		"0", "0", "42", "-7", "9223372036854775807", "-9223372036854775808",
		"3.14159265358979323846", "1e-400", "12345678901234567890.5",
		"true", "false", "-1.5E-2", "x"
	};
	kp_policy  *p;
	const kp_condition *cd;
	size_t		i;

	(void) state;
	p = accept_opts(&aws_key, POLICY(
		"{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\","
		"\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":"
		"[1.0,1e3,1E3,1E+3,1e-3,0.1,-0.0,0.10,2.50,0,-0,42,-7,"
		"9223372036854775807,-9223372036854775808,3.14159265358979323846,1e-400,"
		"12345678901234567890.5,true,false,-1.5E-2,\"x\"]},"
		"\"NumericLessThanEquals\":{\"aws:MultiFactorAuthAge\":[1.0,-0,1e3,0.5]},"
		"\"Bool\":{\"aws:SecureTransport\":true},"
		"\"DateGreaterThan\":{\"aws:CurrentTime\":1700000000}}}"));
	assert_int_equal(p->statements[0].n_conditions, 4);
	cd = &p->statements[0].conditions[0];
	assert_int_equal(cd->n_values, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < cd->n_values; i++)
		assert_string_equal(cd->values[i], want[i]);
	cd = &p->statements[0].conditions[1];
	assert_string_equal(cd->op_text, "NumericLessThanEquals");
	assert_int_equal(cd->n_values, 4);
	assert_string_equal(cd->values[0], "1.0");
	assert_string_equal(cd->values[1], "0");
	assert_string_equal(cd->values[2], "1e3");
	assert_string_equal(cd->values[3], "0.5");
	assert_string_equal(p->statements[0].conditions[2].values[0], "true");
	assert_string_equal(p->statements[0].conditions[3].values[0], "1700000000");
	/* document order of operators and keys */
	assert_string_equal(p->statements[0].conditions[2].op_text, "Bool");
	assert_string_equal(p->statements[0].conditions[3].path,
						"Statement[0].Condition.DateGreaterThan.aws:CurrentTime");
	kp_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_empty),
		cmocka_unit_test(test_text_euro_sign),
		cmocka_unit_test(test_text_latin1_allowed),
		cmocka_unit_test(test_text_controls_and_bad_utf8),
		cmocka_unit_test(test_text_aws_quota),
		cmocka_unit_test(test_text_quota_through_parse),
		cmocka_unit_test(test_text_alibaba_bytes),
		cmocka_unit_test(test_seed_default),
		cmocka_unit_test(test_seed_002),
		cmocka_unit_test(test_seed_004),
		cmocka_unit_test(test_seed_alibaba),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_null_out_and_err),
		cmocka_unit_test(test_statement_elements),
		cmocka_unit_test(test_resource),
		cmocka_unit_test(test_principal_forms),
		cmocka_unit_test(test_principal_invalid),
		cmocka_unit_test(test_principal_invalid_arn),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_action_table),
		cmocka_unit_test(test_condition_key_table),
		cmocka_unit_test(test_condition_operators),
		cmocka_unit_test(test_condition_keys),
		cmocka_unit_test(test_condition_forbidden_keys),
		cmocka_unit_test(test_condition_for_all_values),
		cmocka_unit_test(test_condition_values),
		cmocka_unit_test(test_condition_paths_across_statements),
		cmocka_unit_test(test_identity_policy),
		cmocka_unit_test(test_alibaba_document),
		cmocka_unit_test(test_alibaba_principals),
		cmocka_unit_test(test_alibaba_actions_conditions),
		cmocka_unit_test(test_condition_value_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
