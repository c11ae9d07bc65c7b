/*
 * kp_analyze.c -- access analysis of key policies (kp_analyze.h).
 *
 * The request space is split into finitely many classes that no policy
 * element can tell apart, one representative each:
 *
 *	callers		every principal the policies name; an unnamed identity of
 *				each account they (or the key) name; a session of each
 *				role they name; an identity of an account nobody names
 *				(the outsider); an unnamed service.
 *	actions		the 56 KMS actions.
 *	context		per condition key, values from value_reps(): for strings
 *				and ARNs a breadth-first walk of the product automaton of
 *				every pattern on the key gives the shortest string of each
 *				set of patterns that can match together; numbers, dates
 *				and IP addresses take the boundaries and a value on each
 *				side; plus "absent" where a request may lack the key, and
 *				for multi-valued keys sets of such values.
 *
 * For one caller and the actions that reach the same statements ("group"),
 * the evaluator's probes say which statements each key's value satisfies
 * (a bit mask); a depth-first search over the keys combines the masks and
 * looks for a combination that the gaining policy allows and the base
 * policy does not.  Found combinations are evaluated again, whole, by
 * kp_evaluate_compiled before they are reported: a witness is always a
 * request kms_authorize decides the same way.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_analyze.h"
#include "kp_compiled.h"
#include "internal/kp_compiled_format.h"
#include "internal/kp_eval_probe.h"
#include "internal/kp_iam.h"
#include "internal/kp_operand.h"

#define MAX_DFA_STATES 20000	/* per key: more is UNKNOWN */
#define MAX_DFA_WORK 200000000ULL	/* per key: NFA positions stepped */
#define MAX_REPS 4096			/* values per key */

/* ------------------------------------------------------------------------
 * Small helpers: growable strings and arrays
 * ------------------------------------------------------------------------ */

typedef struct sbuf
{
	char	   *p;
	size_t		len;
	size_t		cap;
	bool		oom;
} sbuf;

static void
sb_putn(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = b->cap ? b->cap * 2 : 64;
		char	   *q;

		while (cap < b->len + n + 1)
			cap *= 2;
		q = realloc(b->p, cap);
		if (q == NULL)
		{
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_puts(sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt,...) __attribute__((format(printf, 2, 3)));
static void
sb_printf(sbuf *b, const char *fmt,...)
{
	char		tmp[512];
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t) n < sizeof(tmp))
		sb_putn(b, tmp, (size_t) n);
	else
	{
		char	   *big = malloc((size_t) n + 1);

		if (big == NULL)
		{
			b->oom = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t) n + 1, fmt, ap);
		va_end(ap);
		sb_putn(b, big, (size_t) n);
		free(big);
	}
}

/* A JSON string literal. */
static void
sb_json_str(sbuf *b, const char *s)
{
	sb_putn(b, "\"", 1);
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
		{
			char		e[2] = {'\\', (char) c};

			sb_putn(b, e, 2);
		}
		else if (c < 0x20)
			sb_printf(b, "\\u%04x", c);
		else
			sb_putn(b, (const char *) &c, 1);
	}
	sb_putn(b, "\"", 1);
}

/* Take the string (caller frees); NULL when out of memory. */
static char *
sb_take(sbuf *b)
{
	if (b->oom)
	{
		free(b->p);
		return NULL;
	}
	if (b->p == NULL)
		return strdup("");
	return b->p;
}

static char *
xstrdup(const char *s, bool *oom)
{
	char	   *d = strdup(s ? s : "");

	if (d == NULL)
		*oom = true;
	return d;
}

/* A list of distinct malloc'd strings. */
typedef struct strlist
{
	char	  **v;
	size_t		n;
	size_t		cap;
} strlist;

static bool
sl_has(const strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* Add a copy unless present.  Returns false when out of memory. */
static bool
sl_add(strlist *l, const char *s)
{
	if (sl_has(l, s))
		return true;
	if (l->n == l->cap)
	{
		size_t		cap = l->cap ? l->cap * 2 : 8;
		char	  **v = realloc(l->v, cap * sizeof(char *));

		if (v == NULL)
			return false;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(s)) == NULL)
		return false;
	l->n++;
	return true;
}

static void
sl_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
ascii_lower_copy(char *dst, const char *src, size_t size)
{
	size_t		i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (char) tolower((unsigned char) src[i]);
	dst[i] = '\0';
}

/* ------------------------------------------------------------------------
 * Text values: the product automaton of a key's patterns
 * ------------------------------------------------------------------------ */

enum atom_kind
{
	ATOM_EQ,					/* StringEquals: literal, case-sensitive */
	ATOM_EQ_CI,					/* StringEqualsIgnoreCase, Bool: literal, ASCII case-insensitive */
	ATOM_LIKE,					/* StringLike: '*' and '?' */
	ATOM_ARN					/* ArnEquals / ArnLike: per ARN part */
};

typedef struct atom
{
	enum atom_kind kind;
	uint32_t   *cp;				/* the pattern's code points */
	size_t		n;
	bool		any;			/* ARN pattern "*": matches every value */
	/* ATOM_ARN: part of each code point in the 6-part (resp. 5-part, for
	 * "acs:" values) split; -1: a split ':'; NULL: too few parts */
	int8_t	   *seg6;
	int8_t	   *seg5;
} atom;

static size_t
utf8_to_cps(const char *s, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		len = strlen(s);
	size_t		n = 0;
	size_t		i = 0;

	while (i < len)
	{
		uint32_t	cp;
		size_t		k = kp_utf8_decode(p + i, len - i, &cp);

		if (k == 0)
		{
			cp = p[i];
			k = 1;
		}
		out[n++] = cp;
		i += k;
	}
	return n;
}

