/*
 * kms_policy.h -- declarations shared by the PostgreSQL glue.
 *
 * This header includes PostgreSQL headers; the policy core (kp.h) does not.
 * json-c is never included here (its json_object clashes with PostgreSQL's).
 */
#ifndef KMS_POLICY_H
#define KMS_POLICY_H

#include "postgres.h"
#include "fmgr.h"

#include "kp.h"

/* ---- settings (kms_policy.c) ---- */
extern char *kms_region;
extern char *kms_account_id;
extern char *kms_alibaba_region;
extern char *kms_alibaba_account_id;
extern bool kms_check_principals;
extern char *kms_administrator_role;

/*
 * May role administer identities (superuser, or a member of
 * kms_policy.administrator_role)?  Decided in C, not by EXECUTE grants.
 */
extern bool kms_is_administrator(Oid role);

/* ---- KMS exceptions and their SQLSTATEs (errors.c) ---- */
typedef enum KmsException
{
	/* AWS KMS */
	KMS_INTERNAL = 0,			/* KMSInternalException */
	KMS_NOT_FOUND,				/* NotFoundException */
	KMS_INVALID_ARN,			/* InvalidArnException */
	KMS_MALFORMED_POLICY,		/* MalformedPolicyDocumentException */
	KMS_LIMIT_EXCEEDED,			/* LimitExceededException */
	KMS_INVALID_STATE,			/* KMSInvalidStateException */
	KMS_UNSUPPORTED_OPERATION,	/* UnsupportedOperationException */
	KMS_VALIDATION,				/* ValidationException */
	KMS_ACCESS_DENIED,			/* AccessDeniedException */
	/* Alibaba Cloud KMS */
	ALI_INVALID_PARAMETER,		/* InvalidParameter */
	ALI_MISSING_PARAMETER,		/* MissingParameter */
	ALI_NO_PERMISSION,			/* Forbidden.NoPermission */
	ALI_KEY_NOT_FOUND,			/* Forbidden.KeyNotFound */
	ALI_RESOURCE_NOT_FOUND,		/* Forbidden.ResourceNotFound */
	ALI_UNSUPPORTED_ALIAS,		/* Unsupported.Alias */
	ALI_INVALID_STATE,			/* Rejected.* key state */
	KMS_EXCEPTION_COUNT
} KmsException;

/*
 * Raise ex: the message starts with the exception's name.  detail and hint
 * may be NULL.  Never returns.
 */
extern void kms_raise(KmsException ex, const char *message,
					  const char *detail, const char *hint) pg_attribute_noreturn();

/* Raise the error a core call reported, in the dialect's exceptions. */
extern void kms_raise_core(const kp_error *err, kp_dialect dialect) pg_attribute_noreturn();

/* A NULL required argument: ValidationException / MissingParameter. */
extern void kms_raise_null_argument(const char *member, kp_dialect dialect) pg_attribute_noreturn();

/* ---- keys (keys.c) ---- */
typedef struct KmsKey
{
	char	   *key_id;
	char	   *arn;
	kp_dialect	dialect;
	char	   *partition;		/* "aws", ...; "" for Alibaba */
	char	   *region;
	char	   *account_id;
	char	   *key_state;
} KmsKey;

/* Look a key up by id only (for the triggers); NULL when absent. */
extern KmsKey *kms_lookup_key_by_id(const char *key_id);

/* The default key policy of a key of either dialect (UTF-8, palloc'd). */
extern char *kms_default_policy(const KmsKey *key);

/* Check PolicyName as GetKeyPolicy/PutKeyPolicy do (NULL means default). */
extern const char *kms_check_policy_name(const char *name, kp_dialect dialect);

/* ---- triggers (triggers.c) ---- */
struct TriggerData;
struct HeapTupleData;

/* Called by the trigger manager, BEFORE, FOR EACH ROW?  Else 39P01. */
extern struct TriggerData *kms_trigger_check(FunctionCallInfo fcinfo, const char *fname);
/* kms_trigger_check, then the new row of an INSERT or UPDATE (else 39P01). */
extern struct HeapTupleData *kms_trigger_row(FunctionCallInfo fcinfo, const char *fname);
/* A column of a trigger's row, by name, as UTF-8 (NULL for SQL NULL). */
extern char *kms_trigger_column(struct TriggerData *trigdata, struct HeapTupleData *tuple,
								const char *name, size_t *len);

