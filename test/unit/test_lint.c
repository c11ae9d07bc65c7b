/*
 * test_lint.c -- unit tests of policy validation findings (kp_lint.h):
 * each issue code on a minimal document, no finding on good documents, and
 * the rule that ERROR findings exist exactly when kp_policy_parse refuses a
 * document (one finding, its kp_error), over the policy seed corpus and
 * mutations of it, in both dialects and both kinds of document.
 *
 * Built without PostgreSQL and run under ASan/LSan/UBSan:
 *	make test/unit/test_lint_test && ./test/unit/test_lint_test
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kp.h"
#include "kp_lint.h"

/* the seeds of fuzz_policy: the grammar corpus documents, valid and invalid */
#define CORPUS_DIR "test/fuzz/corpus_policy"

/* a statement of a key policy: Allow, the account, the given action JSON */
#define STMT(extra) \
	"{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"}," extra ",\"Resource\":\"*\"}"
#define DOC(stmts) "{\"Version\":\"2012-10-17\",\"Statement\":[" stmts "]}"

static kp_parse_opts
opts_for(kp_dialect dialect, kp_doc_kind kind)
{
	kp_parse_opts o;

	memset(&o, 0, sizeof(o));
	o.dialect = dialect;
	o.kind = kind;
	o.partition = dialect == KP_DIALECT_ALIBABA ? "" : "aws";
	o.account = dialect == KP_DIALECT_ALIBABA ? "1192853035118460" : "111122223333";
	o.max_depth = KP_DEFAULT_MAX_DEPTH;
	return o;
}

typedef struct lint_result
{
	kp_finding *f;
	size_t		n;
} lint_result;

static lint_result
lint_as(const char *doc, size_t len, kp_dialect dialect, kp_doc_kind kind)
{
	kp_parse_opts o = opts_for(dialect, kind);
	lint_result r;
	kp_error	err;

	assert_int_equal(kp_policy_lint(doc, len, &o, &r.f, &r.n, &err), KP_OK);
	return r;
}

static lint_result
lint(const char *doc)
{
	return lint_as(doc, strlen(doc), KP_DIALECT_AWS, KP_DOC_KEY_POLICY);
}

static size_t
count_code(const lint_result *r, const char *code)
{
	size_t		k = 0;

	for (size_t i = 0; i < r->n; i++)
		k += strcmp(r->f[i].code, code) == 0;
	return k;
}

static const kp_finding *
find_code(const lint_result *r, const char *code)
{
	for (size_t i = 0; i < r->n; i++)
	{
		if (strcmp(r->f[i].code, code) == 0)
			return &r->f[i];
	}
	return NULL;
}

static size_t
count_errors(const lint_result *r)
{
	size_t		k = 0;

	for (size_t i = 0; i < r->n; i++)
		k += r->f[i].type == KP_FINDING_ERROR;
	return k;
}

/* doc gives exactly one finding: code of type at path; returns its message */
static void
expect_one(const char *doc, kp_finding_type type, const char *code,
		   const char *path, const char *in_message)
{
	lint_result r = lint(doc);

	if (r.n != 1)
	{
		for (size_t i = 0; i < r.n; i++)
			print_message("finding %zu: %s %s %s\n", i, r.f[i].code, r.f[i].path,
						  r.f[i].message);
	}
	assert_int_equal(r.n, 1);
	assert_int_equal(r.f[0].type, type);
	assert_string_equal(r.f[0].code, code);
	assert_string_equal(r.f[0].path, path);
	if (in_message)
		assert_non_null(strstr(r.f[0].message, in_message));
	kp_findings_free(r.f, r.n);
}

static void
test_good_documents(void **state)
{
	const char *docs[] = {
		"{\"Version\":\"2012-10-17\",\"Id\":\"key-default-1\",\"Statement\":[{\"Sid\":\"Enable IAM User Permissions\","
		"\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}",
		DOC(STMT("\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:GenerateDataKey*\"]")),
		DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\","
			"\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":\"111122223333\"}}}"),
		DOC("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":\"kms:Decrypt\",\"Resource\":\"*\"}"),
		DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{\"NumericGreaterThan\":{\"aws:MultiFactorAuthAge\":\"1\"},"
				 "\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"2\"}}")),
	};

	(void) state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
	{
		lint_result r = lint(docs[i]);

		if (r.n != 0)
			print_message("document %zu: %s %s\n", i, r.f[0].code, r.f[0].message);
		assert_int_equal(r.n, 0);
		kp_findings_free(r.f, r.n);
	}
}

