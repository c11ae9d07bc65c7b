/*
 * jsonc_oracle.c -- the key-policy validator as it was before issue 17
 * ("Validation in one pass"): the same grammar walked over the json-c tree
 * that kp_json_parse_strict builds.  Test-only: test_onepass.c includes it
 * and checks that kp_policy_parse (the scanner's own tree, no json-c) gives
 * the same kp_policy, or the same kp_error byte for byte, on every document
 * it tries.  Not built into libkp.a.  Do not change it to follow the grammar:
 * it is the reference for the change that removed json-c, no more.
 *
 * Its entry point is oracle_policy_parse; everything else is static.  The
 * kp_policy it returns is released with kp_policy_free (libkp).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "kp.h"
#include "internal/kp_iam.h"
#include "internal/kp_operand.h"

/* Messages AWS KMS is known to use. */
#define MSG_NO_PRINCIPAL \
	"Policy contains a statement with no principal."
#define MSG_INVALID_PRINCIPALS \
	"Policy contains a statement with one or more invalid principals."
#define MSG_INVALID_ARN \
	"An ARN in the specified key policy is invalid."
#define MSG_FORBIDDEN_KEYS \
	"These condition keys are not permitted in a key policy: "
#define MSG_FOR_ALL_VALUES \
	"OverlyPermissiveCondition: Using the ForAllValues set operator with a " \
	"single-valued condition key matches requests without the specified %s " \
	"or with an unspecified %s. To fix, remove ForAllValues."

/* Our own wording where AWS's is unknown, in the same style. */
#define MSG_DOCUMENT \
	"Policy document is not valid."
#define MSG_STATEMENT \
	"Policy contains a statement that is not valid."
#define MSG_EFFECT \
	"Policy contains a statement with an invalid effect."
#define MSG_ACTIONS \
	"Policy contains a statement with one or more invalid actions."
#define MSG_RESOURCES \
	"Policy contains a statement with one or more invalid resources."
#define MSG_CONDITIONS \
	"Policy contains a statement with one or more invalid conditions."
#define MSG_NOMEM \
	"Out of memory while compiling the policy."

/* Text checks. */
#define MSG_AWS_PATTERN \
	"1 validation error detected: Value at 'policy' failed to satisfy " \
	"constraint: Member must satisfy regular expression pattern: " \
	"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"
#define MSG_AWS_TOO_LONG \
	"1 validation error detected: Value at 'policy' failed to satisfy " \
	"constraint: Member must have length less than or equal to 131072"
#define MSG_AWS_EMPTY \
	"1 validation error detected: Value at 'policy' failed to satisfy " \
	"constraint: Member must have length greater than or equal to 1"
#define MSG_AWS_QUOTA \
	"The key policy exceeds the 32768-character key policy document size quota."
#define MSG_ALI_INVALID \
	"The key policy contains characters that are not allowed."
#define MSG_ALI_EMPTY \
	"The key policy must not be empty."
#define MSG_ALI_QUOTA \
	"The key policy exceeds the 32768-byte key policy document size limit."

/* How much of a user-supplied value a detail quotes. */
#define QUOTE_MAX 120

/* Length of a string literal, for prefix tests: starts_with(s, "group/"). */
#define LIT_LEN(lit) (sizeof(lit) - 1)
#define starts_with(s, lit) (strncmp((s), (lit), LIT_LEN(lit)) == 0)

typedef struct vctx
{
	kp_error   *err;
	kp_dialect	dialect;
	kp_doc_kind kind;
	const char *partition;
	json_object *root;
	kp_policy  *pol;			/* notes go here */
	char		stmt[32];		/* "Statement[3]" or "Statement" */
} vctx;

#define IS_ALIBABA(c) ((c)->dialect == KP_DIALECT_ALIBABA)
#define IS_KEY_POLICY(c) ((c)->kind == KP_DOC_KEY_POLICY)

/* ------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------ */

static kp_status
vfail(vctx *c, kp_status st, const char *message, const char *path,
	  const char *fmt,...)
	__attribute__((format(printf, 5, 6)));

static kp_status
vfail(vctx *c, kp_status st, const char *message, const char *path,
	  const char *fmt,...)
{
	char		detail[KP_DETAIL_LEN];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return kp_fail(c->err, st, message, path, -1, "%s", detail);
}

static kp_status
nomem(vctx *c)
{
	return kp_fail(c->err, KP_ERR_NOMEM, MSG_NOMEM, "", -1,
				   "The policy core could not allocate memory.");
}

static void
mkpath(char *buf, const char *fmt,...)
	__attribute__((format(printf, 2, 3)));

static void
mkpath(char *buf, const char *fmt,...)
{
	va_list		ap;
	size_t		o = 0;

	/*
	 * Only %s and %zu, truncated at KP_PATH_LEN as vsnprintf would: a path is
	 * built for every element of every document, and vsnprintf was a fifth
	 * of a 2 KB policy's validation (callgrind, BENCHMARKS.md).
	 */
	va_start(ap, fmt);
	for (const char *p = fmt; *p != '\0' && o + 1 < KP_PATH_LEN; p++)
	{
		if (p[0] == '%' && p[1] == 's')
		{
			const char *a = va_arg(ap, const char *);

			while (*a != '\0' && o + 1 < KP_PATH_LEN)
				buf[o++] = *a++;
			p++;
		}
		else if (p[0] == '%' && p[1] == 'z' && p[2] == 'u')
		{
			size_t		v = va_arg(ap, size_t);
			char		digits[24];
			int			n = 0;

			do
				digits[n++] = (char) ('0' + v % 10);
			while ((v /= 10) != 0);
			while (n > 0 && o + 1 < KP_PATH_LEN)
				buf[o++] = digits[--n];
			p += 2;
		}
		else
			buf[o++] = *p;
	}
	buf[o] = '\0';
	va_end(ap);
}

/* malloc'd printf; NULL when out of memory. */
static char *
xprintf(const char *fmt,...)
	__attribute__((format(printf, 1, 2)));

