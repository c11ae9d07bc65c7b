/*
 * kms_args.h -- the API's arguments: UTF-8 text, member lengths and shapes
 * checked with AWS's and Alibaba's messages.
 */
#ifndef KMS_ARGS_H
#define KMS_ARGS_H

#include "postgres.h"

#include "fmgr.h"

#include "kp.h"

/* AWS KeyIdType and PolicyNameType: at most this many characters. */
#define KMS_MAX_KEY_ID_CHARS 2048
#define KMS_MAX_POLICY_NAME_CHARS 128

/* A text argument as a NUL-terminated UTF-8 string, or NULL. */
extern char *kms_arg_utf8(FunctionCallInfo fcinfo, int argno, size_t *len);

/* Which dialect an identifier names: Alibaba's start with acs: or key-. */
extern kp_dialect kms_input_dialect(const char *key_input);

/* Count UTF-8 characters (the input is valid UTF-8: it came from the server). */
extern size_t kms_utf8_chars(const char *s, size_t len);

/* Does every character lie in U+0020..U+00FF (MarkerType's pattern)? */
extern bool kms_utf8_latin1_printable(const char *s, size_t len);

extern void kms_raise_length(const char *member, const char *value, bool too_long, int bound,
			 kp_dialect dialect);

/* KeyIdType: required, 1..2048 characters. */
extern void kms_check_key_id_shape(const char *key_input, kp_dialect dialect);

/*
 * PolicyNameType: NULL means "default"; 1..128 characters of [A-Za-z0-9_];
 * a well-formed name other than "default" does not exist.
 */
extern const char *kms_check_policy_name(const char *name, kp_dialect dialect);

/* Convert a UTF-8 string to the server encoding for storage. */
extern char *kms_utf8_to_server(const char *s, size_t len);

/* The account field of a principal ARN ("arn:p:svc::acct:..." or acs). */
extern char *kms_arn_account(const char *arn);

/* The dialect of a principal ARN or value: Alibaba's start with "acs:". */
extern kp_dialect kms_arn_dialect(const char *arn);

/*
 * Room for a normalised principal ARN (kp_principal_normalize): an ARN of up
 * to KMS_MAX_KEY_ID_CHARS characters, plus what normalising an account ID
 * adds ("arn:<partition>:iam::" and ":root").
 */
#define KMS_PRINCIPAL_ARN_BUFLEN (KMS_MAX_KEY_ID_CHARS + 64)

#endif							/* KMS_ARGS_H */
