/*
 * test_compiled.c -- unit tests of the compiled form of policies
 * (src/core/kp_compiled.c) and of its evaluator (src/core/kp_eval.c).
 *
 * Round trip and determinism, unaligned input, every truncation and every
 * flipped byte refused as corrupt, other format and rules versions refused
 * as stale, structurally bad blobs with a valid checksum refused as corrupt,
 * and the decisions and traces of the compiled evaluator equal to those of
 * the reference evaluator (test/ref/kp_eval_ref.c, the tree evaluator as it
 * was before the compiled form) on a corpus of policies, callers, actions
 * and contexts.
 *
 * Build: `make unit` (ASan/UBSan core library plus test/ref).  Every symbol
 * here is static.
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

#include "kp_compiled.h"
#include "kp_eval.h"
#include "kp_eval_ref.h"
#include "kp_ref_diff.h"
#include "internal/kp_compiled_format.h"
#include "internal/kp_iam.h"

#define ACCT		"111122223333"
#define KEY_ARN		"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
#define ALI_ACCT	"1234567890123456"
#define ALI_KEY_ARN "acs:kms:cn-hangzhou:1234567890123456:key/key-hzz630494463ejqjx0001"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* Parse a document written with ' for " (NULL when refused). */
static kp_policy *
try_parse(kp_dialect dialect, kp_doc_kind kind, const char *doc, size_t len,
		  bool squote)
{
	char	   *copy = malloc(len + 1);
	kp_parse_opts opts;
	kp_policy  *policy = NULL;
	kp_error	err;
	size_t		i;

	assert_non_null(copy);
	memcpy(copy, doc, len);
	copy[len] = '\0';
	if (squote)
		for (i = 0; i < len; i++)
			if (copy[i] == '\'')
				copy[i] = '"';
	memset(&opts, 0, sizeof(opts));
	opts.dialect = dialect;
	opts.kind = kind;
	opts.partition = dialect == KP_DIALECT_AWS ? "aws" : NULL;
	opts.account = dialect == KP_DIALECT_AWS ? ACCT : ALI_ACCT;
	if (kp_policy_parse(copy, len, &opts, &policy, &err) != KP_OK)
	{
		if (squote)
			print_error("refused: %s %s %s\n", err.message, err.detail, err.path);
		policy = NULL;
	}
	free(copy);
	return policy;
}

static kp_policy *
parse_sq(kp_dialect dialect, kp_doc_kind kind, const char *doc_sq)
{
	kp_policy  *p = try_parse(dialect, kind, doc_sq, strlen(doc_sq), true);

	if (p == NULL)
		fail_msg("document refused: %s", doc_sq);
	return p;
}

/* A compiled policy at an odd address: buffer + 1 (the caller frees *buf). */
typedef struct blob
{
	unsigned char *buf;
	unsigned char *data;
	size_t		len;
	kp_compiled c;
} blob;

static void
blob_make(const kp_policy *p, blob *b)
{
	unsigned char *bytes;
	size_t		len;
	kp_error	err;

	assert_int_equal(kp_policy_compile(p, &bytes, &len, &err), KP_OK);
	b->buf = malloc(len + 2);
	assert_non_null(b->buf);
	b->data = b->buf + 1;
	memcpy(b->data, bytes, len);
	b->len = len;
	free(bytes);
	assert_int_equal(kp_compiled_open(b->data, b->len, &b->c, &err), KP_OK);
}

/* Recompute the checksum of a (modified) blob. */
static void
rechecksum(unsigned char *d, size_t len)
{
	kp_wr64(d + KPC_H_CHECKSUM,
			kp_compiled_checksum(d + KPC_H_CHECKED, len - KPC_H_CHECKED));
}

static const char *DEFAULT_POLICY =
"{'Version':'2012-10-17','Id':'key-default-1','Statement':[{"
"'Sid':'Enable IAM User Permissions','Effect':'Allow',"
"'Principal':{'AWS':'arn:aws:iam::111122223333:root'},"
"'Action':'kms:*','Resource':'*'}]}";

/* Key policies (AWS) covering every operator family, set operator,
 * principal form and policy variables. */
