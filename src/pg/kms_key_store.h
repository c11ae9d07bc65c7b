/*
 * kms_key_store.h -- the key store: keys as committed now or locked for a
 * write, KeyId resolution, default key policies, key-policy writes.
 */
#ifndef KMS_KEY_STORE_H
#define KMS_KEY_STORE_H

#include "postgres.h"

#include "kp.h"

typedef struct KmsKey
{
	char	   *key_id;
	char	   *arn;
	kp_dialect	dialect;
	char	   *partition;		/* "aws", ...; "" for Alibaba */
	char	   *region;
	char	   *account_id;
	char	   *key_state;
	bool		locked;			/* read FOR NO KEY UPDATE for a write */
	/*
	 * A read call reads the key and its default policy together (with one
	 * snapshot, no SQL statement; kms_key_read_policy for a key already
	 * read): then policy_read is true, policy the stored document (server
	 * encoding; NULL when the key has none) and compiled the stored compiled
	 * form (NULL when none), bytes the reader checks (kp_compiled_check).
	 */
	bool		policy_read;
	char	   *policy;
	unsigned char *compiled;
	size_t		compiled_len;
} KmsKey;

extern KmsKey *kms_lookup_key_by_id(const char *key_id);

/*
 * The key a key_policies row belongs to, its row locked FOR NO KEY UPDATE --
 * the lock the API takes on the key before it reads and writes the key's
 * policy -- so that a direct write and an API call on one key serialize.
 * NULL when no such key is visible, also when this very statement deleted it
 * (the cascade from a key's deletion).
 */
extern KmsKey *kms_lock_key(const char *key_id);

extern void kms_raise_key_not_found(const char *arn, kp_dialect dialect);

/*
 * Read the default policy of a key already resolved (its row locked, for a
 * call that writes) as committed now into key (policy_read, policy,
 * compiled); false when the key no longer exists.
 */
extern bool kms_key_read_policy(KmsKey *key);

/*
 * KeyId resolution (kms-spec 2.3): a key ID or key ARN of this endpoint's
 * account and region, read as it is committed now (read calls).  Call inside
 * kms_spi_begin/end.
 */
extern KmsKey *kms_resolve_key(const char *input);

/*
 * The same for a call that writes: the key row is locked FOR NO KEY UPDATE
 * before anything about the key is decided (see read_key).
 */
extern KmsKey *kms_resolve_key_for_update(const char *input);

/* The default key policy of a key of either dialect (UTF-8). */
extern char *kms_default_policy(const KmsKey *key);

/*
 * A key policy being stored by the API, which checked it: the document
 * (UTF-8), the key (its row locked, or just inserted) and the compiled
 * policy whose principals it checked and locked.
 */
typedef struct KmsStoringPolicy
{
	const KmsKey *key;
	const char *doc;
	size_t		len;
	const kp_policy *checked;
	/* for the history: who, how */
	Oid			role;			/* the calling role */
	const char *principal;		/* its principal ARN (NULL: none) */
	const char *operation;		/* "create" or "put" */
	bool		bypass;			/* the lockout safety check was bypassed */
} KmsStoringPolicy;

/*
 * Store the key's policy (UTF-8) verbatim; checked is the compiled policy the
 * API checked (principals, lockout), exists whether the key has a policy row.
 * The table's triggers validate the row again, except what
 * kms_key_policy_being_stored tells them the API has just done.
 */
extern void kms_store_key_policy(const KmsKey *key, const char *policy_utf8,
								 size_t len, const kp_policy *checked, bool exists,
								 const KmsStoringPolicy *who);

/*
 * For the key_policies triggers: is the row (key_id, UTF-8 document) the one
 * the API of this backend is storing at this moment?  Then the API's record
 * of it, else NULL.
 */
extern const KmsStoringPolicy *kms_key_policy_being_stored(const char *key_id,
														   const char *doc, size_t len);

extern char *kms_new_key_id(kp_dialect dialect, bool multi_region);

#endif							/* KMS_KEY_STORE_H */