static char *
xprintf(const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = malloc((size_t) n + 1);
	if (s == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static char *
xstrdup(const char *s)
{
	size_t		n = strlen(s) + 1;
	char	   *d = malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

static const char *
type_name(json_object *v)
{
	switch (json_object_get_type(v))
	{
		case json_type_null:
			return "null";
		case json_type_boolean:
			return "a boolean";
		case json_type_double:
		case json_type_int:
			return "a number";
		case json_type_object:
			return "an object";
		case json_type_array:
			return "an array";
		case json_type_string:
			return "a string";
	}
	return "a value of unknown type";
}

static bool
is_string(json_object *v)
{
	return json_object_is_type(v, json_type_string);
}

/* The string of a json-c string; "\u0000" never gets this far. */
static const char *
str_of(json_object *v)
{
	return json_object_get_string(v);
}

static bool
starts_with_ci(const char *s, const char *prefix)
{
	return kp_ascii_ncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t		n = strlen(s);
	size_t		m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static inline bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static inline bool
is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static inline bool
is_alnum(char ch)
{
	return is_digit(ch) || is_alpha(ch);
}

/* Number of items of a string-or-array value. */
static size_t
list_len(json_object *v)
{
	return json_object_is_type(v, json_type_array) ?
		json_object_array_length(v) : 1;
}

static json_object *
list_item(json_object *v, size_t i)
{
	return json_object_is_type(v, json_type_array) ?
		json_object_array_get_idx(v, i) : v;
}

static void
list_item_path(char *buf, const char *base, json_object *v, size_t i)
{
	if (json_object_is_type(v, json_type_array))
		mkpath(buf, "%s[%zu]", base, i);
	else
		mkpath(buf, "%s", base);
}

/*
 * A string or a non-empty array of strings; message is the kp_error message
 * to use when it is not.
 */
static kp_status
check_string_list(vctx *c, json_object *v, const char *path,
				  const char *message)
{
	size_t		n;
	size_t		i;
	char		ipath[KP_PATH_LEN];

	if (is_string(v))
		return KP_OK;
	if (!json_object_is_type(v, json_type_array))
		return vfail(c, KP_ERR_MALFORMED, message, path,
					 "%s must be a string or a non-empty array of strings, not %s.",
					 path, type_name(v));
	n = json_object_array_length(v);
	if (n == 0)
		return vfail(c, KP_ERR_MALFORMED, message, path,
					 "%s must be a string or a non-empty array of strings, not an empty array.",
					 path);
	for (i = 0; i < n; i++)
	{
		json_object *item = json_object_array_get_idx(v, i);

		if (!is_string(item))
		{
			mkpath(ipath, "%s[%zu]", path, i);
			return vfail(c, KP_ERR_MALFORMED, message, ipath,
						 "%s must be a string, not %s.", ipath, type_name(item));
		}
	}
	return KP_OK;
}

/* ------------------------------------------------------------------------
 * Characters and length
 * ------------------------------------------------------------------------ */

static bool
aws_char_allowed(unsigned int cp)
{
	return cp == 0x09 || cp == 0x0A || cp == 0x0D ||
		(cp >= 0x20 && cp <= 0xFF);
}

static bool
alibaba_char_allowed(unsigned int cp)
{
	if (cp == 0x09 || cp == 0x0A || cp == 0x0D)
		return true;
	return !(cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F));
}

static kp_status
oracle_check_text(const char *doc, size_t len, kp_dialect dialect,
					 kp_error *err)
{
	const unsigned char *s = (const unsigned char *) doc;
	bool		aws = (dialect != KP_DIALECT_ALIBABA);
	size_t		pos = 0;
	size_t		chars = 0;
	unsigned int cp;
	size_t		n;

	kp_error_clear(err);
	if (doc == NULL || len == 0)
		return kp_fail(err, KP_ERR_VALIDATION,
					   aws ? MSG_AWS_EMPTY : MSG_ALI_EMPTY, "", -1,
					   "The policy is empty; it must have at least one character.");

	while (pos < len)
	{
		/* printable ASCII, allowed in both dialects: most of a document */
		if (s[pos] >= 0x20 && s[pos] < 0x7F)
		{
			pos++;
			chars++;
			continue;
		}
		n = kp_utf8_decode(s + pos, len - pos, &cp);
		if (n == 0)
			return kp_fail(err, KP_ERR_VALIDATION,
						   aws ? MSG_AWS_PATTERN : MSG_ALI_INVALID, "", (long) pos,
						   "The policy is not valid UTF-8: invalid byte sequence at byte offset %zu.",
						   pos);
		if (aws ? !aws_char_allowed(cp) : !alibaba_char_allowed(cp))
			return kp_fail(err, KP_ERR_VALIDATION,
						   aws ? MSG_AWS_PATTERN : MSG_ALI_INVALID, "", (long) pos,
						   aws ?
						   "The policy contains the character U+%04X at character offset %zu; only U+0009, U+000A, U+000D and U+0020 through U+00FF are allowed." :
						   "The policy contains the control character U+%04X at character offset %zu; only tab, line feed and carriage return are allowed.",
						   cp, chars);
		pos += n;
		chars++;
	}

	if (aws)
	{
		if (chars > KP_AWS_MAX_POLICY_CHARS)
			return kp_fail(err, KP_ERR_VALIDATION, MSG_AWS_TOO_LONG, "", -1,
						   "The policy has %zu characters; at most %d are allowed.",
						   chars, KP_AWS_MAX_POLICY_CHARS);
		if (chars > KP_AWS_POLICY_QUOTA)
			return kp_fail(err, KP_ERR_LIMIT, MSG_AWS_QUOTA, "", -1,
						   "The key policy has %zu characters; the key policy document size quota is %d characters.",
						   chars, KP_AWS_POLICY_QUOTA);
	}
	else if (len > KP_ALIBABA_MAX_POLICY_BYTES)
		return kp_fail(err, KP_ERR_LIMIT, MSG_ALI_QUOTA, "", -1,
					   "The key policy has %zu bytes; at most %d bytes are allowed.",
					   len, KP_ALIBABA_MAX_POLICY_BYTES);
	return KP_OK;
}

/* ------------------------------------------------------------------------
 * Principals
 * ------------------------------------------------------------------------ */

/* [A-Za-z0-9+=,.@_-]: IAM user, role and session name characters. */
static bool
is_iam_name_char(char ch)
{
	return is_alnum(ch) || strchr("+=,.@_-", ch) != NULL;
}

/*
 * n '/'-separated non-empty segments of IAM name characters (n == 0: one or
 * more).  The last segment is the name, the others the path.
 */
static bool
iam_segments_ok(const char *s, int n)
{
	int			segs = 0;
	size_t		len = 0;

	for (;; s++)
	{
		if (*s == '/' || *s == '\0')
		{
			if (len == 0)
				return false;
			segs++;
			len = 0;
			if (*s == '\0')
				break;
		}
		else if (is_iam_name_char(*s))
			len++;
		else
			return false;
	}
	return n == 0 || segs == n;
}

/*
 * An AWS principal ARN: iam root/user/role or sts assumed-role /
 * federated-user.  A malformed ARN (a wildcard, missing parts or service, an
 * unknown partition, a region, an account that is not 12 digits, an empty or
 * invalid name) is AWS's MalformedPolicyDocumentException "one or more
 * invalid principals"; a well-formed ARN of a kind that cannot be a principal
 * (an IAM group or instance profile, another service's resource) is
 * InvalidArnException.
 */
static kp_status
check_aws_principal_arn(vctx *c, const char *s, const char *path)
{
	kp_arn		a;
	const char *r;

	if (strpbrk(s, "*?") != NULL)
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The principal ARN \"%.*s\" at %s contains a wildcard; a principal ARN cannot contain \"*\" or \"?\".",
					 QUOTE_MAX, s, path);
	if (!kp_arn_split(s, &a))
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The principal ARN \"%.*s\" at %s does not have the six parts arn:partition:service:region:account:resource.",
					 QUOTE_MAX, s, path);
	if (!kp_is_partition(a.partition))
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The principal ARN \"%.*s\" at %s names the unknown partition \"%s\".",
					 QUOTE_MAX, s, path, a.partition);
	if (a.service[0] == '\0' || strspn(a.service, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(a.service))
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The principal ARN \"%.*s\" at %s has no valid service part; a principal ARN must be an IAM (iam) or STS (sts) ARN.",
					 QUOTE_MAX, s, path);
	if (strcmp(a.service, "iam") != 0 && strcmp(a.service, "sts") != 0)
		return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
					 "The principal ARN \"%.*s\" at %s names the service \"%s\"; a principal ARN must be an IAM (iam) or STS (sts) ARN.",
					 QUOTE_MAX, s, path, a.service);
	if (a.region[0] != '\0')
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The principal ARN \"%.*s\" at %s has the region \"%s\"; IAM and STS ARNs have an empty region part.",
					 QUOTE_MAX, s, path, a.region);
	if (!kp_is_aws_account_id(a.account))
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The principal ARN \"%.*s\" at %s has the account \"%s\"; the account part must be 12 digits.",
					 QUOTE_MAX, s, path, a.account);
	r = a.resource;
	if (strchr(r, ':') != NULL)
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The principal ARN \"%.*s\" at %s has too many parts; its resource part \"%.*s\" cannot contain ':'.",
					 QUOTE_MAX, s, path, QUOTE_MAX, r);

	if (strcmp(a.service, "iam") == 0)
	{
		if (strcmp(r, "root") == 0)
			return KP_OK;
		if (strncmp(r, "user/", 5) == 0 || strncmp(r, "role/", 5) == 0)
		{
			if (iam_segments_ok(r + 5, 0))
				return KP_OK;
			return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
						 "The principal ARN \"%.*s\" at %s has an empty or invalid %s name or path.",
						 QUOTE_MAX, s, path, r[1] == 's' ? "user" : "role");
		}
		if (starts_with(r, "group/"))
			return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
						 "The principal ARN \"%.*s\" at %s names an IAM group; IAM groups cannot be principals in a key policy.",
						 QUOTE_MAX, s, path);
		if (starts_with(r, "instance-profile/"))
			return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
						 "The principal ARN \"%.*s\" at %s names an instance profile; instance profiles cannot be principals in a key policy.",
						 QUOTE_MAX, s, path);
		return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
					 "The principal ARN \"%.*s\" at %s has the resource \"%.*s\"; an IAM principal ARN must end in \"root\", \"user/<name>\" or \"role/<name>\".",
					 QUOTE_MAX, s, path, QUOTE_MAX, r);
	}

	/* sts */
	if (starts_with(r, "assumed-role/"))
	{
		if (iam_segments_ok(r + LIT_LEN("assumed-role/"), 2))
			return KP_OK;
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The principal ARN \"%.*s\" at %s must name a role and a session: assumed-role/<role>/<session>.",
					 QUOTE_MAX, s, path);
	}
	if (starts_with(r, "federated-user/"))
	{
		if (iam_segments_ok(r + LIT_LEN("federated-user/"), 1))
			return KP_OK;
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The principal ARN \"%.*s\" at %s has an empty or invalid federated user name.",
					 QUOTE_MAX, s, path);
	}
	return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
				 "The principal ARN \"%.*s\" at %s has the resource \"%.*s\"; an STS principal ARN must be \"assumed-role/<role>/<session>\" or \"federated-user/<name>\".",
				 QUOTE_MAX, s, path, QUOTE_MAX, r);
}

