/*
 * kms_settings.c -- the extension's settings, and who administers identities.
 *
 * The settings describe the KMS endpoint this database is: its AWS region and
 * default account, and the same for the Alibaba Cloud dialect.  They change
 * which keys exist for callers, so only superusers may set them.  Who
 * administers identities is a setting too (kms_policy.administrator_role),
 * decided here in C, not by EXECUTE grants.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/guc.h"

#include "kms_settings.h"

char	   *kms_region = NULL;

char	   *kms_account_id = NULL;

char	   *kms_alibaba_region = NULL;

char	   *kms_alibaba_account_id = NULL;

bool		kms_check_principals = true;

char	   *kms_administrator_role = NULL;
int			kms_compiled_policy_cache_size = KMS_DEFAULT_COMPILED_POLICY_CACHE_SIZE;
bool		kms_record_history = true;
int			kms_endpoint_max_clock_skew = KMS_DEFAULT_ENDPOINT_MAX_CLOCK_SKEW;

static bool
check_region(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || kp_partition_for_region(*newval) == NULL)
	{
		GUC_check_errdetail("\"%s\" is not an AWS region name such as \"us-east-1\".",
							*newval ? *newval : "");
		return false;
	}
	return true;
}

static bool
check_account_id(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || !kp_is_aws_account_id(*newval))
	{
		GUC_check_errdetail("An AWS account ID is exactly 12 digits.");
		return false;
	}
	return true;
}

static bool
check_alibaba_region(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || !kp_is_alibaba_region(*newval))
	{
		GUC_check_errdetail("\"%s\" is not an Alibaba Cloud region ID such as \"cn-hangzhou\".",
							*newval ? *newval : "");
		return false;
	}
	return true;
}

static bool
check_alibaba_account_id(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || !kp_is_alibaba_account_id(*newval))
	{
		GUC_check_errdetail("An Alibaba Cloud account ID is exactly 16 digits.");
		return false;
	}
	return true;
}

/* Define the settings (from _PG_init); the prefix kms_policy. is reserved. */
void
kms_define_settings(void)
{
	DefineCustomStringVariable("kms_policy.region",
							   "AWS region of this KMS endpoint.",
							   "Key IDs resolve to keys of this region; key ARNs of other regions are refused.",
							   &kms_region,
							   "us-east-1",
							   PGC_SUSET, 0,
							   check_region, NULL, NULL);
	DefineCustomStringVariable("kms_policy.account_id",
							   "AWS account that owns the keys of this endpoint.",
							   "Callers act in this account; keys of other accounts do not exist for them.",
							   &kms_account_id,
							   "111122223333",
							   PGC_SUSET, 0,
							   check_account_id, NULL, NULL);
	DefineCustomStringVariable("kms_policy.alibaba_region",
							   "Alibaba Cloud region of this KMS endpoint.",
							   NULL,
							   &kms_alibaba_region,
							   "cn-hangzhou",
							   PGC_SUSET, 0,
							   check_alibaba_region, NULL, NULL);
	DefineCustomStringVariable("kms_policy.alibaba_account_id",
							   "Alibaba Cloud account that owns the Alibaba keys of this endpoint.",
							   NULL,
							   &kms_alibaba_account_id,
							   "1192853035118460",
							   PGC_SUSET, 0,
							   check_alibaba_account_id, NULL, NULL);
	DefineCustomBoolVariable("kms_policy.check_principals",
							 "Refuse key policies that name principals missing from the principal registry.",
							 NULL,
							 &kms_check_principals,
							 true,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("kms_policy.administrator_role",
							   "Role whose members administer kms_policy identities (principals, role mappings, identity policies).",
							   "Superusers always administer.  Empty: only superusers.",
							   &kms_administrator_role,
							   "",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("kms_policy.record_history",
							 "Append every change of a key policy to kms_policy.key_policy_history.",
							 "Off only to restore a dump, which brings its own history rows.",
							 &kms_record_history,
							 true,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("kms_policy.compiled_policy_cache_size",
							"Compiled policies each backend keeps, keyed by their exact text.",
							"A policy found here is not parsed again; each entry holds one compiled document.",
							&kms_compiled_policy_cache_size,
							KMS_DEFAULT_COMPILED_POLICY_CACHE_SIZE, 1, KMS_MAX_COMPILED_POLICY_CACHE_SIZE,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("kms_policy.endpoint_max_clock_skew",
							"Seconds a KMS endpoint request's X-Amz-Date may differ from now() (kms_endpoint_authenticate).",
							"AWS allows 15 minutes either way.  0: not checked (tests with fixed signing vectors only).",
							&kms_endpoint_max_clock_skew,
							KMS_DEFAULT_ENDPOINT_MAX_CLOCK_SKEW, 0, KMS_MAX_ENDPOINT_MAX_CLOCK_SKEW,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("kms_policy");
}

/* The endpoint's partition, from kms_policy.region. */
const char *
kms_endpoint_partition(void)
{
	const char *p = kp_partition_for_region(kms_region);

	return p ? p : "aws";
}

/*
 * May role administer kms_policy's identities (the principal registry, role
 * mappings, identity policies)?  Superusers may; so may the members (with
 * inherited privileges) of the role named by kms_policy.administrator_role,
 * a superuser-only setting.  EXECUTE on a function never answers this.
 */
bool
kms_is_administrator(Oid role)
{
	Oid			admin;

	if (superuser_arg(role))
		return true;
	if (kms_administrator_role == NULL || kms_administrator_role[0] == '\0')
		return false;
	admin = get_role_oid(kms_administrator_role, true);
	return OidIsValid(admin) && has_privs_of_role(role, admin);
}

/*
 * Refuse role unless it administers identities; action says what it tried
 * ("register principals").  42501, as PostgreSQL's own privilege checks.
 */
void
kms_require_administrator(Oid role, const char *action)
{
	if (kms_is_administrator(role))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to %s", action),
			 errdetail("Role \"%s\" does not administer kms_policy identities: only superusers and members of the role named by kms_policy.administrator_role register principals, map roles and manage identity policies; EXECUTE on a function does not make an administrator.",
					   GetUserNameFromId(role, false)),
			 (kms_administrator_role && kms_administrator_role[0])
			 ? errhint("Ask a superuser to grant membership in role \"%s\" (kms_policy.administrator_role).",
					   kms_administrator_role)
			 : errhint("A superuser may name an administrator role in kms_policy.administrator_role.")));
}
