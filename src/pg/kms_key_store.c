/*
 * kms_key_store.c -- the key store: reading keys (as committed now, or
 * locked for a write), resolving a KeyId argument as AWS and Alibaba do,
 * default key policies, storing a key policy, new key identifiers.
 *
 * Decisions rest on the latest committed state: the key and its policy are
 * read with a snapshot taken at the time (kms_spi_exec_latest), and a call
 * that writes locks the key row before it reads the policy it evaluates
 * (kms_read_key), so that nothing it decided on can change before it commits.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "kms_args.h"
#include "kms_errors.h"
#include "kms_key_store.h"
#include "kms_settings.h"
#include "kms_spi.h"

#define KEY_COLUMNS \
	"key_id, arn, key_state, description, creation_date, deletion_date, " \
	"multi_region, dialect, account_id, region, partition"

/* ------------------------------------------------------------------------
 * Read calls: the key and its policy found in C, with no SQL statement
 *
 * A read call's key and policy are two primary-key look-ups, done the way
 * PostgreSQL's catalog caches and Citus's metadata cache read their tables:
 * table_open, an index scan of the primary key with a snapshot taken now
 * (GetLatestSnapshot, as ri_triggers.c reads referenced rows), the columns
 * taken from the tuple.  No plan, no executor, no SPI statement.  The
 * relation OIDs and column numbers are looked up once and forgotten on any
 * relcache invalidation (DROP EXTENSION, ALTER TABLE).
 * ------------------------------------------------------------------------ */

typedef struct KeyRelInfo
{
	bool		valid;
	Oid			keys;
	Oid			policies;
	/* kms_policy.keys */
	AttrNumber	k_key_id, k_arn, k_key_state, k_partition, k_region,
				k_account_id, k_dialect;
	/* kms_policy.key_policies */
	AttrNumber	p_key_id, p_policy_name, p_policy, p_compiled;
} KeyRelInfo;

static KeyRelInfo relinfo;

static void
relinfo_invalidate(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == relinfo.keys || relid == relinfo.policies)
		relinfo.valid = false;
}

static AttrNumber
column_number(Oid relid, const char *name)
{
	AttrNumber	att = get_attnum(relid, name);

	if (att == InvalidAttrNumber)
		elog(ERROR, "column %s of relation %u does not exist", name, relid);	/* internal error */
	return att;
}

static const KeyRelInfo *
key_relations(void)
{
	static bool callback_registered = false;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(relinfo_invalidate, (Datum) 0);
		callback_registered = true;
	}
	if (!relinfo.valid)
	{
		Oid			nsp = get_namespace_oid("kms_policy", false);
		KeyRelInfo	r;

		memset(&r, 0, sizeof(r));
		r.keys = get_relname_relid("keys", nsp);
		r.policies = get_relname_relid("key_policies", nsp);
		if (!OidIsValid(r.keys) || !OidIsValid(r.policies))
			elog(ERROR, "kms_policy.keys or kms_policy.key_policies does not exist");	/* internal error */
		r.k_key_id = column_number(r.keys, "key_id");
		r.k_arn = column_number(r.keys, "arn");
		r.k_key_state = column_number(r.keys, "key_state");
		r.k_partition = column_number(r.keys, "partition");
		r.k_region = column_number(r.keys, "region");
		r.k_account_id = column_number(r.keys, "account_id");
		r.k_dialect = column_number(r.keys, "dialect");
		r.p_key_id = column_number(r.policies, "key_id");
		r.p_policy_name = column_number(r.policies, "policy_name");
		r.p_policy = column_number(r.policies, "policy");
		r.p_compiled = column_number(r.policies, "compiled");
		r.valid = true;
		relinfo = r;
	}
	return &relinfo;
}

