/*
 * kms_principal_store.c -- the principal registry: the principals key
 * policies are checked against, and the references to them.
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
 */
#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "kms_args.h"
#include "kms_errors.h"
#include "kms_principal_store.h"
#include "kms_settings.h"
#include "kms_spi.h"

/* At most this many referencing objects are named in an error's detail. */
#define KMS_MAX_NAMED_REFERENCES 5

/*
 * Check one principal the way a key policy names it (the core's rule), and
 * normalise it (an account ID becomes its root ARN).  Only accounts, users,
 * roles and sessions are principals a role can act as or a registry holds.
 */
KmsPrincipal *
kms_parse_principal(const char *value, const char *member)
{
	KmsPrincipal *p = palloc0(sizeof(KmsPrincipal));
	kp_principal_kind kind;
	char		arn[KMS_PRINCIPAL_ARN_BUFLEN];
	kp_error	err;
	kp_arn		a;
	const char *r;

	if (value == NULL)
		kms_raise_null_argument(member, KP_DIALECT_AWS);
	p->dialect = kms_arn_dialect(value);
	if (kp_principal_normalize(value, p->dialect, kms_endpoint_partition(), &kind,
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

PrincipalRef
kms_principal_ref(const char *arn, kp_principal_kind kind, const KmsKey *key,
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
bool
kms_principal_registered_locked(const char *arn)
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
bool
kms_principal_known(const char *arn, kp_principal_kind kind, const KmsKey *key)
{
	const char *lookup;

	switch (kms_principal_ref(arn, kind, key, &lookup))
	{
		case PRINCIPAL_IMPLICIT:
			return true;
		case PRINCIPAL_FOREIGN:
			return false;
		case PRINCIPAL_REGISTERED:
			break;
	}
	return kms_principal_registered_locked(lookup);
}

/*
 * A text[] literal of C strings (array_in's syntax: every element quoted,
 * backslash and double quote escaped), for a statement's text parameter.
 */
char *
kms_text_array_literal(List *strings)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, strings)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, '"');
		for (const char *c = lfirst(lc); *c; c++)
		{
			if (*c == '"' || *c == '\\')
				appendStringInfoChar(&buf, '\\');
			appendStringInfoChar(&buf, *c);
		}
		appendStringInfoChar(&buf, '"');
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * Which of these registered principals are there (inside SPI): one
 * statement for all of them, each row found locked FOR KEY SHARE, as
 * kms_principal_registered_locked locks one.  Returns the ARNs found.
 */
List *
kms_principals_registered_locked(List *arns)
{
	const char *args[1];
	List	   *found = NIL;
	int			rc;

	if (arns == NIL)
		return NIL;
	args[0] = kms_text_array_literal(arns);
	rc = kms_spi_exec("SELECT arn FROM kms_policy.principals WHERE arn = ANY ($1::text[]) "
					  "ORDER BY arn COLLATE \"C\" FOR KEY SHARE",
					  1, args, false);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));	/* internal error */
	for (uint64 r = 0; r < SPI_processed; r++)
		found = lappend(found, SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
	return found;
}

/* Is arn one of held (C strings)? */
static bool
held_by(List *held, const char *arn)
{
	ListCell   *lc;

	foreach(lc, held)
		if (strcmp(lfirst(lc), arn) == 0)
			return true;
	return false;
}

void
kms_check_policy_principals(const kp_policy *policy, const KmsKey *key)
{
	KmsSpiState st;
	List	   *held = NIL;
	const char *lookup;

	if (!kms_check_principals)
		return;
	kms_spi_begin(&st);

	/*
	 * The principals the key's current policy already references are held
	 * by their key_policy_principals rows (ON DELETE RESTRICT), and those
	 * rows cannot change while this call holds the key's row lock (every
	 * writer of a key's policy takes it first): they need no lock of their
	 * own.  Only the others are looked up and locked FOR KEY SHARE.
	 */
	if (key->locked)
	{
		const char *args[1] = {key->key_id};

		kms_spi_exec("SELECT principal FROM kms_policy.key_policy_principals WHERE key_id = $1",
					 1, args, false);
		for (uint64 r = 0; r < SPI_processed; r++)
			held = lappend(held, SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
	}
	/* The others, looked up and locked in one statement. */
	{
		List	   *wanted = NIL;

		for (size_t i = 0; i < policy->n_statements; i++)
			for (size_t j = 0; j < policy->statements[i].n_principals; j++)
			{
				const kp_principal *p = &policy->statements[i].principals[j];

				if ((p->kind == KP_PRIN_AWS || p->kind == KP_PRIN_RAM) &&
					kms_principal_ref(p->arn, p->kind, key, &lookup) == PRINCIPAL_REGISTERED &&
					!held_by(held, lookup) && !held_by(wanted, lookup))
					wanted = lappend(wanted, (char *) lookup);
			}
		held = list_concat(held, kms_principals_registered_locked(wanted));
	}

	/* The first principal, in document order, that is not known. */
	for (size_t i = 0; i < policy->n_statements; i++)
	{
		const kp_statement *s = &policy->statements[i];

		for (size_t j = 0; j < s->n_principals; j++)
		{
			const kp_principal *p = &s->principals[j];
			PrincipalRef ref;

			kp_arn		a;

			if (p->kind != KP_PRIN_AWS && p->kind != KP_PRIN_RAM)
				continue;
			ref = kms_principal_ref(p->arn, p->kind, key, &lookup);
			if (!(ref == PRINCIPAL_IMPLICIT ||
				  (ref == PRINCIPAL_REGISTERED && held_by(held, lookup))))
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

/*
 * What still references principal arn (inside SPI): the key policies, role
 * mappings and identity policies, the first few named; NULL when nothing.
 * The foreign keys refuse the delete anyway; this names what to change.
 */
char *
kms_principal_references(const char *arn)
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
