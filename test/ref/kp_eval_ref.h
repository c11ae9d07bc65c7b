/*
 * kp_eval_ref.h -- the reference evaluator of the differential tests.
 *
 * kp_eval_ref.c is the tree evaluator of src/core/kp_eval.c as it was
 * before evaluation moved to the compiled form: the oracle that
 * test/unit/test_compiled.c and test/fuzz/fuzz_compiled.c compare the
 * compiled evaluator with.  Same contracts as kp_authorize / kp_evaluate
 * (kp_eval.h).  Linked into tests and fuzz targets only, never into libkp.a.
 */
#ifndef KP_EVAL_REF_H
#define KP_EVAL_REF_H

#include "kp_eval.h"

extern kp_decision kp_ref_authorize(const kp_policy *key_policy,
									const kp_policy *const *identity_policies,
									size_t n_identity,
									const kp_request *req,
									kp_trace *trace);

extern kp_status kp_ref_evaluate(const kp_policy *key_policy,
								 const kp_policy *const *identity_policies,
								 size_t n_identity,
								 const kp_request *req,
								 kp_trace *trace,
								 kp_decision *decision);

#endif							/* KP_EVAL_REF_H */
