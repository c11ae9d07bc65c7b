/*
 * registry.c -- principals: the registry key policies are checked against,
 * role mappings (who a PostgreSQL role acts as), identity policies, and the
 * references between them.
 *
 * AWS refuses a key policy that names a principal which does not exist; the
 * database has no IAM, so administrators register the principals that exist
 * (kms_register_principal).  The endpoint's own account root is always
 * known, and service principals need no registration.
 *
 * References are held like foreign keys, by real foreign keys: the registered
 * principals a stored key policy names are recorded in
 * kms_policy.key_policy_principals by an AFTER trigger on key_policies, and
 * key_policy_principals, role_principals and identity_policies reference
 * principals(arn) ON DELETE RESTRICT.  The check of a new key policy locks the
 * principal rows it finds (FOR KEY SHARE), so a concurrent deregistration
 * either waits for the put or makes it fail cleanly.
 *
 * Identity administration -- registering principals, mapping roles, identity
 * policies -- is for superusers and members of kms_policy.administrator_role
 * (kms_is_administrator), checked in C before any write; the tables'
 * triggers check the role that writes, so a direct write by anyone else
 * (pg_write_all_data included) is refused the same way.  The API functions
 * write as the extension owner after their own check, which the triggers
 * accept; a restore runs as a superuser.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "kms_policy.h"

PG_FUNCTION_INFO_V1(kms_register_principal_v1);
PG_FUNCTION_INFO_V1(kms_deregister_principal_v1);
PG_FUNCTION_INFO_V1(kms_principals_validate_v1);
PG_FUNCTION_INFO_V1(kms_map_role_v1);
PG_FUNCTION_INFO_V1(kms_unmap_role_v1);
PG_FUNCTION_INFO_V1(kms_role_principals_validate_v1);
PG_FUNCTION_INFO_V1(kms_put_identity_policy_v1);
PG_FUNCTION_INFO_V1(kms_delete_identity_policy_v1);
PG_FUNCTION_INFO_V1(kms_identity_policies_validate_v1);
PG_FUNCTION_INFO_V1(kms_key_policies_principals_v1);
PG_FUNCTION_INFO_V1(kms_key_policy_principals_validate_v1);

/* At most this many referencing objects are named in an error's detail. */
#define KMS_MAX_NAMED_REFERENCES 5

/* A principal as registered: normalised ARN, dialect, kind, account. */
typedef struct KmsPrincipal
{
	char	   *arn;
	kp_dialect	dialect;
	const char *kind;			/* account, user, role, assumed-role,
								 * federated-user */
	char	   *account;
} KmsPrincipal;

static const char *
endpoint_partition(void)
{
	const char *p = kp_partition_for_region(kms_region);

	return p ? p : "aws";
}

/* ------------------------------------------------------------------------
 * Who administers identities
 * ------------------------------------------------------------------------ */

/*
 * Refuse role unless it administers identities; action says what it tried
 * ("register principals").  42501, as PostgreSQL's own privilege checks.
 */
static void
require_administrator(Oid role, const char *action)
{
	if (kms_is_administrator(role))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s", action),
			 errdetail("Role \"%s\" does not administer kms_policy identities: only superusers and members of the role named by kms_policy.administrator_role register principals, map roles and manage identity policies; EXECUTE on a function does not make an administrator.",
					   GetUserNameFromId(role, false)),
			 (kms_administrator_role && kms_administrator_role[0])
			 ? errhint("Ask a superuser to grant membership in role \"%s\" (kms_policy.administrator_role).",
					   kms_administrator_role)
			 : errhint("A superuser may name an administrator role in kms_policy.administrator_role.")));
}

/* Called first by every identity administration function. */
static void
require_api_administrator(const char *action)
{
	require_administrator(GetUserId(), action);
}

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
	require_administrator(writer, psprintf("write %s.%s",
										   get_namespace_name(RelationGetNamespace(td->tg_relation)),
										   RelationGetRelationName(td->tg_relation)));
}