/* ---- compiled policies (policy_cache.c) ---- */

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
 * The notes of a compiled policy (kp.h: e.g. an action that names no KMS
 * action) as WARNINGs.  Called whenever a document is stored (the
 * triggers), so the warnings come on every store, cached or not.
 */
extern void kms_warn_policy_notes(const kp_policy *policy);
/* The same for an identity policy row (NULL columns: nothing to say). */
extern void kms_warn_identity_policy_notes(const char *principal,
										   const char *name, const char *doc);

/* The core's interrupt hook (kp_set_interrupt_check), set by _PG_init. */
extern bool kms_core_interrupt_pending(void);

/* Principals named by a compiled policy must exist (registry, issue #3). */
extern void kms_check_policy_principals(const kp_policy *policy,
										const KmsKey *key);

/* ---- arguments and SPI (keys.c) ---- */

/* A text argument as a NUL-terminated UTF-8 string (NULL for SQL NULL). */
extern char *kms_arg_utf8(FunctionCallInfo fcinfo, int argno, size_t *len);
/* Which dialect an identifier names: Alibaba's start with "acs:" or "key-". */
extern kp_dialect kms_input_dialect(const char *key_input);
/*
 * Resolve a KeyId argument (kms-spec 2.3) to the key as committed now; call
 * between kms_spi_begin/end.  kms_resolve_key_for_update also locks the key
 * row FOR NO KEY UPDATE (every call that writes; see keys.c).
 */
extern KmsKey *kms_resolve_key(const char *input);
extern KmsKey *kms_resolve_key_for_update(const char *input);
/* NotFoundException (Forbidden.KeyNotFound) for the key with this ARN. */
extern void kms_raise_key_not_found(const char *arn, kp_dialect dialect) pg_attribute_noreturn();

/*
 * The API reads and writes its tables as the extension owner (pg_cron's
 * pattern), after deciding itself whether the caller may act.  caller is the
 * role as PostgreSQL's own privilege checks see it at entry.
 */
typedef struct KmsSpiState
{
	Oid			caller;
	Oid			save_userid;
	int			save_sec_context;
} KmsSpiState;

extern Oid	kms_extension_owner(void);
extern void kms_spi_begin(KmsSpiState *st);
extern void kms_spi_end(KmsSpiState *st);
/* Run a statement whose parameters are all text (NULL = SQL NULL). */
extern int	kms_spi_exec(const char *sql, int nargs, const char *const *args,
						 bool read_only);
/* The same, read-write, on the latest committed state (GetLatestSnapshot()). */
extern int	kms_spi_exec_latest(const char *sql, int nargs, const char *const *args);

/* ---- authorization (authz.c) ---- */

/*
 * May the caller perform action on key?  Evaluates the key's policy (and the
 * caller's identity policies) and raises AccessDeniedException when not.
 * bypass_flag, when not NULL, is the kms:BypassPolicyLockoutSafetyCheck
 * value of the request.  stored_policy, when not NULL, receives the key's
 * stored document (server encoding; NULL when it has none), so that
 * GetKeyPolicy reads it once.  Call between kms_spi_begin/end.
 */
extern void kms_authorize_caller(const KmsKey *key, const char *action,
								 Oid caller, const char *bypass_flag,
								 char **stored_policy);
/* ListKeys and CreateKey are authorized by identity policies. */
extern void kms_authorize_create_key(Oid caller, kp_dialect dialect, bool bypass);
extern void kms_authorize_list_keys(Oid caller);
/*
 * The policy lockout safety check: unless bypass, the new policy must allow
 * the caller kms:PutKeyPolicy on the key.
 */
extern void kms_lockout_safety_check(const kp_policy *new_policy,
									 const KmsKey *key, Oid caller,
									 bool bypass);

#endif							/* KMS_POLICY_H */
