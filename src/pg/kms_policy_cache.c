/*
 * kms_policy_cache.c -- compiled policies, cached per backend, and the
 * WARNINGs of stored documents.
 *
 * kms_put_key_policy compiles a document to check it and to run the lockout
 * safety check; the validation trigger then compiles the same text again,
 * and authorization compiles the stored policy of a key on every call.  The
 * cache makes all of these one parse: entries are keyed by the exact text
 * (plus dialect, kind, partition and account, which change its meaning), so
 * an entry can never be stale; a changed policy is simply a different key.
 * Compiled policies are malloc'd by the core and freed on eviction.
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/memutils.h"

#include "kms_errors.h"
#include "kms_policy_cache.h"
#include "kms_settings.h"


typedef struct CacheEntry
{
	uint32		hash;
	kp_dialect	dialect;
	kp_doc_kind kind;
	char	   *partition;
	char	   *account;
	char	   *doc;
	size_t		len;
	kp_policy  *policy;
	/* its compiled form (kp_compiled.h), made at the first need; malloc'd */
	unsigned char *form;
	size_t		form_len;
	uint64		last_used;
} CacheEntry;

/* kms_policy.compiled_policy_cache_size entries, allocated at first use */
static CacheEntry *cache = NULL;
static int	cache_slots = 0;
static MemoryContext cache_cxt = NULL;
static uint64 cache_clock = 0;

static uint32
entry_hash(const char *doc, size_t len, kp_dialect dialect, kp_doc_kind kind,
		   const char *partition, const char *account)
{
	uint32		h = hash_bytes((const unsigned char *) doc, (int) len);

	h = hash_combine(h, (uint32) dialect * 2 + (uint32) kind);
	h = hash_combine(h, hash_bytes((const unsigned char *) partition, strlen(partition)));
	h = hash_combine(h, hash_bytes((const unsigned char *) account, strlen(account)));
	return h;
}

static void
entry_clear(CacheEntry *e)
{
	if (e->policy)
		kp_policy_free(e->policy);
	if (e->form)
		free(e->form);
	if (e->doc)
		pfree(e->doc);
	if (e->partition)
		pfree(e->partition);
	if (e->account)
		pfree(e->account);
	memset(e, 0, sizeof(*e));
}

