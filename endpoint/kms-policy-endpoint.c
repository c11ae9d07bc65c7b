/*
 * kms-policy-endpoint -- the AWS KMS JSON 1.1 protocol in front of the
 * kms_policy extension.
 *
 * Every request is authenticated with Signature Version 4: the endpoint
 * builds the string to sign and PostgreSQL checks the signature
 * (kms_endpoint_authenticate), returning the role the access key is bound
 * to.  The operation then runs in the same transaction after SET LOCAL ROLE,
 * so every rule of the extension applies to the caller unchanged and the role
 * ends with the transaction.
 *
 * HTTP: libmicrohttpd, one thread per connection; PostgreSQL: a fixed pool of
 * libpq connections (pool.c); JSON: json-c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <json-c/json.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <openssl/rand.h>

#include "pool.h"
#include "sigv4.h"

#define SIGNATURE_WINDOW_SECONDS (15 * 60)

/* Settings, fixed after start-up */
static const char *opt_region = "us-east-1";
static const char *opt_schema = "public";
static int	opt_pool_wait_ms = 200;
static size_t opt_max_body = 65536;
static char *schema_q;			/* quoted identifier of the extension's schema */
static pool *db;

/* One request being read */
typedef struct request
{
	char	   *body;
	size_t		len;
	size_t		cap;
	bool		too_large;
	bool		answered;
	struct timespec started;
} request;

/* What a request comes to: a body (200) or an AWS error */
typedef struct outcome
{
	int			status;
	const char *type;			/* NULL on success */
	char	   *message;
	char	   *body;			/* success body, malloc'd; NULL means empty */
	const char *operation;
} outcome;

static void
log_line(const char *fmt,...)
{
	char		ts[32];
	time_t		now = time(NULL);
	struct tm	tm;
	char		buf[2048];
	va_list		ap;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s kms-policy-endpoint: %s\n", ts, buf);
}

static int
fail(outcome *o, int status, const char *type, const char *fmt,...)
{
	va_list		ap;

	o->status = status;
	o->type = type;
	free(o->message);
	va_start(ap, fmt);
	if (vasprintf(&o->message, fmt, ap) < 0)
		o->message = NULL;
	va_end(ap);
	return -1;
}