static void
cp_to_utf8(uint32_t cp, sbuf *b)
{
	char		t[4];

	if (cp < 0x80)
	{
		t[0] = (char) cp;
		sb_putn(b, t, 1);
	}
	else if (cp < 0x800)
	{
		t[0] = (char) (0xC0 | (cp >> 6));
		t[1] = (char) (0x80 | (cp & 0x3F));
		sb_putn(b, t, 2);
	}
	else if (cp < 0x10000)
	{
		t[0] = (char) (0xE0 | (cp >> 12));
		t[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char) (0x80 | (cp & 0x3F));
		sb_putn(b, t, 3);
	}
	else
	{
		t[0] = (char) (0xF0 | (cp >> 18));
		t[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		t[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		t[3] = (char) (0x80 | (cp & 0x3F));
		sb_putn(b, t, 4);
	}
}

/* The part of each code point when the pattern is split into want parts. */
static int8_t *
arn_segments(const atom *a, int want)
{
	int8_t	   *seg = malloc(a->n + 1);
	int			part = 0;

	if (seg == NULL)
		return NULL;
	for (size_t i = 0; i < a->n; i++)
	{
		if (a->cp[i] == ':' && part < want - 1)
		{
			seg[i] = -1;
			part++;
		}
		else
			seg[i] = (int8_t) part;
	}
	if (part != want - 1)
	{
		free(seg);
		return NULL;
	}
	return seg;
}

static inline uint32_t
cp_lower(uint32_t c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Bit sets of NFA positions, one (two for ARN atoms) per atom. */
typedef struct dfa_layout
{
	size_t		n_atoms;
	size_t	   *off;			/* first bit of each atom's set(s) */
	size_t		nbits;			/* + 3 bits of the "acs:" prefix tracker */
	size_t		nbytes;
} dfa_layout;

static inline bool
bit_get(const unsigned char *s, size_t i)
{
	return (s[i >> 3] >> (i & 7)) & 1;
}

static inline void
bit_set(unsigned char *s, size_t i)
{
	s[i >> 3] |= (unsigned char) (1u << (i & 7));
}

/* Add position pos of a pattern to set (at bit base), with '*' closure. */
static void
nfa_add(const atom *a, const int8_t *seg, bool glob, unsigned char *st,
		size_t base, size_t pos)
{
	for (;;)
	{
		bit_set(st, base + pos);
		if (pos < a->n && glob && a->cp[pos] == '*' && (seg == NULL || seg[pos] >= 0))
			pos++;
		else
			return;
	}
}

/* One step of one pattern's position set on code point c. */
static void
nfa_step(const atom *a, const int8_t *seg, int last_part, bool glob, bool ci,
		 const unsigned char *from, unsigned char *to, size_t base, uint32_t c)
{
	for (size_t i = 0; i < a->n; i++)
	{
		uint32_t	t;

		if (!bit_get(from, base + i))
			continue;
		t = a->cp[i];
		if (glob && (seg == NULL || seg[i] >= 0) && (t == '*' || t == '?'))
		{
			/* wildcards do not cross ':' before the last ARN part */
			if (seg != NULL && seg[i] < last_part && c == ':')
				continue;
			if (t == '*')
				nfa_add(a, seg, glob, to, base, i);
			else
				nfa_add(a, seg, glob, to, base, i + 1);
		}
		else if (t == c || (ci && cp_lower(t) == cp_lower(c)))
			nfa_add(a, seg, glob, to, base, i + 1);
	}
}

static const char acs_prefix[] = "acs:";

/* The prefix tracker: 0..4 characters of "acs:" matched, 5: no "acs:" prefix. */
static int
prefix_of(const dfa_layout *L, const unsigned char *st)
{
	return (int) (st[L->nbytes - 1]);
}

static void
dfa_start(const atom *atoms, const dfa_layout *L, unsigned char *st)
{
	memset(st, 0, L->nbytes);
	for (size_t k = 0; k < L->n_atoms; k++)
	{
		const atom *a = &atoms[k];

		if (a->kind == ATOM_ARN)
		{
			if (a->seg6)
				nfa_add(a, a->seg6, true, st, L->off[k], 0);
			if (a->seg5)
				nfa_add(a, a->seg5, true, st, L->off[k] + a->n + 1, 0);
		}
		else
			nfa_add(a, NULL, a->kind == ATOM_LIKE, st, L->off[k], 0);
	}
	st[L->nbytes - 1] = 0;
}

static void
dfa_step(const atom *atoms, const dfa_layout *L, const unsigned char *from,
		 unsigned char *to, uint32_t c)
{
	int			pf = prefix_of(L, from);

	memset(to, 0, L->nbytes);
	for (size_t k = 0; k < L->n_atoms; k++)
	{
		const atom *a = &atoms[k];

		if (a->kind == ATOM_ARN)
		{
			if (a->seg6)
				nfa_step(a, a->seg6, 5, true, false, from, to, L->off[k], c);
			if (a->seg5)
				nfa_step(a, a->seg5, 4, true, false, from, to, L->off[k] + a->n + 1, c);
		}
		else
			nfa_step(a, NULL, -1, a->kind == ATOM_LIKE, a->kind == ATOM_EQ_CI,
					 from, to, L->off[k], c);
	}
	if (pf < 4)
		pf = (c == (uint32_t) acs_prefix[pf]) ? pf + 1 : 5;
	to[L->nbytes - 1] = (unsigned char) pf;
}

/* Does atom k accept in state st? */
static bool
dfa_accepts(const atom *atoms, const dfa_layout *L, const unsigned char *st, size_t k)
{
	const atom *a = &atoms[k];

	if (a->kind == ATOM_ARN)
	{
		if (a->any)
			return true;
		if (prefix_of(L, st) == 4)
			return a->seg5 != NULL && bit_get(st, L->off[k] + a->n + 1 + a->n);
		return a->seg6 != NULL && bit_get(st, L->off[k] + a->n);
	}
	return bit_get(st, L->off[k] + a->n);
}

typedef struct dfa_node
{
	unsigned char *st;
	size_t		parent;			/* index, SIZE_MAX for the start */
	uint32_t	via;			/* code point from the parent */
} dfa_node;

static uint64_t
hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/*
 * The shortest string of every set of atoms that can accept together
 * (each distinct acceptance vector once), appended to reps.  Returns 0,
 * -1 out of memory, 1 too many states.
 */
static int
text_reps(atom *atoms, size_t n_atoms, strlist *reps)
{
	dfa_layout	L;
	uint32_t   *alpha = NULL;
	size_t		n_alpha = 0;
	size_t		cap_alpha = 0;
	dfa_node   *nodes = NULL;
	size_t		n_nodes = 0;
	size_t	   *table = NULL;
	size_t		table_size = 1 << 15;
	strlist		seen_vec = {0};
	int			rc = 0;
	bool		any_arn = false;
	size_t		vec_bytes = (n_atoms + 7) / 8 + 1;
	unsigned char *vec = NULL;
	unsigned char *tmp = NULL;
	uint64_t	work = 0;

	memset(&L, 0, sizeof(L));
	L.n_atoms = n_atoms;
	L.off = calloc(n_atoms + 1, sizeof(size_t));
	if (L.off == NULL)
		return -1;
	for (size_t k = 0; k < n_atoms; k++)
	{
		L.off[k] = L.nbits;
		L.nbits += atoms[k].n + 1;
		if (atoms[k].kind == ATOM_ARN)
		{
			L.nbits += atoms[k].n + 1;
			any_arn = true;
		}
	}
	L.nbytes = (L.nbits + 7) / 8 + 1;

	/* The alphabet: every literal code point (both cases where it matters), ':' */
#define ALPHA_ADD(c) do { \
		uint32_t c_ = (c); bool have_ = false; \
		for (size_t q_ = 0; q_ < n_alpha; q_++) if (alpha[q_] == c_) { have_ = true; break; } \
		if (!have_) { \
			if (n_alpha == cap_alpha) { \
				uint32_t *na_ = realloc(alpha, (cap_alpha ? cap_alpha * 2 : 32) * sizeof(uint32_t)); \
				if (na_ == NULL) { rc = -1; goto done; } \
				alpha = na_; cap_alpha = cap_alpha ? cap_alpha * 2 : 32; } \
			alpha[n_alpha++] = c_; } } while (0)

	for (size_t k = 0; k < n_atoms; k++)
		for (size_t i = 0; i < atoms[k].n; i++)
		{
			uint32_t	c = atoms[k].cp[i];

			if ((atoms[k].kind == ATOM_LIKE || atoms[k].kind == ATOM_ARN) && (c == '*' || c == '?'))
				continue;
			ALPHA_ADD(c);
			if (c < 128 && isalpha((int) c))
			{
				ALPHA_ADD(cp_lower(c));
				ALPHA_ADD(cp_lower(c) - 32);
			}
		}
	if (any_arn)
	{
		ALPHA_ADD(':');
		ALPHA_ADD('a');
		ALPHA_ADD('c');
		ALPHA_ADD('s');
	}
	{
		/* one code point no pattern names: it stands for all of them */
		static const uint32_t spare[] = {'x', 'q', 'z', 'j', '0', '_', '~', 0xE9, 0x4E2D};
		size_t		s;

		for (s = 0; s < sizeof(spare) / sizeof(spare[0]); s++)
		{
			bool		used = false;

			for (size_t q = 0; q < n_alpha; q++)
				if (alpha[q] == spare[s] || (spare[s] < 128 && cp_lower(alpha[q]) == spare[s]))
					used = true;
			if (!used)
				break;
		}
		if (s < sizeof(spare) / sizeof(spare[0]))
			ALPHA_ADD(spare[s]);
	}
#undef ALPHA_ADD

	table = malloc(table_size * sizeof(size_t));
	nodes = malloc(MAX_DFA_STATES * sizeof(dfa_node));
	vec = malloc(vec_bytes);
	tmp = malloc(L.nbytes);
	if (table == NULL || nodes == NULL || vec == NULL || tmp == NULL)
	{
		rc = -1;
		goto done;
	}
	for (size_t i = 0; i < table_size; i++)
		table[i] = SIZE_MAX;

	nodes[0].st = malloc(L.nbytes);
	if (nodes[0].st == NULL)
	{
		rc = -1;
		goto done;
	}
	dfa_start(atoms, &L, nodes[0].st);
	nodes[0].parent = SIZE_MAX;
	nodes[0].via = 0;
	n_nodes = 1;
	table[hash_bytes(nodes[0].st, L.nbytes) & (table_size - 1)] = 0;

	for (size_t cur = 0; cur < n_nodes; cur++)
	{
		/* record the acceptance vector of this state (breadth-first: shortest) */
		char		hex[2 * 4096 + 1];
		size_t		h;

		memset(vec, 0, vec_bytes);
		for (size_t k = 0; k < n_atoms; k++)
			if (dfa_accepts(atoms, &L, nodes[cur].st, k))
				bit_set(vec, k);
		for (h = 0; h < vec_bytes && 2 * h + 2 < sizeof(hex); h++)
			snprintf(hex + 2 * h, 3, "%02x", vec[h]);
		hex[2 * h] = '\0';
		if (!sl_has(&seen_vec, hex))
		{
			sbuf		s = {0};
			uint32_t	path[4096];
			size_t		plen = 0;

			if (!sl_add(&seen_vec, hex))
			{
				rc = -1;
				goto done;
			}
			for (size_t at = cur; nodes[at].parent != SIZE_MAX && plen < 4096; at = nodes[at].parent)
				path[plen++] = nodes[at].via;
			sb_puts(&s, "");
			while (plen > 0)
				cp_to_utf8(path[--plen], &s);
			if (s.oom || !sl_add(reps, s.p ? s.p : ""))
			{
				free(s.p);
				rc = -1;
				goto done;
			}
			free(s.p);
		}

		/* bounded work: patterns whose product automaton is too large are UNKNOWN */
		work += (uint64_t) n_alpha * (L.nbits + 8);
		if (work > MAX_DFA_WORK)
		{
			rc = 1;
			goto done;
		}
		for (size_t a = 0; a < n_alpha; a++)
		{
			uint64_t	hv;
			size_t		slot;
			bool		found = false;

			dfa_step(atoms, &L, nodes[cur].st, tmp, alpha[a]);
			hv = hash_bytes(tmp, L.nbytes);
			for (slot = hv & (table_size - 1); table[slot] != SIZE_MAX; slot = (slot + 1) & (table_size - 1))
				if (memcmp(nodes[table[slot]].st, tmp, L.nbytes) == 0)
				{
					found = true;
					break;
				}
			if (found)
				continue;
			if (n_nodes >= MAX_DFA_STATES || n_nodes * 2 >= table_size)
			{
				rc = 1;
				goto done;
			}
			nodes[n_nodes].st = malloc(L.nbytes);
			if (nodes[n_nodes].st == NULL)
			{
				rc = -1;
				goto done;
			}
			memcpy(nodes[n_nodes].st, tmp, L.nbytes);
			nodes[n_nodes].parent = cur;
			nodes[n_nodes].via = alpha[a];
			table[slot] = n_nodes;
			n_nodes++;
		}
		if (kp_interrupt_requested())
		{
			rc = -2;
			goto done;
		}
	}

done:
	for (size_t i = 0; i < n_nodes; i++)
		free(nodes[i].st);
	free(nodes);
	free(table);
	free(alpha);
	free(vec);
	free(tmp);
	free(L.off);
	sl_free(&seen_vec);
	return rc;
}

/* ------------------------------------------------------------------------
 * Typed values: boundaries and a value on each side
 * ------------------------------------------------------------------------ */

static bool
num_between(const kp_number *lo, const kp_number *hi, double a, double b,
			char *out, size_t size)
{
	static const double fr[] = {0.5, 0.25, 0.75, 0.125, 0.875, 0.001, 0.999};

	for (size_t i = 0; i < sizeof(fr) / sizeof(fr[0]); i++)
	{
		kp_number	m;
		double		v = a + (b - a) * fr[i];

		snprintf(out, size, "%.17g", v);
		if (kp_number_parse(out, &m) &&
			(lo == NULL || kp_number_cmp(lo, &m) < 0) &&
			(hi == NULL || kp_number_cmp(&m, hi) < 0))
			return true;
	}
	return false;
}

static int
cmp_num_ptr(const void *x, const void *y)
{
	return kp_number_cmp((const kp_number *) x, (const kp_number *) y);
}

/* 0 ok, -1 oom, 1 not decidable */
static int
number_reps(const strlist *vals, strlist *reps)
{
	kp_number  *v = calloc(vals->n + 1, sizeof(kp_number));
	size_t		n = 0;
	char		buf[64];
	int			rc = 0;

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < vals->n; i++)
		if (kp_number_parse(vals->v[i], &v[n]))
			n++;
	qsort(v, n, sizeof(kp_number), cmp_num_ptr);
	if (!sl_add(reps, "not-a-number") || !sl_add(reps, "0"))
		rc = -1;
	for (size_t i = 0; i < vals->n && rc == 0; i++)
		if (!sl_add(reps, vals->v[i]))
			rc = -1;
	if (n > 0 && rc == 0)
	{
		char		t[KP_NUMBER_MAX_DIGITS + 32];
		double		lo;
		double		hi;

		/* the values again, as doubles, for the points in between */
		for (size_t i = 0; i + 1 < n && rc == 0; i++)
		{
			if (kp_number_cmp(&v[i], &v[i + 1]) == 0)
				continue;
			snprintf(t, sizeof(t), "%s0.%.*se%ld", v[i].sign < 0 ? "-" : "",
					 v[i].ndig, v[i].digits, v[i].exp);
			lo = strtod(t, NULL);
			snprintf(t, sizeof(t), "%s0.%.*se%ld", v[i + 1].sign < 0 ? "-" : "",
					 v[i + 1].ndig, v[i + 1].digits, v[i + 1].exp);
			hi = strtod(t, NULL);
			if (v[i].sign == 0)
				lo = 0;
			if (v[i + 1].sign == 0)
				hi = 0;
			if (!num_between(&v[i], &v[i + 1], lo, hi, buf, sizeof(buf)))
				rc = 1;
			else if (!sl_add(reps, buf))
				rc = -1;
		}
		if (rc == 0)
		{
			snprintf(t, sizeof(t), "%s0.%.*se%ld", v[0].sign < 0 ? "-" : "",
					 v[0].ndig, v[0].digits, v[0].exp);
			lo = v[0].sign == 0 ? 0 : strtod(t, NULL);
			snprintf(t, sizeof(t), "%s0.%.*se%ld", v[n - 1].sign < 0 ? "-" : "",
					 v[n - 1].ndig, v[n - 1].digits, v[n - 1].exp);
			hi = v[n - 1].sign == 0 ? 0 : strtod(t, NULL);
			if (!num_between(NULL, &v[0], lo - fabs(lo) - 2, lo, buf, sizeof(buf)))
				rc = 1;
			else if (!sl_add(reps, buf))
				rc = -1;
			if (rc == 0 && !num_between(&v[n - 1], NULL, hi, hi + fabs(hi) + 2, buf, sizeof(buf)))
				rc = 1;
			else if (rc == 0 && !sl_add(reps, buf))
				rc = -1;
		}
	}
	free(v);
	return rc;
}

static void
instant_text(kp_instant t, char *out, size_t size)
{
	if (t.sec >= 0)
		snprintf(out, size, "%lld.%09d", (long long) t.sec, (int) t.nsec);
	else if (t.nsec == 0)
		snprintf(out, size, "-%lld.000000000", (long long) -t.sec);
	else
		snprintf(out, size, "-%lld.%09d", (long long) -(t.sec + 1), (int) (1000000000 - t.nsec));
}

static int
date_reps(const strlist *vals, strlist *reps)
{
	if (!sl_add(reps, "not-a-date"))
		return -1;
	for (size_t i = 0; i < vals->n; i++)
	{
		kp_instant	t;
		kp_instant	u;
		kp_instant	back;
		char		buf[64];

		if (!kp_date_parse(vals->v[i], &t))
			continue;
		if (!sl_add(reps, vals->v[i]))
			return -1;
		for (int d = -1; d <= 1; d += 2)
		{
			u = t;
			u.nsec += d;
			if (u.nsec < 0)
			{
				u.nsec += 1000000000;
				u.sec--;
			}
			else if (u.nsec >= 1000000000)
			{
				u.nsec -= 1000000000;
				u.sec++;
			}
			instant_text(u, buf, sizeof(buf));
			if (!kp_date_parse(buf, &back) || kp_instant_cmp(&back, &u) != 0)
				return 1;
			if (!sl_add(reps, buf))
				return -1;
		}
	}
	return 0;
}

static void
ip_text(const kp_ipnet *a, char *out, size_t size)
{
	if (a->family == 4)
		snprintf(out, size, "%u.%u.%u.%u", a->addr[0], a->addr[1], a->addr[2], a->addr[3]);
	else
	{
		size_t		o = 0;

		for (int i = 0; i < 16; i += 2)
			o += (size_t) snprintf(out + o, size - o, "%s%x", i ? ":" : "",
								   (a->addr[i] << 8) | a->addr[i + 1]);
	}
}

/* addr += delta (+1 / -1) within its family; false on wrap-around. */
static bool
ip_add(kp_ipnet *a, int delta)
{
	int			len = a->family == 4 ? 4 : 16;

	for (int i = len - 1; i >= 0; i--)
	{
		int			v = a->addr[i] + delta;

		if (v >= 0 && v <= 255)
		{
			a->addr[i] = (unsigned char) v;
			return true;
		}
		a->addr[i] = (unsigned char) (v < 0 ? 255 : 0);
	}
	return false;
}

static int
ip_reps(const strlist *vals, strlist *reps)
{
	static const char *const fixed[] = {"not-an-address", "0.0.0.0", "255.255.255.255", "::",
	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!sl_add(reps, fixed[i]))
			return -1;
	for (size_t i = 0; i < vals->n; i++)
	{
		kp_ipnet	net;
		kp_ipnet	lo;
		kp_ipnet	hi;
		int			len;
		char		buf[64];

		if (!kp_ip_parse(vals->v[i], true, &net))
			continue;
		len = net.family == 4 ? 4 : 16;
		lo = net;
		hi = net;
		for (int b = 0; b < len * 8; b++)
			if (b >= net.prefix)
			{
				lo.addr[b / 8] &= (unsigned char) ~(0x80 >> (b % 8));
				hi.addr[b / 8] |= (unsigned char) (0x80 >> (b % 8));
			}
		lo.prefix = hi.prefix = len * 8;
		ip_text(&lo, buf, sizeof(buf));
		if (!sl_add(reps, buf))
			return -1;
		ip_text(&hi, buf, sizeof(buf));
		if (!sl_add(reps, buf))
			return -1;
		if (ip_add(&lo, -1))
		{
			ip_text(&lo, buf, sizeof(buf));
			if (!sl_add(reps, buf))
				return -1;
		}
		if (ip_add(&hi, 1))
		{
			ip_text(&hi, buf, sizeof(buf));
			if (!sl_add(reps, buf))
				return -1;
		}
	}
	return 0;
}

static int
binary_reps(const strlist *vals, strlist *reps)
{
	static const char *const other[] = {"AA==", "AQ==", "Ag==", "Aw==", "BA==", "BQ=="};
	size_t		found = 0;

	if (!sl_add(reps, "!not-base64!"))
		return -1;
	for (size_t i = 0; i < vals->n; i++)
		if (!sl_add(reps, vals->v[i]))
			return -1;
	/* one valid value equal to none of them */
	for (size_t k = 0; k < sizeof(other) / sizeof(other[0]) && !found; k++)
	{
		bool		eq = false;

		for (size_t i = 0; i < vals->n; i++)
			if (kp_base64_equal(vals->v[i], other[k]))
				eq = true;
		if (!eq)
		{
			if (!sl_add(reps, other[k]))
				return -1;
			found = 1;
		}
	}
	return found || vals->n >= 6 ? 0 : 1;
}

/* Keys a request derives from its caller (kp_context_add_caller). */
static bool
key_is_derived(const char *lower)
{
	static const char *const derived[] = {
		"aws:principalarn", "aws:principalaccount", "kms:calleraccount",
		"aws:principaltype", "aws:username", "aws:principalisawsservice",
		"aws:principalservicename"
	};

	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
		if (strcmp(lower, derived[i]) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------------------
 * Condition keys of the policies compared
 * ------------------------------------------------------------------------ */

enum family
{
	FAM_NONE = 0,
	FAM_TEXT = 1,
	FAM_NUM = 2,
	FAM_DATE = 4,
	FAM_IP = 8,
	FAM_BIN = 16
};

typedef struct akey
{
	char	   *name;			/* as first written */
	char	   *lower;
	int			families;
	bool		multi;			/* may carry several values */
	bool		present;		/* every request has it */
	strlist		texts_eq;		/* text atoms by kind */
	strlist		texts_ci;
	strlist		texts_like;
	strlist		texts_arn;
	strlist		typed;			/* typed operands */
	bool		arn_any;
	char	   *unknown;		/* why it is not decided exactly; NULL: it is */
	bool		built;
	strlist		reps;
} akey;

typedef struct akeys
{
	akey	   *v;
	size_t		n;
	size_t		cap;
} akeys;

static akey *
key_find(akeys *ks, const char *lower)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->v[i].lower, lower) == 0)
			return &ks->v[i];
	return NULL;
}

