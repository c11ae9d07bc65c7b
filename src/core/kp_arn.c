/*
 * kp_arn.c -- identifiers and ARNs of the policy core.
 *
 * Small hand-written matchers for key IDs, account IDs, region names and the
 * six-part ARN syntax.  Plain C, no regex library, no global state.
 *
 * The region patterns are those of the AWS partition metadata:
 *
 *	aws         ^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$
 *	aws-cn      ^cn-\w+-\d+$
 *	aws-us-gov  ^us-gov-\w+-\d+$
 *	aws-iso     ^us-iso-\w+-\d+$
 *	aws-iso-b   ^us-isob-\w+-\d+$
 *	aws-iso-e   ^eu-isoe-\w+-\d+$
 *	aws-iso-f   ^us-isof-\w+-\d+$
 *	aws-eusc    ^eusc-(de)-\w+-\d+$
 *
 * "\w" never matches '-', so "us-gov-west-1" is not an "aws" region; and a
 * region that starts with the prefix of one of the longer patterns
 * ("us-gov-1") is refused rather than taken for an "aws" region.
 */
#include <string.h>

#include "kp.h"

/* Identifier shapes. */
#define MRK_ID_HEX_DIGITS 32		/* "mrk-" + 32 hex digits */
#define ALIBABA_KEY_ID_MIN_CHARS 8	/* "key-" + 8..64 of [a-z0-9] */
#define ALIBABA_KEY_ID_MAX_CHARS 64
#define AWS_ACCOUNT_ID_DIGITS 12
#define ALIBABA_ACCOUNT_ID_DIGITS 16
#define ALIBABA_REGION_MAX_CHARS 64

/* ASCII-only classifiers: independent of the locale. */
static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool
is_lower_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z');
}

static inline bool
is_word(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		c == '_';
}

/* Copy [s, s+n) into dst (size dstsize); false when it does not fit. */
static bool
copy_part(char *dst, size_t dstsize, const char *s, size_t n)
{
	if (n >= dstsize)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/*
 * Split an ARN.  "arn:partition:service:region:account:resource" has six
 * parts; Alibaba's "acs:service:region:account:resource" has no partition
 * (out->partition is then empty).  The resource is the rest of the string
 * and may contain ':'.  Parts may be empty; callers judge their contents.
 */
bool
kp_arn_split(const char *s, kp_arn *out)
{
	const char *p;
	const char *colon;
	int			nfields;
	int			i;
	char	   *fields[4];
	size_t		sizes[4];

	if (s == NULL || out == NULL)
		return false;
	memset(out, 0, sizeof(*out));

	if (strncmp(s, "arn:", 4) == 0)
	{
		nfields = 4;
		fields[0] = out->partition;
		sizes[0] = sizeof(out->partition);
		fields[1] = out->service;
		sizes[1] = sizeof(out->service);
		fields[2] = out->region;
		sizes[2] = sizeof(out->region);
		fields[3] = out->account;
		sizes[3] = sizeof(out->account);
	}
	else if (strncmp(s, "acs:", 4) == 0)
	{
		nfields = 3;
		fields[0] = out->service;
		sizes[0] = sizeof(out->service);
		fields[1] = out->region;
		sizes[1] = sizeof(out->region);
		fields[2] = out->account;
		sizes[2] = sizeof(out->account);
	}
	else
		return false;

	memcpy(out->prefix, s, 3);
	out->prefix[3] = '\0';
	p = s + 4;

	for (i = 0; i < nfields; i++)
	{
		colon = strchr(p, ':');
		if (colon == NULL)
			return false;
		if (!copy_part(fields[i], sizes[i], p, (size_t) (colon - p)))
			return false;
		p = colon + 1;
	}
	if (!copy_part(out->resource, sizeof(out->resource), p, strlen(p)))
		return false;
	return true;
}

/* n hex digits at s; returns the position after them or NULL. */
static const char *
skip_hex(const char *s, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		if (!is_hex(s[i]))
			return NULL;
	}
	return s + n;
}

bool
kp_is_aws_key_id(const char *s)
{
	static const int groups[5] = {8, 4, 4, 4, 12};
	int			i;

	if (s == NULL)
		return false;
	for (i = 0; i < 5; i++)
	{
		s = skip_hex(s, groups[i]);
		if (s == NULL)
			return false;
		if (i < 4)
		{
			if (*s != '-')
				return false;
			s++;
		}
	}
	return *s == '\0';
}

