/*
 * kms_api_access_keys.c -- the KMS endpoint's callers: access keys bound to
 * PostgreSQL roles, and the check of a request's Signature Version 4.
 *
 * Administrators (kms_is_administrator, checked here in C before any write)
 * create, list and delete access keys; the table's trigger
 * (kms_triggers_identity.c) checks the writing role again.  The endpoint's
 * login role calls kms_endpoint_authenticate with EXECUTE alone: it sends the
 * string to sign and the signature, the secret never leaves the database,
 * and it gets back the role to SET ROLE to.  The functions read and write
 * kms_policy.access_keys as the extension owner.
 */
#include "postgres.h"

#include "common/hmac.h"
#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "kms_errors.h"
#include "kms_settings.h"
#include "kms_spi.h"

PG_FUNCTION_INFO_V1(kms_create_access_key_v1);
PG_FUNCTION_INFO_V1(kms_list_access_keys_v1);
PG_FUNCTION_INFO_V1(kms_delete_access_key_v1);
PG_FUNCTION_INFO_V1(kms_endpoint_authenticate_v1);

#define ACCESS_KEY_ID_PREFIX "AKIA"
#define ACCESS_KEY_ID_RANDOM 16
#define SECRET_LEN 40
#define SHA256_LEN 32

/* 32 symbols: a random byte's low 5 bits pick one without bias. */
static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* 64 symbols: a random byte's low 6 bits pick one without bias. */
static const char secret_alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

static const char msg_unrecognized[] = "The security token included in the request is invalid.";
static const char msg_mismatch[] =
"The request signature we calculated does not match the signature you provided. "
"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/* n random characters of alphabet (of 32 or 64 symbols: mask = size - 1). */
static void
random_chars(char *out, int n, const char *alphabet, uint8 mask)
{
	uint8		buf[64];

	Assert(n <= (int) sizeof(buf));
	if (!pg_strong_random(buf, n))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random values")));
	for (int i = 0; i < n; i++)
		out[i] = alphabet[buf[i] & mask];
	explicit_bzero(buf, sizeof(buf));
}

static void
require_api_administrator(const char *action)
{
	kms_require_administrator(GetUserId(), action);
}

/*
 * kms_create_access_key(role regrole) RETURNS TABLE (access_key_id text,
 * secret_access_key text): a new key bound to an existing role; the secret
 * is returned only here.
 */
Datum
kms_create_access_key_v1(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			role;
	char	   *role_name;
	char		id[sizeof(ACCESS_KEY_ID_PREFIX) + ACCESS_KEY_ID_RANDOM];
	char		secret[SECRET_LEN + 1];
	const char *args[4];
	KmsSpiState st;
	bool		inserted = false;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	require_api_administrator("create access keys");
	if (PG_ARGISNULL(0))
		kms_raise_null_argument("role", KP_DIALECT_AWS);
	role = PG_GETARG_OID(0);
	role_name = GetUserNameFromId(role, true);
	if (role_name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role with OID %u does not exist", role),
				 errdetail("An access key is bound to an existing role.")));

	args[1] = secret;
	args[2] = psprintf("%u", role);
	args[3] = role_name;
	kms_spi_begin(&st);
	/* 32^16 identifiers: a collision is all but impossible; retry anyway. */
	for (int attempt = 0; attempt < 3 && !inserted; attempt++)
	{
		memcpy(id, ACCESS_KEY_ID_PREFIX, strlen(ACCESS_KEY_ID_PREFIX));
		random_chars(id + strlen(ACCESS_KEY_ID_PREFIX), ACCESS_KEY_ID_RANDOM, base32_alphabet, 31);
		id[sizeof(id) - 1] = '\0';
		random_chars(secret, SECRET_LEN, secret_alphabet, 63);
		secret[SECRET_LEN] = '\0';
		args[0] = id;
		kms_spi_exec("INSERT INTO kms_policy.access_keys (access_key_id, secret, role, role_name) "
					 "VALUES ($1, $2, $3::oid::regrole, $4) ON CONFLICT (access_key_id) DO NOTHING",
					 4, args, false);
		inserted = SPI_processed > 0;
	}
	kms_spi_end(&st);
	if (!inserted)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a unique access key ID")));

	InitMaterializedSRF(fcinfo, 0);
	values[0] = CStringGetTextDatum(id);
	values[1] = CStringGetTextDatum(secret);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	explicit_bzero(secret, sizeof(secret));
	return (Datum) 0;
}

