/*
 * keys.c -- the KMS API as SQL functions: keys, key policies, key states.
 *
 * Each function checks its arguments in the order AWS does (member shape,
 * policy name, key resolution, key state, document), then reads or writes
 * the extension's tables through SPI as the extension owner.  Every write to
 * kms_policy.key_policies goes through the validation trigger (triggers.c),
 * which compiles the document through the same cache as the API
 * (policy_cache.c), so a rule lives in one place and a document is parsed
 * once per call.
 *
 * Decisions rest on the latest committed state: the key and its policy are
 * read with a snapshot taken at the time (kms_spi_exec_latest), and a call
 * that writes locks the key row before it reads the policy it evaluates
 * (read_key), so that nothing it decided on can change before it commits.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "kms_policy.h"

PG_FUNCTION_INFO_V1(kms_create_key_v1);
PG_FUNCTION_INFO_V1(kms_get_key_policy_v1);
PG_FUNCTION_INFO_V1(kms_put_key_policy_v1);
PG_FUNCTION_INFO_V1(kms_list_key_policies_v1);
PG_FUNCTION_INFO_V1(kms_describe_key_v1);
PG_FUNCTION_INFO_V1(kms_list_keys_v1);
PG_FUNCTION_INFO_V1(kms_disable_key_v1);
PG_FUNCTION_INFO_V1(kms_enable_key_v1);
PG_FUNCTION_INFO_V1(kms_schedule_key_deletion_v1);
PG_FUNCTION_INFO_V1(kms_cancel_key_deletion_v1);

#define KEY_COLUMNS \
	"key_id, arn, key_state, description, creation_date, deletion_date, " \
	"multi_region, dialect, account_id, region, partition"

/* AWS DescriptionType: 0..8192 characters. */
#define KMS_MAX_DESCRIPTION 8192

/* ------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------ */

/* A text argument as a NUL-terminated UTF-8 string, or NULL. */
char *
kms_arg_utf8(FunctionCallInfo fcinfo, int argno, size_t *len)
{
	text	   *t;
	char	   *s;
	int			n;

	if (PG_ARGISNULL(argno))
	{
		if (len)
			*len = 0;
		return NULL;
	}
	t = PG_GETARG_TEXT_PP(argno);
	n = VARSIZE_ANY_EXHDR(t);
	s = pg_server_to_any(VARDATA_ANY(t), n, PG_UTF8);
	if (s == VARDATA_ANY(t))
		s = pnstrdup(s, n);
	else
		n = strlen(s);
	if (len)
		*len = n;
	return s;
}

/* Which dialect an identifier names: Alibaba's start with acs: or key-. */
kp_dialect
kms_input_dialect(const char *key_input)
{
	if (key_input != NULL &&
		(strncmp(key_input, "acs:", 4) == 0 || strncmp(key_input, "key-", 4) == 0))
		return KP_DIALECT_ALIBABA;
	return KP_DIALECT_AWS;
}

/* Count UTF-8 characters (the input is valid UTF-8: it came from the server). */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Does every character lie in U+0020..U+00FF (MarkerType's pattern)? */
static bool
utf8_latin1_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x80)
		{
			if (c < 0x20)
				return false;
		}
		else if (c == 0xC2 || c == 0xC3)
			i++;				/* U+0080..U+00FF */
		else
			return false;
	}
	return true;
}

static void
raise_length(const char *member, const char *value, bool too_long, int bound,
			 kp_dialect dialect)
{
	char	   *msg;

	if (dialect == KP_DIALECT_ALIBABA)
		kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
				  psprintf("The parameter %s must have a length %s %d.", member,
						   too_long ? "less than or equal to" : "greater than or equal to",
						   bound),
				  NULL);
	msg = psprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length %s %d",
				   value, member,
				   too_long ? "less than or equal to" : "greater than or equal to",
				   bound);
	kms_raise(KMS_VALIDATION, msg, NULL, NULL);
}

/* KeyIdType: required, 1..2048 characters. */
static void
check_key_id_shape(const char *key_input, kp_dialect dialect)
{
	size_t		n;

	if (key_input == NULL)
		kms_raise_null_argument("keyId", dialect);
	n = utf8_chars(key_input, strlen(key_input));
	if (n < 1)
		raise_length("keyId", key_input, false, 1, dialect);
	if (n > 2048)
		raise_length("keyId", "...", true, 2048, dialect);
}

/*
 * PolicyNameType: NULL means "default"; 1..128 characters of [A-Za-z0-9_];
 * a well-formed name other than "default" does not exist.
 */