/*
 * Service principal names: lowercase labels of [a-z0-9-] ending in
 * ".amazonaws.com" or ".amazonaws.com.cn", with at least one label before.
 */
static bool
is_service_principal(const char *s)
{
	size_t		n = strlen(s);
	size_t		head;
	size_t		i;
	size_t		label = 0;

	if (ends_with(s, ".amazonaws.com"))
		head = n - strlen(".amazonaws.com");
	else if (ends_with(s, ".amazonaws.com.cn"))
		head = n - strlen(".amazonaws.com.cn");
	else
		return false;
	if (head == 0)
		return false;
	for (i = 0; i < head; i++)
	{
		char		ch = s[i];

		if (ch == '.')
		{
			if (label == 0)
				return false;
			label = 0;
		}
		else if ((ch >= 'a' && ch <= 'z') || is_digit(ch) || ch == '-')
			label++;
		else
			return false;
	}
	return label > 0;
}

/* Alibaba RAM names: [A-Za-z0-9._@+=,-]+ */
static bool
is_ram_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
	{
		if (!(is_alnum(*s) || strchr("._@+=,-", *s) != NULL))
			return false;
	}
	return true;
}

static kp_status
check_ram_principal_arn(vctx *c, const char *s, const char *path)
{
	kp_arn		a;
	size_t		n;
	const char *r;

	if (!kp_arn_split(s, &a))
		return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
					 "The principal ARN \"%.*s\" at %s does not have the five parts acs:ram::<account>:<resource>.",
					 QUOTE_MAX, s, path);
	if (strcmp(a.service, "ram") != 0)
		return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
					 "The principal ARN \"%.*s\" at %s names the service \"%s\"; a principal ARN must be a RAM (ram) ARN.",
					 QUOTE_MAX, s, path, a.service);
	if (a.region[0] != '\0')
		return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
					 "The principal ARN \"%.*s\" at %s has the region \"%s\"; RAM ARNs have an empty region part.",
					 QUOTE_MAX, s, path, a.region);
	n = strlen(a.account);
	if (n == 0 || n > 20 || strspn(a.account, "0123456789") != n)
		return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
					 "The principal ARN \"%.*s\" at %s has the account \"%s\"; the account part must be an Alibaba Cloud account ID (digits).",
					 QUOTE_MAX, s, path, a.account);
	r = a.resource;
	if (strcmp(r, "*") == 0 || strcmp(r, "root") == 0)
		return KP_OK;
	if ((strncmp(r, "user/", 5) == 0 || strncmp(r, "role/", 5) == 0) &&
		is_ram_name(r + 5))
		return KP_OK;
	return vfail(c, KP_ERR_INVALID_ARN, MSG_INVALID_ARN, path,
				 "The principal ARN \"%.*s\" at %s has the resource \"%.*s\"; a RAM principal ARN must end in \"*\", \"root\", \"user/<name>\" or \"role/<name>\".",
				 QUOTE_MAX, s, path, QUOTE_MAX, r);
}

static kp_status
set_principal(vctx *c, kp_principal *p, kp_principal_kind kind,
			  const char *value, const char *arn, const char *path)
{
	p->kind = kind;
	p->value = xstrdup(value);
	p->arn = xstrdup(arn);
	p->path = xstrdup(path);
	if (p->value == NULL || p->arn == NULL || p->path == NULL)
		return nomem(c);
	return KP_OK;
}

/* One value of Principal.AWS. */
static kp_status
compile_aws_principal(vctx *c, const char *s, const char *path,
					  kp_principal *p)
{
	kp_status	st;
	char	   *arn;

	if (strcmp(s, "*") == 0)
		return set_principal(c, p, KP_PRIN_ANY, s, s, path);
	if (kp_is_aws_account_id(s))
	{
		arn = xprintf("arn:%s:iam::%s:root", c->partition, s);
		if (arn == NULL)
			return nomem(c);
		st = set_principal(c, p, KP_PRIN_AWS, s, arn, path);
		free(arn);
		return st;
	}
	if (strncmp(s, "arn:", 4) == 0)
	{
		st = check_aws_principal_arn(c, s, path);
		if (st != KP_OK)
			return st;
		return set_principal(c, p, KP_PRIN_AWS, s, s, path);
	}
	return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
				 "The AWS principal \"%.*s\" at %s is not \"*\", a 12-digit account ID or an IAM or STS ARN.",
				 QUOTE_MAX, s, path);
}

/*
 * The principal types of a Principal object (AWS/Service, or RAM) and the
 * shape of each value; *total counts the values, *named the non-empty ones.
 */
static kp_status
check_principal_types(vctx *c, json_object *v, const char *base,
					  const char *ptype, size_t *total, size_t *named)
{
	char		kpath[KP_PATH_LEN];
	size_t		i;
	kp_status	rc;

	json_object_object_foreach(v, key, val)
	{
		bool		ok;

		mkpath(kpath, "%s.%s", base, key);
		if (IS_ALIBABA(c))
			ok = strcmp(key, "RAM") == 0;
		else
			ok = strcmp(key, "AWS") == 0 || strcmp(key, "Service") == 0;
		if (!ok)
			return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, kpath,
						 "The principal type \"%.*s\" at %s is not supported in a key policy; use %s.",
						 QUOTE_MAX, key, kpath, ptype);
		/* [] names no principal: checked by the caller, with "" */
		if (json_object_is_type(val, json_type_array) &&
			json_object_array_length(val) == 0)
			continue;
		rc = check_string_list(c, val, kpath, MSG_INVALID_PRINCIPALS);
		if (rc != KP_OK)
			return rc;
		*total += list_len(val);
		for (i = 0; i < list_len(val); i++)
			if (str_of(list_item(val, i))[0] != '\0')
				(*named)++;
	}
	return KP_OK;
}

/* One principal value s of type key ("AWS", "Service" or "RAM") into *p. */
static kp_status
compile_principal_value(vctx *c, const char *key, const char *s,
						const char *path, kp_principal *p)
{
	kp_status	rc;

	if (strcmp(key, "AWS") == 0)
		return compile_aws_principal(c, s, path, p);
	if (strcmp(key, "Service") == 0)
	{
		if (is_service_principal(s))
			return set_principal(c, p, KP_PRIN_SERVICE, s, s, path);
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
					 "The service principal \"%.*s\" at %s is not a service principal name such as \"cloudtrail.amazonaws.com\".",
					 QUOTE_MAX, s, path);
	}

	/*
	 * RAM: an account (acs:ram::<id>:* or :root), or a RAM user or role of
	 * one.  Alibaba lists no "everyone".
	 */
	if (strncmp(s, "acs:", 4) == 0)
	{
		rc = check_ram_principal_arn(c, s, path);
		if (rc == KP_OK)
			rc = set_principal(c, p, KP_PRIN_RAM, s, s, path);
		return rc;
	}
	return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
				 "The RAM principal \"%.*s\" at %s is not an acs:ram ARN (acs:ram::<account>:*, :root, :user/<name> or :role/<name>).",
				 QUOTE_MAX, s, path);
}

static kp_status
compile_principals(vctx *c, json_object *v, kp_statement *st)
{
	char		base[KP_PATH_LEN];
	char		path[KP_PATH_LEN];
	char		kpath[KP_PATH_LEN];
	size_t		total = 0;
	size_t		named = 0;
	size_t		k = 0;
	size_t		i;
	kp_status	rc;
	const char *ptype = IS_ALIBABA(c) ? "\"RAM\"" : "\"AWS\" or \"Service\"";

	mkpath(base, "%s.Principal", c->stmt);

	if (is_string(v) && str_of(v)[0] == '\0')
		return vfail(c, KP_ERR_MALFORMED, MSG_NO_PRINCIPAL, base,
					 "%s is an empty string; it names no principal.", base);
	if (is_string(v) && !IS_ALIBABA(c))
	{
		if (strcmp(str_of(v), "*") != 0)
			return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, base,
						 "%s must be \"*\" or an object with %s elements, not the string \"%.*s\".",
						 base, ptype, QUOTE_MAX, str_of(v));
		st->principals = calloc(1, sizeof(kp_principal));
		if (st->principals == NULL)
			return nomem(c);
		st->n_principals = 1;
		return set_principal(c, &st->principals[0], KP_PRIN_ANY, "*", "*", base);
	}
	if (!json_object_is_type(v, json_type_object))
		return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, base,
					 "%s must be %san object with %s elements, not %s.",
					 base, IS_ALIBABA(c) ? "" : "\"*\" or ",
					 ptype, type_name(v));
	if (json_object_object_length(v) == 0)
		return vfail(c, KP_ERR_MALFORMED, MSG_NO_PRINCIPAL, base,
					 "%s is an empty object; it names no principal.", base);

	/* Principal types, then the shape of each value. */
	rc = check_principal_types(c, v, base, ptype, &total, &named);
	if (rc != KP_OK)
		return rc;
	/* {"AWS": []}, {"AWS": ""}, {"AWS": [""], "Service": []}, ... */
	if (named == 0)
		return vfail(c, KP_ERR_MALFORMED, MSG_NO_PRINCIPAL, base,
					 "%s names no principal: its values are empty.", base);

	st->principals = calloc(total, sizeof(kp_principal));
	if (st->principals == NULL)
		return nomem(c);
	st->n_principals = total;

	{
		json_object_object_foreach(v, key, val)
		{
			mkpath(kpath, "%s.%s", base, key);
			for (i = 0; i < list_len(val); i++)
			{
				list_item_path(path, kpath, val, i);
				rc = compile_principal_value(c, key, str_of(list_item(val, i)),
											 path, &st->principals[k++]);
				if (rc != KP_OK)
					return rc;
			}
		}
	}
	return KP_OK;
}