/*
 * kms_list_access_keys() RETURNS TABLE (access_key_id text, role name,
 * created_at timestamptz): never the secret.
 */
Datum
kms_list_access_keys_v1(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	KmsSpiState st;
	uint64		n;
	char	  **ids;
	char	  **roles;
	char	  **created;
	MemoryContext mcxt = CurrentMemoryContext;

	require_api_administrator("list access keys");
	kms_spi_begin(&st);
	kms_spi_check_select(kms_spi_exec("SELECT access_key_id, role_name, created_at "
									  "FROM kms_policy.access_keys "
									  "ORDER BY created_at, access_key_id COLLATE \"C\"",
									  0, NULL, true));
	n = SPI_processed;
	ids = MemoryContextAllocZero(mcxt, sizeof(char *) * (n + 1));
	roles = MemoryContextAllocZero(mcxt, sizeof(char *) * (n + 1));
	created = MemoryContextAllocZero(mcxt, sizeof(char *) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		ids[i] = kms_spi_col(mcxt, (int) i, "access_key_id");
		roles[i] = kms_spi_col(mcxt, (int) i, "role_name");
		created[i] = kms_spi_col(mcxt, (int) i, "created_at");
	}
	kms_spi_end(&st);

	InitMaterializedSRF(fcinfo, 0);
	for (uint64 i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(ids[i]);
		values[1] = DirectFunctionCall1(namein, CStringGetDatum(roles[i]));
		values[2] = DirectFunctionCall3(timestamptz_in, CStringGetDatum(created[i]),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* kms_delete_access_key(access_key_id text) RETURNS boolean: was it there? */
Datum
kms_delete_access_key_v1(PG_FUNCTION_ARGS)
{
	const char *args[1];

	require_api_administrator("delete access keys");
	if (PG_ARGISNULL(0))
		kms_raise_null_argument("access_key_id", KP_DIALECT_AWS);
	args[0] = text_to_cstring(PG_GETARG_TEXT_PP(0));
	PG_RETURN_BOOL(kms_spi_write_changed_rows("DELETE FROM kms_policy.access_keys WHERE access_key_id = $1",
											  1, args));
}

/* ------------------------------------------------------------------------
 * Signature Version 4
 * ------------------------------------------------------------------------
 */

/* HMAC-SHA256(key, data) into out (32 bytes), with PostgreSQL's HMAC. */
static void
hmac_sha256(const uint8 *key, size_t keylen, const char *data, size_t datalen, uint8 *out)
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (pg_hmac_init(ctx, key, keylen) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) data, datalen) < 0 ||
		pg_hmac_final(ctx, out, SHA256_LEN) < 0)
	{
		const char *err = pstrdup(pg_hmac_error(ctx));

		pg_hmac_free(ctx);
		elog(ERROR, "could not compute HMAC-SHA256: %s", err);	/* internal error */
	}
	pg_hmac_free(ctx);
}

static void
raise_invalid_signature(const char *message, const char *detail)
{
	kms_raise(KMS_INVALID_SIGNATURE, message, detail, NULL);
}