/* A text column of a tuple as a C string in mcxt (NULL for SQL NULL). */
static char *
slot_text(TupleTableSlot *slot, AttrNumber att, MemoryContext mcxt)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, att, &isnull);
	MemoryContext old;
	char	   *s;

	if (isnull)
		return NULL;
	old = MemoryContextSwitchTo(mcxt);
	s = TextDatumGetCString(d);
	MemoryContextSwitchTo(old);
	return s;
}

/*
 * Find the one row of relid whose primary key equals values (text columns, in
 * the key's order) as seen by snapshot; call found(slot, arg) on it while the
 * scan holds it.  Returns whether a row was found.
 */
static bool
primary_key_lookup(Oid relid, int nkeys, const char *const *values, Snapshot snapshot,
				   void (*found) (TupleTableSlot *slot, void *arg), void *arg)
{
	Relation	rel = table_open(relid, AccessShareLock);
	Oid			indexoid = RelationGetPrimaryKeyIndex(rel);
	Relation	idx;
	ScanKeyData sk[2];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	bool		result = false;

	Assert(nkeys <= 2);
	if (!OidIsValid(indexoid))
		elog(ERROR, "relation \"%s\" has no primary key", RelationGetRelationName(rel));	/* internal error */
	idx = index_open(indexoid, AccessShareLock);
	for (int i = 0; i < nkeys; i++)
		ScanKeyEntryInitialize(&sk[i], 0, (AttrNumber) (i + 1), BTEqualStrategyNumber,
							   InvalidOid, idx->rd_indcollation[i], F_TEXTEQ,
							   CStringGetTextDatum(values[i]));
	slot = table_slot_create(rel, NULL);
	scan = index_beginscan(rel, idx, snapshot, nkeys, 0);
	index_rescan(scan, sk, nkeys, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		found(slot, arg);
		result = true;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
	return result;
}

typedef struct FoundKey
{
	const KeyRelInfo *ri;
	MemoryContext mcxt;
	KmsKey	   *key;
} FoundKey;

static void
found_key(TupleTableSlot *slot, void *arg)
{
	FoundKey   *f = arg;
	const KeyRelInfo *ri = f->ri;
	KmsKey	   *key = MemoryContextAllocZero(f->mcxt, sizeof(KmsKey));
	char	   *dialect;

	key->key_id = slot_text(slot, ri->k_key_id, f->mcxt);
	key->arn = slot_text(slot, ri->k_arn, f->mcxt);
	key->key_state = slot_text(slot, ri->k_key_state, f->mcxt);
	key->partition = slot_text(slot, ri->k_partition, f->mcxt);
	key->region = slot_text(slot, ri->k_region, f->mcxt);
	key->account_id = slot_text(slot, ri->k_account_id, f->mcxt);
	dialect = slot_text(slot, ri->k_dialect, CurrentMemoryContext);
	key->dialect = strcmp(dialect, "alibaba") == 0 ? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;
	f->key = key;
}

static void
found_nothing(TupleTableSlot *slot, void *arg)
{
}

static void
found_policy(TupleTableSlot *slot, void *arg)
{
	FoundKey   *f = arg;
	KmsKey	   *key = f->key;
	bool		isnull;
	Datum		d;

	key->policy = slot_text(slot, f->ri->p_policy, f->mcxt);
	d = slot_getattr(slot, f->ri->p_compiled, &isnull);
	if (!isnull)
	{
		bytea	   *b = DatumGetByteaPP(d);
		size_t		len = VARSIZE_ANY_EXHDR(b);

		key->compiled = MemoryContextAlloc(f->mcxt, len > 0 ? len : 1);
		memcpy(key->compiled, VARDATA_ANY(b), len);
		key->compiled_len = len;
	}
}

/*
 * The key with this id and its default policy, as committed now (read
 * calls); NULL when there is no such key.  Both rows are read with one
 * snapshot, so a key and a policy of different moments are never combined.
 * The statement's own earlier writes are seen, as a read-write SPI statement
 * sees them (the command counter is advanced first).
 */
static KmsKey *
read_key_latest(MemoryContext mcxt, const char *key_id, KmsKey *known)
{
	const KeyRelInfo *ri = key_relations();
	const char *pk[2] = {key_id, "default"};
	FoundKey	f;
	Snapshot	snapshot;

	f.ri = ri;
	f.mcxt = mcxt;
	f.key = NULL;
	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	PG_TRY();
	{
		if (primary_key_lookup(ri->keys, 1, pk, snapshot, known ? found_nothing : found_key, &f))
		{
			if (known)
				f.key = known;
			f.key->policy = NULL;
			f.key->compiled = NULL;
			f.key->compiled_len = 0;
			(void) primary_key_lookup(ri->policies, 2, pk, snapshot, found_policy, &f);
			f.key->policy_read = true;
		}
	}
	PG_FINALLY();
	{
		UnregisterSnapshot(snapshot);
	}
	PG_END_TRY();
	return f.key;
}

/*
 * The policy of a key already read (and locked, for a call that writes), as
 * committed now: its document and compiled form into key.  False when the
 * key no longer exists (its policy is not read then).
 */
bool
kms_key_read_policy(KmsKey *key)
{
	return read_key_latest(CurrentMemoryContext, key->key_id, key) != NULL;
}

/*
 * Read the key row with this id (inside kms_spi_begin/end); NULL when there
 * is none.
 *
 * KEY_READ_TXN reads with SPI's default snapshot (the triggers' look-up).
 * KEY_READ_LATEST reads the latest committed row (every read call).
 * KEY_READ_TXN_LOCK reads as KEY_READ_TXN and locks the row FOR NO KEY
 * UPDATE (the key_policies trigger: a direct write and an API call on one
 * key serialize).
 * KEY_READ_LOCK, for every call that writes, locks the latest row FOR NO KEY
 * UPDATE: the key's policy cannot change (every writer of a key policy locks
 * the key row the same way) and no other state change or put can start
 * until this transaction ends.  The lock waits for a transaction that holds
 * it; when that one deleted the key, the row is gone and the key is not
 * found.  In REPEATABLE READ and SERIALIZABLE the row must moreover be the
 * one the transaction's snapshot sees: a key updated, deleted or created by
 * a transaction that committed after the snapshot is a serialization failure
 * (40001), as PostgreSQL's own UPDATE of that row would be.
 */
typedef enum KeyRead
{
	KEY_READ_TXN,
	KEY_READ_LATEST,
	KEY_READ_TXN_LOCK,
	KEY_READ_LOCK
} KeyRead;

static KmsKey *
read_key(MemoryContext mcxt, const char *key_id, KeyRead how)
{
	const char *args[1] = {key_id};
	KmsKey	   *key;
	char	   *dialect;

	switch (how)
	{
		case KEY_READ_TXN:
			kms_spi_exec("SELECT " KEY_COLUMNS " FROM kms_policy.keys WHERE key_id = $1",
						 1, args, false);
			break;
		case KEY_READ_LATEST:
			/* with its policy, and no SQL statement */
			return read_key_latest(mcxt, key_id, NULL);
		case KEY_READ_TXN_LOCK:
			kms_spi_exec("SELECT " KEY_COLUMNS " FROM kms_policy.keys WHERE key_id = $1 "
						 "FOR NO KEY UPDATE",
						 1, args, false);
			break;
		case KEY_READ_LOCK:
			kms_spi_exec_latest("SELECT " KEY_COLUMNS " FROM kms_policy.keys WHERE key_id = $1 "
								"FOR NO KEY UPDATE",
								1, args);
			break;
	}
	if (SPI_processed == 0)
		return NULL;
	if (SPI_processed != 1)
		elog(ERROR, UINT64_FORMAT " keys with id %s", SPI_processed, key_id);	/* internal error */
	key = MemoryContextAllocZero(mcxt, sizeof(KmsKey));
	key->key_id = kms_spi_col(mcxt, 0, "key_id");
	key->arn = kms_spi_col(mcxt, 0, "arn");
	key->key_state = kms_spi_col(mcxt, 0, "key_state");
	key->partition = kms_spi_col(mcxt, 0, "partition");
	key->region = kms_spi_col(mcxt, 0, "region");
	key->account_id = kms_spi_col(mcxt, 0, "account_id");
	dialect = kms_spi_col(mcxt, 0, "dialect");
	key->dialect = strcmp(dialect, "alibaba") == 0 ? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;
	key->locked = how == KEY_READ_LOCK || how == KEY_READ_TXN_LOCK;

	if (how == KEY_READ_LOCK && IsolationUsesXactSnapshot())
	{
		/*
		 * Lock the version the transaction's snapshot sees as well: we hold
		 * the lock on the latest one already, so this succeeds at once if
		 * they are the same, and fails with 40001 if the row was updated
		 * since the snapshot.
		 */
		kms_spi_exec("SELECT 1 FROM kms_policy.keys WHERE key_id = $1 FOR NO KEY UPDATE",
					 1, args, false);
		if (SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update"),
					 errdetail("Key %s was created after the snapshot of this transaction was taken.",
							   key->arn),
					 errhint("Retry the transaction.")));
	}
	return key;
}

