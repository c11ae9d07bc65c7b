/*
 * kms_triggers_identity.c -- the triggers of the identity tables
 * (principals, role_principals, identity_policies, access_keys) and of the key-policy
 * references (key_policy_principals, kept by an AFTER trigger on
 * key_policies).
 *
 * They check every row as the API does, and the role that writes: only an
 * identity administrator, or the API (which writes as the extension owner
 * after its own check), writes these tables; a restore runs as a superuser.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "kms_errors.h"
#include "kms_identity_store.h"
#include "kms_key_store.h"
#include "kms_policy_cache.h"
#include "kms_principal_store.h"
#include "kms_settings.h"
#include "kms_spi.h"
#include "kms_trigger_util.h"

PG_FUNCTION_INFO_V1(kms_principals_validate_v1);
PG_FUNCTION_INFO_V1(kms_role_principals_validate_v1);
PG_FUNCTION_INFO_V1(kms_identity_policies_validate_v1);
PG_FUNCTION_INFO_V1(kms_key_policies_principals_v1);
PG_FUNCTION_INFO_V1(kms_key_policy_principals_validate_v1);
PG_FUNCTION_INFO_V1(kms_access_keys_validate_v1);

/*
 * A trigger of an identity table: the role writing is the API (which
 * checked its caller and writes as the extension owner), an administrator,
 * or refused.  Deterministic enough for a restore, which runs as a superuser.
 */
static void
require_trigger_administrator(TriggerData *td)
{
	Oid			writer = GetUserId();

	if (writer == kms_extension_owner())
		return;
	kms_require_administrator(writer, psprintf("write %s.%s",
										   get_namespace_name(RelationGetNamespace(td->tg_relation)),
										   RelationGetRelationName(td->tg_relation)));
}

/*
 * kms_policy.principals: written only by identity administrators; rows hold
 * normalised principals; a principal still referenced cannot be deleted or
 * renamed (the foreign keys refuse it too; this says what references it).
 */
Datum
kms_principals_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = kms_trigger_check(fcinfo, "kms_principals_validate");
	HeapTuple	newtup = NULL;

	require_trigger_administrator(td);
	kms_identity_changed();		/* drops the identity caches at commit */

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		newtup = td->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		newtup = td->tg_newtuple;

	if (newtup)
	{
		char	   *arn = kms_trigger_column(td, newtup, "arn", NULL);
		char	   *dialect = kms_trigger_column(td, newtup, "dialect", NULL);
		char	   *kind = kms_trigger_column(td, newtup, "kind", NULL);
		char	   *account = kms_trigger_column(td, newtup, "account_id", NULL);
		KmsPrincipal *p;

		if (!arn || !dialect || !kind || !account)
			return PointerGetDatum(newtup); /* NOT NULL reports it */
		p = kms_parse_principal(arn, "arn");
		if (strcmp(p->arn, arn) != 0 ||
			strcmp(dialect, p->dialect == KP_DIALECT_ALIBABA ? "alibaba" : "aws") != 0 ||
			strcmp(kind, p->kind) != 0 || strcmp(account, p->account) != 0)
			kms_raise(KMS_VALIDATION, "invalid row for kms_policy.principals",
					  psprintf("Principal '%s' is registered as arn '%s', dialect '%s', kind '%s', account_id '%s'.",
							   arn, p->arn, p->dialect == KP_DIALECT_ALIBABA ? "alibaba" : "aws",
							   p->kind, p->account),
					  "Use kms_register_principal(arn).");
	}

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		char	   *old_arn = kms_trigger_column(td, td->tg_trigtuple, "arn", NULL);
		char	   *new_arn = newtup ? kms_trigger_column(td, newtup, "arn", NULL) : NULL;

		if (old_arn && (new_arn == NULL || strcmp(old_arn, new_arn) != 0))
		{
			KmsSpiState st;
			char	   *refs;

			kms_spi_begin(&st);
			refs = kms_principal_references(old_arn);
			kms_spi_end(&st);
			if (refs)
				ereport(ERROR,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("principal %s is still referenced", old_arn),
						 errdetail("It is referenced by %s.", refs),
						 errhint("Remove the principal from those key policies, unmap those roles and delete those identity policies first.")));
		}
	}
	return PointerGetDatum(newtup ? newtup : td->tg_trigtuple);
}

