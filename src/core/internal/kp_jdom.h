/*
 * kp_jdom.h -- the read-only JSON document the strict scanner builds
 * (policy core, internal: kp_json.c builds it, kp_validate.c walks it).
 *
 * kp_jdom_parse runs the strict scanner of kp_json.c over a document once:
 * the same pass that refuses everything RFC 8259 forbids (see kp.h,
 * kp_json_parse_strict) builds the tree, so no second parser runs.  The
 * result is one array of kp_jv nodes and one byte arena holding every
 * string, already unescaped and NUL-terminated, and every number's text:
 *
 *	- the children of an array or object are contiguous in the node array,
 *	  so item i and member i are O(1);
 *	- object members keep document order (the scanner refused duplicate
 *	  keys), and each member node carries its key;
 *	- numbers keep their text exactly as written ("1.0", "1e3", "-0"); the
 *	  node says whether it is an integer (no fraction, no exponent), which
 *	  the scanner has checked fits in int64, or a finite double.
 *
 * Everything is released by kp_jdom_free; pointers into the document (nodes,
 * strings, keys) are valid until then.  Nothing here is a mutable global.
 */
#ifndef KP_JDOM_H
#define KP_JDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kp.h"

typedef enum kp_jv_kind
{
	KP_JV_NULL = 0,
	KP_JV_BOOL,
	KP_JV_NUMBER,
	KP_JV_STRING,
	KP_JV_ARRAY,
	KP_JV_OBJECT
} kp_jv_kind;

/* kp_jv.flags */
#define KP_JV_F_TRUE	0x01	/* a boolean: true */
#define KP_JV_F_INT		0x02	/* a number: an integer (no '.', no exponent) */

/* One value.  Read it through the functions below. */
typedef struct kp_jv kp_jv;
struct kp_jv
{
	uint8_t		type;			/* kp_jv_kind */
	uint8_t		flags;			/* KP_JV_F_* */
	uint32_t	len;			/* string, number: bytes (without the NUL);
								 * array, object: items, members */
	uint32_t	key_len;		/* a member of an object: its key's bytes */
	union
	{
		const char *str;		/* string (unescaped), number (as written) */
		const kp_jv *kids;		/* array, object: the first child */
		size_t		first;		/* (while building: index of the first child) */
	}			u;
	const char *key;			/* a member of an object: its key
								 * (unescaped); else NULL */
};

/* A parsed document. */
typedef struct kp_jdom kp_jdom;

/*
 * Parse doc[0..len) as strict JSON whose top level is an object (the rules,
 * errors and offsets of kp_json_parse_strict) and build its tree.  On
 * success *out is the document (release with kp_jdom_free); on error *out is
 * NULL and err is filled (KP_ERR_MALFORMED, or KP_ERR_NOMEM).
 */
extern kp_status kp_jdom_parse(const char *doc, size_t len, int max_depth,
							   kp_jdom **out, kp_error *err);
extern void kp_jdom_free(kp_jdom *dom);

/* The top-level object. */
extern const kp_jv *kp_jdom_root(const kp_jdom *dom);
/* How many values the document holds (the root included). */
extern size_t kp_jdom_size(const kp_jdom *dom);

static inline kp_jv_kind
kp_jv_type(const kp_jv *v)
{
	return (kp_jv_kind) v->type;
}

static inline bool
kp_jv_is(const kp_jv *v, kp_jv_kind kind)
{
	return v->type == (uint8_t) kind;
}

/* A boolean's value (false for anything else). */
static inline bool
kp_jv_bool(const kp_jv *v)
{
	return v->type == KP_JV_BOOL && (v->flags & KP_JV_F_TRUE) != 0;
}

/* A string's bytes, unescaped and NUL-terminated (NULL for a non-string). */
static inline const char *
kp_jv_string(const kp_jv *v)
{
	return v->type == KP_JV_STRING ? v->u.str : NULL;
}

static inline size_t
kp_jv_string_len(const kp_jv *v)
{
	return v->type == KP_JV_STRING ? v->len : 0;
}

/* A number's text as written in the document (NULL for a non-number). */
static inline const char *
kp_jv_number_text(const kp_jv *v)
{
	return v->type == KP_JV_NUMBER ? v->u.str : NULL;
}

/* A number without fraction or exponent (it fits in int64). */
static inline bool
kp_jv_number_is_int(const kp_jv *v)
{
	return v->type == KP_JV_NUMBER && (v->flags & KP_JV_F_INT) != 0;
}

/* Items of an array (0 for a non-array). */
static inline size_t
kp_jv_array_len(const kp_jv *v)
{
	return v->type == KP_JV_ARRAY ? v->len : 0;
}

/* Item i of an array, or NULL when out of range or not an array. */
static inline const kp_jv *
kp_jv_array_item(const kp_jv *v, size_t i)
{
	return (v->type == KP_JV_ARRAY && i < v->len) ? &v->u.kids[i] : NULL;
}

/* Members of an object (0 for a non-object). */
static inline size_t
kp_jv_object_len(const kp_jv *v)
{
	return v->type == KP_JV_OBJECT ? v->len : 0;
}

/*
 * Member i of an object in document order (its value; kp_jv_key gives its
 * key), or NULL when out of range or not an object.
 */
static inline const kp_jv *
kp_jv_member(const kp_jv *obj, size_t i)
{
	return (obj->type == KP_JV_OBJECT && i < obj->len) ? &obj->u.kids[i] : NULL;
}

/* The key of a member value (NUL-terminated), NULL for a non-member. */
static inline const char *
kp_jv_key(const kp_jv *member)
{
	return member->key;
}

static inline size_t
kp_jv_key_len(const kp_jv *member)
{
	return member->key_len;
}

/*
 * The value of the member named key (exact bytes), or NULL when there is
 * none or obj is not an object.  A linear search over the members: the
 * validator looks keys up in objects whose members it has already checked
 * against a short fixed list, or once per object.
 */
static inline const kp_jv *
kp_jv_get_member_n(const kp_jv *obj, const char *key, size_t key_len)
{
	size_t		i;

	if (obj->type != KP_JV_OBJECT)
		return NULL;
	for (i = 0; i < obj->len; i++)
	{
		const kp_jv *m = &obj->u.kids[i];

		if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0)
			return m;
	}
	return NULL;
}

static inline const kp_jv *
kp_jv_get_member(const kp_jv *obj, const char *key)
{
	return kp_jv_get_member_n(obj, key, strlen(key));
}

/*
 * for each member m of obj, in document order:
 *	kp_jv_foreach_member(obj, m) { ... kp_jv_key(m) ... }
 * (nothing for a non-object)
 */
#define kp_jv_foreach_member(obj, m) \
	for (const kp_jv *m = kp_jv_member((obj), 0), \
		 *m##_end_ = m ? m + (obj)->len : NULL; \
		 m != NULL && m < m##_end_; m++)

#endif							/* KP_JDOM_H */
