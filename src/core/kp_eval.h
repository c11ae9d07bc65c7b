/*
 * kp_eval.h -- public header of the policy core (libkp): evaluation of compiled policies.
 *
 * Plain C, no PostgreSQL header.  The evaluator works on the compiled
 * kp_policy structures that kp_policy_parse produces (kp.h) and decides
 * whether a caller may perform an action on a key:
 *
 *	explicit Deny anywhere  >  Allow  >  implicit deny
 *
 * AWS rules (kp_policy.dialect == KP_DIALECT_AWS):
 *	- The key policy is required: identity policies alone never allow.
 *	- A key-policy Allow whose principal is the caller itself (user, role or
 *	  a session of the role, service, or "*") grants directly, when the
 *	  caller belongs to the key's account.
 *	- A key-policy Allow that matched only through the account principal
 *	  "arn:<p>:iam::<acct>:root" (the caller is another identity of that
 *	  account) grants only when the caller's identity policies also allow
 *	  the action on the key ("delegation").
 *	- A caller of another account (caller account != account of the key ARN)
 *	  always needs both: a key-policy Allow and an identity-policy Allow.
 *	- A key-policy Deny naming the account principal applies to every caller
 *	  of that account; an identity-policy Deny denies as well.
 *
 * Alibaba rules (KP_DIALECT_ALIBABA):
 *	- Callers of the key's account are allowed when the key policy OR their
 *	  RAM (identity) policies allow; callers of other accounts need BOTH.
 *	- Any Deny denies.
 *
 * The dialect is that of the key policy (or of the first identity policy
 * when there is no key policy, or of the key ARN when there is no policy).
 *
 * There is one evaluator, and it works on the compiled form of policies
 * (kp_compiled.h: kp_evaluate_compiled).  kp_authorize and kp_evaluate
 * below take kp_policy trees: they compile them (kp_policy_compile, malloc)
 * and call that evaluator, so both forms decide and explain identically;
 * callers that evaluate often should keep the compiled bytes instead.
 * On compiled policies, nothing on the evaluation path allocates memory
 * unless a trace is asked for (or a policy value with a policy variable
 * expands to more than 1 kB, EXPAND_BUF in kp_eval.c).
 * The evaluator keeps no global state: it is reentrant and thread-safe.
 */
#ifndef KP_EVAL_H
#define KP_EVAL_H

#include "kp.h"

/* ------------------------------------------------------------------------
 * Request context: condition key -> one or more string values
 * ------------------------------------------------------------------------ */

/*
 * Keys compare case-insensitively (ASCII); values are case-sensitive.
 * A key added with no value (kp_context_add(ctx, key, NULL)) is present with
 * an empty value set, which every operator treats like an absent key.
 * Look-ups are O(1) on average (a hash index over the lowercased key).
 *
 * Size limits of one context (everything in it: the caller's keys and the
 * keys the glue fills in).  Adding beyond one of them fails with
 * KP_ERR_LIMIT and leaves the context unchanged: nothing is dropped
 * silently.  With these bounds a request's evaluation work is bounded by
 * the policies' size times the context's size.
 */
#define KP_CONTEXT_MAX_KEYS 1024	/* distinct keys */
#define KP_CONTEXT_MAX_VALUES 4096	/* values over all keys */
#define KP_CONTEXT_MAX_BYTES 262144 /* bytes of all keys and values */

typedef struct kp_context kp_context;

/* A new empty context, or NULL when out of memory. */
extern kp_context *kp_context_new(void);

/*
 * Add a value to key (repeat for a multi-valued key such as aws:TagKeys).
 * value NULL only makes sure the key exists.  Returns KP_OK or KP_ERR_NOMEM.
 */
extern kp_status kp_context_add(kp_context *ctx, const char *key,
								const char *value);

/*
 * kp_context_add that also says why it failed: KP_ERR_LIMIT (err->detail
 * names the limit) or KP_ERR_NOMEM.  err may be NULL.
 */
extern kp_status kp_context_add_checked(kp_context *ctx, const char *key,
										const char *value, kp_error *err);

/* Number of distinct keys. */
extern size_t kp_context_key_count(const kp_context *ctx);