const char *
kms_check_policy_name(const char *name, kp_dialect dialect)
{
	size_t		len;

	if (name == NULL)
		return "default";
	len = strlen(name);
	if (len < 1)
		raise_length("policyName", name, false, 1, dialect);
	if (utf8_chars(name, len) > 128)
		raise_length("policyName", "...", true, 128, dialect);
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) name[i];

		if (!(isascii(c) && (isalnum(c) || c == '_')))
		{
			if (dialect == KP_DIALECT_ALIBABA)
				kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
						  psprintf("The policy name '%s' may contain only letters, digits and underscores.", name),
						  NULL);
			kms_raise(KMS_VALIDATION,
					  psprintf("1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+",
							   name),
					  NULL, NULL);
		}
	}
	if (strcmp(name, "default") != 0)
	{
		if (dialect == KP_DIALECT_ALIBABA)
			kms_raise(ALI_RESOURCE_NOT_FOUND, "Policy not found.",
					  psprintf("The only key policy name is \"default\", not \"%s\".", name),
					  NULL);
		kms_raise(KMS_NOT_FOUND, "No such policy exists",
				  psprintf("The only key policy name is \"default\", not \"%s\".", name),
				  NULL);
	}
	return "default";
}

/* ------------------------------------------------------------------------
 * SPI as the extension owner
 * ------------------------------------------------------------------------ */

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
static char *
spi_col(MemoryContext mcxt, int row, const char *colname)
{
	int			fno = SPI_fnumber(SPI_tuptable->tupdesc, colname);
	char	   *v;

	if (fno <= 0)
		elog(ERROR, "column \"%s\" not found", colname);	/* internal error */
	v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, fno);
	return v ? MemoryContextStrdup(mcxt, v) : NULL;
}

/* ------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------ */

/*
 * Read the key row with this id (inside kms_spi_begin/end); NULL when there
 * is none.
 *
 * KEY_READ_TXN reads with SPI's default snapshot (the triggers' look-up).
 * KEY_READ_LATEST reads the latest committed row (every read call).
 * KEY_READ_LOCK, for every call that writes, locks the latest row FOR NO KEY
 * UPDATE: the key's policy cannot change (every writer of a key policy locks
 * the key row the same way) and no other state change or put can start
 * until this transaction ends.  The lock waits for a transaction that holds
 * it; when that one deleted the key, the row is gone and the key is not
 * found.  In REPEATABLE READ and SERIALIZABLE the row must moreover be the
 * one the transaction's snapshot sees: a key updated, deleted or created by
 * a transaction that committed after the snapshot is a serialization failure
 * (40001), as PostgreSQL's own UPDATE of that row would be.
 */
typedef enum KeyRead
{
	KEY_READ_TXN,
	KEY_READ_LATEST,
	KEY_READ_LOCK
} KeyRead;

static KmsKey *
read_key(MemoryContext mcxt, const char *key_id, KeyRead how)
{
	const char *args[1] = {key_id};
	KmsKey	   *key;
	char	   *dialect;

	switch (how)
	{
		case KEY_READ_TXN:
			kms_spi_exec("SELECT " KEY_COLUMNS " FROM kms_policy.keys WHERE key_id = $1",
						 1, args, false);
			break;
		case KEY_READ_LATEST:
			kms_spi_exec_latest("SELECT " KEY_COLUMNS " FROM kms_policy.keys WHERE key_id = $1",
								1, args);
			break;
		case KEY_READ_LOCK:
			kms_spi_exec_latest("SELECT " KEY_COLUMNS " FROM kms_policy.keys WHERE key_id = $1 "
								"FOR NO KEY UPDATE",
								1, args);
			break;
	}
	if (SPI_processed == 0)
		return NULL;
	if (SPI_processed != 1)
		elog(ERROR, UINT64_FORMAT " keys with id %s", SPI_processed, key_id);	/* internal error */
	key = MemoryContextAllocZero(mcxt, sizeof(KmsKey));
	key->key_id = spi_col(mcxt, 0, "key_id");
	key->arn = spi_col(mcxt, 0, "arn");
	key->key_state = spi_col(mcxt, 0, "key_state");
	key->partition = spi_col(mcxt, 0, "partition");
	key->region = spi_col(mcxt, 0, "region");
	key->account_id = spi_col(mcxt, 0, "account_id");
	dialect = spi_col(mcxt, 0, "dialect");
	key->dialect = strcmp(dialect, "alibaba") == 0 ? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;

	if (how == KEY_READ_LOCK && IsolationUsesXactSnapshot())
	{
		/*
		 * Lock the version the transaction's snapshot sees as well: we hold
		 * the lock on the latest one already, so this succeeds at once if
		 * they are the same, and fails with 40001 if the row was updated
		 * since the snapshot.
		 */
		kms_spi_exec("SELECT 1 FROM kms_policy.keys WHERE key_id = $1 FOR NO KEY UPDATE",
					 1, args, false);
		if (SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update"),
					 errdetail("Key %s was created after the snapshot of this transaction was taken.",
							   key->arn),
					 errhint("Retry the transaction.")));
	}
	return key;
}

KmsKey *
kms_lookup_key_by_id(const char *key_id)
{
	MemoryContext mcxt = CurrentMemoryContext;
	KmsSpiState st;
	KmsKey	   *key;

	kms_spi_begin(&st);
	key = read_key(mcxt, key_id, KEY_READ_TXN);
	kms_spi_end(&st);
	return key;
}