/* read_key in an SPI connection of its own, for the triggers. */
static KmsKey *
read_key_for_trigger(const char *key_id, KeyRead how)
{
	MemoryContext mcxt = CurrentMemoryContext;
	KmsSpiState st;
	KmsKey	   *key;

	kms_spi_begin(&st);
	key = read_key(mcxt, key_id, how);
	kms_spi_end(&st);
	return key;
}

KmsKey *
kms_lookup_key_by_id(const char *key_id)
{
	return read_key_for_trigger(key_id, KEY_READ_TXN);
}

/*
 * The key a key_policies row belongs to, its row locked FOR NO KEY UPDATE --
 * the lock the API takes on the key before it reads and writes the key's
 * policy -- so that a direct write and an API call on one key serialize.
 * NULL when no such key is visible, also when this very statement deleted it
 * (the cascade from a key's deletion).
 */
KmsKey *
kms_lock_key(const char *key_id)
{
	return read_key_for_trigger(key_id, KEY_READ_TXN_LOCK);
}

void
kms_raise_key_not_found(const char *arn, kp_dialect dialect)
{
	if (dialect == KP_DIALECT_ALIBABA)
		kms_raise(ALI_KEY_NOT_FOUND, "The specified Key is not found.",
				  psprintf("No key %s exists in this endpoint's account and region.", arn),
				  NULL);
	kms_raise(KMS_NOT_FOUND, psprintf("Key '%s' does not exist", arn), NULL, NULL);
}