/* ------------------------------------------------------------------------
 * Actions and resources
 * ------------------------------------------------------------------------ */

/* Record a note on the policy being compiled. */
static kp_status
add_note(vctx *c, const char *path, const char *value, const char *fmt,...)
	__attribute__((format(printf, 4, 5)));

static kp_status
add_note(vctx *c, const char *path, const char *value, const char *fmt,...)
{
	kp_note    *nn;
	kp_note    *n;
	char		detail[KP_DETAIL_LEN];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	nn = realloc(c->pol->notes, (c->pol->n_notes + 1) * sizeof(kp_note));
	if (nn == NULL)
		return nomem(c);
	c->pol->notes = nn;
	n = &nn[c->pol->n_notes];
	n->path = xstrdup(path);
	n->value = xstrdup(value);
	n->detail = xstrdup(detail);
	c->pol->n_notes++;
	if (n->path == NULL || n->value == NULL || n->detail == NULL)
		return nomem(c);
	return KP_OK;
}

/*
 * One Action/NotAction value.  AWS accepts any non-empty string here (a
 * public script stored "kms=GenerateDataKey"); a value that names no KMS
 * action -- not "<service>:<action>", or a "kms:" name or pattern that
 * matches none of the KMS actions -- is accepted with a note, because the
 * statement grants (or denies, or excludes) nothing through it.  Actions of
 * other services are accepted silently (identity policies hold them).
 * Alibaba keeps its own rule: only well-formed "kms:" actions.
 */
static kp_status
check_action(vctx *c, const char *s, const char *path, bool not_action,
			 bool allow)
{
	const char *colon = strchr(s, ':');
	const char *p;
	const char *name;
	bool		wild = false;
	bool		well_formed = true;
	size_t		i;
	const char *effect = not_action ? "excludes" : allow ? "allows" : "denies";

	if (strcmp(s, "*") == 0 && !IS_ALIBABA(c))
		return KP_OK;
	if (colon == NULL || colon == s || colon[1] == '\0')
		well_formed = false;
	for (p = s; well_formed && p < colon; p++)
	{
		if (!(is_alnum(*p) || *p == '-'))
			well_formed = false;
	}
	name = well_formed ? colon + 1 : "";
	for (p = name; well_formed && *p != '\0'; p++)
	{
		if (*p == '*' || *p == '?')
			wild = true;
		else if (!is_alnum(*p))
			well_formed = false;
	}

	if (!well_formed)
	{
		if (IS_ALIBABA(c) || s[0] == '\0')
			goto bad;
		return add_note(c, path, s,
						"%s: \"%.*s\" is not of the form \"<service>:<action>\" and names no KMS action; this statement %s nothing through it.",
						path, QUOTE_MAX, s, effect);
	}

	if (!starts_with_ci(s, "kms:"))
	{
		if (IS_ALIBABA(c))
			return vfail(c, KP_ERR_MALFORMED, MSG_ACTIONS, path,
						 "The action \"%.*s\" at %s does not start with \"kms:\"; an Alibaba Cloud key policy allows only KMS actions.",
						 QUOTE_MAX, s, path);
		return KP_OK;
	}
	/* Alibaba's KMS actions differ from AWS's: well formed is enough. */
	if (IS_ALIBABA(c))
		return KP_OK;
	if (!wild)
	{
		if (kp_is_kms_action(name))
			return KP_OK;
		return add_note(c, path, s,
						"%s: \"%.*s\" names no KMS action; this statement %s nothing through it.",
						path, QUOTE_MAX, s, effect);
	}
	for (i = 0; i < kp_kms_action_count; i++)
	{
		const char *an = kp_kms_action_names[i];

		if (kp_glob_span(name, strlen(name), an, strlen(an), KP_GLOB_ICASE, NULL))
			return KP_OK;
	}
	return add_note(c, path, s,
					"%s: \"%.*s\" matches no KMS action; this statement %s nothing through it.",
					path, QUOTE_MAX, s, effect);

bad:
	if (IS_ALIBABA(c))
		return vfail(c, KP_ERR_MALFORMED, MSG_ACTIONS, path,
					 "The action \"%.*s\" at %s is not valid; an action is \"kms:<action>\", where <action> may contain the wildcards \"*\" and \"?\".",
					 QUOTE_MAX, s, path);
	return vfail(c, KP_ERR_MALFORMED, MSG_ACTIONS, path,
				 "The action at %s is an empty string; an action is \"*\" or \"<service>:<action>\", where <action> may contain the wildcards \"*\" and \"?\".",
				 path);
}

/* Copy a checked string-or-array into a malloc'd string array. */
static kp_status
copy_strings(vctx *c, json_object *v, char ***out, size_t *n_out)
{
	size_t		n = list_len(v);
	size_t		i;

	*out = calloc(n, sizeof(char *));
	if (*out == NULL)
		return nomem(c);
	*n_out = n;
	for (i = 0; i < n; i++)
	{
		(*out)[i] = xstrdup(str_of(list_item(v, i)));
		if ((*out)[i] == NULL)
			return nomem(c);
	}
	return KP_OK;
}

static kp_status
compile_actions(vctx *c, json_object *v, const char *elem, kp_statement *st)
{
	char		base[KP_PATH_LEN];
	char		path[KP_PATH_LEN];
	size_t		i;
	kp_status	rc;

	mkpath(base, "%s.%s", c->stmt, elem);
	rc = check_string_list(c, v, base, MSG_ACTIONS);
	if (rc != KP_OK)
		return rc;
	for (i = 0; i < list_len(v); i++)
	{
		list_item_path(path, base, v, i);
		rc = check_action(c, str_of(list_item(v, i)), path,
						  strcmp(elem, "NotAction") == 0, st->allow);
		if (rc != KP_OK)
			return rc;
	}
	return copy_strings(c, v, &st->actions, &st->n_actions);
}

/*
 * A resource ARN of an identity policy: arn:partition:service:region:
 * account:resource, where every part may hold wildcards and policy
 * variables.
 */
static bool
is_resource_arn(const char *s)
{
	kp_arn		a;

	if (strncmp(s, "arn:", 4) != 0 || !kp_arn_split(s, &a))
		return false;
	if (a.partition[0] == '\0' || a.service[0] == '\0' || a.resource[0] == '\0')
		return false;
	if (!kp_is_partition(a.partition) && strpbrk(a.partition, "*?$") == NULL)
		return false;
	return true;
}

/* Alibaba resource ARNs in RAM policies: acs:service:region:account:resource. */
static bool
is_acs_resource_arn(const char *s)
{
	kp_arn		a;

	if (strncmp(s, "acs:", 4) != 0 || !kp_arn_split(s, &a))
		return false;
	return a.service[0] != '\0' && a.resource[0] != '\0';
}

