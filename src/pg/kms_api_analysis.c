/*
 * kms_api_analysis.c -- access analysis in SQL (the core's kp_analyze.h):
 *
 *	kms_check_no_new_access(new_policy, existing_policy)
 *	kms_check_access_not_granted(policy, actions, principals)
 *	kms_check_no_public_access(policy)
 *		PASS, or FAIL rows with a witness request, or UNKNOWN rows;
 *		they analyse the documents given and read nothing stored, so
 *		they need no permission on any key.
 *	kms_key_access(key_id)
 *		who may do what with the key under its current policy;
 *		needs kms:GetKeyPolicy on the key (it shows the policy's content),
 *		or an administrator, like kms_authorize.
 *	kms_key_policy_diff(key_id, from_version, to_version)
 *		the access gained and lost between two versions of the key
 *		policy's history; needs kms:GetKeyPolicy, like the history.
 *
 * A request is what kms_authorize decides: the witnesses' principal, action
 * and context give, through kms_authorize on a key with that policy, Allow
 * under the policy that gains and not under the other.  The core's trees
 * and results are malloc'd: they are freed on every path out, errors too.
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "kp_analyze.h"
#include "kms_args.h"
#include "kms_authz.h"
#include "kms_errors.h"
#include "kms_key_store.h"
#include "kms_settings.h"
#include "kms_spi.h"

PG_FUNCTION_INFO_V1(kms_check_no_new_access_v1);
PG_FUNCTION_INFO_V1(kms_check_access_not_granted_v1);
PG_FUNCTION_INFO_V1(kms_check_no_public_access_v1);
PG_FUNCTION_INFO_V1(kms_key_access_v1);
PG_FUNCTION_INFO_V1(kms_key_policy_diff_v1);

/* What one analysis holds that PostgreSQL does not free. */
typedef struct AnalysisState
{
	kp_policy  *policies[2];
	kpa_report	report;
	kpa_access_row *access;
	size_t		n_access;
} AnalysisState;

static void
state_free(AnalysisState *s)
{
	for (int i = 0; i < 2; i++)
		if (s->policies[i])
		{
			kp_policy_free(s->policies[i]);
			s->policies[i] = NULL;
		}
	kpa_report_free(&s->report);
	kpa_access_rows_free(s->access, s->n_access);
	s->access = NULL;
	s->n_access = 0;
}

/*
 * Parse a key policy document for the analysis.  The dialect is that of the
 * document: AWS, unless only the Alibaba grammar accepts it.  On a bad
 * document the state is freed and the error the put gives is raised.
 */
static kp_policy *
parse_policy(AnalysisState *s, const char *doc, size_t len, const char *partition,
			 const char *account, int want_dialect)
{
	kp_parse_opts opts;
	kp_policy  *policy = NULL;
	kp_error	aws_err;
	kp_error	err;

	memset(&opts, 0, sizeof(opts));
	opts.kind = KP_DOC_KEY_POLICY;
	opts.max_depth = KP_DEFAULT_MAX_DEPTH;
	for (;;)
	{
		if (want_dialect != KP_DIALECT_ALIBABA)
		{
			opts.dialect = KP_DIALECT_AWS;
			opts.partition = partition ? partition : kms_endpoint_partition();
			opts.account = account ? account : kms_account_id;
			if (kp_policy_parse(doc, len, &opts, &policy, &aws_err) == KP_OK)
				return policy;
			if (aws_err.status == KP_ERR_INTERRUPTED)
			{
				CHECK_FOR_INTERRUPTS();
				continue;
			}
			if (want_dialect == KP_DIALECT_AWS)
			{
				state_free(s);
				kms_raise_core(&aws_err, KP_DIALECT_AWS);
			}
		}
		opts.dialect = KP_DIALECT_ALIBABA;
		opts.partition = "";
		opts.account = account ? account : kms_alibaba_account_id;
		if (kp_policy_parse(doc, len, &opts, &policy, &err) == KP_OK)
			return policy;
		if (err.status == KP_ERR_INTERRUPTED)
		{
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		state_free(s);
		if (want_dialect == KP_DIALECT_ALIBABA)
			kms_raise_core(&err, KP_DIALECT_ALIBABA);
		kms_raise_core(&aws_err, KP_DIALECT_AWS);
	}
}

/* The key the text-only checks put every request on (this server's account). */
static const char *
analysis_key_arn(kp_dialect dialect)
{
	if (dialect == KP_DIALECT_ALIBABA)
		return psprintf("acs:kms:%s:%s:key/key-analysis00000000",
						kms_alibaba_region, kms_alibaba_account_id);
	return psprintf("arn:%s:kms:%s:%s:key/00000000-0000-0000-0000-000000000000",
					kms_endpoint_partition(), kms_region, kms_account_id);
}

static void
init_opts(kpa_opts *o, const char *key_arn, kp_dialect dialect)
{
	memset(o, 0, sizeof(*o));
	o->key_arn = key_arn;
	o->present_keys = kms_request_defined_keys(dialect, &o->n_present_keys);
}

/* Core status -> error (state freed first). */
static void
raise_analysis_error(AnalysisState *s, const kp_error *err, kp_dialect dialect)
{
	kp_error	copy = *err;

	state_free(s);
	if (copy.status == KP_ERR_INTERRUPTED)
	{
		CHECK_FOR_INTERRUPTS();
		/* a benign interrupt: say so rather than answer half */
		ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
						errmsg("access analysis interrupted")));
	}
	if (copy.status == KP_ERR_NOMEM)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory"),
						errdetail("%s", copy.detail)));
	kms_raise_core(&copy, dialect);
}

