/*
 * sigv4.c -- canonical request and string to sign of AWS Signature Version 4
 * for the one request shape the KMS JSON protocol uses: POST / without a
 * query string.
 */
#include "sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

void
sigv4_sha256_hex(const void *data, size_t len, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < mdlen; i++)
	{
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * mdlen] = '\0';
}

/* Copy [start, end) into dst of size n; false when it does not fit. */
static int
copy_span(char *dst, size_t n, const char *start, const char *end)
{
	size_t		len = (size_t) (end - start);

	if (len + 1 > n)
		return 0;
	memcpy(dst, start, len);
	dst[len] = '\0';
	return 1;
}

const char *
sigv4_parse_authorization(const char *value, sigv4_auth *out)
{
	static const char scheme[] = "AWS4-HMAC-SHA256";
	const char *cred = NULL, *signed_h = NULL, *sig = NULL;
	const char *p;

	memset(out, 0, sizeof(*out));
	if (strncmp(value, scheme, sizeof(scheme) - 1) != 0 ||
		(value[sizeof(scheme) - 1] != ' ' && value[sizeof(scheme) - 1] != '\t'))
		return "Authorization header requires the AWS4-HMAC-SHA256 scheme.";
	p = value + sizeof(scheme) - 1;

	/* Components separated by commas, each "Name=value" */
	while (*p)
	{
		const char *name, *eq, *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		name = p;
		eq = strchr(p, '=');
		if (!eq)
			return "Authorization header is malformed.";
		end = strchr(eq, ',');
		if (!end)
			end = eq + strlen(eq);
		if (eq - name == 10 && strncmp(name, "Credential", 10) == 0)
			cred = eq + 1;
		else if (eq - name == 13 && strncmp(name, "SignedHeaders", 13) == 0)
			signed_h = eq + 1;
		else if (eq - name == 9 && strncmp(name, "Signature", 9) == 0)
			sig = eq + 1;
		p = end;
	}
	if (!cred)
		return "Authorization header requires 'Credential' parameter.";
	if (!signed_h)
		return "Authorization header requires 'SignedHeaders' parameter.";
	if (!sig)
		return "Authorization header requires 'Signature' parameter.";

	/* Credential=AKID/YYYYMMDD/region/service/aws4_request */
	{
		const char *end = cred + strcspn(cred, ", \t");
		const char *s[5];
		int			n = 0;

		s[n++] = cred;
		for (const char *q = cred; q < end && n < 5; q++)
			if (*q == '/')
				s[n++] = q + 1;
		if (n != 5 || (size_t) (end - s[4]) != 12 || strncmp(s[4], "aws4_request", 12) != 0)
			return "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.";
		if (!copy_span(out->access_key_id, sizeof(out->access_key_id), s[0], s[1] - 1) ||
			!copy_span(out->date, sizeof(out->date), s[1], s[2] - 1) ||
			!copy_span(out->region, sizeof(out->region), s[2], s[3] - 1) ||
			!copy_span(out->service, sizeof(out->service), s[3], s[4] - 1) ||
			out->access_key_id[0] == '\0')
			return "Credential is malformed.";
		if (strlen(out->date) != 8)
			return "Credential date must be in the form YYYYMMDD.";
		for (int i = 0; i < 8; i++)
			if (!isdigit((unsigned char) out->date[i]))
				return "Credential date must be in the form YYYYMMDD.";
	}

	/* SignedHeaders=a;b;c -- lowercase, sorted, must include host */
	{
		const char *end = signed_h + strcspn(signed_h, ", \t");
		char	   *tok, *save = NULL;

		if (!copy_span(out->signed_headers, sizeof(out->signed_headers), signed_h, end) ||
			out->signed_headers[0] == '\0')
			return "SignedHeaders is malformed.";
		memcpy(out->signed_copy, out->signed_headers, sizeof(out->signed_copy));
		for (tok = strtok_r(out->signed_copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		{
			if (out->n_headers == SIGV4_MAX_SIGNED_HEADERS)
				return "SignedHeaders lists too many headers.";
			for (char *c = tok; *c; c++)
				if (isupper((unsigned char) *c))
					return "SignedHeaders must be lowercase.";
			out->headers[out->n_headers++] = tok;
		}
		{
			int			has_host = 0;

			for (int i = 0; i < out->n_headers; i++)
				if (strcmp(out->headers[i], "host") == 0)
					has_host = 1;
			if (!has_host)
				return "Signed headers must include 'host'.";
		}
	}

	/* Signature=<64 hex> */
	{
		const char *end = sig + strcspn(sig, ", \t");

		if (end - sig != 64 || !copy_span(out->signature, sizeof(out->signature), sig, end))
			return "Signature must be 64 hexadecimal characters.";
		for (char *c = out->signature; *c; c++)
		{
			if (!isxdigit((unsigned char) *c))
				return "Signature must be 64 hexadecimal characters.";
			*c = (char) tolower((unsigned char) *c);
		}
	}
	return NULL;
}

char *
sigv4_canonical_value(const char *value)
{
	size_t		len = strlen(value);
	char	   *out = malloc(len + 1);
	char	   *o = out;
	const char *p = value;
	const char *end = value + len;

	if (!out)
		return NULL;
	while (p < end && isspace((unsigned char) *p))
		p++;
	while (end > p && isspace((unsigned char) end[-1]))
		end--;
	for (; p < end; p++)
	{
		if (*p == ' ' && o > out && o[-1] == ' ')
			continue;
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

char *
sigv4_string_to_sign(const sigv4_auth *auth, const char *amz_date,
					 const char *const *values,
					 const void *body, size_t body_len)
{
	char		body_hash[65], creq_hash[65];
	size_t		cap = 64 + strlen(auth->signed_headers) + 65;
	char	   *creq, *sts, *p;
	size_t		sts_len;

	for (int i = 0; i < auth->n_headers; i++)
		cap += strlen(auth->headers[i]) + 2 + (values[i] ? strlen(values[i]) : 0);
	creq = malloc(cap);
	if (!creq)
		return NULL;
	p = creq;
	p += sprintf(p, "POST\n/\n\n");
	for (int i = 0; i < auth->n_headers; i++)
	{
		char	   *v = sigv4_canonical_value(values[i] ? values[i] : "");

		if (!v)
		{
			free(creq);
			return NULL;
		}
		p += sprintf(p, "%s:%s\n", auth->headers[i], v);
		free(v);
	}
	sigv4_sha256_hex(body, body_len, body_hash);
	p += sprintf(p, "\n%s\n%s", auth->signed_headers, body_hash);
	sigv4_sha256_hex(creq, (size_t) (p - creq), creq_hash);
	free(creq);

	sts_len = 32 + strlen(amz_date) + strlen(auth->date) + strlen(auth->region) +
		strlen(auth->service) + 64 + 16;
	sts = malloc(sts_len);
	if (!sts)
		return NULL;
	snprintf(sts, sts_len, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
			 amz_date, auth->date, auth->region, auth->service, creq_hash);
	return sts;
}

time_t
sigv4_parse_amz_date(const char *s)
{
	struct tm	tm;

	if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	for (int i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char) s[i]))
			return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
	tm.tm_mon = (s[4] - '0') * 10 + (s[5] - '0') - 1;
	tm.tm_mday = (s[6] - '0') * 10 + (s[7] - '0');
	tm.tm_hour = (s[9] - '0') * 10 + (s[10] - '0');
	tm.tm_min = (s[11] - '0') * 10 + (s[12] - '0');
	tm.tm_sec = (s[13] - '0') * 10 + (s[14] - '0');
	if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
		tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	return timegm(&tm);
}