static void
test_error_is_the_parse_error(void **state)
{
	const char *doc = DOC("{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}");
	kp_parse_opts o = opts_for(KP_DIALECT_AWS, KP_DOC_KEY_POLICY);
	kp_error	err;
	kp_policy  *pol = NULL;
	lint_result r;

	(void) state;
	assert_int_equal(kp_policy_parse(doc, strlen(doc), &o, &pol, &err), KP_ERR_MALFORMED);
	r = lint(doc);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.f[0].type, KP_FINDING_ERROR);
	assert_string_equal(r.f[0].code, "MALFORMED_POLICY_DOCUMENT");
	assert_string_equal(r.f[0].message, err.message);
	assert_string_equal(r.f[0].message, "Policy contains a statement with no principal.");
	assert_string_equal(r.f[0].path, err.path);
	kp_findings_free(r.f, r.n);

	expect_one("", KP_FINDING_ERROR, "VALIDATION", "", "length greater than or equal to 1");
	expect_one(DOC("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:group/G\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"),
			   KP_FINDING_ERROR, "INVALID_ARN", "Statement[0].Principal.AWS",
			   "An ARN in the specified key policy is invalid.");
	expect_one(DOC("{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"111122223333\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"),
			   KP_FINDING_ERROR, "MALFORMED_POLICY_DOCUMENT", "Statement[0].NotPrincipal", NULL);
	{
		size_t		len = 33000;
		char	   *big = malloc(len + 1);

		assert_non_null(big);
		memset(big, ' ', len);
		memcpy(big, "{\"Statement\":[]}", 16);
		big[len] = '\0';
		expect_one(big, KP_FINDING_ERROR, "LIMIT_EXCEEDED", "", "32768-character");
		free(big);
	}
}

static void
test_unknown_action(void **state)
{
	lint_result r;

	(void) state;
	expect_one(DOC(STMT("\"Action\":\"kms:GetKeyPolcy\"")), KP_FINDING_WARNING,
			   "UNKNOWN_ACTION", "Statement[0].Action",
			   "names no KMS action; this statement allows nothing through it. Did you mean \"kms:GetKeyPolicy\"?");
	expect_one(DOC(STMT("\"Action\":\"kms=Decrypt\"")), KP_FINDING_WARNING,
			   "UNKNOWN_ACTION", "Statement[0].Action", "Did you mean \"kms:Decrypt\"?");
	/* a pattern, and a name far from every action: no suggestion */
	r = lint(DOC(STMT("\"Action\":[\"kms:Fly*\",\"kms:TotallyUnrelatedName\"]")));
	assert_int_equal(count_code(&r, "UNKNOWN_ACTION"), 2);
	for (size_t i = 0; i < r.n; i++)
		assert_null(strstr(r.f[i].message, "Did you mean"));
	kp_findings_free(r.f, r.n);
}

static void
test_not_action_with_allow(void **state)
{
	(void) state;
	expect_one("{\"Version\":\"2012-10-17\",\"Statement\":" STMT("\"NotAction\":\"kms:Decrypt\"") "}",
			   KP_FINDING_SECURITY_WARNING, "NOT_ACTION_WITH_ALLOW", "Statement.NotAction",
			   "allows every action except those listed");
}

