/*
 * kp_json.c -- strict JSON for key policy documents (policy core).
 *
 * json-c, even with JSON_TOKENER_STRICT, accepts a number of things RFC 8259
 * forbids (duplicate keys, single-quoted keys, NaN/Infinity, "1.", raw
 * control characters in strings, "\u0000", lone surrogates, out-of-range
 * numbers; test/unit/test_json.c has a case for each).  So this file has a
 * single-pass scanner of its own, with two entry points:
 *
 *	- kp_jdom_parse (internal/kp_jdom.h), the one kp_policy_parse uses: the
 *	  same pass that checks the bytes builds a compact read-only tree (one
 *	  node array, one arena of unescaped strings and number texts; see
 *	  kp_jdom.h).  json-c never sees a policy document.
 *	- kp_json_parse_strict (kp.h), for the callers that want a json-c tree
 *	  (the endpoint's requests, tests): the scanner checks the bytes without
 *	  building anything, then json-c builds its tree from the accepted text.
 *
 * Both give the same verdict, error, path and offset for every input
 * (test/unit/test_onepass.c checks it).
 *
 * The scanner is iterative (an explicit frame stack, one frame per open
 * object or array), so nesting costs heap, not C stack.  Each open object
 * keeps the set of its keys, unescaped into the arena, in an AVL tree:
 * duplicate keys are found with O(log n) comparisons whatever the keys are
 * (no hash that crafted input could make collide).  Frames are reused as the
 * scanner goes in and out of containers and are freed before returning.
 * When building, a finished value waits on a stack until its container
 * closes; then the container's children move, as one contiguous block, to
 * the node array, so an item or member is found by index.
 *
 * Error offsets are 0-based byte offsets into the document:
 *	- syntax errors: the offending byte (for a trailing comma, the comma; at
 *	  the end of input, len);
 *	- invalid UTF-8: the first byte of the offending sequence;
 *	- bad escapes, "\u0000", lone or mis-paired surrogates: the backslash
 *	  (the first one of a surrogate pair);
 *	- duplicate keys: the opening quote of the second occurrence;
 *	- numbers out of range: the first byte of the number ('-' or digit);
 *	- nesting too deep: the '{' or '[' one level too deep.
 *
 * Numbers.  RFC 8259 grammar only.  An integer (no fraction, no exponent)
 * must fit in int64, since json-c stores it as an int64 (larger ones become
 * uint64 or saturate).  A number with a fraction or an exponent becomes a
 * double: it is refused when its magnitude rounds to infinity, i.e. when it
 * is >= 2^1024 - 2^970 (the midpoint between DBL_MAX and 2^1024, which
 * round-half-even sends to infinity); this is decided on the decimal digits,
 * without strtod, so it neither depends on the locale nor copies the number.
 * Underflow (1e-400) is accepted: it rounds to zero or a subnormal like any
 * other decimal fraction rounds.
 *
 * This file uses no PostgreSQL header and no mutable global.
 */
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "kp.h"
#include "internal/kp_jdom.h"

#define KP_JSON_MESSAGE "The key policy is not valid JSON."
#define KP_NOMEM_MESSAGE "Out of memory while parsing the key policy."

/* Detail prefixes (the offset is passed as a long). */
#define SYNTAX_AT "JSON syntax error at byte offset %ld: "
#define UTF8_AT "Invalid UTF-8 at byte offset %ld: "

/* How many bytes of a key or a number an error detail quotes. */
#define QUOTE_MAX 64

/*
 * 2^1024 - 2^970, all 309 significant digits: a decimal whose magnitude is at
 * least this rounds to infinity as a double.
 */
static const char dbl_overflow_digits[] =
"179769313486231580793728971405303415079934132710037826936173778980444968"
"292764750946649017977587207096330286416692887910946555547851940402630657"
"488671505820681908902000708383676273854845817711531764475730270069855571"
"366959622842914819860834936475292719074168444365510704342711559699508093"
"042880177904174497792";
#define DBL_OVERFLOW_EXP10 309	/* the value is 0.<digits> * 10^309 */

/* One key of an open object: bytes in the arena, node of an AVL. */
typedef struct json_key
{
	size_t		off;			/* unescaped key: arena[off .. off+len) */
	size_t		len;
	int			left;			/* AVL children, -1 for none */
	int			right;
	int			height;
} json_key;

/* One open object or array. */
typedef struct json_frame
{
	bool		is_object;
	bool		key_active;		/* object: a key was read, its value pending */
	long		index;			/* array: index of the current element */
	int			cur_key;		/* object: the key being parsed (keys[]) */
	int			root;			/* object: AVL root, -1 when empty */
	json_key   *keys;
	int			n_keys;
	int			cap_keys;
	size_t		pend_start;		/* building: its first child in pend[] */
} json_frame;

typedef struct json_scanner
{
	const unsigned char *s;
	size_t		len;
	size_t		pos;
	int			max_depth;
	int			depth;			/* open containers = frames in use */
	int			max_seen;		/* deepest nesting seen */
	size_t		last_comma;		/* offset of the latest ',' */
	json_frame *frames;
	int			n_frames;		/* allocated frames */
	kp_error   *err;

	/*
	 * Unescaped keys (always: duplicates are compared on them) and, when
	 * building, every string and number text, each NUL-terminated.  It holds
	 * at most len + 1 bytes: a string of n bytes between its quotes
	 * unescapes to at most n bytes (every escape is longer than what it
	 * stands for), plus the NUL in the place of its two quotes; a number is
	 * copied as written, its NUL in the place of the byte that ends it (',',
	 * ']', '}' or whitespace: a number never ends the document, whose top
	 * level is an object).
	 */
	char	   *arena;
	size_t		arena_len;
	size_t		arena_cap;

	/*
	 * Building (kp_jdom_parse): finished values whose container is still
	 * open wait in pend[]; when a container closes, its children (the top of
	 * pend[]) move to nodes[] as one contiguous block and the container
	 * itself goes onto pend[] for its parent.
	 */
	bool		build;
	kp_jv	   *pend;
	size_t		n_pend;
	size_t		cap_pend;
	kp_jv	   *nodes;
	size_t		n_nodes;
	size_t		cap_nodes;
} json_scanner;

/* A parsed document (kp_jdom.h): the nodes and, after the struct, the arena. */
struct kp_jdom
{
	kp_jv	   *nodes;
	size_t		n_nodes;
	const kp_jv *root;
	char		arena[];
};

