/*
 * kms_api_identity.c -- identity administration as SQL functions: register
 * and deregister principals, map roles to principals, put and delete
 * identity policies.
 *
 * Only superusers and members of kms_policy.administrator_role administer
 * identities (kms_is_administrator), checked here in C before any write; the
 * tables' triggers (kms_triggers_identity.c) check the writing role again.
 * The functions write as the extension owner after their own check.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "kms_args.h"
#include "kms_errors.h"
#include "kms_identity_store.h"
#include "kms_principal_store.h"
#include "kms_settings.h"
#include "kms_spi.h"

PG_FUNCTION_INFO_V1(kms_register_principal_v1);
PG_FUNCTION_INFO_V1(kms_deregister_principal_v1);
PG_FUNCTION_INFO_V1(kms_map_role_v1);
PG_FUNCTION_INFO_V1(kms_unmap_role_v1);
PG_FUNCTION_INFO_V1(kms_put_identity_policy_v1);
PG_FUNCTION_INFO_V1(kms_delete_identity_policy_v1);

/* Called first by every identity administration function. */
static void
require_api_administrator(const char *action)
{
	kms_require_administrator(GetUserId(), action);
}

Datum
kms_register_principal_v1(PG_FUNCTION_ARGS)
{
	KmsPrincipal *p;
	const char *args[4];

	require_api_administrator("register principals");
	p = kms_parse_principal(kms_arg_utf8(fcinfo, 0, NULL), "arn");

	args[0] = p->arn;
	args[1] = p->dialect == KP_DIALECT_ALIBABA ? "alibaba" : "aws";
	args[2] = p->kind;
	args[3] = p->account;
	PG_RETURN_BOOL(kms_spi_write_changed_rows("INSERT INTO kms_policy.principals (arn, dialect, kind, account_id) "
									  "VALUES ($1, $2, $3, $4) ON CONFLICT (arn) DO NOTHING",
									  4, args));
}

Datum
kms_deregister_principal_v1(PG_FUNCTION_ARGS)
{
	KmsPrincipal *p;
	const char *args[1];

	require_api_administrator("deregister principals");
	p = kms_parse_principal(kms_arg_utf8(fcinfo, 0, NULL), "arn");
	args[0] = p->arn;
	PG_RETURN_BOOL(kms_spi_write_changed_rows("DELETE FROM kms_policy.principals WHERE arn = $1", 1, args));
}

Datum
kms_map_role_v1(PG_FUNCTION_ARGS)
{
	Oid			role;
	KmsPrincipal *p;
	KmsSpiState st;
	const char *args[3];
	bool		registered;

	require_api_administrator("map roles to principals");
	if (PG_ARGISNULL(0))
		kms_raise_null_argument("role", KP_DIALECT_AWS);
	role = PG_GETARG_OID(0);
	args[1] = kms_existing_role_name(role);
	p = kms_check_mapped_principal(kms_arg_utf8(fcinfo, 1, NULL), &registered);
	args[0] = psprintf("%u", role);
	args[2] = p->arn;
	kms_spi_begin(&st);
	kms_spi_exec("INSERT INTO kms_policy.role_principals (role, role_name, principal) "
				 "VALUES ($1::oid::regrole, $2, $3) "
				 "ON CONFLICT (role) DO UPDATE "
				 "SET role_name = EXCLUDED.role_name, principal = EXCLUDED.principal",
				 3, args, false);
	kms_spi_end(&st);
	PG_RETURN_VOID();
}

/* Also removes the mapping of a dropped role: kms_unmap_role('16999'). */
Datum
kms_unmap_role_v1(PG_FUNCTION_ARGS)
{
	const char *args[1];

	require_api_administrator("unmap roles");
	if (PG_ARGISNULL(0))
		kms_raise_null_argument("role", KP_DIALECT_AWS);
	args[0] = psprintf("%u", PG_GETARG_OID(0));
	PG_RETURN_BOOL(kms_spi_write_changed_rows("DELETE FROM kms_policy.role_principals WHERE role = $1::oid::regrole",
									  1, args));
}

Datum
kms_put_identity_policy_v1(PG_FUNCTION_ARGS)
{
	KmsPrincipal *p;
	char	   *name;
	size_t		len;
	char	   *doc;
	KmsSpiState st;
	const char *args[3];

	require_api_administrator("manage identity policies");
	p = kms_check_identity_owner(kms_arg_utf8(fcinfo, 0, NULL));
	name = kms_arg_utf8(fcinfo, 1, NULL);
	doc = kms_arg_utf8(fcinfo, 2, &len);
	if (doc == NULL)
		kms_raise_null_argument("policyDocument", p->dialect);
	kms_check_identity_policy(p->arn, name, doc, len);
	args[0] = p->arn;
	args[1] = name;
	args[2] = pg_any_to_server(doc, len, PG_UTF8);
	kms_spi_begin(&st);
	if (!kms_principal_registered_locked(p->arn))
		kms_raise_identity_owner_unknown(p->arn);
	kms_spi_exec("INSERT INTO kms_policy.identity_policies (principal, policy_name, policy, updated_at) "
				 "VALUES ($1, $2, $3, pg_catalog.statement_timestamp()) "
				 "ON CONFLICT (principal, policy_name) DO UPDATE "
				 "SET policy = EXCLUDED.policy, updated_at = EXCLUDED.updated_at",
				 3, args, false);
	kms_spi_end(&st);
	PG_RETURN_VOID();
}

Datum
kms_delete_identity_policy_v1(PG_FUNCTION_ARGS)
{
	KmsPrincipal *p;
	char	   *name;
	const char *args[2];

	require_api_administrator("manage identity policies");
	p = kms_check_identity_owner(kms_arg_utf8(fcinfo, 0, NULL));
	name = kms_arg_utf8(fcinfo, 1, NULL);
	kms_check_identity_policy_name(name);
	args[0] = p->arn;
	args[1] = name;
	PG_RETURN_BOOL(kms_spi_write_changed_rows("DELETE FROM kms_policy.identity_policies WHERE principal = $1 AND policy_name = $2",
									  2, args));
}