static void
test_public_access(void **state)
{
	lint_result r;

	(void) state;
	expect_one(DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}"),
			   KP_FINDING_SECURITY_WARNING, "PUBLIC_ACCESS", "Statement[0].Principal", NULL);
	expect_one(DOC("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"111122223333\",\"*\"]},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}"),
			   KP_FINDING_SECURITY_WARNING, "PUBLIC_ACCESS", "Statement[0].Principal.AWS[1]", NULL);
	/* conditions that do not restrict: IfExists, negated, a wildcard, another key */
	expect_one(DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\","
				   "\"Condition\":{\"StringEqualsIfExists\":{\"aws:PrincipalOrgID\":\"o-1\"},"
				   "\"StringNotEquals\":{\"aws:PrincipalAccount\":\"444455556666\"},"
				   "\"StringLike\":{\"aws:SourceArn\":\"*\"},"
				   "\"Bool\":{\"aws:SecureTransport\":\"true\"}}}"),
			   KP_FINDING_SECURITY_WARNING, "PUBLIC_ACCESS", "Statement[0].Principal", NULL);
	/* each restricting key restricts */
	{
		const char *keys[] = {"aws:PrincipalOrgID", "aws:PrincipalAccount", "kms:CallerAccount",
			"aws:SourceAccount", "aws:PrincipalArn", "aws:SourceArn", "aws:SourceVpc",
		"aws:SourceVpce", "kms:ViaService"};

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		{
			char		doc[1024];
			const char *op = strstr(keys[i], "Arn") ? "ArnLike" : "StringEquals";

			snprintf(doc, sizeof(doc),
					 DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\","
						 "\"Condition\":{\"%s\":{\"%s\":\"%s\"}}}"),
					 op, keys[i], strstr(keys[i], "Arn") ? "arn:aws:iam::111122223333:role/R" : "x-111122223333");
			r = lint(doc);
			if (r.n != 0)
				print_message("%s: %s\n", keys[i], r.f[0].message);
			assert_int_equal(r.n, 0);
			kp_findings_free(r.f, r.n);
		}
	}
	r = lint(DOC("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\","
				 "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}}}"));
	assert_int_equal(r.n, 0);
	kp_findings_free(r.f, r.n);
}

static void
test_redundant_action(void **state)
{
	lint_result r;

	(void) state;
	expect_one(DOC(STMT("\"Action\":[\"kms:Encrypt\",\"kms:*\"]")), KP_FINDING_SUGGESTION,
			   "REDUNDANT_ACTION", "Statement[0].Action[0]", "covered by \"kms:*\"");
	/* a duplicate: only the later one */
	expect_one(DOC(STMT("\"Action\":[\"kms:Decrypt\",\"kms:decrypt\"]")), KP_FINDING_SUGGESTION,
			   "REDUNDANT_ACTION", "Statement[0].Action[1]", NULL);
	expect_one(DOC(STMT("\"Action\":[\"kms:GenerateDataKey*\",\"kms:GenerateDataKeyPair\"]")),
			   KP_FINDING_SUGGESTION, "REDUNDANT_ACTION", "Statement[0].Action[1]", NULL);
	/* patterns that overlap but neither covers the other */
	r = lint(DOC(STMT("\"Action\":[\"kms:Get*\",\"kms:*Key\"]")));
	assert_int_equal(r.n, 0);
	kp_findings_free(r.f, r.n);
	/* identity policy: other services */
	r = lint_as(DOC("{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:*\",\"s3:Get?bject\"],\"Resource\":\"*\"}"),
				strlen(DOC("{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:*\",\"s3:Get?bject\"],\"Resource\":\"*\"}")),
				KP_DIALECT_AWS, KP_DOC_IDENTITY_POLICY);
	assert_int_equal(count_code(&r, "REDUNDANT_ACTION"), 2);
	kp_findings_free(r.f, r.n);
}

static void
test_redundant_statement(void **state)
{
	lint_result r;

	(void) state;
	expect_one(DOC(STMT("\"Action\":\"kms:Decrypt\"") "," STMT("\"Action\":\"kms:Decrypt\"")),
			   KP_FINDING_SUGGESTION, "REDUNDANT_STATEMENT", "Statement[1]", "covered by Statement[0]");
	/* covered: fewer actions, an extra condition */
	expect_one(DOC(STMT("\"Action\":\"kms:*\"") ","
				   STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}")),
			   KP_FINDING_SUGGESTION, "REDUNDANT_STATEMENT", "Statement[1]", NULL);
	/* a later statement covering an earlier one makes the earlier redundant */
	expect_one(DOC(STMT("\"Action\":\"kms:Decrypt\"") "," STMT("\"Action\":\"kms:*\"")),
			   KP_FINDING_SUGGESTION, "REDUNDANT_STATEMENT", "Statement[0]", "covered by Statement[1]");
	/* other effect, other principal, condition only on the earlier: not redundant */
	r = lint(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}") ","
				 "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"},"
				 "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/R\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}"));
	assert_int_equal(r.n, 0);
	kp_findings_free(r.f, r.n);
}