/*
 * Does the OID still name the role it was bound to (role_name, UTF-8)?
 * *current is the OID's role name now (UTF-8), NULL when no role has it.
 * Role mappings and access keys pass to no other role that gets the OID.
 */
static bool
role_still_named(Oid role, const char *role_name, char **current)
{
	char	   *name = GetUserNameFromId(role, true);

	*current = name ? pg_server_to_any(name, strlen(name), PG_UTF8) : NULL;
	return *current != NULL && strcmp(*current, role_name) == 0;
}

/*
 * kms_policy.role_principals: written only by identity administrators; the
 * role must exist under the name stored with it (so a dump that holds the
 * mapping of a dropped role cannot hand it to the role that has its OID in
 * the restored cluster: the restore refuses that row); the principal must be
 * known, and principal_ref is set to it when the registry holds it.
 */
Datum
kms_role_principals_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = kms_trigger_check(fcinfo, "kms_role_principals_validate");
	HeapTuple	tuple;
	char	   *role;
	char	   *role_name;
	char	   *principal;
	char	   *current;
	Oid			role_oid;
	KmsPrincipal *p;
	bool		registered;
	int			attnum;
	Datum		value;
	bool		isnull;

	require_trigger_administrator(td);
	kms_identity_changed();		/* drops the identity caches at commit */
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		return PointerGetDatum(td->tg_trigtuple);
	tuple = kms_trigger_row(fcinfo, "kms_role_principals_validate");
	role = kms_trigger_column(td, tuple, "role", NULL);
	role_name = kms_trigger_column(td, tuple, "role_name", NULL);
	principal = kms_trigger_column(td, tuple, "principal", NULL);
	if (role == NULL || role_name == NULL || principal == NULL)
		return PointerGetDatum(tuple);	/* NOT NULL reports it */

	attnum = SPI_fnumber(td->tg_relation->rd_att, "role");
	value = heap_getattr(tuple, attnum, td->tg_relation->rd_att, &isnull);
	role_oid = DatumGetObjectId(value);
	if (!role_still_named(role_oid, role_name, &current))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("mapped role \"%s\" does not exist", role_name),
				 current ? errdetail("OID %u is role \"%s\" now; the mapping of role \"%s\" does not pass to it.",
									 role_oid, current, role_name)
				 : errdetail("No role has OID %u; a mapping applies only to the role it was made for.", role_oid),
				 errhint("Map the role again with kms_map_role(role, principal).")));

	p = kms_check_mapped_principal(principal, &registered);
	if (strcmp(p->arn, principal) != 0)
		kms_raise(KMS_VALIDATION, "invalid row for kms_policy.role_principals",
				  psprintf("Store the principal as '%s'.", p->arn), "Use kms_map_role(role, principal).");

	/* principal_ref: what the foreign key on the registry holds */
	{
		Datum		refval = (Datum) 0;

		if (registered)
			refval = CStringGetTextDatum(pg_any_to_server(p->arn, strlen(p->arn), PG_UTF8));
		tuple = kms_trigger_set_column(td, tuple, "principal_ref", refval, !registered);
	}
	return PointerGetDatum(tuple);
}

/*
 * kms_policy.access_keys: written only by identity administrators (or the
 * API as the extension owner); the identifier and secret are well formed,
 * and the role exists under the name stored with it (as role_principals: a
 * restored key never passes to the role that has a dropped role's OID).
 */
