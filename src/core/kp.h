/*
 * kp.h -- public header of the policy core (libkp): errors, JSON, identifiers, documents.
 *
 * The core (src/core) is C (gnu11, with POSIX strdup and inet_pton) plus
 * json-c, built as the static library libkp.a without PostgreSQL's include
 * path: it includes no PostgreSQL header, so it is unit-tested (test/unit)
 * and fuzzed (test/fuzz) on its own, and the PostgreSQL glue is the only
 * place that turns a kp_error into an ereport.  The glue includes the public
 * headers kp.h and kp_eval.h only; src/core/internal/ holds the headers that
 * only the core (and its tests) use.
 *
 * Memory: everything the core returns is malloc'd and released with the
 * matching kp_*_free function.  No JSON tree outlives a core call: the tree
 * kp_policy_parse walks is freed before it returns, on success and on every
 * error path, so the caller may ereport as soon as it has the kp_error.
 *
 * Strings: input documents are UTF-8.  Every string the core keeps is a
 * NUL-terminated UTF-8 copy (the grammar refuses "\u0000").
 */
#ifndef KP_H
#define KP_H

#include <stdbool.h>
#include <stddef.h>

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/* The KMS exception a failure maps to (the glue maps it to a SQLSTATE). */
typedef enum kp_status
{
	KP_OK = 0,
	KP_ERR_VALIDATION,			/* ValidationException: member shape (length,
								 * characters) */
	KP_ERR_LIMIT,				/* LimitExceededException: size quota */
	KP_ERR_MALFORMED,			/* MalformedPolicyDocumentException */
	KP_ERR_INVALID_ARN,			/* InvalidArnException */
	KP_ERR_NOMEM,				/* out of memory (KMSInternalException) */
	KP_ERR_INTERRUPTED,			/* the interrupt hook asked the core to stop
								 * (kp_set_interrupt_check); nothing is kept */
	KP_ERR_STALE,				/* a compiled policy of another format or
								 * rules version (kp_compiled.h): recompile
								 * it from the document */
	KP_ERR_CORRUPT				/* bytes that are not a sound compiled policy
								 * (kp_compiled.h): an error, never an Allow */
} kp_status;

/*
 * The version of the core's rules: the grammar kp_policy_parse accepts and
 * what the evaluator makes of it.  Bump it whenever either changes in a way
 * a stored compiled policy (kp_compiled.h) could observe: compiled policies
 * of another rules version are refused as stale and recompiled from their
 * documents.
 */
#define KP_RULES_VERSION 1

#define KP_MSG_LEN 256
#define KP_DETAIL_LEN 512
#define KP_PATH_LEN 256

typedef struct kp_error
{
	kp_status	status;
	/* The exception's message as AWS words it, e.g.
	 * "Policy contains a statement with no principal." */
	char		message[KP_MSG_LEN];
	/* A full sentence saying what is wrong and where. */
	char		detail[KP_DETAIL_LEN];
	/* JSON path of the offending element, e.g. "Statement[2].Principal.AWS[0]";
	 * empty when the error is about the whole document. */
	char		path[KP_PATH_LEN];
	/* Byte offset into the document for syntax errors, else -1. */
	long		offset;
} kp_error;

/* Reset an error to "no error". */
extern void kp_error_clear(kp_error *err);

/* Fill an error (printf-style detail).  Returns st for "return kp_fail(...)". */
extern kp_status kp_fail(kp_error *err, kp_status st, const char *message,
						 const char *path, long offset,
						 const char *detail_fmt,...)
			__attribute__((format(printf, 6, 7)));

/* ------------------------------------------------------------------------
 * Interruption
 * ------------------------------------------------------------------------ */

/*
 * The core cannot call PostgreSQL's CHECK_FOR_INTERRUPTS.  Instead, every
 * core loop whose length a caller controls (statements x values x request
 * values, glob matching, context building) asks this hook at a coarse
 * granularity (kp_operand.h, KP_POLL_INTERVAL).  When it returns true the
 * core stops, frees what it holds and returns KP_ERR_INTERRUPTED; the glue
 * then calls CHECK_FOR_INTERRUPTS (and retries if that returns, e.g. after a
 * benign interrupt).  NULL (the default) means "never interrupted".  Set it
 * once per process; it is the core's only global state.
 */