static KmsKey *
resolve_aws_key(MemoryContext mcxt, const char *input, KeyRead how)
{
	const char *key_id;
	const char *arn;
	const char *partition = kms_endpoint_partition();
	KmsKey	   *key;

	if (strncmp(input, "arn:", 4) == 0)
	{
		kp_arn		a;
		const char *form = "A key ARN has the form arn:<partition>:kms:<region>:<account-id>:key/<key-id>.";

		if (!kp_arn_split(input, &a) || strcmp(a.prefix, "arn") != 0)
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("The ARN does not have six colon-separated parts. %s", form), NULL);
		if (!kp_is_partition(a.partition))
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("\"%s\" is not an AWS partition. %s", a.partition, form), NULL);
		if (strcmp(a.service, "kms") != 0)
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("The service is \"%s\", not \"kms\". %s", a.service, form), NULL);
		if (strncmp(a.resource, "alias/", 6) == 0)
			kms_raise(KMS_INVALID_ARN, "Key Aliases are not supported for this operation",
					  psprintf("This operation accepts a key ID or key ARN, not the alias ARN '%s'.", input),
					  NULL);
		if (strncmp(a.resource, "key/", 4) != 0)
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("The resource \"%s\" is not key/<key-id>. %s", a.resource, form), NULL);
		if (!kp_is_aws_account_id(a.account))
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("The account \"%s\" is not a 12-digit account ID. %s", a.account, form), NULL);
		if (kp_partition_for_region(a.region) == NULL ||
			strcmp(kp_partition_for_region(a.region), a.partition) != 0)
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("\"%s\" is not a region of partition \"%s\". %s", a.region, a.partition, form),
					  NULL);
		if (strcmp(a.region, kms_region) != 0)
			kms_raise(KMS_NOT_FOUND, psprintf("Invalid arn %s", a.region),
					  psprintf("This endpoint serves region %s (kms_policy.region).", kms_region),
					  NULL);
		key_id = a.resource + 4;
		if (!kp_is_aws_key_id(key_id) && !kp_is_aws_mrk_id(key_id))
			kms_raise(KMS_NOT_FOUND, psprintf("Invalid keyId '%s'", key_id),
					  "A key ID is a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab, or mrk- followed by 32 hexadecimal digits.",
					  NULL);
		key_id = pstrdup(key_id);
		arn = input;
		if (strcmp(a.account, kms_account_id) != 0 || strcmp(a.partition, partition) != 0)
			kms_raise_key_not_found(arn, KP_DIALECT_AWS);
	}
	else
	{
		if (strncmp(input, "alias/", 6) == 0)
			kms_raise(KMS_NOT_FOUND, psprintf("Invalid keyId '%s'", input),
					  "Key policy operations accept a key ID or key ARN; alias names are not accepted.",
					  "Use kms_describe_key or kms_list_keys to find the key ID.");
		if (!kp_is_aws_key_id(input) && !kp_is_aws_mrk_id(input))
			kms_raise(KMS_NOT_FOUND, psprintf("Invalid keyId '%s'", input),
					  "A key ID is a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab, or mrk- followed by 32 hexadecimal digits.",
					  NULL);
		key_id = input;
		arn = psprintf("arn:%s:kms:%s:%s:key/%s", partition, kms_region, kms_account_id, input);
	}

	key = read_key(mcxt, key_id, how);
	if (key == NULL || key->dialect != KP_DIALECT_AWS ||
		strcmp(key->account_id, kms_account_id) != 0 ||
		strcmp(key->region, kms_region) != 0 ||
		strcmp(key->partition, partition) != 0)
		kms_raise_key_not_found(arn, KP_DIALECT_AWS);
	return key;
}

