/*
 * kp_eval_probe.h -- internal header of the policy core: the evaluator's
 * statement-level questions, for the access analysis (kp_analyze.c).
 *
 * The analysis asks the evaluator itself how each statement meets a request
 * (its principal and action; its conditions on one key), so principal
 * matching and every condition operator have one implementation: the one
 * that decides kms_authorize.  Every blob must have been checked
 * (kp_compiled_open).  Not for the glue.
 */
#ifndef KP_EVAL_PROBE_H
#define KP_EVAL_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "kp_compiled.h"

/* How statement i's Principal, Action and Resource meet req. */
typedef enum kp_probe_target
{
	KP_PROBE_NO_MATCH = 0,		/* principal, action or resource does not match */
	KP_PROBE_DELEGATED,			/* matched through the account principal */
	KP_PROBE_DIRECT				/* matched the caller itself (or "*") */
} kp_probe_target;

/*
 * Statement i (< kp_compiled_statement_count) against req, conditions
 * ignored.  check_principal: false for identity policies.
 */
extern kp_probe_target kp_probe_statement_target(const kp_compiled *policy,
												 uint32_t i, bool check_principal,
												 const kp_request *req);

/* Is statement i an Allow? */
extern bool kp_probe_statement_allows(const kp_compiled *policy, uint32_t i);

/*
 * Do all of statement i's conditions whose key is key_lower (ASCII
 * lowercased) hold in ctx?  True when it has none on that key.
 */
extern bool kp_probe_statement_key_holds(const kp_compiled *policy, uint32_t i,
										 const char *key_lower,
										 const kp_context *ctx);

#endif							/* KP_EVAL_PROBE_H */
