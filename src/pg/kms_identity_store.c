/*
 * kms_identity_store.c -- the identity store: who the calling role acts as
 * (kms_policy.role_principals), the identity policies of a principal
 * (kms_policy.identity_policies), and the checks of both on their way in.
 *
 * Reads see the latest committed state (kms_spi_exec_latest), so a committed
 * revocation is seen by the next call in any isolation level.  Writes are not
 * overtaken by revocations: for the session's own caller in a call that
 * writes (not for a read call, nor for a kms_authorize question about some
 * principal) the mapping row is read FOR SHARE and the principal rows whose
 * identity policies apply are locked FOR SHARE before those policies are
 * read.  Every write of an identity policy
 * updates its principal's row (identity_version), and an unmap or re-map
 * deletes or updates the mapping row, so:
 *  - a revocation in progress makes the caller wait for it, and the caller
 *    then reads the committed state (READ COMMITTED reads with a new snapshot);
 *  - a revocation that starts after the caller read waits for the caller's
 *    transaction to end, so nothing the caller writes in it comes after it;
 *  - in REPEATABLE READ or SERIALIZABLE, a revocation committed after the
 *    caller's snapshot makes the lock fail with a serialization failure.
 * Read calls and read-only transactions (hot standby included) take no row
 * locks, so they write nothing (no transaction ID, no WAL): a revocation
 * committed before they read is seen, one committed after orders after them.
 *
 * Identity policies are compiled in their principal's own dialect into memory
 * tied to the current memory context (not the shared compiled-policy cache,
 * whose entries a later compile may evict), and every one of them is read.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "kms_args.h"
#include "kms_errors.h"
#include "kms_identity_store.h"
#include "kms_policy_cache.h"
#include "kms_principal_store.h"
#include "kms_settings.h"
#include "kms_spi.h"

KmsCaller *
kms_current_caller(Oid role, kp_dialect dialect, bool for_write)
{
	KmsCaller  *c = palloc0(sizeof(KmsCaller));
	char	   *name = GetUserNameFromId(role, true);
	const char *args[2];

	c->locked = for_write && !XactReadOnly;
	if (name != NULL)
	{
		int			rc;

		/*
		 * The mapping applies only while the OID still names the role it was
		 * made for (role_name): a role that gets a dropped role's OID does
		 * not inherit its principal.
		 */
		args[0] = psprintf("%u", role);
		args[1] = name;
		if (c->locked)
			rc = kms_spi_exec("SELECT principal FROM kms_policy.role_principals "
							  "WHERE role = $1::oid::regrole AND role_name = $2 FOR SHARE",
							  2, args, false);
		else
			rc = kms_spi_exec_latest("SELECT principal FROM kms_policy.role_principals "
									 "WHERE role = $1::oid::regrole AND role_name = $2",
									 2, args);
		kms_spi_check_select(rc);
		if (SPI_processed > 0)
		{
			c->arn = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
			c->account = kms_arn_account(c->arn);
			c->display = c->arn;
			return c;
		}
	}
	if (superuser_arg(role))
	{
		if (dialect == KP_DIALECT_ALIBABA)
		{
			c->arn = psprintf("acs:ram::%s:root", kms_alibaba_account_id);
			c->account = pstrdup(kms_alibaba_account_id);
		}
		else
		{
			const char *p = kp_partition_for_region(kms_region);

			c->arn = psprintf("arn:%s:iam::%s:root", p ? p : "aws", kms_account_id);
			c->account = pstrdup(kms_account_id);
		}
		c->display = c->arn;
		return c;
	}
	c->display = psprintf("PostgreSQL role \"%s\"", name ? name : psprintf("%u", role));
	return c;
}

/* Compiled identity policies, freed when their memory context goes. */
typedef struct IdentitySet
{
	MemoryContextCallback cb;
	int			n;
	kp_policy **policies;
} IdentitySet;

static void
identity_set_free(void *arg)
{
	IdentitySet *set = (IdentitySet *) arg;

	for (int i = 0; i < set->n; i++)
		kp_policy_free(set->policies[i]);
	set->n = 0;
}

