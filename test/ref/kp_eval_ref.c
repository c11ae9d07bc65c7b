/*
 * kp_eval_ref.c -- the reference evaluator (tests and fuzz targets only).
 *
 * A copy of src/core/kp_eval.c as it was before the evaluator moved to the
 * compiled form (kp_compiled.h), kept as the oracle of the differential
 * tests (test/unit/test_compiled.c, test/fuzz/fuzz_compiled.c): the tree
 * evaluator, unchanged but for the names kp_ref_authorize / kp_ref_evaluate,
 * and for context look-ups through the public kp_context_get.  It is never
 * linked into libkp.a.  Do not "fix" it: it defines the expected decisions.
 *
 * Original header:
 *
 * The evaluator answers "may this caller perform this action on this key?"
 * for a compiled key policy (kp.h) plus the caller's identity policies,
 * following the IAM evaluation logic as KMS applies it (see kp_eval.h for
 * the decision rules of both dialects).
 *
 * Design notes:
 *	- Matching works on (pointer, length) spans of the compiled strings, so
 *	  nothing is copied or allocated on the evaluation path.  The only
 *	  exceptions are a policy value whose policy variables expand to more
 *	  than EXPAND_BUF bytes, and the trace, which is only built on request.
 *	- Out of memory while expanding a policy variable fails closed: the
 *	  decision is then at best an implicit deny.
 *	- No global state; all helpers are static.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_eval.h"
#include "kp_eval_ref.h"
#include "internal/kp_operand.h"

/* Stack buffer for a policy value after policy-variable expansion. */
#define EXPAND_BUF 1024
/* Longest trace detail text (longer lists end with "..."). */
#define DETAIL_MAX KP_TRACE_DETAIL_MAX

/* ------------------------------------------------------------------------
 * ASCII helpers (independent of the locale)
 * ------------------------------------------------------------------------ */

static inline char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : c;
}

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

static bool
ref_action_matches(const char *pattern, const char *action)
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
 * Request context (through the public kp_context API)
 * ------------------------------------------------------------------------ */

/* The values of the key span name[0..len), like kp_context_get. */
static const char *const *
ref_ctx_values(const kp_context *ctx, const char *name, size_t len, size_t *nv)
{
	char		small[256];
	char	   *key = small;
	const char *const *vals;

	if (len >= sizeof(small))
	{
		key = malloc(len + 1);
		if (key == NULL)
			abort();
	}
	memcpy(key, name, len);
	key[len] = '\0';
	vals = kp_context_get(ctx, key, nv);
	if (key != small)
		free(key);
	return vals;
}

/* ------------------------------------------------------------------------
 * Evaluation environment
 * ------------------------------------------------------------------------ */

typedef struct eval_env
{
	const kp_context *ctx;
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
		vals = ref_ctx_values(ctx, name, name_len, &nv);
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

/* One policy value (already expanded) against one request value. */
static bool
value_match(kp_cond_op base, const char *pv, bool escaped, const char *rv,
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
		case KP_OP_NUMERIC_EQUALS:
		case KP_OP_NUMERIC_LESS_THAN:
		case KP_OP_NUMERIC_LESS_THAN_EQUALS:
		case KP_OP_NUMERIC_GREATER_THAN:
		case KP_OP_NUMERIC_GREATER_THAN_EQUALS:
			{
				kp_number	a;
				kp_number	b;
				int			c;

				if (!kp_number_parse(rv, &a) || !kp_number_parse(pv, &b))
					return false;
				c = kp_number_cmp(&a, &b);
				if (base == KP_OP_NUMERIC_EQUALS)
					return c == 0;
				if (base == KP_OP_NUMERIC_LESS_THAN)
					return c < 0;
				if (base == KP_OP_NUMERIC_LESS_THAN_EQUALS)
					return c <= 0;
				if (base == KP_OP_NUMERIC_GREATER_THAN)
					return c > 0;
				return c >= 0;
			}
		case KP_OP_DATE_EQUALS:
		case KP_OP_DATE_LESS_THAN:
		case KP_OP_DATE_LESS_THAN_EQUALS:
		case KP_OP_DATE_GREATER_THAN:
		case KP_OP_DATE_GREATER_THAN_EQUALS:
			{
				kp_instant	a;
				kp_instant	b;
				int			c;

				if (!kp_date_parse(rv, &a) || !kp_date_parse(pv, &b))
					return false;
				c = kp_instant_cmp(&a, &b);
				if (base == KP_OP_DATE_EQUALS)
					return c == 0;
				if (base == KP_OP_DATE_LESS_THAN)
					return c < 0;
				if (base == KP_OP_DATE_LESS_THAN_EQUALS)
					return c <= 0;
				if (base == KP_OP_DATE_GREATER_THAN)
					return c > 0;
				return c >= 0;
			}
		case KP_OP_BOOL:
			{
				bool		a;
				bool		b;

				return kp_bool_parse(rv, &a) && kp_bool_parse(pv, &b) && a == b;
			}
		case KP_OP_BINARY_EQUALS:
			return kp_base64_equal(pv, rv);
		case KP_OP_IP_ADDRESS:
			{
				kp_ipnet	net;
				kp_ipnet	addr;

				return kp_ip_parse(pv, true, &net) &&
					kp_ip_parse(rv, false, &addr) &&
					kp_ip_contains(&net, &addr);
			}
		case KP_OP_ARN_EQUALS:
		case KP_OP_ARN_LIKE:
			return arn_glob(pv, rv, flags, poll);
		default:
			return false;
	}
}