typedef bool (*kp_interrupt_fn) (void);

extern void kp_set_interrupt_check(kp_interrupt_fn fn);
/* Ask the hook now (false when none is set). */
extern bool kp_interrupt_requested(void);

/* ------------------------------------------------------------------------
 * Dialects and limits
 * ------------------------------------------------------------------------ */

typedef enum kp_dialect
{
	KP_DIALECT_AWS = 0,
	KP_DIALECT_ALIBABA
} kp_dialect;

/* AWS PolicyType: 1..131072 characters (ValidationException beyond). */
#define KP_AWS_MAX_POLICY_CHARS 131072
/* AWS key policy document quota: 32768 characters (LimitExceededException). */
#define KP_AWS_POLICY_QUOTA 32768
/* Alibaba SetKeyPolicy: up to 32768 bytes of UTF-8. */
#define KP_ALIBABA_MAX_POLICY_BYTES 32768
/* Default JSON nesting limit (a key policy needs at most 5 levels). */
#define KP_DEFAULT_MAX_DEPTH 32

/* ------------------------------------------------------------------------
 * Strict JSON (kp_json.c)
 * ------------------------------------------------------------------------ */

struct json_object;

/*
 * Parse a document as strict RFC 8259 JSON whose top level is an object.
 * A first pass over the bytes (no tree built) refuses: invalid UTF-8, raw
 * control characters in strings, single quotes, NaN/Infinity, numbers json-c
 * cannot hold exactly (overflow, 1.5e999, "1."), "\u0000", lone or
 * mis-paired surrogates, duplicate object keys (compared after unescaping),
 * trailing garbage, nesting deeper than max_depth.  Only then does json-c
 * build the tree.  (kp_policy_parse does not use this: the same scanner
 * builds its own tree in the same pass, internal/kp_jdom.h, and json-c is
 * not run over a policy document.)  On success *out is a json-c object the caller releases with
 * json_object_put; on error *out is NULL and err says what and at which byte
 * offset (status KP_ERR_MALFORMED, or KP_ERR_NOMEM).
 */
extern kp_status kp_json_parse_strict(const char *doc, size_t len,
									  int max_depth,
									  struct json_object **out,
									  kp_error *err);

/* ------------------------------------------------------------------------
 * Identifiers and ARNs (kp_arn.c)
 * ------------------------------------------------------------------------ */

/* Split "arn:partition:service:region:account:resource" (or "acs:..."). */
typedef struct kp_arn
{
	char		prefix[4];		/* "arn" or "acs" */
	char		partition[32];	/* empty for acs */
	char		service[64];
	char		region[64];
	char		account[64];
	char		resource[2048];
} kp_arn;

/* Returns true when s has the six ':'-separated parts (resource may hold ':'). */
extern bool kp_arn_split(const char *s, kp_arn *out);

/* AWS key IDs: a UUID (8-4-4-4-12 hex digits), and a multi-Region key ID:
 * "mrk-" + 32 hex digits.  A key ID is valid when either is true. */
extern bool kp_is_aws_key_id(const char *s);
extern bool kp_is_aws_mrk_id(const char *s);
/* Alibaba key IDs: "key-" followed by 8..64 of [a-z0-9]. */
extern bool kp_is_alibaba_key_id(const char *s);
/* A 12-digit AWS account ID. */
extern bool kp_is_aws_account_id(const char *s);
/* A 16-digit Alibaba Cloud account (UID). */
extern bool kp_is_alibaba_account_id(const char *s);
/* The AWS partition a region belongs to ("aws", "aws-cn", "aws-us-gov", ...),
 * or NULL when the region matches no partition's pattern. */
extern const char *kp_partition_for_region(const char *region);
/* A known AWS partition name. */
extern bool kp_is_partition(const char *partition);
/* Alibaba region ids, e.g. "cn-hangzhou", "ap-southeast-1". */
extern bool kp_is_alibaba_region(const char *region);