static KmsKey *
resolve_alibaba_key(MemoryContext mcxt, const char *input, KeyRead how)
{
	const char *key_id;
	const char *arn;
	KmsKey	   *key;

	if (strncmp(input, "acs:", 4) == 0)
	{
		kp_arn		a;

		if (!kp_arn_split(input, &a) || strcmp(a.prefix, "acs") != 0 ||
			strcmp(a.service, "kms") != 0)
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("'%s' is not a key ARN of the form acs:kms:<region>:<account>:key/<key-id>.", input),
					  NULL);
		if (strncmp(a.resource, "alias/", 6) == 0)
			kms_raise(ALI_UNSUPPORTED_ALIAS, "Alias is not valid for this api.",
					  psprintf("This operation accepts a key ID or key ARN, not the alias ARN '%s'.", input),
					  NULL);
		if (strncmp(a.resource, "key/", 4) != 0 || !kp_is_alibaba_key_id(a.resource + 4))
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("'%s' is not a key ARN of the form acs:kms:<region>:<account>:key/<key-id>.", input),
					  NULL);
		key_id = pstrdup(a.resource + 4);
		arn = input;
		if (strcmp(a.region, kms_alibaba_region) != 0 ||
			strcmp(a.account, kms_alibaba_account_id) != 0)
			kms_raise_key_not_found(arn, KP_DIALECT_ALIBABA);
	}
	else
	{
		if (!kp_is_alibaba_key_id(input))
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("'%s' is not an Alibaba Cloud key ID (key- followed by 8 to 64 lowercase letters and digits).", input),
					  NULL);
		key_id = input;
		arn = psprintf("acs:kms:%s:%s:key/%s", kms_alibaba_region, kms_alibaba_account_id, input);
	}

	key = read_key(mcxt, key_id, how);
	if (key == NULL || key->dialect != KP_DIALECT_ALIBABA ||
		strcmp(key->account_id, kms_alibaba_account_id) != 0 ||
		strcmp(key->region, kms_alibaba_region) != 0)
		kms_raise_key_not_found(arn, KP_DIALECT_ALIBABA);
	return key;
}