/*
 * The values of key (case-insensitive look-up): returns the array and sets
 * *n_values, or returns NULL with *n_values = 0 when the key is absent.
 * ctx may be NULL (an empty context).
 */
extern const char *const *kp_context_get(const kp_context *ctx,
										 const char *key, size_t *n_values);

extern void kp_context_free(kp_context *ctx);

/*
 * Add the condition keys AWS derives from the caller, each only if the key
 * is not in ctx yet:
 *	aws:PrincipalArn       the caller ARN; for an assumed-role session the
 *	                       role ARN "arn:<p>:iam::<acct>:role/<name>"
 *	                       (the role path is not known from a session ARN)
 *	aws:PrincipalAccount,
 *	kms:CallerAccount      the caller's account
 *	aws:PrincipalType      Account, User, AssumedRole or FederatedUser
 *	aws:username           IAM users only
 *	aws:PrincipalIsAWSService  "true" / "false"
 *	aws:PrincipalServiceName   service callers only
 * account may be NULL (taken from the ARN).  Alibaba "acs:" callers get
 * nothing.  Returns KP_OK or KP_ERR_NOMEM.
 */
extern kp_status kp_context_add_caller(kp_context *ctx,
									   const char *principal_arn,
									   const char *account,
									   bool is_service);

/* ------------------------------------------------------------------------
 * Request and decision
 * ------------------------------------------------------------------------ */

typedef struct kp_request
{
	/*
	 * The caller: "arn:aws:iam::111122223333:root", "...:user/Alice",
	 * "arn:aws:sts::111122223333:assumed-role/Admin/session1",
	 * "acs:ram::1234567890123456:user/alice", or with principal_is_service a
	 * service name such as "cloudtrail.amazonaws.com".
	 */
	const char *principal_arn;
	/* The caller's account; NULL means the account field of principal_arn. */
	const char *principal_account;
	bool		principal_is_service;
	/* "kms:GetKeyPolicy" (matched case-insensitively). */
	const char *action;
	/*
	 * The key ARN.  Its account field is the key's account (same-account vs
	 * cross-account); when it has none, every caller is treated as
	 * cross-account (the strict reading).
	 */
	const char *resource_arn;
	/* Condition keys; NULL means an empty context. */
	const kp_context *context;
} kp_request;

typedef enum kp_decision
{
	KP_DECISION_IMPLICIT_DENY = 0,
	KP_DECISION_ALLOW,
	KP_DECISION_EXPLICIT_DENY
} kp_decision;

/* "allow", "explicit deny", "implicit deny". */
extern const char *kp_decision_name(kp_decision decision);

/* ------------------------------------------------------------------------
 * Trace (for explain): one entry per statement evaluated
 * ------------------------------------------------------------------------ */

typedef enum kp_trace_outcome
{
	KP_TRACE_APPLIED = 0,		/* Principal, Action, Resource, Condition all
								 * matched */
	KP_TRACE_NO_PRINCIPAL,		/* principal did not match */
	KP_TRACE_NO_ACTION,			/* action did not match */
	KP_TRACE_NO_RESOURCE,		/* resource did not match */
	KP_TRACE_CONDITION_FAILED	/* a condition was false */
} kp_trace_outcome;

/* How an applied key-policy Allow grants (KP_TRACE_VIA_NONE otherwise). */
typedef enum kp_trace_via
{
	KP_TRACE_VIA_NONE = 0,		/* not an applied key-policy Allow */
	KP_TRACE_VIA_DIRECT,		/* grants by itself */
	KP_TRACE_VIA_DELEGATION,	/* account principal: needs identity policies */
	KP_TRACE_VIA_CROSS_ACCOUNT	/* other account: needs identity policies */
} kp_trace_via;

