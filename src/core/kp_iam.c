/*
 * kp_iam.c -- look-ups in the KMS action and condition-key tables of the
 * policy core (the tables themselves are generated into kp_iam_data.c).
 */
#include <string.h>

#include "kp.h"
#include "internal/kp_iam.h"

static inline int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int
kp_ascii_casecmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *) a;
	const unsigned char *q = (const unsigned char *) b;

	for (;;)
	{
		int			c1 = *p++;
		int			c2 = *q++;

		/* equal bytes need no folding: the usual case */
		if (c1 == c2)
		{
			if (c1 == 0)
				return 0;
			continue;
		}
		c1 = ascii_lower(c1);
		c2 = ascii_lower(c2);
		if (c1 != c2)
			return c1 - c2;
	}
}

int
kp_ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *) a;
	const unsigned char *q = (const unsigned char *) b;

	for (; n > 0; n--)
	{
		int			c1 = ascii_lower(*p++);
		int			c2 = ascii_lower(*q++);

		if (c1 != c2)
			return c1 - c2;
		if (c1 == 0)
			return 0;
	}
	return 0;
}

int
kp_kms_action_index(const char *name)
{
	size_t		lo = 0;
	size_t		hi = kp_kms_action_count;

	if (name == NULL)
		return -1;
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		int			c = kp_ascii_casecmp(name, kp_kms_action_names[mid]);

		if (c == 0)
			return (int) mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *
kp_kms_action_canonical(const char *name)
{
	int			i;

	if (name == NULL)
		return NULL;
	if (kp_ascii_ncasecmp(name, "kms:", 4) == 0)
		name += 4;
	i = kp_kms_action_index(name);
	return i < 0 ? NULL : kp_kms_action_names[i];
}

bool
kp_is_kms_action(const char *name)
{
	return kp_kms_action_canonical(name) != NULL;
}

const kp_cond_key_def *
kp_lookup_condition_key(const char *key)
{
	size_t		lo = 0;
	size_t		hi = kp_plain_condition_key_count;
	size_t		i;

	if (key == NULL)
		return NULL;
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		int			c = kp_ascii_casecmp(key, kp_plain_condition_keys[mid].name);

		if (c == 0)
			return &kp_plain_condition_keys[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (i = 0; i < kp_templated_condition_key_count; i++)
	{
		size_t		n = strlen(kp_templated_condition_keys[i].name);

		if (kp_ascii_ncasecmp(key, kp_templated_condition_keys[i].name, n) == 0 &&
			key[n] != '\0')
			return &kp_templated_condition_keys[i];
	}
	return NULL;
}

bool
kp_condition_key_is_multivalued(const char *key)
{
	const kp_cond_key_def *def = kp_lookup_condition_key(key);

	return def == NULL || def->type == KP_KEY_ARRAY_OF_STRING;
}