static bool
chars_in(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

Datum
kms_access_keys_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = kms_trigger_check(fcinfo, "kms_access_keys_validate");
	HeapTuple	tuple;
	char	   *id;
	char	   *secret;
	char	   *role_name;
	char	   *current;
	Oid			role_oid;
	Datum		value;
	bool		isnull;

	require_trigger_administrator(td);
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		return PointerGetDatum(td->tg_trigtuple);
	tuple = kms_trigger_row(fcinfo, "kms_access_keys_validate");
	id = kms_trigger_column(td, tuple, "access_key_id", NULL);
	secret = kms_trigger_column(td, tuple, "secret", NULL);
	role_name = kms_trigger_column(td, tuple, "role_name", NULL);
	value = heap_getattr(tuple, SPI_fnumber(td->tg_relation->rd_att, "role"),
						 td->tg_relation->rd_att, &isnull);
	if (id == NULL || secret == NULL || role_name == NULL || isnull)
		return PointerGetDatum(tuple);	/* NOT NULL reports it */

	if (strlen(id) < 16 || strlen(id) > 128 ||
		!chars_in(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
		kms_raise(KMS_VALIDATION, "invalid row for kms_policy.access_keys",
				  "An access key ID is 16 to 128 characters of A-Z and 0-9.",
				  "Use kms_create_access_key(role).");
	if (strlen(secret) != 40 ||
		!chars_in(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"))
		kms_raise(KMS_VALIDATION, "invalid row for kms_policy.access_keys",
				  psprintf("The secret of access key %s is not 40 characters of A-Z, a-z, 0-9, / and +.", id),
				  "Use kms_create_access_key(role).");

	role_oid = DatumGetObjectId(value);
	if (!role_still_named(role_oid, role_name, &current))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"%s\" of access key %s does not exist", role_name, id),
				 current ? errdetail("OID %u is role \"%s\" now; the access key of role \"%s\" does not pass to it.",
									 role_oid, current, role_name)
				 : errdetail("No role has OID %u; an access key applies only to the role it was created for.", role_oid),
				 errhint("Create a new access key with kms_create_access_key(role).")));
	return PointerGetDatum(tuple);
}

/*
 * kms_policy.identity_policies: written only by identity administrators;
 * the owner is a registered user or role, the name and document valid.
 */
/*
 * Is the owner of an identity policy registered?  Its row is locked FOR KEY
 * SHARE, as the table's foreign key does, so that it cannot be deregistered
 * before the write commits.
 */
static bool
principal_registered(const char *arn)
{
	KmsSpiState st;
	bool		found;

	kms_spi_begin(&st);
	found = kms_principal_registered_locked(arn);
	kms_spi_end(&st);
	return found;
}

Datum
kms_identity_policies_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = kms_trigger_check(fcinfo, "kms_identity_policies_validate");
	HeapTuple	tuple;
	char	   *principal;
	char	   *name;
	char	   *doc;

	require_trigger_administrator(td);
	kms_identity_changed();		/* drops the identity caches at commit */
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
			return PointerGetDatum(td->tg_trigtuple);
	}
	tuple = kms_trigger_row(fcinfo, "kms_identity_policies_validate");
	principal = kms_trigger_column(td, tuple, "principal", NULL);
	name = kms_trigger_column(td, tuple, "policy_name", NULL);
	doc = kms_trigger_column(td, tuple, "policy", NULL);
	if (principal && name && doc)
	{
		kms_check_identity_policy(principal, name, doc, strlen(doc));
		if (!principal_registered(principal))
			kms_raise_identity_owner_unknown(principal);
		kms_warn_identity_policy_notes(principal, name, doc);
	}
	return PointerGetDatum(tuple);
}

/* True while kms_key_policies_principals inserts the references it recorded. */
static bool inserting_references = false;

/*
 * AFTER INSERT OR UPDATE ON key_policies: record the registered principals
 * the stored policy names (replacing what was recorded for it).  With
 * kms_policy.check_principals on, the BEFORE trigger has found and locked
 * every one of them; with it off, only the ones registered are recorded
 * (the others are not held: the setting is off).  Written as the extension
 * owner: whoever may write key_policies needs no privilege on this table.
 */
