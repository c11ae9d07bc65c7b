/*
 * kms_identity_store.c -- the identity store: who the calling role acts as
 * (kms_policy.role_principals), the identity policies of a principal
 * (kms_policy.identity_policies), and the checks of both on their way in.
 *
 * Reads see the latest committed state, so a committed revocation is seen by
 * the next call in any isolation level.  Writes are not overtaken by
 * revocations, and no row is written or locked for that: a call that writes
 * (not a read call, nor a kms_authorize question about some principal) takes
 * a shared heavyweight lock on kms_policy.identity_changes before it reads
 * its caller's mapping and identity policies, and holds it until its
 * transaction ends; every identity change (unmap, re-map, an identity policy
 * written, a principal deregistered) takes the exclusive lock on it
 * (kms_identity_changed) and holds it until it has committed.  So:
 *  - a revocation in progress makes the caller wait for it, and the caller
 *    then reads the committed state (the cache, whose invalidations the lock
 *    acquisition accepted, or the tables);
 *  - a revocation that starts after the caller read waits for the caller's
 *    transaction to end, so nothing the caller writes in it comes after it.
 * Many callers of one role writing at once share the lock: unlike the FOR
 * SHARE row locks this replaces, they create no multixact and write nothing.
 * Read calls and read-only transactions (hot standby included) hold no lock
 * beyond their own look-up and write nothing (no transaction ID, no WAL): a
 * revocation committed before they read is seen, one committed after orders
 * after them.
 *
 * Identity policies are compiled in their principal's own dialect into memory
 * tied to the current memory context (not the shared compiled-policy cache,
 * whose entries a later compile may evict), and every one of them is read.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "kms_args.h"
#include "kms_errors.h"
#include "kms_identity_store.h"
#include "kms_policy_cache.h"
#include "kms_principal_store.h"
#include "kms_settings.h"
#include "kms_spi.h"

/* ------------------------------------------------------------------------
 * The identity cache of read calls
 *
 * Read calls ask the same questions again and again -- which principal a role
 * acts as, which identity policies a principal has -- and the answers change
 * only when an administrator changes an identity table.  A per-backend cache
 * keeps the answers (the identity policies compiled), and is dropped
 * transactionally, as PostgreSQL's own caches are: every write of
 * kms_policy.principals, role_principals or identity_policies (their row
 * triggers, kms_identity_changed) queues a relcache invalidation of the
 * sequence kms_policy.identity_changes, and each backend drops its cache when
 * the invalidation arrives (a relcache callback, as Citus keeps its metadata
 * cache).  Invalidations are sent at commit and replayed on standbys.
 *
 * They are sent just after the writing transaction becomes visible, so a
 * lock closes the gap, the way PostgreSQL orders DDL and its readers: the
 * writer holds an ACCESS EXCLUSIVE lock on identity_changes from its first
 * identity write until after its invalidations are sent (and, on a standby,
 * until they are replayed: the lock is WAL-logged), and a read call takes
 * ACCESS SHARE on it without waiting, accepts pending invalidations, answers,
 * and releases it at once; when a change is in progress it cannot have the
 * lock and reads the tables themselves instead.  A read call therefore never
 * answers from a cache older than a committed identity change, never waits
 * for one in progress, and holds up no writer beyond its own answer.  Calls
 * that write do not use the cache: they read and lock the rows themselves.
 * ------------------------------------------------------------------------ */

/* At most this many roles and principals are cached; then it starts over. */
#define KMS_IDENTITY_CACHE_MAX 1024

typedef struct MappingEntry
{
	Oid			role;			/* hash key */
	char	   *role_name;		/* the mapped role's name; NULL: unmapped */
	char	   *principal;
} MappingEntry;

typedef struct PoliciesEntry
{
	char		arn[KMS_PRINCIPAL_ARN_BUFLEN];	/* hash key */
	int			n;
	kp_compiled **policies;		/* compiled forms, in the principal's own dialect */
} PoliciesEntry;

/*
 * The compiled policies a cache generation owns, freed with its context (a
 * List in the context itself: the hash tables live in child contexts, which
 * are deleted before the context's reset callbacks run).
 */
