/*
 * kp_eval.c -- evaluation of key and identity policies (policy core).
 *
 * The evaluator answers "may this caller perform this action on this key?"
 * for a key policy plus the caller's identity policies, following the IAM
 * evaluation logic as KMS applies it (see kp_eval.h for the decision rules
 * of both dialects).
 *
 * There is one evaluator, and it reads the compiled form (kp_compiled.h,
 * layout in kp_compiled.c) in place: kp_evaluate_compiled.  kp_evaluate and
 * kp_authorize on kp_policy trees compile the trees (kp_policy_compile) and
 * call it, so both entry points decide and explain identically.  The rules
 * the compiler applies ahead of time (how a principal can match, which
 * operand type an operator's values are parsed as, where policy variables
 * apply) are defined here too, beside the code that relies on them
 * (kp_eval_principal_prepare, kp_eval_operand_type, ...).
 *
 * Design notes:
 *	- Matching works on (pointer, length) spans of the compiled policy's
 *	  strings, so nothing is copied or allocated on the evaluation path.
 *	  The only exceptions are a policy value whose policy variables expand
 *	  to more than EXPAND_BUF bytes, and the trace, which is only built on
 *	  request.
 *	- Condition values were parsed when the policy was compiled; a request
 *	  value is parsed at most once per condition it is compared under.
 *	- A request naming a KMS action of the table (internal/kp_iam.h) is
 *	  matched against a statement's precomputed action bitset; any other
 *	  action string against the patterns, as written.
 *	- Out of memory while expanding a policy variable fails closed: the
 *	  decision is then at best an implicit deny.
 *	- No global state; all helpers are static.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_compiled.h"
#include "kp_eval.h"
#include "internal/kp_compiled_format.h"
#include "internal/kp_eval_probe.h"
#include "internal/kp_iam.h"
#include "internal/kp_operand.h"

/* Stack buffer for a policy value after policy-variable expansion. */
#define EXPAND_BUF 1024
/* Longest trace detail text (longer lists end with "..."). */
#define DETAIL_MAX KP_TRACE_DETAIL_MAX

/* ------------------------------------------------------------------------
 * ASCII helpers (independent of the locale)
 * ------------------------------------------------------------------------ */

#define ascii_lower(c) kp_ascii_lower_char(c)