typedef enum scan_state
{
	SS_VALUE,					/* a value must follow (after ':') */
	SS_MEMBER_OR_END,			/* just after '{' */
	SS_MEMBER,					/* just after ',' in an object */
	SS_ELEMENT_OR_END,			/* just after '[' */
	SS_ELEMENT,					/* just after ',' in an array */
	SS_AFTER_VALUE				/* a value ended */
} scan_state;

/* ------------------------------------------------------------------------
 * Error reporting
 * ------------------------------------------------------------------------ */

/* Length of s[0..n) cut back so that it does not end inside a UTF-8 char. */
static size_t
utf8_cut(const unsigned char *s, size_t n, size_t max)
{
	size_t		cut;

	if (n <= max)
		return n;
	cut = max;
	while (cut > 0 && (s[cut] & 0xC0) == 0x80)
		cut--;
	return cut;
}

/*
 * The JSON path of the current position: "Key.Sub[3].Other".  Truncated (on
 * a character boundary, with "...") to fit KP_PATH_LEN.  Control characters
 * of unescaped keys are shown as '?'.
 */
static void
build_path(const json_scanner *sc, char *out)
{
	size_t		used = 0;
	size_t		room = KP_PATH_LEN - 4;	/* keep space for "..." */
	bool		truncated = false;
	int			i;

	out[0] = '\0';
	for (i = 0; i < sc->depth && !truncated; i++)
	{
		const json_frame *f = &sc->frames[i];
		char		piece[32];
		const unsigned char *p;
		size_t		n;
		size_t		k;

		if (f->is_object)
		{
			const json_key *key;

			if (!f->key_active)
				break;
			key = &f->keys[f->cur_key];
			if (used > 0)
			{
				if (used + 1 > room)
				{
					truncated = true;
					break;
				}
				out[used++] = '.';
			}
			p = (const unsigned char *) sc->arena + key->off;
			n = key->len;
		}
		else
		{
			snprintf(piece, sizeof(piece), "[%ld]", f->index);
			p = (const unsigned char *) piece;
			n = strlen(piece);
		}
		if (used + n > room)
		{
			n = utf8_cut(p, n, room - used);
			truncated = true;
		}
		for (k = 0; k < n; k++)
			out[used++] = (p[k] < 0x20) ? '?' : (char) p[k];
	}
	if (truncated)
	{
		memcpy(out + used, "...", 3);
		used += 3;
	}
	out[used] = '\0';
}