typedef struct IdentityGeneration
{
	MemoryContextCallback cb;
	List	   *policies;
} IdentityGeneration;

static MemoryContext identity_cxt = NULL;	/* the cache's current generation */
static IdentityGeneration *identity_gen = NULL;
static HTAB *mapping_cache = NULL;
static HTAB *policies_cache = NULL;
static bool identity_cache_valid = false;
static Oid	identity_lock_relid = InvalidOid;

/* Relcache callback: an identity table changed (or everything was reset). */
static void
identity_cache_invalidate(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == identity_lock_relid)
	{
		identity_cache_valid = false;
		identity_lock_relid = InvalidOid;	/* looked up again: DROP EXTENSION */
	}
}

/* The lock and invalidation target, kms_policy.identity_changes. */
static Oid
identity_lock_relation(void)
{
	if (!OidIsValid(identity_lock_relid))
	{
		Oid			nsp = get_namespace_oid("kms_policy", false);

		identity_lock_relid = get_relname_relid("identity_changes", nsp);
		if (!OidIsValid(identity_lock_relid))
			elog(ERROR, "relation kms_policy.identity_changes does not exist");	/* internal error */
	}
	return identity_lock_relid;
}

/* Free the compiled policies of a cache generation (its context's reset). */
static void
identity_generation_free(void *arg)
{
	IdentityGeneration *gen = (IdentityGeneration *) arg;
	ListCell   *lc;

	foreach(lc, gen->policies)
		free((void *) ((kp_compiled *) lfirst(lc))->data);
	gen->policies = NIL;
}

/*
 * Start a new cache generation.  The old one may still be in use by this
 * call's caller (a pointer it got before): it is freed with the transaction.
 */
