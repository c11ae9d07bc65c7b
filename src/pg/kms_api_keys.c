/*
 * kms_api_keys.c -- the KMS API as SQL functions: keys, key policies, key
 * states.
 *
 * Each function checks its arguments in the order AWS does (member shape,
 * policy name, key resolution, key state, document), decides whether the
 * caller may act (kms_authz.c), then reads or writes the extension's tables
 * through SPI as the extension owner.  Every write to kms_policy.key_policies
 * goes through the validation trigger (kms_triggers_keys.c), which compiles
 * the document through the same cache as the API (kms_policy_cache.c), so a
 * rule lives in one place and a document is parsed once per call.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "kms_args.h"
#include "kms_authz.h"
#include "kms_errors.h"
#include "kms_history.h"
#include "kms_identity_store.h"
#include "kms_key_store.h"
#include "kms_policy_cache.h"
#include "kms_principal_store.h"
#include "kms_settings.h"
#include "kms_spi.h"

PG_FUNCTION_INFO_V1(kms_create_key_v1);
PG_FUNCTION_INFO_V1(kms_get_key_policy_v1);
PG_FUNCTION_INFO_V1(kms_put_key_policy_v1);
PG_FUNCTION_INFO_V1(kms_key_policy_history_v1);
PG_FUNCTION_INFO_V1(kms_key_policy_version_v1);
PG_FUNCTION_INFO_V1(kms_list_key_policies_v1);
PG_FUNCTION_INFO_V1(kms_describe_key_v1);
PG_FUNCTION_INFO_V1(kms_list_keys_v1);
PG_FUNCTION_INFO_V1(kms_disable_key_v1);
PG_FUNCTION_INFO_V1(kms_enable_key_v1);
PG_FUNCTION_INFO_V1(kms_schedule_key_deletion_v1);
PG_FUNCTION_INFO_V1(kms_cancel_key_deletion_v1);

/* AWS DescriptionType: 0..8192 characters. */
#define KMS_MAX_DESCRIPTION 8192
/* ListKeyPolicies: Limit 1..1000, default 100; Marker 1..1024 characters. */
#define KMS_DEFAULT_LIST_LIMIT 100
#define KMS_MAX_LIST_LIMIT 1000
#define KMS_MAX_MARKER_CHARS 1024
/* ScheduleKeyDeletion: PendingWindowInDays 7..30, default 30. */
#define KMS_MIN_PENDING_DAYS 7
#define KMS_MAX_PENDING_DAYS 30

/*
 * The metadata row of one key (inside SPI), as the function's result: as
 * committed now, so a key deleted since it was resolved is not found.
 */
static Datum
key_metadata_datum(const KmsKey *key)
{
	const char *args[1] = {key->key_id};

	kms_spi_exec_latest("SELECT key_id, arn, key_state, description, creation_date, deletion_date, "
						"multi_region, dialect, account_id, region "
						"FROM kms_policy.keys WHERE key_id = $1",
						1, args);
	if (SPI_processed != 1)
		kms_raise_key_not_found(key->arn, key->dialect);
	return PointerGetDatum(SPI_returntuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc));
}

/*
 * Validate a new policy document for a key and apply the lockout safety
 * check, before anything is written.
 */
static const kp_policy *
check_new_policy(const char *policy, size_t len, const KmsKey *key,
				 bool bypass_lockout_check, Oid caller)
{
	const kp_policy *compiled;

	compiled = kms_compile_policy(policy, len, key->dialect, KP_DOC_KEY_POLICY,
								  key->partition, key->account_id);
	kms_check_policy_principals(compiled, key);
	/* The policy lockout safety check (kms_authz.c). */
	kms_lockout_safety_check(compiled, key, caller, bypass_lockout_check);
	return compiled;
}