/* The endpoint's partition, from kms_policy.region. */
static const char *
endpoint_partition(void)
{
	const char *p = kp_partition_for_region(kms_region);

	return p ? p : "aws";
}

void
kms_raise_key_not_found(const char *arn, kp_dialect dialect)
{
	if (dialect == KP_DIALECT_ALIBABA)
		kms_raise(ALI_KEY_NOT_FOUND, "The specified Key is not found.",
				  psprintf("No key %s exists in this endpoint's account and region.", arn),
				  NULL);
	kms_raise(KMS_NOT_FOUND, psprintf("Key '%s' does not exist", arn), NULL, NULL);
}

static KmsKey *
resolve_aws_key(MemoryContext mcxt, const char *input, KeyRead how)
{
	const char *key_id;
	const char *arn;
	const char *partition = endpoint_partition();
	KmsKey	   *key;

	if (strncmp(input, "arn:", 4) == 0)
	{
		kp_arn		a;
		const char *form = "A key ARN has the form arn:<partition>:kms:<region>:<account-id>:key/<key-id>.";

		if (!kp_arn_split(input, &a) || strcmp(a.prefix, "arn") != 0)
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("The ARN does not have six colon-separated parts. %s", form), NULL);
		if (!kp_is_partition(a.partition))
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("\"%s\" is not an AWS partition. %s", a.partition, form), NULL);
		if (strcmp(a.service, "kms") != 0)
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("The service is \"%s\", not \"kms\". %s", a.service, form), NULL);
		if (strncmp(a.resource, "alias/", 6) == 0)
			kms_raise(KMS_INVALID_ARN, "Key Aliases are not supported for this operation",
					  psprintf("This operation accepts a key ID or key ARN, not the alias ARN '%s'.", input),
					  NULL);
		if (strncmp(a.resource, "key/", 4) != 0)
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("The resource \"%s\" is not key/<key-id>. %s", a.resource, form), NULL);
		if (!kp_is_aws_account_id(a.account))
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("The account \"%s\" is not a 12-digit account ID. %s", a.account, form), NULL);
		if (kp_partition_for_region(a.region) == NULL ||
			strcmp(kp_partition_for_region(a.region), a.partition) != 0)
			kms_raise(KMS_INVALID_ARN, psprintf("'%s' is not a valid key ARN", input),
					  psprintf("\"%s\" is not a region of partition \"%s\". %s", a.region, a.partition, form),
					  NULL);
		if (strcmp(a.region, kms_region) != 0)
			kms_raise(KMS_NOT_FOUND, psprintf("Invalid arn %s", a.region),
					  psprintf("This endpoint serves region %s (kms_policy.region).", kms_region),
					  NULL);
		key_id = a.resource + 4;
		if (!kp_is_aws_key_id(key_id) && !kp_is_aws_mrk_id(key_id))
			kms_raise(KMS_NOT_FOUND, psprintf("Invalid keyId '%s'", key_id),
					  "A key ID is a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab, or mrk- followed by 32 hexadecimal digits.",
					  NULL);
		key_id = pstrdup(key_id);
		arn = input;
		if (strcmp(a.account, kms_account_id) != 0 || strcmp(a.partition, partition) != 0)
			kms_raise_key_not_found(arn, KP_DIALECT_AWS);
	}
	else
	{
		if (strncmp(input, "alias/", 6) == 0)
			kms_raise(KMS_NOT_FOUND, psprintf("Invalid keyId '%s'", input),
					  "Key policy operations accept a key ID or key ARN; alias names are not accepted.",
					  "Use kms_describe_key or kms_list_keys to find the key ID.");
		if (!kp_is_aws_key_id(input) && !kp_is_aws_mrk_id(input))
			kms_raise(KMS_NOT_FOUND, psprintf("Invalid keyId '%s'", input),
					  "A key ID is a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab, or mrk- followed by 32 hexadecimal digits.",
					  NULL);
		key_id = input;
		arn = psprintf("arn:%s:kms:%s:%s:key/%s", partition, kms_region, kms_account_id, input);
	}

	key = read_key(mcxt, key_id, how);
	if (key == NULL || key->dialect != KP_DIALECT_AWS ||
		strcmp(key->account_id, kms_account_id) != 0 ||
		strcmp(key->region, kms_region) != 0 ||
		strcmp(key->partition, partition) != 0)
		kms_raise_key_not_found(arn, KP_DIALECT_AWS);
	return key;
}