/* list_sort comparator of C strings, byte order (as COLLATE "C") */
static int
compare_strings(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

Datum
kms_key_policies_principals_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	tuple;
	char	   *key_id;
	char	   *name;
	char	   *doc;
	size_t		len;
	KmsKey	   *key;
	const kp_policy *compiled;
	List	   *refs = NIL;
	ListCell   *lc;
	KmsSpiState st;
	const char *args[3];
	const KmsStoringPolicy *storing;

	tuple = kms_trigger_after_row(fcinfo, "kms_key_policies_principals");
	key_id = kms_trigger_column(td, tuple, "key_id", NULL);
	name = kms_trigger_column(td, tuple, "policy_name", NULL);
	doc = kms_trigger_column(td, tuple, "policy", &len);
	if (key_id == NULL || name == NULL || doc == NULL)
		return PointerGetDatum(NULL);	/* NOT NULL refused it */
	storing = kms_key_policy_being_stored(key_id, doc, len);
	key = storing ? (KmsKey *) storing->key : kms_lookup_key_by_id(key_id);
	if (key == NULL)
		return PointerGetDatum(NULL);	/* the foreign key refuses it */

	/* Collect first, sorted and unique: the compiled policy belongs to the cache. */
	compiled = kms_compile_policy(doc, len, key->dialect, KP_DOC_KEY_POLICY,
								  key->partition, key->account_id);
	for (size_t i = 0; i < compiled->n_statements; i++)
		for (size_t j = 0; j < compiled->statements[i].n_principals; j++)
		{
			const kp_principal *p = &compiled->statements[i].principals[j];
			const char *lookup;

			if ((p->kind == KP_PRIN_AWS || p->kind == KP_PRIN_RAM) && p->arn &&
				kms_principal_ref(p->arn, p->kind, key, &lookup) == PRINCIPAL_REGISTERED)
				refs = lappend(refs, pstrdup(lookup));
		}
	list_sort(refs, compare_strings);
	{
		List	   *unique = NIL;

		foreach(lc, refs)
			if (unique == NIL || strcmp(llast(unique), lfirst(lc)) != 0)
				unique = lappend(unique, lfirst(lc));
		refs = unique;
	}

	args[0] = key_id;
	args[1] = name;
	kms_spi_begin(&st);

	/*
	 * Unchanged references (an update to a document naming the same
	 * registered principals) stay as they are: their foreign keys hold the
	 * principals.  A new policy row has none yet.
	 */
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		kms_spi_exec("SELECT principal FROM kms_policy.key_policy_principals "
					 "WHERE key_id = $1 AND policy_name = $2 ORDER BY principal COLLATE \"C\"",
					 2, args, false);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && SPI_processed == (uint64) list_length(refs))
	{
		bool		same = true;
		int			i = 0;

		foreach(lc, refs)
		{
			char	   *have = SPI_getvalue(SPI_tuptable->vals[i++], SPI_tuptable->tupdesc, 1);

			if (strcmp(have, lfirst(lc)) != 0)
			{
				same = false;
				break;
			}
		}
		if (same)
		{
			kms_spi_end(&st);
			return PointerGetDatum(NULL);
		}
	}
	kms_spi_exec("DELETE FROM kms_policy.key_policy_principals WHERE key_id = $1 AND policy_name = $2",
				 2, args, false);
	if (refs != NIL)
	{
		/*
		 * One statement for all references: the registered ones among refs
		 * (with kms_policy.check_principals off, the others are not
		 * recorded), their rows locked FOR KEY SHARE as the foreign key's
		 * check then locks them again.  The rows are new (deleted just
		 * above): the references table's trigger need not look for them.
		 */
		args[2] = kms_text_array_literal(refs);
		inserting_references = true;
		PG_TRY();
		{
			kms_spi_exec("INSERT INTO kms_policy.key_policy_principals (key_id, policy_name, principal) "
						 "SELECT $1, $2, p.arn FROM kms_policy.principals p "
						 "WHERE p.arn = ANY ($3::text[]) ORDER BY p.arn COLLATE \"C\" FOR KEY SHARE",
						 3, args, false);
		}
		PG_FINALLY();
		{
			inserting_references = false;
		}
		PG_END_TRY();
	}
	kms_spi_end(&st);
	return PointerGetDatum(NULL);
}

/*
 * kms_policy.key_policy_principals: written by the trigger above (as the
 * extension owner) or by an administrator, e.g. pg_restore.  A reference
 * that is already recorded is not inserted again, so a restore that finds
 * the key policies' triggers have recorded some references already goes on.
 */
Datum
kms_key_policy_principals_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = kms_trigger_check(fcinfo, "kms_key_policy_principals_validate");

	require_trigger_administrator(td);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event) && !inserting_references)
	{
		const char *args[3];
		int			rc;

		args[0] = kms_trigger_column(td, td->tg_trigtuple, "key_id", NULL);
		args[1] = kms_trigger_column(td, td->tg_trigtuple, "policy_name", NULL);
		args[2] = kms_trigger_column(td, td->tg_trigtuple, "principal", NULL);
		if (args[0] && args[1] && args[2])
		{
			KmsSpiState st;
			bool		exists;

			kms_spi_begin(&st);
			rc = kms_spi_exec("SELECT 1 FROM kms_policy.key_policy_principals "
							  "WHERE key_id = $1 AND policy_name = $2 AND principal = $3",
							  3, args, false);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));	/* internal error */
			exists = SPI_processed > 0;
			kms_spi_end(&st);
			if (exists)
				return PointerGetDatum(NULL);
		}
	}
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		return PointerGetDatum(td->tg_newtuple);
	return PointerGetDatum(td->tg_trigtuple);
}