Datum
kms_create_key_v1(PG_FUNCTION_ARGS)
{
	size_t		policy_len;
	char	   *policy = kms_arg_utf8(fcinfo, 0, &policy_len);
	char	   *description = kms_arg_utf8(fcinfo, 1, NULL);
	bool		bypass = PG_ARGISNULL(2) ? false : PG_GETARG_BOOL(2);
	bool		multi_region = PG_ARGISNULL(3) ? false : PG_GETARG_BOOL(3);
	char	   *dialect_arg = kms_arg_utf8(fcinfo, 4, NULL);
	kp_dialect	dialect;
	KmsKey		key;
	KmsSpiState st;
	const kp_policy *checked = NULL;
	KmsStoringPolicy who;
	Datum		result;
	const char *args[7];

	if (dialect_arg == NULL || strcmp(dialect_arg, "aws") == 0)
		dialect = KP_DIALECT_AWS;
	else if (strcmp(dialect_arg, "alibaba") == 0)
		dialect = KP_DIALECT_ALIBABA;
	else
		kms_raise(KMS_VALIDATION,
				  psprintf("1 validation error detected: Value '%s' at 'dialect' failed to satisfy constraint: Member must satisfy enum value set: [aws, alibaba]",
						   dialect_arg),
				  NULL, NULL);

	if (description == NULL)
		description = "";
	if (kms_utf8_chars(description, strlen(description)) > KMS_MAX_DESCRIPTION)
		kms_raise_length("description", "...", true, KMS_MAX_DESCRIPTION, dialect);
	if (policy != NULL)
	{
		kp_error	err;

		if (kp_policy_check_text(policy, policy_len, dialect, &err) != KP_OK)
			kms_raise_core(&err, dialect);
	}
	if (multi_region && dialect == KP_DIALECT_ALIBABA)
		kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
				  "Alibaba Cloud keys cannot be multi-Region keys.", NULL);

	memset(&key, 0, sizeof(key));
	key.dialect = dialect;
	key.key_state = "Enabled";
	if (dialect == KP_DIALECT_AWS)
	{
		key.partition = (char *) kms_endpoint_partition();
		key.region = kms_region;
		key.account_id = kms_account_id;
	}
	else
	{
		key.partition = "";
		key.region = kms_alibaba_region;
		key.account_id = kms_alibaba_account_id;
	}
	key.key_id = kms_new_key_id(dialect, multi_region);
	key.arn = dialect == KP_DIALECT_AWS
		? psprintf("arn:%s:kms:%s:%s:key/%s", key.partition, key.region, key.account_id, key.key_id)
		: psprintf("acs:kms:%s:%s:key/%s", key.region, key.account_id, key.key_id);

	kms_spi_begin(&st);
	/* CreateKey is an IAM permission (the account root has it). */
	kms_authorize_create_key(st.caller, dialect, bypass);

	if (policy != NULL)
		checked = check_new_policy(policy, policy_len, &key, bypass, st.caller);
	else
	{
		policy = kms_default_policy(&key);
		policy_len = strlen(policy);
	}

	args[0] = key.key_id;
	args[1] = dialect == KP_DIALECT_AWS ? "aws" : "alibaba";
	args[2] = key.partition;
	args[3] = key.region;
	args[4] = key.account_id;
	args[5] = kms_utf8_to_server(description, strlen(description));
	args[6] = multi_region ? "true" : "false";
	/*
	 * A random key ID never collides with another; one written directly into
	 * the table can (ON CONFLICT waits for a concurrent insert of the same
	 * ID): a clean error rather than a unique violation.
	 */
	kms_spi_exec("INSERT INTO kms_policy.keys "
				 "(key_id, dialect, partition, region, account_id, description, multi_region, creation_date) "
				 "VALUES ($1, $2, $3, $4, $5, $6, $7::boolean, pg_catalog.statement_timestamp()) "
				 "ON CONFLICT DO NOTHING",
				 7, args, false);
	if (SPI_processed != 1)
	{
		kms_raise(KMS_INTERNAL,
				  "The request was rejected because an internal exception occurred. The request can be retried.",
				  psprintf("The generated key ID %s is already in use.", key.key_id),
				  NULL);
	}
	who.role = st.caller;
	who.principal = kms_current_caller(st.caller, dialect, true)->arn;	/* locked already */
	who.operation = "create";
	who.bypass = bypass;
	kms_store_key_policy(&key, policy, policy_len, checked, false, &who);

	result = key_metadata_datum(&key);
	kms_spi_end(&st);
	PG_RETURN_DATUM(result);
}