static kp_status
compile_resources(vctx *c, json_object *stmt, kp_statement *st)
{
	json_object *res = NULL;
	json_object *notres = NULL;
	bool		has_res = json_object_object_get_ex(stmt, "Resource", &res);
	bool		has_notres = json_object_object_get_ex(stmt, "NotResource", &notres);
	char		base[KP_PATH_LEN];
	char		path[KP_PATH_LEN];
	size_t		i;
	kp_status	rc;

	if (IS_KEY_POLICY(c))
	{
		if (has_notres)
		{
			mkpath(base, "%s.NotResource", c->stmt);
			return vfail(c, KP_ERR_MALFORMED, MSG_RESOURCES, base,
						 "%s is not supported in a key policy; the only accepted Resource value in a key policy is \"*\".",
						 base);
		}
		if (!has_res)
			return vfail(c, KP_ERR_MALFORMED, MSG_RESOURCES, c->stmt,
						 "%s has no Resource element; the only accepted Resource value in a key policy is \"*\".",
						 c->stmt);
		mkpath(base, "%s.Resource", c->stmt);
		if (!((is_string(res) && strcmp(str_of(res), "*") == 0) ||
			  (json_object_is_type(res, json_type_array) &&
			   json_object_array_length(res) == 1 &&
			   is_string(json_object_array_get_idx(res, 0)) &&
			   strcmp(str_of(json_object_array_get_idx(res, 0)), "*") == 0)))
			return vfail(c, KP_ERR_MALFORMED, MSG_RESOURCES, base,
						 "%s is not \"*\"; the only accepted Resource value in a key policy is \"*\".",
						 base);
		return copy_strings(c, res, &st->resources, &st->n_resources);
	}

	/* Identity policy: exactly one of Resource and NotResource. */
	if (has_res == has_notres)
		return vfail(c, KP_ERR_MALFORMED, MSG_RESOURCES, c->stmt,
					 "%s must have exactly one of Resource and NotResource.",
					 c->stmt);
	mkpath(base, "%s.%s", c->stmt, has_res ? "Resource" : "NotResource");
	if (has_notres)
		res = notres;
	rc = check_string_list(c, res, base, MSG_RESOURCES);
	if (rc != KP_OK)
		return rc;
	for (i = 0; i < list_len(res); i++)
	{
		const char *s = str_of(list_item(res, i));

		if (strcmp(s, "*") == 0)
			continue;
		/* RAM policies name resources by acs: ARNs, IAM policies by arn: */
		if (IS_ALIBABA(c) ? is_acs_resource_arn(s) : is_resource_arn(s))
			continue;
		list_item_path(path, base, res, i);
		if (IS_ALIBABA(c))
			return vfail(c, KP_ERR_MALFORMED, MSG_RESOURCES, path,
						 "The resource \"%.*s\" at %s is not \"*\" or an ARN acs:<service>:<region>:<account>:<resource>.",
						 QUOTE_MAX, s, path);
		return vfail(c, KP_ERR_MALFORMED, MSG_RESOURCES, path,
					 "The resource \"%.*s\" at %s is not \"*\" or an ARN arn:<partition>:<service>:<region>:<account>:<resource>.",
					 QUOTE_MAX, s, path);
	}
	st->not_resource = has_notres;
	return copy_strings(c, res, &st->resources, &st->n_resources);
}

/* ------------------------------------------------------------------------
 * Conditions
 * ------------------------------------------------------------------------ */

typedef struct op_def
{
	const char *name;
	kp_cond_op	op;
} op_def;

static const op_def op_defs[] = {
	{"StringEquals", KP_OP_STRING_EQUALS},
	{"StringNotEquals", KP_OP_STRING_NOT_EQUALS},
	{"StringEqualsIgnoreCase", KP_OP_STRING_EQUALS_IGNORE_CASE},
	{"StringNotEqualsIgnoreCase", KP_OP_STRING_NOT_EQUALS_IGNORE_CASE},
	{"StringLike", KP_OP_STRING_LIKE},
	{"StringNotLike", KP_OP_STRING_NOT_LIKE},
	{"NumericEquals", KP_OP_NUMERIC_EQUALS},
	{"NumericNotEquals", KP_OP_NUMERIC_NOT_EQUALS},
	{"NumericLessThan", KP_OP_NUMERIC_LESS_THAN},
	{"NumericLessThanEquals", KP_OP_NUMERIC_LESS_THAN_EQUALS},
	{"NumericGreaterThan", KP_OP_NUMERIC_GREATER_THAN},
	{"NumericGreaterThanEquals", KP_OP_NUMERIC_GREATER_THAN_EQUALS},
	{"DateEquals", KP_OP_DATE_EQUALS},
	{"DateNotEquals", KP_OP_DATE_NOT_EQUALS},
	{"DateLessThan", KP_OP_DATE_LESS_THAN},
	{"DateLessThanEquals", KP_OP_DATE_LESS_THAN_EQUALS},
	{"DateGreaterThan", KP_OP_DATE_GREATER_THAN},
	{"DateGreaterThanEquals", KP_OP_DATE_GREATER_THAN_EQUALS},
	{"Bool", KP_OP_BOOL},
	{"BinaryEquals", KP_OP_BINARY_EQUALS},
	{"IpAddress", KP_OP_IP_ADDRESS},
	{"NotIpAddress", KP_OP_NOT_IP_ADDRESS},
	{"ArnEquals", KP_OP_ARN_EQUALS},
	{"ArnLike", KP_OP_ARN_LIKE},
	{"ArnNotEquals", KP_OP_ARN_NOT_EQUALS},
	{"ArnNotLike", KP_OP_ARN_NOT_LIKE},
	{"Null", KP_OP_NULL},
};

/*
 * Parse "[ForAnyValue:|ForAllValues:]<Operator>[IfExists]" (case-sensitive).
 */
static bool
parse_operator(const char *text, kp_cond_op *op, kp_set_op *set_op,
			   bool *if_exists)
{
	const char *base = text;
	size_t		len;
	size_t		i;

	*set_op = KP_SET_NONE;
	*if_exists = false;
	if (starts_with(base, "ForAnyValue:"))
	{
		*set_op = KP_SET_FOR_ANY_VALUE;
		base += LIT_LEN("ForAnyValue:");
	}
	else if (starts_with(base, "ForAllValues:"))
	{
		*set_op = KP_SET_FOR_ALL_VALUES;
		base += LIT_LEN("ForAllValues:");
	}
	len = strlen(base);
	if (len > LIT_LEN("IfExists") &&
		strcmp(base + len - LIT_LEN("IfExists"), "IfExists") == 0)
	{
		*if_exists = true;
		len -= LIT_LEN("IfExists");
	}
	for (i = 0; i < sizeof(op_defs) / sizeof(op_defs[0]); i++)
	{
		if (strlen(op_defs[i].name) == len &&
			strncmp(op_defs[i].name, base, len) == 0)
		{
			*op = op_defs[i].op;
			if (*op == KP_OP_NULL && (*if_exists || *set_op != KP_SET_NONE))
				return false;
			return true;
		}
	}
	return false;
}

typedef enum op_family
{
	FAM_STRING,
	FAM_NUMERIC,
	FAM_DATE,
	FAM_BOOL,
	FAM_BINARY,
	FAM_IP,
	FAM_ARN,
	FAM_NULL
} op_family;

static op_family
family_of(kp_cond_op op)
{
	switch (op)
	{
		case KP_OP_STRING_EQUALS:
		case KP_OP_STRING_NOT_EQUALS:
		case KP_OP_STRING_EQUALS_IGNORE_CASE:
		case KP_OP_STRING_NOT_EQUALS_IGNORE_CASE:
		case KP_OP_STRING_LIKE:
		case KP_OP_STRING_NOT_LIKE:
			return FAM_STRING;
		case KP_OP_NUMERIC_EQUALS:
		case KP_OP_NUMERIC_NOT_EQUALS:
		case KP_OP_NUMERIC_LESS_THAN:
		case KP_OP_NUMERIC_LESS_THAN_EQUALS:
		case KP_OP_NUMERIC_GREATER_THAN:
		case KP_OP_NUMERIC_GREATER_THAN_EQUALS:
			return FAM_NUMERIC;
		case KP_OP_DATE_EQUALS:
		case KP_OP_DATE_NOT_EQUALS:
		case KP_OP_DATE_LESS_THAN:
		case KP_OP_DATE_LESS_THAN_EQUALS:
		case KP_OP_DATE_GREATER_THAN:
		case KP_OP_DATE_GREATER_THAN_EQUALS:
			return FAM_DATE;
		case KP_OP_BOOL:
			return FAM_BOOL;
		case KP_OP_BINARY_EQUALS:
			return FAM_BINARY;
		case KP_OP_IP_ADDRESS:
		case KP_OP_NOT_IP_ADDRESS:
			return FAM_IP;
		case KP_OP_ARN_EQUALS:
		case KP_OP_ARN_LIKE:
		case KP_OP_ARN_NOT_EQUALS:
		case KP_OP_ARN_NOT_LIKE:
			return FAM_ARN;
		case KP_OP_NULL:
			return FAM_NULL;
	}
	return FAM_STRING;
}

/* Condition key: <prefix>:<name>, prefix [A-Za-z0-9-]+, name non-empty. */
static bool
is_wellformed_key(const char *key)
{
	const char *colon = strchr(key, ':');
	const char *p;

	if (colon == NULL || colon == key || colon[1] == '\0')
		return false;
	for (p = key; p < colon; p++)
	{
		if (!(is_alnum(*p) || *p == '-'))
			return false;
	}
	for (p = colon + 1; *p != '\0'; p++)
	{
		if ((unsigned char) *p < 0x20 || *p == 0x7F)
			return false;
	}
	return true;
}