/* Fill err (KP_ERR_MALFORMED) with a printf-style detail and the path. */
static kp_status
scan_fail(json_scanner *sc, size_t offset, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static kp_status
scan_fail(json_scanner *sc, size_t offset, const char *fmt,...)
{
	char		path[KP_PATH_LEN];
	char		detail[KP_DETAIL_LEN];
	va_list		ap;

	build_path(sc, path);
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return kp_fail(sc->err, KP_ERR_MALFORMED, KP_JSON_MESSAGE, path,
				   (long) offset, "%s", detail);
}

static kp_status
scan_nomem(json_scanner *sc)
{
	return kp_fail(sc->err, KP_ERR_NOMEM, KP_NOMEM_MESSAGE, NULL, -1,
				   "Memory allocation failed while checking the JSON document.");
}

/* "character 'A'", "control character U+0009" or "byte 0xC3". */
static void
describe_byte(unsigned char c, char *buf, size_t size)
{
	if (c >= 0x21 && c <= 0x7E)
		snprintf(buf, size, "character '%c'", c);
	else if (c == 0x20)
		snprintf(buf, size, "space");
	else if (c < 0x20 || c == 0x7F)
		snprintf(buf, size, "control character U+%04X", (unsigned) c);
	else
		snprintf(buf, size, "byte 0x%02X", (unsigned) c);
}

/* Hex dump "0xED 0xA0 0x80" of up to 4 bytes. */
static void
hex_bytes(const unsigned char *p, size_t n, char *buf, size_t size)
{
	size_t		used = 0;
	size_t		i;

	buf[0] = '\0';
	for (i = 0; i < n && i < 4 && used + 6 < size; i++)
		used += snprintf(buf + used, size - used, "%s0x%02X",
						 i > 0 ? " " : "", (unsigned) p[i]);
}

/* Copy at most QUOTE_MAX bytes of s[0..n) (valid UTF-8), "..." if cut. */
static void
quote_text(const unsigned char *s, size_t n, char *buf, size_t size)
{
	size_t		k = utf8_cut(s, n, QUOTE_MAX);

	snprintf(buf, size, "%.*s%s", (int) k, (const char *) s,
			 k < n ? "..." : "");
}

/* "unexpected X; expected Y." for the byte at pos, or end of input. */
static kp_status
unexpected(json_scanner *sc, const char *expected)
{
	char		what[40];

	if (sc->pos >= sc->len)
		return scan_fail(sc, sc->len,
						 SYNTAX_AT "unexpected end of input; expected %s.",
						 (long) sc->len, expected);
	describe_byte(sc->s[sc->pos], what, sizeof(what));
	return scan_fail(sc, sc->pos, SYNTAX_AT "unexpected %s; expected %s.",
					 (long) sc->pos, what, expected);
}

static bool
has_word(const json_scanner *sc, size_t pos, const char *word)
{
	size_t		n = strlen(word);

	return sc->len - pos >= n && memcmp(sc->s + pos, word, n) == 0;
}

/*
 * A value (or key) cannot start at pos: say why as precisely as we can for
 * the usual non-JSON habits, else "unexpected ...; expected <expected>".
 */
static kp_status
bad_value_start(json_scanner *sc, const char *expected)
{
	size_t		pos = sc->pos;
	long		lpos = (long) pos;

	if (pos < sc->len)
	{
		switch (sc->s[pos])
		{
			case '\'':
				return scan_fail(sc, pos, SYNTAX_AT "single-quoted strings are not allowed; JSON strings and keys use double quotes.", lpos);
			case '/':
				return scan_fail(sc, pos, SYNTAX_AT "comments are not allowed in JSON.", lpos);
			case '+':
				return scan_fail(sc, pos, SYNTAX_AT "a number may not start with '+'.", lpos);
			case '.':
				return scan_fail(sc, pos, SYNTAX_AT "a number must have a digit before the decimal point.", lpos);
			case 'N':
				if (has_word(sc, pos, "NaN"))
					return scan_fail(sc, pos, SYNTAX_AT "NaN is not a valid JSON value.", lpos);
				break;
			case 'I':
				if (has_word(sc, pos, "Infinity"))
					return scan_fail(sc, pos, SYNTAX_AT "Infinity is not a valid JSON value.", lpos);
				break;
			default:
				break;
		}
	}
	return unexpected(sc, expected);
}

/* ------------------------------------------------------------------------
 * Frames and key sets
 * ------------------------------------------------------------------------ */

/* Open a container at sc->pos (which holds '{' or '['). */
static kp_status
push_frame(json_scanner *sc, bool is_object)
{
	json_frame *f;

	if (sc->depth >= sc->max_depth)
		return scan_fail(sc, sc->pos,
						 "JSON nesting too deep at byte offset %ld: objects and arrays may be nested at most %d levels deep.",
						 (long) sc->pos, sc->max_depth);
	if (sc->depth == sc->n_frames)
	{
		int			n = sc->n_frames > 0 ? sc->n_frames * 2 : 8;
		json_frame *nf;

		if (n > sc->max_depth)
			n = sc->max_depth;
		nf = realloc(sc->frames, (size_t) n * sizeof(json_frame));
		if (nf == NULL)
			return scan_nomem(sc);
		memset(nf + sc->n_frames, 0,
			   (size_t) (n - sc->n_frames) * sizeof(json_frame));
		sc->frames = nf;
		sc->n_frames = n;
	}
	f = &sc->frames[sc->depth++];
	if (sc->depth > sc->max_seen)
		sc->max_seen = sc->depth;
	f->is_object = is_object;
	f->key_active = false;
	f->index = 0;
	f->cur_key = -1;
	f->root = -1;
	f->n_keys = 0;
	f->pend_start = sc->n_pend;
	return KP_OK;
}

static void
free_frames(json_scanner *sc)
{
	int			i;

	for (i = 0; i < sc->n_frames; i++)
		free(sc->frames[i].keys);
	free(sc->frames);
	sc->frames = NULL;
	sc->n_frames = 0;
}

/*
 * Append n bytes to the arena.  Its size bounds what can be written (see
 * json_scanner); false would mean that bound is wrong.
 */
static inline bool
arena_append(json_scanner *sc, const void *p, size_t n)
{
	if (sc->arena_cap - sc->arena_len < n)
		return false;
	memcpy(sc->arena + sc->arena_len, p, n);
	sc->arena_len += n;
	return true;
}

static int
key_cmp(const char *arena, const json_frame *f, int a, int b)
{
	const json_key *ka = &f->keys[a];
	const json_key *kb = &f->keys[b];
	size_t		n = ka->len < kb->len ? ka->len : kb->len;
	int			c = n ? memcmp(arena + ka->off, arena + kb->off, n) : 0;

	if (c != 0)
		return c;
	return (ka->len > kb->len) - (ka->len < kb->len);
}

static int
avl_height(const json_frame *f, int n)
{
	return n < 0 ? 0 : f->keys[n].height;
}

static void
avl_update(json_frame *f, int n)
{
	int			hl = avl_height(f, f->keys[n].left);
	int			hr = avl_height(f, f->keys[n].right);

	f->keys[n].height = 1 + (hl > hr ? hl : hr);
}

static int
avl_rotate_right(json_frame *f, int y)
{
	int			x = f->keys[y].left;

	f->keys[y].left = f->keys[x].right;
	f->keys[x].right = y;
	avl_update(f, y);
	avl_update(f, x);
	return x;
}

static int
avl_rotate_left(json_frame *f, int x)
{
	int			y = f->keys[x].right;

	f->keys[x].right = f->keys[y].left;
	f->keys[y].left = x;
	avl_update(f, x);
	avl_update(f, y);
	return y;
}

static int
avl_rebalance(json_frame *f, int n)
{
	int			l = f->keys[n].left;
	int			r = f->keys[n].right;
	int			balance;

	avl_update(f, n);
	balance = avl_height(f, l) - avl_height(f, r);
	if (balance > 1)
	{
		if (avl_height(f, f->keys[l].left) < avl_height(f, f->keys[l].right))
			f->keys[n].left = avl_rotate_left(f, l);
		return avl_rotate_right(f, n);
	}
	if (balance < -1)
	{
		if (avl_height(f, f->keys[r].right) < avl_height(f, f->keys[r].left))
			f->keys[n].right = avl_rotate_right(f, r);
		return avl_rotate_left(f, n);
	}
	return n;
}

/*
 * Insert key node k under root; returns the new subtree root.  When an equal
 * key is already there, *dup is set and the tree is left unchanged.  The
 * recursion is as deep as the tree: about 1.44 * log2(number of keys).
 */
static int
avl_insert(const char *arena, json_frame *f, int root, int k, bool *dup)
{
	int			c;
	int			child;

	if (root < 0)
		return k;
	c = key_cmp(arena, f, k, root);
	if (c == 0)
	{
		*dup = true;
		return root;
	}
	if (c < 0)
	{
		child = avl_insert(arena, f, f->keys[root].left, k, dup);
		f->keys[root].left = child;
	}
	else
	{
		child = avl_insert(arena, f, f->keys[root].right, k, dup);
		f->keys[root].right = child;
	}
	if (*dup)
		return root;
	return avl_rebalance(f, root);
}

/* ------------------------------------------------------------------------
 * Building the tree (kp_jdom_parse only)
 * ------------------------------------------------------------------------ */

/* Grow an array of kp_jv to hold at least need elements. */
static bool
grow_nodes(kp_jv **arr, size_t *cap, size_t need)
{
	size_t		n = *cap > 0 ? *cap : 16;
	kp_jv	   *na;

	while (n < need)
		n *= 2;
	na = realloc(*arr, n * sizeof(kp_jv));
	if (na == NULL)
		return false;
	*arr = na;
	*cap = n;
	return true;
}

/*
 * A value has been read: put it on pend[] for the container it is in (the
 * innermost open one), with its key when that container is an object.
 */
static kp_status
push_value(json_scanner *sc, kp_jv *v)
{
	if (sc->n_pend == sc->cap_pend &&
		!grow_nodes(&sc->pend, &sc->cap_pend, sc->n_pend + 1))
		return scan_nomem(sc);
	v->key = NULL;
	v->key_len = 0;
	if (sc->depth > 0)
	{
		const json_frame *f = &sc->frames[sc->depth - 1];

		if (f->is_object)
		{
			const json_key *k = &f->keys[f->cur_key];

			v->key = sc->arena + k->off;
			v->key_len = (uint32_t) k->len;
		}
	}
	sc->pend[sc->n_pend++] = *v;
	return KP_OK;
}

/* A scalar node (the caller sets u.str and len for strings and numbers). */
static inline kp_jv
scalar_node(kp_jv_kind type, uint8_t flags)
{
	kp_jv		v;

	v.type = (uint8_t) type;
	v.flags = flags;
	v.len = 0;
	v.key_len = 0;
	v.u.str = NULL;
	v.key = NULL;
	return v;
}

/*
 * Close the innermost container (its closing bracket has been read): its
 * children move from pend[] to nodes[], and the container becomes a value of
 * its parent.
 */
static kp_status
pop_frame(json_scanner *sc)
{
	json_frame *f = &sc->frames[sc->depth - 1];
	size_t		n;
	kp_jv		v;

	sc->depth--;
	if (!sc->build)
		return KP_OK;
	n = sc->n_pend - f->pend_start;
	if (sc->n_nodes + n + 1 > sc->cap_nodes &&
		!grow_nodes(&sc->nodes, &sc->cap_nodes, sc->n_nodes + n + 1))
		return scan_nomem(sc);
	if (n > 0)
		memcpy(sc->nodes + sc->n_nodes, sc->pend + f->pend_start,
			   n * sizeof(kp_jv));
	v = scalar_node(f->is_object ? KP_JV_OBJECT : KP_JV_ARRAY, 0);
	v.len = (uint32_t) n;
	v.u.first = sc->n_nodes;
	sc->n_nodes += n;
	sc->n_pend = f->pend_start;
	return push_value(sc, &v);
}

/* ------------------------------------------------------------------------
 * Scalars
 * ------------------------------------------------------------------------ */

static bool
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
skip_ws(json_scanner *sc)
{
	while (sc->pos < sc->len && is_ws(sc->s[sc->pos]))
		sc->pos++;
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p (at least 4 bytes available), or -1. */
static long
hex4(const unsigned char *p)
{
	long		v = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		int			h = hex_value(p[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * Check one non-ASCII UTF-8 sequence at sc->pos; on success return its
 * length (2..4), else report the error (offset: the sequence's first byte)
 * and return 0.
 */
static int
check_utf8(json_scanner *sc, kp_status *st)
{
	const unsigned char *p = sc->s + sc->pos;
	size_t		avail = sc->len - sc->pos;
	long		lpos = (long) sc->pos;
	unsigned char c = p[0];
	int			need;
	int			i;
	char		hex[32];

	if (c >= 0x80 && c <= 0xBF)
	{
		*st = scan_fail(sc, sc->pos, UTF8_AT "byte 0x%02X is a continuation byte with no lead byte.",
						lpos, (unsigned) c);
		return 0;
	}
	if (c == 0xC0 || c == 0xC1)
	{
		hex_bytes(p, avail < 2 ? avail : 2, hex, sizeof(hex));
		*st = scan_fail(sc, sc->pos, UTF8_AT "the sequence %s is an overlong encoding.",
						lpos, hex);
		return 0;
	}
	if (c >= 0xF5)
	{
		*st = scan_fail(sc, sc->pos, UTF8_AT "byte 0x%02X never appears in UTF-8 (it would encode a code point above U+10FFFF or is not a lead byte).",
						lpos, (unsigned) c);
		return 0;
	}
	need = (c < 0xE0) ? 2 : (c < 0xF0) ? 3 : 4;
	for (i = 1; i < need; i++)
	{
		if ((size_t) i >= avail)
		{
			hex_bytes(p, (size_t) i, hex, sizeof(hex));
			*st = scan_fail(sc, sc->pos, UTF8_AT "the sequence %s is truncated by the end of the input.",
							lpos, hex);
			return 0;
		}
		if ((p[i] & 0xC0) != 0x80)
		{
			hex_bytes(p, (size_t) i + 1, hex, sizeof(hex));
			*st = scan_fail(sc, sc->pos, UTF8_AT "the sequence %s is truncated (byte %d is not a continuation byte).",
							lpos, hex, i + 1);
			return 0;
		}
	}
	hex_bytes(p, (size_t) need, hex, sizeof(hex));
	if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xF0 && p[1] < 0x90))
	{
		*st = scan_fail(sc, sc->pos, UTF8_AT "the sequence %s is an overlong encoding.",
						lpos, hex);
		return 0;
	}
	if (c == 0xED && p[1] >= 0xA0)
	{
		*st = scan_fail(sc, sc->pos, UTF8_AT "the sequence %s encodes a UTF-16 surrogate.",
						lpos, hex);
		return 0;
	}
	if (c == 0xF4 && p[1] >= 0x90)
	{
		*st = scan_fail(sc, sc->pos, UTF8_AT "the sequence %s encodes a code point above U+10FFFF.",
						lpos, hex);
		return 0;
	}
	return need;
}

/* Encode a code point (no surrogate, <= 0x10FFFF) as UTF-8; returns length. */
static int
utf8_encode(unsigned long cp, unsigned char *out)
{
	if (cp < 0x80)
	{
		out[0] = (unsigned char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (unsigned char) (0xC0 | (cp >> 6));
		out[1] = (unsigned char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (unsigned char) (0xE0 | (cp >> 12));
		out[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char) (0xF0 | (cp >> 18));
	out[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (unsigned char) (0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Escape sequence at sc->pos (a backslash).  Appends the unescaped bytes to
 * the arena (when keep) and advances past the escape.
 */
static kp_status
scan_escape(json_scanner *sc, bool keep)
{
	const unsigned char *p = sc->s + sc->pos;
	size_t		avail = sc->len - sc->pos;
	long		lpos = (long) sc->pos;
	unsigned char out[4];
	int			n = 1;
	size_t		used = 2;
	long		cp = -1;

	if (avail < 2)
		return scan_fail(sc, sc->len, SYNTAX_AT "unexpected end of input inside a string.",
						 (long) sc->len);
	switch (p[1])
	{
		case '"':
		case '\\':
		case '/':
			out[0] = p[1];
			break;
		case 'b':
			out[0] = '\b';
			break;
		case 'f':
			out[0] = '\f';
			break;
		case 'n':
			out[0] = '\n';
			break;
		case 'r':
			out[0] = '\r';
			break;
		case 't':
			out[0] = '\t';
			break;
		case 'u':
			if (avail < 6 || (cp = hex4(p + 2)) < 0)
			{
				if (avail < 6)
				{
					size_t		k;

					/* only hex digits until the end: input ends too early */
					for (k = 2; k < avail && hex_value(p[k]) >= 0; k++)
						;
					if (k == avail)
						return scan_fail(sc, sc->len, SYNTAX_AT "unexpected end of input inside a \\u escape.",
										 (long) sc->len);
				}
				return scan_fail(sc, sc->pos, SYNTAX_AT "a \\u escape must be followed by four hexadecimal digits.",
								 lpos);
			}
			if (cp == 0)
				return scan_fail(sc, sc->pos, SYNTAX_AT "the escape \\u0000 (a NUL character) is not allowed.",
								 lpos);
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return scan_fail(sc, sc->pos, SYNTAX_AT "the escape \\u%.4s is a low surrogate that does not follow a high surrogate.",
								 lpos, (const char *) p + 2);
			used = 6;
			if (cp >= 0xD800 && cp <= 0xDBFF)
			{
				long		lo = -1;

				if (avail >= 12 && p[6] == '\\' && p[7] == 'u')
					lo = hex4(p + 8);
				if (lo < 0xDC00 || lo > 0xDFFF)
					return scan_fail(sc, sc->pos, SYNTAX_AT "the escape \\u%.4s is a high surrogate not followed by a low surrogate escape (\\uDC00 to \\uDFFF).",
									 lpos, (const char *) p + 2);
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				used = 12;
			}
			n = utf8_encode((unsigned long) cp, out);
			break;
		default:
			{
				char		what[40];

				describe_byte(p[1], what, sizeof(what));
				return scan_fail(sc, sc->pos, SYNTAX_AT "invalid escape: a backslash followed by %s; the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX.",
								 lpos, what);
			}
	}
	if (keep && !arena_append(sc, out, (size_t) n))
		return scan_nomem(sc);
	sc->pos += used;
	return KP_OK;
}

/*
 * None of eight bytes at p ends a run of plain string bytes: no '"', no
 * backslash, no control character, no byte >= 0x80 (tested on a 64-bit
 * word; exact for bytes below 0x80, and a byte >= 0x80 is caught by its
 * high bit).
 */
static inline bool
plain8(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t	x;
	uint64_t	q;
	uint64_t	b;

	memcpy(&x, p, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return ((x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) |
			 ((b - ones) & ~b)) & highs) == 0;
}

/*
 * String at sc->pos (the opening quote).  When keep, the unescaped bytes are
 * appended to the arena (the caller adds the NUL).
 */
static kp_status
scan_string(json_scanner *sc, bool keep)
{
	size_t		start = sc->pos;
	kp_status	st;

	sc->pos++;
	for (;;)
	{
		size_t		run = sc->pos;
		unsigned char c;

		/* a run of plain ASCII, eight bytes at a time, then byte by byte */
		while (sc->len - sc->pos >= 8 && plain8(sc->s + sc->pos))
			sc->pos += 8;
		while (sc->pos < sc->len)
		{
			c = sc->s[sc->pos];
			if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
				break;
			sc->pos++;
		}
		if (sc->pos >= sc->len)
			return scan_fail(sc, sc->len, SYNTAX_AT "unexpected end of input inside the string that starts at byte offset %ld.",
							 (long) sc->len, (long) start);
		c = sc->s[sc->pos];
		if (c >= 0x80)
		{
			int			n = check_utf8(sc, &st);

			if (n == 0)
				return st;
			sc->pos += n;
		}
		if (keep && sc->pos > run &&
			!arena_append(sc, sc->s + run, sc->pos - run))
			return scan_nomem(sc);
		if (c >= 0x80)
			continue;
		if (c == '"')
		{
			sc->pos++;
			return KP_OK;
		}
		if (c == '\\')
		{
			st = scan_escape(sc, keep);
			if (st != KP_OK)
				return st;
			continue;
		}
		/* c < 0x20 */
		return scan_fail(sc, sc->pos, SYNTAX_AT "unescaped control character U+%04X inside a string; write it as an escape such as \\n or \\u%04X.",
						 (long) sc->pos, (unsigned) c, (unsigned) c);
	}
}

/* Object key at sc->pos (a '"'): scan, unescape and check for duplicates. */
static kp_status
scan_key(json_scanner *sc, json_frame *f)
{
	size_t		start = sc->pos;
	size_t		off = sc->arena_len;
	kp_status	st;
	json_key   *k;
	bool		dup = false;

	if (f->n_keys == f->cap_keys)
	{
		int			cap = f->cap_keys > 0 ? f->cap_keys * 2 : 16;
		json_key   *nk;

		if (cap <= f->cap_keys)
			return scan_nomem(sc);
		nk = realloc(f->keys, (size_t) cap * sizeof(json_key));
		if (nk == NULL)
			return scan_nomem(sc);
		f->keys = nk;
		f->cap_keys = cap;
	}
	st = scan_string(sc, true);
	if (st != KP_OK)
		return st;
	k = &f->keys[f->n_keys];
	k->off = off;
	k->len = sc->arena_len - off;
	k->left = -1;
	k->right = -1;
	k->height = 1;
	if (!arena_append(sc, "", 1))
		return scan_nomem(sc);
	f->root = avl_insert(sc->arena, f, f->root, f->n_keys, &dup);
	if (dup)
	{
		char		path[KP_PATH_LEN];
		char		shown[QUOTE_MAX * 2];

		/* the key as written, between its quotes */
		quote_text(sc->s + start + 1, sc->pos - start - 2, shown, sizeof(shown));
		build_path(sc, path);
		if (path[0] != '\0')
			return kp_fail(sc->err, KP_ERR_MALFORMED, KP_JSON_MESSAGE, path,
						   (long) start,
						   "Duplicate object key \"%s\" at byte offset %ld (path %s): a key may appear only once in an object.",
						   shown, (long) start, path);
		return kp_fail(sc->err, KP_ERR_MALFORMED, KP_JSON_MESSAGE, path,
					   (long) start,
					   "Duplicate object key \"%s\" at byte offset %ld (top level): a key may appear only once in an object.",
					   shown, (long) start);
	}
	f->cur_key = f->n_keys++;
	return KP_OK;
}

/*
 * Does the decimal 0.<digits> * 10^exp10 round to infinity as a double?
 * digits are the significant digits starting at the first non-zero one:
 * s[a0..a1) then s[b0..b1) (the integer part's rest, then the fraction).
 */
static bool
double_overflows(const unsigned char *s, size_t a0, size_t a1,
				 size_t b0, size_t b1, long long exp10)
{
	size_t		k;

	if (exp10 != DBL_OVERFLOW_EXP10)
		return exp10 > DBL_OVERFLOW_EXP10;
	for (k = 0; k < sizeof(dbl_overflow_digits) - 1; k++)
	{
		unsigned char d;

		if (a0 < a1)
			d = s[a0++];
		else if (b0 < b1)
			d = s[b0++];
		else
			d = '0';
		if (d != (unsigned char) dbl_overflow_digits[k])
			return d > (unsigned char) dbl_overflow_digits[k];
	}
	return true;				/* equal to the midpoint, or above */
}

/* Integers: json-c holds them as int64, of at most 19 digits. */
#define INT64_MAX_DIGITS 19
#define INT64_MAX_TEXT "9223372036854775807"
#define INT64_MIN_MAGNITUDE_TEXT "9223372036854775808"
/* An exponent this large is far beyond any limit: stop accumulating digits. */
#define EXPONENT_SATURATION 1000000000000000LL

/* The parts of a number as the RFC 8259 grammar splits it. */
typedef struct num_lex
{
	size_t		start;			/* '-' or the first digit */
	bool		neg;
	size_t		int0,			/* integer digits s[int0..int1) */
				int1;
	bool		has_frac;
	size_t		frac0,			/* fraction digits s[frac0..frac1) */
				frac1;
	bool		has_exp;
	long long	exp;			/* the exponent, saturated */
} num_lex;

/* The grammar of a number at sc->pos; on success sc->pos is just past it. */
static kp_status
lex_number(json_scanner *sc, num_lex *n)
{
	const unsigned char *s = sc->s;
	size_t		len = sc->len;
	size_t		pos = sc->pos;

	memset(n, 0, sizeof(*n));
	n->start = pos;
	if (s[pos] == '-')
	{
		n->neg = true;
		pos++;
		if (pos < len && s[pos] == 'I' && has_word(sc, pos, "Infinity"))
			return scan_fail(sc, n->start, SYNTAX_AT "-Infinity is not a valid JSON value.",
							 (long) n->start);
		if (pos >= len || !is_digit(s[pos]))
		{
			sc->pos = pos;
			return unexpected(sc, "a digit after '-'");
		}
	}
	n->int0 = pos;
	if (s[pos] == '0')
	{
		pos++;
		if (pos < len && is_digit(s[pos]))
			return scan_fail(sc, pos, SYNTAX_AT "leading zeros are not allowed in numbers.",
							 (long) pos);
	}
	else
	{
		while (pos < len && is_digit(s[pos]))
			pos++;
	}
	n->int1 = pos;
	if (pos < len && s[pos] == '.')
	{
		pos++;
		n->has_frac = true;
		n->frac0 = pos;
		while (pos < len && is_digit(s[pos]))
			pos++;
		n->frac1 = pos;
		if (n->frac0 == n->frac1)
		{
			sc->pos = pos;
			return unexpected(sc, "a digit after the decimal point");
		}
	}
	if (pos < len && (s[pos] == 'e' || s[pos] == 'E'))
	{
		bool		eneg = false;
		size_t		e0;

		pos++;
		n->has_exp = true;
		if (pos < len && (s[pos] == '+' || s[pos] == '-'))
			eneg = (s[pos++] == '-');
		e0 = pos;
		while (pos < len && is_digit(s[pos]))
		{
			if (n->exp < EXPONENT_SATURATION)
				n->exp = n->exp * 10 + (s[pos] - '0');
			pos++;
		}
		if (pos == e0)
		{
			sc->pos = pos;
			return unexpected(sc, "a digit in the exponent");
		}
		if (eneg)
			n->exp = -n->exp;
	}
	sc->pos = pos;
	return KP_OK;
}

/* An integer (no fraction, no exponent) must fit in int64. */
static kp_status
check_int64_range(json_scanner *sc, const num_lex *n, const char *shown)
{
	size_t		nd = n->int1 - n->int0;
	const char *lim = n->neg ? INT64_MIN_MAGNITUDE_TEXT : INT64_MAX_TEXT;

	if (nd > INT64_MAX_DIGITS ||
		(nd == INT64_MAX_DIGITS && memcmp(sc->s + n->int0, lim, INT64_MAX_DIGITS) > 0))
		return scan_fail(sc, n->start, SYNTAX_AT "the integer %s is outside the 64-bit range (-9223372036854775808 to 9223372036854775807).",
						 (long) n->start, shown);
	return KP_OK;
}

/* A number with a fraction or an exponent must not overflow a double. */
static kp_status
check_double_range(json_scanner *sc, const num_lex *n, const char *shown)
{
	const unsigned char *s = sc->s;
	size_t		i = n->int0;
	long long	exp10;

	/* find the first significant digit */
	while (i < n->int1 && s[i] == '0')
		i++;
	if (i < n->int1)
	{
		exp10 = (long long) (n->int1 - i) + n->exp;
		if (double_overflows(s, i, n->int1, n->frac0, n->frac1, exp10))
			return scan_fail(sc, n->start, SYNTAX_AT "the number %s is too large (it overflows a double).",
							 (long) n->start, shown);
		return KP_OK;
	}
	i = n->frac0;
	while (i < n->frac1 && s[i] == '0')
		i++;
	/* all zero: the value is 0 */
	if (i < n->frac1)
	{
		exp10 = n->exp - (long long) (i - n->frac0);
		if (double_overflows(s, i, n->frac1, 0, 0, exp10))
			return scan_fail(sc, n->start, SYNTAX_AT "the number %s is too large (it overflows a double).",
							 (long) n->start, shown);
	}
	return KP_OK;
}

/*
 * Number at sc->pos ('-' or a digit).  When building, its text goes to the
 * arena and the node to pend[].
 */
static kp_status
scan_number(json_scanner *sc)
{
	num_lex		n;
	kp_status	st;
	char		shown[QUOTE_MAX * 2];
	bool		is_int;
	size_t		off = sc->arena_len;
	kp_jv		v;

	st = lex_number(sc, &n);
	if (st != KP_OK)
		return st;
	is_int = !n.has_frac && !n.has_exp;
	quote_text(sc->s + n.start, sc->pos - n.start, shown, sizeof(shown));
	st = is_int ? check_int64_range(sc, &n, shown) :
		check_double_range(sc, &n, shown);
	if (st != KP_OK)
		return st;
	if (!sc->build)
		return KP_OK;
	if (!arena_append(sc, sc->s + n.start, sc->pos - n.start) ||
		!arena_append(sc, "", 1))
		return scan_nomem(sc);
	v = scalar_node(KP_JV_NUMBER, is_int ? KP_JV_F_INT : 0);
	v.u.str = sc->arena + off;
	v.len = (uint32_t) (sc->pos - n.start);
	return push_value(sc, &v);
}

/* true, false or null at sc->pos. */
static kp_status
scan_literal(json_scanner *sc, const char *word)
{
	size_t		n = strlen(word);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (sc->pos + i >= sc->len || sc->s[sc->pos + i] != (unsigned char) word[i])
		{
			char		expected[32];

			snprintf(expected, sizeof(expected), "the literal '%s'", word);
			sc->pos += i;
			return unexpected(sc, expected);
		}
	}
	sc->pos += n;
	return KP_OK;
}

/* ------------------------------------------------------------------------
 * The scanner
 * ------------------------------------------------------------------------ */

/* Before the top-level '{': empty document, byte order mark, other values. */
static kp_status
scan_top_level_start(json_scanner *sc)
{
	unsigned char c;

	skip_ws(sc);
	if (sc->pos >= sc->len)
		return scan_fail(sc, sc->len, SYNTAX_AT "the document is empty; expected a JSON object.",
						 (long) sc->len);
	c = sc->s[sc->pos];
	if (c == '{')
		return KP_OK;
	if (sc->pos == 0 && has_word(sc, 0, "\xEF\xBB\xBF"))
		return scan_fail(sc, 0, SYNTAX_AT "the document starts with a UTF-8 byte order mark, which is not allowed.",
						 0L);
	if (c == '[' || c == '"' || c == '-' || is_digit(c) ||
		has_word(sc, sc->pos, "true") || has_word(sc, sc->pos, "false") ||
		has_word(sc, sc->pos, "null"))
		return scan_fail(sc, sc->pos, SYNTAX_AT "the top-level value must be a JSON object.",
						 (long) sc->pos);
	return bad_value_start(sc, "'{' (a JSON object)");
}

/* In an object, where a key or '}' may come (SS_MEMBER_OR_END, SS_MEMBER). */
static kp_status
scan_member(json_scanner *sc, json_frame *f, unsigned char c, scan_state *state)
{
	kp_status	st;

	if (sc->pos < sc->len && c == '}')
	{
		if (*state == SS_MEMBER)
			return scan_fail(sc, sc->last_comma, SYNTAX_AT "trailing comma before '}'.",
							 (long) sc->last_comma);
		st = pop_frame(sc);
		if (st != KP_OK)
			return st;
		sc->pos++;
		*state = SS_AFTER_VALUE;
		return KP_OK;
	}
	if (sc->pos >= sc->len || c != '"')
		return bad_value_start(sc, *state == SS_MEMBER ?
							   "an object key (a string in double quotes)" :
							   "an object key (a string in double quotes) or '}'");
	st = scan_key(sc, f);
	if (st != KP_OK)
		return st;
	skip_ws(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
		return unexpected(sc, "':' after the object key");
	sc->pos++;
	f->key_active = true;
	*state = SS_VALUE;
	return KP_OK;
}

/* After a value: ',' or the end of the container (SS_AFTER_VALUE). */
static kp_status
scan_after_value(json_scanner *sc, json_frame *f, unsigned char c,
				 scan_state *state)
{
	if (sc->pos < sc->len && c == ',')
	{
		sc->last_comma = sc->pos;
		sc->pos++;
		if (f->is_object)
		{
			f->key_active = false;
			*state = SS_MEMBER;
		}
		else
		{
			f->index++;
			*state = SS_ELEMENT;
		}
		return KP_OK;
	}
	if (sc->pos < sc->len && c == (f->is_object ? '}' : ']'))
	{
		sc->pos++;
		return pop_frame(sc);
	}
	return unexpected(sc, f->is_object ? "',' or '}'" : "',' or ']'");
}

/* Where a value may come (SS_VALUE, SS_ELEMENT, SS_ELEMENT_OR_END): a
 * scalar, the start of a container, or the end of an array. */
static kp_status
scan_value(json_scanner *sc, json_frame *f, unsigned char c, scan_state *state)
{
	kp_status	st;

	if (sc->pos < sc->len && c == ']' && !f->is_object)
	{
		if (*state == SS_ELEMENT)
			return scan_fail(sc, sc->last_comma, SYNTAX_AT "trailing comma before ']'.",
							 (long) sc->last_comma);
		if (*state == SS_ELEMENT_OR_END)
		{
			st = pop_frame(sc);
			if (st != KP_OK)
				return st;
			sc->pos++;
			*state = SS_AFTER_VALUE;
			return KP_OK;
		}
	}
	if (sc->pos >= sc->len)
		return unexpected(sc, *state == SS_ELEMENT_OR_END ?
						  "a value or ']'" : "a value");
	switch (c)
	{
		case '{':
		case '[':
			st = push_frame(sc, c == '{');
			if (st != KP_OK)
				return st;
			sc->pos++;
			*state = (c == '{') ? SS_MEMBER_OR_END : SS_ELEMENT_OR_END;
			return KP_OK;
		case '"':
			{
				size_t		off = sc->arena_len;

				st = scan_string(sc, sc->build);
				if (st == KP_OK && sc->build)
				{
					kp_jv		v = scalar_node(KP_JV_STRING, 0);

					v.u.str = sc->arena + off;
					v.len = (uint32_t) (sc->arena_len - off);
					st = arena_append(sc, "", 1) ? push_value(sc, &v) :
						scan_nomem(sc);
				}
				break;
			}
		case 't':
			st = scan_literal(sc, "true");
			if (st == KP_OK && sc->build)
			{
				kp_jv		v = scalar_node(KP_JV_BOOL, KP_JV_F_TRUE);

				st = push_value(sc, &v);
			}
			break;
		case 'f':
			st = scan_literal(sc, "false");
			if (st == KP_OK && sc->build)
			{
				kp_jv		v = scalar_node(KP_JV_BOOL, 0);

				st = push_value(sc, &v);
			}
			break;
		case 'n':
			st = scan_literal(sc, "null");
			if (st == KP_OK && sc->build)
			{
				kp_jv		v = scalar_node(KP_JV_NULL, 0);

				st = push_value(sc, &v);
			}
			break;
		default:
			if (c == '-' || is_digit(c))
				st = scan_number(sc);
			else
				st = bad_value_start(sc, *state == SS_ELEMENT_OR_END ?
									 "a value or ']'" : "a value");
			break;
	}
	if (st != KP_OK)
		return st;
	*state = SS_AFTER_VALUE;
	return KP_OK;
}

static kp_status
scan_document(json_scanner *sc)
{
	scan_state	state;
	kp_status	st;

	st = scan_top_level_start(sc);
	if (st != KP_OK)
		return st;
	st = push_frame(sc, true);
	if (st != KP_OK)
		return st;
	sc->pos++;
	state = SS_MEMBER_OR_END;

	while (sc->depth > 0)
	{
		json_frame *f = &sc->frames[sc->depth - 1];
		unsigned char c;

		skip_ws(sc);
		c = sc->pos < sc->len ? sc->s[sc->pos] : 0;
		if (state == SS_MEMBER_OR_END || state == SS_MEMBER)
			st = scan_member(sc, f, c, &state);
		else if (state == SS_AFTER_VALUE)
			st = scan_after_value(sc, f, c, &state);
		else
			st = scan_value(sc, f, c, &state);
		if (st != KP_OK)
			return st;
	}

	skip_ws(sc);
	if (sc->pos < sc->len)
	{
		char		what[40];

		describe_byte(sc->s[sc->pos], what, sizeof(what));
		return scan_fail(sc, sc->pos, SYNTAX_AT "unexpected %s after the end of the top-level object; only whitespace may follow it.",
						 (long) sc->pos, what);
	}
	return KP_OK;
}

/* ------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------ */

kp_status
kp_json_parse_strict(const char *doc, size_t len, int max_depth,
					 struct json_object **out, kp_error *err)
{
	json_scanner sc;
	kp_status	st;
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t		end;

	if (out != NULL)
		*out = NULL;
	kp_error_clear(err);
	if (doc == NULL)
		len = 0;
	if (max_depth <= 0)
		max_depth = KP_DEFAULT_MAX_DEPTH;

	memset(&sc, 0, sizeof(sc));
	sc.s = (const unsigned char *) doc;
	sc.len = len;
	sc.max_depth = max_depth;
	sc.err = err;
	sc.arena_cap = len + 1;
	sc.arena = malloc(sc.arena_cap);
	if (sc.arena == NULL)
		return scan_nomem(&sc);
	st = scan_document(&sc);
	free_frames(&sc);
	free(sc.arena);
	if (st != KP_OK)
		return st;

	/* json_tokener_parse_ex takes an int length */
	if (len >= (size_t) INT_MAX)
		return kp_fail(err, KP_ERR_MALFORMED, KP_JSON_MESSAGE, NULL, -1,
					   "The JSON document is too large to parse (%zu bytes).",
					   len);

	/*
	 * The scanner accepted the document: json-c builds the tree.  Its depth
	 * limit only needs to cover the nesting actually seen.
	 */
	tok = json_tokener_new_ex(sc.max_seen + 1);
	if (tok == NULL)
		return kp_fail(err, KP_ERR_NOMEM, KP_NOMEM_MESSAGE, NULL, -1,
					   "Memory allocation failed while creating the JSON tokenizer.");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, doc, (int) len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	/*
	 * The top level is an object, so its '}' ends parsing and json-c needs no
	 * terminating NUL; what follows it is whitespace (checked above).  Any
	 * other outcome would be a disagreement between the scanner and json-c:
	 * refuse rather than trust either.  (json-c 0.16 has no distinct error
	 * code for a failed allocation inside the tokener; such a failure ends
	 * up here too.)
	 */
	if (obj == NULL || jerr != json_tokener_success ||
		!json_object_is_type(obj, json_type_object))
	{
		if (obj != NULL)
			json_object_put(obj);
		return kp_fail(err, KP_ERR_MALFORMED, KP_JSON_MESSAGE, NULL,
					   (long) end, SYNTAX_AT "%s.", (long) end,
					   jerr == json_tokener_success ? "the top-level value is not an object" :
					   jerr == json_tokener_continue ? "unexpected end of input" :
					   json_tokener_error_desc(jerr));
	}
	if (out != NULL)
		*out = obj;
	else
		json_object_put(obj);
	return KP_OK;
}

kp_status
kp_jdom_parse(const char *doc, size_t len, int max_depth, kp_jdom **out,
			  kp_error *err)
{
	json_scanner sc;
	kp_status	st;
	kp_jdom    *dom;
	size_t		i;

	*out = NULL;
	kp_error_clear(err);
	if (doc == NULL)
		len = 0;
	if (max_depth <= 0)
		max_depth = KP_DEFAULT_MAX_DEPTH;
	/* nodes hold lengths as uint32_t; a policy is far smaller */
	if (len >= (size_t) INT_MAX)
		return kp_fail(err, KP_ERR_MALFORMED, KP_JSON_MESSAGE, NULL, -1,
					   "The JSON document is too large to parse (%zu bytes).",
					   len);

	memset(&sc, 0, sizeof(sc));
	sc.s = (const unsigned char *) doc;
	sc.len = len;
	sc.max_depth = max_depth;
	sc.err = err;
	sc.build = true;

	/* the document and its arena in one allocation, the nodes in another */
	dom = malloc(offsetof(kp_jdom, arena) + len + 1);
	if (dom == NULL)
		return scan_nomem(&sc);
	sc.arena = dom->arena;
	sc.arena_cap = len + 1;
	/* about one value per 16 bytes of a policy: rarely a second realloc */
	if (!grow_nodes(&sc.nodes, &sc.cap_nodes, len / 16 + 16))
	{
		free(dom);
		return scan_nomem(&sc);
	}

	st = scan_document(&sc);
	free_frames(&sc);
	if (st != KP_OK)
	{
		free(sc.pend);
		free(sc.nodes);
		free(dom);
		return st;
	}

	/*
	 * The root is the one value left on pend[]; closing it reserved its
	 * place at the end of nodes[].  Then the children's indices become
	 * pointers: nodes[] no longer moves.
	 */
	sc.nodes[sc.n_nodes++] = sc.pend[0];
	free(sc.pend);
	for (i = 0; i < sc.n_nodes; i++)
	{
		kp_jv	   *v = &sc.nodes[i];

		if (v->type == KP_JV_ARRAY || v->type == KP_JV_OBJECT)
			v->u.kids = sc.nodes + v->u.first;
	}
	dom->nodes = sc.nodes;
	dom->n_nodes = sc.n_nodes;
	dom->root = &sc.nodes[sc.n_nodes - 1];
	*out = dom;
	return KP_OK;
}

void
kp_jdom_free(kp_jdom *dom)
{
	if (dom == NULL)
		return;
	free(dom->nodes);
	free(dom);
}

const kp_jv *
kp_jdom_root(const kp_jdom *dom)
{
	return dom->root;
}

size_t
kp_jdom_size(const kp_jdom *dom)
{
	return dom->n_nodes;
}