Datum
kms_get_key_policy_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	char	   *name = kms_arg_utf8(fcinfo, 1, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	char	   *stored;
	text	   *result;
	MemoryContext mcxt = CurrentMemoryContext;
	MemoryContext oldcxt;

	kms_check_key_id_shape(key_input, dialect);
	(void) kms_check_policy_name(name, dialect);

	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	/* Authorization reads the stored document: return that very text. */
	kms_authorize_caller(key, "kms:GetKeyPolicy", st.caller, NULL, &stored);
	if (stored == NULL)
	{
		if (dialect == KP_DIALECT_ALIBABA)
			kms_raise(ALI_RESOURCE_NOT_FOUND, "Policy not found.",
					  psprintf("Key %s has no key policy.", key->arn), NULL);
		kms_raise(KMS_NOT_FOUND, "No such policy exists",
				  psprintf("Key %s has no key policy.", key->arn), NULL);
	}
	oldcxt = MemoryContextSwitchTo(mcxt);
	result = cstring_to_text(stored);
	MemoryContextSwitchTo(oldcxt);
	kms_spi_end(&st);
	PG_RETURN_TEXT_P(result);
}

Datum
kms_put_key_policy_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	size_t		policy_len;
	char	   *policy = kms_arg_utf8(fcinfo, 1, &policy_len);
	char	   *name = kms_arg_utf8(fcinfo, 2, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	bool		bypass;
	KmsSpiState st;
	const kp_policy *checked = NULL;
	KmsStoringPolicy who;
	KmsKey	   *key;
	kp_error	err;

	/* 1. member shapes */
	kms_check_key_id_shape(key_input, dialect);
	if (policy == NULL)
		kms_raise_null_argument("policy", dialect);
	if (kp_policy_check_text(policy, policy_len, dialect, &err) != KP_OK &&
		err.status == KP_ERR_VALIDATION)
		kms_raise_core(&err, dialect);
	/* an optional member: NULL is its default, as for kms_create_key */
	bypass = PG_ARGISNULL(3) ? false : PG_GETARG_BOOL(3);
	/* 2. policy name */
	(void) kms_check_policy_name(name, dialect);

	kms_spi_begin(&st);

	/*
	 * 3. key, locked: from here to the end of the transaction nobody else
	 * changes its policy, so the policy evaluated below is the one replaced.
	 * 4. no key state refuses PutKeyPolicy
	 */
	key = kms_resolve_key_for_update(key_input);
	/* 5. may the caller change this key's policy (as committed now)? */
	kms_authorize_caller(key, "kms:PutKeyPolicy", st.caller,
						 bypass ? "true" : "false", NULL);
	/* 6.-8. quota, document, principals, lockout safety check */
	checked = check_new_policy(policy, policy_len, key, bypass, st.caller);
	/* 9. the version precondition (the key row's lock keeps it true) */
	if (!PG_ARGISNULL(4))
	{
		int64		expected = PG_GETARG_INT64(4);
		int64		current = kms_key_policy_version(key->key_id, "default");

		if (expected != current)
			kms_raise(KMS_CONFLICT,
					  psprintf("The key policy of %s is at version " INT64_FORMAT ", not at the expected version " INT64_FORMAT ".",
							   key->arn, current, expected),
					  "Another change of the key policy came first; nothing was changed.",
					  "Read the policy and its version again (kms_key_policy_history), then put with the new version.");
	}
	/* 10. store verbatim (the trigger validates what the API did not) */
	who.role = st.caller;
	who.principal = kms_current_caller(st.caller, dialect, true)->arn;	/* locked already */
	who.operation = "put";
	who.bypass = bypass;
	kms_store_key_policy(key, policy, policy_len, checked, true, &who);
	kms_spi_end(&st);
	PG_RETURN_VOID();
}