bool
kp_is_aws_mrk_id(const char *s)
{
	if (s == NULL || strncmp(s, "mrk-", 4) != 0)
		return false;
	s = skip_hex(s + 4, MRK_ID_HEX_DIGITS);
	return s != NULL && *s == '\0';
}

bool
kp_is_alibaba_key_id(const char *s)
{
	size_t		n = 0;

	if (s == NULL || strncmp(s, "key-", 4) != 0)
		return false;
	for (s += 4; *s != '\0'; s++)
	{
		if (!is_lower_alnum(*s))
			return false;
		n++;
	}
	return n >= ALIBABA_KEY_ID_MIN_CHARS && n <= ALIBABA_KEY_ID_MAX_CHARS;
}

/* Exactly n ASCII digits. */
static bool
all_digits(const char *s, size_t n)
{
	size_t		i;

	if (s == NULL)
		return false;
	for (i = 0; i < n; i++)
	{
		if (!is_digit(s[i]))
			return false;
	}
	return s[n] == '\0';
}

bool
kp_is_aws_account_id(const char *s)
{
	return all_digits(s, AWS_ACCOUNT_ID_DIGITS);
}

bool
kp_is_alibaba_account_id(const char *s)
{
	return all_digits(s, ALIBABA_ACCOUNT_ID_DIGITS);
}

/*
 * Does region match ^<prefix>-\w+-\d+$ ?
 */
static bool
region_matches(const char *region, const char *prefix)
{
	size_t		plen = strlen(prefix);
	const char *p;
	size_t		n;

	if (strncmp(region, prefix, plen) != 0 || region[plen] != '-')
		return false;
	p = region + plen + 1;
	for (n = 0; is_word(*p); p++)
		n++;
	if (n == 0 || *p != '-')
		return false;
	p++;
	for (n = 0; is_digit(*p); p++)
		n++;
	return n > 0 && *p == '\0';
}

typedef struct region_rule
{
	const char *prefix;
	const char *partition;
} region_rule;

/*
 * The partitions whose prefixes extend an "aws" prefix come first: a region
 * that starts with "us-gov-" (etc.) belongs to that partition or to none,
 * never to "aws" ("us-gov-1" matches the "aws" pattern but is no region).
 */
static const region_rule region_rules[] = {
	{"us-gov", "aws-us-gov"},
	{"us-iso", "aws-iso"},
	{"us-isob", "aws-iso-b"},
	{"eu-isoe", "aws-iso-e"},
	{"us-isof", "aws-iso-f"},
	{"eusc-de", "aws-eusc"},
	{"cn", "aws-cn"},
	{"us", "aws"},
	{"eu", "aws"},
	{"ap", "aws"},
	{"sa", "aws"},
	{"ca", "aws"},
	{"me", "aws"},
	{"af", "aws"},
	{"il", "aws"},
	{"mx", "aws"},
};

#define N_SPECIAL_RULES 6

const char *
kp_partition_for_region(const char *region)
{
	size_t		i;

	if (region == NULL)
		return NULL;
	for (i = 0; i < sizeof(region_rules) / sizeof(region_rules[0]); i++)
	{
		const char *prefix = region_rules[i].prefix;
		size_t		plen = strlen(prefix);

		if (region_matches(region, prefix))
			return region_rules[i].partition;
		if (i < N_SPECIAL_RULES && strncmp(region, prefix, plen) == 0 &&
			region[plen] == '-')
			return NULL;
	}
	return NULL;
}

static const char *const partitions[] = {
	"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e",
	"aws-iso-f", "aws-eusc"
};

bool
kp_is_partition(const char *partition)
{
	size_t		i;

	if (partition == NULL)
		return false;
	for (i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++)
	{
		if (strcmp(partition, partitions[i]) == 0)
			return true;
	}
	return false;
}

/*
 * Alibaba region ids: lowercase letters and digits in at least two
 * '-'-separated non-empty parts, starting with a letter ("cn-hangzhou",
 * "cn-shanghai-finance-1", "ap-southeast-1").
 */
bool
kp_is_alibaba_region(const char *region)
{
	const char *p;
	int			parts = 1;
	size_t		len = 0;

	if (region == NULL || !(region[0] >= 'a' && region[0] <= 'z'))
		return false;
	for (p = region; *p != '\0'; p++)
	{
		if (*p == '-')
		{
			if (len == 0)
				return false;
			parts++;
			len = 0;
		}
		else if (is_lower_alnum(*p))
			len++;
		else
			return false;
	}
	return len > 0 && parts >= 2 && (p - region) <= ALIBABA_REGION_MAX_CHARS;
}