/*
 * Check one principal the way a key policy names it (the core's rule), and
 * normalise it (an account ID becomes its root ARN).  Only accounts, users,
 * roles and sessions are principals a role can act as or a registry holds.
 */
static KmsPrincipal *
parse_principal(const char *value, const char *member)
{
	KmsPrincipal *p = palloc0(sizeof(KmsPrincipal));
	kp_principal_kind kind;
	char		arn[2048 + 64];
	kp_error	err;
	kp_arn		a;
	const char *r;

	if (value == NULL)
		kms_raise_null_argument(member, KP_DIALECT_AWS);
	p->dialect = strncmp(value, "acs:", 4) == 0 ? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;
	if (kp_principal_normalize(value, p->dialect, endpoint_partition(), &kind,
							   arn, sizeof(arn), &err) != KP_OK)
		kms_raise(p->dialect == KP_DIALECT_ALIBABA ? ALI_INVALID_PARAMETER : KMS_VALIDATION,
				  psprintf("'%s' is not a valid principal", value),
				  err.detail[0] ? err.detail : err.message, NULL);
	if ((kind != KP_PRIN_AWS && kind != KP_PRIN_RAM) || !kp_arn_split(arn, &a))
		kms_raise(p->dialect == KP_DIALECT_ALIBABA ? ALI_INVALID_PARAMETER : KMS_VALIDATION,
				  psprintf("'%s' is not a valid principal", value),
				  "Only accounts, users, roles, and role or federated sessions can be used here.",
				  NULL);
	r = a.resource;
	if (strcmp(r, "root") == 0)
		p->kind = "account";
	else if (strncmp(r, "user/", 5) == 0)
		p->kind = "user";
	else if (strncmp(r, "role/", 5) == 0)
		p->kind = "role";
	else if (strncmp(r, "assumed-role/", 13) == 0)
		p->kind = "assumed-role";
	else if (strncmp(r, "federated-user/", 15) == 0)
		p->kind = "federated-user";
	else
		kms_raise(p->dialect == KP_DIALECT_ALIBABA ? ALI_INVALID_PARAMETER : KMS_VALIDATION,
				  psprintf("'%s' is not a valid principal", value),
				  psprintf("Register an account by its root (acs:ram::%s:root), not by a wildcard.", a.account),
				  NULL);
	p->arn = pstrdup(arn);
	p->account = pstrdup(a.account);
	return p;
}

/* Run one write as the extension owner; did it change a row? */
static bool
write_changed_rows(const char *sql, int nargs, const char *const *args)
{
	KmsSpiState st;
	uint64		n;

	kms_spi_begin(&st);
	kms_spi_exec(sql, nargs, args, false);
	n = SPI_processed;
	kms_spi_end(&st);
	return n > 0;
}

/* What a principal named by a policy needs to be known. */
typedef enum PrincipalRef
{
	PRINCIPAL_IMPLICIT,			/* always known (the key's own account) */
	PRINCIPAL_FOREIGN,			/* never known (another partition) */
	PRINCIPAL_REGISTERED		/* known while *lookup is registered */
} PrincipalRef;

static PrincipalRef
principal_ref(const char *arn, kp_principal_kind kind, const KmsKey *key,
			  const char **lookup)
{
	kp_arn		a;

	*lookup = arn;
	if (!kp_arn_split(arn, &a))
		return PRINCIPAL_FOREIGN;
	if (kind == KP_PRIN_RAM)
	{
		bool		account_level = strcmp(a.resource, "*") == 0 || strcmp(a.resource, "root") == 0;

		if (account_level && strcmp(a.account, key->account_id) == 0)
			return PRINCIPAL_IMPLICIT;
		/* acs:ram::A:* depends on the registration of acs:ram::A:root */
		if (strcmp(a.resource, "*") == 0)
			*lookup = psprintf("acs:ram::%s:root", a.account);
	}
	else if (strcmp(a.partition, key->partition) != 0)
		return PRINCIPAL_FOREIGN;	/* no principal of another partition exists here */
	else if (strcmp(a.resource, "root") == 0 && strcmp(a.account, key->account_id) == 0)
		return PRINCIPAL_IMPLICIT;
	return PRINCIPAL_REGISTERED;
}

