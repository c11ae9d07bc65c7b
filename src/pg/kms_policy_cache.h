/*
 * kms_policy_cache.h -- compiled policies through a per-backend cache keyed
 * by the exact text, and the WARNINGs a stored document's notes give.
 */
#ifndef KMS_POLICY_CACHE_H
#define KMS_POLICY_CACHE_H

#include "postgres.h"

#include "kp.h"
#include "kp_compiled.h"

/*
 * Compile a policy document for a key: every rule of the grammar, through a
 * per-backend cache keyed by the exact text.  Raises the documented KMS error
 * on a bad document; the result belongs to the cache (valid until the next
 * call of kms_compile_policy).
 */
extern const kp_policy *kms_compile_policy(const char *doc, size_t len,
										   kp_dialect dialect, kp_doc_kind kind,
										   const char *partition,
										   const char *account);

/*
 * The compiled form (the binary, position-independent form the key_policies
 * trigger stores and the evaluator reads in place) of a policy that
 * kms_compile_policy has just returned: made once per cache entry, valid as
 * long as the policy.
 */
extern kp_compiled kms_compiled_policy_form(const kp_policy *policy);

/* The compiled form of any policy tree, palloc'd in the current context. */
extern kp_compiled kms_policy_to_form(const kp_policy *policy);

/*
 * The notes of a compiled policy (kp.h: e.g. an action that names no KMS
 * action) as WARNINGs.  Called whenever a document is stored (the
 * triggers), so the warnings come on every store, cached or not.
 */
extern void kms_warn_policy_notes(const kp_policy *policy);
/* The same for an identity policy row (NULL columns: nothing to say). */
extern void kms_warn_identity_policy_notes(const char *principal,
										   const char *name, const char *doc);

#endif							/* KMS_POLICY_CACHE_H */
