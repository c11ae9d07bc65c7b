/*
 * kms_triggers_keys.c -- the triggers of kms_policy.keys and key_policies,
 * and the guards on every table of the extension.
 *
 * BEFORE INSERT OR UPDATE FOR EACH ROW triggers hold every write, by any
 * role, superusers included, to the rules the API applies: a document that
 * kms_put_key_policy would refuse cannot be stored by a direct INSERT or
 * UPDATE either, and is refused with the same SQLSTATE and message.  The
 * triggers find their columns by name and depend only on the row and the
 * tables (kms_policy.check_principals aside), so they behave the same when
 * pg_restore fires them again.
 *
 * Around them, for every table of the extension (the install script
 * attaches them; all are ENABLE ALWAYS, so session_replication_role =
 * replica and logical-replication apply workers fire them too):
 *
 * - kms_guard_direct_write: a statement may write a table directly only with
 *   the table owner's privileges (the owner, its members, superusers).  The
 *   API writes as the owner after deciding itself; a GRANT or
 *   pg_write_all_data is not enough.  (Who writes is not a property of the
 *   row: pg_restore and apply workers run as superusers and pass.)
 * - kms_refuse_truncate: TRUNCATE skips the row triggers below, so it is
 *   refused.
 * - a key's policy row cannot be deleted or moved while the key exists, and
 *   deleting a key deletes its policy even where foreign keys are not
 *   enforced (replica mode).
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "kms_args.h"
#include "kms_errors.h"
#include "kms_history.h"
#include "kms_identity_store.h"
#include "kms_key_store.h"
#include "kms_policy_cache.h"
#include "kms_principal_store.h"
#include "kms_settings.h"
#include "kms_spi.h"
#include "kms_trigger_util.h"

PG_FUNCTION_INFO_V1(kms_keys_validate_v1);
PG_FUNCTION_INFO_V1(kms_keys_deleted_v1);
PG_FUNCTION_INFO_V1(kms_key_policies_validate_v1);
PG_FUNCTION_INFO_V1(kms_guard_direct_write_v1);
PG_FUNCTION_INFO_V1(kms_refuse_truncate_v1);
PG_FUNCTION_INFO_V1(kms_key_policies_history_v1);
PG_FUNCTION_INFO_V1(kms_key_policy_history_guard_v1);

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
	bool		multi_region = kms_trigger_column_bool(trigdata, tuple, "multi_region");

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
 * kms_policy.keys, AFTER DELETE FOR EACH ROW: delete the key's policy and its
 * principal references.  The
 * foreign key's ON DELETE CASCADE has done it already, except where foreign
 * keys are not enforced (session_replication_role = replica, and so in
 * logical-replication apply workers): there this trigger does it, so that a
 * policy row never outlives its key.
 */
