/*
 * kms_authz.c -- the database as authority: request context, decisions,
 * AccessDenied, the lockout safety check.
 *
 * Every API call is made by a principal: the PostgreSQL role calling it
 * (GetUserId() at entry, so SET ROLE counts and a SECURITY DEFINER wrapper
 * calls as its owner, as PostgreSQL's own privilege checks see it) mapped to
 * a principal ARN (kms_identity_store.c).  Superusers that are not mapped act
 * as the root of kms_policy.account_id; other unmapped roles are refused.
 * The key's current policy, with the caller's identity policies, then
 * decides (the core's kp_evaluate_compiled, on the policies' compiled
 * forms); the lockout safety check asks the same
 * question of the new policy.  No SQL-callable function lives here.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "kms_authz.h"
#include "kms_args.h"
#include "kms_errors.h"
#include "kms_identity_store.h"
#include "kms_policy_cache.h"
#include "kms_settings.h"
#include "kms_spi.h"

/*
 * A key the request defines.  The context's size limits (kp_eval.h) count
 * these keys too: a caller context that leaves no room for them is refused
 * like one over the limit.
 */
static void
ctx_add(kp_context *ctx, const char *key, const char *value)
{
	kp_error	err;

	if (kp_context_get(ctx, key, &(size_t) {0}) != NULL)
		return;					/* the caller's own value wins */
	if (kp_context_add_checked(ctx, key, value, &err) == KP_ERR_LIMIT)
		kms_raise(pg_strncasecmp(key, "acs:", 4) == 0 ? ALI_INVALID_PARAMETER : KMS_VALIDATION,
				  "invalid request context", err.detail,
				  "Pass fewer keys and values in the request context.");
	else if (err.status != KP_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
}

static bool session_read = false;
static char *session_ip = NULL;
static bool session_ssl = false;

static void
read_session(void)
{
	if (session_read)
		return;
	kms_spi_exec("SELECT pg_catalog.host(pg_catalog.inet_client_addr()), "
				 "coalesce((SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()), false)",
				 0, NULL, true);
	if (SPI_processed == 1)
	{
		char	   *ip = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *ssl = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		session_ip = ip ? MemoryContextStrdup(TopMemoryContext, ip) : NULL;
		session_ssl = ssl && strcmp(ssl, "t") == 0;
	}
	session_read = true;
}

/*
 * The keys add_request_keys gives every request that kms_authorize decides
 * (not only the session's own calls), whatever the caller: a request never
 * lacks them, which the access analysis must know (kms_api_analysis.c).
 * Keep this list with the function below.
 */
static const char *const aws_request_keys[] = {
	"aws:CurrentTime", "aws:EpochTime", "aws:RequestedRegion", "aws:ViaAWSService",
	"kms:KeySpec", "kms:KeyUsage", "kms:KeyOrigin", "kms:MultiRegion"
};
static const char *const alibaba_request_keys[] = {"acs:CurrentTime"};

const char *const *
kms_request_defined_keys(kp_dialect dialect, size_t *n)
{
	if (dialect == KP_DIALECT_ALIBABA)
	{
		*n = lengthof(alibaba_request_keys);
		return alibaba_request_keys;
	}
	*n = lengthof(aws_request_keys);
	return aws_request_keys;
}

/*
 * Fill in the keys the request itself defines, where the caller's context
 * does not give them: the caller, time, the key's properties, and, when the
 * request comes from this session (from_session: an API call, not a
 * kms_authorize question about some principal), its transport and client
 * address.  kp_context is malloc'd: the caller frees it if this raises.
 */
static void
add_request_keys(kp_context *ctx, const KmsCaller *caller, const KmsKey *key,
				 const char *bypass_flag, bool from_session)
{
	TimestampTz now = GetCurrentStatementStartTimestamp();
	pg_time_t	epoch = timestamptz_to_time_t(now);
	char		iso[64];
	char		epoch_s[32];
	struct pg_tm tm;
	fsec_t		fsec;
	const char *ip;
	bool		secure;

	if (from_session)
		read_session();
	ip = from_session ? session_ip : NULL;
	secure = from_session && session_ssl;
	if (timestamp2tm(now, NULL, &tm, &fsec, NULL, NULL) == 0)
		snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ",
				 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		strlcpy(iso, "1970-01-01T00:00:00Z", sizeof(iso));
	snprintf(epoch_s, sizeof(epoch_s), INT64_FORMAT, (int64) epoch);

	if (key == NULL || key->dialect == KP_DIALECT_AWS)
	{
		if (caller->arn &&
			kp_context_add_caller(ctx, caller->arn, caller->account, caller->is_service) != KP_OK)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		ctx_add(ctx, "aws:CurrentTime", iso);
		ctx_add(ctx, "aws:EpochTime", epoch_s);
		if (from_session)
			ctx_add(ctx, "aws:SecureTransport", secure ? "true" : "false");
		ctx_add(ctx, "aws:RequestedRegion", kms_region);
		ctx_add(ctx, "aws:ViaAWSService", "false");
		if (ip)
			ctx_add(ctx, "aws:SourceIp", ip);
		if (key)
		{
			bool		mrk = kp_is_aws_mrk_id(key->key_id);

			ctx_add(ctx, "kms:KeySpec", "SYMMETRIC_DEFAULT");
			ctx_add(ctx, "kms:KeyUsage", "ENCRYPT_DECRYPT");
			ctx_add(ctx, "kms:KeyOrigin", "AWS_KMS");
			ctx_add(ctx, "kms:MultiRegion", mrk ? "true" : "false");
			if (mrk)
				ctx_add(ctx, "kms:MultiRegionKeyType", "PRIMARY");
		}
		if (bypass_flag)
			ctx_add(ctx, "kms:BypassPolicyLockoutSafetyCheck", bypass_flag);
	}
	else
	{
		ctx_add(ctx, "acs:CurrentTime", iso);
		if (from_session)
			ctx_add(ctx, "acs:SecureTransport", secure ? "true" : "false");
		if (ip)
			ctx_add(ctx, "acs:SourceIp", ip);
	}
}

/*
 * The key's policy in its compiled form.  A key that has no policy row (one
 * an administrator inserted directly) is governed by the default key policy,
 * as every KMS key has a policy.  When stored is not NULL it receives the
 * stored document as it is in the table (NULL when there is none), allocated
 * in the current memory context.
 *
 * A read call's key carries its policy row: the document and the compiled
 * form the validation trigger stored with it, which is evaluated as it is
 * (checked first: its format and rules version, length, checksum and every
 * offset).  A form of another format or rules version (written before an
 * upgrade of the extension) is never trusted: the document is compiled
 * again.  A form that fails the check otherwise is corrupt: an error, never
 * a decision.
 */
static kp_compiled
key_policy(const KmsKey *key, char **stored)
{
	char	   *doc;
	const kp_policy *compiled;

	/*
	 * The policy as committed now, whatever the isolation level: a committed
	 * revocation is always seen.  A read call's key carries the policy read
	 * with it.  A call that writes holds the key row's lock, which every
	 * writer of a key policy takes first, and reads the policy now: it is
	 * also the policy in force when the call's own writes commit.
	 */
	if (stored)
		*stored = NULL;

	/*
	 * The key and its policy are read together: a key deleted since it was
	 * resolved is not found, rather than governed by the default policy.
	 */
	if (!key->policy_read && !kms_key_read_policy((KmsKey *) key))
		kms_raise_key_not_found(key->arn, key->dialect);
	doc = key->policy;
	if (doc != NULL && key->compiled != NULL)
	{
		kp_error	err;
		kp_compiled form;

		switch (kp_compiled_check(key->compiled, key->compiled_len, &err))
		{
			case KP_OK:
				if (stored)
					*stored = doc;
				form.data = key->compiled;
				form.len = key->compiled_len;
				return form;
			case KP_ERR_STALE:
				break;			/* compiled again from the document */
			default:
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("the compiled form of the policy of key %s is corrupt", key->arn),
						 errdetail("%s", err.detail[0] ? err.detail : err.message),
						 errhint("An administrator recomputes it from the document: UPDATE kms_policy.key_policies SET policy = policy WHERE key_id = '%s'.",
								 key->key_id)));
		}
	}
	if (doc == NULL)
		doc = kms_default_policy(key);
	else
	{
		if (stored)
			*stored = doc;
		doc = pg_server_to_any(doc, strlen(doc), PG_UTF8);
	}
	compiled = kms_compile_policy(doc, strlen(doc), key->dialect, KP_DOC_KEY_POLICY,
								  key->partition, key->account_id);
	return kms_compiled_policy_form(compiled);
}

