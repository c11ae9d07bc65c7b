/*
 * kp_iam.h -- internal header of the policy core: KMS action and condition-key tables.
 *
 * Not for the glue (it uses kp.h and kp_eval.h).  The tables live in
 * kp_iam_data.c, which tools/gen_iam_data.py generates
 * from data/kms-iam-data.json.  Every comparison is ASCII case-insensitive
 * and independent of the locale.
 */
#ifndef KP_IAM_H
#define KP_IAM_H

#include <stdbool.h>
#include <stddef.h>

/* The value type of a condition key, as the service reference names it. */
typedef enum kp_cond_key_type
{
	KP_KEY_STRING = 0,
	KP_KEY_ARRAY_OF_STRING,
	KP_KEY_BOOL,
	KP_KEY_NUMERIC,
	KP_KEY_DATE,
	KP_KEY_IP_ADDRESS,
	KP_KEY_ARN
} kp_cond_key_type;

typedef struct kp_cond_key_def
{
	/*
	 * Canonical spelling.  For a templated key this is the fixed prefix
	 * ("kms:EncryptionContext:", "aws:RequestTag/"), which must be followed
	 * by at least one character.
	 */
	const char *name;
	bool		templated;
	kp_cond_key_type type;
} kp_cond_key_def;

/*
 * The KMS action names without the "kms:" prefix ("CancelKeyDeletion"),
 * sorted case-insensitively.
 */
extern const char *const kp_kms_action_names[];
extern const size_t kp_kms_action_count;

/* The "aws:" and "kms:" condition keys, and the templated ones (by prefix). */
extern const kp_cond_key_def kp_plain_condition_keys[];
extern const size_t kp_plain_condition_key_count;
extern const kp_cond_key_def kp_templated_condition_keys[];
extern const size_t kp_templated_condition_key_count;

/*
 * The canonical spelling of a KMS action ("Decrypt"), given its name with or
 * without the "kms:" prefix in any case; NULL when it is not a KMS action.
 * kp_is_kms_action (kp.h) accepts the same forms.
 */
extern const char *kp_kms_action_canonical(const char *name);

/*
 * The index in kp_kms_action_names of a KMS action named WITHOUT the "kms:"
 * prefix, in any case ("decrypt"); -1 when it is not a KMS action.
 */
extern int	kp_kms_action_index(const char *name);

/*
 * Look up an "aws:" or "kms:" condition key (case-insensitive; templated keys
 * match by prefix).  NULL when the key is unknown.
 */
extern const kp_cond_key_def *kp_lookup_condition_key(const char *key);

/* Case-insensitive ASCII comparison (strcasecmp without the locale). */
extern int	kp_ascii_casecmp(const char *a, const char *b);
extern int	kp_ascii_ncasecmp(const char *a, const char *b, size_t n);

#endif							/* KP_IAM_H */
