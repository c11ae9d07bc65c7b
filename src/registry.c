/*
 * registry.c -- principals: the registry key policies are checked against,
 * role mappings (who a PostgreSQL role acts as), and identity policies.
 *
 * AWS refuses a key policy that names a principal which does not exist; the
 * database has no IAM, so administrators register the principals that exist
 * (kms_register_principal).  The endpoint's own account root is always
 * known, and service principals need no registration.  A registered
 * principal that a stored key policy names cannot be deleted: the registry's
 * trigger refuses, for the API and for a direct DELETE alike.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
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

/* Is this normalised principal known (inside SPI)? */
static bool
principal_known(const char *arn, kp_principal_kind kind, const KmsKey *key)
{
	kp_arn		a;
	const char *lookup = arn;
	const char *args[1];

	if (!kp_arn_split(arn, &a))
		return false;
	if (kind == KP_PRIN_RAM)
	{
		bool		account_level = strcmp(a.resource, "*") == 0 || strcmp(a.resource, "root") == 0;

		if (account_level && strcmp(a.account, key->account_id) == 0)
			return true;
		if (strcmp(a.resource, "*") == 0)
			lookup = psprintf("acs:ram::%s:root", a.account);
	}
	else if (strcmp(a.partition, key->partition) != 0)
		return false;			/* no principal of another partition exists here */
	else if (strcmp(a.resource, "root") == 0 && strcmp(a.account, key->account_id) == 0)
		return true;

	args[0] = lookup;
	kms_spi_exec("SELECT 1 FROM kms_policy.principals WHERE arn = $1", 1, args, true);
	return SPI_processed > 0;
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
 * Registry functions and trigger
 * ------------------------------------------------------------------------ */

Datum
kms_register_principal_v1(PG_FUNCTION_ARGS)
{
	KmsPrincipal *p = parse_principal(kms_arg_utf8(fcinfo, 0, NULL), "arn");
	const char *args[4];

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
	KmsPrincipal *p = parse_principal(kms_arg_utf8(fcinfo, 0, NULL), "arn");
	const char *args[1] = {p->arn};

	PG_RETURN_BOOL(write_changed_rows("DELETE FROM kms_policy.principals WHERE arn = $1", 1, args));
}

/* Keys whose stored policy names arn (inside SPI); NULL when none. */
static char *
keys_naming(const char *arn)
{
	StringInfoData out;
	int			found = 0;
	SPITupleTable *tt;
	uint64		n;

	kms_spi_exec("SELECT p.policy, k.arn, k.dialect, k.partition, k.account_id "
				 "FROM kms_policy.key_policies p JOIN kms_policy.keys k USING (key_id) "
				 "ORDER BY k.arn", 0, NULL, true);
	tt = SPI_tuptable;
	n = SPI_processed;
	initStringInfo(&out);
	for (uint64 i = 0; i < n; i++)
	{
		char	   *doc = SPI_getvalue(tt->vals[i], tt->tupdesc, 1);
		char	   *key_arn = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);
		char	   *dialect = SPI_getvalue(tt->vals[i], tt->tupdesc, 3);
		char	   *partition = SPI_getvalue(tt->vals[i], tt->tupdesc, 4);
		char	   *account = SPI_getvalue(tt->vals[i], tt->tupdesc, 5);
		kp_dialect	d = strcmp(dialect, "alibaba") == 0 ? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;
		const kp_policy *pol;
		bool		names = false;

		doc = pg_server_to_any(doc, strlen(doc), PG_UTF8);
		pol = kms_compile_policy(doc, strlen(doc), d, KP_DOC_KEY_POLICY, partition, account);
		for (size_t s = 0; s < pol->n_statements && !names; s++)
			for (size_t j = 0; j < pol->statements[s].n_principals && !names; j++)
			{
				const kp_principal *pr = &pol->statements[s].principals[j];

				if (pr->arn == NULL)
					continue;
				if (strcmp(pr->arn, arn) == 0)
					names = true;
				/* acs:ram::A:* depends on the registration of acs:ram::A:root */
				else if (pr->kind == KP_PRIN_RAM)
				{
					size_t		l = strlen(pr->arn);

					if (l > 1 && pr->arn[l - 1] == '*' &&
						strncmp(pr->arn, arn, l - 1) == 0 && strcmp(arn + l - 1, "root") == 0)
						names = true;
				}
			}
		if (names)
		{
			if (found < 5)
				appendStringInfo(&out, "%s%s", found ? ", " : "", key_arn);
			found++;
		}
	}
	if (found == 0)
		return NULL;
	if (found > 5)
		appendStringInfo(&out, " and %d more", found - 5);
	return out.data;
}

/*
 * kms_policy.principals: rows hold normalised principals; a principal that
 * a stored key policy names cannot be deleted or renamed.
 */
Datum
kms_principals_validate_v1(PG_FUNCTION_ARGS)
{
	TriggerData *td = kms_trigger_check(fcinfo, "kms_principals_validate");
	HeapTuple	newtup = NULL;

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
			char	   *keys;

			kms_spi_begin(&st);
			keys = keys_naming(old_arn);
			kms_spi_end(&st);
			if (keys)
				ereport(ERROR,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("principal %s is named by a key policy", old_arn),
						 errdetail("The key policy of %s names it.", keys),
						 errhint("Remove the principal from those key policies first.")));
		}
	}
	return PointerGetDatum(newtup ? newtup : td->tg_trigtuple);
}

