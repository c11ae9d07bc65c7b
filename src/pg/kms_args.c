/*
 * kms_args.c -- the API's arguments: text as UTF-8, and the member checks
 * AWS and Alibaba make before anything else (lengths, KeyId shape,
 * PolicyName), with their exact messages.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "kms_args.h"
#include "kms_errors.h"

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
size_t
kms_utf8_chars(const char *s, size_t len)
{
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Does every character lie in U+0020..U+00FF (MarkerType's pattern)? */
bool
kms_utf8_latin1_printable(const char *s, size_t len)
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

void
kms_raise_length(const char *member, const char *value, bool too_long, int bound,
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
void
kms_check_key_id_shape(const char *key_input, kp_dialect dialect)
{
	size_t		n;

	if (key_input == NULL)
		kms_raise_null_argument("keyId", dialect);
	n = kms_utf8_chars(key_input, strlen(key_input));
	if (n < 1)
		kms_raise_length("keyId", key_input, false, 1, dialect);
	if (n > KMS_MAX_KEY_ID_CHARS)
		kms_raise_length("keyId", "...", true, KMS_MAX_KEY_ID_CHARS, dialect);
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
		kms_raise_length("policyName", name, false, 1, dialect);
	if (kms_utf8_chars(name, len) > KMS_MAX_POLICY_NAME_CHARS)
		kms_raise_length("policyName", "...", true, KMS_MAX_POLICY_NAME_CHARS, dialect);
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

/* Convert a UTF-8 string to the server encoding for storage. */
char *
kms_utf8_to_server(const char *s, size_t len)
{
	return pg_any_to_server(s, len, PG_UTF8);
}

/* The account field of a principal ARN ("arn:p:svc::acct:..." or acs). */
char *
kms_arn_account(const char *arn)
{
	kp_arn		a;

	if (kp_arn_split(arn, &a))
		return pstrdup(a.account);
	return pstrdup("");
}

/* The dialect of a principal ARN or value: Alibaba's start with "acs:". */
kp_dialect
kms_arn_dialect(const char *arn)
{
	return strncmp(arn, "acs:", 4) == 0 ? KP_DIALECT_ALIBABA : KP_DIALECT_AWS;
}