Datum
kms_list_key_policies_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	int			limit = PG_ARGISNULL(1) ? KMS_DEFAULT_LIST_LIMIT : PG_GETARG_INT32(1);
	size_t		marker_len;
	char	   *marker = kms_arg_utf8(fcinfo, 2, &marker_len);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	ArrayBuildState *astate = NULL;
	MemoryContext mcxt = CurrentMemoryContext;
	uint64		n;

	kms_check_key_id_shape(key_input, dialect);
	if (limit < 1 || limit > KMS_MAX_LIST_LIMIT)
	{
		if (dialect == KP_DIALECT_ALIBABA)
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("The limit %d is not between 1 and %d.", limit, KMS_MAX_LIST_LIMIT), NULL);
		kms_raise(KMS_VALIDATION,
				  psprintf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value %s",
						   limit, limit < 1 ? "greater than or equal to 1" :
						   psprintf("less than or equal to %d", KMS_MAX_LIST_LIMIT)),
				  NULL, NULL);
	}
	if (marker != NULL)
	{
		size_t		chars = kms_utf8_chars(marker, marker_len);

		if (chars < 1)
			kms_raise_length("marker", marker, false, 1, dialect);
		if (chars > KMS_MAX_MARKER_CHARS)
			kms_raise_length("marker", "...", true, KMS_MAX_MARKER_CHARS, dialect);
		if (!kms_utf8_latin1_printable(marker, marker_len))
		{
			if (dialect == KP_DIALECT_ALIBABA)
				kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
						  "The marker may contain only the characters U+0020 to U+00FF.", NULL);
			kms_raise(KMS_VALIDATION,
					  "1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*",
					  "The marker may contain only the characters U+0020 to U+00FF.", NULL);
		}
	}

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");	/* internal error */

	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	kms_authorize_caller(key, "kms:ListKeyPolicies", st.caller, NULL, NULL);

	/*
	 * A key has at most one policy, "default" (the key_policies trigger
	 * refuses every other name, kms_check_policy_name), and the key was read
	 * with it: the list is that row, after the marker (compared as bytes, as
	 * ORDER BY ... COLLATE "C" would), and never longer than a limit of at
	 * least 1.  No statement is run.
	 */
	Assert(key->policy_read);
	n = key->policy != NULL &&
		(marker == NULL || strcmp(kms_utf8_to_server(marker, marker_len), "default") < 0) ? 1 : 0;
	for (uint64 i = 0; i < n; i++)
		astate = accumArrayResult(astate, CStringGetTextDatum("default"), false, TEXTOID, mcxt);
	kms_spi_end(&st);

	values[0] = astate ? makeArrayResult(astate, mcxt)
		: PointerGetDatum(construct_empty_array(TEXTOID));
	nulls[1] = true;			/* one row at most: never truncated */
	values[2] = BoolGetDatum(false);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

Datum
kms_describe_key_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	Datum		result;

	kms_check_key_id_shape(key_input, dialect);
	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	kms_authorize_caller(key, "kms:DescribeKey", st.caller, NULL, NULL);
	result = key_metadata_datum(key);
	kms_spi_end(&st);
	PG_RETURN_DATUM(result);
}

