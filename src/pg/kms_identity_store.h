/*
 * kms_identity_store.h -- the identity store: who is calling (role
 * mappings), which identity policies apply to a principal, and the checks of
 * mappings and identity policies.
 *
 * Both reads see the latest committed state.  A call that writes moreover
 * holds the identity lock (kms_policy.identity_changes) in shared mode from
 * before it reads until its transaction ends, and every identity change
 * holds it exclusively until it commits (except in read-only transactions,
 * hot standby included): a revocation either waits for the caller's
 * transaction or is seen by it, with no row locked or written for it.  A call
 * that only reads holds nothing: a revocation committed before it is seen,
 * one committed after it orders after it.
 */
#ifndef KMS_IDENTITY_STORE_H
#define KMS_IDENTITY_STORE_H

#include "postgres.h"

#include "kp.h"
#include "kp_compiled.h"
#include "kms_principal_store.h"

typedef struct KmsCaller
{
	char	   *arn;			/* principal ARN; NULL when the role is unmapped */
	char	   *account;
	const char *display;		/* how AccessDenied names the caller */
	bool		is_service;
	bool		locked;			/* a call that writes: the identity lock is held */
} KmsCaller;

/*
 * The session's caller: role (the caller as seen at entry) mapped to its
 * principal, read on the latest committed state; an unmapped superuser acts
 * as the endpoint's root of dialect.  for_write: the call writes, so the
 * identity lock is taken (shared, until the transaction ends) first.  Call
 * between kms_spi_begin/end.
 */
extern KmsCaller *kms_current_caller(Oid role, kp_dialect dialect, bool for_write);

/*
 * Called by every write of kms_policy.principals, role_principals and
 * identity_policies (their row triggers): takes the identity writers' lock
 * (ACCESS EXCLUSIVE on kms_policy.identity_changes) until the transaction
 * ends, and queues the invalidation that drops every backend's identity
 * cache when it commits.
 */
extern void kms_identity_changed(void);

/*
 * The identity policies that apply to the caller (its own, and for a role
 * session its role's), in their compiled forms (kp_compiled.h), valid until
 * the end of the current call.  Returns how many.
 */
extern int kms_identity_policies(const KmsCaller *caller, kp_dialect dialect,
					  const kp_compiled *const **out);

/*
 * A principal a role may act as: well formed, and known to the registry
 * (locked FOR KEY SHARE).  *registered says whether it is held by the
 * registry (false for the endpoint's own account root).
 */
extern KmsPrincipal *kms_check_mapped_principal(const char *value, bool *registered);

/* The name of the role with this OID; refuses an OID that names no role. */
extern char *kms_existing_role_name(Oid role);

/* IAM policy names: 1..128 characters of [\w+=,.@-]. */
extern void kms_check_identity_policy_name(const char *name);

/* The principal an identity policy attaches to: a user or role. */
extern KmsPrincipal *kms_check_identity_owner(const char *value);

extern void kms_raise_identity_owner_unknown(const char *arn);

/* The whole check of an identity policy row: the API and the trigger. */
extern void kms_check_identity_policy(const char *principal, const char *name,
					  const char *doc, size_t len);

#endif							/* KMS_IDENTITY_STORE_H */