int
kms_identity_policies(const KmsCaller *caller, kp_dialect dialect,
					  const kp_policy ***out)
{
	const char *args[3] = {NULL, NULL, NULL};
	kp_dialect	own;
	kp_arn		a;
	int			rc;
	uint64		n;
	char	  **docs;
	char	  **owners;
	IdentitySet *set;

	*out = NULL;
	if (caller->arn == NULL || caller->is_service)
		return 0;

	/*
	 * IAM policies govern AWS resources and RAM policies Alibaba's: a
	 * principal of the other dialect has no identity permission here (and is
	 * of no account of the key's), which the decision then reflects.
	 */
	own = kms_arn_dialect(caller->arn);
	if (own != dialect)
		return 0;

	args[0] = caller->arn;
	/* arn:<p>:sts::<acct>:assumed-role/<role>/<session>: also the role's */
	if (kp_arn_split(caller->arn, &a) && strcmp(a.service, "sts") == 0 &&
		strncmp(a.resource, "assumed-role/", 13) == 0)
	{
		char	   *role = pstrdup(a.resource + 13);
		char	   *slash = strchr(role, '/');

		if (slash)
			*slash = '\0';
		args[1] = psprintf("arn:%s:iam::%s:role/%%", a.partition, a.account);
		args[2] = role;
	}

	/*
	 * Lock the owners' registry rows first: every identity-policy write
	 * updates its owner's row, so it waits for this transaction, or this
	 * lock waits for it (and in REPEATABLE READ fails if it committed after
	 * the snapshot).  The policies are then read with a new snapshot.
	 */
	if (caller->locked)
	{
		rc = kms_spi_exec("SELECT arn FROM kms_policy.principals "
						  "WHERE arn = $1 OR (arn LIKE $2 AND "
						  "pg_catalog.regexp_replace(arn, '^.*/', '') = $3) "
						  "ORDER BY arn FOR SHARE",
						  3, args, false);
		kms_spi_check_select(rc);
	}
	rc = kms_spi_exec_latest("SELECT principal, policy FROM kms_policy.identity_policies "
							 "WHERE principal = $1 OR (principal LIKE $2 AND "
							 "pg_catalog.regexp_replace(principal, '^.*/', '') = $3) "
							 "ORDER BY principal, policy_name",
							 3, args);
	kms_spi_check_select(rc);
	n = SPI_processed;
	if (n == 0)
		return 0;
	docs = palloc(sizeof(char *) * n);
	owners = palloc(sizeof(char *) * n);
	for (uint64 i = 0; i < n; i++)
	{
		char	   *d = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		owners[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		docs[i] = pg_server_to_any(d, strlen(d), PG_UTF8);
	}

	set = palloc0(sizeof(IdentitySet));
	set->policies = palloc0(sizeof(kp_policy *) * n);
	set->cb.func = identity_set_free;
	set->cb.arg = set;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &set->cb);
	for (uint64 i = 0; i < n; i++)
	{
		kp_arn		oa;
		kp_parse_opts opts;
		kp_policy  *policy = NULL;
		kp_error	err;

		CHECK_FOR_INTERRUPTS();
		/* owners are normalised ARNs (the table's trigger checks them) */
		if (!kp_arn_split(owners[i], &oa))
			elog(ERROR, "identity policy owner %s is not an ARN", owners[i]);	/* internal error */
		memset(&opts, 0, sizeof(opts));
		opts.dialect = own;
		opts.kind = KP_DOC_IDENTITY_POLICY;
		opts.partition = pstrdup(oa.partition);
		opts.account = pstrdup(oa.account);
		opts.max_depth = KP_DEFAULT_MAX_DEPTH;
		/* The core frees what it allocated before returning an error. */
		if (kp_policy_parse(docs[i], strlen(docs[i]), &opts, &policy, &err) != KP_OK)
			kms_raise_core(&err, own);
		set->policies[set->n++] = policy;
	}
	*out = (const kp_policy **) set->policies;
	return set->n;
}

/*
 * A principal a role may act as: well formed, and known to the registry
 * (locked FOR KEY SHARE).  *registered says whether it is held by the
 * registry (false for the endpoint's own account root).
 */
