/*
 * kp_lint.h -- public header of the policy core: policy validation findings
 * (kp_lint.c), in the manner of IAM Access Analyzer's ValidatePolicy.
 *
 * kp_policy_lint never fails on a bad document: a document kp_policy_parse
 * refuses gives exactly one ERROR finding, the kp_error of that parse
 * (message, path; the issue code names its status), and nothing else; a
 * document it accepts gives no ERROR finding, only the lint findings of the
 * compiled tree (unknown actions, public access, redundancy, conditions that
 * cannot match, ...; README, "Policy validation").  The grammar is checked in
 * one place only: kp_policy_parse.
 *
 * Memory: the findings are malloc'd; release them with kp_findings_free.
 */
#ifndef KP_LINT_H
#define KP_LINT_H

#include <stddef.h>

#include "kp.h"

/* The finding types, most severe first (Access Analyzer's names). */
typedef enum kp_finding_type
{
	KP_FINDING_ERROR = 0,
	KP_FINDING_SECURITY_WARNING,
	KP_FINDING_WARNING,
	KP_FINDING_SUGGESTION
} kp_finding_type;

typedef struct kp_finding
{
	kp_finding_type type;
	const char *code;			/* static: "UNKNOWN_ACTION" */
	char	   *message;		/* a full sentence (for an ERROR: the
								 * kp_error message, as the put gives it) */
	char	   *path;			/* "Statement[1].Action[0]"; "" for the whole
								 * document */
} kp_finding;

/* "ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION". */
extern const char *kp_finding_type_name(kp_finding_type type);

/*
 * The issue code of a refused document, from the status of its kp_error:
 * VALIDATION, LIMIT_EXCEEDED, MALFORMED_POLICY_DOCUMENT, INVALID_ARN.
 */
extern const char *kp_error_issue_code(kp_status status);

/*
 * Validate doc with opts (the options kp_policy_parse takes) and list the
 * findings in *out (*n_out of them; *out may be NULL when there are none).
 * Returns KP_OK whatever the document, or KP_ERR_NOMEM / KP_ERR_INTERRUPTED
 * (err says which; nothing is returned then).
 */
extern kp_status kp_policy_lint(const char *doc, size_t len,
								const kp_parse_opts *opts,
								kp_finding **out, size_t *n_out,
								kp_error *err);

extern void kp_findings_free(kp_finding *findings, size_t n);

#endif							/* KP_LINT_H */
