/*
 * kp_compiled_format.h -- internal header of the policy core: the byte
 * layout of the compiled form (kp_compiled.h).
 *
 * Not for the glue (it uses kp_compiled.h).  The layout table is at the top
 * of kp_compiled.c, which writes and checks the bytes; kp_eval.c reads them.
 * Both use the offsets and readers below, so the layout lives in one place.
 *
 * Every integer is little-endian, at any address: the readers go through
 * bytes, never through a cast pointer, so a blob may start at an odd
 * address (a PostgreSQL varlena with a 1-byte header).
 */
#ifndef KP_COMPILED_FORMAT_H
#define KP_COMPILED_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kp.h"

/* ------------------------------------------------------------------------
 * Readers and writers of little-endian integers (any alignment)
 * ------------------------------------------------------------------------ */

static inline uint16_t
kp_rd16(const unsigned char *p)
{
	return (uint16_t) (p[0] | (p[1] << 8));
}

/*
 * 32 and 64 bits go through memcpy (one unaligned load where the machine
 * has them), then to the host's byte order.
 */
static inline uint32_t
kp_rd32(const unsigned char *p)
{
	uint32_t	v;

	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline uint64_t
kp_rd64(const unsigned char *p)
{
	uint64_t	v;

	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void
kp_wr16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char) v;
	p[1] = (unsigned char) (v >> 8);
}

static inline void
kp_wr32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char) v;
	p[1] = (unsigned char) (v >> 8);
	p[2] = (unsigned char) (v >> 16);
	p[3] = (unsigned char) (v >> 24);
}

static inline void
kp_wr64(unsigned char *p, uint64_t v)
{
	kp_wr32(p, (uint32_t) v);
	kp_wr32(p + 4, (uint32_t) (v >> 32));
}

/* ------------------------------------------------------------------------
 * Layout (see the table in kp_compiled.c)
 * ------------------------------------------------------------------------ */

#define KPC_MAGIC			"kpcb"	/* 4 bytes, no NUL */

/* "No string": the offset of an absent (NULL) string reference. */
#define KPC_NONE			0xFFFFFFFFu

/* String reference: u32 offset (from the blob's start), u32 length. */
#define KPC_STR_SIZE		8

/* Header. */
#define KPC_H_MAGIC			0
#define KPC_H_FORMAT		4	/* u16 */
#define KPC_H_FORMAT_NOT	6	/* u16, ~format */
#define KPC_H_CHECKSUM		8	/* u64, kp_compiled_checksum of [KPC_H_CHECKED, len) */
#define KPC_H_CHECKED		16	/* first byte the checksum covers */
#define KPC_H_LENGTH		16	/* u32 */
#define KPC_H_RULES			20	/* u32 */
#define KPC_H_DIALECT		24	/* u8 */
#define KPC_H_KIND			25	/* u8 */
#define KPC_H_VERSION		26	/* u8 */
#define KPC_H_FLAGS			27	/* u8, 0 */
#define KPC_H_N_STMT		28	/* u32 */
#define KPC_H_STMT_OFF		32	/* u32 */
#define KPC_H_STR_OFF		36	/* u32 */
#define KPC_H_STR_LEN		40	/* u32 */
#define KPC_H_ID			44	/* str */
#define KPC_H_RESERVED		52	/* u32, 0 */
#define KPC_HEADER_SIZE		56

/* Statement record. */
#define KPC_S_FLAGS			0	/* u32 */
#define KPC_S_SID			4	/* str */
#define KPC_S_PRIN_OFF		12	/* u32 */
#define KPC_S_N_PRIN		16	/* u32 */
#define KPC_S_ACT_OFF		20	/* u32, array of str */
#define KPC_S_N_ACT			24	/* u32 */
#define KPC_S_ACT_BITS		28	/* u64, bit i: kp_kms_action_names[i] */
#define KPC_S_RES_OFF		36	/* u32, array of value records */
#define KPC_S_N_RES			40	/* u32 */
#define KPC_S_COND_OFF		44	/* u32 */
#define KPC_S_N_COND		48	/* u32 */
#define KPC_STMT_SIZE		52

#define KPC_SF_ALLOW		0x01	/* Effect Allow (else Deny) */
#define KPC_SF_NOT_ACTION	0x02
#define KPC_SF_NOT_RESOURCE 0x04
#define KPC_SF_ALL			0x07

/* Principal record. */
#define KPC_P_KIND			0	/* u8, kp_principal_kind */
#define KPC_P_CLASS			1	/* u8, kpc_prin_class */
#define KPC_P_PAD			2	/* u16, 0 */
#define KPC_P_VALUE			4	/* str, as written */
#define KPC_P_ARN			12	/* str, the normalised ARN the matching uses */
#define KPC_P_PARTITION		20	/* span in ARN: u32 start, u32 length */
#define KPC_P_ACCOUNT		28	/* span */
#define KPC_P_NAME			36	/* span: the role name (class ROLE) */
#define KPC_PRIN_SIZE		44

/* How a principal matches, decided at compile time (kp_eval.c, principal_match). */
typedef enum kpc_prin_class
{
	KPC_PC_ANY = 0,				/* "*" or {"AWS": "*"}: every caller */
	KPC_PC_NULL,				/* no ARN at all: no caller */
	KPC_PC_SERVICE,				/* service principal */
	KPC_PC_EXACT,				/* matches only the caller ARN it names */
	KPC_PC_ACS_ACCOUNT,			/* "acs:ram::<acct>:*" */
	KPC_PC_AWS_ROOT,			/* "arn:<p>:iam::<acct>:root" */
	KPC_PC_AWS_ROLE,			/* "arn:<p>:...:role/...": also its sessions */
	KPC_PC_ACS_ROLE				/* "acs:...:role/...": also its sessions */
} kpc_prin_class;
#define KPC_PC_LAST			KPC_PC_ACS_ROLE