static akey *
key_get(akeys *ks, const char *name)
{
	char		lower[512];
	akey	   *k;
	ascii_lower_copy(lower, name, sizeof(lower));
	if ((k = key_find(ks, lower)) != NULL)
		return k;
	if (ks->n == ks->cap)
	{
		size_t		cap = ks->cap ? ks->cap * 2 : 8;
		akey	   *v = realloc(ks->v, cap * sizeof(akey));

		if (v == NULL)
			return NULL;
		ks->v = v;
		ks->cap = cap;
	}
	k = &ks->v[ks->n];
	memset(k, 0, sizeof(*k));
	k->name = strdup(name);
	k->lower = strdup(lower);
	if (k->name == NULL || k->lower == NULL)
	{
		free(k->name);
		free(k->lower);
		return NULL;
	}
	/* unknown keys may carry several values, as may ArrayOfString ones */
	k->multi = kp_condition_key_is_multivalued(name);
	ks->n++;
	return k;
}

static void
keys_free(akeys *ks)
{
	for (size_t i = 0; i < ks->n; i++)
	{
		akey	   *k = &ks->v[i];

		free(k->name);
		free(k->lower);
		free(k->unknown);
		sl_free(&k->texts_eq);
		sl_free(&k->texts_ci);
		sl_free(&k->texts_like);
		sl_free(&k->texts_arn);
		sl_free(&k->typed);
		sl_free(&k->reps);
	}
	free(ks->v);
	memset(ks, 0, sizeof(*ks));
}

static bool
key_set_unknown(akey *k, const char *fmt, const char *arg)
{
	char		buf[600];

	if (k->unknown != NULL)
		return true;
	snprintf(buf, sizeof(buf), fmt, arg);
	k->unknown = strdup(buf);
	return k->unknown != NULL;
}

/* A text operand (string, ARN, binary operators) of key k. */
static bool
note_text_operand(akey *k, kp_cond_op op, const char *v)
{
	switch (op)
	{
		case KP_OP_STRING_EQUALS:
		case KP_OP_STRING_NOT_EQUALS:
			k->families |= FAM_TEXT;
			return sl_add(&k->texts_eq, v);
		case KP_OP_STRING_EQUALS_IGNORE_CASE:
		case KP_OP_STRING_NOT_EQUALS_IGNORE_CASE:
			k->families |= FAM_TEXT;
			return sl_add(&k->texts_ci, v);
		case KP_OP_STRING_LIKE:
		case KP_OP_STRING_NOT_LIKE:
			k->families |= FAM_TEXT;
			return sl_add(&k->texts_like, v);
		case KP_OP_BINARY_EQUALS:
			k->families |= FAM_BIN;
			return sl_add(&k->typed, v);
		default:
			/* ArnEquals, ArnLike and their negations */
			k->families |= FAM_TEXT;
			if (strcmp(v, "*") == 0)
			{
				k->arn_any = true;
				return true;
			}
			return sl_add(&k->texts_arn, v);
	}
}

/* Record the operands of one condition. */
static bool
key_note_condition(akey *k, const kp_condition *c, kp_version version)
{
	kp_cond_op	base = c->op;

	for (size_t i = 0; i < c->n_values; i++)
	{
		const char *v = c->values[i];
		bool		ok = true;

		if (kp_eval_version_has_vars(version) && kp_eval_op_takes_vars(c->op) &&
			kp_eval_text_has_vars(v))
		{
			if (!key_set_unknown(k, "a value of %s holds a policy variable; values that depend on other keys are not enumerated exactly", k->name))
				return false;
			continue;
		}
		switch (kp_eval_operand_type(base))
		{
			case KPC_VT_NUMBER:
				k->families |= FAM_NUM;
				ok = sl_add(&k->typed, v);
				break;
			case KPC_VT_DATE:
				k->families |= FAM_DATE;
				ok = sl_add(&k->typed, v);
				break;
			case KPC_VT_IP:
				k->families |= FAM_IP;
				ok = sl_add(&k->typed, v);
				break;
			case KPC_VT_BOOL:
				{
					bool		b;

					/* Null: presence only, which "absent" covers */
					if (base == KP_OP_NULL)
						break;
					/* Bool: "true" / "false" in any letter case */
					k->families |= FAM_TEXT;
					if (kp_bool_parse(v, &b))
						ok = sl_add(&k->texts_ci, b ? "true" : "false");
					break;
				}
			case KPC_VT_TEXT:
				ok = note_text_operand(k, base, v);
				break;
		}
		if (!ok)
			return false;
	}
	return true;
}

static bool
atoms_from(strlist *l, enum atom_kind kind, atom *atoms, size_t *n)
{
	for (size_t i = 0; i < l->n; i++)
	{
		atom	   *a = &atoms[*n];

		memset(a, 0, sizeof(*a));
		a->kind = kind;
		a->cp = malloc((strlen(l->v[i]) + 1) * sizeof(uint32_t));
		if (a->cp == NULL)
			return false;
		a->n = utf8_to_cps(l->v[i], a->cp);
		(*n)++;
		if (kind == ATOM_ARN)
		{
			a->seg6 = arn_segments(a, 6);
			a->seg5 = arn_segments(a, 5);
		}
	}
	return true;
}

/* The representative values of a key (once).  false: out of memory. */
static bool
key_build(akey *k)
{
	int			rc = 0;

	if (k->built)
		return true;
	k->built = true;
	if (k->unknown)
		return true;
	if (k->families & (k->families - 1))
		return key_set_unknown(k, "%s is compared as more than one operand type (string, number, date, IP address, binary); such a key is not enumerated exactly", k->name);
	switch (k->families)
	{
		case FAM_NONE:
			rc = sl_add(&k->reps, "") ? 0 : -1;
			break;
		case FAM_TEXT:
			{
				size_t		total = k->texts_eq.n + k->texts_ci.n + k->texts_like.n + k->texts_arn.n;
				atom	   *atoms = calloc(total + 1, sizeof(atom));
				size_t		n = 0;

				if (atoms == NULL)
					return false;
				if (!atoms_from(&k->texts_eq, ATOM_EQ, atoms, &n) ||
					!atoms_from(&k->texts_ci, ATOM_EQ_CI, atoms, &n) ||
					!atoms_from(&k->texts_like, ATOM_LIKE, atoms, &n) ||
					!atoms_from(&k->texts_arn, ATOM_ARN, atoms, &n))
					rc = -1;
				else
					rc = text_reps(atoms, n, &k->reps);
				for (size_t i = 0; i < n; i++)
				{
					free(atoms[i].cp);
					free(atoms[i].seg5);
					free(atoms[i].seg6);
				}
				free(atoms);
				if (rc == 1)
					return key_set_unknown(k, "the patterns on %s have too many combinations to enumerate", k->name);
				if (rc == -2)
					return key_set_unknown(k, "interrupted while enumerating %s", k->name);
				break;
			}
		case FAM_NUM:
			rc = number_reps(&k->typed, &k->reps);
			break;
		case FAM_DATE:
			rc = date_reps(&k->typed, &k->reps);
			break;
		case FAM_IP:
			rc = ip_reps(&k->typed, &k->reps);
			break;
		case FAM_BIN:
			rc = binary_reps(&k->typed, &k->reps);
			break;
	}
	if (rc == 1)
		return key_set_unknown(k, "no value could be built between two operands of %s", k->name);
	if (rc == 0 && k->reps.n > MAX_REPS)
		return key_set_unknown(k, "%s has too many distinct regions to enumerate", k->name);
	return rc == 0;
}