static bool
is_forbidden_key(const char *key)
{
	return starts_with_ci(key, "aws:ResourceTag") ||
		starts_with_ci(key, "kms:ResourceTag") ||
		kp_ascii_casecmp(key, "kms:ResourceAliases") == 0;
}

/* Alibaba global keys accepted in a key policy. */
static const char *const acs_keys[] = {
	"acs:SourceIp", "acs:CurrentTime", "acs:SecureTransport",
	"acs:MFAPresent", "acs:SourceVpc", "acs:AccessId"
};

static bool
is_acs_key(const char *key)
{
	size_t		i;

	for (i = 0; i < sizeof(acs_keys) / sizeof(acs_keys[0]); i++)
	{
		if (kp_ascii_casecmp(key, acs_keys[i]) == 0)
			return true;
	}
	return false;
}

/*
 * Collect every forbidden condition key of the document, in document order
 * (exact duplicates once), into buf.
 */
static void
collect_forbidden_keys(json_object *root, char *buf, size_t bufsize)
{
	json_object *stmts;
	size_t		n;
	size_t		i;
	size_t		used = 0;

	buf[0] = '\0';
	if (!json_object_object_get_ex(root, "Statement", &stmts))
		return;
	n = json_object_is_type(stmts, json_type_array) ?
		json_object_array_length(stmts) : 1;
	for (i = 0; i < n; i++)
	{
		json_object *stmt = list_item(stmts, i);
		json_object *cond;

		if (!json_object_is_type(stmt, json_type_object) ||
			!json_object_object_get_ex(stmt, "Condition", &cond) ||
			!json_object_is_type(cond, json_type_object))
			continue;
		{
		json_object_object_foreach(cond, opname, block)
		{
			(void) opname;
			if (!json_object_is_type(block, json_type_object))
				continue;
			{
			json_object_object_foreach(block, key, val)
			{
				size_t		klen = strlen(key);
				const char *hit;

				(void) val;
				if (!is_forbidden_key(key))
					continue;
				/* skip exact duplicates */
				hit = buf;
				while ((hit = strstr(hit, key)) != NULL)
				{
					if ((hit == buf || hit[-1] == ' ') &&
						(hit[klen] == ',' || hit[klen] == '\0'))
						break;
					hit++;
				}
				if (hit != NULL)
					continue;
				if (used + klen + 3 >= bufsize)
					return;
				if (used > 0)
				{
					memcpy(buf + used, ", ", 2);
					used += 2;
				}
				memcpy(buf + used, key, klen + 1);
				used += klen;
			}
			}
		}
		}
	}
}

/* The text of a scalar condition value (JSON true -> "true"). */
static const char *
scalar_text(json_object *v)
{
	if (is_string(v))
		return str_of(v);
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v) ? "true" : "false";
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/*
 * A condition value is accepted exactly when the operand parser the
 * evaluator uses (kp_operand.c) parses its compiled text (scalar_text), so a
 * stored value is always evaluable as written.  Binary and IP values must be
 * JSON strings; Bool and Null values JSON booleans or strings.
 */
static kp_status
check_condition_value(vctx *c, op_family fam, const char *optext,
					  json_object *v, const char *path)
{
	json_type	t = json_object_get_type(v);
	const char *s = is_string(v) ? str_of(v) : NULL;
	const char *text = scalar_text(v);
	const char *want = NULL;
	bool		ok = false;

	switch (fam)
	{
		case FAM_STRING:
		case FAM_ARN:
			return KP_OK;
		case FAM_NUMERIC:
			{
				kp_number	num;

				ok = t != json_type_boolean && kp_number_parse(text, &num);
				want = "a decimal number";
				break;
			}
		case FAM_DATE:
			{
				kp_instant	when;

				ok = t != json_type_boolean && kp_date_parse(text, &when);
				want = "an ISO 8601 date (such as \"2025-01-31T12:00:00Z\") or epoch seconds";
				break;
			}
		case FAM_BOOL:
		case FAM_NULL:
			{
				bool		b;

				ok = (t == json_type_boolean || s != NULL) && kp_bool_parse(text, &b);
				want = "true or false";
				break;
			}
		case FAM_BINARY:
			ok = s != NULL && kp_base64_valid(s, NULL);
			want = "base64-encoded binary data";
			break;
		case FAM_IP:
			{
				kp_ipnet	net;

				ok = s != NULL && kp_ip_parse(s, true, &net);
				want = "an IPv4 or IPv6 address or CIDR block";
				break;
			}
	}
	if (ok)
		return KP_OK;
	if (want == NULL)
		return KP_OK;
	if (s != NULL)
		return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, path,
					 "The value \"%.*s\" at %s is not valid for the %s operator; it must be %s.",
					 QUOTE_MAX, s, path, optext, want);
	return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, path,
				 "The value at %s is %s, which is not valid for the %s operator; it must be %s.",
				 path, type_name(v), optext, want);
}

static kp_status
check_condition_key(vctx *c, const char *key, const char *path,
					const kp_cond_key_def **def)
{
	*def = NULL;
	if (!is_wellformed_key(key))
		return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, path,
					 "The condition key \"%.*s\" at %s is not valid; a condition key is \"<prefix>:<name>\".",
					 QUOTE_MAX, key, path);
	if (IS_ALIBABA(c))
	{
		if (starts_with_ci(key, "kms:"))
			return KP_OK;
		if (starts_with_ci(key, "acs:") && is_acs_key(key))
			return KP_OK;
		return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, path,
					 "The condition key \"%.*s\" at %s is not supported in an Alibaba Cloud key policy; use acs:SourceIp, acs:CurrentTime, acs:SecureTransport, acs:MFAPresent, acs:SourceVpc, acs:AccessId or kms: keys.",
					 QUOTE_MAX, key, path);
	}
	if (IS_KEY_POLICY(c) && is_forbidden_key(key))
	{
		char		msg[KP_MSG_LEN];
		size_t		plen = strlen(MSG_FORBIDDEN_KEYS);

		memcpy(msg, MSG_FORBIDDEN_KEYS, plen);
		collect_forbidden_keys(c->root, msg + plen, sizeof(msg) - plen);
		return vfail(c, KP_ERR_MALFORMED, msg, path,
					 "The condition key \"%.*s\" at %s is not permitted in a key policy; it can be used only in IAM policies.",
					 QUOTE_MAX, key, path);
	}
	if (starts_with_ci(key, "aws:") || starts_with_ci(key, "kms:"))
	{
		*def = kp_lookup_condition_key(key);
		if (*def == NULL)
			return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, path,
						 "The condition key \"%.*s\" at %s is not a known %.3s condition key.",
						 QUOTE_MAX, key, path, key);
	}
	return KP_OK;
}

static kp_status
compile_condition(vctx *c, const char *optext, kp_cond_op op,
				  kp_set_op set_op, bool if_exists, const char *key,
				  json_object *v, kp_condition *cd)
{
	char		path[KP_PATH_LEN];
	char		vpath[KP_PATH_LEN];
	const kp_cond_key_def *def;
	op_family	fam = family_of(op);
	size_t		n;
	size_t		i;
	kp_status	rc;

	mkpath(path, "%s.Condition.%s.%s", c->stmt, optext, key);
	rc = check_condition_key(c, key, path, &def);
	if (rc != KP_OK)
		return rc;

	if (set_op == KP_SET_FOR_ALL_VALUES && def != NULL &&
		def->type != KP_KEY_ARRAY_OF_STRING)
	{
		char		msg[KP_MSG_LEN];
		const char *noun = "value";

		if (kp_ascii_casecmp(def->name, "kms:EncryptionContext:") == 0)
			noun = "encryption context";
		else if (kp_ascii_casecmp(def->name, "aws:RequestTag/") == 0)
			noun = "tag";
		snprintf(msg, sizeof(msg), MSG_FOR_ALL_VALUES, noun, noun);
		return vfail(c, KP_ERR_MALFORMED, msg, path,
					 "%s uses ForAllValues with \"%.*s\", a single-valued condition key; use ForAnyValue, or no set operator.",
					 path, QUOTE_MAX, key);
	}

	/* shape: a scalar or a non-empty array of scalars */
	if (json_object_is_type(v, json_type_array))
	{
		n = json_object_array_length(v);
		if (n == 0)
			return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, path,
						 "The value of %s is an empty array; it must be a string, a boolean, a number or a non-empty array of those.",
						 path);
	}
	else
		n = 1;
	for (i = 0; i < n; i++)
	{
		json_object *item = list_item(v, i);
		json_type	t = json_object_get_type(item);

		list_item_path(vpath, path, v, i);
		if (t != json_type_string && t != json_type_boolean &&
			t != json_type_int && t != json_type_double)
			return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, vpath,
						 "The value at %s is %s; a condition value must be a string, a boolean or a number%s.",
						 vpath, type_name(item),
						 json_object_is_type(v, json_type_array) ? "" :
						 ", or a non-empty array of those");
		rc = check_condition_value(c, fam, optext, item, vpath);
		if (rc != KP_OK)
			return rc;
	}

	cd->op = op;
	cd->set_op = set_op;
	cd->if_exists = if_exists;
	cd->op_text = xstrdup(optext);
	cd->key = xstrdup(key);
	cd->path = xprintf("%s.Condition.%s.%s", c->stmt, optext, key);
	cd->values = calloc(n, sizeof(char *));
	if (cd->op_text == NULL || cd->key == NULL || cd->path == NULL ||
		cd->values == NULL)
		return nomem(c);
	cd->n_values = n;
	for (i = 0; i < n; i++)
	{
		const char *txt = scalar_text(list_item(v, i));

		cd->values[i] = txt ? xstrdup(txt) : NULL;
		if (cd->values[i] == NULL)
			return nomem(c);
	}
	return KP_OK;
}