static KmsKey *
resolve_alibaba_key(MemoryContext mcxt, const char *input, KeyRead how)
{
	const char *key_id;
	const char *arn;
	KmsKey	   *key;

	if (strncmp(input, "acs:", 4) == 0)
	{
		kp_arn		a;

		if (!kp_arn_split(input, &a) || strcmp(a.prefix, "acs") != 0 ||
			strcmp(a.service, "kms") != 0)
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("'%s' is not a key ARN of the form acs:kms:<region>:<account>:key/<key-id>.", input),
					  NULL);
		if (strncmp(a.resource, "alias/", 6) == 0)
			kms_raise(ALI_UNSUPPORTED_ALIAS, "Alias is not valid for this api.",
					  psprintf("This operation accepts a key ID or key ARN, not the alias ARN '%s'.", input),
					  NULL);
		if (strncmp(a.resource, "key/", 4) != 0 || !kp_is_alibaba_key_id(a.resource + 4))
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("'%s' is not a key ARN of the form acs:kms:<region>:<account>:key/<key-id>.", input),
					  NULL);
		key_id = pstrdup(a.resource + 4);
		arn = input;
		if (strcmp(a.region, kms_alibaba_region) != 0 ||
			strcmp(a.account, kms_alibaba_account_id) != 0)
			kms_raise_key_not_found(arn, KP_DIALECT_ALIBABA);
	}
	else
	{
		if (!kp_is_alibaba_key_id(input))
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("'%s' is not an Alibaba Cloud key ID (key- followed by 8 to 64 lowercase letters and digits).", input),
					  NULL);
		key_id = input;
		arn = psprintf("acs:kms:%s:%s:key/%s", kms_alibaba_region, kms_alibaba_account_id, input);
	}

	key = read_key(mcxt, key_id, how);
	if (key == NULL || key->dialect != KP_DIALECT_ALIBABA ||
		strcmp(key->account_id, kms_alibaba_account_id) != 0 ||
		strcmp(key->region, kms_alibaba_region) != 0)
		kms_raise_key_not_found(arn, KP_DIALECT_ALIBABA);
	return key;
}

static KmsKey *
resolve_key(const char *input, KeyRead how)
{
	MemoryContext mcxt = CurrentMemoryContext;

	if (kms_input_dialect(input) == KP_DIALECT_ALIBABA)
		return resolve_alibaba_key(mcxt, input, how);
	return resolve_aws_key(mcxt, input, how);
}

/*
 * KeyId resolution (kms-spec 2.3): a key ID or key ARN of this endpoint's
 * account and region, read as it is committed now (read calls).  Call inside
 * kms_spi_begin/end.
 */
KmsKey *
kms_resolve_key(const char *input)
{
	return resolve_key(input, KEY_READ_LATEST);
}

/*
 * The same for a call that writes: the key row is locked FOR NO KEY UPDATE
 * before anything about the key is decided (see read_key).
 */
KmsKey *
kms_resolve_key_for_update(const char *input)
{
	return resolve_key(input, KEY_READ_LOCK);
}

/*
 * The metadata row of one key (inside SPI), as the function's result: as
 * committed now, so a key deleted since it was resolved is not found.
 */
static Datum
key_metadata_datum(const KmsKey *key)
{
	const char *args[1] = {key->key_id};

	kms_spi_exec_latest("SELECT key_id, arn, key_state, description, creation_date, deletion_date, "
						"multi_region, dialect, account_id, region "
						"FROM kms_policy.keys WHERE key_id = $1",
						1, args);
	if (SPI_processed != 1)
		kms_raise_key_not_found(key->arn, key->dialect);
	return PointerGetDatum(SPI_returntuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc));
}

/* ------------------------------------------------------------------------
 * Default key policies
 * ------------------------------------------------------------------------ */

/* Byte for byte what AWS returns for a key created without a policy. */
static char *
aws_default_policy(const char *partition, const char *account)
{
	return psprintf("{\n"
					"  \"Version\" : \"2012-10-17\",\n"
					"  \"Id\" : \"key-default-1\",\n"
					"  \"Statement\" : [ {\n"
					"    \"Sid\" : \"Enable IAM User Permissions\",\n"
					"    \"Effect\" : \"Allow\",\n"
					"    \"Principal\" : {\n"
					"      \"AWS\" : \"arn:%s:iam::%s:root\"\n"
					"    },\n"
					"    \"Action\" : \"kms:*\",\n"
					"    \"Resource\" : \"*\"\n"
					"  } ]\n"
					"}", partition, account);
}

/* Alibaba's default key policy, in the layout of its GetKeyPolicy example. */
static char *
alibaba_default_policy(const char *account)
{
	return psprintf("{\"Statement\": [{\"Action\": [\"kms:*\"],\"Effect\": \"Allow\","
					"\"Principal\": {\"RAM\": [\"acs:ram::%s:*\"]},\"Resource\": [\"*\"],"
					"\"Sid\": \"kms default key policy\"}],\"Version\": \"1\" }",
					account);
}

/* The default key policy of a key of either dialect (UTF-8). */
char *
kms_default_policy(const KmsKey *key)
{
	if (key->dialect == KP_DIALECT_ALIBABA)
		return alibaba_default_policy(key->account_id);
	return aws_default_policy(key->partition, key->account_id);
}