Datum
kms_keys_deleted_v1(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = kms_trigger_check_fired(fcinfo, "kms_keys_deleted", false, true);
	const char *args[1];
	KmsSpiState st;

	if (!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for DELETE", "kms_keys_deleted")));
	args[0] = kms_trigger_column(trigdata, trigdata->tg_trigtuple, "key_id", NULL);
	if (args[0] == NULL)
		return PointerGetDatum(NULL);
	kms_spi_begin(&st);
	/* the references of its policies first: their cascade does not run either */
	kms_spi_exec("DELETE FROM kms_policy.key_policy_principals WHERE key_id = $1", 1, args, false);
	kms_spi_exec("DELETE FROM kms_policy.key_policies WHERE key_id = $1", 1, args, false);
	kms_spi_end(&st);
	return PointerGetDatum(NULL);
}

/*
 * kms_policy.key_policies: the policy name and the whole document, checked
 * by the same functions the API calls, on INSERT and UPDATE; a key's policy
 * is never moved to another key, nor deleted while the key exists (KMS has
 * no DeleteKeyPolicy: without its row the key would fall back to the default
 * key policy, which can turn an explicit deny into an allow).
 */
Datum
kms_key_policies_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = kms_trigger_check(fcinfo, "kms_key_policies_validate");
	HeapTuple	tuple;
	char	   *key_id;
	char	   *name;
	size_t		len;
	char	   *policy;
	KmsKey	   *key;
	const kp_policy *compiled;
	const KmsStoringPolicy *storing;

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		key_id = kms_trigger_column(trigdata, trigdata->tg_trigtuple, "key_id", NULL);
		if (key_id != NULL && (key = kms_lock_key(key_id)) != NULL)
			kms_raise(KMS_UNSUPPORTED_OPERATION, "a key policy cannot be deleted",
					  psprintf("Key %s exists, and every KMS key has a key policy; without this row the key would fall back to the default key policy.",
							   key->arn),
					  "Replace the policy with kms_put_key_policy(), or delete the key: DELETE FROM kms_policy.keys deletes its policy with it.");
		return PointerGetDatum(trigdata->tg_trigtuple);
	}

	tuple = kms_trigger_row(fcinfo, "kms_key_policies_validate");
	key_id = kms_trigger_column(trigdata, tuple, "key_id", NULL);
	name = kms_trigger_column(trigdata, tuple, "policy_name", NULL);
	policy = kms_trigger_column(trigdata, tuple, "policy", &len);

	/* NOT NULL constraints report missing values. */
	if (key_id == NULL || name == NULL || policy == NULL)
		return PointerGetDatum(tuple);

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		char	   *old_key_id = kms_trigger_column(trigdata, trigdata->tg_trigtuple,
													"key_id", NULL);

		if (old_key_id != NULL && strcmp(old_key_id, key_id) != 0)
			kms_raise(KMS_UNSUPPORTED_OPERATION, "the key of a key policy cannot be changed",
					  psprintf("The policy of key %s would become the policy of key %s.",
							   old_key_id, key_id),
					  "Put the policy on the other key with kms_put_key_policy().");
	}

	/*
	 * The row the API of this backend is storing has its key locked and its
	 * principals checked and locked already; every other write locks the
	 * key here (the key must exist: foreign keys are not enforced in
	 * replica mode) and has its principals checked.
	 */
	storing = kms_key_policy_being_stored(key_id, policy, len);
	key = storing ? (KmsKey *) storing->key : kms_lock_key(key_id);
	if (key == NULL)
		kms_raise(KMS_NOT_FOUND, psprintf("Key '%s' does not exist", key_id),
				  "A key policy can be stored only for a key of kms_policy.keys.", NULL);
	kms_check_policy_name(name, key->dialect);
	compiled = kms_compile_policy(policy, len, key->dialect, KP_DOC_KEY_POLICY,
								  key->partition, key->account_id);
	if (storing == NULL || storing->checked != compiled)
		kms_check_policy_principals(compiled, key);
	kms_warn_policy_notes(compiled);

	/*
	 * The compiled form is always the one of this document, recomputed here
	 * whatever the write put in the column: what readers evaluate is what
	 * was validated.
	 */
	{
		kp_compiled form = kms_compiled_policy_form(compiled);
		bytea	   *b = palloc(VARHDRSZ + form.len);

		SET_VARSIZE(b, VARHDRSZ + form.len);
		memcpy(VARDATA(b), form.data, form.len);
		tuple = kms_trigger_set_column(trigdata, tuple, "compiled", PointerGetDatum(b), false);
	}
	return PointerGetDatum(tuple);
}

/*
 * BEFORE INSERT OR UPDATE OR DELETE FOR EACH STATEMENT on every table: only
 * a role with the table owner's privileges (the owner, its members,
 * superusers) writes the tables directly.  The API functions write as the
 * owner after their own decision; pg_restore and logical-replication apply
 * workers run as superusers.  A GRANT of the table, or membership in
 * pg_write_all_data, is not enough: writing a key policy directly would
 * bypass kms:PutKeyPolicy, writing a mapping would choose who is who.
 * (Row-level security, on for every table with no policy, already hides the
 * rows from such roles; this makes their writes fail loudly instead of
 * changing nothing, and holds for roles with BYPASSRLS too.)
 */
Datum
kms_guard_direct_write_v1(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = kms_trigger_check_fired(fcinfo, "kms_guard_direct_write", true, false);
	Oid			user = GetUserId();

	if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) &&
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for INSERT, UPDATE or DELETE",
						"kms_guard_direct_write")));
	if (!pg_class_ownercheck(RelationGetRelid(trigdata->tg_relation), user))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to write table %s directly",
						kms_trigger_table_name(trigdata)),
				 errdetail("Only the owner of kms_policy's tables (and its members) and superusers write them directly; role \"%s\" is neither.",
						   GetUserNameFromId(user, false)),
				 errhint("Use the kms_policy functions, which decide with the key's and the caller's policies.")));
	return PointerGetDatum(NULL);
}