/*
 * Is this registered principal there (inside SPI)?  Its row is locked FOR
 * KEY SHARE, as a foreign key check locks the row it finds: a concurrent
 * deregistration waits for this transaction (and then finds the reference),
 * or, if it came first, this sees the row gone (READ COMMITTED) or fails
 * with a serialization failure (REPEATABLE READ, SERIALIZABLE).
 */
static bool
registered_locked(const char *arn)
{
	const char *args[1] = {arn};
	int			rc;

	rc = kms_spi_exec("SELECT 1 FROM kms_policy.principals WHERE arn = $1 FOR KEY SHARE",
					  1, args, false);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));	/* internal error */
	return SPI_processed > 0;
}

/* Is this normalised principal known (inside SPI)?  Locks what it finds. */
static bool
principal_known(const char *arn, kp_principal_kind kind, const KmsKey *key)
{
	const char *lookup;

	switch (principal_ref(arn, kind, key, &lookup))
	{
		case PRINCIPAL_IMPLICIT:
			return true;
		case PRINCIPAL_FOREIGN:
			return false;
		case PRINCIPAL_REGISTERED:
			break;
	}
	return registered_locked(lookup);
}

void
kms_check_policy_principals(const kp_policy *policy, const KmsKey *key)
{
	KmsSpiState st;

	if (!kms_check_principals)
		return;
	kms_spi_begin(&st);
	for (size_t i = 0; i < policy->n_statements; i++)
	{
		const kp_statement *s = &policy->statements[i];

		for (size_t j = 0; j < s->n_principals; j++)
		{
			const kp_principal *p = &s->principals[j];

			kp_arn		a;

			if (p->kind != KP_PRIN_AWS && p->kind != KP_PRIN_RAM)
				continue;
			if (!principal_known(p->arn, p->kind, key))
			{
				char	   *detail;

				if (p->kind == KP_PRIN_AWS && kp_arn_split(p->arn, &a) &&
					strcmp(a.partition, key->partition) != 0)
					detail = psprintf("%s: principal %s is of partition %s; the key is of partition %s.",
									  p->path, p->arn, a.partition, key->partition);
				else
					detail = psprintf("%s: principal %s does not exist (it is not in the principal registry).",
									  p->path, p->arn);

				if (key->dialect == KP_DIALECT_ALIBABA)
					kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
							  psprintf("Policy contains a statement with one or more invalid principals. %s", detail),
							  "Register the principal with kms_register_principal().");
				kms_raise(KMS_MALFORMED_POLICY,
						  "Policy contains a statement with one or more invalid principals.",
						  detail,
						  "Register the principal with kms_register_principal(), or name an existing one.");
			}
		}
	}
	kms_spi_end(&st);
}

/* ------------------------------------------------------------------------
 * key_policy_principals: the references of stored key policies
 * ------------------------------------------------------------------------ */