/* ------------------------------------------------------------------------
 * Policy writes
 * ------------------------------------------------------------------------ */

/* Convert a UTF-8 string to the server encoding for storage. */
static char *
utf8_to_server(const char *s, size_t len)
{
	return pg_any_to_server(s, len, PG_UTF8);
}

/*
 * Store the key's policy.  The key row is locked by the caller; in
 * REPEATABLE READ and SERIALIZABLE, a policy row written by a transaction
 * that committed after the snapshot makes the upsert fail with 40001
 * (PostgreSQL's rule for INSERT ... ON CONFLICT DO UPDATE).
 */
static void
store_policy(const char *key_id, const char *policy_utf8, size_t len)
{
	const char *args[2];

	args[0] = key_id;
	args[1] = utf8_to_server(policy_utf8, len);
	kms_spi_exec("INSERT INTO kms_policy.key_policies AS p (key_id, policy_name, policy, updated_at) "
				 "VALUES ($1, 'default', $2, pg_catalog.statement_timestamp()) "
				 "ON CONFLICT (key_id, policy_name) DO UPDATE "
				 "SET policy = EXCLUDED.policy, updated_at = EXCLUDED.updated_at",
				 2, args, false);
	if (SPI_processed != 1)
		elog(ERROR, "storing the policy of key %s wrote " UINT64_FORMAT " rows",
			 key_id, SPI_processed);	/* internal error */
}

/*
 * Validate a new policy document for a key and apply the lockout safety
 * check, before anything is written.
 */
static void
check_new_policy(const char *policy, size_t len, const KmsKey *key,
				 bool bypass_lockout_check, Oid caller)
{
	const kp_policy *compiled;

	compiled = kms_compile_policy(policy, len, key->dialect, KP_DOC_KEY_POLICY,
								  key->partition, key->account_id);
	kms_check_policy_principals(compiled, key);
	/* The policy lockout safety check (authz.c). */
	kms_lockout_safety_check(compiled, key, caller, bypass_lockout_check);
}

/* ------------------------------------------------------------------------
 * SQL functions
 * ------------------------------------------------------------------------ */