/* ------------------------------------------------------------------------
 * Policy documents: parse + validate + compile (kp_validate.c)
 * ------------------------------------------------------------------------ */

typedef enum kp_doc_kind
{
	KP_DOC_KEY_POLICY = 0,		/* a key policy: Principal required, Resource "*" */
	KP_DOC_IDENTITY_POLICY		/* an IAM identity policy: no Principal,
								 * Resource ARNs */
} kp_doc_kind;

typedef enum kp_version
{
	KP_VERSION_NONE = 0,		/* absent: means 2008-10-17 */
	KP_VERSION_2008,
	KP_VERSION_2012,
	KP_VERSION_ALIBABA_1		/* Alibaba "1" */
} kp_version;

typedef enum kp_principal_kind
{
	KP_PRIN_ANY = 0,			/* "*" or {"AWS": "*"} (or {"RAM": "*"}) */
	KP_PRIN_AWS,				/* account id, root, user, role, sessions */
	KP_PRIN_SERVICE,			/* "cloudtrail.amazonaws.com" */
	KP_PRIN_RAM					/* Alibaba acs:ram:: ARN */
} kp_principal_kind;

typedef struct kp_principal
{
	kp_principal_kind kind;
	char	   *value;			/* as written in the document */
	/*
	 * Normalised form used for matching and registry look-ups: an account id
	 * becomes "arn:<partition>:iam::<account>:root"; ARNs are kept; "*" and
	 * services are kept as written.
	 */
	char	   *arn;
	char	   *path;			/* "Statement[0].Principal.AWS[1]" */
} kp_principal;

/* Base operator of a condition, without IfExists / set prefixes. */
typedef enum kp_cond_op
{
	KP_OP_STRING_EQUALS,
	KP_OP_STRING_NOT_EQUALS,
	KP_OP_STRING_EQUALS_IGNORE_CASE,
	KP_OP_STRING_NOT_EQUALS_IGNORE_CASE,
	KP_OP_STRING_LIKE,
	KP_OP_STRING_NOT_LIKE,
	KP_OP_NUMERIC_EQUALS,
	KP_OP_NUMERIC_NOT_EQUALS,
	KP_OP_NUMERIC_LESS_THAN,
	KP_OP_NUMERIC_LESS_THAN_EQUALS,
	KP_OP_NUMERIC_GREATER_THAN,
	KP_OP_NUMERIC_GREATER_THAN_EQUALS,
	KP_OP_DATE_EQUALS,
	KP_OP_DATE_NOT_EQUALS,
	KP_OP_DATE_LESS_THAN,
	KP_OP_DATE_LESS_THAN_EQUALS,
	KP_OP_DATE_GREATER_THAN,
	KP_OP_DATE_GREATER_THAN_EQUALS,
	KP_OP_BOOL,
	KP_OP_BINARY_EQUALS,
	KP_OP_IP_ADDRESS,
	KP_OP_NOT_IP_ADDRESS,
	KP_OP_ARN_EQUALS,
	KP_OP_ARN_LIKE,
	KP_OP_ARN_NOT_EQUALS,
	KP_OP_ARN_NOT_LIKE,
	KP_OP_NULL
} kp_cond_op;

typedef enum kp_set_op
{
	KP_SET_NONE = 0,
	KP_SET_FOR_ANY_VALUE,
	KP_SET_FOR_ALL_VALUES
} kp_set_op;

typedef struct kp_condition
{
	char	   *op_text;		/* as written: "ForAnyValue:StringLikeIfExists" */
	kp_cond_op	op;
	kp_set_op	set_op;
	bool		if_exists;
	char	   *key;			/* as written: "kms:EncryptionContext:Dept" */
	/* Values as strings (JSON true/false/numbers are turned into their text). */
	char	  **values;
	size_t		n_values;
	char	   *path;			/* "Statement[3].Condition.Bool" */
} kp_condition;