static const char *const aws_key_docs[] = {
	"{'Version':'2012-10-17','Id':'key-default-1','Statement':[{"
	"'Sid':'Enable IAM User Permissions','Effect':'Allow',"
	"'Principal':{'AWS':'arn:aws:iam::111122223333:root'},"
	"'Action':'kms:*','Resource':'*'}]}",
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
	" 'Condition':{'Bool':{'kms:GrantIsForAWSResource':'true'}}}]}",
	"{'Version':'2012-10-17','Statement':["
	"{'Effect':'Allow','Principal':{'AWS':'111122223333'},'Action':'kms:*','Resource':'*'},"
	"{'Effect':'Allow','Principal':'*','Action':'kms:Decrypt','Resource':'*','Condition':{"
	"'IpAddress':{'aws:SourceIp':['10.0.0.0/8','2001:db8::/32']},"
	"'DateLessThan':{'aws:CurrentTime':'2030-01-01T00:00:00Z'},"
	"'NumericLessThanEquals':{'aws:MultiFactorAuthAge':'3600'},"
	"'BoolIfExists':{'aws:SecureTransport':true}}},"
	"{'Effect':'Deny','Principal':'*','Action':'kms:*','Resource':'*','Condition':{"
	"'ForAnyValue:StringLike':{'aws:TagKeys':['secret*','?x?']}}},"
	"{'Effect':'Allow','Principal':'*','Action':'kms:Encrypt','Resource':'*','Condition':{"
	"'ForAllValues:StringEquals':{'aws:TagKeys':['a','b']},"
	"'StringEquals':{'kms:EncryptionContext:dept':'${aws:username}'},"
	"'Null':{'kms:ViaService':'true'}}}]}",
	"{'Version':'2012-10-17','Statement':["
	"{'Sid':'N','Effect':'Allow','Principal':'*','Action':['kms:Decrypt','kms:Encrypt'],'Resource':'*','Condition':{"
	"'NumericEquals':{'kms:EncryptionContext:n':[1.5E3,'-0']},"
	"'BinaryEquals':{'kms:EncryptionContext:b':'QUJD'},"
	"'DateGreaterThanEquals':{'aws:EpochTime':'2024-02-29'},"
	"'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::*:user/${aws:username}'},"
	"'StringNotEqualsIgnoreCase':{'kms:CallerAccount':'444455556666'},"
	"'ForAnyValue:StringEquals':{'kms:GrantOperations':['Decrypt','Encrypt']}}},"
	"{'Effect':'Deny','Principal':'*','NotAction':'kms:Get*','Resource':'*','Condition':{"
	"'NotIpAddress':{'aws:SourceIp':'192.0.2.0/24'},'StringNotLike':{'kms:ViaService':'*.amazonaws.com'}}}]}",
	"{'Version':'2012-10-17','Statement':["
	"{'Sid':'Roles','Effect':'Allow','Principal':{'AWS':['arn:aws:iam::111122223333:role/path/Admin',"
	"'arn:aws:iam::444455556666:root','arn:aws:iam::111122223333:user/Bob']},"
	"'Action':['kms:Get*','KMS:list*','kms:?escribeKey'],'Resource':'*'},"
	"{'Sid':'Svc','Effect':'Allow','Principal':{'Service':['cloudtrail.amazonaws.com','logs.us-east-1.amazonaws.com']},"
	"'Action':'kms:GenerateDataKey*','Resource':'*',"
	"'Condition':{'StringLike':{'kms:EncryptionContext:aws:cloudtrail:arn':'arn:aws:cloudtrail:*:111122223333:trail/*'}}},"
	"{'Sid':'NotAct','Effect':'Deny','Principal':{'AWS':'arn:aws:iam::111122223333:user/Alice'},"
	"'NotAction':['kms:Describe*','kms:Get*','kms:*Grant*'],'Resource':'*'},"
	"{'Sid':'Dates','Effect':'Allow','Principal':'*','Action':'*','Resource':'*','Condition':{"
	"'DateGreaterThan':{'aws:CurrentTime':['2020-01-01','1700000000']},"
	"'DateNotEquals':{'aws:CurrentTime':'2025-06-01T12:00:00+02:00'},"
	"'NumericGreaterThan':{'kms:EncryptionContext:n':'-1e2'},"
	"'NumericNotEquals':{'kms:EncryptionContext:n':'7'},"
	"'StringEqualsIgnoreCase':{'aws:username':['ALICE','bob']},"
	"'ArnEquals':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/*'},"
	"'ArnNotLike':{'aws:SourceArn':'arn:aws:s3:::bucket-*'}}}]}",
	"{'Version':'2012-10-17','Statement':["
	"{'Sid':'Vars','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*','Condition':{"
	"'StringLike':{'kms:EncryptionContext:owner':['${aws:username}*','x${*}y${?}z${$}']},"
	"'StringEquals':{'kms:EncryptionContext:dept':'${kms:EncryptionContext:team, \\u0027none\\u0027}'},"
		"'ForAllValues:StringNotEquals':{'aws:TagKeys':['${aws:username}','forbidden']}}},"
	"{'Sid':'Nulls','Effect':'Deny','Principal':'*','Action':'kms:Decrypt','Resource':'*','Condition':{"
	"'Null':{'aws:SourceIp':['false'],'kms:ViaService':'true'},"
	"'StringEqualsIfExists':{'aws:username':'Mallory'},"
	"'ForAnyValue:NumericLessThan':{'kms:EncryptionContext:n':['1','2.5']}}}]}",
	"{'Version':'2008-10-17','Statement':["
	"{'Sid':'Old','Effect':'Allow','Principal':{'AWS':'*'},'Action':'kms:*','Resource':'*','Condition':{"
	"'StringEquals':{'aws:username':'${aws:username}'}}}]}",
	"{'Statement':[{'Effect':'Allow','Principal':{'AWS':['arn:aws:sts::111122223333:assumed-role/Admin/s1',"
	"'arn:aws:iam::111122223333:role/Admin']},'Action':['kms:Encrypt','kms:Decrypt'],'Resource':'*'}]}",
	/* one condition per statement: the trace shows each outcome */
	"{'Version':'2012-10-17','Statement':["
	"{'Sid':'S00','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'NumericLessThanEquals':{'kms:EncryptionContext:n':'1500'}}},"
	"{'Sid':'S01','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'NumericGreaterThanEquals':{'kms:EncryptionContext:n':'1500'}}},"
	"{'Sid':'S02','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'NumericLessThan':{'kms:EncryptionContext:n':'1500'}}},"
	"{'Sid':'S03','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'NumericGreaterThan':{'kms:EncryptionContext:n':'1500'}}},"
	"{'Sid':'S04','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'NumericEquals':{'kms:EncryptionContext:n':'1.5e3'}}},"
	"{'Sid':'S05','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'NumericNotEquals':{'kms:EncryptionContext:n':'1500'}}},"
	"{'Sid':'S06','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'DateLessThanEquals':{'aws:EpochTime':'2024-02-29'}}},"
	"{'Sid':'S07','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'DateGreaterThanEquals':{'aws:EpochTime':'2024-02-29'}}},"
	"{'Sid':'S08','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'DateEquals':{'aws:EpochTime':'1709164800'}}},"
	"{'Sid':'S09','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'DateNotEquals':{'aws:CurrentTime':'2029-12-31T23:59:59.999999999Z'}}},"
	"{'Sid':'S10','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'DateGreaterThan':{'aws:CurrentTime':'2030-01-01T00:00:00Z'}}},"
	"{'Sid':'S11','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'DateLessThan':{'aws:CurrentTime':'2030-01-01T00:00:00Z'}}},"
	"{'Sid':'S12','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'IpAddress':{'aws:SourceIp':'2001:db8::/32'}}},"
	"{'Sid':'S13','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'NotIpAddress':{'aws:SourceIp':['2001:db8::/33','10.1.2.0/24']}}},"
	"{'Sid':'S14','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'Bool':{'aws:SecureTransport':'false'}}},"
	"{'Sid':'S15','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'BinaryEquals':{'kms:EncryptionContext:b':'QUJE'}}},"
	"{'Sid':'S16','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'StringEqualsIgnoreCase':{'kms:ViaService':'S3.AMAZONAWS.COM'}}},"
	"{'Sid':'S17','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'StringNotLike':{'kms:ViaService':'ec2.*'}}},"
	"{'Sid':'S18','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::*:user/*'}}},"
	"{'Sid':'S19','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'ArnNotEquals':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/Alice'}}},"
	"{'Sid':'S20','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'ForAllValues:StringLike':{'aws:TagKeys':['a','c*']}}},"
	"{'Sid':'S21','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'ForAnyValue:StringNotEquals':{'aws:TagKeys':'a'}}},"
	"{'Sid':'S22','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'Null':{'kms:ViaService':'false'}}},"
	"{'Sid':'S23','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'StringEqualsIfExists':{'aws:username':'Alice'}}},"
	"{'Sid':'S24','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'StringNotEqualsIfExists':{'aws:username':'Bob'}}},"
	"{'Sid':'S25','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'ForAnyValue:StringEquals':{'kms:GrantOperations':['Sign','Verify']}}},"
	"{'Sid':'S26','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'ForAllValues:StringEquals':{'kms:GrantOperations':['Encrypt','Sign']}}},"
	"{'Sid':'S27','Effect':'Allow','Principal':'*','Action':'kms:*','Resource':'*',"
	"'Condition':{'StringLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/${aws:username}'}}}]}",
};