const kp_policy *
kms_compile_policy(const char *doc, size_t len, kp_dialect dialect,
				   kp_doc_kind kind, const char *partition, const char *account)
{
	uint32		h = entry_hash(doc, len, dialect, kind, partition, account);
	CacheEntry *victim;
	kp_parse_opts opts;
	kp_policy  *policy = NULL;
	kp_error	err;

	if (cache_cxt == NULL)
		cache_cxt = AllocSetContextCreate(TopMemoryContext, "kms_policy compiled policies",
										  ALLOCSET_DEFAULT_SIZES);
	if (cache_slots != kms_compiled_policy_cache_size)
	{
		/* the setting changed (or first use): start over at the new size */
		for (int i = 0; i < cache_slots; i++)
			entry_clear(&cache[i]);
		if (cache != NULL)
			pfree(cache);
		cache = MemoryContextAllocZero(cache_cxt, sizeof(CacheEntry) * kms_compiled_policy_cache_size);
		cache_slots = kms_compiled_policy_cache_size;
	}
	victim = &cache[0];
	for (int i = 0; i < cache_slots; i++)
	{
		CacheEntry *e = &cache[i];

		if (e->policy && e->hash == h && e->len == len && e->dialect == dialect &&
			e->kind == kind && strcmp(e->partition, partition) == 0 &&
			strcmp(e->account, account) == 0 && memcmp(e->doc, doc, len) == 0)
		{
			e->last_used = ++cache_clock;
			return e->policy;
		}
		if (e->last_used < victim->last_used)
			victim = e;
	}

	memset(&opts, 0, sizeof(opts));
	opts.dialect = dialect;
	opts.kind = kind;
	opts.partition = partition;
	opts.account = account;
	opts.max_depth = KP_DEFAULT_MAX_DEPTH;
	/*
	 * The core frees everything it allocated before returning an error.  When
	 * it stopped for a pending interrupt, CHECK_FOR_INTERRUPTS raises the
	 * cancel or timeout error; if the interrupt was a benign one, compile
	 * again.
	 */
	while (kp_policy_parse(doc, len, &opts, &policy, &err) != KP_OK)
	{
		if (err.status != KP_ERR_INTERRUPTED)
			kms_raise_core(&err, dialect);
		CHECK_FOR_INTERRUPTS();
	}

	entry_clear(victim);
	/* Nothing may throw while policy is held only by this frame. */
	victim->doc = MemoryContextAllocExtended(cache_cxt, len + 1, MCXT_ALLOC_NO_OOM);
	victim->partition = MemoryContextAllocExtended(cache_cxt, strlen(partition) + 1, MCXT_ALLOC_NO_OOM);
	victim->account = MemoryContextAllocExtended(cache_cxt, strlen(account) + 1, MCXT_ALLOC_NO_OOM);
	if (victim->doc == NULL || victim->partition == NULL || victim->account == NULL)
	{
		kp_policy_free(policy);
		entry_clear(victim);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	strcpy(victim->partition, partition);
	strcpy(victim->account, account);
	victim->policy = policy;
	victim->hash = h;
	victim->dialect = dialect;
	victim->kind = kind;
	victim->len = len;
	victim->last_used = ++cache_clock;
	memcpy(victim->doc, doc, len);
	victim->doc[len] = '\0';
	return victim->policy;
}

/*
 * The compiled form of policy in memory the caller owns (palloc'd in the
 * current context): the core's serialisation of the tree.
 */
kp_compiled
kms_policy_to_form(const kp_policy *policy)
{
	unsigned char *bytes = NULL;
	size_t		len = 0;
	kp_error	err;
	kp_compiled out;
	unsigned char *copy;

	if (kp_policy_compile(policy, &bytes, &len, &err) != KP_OK)
		kms_raise_core(&err, policy->dialect);
	copy = MemoryContextAllocExtended(CurrentMemoryContext, len, MCXT_ALLOC_NO_OOM);
	if (copy == NULL)
	{
		free(bytes);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	memcpy(copy, bytes, len);
	free(bytes);
	out.data = copy;
	out.len = len;
	return out;
}

/*
 * The compiled form of a policy kms_compile_policy has just returned, made
 * once per cache entry: valid as long as the entry (until the next call of
 * kms_compile_policy).
 */
kp_compiled
kms_compiled_policy_form(const kp_policy *policy)
{
	kp_compiled out;

	for (int i = 0; i < cache_slots; i++)
	{
		CacheEntry *e = &cache[i];
		kp_error	err;

		if (e->policy != policy)
			continue;
		if (e->form == NULL &&
			kp_policy_compile(policy, &e->form, &e->form_len, &err) != KP_OK)
			kms_raise_core(&err, policy->dialect);
		out.data = e->form;
		out.len = e->form_len;
		return out;
	}
	elog(ERROR, "compiled policy not in the cache");	/* internal error */
	pg_unreachable();
}

/*
 * Notes of a stored document as WARNINGs (errcode 01000).  The notes live on
 * the compiled policy, so a cached policy warns exactly like a fresh one.
 * An upsert (INSERT ... ON CONFLICT DO UPDATE, as the API's writes are) fires
 * the BEFORE INSERT and the BEFORE UPDATE trigger for one store, and the
 * triggers' own row locks advance the command counter in between: the same
 * compiled policy warns once per top-level statement (a statement storing one
 * document on several rows warns once).
 */
void
kms_warn_policy_notes(const kp_policy *policy)
{
	static const kp_policy *warned_policy = NULL;
	static LocalTransactionId warned_lxid = InvalidLocalTransactionId;
	static TimestampTz warned_stmt = 0;
	TimestampTz stmt = GetCurrentStatementStartTimestamp();

	if (policy == NULL || policy->n_notes == 0)
		return;
	if (policy == warned_policy && MyProc->lxid == warned_lxid &&
		stmt == warned_stmt)
		return;
	warned_policy = policy;
	warned_lxid = MyProc->lxid;
	warned_stmt = stmt;
	for (size_t i = 0; i < policy->n_notes; i++)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("policy action \"%s\" names no KMS action",
						policy->notes[i].value),
				 errdetail("%s", policy->notes[i].detail),
				 errhint("Name a KMS action such as \"kms:Decrypt\", a pattern such as \"kms:Get*\", or remove the value.")));
}

void
kms_warn_identity_policy_notes(const char *principal, const char *name,
							   const char *doc)
{
	kp_arn		a;

	/* The same compile as the identity policy check: a cache hit. */
	if (principal == NULL || name == NULL || doc == NULL ||
		!kp_arn_split(principal, &a))
		return;
	kms_warn_policy_notes(kms_compile_policy(doc, strlen(doc),
											 strcmp(a.prefix, "acs") == 0 ?
											 KP_DIALECT_ALIBABA : KP_DIALECT_AWS,
											 KP_DOC_IDENTITY_POLICY,
											 a.partition, a.account));
}