static void
test_conditions(void **state)
{
	lint_result r;

	(void) state;
	expect_one(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{\"NumericLessThan\":{\"aws:SourceIp\":\"10\"}}")),
			   KP_FINDING_WARNING, "TYPE_MISMATCH", "Statement[0].Condition.NumericLessThan.aws:SourceIp",
			   "of type IPAddress");
	expect_one(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{\"DateLessThan\":{\"kms:CallerAccount\":\"2030-01-01\"}}")),
			   KP_FINDING_WARNING, "TYPE_MISMATCH", "Statement[0].Condition.DateLessThan.kms:CallerAccount",
			   "of type String");
	expect_one(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{\"IpAddress\":{\"kms:ViaService\":\"10.0.0.0/8\"}}")),
			   KP_FINDING_WARNING, "TYPE_MISMATCH", "Statement[0].Condition.IpAddress.kms:ViaService", NULL);
	/* String operators work on any key */
	r = lint(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{\"StringEquals\":{\"aws:SourceIp\":\"10.0.0.1\"}}")));
	assert_int_equal(r.n, 0);
	kp_findings_free(r.f, r.n);

	expect_one(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{\"ForAnyValue:StringEquals\":{\"kms:CallerAccount\":\"111122223333\"}}")),
			   KP_FINDING_WARNING, "SET_OPERATOR_ON_SINGLE_VALUED_KEY",
			   "Statement[0].Condition.ForAnyValue:StringEquals.kms:CallerAccount", "Remove ForAnyValue");
	r = lint(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{\"ForAnyValue:StringEquals\":{\"aws:PrincipalOrgPaths\":\"o-1/r-1/\"}}")));
	assert_int_equal(count_code(&r, "SET_OPERATOR_ON_SINGLE_VALUED_KEY"), 0);
	kp_findings_free(r.f, r.n);

	expect_one(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{"
						"\"DateGreaterThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"},"
						"\"DateLessThan\":{\"aws:CurrentTime\":\"2029-12-31\"}}")),
			   KP_FINDING_WARNING, "IMPOSSIBLE_RANGE", "Statement[0].Condition.DateLessThan.aws:CurrentTime", NULL);
	/* equal bounds: impossible with a strict one, possible with two inclusive */
	expect_one(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{"
						"\"NumericGreaterThan\":{\"aws:MultiFactorAuthAge\":\"10\"},"
						"\"NumericLessThanEquals\":{\"aws:MultiFactorAuthAge\":\"1e1\"}}")),
			   KP_FINDING_WARNING, "IMPOSSIBLE_RANGE",
			   "Statement[0].Condition.NumericLessThanEquals.aws:MultiFactorAuthAge", NULL);
	r = lint(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{"
					  "\"NumericGreaterThanEquals\":{\"aws:MultiFactorAuthAge\":\"10\"},"
					  "\"NumericLessThanEquals\":{\"aws:MultiFactorAuthAge\":\"10\"}}")));
	assert_int_equal(r.n, 0);
	kp_findings_free(r.f, r.n);
	/* several values: any may match (the widest bound counts) */
	r = lint(DOC(STMT("\"Action\":\"kms:Decrypt\",\"Condition\":{"
					  "\"NumericGreaterThan\":{\"aws:MultiFactorAuthAge\":[\"100\",\"5\"]},"
					  "\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"50\"}}")));
	assert_int_equal(r.n, 0);
	kp_findings_free(r.f, r.n);
}

static void
test_version_and_sid(void **state)
{
	lint_result r;

	(void) state;
	expect_one("{\"Statement\":[" STMT("\"Action\":\"kms:Decrypt\"") "]}",
			   KP_FINDING_WARNING, "MISSING_VERSION", "", "policy variables");
	expect_one("{\"Version\":\"2008-10-17\",\"Statement\":[" STMT("\"Action\":\"kms:Decrypt\"") "]}",
			   KP_FINDING_SUGGESTION, "OUTDATED_VERSION", "Version", NULL);
	r = lint(DOC("{\"Sid\":\"\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"},"
				 "{\"Sid\":\"x\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"kms:Encrypt\",\"Resource\":\"*\"},"
				 "{\"Sid\":\"\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"kms:Sign\",\"Resource\":\"*\"},"
				 "{\"Sid\":\"X\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"kms:Verify\",\"Resource\":\"*\"}"));
	assert_int_equal(r.n, 1);
	assert_string_equal(r.f[0].code, "DUPLICATE_SID");
	assert_string_equal(r.f[0].path, "Statement[2].Sid");
	kp_findings_free(r.f, r.n);
	/* Alibaba: Version is required, so never a version finding */
	r = lint_as("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"RAM\":[\"acs:ram::1192853035118460:*\"]},\"Action\":[\"kms:*\"],\"Resource\":[\"*\"]}]}",
				strlen("{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"RAM\":[\"acs:ram::1192853035118460:*\"]},\"Action\":[\"kms:*\"],\"Resource\":[\"*\"]}]}"),
				KP_DIALECT_ALIBABA, KP_DOC_KEY_POLICY);
	assert_int_equal(r.n, 0);
	kp_findings_free(r.f, r.n);
}

