/*
 * kp_analyze.h -- public header of the policy core (libkp): access analysis.
 *
 * Plain C, no PostgreSQL header.  Questions about what key policies allow,
 * answered exactly with the evaluator itself (kp_eval.c), not a model of it:
 *
 *	kpa_compare		the requests one policy allows and another does not
 *					(CheckNoNewAccess, CheckAccessNotGranted,
 *					CheckNoPublicAccess, the diff of two versions)
 *	kpa_key_access	who may do what under one policy
 *
 * A request is what kms_authorize decides: a caller (principal ARN, or a
 * service), one of the 56 KMS actions, the key (opts->key_arn) and any
 * request context.  "Allowed" means allowed by the key policy with the most
 * permissive identity policies: a grant through the account principal or
 * to another account counts (it is what identity policies can then use).
 *
 * How it is exact.  Every policy element is a predicate on one part of the
 * request: the caller, the action, or one context key.  For each context key
 * the analysis computes a finite set of values with one value in every
 * region the policies' values can tell apart (strings and ARNs: a product
 * automaton of the patterns; numbers, dates and IP addresses: the
 * boundaries; absent where the request may lack the key), and for callers
 * one caller per class the principals can tell apart.  The evaluator then
 * says, value by value, which statements' conditions hold (probes in
 * internal/kp_eval_probe.h), and a search over the combinations finds a
 * request the first policy allows and the second does not, or proves there
 * is none.  Every witness is evaluated again, whole, by kp_evaluate_compiled
 * before it is reported.  What the analysis cannot decide exactly (a policy
 * variable, a key compared as two operand types, more combinations than the
 * budget) makes the answer UNKNOWN with the reason, never PASS.
 */
#ifndef KP_ANALYZE_H
#define KP_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>

#include "kp.h"
#include "kp_eval.h"

typedef enum kpa_result
{
	KPA_PASS = 0,
	KPA_FAIL,
	KPA_UNKNOWN
} kpa_result;

/* "PASS", "FAIL", "UNKNOWN". */
extern const char *kpa_result_name(kpa_result result);

/* One answer row: a FAIL with its witness request, or an UNKNOWN, or the PASS. */
typedef struct kpa_row
{
	kpa_result	result;
	char	   *principal;		/* FAIL: the witness caller, else NULL */
	bool		principal_is_service;
	char	   *action;			/* FAIL: "kms:Decrypt", else NULL */
	char	   *context;		/* FAIL: the request context, a JSON object */
	char	   *reason;			/* a sentence */
} kpa_row;

typedef struct kpa_report
{
	kpa_result	result;			/* PASS only when no row is FAIL or UNKNOWN */
	kpa_row    *rows;
	size_t		n_rows;
	size_t		cap;
} kpa_report;

extern void kpa_report_free(kpa_report *report);

typedef struct kpa_opts
{
	/* The key every request is on: "arn:aws:kms:<region>:<account>:key/<id>". */
	const char *key_arn;
	/*
	 * Keys every request has (the request itself defines them, such as
	 * aws:CurrentTime): never absent in a witness.
	 */
	const char *const *present_keys;
	size_t		n_present_keys;
	/* Actions to consider ("kms:Decrypt", patterns allowed); none: all 56. */
	const char *const *actions;
	size_t		n_actions;
	/*
	 * Callers to consider, as normalised principals (kp_principal_normalize):
	 * a caller counts when it is one of them, an identity of a listed account
	 * root, or a session of a listed role.  None: every caller.
	 */
	const char *const *principals;
	size_t		n_principals;
	/* Only callers of accounts that neither the key nor the policies name. */
	bool		outsiders_only;
	/* Most combinations searched per question; 0: KPA_DEFAULT_BUDGET. */
	unsigned long budget;
} kpa_opts;

#define KPA_DEFAULT_BUDGET 2000000UL

/*
 * The requests that gain allows and base (NULL: a policy that allows
 * nothing) does not, for the callers and actions of opts: PASS when there is
 * none, else one FAIL row per (caller class, action) with a witness, and
 * UNKNOWN rows for what could not be decided.  Both policies must be key
 * policies of kp_policy_parse.  Returns KP_OK (the answer in *out, release it
 * with kpa_report_free), KP_ERR_NOMEM or KP_ERR_INTERRUPTED.
 */
extern kp_status kpa_compare(const kp_policy *gain, const kp_policy *base,
							 const kpa_opts *opts, kpa_report *out,
							 kp_error *err);

typedef enum kpa_access
{
	KPA_ACCESS_ALLOWED = 0,		/* in every request context */
	KPA_ACCESS_ALLOWED_IF,		/* in some contexts: see conditions */
	KPA_ACCESS_DELEGATED,		/* the account principal: identity policies decide */
	KPA_ACCESS_UNKNOWN			/* not decided exactly: see conditions */
} kpa_access;

/* "allowed", "allowed_if", "delegated", "unknown". */
extern const char *kpa_access_name(kpa_access access);

typedef struct kpa_access_row
{
	char	   *principal;		/* as the policy names it (normalised), or "*" */
	char	   *action;
	kpa_access	access;
	/*
	 * JSON: the Allow statements' condition blocks that must hold and the
	 * Deny statements' blocks that must not ({"allow": [...], "deny": [...]}),
	 * NULL when there are none.
	 */
	char	   *conditions;
	/* The granting statements: Sids, or Statement[i], comma-separated. */
	char	   *statements;
} kpa_access_row;

/*
 * Every (principal the policy names, or "*" for anyone else) x KMS action
 * that the policy may allow.  *rows is malloc'd: kpa_access_rows_free.
 */
extern kp_status kpa_key_access(const kp_policy *policy, const kpa_opts *opts,
								kpa_access_row **rows, size_t *n_rows,
								kp_error *err);

extern void kpa_access_rows_free(kpa_access_row *rows, size_t n_rows);

#endif							/* KP_ANALYZE_H */
