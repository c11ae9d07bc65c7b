/*
 * kms_spi.c -- SPI as the extension owner: the API reads and writes its
 * tables as the owner of kms_policy.keys after deciding itself whether the
 * caller may act (pg_cron's pattern), with saved plans, and on the latest
 * committed state where a decision needs it.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "kms_spi.h"

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

void
kms_spi_begin(KmsSpiState *st)
{
	Oid			owner = kms_extension_owner();

	st->caller = GetUserId();
	GetUserIdAndSecContext(&st->save_userid, &st->save_sec_context);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");	/* internal error */
	SetUserIdAndSecContext(owner, st->save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
}

void
kms_spi_end(KmsSpiState *st)
{
	SetUserIdAndSecContext(st->save_userid, st->save_sec_context);
	SPI_finish();
}

/*
 * Saved plans of the API's statements, keyed by the address of their SQL
 * text (always a string literal): each statement is parsed and planned once
 * per backend.  The plan cache revalidates them after DDL.
 */
#define KMS_MAX_PLANS 48

typedef struct KmsPlan
{
	const char *sql;
	SPIPlanPtr	plan;
} KmsPlan;

static KmsPlan kms_plans[KMS_MAX_PLANS];

static SPIPlanPtr
saved_plan(const char *sql, int nargs, Oid *types)
{
	SPIPlanPtr	plan;
	int			i;

	for (i = 0; i < KMS_MAX_PLANS && kms_plans[i].sql != NULL; i++)
		if (kms_plans[i].sql == sql)
			return kms_plans[i].plan;
	plan = SPI_prepare(sql, nargs, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));	/* internal error */
	if (i < KMS_MAX_PLANS && SPI_keepplan(plan) == 0)
	{
		kms_plans[i].sql = sql;
		kms_plans[i].plan = plan;
	}
	return plan;
}

/*
 * Run a parameterised statement; all parameters are text.  snapshot is
 * InvalidSnapshot for SPI's default (read_only: the calling statement's
 * snapshot; otherwise a new one per statement in READ COMMITTED, the
 * transaction's in REPEATABLE READ and SERIALIZABLE).
 */
static int
spi_exec(const char *sql, int nargs, const char *const *args, bool read_only,
		 Snapshot snapshot)
{
	Oid			types[8] = {0};
	Datum		values[8] = {0};
	char		nulls[8] = {0};
	int			rc;

	Assert(nargs <= 8);
	for (int i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	if (snapshot == InvalidSnapshot)
		rc = SPI_execute_plan(saved_plan(sql, nargs, types), values, nulls, read_only, 0);
	else
		rc = SPI_execute_snapshot(saved_plan(sql, nargs, types), values, nulls,
								  snapshot, InvalidSnapshot, read_only, true, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));	/* internal error */
	return rc;
}

int
kms_spi_exec(const char *sql, int nargs, const char *const *args, bool read_only)
{
	return spi_exec(sql, nargs, args, read_only, InvalidSnapshot);
}

/*
 * Run a statement on the latest committed state: with a snapshot taken now
 * (GetLatestSnapshot()) instead of the transaction's, so that in REPEATABLE
 * READ and SERIALIZABLE too a decision sees every change committed before
 * the statement starts -- ri_triggers.c reads referenced rows the same way.
 * In READ COMMITTED this is what a read-write SPI statement does anyway.
 * Works on a hot standby.  Not usable in parallel mode (the API functions
 * are PARALLEL UNSAFE).
 */
int
kms_spi_exec_latest(const char *sql, int nargs, const char *const *args)
{
	/* read-write: SPI advances the command counter, our own writes show */
	return spi_exec(sql, nargs, args, false, GetLatestSnapshot());
}

/* Column of the current SPI result row i as a string in the caller's context. */
char *
kms_spi_col(MemoryContext mcxt, int row, const char *colname)
{
	int			fno = SPI_fnumber(SPI_tuptable->tupdesc, colname);
	char	   *v;

	if (fno <= 0)
		elog(ERROR, "column \"%s\" not found", colname);	/* internal error */
	v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, fno);
	return v ? MemoryContextStrdup(mcxt, v) : NULL;
}

void
kms_spi_check_select(int rc)
{
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan returned %s", SPI_result_code_string(rc));	/* internal error */
}

/* Run one write as the extension owner; did it change a row? */
bool
kms_spi_write_changed_rows(const char *sql, int nargs, const char *const *args)
{
	KmsSpiState st;
	uint64		n;

	kms_spi_begin(&st);
	kms_spi_exec(sql, nargs, args, false);
	n = SPI_processed;
	kms_spi_end(&st);
	return n > 0;
}
