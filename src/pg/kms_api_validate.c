/*
 * kms_api_validate.c -- kms_validate_policy: the findings of the policy
 * core's validation (kp_lint.h) as rows, in the manner of IAM Access
 * Analyzer's ValidatePolicy.
 *
 * It analyses the text it is given and nothing else: no key, no stored
 * policy, no registry, so it needs no KMS permission (EXECUTE is granted as
 * for every function).  It reads settings only (the endpoint's partition and
 * account, as a key of this endpoint would have them): STABLE, parallel safe.
 * A bad document is never an error: it is an ERROR row; only bad arguments
 * raise.
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "kp_lint.h"

#include "kms_args.h"
#include "kms_errors.h"
#include "kms_settings.h"

PG_FUNCTION_INFO_V1(kms_validate_policy_v1);

/* An enum argument: NULL means its default; else one of the values. */
static int
enum_argument(FunctionCallInfo fcinfo, int argno, const char *member,
			  const char *const *values, int n, kp_dialect dialect)
{
	char	   *v = kms_arg_utf8(fcinfo, argno, NULL);
	StringInfoData set;

	if (v == NULL)
		return 0;
	for (int i = 0; i < n; i++)
	{
		if (strcmp(v, values[i]) == 0)
			return i;
	}
	initStringInfo(&set);
	for (int i = 0; i < n; i++)
		appendStringInfo(&set, "%s%s", i ? ", " : "", values[i]);
	kms_raise(dialect == KP_DIALECT_ALIBABA ? ALI_INVALID_PARAMETER : KMS_VALIDATION,
			  psprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
					   v, member, set.data),
			  NULL, NULL);
}

Datum
kms_validate_policy_v1(PG_FUNCTION_ARGS)
{
	static const char *const dialects[] = {"aws", "alibaba"};
	static const char *const kinds[] = {"key", "identity"};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	kp_dialect	dialect;
	kp_doc_kind kind;
	size_t		len;
	char	   *doc;
	kp_parse_opts opts;
	kp_finding *findings = NULL;
	size_t		n = 0;
	kp_error	err;
	kp_status	rc;

	dialect = enum_argument(fcinfo, 1, "dialect", dialects, 2, KP_DIALECT_AWS) == 1
		? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;
	kind = enum_argument(fcinfo, 2, "kind", kinds, 2, dialect) == 1
		? KP_DOC_IDENTITY_POLICY : KP_DOC_KEY_POLICY;
	doc = kms_arg_utf8(fcinfo, 0, &len);
	if (doc == NULL)
		kms_raise_null_argument("policy", dialect);

	memset(&opts, 0, sizeof(opts));
	opts.dialect = dialect;
	opts.kind = kind;
	/* as for a key of this endpoint (an Alibaba key has no partition) */
	opts.partition = dialect == KP_DIALECT_ALIBABA ? "" : kms_endpoint_partition();
	opts.account = dialect == KP_DIALECT_ALIBABA ? kms_alibaba_account_id : kms_account_id;
	opts.max_depth = KP_DEFAULT_MAX_DEPTH;

	InitMaterializedSRF(fcinfo, 0);

	/* The core frees what it holds before returning an error. */
	while ((rc = kp_policy_lint(doc, len, &opts, &findings, &n, &err)) != KP_OK)
	{
		if (rc != KP_ERR_INTERRUPTED)
			kms_raise_core(&err, KP_DIALECT_AWS);
		CHECK_FOR_INTERRUPTS();
	}

	/* Copy the findings into rows; they are freed even if copying fails. */
	PG_TRY();
	{
		for (size_t i = 0; i < n; i++)
		{
			const kp_finding *f = &findings[i];
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};

			values[0] = CStringGetTextDatum(kp_finding_type_name(f->type));
			values[1] = CStringGetTextDatum(f->code);
			values[2] = CStringGetTextDatum(kms_utf8_to_server(f->message, strlen(f->message)));
			values[3] = CStringGetTextDatum(kms_utf8_to_server(f->path, strlen(f->path)));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_FINALLY();
	{
		kp_findings_free(findings, n);
	}
	PG_END_TRY();
	return (Datum) 0;
}