/* ERROR findings iff kp_policy_parse refuses, and then only its kp_error. */
static size_t n_accepted;
static size_t n_refused;

static void
check_errors_iff_refused(const char *doc, size_t len, const char *label)
{
	static const kp_dialect dialects[] = {KP_DIALECT_AWS, KP_DIALECT_ALIBABA};
	static const kp_doc_kind kinds[] = {KP_DOC_KEY_POLICY, KP_DOC_IDENTITY_POLICY};

	for (size_t d = 0; d < 2; d++)
	{
		for (size_t k = 0; k < 2; k++)
		{
			kp_parse_opts o = opts_for(dialects[d], kinds[k]);
			kp_policy  *pol = NULL;
			kp_error	err;
			kp_status	st = kp_policy_parse(doc, len, &o, &pol, &err);
			lint_result r = lint_as(doc, len, dialects[d], kinds[k]);

			if (st == KP_OK)
			{
				if (count_errors(&r) != 0)
					print_message("%s (dialect %zu, kind %zu): accepted but %s\n", label, d, k,
								  find_code(&r, r.f[0].code)->message);
				assert_int_equal(count_errors(&r), 0);
				kp_policy_free(pol);
				n_accepted++;
			}
			else
			{
				assert_int_equal(r.n, 1);
				assert_int_equal(r.f[0].type, KP_FINDING_ERROR);
				assert_string_equal(r.f[0].code, kp_error_issue_code(err.status));
				assert_string_equal(r.f[0].message, err.message);
				assert_string_equal(r.f[0].path, err.path);
				n_refused++;
			}
			kp_findings_free(r.f, r.n);
		}
	}
}

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *fp = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t) n + 1);
	if (buf == NULL || fread(buf, 1, (size_t) n, fp) != (size_t) n)
	{
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = (size_t) n;
	return buf;
}

static void
test_corpus_errors_iff_refused(void **state)
{
	DIR		   *dir = opendir(CORPUS_DIR);
	struct dirent *de;
	size_t		files = 0;

	(void) state;
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL)
	{
		char		path[512];
		size_t		len;
		char	   *doc;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, de->d_name);
		doc = read_file(path, &len);
		assert_non_null(doc);
		files++;
		/* a seed is an options byte (fuzz_policy.c), then the document */
		if (len > 0)
		{
			memmove(doc, doc + 1, len);
			len--;
		}
		check_errors_iff_refused(doc, len, de->d_name);
		/* mutations: truncations, and single-byte changes */
		for (size_t cut = 1; cut < len; cut += 1 + len / 7)
			check_errors_iff_refused(doc, cut, de->d_name);
		for (size_t pos = 0; pos < len; pos += 1 + len / 11)
		{
			static const char repl[] = {'"', '}', ']', ',', 'x', '*', ' ', '1'};
			char		saved = doc[pos];

			doc[pos] = repl[pos % sizeof(repl)];
			check_errors_iff_refused(doc, len, de->d_name);
			doc[pos] = saved;
		}
		free(doc);
	}
	closedir(dir);
	/* both outcomes, many times */
	print_message("%zu files: %zu accepted, %zu refused (dialects x kinds x mutations)\n",
				  files, n_accepted, n_refused);
	assert_true(files >= 20);
	assert_true(n_accepted >= 40 && n_refused >= 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_documents),
		cmocka_unit_test(test_error_is_the_parse_error),
		cmocka_unit_test(test_unknown_action),
		cmocka_unit_test(test_not_action_with_allow),
		cmocka_unit_test(test_public_access),
		cmocka_unit_test(test_redundant_action),
		cmocka_unit_test(test_redundant_statement),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_version_and_sid),
		cmocka_unit_test(test_corpus_errors_iff_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