/*
 * AFTER INSERT OR UPDATE ON key_policies: record the registered principals
 * the stored policy names (replacing what was recorded for it).  With
 * kms_policy.check_principals on, the BEFORE trigger has found and locked
 * every one of them; with it off, only the ones registered are recorded
 * (the others are not held: the setting is off).  Written as the extension
 * owner: whoever may write key_policies needs no privilege on this table.
 */
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

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", "kms_key_policies_principals")));
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER ROW for INSERT or UPDATE",
						"kms_key_policies_principals")));
	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	key_id = kms_trigger_column(td, tuple, "key_id", NULL);
	name = kms_trigger_column(td, tuple, "policy_name", NULL);
	doc = kms_trigger_column(td, tuple, "policy", &len);
	if (key_id == NULL || name == NULL || doc == NULL)
		return PointerGetDatum(NULL);	/* NOT NULL refused it */
	key = kms_lookup_key_by_id(key_id);
	if (key == NULL)
		return PointerGetDatum(NULL);	/* the foreign key refuses it */

	/* Collect first: the compiled policy belongs to the cache. */
	compiled = kms_compile_policy(doc, len, key->dialect, KP_DOC_KEY_POLICY,
								  key->partition, key->account_id);
	for (size_t i = 0; i < compiled->n_statements; i++)
		for (size_t j = 0; j < compiled->statements[i].n_principals; j++)
		{
			const kp_principal *p = &compiled->statements[i].principals[j];
			const char *lookup;

			if ((p->kind == KP_PRIN_AWS || p->kind == KP_PRIN_RAM) && p->arn &&
				principal_ref(p->arn, p->kind, key, &lookup) == PRINCIPAL_REGISTERED)
				refs = lappend(refs, pstrdup(lookup));
		}

	args[0] = key_id;
	args[1] = name;
	kms_spi_begin(&st);
	kms_spi_exec("DELETE FROM kms_policy.key_policy_principals WHERE key_id = $1 AND policy_name = $2",
				 2, args, false);
	foreach(lc, refs)
	{
		CHECK_FOR_INTERRUPTS();
		args[2] = lfirst(lc);
		if (!registered_locked(args[2]))
			continue;
		kms_spi_exec("INSERT INTO kms_policy.key_policy_principals (key_id, policy_name, principal) "
					 "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
					 3, args, false);
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
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
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

/* ------------------------------------------------------------------------
 * Registry functions and trigger
 * ------------------------------------------------------------------------ */

Datum
kms_register_principal_v1(PG_FUNCTION_ARGS)
{
	KmsPrincipal *p;
	const char *args[4];

	require_api_administrator("register principals");
	p = parse_principal(kms_arg_utf8(fcinfo, 0, NULL), "arn");

	args[0] = p->arn;
	args[1] = p->dialect == KP_DIALECT_ALIBABA ? "alibaba" : "aws";
	args[2] = p->kind;
	args[3] = p->account;
	PG_RETURN_BOOL(write_changed_rows("INSERT INTO kms_policy.principals (arn, dialect, kind, account_id) "
									  "VALUES ($1, $2, $3, $4) ON CONFLICT (arn) DO NOTHING",
									  4, args));
}

Datum
kms_deregister_principal_v1(PG_FUNCTION_ARGS)
{
	KmsPrincipal *p;
	const char *args[1];

	require_api_administrator("deregister principals");
	p = parse_principal(kms_arg_utf8(fcinfo, 0, NULL), "arn");
	args[0] = p->arn;
	PG_RETURN_BOOL(write_changed_rows("DELETE FROM kms_policy.principals WHERE arn = $1", 1, args));
}

/*
 * What still references principal arn (inside SPI): the key policies, role
 * mappings and identity policies, the first few named; NULL when nothing.
 * The foreign keys refuse the delete anyway; this names what to change.
 */
static char *
references_of(const char *arn)
{
	const char *args[1] = {arn};
	StringInfoData out;
	uint64		n;
	int64		total = 0;
	int			rc;

	rc = kms_spi_exec("SELECT what, pg_catalog.count(*) OVER () FROM ("
					  "  SELECT 1 AS o, 'the key policy of ' || k.arn AS what"
					  "    FROM kms_policy.key_policy_principals r JOIN kms_policy.keys k USING (key_id)"
					  "   WHERE r.principal = $1"
					  "  UNION ALL"
					  "  SELECT 2, 'the mapping of role \"' || role_name || '\"'"
					  "    FROM kms_policy.role_principals WHERE principal_ref = $1"
					  "  UNION ALL"
					  "  SELECT 3, 'identity policy \"' || policy_name || '\"'"
					  "    FROM kms_policy.identity_policies WHERE principal = $1) s "
					  "ORDER BY o, what LIMIT " CppAsString2(KMS_MAX_NAMED_REFERENCES),
					  1, args, false);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));	/* internal error */
	n = SPI_processed;
	if (n == 0)
		return NULL;
	initStringInfo(&out);
	for (uint64 i = 0; i < n; i++)
	{
		appendStringInfo(&out, "%s%s", i ? ", " : "",
						 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		total = pg_strtoint64(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2));
	}
	if (total > (int64) n)
		appendStringInfo(&out, " and " INT64_FORMAT " more", total - (int64) n);
	return out.data;
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
		p = parse_principal(arn, "arn");
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
			refs = references_of(old_arn);
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