static char *
random_hex(int nbytes)
{
	uint8		buf[32];
	char	   *out = palloc(nbytes * 2 + 1);

	Assert(nbytes <= (int) sizeof(buf));
	if (!pg_strong_random(buf, nbytes))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random key ID")));
	for (int i = 0; i < nbytes; i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
	return out;
}

static char *
new_key_id(kp_dialect dialect, bool multi_region)
{
	char	   *h = random_hex(16);

	if (dialect == KP_DIALECT_ALIBABA)
	{
		/* key- + 24 characters of [a-z0-9] */
		static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
		uint8		buf[24];
		char	   *out = palloc(4 + 24 + 1);

		if (!pg_strong_random(buf, sizeof(buf)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random key ID")));
		memcpy(out, "key-", 4);
		for (int i = 0; i < 24; i++)
			out[4 + i] = alnum[buf[i] % 36];
		out[28] = '\0';
		return out;
	}
	if (multi_region)
		return psprintf("mrk-%s", h);
	/* UUID version 4 */
	h[12] = '4';
	h[16] = "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];
	return psprintf("%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

Datum
kms_create_key_v1(PG_FUNCTION_ARGS)
{
	size_t		policy_len;
	char	   *policy = kms_arg_utf8(fcinfo, 0, &policy_len);
	char	   *description = kms_arg_utf8(fcinfo, 1, NULL);
	bool		bypass = PG_ARGISNULL(2) ? false : PG_GETARG_BOOL(2);
	bool		multi_region = PG_ARGISNULL(3) ? false : PG_GETARG_BOOL(3);
	char	   *dialect_arg = kms_arg_utf8(fcinfo, 4, NULL);
	kp_dialect	dialect;
	KmsKey		key;
	KmsSpiState st;
	Datum		result;
	const char *args[7];

	if (dialect_arg == NULL || strcmp(dialect_arg, "aws") == 0)
		dialect = KP_DIALECT_AWS;
	else if (strcmp(dialect_arg, "alibaba") == 0)
		dialect = KP_DIALECT_ALIBABA;
	else
		kms_raise(KMS_VALIDATION,
				  psprintf("1 validation error detected: Value '%s' at 'dialect' failed to satisfy constraint: Member must satisfy enum value set: [aws, alibaba]",
						   dialect_arg),
				  NULL, NULL);

	if (description == NULL)
		description = "";
	if (utf8_chars(description, strlen(description)) > KMS_MAX_DESCRIPTION)
		raise_length("description", "...", true, KMS_MAX_DESCRIPTION, dialect);
	if (policy != NULL)
	{
		kp_error	err;

		if (kp_policy_check_text(policy, policy_len, dialect, &err) != KP_OK)
			kms_raise_core(&err, dialect);
	}
	if (multi_region && dialect == KP_DIALECT_ALIBABA)
		kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
				  "Alibaba Cloud keys cannot be multi-Region keys.", NULL);

	memset(&key, 0, sizeof(key));
	key.dialect = dialect;
	key.key_state = "Enabled";
	if (dialect == KP_DIALECT_AWS)
	{
		key.partition = (char *) endpoint_partition();
		key.region = kms_region;
		key.account_id = kms_account_id;
	}
	else
	{
		key.partition = "";
		key.region = kms_alibaba_region;
		key.account_id = kms_alibaba_account_id;
	}
	key.key_id = new_key_id(dialect, multi_region);
	key.arn = dialect == KP_DIALECT_AWS
		? psprintf("arn:%s:kms:%s:%s:key/%s", key.partition, key.region, key.account_id, key.key_id)
		: psprintf("acs:kms:%s:%s:key/%s", key.region, key.account_id, key.key_id);

	kms_spi_begin(&st);
	/* CreateKey is an IAM permission (the account root has it). */
	kms_authorize_create_key(st.caller, dialect, bypass);

	if (policy != NULL)
		check_new_policy(policy, policy_len, &key, bypass, st.caller);
	else
	{
		policy = kms_default_policy(&key);
		policy_len = strlen(policy);
	}

	args[0] = key.key_id;
	args[1] = dialect == KP_DIALECT_AWS ? "aws" : "alibaba";
	args[2] = key.partition;
	args[3] = key.region;
	args[4] = key.account_id;
	args[5] = utf8_to_server(description, strlen(description));
	args[6] = multi_region ? "true" : "false";
	/*
	 * A random key ID never collides with another; one written directly into
	 * the table can (ON CONFLICT waits for a concurrent insert of the same
	 * ID): a clean error rather than a unique violation.
	 */
	kms_spi_exec("INSERT INTO kms_policy.keys "
				 "(key_id, dialect, partition, region, account_id, description, multi_region, creation_date) "
				 "VALUES ($1, $2, $3, $4, $5, $6, $7::boolean, pg_catalog.statement_timestamp()) "
				 "ON CONFLICT DO NOTHING",
				 7, args, false);
	if (SPI_processed != 1)
	{
		kms_raise(KMS_INTERNAL,
				  "The request was rejected because an internal exception occurred. The request can be retried.",
				  psprintf("The generated key ID %s is already in use.", key.key_id),
				  NULL);
	}
	store_policy(key.key_id, policy, policy_len);

	result = key_metadata_datum(&key);
	kms_spi_end(&st);
	PG_RETURN_DATUM(result);
}

Datum
kms_get_key_policy_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	char	   *name = kms_arg_utf8(fcinfo, 1, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	char	   *stored;
	text	   *result;
	MemoryContext mcxt = CurrentMemoryContext;
	MemoryContext oldcxt;

	check_key_id_shape(key_input, dialect);
	(void) kms_check_policy_name(name, dialect);

	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	/* Authorization reads the stored document: return that very text. */
	kms_authorize_caller(key, "kms:GetKeyPolicy", st.caller, NULL, &stored);
	if (stored == NULL)
	{
		if (dialect == KP_DIALECT_ALIBABA)
			kms_raise(ALI_RESOURCE_NOT_FOUND, "Policy not found.",
					  psprintf("Key %s has no key policy.", key->arn), NULL);
		kms_raise(KMS_NOT_FOUND, "No such policy exists",
				  psprintf("Key %s has no key policy.", key->arn), NULL);
	}
	oldcxt = MemoryContextSwitchTo(mcxt);
	result = cstring_to_text(stored);
	MemoryContextSwitchTo(oldcxt);
	kms_spi_end(&st);
	PG_RETURN_TEXT_P(result);
}

Datum
kms_put_key_policy_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	size_t		policy_len;
	char	   *policy = kms_arg_utf8(fcinfo, 1, &policy_len);
	char	   *name = kms_arg_utf8(fcinfo, 2, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	bool		bypass;
	KmsSpiState st;
	KmsKey	   *key;
	kp_error	err;

	/* 1. member shapes */
	check_key_id_shape(key_input, dialect);
	if (policy == NULL)
		kms_raise_null_argument("policy", dialect);
	if (kp_policy_check_text(policy, policy_len, dialect, &err) != KP_OK &&
		err.status == KP_ERR_VALIDATION)
		kms_raise_core(&err, dialect);
	if (PG_ARGISNULL(3))
		kms_raise_null_argument("bypassPolicyLockoutSafetyCheck", dialect);
	bypass = PG_GETARG_BOOL(3);
	/* 2. policy name */
	(void) kms_check_policy_name(name, dialect);

	kms_spi_begin(&st);

	/*
	 * 3. key, locked: from here to the end of the transaction nobody else
	 * changes its policy, so the policy evaluated below is the one replaced.
	 * 4. no key state refuses PutKeyPolicy
	 */
	key = kms_resolve_key_for_update(key_input);
	/* 5. may the caller change this key's policy (as committed now)? */
	kms_authorize_caller(key, "kms:PutKeyPolicy", st.caller,
						 bypass ? "true" : "false", NULL);
	/* 6.-8. quota, document, principals, lockout safety check */
	check_new_policy(policy, policy_len, key, bypass, st.caller);
	/* 9. store verbatim (the trigger validates once more, from the cache) */
	store_policy(key->key_id, policy, policy_len);
	kms_spi_end(&st);
	PG_RETURN_VOID();
}

Datum
kms_list_key_policies_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	int			limit = PG_ARGISNULL(1) ? 100 : PG_GETARG_INT32(1);
	size_t		marker_len;
	char	   *marker = kms_arg_utf8(fcinfo, 2, &marker_len);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	const char *args[3];
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	ArrayBuildState *astate = NULL;
	MemoryContext mcxt = CurrentMemoryContext;
	char	   *next_marker = NULL;
	bool		truncated = false;
	uint64		n;

	check_key_id_shape(key_input, dialect);
	if (limit < 1 || limit > 1000)
	{
		if (dialect == KP_DIALECT_ALIBABA)
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("The limit %d is not between 1 and 1000.", limit), NULL);
		kms_raise(KMS_VALIDATION,
				  psprintf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value %s",
						   limit, limit < 1 ? "greater than or equal to 1" : "less than or equal to 1000"),
				  NULL, NULL);
	}
	if (marker != NULL)
	{
		size_t		chars = utf8_chars(marker, marker_len);

		if (chars < 1)
			raise_length("marker", marker, false, 1, dialect);
		if (chars > 1024)
			raise_length("marker", "...", true, 1024, dialect);
		if (!utf8_latin1_printable(marker, marker_len))
		{
			if (dialect == KP_DIALECT_ALIBABA)
				kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
						  "The marker may contain only the characters U+0020 to U+00FF.", NULL);
			kms_raise(KMS_VALIDATION,
					  "1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*",
					  "The marker may contain only the characters U+0020 to U+00FF.", NULL);
		}
	}

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");	/* internal error */

	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	kms_authorize_caller(key, "kms:ListKeyPolicies", st.caller, NULL, NULL);

	args[0] = key->key_id;
	args[1] = marker ? utf8_to_server(marker, marker_len) : NULL;
	args[2] = psprintf("%d", limit + 1);
	kms_spi_exec_latest("SELECT policy_name FROM kms_policy.key_policies "
						"WHERE key_id = $1 AND ($2 IS NULL OR policy_name COLLATE \"C\" > $2) "
						"ORDER BY policy_name COLLATE \"C\" LIMIT $3::integer",
						3, args);
	n = SPI_processed;
	if (n > (uint64) limit)
	{
		truncated = true;
		n = limit;
	}
	for (uint64 i = 0; i < n; i++)
	{
		char	   *pn = spi_col(mcxt, (int) i, "policy_name");

		astate = accumArrayResult(astate, CStringGetTextDatum(pn), false, TEXTOID, mcxt);
		if (truncated && i == n - 1)
			next_marker = pn;
	}
	kms_spi_end(&st);

	values[0] = astate ? makeArrayResult(astate, mcxt)
		: PointerGetDatum(construct_empty_array(TEXTOID));
	if (next_marker)
		values[1] = CStringGetTextDatum(next_marker);
	else
		nulls[1] = true;
	values[2] = BoolGetDatum(truncated);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

Datum
kms_describe_key_v1(PG_FUNCTION_ARGS)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	Datum		result;

	check_key_id_shape(key_input, dialect);
	kms_spi_begin(&st);
	key = kms_resolve_key(key_input);
	kms_authorize_caller(key, "kms:DescribeKey", st.caller, NULL, NULL);
	result = key_metadata_datum(key);
	kms_spi_end(&st);
	PG_RETURN_DATUM(result);
}