static kp_status
compile_conditions(vctx *c, json_object *v, kp_statement *st)
{
	char		base[KP_PATH_LEN];
	char		path[KP_PATH_LEN];
	size_t		total = 0;
	size_t		k = 0;
	kp_status	rc;

	mkpath(base, "%s.Condition", c->stmt);
	if (!json_object_is_type(v, json_type_object))
		return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, base,
					 "%s must be an object that maps condition operators to condition keys, not %s.",
					 base, type_name(v));

	{
		json_object_object_foreach(v, opname, block)
		{
			(void) opname;
			if (json_object_is_type(block, json_type_object))
				total += (size_t) json_object_object_length(block);
		}
	}
	if (total > 0)
	{
		st->conditions = calloc(total, sizeof(kp_condition));
		if (st->conditions == NULL)
			return nomem(c);
	}

	{
		json_object_object_foreach(v, optext, block)
		{
			kp_cond_op	op;
			kp_set_op	set_op;
			bool		if_exists;

			mkpath(path, "%s.%s", base, optext);
			if (!parse_operator(optext, &op, &set_op, &if_exists))
				return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, path,
							 "\"%.*s\" at %s is not a condition operator.",
							 QUOTE_MAX, optext, path);
			if (!json_object_is_type(block, json_type_object))
				return vfail(c, KP_ERR_MALFORMED, MSG_CONDITIONS, path,
							 "%s must be an object that maps condition keys to values, not %s.",
							 path, type_name(block));
			{
				json_object_object_foreach(block, key, val)
				{
					/* counted above; count the entry before filling it */
					st->n_conditions = ++k;
					rc = compile_condition(c, optext, op, set_op, if_exists, key,
										   val, &st->conditions[k - 1]);
					if (rc != KP_OK)
						return rc;
				}
			}
		}
	}
	return KP_OK;
}

/* ------------------------------------------------------------------------
 * Statements and the document
 * ------------------------------------------------------------------------ */

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (strcmp(s, list[i]) == 0)
			return true;
	}
	return false;
}

static const char *const aws_stmt_elems[] = {
	"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
	"Resource", "NotResource", "Condition"
};
static const char *const ali_stmt_elems[] = {
	"Sid", "Effect", "Principal", "Action", "Resource", "Condition"
};

/* Alibaba: a Sid has at most this many characters of [A-Za-z0-9 _/+=.@-]. */
#define ALIBABA_SID_MAX_CHARS 128

static bool
is_alibaba_sid(const char *s)
{
	size_t		n = 0;

	for (; *s != '\0'; s++, n++)
	{
		if (!(is_alnum(*s) || *s == ' ' || strchr("_/+=.@-", *s) != NULL))
			return false;
	}
	return n <= ALIBABA_SID_MAX_CHARS;
}

/* Unknown statement elements, in document order. */
static kp_status
check_statement_elements(vctx *c, json_object *obj)
{
	char		path[KP_PATH_LEN];

	json_object_object_foreach(obj, key, val)
	{
		bool		known;

		(void) val;
		if (IS_ALIBABA(c))
			known = in_list(key, ali_stmt_elems,
							sizeof(ali_stmt_elems) / sizeof(ali_stmt_elems[0]));
		else
			known = in_list(key, aws_stmt_elems,
							sizeof(aws_stmt_elems) / sizeof(aws_stmt_elems[0]));
		if (!known)
		{
			mkpath(path, "%s.%s", c->stmt, key);
			return vfail(c, KP_ERR_MALFORMED, MSG_STATEMENT, path,
						 IS_ALIBABA(c) ?
						 "%s: \"%.*s\" is not a statement element; the elements are Sid, Effect, Principal, Action, Resource and Condition." :
						 "%s: \"%.*s\" is not a statement element; the elements are Sid, Effect, Principal, Action or NotAction, Resource and Condition.",
						 path, QUOTE_MAX, key);
		}
	}
	return KP_OK;
}

/* Sid (optional). */
static kp_status
compile_sid(vctx *c, json_object *obj, kp_statement *st)
{
	char		path[KP_PATH_LEN];
	json_object *v;

	if (!json_object_object_get_ex(obj, "Sid", &v))
		return KP_OK;
	mkpath(path, "%s.Sid", c->stmt);
	if (!is_string(v))
		return vfail(c, KP_ERR_MALFORMED, MSG_STATEMENT, path,
					 "%s must be a string, not %s.", path, type_name(v));
	if (IS_ALIBABA(c) && !is_alibaba_sid(str_of(v)))
		return vfail(c, KP_ERR_MALFORMED, MSG_STATEMENT, path,
					 "%s must have at most %d characters of A-Z, a-z, 0-9, space and _/+=.@-.",
					 path, ALIBABA_SID_MAX_CHARS);
	st->sid = xstrdup(str_of(v));
	if (st->sid == NULL)
		return nomem(c);
	return KP_OK;
}

/* Effect: "Allow" or "Deny". */
static kp_status
compile_effect(vctx *c, json_object *obj, kp_statement *st)
{
	char		path[KP_PATH_LEN];
	json_object *v;

	mkpath(path, "%s.Effect", c->stmt);
	if (!json_object_object_get_ex(obj, "Effect", &v))
		return vfail(c, KP_ERR_MALFORMED, MSG_EFFECT, c->stmt,
					 "%s has no Effect element; it must be \"Allow\" or \"Deny\".",
					 c->stmt);
	if (!is_string(v) ||
		(strcmp(str_of(v), "Allow") != 0 && strcmp(str_of(v), "Deny") != 0))
	{
		if (is_string(v))
			return vfail(c, KP_ERR_MALFORMED, MSG_EFFECT, path,
						 "%s must be \"Allow\" or \"Deny\", not \"%.*s\".",
						 path, QUOTE_MAX, str_of(v));
		return vfail(c, KP_ERR_MALFORMED, MSG_EFFECT, path,
					 "%s must be \"Allow\" or \"Deny\", not %s.",
					 path, type_name(v));
	}
	st->allow = strcmp(str_of(v), "Allow") == 0;
	return KP_OK;
}

/* Principal: required in a key policy, refused in an identity policy. */
static kp_status
compile_statement_principal(vctx *c, json_object *obj, kp_statement *st)
{
	char		path[KP_PATH_LEN];
	json_object *v;
	const char *elem = NULL;

	if (IS_KEY_POLICY(c))
	{
		if (json_object_object_get_ex(obj, "NotPrincipal", &v))
		{
			mkpath(path, "%s.NotPrincipal", c->stmt);
			return vfail(c, KP_ERR_MALFORMED, MSG_INVALID_PRINCIPALS, path,
						 "%s: key policies do not support NotPrincipal; use Principal.",
						 path);
		}
		if (!json_object_object_get_ex(obj, "Principal", &v))
			return vfail(c, KP_ERR_MALFORMED, MSG_NO_PRINCIPAL, c->stmt,
						 "%s has no Principal element; every statement of a key policy must name its principals.",
						 c->stmt);
		return compile_principals(c, v, st);
	}

	if (json_object_object_get_ex(obj, "Principal", &v))
		elem = "Principal";
	else if (json_object_object_get_ex(obj, "NotPrincipal", &v))
		elem = "NotPrincipal";
	if (elem != NULL)
	{
		mkpath(path, "%s.%s", c->stmt, elem);
		return vfail(c, KP_ERR_MALFORMED, MSG_STATEMENT, path,
					 "%s: identity policies do not support %s; the principal is the identity the policy is attached to.",
					 path, elem);
	}
	return KP_OK;
}