/*
 * Does request value rv match some policy value of c (under the positive
 * base operator)?  When which is not NULL it receives the index of the
 * matching policy value.
 */
static bool
request_value_matches(eval_env *env, const kp_condition *c, kp_cond_op base,
					  const char *rv, size_t *which)
{
	bool		vars = env->vars && op_takes_vars(base);
	bool		glob = op_is_glob(base);
	size_t		i;

	for (i = 0; i < c->n_values; i++)
	{
		const char *pv = c->values[i];
		bool		m;

		if (kp_poll_tick(&env->poll, 1))
			return false;

		if (vars && strstr(pv, "${") != NULL)
		{
			char		buf[EXPAND_BUF];
			char	   *heap;
			const char *eff;
			bool		escaped;

			if (expand_value(env, pv, glob, buf, &heap, &eff, &escaped) != EXPAND_OK)
				continue;
			m = value_match(base, eff, escaped, rv, &env->poll);
			free(heap);
		}
		else
			m = value_match(base, pv, false, rv, &env->poll);
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
effective_set_op(const kp_condition *c, bool neg)
{
	if (c->set_op != KP_SET_NONE)
		return c->set_op;
	/* single value: positive = some value matches; negated = none does */
	return neg ? KP_SET_FOR_ALL_VALUES : KP_SET_FOR_ANY_VALUE;
}

static bool
cond_eval(eval_env *env, const kp_condition *c)
{
	size_t		nr;
	const char *const *rv = kp_context_get(env->ctx, c->key, &nr);
	bool		neg;
	kp_cond_op	base;
	size_t		i;

	if (c->op == KP_OP_NULL)
	{
		bool		present = nr > 0;

		for (i = 0; i < c->n_values; i++)
		{
			bool		b;

			if (kp_bool_parse(c->values[i], &b) && b != present)
				return true;
		}
		return false;
	}
	neg = op_negated(c->op);
	base = op_base(c->op);
	if (nr == 0)
	{
		if (c->if_exists)
			return true;
		if (c->set_op == KP_SET_FOR_ALL_VALUES)
			return true;
		if (c->set_op == KP_SET_FOR_ANY_VALUE)
			return false;
		return neg;
	}
	if (effective_set_op(c, neg) == KP_SET_FOR_ALL_VALUES)
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

/* "['a', 'b']" */
static void
sb_list(sbuf *sb, char *const *items, size_t n, bool quote)
{
	size_t		i;

	sb_printf(sb, "[");
	for (i = 0; i < n; i++)
		sb_printf(sb, quote ? "%s'%s'" : "%s%s", i ? ", " : "", items[i]);
	sb_printf(sb, "]");
}

/* Why condition c is false (called only when it is). */
static void
cond_explain(eval_env *env, const kp_condition *c, sbuf *sb)
{
	size_t		nr;
	const char *const *rv = kp_context_get(env->ctx, c->key, &nr);
	bool		neg = op_negated(c->op);
	kp_cond_op	base = op_base(c->op);
	size_t		i;
	size_t		which = 0;

	sb_printf(sb, "condition %s %s: ", c->op_text ? c->op_text : "?", c->key);
	if (c->op == KP_OP_NULL)
	{
		sb_printf(sb, nr > 0 ? "key present" : "key absent");
		return;
	}
	if (nr == 0)
	{
		sb_printf(sb, "key absent");
		return;
	}
	if (effective_set_op(c, neg) == KP_SET_FOR_ALL_VALUES)
	{
		for (i = 0; i < nr; i++)
			if (request_value_matches(env, c, base, rv[i], &which) == neg)
				break;
		if (i == nr)
			i = 0;				/* not reached when the condition failed */
		if (neg)
			sb_printf(sb, "request value '%s' matches '%s'", rv[i],
					  c->values[which]);
		else
		{
			sb_printf(sb, "request value '%s' matches none of ", rv[i]);
			sb_list(sb, c->values, c->n_values, true);
		}
		return;
	}
	if (neg)
	{
		sb_printf(sb, "every request value matches one of ");
		sb_list(sb, c->values, c->n_values, true);
		return;
	}
	if (nr == 1)
		sb_printf(sb, "request value '%s' matches none of ", rv[0]);
	else
	{
		sb_printf(sb, "request values ");
		sb_list(sb, (char *const *) rv, nr, true);
		sb_printf(sb, " match none of ");
	}
	sb_list(sb, c->values, c->n_values, true);
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

/* The caller, parsed once per kp_authorize. */
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

static pmatch
principal_match(const kp_principal *p, const caller *c)
{
	const char *parn = p->arn ? p->arn : p->value;
	arn_view	pv;

	if (p->kind == KP_PRIN_ANY || (parn != NULL && strcmp(parn, "*") == 0))
		return PM_DIRECT;
	if (parn == NULL)
		return PM_NONE;
	if (p->kind == KP_PRIN_SERVICE)
		return c->is_service && str_eq_ci(parn, c->arn) ? PM_DIRECT : PM_NONE;
	if (c->is_service)
		return PM_NONE;
	if (strcmp(parn, c->arn) == 0)
		return PM_DIRECT;
	pv = arn_view_of(parn);
	if (!pv.ok || pv.acs != c->v.acs)
		return PM_NONE;

	/* Alibaba "acs:ram::<acct>:*": every identity of that account. */
	if (pv.acs && span_is(pv.resource, "*"))
		return c->account.len > 0 &&
			span_eq(pv.account.p, pv.account.len, c->account.p, c->account.len) ?
			PM_DIRECT : PM_NONE;

	/* AWS account principal: other identities of that account, delegated. */
	if (!pv.acs && span_is(pv.service, "iam") && span_is(pv.resource, "root"))
	{
		if (c->account.len == 0 ||
			!span_eq(pv.account.p, pv.account.len, c->account.p, c->account.len))
			return PM_NONE;
		if (c->v.ok && !span_eq(pv.partition.p, pv.partition.len,
								c->v.partition.p, c->v.partition.len))
			return PM_NONE;
		return PM_DELEGATED;
	}

	/* A role principal matches the sessions of the role. */
	if (c->is_session && span_starts(pv.resource, "role/") &&
		span_eq(pv.partition.p, pv.partition.len,
				c->v.partition.p, c->v.partition.len) &&
		span_eq(pv.account.p, pv.account.len,
				c->v.account.p, c->v.account.len))
	{
		const char *name = pv.resource.p + pv.resource.len;

		while (name > pv.resource.p && name[-1] != '/')
			name--;
		if (span_eq(name, (size_t) (pv.resource.p + pv.resource.len - name),
					c->session_role.p, c->session_role.len))
			return PM_DIRECT;
	}
	return PM_NONE;
}

/* ------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------ */

static bool
resource_matches(eval_env *env, const char *pattern, const char *resource)
{
	char		buf[EXPAND_BUF];
	char	   *heap;
	const char *eff;
	bool		escaped;
	bool		m;

	if (pattern[0] == '*' && pattern[1] == '\0')
		return true;
	if (expand_value(env, pattern, true, buf, &heap, &eff, &escaped) != EXPAND_OK)
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
	const kp_principal *principal;	/* the principal that matched */
	size_t		failed;			/* index of the failed action / resource /
								 * condition (for NotAction/NotResource: the
								 * excluding pattern) */
} stmt_result;

static void
stmt_eval(eval_env *env, const kp_statement *st, bool check_principal,
		  const caller *c, const kp_request *req, stmt_result *r)
{
	const char *action = req->action ? req->action : "";
	const char *resource = req->resource_arn ? req->resource_arn : "";
	bool		any;
	size_t		i;

	memset(r, 0, sizeof(*r));
	if (check_principal)
	{
		for (i = 0; i < st->n_principals; i++)
		{
			pmatch		m = principal_match(&st->principals[i], c);

			if (m > r->pm)
			{
				r->pm = m;
				r->principal = &st->principals[i];
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

	any = false;
	for (i = 0; i < st->n_actions && !any; i++)
		if (ref_action_matches(st->actions[i], action))
		{
			any = true;
			r->failed = i;
		}
	if (st->n_actions == 0 || any == st->not_action)
	{
		r->outcome = KP_TRACE_NO_ACTION;
		return;
	}

	any = false;
	for (i = 0; i < st->n_resources && !any; i++)
		if (resource_matches(env, st->resources[i], resource))
		{
			any = true;
			r->failed = i;
		}
	if (st->n_resources == 0 || any == st->not_resource)
	{
		r->outcome = KP_TRACE_NO_RESOURCE;
		return;
	}

	for (i = 0; i < st->n_conditions; i++)
		if (!cond_eval(env, &st->conditions[i]))
		{
			r->outcome = KP_TRACE_CONDITION_FAILED;
			r->failed = i;
			return;
		}
	r->outcome = KP_TRACE_APPLIED;
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
principal_text(const kp_principal *p)
{
	if (p->value != NULL)
		return p->value;
	return p->arn != NULL ? p->arn : "?";
}

/* Explain a statement's outcome into sb. */
static void
stmt_explain(eval_env *env, const kp_statement *st, const caller *c,
			 const kp_request *req, const stmt_result *r, kp_trace_via via,
			 sbuf *sb)
{
	const char *action = req->action ? req->action : "";
	const char *resource = req->resource_arn ? req->resource_arn : "";
	size_t		i;

	switch (r->outcome)
	{
		case KP_TRACE_APPLIED:
			if (r->principal != NULL)
				sb_printf(sb, "principal %s matched%s",
						  principal_text(r->principal),
						  via == KP_TRACE_VIA_DELEGATION ? " (account delegation)" :
						  via == KP_TRACE_VIA_CROSS_ACCOUNT ? " (cross-account)" : "");
			break;
		case KP_TRACE_NO_PRINCIPAL:
			sb_printf(sb, "caller %s matches none of [", c->arn);
			for (i = 0; i < st->n_principals; i++)
				sb_printf(sb, "%s%s", i ? ", " : "",
						  principal_text(&st->principals[i]));
			sb_printf(sb, "]");
			break;
		case KP_TRACE_NO_ACTION:
			if (st->n_actions == 0)
				sb_printf(sb, "statement has no Action");
			else if (st->not_action)
				sb_printf(sb, "action %s excluded by NotAction %s", action,
						  st->actions[r->failed]);
			else
			{
				sb_printf(sb, "action %s matches none of ", action);
				sb_list(sb, st->actions, st->n_actions, false);
			}
			break;
		case KP_TRACE_NO_RESOURCE:
			if (st->n_resources == 0)
				sb_printf(sb, "statement has no Resource");
			else if (st->not_resource)
				sb_printf(sb, "resource %s excluded by NotResource %s", resource,
						  st->resources[r->failed]);
			else
			{
				sb_printf(sb, "resource %s matches none of ", resource);
				sb_list(sb, st->resources, st->n_resources, false);
			}
			break;
		case KP_TRACE_CONDITION_FAILED:
			cond_explain(env, &st->conditions[r->failed], sb);
			break;
	}
}

static void
trace_add(kp_trace *trace, eval_env *env, int policy_index, size_t index,
		  const kp_statement *st, const caller *c, const kp_request *req,
		  const stmt_result *r, kp_trace_via via)
{
	kp_trace_entry *e;
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
	e->allow = st->allow;
	e->outcome = r->outcome;
	e->via = via;
	if (st->sid != NULL && (e->sid = strdup(st->sid)) == NULL)
		trace->incomplete = true;
	sb_init(&sb);
	stmt_explain(env, st, c, req, r, via, &sb);
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
 * kp_authorize
 * ------------------------------------------------------------------------ */

kp_decision
kp_ref_authorize(const kp_policy *key_policy,
			 const kp_policy *const *identity_policies, size_t n_identity,
			 const kp_request *req, kp_trace *trace)
{
	kp_decision decision;

	(void) kp_ref_evaluate(key_policy, identity_policies, n_identity, req, trace,
					   &decision);
	return decision;
}

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
eval_dialect(const kp_policy *key_policy,
			 const kp_policy *const *identity_policies, size_t n_identity,
			 const kp_request *req)
{
	if (key_policy != NULL)
		return key_policy->dialect;
	if (n_identity > 0 && identity_policies != NULL &&
		identity_policies[0] != NULL)
		return identity_policies[0]->dialect;
	if (req->resource_arn != NULL && strncmp(req->resource_arn, "acs:", 4) == 0)
		return KP_DIALECT_ALIBABA;	/* no policy at all: the key's dialect */
	return KP_DIALECT_AWS;
}

/* The key policy's statements, with principals. */
static eval_step
eval_key_policy(eval_env *env, eval_state *es, const kp_policy *key_policy,
				const caller *c, const kp_request *req, kp_trace *trace)
{
	size_t		i;
	stmt_result r;

	env->vars = key_policy->version == KP_VERSION_2012;
	for (i = 0; i < key_policy->n_statements; i++)
	{
		const kp_statement *st = &key_policy->statements[i];
		kp_trace_via via = KP_TRACE_VIA_NONE;

		if (kp_poll_tick(&env->poll, 1))
			return STEP_INTERRUPTED;
		stmt_eval(env, st, true, c, req, &r);
		if (env->poll.stop)
			return STEP_INTERRUPTED;
		if (r.outcome == KP_TRACE_APPLIED)
		{
			if (!st->allow)
			{
				es->key_deny = true;
				loc_set(&es->deny_loc, -1, i, st->sid);
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
					loc_set(&es->direct_loc, -1, i, st->sid);
				}
				else
				{
					es->key_needs_identity = true;
					if (!es->needs_loc.set)
						es->needs_via = via;
					loc_set(&es->needs_loc, -1, i, st->sid);
				}
			}
		}
		if (trace != NULL)
			trace_add(trace, env, -1, i, st, c, req, &r, via);
		else if (es->key_deny)
			return STEP_EXPLICIT_DENY;
	}
	return STEP_CONTINUE;
}

/* The caller's identity policies (principals ignored). */
static eval_step
eval_identity_policies(eval_env *env, eval_state *es,
					   const kp_policy *const *identity_policies,
					   size_t n_identity, const caller *c,
					   const kp_request *req, kp_trace *trace)
{
	size_t		i;
	size_t		j;
	stmt_result r;

	for (j = 0; j < n_identity && identity_policies != NULL; j++)
	{
		const kp_policy *ip = identity_policies[j];

		if (ip == NULL)
			continue;
		env->vars = ip->version == KP_VERSION_2012;
		for (i = 0; i < ip->n_statements; i++)
		{
			const kp_statement *st = &ip->statements[i];

			if (kp_poll_tick(&env->poll, 1))
				return STEP_INTERRUPTED;
			stmt_eval(env, st, false, c, req, &r);
			if (env->poll.stop)
				return STEP_INTERRUPTED;
			if (r.outcome == KP_TRACE_APPLIED)
			{
				if (st->allow)
				{
					es->id_allow = true;
					loc_set(&es->id_allow_loc, (int) j, i, st->sid);
				}
				else
				{
					es->id_deny = true;
					loc_set(&es->deny_loc, (int) j, i, st->sid);
				}
			}
			if (trace != NULL)
				trace_add(trace, env, (int) j, i, st, c, req, &r,
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
				kp_decision decision, const kp_policy *key_policy,
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
	else if (key_policy == NULL && es->dialect == KP_DIALECT_AWS)
		sb_printf(&sb, "implicit deny: no key policy");
	else
		sb_printf(&sb, "implicit deny: no key policy statement allows %s "
				  "for %s", action, c->arn);
	trace->summary = strdup(sb.buf);
	if (trace->summary == NULL)
		trace->incomplete = true;
}

kp_status
kp_ref_evaluate(const kp_policy *key_policy,
			const kp_policy *const *identity_policies, size_t n_identity,
			const kp_request *req, kp_trace *trace, kp_decision *out)
{
	eval_env	env;
	eval_state	es;
	caller		c;
	arn_view	key_arn;
	eval_step	step = STEP_CONTINUE;
	kp_decision decision;

	*out = KP_DECISION_IMPLICIT_DENY;
	if (trace != NULL)
		kp_trace_free(trace);
	if (req == NULL)
		return KP_OK;

	memset(&es, 0, sizeof(es));
	es.needs_via = KP_TRACE_VIA_NONE;
	es.dialect = eval_dialect(key_policy, identity_policies, n_identity, req);
	env.ctx = req->context;
	env.vars = false;
	env.oom = false;
	env.poll.work = 0;
	env.poll.stop = false;
	caller_init(&c, req);
	key_arn = arn_view_of(req->resource_arn);
	es.same_account = !c.is_service && key_arn.ok && key_arn.account.len > 0 &&
		span_eq(key_arn.account.p, key_arn.account.len,
				c.account.p, c.account.len);

	if (key_policy != NULL)
		step = eval_key_policy(&env, &es, key_policy, &c, req, trace);
	if (step == STEP_CONTINUE)
		step = eval_identity_policies(&env, &es, identity_policies, n_identity,
									  &c, req, trace);
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
		trace_summarize(trace, &es, &env, decision, key_policy, &c, req);
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