static const char *const aws_identity_docs[] = {
	"{'Version':'2012-10-17','Statement':[{'Effect':'Allow',"
	"'Action':'kms:*','Resource':'*'}]}",
	"{'Version':'2012-10-17','Statement':[{'Sid':'Scoped','Effect':'Allow',"
	"'Action':['kms:Decrypt','kms:Get*'],'Resource':'arn:aws:kms:*:111122223333:key/*'},"
	"{'Sid':'NoPut','Effect':'Deny','Action':'kms:PutKeyPolicy','NotResource':'arn:aws:kms:us-west-2:*:key/*'}]}",
	"{'Version':'2012-10-17','Statement':[{'Sid':'VarRes','Effect':'Allow',"
	"'NotAction':['kms:Schedule*','kms:Delete*'],"
	"'Resource':['arn:aws:kms:us-east-1:${aws:PrincipalAccount}:key/*','arn:aws:kms:*:*:alias/${aws:username}']}]}",
	"{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Action':'kms:Encrypt',"
	"'Resource':'*','Condition':{'StringEquals':{'aws:RequestTag/team':'${aws:PrincipalTag/team}'}}}]}",
};

static const char *const ali_key_docs[] = {
	"{'Version':'1','Statement':[{'Effect':'Allow','Principal':{'RAM':['acs:ram::1234567890123456:*']},"
	"'Action':['kms:*'],'Resource':['*'],'Condition':{'IpAddress':{'acs:SourceIp':'10.0.0.0/8'},"
	"'DateLessThan':{'acs:CurrentTime':'2030-01-01T00:00:00Z'}}}]}",
	"{'Version':'1','Statement':[{'Effect':'Allow','Principal':{'RAM':['acs:ram::1234567890123456:role/app',"
	"'acs:ram::6543210987654321:user/dave']},'Action':['kms:Decrypt','kms:Get*'],'Resource':['*']},"
	"{'Effect':'Deny','Principal':{'RAM':['acs:ram::6543210987654321:*','acs:ram::1234567890123456:user/alice']},'Action':['kms:ScheduleKeyDeletion'],'Resource':['*']}]}",
};

/* Callers: principal ARN, whether it is a service, account override. */
typedef struct caller_case
{
	const char *arn;
	bool		service;
	const char *account;
} caller_case;

static const caller_case callers[] = {
	{"arn:aws:iam::111122223333:root", false, NULL},
	{"arn:aws:iam::111122223333:user/Alice", false, NULL},
	{"arn:aws:iam::111122223333:user/Bob", false, NULL},
	{"arn:aws:iam::111122223333:user/ExampleAdminUser", false, NULL},
	{"arn:aws:iam::444455556666:user/Carol", false, NULL},
	{"arn:aws:iam::444455556666:root", false, NULL},
	{"arn:aws:sts::111122223333:assumed-role/Admin/s1", false, NULL},
	{"arn:aws:sts::111122223333:assumed-role/ExamplePowerUserRole/s2", false, NULL},
	{"arn:aws:sts::111122223333:federated-user/fed", false, NULL},
	{"arn:aws-cn:iam::111122223333:user/Alice", false, NULL},
	{"cloudtrail.amazonaws.com", true, NULL},
	{"CloudTrail.AmazonAWS.com", true, NULL},
	{"not-an-arn", false, "111122223333"},
	{"", false, NULL},
	{"acs:ram::1234567890123456:user/alice", false, NULL},
	{"acs:ram::1234567890123456:root", false, NULL},
	{"acs:ram::1234567890123456:assumed-role/app/s", false, NULL},
	{"acs:ram::6543210987654321:user/dave", false, NULL},
};

static const char *const actions[] = {
	"kms:Decrypt", "KMS:DECRYPT", "kms:decrypt", "kms:GetKeyPolicy",
	"kms:PutKeyPolicy", "kms:CreateGrant", "kms:ReEncryptFrom",
	"kms:ScheduleKeyDeletion", "kms:DescribeKey", "kms:GenerateDataKeyPair",
	"kms:Foo", "Decrypt", "kms:Get*", "", "s3:GetObject", "kms:Decrypt ",
	"kms:ListAliases", "kms:VerifyMac", "*",
};

/* Contexts: key, value pairs ending with NULL. */
static const char *const ctx_rich[] = {
	"aws:SourceIp", "10.1.2.3",
	"aws:CurrentTime", "2025-06-01T12:00:00Z",
	"aws:EpochTime", "1750000000",
	"aws:SecureTransport", "true",
	"aws:MultiFactorAuthAge", "120",
	"aws:TagKeys", "a",
	"aws:TagKeys", "b",
	"kms:EncryptionContext:n", "1500",
	"kms:EncryptionContext:b", "QUJD",
	"kms:EncryptionContext:dept", "Alice",
	"kms:EncryptionContext:owner", "Alice-data",
	"kms:EncryptionContext:tls", "TRUE",
	"kms:GrantOperations", "Decrypt",
	"kms:GrantIsForAWSResource", "true",
	"kms:EncryptionContext:aws:cloudtrail:arn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
	"acs:SourceIp", "10.9.9.9",
	"acs:CurrentTime", "2026-01-01T00:00:00Z",
	NULL,
};

