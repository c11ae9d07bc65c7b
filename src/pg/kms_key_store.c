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

#include "access/xact.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port.h"
#include "utils/builtins.h"

#include "kms_args.h"
#include "kms_errors.h"
#include "kms_key_store.h"
#include "kms_settings.h"
#include "kms_spi.h"

#define KEY_COLUMNS \
	"key_id, arn, key_state, description, creation_date, deletion_date, " \
	"multi_region, dialect, account_id, region, partition"

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
			/* with its policy: a read call's one statement */
			kms_spi_exec_latest("SELECT " KEY_COLUMNS ", "
								"(SELECT p.policy FROM kms_policy.key_policies p "
								"WHERE p.key_id = k.key_id AND p.policy_name = 'default') AS policy "
								"FROM kms_policy.keys k WHERE key_id = $1",
								1, args);
			break;
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
	if (how == KEY_READ_LATEST)
	{
		key->policy_read = true;
		key->policy = kms_spi_col(mcxt, 0, "policy");
	}

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