/* ListKeys: the keys of this endpoint's accounts and regions (both dialects). */
Datum
kms_list_keys_v1(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	KmsSpiState st;
	const char *args[4];

	InitMaterializedSRF(fcinfo, 0);
	kms_spi_begin(&st);
	kms_authorize_list_keys(st.caller);
	args[0] = kms_account_id;
	args[1] = kms_region;
	args[2] = kms_alibaba_account_id;
	args[3] = kms_alibaba_region;
	kms_spi_exec_latest("SELECT key_id, arn, key_state, description, creation_date, deletion_date, "
						"multi_region, dialect, account_id, region FROM kms_policy.keys "
						"WHERE (dialect = 'aws' AND account_id = $1 AND region = $2) "
						"OR (dialect = 'alibaba' AND account_id = $3 AND region = $4) "
						"ORDER BY creation_date, key_id",
						4, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		CHECK_FOR_INTERRUPTS();
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
	}
	kms_spi_end(&st);
	return (Datum) 0;
}

/* ------------------------------------------------------------------------
 * Key states
 * ------------------------------------------------------------------------ */

static void
raise_state(const KmsKey *key, const char *what)
{
	if (key->dialect == KP_DIALECT_ALIBABA)
		kms_raise(ALI_INVALID_STATE, psprintf("The key %s is %s.", key->arn, what),
				  psprintf("The key state is %s.", key->key_state), NULL);
	kms_raise(KMS_INVALID_STATE, psprintf("%s is %s.", key->arn, what),
			  psprintf("The key state is %s.", key->key_state), NULL);
}

