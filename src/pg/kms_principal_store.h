/*
 * kms_principal_store.h -- the principal registry and the references to
 * registered principals.
 */
#ifndef KMS_PRINCIPAL_STORE_H
#define KMS_PRINCIPAL_STORE_H

#include "postgres.h"

#include "nodes/pg_list.h"

#include "kp.h"
#include "kms_key_store.h"

/* A principal as registered: normalised ARN, dialect, kind, account. */
typedef struct KmsPrincipal
{
	char	   *arn;
	kp_dialect	dialect;
	const char *kind;			/* account, user, role, assumed-role,
								 * federated-user */
	char	   *account;
} KmsPrincipal;

/* What a principal named by a policy needs to be known. */
typedef enum PrincipalRef
{
	PRINCIPAL_IMPLICIT,			/* always known (the key's own account) */
	PRINCIPAL_FOREIGN,			/* never known (another partition) */
	PRINCIPAL_REGISTERED		/* known while *lookup is registered */
} PrincipalRef;

/*
 * Check one principal the way a key policy names it (the core's rule), and
 * normalise it (an account ID becomes its root ARN).  Only accounts, users,
 * roles and sessions are principals a role can act as or a registry holds.
 */
extern KmsPrincipal *kms_parse_principal(const char *value, const char *member);

extern PrincipalRef kms_principal_ref(const char *arn, kp_principal_kind kind, const KmsKey *key,
			  const char **lookup);

/*
 * Is this registered principal there (inside SPI)?  Its row is locked FOR
 * KEY SHARE, as a foreign key check locks the row it finds: a concurrent
 * deregistration waits for this transaction (and then finds the reference),
 * or, if it came first, this sees the row gone (READ COMMITTED) or fails
 * with a serialization failure (REPEATABLE READ, SERIALIZABLE).
 */
extern bool kms_principal_registered_locked(const char *arn);

/* Is this normalised principal known (inside SPI)?  Locks what it finds. */
extern bool kms_principal_known(const char *arn, kp_principal_kind kind, const KmsKey *key);

extern void kms_check_policy_principals(const kp_policy *policy, const KmsKey *key);

/*
 * What still references principal arn (inside SPI): the key policies, role
 * mappings and identity policies, the first few named; NULL when nothing.
 * The foreign keys refuse the delete anyway; this names what to change.
 */
extern char *kms_principal_references(const char *arn);

/* A text[] literal of a List of C strings (for a text parameter). */
extern char *kms_text_array_literal(List *strings);

/*
 * Which of the registered principals arns (C strings) are there, each found
 * locked FOR KEY SHARE, in one statement (inside SPI).
 */
extern List *kms_principals_registered_locked(List *arns);

#endif							/* KMS_PRINCIPAL_STORE_H */