/*
 * BEFORE TRUNCATE FOR EACH STATEMENT on every table: TRUNCATE skips the row
 * triggers (a key keeps its policy, a principal named by a policy stays
 * registered, ...), so it is refused, for every role.  DELETE does the same
 * row by row, checked.
 */
Datum
kms_refuse_truncate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = kms_trigger_check_fired(fcinfo, "kms_refuse_truncate", true, false);

	if (!TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for TRUNCATE", "kms_refuse_truncate")));
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot truncate table %s", kms_trigger_table_name(trigdata)),
			 errdetail("TRUNCATE skips the row triggers that keep kms_policy's tables consistent: every key keeps its policy, and a principal that a policy names stays registered."),
			 errhint("Use DELETE, whose triggers check each row.")));
	return PointerGetDatum(NULL);	/* keep compiler quiet */
}

/*
 * kms_policy.key_policies, AFTER INSERT OR UPDATE FOR EACH ROW: append the
 * change to the key policy history (kms_history.c).  The API's own store
 * says who called and how; any other write is a direct write by the current
 * role (its principal, if mapped), for which the lockout safety check did
 * not run.  An UPDATE that leaves the document as it was is no change of the
 * policy, unless the API put it.
 */
Datum
kms_key_policies_history_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	tuple = kms_trigger_after_row(fcinfo, "kms_key_policies_history");
	char	   *key_id;
	char	   *name;
	char	   *doc;
	size_t		len;
	const KmsStoringPolicy *storing;

	if (!kms_record_history)
		return PointerGetDatum(NULL);
	key_id = kms_trigger_column(td, tuple, "key_id", NULL);
	name = kms_trigger_column(td, tuple, "policy_name", NULL);
	doc = kms_trigger_column(td, tuple, "policy", &len);
	if (key_id == NULL || name == NULL || doc == NULL)
		return PointerGetDatum(NULL);	/* NOT NULL refused it */

	storing = kms_key_policy_being_stored(key_id, doc, len);
	if (storing != NULL)
		kms_append_history(key_id, name, doc, len, storing->role, storing->principal,
						   storing->operation, storing->bypass);
	else
	{
		KmsKey	   *key;
		char	   *principal;
		MemoryContext outer = CurrentMemoryContext;
		KmsSpiState st;

		if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		{
			size_t		old_len;
			char	   *old = kms_trigger_column(td, td->tg_trigtuple, "policy", &old_len);

			if (old != NULL && old_len == len && memcmp(old, doc, len) == 0)
				return PointerGetDatum(NULL);
		}
		key = kms_lookup_key_by_id(key_id);
		if (key == NULL)
			return PointerGetDatum(NULL);	/* the foreign key refuses it */
		kms_spi_begin(&st);
		principal = kms_current_caller(st.caller, key->dialect, true)->arn;	/* a write */
		/* SPI's memory goes with kms_spi_end */
		principal = principal ? MemoryContextStrdup(outer, principal) : NULL;
		kms_spi_end(&st);
		kms_append_history(key_id, name, doc, len, st.caller, principal,
						   "direct write", true);
	}
	return PointerGetDatum(NULL);
}

/*
 * kms_policy.key_policy_history, BEFORE INSERT OR UPDATE OR DELETE FOR EACH
 * ROW: append-only for everyone, superusers included.  Rows are inserted by
 * the history trigger above, or by a restore (kms_policy.record_history off).
 */
Datum
kms_key_policy_history_guard_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = kms_trigger_check(fcinfo, "kms_key_policy_history_guard");

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event) &&
		(kms_history_appending() || !kms_record_history))
		return PointerGetDatum(td->tg_trigtuple);
	kms_raise(KMS_UNSUPPORTED_OPERATION,
			  TRIGGER_FIRED_BY_INSERT(td->tg_event)
			  ? "the key policy history is written only by key policy changes"
			  : "the key policy history is append-only",
			  "Every change of a key policy appends one row; rows are never changed or removed.",
			  TRIGGER_FIRED_BY_INSERT(td->tg_event)
			  ? "Change the key policy instead; a restore loads history with kms_policy.record_history = off."
			  : "A superuser who must purge history disables this trigger deliberately (see the README).");
	pg_unreachable();
}