static KmsKey *
resolve_key(const char *input, KeyRead how)
{
	MemoryContext mcxt = CurrentMemoryContext;

	if (kms_input_dialect(input) == KP_DIALECT_ALIBABA)
		return resolve_alibaba_key(mcxt, input, how);
	return resolve_aws_key(mcxt, input, how);
}

/*
 * KeyId resolution (kms-spec 2.3): a key ID or key ARN of this endpoint's
 * account and region, read as it is committed now (read calls).  Call inside
 * kms_spi_begin/end.
 */
KmsKey *
kms_resolve_key(const char *input)
{
	return resolve_key(input, KEY_READ_LATEST);
}

/*
 * The same for a call that writes: the key row is locked FOR NO KEY UPDATE
 * before anything about the key is decided (see read_key).
 */
KmsKey *
kms_resolve_key_for_update(const char *input)
{
	return resolve_key(input, KEY_READ_LOCK);
}

/* Byte for byte what AWS returns for a key created without a policy. */
static char *
aws_default_policy(const char *partition, const char *account)
{
	return psprintf("{\n"
					"  \"Version\" : \"2012-10-17\",\n"
					"  \"Id\" : \"key-default-1\",\n"
					"  \"Statement\" : [ {\n"
					"    \"Sid\" : \"Enable IAM User Permissions\",\n"
					"    \"Effect\" : \"Allow\",\n"
					"    \"Principal\" : {\n"
					"      \"AWS\" : \"arn:%s:iam::%s:root\"\n"
					"    },\n"
					"    \"Action\" : \"kms:*\",\n"
					"    \"Resource\" : \"*\"\n"
					"  } ]\n"
					"}", partition, account);
}

/* Alibaba's default key policy, in the layout of its GetKeyPolicy example. */
static char *
alibaba_default_policy(const char *account)
{
	return psprintf("{\"Statement\": [{\"Action\": [\"kms:*\"],\"Effect\": \"Allow\","
					"\"Principal\": {\"RAM\": [\"acs:ram::%s:*\"]},\"Resource\": [\"*\"],"
					"\"Sid\": \"kms default key policy\"}],\"Version\": \"1\" }",
					account);
}

/* The default key policy of a key of either dialect (UTF-8). */
char *
kms_default_policy(const KmsKey *key)
{
	if (key->dialect == KP_DIALECT_ALIBABA)
		return alibaba_default_policy(key->account_id);
	return aws_default_policy(key->partition, key->account_id);
}

/*
 * Store the key's policy.  The key row is locked by the caller; in
 * REPEATABLE READ and SERIALIZABLE, a policy row written by a transaction
 * that committed after the snapshot makes the upsert fail with 40001
 * (PostgreSQL's rule for INSERT ... ON CONFLICT DO UPDATE).
 */
/*
 * The key policy a call of this backend is storing at this moment, after the
 * API checked it (kms_store_key_policy); NULL at every other moment.  Only
 * this code sets it: no SQL, and so no direct write, can.
 */
static const KmsStoringPolicy *storing_policy = NULL;