static const char *
state_phrase(const char *state)
{
	if (strcmp(state, "PendingDeletion") == 0)
		return "pending deletion";
	if (strcmp(state, "PendingReplicaDeletion") == 0)
		return "pending replica deletion";
	if (strcmp(state, "PendingImport") == 0)
		return "pending import";
	if (strcmp(state, "Unavailable") == 0)
		return "unavailable";
	if (strcmp(state, "Creating") == 0)
		return "creating";
	if (strcmp(state, "Updating") == 0)
		return "updating";
	if (strcmp(state, "Disabled") == 0)
		return "disabled";
	return "enabled";
}

/*
 * Resolve, authorize, check that the key state is one of allowed[], and set
 * the new state.  Returns the new deletion date (0 when none).
 */
static TimestampTz
change_state(FunctionCallInfo fcinfo, const char *action,
			 const char *const *allowed, const char *new_state,
			 int pending_days)
{
	char	   *key_input = kms_arg_utf8(fcinfo, 0, NULL);
	kp_dialect	dialect = kms_input_dialect(key_input);
	KmsSpiState st;
	KmsKey	   *key;
	const char *args[3];
	bool		ok = false;
	bool		isnull;
	Datum		d;

	check_key_id_shape(key_input, dialect);
	kms_spi_begin(&st);
	/* the key row, locked, then the policy as committed now */
	key = kms_resolve_key_for_update(key_input);
	kms_authorize_caller(key, action, st.caller, NULL, NULL);
	for (int i = 0; allowed[i]; i++)
		if (strcmp(key->key_state, allowed[i]) == 0)
			ok = true;
	if (!ok)
	{
		if (strcmp(action, "kms:CancelKeyDeletion") == 0)
			raise_state(key, "not pending deletion");
		raise_state(key, state_phrase(key->key_state));
	}
	args[0] = key->key_id;
	args[1] = new_state;
	args[2] = psprintf("%d", pending_days);
	kms_spi_exec("UPDATE kms_policy.keys SET key_state = $2, deletion_date = "
				 "CASE WHEN $2 = 'PendingDeletion' "
				 "THEN pg_catalog.statement_timestamp() + pg_catalog.make_interval(days => $3::integer) END "
				 "WHERE key_id = $1 RETURNING deletion_date",
				 3, args, false);
	/* the row is locked: it is there (read_key checked the snapshot too) */
	if (SPI_processed != 1)
		elog(ERROR, "key %s vanished while locked", key->key_id);	/* internal error */
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	kms_spi_end(&st);
	return isnull ? 0 : DatumGetTimestampTz(d);
}

Datum
kms_disable_key_v1(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"Enabled", "Disabled", NULL};

	change_state(fcinfo, "kms:DisableKey", allowed, "Disabled", 0);
	PG_RETURN_VOID();
}

Datum
kms_enable_key_v1(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"Enabled", "Disabled", NULL};

	change_state(fcinfo, "kms:EnableKey", allowed, "Enabled", 0);
	PG_RETURN_VOID();
}

/* ScheduleKeyDeletion: 7..30 days; the key becomes PendingDeletion. */
Datum
kms_schedule_key_deletion_v1(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"Enabled", "Disabled", "PendingImport",
	"Unavailable", NULL};
	int			days = PG_ARGISNULL(1) ? 30 : PG_GETARG_INT32(1);

	if (days < 7 || days > 30)
	{
		if (!PG_ARGISNULL(0) &&
			kms_input_dialect(text_to_cstring(PG_GETARG_TEXT_PP(0))) == KP_DIALECT_ALIBABA)
			kms_raise(ALI_INVALID_PARAMETER, "The specified parameter is not valid.",
					  psprintf("The pending window %d is not between 7 and 30 days.", days), NULL);
		kms_raise(KMS_VALIDATION,
				  psprintf("1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value %s",
						   days, days < 7 ? "greater than or equal to 7" : "less than or equal to 30"),
				  NULL, NULL);
	}
	PG_RETURN_TIMESTAMPTZ(change_state(fcinfo, "kms:ScheduleKeyDeletion", allowed,
									   "PendingDeletion", days));
}

Datum
kms_cancel_key_deletion_v1(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"PendingDeletion", NULL};

	change_state(fcinfo, "kms:CancelKeyDeletion", allowed, "Disabled", 0);
	PG_RETURN_VOID();
}