/* ------------------------------------------------------------------------
 * Role mappings
 * ------------------------------------------------------------------------ */

/* A principal a role may act as: well formed, and known to the registry. */
static KmsPrincipal *
check_mapped_principal(const char *value)
{
	KmsPrincipal *p = parse_principal(value, "principal");
	KmsKey		own;
	KmsSpiState st;
	bool		known;

	memset(&own, 0, sizeof(own));
	own.dialect = p->dialect;
	own.partition = (char *) (p->dialect == KP_DIALECT_ALIBABA ? "" : endpoint_partition());
	own.account_id = p->dialect == KP_DIALECT_ALIBABA ? kms_alibaba_account_id : kms_account_id;
	kms_spi_begin(&st);
	known = principal_known(p->arn, p->dialect == KP_DIALECT_ALIBABA ? KP_PRIN_RAM : KP_PRIN_AWS, &own);
	kms_spi_end(&st);
	if (!known)
		kms_raise(KMS_NOT_FOUND, psprintf("Principal '%s' does not exist", p->arn),
				  "A role can act only as the endpoint's account root or a registered principal.",
				  "Register the principal with kms_register_principal() first.");
	return p;
}

Datum
kms_map_role_v1(PG_FUNCTION_ARGS)
{
	Oid			role;
	KmsPrincipal *p;
	KmsSpiState st;
	const char *args[2];

	if (PG_ARGISNULL(0))
		kms_raise_null_argument("role", KP_DIALECT_AWS);
	role = PG_GETARG_OID(0);
	p = check_mapped_principal(kms_arg_utf8(fcinfo, 1, NULL));
	args[0] = psprintf("%u", role);
	args[1] = p->arn;
	kms_spi_begin(&st);
	kms_spi_exec("INSERT INTO kms_policy.role_principals (role, principal) VALUES ($1::oid::regrole, $2) "
				 "ON CONFLICT (role) DO UPDATE SET principal = EXCLUDED.principal",
				 2, args, false);
	kms_spi_end(&st);
	PG_RETURN_VOID();
}

Datum
kms_unmap_role_v1(PG_FUNCTION_ARGS)
{
	const char *args[1];

	if (PG_ARGISNULL(0))
		kms_raise_null_argument("role", KP_DIALECT_AWS);
	args[0] = psprintf("%u", PG_GETARG_OID(0));
	PG_RETURN_BOOL(write_changed_rows("DELETE FROM kms_policy.role_principals WHERE role = $1::oid::regrole",
									  1, args));
}

Datum
kms_role_principals_validate_v1(PG_FUNCTION_ARGS)
{
	HeapTuple	tuple = kms_trigger_row(fcinfo, "kms_role_principals_validate");
	TriggerData *td = (TriggerData *) fcinfo->context;
	char	   *principal = kms_trigger_column(td, tuple, "principal", NULL);
	KmsPrincipal *p;

	if (principal == NULL)
		return PointerGetDatum(tuple);
	p = check_mapped_principal(principal);
	if (strcmp(p->arn, principal) != 0)
		kms_raise(KMS_VALIDATION, "invalid row for kms_policy.role_principals",
				  psprintf("Store the principal as '%s'.", p->arn), "Use kms_map_role(role, principal).");
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
	KmsPrincipal *p = check_identity_owner(kms_arg_utf8(fcinfo, 0, NULL));
	char	   *name = kms_arg_utf8(fcinfo, 1, NULL);
	size_t		len;
	char	   *doc = kms_arg_utf8(fcinfo, 2, &len);
	KmsSpiState st;
	const char *args[3];

	if (doc == NULL)
		kms_raise_null_argument("policyDocument", p->dialect);
	check_identity_policy(p->arn, name, doc, len);
	args[0] = p->arn;
	args[1] = name;
	args[2] = pg_any_to_server(doc, len, PG_UTF8);
	kms_spi_begin(&st);
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
	KmsPrincipal *p = check_identity_owner(kms_arg_utf8(fcinfo, 0, NULL));
	char	   *name = kms_arg_utf8(fcinfo, 1, NULL);
	const char *args[2];

	check_identity_policy_name(name);
	args[0] = p->arn;
	args[1] = name;
	PG_RETURN_BOOL(write_changed_rows("DELETE FROM kms_policy.identity_policies WHERE principal = $1 AND policy_name = $2",
									  2, args));
}

Datum
kms_identity_policies_validate_v1(PG_FUNCTION_ARGS)
{
	HeapTuple	tuple = kms_trigger_row(fcinfo, "kms_identity_policies_validate");
	TriggerData *td = (TriggerData *) fcinfo->context;
	char	   *principal = kms_trigger_column(td, tuple, "principal", NULL);
	char	   *name = kms_trigger_column(td, tuple, "policy_name", NULL);
	char	   *doc = kms_trigger_column(td, tuple, "policy", NULL);

	if (principal && name && doc)
		check_identity_policy(principal, name, doc, strlen(doc));
	kms_warn_identity_policy_notes(principal, name, doc);
	return PointerGetDatum(tuple);
}