/* Action / NotAction: exactly one of them. */
static kp_status
compile_statement_actions(vctx *c, json_object *obj, kp_statement *st)
{
	json_object *act = NULL;
	json_object *notact = NULL;
	bool		has_act;
	bool		has_notact;

	has_act = json_object_object_get_ex(obj, "Action", &act);
	has_notact = json_object_object_get_ex(obj, "NotAction", &notact);
	if (has_act && has_notact)
		return vfail(c, KP_ERR_MALFORMED, MSG_ACTIONS, c->stmt,
					 "%s has both Action and NotAction; it must have exactly one of them.",
					 c->stmt);
	if (!has_act && !has_notact)
		return vfail(c, KP_ERR_MALFORMED, MSG_ACTIONS, c->stmt,
					 IS_ALIBABA(c) ?
					 "%s has no Action element." :
					 "%s has neither Action nor NotAction; it must have exactly one of them.",
					 c->stmt);
	st->not_action = has_notact;
	return compile_actions(c, has_act ? act : notact,
						   has_act ? "Action" : "NotAction", st);
}

static kp_status
compile_statement(vctx *c, json_object *obj, kp_statement *st)
{
	json_object *v;
	kp_status	rc;

	if (!json_object_is_type(obj, json_type_object))
		return vfail(c, KP_ERR_MALFORMED, MSG_STATEMENT, c->stmt,
					 "%s must be an object, not %s.", c->stmt, type_name(obj));
	rc = check_statement_elements(c, obj);
	if (rc == KP_OK)
		rc = compile_sid(c, obj, st);
	if (rc == KP_OK)
		rc = compile_effect(c, obj, st);
	if (rc == KP_OK)
		rc = compile_statement_principal(c, obj, st);
	if (rc == KP_OK)
		rc = compile_statement_actions(c, obj, st);
	if (rc == KP_OK)
		rc = compile_resources(c, obj, st);
	if (rc == KP_OK && json_object_object_get_ex(obj, "Condition", &v))
		rc = compile_conditions(c, v, st);
	return rc;
}

static kp_status
compile_document(vctx *c, json_object *root, kp_policy *pol)
{
	json_object *v;
	json_object *stmts;
	size_t		n;
	size_t		i;
	kp_status	rc;

	/* unknown top-level elements, in document order */
	{
		json_object_object_foreach(root, key, val)
		{
			bool		known;

			(void) val;
			known = strcmp(key, "Version") == 0 || strcmp(key, "Statement") == 0 ||
				(!IS_ALIBABA(c) && strcmp(key, "Id") == 0);
			if (!known)
				return vfail(c, KP_ERR_MALFORMED, MSG_DOCUMENT, key,
							 IS_ALIBABA(c) ?
							 "\"%.*s\" is not a policy element; the top-level elements are Version and Statement." :
							 "\"%.*s\" is not a policy element; the top-level elements are Version, Id and Statement.",
							 QUOTE_MAX, key);
		}
	}

	/* Version */
	if (IS_ALIBABA(c))
	{
		if (!json_object_object_get_ex(root, "Version", &v))
			return vfail(c, KP_ERR_MALFORMED, MSG_DOCUMENT, "",
						 "The policy has no Version element; an Alibaba Cloud key policy must have \"Version\": \"1\".");
		if (!is_string(v) || strcmp(str_of(v), "1") != 0)
			return vfail(c, KP_ERR_MALFORMED, MSG_DOCUMENT, "Version",
						 "Version must be the string \"1\".");
		pol->version = KP_VERSION_ALIBABA_1;
	}
	else if (json_object_object_get_ex(root, "Version", &v))
	{
		if (is_string(v) && strcmp(str_of(v), "2012-10-17") == 0)
			pol->version = KP_VERSION_2012;
		else if (is_string(v) && strcmp(str_of(v), "2008-10-17") == 0)
			pol->version = KP_VERSION_2008;
		else if (is_string(v))
			return vfail(c, KP_ERR_MALFORMED, MSG_DOCUMENT, "Version",
						 "Version must be \"2012-10-17\" or \"2008-10-17\", not \"%.*s\".",
						 QUOTE_MAX, str_of(v));
		else
			return vfail(c, KP_ERR_MALFORMED, MSG_DOCUMENT, "Version",
						 "Version must be the string \"2012-10-17\" or \"2008-10-17\", not %s.",
						 type_name(v));
	}
	else
		pol->version = KP_VERSION_NONE;

	/* Id */
	if (json_object_object_get_ex(root, "Id", &v))
	{
		if (!is_string(v))
			return vfail(c, KP_ERR_MALFORMED, MSG_DOCUMENT, "Id",
						 "Id must be a string, not %s.", type_name(v));
		pol->id = xstrdup(str_of(v));
		if (pol->id == NULL)
			return nomem(c);
	}

	/* Statement */
	if (!json_object_object_get_ex(root, "Statement", &stmts))
		return vfail(c, KP_ERR_MALFORMED, MSG_DOCUMENT, "",
					 "The policy has no Statement element; it must have at least one statement.");
	if (json_object_is_type(stmts, json_type_array))
	{
		n = json_object_array_length(stmts);
		if (n == 0)
			return vfail(c, KP_ERR_MALFORMED, MSG_DOCUMENT, "Statement",
						 "Statement is an empty array; the policy must have at least one statement.");
	}
	else if (json_object_is_type(stmts, json_type_object))
		n = 1;
	else
		return vfail(c, KP_ERR_MALFORMED, MSG_DOCUMENT, "Statement",
					 "Statement must be an object or a non-empty array of objects, not %s.",
					 type_name(stmts));

	pol->statements = calloc(n, sizeof(kp_statement));
	if (pol->statements == NULL)
		return nomem(c);
	pol->n_statements = n;
	for (i = 0; i < n; i++)
	{
		if (json_object_is_type(stmts, json_type_array))
			snprintf(c->stmt, sizeof(c->stmt), "Statement[%zu]", i);
		else
			snprintf(c->stmt, sizeof(c->stmt), "Statement");
		if (kp_interrupt_requested())
			return kp_fail(c->err, KP_ERR_INTERRUPTED, "Policy validation was interrupted.",
						   "", -1, "The validation of the policy was interrupted.");
		rc = compile_statement(c, list_item(stmts, i), &pol->statements[i]);
		if (rc != KP_OK)
			return rc;
	}
	return KP_OK;
}

static kp_status
oracle_policy_parse(const char *doc, size_t len, const kp_parse_opts *opts,
					kp_policy **out, kp_error *err)
{
	kp_parse_opts defaults;
	kp_error	local;
	json_object *root = NULL;
	kp_policy  *pol;
	vctx		c;
	kp_status	rc;

	if (out != NULL)
		*out = NULL;
	if (err == NULL)
		err = &local;
	kp_error_clear(err);
	if (opts == NULL)
	{
		memset(&defaults, 0, sizeof(defaults));
		opts = &defaults;
	}

	rc = oracle_check_text(doc, len, opts->dialect, err);
	if (rc != KP_OK)
		return rc;

	rc = kp_json_parse_strict(doc, len,
							  opts->max_depth > 0 ? opts->max_depth : KP_DEFAULT_MAX_DEPTH,
							  &root, err);
	if (rc != KP_OK)
	{
		if (root != NULL)
			json_object_put(root);
		return rc;
	}
	if (!json_object_is_type(root, json_type_object))
	{
		json_object_put(root);
		return kp_fail(err, KP_ERR_MALFORMED, MSG_DOCUMENT, "", -1,
					   "The policy must be a JSON object.");
	}

	pol = calloc(1, sizeof(kp_policy));
	if (pol == NULL)
	{
		json_object_put(root);
		return kp_fail(err, KP_ERR_NOMEM, MSG_NOMEM, "", -1,
					   "The policy core could not allocate memory.");
	}
	pol->dialect = opts->dialect;
	pol->kind = opts->kind;

	memset(&c, 0, sizeof(c));
	c.err = err;
	c.dialect = opts->dialect;
	c.kind = pol->kind;
	c.partition = (opts->partition != NULL && opts->partition[0] != '\0') ?
		opts->partition : "aws";
	c.root = root;
	c.pol = pol;

	rc = compile_document(&c, root, pol);
	json_object_put(root);
	if (rc != KP_OK)
	{
		kp_policy_free(pol);
		return rc;
	}
	if (out != NULL)
		*out = pol;
	else
		kp_policy_free(pol);
	return KP_OK;
}