static const char *const ctx_odd[] = {
	"AWS:SOURCEIP", "192.0.2.7",
	"aws:sourceip", "10.0.0.1",
	"aws:CurrentTime", "not a date",
	"aws:TagKeys", "secret-1",
	"aws:TagKeys", "axb",
	"kms:EncryptionContext:n", "-0.0",
	"kms:EncryptionContext:n", "1e400",
	"kms:EncryptionContext:b", "QUJD====",
	"kms:encryptioncontext:OWNER", "x*y?z$",
	"kms:EncryptionContext:team", "",
	"aws:username", "bob",
	"kms:ViaService", "ec2.us-east-1.amazonaws.com",
	"aws:SourceArn", "arn:aws:s3:::bucket-1",
	"aws:PrincipalTag/team", "blue",
	"aws:RequestTag/team", "blue",
	NULL,
};

/* Values on the boundaries of the policies' operands. */
static const char *const ctx_edge[] = {
	"aws:MultiFactorAuthAge", "3600",
	"aws:CurrentTime", "2029-12-31T23:59:59.999999999Z",
	"aws:EpochTime", "1709164800",
	"kms:EncryptionContext:n", "1500",
	"kms:EncryptionContext:n", "2.5",
	"kms:EncryptionContext:n", "1",
	"aws:SourceIp", "2001:db8::1",
	"aws:SecureTransport", "false",
	"kms:EncryptionContext:b", "QUJE",
	"aws:TagKeys", "a",
	"aws:TagKeys", "c",
	"kms:ViaService", "s3.amazonaws.com",
	"kms:CallerAccount", "444455556666",
	"kms:GrantOperations", "Encrypt",
	"kms:GrantOperations", "Sign",
	NULL,
};

static kp_context *
context_of(const char *const *pairs, const char *caller, bool service)
{
	kp_context *ctx = kp_context_new();
	size_t		i;

	assert_non_null(ctx);
	for (i = 0; pairs != NULL && pairs[i] != NULL; i += 2)
		assert_int_equal(kp_context_add(ctx, pairs[i], pairs[i + 1]), KP_OK);
	if (caller != NULL)
		assert_int_equal(kp_context_add_caller(ctx, caller, NULL, service), KP_OK);
	return ctx;
}

/*
 * Evaluate one request three ways (reference on the trees, kp_evaluate on
 * the trees, kp_evaluate_compiled on the odd-addressed blobs), traced and
 * untraced: every decision and every trace must be identical.
 */
static void
compare_one(const kp_policy *kp, const blob *kb, const kp_policy *const *ids,
			const blob *const *ib, size_t n_ids, const kp_request *req)
{
	const kp_compiled *ic[4];
	kp_trace	t_ref;
	kp_trace	t_tree;
	kp_trace	t_blob;
	kp_decision d_ref;
	kp_decision d_tree;
	kp_decision d_blob;
	kp_decision d;
	char		why[1024];
	const char *diff;
	size_t		i;

	assert_true(n_ids <= 4);
	for (i = 0; i < n_ids; i++)
		ic[i] = ib[i] ? &ib[i]->c : NULL;
	kp_trace_init(&t_ref);
	kp_trace_init(&t_tree);
	kp_trace_init(&t_blob);
	assert_int_equal(kp_ref_evaluate(kp, ids, n_ids, req, &t_ref, &d_ref), KP_OK);
	assert_int_equal(kp_evaluate(kp, ids, n_ids, req, &t_tree, &d_tree), KP_OK);
	assert_int_equal(kp_evaluate_compiled(kb ? &kb->c : NULL, ic, n_ids, req,
										  &t_blob, &d_blob), KP_OK);
	if (d_ref != d_tree || d_ref != d_blob)
		fail_msg("decisions differ: ref %d tree %d blob %d (caller %s action '%s')",
				 d_ref, d_tree, d_blob, req->principal_arn, req->action);
	if ((diff = kp_ref_trace_diff(&t_ref, &t_tree, why, sizeof(why))) != NULL ||
		(diff = kp_ref_trace_diff(&t_ref, &t_blob, why, sizeof(why))) != NULL)
		fail_msg("traces differ: %s (caller %s action '%s')", diff,
				 req->principal_arn, req->action);
	kp_trace_free(&t_ref);
	kp_trace_free(&t_tree);
	kp_trace_free(&t_blob);
	/* untraced */
	d = kp_ref_authorize(kp, ids, n_ids, req, NULL);
	assert_int_equal(d, d_ref);
	assert_int_equal(kp_authorize_compiled(kb ? &kb->c : NULL, ic, n_ids, req, NULL),
					 d_ref);
}

/* Every caller x action x context against one combination of policies. */
static size_t
compare_all(const kp_policy *kp, const kp_policy *const *ids, size_t n_ids)
{
	blob		kb;
	blob		ibs[4];
	const blob *ib[4];
	const char *const *ctxs[4] = {NULL, ctx_rich, ctx_odd, ctx_edge};
	size_t		n = 0;
	size_t		i;
	size_t		a;
	size_t		x;

	if (kp != NULL)
		blob_make(kp, &kb);
	for (i = 0; i < n_ids; i++)
	{
		ib[i] = NULL;
		if (ids[i] != NULL)
		{
			blob_make(ids[i], &ibs[i]);
			ib[i] = &ibs[i];
		}
	}
	for (i = 0; i < sizeof(callers) / sizeof(callers[0]); i++)
		for (x = 0; x < 4; x++)
		{
			kp_context *ctx = context_of(ctxs[x], x == 1 ? callers[i].arn : NULL,
										 callers[i].service);

			for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++)
			{
				kp_request	req;

				memset(&req, 0, sizeof(req));
				req.principal_arn = callers[i].arn;
				req.principal_is_service = callers[i].service;
				req.principal_account = callers[i].account;
				req.action = actions[a];
				req.resource_arn = (a % 5 == 4) ? "arn:aws:kms:us-west-2:111122223333:key/k" :
					strncmp(callers[i].arn, "acs:", 4) == 0 ? ALI_KEY_ARN : KEY_ARN;
				req.context = ctx;
				compare_one(kp, kp ? &kb : NULL, ids, ib, n_ids, &req);
				n++;
			}
			kp_context_free(ctx);
		}
	if (kp != NULL)
		free(kb.buf);
	for (i = 0; i < n_ids; i++)
		if (ids[i] != NULL)
			free(ibs[i].buf);
	return n;
}

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