/* ListKeys: the keys of this endpoint's accounts and regions (both dialects). */
Datum
kms_list_keys_v1(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	KmsSpiState st;
	const char *args[4];

	InitMaterializedSRF(fcinfo, 0);
	kms_spi_begin(&st);
	kms_authorize_list_keys(st.caller);
	args[0] = kms_account_id;
	args[1] = kms_region;
	args[2] = kms_alibaba_account_id;
	args[3] = kms_alibaba_region;
	kms_spi_exec_latest("SELECT key_id, arn, key_state, description, creation_date, deletion_date, "
						"multi_region, dialect, account_id, region FROM kms_policy.keys "
						"WHERE (dialect = 'aws' AND account_id = $1 AND region = $2) "
						"OR (dialect = 'alibaba' AND account_id = $3 AND region = $4) "
						"ORDER BY creation_date, key_id",
						4, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		CHECK_FOR_INTERRUPTS();
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
	}
	kms_spi_end(&st);
	return (Datum) 0;
}

static void
raise_state(const KmsKey *key, const char *what)
{
	if (key->dialect == KP_DIALECT_ALIBABA)
		kms_raise(ALI_INVALID_STATE, psprintf("The key %s is %s.", key->arn, what),
				  psprintf("The key state is %s.", key->key_state), NULL);
	kms_raise(KMS_INVALID_STATE, psprintf("%s is %s.", key->arn, what),
			  psprintf("The key state is %s.", key->key_state), NULL);
}

static const char *
state_phrase(const char *state)
{
	if (strcmp(state, "PendingDeletion") == 0)
		return "pending deletion";
	if (strcmp(state, "PendingReplicaDeletion") == 0)
		return "pending replica deletion";
	if (strcmp(state, "PendingImport") == 0)
		return "pending import";
	if (strcmp(state, "Unavailable") == 0)
		return "unavailable";
	if (strcmp(state, "Creating") == 0)
		return "creating";
	if (strcmp(state, "Updating") == 0)
		return "updating";
	if (strcmp(state, "Disabled") == 0)
		return "disabled";
	return "enabled";
}

/*
 * Resolve, authorize, check that the key state is one of allowed[], and set
 * the new state.  Returns the new deletion date (0 when none).
 */
static TimestampTz
change_state(FunctionCallInfo fcinfo, const char *action,
			 const char *const *allowed, const char *new_state,
			 int pending_days)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	const char *args[3];
	bool		ok = false;
	bool		isnull;
	Datum		d;

	kms_check_key_id_shape(key_input, dialect);
	kms_spi_begin(&st);
	/* the key row, locked, then the policy as committed now */
	key = kms_resolve_key_for_update(key_input);
	kms_authorize_caller(key, action, st.caller, NULL, NULL);
	for (int i = 0; allowed[i]; i++)
		if (strcmp(key->key_state, allowed[i]) == 0)
			ok = true;
	if (!ok)
	{
		if (strcmp(action, "kms:CancelKeyDeletion") == 0)
			raise_state(key, "not pending deletion");
		raise_state(key, state_phrase(key->key_state));
	}
	args[0] = key->key_id;
	args[1] = new_state;
	args[2] = psprintf("%d", pending_days);
	kms_spi_exec("UPDATE kms_policy.keys SET key_state = $2, deletion_date = "
				 "CASE WHEN $2 = 'PendingDeletion' "
				 "THEN pg_catalog.statement_timestamp() + pg_catalog.make_interval(days => $3::integer) END "
				 "WHERE key_id = $1 RETURNING deletion_date",
				 3, args, false);
	/* the row is locked: it is there (read_key checked the snapshot too) */
	if (SPI_processed != 1)
		elog(ERROR, "key %s vanished while locked", key->key_id);	/* internal error */
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	kms_spi_end(&st);
	return isnull ? 0 : DatumGetTimestampTz(d);
}

Datum
kms_disable_key_v1(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"Enabled", "Disabled", NULL};

	change_state(fcinfo, "kms:DisableKey", allowed, "Disabled", 0);
	PG_RETURN_VOID();
}

