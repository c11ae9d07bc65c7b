/*
 * triggers.c -- validation triggers on the extension's tables.
 *
 * BEFORE INSERT OR UPDATE FOR EACH ROW triggers hold every write, by any
 * role, superusers included, to the rules the API applies: a document that
 * kms_put_key_policy would refuse cannot be stored by a direct INSERT or
 * UPDATE either, and is refused with the same SQLSTATE and message.  The
 * triggers find their columns by name and depend only on the row and the
 * tables (kms_policy.check_principals aside), so they behave the same when
 * pg_restore fires them again.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "kms_policy.h"

PG_FUNCTION_INFO_V1(kms_keys_validate_v1);
PG_FUNCTION_INFO_V1(kms_key_policies_validate_v1);

/*
 * Check how a trigger function was called: by the trigger manager, BEFORE,
 * FOR EACH ROW (the event is the caller's to check).
 */
TriggerData *
kms_trigger_check(FunctionCallInfo fcinfo, const char *fname)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", fname)));
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE ROW", fname)));
	return trigdata;
}

/* The row to validate of a BEFORE INSERT OR UPDATE trigger. */
HeapTuple
kms_trigger_row(FunctionCallInfo fcinfo, const char *fname)
{
	TriggerData *trigdata = kms_trigger_check(fcinfo, fname);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		return trigdata->tg_trigtuple;
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return trigdata->tg_newtuple;
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("function \"%s\" must be fired for INSERT or UPDATE", fname)));
	return NULL;				/* keep compiler quiet */
}

/* A column of the row, found by name, as UTF-8 (NULL when SQL NULL). */
char *
kms_trigger_column(TriggerData *trigdata, HeapTuple tuple, const char *name, size_t *len)
{
	TupleDesc	tupdesc = trigdata->tg_relation->rd_att;
	int			attnum = SPI_fnumber(tupdesc, name);
	char	   *v;
	char	   *u;

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("relation \"%s\" has no column \"%s\"",
						RelationGetRelationName(trigdata->tg_relation), name)));
	v = SPI_getvalue(tuple, tupdesc, attnum);
	if (v == NULL)
	{
		if (len)
			*len = 0;
		return NULL;
	}
	u = pg_server_to_any(v, strlen(v), PG_UTF8);
	if (len)
		*len = strlen(u);
	return u;
}

static bool
column_bool(TriggerData *trigdata, HeapTuple tuple, const char *name)
{
	char	   *v = kms_trigger_column(trigdata, tuple, name, NULL);

	return v != NULL && strcmp(v, "t") == 0;
}

static void
invalid_key_row(const char *detail)
{
	kms_raise(KMS_VALIDATION, "invalid row for kms_policy.keys", detail, NULL);
}

/*
 * kms_policy.keys: identifiers well formed for the key's dialect, and the
 * identity of a key (id, dialect, partition, region, account) immutable.
 * key_state and deletion_date are CHECK constraints.
 */
Datum
kms_keys_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple = kms_trigger_row(fcinfo, "kms_keys_validate");
	char	   *key_id = kms_trigger_column(trigdata, tuple, "key_id", NULL);
	char	   *dialect = kms_trigger_column(trigdata, tuple, "dialect", NULL);
	char	   *partition = kms_trigger_column(trigdata, tuple, "partition", NULL);
	char	   *region = kms_trigger_column(trigdata, tuple, "region", NULL);
	char	   *account = kms_trigger_column(trigdata, tuple, "account_id", NULL);
	bool		multi_region = column_bool(trigdata, tuple, "multi_region");

	/* NOT NULL and CHECK constraints report NULLs and bad dialects. */
	if (!key_id || !dialect || !partition || !region || !account)
		return PointerGetDatum(tuple);

	if (strcmp(dialect, "aws") == 0)
	{
		const char *p = kp_partition_for_region(region);

		if (!kp_is_aws_key_id(key_id) && !kp_is_aws_mrk_id(key_id))
			invalid_key_row(psprintf("\"%s\" is not an AWS key ID (a UUID, or mrk- followed by 32 hexadecimal digits).", key_id));
		if (multi_region != kp_is_aws_mrk_id(key_id))
			invalid_key_row(psprintf("Key \"%s\": multi-Region keys, and only they, have IDs that start with mrk-.", key_id));
		if (p == NULL)
			invalid_key_row(psprintf("\"%s\" is not an AWS region name.", region));
		if (strcmp(p, partition) != 0)
			invalid_key_row(psprintf("Region \"%s\" belongs to partition \"%s\", not \"%s\".", region, p, partition));
		if (!kp_is_aws_account_id(account))
			invalid_key_row(psprintf("\"%s\" is not a 12-digit AWS account ID.", account));
	}
	else if (strcmp(dialect, "alibaba") == 0)
	{
		if (!kp_is_alibaba_key_id(key_id))
			invalid_key_row(psprintf("\"%s\" is not an Alibaba Cloud key ID (key- followed by 8 to 64 lowercase letters and digits).", key_id));
		if (multi_region)
			invalid_key_row("Alibaba Cloud keys cannot be multi-Region keys.");
		if (partition[0] != '\0')
			invalid_key_row("Alibaba Cloud keys have an empty partition.");
		if (!kp_is_alibaba_region(region))
			invalid_key_row(psprintf("\"%s\" is not an Alibaba Cloud region ID.", region));
		if (!kp_is_alibaba_account_id(account))
			invalid_key_row(psprintf("\"%s\" is not a 16-digit Alibaba Cloud account ID.", account));
	}

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		HeapTuple	old = trigdata->tg_trigtuple;
		static const char *const fixed[] = {"key_id", "dialect", "partition", "region",
		"account_id", "multi_region", NULL};

		for (int i = 0; fixed[i]; i++)
		{
			char	   *a = kms_trigger_column(trigdata, old, fixed[i], NULL);
			char	   *b = kms_trigger_column(trigdata, tuple, fixed[i], NULL);

			if (a && b && strcmp(a, b) != 0)
				kms_raise(KMS_UNSUPPORTED_OPERATION,
						  psprintf("the %s of a key cannot be changed", fixed[i]),
						  psprintf("Key %s: %s would change from \"%s\" to \"%s\".",
								   key_id, fixed[i], a, b),
						  "Create a new key instead.");
		}
	}
	return PointerGetDatum(tuple);
}

/*
 * kms_policy.key_policies: the policy name and the whole document, checked
 * by the same functions the API calls.
 */
Datum
kms_key_policies_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple = kms_trigger_row(fcinfo, "kms_key_policies_validate");
	char	   *key_id = kms_trigger_column(trigdata, tuple, "key_id", NULL);
	char	   *name = kms_trigger_column(trigdata, tuple, "policy_name", NULL);
	size_t		len;
	char	   *policy = kms_trigger_column(trigdata, tuple, "policy", &len);
	KmsKey	   *key;
	const kp_policy *compiled;

	/* NOT NULL constraints report missing values. */
	if (key_id == NULL || name == NULL || policy == NULL)
		return PointerGetDatum(tuple);

	key = kms_lookup_key_by_id(key_id);
	if (key == NULL)
		kms_raise(KMS_NOT_FOUND, psprintf("Key '%s' does not exist", key_id),
				  "A key policy can be stored only for a key of kms_policy.keys.", NULL);
	kms_check_policy_name(name, key->dialect);
	compiled = kms_compile_policy(policy, len, key->dialect, KP_DOC_KEY_POLICY,
								  key->partition, key->account_id);
	kms_check_policy_principals(compiled, key);
	kms_warn_policy_notes(compiled);
	return PointerGetDatum(tuple);
}