static int
succeed(outcome *o, json_object *body)
{
	o->status = 200;
	o->type = NULL;
	if (body)
	{
		o->body = strdup(json_object_to_json_string_ext(body,
														JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(body);
	}
	return 0;
}

/* ---------------------------------------------------------------- errors */

static const struct
{
	const char *sqlstate;
	const char *type;
	int			status;
}			error_map[] =
{
	{"KM000", "KMSInternalException", 500},
	{"KM001", "NotFoundException", 400},
	{"KM002", "InvalidArnException", 400},
	{"KM003", "MalformedPolicyDocumentException", 400},
	{"KM004", "LimitExceededException", 400},
	{"KM005", "KMSInvalidStateException", 400},
	{"KM006", "UnsupportedOperationException", 400},
	{"KM007", "ValidationException", 400},
	{"KM008", "AccessDeniedException", 400},
	{"KM009", "ConflictException", 400},
	{"KM010", "UnrecognizedClientException", 400},
	{"KM011", "InvalidSignatureException", 400},
	/* Alibaba keys reached through the AWS protocol */
	{"KA001", "ValidationException", 400},
	{"KA002", "ValidationException", 400},
	{"KA003", "AccessDeniedException", 400},
	{"KA004", "NotFoundException", 400},
	{"KA005", "NotFoundException", 400},
	{"KA006", "UnsupportedOperationException", 400},
	{"KA007", "KMSInvalidStateException", 400},
	/* PostgreSQL deciding: no EXECUTE or no table privilege */
	{"42501", "AccessDeniedException", 400},
};

/* Turn a failed PGresult into the AWS error; always returns -1. */
static int
fail_pg(outcome *o, PGconn *c, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (state)
		for (size_t i = 0; i < sizeof(error_map) / sizeof(error_map[0]); i++)
			if (strcmp(state, error_map[i].sqlstate) == 0 && error_map[i].status < 500)
			{
				const char *text = msg ? msg : "";
				size_t		tl = strlen(error_map[i].type);

				/* "NotFoundException: Key '…' does not exist" -> the text after ": " */
				if (strncmp(text, error_map[i].type, tl) == 0 && strncmp(text + tl, ": ", 2) == 0)
					text += tl + 2;
				else
				{
					const char *colon = strstr(text, "Exception: ");

					if (colon && strcspn(text, " ") > (size_t) (colon - text))
						text = colon + 11;
				}
				return fail(o, error_map[i].status, error_map[i].type, "%s", text);
			}

	log_line("%s: database error %s: %s", o->operation ? o->operation : "-",
			 state ? state : "(none)",
			 msg ? msg : PQerrorMessage(c));
	return fail(o, 500, "KMSInternalException", "An internal error occurred.");
}

/* Run a statement; NULL (outcome set) on failure */
static PGresult *
run(outcome *o, PGconn *c, const char *sql, int n, const char *const *values)
{
	PGresult   *res = PQexecParams(c, sql, n, NULL, values, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	fail_pg(o, c, res);
	PQclear(res);
	return NULL;
}

/* --------------------------------------------------------------- members */

/* Absent and JSON null are the same: not given */
static json_object *
member(json_object *in, const char *name)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(in, name, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

static int
missing(outcome *o, const char *camel)
{
	return fail(o, 400, "ValidationException",
				"1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null",
				camel);
}

static int
get_string(outcome *o, json_object *in, const char *name, const char *camel,
		   bool required, const char **out)
{
	json_object *v = member(in, name);

	*out = NULL;
	if (!v)
		return required ? missing(o, camel) : 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(o, 400, "ValidationException",
					"1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be a string",
					camel);
	/* PostgreSQL text holds no NUL: refuse rather than truncate */
	if (strlen(json_object_get_string(v)) != (size_t) json_object_get_string_len(v))
		return fail(o, 400, "ValidationException",
					"1 validation error detected: Value at '%s' failed to satisfy constraint: Member must not contain the character U+0000",
					camel);
	*out = json_object_get_string(v);
	return 0;
}

static int
get_bool(outcome *o, json_object *in, const char *name, const char *camel,
		 const char **out)
{
	json_object *v = member(in, name);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(o, 400, "ValidationException",
					"1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be a boolean",
					camel);
	*out = json_object_get_boolean(v) ? "true" : "false";
	return 0;
}

static int
get_int(outcome *o, json_object *in, const char *name, const char *camel,
		int lo, int hi, char *buf, const char **out)
{
	json_object *v = member(in, name);
	int64_t		n;

	*out = NULL;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return fail(o, 400, "ValidationException",
					"1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be an integer",
					camel);
	n = json_object_get_int64(v);
	if (n < lo)
		return fail(o, 400, "ValidationException",
					"1 validation error detected: Value '%lld' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d",
					(long long) n, camel, lo);
	if (n > hi)
		return fail(o, 400, "ValidationException",
					"1 validation error detected: Value '%lld' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d",
					(long long) n, camel, hi);
	sprintf(buf, "%lld", (long long) n);
	*out = buf;
	return 0;
}

/* Refuse a member this endpoint cannot honour rather than ignore it */
static int
only_value(outcome *o, json_object *in, const char *name, const char *camel,
		   const char *allowed)
{
	const char *v;

	if (get_string(o, in, name, camel, false, &v) < 0)
		return -1;
	if (v && strcmp(v, allowed) != 0)
		return fail(o, 400, "UnsupportedOperationException",
					"%s %s is not supported by this endpoint; only %s is.", name, v, allowed);
	return 0;
}

/* ------------------------------------------------------------ operations */

static char *
sql(const char *fmt)
{
	char	   *s;

	/* every statement names the extension's schema: fmt has one %s per use */
	if (asprintf(&s, fmt, schema_q, schema_q, schema_q) < 0)
		return NULL;
	return s;
}

static const char metadata_cols[] =
	"key_id, arn, key_state, description, "
	"extract(epoch FROM creation_date)::float8, extract(epoch FROM deletion_date)::float8, "
	"multi_region, account_id";

static json_object *
key_metadata(const PGresult *res, int row)
{
	json_object *m = json_object_new_object();
	const char *state = PQgetvalue(res, row, 2);

	json_object_object_add(m, "AWSAccountId", json_object_new_string(PQgetvalue(res, row, 7)));
	json_object_object_add(m, "KeyId", json_object_new_string(PQgetvalue(res, row, 0)));
	json_object_object_add(m, "Arn", json_object_new_string(PQgetvalue(res, row, 1)));
	json_object_object_add(m, "CreationDate", json_object_new_double(strtod(PQgetvalue(res, row, 4), NULL)));
	json_object_object_add(m, "Enabled", json_object_new_boolean(strcmp(state, "Enabled") == 0));
	json_object_object_add(m, "Description", json_object_new_string(PQgetvalue(res, row, 3)));
	json_object_object_add(m, "KeyUsage", json_object_new_string("ENCRYPT_DECRYPT"));
	json_object_object_add(m, "KeyState", json_object_new_string(state));
	if (!PQgetisnull(res, row, 5))
		json_object_object_add(m, "DeletionDate", json_object_new_double(strtod(PQgetvalue(res, row, 5), NULL)));
	json_object_object_add(m, "Origin", json_object_new_string("AWS_KMS"));
	json_object_object_add(m, "KeyManager", json_object_new_string("CUSTOMER"));
	json_object_object_add(m, "CustomerMasterKeySpec", json_object_new_string("SYMMETRIC_DEFAULT"));
	json_object_object_add(m, "KeySpec", json_object_new_string("SYMMETRIC_DEFAULT"));
	{
		json_object *algs = json_object_new_array();

		json_object_array_add(algs, json_object_new_string("SYMMETRIC_DEFAULT"));
		json_object_object_add(m, "EncryptionAlgorithms", algs);
	}
	json_object_object_add(m, "MultiRegion", json_object_new_boolean(strcmp(PQgetvalue(res, row, 6), "t") == 0));
	return m;
}

static int
metadata_reply(outcome *o, PGresult *res)
{
	json_object *out = json_object_new_object();

	json_object_object_add(out, "KeyMetadata", key_metadata(res, 0));
	PQclear(res);
	return succeed(o, out);
}

static int
op_create_key(outcome *o, PGconn *c, json_object *in)
{
	const char *v[4];
	PGresult   *res;
	char	   *q;
	json_object *tags;

	if (get_string(o, in, "Policy", "policy", false, &v[0]) < 0 ||
		get_string(o, in, "Description", "description", false, &v[1]) < 0 ||
		get_bool(o, in, "BypassPolicyLockoutSafetyCheck", "bypassPolicyLockoutSafetyCheck", &v[2]) < 0 ||
		get_bool(o, in, "MultiRegion", "multiRegion", &v[3]) < 0 ||
		only_value(o, in, "KeyUsage", "keyUsage", "ENCRYPT_DECRYPT") < 0 ||
		only_value(o, in, "KeySpec", "keySpec", "SYMMETRIC_DEFAULT") < 0 ||
		only_value(o, in, "CustomerMasterKeySpec", "customerMasterKeySpec", "SYMMETRIC_DEFAULT") < 0 ||
		only_value(o, in, "Origin", "origin", "AWS_KMS") < 0)
		return -1;
	tags = member(in, "Tags");
	if (tags && (!json_object_is_type(tags, json_type_array) || json_object_array_length(tags) > 0))
		return fail(o, 400, "UnsupportedOperationException", "Tags are not supported by this endpoint.");
	if (member(in, "CustomKeyStoreId") || member(in, "XksKeyId"))
		return fail(o, 400, "UnsupportedOperationException", "Custom key stores are not supported by this endpoint.");
	/* defaults given explicitly rather than as NULL */
	if (!v[1])
		v[1] = "";
	if (!v[2])
		v[2] = "false";
	if (!v[3])
		v[3] = "false";

	q = NULL;
	if (asprintf(&q, "SELECT %s FROM %s.kms_create_key(policy => $1, description => $2, "
				 "bypass_policy_lockout_safety_check => $3::boolean, multi_region => $4::boolean)",
				 metadata_cols, schema_q) < 0)
		return fail(o, 500, "KMSInternalException", "An internal error occurred.");
	res = run(o, c, q, 4, v);
	free(q);
	if (!res)
		return -1;
	return metadata_reply(o, res);
}

static int
op_describe_key(outcome *o, PGconn *c, json_object *in)
{
	const char *v[1];
	PGresult   *res;
	char	   *q = NULL;

	if (get_string(o, in, "KeyId", "keyId", true, &v[0]) < 0)
		return -1;
	if (asprintf(&q, "SELECT %s FROM %s.kms_describe_key($1)", metadata_cols, schema_q) < 0)
		return fail(o, 500, "KMSInternalException", "An internal error occurred.");
	res = run(o, c, q, 1, v);
	free(q);
	if (!res)
		return -1;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
	{
		PQclear(res);
		return fail(o, 400, "NotFoundException", "Key '%s' does not exist", v[0]);
	}
	return metadata_reply(o, res);
}

static int
op_list_keys(outcome *o, PGconn *c, json_object *in)
{
	const char *v[2];
	char		limit_buf[16];
	PGresult   *res;
	char	   *q = sql("SELECT key_id, arn FROM %s.kms_list_keys() "
						"WHERE $1::text IS NULL OR key_id > $1 ORDER BY key_id LIMIT $2::integer + 1");
	json_object *out, *keys;
	int			limit, n;

	if (get_int(o, in, "Limit", "limit", 1, 1000, limit_buf, &v[1]) < 0 ||
		get_string(o, in, "Marker", "marker", false, &v[0]) < 0)
	{
		free(q);
		return -1;
	}
	if (!v[1])
		v[1] = "100";
	limit = atoi(v[1]);
	res = run(o, c, q, 2, v);
	free(q);
	if (!res)
		return -1;
	n = PQntuples(res);
	out = json_object_new_object();
	keys = json_object_new_array();
	for (int i = 0; i < n && i < limit; i++)
	{
		json_object *k = json_object_new_object();

		json_object_object_add(k, "KeyId", json_object_new_string(PQgetvalue(res, i, 0)));
		json_object_object_add(k, "KeyArn", json_object_new_string(PQgetvalue(res, i, 1)));
		json_object_array_add(keys, k);
	}
	json_object_object_add(out, "Keys", keys);
	if (n > limit)
		json_object_object_add(out, "NextMarker", json_object_new_string(PQgetvalue(res, limit - 1, 0)));
	json_object_object_add(out, "Truncated", json_object_new_boolean(n > limit));
	PQclear(res);
	return succeed(o, out);
}

static int
op_get_key_policy(outcome *o, PGconn *c, json_object *in)
{
	const char *v[2];
	PGresult   *res;
	char	   *q = sql("SELECT %s.kms_get_key_policy($1, $2)");
	json_object *out;

	if (get_string(o, in, "KeyId", "keyId", true, &v[0]) < 0 ||
		get_string(o, in, "PolicyName", "policyName", false, &v[1]) < 0)
	{
		free(q);
		return -1;
	}
	if (!v[1])
		v[1] = "default";
	res = run(o, c, q, 2, v);
	free(q);
	if (!res)
		return -1;
	out = json_object_new_object();
	json_object_object_add(out, "Policy", json_object_new_string_len(PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0)));
	json_object_object_add(out, "PolicyName", json_object_new_string(v[1]));
	PQclear(res);
	return succeed(o, out);
}

static int
op_put_key_policy(outcome *o, PGconn *c, json_object *in)
{
	const char *v[4];
	PGresult   *res;
	char	   *q = sql("SELECT %s.kms_put_key_policy(key_id => $1, policy => $2, policy_name => $3, "
						"bypass_policy_lockout_safety_check => $4::boolean)");

	if (get_string(o, in, "KeyId", "keyId", true, &v[0]) < 0 ||
		get_string(o, in, "Policy", "policy", true, &v[1]) < 0 ||
		get_string(o, in, "PolicyName", "policyName", false, &v[2]) < 0 ||
		get_bool(o, in, "BypassPolicyLockoutSafetyCheck", "bypassPolicyLockoutSafetyCheck", &v[3]) < 0)
	{
		free(q);
		return -1;
	}
	if (!v[2])
		v[2] = "default";
	if (!v[3])
		v[3] = "false";
	res = run(o, c, q, 4, v);
	free(q);
	if (!res)
		return -1;
	PQclear(res);
	return succeed(o, NULL);
}

static int
op_list_key_policies(outcome *o, PGconn *c, json_object *in)
{
	const char *v[3];
	char		limit_buf[16];
	PGresult   *res;
	char	   *q = sql("SELECT array_to_json(policy_names)::text, next_marker, truncated "
						"FROM %s.kms_list_key_policies($1, $2::integer, $3)");
	json_object *out, *names;

	if (get_string(o, in, "KeyId", "keyId", true, &v[0]) < 0 ||
		get_int(o, in, "Limit", "limit", 1, 1000, limit_buf, &v[1]) < 0 ||
		get_string(o, in, "Marker", "marker", false, &v[2]) < 0)
	{
		free(q);
		return -1;
	}
	if (!v[1])
		v[1] = "100";
	res = run(o, c, q, 3, v);
	free(q);
	if (!res)
		return -1;
	out = json_object_new_object();
	names = PQgetisnull(res, 0, 0) ? NULL : json_tokener_parse(PQgetvalue(res, 0, 0));
	json_object_object_add(out, "PolicyNames", names ? names : json_object_new_array());
	if (!PQgetisnull(res, 0, 1))
		json_object_object_add(out, "NextMarker", json_object_new_string(PQgetvalue(res, 0, 1)));
	json_object_object_add(out, "Truncated", json_object_new_boolean(strcmp(PQgetvalue(res, 0, 2), "t") == 0));
	PQclear(res);
	return succeed(o, out);
}

static int
op_key_state(outcome *o, PGconn *c, json_object *in, const char *fn)
{
	const char *v[1];
	PGresult   *res;
	char	   *q = NULL;

	if (get_string(o, in, "KeyId", "keyId", true, &v[0]) < 0)
		return -1;
	if (asprintf(&q, "SELECT %s.%s($1)", schema_q, fn) < 0)
		return fail(o, 500, "KMSInternalException", "An internal error occurred.");
	res = run(o, c, q, 1, v);
	free(q);
	if (!res)
		return -1;
	PQclear(res);
	return succeed(o, NULL);
}

static int
op_enable_key(outcome *o, PGconn *c, json_object *in)
{
	return op_key_state(o, c, in, "kms_enable_key");
}

static int
op_disable_key(outcome *o, PGconn *c, json_object *in)
{
	return op_key_state(o, c, in, "kms_disable_key");
}

/*
 * The key ARN AWS answers with.  Reading it needs kms:DescribeKey, which the
 * caller may lack: a savepoint keeps a refusal from undoing the operation,
 * and then the KeyId as given is answered.
 */
static char *
key_arn(PGconn *c, const char *key_id)
{
	PGresult   *res;
	char	   *q = sql("SELECT arn FROM %s.kms_describe_key($1)");
	char	   *arn = NULL;

	PQclear(PQexec(c, "SAVEPOINT kms_endpoint_arn"));
	res = PQexecParams(c, q, 1, NULL, &key_id, NULL, NULL, 0);
	free(q);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
	{
		arn = strdup(PQgetvalue(res, 0, 0));
		PQclear(res);
		PQclear(PQexec(c, "RELEASE SAVEPOINT kms_endpoint_arn"));
	}
	else
	{
		PQclear(res);
		PQclear(PQexec(c, "ROLLBACK TO SAVEPOINT kms_endpoint_arn"));
	}
	return arn ? arn : strdup(key_id);
}

static int
op_schedule_key_deletion(outcome *o, PGconn *c, json_object *in)
{
	const char *v[2];
	char		days_buf[16];
	PGresult   *res;
	char	   *q = sql("SELECT extract(epoch FROM d)::float8 FROM %s.kms_schedule_key_deletion($1, $2::integer) AS d");
	json_object *out;
	char	   *arn;

	/* the range (7..30) is the SQL function's to check */
	if (get_string(o, in, "KeyId", "keyId", true, &v[0]) < 0 ||
		get_int(o, in, "PendingWindowInDays", "pendingWindowInDays", -2147483647, 2147483647, days_buf, &v[1]) < 0)
	{
		free(q);
		return -1;
	}
	if (!v[1])
		v[1] = "30";
	res = run(o, c, q, 2, v);
	free(q);
	if (!res)
		return -1;
	arn = key_arn(c, v[0]);
	out = json_object_new_object();
	json_object_object_add(out, "KeyId", json_object_new_string(arn));
	json_object_object_add(out, "DeletionDate", json_object_new_double(strtod(PQgetvalue(res, 0, 0), NULL)));
	json_object_object_add(out, "KeyState", json_object_new_string("PendingDeletion"));
	json_object_object_add(out, "PendingWindowInDays", json_object_new_int(atoi(v[1])));
	free(arn);
	PQclear(res);
	return succeed(o, out);
}

static int
op_cancel_key_deletion(outcome *o, PGconn *c, json_object *in)
{
	const char *v[1];
	PGresult   *res;
	char	   *q = sql("SELECT %s.kms_cancel_key_deletion($1)");
	json_object *out;
	char	   *arn;

	if (get_string(o, in, "KeyId", "keyId", true, &v[0]) < 0)
	{
		free(q);
		return -1;
	}
	res = run(o, c, q, 1, v);
	free(q);
	if (!res)
		return -1;
	PQclear(res);
	arn = key_arn(c, v[0]);
	out = json_object_new_object();
	json_object_object_add(out, "KeyId", json_object_new_string(arn));
	free(arn);
	return succeed(o, out);
}

typedef int (*op_fn) (outcome *, PGconn *, json_object *);

static const struct
{
	const char *name;
	op_fn		fn;
}			operations[] =
{
	{"CreateKey", op_create_key},
	{"DescribeKey", op_describe_key},
	{"ListKeys", op_list_keys},
	{"GetKeyPolicy", op_get_key_policy},
	{"PutKeyPolicy", op_put_key_policy},
	{"ListKeyPolicies", op_list_key_policies},
	{"EnableKey", op_enable_key},
	{"DisableKey", op_disable_key},
	{"ScheduleKeyDeletion", op_schedule_key_deletion},
	{"CancelKeyDeletion", op_cancel_key_deletion},
};

/* -------------------------------------------------------------- requests */

typedef struct header_search
{
	const char *name;
	char	   *joined;			/* values of every occurrence joined by "," */
} header_search;

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	header_search *h = cls;

	(void) kind;
	if (strcasecmp(key, h->name) != 0)
		return MHD_YES;
	if (!h->joined)
		h->joined = strdup(value ? value : "");
	else
	{
		char	   *j = NULL;

		if (asprintf(&j, "%s,%s", h->joined, value ? value : "") >= 0)
		{
			free(h->joined);
			h->joined = j;
		}
	}
	return MHD_YES;
}

/* Check the SigV4 header syntax, the scope and the time; build the string to sign */
static int
prepare_signature(outcome *o, struct MHD_Connection *conn, request *r,
				  sigv4_auth *auth, const char **amz_date, char **sts)
{
	const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	const char *err;
	const char *values[SIGV4_MAX_SIGNED_HEADERS];
	header_search hs[SIGV4_MAX_SIGNED_HEADERS];
	time_t		t, now;

	if (!authz || !*authz)
		return fail(o, 400, "MissingAuthenticationTokenException", "Missing Authentication Token");
	if ((err = sigv4_parse_authorization(authz, auth)) != NULL)
		return fail(o, 400, "IncompleteSignatureException", "%s", err);
	*amz_date = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Date");
	if (!*amz_date)
		return fail(o, 400, "IncompleteSignatureException",
					"Authorization header requires existence of a 'X-Amz-Date' header.");
	if ((t = sigv4_parse_amz_date(*amz_date)) < 0)
		return fail(o, 400, "IncompleteSignatureException",
					"X-Amz-Date must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'.");
	if (strncmp(*amz_date, auth->date, 8) != 0)
		return fail(o, 400, "InvalidSignatureException",
					"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%.8s', from '%s'.",
					auth->date, *amz_date, *amz_date);
	if (strcmp(auth->service, "kms") != 0)
		return fail(o, 400, "InvalidSignatureException",
					"Credential should be scoped to correct service: 'kms'.");
	if (strcmp(auth->region, opt_region) != 0)
		return fail(o, 400, "InvalidSignatureException",
					"Credential should be scoped to a valid region, not '%s'.", auth->region);
	now = time(NULL);
	if (t < now - SIGNATURE_WINDOW_SECONDS || t > now + SIGNATURE_WINDOW_SECONDS)
		return fail(o, 400, "InvalidSignatureException",
					"Signature %s: %s is more than 15 minutes %s the endpoint's time.",
					t < now ? "expired" : "not yet current", *amz_date,
					t < now ? "earlier than" : "later than");

	for (int i = 0; i < auth->n_headers; i++)
	{
		hs[i].name = auth->headers[i];
		hs[i].joined = NULL;
		MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &hs[i]);
		values[i] = hs[i].joined;
	}
	*sts = sigv4_string_to_sign(auth, *amz_date, values, r->body ? r->body : "", r->len);
	for (int i = 0; i < auth->n_headers; i++)
		free(hs[i].joined);
	if (!*sts)
		return fail(o, 500, "KMSInternalException", "An internal error occurred.");
	return 0;
}

static int
handle_request(outcome *o, struct MHD_Connection *conn, const char *url,
			   const char *method, request *r)
{
	sigv4_auth	auth;
	const char *amz_date = NULL;
	char	   *sts = NULL;
	const char *target;
	op_fn		fn = NULL;
	PGconn	   *c;
	PGresult   *res;
	json_object *in = NULL;
	int			rc = -1;

	if (strcmp(method, "POST") != 0 || strcmp(url, "/") != 0)
		return fail(o, 400, "UnknownOperationException", "Only POST / is served.");

	target = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target");
	if (target && strncmp(target, "TrentService.", 13) == 0)
		for (size_t i = 0; i < sizeof(operations) / sizeof(operations[0]); i++)
			if (strcmp(target + 13, operations[i].name) == 0)
			{
				fn = operations[i].fn;
				o->operation = operations[i].name;
			}

	if (prepare_signature(o, conn, r, &auth, &amz_date, &sts) < 0)
		return -1;

	c = pool_acquire(db, opt_pool_wait_ms);
	if (!c)
	{
		free(sts);
		return fail(o, 400, "ThrottlingException", "Rate exceeded");
	}
	if (PQstatus(c) != CONNECTION_OK)
	{
		log_line("database connection unavailable: %s", PQerrorMessage(c));
		fail(o, 500, "KMSInternalException", "An internal error occurred.");
		goto done;
	}

	/*
	 * A connection the server closed since its last use (restart, idle
	 * timeout, pg_terminate_backend) fails here first: nothing has run yet,
	 * so reconnect and begin once more.
	 */
	res = PQexec(c, "BEGIN");
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQstatus(c) == CONNECTION_BAD)
	{
		PQclear(res);
		log_line("database connection lost, reconnecting");
		PQreset(c);
		res = PQexec(c, "BEGIN");
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fail_pg(o, c, res);
		PQclear(res);
		goto done;
	}
	PQclear(res);

	/* The database checks the signature and names the role to act as */
	{
		const char *v[5] = {auth.access_key_id, amz_date, auth.region, sts, auth.signature};
		char	   *q = sql("SELECT %s.kms_endpoint_authenticate($1, $2, $3, $4, $5)");
		char	   *role_q, *set;

		res = run(o, c, q, 5, v);
		free(q);
		if (!res)
			goto done;
		if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		{
			PQclear(res);
			fail(o, 400, "UnrecognizedClientException", "The security token included in the request is invalid.");
			goto done;
		}
		role_q = PQescapeIdentifier(c, PQgetvalue(res, 0, 0), (size_t) PQgetlength(res, 0, 0));
		PQclear(res);
		if (!role_q || asprintf(&set, "SET LOCAL ROLE %s", role_q) < 0)
		{
			PQfreemem(role_q);
			fail(o, 500, "KMSInternalException", "An internal error occurred.");
			goto done;
		}
		PQfreemem(role_q);
		res = run(o, c, set, 0, NULL);
		free(set);
		if (!res)
			goto done;
		PQclear(res);
	}

	if (!fn)
	{
		fail(o, 400, "UnknownOperationException", "%s",
			 target ? "The operation named by X-Amz-Target is not supported." : "Missing X-Amz-Target header.");
		goto done;
	}

	/* The body: one JSON object (an empty body counts as {}) */
	{
		json_tokener *tok = json_tokener_new();
		size_t		len = r->len;

		if (len == 0)
			in = json_object_new_object();
		else
		{
			in = json_tokener_parse_ex(tok, r->body, (int) len);
			if (in && json_tokener_get_error(tok) == json_tokener_success)
			{
				for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
					if (!strchr(" \t\r\n", r->body[i]))
					{
						json_object_put(in);
						in = NULL;
						break;
					}
			}
			else
			{
				json_object_put(in);
				in = NULL;
			}
		}
		json_tokener_free(tok);
		if (!in || !json_object_is_type(in, json_type_object))
		{
			fail(o, 400, "SerializationException", "The request body is not a JSON object.");
			goto done;
		}
	}

	if (fn(o, c, in) < 0)
		goto done;
	res = run(o, c, "COMMIT", 0, NULL);
	if (!res)
	{
		free(o->body);
		o->body = NULL;
		goto done;
	}
	PQclear(res);
	rc = 0;

done:
	json_object_put(in);
	free(sts);
	pool_release(db, c);		/* rolls back what is left open */
	return rc;
}