static void
test_round_trip(void **state)
{
	kp_policy  *p = parse_sq(KP_DIALECT_AWS, KP_DOC_KEY_POLICY, aws_key_docs[1]);
	unsigned char *a;
	unsigned char *b;
	size_t		alen;
	size_t		blen;
	kp_compiled c;
	kp_error	err;

	assert_int_equal(kp_policy_compile(p, &a, &alen, &err), KP_OK);
	assert_int_equal(kp_policy_compile(p, &b, &blen, &err), KP_OK);
	/* deterministic */
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	assert_int_equal(kp_compiled_check(a, alen, &err), KP_OK);
	assert_int_equal(kp_compiled_open(a, alen, &c, &err), KP_OK);
	assert_ptr_equal(c.data, a);
	assert_int_equal(c.len, alen);
	assert_int_equal(kp_compiled_dialect(&c), KP_DIALECT_AWS);
	assert_int_equal(kp_compiled_kind(&c), KP_DOC_KEY_POLICY);
	assert_int_equal(kp_compiled_version(&c), KP_VERSION_2012);
	assert_int_equal(kp_compiled_statement_count(&c), 4);
	assert_memory_equal(a, "kpcb", 4);
	assert_int_equal(kp_rd16(a + KPC_H_FORMAT), KP_COMPILED_FORMAT);
	assert_int_equal(kp_rd32(a + KPC_H_RULES), KP_RULES_VERSION);
	assert_int_equal(kp_rd32(a + KPC_H_LENGTH), alen);
	/* smaller than the document, strings interned once */
	assert_true(alen < 4096);
	free(a);
	free(b);
	kp_policy_free(p);

	p = parse_sq(KP_DIALECT_ALIBABA, KP_DOC_KEY_POLICY, ali_key_docs[0]);
	assert_int_equal(kp_policy_compile(p, &a, &alen, &err), KP_OK);
	assert_int_equal(kp_compiled_open(a, alen, &c, &err), KP_OK);
	assert_int_equal(kp_compiled_dialect(&c), KP_DIALECT_ALIBABA);
	assert_int_equal(kp_compiled_version(&c), KP_VERSION_ALIBABA_1);
	free(a);
	kp_policy_free(p);

	p = parse_sq(KP_DIALECT_AWS, KP_DOC_IDENTITY_POLICY, aws_identity_docs[1]);
	assert_int_equal(kp_policy_compile(p, &a, &alen, &err), KP_OK);
	assert_int_equal(kp_compiled_open(a, alen, &c, &err), KP_OK);
	assert_int_equal(kp_compiled_kind(&c), KP_DOC_IDENTITY_POLICY);
	assert_int_equal(kp_compiled_statement_count(&c), 2);
	free(a);
	kp_policy_free(p);
}

static void
test_unaligned(void **state)
{
	kp_policy  *p = parse_sq(KP_DIALECT_AWS, KP_DOC_KEY_POLICY, aws_key_docs[3]);
	unsigned char *bytes;
	size_t		len;
	unsigned char *buf;
	kp_error	err;
	size_t		shift;
	kp_context *ctx = context_of(ctx_rich, "arn:aws:iam::111122223333:user/Alice", false);
	kp_request	req;
	kp_decision first = KP_DECISION_IMPLICIT_DENY;

	assert_int_equal(kp_policy_compile(p, &bytes, &len, &err), KP_OK);
	buf = malloc(len + 16);
	assert_non_null(buf);
	memset(&req, 0, sizeof(req));
	req.principal_arn = "arn:aws:iam::111122223333:user/Alice";
	req.action = "kms:Decrypt";
	req.resource_arn = KEY_ARN;
	req.context = ctx;
	for (shift = 0; shift < 8; shift++)
	{
		kp_compiled c;
		kp_trace	t;
		kp_decision d;

		memcpy(buf + shift, bytes, len);
		assert_int_equal(kp_compiled_open(buf + shift, len, &c, &err), KP_OK);
		kp_trace_init(&t);
		assert_int_equal(kp_evaluate_compiled(&c, NULL, 0, &req, &t, &d), KP_OK);
		if (shift == 0)
			first = d;
		assert_int_equal(d, first);
		assert_int_equal(t.n_entries, kp_compiled_statement_count(&c));
		kp_trace_free(&t);
	}
	assert_int_equal(first, kp_ref_authorize(p, NULL, 0, &req, NULL));
	free(buf);
	free(bytes);
	kp_context_free(ctx);
	kp_policy_free(p);
}

