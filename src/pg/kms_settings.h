/*
 * kms_settings.h -- the extension's settings (kms_policy.*) and who
 * administers identities.  Bottom layer of the glue: calls nothing above it.
 */
#ifndef KMS_SETTINGS_H
#define KMS_SETTINGS_H

#include "postgres.h"

#include "kp.h"

extern char *kms_region;
extern char *kms_account_id;
extern char *kms_alibaba_region;
extern char *kms_alibaba_account_id;
extern bool kms_check_principals;
extern char *kms_administrator_role;
extern int	kms_compiled_policy_cache_size;
extern bool kms_record_history;
extern int	kms_endpoint_max_clock_skew;

/* kms_policy.compiled_policy_cache_size: default and maximum entries */
#define KMS_DEFAULT_COMPILED_POLICY_CACHE_SIZE 256
#define KMS_MAX_COMPILED_POLICY_CACHE_SIZE 65536

/* kms_policy.endpoint_max_clock_skew: default (AWS's 15 minutes) and maximum seconds */
#define KMS_DEFAULT_ENDPOINT_MAX_CLOCK_SKEW 900
#define KMS_MAX_ENDPOINT_MAX_CLOCK_SKEW 604800

/* Define the settings; called once by _PG_init. */
extern void kms_define_settings(void);

/* The endpoint's AWS partition, from kms_policy.region ("aws" if unknown). */
extern const char *kms_endpoint_partition(void);

/*
 * May role administer identities (superuser, or a member of
 * kms_policy.administrator_role)?  Decided in C, not by EXECUTE grants.
 */
extern bool kms_is_administrator(Oid role);

/*
 * Refuse role unless it administers identities; action says what it tried
 * ("register principals").  42501, as PostgreSQL's own privilege checks.
 */
extern void kms_require_administrator(Oid role, const char *action);

#endif							/* KMS_SETTINGS_H */