/* ------------------------------------------------------------------------
 * Role mappings
 * ------------------------------------------------------------------------ */

/*
 * A principal a role may act as: well formed, and known to the registry
 * (locked FOR KEY SHARE).  *registered says whether it is held by the
 * registry (false for the endpoint's own account root).
 */
static KmsPrincipal *
check_mapped_principal(const char *value, bool *registered)
{
	KmsPrincipal *p = parse_principal(value, "principal");
	KmsKey		own;
	KmsSpiState st;
	bool		known;
	const char *lookup;
	PrincipalRef ref;

	memset(&own, 0, sizeof(own));
	own.dialect = p->dialect;
	own.partition = (char *) (p->dialect == KP_DIALECT_ALIBABA ? "" : endpoint_partition());
	own.account_id = p->dialect == KP_DIALECT_ALIBABA ? kms_alibaba_account_id : kms_account_id;
	ref = principal_ref(p->arn, p->dialect == KP_DIALECT_ALIBABA ? KP_PRIN_RAM : KP_PRIN_AWS,
						&own, &lookup);
	kms_spi_begin(&st);
	known = ref == PRINCIPAL_IMPLICIT || (ref == PRINCIPAL_REGISTERED && registered_locked(lookup));
	kms_spi_end(&st);
	if (!known)
		kms_raise(KMS_NOT_FOUND, psprintf("Principal '%s' does not exist", p->arn),
				  "A role can act only as the endpoint's account root or a registered principal.",
				  "Register the principal with kms_register_principal() first.");
	*registered = ref == PRINCIPAL_REGISTERED;
	return p;
}

/* The name of the role with this OID; refuses an OID that names no role. */
static char *
existing_role_name(Oid role)
{
	char	   *name = GetUserNameFromId(role, true);

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role with OID %u does not exist", role),
				 errdetail("Only an existing role can be mapped to a principal.")));
	return name;
}

Datum
kms_map_role_v1(PG_FUNCTION_ARGS)
{
	Oid			role;
	KmsPrincipal *p;
	KmsSpiState st;
	const char *args[3];
	bool		registered;

	require_api_administrator("map roles to principals");
	if (PG_ARGISNULL(0))
		kms_raise_null_argument("role", KP_DIALECT_AWS);
	role = PG_GETARG_OID(0);
	args[1] = existing_role_name(role);
	p = check_mapped_principal(kms_arg_utf8(fcinfo, 1, NULL), &registered);
	args[0] = psprintf("%u", role);
	args[2] = p->arn;
	kms_spi_begin(&st);
	kms_spi_exec("INSERT INTO kms_policy.role_principals (role, role_name, principal) "
				 "VALUES ($1::oid::regrole, $2, $3) "
				 "ON CONFLICT (role) DO UPDATE "
				 "SET role_name = EXCLUDED.role_name, principal = EXCLUDED.principal",
				 3, args, false);
	kms_spi_end(&st);
	PG_RETURN_VOID();
}

