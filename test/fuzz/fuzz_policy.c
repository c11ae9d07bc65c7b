/*
 * fuzz_policy.c -- libFuzzer target over the core's parse + validate entry
 * point (kp_policy_parse), for both dialects and both document kinds, and
 * over evaluation of what it accepts; and over the validation findings
 * (kp_policy_lint): ERROR findings exactly when the parse refuses, and then
 * one, with the parse's message and path.
 *
 * Build and run: make fuzz FUZZ_SECONDS=60 (clang, ASan, LSan, UBSan).
 * The first input byte selects dialect and kind; the rest is the document.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kp.h"
#include "kp_eval.h"
#include "kp_lint.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kp_parse_opts opts;
	kp_policy  *policy = NULL;
	kp_error	err;
	kp_status	st;

	if (size < 1)
		return 0;
	memset(&opts, 0, sizeof(opts));
	opts.dialect = (data[0] & 1) ? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;
	opts.kind = (data[0] & 2) && opts.dialect == KP_DIALECT_AWS
		? KP_DOC_IDENTITY_POLICY : KP_DOC_KEY_POLICY;
	opts.partition = "aws";
	opts.account = opts.dialect == KP_DIALECT_AWS ? "111122223333" : "1192853035118460";
	opts.max_depth = (data[0] & 4) ? 8 : 0;

	st = kp_policy_parse((const char *) data + 1, size - 1, &opts, &policy, &err);
	if (st == KP_OK)
	{
		kp_context *ctx = kp_context_new();
		kp_request	req;
		kp_trace	trace;

		if (policy == NULL)
			abort();			/* success must give a policy */
		if (ctx)
		{
			kp_context_add(ctx, "aws:SourceIp", "10.1.2.3");
			kp_context_add(ctx, "kms:EncryptionContext:dept", "it");
			kp_context_add(ctx, "aws:CurrentTime", "2026-11-23T12:00:00Z");
		}
		memset(&req, 0, sizeof(req));
		req.principal_arn = opts.dialect == KP_DIALECT_AWS
			? "arn:aws:iam::111122223333:user/Alice" : "acs:ram::1192853035118460:user/alice";
		req.action = "kms:PutKeyPolicy";
		req.resource_arn = opts.dialect == KP_DIALECT_AWS
			? "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
			: "acs:kms:cn-hangzhou:1192853035118460:key/key-abcdefgh12345678";
		req.context = ctx;
		kp_trace_init(&trace);
		if (opts.kind == KP_DOC_KEY_POLICY)
			(void) kp_authorize(policy, NULL, 0, &req, &trace);
		else
			(void) kp_authorize(NULL, (const kp_policy *const *) &policy, 1, &req, &trace);
		kp_trace_free(&trace);
		kp_context_free(ctx);
		kp_policy_free(policy);
	}
	else
	{
		if (policy != NULL || err.status != st || err.message[0] == '\0')
			abort();			/* an error must be reported, and nothing returned */
	}

	{
		kp_finding *f = NULL;
		size_t		n = 0;
		size_t		errors = 0;
		kp_error	lerr;
		kp_status	lst = kp_policy_lint((const char *) data + 1, size - 1, &opts,
										 &f, &n, &lerr);

		if (lst == KP_OK)
		{
			for (size_t i = 0; i < n; i++)
				errors += f[i].type == KP_FINDING_ERROR;
			if (st == KP_OK ? errors != 0
				: (n != 1 || errors != 1 || strcmp(f[0].message, err.message) != 0 ||
				   strcmp(f[0].path, err.path) != 0))
				abort();		/* ERROR findings iff refused, with its error */
		}
		else if (lst != KP_ERR_NOMEM && lst != KP_ERR_INTERRUPTED)
			abort();
		kp_findings_free(f, n);
	}
	return 0;
}
