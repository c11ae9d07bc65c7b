/*
 * identity.h -- the identity store as authorization sees it: who is calling
 * (role mapping) and which identity policies apply to a principal.
 *
 * Both read the latest committed state: for the session's own caller the
 * mapping row and the principal rows whose identity policies apply are locked
 * FOR SHARE before they are read (except in read-only transactions, hot
 * standby included), so a revocation either waits for the caller's
 * transaction or is seen by it; in REPEATABLE READ or SERIALIZABLE a
 * revocation committed after the caller's snapshot is a serialization
 * failure (40001).
 */
#ifndef KMS_IDENTITY_H
#define KMS_IDENTITY_H

#include "kms_policy.h"

typedef struct KmsCaller
{
	char	   *arn;			/* principal ARN; NULL when the role is unmapped */
	char	   *account;
	const char *display;		/* how AccessDenied names the caller */
	bool		is_service;
	bool		mapped;
	bool		locked;			/* identity rows are locked while read */
} KmsCaller;

/*
 * The session's caller: role (the caller as seen at entry) mapped to its
 * principal; an unmapped superuser acts as the endpoint's root of dialect.
 * Call between kms_spi_begin/end.
 */
extern KmsCaller *kms_current_caller(Oid role, kp_dialect dialect);

/*
 * The identity policies of caller that apply in dialect (its own, and for a
 * role session those of its role), every one of them, compiled in the
 * principal's own dialect into memory that lives as long as the current
 * memory context (no cache entry can be evicted under the caller).  A
 * principal of another dialect than dialect has no identity permission there:
 * the result is then empty.  *out is a palloc'd array (NULL when empty).
 * Call between kms_spi_begin/end.
 */
extern int	kms_identity_policies(const KmsCaller *caller, kp_dialect dialect,
								  const kp_policy ***out);

#endif							/* KMS_IDENTITY_H */