/* ------------------------------------------------------------------------
 * The policies compared
 * ------------------------------------------------------------------------ */

enum side_kind
{
	SIDE_POLICY,
	SIDE_NONE,					/* allows nothing */
	SIDE_ALL					/* allows everything */
};

typedef struct side
{
	enum side_kind kind;
	const kp_policy *tree;
	unsigned char *bytes;
	kp_compiled form;
	size_t		n_stmts;
} side;

static kp_status
side_open(side *s, const kp_policy *tree, enum side_kind kind, kp_error *err)
{
	size_t		len;
	kp_status	st;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	if (kind != SIDE_POLICY)
		return KP_OK;
	s->tree = tree;
	st = kp_policy_compile(tree, &s->bytes, &len, err);
	if (st != KP_OK)
		return st;
	st = kp_compiled_open(s->bytes, len, &s->form, err);
	if (st != KP_OK)
		return st;
	s->n_stmts = kp_compiled_statement_count(&s->form);
	return KP_OK;
}

static void
side_close(side *s)
{
	free(s->bytes);
	s->bytes = NULL;
}

/* The whole analysis state. */
typedef struct analysis
{
	const kpa_opts *opts;
	kp_dialect	dialect;
	side		a;				/* gains */
	side		b;				/* base */
	kp_compiled permissive;		/* an identity policy allowing everything */
	unsigned char *permissive_bytes;
	char		key_account[64];
	char		partition[32];
	akeys		keys;
	strlist		principals;		/* caller representatives */
	bool	   *service;		/* which of them are services */
	size_t		service_cap;
	strlist		named_accounts;
	unsigned long budget;
	unsigned long spent;
	bool		oom;
	bool		interrupted;
} analysis;

static bool
add_principal(analysis *an, const char *arn, bool service)
{
	if (sl_has(&an->principals, arn))
		return true;
	if (an->principals.n >= an->service_cap)
	{
		size_t		cap = an->service_cap ? an->service_cap * 2 : 16;
		bool	   *v = realloc(an->service, cap * sizeof(bool));

		if (v == NULL)
			return false;
		an->service = v;
		an->service_cap = cap;
	}
	an->service[an->principals.n] = service;
	return sl_add(&an->principals, arn);
}

static void
arn_account_of(const char *arn, char *out, size_t size)
{
	kp_arn		v;

	out[0] = '\0';
	if (kp_arn_split(arn, &v))
		snprintf(out, size, "%s", v.account);
}

/* The callers a principal stands for: itself, and who it matches. */
static bool
add_principal_family(analysis *an, const char *arn, kp_principal_kind kind)
{
	kp_arn		v;
	char		buf[2400];

	if (kind == KP_PRIN_ANY || strcmp(arn, "*") == 0)
		return true;
	if (kind == KP_PRIN_SERVICE)
		return add_principal(an, arn, true);
	if (!add_principal(an, arn, false))
		return false;
	if (!kp_arn_split(arn, &v))
		return true;
	if (v.account[0] && !sl_add(&an->named_accounts, v.account))
		return false;
	if (strcmp(v.prefix, "acs") == 0)
	{
		snprintf(buf, sizeof(buf), "acs:ram::%s:user/kms-analysis-caller", v.account);
		if (!add_principal(an, buf, false))
			return false;
		if (strncmp(v.resource, "role/", 5) == 0)
		{
			const char *name = strrchr(v.resource, '/') + 1;

			snprintf(buf, sizeof(buf), "acs:ram::%s:assumed-role/%s/kms-analysis", v.account, name);
			return add_principal(an, buf, false);
		}
		return true;
	}
	snprintf(buf, sizeof(buf), "arn:%s:iam::%s:user/kms-analysis-caller", v.partition, v.account);
	if (!add_principal(an, buf, false))
		return false;
	if (strncmp(v.resource, "role/", 5) == 0)
	{
		const char *name = strrchr(v.resource, '/') + 1;

		snprintf(buf, sizeof(buf), "arn:%s:sts::%s:assumed-role/%s/kms-analysis", v.partition, v.account, name);
		return add_principal(an, buf, false);
	}
	return true;
}

static bool
collect_policy(analysis *an, const side *s)
{
	if (s->kind != SIDE_POLICY)
		return true;
	for (size_t i = 0; i < s->tree->n_statements; i++)
	{
		const kp_statement *st = &s->tree->statements[i];

		for (size_t j = 0; j < st->n_principals; j++)
			if (!add_principal_family(an, st->principals[j].arn ? st->principals[j].arn : "*",
									  st->principals[j].kind))
				return false;
		for (size_t j = 0; j < st->n_conditions; j++)
		{
			akey	   *k = key_get(&an->keys, st->conditions[j].key);

			if (k == NULL || !key_note_condition(k, &st->conditions[j], s->tree->version))
				return false;
		}
	}
	return true;
}

/*
 * The account every ARN a pattern on aws:PrincipalArn matches has: when no
 * wildcard comes before the end of the pattern's account part, a match (as a
 * string or part by part) has that account text.  Returns false when a
 * wildcard may reach the account.
 */
static bool
pattern_fixed_account(const char *pat, char *acct, size_t size)
{
	const char *wild = strpbrk(pat, "*?");
	int			need = strncmp(pat, "acs:", 4) == 0 ? 4 : 5;	/* the ':' that ends the account */
	const char *start = NULL;
	const char *c;
	int			n = 0;

	for (c = pat; *c; c++)
		if (*c == ':' && ++n == need - 1)
			start = c + 1;
		else if (*c == ':' && n == need)
			break;
	if (n < need || start == NULL || (wild != NULL && wild < c))
		return false;
	snprintf(acct, size, "%.*s", (int) (c - start), start);
	return true;
}

/* Identities of an account: its root (AWS) or any identity (RAM), and who they cover. */
static bool
add_account_callers(analysis *an, const char *acct)
{
	char		buf[2400];

	if (an->dialect == KP_DIALECT_AWS)
		snprintf(buf, sizeof(buf), "arn:%s:iam::%s:root", an->partition, acct);
	else
		snprintf(buf, sizeof(buf), "acs:ram::%s:*", acct);
	return add_principal_family(an, buf, an->dialect == KP_DIALECT_AWS ? KP_PRIN_AWS : KP_PRIN_RAM);
}

/*
 * Callers that conditions on keys derived from the caller name: the ARNs
 * aws:PrincipalArn compares with, identities of the accounts kms:CallerAccount
 * and aws:PrincipalAccount compare with, users aws:username names.  With
 * them the search finds witnesses whose derived keys are what AWS sends.
 */
static bool
callers_from_conditions(analysis *an)
{
	for (size_t i = 0; i < an->keys.n; i++)
	{
		akey	   *k = &an->keys.v[i];
		strlist    *lists[] = {&k->texts_eq, &k->texts_ci, &k->texts_like, &k->texts_arn};

		if (!key_is_derived(k->lower))
			continue;
		for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
			for (size_t j = 0; j < lists[l]->n; j++)
			{
				const char *v = lists[l]->v[j];
				char		buf[2400];

				if (strpbrk(v, "*?") != NULL && (l == 2 || l == 3))
				{
					/* a pattern that fixes the account: that account's identities */
					if (strcmp(k->lower, "aws:principalarn") == 0 &&
						pattern_fixed_account(v, buf, sizeof(buf)) && buf[0] &&
						!add_account_callers(an, buf))
						return false;
					continue;
				}
				if (strcmp(k->lower, "aws:principalarn") == 0)
				{
					kp_arn		a;

					if (kp_arn_split(v, &a) && a.account[0] &&
						!add_principal_family(an, v, KP_PRIN_AWS))
						return false;
				}
				else if (strcmp(k->lower, "kms:calleraccount") == 0 ||
						 strcmp(k->lower, "aws:principalaccount") == 0)
				{
					if (an->dialect == KP_DIALECT_AWS ? !kp_is_aws_account_id(v)
						: !kp_is_alibaba_account_id(v))
						continue;
					if (!add_account_callers(an, v))
						return false;
				}
				else if (strcmp(k->lower, "aws:username") == 0 && an->dialect == KP_DIALECT_AWS &&
						 v[0] && strchr(v, '/') == NULL && strchr(v, ':') == NULL)
				{
					snprintf(buf, sizeof(buf), "arn:%s:iam::%s:user/%s", an->partition, an->key_account, v);
					if (!add_principal(an, buf, false))
						return false;
				}
			}
	}
	return true;
}

static bool
sl_has_ci(const strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (kp_ascii_casecmp(l->v[i], s) == 0)
			return true;
	return false;
}

/*
 * The outsiders: identities of an account nobody names, one of each kind a
 * caller can be (a user, the account, a role, a session of it), and users of
 * the names aws:username conditions compare with.  Any other caller of such
 * an account sends the derived keys one of them sends: conditions on
 * aws:PrincipalArn and the account keys name other accounts, or use a
 * wildcard that may reach an outsider (derived_patterns: UNKNOWN).  A
 * federated user of another account is never allowed (it has no identity
 * policy: side_decide), so none stands for them.
 */
static bool
add_outsiders(analysis *an)
{
	const bool	acs = an->dialect == KP_DIALECT_ALIBABA;
	const akey *uk = key_find(&an->keys, "aws:username");
	unsigned long long n = acs ? 9999999999999999ULL : 999999999999ULL;
	char		acct[32];
	char		name[64] = "kms-analysis-outsider";
	char		buf[2400];
	int			suffix = 0;

	do
		snprintf(acct, sizeof(acct), "%llu", n--);
	while (strcmp(acct, an->key_account) == 0 || sl_has(&an->named_accounts, acct));
	/* a user whose name no condition compares with comes first: the usual witness */
	while (uk && (sl_has_ci(&uk->texts_eq, name) || sl_has_ci(&uk->texts_ci, name)))
		snprintf(name, sizeof(name), "kms-analysis-outsider-%d", ++suffix);
	if (acs)
	{
		static const char *const kinds[] = {"root", "role/kms-analysis-outsider",
		"assumed-role/kms-analysis-outsider/kms-analysis"};

		snprintf(buf, sizeof(buf), "acs:ram::%s:user/%s", acct, name);
		if (!add_principal(an, buf, false))
			return false;
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		{
			snprintf(buf, sizeof(buf), "acs:ram::%s:%s", acct, kinds[i]);
			if (!add_principal(an, buf, false))
				return false;
		}
		return true;
	}
	{
		static const char *const kinds[] = {"iam::%s:root", "iam::%s:role/kms-analysis-outsider",
		"sts::%s:assumed-role/kms-analysis-outsider/kms-analysis"};
		char		tail[256];

		snprintf(buf, sizeof(buf), "arn:%s:iam::%s:user/%s", an->partition, acct, name);
		if (!add_principal(an, buf, false))
			return false;
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		{
			snprintf(tail, sizeof(tail), kinds[i], acct);
			snprintf(buf, sizeof(buf), "arn:%s:%s", an->partition, tail);
			if (!add_principal(an, buf, false))
				return false;
		}
	}
	for (int l = 0; uk && l < 2; l++)
	{
		const strlist *names = l == 0 ? &uk->texts_eq : &uk->texts_ci;

		for (size_t i = 0; i < names->n; i++)
		{
			const char *v = names->v[i];

			if (!v[0] || strpbrk(v, "/:") != NULL || strlen(v) > 128)
				continue;
			snprintf(buf, sizeof(buf), "arn:%s:iam::%s:user/%s", an->partition, acct, v);
			if (!add_principal(an, buf, false))
				return false;
		}
	}
	return true;
}

