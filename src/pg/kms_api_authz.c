/*
 * kms_api_authz.c -- kms_authorize and kms_explain_authorization: what the
 * key's policy and a principal's identity policies decide for a request,
 * and why (the evaluation trace as rows).  Both need kms:GetKeyPolicy on the
 * key, or an administrator (kms_authz.c).
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "kms_args.h"
#include "kms_authz.h"
#include "kms_errors.h"
#include "kms_key_store.h"
#include "kms_spi.h"

PG_FUNCTION_INFO_V1(kms_authorize_v1);
PG_FUNCTION_INFO_V1(kms_explain_authorization_v1);

/* The action argument: "service:Name"; kms: actions must exist. */
static const char *
action_argument(const char *action, kp_dialect dialect)
{
	const char *colon;

	if (action == NULL)
		kms_raise_null_argument("action", dialect);
	colon = strchr(action, ':');
	if (colon == NULL || colon == action || colon[1] == '\0' ||
		strpbrk(action, "*?") != NULL ||
		(pg_strncasecmp(action, "kms:", 4) == 0 && !kp_is_kms_action(action)))
		kms_raise(dialect == KP_DIALECT_ALIBABA ? ALI_INVALID_PARAMETER : KMS_VALIDATION,
				  psprintf("'%s' is not a valid action", action),
				  "An action has the form service:Name without wildcards, and a kms: action must be one of the KMS actions.",
				  NULL);
	return action;
}

typedef struct AuthzResult
{
	kp_decision decision;
	kp_trace	trace;			/* copied to palloc'd rows by the caller */
} AuthzResult;

/*
 * Shared by both functions: evaluate principal/action/context on the key.
 * On return the trace is owned by res (free it with kp_trace_free).
 */
static void
authorize_request(FunctionCallInfo fcinfo, bool want_trace, AuthzResult *res)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	char	   *principal = kms_arg_utf8(fcinfo, 1, NULL);
	char	   *action = kms_arg_utf8(fcinfo, 2, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;

	if (key_input == NULL)
		kms_raise_null_argument("keyId", dialect);
	if (principal == NULL)
		kms_raise_null_argument("principal", dialect);
	action_argument(action, dialect);

	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	kp_trace_init(&res->trace);
	res->decision = kms_decide_request(key, st.caller, principal, action,
									   PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3),
									   want_trace ? &res->trace : NULL);
	kms_spi_end(&st);
}

static const char *
decision_text(kp_decision d)
{
	switch (d)
	{
		case KP_DECISION_ALLOW:
			return "Allow";
		case KP_DECISION_EXPLICIT_DENY:
			return "ExplicitDeny";
		default:
			return "ImplicitDeny";
	}
}

Datum
kms_authorize_v1(PG_FUNCTION_ARGS)
{
	AuthzResult res;

	authorize_request(fcinfo, false, &res);
	PG_RETURN_TEXT_P(cstring_to_text(decision_text(res.decision)));
}

Datum
kms_explain_authorization_v1(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AuthzResult res;
	const char *decision;

	InitMaterializedSRF(fcinfo, 0);
	authorize_request(fcinfo, true, &res);
	decision = decision_text(res.decision);

	/* Copy the trace into rows; the trace is freed even if copying fails. */
	PG_TRY();
	{
	for (size_t i = 0; i < res.trace.n_entries; i++)
	{
		const kp_trace_entry *e = &res.trace.entries[i];
		Datum		values[7];
		bool		nulls[7] = {false};
		const char *outcome = kp_trace_outcome_name(e->outcome);

		if (e->outcome == KP_TRACE_APPLIED && e->via == KP_TRACE_VIA_DELEGATION)
			outcome = e->identity_granted ? "applied (delegated; identity policy allows)"
				: "applied (delegated; no identity policy allows)";
		else if (e->outcome == KP_TRACE_APPLIED && e->via == KP_TRACE_VIA_CROSS_ACCOUNT)
			outcome = e->identity_granted ? "applied (cross-account; identity policy allows)"
				: "applied (cross-account; no identity policy allows)";
		values[0] = CStringGetTextDatum(decision);
		values[1] = CStringGetTextDatum(e->label);
		values[2] = Int32GetDatum((int32) e->statement);
		if (e->sid)
			values[3] = CStringGetTextDatum(e->sid);
		else
			nulls[3] = true;
		values[4] = CStringGetTextDatum(e->allow ? "Allow" : "Deny");
		values[5] = CStringGetTextDatum(outcome);
		if (e->detail)
			values[6] = CStringGetTextDatum(e->detail);
		else
			nulls[6] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	{
		Datum		values[7];
		bool		nulls[7] = {false, false, true, true, true, false, false};

		values[0] = CStringGetTextDatum(decision);
		values[1] = CStringGetTextDatum("decision");
		values[5] = CStringGetTextDatum(decision);
		if (res.trace.summary)
			values[6] = CStringGetTextDatum(res.trace.summary);
		else
			nulls[6] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	}
	PG_FINALLY();
	{
		kp_trace_free(&res.trace);
	}
	PG_END_TRY();
	return (Datum) 0;
}