/* Condition record. */
#define KPC_C_OP			0	/* u8, kp_cond_op */
#define KPC_C_SET_OP		1	/* u8, kp_set_op */
#define KPC_C_IF_EXISTS		2	/* u8, 0 or 1 */
#define KPC_C_PAD			3	/* u8, 0 */
#define KPC_C_OP_TEXT		4	/* str */
#define KPC_C_KEY			12	/* str, as written */
#define KPC_C_KEY_LOWER		20	/* str, ASCII-lowercased */
#define KPC_C_KEY_HASH		28	/* u32, kp_key_hash of the key */
#define KPC_C_VAL_OFF		32	/* u32, array of value records */
#define KPC_C_N_VAL			36	/* u32 */
#define KPC_COND_SIZE		40

/* Value record (condition values and Resource patterns). */
#define KPC_V_TEXT			0	/* str, as written */
#define KPC_V_FLAGS			8	/* u8 */
#define KPC_V_TYPE			9	/* u8, kpc_value_type */
#define KPC_V_PAD			10	/* u16, 0 */
#define KPC_V_PAYLOAD		12	/* 24 bytes, by type */
#define KPC_VAL_SIZE		36

#define KPC_VF_DYNAMIC		0x01	/* has policy variables: expand when evaluated */
#define KPC_VF_PARSED		0x02	/* the payload holds the parsed operand */
#define KPC_VF_ALL			0x03

typedef enum kpc_value_type
{
	KPC_VT_TEXT = 0,			/* no payload: the text is the operand */
	KPC_VT_NUMBER,				/* u8 sign + 1, u8 0, u16 0, i64 exp at +4,
								 * str digits at +12 */
	KPC_VT_DATE,				/* i64 sec, i32 nsec at +8 */
	KPC_VT_IP,					/* u8 family, u8 prefix, 16 address bytes */
	KPC_VT_BOOL					/* u8 0 or 1 */
} kpc_value_type;
#define KPC_VT_LAST			KPC_VT_BOOL

/* ------------------------------------------------------------------------
 * Shared rules
 * ------------------------------------------------------------------------ */

static inline char
kp_ascii_lower_char(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : c;
}

/*
 * FNV-1a over the ASCII-lowercased key: the hash of the request context's
 * index (kp_eval.c) and of the condition keys of a compiled policy.
 */
static inline uint32_t
kp_key_hash(const char *key, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) kp_ascii_lower_char(key[i]);
		h *= 16777619u;
	}
	return h;
}

/*
 * The checksum of a compiled policy: FNV-1a widened to 64-bit words, each
 * step h = (h ^ word) * M, h ^= h >> 32 over the little-endian 8-byte words
 * (the last one zero-padded), then a final mix.  Every step is a bijection
 * of h for a fixed word and of the word for a fixed h, so a change confined
 * to one word -- any single changed byte -- always changes the checksum.
 * Eight bytes per step keep the check cheap enough to run on every read.
 */
#define KPC_HASH_MUL 0x9E3779B97F4A7C15ull

static inline uint64_t
kp_compiled_checksum(const unsigned char *p, size_t len)
{
	uint64_t	h = 14695981039346656037ull ^ (uint64_t) len;
	size_t		i = 0;

	for (; i + 8 <= len; i += 8)
	{
		h = (h ^ kp_rd64(p + i)) * KPC_HASH_MUL;
		h ^= h >> 32;
	}
	if (i < len)
	{
		uint64_t	w = 0;
		size_t		k;

		for (k = 0; i + k < len; k++)
			w |= (uint64_t) p[i + k] << (8 * k);
		h = (h ^ w) * KPC_HASH_MUL;
		h ^= h >> 32;
	}
	h ^= h >> 29;
	h *= KPC_HASH_MUL;
	h ^= h >> 32;
	return h;
}

/* ------------------------------------------------------------------------
 * Evaluation rules the compiler applies ahead of time (kp_eval.c)
 * ------------------------------------------------------------------------ */

/* A span inside a string of the blob: start offset in the string, length. */
typedef struct kpc_span
{
	uint32_t	start;
	uint32_t	len;
} kpc_span;

/* A principal as principal_match (kp_eval.c) needs it. */
typedef struct kpc_prin_prep
{
	kpc_prin_class cls;
	kpc_span	partition;		/* AWS_ROOT, *_ROLE */
	kpc_span	account;		/* ACS_ACCOUNT, AWS_ROOT, *_ROLE */
	kpc_span	name;			/* *_ROLE: the role name */
} kpc_prin_prep;

/*
 * Classify a principal: kind and parn, the ARN the matching uses (the
 * normalised ARN, else the value as written; may be NULL).
 */
extern void kp_eval_principal_prepare(kp_principal_kind kind, const char *parn,
									  kpc_prin_prep *out);

/* The operand type the values of op are parsed as (KPC_VT_TEXT: none). */
extern kpc_value_type kp_eval_operand_type(kp_cond_op op);

/* Whether the values of op expand policy variables (String, Arn, Bool). */
extern bool kp_eval_op_takes_vars(kp_cond_op op);

/* Whether a policy of this version has policy variables (2012-10-17). */
extern bool kp_eval_version_has_vars(kp_version version);

/* Whether text holds a policy variable ("${"). */
extern bool kp_eval_text_has_vars(const char *text);

#endif							/* KP_COMPILED_FORMAT_H */
