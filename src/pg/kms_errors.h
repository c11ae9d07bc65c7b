/*
 * kms_errors.h -- KMS exceptions and their SQLSTATEs as PostgreSQL errors.
 * Bottom layer of the glue: calls nothing above it.
 */
#ifndef KMS_ERRORS_H
#define KMS_ERRORS_H

#include "postgres.h"

#include "kp.h"

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
	KMS_CONFLICT,				/* ConflictException (expected_version) */
	KMS_UNRECOGNIZED_CLIENT,	/* UnrecognizedClientException (endpoint) */
	KMS_INVALID_SIGNATURE,		/* InvalidSignatureException (endpoint) */
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

/* The core's interrupt hook (kp_set_interrupt_check), set by _PG_init. */
extern bool kms_core_interrupt_pending(void);

#endif							/* KMS_ERRORS_H */