/* Also removes the mapping of a dropped role: kms_unmap_role('16999'). */
Datum
kms_unmap_role_v1(PG_FUNCTION_ARGS)
{
	const char *args[1];

	require_api_administrator("unmap roles");
	if (PG_ARGISNULL(0))
		kms_raise_null_argument("role", KP_DIALECT_AWS);
	args[0] = psprintf("%u", PG_GETARG_OID(0));
	PG_RETURN_BOOL(write_changed_rows("DELETE FROM kms_policy.role_principals WHERE role = $1::oid::regrole",
									  1, args));
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
	current = GetUserNameFromId(role_oid, true);
	if (current)
		current = pg_server_to_any(current, strlen(current), PG_UTF8);
	if (current == NULL || strcmp(current, role_name) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("mapped role \"%s\" does not exist", role_name),
				 current ? errdetail("OID %u is role \"%s\" now; the mapping of role \"%s\" does not pass to it.",
									 role_oid, current, role_name)
				 : errdetail("No role has OID %u; a mapping applies only to the role it was made for.", role_oid),
				 errhint("Map the role again with kms_map_role(role, principal).")));

	p = check_mapped_principal(principal, &registered);
	if (strcmp(p->arn, principal) != 0)
		kms_raise(KMS_VALIDATION, "invalid row for kms_policy.role_principals",
				  psprintf("Store the principal as '%s'.", p->arn), "Use kms_map_role(role, principal).");

	/* principal_ref: what the foreign key on the registry holds */
	{
		int			refno = SPI_fnumber(td->tg_relation->rd_att, "principal_ref");
		Datum		refval = (Datum) 0;
		bool		refnull = !registered;

		if (registered)
			refval = CStringGetTextDatum(pg_any_to_server(p->arn, strlen(p->arn), PG_UTF8));
		if (refno <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("relation \"%s\" has no column \"%s\"",
							RelationGetRelationName(td->tg_relation), "principal_ref")));
		tuple = heap_modify_tuple_by_cols(tuple, td->tg_relation->rd_att, 1, &refno,
										  &refval, &refnull);
	}
	return PointerGetDatum(tuple);
}

/* ------------------------------------------------------------------------
 * Identity policies
 * ------------------------------------------------------------------------ */

