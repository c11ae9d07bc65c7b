/*
 * analysis_oracle.h -- test-only oracle of the access analysis (kp_analyze.h):
 * small random key policies, and the checks that an answer is right by plain
 * evaluation of requests (kp_authorize on the trees, with an identity policy
 * that allows everything: the analysis's meaning of "allowed").
 *
 * Linked into the unit tests and the fuzz targets, never into libkp.a.
 */
#ifndef ANALYSIS_ORACLE_H
#define ANALYSIS_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kp.h"
#include "kp_analyze.h"

#define AOR_KEY_ARN "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

/*
 * A key policy built from the bytes (any bytes give a valid document):
 * a root statement, then 1..3 statements of principals, actions and
 * conditions drawn from a fixed pool that covers every operator family.
 */
extern void aor_policy_doc(const uint8_t *data, size_t len, char *out, size_t size);

/* kp_policy_parse of an AWS key policy of account 111122223333; NULL if refused. */
extern kp_policy *aor_parse(const char *doc);

/* Default analysis options (the key above, aws:CurrentTime always present). */
extern void aor_opts(kpa_opts *o);

/* The analysis's decision for one request: allowed by policy (NULL: none)? */
extern bool aor_allowed(const kp_policy *policy, const char *principal, bool service,
						const char *action, const char *context_json);

/*
 * Check a kpa_compare answer for gain against base (NULL: nothing allowed)
 * asked with opts (NULL: no new access at all): every FAIL witness is
 * replayed (allowed by gain, not by base); when the answer is PASS, n_samples
 * random requests from a value pool (seeded) are evaluated and none that the
 * question is about (opts' actions and principals; with outsiders_only,
 * callers of accounts no policy names, without context that overrides what
 * the caller implies) may be allowed by gain and not by base.  Returns true
 * when it holds; otherwise false with what went wrong in why.
 */
extern bool aor_check(const kp_policy *gain, const kp_policy *base, const kpa_opts *opts,
					  const kpa_report *report, uint64_t seed, int n_samples,
					  char *why, size_t why_size);

#endif							/* ANALYSIS_ORACLE_H */