static enum MHD_Result
send_outcome(struct MHD_Connection *conn, outcome *o, const request *r)
{
	struct timespec now;
	double		ms;

	struct MHD_Response *resp;
	char	   *text = NULL;
	enum MHD_Result ret;
	unsigned char id[16];
	char		request_id[40];

	if (o->type)
	{
		json_object *e = json_object_new_object();

		json_object_object_add(e, "__type", json_object_new_string(o->type));
		json_object_object_add(e, "message", json_object_new_string(o->message ? o->message : ""));
		text = strdup(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(e);
	}
	else
		text = o->body ? strdup(o->body) : strdup("");
	if (!text)
		return MHD_NO;

	RAND_bytes(id, sizeof(id));
	id[6] = (id[6] & 0x0f) | 0x40;
	id[8] = (id[8] & 0x3f) | 0x80;
	snprintf(request_id, sizeof(request_id),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7],
			 id[8], id[9], id[10], id[11], id[12], id[13], id[14], id[15]);

	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/x-amz-json-1.1");
	MHD_add_response_header(resp, "x-amzn-RequestId", request_id);
	ret = MHD_queue_response(conn, (unsigned int) o->status, resp);
	MHD_destroy_response(resp);

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double) (now.tv_sec - r->started.tv_sec) * 1e3 +
		(double) (now.tv_nsec - r->started.tv_nsec) / 1e6;
	log_line("%s %s %d%s%s %.1f ms", request_id, o->operation ? o->operation : "-", o->status,
			 o->type ? " " : "", o->type ? o->type : "", ms);
	return ret;
}