/* Emit a report as (result, principal, action, context, reason) rows. */
static void
emit_report(FunctionCallInfo fcinfo, const kpa_report *r, const char *fail_label,
			const char *pass_reason)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	for (size_t i = 0; i < r->n_rows; i++)
	{
		const kpa_row *row = &r->rows[i];
		Datum		values[5];
		bool		nulls[5] = {false};

		values[0] = CStringGetTextDatum(row->result == KPA_FAIL ? fail_label
										: kpa_result_name(row->result));
		if (row->principal)
			values[1] = CStringGetTextDatum(row->principal);
		else
			nulls[1] = true;
		if (row->action)
			values[2] = CStringGetTextDatum(row->action);
		else
			nulls[2] = true;
		if (row->context)
			values[3] = DirectFunctionCall1(jsonb_in, CStringGetDatum(row->context));
		else
			nulls[3] = true;
		values[4] = CStringGetTextDatum(row->reason);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	if (r->n_rows == 0 && pass_reason)
	{
		Datum		values[5];
		bool		nulls[5] = {false, true, true, true, false};

		values[0] = CStringGetTextDatum("PASS");
		values[4] = CStringGetTextDatum(pass_reason);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

static char *
policy_arg(FunctionCallInfo fcinfo, int argno, const char *member, size_t *len)
{
	char	   *doc = kms_arg_utf8(fcinfo, argno, len);

	if (doc == NULL)
		kms_raise_null_argument(member, KP_DIALECT_AWS);
	return doc;
}

/* A text[] argument as strings (NULL elements refused); *n 0 for NULL. */
static char **
text_array_arg(FunctionCallInfo fcinfo, int argno, const char *member, int *n)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	char	  **out;

	*n = 0;
	if (PG_ARGISNULL(argno))
		return NULL;
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		kms_raise(KMS_VALIDATION, psprintf("invalid %s", member),
				  psprintf("%s must be a one-dimensional array.", member), NULL);
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	out = palloc0(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			kms_raise(KMS_VALIDATION, psprintf("invalid %s", member),
					  psprintf("%s[%d] is NULL.", member, i + 1), NULL);
		out[i] = TextDatumGetCString(elems[i]);
	}
	return out;
}

/*
 * Compare s->policies[0] (gains) with s->policies[1] (NULL: nothing) under o
 * and emit the rows, FAIL rows labelled fail_label; s is freed on every path.
 */
static void
run_check(FunctionCallInfo fcinfo, AnalysisState *s, const kpa_opts *o,
		  kp_dialect dialect, const char *fail_label, const char *pass_reason)
{
	kp_error	err;

	PG_TRY();
	{
		if (kpa_compare(s->policies[0], s->policies[1], o, &s->report, &err) != KP_OK)
			raise_analysis_error(s, &err, dialect);
		emit_report(fcinfo, &s->report, fail_label, pass_reason);
	}
	PG_FINALLY();
	{
		state_free(s);
	}
	PG_END_TRY();
}

/* kms_check_no_new_access(new_policy text, existing_policy text) */
Datum
kms_check_no_new_access_v1(PG_FUNCTION_ARGS)
{
	size_t		new_len;
	size_t		old_len;
	char	   *new_doc = policy_arg(fcinfo, 0, "newPolicyDocument", &new_len);
	char	   *old_doc = policy_arg(fcinfo, 1, "existingPolicyDocument", &old_len);
	AnalysisState s;
	kpa_opts	o;
	kp_dialect	dialect;

	InitMaterializedSRF(fcinfo, 0);
	memset(&s, 0, sizeof(s));
	s.policies[0] = parse_policy(&s, new_doc, new_len, NULL, NULL, -1);
	dialect = s.policies[0]->dialect;
	s.policies[1] = parse_policy(&s, old_doc, old_len, NULL, NULL, (int) dialect);
	init_opts(&o, analysis_key_arn(dialect), dialect);
	run_check(fcinfo, &s, &o, dialect, "FAIL",
			  "No request is allowed by the new policy that the existing policy does not allow.");
	return (Datum) 0;
}

/* kms_check_access_not_granted(policy text, actions text[], principals text[]) */
Datum
kms_check_access_not_granted_v1(PG_FUNCTION_ARGS)
{
	size_t		len;
	char	   *doc = policy_arg(fcinfo, 0, "policyDocument", &len);
	int			n_actions;
	int			n_principals;
	char	  **actions = text_array_arg(fcinfo, 1, "actions", &n_actions);
	char	  **principals = text_array_arg(fcinfo, 2, "principals", &n_principals);
	char	  **normalized;
	AnalysisState s;
	kpa_opts	o;
	kp_error	err;
	kp_dialect	dialect;

	if (actions == NULL || n_actions == 0)
		kms_raise(KMS_VALIDATION, "invalid actions",
				  "Name at least one action, such as kms:Decrypt or kms:Get*.", NULL);
	for (int i = 0; i < n_actions; i++)
	{
		bool		matches;

		if (pg_strncasecmp(actions[i], "kms:", 4) != 0 && strcmp(actions[i], "*") != 0)
			kms_raise(KMS_VALIDATION, psprintf("'%s' is not a KMS action", actions[i]),
					  "The actions are KMS actions (kms:Decrypt) or patterns of them (kms:Get*).",
					  NULL);
		matches = strpbrk(actions[i], "*?") != NULL || kp_is_kms_action(actions[i]);
		if (!matches)
			kms_raise(KMS_VALIDATION, psprintf("'%s' is not a KMS action", actions[i]),
					  "The actions are KMS actions (kms:Decrypt) or patterns of them (kms:Get*).",
					  NULL);
	}
	InitMaterializedSRF(fcinfo, 0);
	memset(&s, 0, sizeof(s));
	s.policies[0] = parse_policy(&s, doc, len, NULL, NULL, -1);
	dialect = s.policies[0]->dialect;
	normalized = palloc0(sizeof(char *) * (n_principals + 1));
	for (int i = 0; i < n_principals; i++)
	{
		kp_principal_kind kind;
		char		arn[2048];

		if (kp_principal_normalize(principals[i], dialect,
								   dialect == KP_DIALECT_AWS ? kms_endpoint_partition() : "",
								   &kind, arn, sizeof(arn), &err) != KP_OK)
		{
			state_free(&s);
			kms_raise(KMS_VALIDATION, psprintf("'%s' is not a valid principal", principals[i]),
					  err.detail[0] ? err.detail : err.message, NULL);
		}
		normalized[i] = pstrdup(arn);
	}
	init_opts(&o, analysis_key_arn(dialect), dialect);
	o.actions = (const char *const *) actions;
	o.n_actions = n_actions;
	o.principals = (const char *const *) normalized;
	o.n_principals = n_principals;
	run_check(fcinfo, &s, &o, dialect, "FAIL",
			  "The policy allows none of the actions to the principals, in any request context.");
	return (Datum) 0;
}

/* kms_check_no_public_access(policy text) */
Datum
kms_check_no_public_access_v1(PG_FUNCTION_ARGS)
{
	size_t		len;
	char	   *doc = policy_arg(fcinfo, 0, "policyDocument", &len);
	AnalysisState s;
	kpa_opts	o;
	kp_dialect	dialect;

	InitMaterializedSRF(fcinfo, 0);
	memset(&s, 0, sizeof(s));
	s.policies[0] = parse_policy(&s, doc, len, NULL, NULL, -1);
	dialect = s.policies[0]->dialect;
	init_opts(&o, analysis_key_arn(dialect), dialect);
	o.outsiders_only = true;
	run_check(fcinfo, &s, &o, dialect, "FAIL",
			  "No identity of an account that neither the key nor the policy names is allowed anything.");
	return (Datum) 0;
}

/* The key's current policy document (the default policy when it has none). */
static char *
current_policy(KmsKey *key)
{
	if (!key->policy_read && !kms_key_read_policy(key))
		kms_raise_key_not_found(key->arn, key->dialect);
	return key->policy ? key->policy : kms_default_policy(key);
}

/* kms_key_access(key_id text) */
Datum
kms_key_access_v1(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	char	   *doc;
	AnalysisState s;
	kpa_opts	o;
	kp_error	err;

	kms_check_key_id_shape(key_input, dialect);
	InitMaterializedSRF(fcinfo, 0);
	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	if (!kms_is_administrator(st.caller))
		kms_authorize_caller(key, "kms:GetKeyPolicy", st.caller, NULL, NULL);
	doc = current_policy(key);
	memset(&s, 0, sizeof(s));
	s.policies[0] = parse_policy(&s, doc, strlen(doc), key->partition, key->account_id,
								 (int) key->dialect);
	init_opts(&o, key->arn, key->dialect);
	PG_TRY();
	{
		if (kpa_key_access(s.policies[0], &o, &s.access, &s.n_access, &err) != KP_OK)
			raise_analysis_error(&s, &err, key->dialect);
		for (size_t i = 0; i < s.n_access; i++)
		{
			const kpa_access_row *r = &s.access[i];
			Datum		values[5];
			bool		nulls[5] = {false};

			values[0] = CStringGetTextDatum(r->principal);
			values[1] = CStringGetTextDatum(r->action);
			values[2] = CStringGetTextDatum(kpa_access_name(r->access));
			if (r->conditions)
				values[3] = DirectFunctionCall1(jsonb_in, CStringGetDatum(r->conditions));
			else
				nulls[3] = true;
			if (r->statements && r->statements[0])
				values[4] = CStringGetTextDatum(r->statements);
			else
				nulls[4] = true;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_FINALLY();
	{
		state_free(&s);
	}
	PG_END_TRY();
	kms_spi_end(&st);
	return (Datum) 0;
}

/* The document of one version of a key's policy history (NotFound if none). */
static char *
history_version(const KmsKey *key, int64 version)
{
	const char *args[2];

	args[0] = key->key_id;
	args[1] = psprintf(INT64_FORMAT, version);
	kms_spi_exec_latest("SELECT policy FROM kms_policy.key_policy_history "
						"WHERE key_id = $1 AND policy_name = 'default' AND version = $2::bigint",
						2, args);
	if (SPI_processed != 1)
		kms_raise(key->dialect == KP_DIALECT_ALIBABA ? ALI_RESOURCE_NOT_FOUND : KMS_NOT_FOUND,
				  psprintf("version " INT64_FORMAT " of the policy of key '%s' does not exist",
						   version, key->arn),
				  "kms_key_policy_history(key_id) lists the versions.", NULL);
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* kms_key_policy_diff(key_id text, from_version bigint, to_version bigint) */
Datum
kms_key_policy_diff_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	char	   *from_doc;
	char	   *to_doc;
	AnalysisState s;
	kpa_opts	o;
	kp_error	err;

	kms_check_key_id_shape(key_input, dialect);
	if (PG_ARGISNULL(1))
		kms_raise_null_argument("fromVersion", dialect);
	if (PG_ARGISNULL(2))
		kms_raise_null_argument("toVersion", dialect);
	InitMaterializedSRF(fcinfo, 0);
	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	if (!kms_is_administrator(st.caller))
		kms_authorize_caller(key, "kms:GetKeyPolicy", st.caller, NULL, NULL);
	from_doc = history_version(key, PG_GETARG_INT64(1));
	to_doc = history_version(key, PG_GETARG_INT64(2));
	memset(&s, 0, sizeof(s));
	s.policies[0] = parse_policy(&s, to_doc, strlen(to_doc), key->partition, key->account_id,
								 (int) key->dialect);
	s.policies[1] = parse_policy(&s, from_doc, strlen(from_doc), key->partition, key->account_id,
								 (int) key->dialect);
	init_opts(&o, key->arn, key->dialect);
	PG_TRY();
	{
		size_t		gained;

		/* gained: allowed by to, not by from; lost: the other way round */
		if (kpa_compare(s.policies[0], s.policies[1], &o, &s.report, &err) != KP_OK)
			raise_analysis_error(&s, &err, key->dialect);
		emit_report(fcinfo, &s.report, "GAINED", NULL);
		gained = s.report.n_rows;
		kpa_report_free(&s.report);
		if (kpa_compare(s.policies[1], s.policies[0], &o, &s.report, &err) != KP_OK)
			raise_analysis_error(&s, &err, key->dialect);
		emit_report(fcinfo, &s.report, "LOST",
					gained == 0 ? "The two versions allow exactly the same requests." : NULL);
	}
	PG_FINALLY();
	{
		state_free(&s);
	}
	PG_END_TRY();
	kms_spi_end(&st);
	return (Datum) 0;
}