static void
test_truncation_and_flips(void **state)
{
	kp_policy  *p = parse_sq(KP_DIALECT_AWS, KP_DOC_KEY_POLICY, aws_key_docs[4]);
	unsigned char *bytes;
	unsigned char *copy;
	size_t		len;
	size_t		i;
	kp_error	err;
	static const unsigned char masks[] = {0x01, 0x80, 0xFF, 0x10};

	assert_int_equal(kp_policy_compile(p, &bytes, &len, &err), KP_OK);
	copy = malloc(len + 1);
	assert_non_null(copy);
	/* every truncation */
	for (i = 0; i < len; i++)
	{
		memcpy(copy + 1, bytes, i);
		assert_int_equal(kp_compiled_check(copy + 1, i, &err), KP_ERR_CORRUPT);
		assert_int_equal(err.status, KP_ERR_CORRUPT);
		assert_true(err.detail[0] != '\0');
	}
	assert_int_equal(kp_compiled_check(NULL, 0, &err), KP_ERR_CORRUPT);
	/* one byte too many */
	memcpy(copy, bytes, len);
	assert_int_equal(kp_compiled_check(copy, len + 1, &err), KP_ERR_CORRUPT);
	/* every flipped byte */
	for (i = 0; i < len; i++)
	{
		size_t		m;

		for (m = 0; m < sizeof(masks); m++)
		{
			memcpy(copy, bytes, len);
			copy[i] ^= masks[m];
			if (kp_compiled_check(copy, len, &err) != KP_ERR_CORRUPT)
				fail_msg("byte %zu ^ 0x%02x not refused as corrupt", i, masks[m]);
		}
	}
	memcpy(copy, bytes, len);
	assert_int_equal(kp_compiled_check(copy, len, &err), KP_OK);
	free(copy);
	free(bytes);
	kp_policy_free(p);
}

static void
test_stale(void **state)
{
	kp_policy  *p = parse_sq(KP_DIALECT_AWS, KP_DOC_KEY_POLICY, DEFAULT_POLICY);
	unsigned char *bytes;
	size_t		len;
	kp_error	err;
	kp_compiled c;

	assert_int_equal(kp_policy_compile(p, &bytes, &len, &err), KP_OK);
	/* another format version (and its complement) */
	kp_wr16(bytes + KPC_H_FORMAT, KP_COMPILED_FORMAT + 1);
	kp_wr16(bytes + KPC_H_FORMAT_NOT, (uint16_t) (0xFFFFu - (KP_COMPILED_FORMAT + 1)));
	assert_int_equal(kp_compiled_check(bytes, len, &err), KP_ERR_STALE);
	assert_int_equal(err.status, KP_ERR_STALE);
	/* a stale format is stale whatever follows (even truncated) */
	assert_int_equal(kp_compiled_check(bytes, KPC_HEADER_SIZE, &err), KP_ERR_STALE);
	kp_wr16(bytes + KPC_H_FORMAT, 0);
	kp_wr16(bytes + KPC_H_FORMAT_NOT, 0xFFFF);
	assert_int_equal(kp_compiled_check(bytes, len, &err), KP_ERR_STALE);
	kp_wr16(bytes + KPC_H_FORMAT, KP_COMPILED_FORMAT);
	kp_wr16(bytes + KPC_H_FORMAT_NOT, (uint16_t) (0xFFFFu - KP_COMPILED_FORMAT));
	assert_int_equal(kp_compiled_check(bytes, len, &err), KP_OK);
	/* another rules version, with a valid checksum */
	kp_wr32(bytes + KPC_H_RULES, KP_RULES_VERSION + 1);
	rechecksum(bytes, len);
	assert_int_equal(kp_compiled_check(bytes, len, &err), KP_ERR_STALE);
	assert_int_equal(kp_compiled_open(bytes, len, &c, &err), KP_ERR_STALE);
	assert_null(c.data);
	kp_wr32(bytes + KPC_H_RULES, KP_RULES_VERSION - 1);
	rechecksum(bytes, len);
	assert_int_equal(kp_compiled_check(bytes, len, &err), KP_ERR_STALE);
	free(bytes);
	kp_policy_free(p);
}

/* Structural damage behind a valid checksum is still corrupt. */
static void
test_structure(void **state)
{
	kp_policy  *p = parse_sq(KP_DIALECT_AWS, KP_DOC_KEY_POLICY, aws_key_docs[4]);
	unsigned char *bytes;
	unsigned char *copy;
	size_t		len;
	kp_error	err;
	size_t		s0 = KPC_HEADER_SIZE;	/* the first statement */
	size_t		c0;
	size_t		v0;
	size_t		p0;
	size_t		i;

	assert_int_equal(kp_policy_compile(p, &bytes, &len, &err), KP_OK);
	copy = malloc(len);
	assert_non_null(copy);
	p0 = kp_rd32(bytes + s0 + KPC_S_PRIN_OFF);
	c0 = kp_rd32(bytes + KPC_HEADER_SIZE + 3 * KPC_STMT_SIZE + KPC_S_COND_OFF);
	v0 = kp_rd32(bytes + c0 + KPC_C_VAL_OFF);

#define DAMAGE(stmt) do { \
		memcpy(copy, bytes, len); \
		stmt; \
		rechecksum(copy, len); \
		if (kp_compiled_check(copy, len, &err) != KP_ERR_CORRUPT) \
			fail_msg("not refused: %s", #stmt); \
	} while (0)

	DAMAGE(kp_wr32(copy + KPC_H_N_STMT, 5));
	DAMAGE(kp_wr32(copy + KPC_H_N_STMT, 0xFFFFFFFF));
	DAMAGE(kp_wr32(copy + KPC_H_STMT_OFF, 0));
	DAMAGE(kp_wr32(copy + KPC_H_STR_OFF, (uint32_t) len + 1));
	DAMAGE(kp_wr32(copy + KPC_H_STR_LEN, 0));
	DAMAGE(copy[KPC_H_DIALECT] = 7);
	DAMAGE(copy[KPC_H_FLAGS] = 1);
	DAMAGE(kp_wr32(copy + KPC_H_ID, (uint32_t) len));
	DAMAGE(kp_wr32(copy + s0 + KPC_S_FLAGS, 0x100));
	DAMAGE(kp_wr32(copy + s0 + KPC_S_SID, 3));
	DAMAGE(kp_wr32(copy + s0 + KPC_S_SID + 4, 0x7FFFFFFF));
	DAMAGE(kp_wr32(copy + s0 + KPC_S_N_PRIN, 1000));
	DAMAGE(kp_wr32(copy + s0 + KPC_S_PRIN_OFF, 0));
	DAMAGE(kp_wr32(copy + s0 + KPC_S_ACT_OFF, kp_rd32(copy + s0 + KPC_S_ACT_OFF) + 8));
	DAMAGE(kp_wr64(copy + s0 + KPC_S_ACT_BITS, (uint64_t) 1 << 63));
	DAMAGE(copy[p0 + KPC_P_CLASS] = 42);
	DAMAGE(copy[p0 + KPC_P_KIND] = 9);
	DAMAGE(kp_wr32(copy + p0 + KPC_P_ACCOUNT, 5000));
	DAMAGE(kp_wr32(copy + p0 + KPC_P_NAME + 4, 5000));
	DAMAGE(kp_wr32(copy + p0 + KPC_P_ARN, KPC_NONE));
	DAMAGE(copy[c0 + KPC_C_OP] = 200);
	DAMAGE(copy[c0 + KPC_C_SET_OP] = 3);
	DAMAGE(kp_wr32(copy + c0 + KPC_C_KEY, KPC_NONE));
	DAMAGE(kp_wr32(copy + c0 + KPC_C_N_VAL, 1000));
	DAMAGE(copy[v0 + KPC_V_FLAGS] = 0x80);
	DAMAGE(copy[v0 + KPC_V_TYPE] = 9);
	DAMAGE(copy[v0 + KPC_V_FLAGS] = KPC_VF_DYNAMIC | KPC_VF_PARSED);
	DAMAGE(kp_wr32(copy + v0 + KPC_V_TEXT, KPC_NONE));
	/* the last statement's first condition is a Dates condition: its
	 * values are parsed dates */
	DAMAGE(kp_wr32(copy + v0 + KPC_V_PAYLOAD + 8, 1000000000));
	DAMAGE((copy[v0 + KPC_V_TYPE] = KPC_VT_IP, copy[v0 + KPC_V_PAYLOAD] = 4,
			copy[v0 + KPC_V_PAYLOAD + 1] = 33));
	DAMAGE((copy[v0 + KPC_V_TYPE] = KPC_VT_NUMBER, copy[v0 + KPC_V_PAYLOAD] = 2,
			kp_wr32(copy + v0 + KPC_V_PAYLOAD + 16, 161)));
	DAMAGE((copy[v0 + KPC_V_TYPE] = KPC_VT_BOOL, copy[v0 + KPC_V_PAYLOAD] = 2));
	DAMAGE((copy[v0 + KPC_V_TYPE] = KPC_VT_TEXT));
	/* the string terminator */
	DAMAGE(copy[len - 1] = 'x');
#undef DAMAGE
	/* An unchanged blob is fine; the damage helper's own baseline. */
	memcpy(copy, bytes, len);
	rechecksum(copy, len);
	assert_int_equal(kp_compiled_check(copy, len, &err), KP_OK);
	for (i = 0; i < len; i++)
		assert_int_equal(copy[i], bytes[i]);
	free(copy);
	free(bytes);
	kp_policy_free(p);
}