typedef struct kp_trace_entry
{
	char		label[32];		/* "key policy" or "identity policy <n>" */
	int			policy_index;	/* -1 for the key policy, else the index in
								 * identity_policies */
	size_t		statement;		/* index in Statement[] */
	char	   *sid;			/* copy of the Sid, NULL when absent */
	bool		allow;			/* Effect */
	kp_trace_outcome outcome;
	kp_trace_via via;
	/* via DELEGATION / CROSS_ACCOUNT: did the identity policies allow? */
	bool		identity_granted;
	/*
	 * Short explanation, NULL when there is nothing to add (at most
	 * KP_TRACE_DETAIL_MAX - 1 bytes: a longer one ends with "..."), e.g.
	 * "principal arn:aws:iam::111122223333:root matched (account delegation)"
	 * "action kms:PutKeyPolicy matches none of [kms:Get*, kms:List*]"
	 * "condition StringEquals kms:CallerAccount: request value
	 * '444455556666' matches none of ['111122223333']"
	 * "condition IpAddress aws:SourceIp: key absent"
	 */
	char	   *detail;
} kp_trace_entry;

/*
 * Explanation size: one entry per statement of the policies evaluated (the
 * documents' own size bounds that), each detail at most this many bytes,
 * whatever the request context holds.
 */
#define KP_TRACE_DETAIL_MAX 400

typedef struct kp_trace
{
	kp_trace_entry *entries;
	size_t		n_entries;
	size_t		cap;
	kp_decision decision;
	/* One sentence on the decision, e.g. "explicit deny: key policy
	 * statement 2 (Sid \"DenyOthers\")"; NULL if out of memory. */
	char	   *summary;
	/* Out of memory while recording: entries are incomplete (the decision
	 * itself is still right). */
	bool		incomplete;
} kp_trace;

/* Prepare a caller-owned trace (e.g. on the stack) before kp_authorize. */
extern void kp_trace_init(kp_trace *trace);

/* Release what a trace holds and re-initialise it (trace may be NULL). */
extern void kp_trace_free(kp_trace *trace);

/* "applied", "principal did not match", ... */
extern const char *kp_trace_outcome_name(kp_trace_outcome outcome);

/* ------------------------------------------------------------------------
 * Authorization
 * ------------------------------------------------------------------------ */

/*
 * Decide whether req may proceed, given the key policy (NULL: none) and the
 * caller's identity policies (kind KP_DOC_IDENTITY_POLICY; their principals
 * are ignored; may be NULL when n_identity is 0).  When trace is not NULL it
 * must have been kp_trace_init'ed (or freed); every statement of every
 * policy is then evaluated and recorded, and trace->decision is set.
 *
 * The lockout safety check is kp_authorize(new_policy, identity, n, req)
 * with req->action "kms:PutKeyPolicy".
 */
extern kp_decision kp_authorize(const kp_policy *key_policy,
								const kp_policy *const *identity_policies,
								size_t n_identity,
								const kp_request *req,
								kp_trace *trace);

/*
 * kp_authorize that can be interrupted: the evaluation asks the interrupt
 * hook (kp.h) as it goes.  Returns KP_OK with *decision set, or
 * KP_ERR_INTERRUPTED, with *decision KP_DECISION_IMPLICIT_DENY and the
 * trace freed: the caller must not use the decision, it calls
 * CHECK_FOR_INTERRUPTS (and evaluates again if that returns).  When the
 * trees cannot be compiled (out of memory) it returns KP_ERR_NOMEM with
 * *decision KP_DECISION_IMPLICIT_DENY (fail closed) and an empty trace.
 * kp_authorize(...) is kp_evaluate(...) that fails closed (an implicit
 * deny) when interrupted.
 */
extern kp_status kp_evaluate(const kp_policy *key_policy,
							 const kp_policy *const *identity_policies,
							 size_t n_identity,
							 const kp_request *req,
							 kp_trace *trace,
							 kp_decision *decision);

/* ------------------------------------------------------------------------
 * Matching primitives (exposed for the glue and for tests)
 * ------------------------------------------------------------------------ */

/*
 * Glob match of a whole string: '*' any run (also empty), '?' exactly one
 * UTF-8 character; ASCII case-insensitive when ignore_case.
 */
extern bool kp_glob_match(const char *pattern, const char *text,
						  bool ignore_case);

/* Action pattern ("kms:Get*", "*") against an action, case-insensitive. */
extern bool kp_action_matches(const char *pattern, const char *action);

#endif							/* KP_EVAL_H */
