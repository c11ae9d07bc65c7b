/*
 * kms_policy.c -- the module's entry point: defines the settings and sets
 * the core's interrupt hook.
 *
 * The glue's layers, calls only going down:
 *   1. kms_errors, kms_settings        KMS exceptions, settings, administrators
 *   2. kms_spi, kms_args, kms_trigger_util   SPI, argument and trigger helpers
 *   3. kms_key_store, kms_principal_store, kms_identity_store, kms_history,
 *      kms_policy_cache                the stores and the compiled-policy cache
 *   4. kms_authz                       authorization (no SQL-callable function)
 *   5. kms_api_*, kms_triggers_*       the SQL API (kms_api_access_keys: the
 *                                      endpoint's access keys) and the trigger functions
 */
#include "postgres.h"

#include "fmgr.h"

#include "kms_errors.h"
#include "kms_settings.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);

void
_PG_init(void)
{
	kms_define_settings();

	/* Long core loops stop when a cancel or timeout is pending. */
	kp_set_interrupt_check(kms_core_interrupt_pending);
}