/* Decisions and traces of the inline corpus equal the reference's. */
static void
test_equivalence_inline(void **state)
{
	kp_policy  *ids[4];
	kp_policy  *allow_all = parse_sq(KP_DIALECT_AWS, KP_DOC_IDENTITY_POLICY,
									 aws_identity_docs[0]);
	kp_policy  *ali_ram = parse_sq(KP_DIALECT_ALIBABA, KP_DOC_IDENTITY_POLICY,
								   "{'Version':'1','Statement':[{'Effect':'Allow',"
								   "'Action':['kms:Decrypt','kms:List*'],'Resource':['*']}]}");
	size_t		n = 0;
	size_t		i;

	for (i = 0; i < sizeof(aws_key_docs) / sizeof(aws_key_docs[0]); i++)
	{
		kp_policy  *kp = parse_sq(KP_DIALECT_AWS, KP_DOC_KEY_POLICY, aws_key_docs[i]);
		const kp_policy *one[1] = {allow_all};

		n += compare_all(kp, NULL, 0);
		n += compare_all(kp, one, 1);
		kp_policy_free(kp);
	}
	for (i = 0; i < sizeof(aws_identity_docs) / sizeof(aws_identity_docs[0]); i++)
		ids[i] = parse_sq(KP_DIALECT_AWS, KP_DOC_IDENTITY_POLICY, aws_identity_docs[i]);
	{
		kp_policy  *dflt = parse_sq(KP_DIALECT_AWS, KP_DOC_KEY_POLICY, DEFAULT_POLICY);
		const kp_policy *set[4] = {ids[1], NULL, ids[2], ids[3]};

		n += compare_all(NULL, (const kp_policy *const *) ids, 4);
		n += compare_all(dflt, set, 4);
		n += compare_all(NULL, NULL, 0);
		kp_policy_free(dflt);
	}
	for (i = 0; i < 4; i++)
		kp_policy_free(ids[i]);
	for (i = 0; i < sizeof(ali_key_docs) / sizeof(ali_key_docs[0]); i++)
	{
		kp_policy  *kp = parse_sq(KP_DIALECT_ALIBABA, KP_DOC_KEY_POLICY, ali_key_docs[i]);
		const kp_policy *one[1] = {ali_ram};

		n += compare_all(kp, NULL, 0);
		n += compare_all(kp, one, 1);
		kp_policy_free(kp);
	}
	{
		const kp_policy *one[1] = {ali_ram};

		n += compare_all(NULL, one, 1);
	}
	kp_policy_free(allow_all);
	kp_policy_free(ali_ram);
	print_message("%zu requests compared\n", n);
	assert_true(n > 10000);
}

/* The seed corpus of the policy fuzzer (first byte: dialect and kind). */
static void
test_equivalence_corpus(void **state)
{
	const char *dir_name = "test/fuzz/corpus_policy";
	DIR		   *dir = opendir(dir_name);
	struct dirent *de;
	kp_policy  *allow_all = parse_sq(KP_DIALECT_AWS, KP_DOC_IDENTITY_POLICY,
									 aws_identity_docs[0]);
	size_t		accepted = 0;

	if (dir == NULL)
		fail_msg("cannot open %s (run from the top of the tree)", dir_name);
	while ((de = readdir(dir)) != NULL)
	{
		char		path[1024];
		FILE	   *f;
		char		buf[65536];
		size_t		len;
		kp_dialect	dialect;
		kp_doc_kind kind;
		kp_policy  *p;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_name, de->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (len < 1)
			continue;
		dialect = (buf[0] & 1) ? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;
		kind = (buf[0] & 2) && dialect == KP_DIALECT_AWS ?
			KP_DOC_IDENTITY_POLICY : KP_DOC_KEY_POLICY;
		p = try_parse(dialect, kind, buf + 1, len - 1, false);
		if (p == NULL)
			continue;
		accepted++;
		if (kind == KP_DOC_KEY_POLICY)
		{
			const kp_policy *one[1] = {allow_all};

			compare_all(p, NULL, 0);
			compare_all(p, one, 1);
		}
		else
		{
			const kp_policy *one[1] = {p};

			compare_all(NULL, one, 1);
		}
		kp_policy_free(p);
	}
	closedir(dir);
	kp_policy_free(allow_all);
	print_message("%zu corpus policies compared\n", accepted);
	assert_true(accepted >= 10);
}