static bool
all_digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
digits(const char *s, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* An X-Amz-Date, YYYYMMDD'T'HHMMSS'Z' (UTC), as a timestamptz; false if malformed. */
static bool
parse_amz_date(const char *s, TimestampTz *out)
{
	struct pg_tm tm;

	if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z' ||
		!all_digits(s, 8) || !all_digits(s + 9, 6))
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4);
	tm.tm_mon = digits(s + 4, 2);
	tm.tm_mday = digits(s + 6, 2);
	tm.tm_hour = digits(s + 9, 2);
	tm.tm_min = digits(s + 11, 2);
	tm.tm_sec = digits(s + 13, 2);
	if (tm.tm_year < 1 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
		tm.tm_mday > day_tab[isleap(tm.tm_year)][tm.tm_mon - 1] ||
		tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return false;
	return tm2timestamp(&tm, 0, NULL, out) == 0;
}

/* A timestamptz as an X-Amz-Date (UTC). */
static char *
format_amz_date(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		return pstrdup("?");
	return psprintf("%04d%02d%02dT%02d%02d%02dZ", tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static char *
skew_text(int seconds)
{
	if (seconds % 60 == 0)
		return psprintf("%d min.", seconds / 60);
	return psprintf("%d s.", seconds);
}

/* The request's date within kms_policy.endpoint_max_clock_skew of now(). */
static void
check_request_date(const char *request_date)
{
	TimestampTz t;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	int64		skew = (int64) kms_endpoint_max_clock_skew * USECS_PER_SEC;

	if (!parse_amz_date(request_date, &t))
		raise_invalid_signature(psprintf("Invalid X-Amz-Date '%s': the date must be in ISO 8601 basic format, YYYYMMDD'T'HHMMSS'Z'.",
										 request_date), NULL);
	if (kms_endpoint_max_clock_skew == 0)
		return;
	if (t < now - skew)
		raise_invalid_signature(psprintf("Signature expired: %s is now earlier than %s (%s - %s)",
										 request_date, format_amz_date(now - skew),
										 format_amz_date(now), skew_text(kms_endpoint_max_clock_skew)),
								NULL);
	if (t > now + skew)
		raise_invalid_signature(psprintf("Signature not yet current: %s is still later than %s (%s + %s)",
										 request_date, format_amz_date(now + skew),
										 format_amz_date(now), skew_text(kms_endpoint_max_clock_skew)),
								NULL);
}

static bool
is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * The string to sign, exactly:
 *   AWS4-HMAC-SHA256\n<request_date>\n<YYYYMMDD>/<region>/kms/aws4_request\n<64 lowercase hex>
 */
static void
check_string_to_sign(const char *sts, const char *request_date, const char *region)
{
	char	   *expected_head;
	size_t		head_len;
	const char *hash;

	if (region[0] == '\0' || strchr(region, '/') || strchr(region, '\n'))
		raise_invalid_signature("The credential scope's region is malformed.",
								psprintf("Region '%s' is not a region name.", region));
	expected_head = psprintf("AWS4-HMAC-SHA256\n%s\n%.8s/%s/kms/aws4_request\n",
							 request_date, request_date, region);
	head_len = strlen(expected_head);
	if (strncmp(sts, expected_head, head_len) != 0)
		raise_invalid_signature("The string to sign is malformed.",
								psprintf("Expected \"AWS4-HMAC-SHA256\", the X-Amz-Date \"%s\" and the credential scope \"%.8s/%s/kms/aws4_request\" on its first three lines.",
										 request_date, request_date, region));
	hash = sts + head_len;
	if (strlen(hash) != 2 * SHA256_LEN || !is_lower_hex(hash, 2 * SHA256_LEN))
		raise_invalid_signature("The string to sign is malformed.",
								"Its fourth and last line must be the canonical request's SHA-256 in 64 lowercase hexadecimal digits.");
}

/* expected = lowercase hex of the SigV4 signature of sts with secret. */
static void
sigv4_signature(const char *secret, const char *date8, const char *region,
				const char *sts, char *expected)
{
	static const char hexdigits[] = "0123456789abcdef";
	char	   *k0 = psprintf("AWS4%s", secret);
	uint8		k[SHA256_LEN];
	uint8		sig[SHA256_LEN];

	hmac_sha256((const uint8 *) k0, strlen(k0), date8, 8, k);
	explicit_bzero(k0, strlen(k0));
	hmac_sha256(k, SHA256_LEN, region, strlen(region), k);
	hmac_sha256(k, SHA256_LEN, "kms", 3, k);
	hmac_sha256(k, SHA256_LEN, "aws4_request", strlen("aws4_request"), k);
	hmac_sha256(k, SHA256_LEN, sts, strlen(sts), sig);
	explicit_bzero(k, sizeof(k));
	for (int i = 0; i < SHA256_LEN; i++)
	{
		expected[2 * i] = hexdigits[sig[i] >> 4];
		expected[2 * i + 1] = hexdigits[sig[i] & 0xf];
	}
	expected[2 * SHA256_LEN] = '\0';
}

static char *
text_arg(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * kms_endpoint_authenticate(access_key_id, request_date, region,
 * string_to_sign, signature) RETURNS name: the role the request acts as.
 */
Datum
kms_endpoint_authenticate_v1(PG_FUNCTION_ARGS)
{
	char	   *access_key_id = text_arg(fcinfo, 0);
	char	   *request_date = text_arg(fcinfo, 1);
	char	   *region = text_arg(fcinfo, 2);
	char	   *sts = text_arg(fcinfo, 3);
	char	   *signature = text_arg(fcinfo, 4);
	KmsSpiState st;
	const char *args[1];
	char	   *secret;
	char	   *role_oid_text;
	char	   *role_name;
	char	   *current;
	Oid			role;
	char		expected[2 * SHA256_LEN + 1];
	bool		match;
	Name		result;
	MemoryContext mcxt = CurrentMemoryContext;

	/* (a) the access key, as the extension owner, on the latest committed state */
	if (access_key_id == NULL)
		kms_raise(KMS_UNRECOGNIZED_CLIENT, msg_unrecognized, "The access key ID is missing.", NULL);
	args[0] = access_key_id;
	kms_spi_begin(&st);
	kms_spi_check_select(kms_spi_exec_latest("SELECT secret, role::oid AS role_oid, role_name "
											 "FROM kms_policy.access_keys WHERE access_key_id = $1",
											 1, args));
	if (SPI_processed == 0)
	{
		kms_spi_end(&st);
		kms_raise(KMS_UNRECOGNIZED_CLIENT, msg_unrecognized, NULL, NULL);
	}

	/* (b) the date; (c) the string to sign -- before the secret is copied */
	if (request_date == NULL || region == NULL || sts == NULL || signature == NULL)
		raise_invalid_signature("The request's date, region, string to sign and signature are required.", NULL);
	check_request_date(request_date);
	check_string_to_sign(sts, request_date, region);

	secret = kms_spi_col(mcxt, 0, "secret");
	role_oid_text = kms_spi_col(mcxt, 0, "role_oid");
	role_name = kms_spi_col(mcxt, 0, "role_name");
	kms_spi_end(&st);

	/* (d) the signature, compared in constant time */
	sigv4_signature(secret, request_date, region, sts, expected);
	explicit_bzero(secret, strlen(secret));
	match = strlen(signature) == 2 * SHA256_LEN &&
		timingsafe_bcmp(expected, signature, 2 * SHA256_LEN) == 0;
	explicit_bzero(expected, sizeof(expected));
	if (!match)
		raise_invalid_signature(msg_mismatch, NULL);

	/* (e) the bound role still exists under its name */
	role = (Oid) strtoul(role_oid_text, NULL, 10);
	current = GetUserNameFromId(role, true);
	if (current == NULL || strcmp(current, role_name) != 0)
		kms_raise(KMS_UNRECOGNIZED_CLIENT, msg_unrecognized,
				  psprintf("The role \"%s\" the access key is bound to no longer exists.", role_name),
				  NULL);

	result = (Name) palloc0(NAMEDATALEN);
	namestrcpy(result, current);
	PG_RETURN_NAME(result);
}
