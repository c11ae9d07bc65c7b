/*
 * kms_policy.c -- module entry point and settings.
 *
 * The settings describe the KMS endpoint this database is: its AWS region and
 * default account, and the same for the Alibaba Cloud dialect.  They change
 * which keys exist for callers, so only superusers may set them.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "kms_policy.h"

PG_MODULE_MAGIC;

char	   *kms_region = NULL;
char	   *kms_account_id = NULL;
char	   *kms_alibaba_region = NULL;
char	   *kms_alibaba_account_id = NULL;
bool		kms_check_principals = true;
char	   *kms_administrator_role = NULL;

PGDLLEXPORT void _PG_init(void);

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

void
_PG_init(void)
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

	MarkGUCPrefixReserved("kms_policy");

	/* Long core loops stop when a cancel or timeout is pending. */
	kp_set_interrupt_check(kms_core_interrupt_pending);
}

/*
 * The role the API reads and writes its tables as: the owner of
 * kms_policy.keys (the extension owner, who created it), found through the
 * catalog caches.  The API decides itself whether the caller may act first
 * (pg_cron's pattern).
 */
Oid
kms_extension_owner(void)
{
	Oid			nsp = get_namespace_oid("kms_policy", true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid("keys", nsp) : InvalidOid;
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(rel))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"kms_policy\" is not installed in this database")));
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", rel);	/* internal error */
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
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