/* Trees the grammar refuses (edited after parsing) compile and evaluate
 * like the reference evaluates them. */
static void
test_edited_trees(void **state)
{
	kp_policy  *kp = parse_sq(KP_DIALECT_AWS, KP_DOC_KEY_POLICY,
							  "{'Version':'2012-10-17','Statement':[{'Sid':'x','Effect':'Allow',"
							  "'Principal':'*','Action':'kms:*','Resource':'*','Condition':{"
							  "'BinaryEquals':{'kms:EncryptionContext:b':'QUJD'},"
							  "'NumericLessThan':{'kms:EncryptionContext:n':'5'},"
							  "'IpAddress':{'aws:SourceIp':'10.0.0.0/8'},"
							  "'Null':{'aws:SourceIp':'false'}}}]}");
	kp_statement *st = &kp->statements[0];
	unsigned char *bytes;
	size_t		len;
	kp_error	err;
	size_t		i;

	/* operands the validator would refuse */
	for (i = 0; i < st->n_conditions; i++)
	{
		free(st->conditions[i].values[0]);
		st->conditions[i].values[0] = strdup("not valid!");
		assert_non_null(st->conditions[i].values[0]);
	}
	compare_all(kp, NULL, 0);
	/* a policy variable in a Bool value (the grammar refuses it) */
	free(st->conditions[0].values[0]);
	st->conditions[0].values[0] = strdup("${kms:EncryptionContext:tls}");
	assert_non_null(st->conditions[0].values[0]);
	st->conditions[0].op = KP_OP_BOOL;
	compare_all(kp, NULL, 0);
	/* no Resource, no Action */
	st->n_resources = 0;
	compare_all(kp, NULL, 0);
	st->n_resources = 1;
	{
		size_t		n = st->n_actions;

		st->n_actions = 0;
		compare_all(kp, NULL, 0);
		st->n_actions = n;
	}
	/* a NULL where a string is required is refused by the compiler */
	{
		char	   *keep = st->actions[0];

		st->actions[0] = NULL;
		assert_int_equal(kp_policy_compile(kp, &bytes, &len, &err), KP_ERR_MALFORMED);
		assert_null(bytes);
		st->actions[0] = keep;
	}
	assert_int_equal(kp_policy_compile(NULL, &bytes, &len, &err), KP_ERR_MALFORMED);
	kp_policy_free(kp);
}

/* A request for a table action in any letter case uses the bitset; the
 * decision equals the patterns' for every action of the table. */
static void
test_action_bitset(void **state)
{
	kp_policy  *kp = parse_sq(KP_DIALECT_AWS, KP_DOC_KEY_POLICY,
							  "{'Version':'2012-10-17','Statement':["
							  "{'Effect':'Allow','Principal':'*','Action':['kms:Get*','KMS:*Grant?',"
							  "'kms:Re?ncrypt*','kms:Decrypt'],'Resource':'*'},"
							  "{'Effect':'Deny','Principal':'*','NotAction':['kms:*Key*','kms:Get*'],"
							  "'Resource':'*'}]}");
	blob		b;
	unsigned char *d;
	size_t		i;

	blob_make(kp, &b);
	d = b.data;
	/* bit i of each statement is what its patterns say of action i */
	for (i = 0; i < kp_kms_action_count; i++)
	{
		char		name[80];
		size_t		k;

		snprintf(name, sizeof(name), "kms:%s", kp_kms_action_names[i]);
		for (k = 0; k < kp->n_statements; k++)
		{
			const kp_statement *st = &kp->statements[k];
			uint64_t	bits = kp_rd64(d + KPC_HEADER_SIZE + k * KPC_STMT_SIZE +
									   KPC_S_ACT_BITS);
			bool		m = false;
			size_t		j;

			for (j = 0; j < st->n_actions; j++)
				m |= kp_action_matches(st->actions[j], name);
			assert_int_equal((bits >> i) & 1, m ? 1 : 0);
		}
	}
	assert_true(kp_rd64(d + KPC_HEADER_SIZE + KPC_S_ACT_BITS) != 0);
	free(b.buf);
	{
		static const char *const odd[] = {
			"kms:getkeypolicy", "KMS:GETKEYPOLICY", "kms:RetireGrant",
			"kms:retiregranT", "kms:ReEncryptFrom", "kms:reencryptto",
			"kms:GetKeyPolicyX", "kms:Get", "kms:", "KMS:decrypt",
			"kms:Decrypt\xc3\xa9", "kms:CreateGrants", "kms:kms:Decrypt",
			"GetKeyPolicy", "kms:ScheduleKeyDeletion", "kms:Sign",
		};
		kp_context *ctx = context_of(NULL, NULL, false);

		for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		{
			kp_request	req;
			blob		kb;

			blob_make(kp, &kb);
			memset(&req, 0, sizeof(req));
			req.principal_arn = "arn:aws:iam::111122223333:user/Alice";
			req.action = odd[i];
			req.resource_arn = KEY_ARN;
			req.context = ctx;
			compare_one(kp, &kb, NULL, NULL, 0, &req);
			free(kb.buf);
		}
		kp_context_free(ctx);
	}
	kp_policy_free(kp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_truncation_and_flips),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_equivalence_inline),
		cmocka_unit_test(test_equivalence_corpus),
		cmocka_unit_test(test_edited_trees),
		cmocka_unit_test(test_action_bitset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
