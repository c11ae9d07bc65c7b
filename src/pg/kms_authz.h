/*
 * kms_authz.h -- authorization: may the caller act on a key (or, for
 * CreateKey and ListKeys, at all), the lockout safety check, and the
 * decision behind kms_authorize and kms_explain_authorization.
 */
#ifndef KMS_AUTHZ_H
#define KMS_AUTHZ_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "kp.h"
#include "kp_eval.h"
#include "kms_key_store.h"

extern void kms_authorize_caller(const KmsKey *key, const char *action, Oid caller_role,
					 const char *bypass_flag, char **stored_policy);

extern void kms_authorize_list_keys(Oid caller);

extern void kms_authorize_create_key(Oid caller, kp_dialect dialect, bool bypass);

extern void kms_lockout_safety_check(const kp_policy *new_policy, const KmsKey *key,
						 Oid caller_role, bool bypass);

/*
 * kms_authorize's question: what the policies decide for principal doing
 * action on key in a request context (NULL for none).  The calling role
 * needs kms:GetKeyPolicy on the key, or administers.  trace (NULL for none)
 * receives the evaluation trace.  Call between kms_spi_begin/end.
 */
extern kp_decision kms_decide_request(const KmsKey *key, Oid caller_role,
									  const char *principal, const char *action,
									  Jsonb *user_context, kp_trace *trace);

/*
 * The condition keys every request kms_authorize decides has (the request
 * defines them: aws:CurrentTime, ...), for the access analysis.
 */
extern const char *const *kms_request_defined_keys(kp_dialect dialect, size_t *n);

#endif							/* KMS_AUTHZ_H */