void
kms_store_key_policy(const KmsKey *key, const char *policy_utf8, size_t len,
					 const kp_policy *checked, bool exists, const KmsStoringPolicy *who)
{
	KmsStoringPolicy storing = *who;
	const char *args[2];

	storing.key = key;
	storing.doc = policy_utf8;
	storing.len = len;
	storing.checked = checked;
	args[0] = key->key_id;
	args[1] = kms_utf8_to_server(policy_utf8, len);
	storing_policy = &storing;
	PG_TRY();
	{
		/*
		 * The key row is locked (a put) or was just inserted (a create), and
		 * every writer of a key's policy locks the key row first: whether
		 * the policy row exists cannot change meanwhile.
		 */
		if (exists)
			kms_spi_exec("UPDATE kms_policy.key_policies "
						 "SET policy = $2, updated_at = pg_catalog.statement_timestamp() "
						 "WHERE key_id = $1 AND policy_name = 'default'",
						 2, args, false);
		if (!exists || SPI_processed == 0)
			kms_spi_exec("INSERT INTO kms_policy.key_policies (key_id, policy_name, policy, updated_at) "
						 "VALUES ($1, 'default', $2, pg_catalog.statement_timestamp())",
						 2, args, false);
		if (SPI_processed != 1)
			elog(ERROR, "storing the policy of key %s wrote " UINT64_FORMAT " rows",
				 key->key_id, SPI_processed);	/* internal error */
	}
	PG_FINALLY();
	{
		storing_policy = NULL;
	}
	PG_END_TRY();
}

const KmsStoringPolicy *
kms_key_policy_being_stored(const char *key_id, const char *doc, size_t len)
{
	const KmsStoringPolicy *s = storing_policy;

	if (s == NULL || key_id == NULL || doc == NULL || s->len != len ||
		strcmp(s->key->key_id, key_id) != 0 || memcmp(s->doc, doc, len) != 0)
		return NULL;
	return s;
}

/* A UUID and the 32 hexadecimal digits after mrk-: 128 random bits. */
#define KMS_KEY_ID_RANDOM_BYTES 16
/* Alibaba key IDs: key- and this many characters of [a-z0-9]. */
#define KMS_ALIBABA_KEY_ID_CHARS 24

static char *
random_hex(int nbytes)
{
	uint8		buf[KMS_KEY_ID_RANDOM_BYTES];
	char	   *out = palloc(nbytes * 2 + 1);

	Assert(nbytes <= (int) sizeof(buf));
	if (!pg_strong_random(buf, nbytes))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random key ID")));
	for (int i = 0; i < nbytes; i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
	return out;
}

/* key- and KMS_ALIBABA_KEY_ID_CHARS random characters of [a-z0-9]. */
static char *
alibaba_key_id(void)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char	   *out = palloc(sizeof("key-") - 1 + KMS_ALIBABA_KEY_ID_CHARS + 1);
	char	   *p = out + sizeof("key-") - 1;

	memcpy(out, "key-", sizeof("key-") - 1);
	while (p < out + sizeof("key-") - 1 + KMS_ALIBABA_KEY_ID_CHARS)
	{
		uint8		b;

		if (!pg_strong_random(&b, 1))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random key ID")));
		/* no modulo bias: 252 is the largest multiple of 36 below 256 */
		if (b < 252)
			*p++ = alnum[b % (sizeof(alnum) - 1)];
	}
	*p = '\0';
	return out;
}

char *
kms_new_key_id(kp_dialect dialect, bool multi_region)
{
	char	   *h;

	if (dialect == KP_DIALECT_ALIBABA)
		return alibaba_key_id();
	h = random_hex(KMS_KEY_ID_RANDOM_BYTES);
	if (multi_region)
		return psprintf("mrk-%s", h);
	/* UUID version 4 */
	h[12] = '4';
	h[16] = "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];
	return psprintf("%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}