static void
raise_access_denied(const KmsCaller *caller, const char *action,
					const char *resource, kp_dialect dialect, const char *why,
					const char *detail, const char *hint)
{
	if (dialect == KP_DIALECT_ALIBABA)
	{
		char	   *d = psprintf("%s is not authorized to perform %s on %s %s.",
								 caller->display, action, resource, why);

		if (detail)
			d = psprintf("%s %s", d, detail);
		kms_raise(ALI_NO_PERMISSION, "This operation is forbidden by permission system.",
				  d, hint);
	}
	kms_raise(KMS_ACCESS_DENIED,
			  psprintf("User: %s is not authorized to perform: %s on resource: %s %s",
					   caller->display, action, resource, why),
			  detail, hint);
}

/* Read the context argument (jsonb object: key -> string or array) into ctx. */
static void
context_argument(Jsonb *jb, kp_context *ctx, kp_dialect dialect)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;
	int			depth = 0;
	int			n_elems = 0;
	const char *bad = NULL;
	const char *hint = "Write the context as {\"kms:CallerAccount\": \"111122223333\", \"aws:TagKeys\": [\"a\", \"b\"]}.";
	kp_error	err;

	kp_error_clear(&err);
	if (!JB_ROOT_IS_OBJECT(jb))
		bad = "The context must be a JSON object.";
	else
	{
		it = JsonbIteratorInit(&jb->root);
		while (bad == NULL && (tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
		{
			/* the caller's jsonb may be large: ctx is freed by evaluate() */
			CHECK_FOR_INTERRUPTS();
			switch (tok)
			{
				case WJB_BEGIN_OBJECT:
				case WJB_BEGIN_ARRAY:
					depth++;
					if (tok == WJB_BEGIN_OBJECT && depth > 1)
						bad = "Context values must be strings or arrays of strings.";
					if (tok == WJB_BEGIN_ARRAY && depth > 2)
						bad = "Context values must be strings or arrays of strings.";
					break;
				case WJB_END_OBJECT:
				case WJB_END_ARRAY:
					depth--;
					break;
				case WJB_KEY:
					key = pnstrdup(v.val.string.val, v.val.string.len);
					n_elems = 0;
					if (kp_context_add_checked(ctx, key, NULL, &err) != KP_OK)
						bad = pstrdup(err.detail);
					break;
				case WJB_VALUE:
				case WJB_ELEM:
					{
						char	   *s;

						/*
						 * A single-valued key (aws:SourceIp, kms:CallerAccount,
						 * ...) has one value in every request AWS sends; the
						 * access analysis relies on it too.
						 */
						if (tok == WJB_ELEM && ++n_elems > 1 &&
							!kp_condition_key_is_multivalued(key))
						{
							bad = psprintf("%s is a single-valued condition key: give one value, not an array of several.", key);
							break;
						}

						if (v.type == jbvString)
							s = pnstrdup(v.val.string.val, v.val.string.len);
						else if (v.type == jbvBool)
							s = v.val.boolean ? "true" : "false";
						else if (v.type == jbvNumeric)
							s = DatumGetCString(DirectFunctionCall1(numeric_out,
																	NumericGetDatum(v.val.numeric)));
						else
						{
							bad = "Context values must be strings or arrays of strings.";
							break;
						}
						if (kp_context_add_checked(ctx, key, s, &err) != KP_OK)
							bad = pstrdup(err.detail);
						break;
					}
				default:
					break;
			}
		}
	}
	if (bad)
	{
		/* the caller (evaluate) frees ctx on the way out */
		if (err.status == KP_ERR_LIMIT)
			hint = "Pass fewer keys and values in the request context.";
		else if (err.status == KP_ERR_NOMEM)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		kms_raise(dialect == KP_DIALECT_ALIBABA ? ALI_INVALID_PARAMETER : KMS_VALIDATION,
				  "invalid request context", bad, hint);
	}
}

/*
 * Evaluate a request: the context is built from user_context (kms_authorize's
 * argument, may be NULL) and the keys the request defines (with the session's
 * transport and address when from_session).  Every core object
 * is freed before this returns or raises.  trace, when not NULL, must be
 * kp_trace_init'ed and is the caller's to free.
 */
static kp_decision
evaluate(const kp_compiled *kpol, const kp_compiled *const *ids, int n_ids,
		 const KmsCaller *caller, const char *action, const KmsKey *key,
		 const char *resource, const char *bypass_flag, Jsonb *user_context,
		 bool from_session, kp_dialect dialect, kp_trace *trace)
{
	kp_context *ctx = kp_context_new();
	kp_request	req;
	kp_decision d;

	if (ctx == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	PG_TRY();
	{
		if (user_context)
			context_argument(user_context, ctx, dialect);
		add_request_keys(ctx, caller, key, bypass_flag, from_session);
	}
	PG_CATCH();
	{
		kp_context_free(ctx);
		PG_RE_THROW();
	}
	PG_END_TRY();

	memset(&req, 0, sizeof(req));
	req.principal_arn = caller->arn;
	req.principal_account = caller->account;
	req.principal_is_service = caller->is_service;
	req.action = action;
	req.resource_arn = resource;
	req.context = ctx;
	/* A pending cancel or timeout stops the core (kms_core_interrupt_pending). */
	while (kp_evaluate_compiled(kpol, ids, n_ids, &req, trace,
								&d) == KP_ERR_INTERRUPTED)
	{
		PG_TRY();
		{
			CHECK_FOR_INTERRUPTS();
		}
		PG_CATCH();
		{
			kp_context_free(ctx);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	kp_context_free(ctx);
	return d;
}

/*
 * Why a request was denied, in AWS's words, from the trace: the kind of
 * policy whose Deny applied, or, for an implicit deny, whether a key policy
 * statement did apply but granted only through identity policies (account
 * delegation, cross-account use) that did not allow.
 */
static const char *
denial_reason(const kp_trace *trace, kp_decision d, const char *action)
{
	for (size_t i = 0; i < trace->n_entries; i++)
	{
		const kp_trace_entry *e = &trace->entries[i];

		if (e->outcome != KP_TRACE_APPLIED)
			continue;
		if (d == KP_DECISION_EXPLICIT_DENY && !e->allow)
			return e->policy_index >= 0
				? "with an explicit deny in an identity-based policy"
				: "with an explicit deny in a resource-based policy";
		if (d == KP_DECISION_IMPLICIT_DENY && e->allow && e->policy_index < 0 &&
			(e->via == KP_TRACE_VIA_DELEGATION || e->via == KP_TRACE_VIA_CROSS_ACCOUNT) &&
			!e->identity_granted)
			return psprintf("because no identity-based policy allows the %s action", action);
	}
	if (d == KP_DECISION_EXPLICIT_DENY)
		return "with an explicit deny in a resource-based policy";
	return psprintf("because no resource-based policy allows the %s action", action);
}

/*
 * evaluate() for the API, keeping only the trace's one-sentence summary and,
 * when why is not NULL, the reason of a denial in AWS's words.
 */
static kp_decision
decide(const kp_compiled *kpol, const kp_compiled *const *ids, int n_ids,
	   const KmsCaller *caller, const char *action, const KmsKey *key,
	   const char *resource, const char *bypass_flag, char **summary,
	   const char **why)
{
	kp_trace	trace;
	volatile kp_decision d;

	/*
	 * An Allow needs no explanation: evaluate without a trace first (no
	 * allocation), and again with one only to explain a denial.
	 */
	*summary = NULL;
	if (why)
		*why = NULL;
	d = evaluate(kpol, ids, n_ids, caller, action, key, resource, bypass_flag,
				 NULL, true, key ? key->dialect : KP_DIALECT_AWS, NULL);
	if (d == KP_DECISION_ALLOW)
		return d;
	kp_trace_init(&trace);
	PG_TRY();
	{
		d = evaluate(kpol, ids, n_ids, caller, action, key, resource, bypass_flag,
					 NULL, true, key ? key->dialect : KP_DIALECT_AWS, &trace);
		*summary = trace.summary ? pstrdup(trace.summary) : NULL;
		if (why)
			*why = d == KP_DECISION_ALLOW ? NULL : denial_reason(&trace, d, action);
	}
	PG_FINALLY();
	{
		kp_trace_free(&trace);
	}
	PG_END_TRY();
	return d;
}

/*
 * Authorize the caller's action on the key; on a refusal, hint (may be NULL)
 * becomes the error's hint.  The refusal names the caller, the action, the
 * key and the kind of policy that decided, as AWS does; which statement
 * decided (the evaluation summary, with statement numbers and Sids) is shown
 * only to a caller who may read the key policy: an administrator, or a
 * caller that the same policies allow kms:GetKeyPolicy on the key.
 */
static void
authorize_key_action(const KmsKey *key, const char *action, Oid caller_role,
					 const char *bypass_flag, char **stored_policy,
					 const char *hint)
{
	KmsCaller  *caller = kms_current_caller(caller_role, key->dialect, key->locked);
	const kp_compiled *const *ids;
	kp_compiled kpol;
	int			n_ids;
	kp_decision d;
	char	   *summary = NULL;
	const char *why = NULL;
	const char *detail = NULL;

	if (caller->arn == NULL)
		raise_access_denied(caller, action, key->arn, key->dialect,
							"because the role is not mapped to a principal",
							"An administrator maps roles to principals with kms_map_role(role, principal).",
							hint);
	if (strcmp(caller->account, key->account_id) != 0)
		raise_access_denied(caller, action, key->arn, key->dialect,
							"because the key belongs to another account (cross-account use is not supported)",
							NULL, hint);

	n_ids = kms_identity_policies(caller, key->dialect, &ids);
	kpol = key_policy(key, stored_policy);
	d = decide(&kpol, ids, n_ids, caller, action, key, key->arn, bypass_flag, &summary, &why);
	if (d == KP_DECISION_ALLOW)
		return;

	/* May the caller read what decided?  (Same policies, no compiling.) */
	if (kms_is_administrator(caller_role))
		detail = summary;
	else if (strcmp(action, "kms:GetKeyPolicy") != 0)
	{
		char	   *ignored;

		if (decide(&kpol, ids, n_ids, caller, "kms:GetKeyPolicy", key, key->arn,
				   NULL, &ignored, NULL) == KP_DECISION_ALLOW)
			detail = summary;
	}
	raise_access_denied(caller, action, key->arn, key->dialect, why, detail, hint);
}

void
kms_authorize_caller(const KmsKey *key, const char *action, Oid caller_role,
					 const char *bypass_flag, char **stored_policy)
{
	authorize_key_action(key, action, caller_role, bypass_flag, stored_policy, NULL);
}

/*
 * Operations on no key (CreateKey, ListKeys) are IAM permissions of the
 * endpoint's account: its root has them; other principals of the account
 * need an identity policy; principals of other accounts cannot act here.
 */
static void
authorize_identity_only(Oid caller_role, kp_dialect dialect, bool for_write, const char *action,
						const char *bypass_flag)
{
	KmsCaller  *caller = kms_current_caller(caller_role, dialect, for_write);
	const kp_compiled *const *ids;
	int			n_ids;
	kp_decision d;
	kp_policy	delegate_all;
	kp_compiled delegate_form;
	kp_statement st;
	kp_principal account;
	char	   *star = "*";
	char	   *summary = NULL;
	const char *partition = kp_partition_for_region(kms_region);
	const char *own_account = dialect == KP_DIALECT_ALIBABA ? kms_alibaba_account_id : kms_account_id;
	const char *resource;

	if (partition == NULL)
		partition = "aws";
	if (caller->arn == NULL)
		raise_access_denied(caller, action, "*", dialect,
							"because the role is not mapped to a principal",
							"An administrator maps roles to principals with kms_map_role(role, principal).",
							NULL);
	if (strcmp(caller->account, own_account) != 0)
		raise_access_denied(caller, action, "*", dialect,
							"because the principal belongs to another account", NULL, NULL);
	n_ids = kms_identity_policies(caller, dialect, &ids);

	if (dialect == KP_DIALECT_ALIBABA)
	{
		/* Alibaba: same-account callers are allowed by RAM policies alone. */
		resource = psprintf("acs:kms:%s:%s:key/*", kms_alibaba_region, own_account);
		d = decide(NULL, ids, n_ids, caller, action, NULL, resource, bypass_flag, &summary, NULL);
	}
	else
	{
		/*
		 * AWS: evaluate as a key policy that delegates everything to the
		 * account, so that the root is allowed and everybody else needs an
		 * identity policy.
		 */
		memset(&delegate_all, 0, sizeof(delegate_all));
		memset(&st, 0, sizeof(st));
		memset(&account, 0, sizeof(account));
		account.kind = KP_PRIN_AWS;
		account.arn = psprintf("arn:%s:iam::%s:root", partition, own_account);
		account.value = account.arn;
		account.path = "";
		st.allow = true;
		st.principals = &account;
		st.n_principals = 1;
		st.actions = &star;
		st.n_actions = 1;
		st.resources = &star;
		st.n_resources = 1;
		delegate_all.dialect = KP_DIALECT_AWS;
		delegate_all.kind = KP_DOC_KEY_POLICY;
		delegate_all.version = KP_VERSION_2012;
		delegate_all.statements = &st;
		delegate_all.n_statements = 1;
		resource = psprintf("arn:%s:kms:%s:%s:key/*", partition, kms_region, own_account);
		delegate_form = kms_policy_to_form(&delegate_all);
		d = decide(&delegate_form, ids, n_ids, caller, action, NULL, resource, bypass_flag, &summary, NULL);
	}
	/* which identity statement denied: for administrators only */
	if (d == KP_DECISION_EXPLICIT_DENY)
		raise_access_denied(caller, action, "*", dialect,
							"with an explicit deny in an identity-based policy",
							kms_is_administrator(caller_role) ? summary : NULL, NULL);
	if (d != KP_DECISION_ALLOW)
		raise_access_denied(caller, action, "*", dialect,
							psprintf("because no identity-based policy allows the %s action", action),
							psprintf("No identity policy of %s allows %s.", caller->arn, action),
							NULL);
}

void
kms_authorize_list_keys(Oid caller)
{
	authorize_identity_only(caller, KP_DIALECT_AWS, false, "kms:ListKeys", NULL);
}

void
kms_authorize_create_key(Oid caller, kp_dialect dialect, bool bypass)
{
	authorize_identity_only(caller, dialect, true, "kms:CreateKey", bypass ? "true" : "false");
}

void
kms_lockout_safety_check(const kp_policy *new_policy, const KmsKey *key,
						 Oid caller_role, bool bypass)
{
	KmsCaller  *caller;
	const kp_compiled *const *ids;
	kp_compiled form;
	int			n_ids;
	kp_decision d;
	char	   *summary = NULL;

	/* Alibaba's API has no lockout safety check. */
	if (bypass || key->dialect == KP_DIALECT_ALIBABA)
		return;
	caller = kms_current_caller(caller_role, key->dialect, true);
	if (caller->arn == NULL)
		return;					/* refused earlier by authorization */
	n_ids = kms_identity_policies(caller, key->dialect, &ids);

	/*
	 * Would the caller be allowed a later PutKeyPolicy (without the bypass
	 * flag) by the new policy?  new_policy came from the cache just before
	 * (the identity policies are not compiled through it).
	 */
	form = kms_compiled_policy_form(new_policy);
	d = decide(&form, ids, n_ids, caller, "kms:PutKeyPolicy", key, key->arn,
			   "false", &summary, NULL);
	if (d != KP_DECISION_ALLOW)
		kms_raise(KMS_MALFORMED_POLICY,
				  "The new key policy will not allow you to update the key policy in the future.",
				  psprintf("The new policy does not allow %s to call kms:PutKeyPolicy on %s%s%s",
						   caller->arn, key->arn, summary ? ": " : ".", summary ? summary : ""),
				  "Add a statement that allows the caller kms:PutKeyPolicy, or set bypass_policy_lockout_safety_check => true.");
}

/*
 * The principal argument: a principal ARN, an account ID (its root), or a
 * service principal name.
 */
static KmsCaller *
principal_argument(const char *value, const KmsKey *key)
{
	KmsCaller  *c = palloc0(sizeof(KmsCaller));
	kp_principal_kind kind;
	char		arn[KMS_PRINCIPAL_ARN_BUFLEN];
	kp_error	err;
	kp_dialect	d = kms_arn_dialect(value);

	if (kp_principal_normalize(value, d, key->dialect == KP_DIALECT_AWS ? key->partition : "aws",
							   &kind, arn, sizeof(arn), &err) != KP_OK ||
		kind == KP_PRIN_ANY)
		kms_raise(key->dialect == KP_DIALECT_ALIBABA ? ALI_INVALID_PARAMETER : KMS_VALIDATION,
				  psprintf("'%s' is not a valid principal", value),
				  kind == KP_PRIN_ANY && err.status == KP_OK
				  ? "Name one principal: an account ID, a principal ARN or a service principal."
				  : (err.detail[0] ? err.detail : err.message),
				  NULL);
	c->arn = pstrdup(arn);
	c->display = c->arn;
	c->is_service = kind == KP_PRIN_SERVICE;
	c->account = c->is_service ? NULL : kms_arn_account(c->arn);
	return c;
}

/*
 * What the policies decide for principal (an argument of kms_authorize, not
 * the caller) doing action on key in the request context user_context (NULL
 * for none).  Deciding about any principal, and even more explaining it,
 * shows what the key policy says (condition values, Sids, principals,
 * identity statements): the caller needs what reading the policy needs,
 * kms:GetKeyPolicy on the key, unless it administers.  trace, when not NULL,
 * must be kp_trace_init'ed and is the caller's to free.  Call between
 * kms_spi_begin/end; caller_role is the calling role.
 */
kp_decision
kms_decide_request(const KmsKey *key, Oid caller_role, const char *principal,
				   const char *action, Jsonb *user_context, kp_trace *trace)
{
	KmsCaller  *caller;
	const kp_compiled *const *ids;
	kp_compiled kpol;
	int			n_ids;

	if (!kms_is_administrator(caller_role))
		authorize_key_action(key, "kms:GetKeyPolicy", caller_role, NULL, NULL,
							 "kms_authorize and kms_explain_authorization reveal the key policy: they need kms:GetKeyPolicy on the key, or an administrator (kms_policy.administrator_role).");
	caller = principal_argument(principal, key);
	n_ids = kms_identity_policies(caller, key->dialect, &ids);
	kpol = key_policy(key, NULL);
	return evaluate(&kpol, ids, n_ids, caller, action, key, key->arn, NULL,
					user_context, false, key->dialect, trace);
}