KmsPrincipal *
kms_check_mapped_principal(const char *value, bool *registered)
{
	KmsPrincipal *p = kms_parse_principal(value, "principal");
	KmsKey		own;
	KmsSpiState st;
	bool		known;
	const char *lookup;
	PrincipalRef ref;

	memset(&own, 0, sizeof(own));
	own.dialect = p->dialect;
	own.partition = (char *) (p->dialect == KP_DIALECT_ALIBABA ? "" : kms_endpoint_partition());
	own.account_id = p->dialect == KP_DIALECT_ALIBABA ? kms_alibaba_account_id : kms_account_id;
	ref = kms_principal_ref(p->arn, p->dialect == KP_DIALECT_ALIBABA ? KP_PRIN_RAM : KP_PRIN_AWS,
						&own, &lookup);
	kms_spi_begin(&st);
	known = ref == PRINCIPAL_IMPLICIT || (ref == PRINCIPAL_REGISTERED && kms_principal_registered_locked(lookup));
	kms_spi_end(&st);
	if (!known)
		kms_raise(KMS_NOT_FOUND, psprintf("Principal '%s' does not exist", p->arn),
				  "A role can act only as the endpoint's account root or a registered principal.",
				  "Register the principal with kms_register_principal() first.");
	*registered = ref == PRINCIPAL_REGISTERED;
	return p;
}

/* The name of the role with this OID; refuses an OID that names no role. */
char *
kms_existing_role_name(Oid role)
{
	char	   *name = GetUserNameFromId(role, true);

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role with OID %u does not exist", role),
				 errdetail("Only an existing role can be mapped to a principal.")));
	return name;
}

/* IAM policy names: 1..128 characters of [\w+=,.@-]. */
#define KMS_MAX_IDENTITY_POLICY_NAME_CHARS 128

void
kms_check_identity_policy_name(const char *name)
{
	size_t		len;

	if (name == NULL)
		kms_raise_null_argument("policyName", KP_DIALECT_AWS);
	len = strlen(name);
	if (len < 1 || len > KMS_MAX_IDENTITY_POLICY_NAME_CHARS)
		kms_raise(KMS_VALIDATION,
				  psprintf("1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must have length between 1 and %d",
						   name, KMS_MAX_IDENTITY_POLICY_NAME_CHARS),
				  NULL, NULL);
	for (size_t i = 0; i < len; i++)
		if (!(isascii((unsigned char) name[i]) &&
			  (isalnum((unsigned char) name[i]) || strchr("_+=,.@-", name[i]))))
			kms_raise(KMS_VALIDATION,
					  psprintf("1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name),
					  NULL, NULL);
}

/* The principal an identity policy attaches to: a user or role. */
KmsPrincipal *
kms_check_identity_owner(const char *value)
{
	KmsPrincipal *p = kms_parse_principal(value, "principal");

	if (strcmp(p->kind, "user") != 0 && strcmp(p->kind, "role") != 0)
		kms_raise(KMS_VALIDATION, psprintf("'%s' cannot have identity policies", p->arn),
				  "Identity policies attach to users and roles; a role session gets the policies of its role, and an account root needs none.",
				  NULL);
	return p;
}

void
kms_raise_identity_owner_unknown(const char *arn)
{
	kms_raise(KMS_NOT_FOUND, psprintf("Principal '%s' does not exist", arn),
			  "Identity policies attach to registered users and roles.",
			  "Register the principal with kms_register_principal() first.");
}

/* The whole check of an identity policy row: the API and the trigger. */
void
kms_check_identity_policy(const char *principal, const char *name,
					  const char *doc, size_t len)
{
	KmsPrincipal *p = kms_check_identity_owner(principal);
	kp_arn		a;

	kms_check_identity_policy_name(name);
	if (!kp_arn_split(p->arn, &a))
		elog(ERROR, "normalised principal %s does not split", p->arn);	/* internal error */
	(void) kms_compile_policy(doc, len, p->dialect, KP_DOC_IDENTITY_POLICY,
							  a.partition, a.account);
	if (strcmp(p->arn, principal) != 0)
		kms_raise(KMS_VALIDATION, "invalid row for kms_policy.identity_policies",
				  psprintf("Store the principal as '%s'.", p->arn), NULL);
}

/*
 * A write of arn's identity policies updates arn's registry row: callers
 * that act as arn hold that row FOR SHARE while they read its policies
 * (kms_identity_store.c), so the write and the caller's transaction are ordered.
 * Returns false when arn is not registered.
 */
bool
kms_bump_identity_version(const char *arn)
{
	const char *args[1] = {arn};

	return kms_spi_write_changed_rows("UPDATE kms_policy.principals "
							  "SET identity_version = identity_version + 1 WHERE arn = $1",
							  1, args);
}