static void
identity_cache_reset(void)
{
	HASHCTL		ctl;

	if (identity_cxt != NULL)
		MemoryContextSetParent(identity_cxt, TopTransactionContext);
	identity_cxt = AllocSetContextCreate(CacheMemoryContext, "kms_policy identity cache",
										 ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(MappingEntry);
	ctl.hcxt = identity_cxt;
	mapping_cache = hash_create("kms_policy role mappings", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = KMS_PRINCIPAL_ARN_BUFLEN;
	ctl.entrysize = sizeof(PoliciesEntry);
	policies_cache = hash_create("kms_policy identity policies", 64, &ctl,
								 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	identity_gen = MemoryContextAllocZero(identity_cxt, sizeof(IdentityGeneration));
	identity_gen->cb.func = identity_generation_free;
	identity_gen->cb.arg = identity_gen;
	MemoryContextRegisterResetCallback(identity_cxt, &identity_gen->cb);
	identity_cache_valid = true;
}

/*
 * Take the cache's lock and bring the cache up to date (read calls).  False
 * when an identity change is in progress (its writer holds the lock): the
 * caller then reads the tables themselves, on the latest committed state,
 * without waiting -- never from the cache, which the change may be about to
 * invalidate, and never blocking (a transaction that wrote before holds row
 * locks the change may be waiting for).
 */
static bool
identity_cache_enter(void)
{
	static bool callback_registered = false;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(identity_cache_invalidate, (Datum) 0);
		callback_registered = true;
	}
	if (!ConditionalLockRelationOid(identity_lock_relation(), AccessShareLock))
		return false;
	AcceptInvalidationMessages();
	if (!identity_cache_valid || identity_cxt == NULL ||
		hash_get_num_entries(mapping_cache) >= KMS_IDENTITY_CACHE_MAX ||
		hash_get_num_entries(policies_cache) >= KMS_IDENTITY_CACHE_MAX)
		identity_cache_reset();
	return true;
}

/*
 * A call that writes: wait for an identity change in progress, then hold the
 * identity lock in shared mode until the transaction ends, so that no
 * identity change can commit between what this call decides and its commit.
 * Acquiring the lock accepts the invalidations of the change waited for.
 */
static void
identity_lock_for_write(void)
{
	LockRelationOid(identity_lock_relation(), AccessShareLock);
}

static void
identity_cache_leave(void)
{
	UnlockRelationOid(identity_lock_relation(), AccessShareLock);
}

/*
 * Every write of an identity table (its row triggers): hold writers' lock
 * until the transaction ends, and drop every backend's identity cache when
 * it commits.
 */
void
kms_identity_changed(void)
{
	Oid			relid = identity_lock_relation();

	LockRelationOid(relid, AccessExclusiveLock);
	CacheInvalidateRelcacheByRelid(relid);
}

/* ------------------------------------------------------------------------
 * Callers and their identity policies
 * ------------------------------------------------------------------------ */

/*
 * The principal role is mapped to, as committed now (NULL when none); name is
 * the role's name.  The mapping applies only while the OID still names the
 * role it was made for (role_name): a role that gets a dropped role's OID
 * does not inherit its principal.
 */
static char *
read_mapping(Oid role, const char *name)
{
	const char *args[2];
	int			rc;

	args[0] = psprintf("%u", role);
	args[1] = name;
	rc = kms_spi_exec_latest("SELECT principal FROM kms_policy.role_principals "
							 "WHERE role = $1::oid::regrole AND role_name = $2",
							 2, args);
	kms_spi_check_select(rc);
	if (SPI_processed == 0)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* read_mapping through the cache (read calls; inside identity_cache_enter). */
static char *
cached_mapping(Oid role, const char *name)
{
	MappingEntry *e;
	bool		found;
	char	   *principal;

	e = hash_search(mapping_cache, &role, HASH_FIND, &found);
	if (found)
	{
		/* a renamed role is no longer mapped: the name is checked live */
		if (e->role_name == NULL || strcmp(e->role_name, name) != 0)
			return NULL;
		return pstrdup(e->principal);
	}
	principal = read_mapping(role, name);
	e = hash_search(mapping_cache, &role, HASH_ENTER, &found);
	e->role_name = principal ? MemoryContextStrdup(identity_cxt, name) : NULL;
	e->principal = principal ? MemoryContextStrdup(identity_cxt, principal) : NULL;
	return principal;
}

/*
 * The session's caller: role (the caller as seen at entry) mapped to its
 * principal; an unmapped superuser acts as the endpoint's root of dialect.
 */
KmsCaller *
kms_current_caller(Oid role, kp_dialect dialect, bool for_write)
{
	KmsCaller  *c = palloc0(sizeof(KmsCaller));
	char	   *name = GetUserNameFromId(role, true);

	c->locked = for_write && !XactReadOnly;
	if (c->locked)
		identity_lock_for_write();
	if (name != NULL)
	{
		if (identity_cache_enter())
		{
			c->arn = cached_mapping(role, name);
			identity_cache_leave();
		}
		else
			c->arn = read_mapping(role, name);	/* a change in progress */
		if (c->arn != NULL)
		{
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
			c->arn = psprintf("arn:%s:iam::%s:root", kms_endpoint_partition(), kms_account_id);
			c->account = pstrdup(kms_account_id);
		}
		c->display = c->arn;
		return c;
	}
	c->display = psprintf("PostgreSQL role \"%s\"", name ? name : psprintf("%u", role));
	return c;
}

/*
 * Read the identity policies that apply to arn (its own, and for a role
 * session those of its role) and compile each in own, the principal's
 * dialect, into malloc'd policies (*out, palloc'd in the current context).
 * On an error, what was compiled is freed.
 */
static int
load_identity_policies(const char *arn, kp_dialect own, kp_compiled ***out)
{
	const char *args[3] = {arn, NULL, NULL};
	kp_arn		a;
	int			rc;
	uint64		n;
	char	  **docs;
	char	  **owners;
	kp_compiled **policies;
	volatile int done = 0;

	/* arn:<p>:sts::<acct>:assumed-role/<role>/<session>: also the role's */
	if (kp_arn_split(arn, &a) && strcmp(a.service, "sts") == 0 &&
		strncmp(a.resource, "assumed-role/", 13) == 0)
	{
		char	   *role = pstrdup(a.resource + 13);
		char	   *slash = strchr(role, '/');

		if (slash)
			*slash = '\0';
		args[1] = psprintf("arn:%s:iam::%s:role/%%", a.partition, a.account);
		args[2] = role;
	}
	rc = kms_spi_exec_latest("SELECT principal, policy FROM kms_policy.identity_policies "
							 "WHERE principal = $1 OR (principal LIKE $2 AND "
							 "pg_catalog.regexp_replace(principal, '^.*/', '') = $3) "
							 "ORDER BY principal, policy_name",
							 3, args);
	kms_spi_check_select(rc);
	n = SPI_processed;
	*out = NULL;
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

	policies = palloc0(sizeof(kp_compiled *) * n);
	for (uint64 i = 0; i < n; i++)
		policies[i] = palloc0(sizeof(kp_compiled));
	PG_TRY();
	{
		for (uint64 i = 0; i < n; i++)
		{
			kp_arn		oa;
			kp_parse_opts opts;
			kp_error	err;
			kp_policy  *tree;
			unsigned char *bytes;
			size_t		len;
			kp_status	st;

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
			if (kp_policy_parse(docs[i], strlen(docs[i]), &opts, &tree, &err) != KP_OK)
				kms_raise_core(&err, own);
			/* kept in the compiled form only */
			st = kp_policy_compile(tree, &bytes, &len, &err);
			kp_policy_free(tree);
			if (st != KP_OK)
				kms_raise_core(&err, own);
			policies[done]->data = bytes;
			policies[done]->len = len;
			done++;
		}
	}
	PG_CATCH();
	{
		for (int i = 0; i < done; i++)
			free((void *) policies[i]->data);
		PG_RE_THROW();
	}
	PG_END_TRY();
	*out = policies;
	return done;
}

/* Free a palloc'd array of malloc'd policies when its context goes. */
typedef struct IdentitySet
{
	MemoryContextCallback cb;
	int			n;
	kp_compiled **policies;
} IdentitySet;

static void
identity_set_free(void *arg)
{
	IdentitySet *set = (IdentitySet *) arg;

	for (int i = 0; i < set->n; i++)
		free((void *) set->policies[i]->data);
	set->n = 0;
}

int
kms_identity_policies(const KmsCaller *caller, kp_dialect dialect,
					  const kp_compiled *const **out)
{
	kp_dialect	own;
	kp_compiled **policies;
	int			n;

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

	if (!identity_cache_enter())
	{
		/*
		 * A change in progress (a read call does not wait for it): read the
		 * committed state, owned by this memory context.  A call that writes
		 * holds the identity lock (kms_current_caller), so for it no change
		 * is in progress.
		 */
		IdentitySet *set;

		Assert(!caller->locked);
		n = load_identity_policies(caller->arn, own, &policies);
		set = palloc0(sizeof(IdentitySet));
		set->n = n;
		set->policies = policies;
		set->cb.func = identity_set_free;
		set->cb.arg = set;
		MemoryContextRegisterResetCallback(CurrentMemoryContext, &set->cb);
		*out = (const kp_compiled *const *) policies;
		return n;
	}

	/* a read call: through the cache (entered above) */
	if (strlen(caller->arn) >= KMS_PRINCIPAL_ARN_BUFLEN)
		elog(ERROR, "principal ARN too long");	/* internal error: normalised */
	{
		PoliciesEntry *e;
		bool		found;

		e = hash_search(policies_cache, caller->arn, HASH_FIND, &found);
		if (!found)
		{
			MemoryContext old;

			n = load_identity_policies(caller->arn, own, &policies);
			e = hash_search(policies_cache, caller->arn, HASH_ENTER, &found);
			e->n = 0;
			old = MemoryContextSwitchTo(identity_cxt);
			e->policies = n > 0 ? palloc(sizeof(kp_compiled *) * n) : NULL;
			for (int i = 0; i < n; i++)
			{
				/* owned by the generation from here on */
				kp_compiled *c = palloc(sizeof(kp_compiled));

				*c = *policies[i];
				identity_gen->policies = lappend(identity_gen->policies, c);
				e->policies[i] = c;
			}
			MemoryContextSwitchTo(old);
			e->n = n;
		}
		*out = (const kp_compiled *const *) e->policies;
		n = e->n;
	}
	identity_cache_leave();
	return n;
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