static bool
is_outsider(const analysis *an, const char *arn, bool service)
{
	char		acct[64];

	if (service)
		return false;
	arn_account_of(arn, acct, sizeof(acct));
	return acct[0] && strcmp(acct, an->key_account) != 0 && !sl_has(&an->named_accounts, acct);
}

/* Is caller arn one of opts->principals (or an identity / session they cover)? */
static bool
principal_selected(const analysis *an, const char *arn, bool service)
{
	const kpa_opts *o = an->opts;
	kp_arn		c;
	bool		have_c;

	if (o->outsiders_only && !is_outsider(an, arn, service))
		return false;
	if (o->n_principals == 0)
		return true;
	have_c = !service && kp_arn_split(arn, &c);
	for (size_t i = 0; i < o->n_principals; i++)
	{
		const char *p = o->principals[i];
		kp_arn		v;

		if (strcmp(p, "*") == 0 || strcmp(p, arn) == 0)
			return true;
		if (!have_c || !kp_arn_split(p, &v))
			continue;
		if (strcmp(v.account, c.account) != 0)
			continue;
		if (strcmp(v.resource, "root") == 0 || strcmp(v.resource, "*") == 0)
			return true;
		if (strncmp(v.resource, "role/", 5) == 0 &&
			strncmp(c.resource, "assumed-role/", 13) == 0)
		{
			const char *name = strrchr(v.resource, '/') + 1;
			size_t		nl = strlen(name);

			if (strncmp(c.resource + 13, name, nl) == 0 && c.resource[13 + nl] == '/')
				return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------------
 * Deciding one request (for witnesses)
 * ------------------------------------------------------------------------ */

static bool
same_account(const analysis *an, const char *arn, bool service)
{
	char		acct[64];

	if (service)
		return false;
	arn_account_of(arn, acct, sizeof(acct));
	return strcmp(acct, an->key_account) == 0;
}

/*
 * The side's decision with the most permissive identity policies the caller
 * can have: none for an Alibaba caller of the key's account (there an
 * identity policy alone allows) and none for an AWS federated user (identity
 * policies attach to users and roles; kms_check_identity_owner).
 */
static kp_decision
side_decide(analysis *an, const side *s, const kp_request *req, kp_trace *trace)
{
	const kp_compiled *ids[1];
	size_t		n_ids = 1;
	kp_decision d;

	if (s->kind == SIDE_NONE)
		return KP_DECISION_IMPLICIT_DENY;
	if (s->kind == SIDE_ALL)
		return KP_DECISION_ALLOW;
	ids[0] = &an->permissive;
	if (an->dialect == KP_DIALECT_ALIBABA &&
		same_account(an, req->principal_arn, req->principal_is_service))
		n_ids = 0;
	if (!req->principal_is_service && strncmp(req->principal_arn, "arn:", 4) == 0 &&
		strstr(req->principal_arn, ":federated-user/") != NULL)
		n_ids = 0;
	if (kp_evaluate_compiled(&s->form, ids, n_ids, req, trace, &d) != KP_OK)
	{
		an->interrupted = true;
		return KP_DECISION_IMPLICIT_DENY;
	}
	return d;
}

/* ------------------------------------------------------------------------
 * The search
 * ------------------------------------------------------------------------ */

/* Targeted statements of one group: positions in the masks. */
typedef struct tstmt
{
	const side *s;
	uint32_t	index;
	bool		allow;
	bool		gain;			/* of side a */
} tstmt;

typedef struct choice
{
	uint64_t   *mask;			/* which targeted statements this value satisfies */
	size_t	   *vals;			/* indexes into the key's reps; n_vals 0: absent */
	size_t		n_vals;
} choice;

typedef struct kchoices
{
	akey	   *key;
	choice	   *v;
	size_t		n;
	size_t		cap;
	size_t		last_stmt_mark; /* unused */
} kchoices;

typedef struct group
{
	size_t		principal;
	kp_probe_target *ta;		/* per statement of a */
	kp_probe_target *tb;
	strlist		actions;
} group;

typedef struct search
{
	analysis   *an;
	tstmt	   *ts;
	size_t		nt;
	size_t		nw;				/* words per mask */
	uint64_t   *a_allow;
	uint64_t   *a_deny;
	uint64_t   *b_allow;
	uint64_t   *b_deny;
	kchoices   *kc;
	size_t		nk;
	uint64_t  **final_after;	/* per depth: statements with all keys assigned */
	size_t	   *pick;			/* chosen choice per key */
	bool		found;
	bool		exhausted;
} search;

static inline bool
mask_any(const uint64_t *m, const uint64_t *sel, size_t nw)
{
	for (size_t i = 0; i < nw; i++)
		if (m[i] & sel[i])
			return true;
	return false;
}

static inline bool
mask_any3(const uint64_t *m, const uint64_t *sel, const uint64_t *fin, size_t nw)
{
	for (size_t i = 0; i < nw; i++)
		if (m[i] & sel[i] & fin[i])
			return true;
	return false;
}

static bool
side_allowed(enum side_kind kind, const uint64_t *m, const uint64_t *allow,
			 const uint64_t *deny, size_t nw)
{
	if (kind == SIDE_NONE)
		return false;
	if (kind == SIDE_ALL)
		return true;
	return mask_any(m, allow, nw) && !mask_any(m, deny, nw);
}

static void
dfs(search *s, size_t depth, const uint64_t *m)
{
	analysis   *an = s->an;
	uint64_t	local[64];
	uint64_t   *next = s->nw <= 64 ? local : NULL;

	if (s->found || s->exhausted)
		return;
	if (++an->spent > an->budget)
	{
		s->exhausted = true;
		return;
	}
	if ((an->spent & 4095) == 0 && kp_interrupt_requested())
	{
		an->interrupted = true;
		s->exhausted = true;
		return;
	}
	if (an->a.kind == SIDE_POLICY && !mask_any(m, s->a_allow, s->nw))
		return;					/* no Allow of a can apply any more */
	if (depth > 0)
	{
		const uint64_t *fin = s->final_after[depth - 1];

		/* a's deny that is settled and applies: a denies */
		if (an->a.kind == SIDE_POLICY && mask_any3(m, s->a_deny, fin, s->nw))
			return;
		/* b allows for sure when a settled Allow applies and no Deny can */
		if (an->b.kind == SIDE_POLICY && mask_any3(m, s->b_allow, fin, s->nw) &&
			!mask_any(m, s->b_deny, s->nw))
			return;
	}
	if (an->b.kind == SIDE_ALL)
		return;
	if (depth == s->nk)
	{
		if (side_allowed(an->a.kind, m, s->a_allow, s->a_deny, s->nw) &&
			!side_allowed(an->b.kind, m, s->b_allow, s->b_deny, s->nw))
			s->found = true;
		return;
	}
	if (next == NULL)
	{
		s->exhausted = true;
		return;
	}
	for (size_t c = 0; c < s->kc[depth].n && !s->found && !s->exhausted; c++)
	{
		const uint64_t *cm = s->kc[depth].v[c].mask;

		for (size_t w = 0; w < s->nw; w++)
			next[w] = m[w] & cm[w];
		s->pick[depth] = c;
		dfs(s, depth + 1, next);
	}
}

/* The context of the current pick: JSON text and, if ctx, a kp_context. */
static bool
pick_context(search *s, sbuf *json, kp_context *ctx)
{
	bool		first = true;

	sb_puts(json, "{");
	for (size_t k = 0; k < s->nk; k++)
	{
		const choice *c = &s->kc[k].v[s->pick[k]];
		akey	   *key = s->kc[k].key;

		if (c->n_vals == 0)
			continue;
		if (!first)
			sb_puts(json, ", ");
		first = false;
		sb_json_str(json, key->name);
		sb_puts(json, ": ");
		if (c->n_vals > 1)
			sb_puts(json, "[");
		for (size_t v = 0; v < c->n_vals; v++)
		{
			const char *val = key->reps.v[c->vals[v]];

			if (v > 0)
				sb_puts(json, ", ");
			sb_json_str(json, val);
			if (ctx && kp_context_add(ctx, key->name, val) != KP_OK)
				return false;
		}
		if (c->n_vals > 1)
			sb_puts(json, "]");
	}
	sb_puts(json, "}");
	return !json->oom;
}

static bool
report_add(kpa_report *r, kpa_result res, const char *principal, bool service,
		   const char *action, const char *context, const char *reason)
{
	kpa_row    *row;
	bool		oom = false;

	if (r->n_rows == r->cap)
	{
		size_t		cap = r->cap ? r->cap * 2 : 16;
		kpa_row    *v = realloc(r->rows, cap * sizeof(kpa_row));

		if (v == NULL)
			return false;
		r->rows = v;
		r->cap = cap;
	}
	row = &r->rows[r->n_rows];
	memset(row, 0, sizeof(*row));
	row->result = res;
	row->principal_is_service = service;
	row->principal = principal ? xstrdup(principal, &oom) : NULL;
	row->action = action ? xstrdup(action, &oom) : NULL;
	row->context = context ? xstrdup(context, &oom) : NULL;
	row->reason = xstrdup(reason, &oom);
	r->n_rows++;
	return !oom;
}

/*
 * Add the choice "key has the values reps[idx[0..size)]" (size 0: absent)
 * with its mask: the targeted statements whose conditions on key hold, as
 * the evaluator says.  Unless always, a choice with a mask already there is
 * dropped.  false: out of memory.
 */
static bool
add_choice(search *s, akey *key, const size_t *idx, size_t size, kchoices *out,
		   bool always)
{
	uint64_t   *mask = calloc(s->nw, sizeof(uint64_t));
	kp_context *probe_ctx = kp_context_new();
	choice	   *ch;
	bool		ok = mask != NULL && probe_ctx != NULL;

	for (size_t v = 0; v < size && ok; v++)
		ok = kp_context_add(probe_ctx, key->name, key->reps.v[idx[v]]) == KP_OK;
	for (size_t t = 0; t < s->nt && ok; t++)
		if (kp_probe_statement_key_holds(&s->ts[t].s->form, s->ts[t].index,
										 key->lower, probe_ctx))
			mask[t / 64] |= (uint64_t) 1 << (t % 64);
	kp_context_free(probe_ctx);
	if (!ok)
	{
		free(mask);
		return false;
	}
	for (size_t c = 0; c < out->n && !always; c++)
		if (memcmp(out->v[c].mask, mask, s->nw * sizeof(uint64_t)) == 0)
		{
			free(mask);
			return true;
		}
	if (out->n == out->cap)
	{
		size_t		cap = out->cap ? out->cap * 2 : 8;
		choice	   *nv = realloc(out->v, cap * sizeof(choice));

		if (nv == NULL)
		{
			free(mask);
			return false;
		}
		out->v = nv;
		out->cap = cap;
	}
	ch = &out->v[out->n];
	ch->mask = mask;
	ch->n_vals = size;
	ch->vals = malloc((size ? size : 1) * sizeof(size_t));
	if (ch->vals == NULL)
	{
		free(mask);
		return false;
	}
	memcpy(ch->vals, idx, size * sizeof(size_t));
	out->n++;
	return true;
}

/*
 * The choices of one key for a group: absent (unless every request of this
 * caller has the key), each value, and for a multi-valued key sets of values
 * up to as many as the key has conditions; deduplicated by mask.
 */
static int
key_choices(search *s, akey *key, const char *principal, bool service,
			bool pinned, size_t n_conds, kchoices *out)
{
	size_t		pin_idx[16];
	size_t		n_pin = 0;
	analysis   *an = s->an;
	bool		can_be_absent = !key->present;
	size_t		maxset = key->multi ? (n_conds < key->reps.n ? n_conds : key->reps.n) : 1;
	size_t		idx[16];
	size_t		depth;
	int			rc = 0;

	memset(out, 0, sizeof(*out));
	out->key = key;
	if (maxset > 16)
		return 1;				/* more than 16 values at once: not enumerated */
	if (maxset < 1)
		maxset = 1;

	/* keys the request derives from this caller are always there */
	{
		kp_context *c = kp_context_new();
		size_t		nd = 0;
		const char *const *dv;

		if (c == NULL)
			return -1;
		if (kp_context_add_caller(c, principal, NULL, service) != KP_OK)
		{
			kp_context_free(c);
			return -1;
		}
		dv = kp_context_get(c, key->name, &nd);
		if (dv != NULL && nd > 0)
		{
			can_be_absent = false;
			if (pinned)
			{
				/* the one choice: the caller's own values */
				for (size_t v = 0; v < nd && v < 16; v++)
				{
					if (!sl_add(&key->reps, dv[v]))
					{
						kp_context_free(c);
						return -1;
					}
					for (size_t r = 0; r < key->reps.n; r++)
						if (strcmp(key->reps.v[r], dv[v]) == 0)
							pin_idx[n_pin++] = r;
				}
			}
		}
		kp_context_free(c);
		/* AWS sends no value of a key it derives from other callers (aws:username of a role) */
		if (pinned && n_pin == 0 && key_is_derived(key->lower))
			return add_choice(s, key, pin_idx, 0, out, true) ? 0 : -1;
	}
	if (n_pin > 0)
		return add_choice(s, key, pin_idx, n_pin, out, true) ? 0 : -1;

	/* enumerate: the empty set (absent) first, then sets of increasing size */
	for (size_t size = can_be_absent ? 0 : 1; size <= maxset && rc == 0; size++)
	{
		if (size > key->reps.n)
			break;
		for (depth = 0; depth < size; depth++)
			idx[depth] = depth;
		for (;;)
		{
			if (!add_choice(s, key, idx, size, out, false))
				return -1;
			if (++an->spent > an->budget)
				return 1;
			/* next combination of size out of reps.n */
			if (size == 0)
				break;
			{
				long		i = (long) size - 1;

				while (i >= 0 && idx[i] == key->reps.n - size + (size_t) i)
					i--;
				if (i < 0)
					break;
				idx[i]++;
				for (size_t j = (size_t) i + 1; j < size; j++)
					idx[j] = idx[j - 1] + 1;
			}
		}
	}
	return rc;
}

static void
kchoices_free(kchoices *k)
{
	for (size_t c = 0; c < k->n; c++)
	{
		free(k->v[c].mask);
		free(k->v[c].vals);
	}
	free(k->v);
}

static const char *
action_text(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "kms:%s", name);
	return buf;
}

/*
 * A decision summary for a row: the analysis's own identity policy (it
 * stands for "identity policies that allow it") is not named.
 */
static void
summary_text(sbuf *b, const char *summary)
{
	static const char permissive[] = "identity policy 0 statement 0";
	const char *at = strstr(summary, permissive);

	if (at == NULL)
	{
		sb_puts(b, summary);
		return;
	}
	sb_putn(b, summary, (size_t) (at - summary));
	sb_puts(b, "an identity policy that allows it");
	sb_puts(b, at + sizeof(permissive) - 1);
}

/*
 * One pass of the search for a group: 1 found (s->pick holds the witness),
 * 0 there is none, 2 undecided (*why), -1 out of memory.  pinned: the keys
 * the request derives from the caller (aws:PrincipalArn, kms:CallerAccount,
 * ...) take the caller's own values, as AWS sends them; otherwise they may
 * take any value, as a kms_authorize context may give them.
 */
static int
search_pass(search *s, const char *principal, bool service, bool pinned,
			const uint64_t *m0, const char **why)
{
	analysis   *an = s->an;
	bool		ok = true;

	for (size_t k = 0; k < s->nk; k++)
		kchoices_free(&s->kc[k]);
	memset(s->kc, 0, (an->keys.n + 1) * sizeof(kchoices));
	for (size_t d = 0; d < an->keys.n + 1; d++)
	{
		free(s->final_after[d]);
		s->final_after[d] = NULL;
	}
	s->nk = 0;
	s->found = false;
	s->exhausted = false;
	*why = NULL;

	/* the keys the targeted statements' conditions use */
	for (size_t k = 0; k < an->keys.n && ok && !*why; k++)
	{
		akey	   *key = &an->keys.v[k];
		size_t		n_conds = 0;

		for (size_t t = 0; t < s->nt; t++)
		{
			const kp_statement *st = &s->ts[t].s->tree->statements[s->ts[t].index];

			for (size_t c = 0; c < st->n_conditions; c++)
			{
				char		lower[512];

				ascii_lower_copy(lower, st->conditions[c].key, sizeof(lower));
				if (strcmp(lower, key->lower) == 0)
					n_conds++;
			}
		}
		if (n_conds == 0)
			continue;
		if (!key_build(key))
		{
			ok = false;
			break;
		}
		if (key->unknown)
		{
			*why = key->unknown;
			break;
		}
		switch (key_choices(s, key, principal, service, pinned, n_conds, &s->kc[s->nk]))
		{
			case 0:
				s->nk++;
				break;
			case 1:
				s->nk++;
				*why = "the request contexts to try exceed the analysis budget";
				break;
			default:
				s->nk++;
				ok = false;
				break;
		}
	}
	if (!ok)
		return -1;
	if (*why)
		return 2;

	/* fewest choices first; statements settle when their last key is picked */
	for (size_t i = 1; i < s->nk; i++)
		for (size_t j = i; j > 0 && s->kc[j].n < s->kc[j - 1].n; j--)
		{
			kchoices	tmp = s->kc[j];

			s->kc[j] = s->kc[j - 1];
			s->kc[j - 1] = tmp;
		}
	for (size_t d = 0; d < s->nk; d++)
	{
		s->final_after[d] = calloc(s->nw, sizeof(uint64_t));
		if (s->final_after[d] == NULL)
		{
			return -1;
		}
	}
	for (size_t t = 0; t < s->nt; t++)
	{
		const kp_statement *st = &s->ts[t].s->tree->statements[s->ts[t].index];
		size_t		last = 0;

		for (size_t d = 0; d < s->nk; d++)
			for (size_t c = 0; c < st->n_conditions; c++)
			{
				char		lower[512];

				ascii_lower_copy(lower, st->conditions[c].key, sizeof(lower));
				if (strcmp(lower, s->kc[d].key->lower) == 0)
					last = d + 1;
			}
		for (size_t d = (last ? last - 1 : 0); d < s->nk; d++)
			s->final_after[d][t / 64] |= (uint64_t) 1 << (t % 64);
	}

	dfs(s, 0, m0);
	if (s->exhausted)
	{
		*why = "the request contexts to try exceed the analysis budget";
		return 2;
	}
	return s->found ? 1 : 0;
}

/* Does a targeted statement compare a key derived from the caller with a wildcard? */
static bool
derived_patterns(const analysis *an, const search *s)
{
	for (size_t k = 0; k < s->nk; k++)
	{
		const akey *key = s->kc[k].key;

		if (!key_is_derived(key->lower))
			continue;
		for (int l = 0; l < 2; l++)
		{
			const strlist *pats = l == 0 ? &key->texts_like : &key->texts_arn;

			for (size_t i = 0; i < pats->n; i++)
			{
				char		acct[64];

				if (strpbrk(pats->v[i], "*?") == NULL)
					continue;
				/* it matches only callers of an account that is not an outsider's */
				if (strcmp(key->lower, "aws:principalarn") == 0 &&
					pattern_fixed_account(pats->v[i], acct, sizeof(acct)) &&
					(acct[0] == '\0' || strcmp(acct, an->key_account) == 0 ||
					 sl_has(&an->named_accounts, acct)))
					continue;
				return true;
			}
		}
		if (key->arn_any || key->families & ~FAM_TEXT)
			return true;
	}
	return false;
}

/*
 * Search one group; on success add FAIL rows (one per action) or an UNKNOWN
 * row.  Returns false when out of memory.
 */
static bool
search_group(analysis *an, group *g, kpa_report *out)
{
	search		s;
	const char *principal = an->principals.v[g->principal];
	bool		service = an->service[g->principal];
	bool		ok = true;
	const char *unknown = NULL;
	bool		overridden = false;
	uint64_t   *m0 = NULL;

	memset(&s, 0, sizeof(s));
	s.an = an;
	s.ts = calloc(an->a.n_stmts + an->b.n_stmts + 1, sizeof(tstmt));
	if (s.ts == NULL)
		return false;
	for (int side_i = 0; side_i < 2; side_i++)
	{
		const side *sd = side_i == 0 ? &an->a : &an->b;
		kp_probe_target *t = side_i == 0 ? g->ta : g->tb;

		for (size_t i = 0; sd->kind == SIDE_POLICY && i < sd->n_stmts; i++)
			if (t[i] != KP_PROBE_NO_MATCH)
			{
				s.ts[s.nt].s = sd;
				s.ts[s.nt].index = (uint32_t) i;
				s.ts[s.nt].allow = kp_probe_statement_allows(&sd->form, (uint32_t) i);
				s.ts[s.nt].gain = side_i == 0;
				s.nt++;
			}
	}
	s.nw = (s.nt + 63) / 64;
	if (s.nw == 0)
		s.nw = 1;
	s.a_allow = calloc(s.nw, sizeof(uint64_t));
	s.a_deny = calloc(s.nw, sizeof(uint64_t));
	s.b_allow = calloc(s.nw, sizeof(uint64_t));
	s.b_deny = calloc(s.nw, sizeof(uint64_t));
	m0 = calloc(s.nw, sizeof(uint64_t));
	s.kc = calloc(an->keys.n + 1, sizeof(kchoices));
	s.final_after = calloc(an->keys.n + 1, sizeof(uint64_t *));
	s.pick = calloc(an->keys.n + 1, sizeof(size_t));
	if (!s.a_allow || !s.a_deny || !s.b_allow || !s.b_deny || !m0 || !s.kc ||
		!s.final_after || !s.pick)
	{
		ok = false;
		goto done;
	}
	for (size_t t = 0; t < s.nt; t++)
	{
		uint64_t   *sel = s.ts[t].gain ? (s.ts[t].allow ? s.a_allow : s.a_deny)
			: (s.ts[t].allow ? s.b_allow : s.b_deny);

		sel[t / 64] |= (uint64_t) 1 << (t % 64);
		m0[t / 64] |= (uint64_t) 1 << (t % 64);
	}

	switch (search_pass(&s, principal, service, true, m0, &unknown))
	{
		case -1:
			ok = false;
			goto done;
		case 1:
			break;				/* a witness as AWS would send it */
		case 2:
			goto done;
		default:
			if (an->opts->outsiders_only)
			{
				/* outsiders as AWS identifies them; exact unless a pattern on a key derived from the caller could name callers not enumerated */
				if (derived_patterns(an, &s))
					unknown = "a condition on a key derived from the caller (aws:PrincipalArn, aws:PrincipalAccount, kms:CallerAccount, aws:username) uses a wildcard; the outsiders it may match are not enumerated";
				goto done;
			}
			switch (search_pass(&s, principal, service, false, m0, &unknown))
			{
				case -1:
					ok = false;
					goto done;
				case 1:
					overridden = true;
					break;
				default:
					goto done;
			}
	}
	{
		sbuf		json = {0};
		kp_context *ctx = kp_context_new();

		if (ctx == NULL || !pick_context(&s, &json, ctx) ||
			kp_context_add_caller(ctx, principal, NULL, service) != KP_OK)
		{
			kp_context_free(ctx);
			free(json.p);
			ok = false;
			goto done;
		}
		for (size_t i = 0; i < g->actions.n && ok; i++)
		{
			kp_request	req;
			kp_trace	ta;
			kp_trace	tb;
			kp_decision da;
			kp_decision db;
			sbuf		why = {0};

			memset(&req, 0, sizeof(req));
			req.principal_arn = principal;
			req.principal_is_service = service;
			req.action = g->actions.v[i];
			req.resource_arn = an->opts->key_arn;
			req.context = ctx;
			kp_trace_init(&ta);
			kp_trace_init(&tb);
			da = side_decide(an, &an->a, &req, &ta);
			db = side_decide(an, &an->b, &req, &tb);
			if (da != KP_DECISION_ALLOW || db == KP_DECISION_ALLOW)
			{
				/* the combination logic and the evaluator disagree: say so */
				sb_printf(&why, "internal: the witness for %s was not confirmed by the evaluator", g->actions.v[i]);
				ok = report_add(out, KPA_UNKNOWN, NULL, false, NULL, NULL, why.p ? why.p : "internal");
			}
			else
			{
				summary_text(&why, ta.summary ? ta.summary : "allowed");
				if (an->b.kind == SIDE_POLICY)
				{
					sb_puts(&why, "; the other policy: ");
					summary_text(&why, tb.summary ? tb.summary : kp_decision_name(db));
				}
				if (overridden)
					sb_puts(&why, "; only with a request context that gives a key AWS derives from the caller (aws:PrincipalArn, kms:CallerAccount, ...) another value, as a kms_authorize context may");
				ok = !why.oom && report_add(out, KPA_FAIL, principal, service, g->actions.v[i],
											json.p, why.p);
			}
			free(why.p);
			kp_trace_free(&ta);
			kp_trace_free(&tb);
		}
		kp_context_free(ctx);
		free(json.p);
	}

done:
	if (ok && unknown)
	{
		sbuf		why = {0};

		sb_printf(&why, "not decided for %s and %s%s: %s", principal,
				  g->actions.n ? g->actions.v[0] : "", g->actions.n > 1 ? " (and more actions)" : "",
				  unknown);
		ok = !why.oom && report_add(out, KPA_UNKNOWN, principal, service, NULL, NULL, why.p);
		free(why.p);
	}
	for (size_t k = 0; k < s.nk; k++)
		kchoices_free(&s.kc[k]);
	for (size_t d = 0; d < an->keys.n + 1 && s.final_after; d++)
		free(s.final_after[d]);
	free(s.final_after);
	free(s.kc);
	free(s.pick);
	free(s.a_allow);
	free(s.a_deny);
	free(s.b_allow);
	free(s.b_deny);
	free(m0);
	free(s.ts);
	return ok;
}

/* ------------------------------------------------------------------------
 * Setting up
 * ------------------------------------------------------------------------ */

static kp_status
analysis_open(analysis *an, const kp_policy *gain, enum side_kind gk,
			  const kp_policy *base, enum side_kind bk, const kpa_opts *opts,
			  kp_error *err)
{
	kp_parse_opts po;
	kp_policy  *perm = NULL;
	kp_status	st;
	size_t		len;
	kp_arn		key;
	const char *perm_doc;

	memset(an, 0, sizeof(*an));
	an->opts = opts;
	an->budget = opts->budget ? opts->budget : KPA_DEFAULT_BUDGET;
	an->dialect = gain ? gain->dialect : base ? base->dialect : KP_DIALECT_AWS;
	if (opts->key_arn == NULL || !kp_arn_split(opts->key_arn, &key))
		return kp_fail(err, KP_ERR_INVALID_ARN, "Invalid key ARN.", "", -1,
					   "The analysis needs the key's ARN.");
	snprintf(an->key_account, sizeof(an->key_account), "%s", key.account);
	snprintf(an->partition, sizeof(an->partition), "%s", key.partition[0] ? key.partition : "aws");

	if ((st = side_open(&an->a, gain, gk, err)) != KP_OK ||
		(st = side_open(&an->b, base, bk, err)) != KP_OK)
		return st;

	memset(&po, 0, sizeof(po));
	po.dialect = an->dialect;
	po.kind = KP_DOC_IDENTITY_POLICY;
	po.partition = an->partition;
	po.account = an->key_account;
	perm_doc = an->dialect == KP_DIALECT_ALIBABA
		? "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"
		: "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
	st = kp_policy_parse(perm_doc, strlen(perm_doc), &po, &perm, err);
	if (st != KP_OK)
		return st;
	st = kp_policy_compile(perm, &an->permissive_bytes, &len, err);
	kp_policy_free(perm);
	if (st != KP_OK)
		return st;
	if ((st = kp_compiled_open(an->permissive_bytes, len, &an->permissive, err)) != KP_OK)
		return st;

	/* callers */
	{
		char		buf[256];
		bool		ok = true;

		if (an->dialect == KP_DIALECT_ALIBABA)
		{
			snprintf(buf, sizeof(buf), "acs:ram::%s:*", an->key_account);
			ok = add_principal_family(an, buf, KP_PRIN_RAM);
		}
		else
		{
			snprintf(buf, sizeof(buf), "arn:%s:iam::%s:root", an->partition, an->key_account);
			ok = add_principal_family(an, buf, KP_PRIN_AWS) &&
				add_principal(an, "kms-analysis.amazonaws.com", true);
		}
		ok = ok && collect_policy(an, &an->a) && collect_policy(an, &an->b) &&
			callers_from_conditions(an);
		for (size_t i = 0; ok && i < opts->n_principals; i++)
		{
			const char *p = opts->principals[i];

			ok = add_principal_family(an, p, strchr(p, ':') ? KP_PRIN_AWS : KP_PRIN_SERVICE);
		}
		ok = ok && add_outsiders(an);
		if (!ok)
			return kp_fail(err, KP_ERR_NOMEM, "out of memory", "", -1, "out of memory");
	}
	/* keys every request has */
	for (size_t i = 0; i < an->keys.n; i++)
		for (size_t j = 0; j < opts->n_present_keys; j++)
			if (kp_ascii_casecmp(an->keys.v[i].name, opts->present_keys[j]) == 0)
				an->keys.v[i].present = true;
	return KP_OK;
}

static void
analysis_close(analysis *an)
{
	side_close(&an->a);
	side_close(&an->b);
	free(an->permissive_bytes);
	keys_free(&an->keys);
	sl_free(&an->principals);
	free(an->service);
	sl_free(&an->named_accounts);
}

static bool
action_selected(const kpa_opts *o, const char *action)
{
	if (o->n_actions == 0)
		return true;
	for (size_t i = 0; i < o->n_actions; i++)
		if (kp_action_matches(o->actions[i], action))
			return true;
	return false;
}

/*
 * Run the comparison over every selected caller and action; groups of
 * actions reaching the same statements are searched once.
 */
static kp_status
run_compare(analysis *an, kpa_report *out, kp_error *err)
{
	group	   *groups = NULL;
	size_t		n_groups = 0;
	size_t		na = an->a.n_stmts;
	size_t		nb = an->b.n_stmts;
	kp_status	st = KP_OK;

	memset(out, 0, sizeof(*out));
	for (size_t p = 0; p < an->principals.n && st == KP_OK; p++)
	{
		const char *principal = an->principals.v[p];
		bool		service = an->service[p];
		size_t		first_group = n_groups;

		if (!principal_selected(an, principal, service))
			continue;
		for (size_t ai = 0; ai < kp_kms_action_count && st == KP_OK; ai++)
		{
			char		action[128];
			kp_request	req;
			kp_probe_target *ta = calloc(na + 1, sizeof(kp_probe_target));
			kp_probe_target *tb = calloc(nb + 1, sizeof(kp_probe_target));
			size_t		g;

			action_text(kp_kms_action_names[ai], action, sizeof(action));
			if (ta == NULL || tb == NULL)
			{
				free(ta);
				free(tb);
				st = KP_ERR_NOMEM;
				break;
			}
			if (!action_selected(an->opts, action))
			{
				free(ta);
				free(tb);
				continue;
			}
			memset(&req, 0, sizeof(req));
			req.principal_arn = principal;
			req.principal_is_service = service;
			req.action = action;
			req.resource_arn = an->opts->key_arn;
			for (size_t i = 0; i < na; i++)
				ta[i] = kp_probe_statement_target(&an->a.form, (uint32_t) i, true, &req);
			for (size_t i = 0; i < nb; i++)
				tb[i] = kp_probe_statement_target(&an->b.form, (uint32_t) i, true, &req);
			for (g = first_group; g < n_groups; g++)
				if (memcmp(groups[g].ta, ta, na * sizeof(*ta)) == 0 &&
					memcmp(groups[g].tb, tb, nb * sizeof(*tb)) == 0)
					break;
			if (g < n_groups)
			{
				free(ta);
				free(tb);
			}
			else
			{
				group	   *ng = realloc(groups, (n_groups + 1) * sizeof(group));

				if (ng == NULL)
				{
					free(ta);
					free(tb);
					st = KP_ERR_NOMEM;
					break;
				}
				groups = ng;
				memset(&groups[n_groups], 0, sizeof(group));
				groups[n_groups].principal = p;
				groups[n_groups].ta = ta;
				groups[n_groups].tb = tb;
				n_groups++;
			}
			if (!sl_add(&groups[g].actions, action))
				st = KP_ERR_NOMEM;
		}
	}
	for (size_t g = 0; g < n_groups && st == KP_OK; g++)
	{
		if (!search_group(an, &groups[g], out))
			st = KP_ERR_NOMEM;
		if (an->interrupted || kp_interrupt_requested())
			st = KP_ERR_INTERRUPTED;
	}
	for (size_t g = 0; g < n_groups; g++)
	{
		free(groups[g].ta);
		free(groups[g].tb);
		sl_free(&groups[g].actions);
	}
	free(groups);
	if (st != KP_OK)
	{
		kpa_report_free(out);
		return kp_fail(err, st, st == KP_ERR_NOMEM ? "out of memory" : "interrupted", "", -1,
					   "%s", st == KP_ERR_NOMEM ? "The analysis ran out of memory." : "The analysis was interrupted.");
	}
	{
		/* one outsider's witness per action: each stands for anyone else */
		size_t		kept = 0;

		for (size_t i = 0; i < out->n_rows; i++)
		{
			kpa_row    *r = &out->rows[i];
			bool		outsider = r->result == KPA_FAIL &&
				is_outsider(an, r->principal, r->principal_is_service);
			bool		dup = false;

			for (size_t j = 0; j < kept && outsider && !dup; j++)
				dup = out->rows[j].result == KPA_FAIL && strcmp(out->rows[j].action, r->action) == 0 &&
					is_outsider(an, out->rows[j].principal, out->rows[j].principal_is_service);
			if (dup)
			{
				free(r->principal);
				free(r->action);
				free(r->context);
				free(r->reason);
				continue;
			}
			out->rows[kept++] = *r;
		}
		out->n_rows = kept;
	}
	out->result = KPA_PASS;
	for (size_t i = 0; i < out->n_rows; i++)
	{
		if (out->rows[i].result == KPA_FAIL)
			out->result = KPA_FAIL;
		else if (out->rows[i].result == KPA_UNKNOWN && out->result == KPA_PASS)
			out->result = KPA_UNKNOWN;
	}
	return KP_OK;
}

/* ------------------------------------------------------------------------
 * Public entry points
 * ------------------------------------------------------------------------ */

const char *
kpa_result_name(kpa_result result)
{
	switch (result)
	{
		case KPA_PASS:
			return "PASS";
		case KPA_FAIL:
			return "FAIL";
		default:
			return "UNKNOWN";
	}
}

const char *
kpa_access_name(kpa_access access)
{
	switch (access)
	{
		case KPA_ACCESS_ALLOWED:
			return "allowed";
		case KPA_ACCESS_ALLOWED_IF:
			return "allowed_if";
		case KPA_ACCESS_DELEGATED:
			return "delegated";
		default:
			return "unknown";
	}
}

void
kpa_report_free(kpa_report *report)
{
	if (report == NULL)
		return;
	for (size_t i = 0; i < report->n_rows; i++)
	{
		free(report->rows[i].principal);
		free(report->rows[i].action);
		free(report->rows[i].context);
		free(report->rows[i].reason);
	}
	free(report->rows);
	memset(report, 0, sizeof(*report));
}

kp_status
kpa_compare(const kp_policy *gain, const kp_policy *base, const kpa_opts *opts,
			kpa_report *out, kp_error *err)
{
	analysis	an;
	kp_status	st;

	memset(out, 0, sizeof(*out));
	kp_error_clear(err);
	st = analysis_open(&an, gain, gain ? SIDE_POLICY : SIDE_NONE,
					   base, base ? SIDE_POLICY : SIDE_NONE, opts, err);
	if (st == KP_OK)
		st = run_compare(&an, out, err);
	analysis_close(&an);
	return st;
}

/* The condition blocks of statement i as JSON: {"Operator": {"key": [values]}, ...} */
static void
conditions_json(const kp_statement *st, sbuf *b)
{
	sb_puts(b, "{");
	for (size_t c = 0; c < st->n_conditions; c++)
	{
		const kp_condition *k = &st->conditions[c];

		if (c)
			sb_puts(b, ", ");
		sb_json_str(b, k->op_text);
		sb_puts(b, ": {");
		sb_json_str(b, k->key);
		sb_puts(b, ": [");
		for (size_t v = 0; v < k->n_values; v++)
		{
			if (v)
				sb_puts(b, ", ");
			sb_json_str(b, k->values[v]);
		}
		sb_puts(b, "]}");
	}
	sb_puts(b, "}");
}

static void
stmt_name(const kp_statement *st, size_t i, sbuf *b)
{
	if (st->sid && st->sid[0])
		sb_puts(b, st->sid);
	else
		sb_printf(b, "Statement[%zu]", i);
}

/*
 * A view of policy for one named principal: its Allow statements without the
 * account principal of who's account, so that what the view allows is what
 * the policy grants who itself (the account principal's grants are the root's
 * "delegated" rows).  The view shares the policy's strings; free it with
 * view_free.  NULL when out of memory.
 */
static kp_policy *
direct_view(const kp_policy *policy, const char *who)
{
	kp_policy  *v = malloc(sizeof(kp_policy));
	kp_arn		w;
	bool		have = kp_arn_split(who, &w);

	if (v == NULL)
		return NULL;
	*v = *policy;
	v->statements = calloc(policy->n_statements + 1, sizeof(kp_statement));
	if (v->statements == NULL)
	{
		free(v);
		return NULL;
	}
	for (size_t i = 0; i < policy->n_statements; i++)
	{
		const kp_statement *st = &policy->statements[i];
		kp_statement *nst = &v->statements[i];

		*nst = *st;
		nst->principals = calloc(st->n_principals + 1, sizeof(kp_principal));
		if (nst->principals == NULL)
		{
			for (size_t j = 0; j < i; j++)
				free(v->statements[j].principals);
			free(v->statements);
			free(v);
			return NULL;
		}
		nst->n_principals = 0;
		for (size_t j = 0; j < st->n_principals; j++)
		{
			const kp_principal *p = &st->principals[j];
			kp_arn		a;
			bool		account_principal = have && p->arn && kp_arn_split(p->arn, &a) &&
				strcmp(a.account, w.account) == 0 &&
				((strcmp(a.prefix, "arn") == 0 && strcmp(a.resource, "root") == 0) ||
				 (strcmp(a.prefix, "acs") == 0 && strcmp(a.resource, "*") == 0));

			if (st->allow && account_principal && strcmp(p->arn, who) != 0)
				continue;
			nst->principals[nst->n_principals++] = *p;
		}
	}
	return v;
}

static void
view_free(kp_policy *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n_statements; i++)
		free(v->statements[i].principals);
	free(v->statements);
	free(v);
}

kp_status
kpa_key_access(const kp_policy *policy, const kpa_opts *opts,
			   kpa_access_row **rows_out, size_t *n_out, kp_error *err)
{
	strlist		named = {0};
	kpa_access_row *rows = NULL;
	size_t		n_rows = 0;
	size_t		cap = 0;
	kp_status	st = KP_OK;
	bool		oom = false;

	*rows_out = NULL;
	*n_out = 0;
	kp_error_clear(err);
	/* the principals the policy names, then "*" for everyone else */
	for (size_t i = 0; i < policy->n_statements && !oom; i++)
		for (size_t j = 0; j < policy->statements[i].n_principals && !oom; j++)
		{
			const kp_principal *p = &policy->statements[i].principals[j];

			if (p->kind != KP_PRIN_ANY && p->arn && strcmp(p->arn, "*") != 0)
				oom = !sl_add(&named, p->arn);
		}
	oom = oom || !sl_add(&named, "*");

	for (size_t p = 0; p < named.n && st == KP_OK && !oom; p++)
	{
		const char *who = named.v[p];
		bool		anyone = strcmp(who, "*") == 0;
		kpa_opts	o = *opts;
		kpa_report	some;
		kpa_report	not_all;
		const char *sel[1];
		kp_arn		v;
		bool		root = !anyone && kp_arn_split(who, &v) &&
			strcmp(v.prefix, "arn") == 0 && strcmp(v.service, "iam") == 0 &&
			strcmp(v.resource, "root") == 0;

		sel[0] = who;
		o.principals = anyone ? NULL : sel;
		o.n_principals = anyone ? 0 : 1;
		o.outsiders_only = anyone;
		o.actions = NULL;
		o.n_actions = 0;
		/* is it allowed in some context; in every context? */
		{
			analysis	an;
			kp_policy  *view = anyone || root ? NULL : direct_view(policy, who);
			const kp_policy *subject = view ? view : policy;

			if (!anyone && !root && view == NULL)
			{
				oom = true;
				break;
			}
			st = analysis_open(&an, subject, SIDE_POLICY, NULL, SIDE_NONE, &o, err);
			if (st == KP_OK)
			{
				/* only the principal itself (not identities it covers) */
				st = run_compare(&an, &some, err);
			}
			analysis_close(&an);
			if (st != KP_OK)
			{
				view_free(view);
				break;
			}
			st = analysis_open(&an, NULL, SIDE_ALL, subject, SIDE_POLICY, &o, err);
			if (st == KP_OK)
				st = run_compare(&an, &not_all, err);
			analysis_close(&an);
			view_free(view);
			if (st != KP_OK)
			{
				kpa_report_free(&some);
				break;
			}
		}
		for (size_t ai = 0; ai < kp_kms_action_count && !oom; ai++)
		{
			char		action[128];
			bool		is_some = false;
			bool		unknown = false;
			bool		always = true;
			kpa_access_row *r;
			sbuf		conds = {0};
			sbuf		names = {0};
			bool		first_allow = true;
			bool		first_deny = true;

			action_text(kp_kms_action_names[ai], action, sizeof(action));
			for (size_t i = 0; i < some.n_rows; i++)
			{
				const kpa_row *row = &some.rows[i];

				if (row->result == KPA_FAIL && row->action && strcmp(row->action, action) == 0 &&
					(anyone || strcmp(row->principal, who) == 0))
					is_some = true;
				if (row->result == KPA_UNKNOWN && (row->principal == NULL || anyone ||
												   strcmp(row->principal, who) == 0))
					unknown = true;
			}
			for (size_t i = 0; i < not_all.n_rows; i++)
			{
				const kpa_row *row = &not_all.rows[i];

				if (row->result != KPA_PASS && (row->action == NULL || strcmp(row->action, action) == 0) &&
					(row->principal == NULL || anyone || strcmp(row->principal, who) == 0))
					always = false;
			}
			if (!is_some && !unknown)
				continue;
			if (n_rows == cap)
			{
				size_t		nc = cap ? cap * 2 : 32;
				kpa_access_row *nv = realloc(rows, nc * sizeof(*rows));

				if (nv == NULL)
				{
					oom = true;
					break;
				}
				rows = nv;
				cap = nc;
			}
			r = &rows[n_rows++];
			memset(r, 0, sizeof(*r));
			r->principal = xstrdup(who, &oom);
			r->action = xstrdup(action, &oom);
			r->access = !is_some ? KPA_ACCESS_UNKNOWN
				: root ? KPA_ACCESS_DELEGATED
				: always ? KPA_ACCESS_ALLOWED : KPA_ACCESS_ALLOWED_IF;
			/* the statements naming this principal (or "*") and the action */
			sb_puts(&conds, "{\"allow\": [");
			for (size_t i = 0; i < policy->n_statements; i++)
			{
				const kp_statement *stt = &policy->statements[i];
				bool		names_p = false;
				bool		names_a = false;

				for (size_t j = 0; j < stt->n_principals; j++)
					if (stt->principals[j].kind == KP_PRIN_ANY ||
						(stt->principals[j].arn && (strcmp(stt->principals[j].arn, who) == 0 ||
													strcmp(stt->principals[j].arn, "*") == 0)))
						names_p = true;
				for (size_t j = 0; j < stt->n_actions; j++)
					if (kp_action_matches(stt->actions[j], action))
						names_a = true;
				if (stt->not_action)
					names_a = !names_a;
				if (!names_p || !names_a || !stt->allow)
					continue;
				if (names.len)
					sb_puts(&names, ",");
				stmt_name(stt, i, &names);
				if (stt->n_conditions == 0)
					continue;
				if (!first_allow)
					sb_puts(&conds, ", ");
				first_allow = false;
				conditions_json(stt, &conds);
			}
			sb_puts(&conds, "], \"deny\": [");
			for (size_t i = 0; i < policy->n_statements; i++)
			{
				const kp_statement *stt = &policy->statements[i];
				bool		names_a = false;

				if (stt->allow || stt->n_conditions == 0)
					continue;
				for (size_t j = 0; j < stt->n_actions; j++)
					if (kp_action_matches(stt->actions[j], action))
						names_a = true;
				if (stt->not_action)
					names_a = !names_a;
				if (!names_a)
					continue;
				if (!first_deny)
					sb_puts(&conds, ", ");
				first_deny = false;
				conditions_json(stt, &conds);
			}
			sb_puts(&conds, "]}");
			if (first_allow && first_deny)
			{
				free(conds.p);
				r->conditions = NULL;
			}
			else
			{
				r->conditions = sb_take(&conds);
				if (r->conditions == NULL)
					oom = true;
			}
			r->statements = sb_take(&names);
			if (r->statements == NULL)
				oom = true;
		}
		kpa_report_free(&some);
		kpa_report_free(&not_all);
	}
	sl_free(&named);
	if (oom && st == KP_OK)
		st = kp_fail(err, KP_ERR_NOMEM, "out of memory", "", -1, "The analysis ran out of memory.");
	if (st != KP_OK)
	{
		kpa_access_rows_free(rows, n_rows);
		return st;
	}
	*rows_out = rows;
	*n_out = n_rows;
	return KP_OK;
}

void
kpa_access_rows_free(kpa_access_row *rows, size_t n_rows)
{
	for (size_t i = 0; i < n_rows && rows; i++)
	{
		free(rows[i].principal);
		free(rows[i].action);
		free(rows[i].conditions);
		free(rows[i].statements);
	}
	free(rows);
}
