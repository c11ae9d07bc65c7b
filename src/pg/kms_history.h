/*
 * kms_history.h -- the history of key policies: one row per change, in
 * commit order per key, append-only.
 */
#ifndef KMS_HISTORY_H
#define KMS_HISTORY_H

#include "postgres.h"

/*
 * The current version of the key's policy (0 when it has no history), on
 * the latest committed state plus this transaction's writes.  Meaningful
 * while the caller holds the key row's lock (every writer of a key's policy
 * takes it first).  Call between kms_spi_begin/end.
 */
extern int64 kms_key_policy_version(const char *key_id, const char *policy_name);

/*
 * Append the next version of the key's policy (UTF-8 document) to
 * kms_policy.key_policy_history; role and principal made the change by
 * operation.  The key row is locked by the caller.
 */
extern void kms_append_history(const char *key_id, const char *policy_name,
							   const char *doc, size_t len, Oid role,
							   const char *principal, const char *operation,
							   bool bypass);

/* Is this backend appending a history row right now (the table's guard)? */
extern bool kms_history_appending(void);

#endif							/* KMS_HISTORY_H */