Datum
kms_enable_key_v1(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"Enabled", "Disabled", NULL};

	change_state(fcinfo, "kms:EnableKey", allowed, "Enabled", 0);
	PG_RETURN_VOID();
}

/* ScheduleKeyDeletion: 7..30 days; the key becomes PendingDeletion. */
Datum
kms_schedule_key_deletion_v1(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"Enabled", "Disabled", "PendingImport",
	"Unavailable", NULL};
	int			days = PG_ARGISNULL(1) ? KMS_MAX_PENDING_DAYS : PG_GETARG_INT32(1);

	if (days < KMS_MIN_PENDING_DAYS || days > KMS_MAX_PENDING_DAYS)
	{
		if (!PG_ARGISNULL(0) &&
			kms_input_dialect(text_to_cstring(PG_GETARG_TEXT_PP(0))) == KP_DIALECT_ALIBABA)
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("The pending window %d is not between %d and %d days.", days,
							   KMS_MIN_PENDING_DAYS, KMS_MAX_PENDING_DAYS), NULL);
		kms_raise(KMS_VALIDATION,
				  psprintf("1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value %s %d",
						   days, days < KMS_MIN_PENDING_DAYS ? "greater than or equal to" : "less than or equal to",
						   days < KMS_MIN_PENDING_DAYS ? KMS_MIN_PENDING_DAYS : KMS_MAX_PENDING_DAYS),
				  NULL, NULL);
	}
	PG_RETURN_TIMESTAMPTZ(change_state(fcinfo, "kms:ScheduleKeyDeletion", allowed,
									   "PendingDeletion", days));
}

Datum
kms_cancel_key_deletion_v1(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"PendingDeletion", NULL};

	change_state(fcinfo, "kms:CancelKeyDeletion", allowed, "Disabled", 0);
	PG_RETURN_VOID();
}

/* ------------------------------------------------------------------------
 * Key policy history
 * ------------------------------------------------------------------------ */

/*
 * The key ID that an argument names, for the history of a deleted key (an
 * administrator's question): a key ARN's last part, or the argument.
 */
static const char *
deleted_key_id(const char *input)
{
	const char *slash = strrchr(input, '/');

	return (strncmp(input, "arn:", 4) == 0 || strncmp(input, "acs:", 4) == 0) && slash
		? slash + 1 : input;
}

/*
 * kms_key_policy_history(key_id): every version of the key's policy, newest
 * first; authorized as kms:GetKeyPolicy.  The history of a deleted key is
 * readable to administrators.
 */
Datum
kms_key_policy_history_v1(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	const char *args[1];

	kms_check_key_id_shape(key_input, dialect);
	InitMaterializedSRF(fcinfo, 0);
	kms_spi_begin(&st);
	if (kms_is_administrator(st.caller))
		args[0] = deleted_key_id(key_input);	/* any key's, a deleted one's too */
	else
	{
		key = kms_resolve_key(key_input);
		kms_authorize_caller(key, "kms:GetKeyPolicy", st.caller, NULL, NULL);
		args[0] = key->key_id;
	}
	kms_spi_exec_latest("SELECT version, policy, sha256, changed_at, principal, role, operation, "
						"bypass_policy_lockout_safety_check FROM kms_policy.key_policy_history "
						"WHERE key_id = $1 AND policy_name = 'default' ORDER BY version DESC",
						1, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		CHECK_FOR_INTERRUPTS();
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
	}
	kms_spi_end(&st);
	return (Datum) 0;
}

/* kms_key_policy_version(key_id): the current version; kms:GetKeyPolicy. */
Datum
kms_key_policy_version_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	int64		version;

	kms_check_key_id_shape(key_input, dialect);
	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	kms_authorize_caller(key, "kms:GetKeyPolicy", st.caller, NULL, NULL);
	version = kms_key_policy_version(key->key_id, "default");
	kms_spi_end(&st);
	PG_RETURN_INT64(version);
}