static enum MHD_Result
too_large(struct MHD_Connection *conn, request *r)
{
	outcome		o = {0};
	enum MHD_Result ret;

	r->answered = true;
	fail(&o, 413, "RequestEntityTooLargeException",
		 "The request body exceeds the endpoint's limit of %zu bytes.", opt_max_body);
	ret = send_outcome(conn, &o, r);
	free(o.message);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
		   const char *method, const char *version, const char *upload_data,
		   size_t *upload_data_size, void **con_cls)
{
	request    *r = *con_cls;

	(void) cls;
	(void) version;
	if (!r)
	{
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");

		r = calloc(1, sizeof(request));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		clock_gettime(CLOCK_MONOTONIC, &r->started);
		/* refused before a byte of the body is read */
		if (cl && strtoull(cl, NULL, 10) > opt_max_body)
			return too_large(conn, r);
		return MHD_YES;
	}
	if (r->answered)
	{
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size)
	{
		size_t		n = *upload_data_size;

		*upload_data_size = 0;
		if (r->too_large || r->len + n > opt_max_body)
		{
			r->too_large = true;
			return MHD_YES;
		}
		if (r->len + n + 1 > r->cap)
		{
			size_t		cap = (r->len + n + 1) * 2;
			char	   *b = realloc(r->body, cap > opt_max_body + 1 ? opt_max_body + 1 : cap);

			if (!b)
				return MHD_NO;
			r->body = b;
			r->cap = cap > opt_max_body + 1 ? opt_max_body + 1 : cap;
		}
		memcpy(r->body + r->len, upload_data, n);
		r->len += n;
		r->body[r->len] = '\0';
		return MHD_YES;
	}
	if (r->too_large)
		return too_large(conn, r);

	{
		outcome		o = {0};
		enum MHD_Result ret;

		handle_request(&o, conn, url, method, r);
		r->answered = true;
		ret = send_outcome(conn, &o, r);
		free(o.message);
		free(o.body);
		return ret;
	}
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	request    *r = *con_cls;

	(void) cls;
	(void) conn;
	(void) toe;
	if (r)
	{
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

/* ------------------------------------------------------------------ main */

static void
usage(FILE *f)
{
	fprintf(f,
			"Usage: kms-policy-endpoint --listen HOST:PORT --dsn CONNINFO [options]\n"
			"  --listen HOST:PORT     address to serve the KMS JSON 1.1 protocol on (e.g. 127.0.0.1:4599)\n"
			"  --dsn CONNINFO         libpq connection string of the endpoint's login role\n"
			"  --region REGION        the region requests must be signed for (default us-east-1)\n"
			"  --schema SCHEMA        schema of the kms_policy extension (default public)\n"
			"  --pool N               database connections (default 4)\n"
			"  --pool-wait-ms MS      wait for a free connection before ThrottlingException (default 200)\n"
			"  --max-body BYTES       largest request body accepted (default 65536)\n"
			"  --max-clients N        simultaneous HTTP connections (default 256)\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"dsn", required_argument, NULL, 'd'},
		{"region", required_argument, NULL, 'r'},
		{"schema", required_argument, NULL, 's'},
		{"pool", required_argument, NULL, 'p'},
		{"pool-wait-ms", required_argument, NULL, 'w'},
		{"max-body", required_argument, NULL, 'b'},
		{"max-clients", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const char *listen_on = NULL, *dsn = NULL;
	int			pool_size = 4, max_clients = 256, ch, sig;
	struct addrinfo hints = {0}, *ai = NULL;
	char	   *host, *port;
	sigset_t	sigs;
	struct MHD_Daemon *d;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
	{
		switch (ch)
		{
			case 'l': listen_on = optarg; break;
			case 'd': dsn = optarg; break;
			case 'r': opt_region = optarg; break;
			case 's': opt_schema = optarg; break;
			case 'p': pool_size = atoi(optarg); break;
			case 'w': opt_pool_wait_ms = atoi(optarg); break;
			case 'b': opt_max_body = strtoull(optarg, NULL, 10); break;
			case 'c': max_clients = atoi(optarg); break;
			case 'h': usage(stdout); return 0;
			default: usage(stderr); return 2;
		}
	}
	if (!listen_on || !dsn || pool_size < 1 || pool_size > 1000 || opt_pool_wait_ms < 0 ||
		opt_max_body < 1 || max_clients < 1 || optind != argc)
	{
		usage(stderr);
		return 2;
	}

	/* HOST:PORT, or [V6]:PORT */
	host = strdup(listen_on);
	port = strrchr(host, ':');
	if (!port)
	{
		fprintf(stderr, "kms-policy-endpoint: --listen needs HOST:PORT\n");
		return 2;
	}
	*port++ = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']')
	{
		host[strlen(host) - 1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((ch = getaddrinfo(host, port, &hints, &ai)) != 0)
	{
		fprintf(stderr, "kms-policy-endpoint: cannot resolve %s: %s\n", listen_on, gai_strerror(ch));
		return 2;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;

	/* the schema name, quoted once */
	{
		PGconn	   *probe = NULL;
		size_t		n = strlen(opt_schema);
		char	   *q = malloc(2 * n + 3), *p = q;

		(void) probe;
		*p++ = '"';
		for (size_t i = 0; i < n; i++)
		{
			if (opt_schema[i] == '"')
				*p++ = '"';
			*p++ = opt_schema[i];
		}
		*p++ = '"';
		*p = '\0';
		schema_q = q;
	}

	/* SIGTERM and SIGINT are taken by sigwait below; every thread inherits the mask */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	db = pool_open(dsn, pool_size);
	if (!db)
	{
		fprintf(stderr, "kms-policy-endpoint: cannot open %d database connections\n", pool_size);
		return 1;
	}

	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
						 MHD_OPTION_SOCK_ADDR, ai->ai_addr,
						 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
						 MHD_OPTION_CONNECTION_LIMIT, (unsigned int) max_clients,
						 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 30,
						 MHD_OPTION_END);
	if (!d)
	{
		fprintf(stderr, "kms-policy-endpoint: cannot listen on %s: %s\n", listen_on, strerror(errno));
		pool_close(db);
		return 1;
	}
	freeaddrinfo(ai);
	log_line("listening on %s (region %s, schema %s, pool %d, pool wait %d ms, max body %zu bytes)",
			 listen_on, opt_region, opt_schema, pool_size, opt_pool_wait_ms, opt_max_body);

	do
	{
		if (sigwait(&sigs, &sig) != 0)
			sig = 0;
	} while (sig != SIGTERM && sig != SIGINT);

	log_line("received %s, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	MHD_stop_daemon(d);
	pool_close(db);
	free(schema_q);
	free(host);
	log_line("stopped");
	return 0;
}