/* IAM policy names: 1..128 characters of [\w+=,.@-]. */
static void
check_identity_policy_name(const char *name)
{
	size_t		len;

	if (name == NULL)
		kms_raise_null_argument("policyName", KP_DIALECT_AWS);
	len = strlen(name);
	if (len < 1 || len > 128)
		kms_raise(KMS_VALIDATION,
				  psprintf("1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must have length between 1 and 128", name),
				  NULL, NULL);
	for (size_t i = 0; i < len; i++)
		if (!(isascii((unsigned char) name[i]) &&
			  (isalnum((unsigned char) name[i]) || strchr("_+=,.@-", name[i]))))
			kms_raise(KMS_VALIDATION,
					  psprintf("1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name),
					  NULL, NULL);
}

/* The principal an identity policy attaches to: a user or role. */
static KmsPrincipal *
check_identity_owner(const char *value)
{
	KmsPrincipal *p = parse_principal(value, "principal");

	if (strcmp(p->kind, "user") != 0 && strcmp(p->kind, "role") != 0)
		kms_raise(KMS_VALIDATION, psprintf("'%s' cannot have identity policies", p->arn),
				  "Identity policies attach to users and roles; a role session gets the policies of its role, and an account root needs none.",
				  NULL);
	return p;
}

static void
raise_identity_owner_unknown(const char *arn)
{
	kms_raise(KMS_NOT_FOUND, psprintf("Principal '%s' does not exist", arn),
			  "Identity policies attach to registered users and roles.",
			  "Register the principal with kms_register_principal() first.");
}

/* The whole check of an identity policy row: the API and the trigger. */
static void
check_identity_policy(const char *principal, const char *name,
					  const char *doc, size_t len)
{
	KmsPrincipal *p = check_identity_owner(principal);
	kp_arn		a;

	check_identity_policy_name(name);
	if (!kp_arn_split(p->arn, &a))
		elog(ERROR, "normalised principal %s does not split", p->arn);	/* internal error */
	(void) kms_compile_policy(doc, len, p->dialect, KP_DOC_IDENTITY_POLICY,
							  a.partition, a.account);
	if (strcmp(p->arn, principal) != 0)
		kms_raise(KMS_VALIDATION, "invalid row for kms_policy.identity_policies",
				  psprintf("Store the principal as '%s'.", p->arn), NULL);
}

Datum
kms_put_identity_policy_v1(PG_FUNCTION_ARGS)
{
	KmsPrincipal *p;
	char	   *name;
	size_t		len;
	char	   *doc;
	KmsSpiState st;
	const char *args[3];

	require_api_administrator("manage identity policies");
	p = check_identity_owner(kms_arg_utf8(fcinfo, 0, NULL));
	name = kms_arg_utf8(fcinfo, 1, NULL);
	doc = kms_arg_utf8(fcinfo, 2, &len);
	if (doc == NULL)
		kms_raise_null_argument("policyDocument", p->dialect);
	check_identity_policy(p->arn, name, doc, len);
	args[0] = p->arn;
	args[1] = name;
	args[2] = pg_any_to_server(doc, len, PG_UTF8);
	kms_spi_begin(&st);
	if (!registered_locked(p->arn))
		raise_identity_owner_unknown(p->arn);
	kms_spi_exec("INSERT INTO kms_policy.identity_policies (principal, policy_name, policy, updated_at) "
				 "VALUES ($1, $2, $3, pg_catalog.statement_timestamp()) "
				 "ON CONFLICT (principal, policy_name) DO UPDATE "
				 "SET policy = EXCLUDED.policy, updated_at = EXCLUDED.updated_at",
				 3, args, false);
	kms_spi_end(&st);
	PG_RETURN_VOID();
}

Datum
kms_delete_identity_policy_v1(PG_FUNCTION_ARGS)
{
	KmsPrincipal *p;
	char	   *name;
	const char *args[2];

	require_api_administrator("manage identity policies");
	p = check_identity_owner(kms_arg_utf8(fcinfo, 0, NULL));
	name = kms_arg_utf8(fcinfo, 1, NULL);
	check_identity_policy_name(name);
	args[0] = p->arn;
	args[1] = name;
	PG_RETURN_BOOL(write_changed_rows("DELETE FROM kms_policy.identity_policies WHERE principal = $1 AND policy_name = $2",
									  2, args));
}

/*
 * A write of arn's identity policies updates arn's registry row: callers
 * that act as arn hold that row FOR SHARE while they read its policies
 * (identity.c), so the write and the caller's transaction are ordered.
 * Returns false when arn is not registered.
 */
static bool
bump_identity_version(const char *arn)
{
	const char *args[1] = {arn};

	return write_changed_rows("UPDATE kms_policy.principals "
							  "SET identity_version = identity_version + 1 WHERE arn = $1",
							  1, args);
}

/*
 * kms_policy.identity_policies: written only by identity administrators;
 * the owner is a registered user or role, the name and document valid.
 */
Datum
kms_identity_policies_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = kms_trigger_check(fcinfo, "kms_identity_policies_validate");
	HeapTuple	tuple;
	char	   *principal;
	char	   *name;
	char	   *doc;

	require_trigger_administrator(td);
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		char	   *old = kms_trigger_column(td, td->tg_trigtuple, "principal", NULL);

		if (old)
			(void) bump_identity_version(old);
		if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
			return PointerGetDatum(td->tg_trigtuple);
	}
	tuple = kms_trigger_row(fcinfo, "kms_identity_policies_validate");
	principal = kms_trigger_column(td, tuple, "principal", NULL);
	name = kms_trigger_column(td, tuple, "policy_name", NULL);
	doc = kms_trigger_column(td, tuple, "policy", NULL);
	if (principal && name && doc)
	{
		check_identity_policy(principal, name, doc, strlen(doc));
		if (!bump_identity_version(principal))
			raise_identity_owner_unknown(principal);
		kms_warn_identity_policy_notes(principal, name, doc);
	}
	return PointerGetDatum(tuple);
}
