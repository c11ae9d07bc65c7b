/*
 * sigv4.h -- the endpoint's side of AWS Signature Version 4: parse the
 * Authorization header and build the string to sign.  The signature itself
 * is checked inside PostgreSQL (kms_endpoint_authenticate), where the secret
 * lives; nothing here knows a secret.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>
#include <time.h>

#define SIGV4_MAX_SIGNED_HEADERS 32

typedef struct sigv4_auth
{
	char		access_key_id[129];
	char		date[9];			/* YYYYMMDD of the credential scope */
	char		region[64];
	char		service[32];
	char		signed_headers[1024];	/* as sent: "a;b;c" */
	char		signature[129];		/* lowercase hex */
	int			n_headers;
	char	   *headers[SIGV4_MAX_SIGNED_HEADERS]; /* point into signed_copy */
	char		signed_copy[1024];
} sigv4_auth;

/* Returns NULL on success, else a message for IncompleteSignatureException. */
const char *sigv4_parse_authorization(const char *value, sigv4_auth *out);

/* Lowercase hex SHA-256 of data (out: 65 bytes). */
void sigv4_sha256_hex(const void *data, size_t len, char *out);

/*
 * Canonical header value: leading/trailing whitespace trimmed, runs of
 * spaces collapsed to one.  Result is malloc'd.
 */
char *sigv4_canonical_value(const char *value);

/*
 * Build the string to sign.  values[i] is the (already joined, raw) value of
 * auth->headers[i], or NULL when the request lacks it.  Returns malloc'd
 * text, or NULL when out of memory.
 */
char *sigv4_string_to_sign(const sigv4_auth *auth, const char *amz_date,
						   const char *const *values,
						   const void *body, size_t body_len);

/* Parse an ISO 8601 basic time "YYYYMMDDTHHMMSSZ"; -1 when malformed. */
time_t sigv4_parse_amz_date(const char *amz_date);

#endif
