/*
 * kms_errors.c -- KMS exceptions as PostgreSQL errors, and the core's
 * interrupt hook.
 *
 * Every KMS exception has its own SQLSTATE in the implementation-defined
 * classes "KM" (AWS KMS) and "KA" (Alibaba Cloud KMS); the README's SQLSTATE
 * table is this file's table.  The message starts with the exception's name,
 * as the AWS SDKs print it: "NotFoundException: Key '...' does not exist".
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "kms_errors.h"

typedef struct KmsExceptionInfo
{
	const char *name;
	int			sqlstate;
} KmsExceptionInfo;

static const KmsExceptionInfo kms_exceptions[KMS_EXCEPTION_COUNT] = {
	[KMS_INTERNAL] = {"KMSInternalException", MAKE_SQLSTATE('K', 'M', '0', '0', '0')},
	[KMS_NOT_FOUND] = {"NotFoundException", MAKE_SQLSTATE('K', 'M', '0', '0', '1')},
	[KMS_INVALID_ARN] = {"InvalidArnException", MAKE_SQLSTATE('K', 'M', '0', '0', '2')},
	[KMS_MALFORMED_POLICY] = {"MalformedPolicyDocumentException", MAKE_SQLSTATE('K', 'M', '0', '0', '3')},
	[KMS_LIMIT_EXCEEDED] = {"LimitExceededException", MAKE_SQLSTATE('K', 'M', '0', '0', '4')},
	[KMS_INVALID_STATE] = {"KMSInvalidStateException", MAKE_SQLSTATE('K', 'M', '0', '0', '5')},
	[KMS_UNSUPPORTED_OPERATION] = {"UnsupportedOperationException", MAKE_SQLSTATE('K', 'M', '0', '0', '6')},
	[KMS_VALIDATION] = {"ValidationException", MAKE_SQLSTATE('K', 'M', '0', '0', '7')},
	[KMS_ACCESS_DENIED] = {"AccessDeniedException", MAKE_SQLSTATE('K', 'M', '0', '0', '8')},
	[KMS_CONFLICT] = {"ConflictException", MAKE_SQLSTATE('K', 'M', '0', '0', '9')},
	[KMS_UNRECOGNIZED_CLIENT] = {"UnrecognizedClientException", MAKE_SQLSTATE('K', 'M', '0', '1', '0')},
	[KMS_INVALID_SIGNATURE] = {"InvalidSignatureException", MAKE_SQLSTATE('K', 'M', '0', '1', '1')},
	[ALI_INVALID_PARAMETER] = {"InvalidParameter", MAKE_SQLSTATE('K', 'A', '0', '0', '1')},
	[ALI_MISSING_PARAMETER] = {"MissingParameter", MAKE_SQLSTATE('K', 'A', '0', '0', '2')},
	[ALI_NO_PERMISSION] = {"Forbidden.NoPermission", MAKE_SQLSTATE('K', 'A', '0', '0', '3')},
	[ALI_KEY_NOT_FOUND] = {"Forbidden.KeyNotFound", MAKE_SQLSTATE('K', 'A', '0', '0', '4')},
	[ALI_RESOURCE_NOT_FOUND] = {"Forbidden.ResourceNotFound", MAKE_SQLSTATE('K', 'A', '0', '0', '5')},
	[ALI_UNSUPPORTED_ALIAS] = {"Unsupported.Alias", MAKE_SQLSTATE('K', 'A', '0', '0', '6')},
	[ALI_INVALID_STATE] = {"Rejected.KeyState", MAKE_SQLSTATE('K', 'A', '0', '0', '7')},
};

void
kms_raise(KmsException ex, const char *message, const char *detail,
		  const char *hint)
{
	const KmsExceptionInfo *info;

	if (ex < 0 || ex >= KMS_EXCEPTION_COUNT)
		ex = KMS_INTERNAL;
	info = &kms_exceptions[ex];
	ereport(ERROR,
			(errcode(info->sqlstate),
			 errmsg("%s: %s", info->name, message),
			 detail ? errdetail("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
	pg_unreachable();
}

/*
 * A failure reported by the policy core.  AWS keys get the AWS exception and
 * message; Alibaba keys get InvalidParameter with the core's message moved
 * into the detail, so that nothing about the "what and where" is lost.
 */
void
kms_raise_core(const kp_error *err, kp_dialect dialect)
{
	KmsException ex;
	StringInfoData detail;

	initStringInfo(&detail);
	if (dialect == KP_DIALECT_ALIBABA && err->status != KP_ERR_NOMEM &&
		err->status != KP_ERR_INTERRUPTED)
	{
		appendStringInfoString(&detail, err->message);
		if (err->detail[0])
			appendStringInfo(&detail, " %s", err->detail);
		if (err->path[0] && strstr(err->detail, err->path) == NULL)
			appendStringInfo(&detail, " Path: %s.", err->path);
		kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
				  detail.data, NULL);
	}

	switch (err->status)
	{
		case KP_ERR_VALIDATION:
			ex = KMS_VALIDATION;
			break;
		case KP_ERR_LIMIT:
			ex = KMS_LIMIT_EXCEEDED;
			break;
		case KP_ERR_MALFORMED:
			ex = KMS_MALFORMED_POLICY;
			break;
		case KP_ERR_INVALID_ARN:
			ex = KMS_INVALID_ARN;
			break;
		case KP_ERR_INTERRUPTED:
			/* raises the pending cancel or timeout error */
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("canceling policy work because of an interrupt"),
					 errdetail("%s", err->detail)));
			pg_unreachable();
		case KP_ERR_NOMEM:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("The policy core could not allocate memory.")));
			pg_unreachable();
		default:
			elog(ERROR, "unexpected policy core status %d", (int) err->status);	/* internal error */
			pg_unreachable();
	}
	appendStringInfoString(&detail, err->detail);
	/* Name the JSON path where the detail does not already. */
	if (err->path[0] && strstr(err->detail, err->path) == NULL)
		appendStringInfo(&detail, "%sPath: %s.", detail.len ? " " : "", err->path);
	kms_raise(ex, err->message, detail.len ? detail.data : NULL, NULL);
}

void
kms_raise_null_argument(const char *member, kp_dialect dialect)
{
	char	   *msg;

	if (dialect == KP_DIALECT_ALIBABA)
		kms_raise(ALI_MISSING_PARAMETER, "The parameter needed but no provided.",
				  psprintf("The parameter %s is required and must not be NULL.", member),
				  NULL);
	msg = psprintf("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null",
				   member);
	kms_raise(KMS_VALIDATION, msg,
			  psprintf("The argument %s is required and must not be NULL.", member),
			  NULL);
}

/*
 * The core's interrupt hook: true when CHECK_FOR_INTERRUPTS would act now.
 * Interrupts held off (HOLD_INTERRUPTS, a critical section) do not stop the
 * core, since the glue could not raise them either.
 */
bool
kms_core_interrupt_pending(void)
{
	return INTERRUPTS_PENDING_CONDITION() && INTERRUPTS_CAN_BE_PROCESSED();
}