typedef struct kp_statement
{
	char	   *sid;			/* NULL when absent */
	bool		allow;			/* Effect: Allow (true) or Deny (false) */
	kp_principal *principals;
	size_t		n_principals;
	bool		not_action;		/* NotAction instead of Action */
	char	  **actions;
	size_t		n_actions;
	bool		not_resource;	/* NotResource (identity policies only) */
	char	  **resources;
	size_t		n_resources;
	kp_condition *conditions;
	size_t		n_conditions;
} kp_statement;

/*
 * A note on an accepted document: something AWS accepts but that cannot
 * mean what its author likely wanted (an action that names no KMS action).
 * The glue reports each note as a WARNING whenever the document is stored.
 */
typedef struct kp_note
{
	char	   *path;			/* "Statement[1].Action[0]" */
	char	   *value;			/* the element as written: "kms:Foo" */
	char	   *detail;			/* a full sentence */
} kp_note;

typedef struct kp_policy
{
	kp_dialect	dialect;
	kp_doc_kind kind;
	kp_version	version;
	char	   *id;				/* NULL when absent */
	kp_statement *statements;
	size_t		n_statements;
	kp_note    *notes;			/* in document order */
	size_t		n_notes;
} kp_policy;

typedef struct kp_parse_opts
{
	kp_dialect	dialect;
	kp_doc_kind kind;
	/* The key's partition ("aws", ...) and account: account-id principals are
	 * normalised to arn:<partition>:iam::<id>:root. */
	const char *partition;
	const char *account;
	int			max_depth;		/* 0 means KP_DEFAULT_MAX_DEPTH */
} kp_parse_opts;

/*
 * Check a document completely and compile it.  Order: characters and length
 * (KP_ERR_VALIDATION), size quota (KP_ERR_LIMIT), strict JSON
 * (KP_ERR_MALFORMED with offset), then the grammar of the dialect
 * (KP_ERR_MALFORMED / KP_ERR_INVALID_ARN with path).  The JSON is read once:
 * the strict scanner (the rules of kp_json_parse_strict, same errors and
 * offsets) builds a compact tree in the same pass, and the grammar walks that
 * tree; json-c is not used.  Number and boolean condition values are kept as
 * the text json-c gave them before (a number as written, except that the
 * integer -0 is "0").  On success, if out is
 * not NULL, *out is the compiled policy (release with kp_policy_free).
 * Principal existence is not checked here: it needs the principal registry,
 * which the glue consults with the compiled principals.
 */
extern kp_status kp_policy_parse(const char *doc, size_t len,
								 const kp_parse_opts *opts,
								 kp_policy **out, kp_error *err);

extern void kp_policy_free(kp_policy *policy);

/*
 * Characters and length only (the first step of kp_policy_parse), for
 * callers that must report them before anything else.
 */
extern kp_status kp_policy_check_text(const char *doc, size_t len,
									  kp_dialect dialect, kp_error *err);

/* The KMS action table (kp_iam_data.c, generated from data/kms-iam-data.json). */
extern bool kp_is_kms_action(const char *name);	/* case-insensitive, exact */

/*
 * May a request carry several values for this condition key?  True for the
 * ArrayOfString keys of the service reference (aws:TagKeys,
 * kms:ResourceAliases, ...) and for keys it does not list; false for the
 * single-valued ones (aws:SourceIp, kms:CallerAccount, ...), which AWS
 * always sends with one value.
 */
extern bool kp_condition_key_is_multivalued(const char *key);

/*
 * Check one principal the way a key policy names it (the same rule as
 * kp_policy_parse) and normalise it: an AWS account ID becomes
 * "arn:<partition>:iam::<id>:root"; ARNs, "*" and service principals are
 * kept.  dialect picks AWS ("AWS" principal values and service principals)
 * or Alibaba ("RAM" values).  The normalised form is written to arn_buf.
 */
extern kp_status kp_principal_normalize(const char *value, kp_dialect dialect,
										const char *partition,
										kp_principal_kind *kind,
										char *arn_buf, size_t arn_buflen,
										kp_error *err);

#endif							/* KP_H */