/* Case-insensitive equality of two spans. */
static bool
span_eq_ci(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

static inline bool
span_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

static bool
str_eq_ci(const char *a, const char *b)
{
	return span_eq_ci(a, strlen(a), b, strlen(b));
}

/* ------------------------------------------------------------------------
 * Glob matching (kp_operand.c)
 * ------------------------------------------------------------------------ */

#define GLOB_ICASE	KP_GLOB_ICASE
#define GLOB_ESC	KP_GLOB_ESC

bool
kp_glob_match(const char *pattern, const char *text, bool ignore_case)
{
	if (pattern == NULL || text == NULL)
		return false;
	return kp_glob_span(pattern, strlen(pattern), text, strlen(text),
						ignore_case ? GLOB_ICASE : 0, NULL);
}

bool
kp_action_matches(const char *pattern, const char *action)
{
	if (pattern == NULL || action == NULL)
		return false;
	if (pattern[0] == '*' && pattern[1] == '\0')
		return true;
	return kp_glob_span(pattern, strlen(pattern), action, strlen(action),
						GLOB_ICASE, NULL);
}

/* ------------------------------------------------------------------------
 * ARNs as spans
 * ------------------------------------------------------------------------ */

typedef struct span
{
	const char *p;
	size_t		len;
} span;

/*
 * Split s at its first max_parts - 1 ':' (the last part keeps any further
 * ':').  Returns the number of parts (1..max_parts, at most 6).
 */
static int
split_parts(const char *s, size_t len, span *parts, int max_parts)
{
	int			n = 0;
	size_t		start = 0;
	size_t		i;

	for (i = 0; i < len && n < max_parts - 1; i++)
	{
		if (s[i] == ':')
		{
			parts[n].p = s + start;
			parts[n].len = i - start;
			n++;
			start = i + 1;
		}
	}
	parts[n].p = s + start;
	parts[n].len = len - start;
	return n + 1;
}

/* An ARN split into named parts: "arn:partition:service:region:account:res"
 * or Alibaba's "acs:service:region:account:res" (partition empty). */
typedef struct arn_view
{
	bool		ok;
	bool		acs;
	span		partition;
	span		service;
	span		region;
	span		account;
	span		resource;
} arn_view;

static arn_view
arn_view_of(const char *s)
{
	arn_view	v;
	span		parts[6];
	int			n;

	memset(&v, 0, sizeof(v));
	if (s == NULL)
		return v;
	if (strncmp(s, "arn:", 4) == 0)
	{
		n = split_parts(s, strlen(s), parts, 6);
		if (n != 6)
			return v;
		v.partition = parts[1];
		v.service = parts[2];
		v.region = parts[3];
		v.account = parts[4];
		v.resource = parts[5];
	}
	else if (strncmp(s, "acs:", 4) == 0)
	{
		n = split_parts(s, strlen(s), parts, 5);
		if (n != 5)
			return v;
		v.acs = true;
		v.partition.p = parts[0].p + 3;
		v.partition.len = 0;
		v.service = parts[1];
		v.region = parts[2];
		v.account = parts[3];
		v.resource = parts[4];
	}
	else
		return v;
	v.ok = true;
	return v;
}

static inline bool
span_is(span s, const char *lit)
{
	return span_eq(s.p, s.len, lit, strlen(lit));
}

static inline bool
span_starts(span s, const char *lit)
{
	size_t		n = strlen(lit);

	return s.len >= n && memcmp(s.p, lit, n) == 0;
}

/*
 * ARN glob (ArnLike/ArnEquals): the six parts (five for Alibaba "acs:" ARNs)
 * are matched separately, so a wildcard never crosses a ':' except in the
 * last part.  A request value that is not an ARN matches nothing, except
 * that the pattern "*" alone matches every value.
 */
static bool
arn_glob(const char *pat, const char *val, int flags, kp_poll *poll)
{
	span		pp[6];
	span		vp[6];
	int			want = strncmp(val, "acs:", 4) == 0 ? 5 : 6;
	int			np;
	int			nv;
	int			i;

	/* "*" alone matches any value */
	if (pat[0] == '*' && pat[1] == '\0')
		return true;
	np = split_parts(pat, strlen(pat), pp, want);
	nv = split_parts(val, strlen(val), vp, want);
	if (np != want || nv != want)
		return false;
	for (i = 0; i < np; i++)
		if (!kp_glob_span(pp[i].p, pp[i].len, vp[i].p, vp[i].len, flags, poll))
			return false;
	return true;
}

/* ------------------------------------------------------------------------
 * Request context
 * ------------------------------------------------------------------------ */

typedef struct ctx_entry
{
	char	   *key;
	size_t		key_len;
	uint32_t	hash;
	char	  **values;
	size_t		n_values;
	size_t		cap;
} ctx_entry;

/*
 * Entries in insertion order, plus an open-addressing index over them
 * (linear probing, power-of-two size, at most half full) keyed by the
 * ASCII-lowercased key: look-ups are O(1) on average.
 */
struct kp_context
{
	ctx_entry  *entries;
	size_t		n;
	size_t		cap;
	uint32_t   *slots;			/* entry index + 1; 0 means empty */
	size_t		n_slots;
	size_t		n_values;		/* values over all keys */
	size_t		bytes;			/* bytes of keys and values */
};

kp_context *
kp_context_new(void)
{
	return calloc(1, sizeof(kp_context));
}

static ctx_entry *
ctx_find_hashed(const kp_context *ctx, const char *key, size_t key_len,
				uint32_t h)
{
	size_t		mask;
	size_t		i;

	if (ctx == NULL || ctx->n_slots == 0)
		return NULL;
	mask = ctx->n_slots - 1;
	for (i = h & mask; ctx->slots[i] != 0; i = (i + 1) & mask)
	{
		ctx_entry  *e = &ctx->entries[ctx->slots[i] - 1];

		if (e->hash == h && span_eq_ci(e->key, e->key_len, key, key_len))
			return e;
	}
	return NULL;
}

static ctx_entry *
ctx_find(const kp_context *ctx, const char *key, size_t key_len)
{
	return ctx_find_hashed(ctx, key, key_len, kp_key_hash(key, key_len));
}

/* Rebuild the index with room for at least want entries at half load. */
static bool
ctx_reindex(kp_context *ctx, size_t want)
{
	size_t		n_slots = 16;
	uint32_t   *slots;
	size_t		i;

	while (n_slots < want * 2)
		n_slots *= 2;
	if (n_slots <= ctx->n_slots)
		return true;
	slots = calloc(n_slots, sizeof(uint32_t));
	if (slots == NULL)
		return false;
	for (i = 0; i < ctx->n; i++)
	{
		size_t		k = ctx->entries[i].hash & (n_slots - 1);

		while (slots[k] != 0)
			k = (k + 1) & (n_slots - 1);
		slots[k] = (uint32_t) (i + 1);
	}
	free(ctx->slots);
	ctx->slots = slots;
	ctx->n_slots = n_slots;
	return true;
}

static kp_status
ctx_limit(kp_error *err, const char *what, size_t limit)
{
	return kp_fail(err, KP_ERR_LIMIT, "The request context is too large.", "", -1,
				   "The request context may hold at most %zu %s.", limit, what);
}

kp_status
kp_context_add_checked(kp_context *ctx, const char *key, const char *value,
					   kp_error *err)
{
	ctx_entry  *e;
	size_t		key_len;
	size_t		value_len = value ? strlen(value) : 0;
	uint32_t	h;

	kp_error_clear(err);
	if (ctx == NULL || key == NULL)
		return kp_fail(err, KP_ERR_NOMEM, "Out of memory.", "", -1,
					   "No request context to add to.");
	key_len = strlen(key);
	h = kp_key_hash(key, key_len);
	e = ctx_find_hashed(ctx, key, key_len, h);
	if (e == NULL)
	{
		if (ctx->n >= KP_CONTEXT_MAX_KEYS)
			return ctx_limit(err, "keys", KP_CONTEXT_MAX_KEYS);
		if (ctx->bytes + key_len > KP_CONTEXT_MAX_BYTES)
			return ctx_limit(err, "bytes of keys and values", KP_CONTEXT_MAX_BYTES);
		if (ctx->n == ctx->cap)
		{
			size_t		ncap = ctx->cap ? ctx->cap * 2 : 8;
			ctx_entry  *ne = realloc(ctx->entries, ncap * sizeof(ctx_entry));

			if (ne == NULL)
				return kp_fail(err, KP_ERR_NOMEM, "Out of memory.", "", -1,
							   "The request context could not grow.");
			ctx->entries = ne;
			ctx->cap = ncap;
		}
		if (!ctx_reindex(ctx, ctx->n + 1))
			return kp_fail(err, KP_ERR_NOMEM, "Out of memory.", "", -1,
						   "The request context could not grow.");
		e = &ctx->entries[ctx->n];
		memset(e, 0, sizeof(*e));
		e->key = strdup(key);
		if (e->key == NULL)
			return kp_fail(err, KP_ERR_NOMEM, "Out of memory.", "", -1,
						   "The request context could not grow.");
		e->key_len = key_len;
		e->hash = h;
		{
			size_t		k = h & (ctx->n_slots - 1);

			while (ctx->slots[k] != 0)
				k = (k + 1) & (ctx->n_slots - 1);
			ctx->slots[k] = (uint32_t) (ctx->n + 1);
		}
		ctx->n++;
		ctx->bytes += key_len;
	}
	if (value == NULL)
		return KP_OK;
	if (ctx->n_values >= KP_CONTEXT_MAX_VALUES)
		return ctx_limit(err, "values", KP_CONTEXT_MAX_VALUES);
	if (ctx->bytes + value_len > KP_CONTEXT_MAX_BYTES)
		return ctx_limit(err, "bytes of keys and values", KP_CONTEXT_MAX_BYTES);
	if (e->n_values == e->cap)
	{
		size_t		ncap = e->cap ? e->cap * 2 : 2;
		char	  **nv = realloc(e->values, ncap * sizeof(char *));

		if (nv == NULL)
			return kp_fail(err, KP_ERR_NOMEM, "Out of memory.", "", -1,
						   "The request context could not grow.");
		e->values = nv;
		e->cap = ncap;
	}
	e->values[e->n_values] = strdup(value);
	if (e->values[e->n_values] == NULL)
		return kp_fail(err, KP_ERR_NOMEM, "Out of memory.", "", -1,
					   "The request context could not grow.");
	e->n_values++;
	ctx->n_values++;
	ctx->bytes += value_len;
	return KP_OK;
}

kp_status
kp_context_add(kp_context *ctx, const char *key, const char *value)
{
	return kp_context_add_checked(ctx, key, value, NULL);
}

size_t
kp_context_key_count(const kp_context *ctx)
{
	return ctx ? ctx->n : 0;
}

const char *const *
kp_context_get(const kp_context *ctx, const char *key, size_t *n_values)
{
	ctx_entry  *e = NULL;

	if (key != NULL)
		e = ctx_find(ctx, key, strlen(key));
	if (e == NULL || e->n_values == 0)
	{
		*n_values = 0;
		return NULL;
	}
	*n_values = e->n_values;
	return (const char *const *) e->values;
}

void
kp_context_free(kp_context *ctx)
{
	size_t		i;
	size_t		j;

	if (ctx == NULL)
		return;
	for (i = 0; i < ctx->n; i++)
	{
		for (j = 0; j < ctx->entries[i].n_values; j++)
			free(ctx->entries[i].values[j]);
		free(ctx->entries[i].values);
		free(ctx->entries[i].key);
	}
	free(ctx->entries);
	free(ctx->slots);
	free(ctx);
}

/* Add key = value (a span) unless key is already present. */
static kp_status
ctx_add_default(kp_context *ctx, const char *key, const char *value,
				size_t len)
{
	char	   *copy;
	kp_status	st;

	if (ctx_find(ctx, key, strlen(key)) != NULL)
		return KP_OK;
	copy = strndup(value, len);
	if (copy == NULL)
		return KP_ERR_NOMEM;
	st = kp_context_add(ctx, key, copy);
	free(copy);
	return st;
}

kp_status
kp_context_add_caller(kp_context *ctx, const char *principal_arn,
					  const char *account, bool is_service)
{
	arn_view	v;
	span		acct;
	kp_status	st;
	char		role_arn[4096];
	const char *type = NULL;

	if (ctx == NULL || principal_arn == NULL)
		return KP_ERR_NOMEM;
	if (is_service)
	{
		st = ctx_add_default(ctx, "aws:PrincipalServiceName", principal_arn,
							 strlen(principal_arn));
		if (st == KP_OK)
			st = ctx_add_default(ctx, "aws:PrincipalIsAWSService", "true", 4);
		return st;
	}
	v = arn_view_of(principal_arn);
	if (!v.ok || v.acs)
		return KP_OK;
	acct = v.account;
	if (account != NULL && account[0] != '\0')
	{
		acct.p = account;
		acct.len = strlen(account);
	}

	st = ctx_add_default(ctx, "aws:PrincipalIsAWSService", "false", 5);
	if (st == KP_OK)
		st = ctx_add_default(ctx, "aws:PrincipalAccount", acct.p, acct.len);
	if (st == KP_OK)
		st = ctx_add_default(ctx, "kms:CallerAccount", acct.p, acct.len);
	if (st != KP_OK)
		return st;

	if (span_is(v.service, "sts") && span_starts(v.resource, "assumed-role/"))
	{
		const char *r = v.resource.p + strlen("assumed-role/");
		const char *slash = memchr(r, '/', v.resource.len - strlen("assumed-role/"));
		size_t		rlen = slash ? (size_t) (slash - r) :
			v.resource.len - strlen("assumed-role/");

		snprintf(role_arn, sizeof(role_arn), "arn:%.*s:iam::%.*s:role/%.*s",
				 (int) v.partition.len, v.partition.p,
				 (int) v.account.len, v.account.p, (int) rlen, r);
		st = ctx_add_default(ctx, "aws:PrincipalArn", role_arn,
							 strlen(role_arn));
		type = "AssumedRole";
	}
	else
	{
		st = ctx_add_default(ctx, "aws:PrincipalArn", principal_arn,
							 strlen(principal_arn));
		if (span_is(v.resource, "root"))
			type = "Account";
		else if (span_is(v.service, "iam") && span_starts(v.resource, "user/"))
		{
			const char *name = v.resource.p + v.resource.len;

			while (name > v.resource.p && name[-1] != '/')
				name--;
			type = "User";
			if (st == KP_OK)
				st = ctx_add_default(ctx, "aws:username", name,
									 (size_t) (v.resource.p + v.resource.len - name));
		}
		else if (span_is(v.service, "sts") &&
				 span_starts(v.resource, "federated-user/"))
			type = "FederatedUser";
	}
	if (st == KP_OK && type != NULL)
		st = ctx_add_default(ctx, "aws:PrincipalType", type, strlen(type));
	return st;
}

/* ------------------------------------------------------------------------
 * Reading a compiled policy (kp_compiled.c has the layout)
 * ------------------------------------------------------------------------ */

/* A string reference at at: the string, or {NULL, 0} when there is none. */
static inline span
blob_str(const unsigned char *d, const unsigned char *at)
{
	span		s;
	uint32_t	off = kp_rd32(at);

	if (off == KPC_NONE)
	{
		s.p = NULL;
		s.len = 0;
	}
	else
	{
		s.p = (const char *) d + off;
		s.len = kp_rd32(at + 4);
	}
	return s;
}

static inline const char *
blob_cstr(const unsigned char *d, const unsigned char *at)
{
	return blob_str(d, at).p;
}

/* A record array: its first record and its count. */
static inline const unsigned char *
blob_array(const unsigned char *d, const unsigned char *at, uint32_t *n)
{
	*n = kp_rd32(at + 4);
	return d + kp_rd32(at);
}

/* ------------------------------------------------------------------------
 * Evaluation environment
 * ------------------------------------------------------------------------ */

typedef struct eval_env
{
	const kp_context *ctx;
	const unsigned char *d;		/* the compiled policy being evaluated */
	bool		vars;			/* policy variables active (Version 2012) */
	bool		oom;			/* an allocation failed: fail closed */
	kp_poll		poll;			/* work counter; poll.stop: interrupted */
} eval_env;

/* ------------------------------------------------------------------------
 * Policy variables
 * ------------------------------------------------------------------------ */

/* Output cursor that counts what it could not store. */
typedef struct outbuf
{
	char	   *buf;
	size_t		size;
	size_t		len;			/* may exceed size - 1 */
	kp_poll    *poll;			/* substituted text counts as work */
} outbuf;

static inline void
out_char(outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* A substituted character; escaped when the result is a glob pattern. */
static inline void
out_literal(outbuf *o, char c, bool escape)
{
	if (escape && (c == '*' || c == '?' || c == '\\'))
		out_char(o, '\\');
	out_char(o, c);
}

static void
out_literal_span(outbuf *o, const char *s, size_t n, bool escape)
{
	size_t		i;

	if (kp_poll_tick(o->poll, n))
		return;
	for (i = 0; i < n; i++)
		out_literal(o, s[i], escape);
}

static void
trim_span(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t'))
	{
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/*
 * Expand "${...}" in value into o.  Returns false when a variable's key is
 * absent (or multi-valued) and it has no default: the value then matches
 * nothing.  Supported: ${key}, ${key, 'default'}, ${*}, ${?}, ${$}.  A "${"
 * without a closing '}' is literal text.  When escape, the result is a glob
 * pattern: the policy's own '*' and '?' stay wildcards, substituted text is
 * literal.
 */
static bool
expand_into(const char *value, const kp_context *ctx, bool escape, outbuf *o)
{
	const char *p = value;

	while (*p != '\0')
	{
		const char *close;
		const char *name;
		size_t		name_len;
		const char *comma;
		const char *dflt = NULL;
		size_t		dflt_len = 0;
		size_t		nv;
		const char *const *vals;
		ctx_entry  *e;

		if (o->poll != NULL && o->poll->stop)
			return false;
		if (p[0] != '$' || p[1] != '{' || (close = strchr(p + 2, '}')) == NULL)
		{
			/* The policy's own text: '\' must stay literal in a pattern. */
			if (escape && *p == '\\')
				out_char(o, '\\');
			out_char(o, *p);
			p++;
			continue;
		}
		name = p + 2;
		name_len = (size_t) (close - name);
		p = close + 1;
		trim_span(&name, &name_len);
		if (name_len == 1 && (*name == '*' || *name == '?' || *name == '$'))
		{
			out_literal(o, *name, escape);
			continue;
		}
		comma = memchr(name, ',', name_len);
		if (comma != NULL)
		{
			dflt = comma + 1;
			dflt_len = (size_t) (name + name_len - dflt);
			name_len = (size_t) (comma - name);
			trim_span(&name, &name_len);
			trim_span(&dflt, &dflt_len);
			if (dflt_len >= 2 && dflt[0] == '\'' && dflt[dflt_len - 1] == '\'')
			{
				dflt++;
				dflt_len -= 2;
			}
		}
		e = ctx_find(ctx, name, name_len);
		vals = e ? (const char *const *) e->values : NULL;
		nv = e ? e->n_values : 0;
		if (nv == 1)
			out_literal_span(o, vals[0], strlen(vals[0]), escape);
		else if (dflt != NULL)
			out_literal_span(o, dflt, dflt_len, escape);
		else
			return false;
	}
	return true;
}

typedef enum expand_result
{
	EXPAND_OK,
	EXPAND_MISSING,
	EXPAND_NOMEM
} expand_result;

/*
 * The effective text of a policy value.  *out is value itself when there is
 * nothing to expand; otherwise buf (size EXPAND_BUF) or, for long results,
 * *heap (the caller frees it).  *escaped tells whether *out uses '\'
 * escapes (only when escape was asked and something was expanded).
 */
static expand_result
expand_value(eval_env *env, const char *value, bool escape, char *buf,
			 char **heap, const char **out, bool *escaped)
{
	outbuf		o;

	*heap = NULL;
	*escaped = false;
	*out = value;
	if (!env->vars || strstr(value, "${") == NULL)
		return EXPAND_OK;
	o.buf = buf;
	o.size = EXPAND_BUF;
	o.len = 0;
	o.poll = &env->poll;
	if (!expand_into(value, env->ctx, escape, &o))
		return EXPAND_MISSING;
	if (o.len >= EXPAND_BUF)
	{
		*heap = malloc(o.len + 1);
		if (*heap == NULL)
		{
			env->oom = true;
			return EXPAND_NOMEM;
		}
		o.buf = *heap;
		o.size = o.len + 1;
		o.len = 0;
		(void) expand_into(value, env->ctx, escape, &o);
		buf = *heap;
	}
	buf[o.len] = '\0';
	*out = buf;
	*escaped = escape;
	return EXPAND_OK;
}

/* ------------------------------------------------------------------------
 * Condition operators
 * ------------------------------------------------------------------------ */

static bool
op_negated(kp_cond_op op)
{
	switch (op)
	{
		case KP_OP_STRING_NOT_EQUALS:
		case KP_OP_STRING_NOT_EQUALS_IGNORE_CASE:
		case KP_OP_STRING_NOT_LIKE:
		case KP_OP_NUMERIC_NOT_EQUALS:
		case KP_OP_DATE_NOT_EQUALS:
		case KP_OP_NOT_IP_ADDRESS:
		case KP_OP_ARN_NOT_EQUALS:
		case KP_OP_ARN_NOT_LIKE:
			return true;
		default:
			return false;
	}
}

/* The positive operator a negated one negates (others unchanged). */
static kp_cond_op
op_base(kp_cond_op op)
{
	switch (op)
	{
		case KP_OP_STRING_NOT_EQUALS:
			return KP_OP_STRING_EQUALS;
		case KP_OP_STRING_NOT_EQUALS_IGNORE_CASE:
			return KP_OP_STRING_EQUALS_IGNORE_CASE;
		case KP_OP_STRING_NOT_LIKE:
			return KP_OP_STRING_LIKE;
		case KP_OP_NUMERIC_NOT_EQUALS:
			return KP_OP_NUMERIC_EQUALS;
		case KP_OP_DATE_NOT_EQUALS:
			return KP_OP_DATE_EQUALS;
		case KP_OP_NOT_IP_ADDRESS:
			return KP_OP_IP_ADDRESS;
		case KP_OP_ARN_NOT_EQUALS:
			return KP_OP_ARN_EQUALS;
		case KP_OP_ARN_NOT_LIKE:
			return KP_OP_ARN_LIKE;
		default:
			return op;
	}
}

/* Policy variables apply to String, Arn and Bool operators only. */
static bool
op_takes_vars(kp_cond_op base)
{
	switch (base)
	{
		case KP_OP_STRING_EQUALS:
		case KP_OP_STRING_EQUALS_IGNORE_CASE:
		case KP_OP_STRING_LIKE:
		case KP_OP_BOOL:
		case KP_OP_ARN_EQUALS:
		case KP_OP_ARN_LIKE:
			return true;
		default:
			return false;
	}
}

/* Whether the expanded policy value is a glob pattern (escape substitutions). */
static bool
op_is_glob(kp_cond_op base)
{
	return base == KP_OP_STRING_LIKE || base == KP_OP_ARN_EQUALS ||
		base == KP_OP_ARN_LIKE;
}

/* The operand type of a (positive or negated) operator's values. */
static kpc_value_type
op_operand_type(kp_cond_op base)
{
	switch (base)
	{
		case KP_OP_NUMERIC_EQUALS:
		case KP_OP_NUMERIC_LESS_THAN:
		case KP_OP_NUMERIC_LESS_THAN_EQUALS:
		case KP_OP_NUMERIC_GREATER_THAN:
		case KP_OP_NUMERIC_GREATER_THAN_EQUALS:
			return KPC_VT_NUMBER;
		case KP_OP_DATE_EQUALS:
		case KP_OP_DATE_LESS_THAN:
		case KP_OP_DATE_LESS_THAN_EQUALS:
		case KP_OP_DATE_GREATER_THAN:
		case KP_OP_DATE_GREATER_THAN_EQUALS:
			return KPC_VT_DATE;
		case KP_OP_IP_ADDRESS:
			return KPC_VT_IP;
		case KP_OP_BOOL:
		case KP_OP_NULL:
			return KPC_VT_BOOL;
		default:
			return KPC_VT_TEXT;
	}
}

/* The rules the compiler applies ahead of time (internal/kp_compiled_format.h). */
kpc_value_type
kp_eval_operand_type(kp_cond_op op)
{
	return op_operand_type(op_base(op));
}

bool
kp_eval_op_takes_vars(kp_cond_op op)
{
	return op_takes_vars(op_base(op));
}

bool
kp_eval_version_has_vars(kp_version version)
{
	return version == KP_VERSION_2012;
}

bool
kp_eval_text_has_vars(const char *text)
{
	return text != NULL && strstr(text, "${") != NULL;
}

/* An ordering (c = a <=> b) under a comparison operator. */
static bool
cmp_holds(kp_cond_op base, int c)
{
	switch (base)
	{
		case KP_OP_NUMERIC_EQUALS:
		case KP_OP_DATE_EQUALS:
			return c == 0;
		case KP_OP_NUMERIC_LESS_THAN:
		case KP_OP_DATE_LESS_THAN:
			return c < 0;
		case KP_OP_NUMERIC_LESS_THAN_EQUALS:
		case KP_OP_DATE_LESS_THAN_EQUALS:
			return c <= 0;
		case KP_OP_NUMERIC_GREATER_THAN:
		case KP_OP_DATE_GREATER_THAN:
			return c > 0;
		default:
			return c >= 0;
	}
}

/*
 * One policy value given as text (an expanded policy variable: String, Arn
 * and Bool operators only) against one request value.
 */
static bool
text_value_match(kp_cond_op base, const char *pv, bool escaped, const char *rv,
				 kp_poll *poll)
{
	int			flags = escaped ? GLOB_ESC : 0;

	switch (base)
	{
		case KP_OP_STRING_EQUALS:
			return strcmp(pv, rv) == 0;
		case KP_OP_STRING_EQUALS_IGNORE_CASE:
			return str_eq_ci(pv, rv);
		case KP_OP_STRING_LIKE:
			return kp_glob_span(pv, strlen(pv), rv, strlen(rv), flags, poll);
		case KP_OP_BOOL:
			{
				bool		a;
				bool		b;

				return kp_bool_parse(rv, &a) && kp_bool_parse(pv, &b) && a == b;
			}
		case KP_OP_ARN_EQUALS:
		case KP_OP_ARN_LIKE:
			return arn_glob(pv, rv, flags, poll);
		default:
			return false;
	}
}

/* A request value parsed as the operator's operand type, once per value. */
typedef struct request_operand
{
	int			state;			/* 0 not parsed yet, 1 parsed, -1 invalid */
	kp_number	num;
	kp_instant	t;
	kp_ipnet	ip;
	bool		b;
} request_operand;

static bool
request_operand_ok(request_operand *ro, kpc_value_type type, const char *rv)
{
	bool		ok = false;

	if (ro->state != 0)
		return ro->state > 0;
	switch (type)
	{
		case KPC_VT_NUMBER:
			ok = kp_number_parse(rv, &ro->num);
			break;
		case KPC_VT_DATE:
			ok = kp_date_parse(rv, &ro->t);
			break;
		case KPC_VT_IP:
			ok = kp_ip_parse(rv, false, &ro->ip);
			break;
		case KPC_VT_BOOL:
			ok = kp_bool_parse(rv, &ro->b);
			break;
		case KPC_VT_TEXT:
			ok = true;
			break;
	}
	ro->state = ok ? 1 : -1;
	return ok;
}

/*
 * One policy value of the compiled policy (not dynamic: its operand was
 * parsed when it was compiled) against one request value.
 */
static bool
compiled_value_match(eval_env *env, kp_cond_op base, const unsigned char *v,
					 const char *rv, request_operand *ro)
{
	const unsigned char *pl = v + KPC_V_PAYLOAD;
	span		pv = blob_str(env->d, v + KPC_V_TEXT);
	kpc_value_type type = op_operand_type(base);

	if (type != KPC_VT_TEXT)
	{
		/* A value that is not a valid operand matches nothing. */
		if (!(v[KPC_V_FLAGS] & KPC_VF_PARSED) || v[KPC_V_TYPE] != type ||
			!request_operand_ok(ro, type, rv))
			return false;
	}
	switch (base)
	{
		case KP_OP_STRING_EQUALS:
			return strcmp(pv.p, rv) == 0;
		case KP_OP_STRING_EQUALS_IGNORE_CASE:
			return str_eq_ci(pv.p, rv);
		case KP_OP_STRING_LIKE:
			return kp_glob_span(pv.p, pv.len, rv, strlen(rv), 0, &env->poll);
		case KP_OP_NUMERIC_EQUALS:
		case KP_OP_NUMERIC_LESS_THAN:
		case KP_OP_NUMERIC_LESS_THAN_EQUALS:
		case KP_OP_NUMERIC_GREATER_THAN:
		case KP_OP_NUMERIC_GREATER_THAN_EQUALS:
			{
				kp_number	b;
				span		digits = blob_str(env->d, pl + 12);

				b.sign = (int) pl[0] - 1;
				b.exp = (long) (int64_t) kp_rd64(pl + 4);
				b.ndig = (int) digits.len;
				memcpy(b.digits, digits.p, digits.len);
				return cmp_holds(base, kp_number_cmp(&ro->num, &b));
			}
		case KP_OP_DATE_EQUALS:
		case KP_OP_DATE_LESS_THAN:
		case KP_OP_DATE_LESS_THAN_EQUALS:
		case KP_OP_DATE_GREATER_THAN:
		case KP_OP_DATE_GREATER_THAN_EQUALS:
			{
				kp_instant	b;

				b.sec = (int64_t) kp_rd64(pl);
				b.nsec = (int32_t) kp_rd32(pl + 8);
				return cmp_holds(base, kp_instant_cmp(&ro->t, &b));
			}
		case KP_OP_BOOL:
			return ro->b == (pl[0] != 0);
		case KP_OP_BINARY_EQUALS:
			return kp_base64_equal(pv.p, rv);
		case KP_OP_IP_ADDRESS:
			{
				kp_ipnet	net;

				net.family = pl[0];
				net.prefix = pl[1];
				memcpy(net.addr, pl + 2, 16);
				return kp_ip_contains(&net, &ro->ip);
			}
		case KP_OP_ARN_EQUALS:
		case KP_OP_ARN_LIKE:
			return arn_glob(pv.p, rv, 0, &env->poll);
		default:
			return false;
	}
}

/*
 * Does request value rv match some policy value of condition c (under the
 * positive base operator)?  When which is not NULL it receives the index of
 * the matching policy value.
 */
static bool
request_value_matches(eval_env *env, const unsigned char *c, kp_cond_op base,
					  const char *rv, size_t *which)
{
	bool		glob = op_is_glob(base);
	uint32_t	n;
	const unsigned char *vals = blob_array(env->d, c + KPC_C_VAL_OFF, &n);
	request_operand ro;
	uint32_t	i;

	ro.state = 0;
	for (i = 0; i < n; i++)
	{
		const unsigned char *v = vals + (size_t) i * KPC_VAL_SIZE;
		bool		m;

		if (kp_poll_tick(&env->poll, 1))
			return false;

		if (v[KPC_V_FLAGS] & KPC_VF_DYNAMIC)
		{
			char		buf[EXPAND_BUF];
			char	   *heap;
			const char *eff;
			bool		escaped;

			if (expand_value(env, blob_cstr(env->d, v + KPC_V_TEXT), glob, buf,
							 &heap, &eff, &escaped) != EXPAND_OK)
				continue;
			m = text_value_match(base, eff, escaped, rv, &env->poll);
			free(heap);
		}
		else
			m = compiled_value_match(env, base, v, rv, &ro);
		if (m)
		{
			if (which != NULL)
				*which = i;
			return true;
		}
	}
	return false;
}

/* The effective set quantifier: ForAllValues or ForAnyValue. */
static kp_set_op
effective_set_op(kp_set_op set_op, bool neg)
{
	if (set_op != KP_SET_NONE)
		return set_op;
	/* single value: positive = some value matches; negated = none does */
	return neg ? KP_SET_FOR_ALL_VALUES : KP_SET_FOR_ANY_VALUE;
}

/* The request values of condition c's key (NULL, 0 when absent). */
static const char *const *
cond_request_values(const eval_env *env, const unsigned char *c, size_t *nr)
{
	span		key = blob_str(env->d, c + KPC_C_KEY_LOWER);
	ctx_entry  *e = ctx_find_hashed(env->ctx, key.p, key.len,
									kp_rd32(c + KPC_C_KEY_HASH));

	if (e == NULL || e->n_values == 0)
	{
		*nr = 0;
		return NULL;
	}
	*nr = e->n_values;
	return (const char *const *) e->values;
}

static bool
cond_eval(eval_env *env, const unsigned char *c)
{
	size_t		nr;
	const char *const *rv = cond_request_values(env, c, &nr);
	kp_cond_op	op = (kp_cond_op) c[KPC_C_OP];
	kp_set_op	set_op = (kp_set_op) c[KPC_C_SET_OP];
	bool		neg;
	kp_cond_op	base;
	size_t		i;

	if (op == KP_OP_NULL)
	{
		bool		present = nr > 0;
		uint32_t	n;
		const unsigned char *vals = blob_array(env->d, c + KPC_C_VAL_OFF, &n);
		uint32_t	j;

		for (j = 0; j < n; j++)
		{
			const unsigned char *v = vals + (size_t) j * KPC_VAL_SIZE;

			if ((v[KPC_V_FLAGS] & KPC_VF_PARSED) && v[KPC_V_TYPE] == KPC_VT_BOOL &&
				(v[KPC_V_PAYLOAD] != 0) != present)
				return true;
		}
		return false;
	}
	neg = op_negated(op);
	base = op_base(op);
	if (nr == 0)
	{
		if (c[KPC_C_IF_EXISTS])
			return true;
		if (set_op == KP_SET_FOR_ALL_VALUES)
			return true;
		if (set_op == KP_SET_FOR_ANY_VALUE)
			return false;
		return neg;
	}
	if (effective_set_op(set_op, neg) == KP_SET_FOR_ALL_VALUES)
	{
		/* every request value must pass (match, or for negated: not match) */
		for (i = 0; i < nr; i++)
			if (request_value_matches(env, c, base, rv[i], NULL) == neg)
				return false;
		return true;
	}
	for (i = 0; i < nr; i++)
		if (request_value_matches(env, c, base, rv[i], NULL) != neg)
			return true;
	return false;
}

/* ------------------------------------------------------------------------
 * Trace text
 * ------------------------------------------------------------------------ */

typedef struct sbuf
{
	char		buf[DETAIL_MAX];
	size_t		len;
	bool		truncated;
} sbuf;

static void
sb_init(sbuf *sb)
{
	sb->buf[0] = '\0';
	sb->len = 0;
	sb->truncated = false;
}

static void sb_printf(sbuf *sb, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(sbuf *sb, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (sb->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sizeof(sb->buf) - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= sizeof(sb->buf) - sb->len)
	{
		sb->truncated = true;
		sb->len = sizeof(sb->buf) - 1;
		memcpy(sb->buf + sb->len - 3, "...", 3);
		sb->buf[sb->len] = '\0';
		return;
	}
	sb->len += (size_t) n;
}

/* "['a', 'b']" of request values. */
static void
sb_list(sbuf *sb, const char *const *items, size_t n, bool quote)
{
	size_t		i;

	sb_printf(sb, "[");
	for (i = 0; i < n; i++)
		sb_printf(sb, quote ? "%s'%s'" : "%s%s", i ? ", " : "", items[i]);
	sb_printf(sb, "]");
}

/*
 * "['a', 'b']" of a record array of the compiled policy whose records
 * start with a string reference (actions, resources, condition values).
 */
static void
sb_list_blob(sbuf *sb, const unsigned char *d, const unsigned char *arr,
			 uint32_t n, size_t stride, bool quote)
{
	uint32_t	i;

	sb_printf(sb, "[");
	for (i = 0; i < n; i++)
		sb_printf(sb, quote ? "%s'%s'" : "%s%s", i ? ", " : "",
				  blob_cstr(d, arr + (size_t) i * stride));
	sb_printf(sb, "]");
}

/* Why condition c is false (called only when it is). */
static void
cond_explain(eval_env *env, const unsigned char *c, sbuf *sb)
{
	size_t		nr;
	const char *const *rv = cond_request_values(env, c, &nr);
	kp_cond_op	op = (kp_cond_op) c[KPC_C_OP];
	bool		neg = op_negated(op);
	kp_cond_op	base = op_base(op);
	const char *op_text = blob_cstr(env->d, c + KPC_C_OP_TEXT);
	uint32_t	nv;
	const unsigned char *vals = blob_array(env->d, c + KPC_C_VAL_OFF, &nv);
	size_t		i;
	size_t		which = 0;

	sb_printf(sb, "condition %s %s: ", op_text ? op_text : "?",
			  blob_cstr(env->d, c + KPC_C_KEY));
	if (op == KP_OP_NULL)
	{
		sb_printf(sb, nr > 0 ? "key present" : "key absent");
		return;
	}
	if (nr == 0)
	{
		sb_printf(sb, "key absent");
		return;
	}
	if (effective_set_op((kp_set_op) c[KPC_C_SET_OP], neg) == KP_SET_FOR_ALL_VALUES)
	{
		for (i = 0; i < nr; i++)
			if (request_value_matches(env, c, base, rv[i], &which) == neg)
				break;
		if (i == nr)
			i = 0;				/* not reached when the condition failed */
		if (neg)
			sb_printf(sb, "request value '%s' matches '%s'", rv[i],
					  blob_cstr(env->d, vals + which * KPC_VAL_SIZE));
		else
		{
			sb_printf(sb, "request value '%s' matches none of ", rv[i]);
			sb_list_blob(sb, env->d, vals, nv, KPC_VAL_SIZE, true);
		}
		return;
	}
	if (neg)
	{
		sb_printf(sb, "every request value matches one of ");
		sb_list_blob(sb, env->d, vals, nv, KPC_VAL_SIZE, true);
		return;
	}
	if (nr == 1)
		sb_printf(sb, "request value '%s' matches none of ", rv[0]);
	else
	{
		sb_printf(sb, "request values ");
		sb_list(sb, rv, nr, true);
		sb_printf(sb, " match none of ");
	}
	sb_list_blob(sb, env->d, vals, nv, KPC_VAL_SIZE, true);
}

/* ------------------------------------------------------------------------
 * Principals
 * ------------------------------------------------------------------------ */

typedef enum pmatch
{
	PM_NONE = 0,
	PM_DELEGATED,				/* account principal, other caller of that
								 * account */
	PM_DIRECT
} pmatch;

/* The caller, parsed once per evaluation. */
typedef struct caller
{
	const char *arn;
	bool		is_service;
	arn_view	v;
	span		account;		/* effective account (may be empty) */
	bool		is_root;
	bool		is_session;		/* assumed-role session */
	span		session_role;	/* role name of the session */
} caller;

static void
caller_init(caller *c, const kp_request *req)
{
	memset(c, 0, sizeof(*c));
	c->arn = req->principal_arn ? req->principal_arn : "";
	c->is_service = req->principal_is_service;
	if (c->is_service)
		return;
	c->v = arn_view_of(c->arn);
	if (req->principal_account != NULL && req->principal_account[0] != '\0')
	{
		c->account.p = req->principal_account;
		c->account.len = strlen(req->principal_account);
	}
	else if (c->v.ok)
		c->account = c->v.account;
	if (!c->v.ok)
		return;
	c->is_root = span_is(c->v.resource, "root");
	if (span_starts(c->v.resource, "assumed-role/"))
	{
		const char *r = c->v.resource.p + strlen("assumed-role/");
		size_t		rest = c->v.resource.len - strlen("assumed-role/");
		const char *slash = memchr(r, '/', rest);

		c->is_session = true;
		c->session_role.p = r;
		c->session_role.len = slash ? (size_t) (slash - r) : rest;
	}
}

static kpc_span
span_in(span s, const char *base)
{
	kpc_span	k;

	k.start = (uint32_t) (s.p - base);
	k.len = (uint32_t) s.len;
	return k;
}

/*
 * How a principal can match a caller (principal_match below), decided when
 * the policy is compiled: parn is the ARN the matching uses.
 */
void
kp_eval_principal_prepare(kp_principal_kind kind, const char *parn,
						  kpc_prin_prep *out)
{
	arn_view	pv;

	memset(out, 0, sizeof(*out));
	if (kind == KP_PRIN_ANY || (parn != NULL && strcmp(parn, "*") == 0))
	{
		out->cls = KPC_PC_ANY;
		return;
	}
	if (parn == NULL)
	{
		out->cls = KPC_PC_NULL;
		return;
	}
	if (kind == KP_PRIN_SERVICE)
	{
		out->cls = KPC_PC_SERVICE;
		return;
	}
	out->cls = KPC_PC_EXACT;
	pv = arn_view_of(parn);
	if (!pv.ok)
		return;
	out->partition = span_in(pv.partition, parn);
	out->account = span_in(pv.account, parn);
	if (pv.acs && span_is(pv.resource, "*"))
		out->cls = KPC_PC_ACS_ACCOUNT;
	else if (!pv.acs && span_is(pv.service, "iam") && span_is(pv.resource, "root"))
		out->cls = KPC_PC_AWS_ROOT;
	else if (span_starts(pv.resource, "role/"))
	{
		const char *name = pv.resource.p + pv.resource.len;

		while (name > pv.resource.p && name[-1] != '/')
			name--;
		out->cls = pv.acs ? KPC_PC_ACS_ROLE : KPC_PC_AWS_ROLE;
		out->name.start = (uint32_t) (name - parn);
		out->name.len = (uint32_t) (pv.resource.p + pv.resource.len - name);
	}
}

/* A span of a principal record: inside the principal's ARN. */
static inline bool
prin_span_eq(const char *parn, const unsigned char *at, span s)
{
	return span_eq(parn + kp_rd32(at), kp_rd32(at + 4), s.p, s.len);
}

static pmatch
principal_match(const unsigned char *d, const unsigned char *p, const caller *c)
{
	kpc_prin_class cls = (kpc_prin_class) p[KPC_P_CLASS];
	const char *parn;

	if (cls == KPC_PC_ANY)
		return PM_DIRECT;
	if (cls == KPC_PC_NULL)
		return PM_NONE;
	parn = blob_cstr(d, p + KPC_P_ARN);
	if (cls == KPC_PC_SERVICE)
		return c->is_service && str_eq_ci(parn, c->arn) ? PM_DIRECT : PM_NONE;
	if (c->is_service)
		return PM_NONE;
	if (strcmp(parn, c->arn) == 0)
		return PM_DIRECT;

	switch (cls)
	{
		case KPC_PC_ACS_ACCOUNT:
			/* Alibaba "acs:ram::<acct>:*": every identity of that account. */
			if (!c->v.acs)
				return PM_NONE;
			return c->account.len > 0 &&
				prin_span_eq(parn, p + KPC_P_ACCOUNT, c->account) ?
				PM_DIRECT : PM_NONE;
		case KPC_PC_AWS_ROOT:
			/* AWS account principal: other identities of that account, delegated. */
			if (c->v.acs)
				return PM_NONE;
			if (c->account.len == 0 || !prin_span_eq(parn, p + KPC_P_ACCOUNT, c->account))
				return PM_NONE;
			if (c->v.ok && !prin_span_eq(parn, p + KPC_P_PARTITION, c->v.partition))
				return PM_NONE;
			return PM_DELEGATED;
		case KPC_PC_AWS_ROLE:
		case KPC_PC_ACS_ROLE:
			/* A role principal matches the sessions of the role. */
			if (c->v.acs != (cls == KPC_PC_ACS_ROLE))
				return PM_NONE;
			if (c->is_session &&
				prin_span_eq(parn, p + KPC_P_PARTITION, c->v.partition) &&
				prin_span_eq(parn, p + KPC_P_ACCOUNT, c->v.account) &&
				prin_span_eq(parn, p + KPC_P_NAME, c->session_role))
				return PM_DIRECT;
			return PM_NONE;
		default:
			return PM_NONE;
	}
}

/* ------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------ */

/* The index of a request's action in the KMS action table, or -1. */
static int
request_action_index(const char *action)
{
	int			i;

	if (action == NULL || kp_ascii_ncasecmp(action, "kms:", 4) != 0)
		return -1;
	i = kp_kms_action_index(action + 4);
	return i < 64 ? i : -1;
}

static bool
resource_matches(eval_env *env, const unsigned char *v, const char *resource)
{
	char		buf[EXPAND_BUF];
	char	   *heap;
	const char *eff;
	bool		escaped;
	bool		m;
	span		pattern = blob_str(env->d, v + KPC_V_TEXT);

	if (pattern.p[0] == '*' && pattern.p[1] == '\0')
		return true;
	if (!(v[KPC_V_FLAGS] & KPC_VF_DYNAMIC))
		return kp_glob_span(pattern.p, pattern.len, resource, strlen(resource),
							0, &env->poll);
	if (expand_value(env, pattern.p, true, buf, &heap, &eff, &escaped) != EXPAND_OK)
		return false;
	m = kp_glob_span(eff, strlen(eff), resource, strlen(resource),
					 escaped ? GLOB_ESC : 0, &env->poll);
	free(heap);
	return m;
}

typedef struct stmt_result
{
	kp_trace_outcome outcome;
	pmatch		pm;				/* key policies: how the principal matched */
	const unsigned char *principal; /* the principal record that matched */
	size_t		failed;			/* index of the failed resource / condition
								 * (for NotResource: the excluding pattern) */
} stmt_result;

/* Does a statement's Action (or NotAction) list name the action? */
static bool
actions_match(const unsigned char *d, const unsigned char *s, const char *action,
			  int action_index, size_t *which)
{
	uint32_t	n;
	const unsigned char *acts = blob_array(d, s + KPC_S_ACT_OFF, &n);
	uint32_t	i;

	if (action_index >= 0 && which == NULL)
		return (kp_rd64(s + KPC_S_ACT_BITS) >> action_index) & 1;
	for (i = 0; i < n; i++)
		if (kp_action_matches(blob_cstr(d, acts + (size_t) i * KPC_STR_SIZE), action))
		{
			if (which != NULL)
				*which = i;
			return true;
		}
	return false;
}

static void
stmt_eval(eval_env *env, const unsigned char *s, bool check_principal,
		  const caller *c, const kp_request *req, int action_index,
		  stmt_result *r)
{
	const unsigned char *d = env->d;
	const char *action = req->action ? req->action : "";
	const char *resource = req->resource_arn ? req->resource_arn : "";
	uint32_t	flags = kp_rd32(s + KPC_S_FLAGS);
	const unsigned char *arr;
	uint32_t	n;
	bool		any;
	uint32_t	i;

	memset(r, 0, sizeof(*r));
	if (check_principal)
	{
		arr = blob_array(d, s + KPC_S_PRIN_OFF, &n);
		for (i = 0; i < n; i++)
		{
			const unsigned char *p = arr + (size_t) i * KPC_PRIN_SIZE;
			pmatch		m = principal_match(d, p, c);

			if (m > r->pm)
			{
				r->pm = m;
				r->principal = p;
				if (m == PM_DIRECT)
					break;
			}
		}
		if (r->pm == PM_NONE)
		{
			r->outcome = KP_TRACE_NO_PRINCIPAL;
			return;
		}
	}

	any = actions_match(d, s, action, action_index, NULL);
	if (kp_rd32(s + KPC_S_N_ACT) == 0 || any == ((flags & KPC_SF_NOT_ACTION) != 0))
	{
		r->outcome = KP_TRACE_NO_ACTION;
		return;
	}

	any = false;
	arr = blob_array(d, s + KPC_S_RES_OFF, &n);
	for (i = 0; i < n && !any; i++)
		if (resource_matches(env, arr + (size_t) i * KPC_VAL_SIZE, resource))
		{
			any = true;
			r->failed = i;
		}
	if (n == 0 || any == ((flags & KPC_SF_NOT_RESOURCE) != 0))
	{
		r->outcome = KP_TRACE_NO_RESOURCE;
		return;
	}

	arr = blob_array(d, s + KPC_S_COND_OFF, &n);
	for (i = 0; i < n; i++)
		if (!cond_eval(env, arr + (size_t) i * KPC_COND_SIZE))
		{
			r->outcome = KP_TRACE_CONDITION_FAILED;
			r->failed = i;
			return;
		}
	r->outcome = KP_TRACE_APPLIED;
}

/* ------------------------------------------------------------------------
 * Trace
 * ------------------------------------------------------------------------ */

void
kp_trace_init(kp_trace *trace)
{
	if (trace != NULL)
		memset(trace, 0, sizeof(*trace));
}

void
kp_trace_free(kp_trace *trace)
{
	size_t		i;

	if (trace == NULL)
		return;
	for (i = 0; i < trace->n_entries; i++)
	{
		free(trace->entries[i].sid);
		free(trace->entries[i].detail);
	}
	free(trace->entries);
	free(trace->summary);
	memset(trace, 0, sizeof(*trace));
}

const char *
kp_trace_outcome_name(kp_trace_outcome outcome)
{
	switch (outcome)
	{
		case KP_TRACE_APPLIED:
			return "applied";
		case KP_TRACE_NO_PRINCIPAL:
			return "principal did not match";
		case KP_TRACE_NO_ACTION:
			return "action did not match";
		case KP_TRACE_NO_RESOURCE:
			return "resource did not match";
		case KP_TRACE_CONDITION_FAILED:
			return "condition failed";
	}
	return "unknown";
}

const char *
kp_decision_name(kp_decision decision)
{
	switch (decision)
	{
		case KP_DECISION_ALLOW:
			return "allow";
		case KP_DECISION_EXPLICIT_DENY:
			return "explicit deny";
		case KP_DECISION_IMPLICIT_DENY:
			return "implicit deny";
	}
	return "unknown";
}

static void
policy_label(char *buf, size_t size, int policy_index)
{
	if (policy_index < 0)
		snprintf(buf, size, "key policy");
	else
		snprintf(buf, size, "identity policy %d", policy_index);
}

static const char *
principal_text(const unsigned char *d, const unsigned char *p)
{
	const char *value = blob_cstr(d, p + KPC_P_VALUE);
	const char *arn;

	if (value != NULL)
		return value;
	arn = blob_cstr(d, p + KPC_P_ARN);
	return arn != NULL ? arn : "?";
}

/* Explain a statement's outcome into sb. */
static void
stmt_explain(eval_env *env, const unsigned char *s, const caller *c,
			 const kp_request *req, const stmt_result *r, kp_trace_via via,
			 sbuf *sb)
{
	const unsigned char *d = env->d;
	const char *action = req->action ? req->action : "";
	const char *resource = req->resource_arn ? req->resource_arn : "";
	uint32_t	flags = kp_rd32(s + KPC_S_FLAGS);
	const unsigned char *arr;
	uint32_t	n;
	uint32_t	i;

	switch (r->outcome)
	{
		case KP_TRACE_APPLIED:
			if (r->principal != NULL)
				sb_printf(sb, "principal %s matched%s",
						  principal_text(d, r->principal),
						  via == KP_TRACE_VIA_DELEGATION ? " (account delegation)" :
						  via == KP_TRACE_VIA_CROSS_ACCOUNT ? " (cross-account)" : "");
			break;
		case KP_TRACE_NO_PRINCIPAL:
			arr = blob_array(d, s + KPC_S_PRIN_OFF, &n);
			sb_printf(sb, "caller %s matches none of [", c->arn);
			for (i = 0; i < n; i++)
				sb_printf(sb, "%s%s", i ? ", " : "",
						  principal_text(d, arr + (size_t) i * KPC_PRIN_SIZE));
			sb_printf(sb, "]");
			break;
		case KP_TRACE_NO_ACTION:
			arr = blob_array(d, s + KPC_S_ACT_OFF, &n);
			if (n == 0)
				sb_printf(sb, "statement has no Action");
			else if (flags & KPC_SF_NOT_ACTION)
			{
				size_t		which = 0;

				(void) actions_match(d, s, action, -1, &which);
				sb_printf(sb, "action %s excluded by NotAction %s", action,
						  blob_cstr(d, arr + which * KPC_STR_SIZE));
			}
			else
			{
				sb_printf(sb, "action %s matches none of ", action);
				sb_list_blob(sb, d, arr, n, KPC_STR_SIZE, false);
			}
			break;
		case KP_TRACE_NO_RESOURCE:
			arr = blob_array(d, s + KPC_S_RES_OFF, &n);
			if (n == 0)
				sb_printf(sb, "statement has no Resource");
			else if (flags & KPC_SF_NOT_RESOURCE)
				sb_printf(sb, "resource %s excluded by NotResource %s", resource,
						  blob_cstr(d, arr + r->failed * KPC_VAL_SIZE));
			else
			{
				sb_printf(sb, "resource %s matches none of ", resource);
				sb_list_blob(sb, d, arr, n, KPC_VAL_SIZE, false);
			}
			break;
		case KP_TRACE_CONDITION_FAILED:
			arr = blob_array(d, s + KPC_S_COND_OFF, &n);
			cond_explain(env, arr + r->failed * KPC_COND_SIZE, sb);
			break;
	}
}

static void
trace_add(kp_trace *trace, eval_env *env, int policy_index, size_t index,
		  const unsigned char *s, const caller *c, const kp_request *req,
		  const stmt_result *r, kp_trace_via via)
{
	kp_trace_entry *e;
	const char *sid = blob_cstr(env->d, s + KPC_S_SID);
	sbuf		sb;

	if (trace->n_entries == trace->cap)
	{
		size_t		ncap = trace->cap ? trace->cap * 2 : 16;
		kp_trace_entry *ne = realloc(trace->entries,
									 ncap * sizeof(kp_trace_entry));

		if (ne == NULL)
		{
			trace->incomplete = true;
			return;
		}
		trace->entries = ne;
		trace->cap = ncap;
	}
	e = &trace->entries[trace->n_entries];
	memset(e, 0, sizeof(*e));
	policy_label(e->label, sizeof(e->label), policy_index);
	e->policy_index = policy_index;
	e->statement = index;
	e->allow = (kp_rd32(s + KPC_S_FLAGS) & KPC_SF_ALLOW) != 0;
	e->outcome = r->outcome;
	e->via = via;
	if (sid != NULL && (e->sid = strdup(sid)) == NULL)
		trace->incomplete = true;
	sb_init(&sb);
	stmt_explain(env, s, c, req, r, via, &sb);
	if (sb.len > 0 && (e->detail = strdup(sb.buf)) == NULL)
		trace->incomplete = true;
	trace->n_entries++;
}

/* Where a deciding statement is, for the trace summary. */
typedef struct stmt_loc
{
	bool		set;
	int			policy;
	size_t		statement;
	const char *sid;
} stmt_loc;

static void
loc_set(stmt_loc *loc, int policy, size_t statement, const char *sid)
{
	if (loc->set)
		return;
	loc->set = true;
	loc->policy = policy;
	loc->statement = statement;
	loc->sid = sid;
}

static void
sb_loc(sbuf *sb, const stmt_loc *loc)
{
	char		label[32];

	policy_label(label, sizeof(label), loc->policy);
	sb_printf(sb, "%s statement %zu", label, loc->statement);
	if (loc->sid != NULL)
		sb_printf(sb, " (Sid \"%s\")", loc->sid);
}

/* ------------------------------------------------------------------------
 * Evaluation of compiled policies
 * ------------------------------------------------------------------------ */

/* What the statements of all policies said, for the decision and its summary. */
typedef struct eval_state
{
	kp_dialect	dialect;
	bool		same_account;	/* the caller is of the key's account */
	bool		key_deny;		/* a key-policy Deny applied */
	bool		key_direct;		/* a key-policy Allow grants by itself */
	bool		key_needs_identity; /* a key-policy Allow needs an identity
									 * Allow too (delegation, cross-account) */
	kp_trace_via needs_via;		/* ... which of the two (first such statement) */
	bool		id_allow;		/* an identity-policy Allow applied */
	bool		id_deny;		/* an identity-policy Deny applied */
	bool		identity_ok;	/* id_allow, or the caller is the account root */
	stmt_loc	deny_loc;
	stmt_loc	direct_loc;
	stmt_loc	needs_loc;
	stmt_loc	id_allow_loc;
} eval_state;

/* How a pass over one kind of policy ended. */
typedef enum eval_step
{
	STEP_CONTINUE = 0,
	STEP_EXPLICIT_DENY,			/* a Deny applied and no trace is kept: stop */
	STEP_INTERRUPTED			/* the interrupt hook asked to stop */
} eval_step;

/* The dialect of an evaluation: the key policy's, else the first identity
 * policy's, else the key ARN's. */
static kp_dialect
eval_dialect(const kp_compiled *key_policy, const kp_compiled *const *identity,
			 size_t n_identity, const kp_request *req)
{
	if (key_policy != NULL)
		return kp_compiled_dialect(key_policy);
	if (n_identity > 0 && identity != NULL && identity[0] != NULL)
		return kp_compiled_dialect(identity[0]);
	if (req->resource_arn != NULL && strncmp(req->resource_arn, "acs:", 4) == 0)
		return KP_DIALECT_ALIBABA;	/* no policy at all: the key's dialect */
	return KP_DIALECT_AWS;
}

/* Point env at a compiled policy. */
static void
env_use(eval_env *env, const kp_compiled *policy)
{
	env->d = policy->data;
	env->vars = kp_eval_version_has_vars(kp_compiled_version(policy));
}

static inline const unsigned char *
statement_at(const unsigned char *d, uint32_t i)
{
	return d + kp_rd32(d + KPC_H_STMT_OFF) + (size_t) i * KPC_STMT_SIZE;
}

/* The key policy's statements, with principals. */
static eval_step
eval_key_policy(eval_env *env, eval_state *es, const kp_compiled *key_policy,
				const caller *c, const kp_request *req, int action_index,
				kp_trace *trace)
{
	uint32_t	n = (uint32_t) kp_compiled_statement_count(key_policy);
	uint32_t	i;
	stmt_result r;

	env_use(env, key_policy);
	for (i = 0; i < n; i++)
	{
		const unsigned char *s = statement_at(env->d, i);
		kp_trace_via via = KP_TRACE_VIA_NONE;

		if (kp_poll_tick(&env->poll, 1))
			return STEP_INTERRUPTED;
		stmt_eval(env, s, true, c, req, action_index, &r);
		if (env->poll.stop)
			return STEP_INTERRUPTED;
		if (r.outcome == KP_TRACE_APPLIED)
		{
			const char *sid = blob_cstr(env->d, s + KPC_S_SID);

			if (!(kp_rd32(s + KPC_S_FLAGS) & KPC_SF_ALLOW))
			{
				es->key_deny = true;
				loc_set(&es->deny_loc, -1, i, sid);
			}
			else
			{
				if (r.pm == PM_DELEGATED)
					via = KP_TRACE_VIA_DELEGATION;
				else if (!es->same_account && !c->is_service)
					via = KP_TRACE_VIA_CROSS_ACCOUNT;
				else
					via = KP_TRACE_VIA_DIRECT;
				if (via == KP_TRACE_VIA_DIRECT)
				{
					es->key_direct = true;
					loc_set(&es->direct_loc, -1, i, sid);
				}
				else
				{
					es->key_needs_identity = true;
					if (!es->needs_loc.set)
						es->needs_via = via;
					loc_set(&es->needs_loc, -1, i, sid);
				}
			}
		}
		if (trace != NULL)
			trace_add(trace, env, -1, i, s, c, req, &r, via);
		else if (es->key_deny)
			return STEP_EXPLICIT_DENY;
	}
	return STEP_CONTINUE;
}

/* The caller's identity policies (principals ignored). */
static eval_step
eval_identity_policies(eval_env *env, eval_state *es,
					   const kp_compiled *const *identity, size_t n_identity,
					   const caller *c, const kp_request *req,
					   int action_index, kp_trace *trace)
{
	size_t		j;
	stmt_result r;

	for (j = 0; j < n_identity && identity != NULL; j++)
	{
		const kp_compiled *ip = identity[j];
		uint32_t	n;
		uint32_t	i;

		if (ip == NULL)
			continue;
		env_use(env, ip);
		n = (uint32_t) kp_compiled_statement_count(ip);
		for (i = 0; i < n; i++)
		{
			const unsigned char *s = statement_at(env->d, i);

			if (kp_poll_tick(&env->poll, 1))
				return STEP_INTERRUPTED;
			stmt_eval(env, s, false, c, req, action_index, &r);
			if (env->poll.stop)
				return STEP_INTERRUPTED;
			if (r.outcome == KP_TRACE_APPLIED)
			{
				const char *sid = blob_cstr(env->d, s + KPC_S_SID);

				if (kp_rd32(s + KPC_S_FLAGS) & KPC_SF_ALLOW)
				{
					es->id_allow = true;
					loc_set(&es->id_allow_loc, (int) j, i, sid);
				}
				else
				{
					es->id_deny = true;
					loc_set(&es->deny_loc, (int) j, i, sid);
				}
			}
			if (trace != NULL)
				trace_add(trace, env, (int) j, i, s, c, req, &r,
						  KP_TRACE_VIA_NONE);
			else if (es->id_deny)
				return STEP_EXPLICIT_DENY;
		}
	}
	return STEP_CONTINUE;
}

/* Explicit deny > allow > implicit deny, with the dialect's rules. */
static kp_decision
eval_decide(const eval_state *es, const eval_env *env)
{
	if (es->key_deny || es->id_deny)
		return KP_DECISION_EXPLICIT_DENY;
	if (env->oom)
		return KP_DECISION_IMPLICIT_DENY;
	if (es->key_direct)
		return KP_DECISION_ALLOW;
	if (es->key_needs_identity && es->identity_ok)
		return KP_DECISION_ALLOW;
	if (es->dialect == KP_DIALECT_ALIBABA && es->same_account && es->identity_ok)
		return KP_DECISION_ALLOW;
	return KP_DECISION_IMPLICIT_DENY;
}

static const char *
needs_via_text(kp_trace_via via)
{
	return via == KP_TRACE_VIA_DELEGATION ? "account delegation" : "cross-account";
}

/* The trace's decision and its one-sentence summary. */
static void
trace_summarize(kp_trace *trace, const eval_state *es, const eval_env *env,
				kp_decision decision, bool has_key_policy,
				const caller *c, const kp_request *req)
{
	const char *action = req->action ? req->action : "";
	sbuf		sb;
	size_t		i;

	for (i = 0; i < trace->n_entries; i++)
		if (trace->entries[i].via == KP_TRACE_VIA_DELEGATION ||
			trace->entries[i].via == KP_TRACE_VIA_CROSS_ACCOUNT)
			trace->entries[i].identity_granted = es->identity_ok;
	trace->decision = decision;

	sb_init(&sb);
	if (decision == KP_DECISION_EXPLICIT_DENY)
	{
		sb_printf(&sb, "explicit deny: ");
		sb_loc(&sb, &es->deny_loc);
	}
	else if (env->oom)
		sb_printf(&sb, "implicit deny: out of memory during evaluation");
	else if (decision == KP_DECISION_ALLOW && es->key_direct)
	{
		sb_printf(&sb, "allowed by ");
		sb_loc(&sb, &es->direct_loc);
	}
	else if (decision == KP_DECISION_ALLOW && es->key_needs_identity)
	{
		sb_printf(&sb, "allowed by ");
		sb_loc(&sb, &es->needs_loc);
		sb_printf(&sb, " (%s) and ", needs_via_text(es->needs_via));
		if (es->id_allow_loc.set)
			sb_loc(&sb, &es->id_allow_loc);
		else
			sb_printf(&sb, "the account root's own permissions");
	}
	else if (decision == KP_DECISION_ALLOW)
	{
		sb_printf(&sb, "allowed by ");
		if (es->id_allow_loc.set)
			sb_loc(&sb, &es->id_allow_loc);
		else
			sb_printf(&sb, "the account root's own permissions");
		sb_printf(&sb, " (same account)");
	}
	else if (es->key_needs_identity)
	{
		sb_printf(&sb, "implicit deny: ");
		sb_loc(&sb, &es->needs_loc);
		sb_printf(&sb, " allows only through identity policies (%s), "
				  "and no identity policy allows %s",
				  needs_via_text(es->needs_via), action);
	}
	else if (es->dialect == KP_DIALECT_ALIBABA && es->id_allow)
		sb_printf(&sb, "implicit deny: identity policies allow %s, but the "
				  "caller is of another account and the key policy does "
				  "not allow it", action);
	else if (!has_key_policy && es->dialect == KP_DIALECT_AWS)
		sb_printf(&sb, "implicit deny: no key policy");
	else
		sb_printf(&sb, "implicit deny: no key policy statement allows %s "
				  "for %s", action, c->arn);
	trace->summary = strdup(sb.buf);
	if (trace->summary == NULL)
		trace->incomplete = true;
}

kp_status
kp_evaluate_compiled(const kp_compiled *key_policy,
					 const kp_compiled *const *identity, size_t n_identity,
					 const kp_request *req, kp_trace *trace, kp_decision *out)
{
	eval_env	env;
	eval_state	es;
	caller		c;
	arn_view	key_arn;
	eval_step	step = STEP_CONTINUE;
	kp_decision decision;
	int			action_index;

	*out = KP_DECISION_IMPLICIT_DENY;
	if (trace != NULL)
		kp_trace_free(trace);
	if (req == NULL)
		return KP_OK;

	memset(&es, 0, sizeof(es));
	es.needs_via = KP_TRACE_VIA_NONE;
	es.dialect = eval_dialect(key_policy, identity, n_identity, req);
	env.ctx = req->context;
	env.d = NULL;
	env.vars = false;
	env.oom = false;
	env.poll.work = 0;
	env.poll.stop = false;
	caller_init(&c, req);
	key_arn = arn_view_of(req->resource_arn);
	es.same_account = !c.is_service && key_arn.ok && key_arn.account.len > 0 &&
		span_eq(key_arn.account.p, key_arn.account.len,
				c.account.p, c.account.len);
	action_index = request_action_index(req->action);

	if (key_policy != NULL)
		step = eval_key_policy(&env, &es, key_policy, &c, req, action_index,
							   trace);
	if (step == STEP_CONTINUE)
		step = eval_identity_policies(&env, &es, identity, n_identity, &c, req,
									  action_index, trace);
	if (step == STEP_EXPLICIT_DENY)
	{
		*out = KP_DECISION_EXPLICIT_DENY;
		return KP_OK;
	}
	if (step == STEP_INTERRUPTED)
		goto interrupted;

	/* The account root is not subject to identity policies: it has them all. */
	es.identity_ok = es.id_allow || (c.is_root && !c.is_service);
	decision = eval_decide(&es, &env);
	if (trace != NULL)
		trace_summarize(trace, &es, &env, decision, key_policy != NULL, &c, req);
	if (env.poll.stop)
		goto interrupted;		/* while explaining */
	*out = decision;
	return KP_OK;

interrupted:
	if (trace != NULL)
		kp_trace_free(trace);
	*out = KP_DECISION_IMPLICIT_DENY;
	return KP_ERR_INTERRUPTED;
}

kp_decision
kp_authorize_compiled(const kp_compiled *key_policy,
					  const kp_compiled *const *identity, size_t n_identity,
					  const kp_request *req, kp_trace *trace)
{
	kp_decision decision;

	(void) kp_evaluate_compiled(key_policy, identity, n_identity, req, trace,
								&decision);
	return decision;
}

/* ------------------------------------------------------------------------
 * Evaluation of policy trees: compile, then evaluate the compiled form
 * ------------------------------------------------------------------------ */

/* Compile a tree into *blob and *out (a checked blob: the compiler's own). */
static bool
compile_one(const kp_policy *p, unsigned char **blob, kp_compiled *out)
{
	size_t		len;

	if (kp_policy_compile(p, blob, &len, NULL) != KP_OK)
		return false;
	out->data = *blob;
	out->len = len;
	return true;
}

kp_status
kp_evaluate(const kp_policy *key_policy,
			const kp_policy *const *identity_policies, size_t n_identity,
			const kp_request *req, kp_trace *trace, kp_decision *out)
{
	unsigned char *key_blob = NULL;
	kp_compiled key_c;
	unsigned char *small_blobs[4];
	kp_compiled small_cs[4];
	const kp_compiled *small_ptrs[4];
	unsigned char **blobs = small_blobs;
	kp_compiled *cs = small_cs;
	const kp_compiled **ptrs = small_ptrs;
	size_t		n = identity_policies != NULL ? n_identity : 0;
	kp_status	st = KP_OK;
	size_t		i;

	*out = KP_DECISION_IMPLICIT_DENY;
	if (trace != NULL)
		kp_trace_free(trace);
	if (req == NULL)
		return KP_OK;
	if (n > 4)
	{
		blobs = calloc(n, sizeof(*blobs));
		cs = calloc(n, sizeof(*cs));
		ptrs = calloc(n, sizeof(*ptrs));
		if (blobs == NULL || cs == NULL || ptrs == NULL)
		{
			st = KP_ERR_NOMEM;
			n = 0;
		}
	}
	for (i = 0; i < n; i++)
		blobs[i] = NULL;
	if (st == KP_OK && key_policy != NULL && !compile_one(key_policy, &key_blob, &key_c))
		st = KP_ERR_NOMEM;
	for (i = 0; i < n && st == KP_OK; i++)
	{
		ptrs[i] = NULL;
		if (identity_policies[i] == NULL)
			continue;
		if (!compile_one(identity_policies[i], &blobs[i], &cs[i]))
			st = KP_ERR_NOMEM;
		else
			ptrs[i] = &cs[i];
	}
	if (st == KP_OK)
		st = kp_evaluate_compiled(key_policy ? &key_c : NULL,
								  (const kp_compiled *const *) ptrs,
								  identity_policies != NULL ? n_identity : 0,
								  req, trace, out);
	free(key_blob);
	for (i = 0; i < n; i++)
		free(blobs[i]);
	if (blobs != small_blobs)
	{
		free(blobs);
		free(cs);
		free(ptrs);
	}
	return st;
}

kp_decision
kp_authorize(const kp_policy *key_policy,
			 const kp_policy *const *identity_policies, size_t n_identity,
			 const kp_request *req, kp_trace *trace)
{
	kp_decision decision;

	(void) kp_evaluate(key_policy, identity_policies, n_identity, req, trace,
					   &decision);
	return decision;
}

/* ------------------------------------------------------------------------
 * Statement probes for the access analysis (internal/kp_eval_probe.h)
 * ------------------------------------------------------------------------ */

static void
probe_env(eval_env *env, const kp_compiled *policy, const kp_context *ctx)
{
	env->ctx = ctx;
	env->oom = false;
	env->poll.work = 0;
	env->poll.stop = false;
	env_use(env, policy);
}

kp_probe_target
kp_probe_statement_target(const kp_compiled *policy, uint32_t i,
						  bool check_principal, const kp_request *req)
{
	eval_env	env;
	caller		c;
	stmt_result r;
	const unsigned char *s;

	probe_env(&env, policy, NULL);
	caller_init(&c, req);
	s = statement_at(env.d, i);
	/*
	 * stmt_eval with the statement's conditions skipped: evaluate it as a
	 * whole, and read a failed condition as "the target matched".
	 */
	stmt_eval(&env, s, check_principal, &c, req, request_action_index(req->action), &r);
	if (r.outcome == KP_TRACE_NO_PRINCIPAL || r.outcome == KP_TRACE_NO_ACTION ||
		r.outcome == KP_TRACE_NO_RESOURCE)
		return KP_PROBE_NO_MATCH;
	if (!check_principal)
		return KP_PROBE_DIRECT;
	if (r.outcome == KP_TRACE_APPLIED)
		return r.pm == PM_DELEGATED ? KP_PROBE_DELEGATED : KP_PROBE_DIRECT;
	/* A condition failed: the principal match is still in r.pm. */
	return r.pm == PM_DELEGATED ? KP_PROBE_DELEGATED : KP_PROBE_DIRECT;
}

bool
kp_probe_statement_allows(const kp_compiled *policy, uint32_t i)
{
	return (kp_rd32(statement_at(policy->data, i) + KPC_S_FLAGS) & KPC_SF_ALLOW) != 0;
}

bool
kp_probe_statement_key_holds(const kp_compiled *policy, uint32_t i,
							 const char *key_lower, const kp_context *ctx)
{
	eval_env	env;
	const unsigned char *s;
	const unsigned char *arr;
	uint32_t	n;
	uint32_t	j;
	size_t		klen = strlen(key_lower);

	probe_env(&env, policy, ctx);
	s = statement_at(env.d, i);
	arr = blob_array(env.d, s + KPC_S_COND_OFF, &n);
	for (j = 0; j < n; j++)
	{
		const unsigned char *c = arr + (size_t) j * KPC_COND_SIZE;
		span		key = blob_str(env.d, c + KPC_C_KEY_LOWER);

		if (key.len == klen && memcmp(key.p, key_lower, klen) == 0 &&
			!cond_eval(&env, c))
			return false;
	}
	return true;
}
