/*
 * kms_history.c -- the history of key policies (kms_policy.key_policy_history).
 *
 * Every change of a key policy -- kms_create_key, kms_put_key_policy, a
 * direct INSERT or UPDATE of kms_policy.key_policies -- appends one row in
 * the same transaction (the AFTER trigger of key_policies): the next version
 * of that key's policy, the document and its SHA-256, who made the change and
 * how.  Every writer of a key's policy locks the key row first, so versions
 * are numbered 1, 2, 3 ... per key without gaps, in commit order; a change
 * that fails or rolls back leaves no row.  The table's own trigger refuses
 * UPDATE and DELETE to everyone, and INSERT to anyone but this module
 * (or a restore, with kms_policy.record_history off).
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "kms_args.h"
#include "kms_history.h"
#include "kms_spi.h"

/* True while this module inserts a history row (the table's guard checks it). */
static bool appending = false;

bool
kms_history_appending(void)
{
	return appending;
}

int64
kms_key_policy_version(const char *key_id, const char *policy_name)
{
	const char *args[2] = {key_id, policy_name};
	char	   *v;

	kms_spi_exec_latest("SELECT coalesce(max(version), 0) FROM kms_policy.key_policy_history "
						"WHERE key_id = $1 AND policy_name = $2",
						2, args);
	if (SPI_processed != 1)
		elog(ERROR, "reading the version of key %s returned " UINT64_FORMAT " rows",
			 key_id, SPI_processed);	/* internal error */
	v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	return pg_strtoint64(v);
}

void
kms_append_history(const char *key_id, const char *policy_name, const char *doc,
				   size_t len, Oid role, const char *principal,
				   const char *operation, bool bypass)
{
	const char *args[7];
	KmsSpiState st;

	kms_spi_begin(&st);
	args[0] = key_id;
	args[1] = policy_name;
	args[2] = kms_utf8_to_server(doc, len);
	args[3] = principal;
	args[4] = GetUserNameFromId(role, false);
	args[5] = operation;
	args[6] = bypass ? "true" : "false";
	appending = true;
	PG_TRY();
	{
		/* the next version on the latest committed state (the key row is locked) */
		kms_spi_exec_latest("INSERT INTO kms_policy.key_policy_history "
							"(key_id, policy_name, version, policy, sha256, changed_at, "
							" principal, role, operation, bypass_policy_lockout_safety_check) "
							"SELECT $1, $2, coalesce(max(h.version), 0) + 1, $3, "
							"pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to($3, 'UTF8')), 'hex'), "
							"pg_catalog.statement_timestamp(), $4, $5, $6, $7::boolean "
							"FROM kms_policy.key_policy_history h "
							"WHERE h.key_id = $1 AND h.policy_name = $2",
							7, args);
		if (SPI_processed != 1)
			elog(ERROR, "appending to the history of key %s wrote " UINT64_FORMAT " rows",
				 key_id, SPI_processed);	/* internal error */
	}
	PG_FINALLY();
	{
		appending = false;
	}
	PG_END_TRY();
	kms_spi_end(&st);
}
