/*
 * kp_compiled.c -- the compiled form of policies: compiler and checker (policy core).
 *
 * kp_policy_compile turns a validated kp_policy tree (kp.h) into a byte
 * string that kp_eval.c evaluates in place; kp_compiled_check verifies such
 * bytes before they are evaluated.  The API is in kp_compiled.h, the
 * offsets in internal/kp_compiled_format.h.
 *
 * Layout (format 1).  Integers are little-endian, unaligned; "off" is an
 * offset from the first byte of the blob; "str" is a string reference,
 * u32 off + u32 len, whose bytes lie in the string area and are followed
 * by a NUL (off 0xFFFFFFFF: no string, a NULL of the tree).
 *
 *	Header (56 bytes)
 *	  0  4  magic "kpcb"
 *	  4  2  format (KP_COMPILED_FORMAT)
 *	  6  2  ~format (ones' complement: a flipped bit reads as corruption,
 *	        not as another format)
 *	  8  8  checksum of bytes [16, length): FNV-1a widened to 64-bit words
 *	        (kp_compiled_checksum, internal/kp_compiled_format.h); any
 *	        single changed byte changes it
 *	 16  4  length: of the whole blob
 *	 20  4  rules version (KP_RULES_VERSION, kp.h)
 *	 24  1  dialect (kp_dialect)      25 1 kind (kp_doc_kind)
 *	 26  1  version (kp_version)      27 1 flags, 0
 *	 28  4  number of statements
 *	 32  4  off of the statement table (56)
 *	 36  4  off of the string area (the string area runs to the end)
 *	 40  4  length of the string area
 *	 44  8  str Id
 *	 52  4  reserved, 0
 *	Records, from byte 56 to the string area, in this order: the statement
 *	table, then for each statement its principals, actions, resources and
 *	conditions, then the values of each of its conditions.  The checker
 *	insists on exactly this order (each array starts where the previous one
 *	ended), so every record is checked once and the check is O(size).
 *	  Statement (52 bytes)
 *	    0 4 flags: 1 Allow, 2 NotAction, 4 NotResource
 *	    4 8 str Sid
 *	   12 4 off principals   16 4 count
 *	   20 4 off actions (str each, the patterns as written)   24 4 count
 *	   28 8 action bitset: bit i set when some pattern matches the KMS
 *	        action kp_kms_action_names[i] (internal/kp_iam.h)
 *	   36 4 off resources (value records)   40 4 count
 *	   44 4 off conditions   48 4 count
 *	  Principal (44 bytes)
 *	    0 1 kind (kp_principal_kind)   1 1 class (kpc_prin_class)   2 2 0
 *	    4 8 str value as written
 *	   12 8 str ARN used for matching (the normalised ARN, else the value)
 *	   20 8 partition, 28 8 account, 36 8 role name: spans (u32 start,
 *	        u32 length) inside that ARN, as the class needs them
 *	  Condition (40 bytes)
 *	    0 1 operator (kp_cond_op)   1 1 set operator (kp_set_op)
 *	    2 1 IfExists   3 1 0
 *	    4 8 str operator as written   12 8 str key as written
 *	   20 8 str key ASCII-lowercased  28 4 kp_key_hash of the key
 *	   32 4 off values (value records)   36 4 count
 *	  Value (36 bytes): condition values and Resource patterns
 *	    0 8 str text as written
 *	    8 1 flags: 1 dynamic (policy variables, expanded when evaluated;
 *	        no payload), 2 parsed (the payload holds the operand)
 *	    9 1 type (kpc_value_type)   10 2 0
 *	   12 24 payload, by type, parsed with the kp_operand.h parsers:
 *	        number  u8 sign + 1, 3 bytes 0, i64 exponent, str digits
 *	        date    i64 seconds, i32 nanoseconds
 *	        ip      u8 family (4, 6), u8 prefix, 16 address bytes
 *	        bool    u8 0 or 1
 *	        text    nothing (string, ARN and binary operators use the text)
 *	        unused payload bytes are 0
 *	String area: every distinct string once, each followed by a NUL.
 *
 * Which principals match how, which values are parsed as what and which
 * have policy variables is decided by kp_eval.c's rules
 * (kp_eval_principal_prepare, kp_eval_operand_type, ...): the compiler
 * stores their answers, the evaluator uses them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_compiled.h"
#include "internal/kp_compiled_format.h"
#include "internal/kp_iam.h"
#include "internal/kp_operand.h"

/* ------------------------------------------------------------------------
 * Compiler
 * ------------------------------------------------------------------------ */

/* An interned string: its position in the string area. */
typedef struct intern_entry
{
	uint32_t	pos;
	uint32_t	len;
	uint32_t	hash;
	bool		has_bits;		/* act_bits computed (an Action pattern) */
	uint64_t	act_bits;
} intern_entry;

typedef struct builder
{
	unsigned char *rec;			/* the records, from KPC_HEADER_SIZE */
	size_t		rec_size;
	size_t		rec_pos;		/* next free record byte (offset in rec) */
	size_t		str_off;		/* absolute offset of the string area */
	unsigned char *str;			/* the string area */
	size_t		str_len;
	size_t		str_cap;
	intern_entry *entries;
	size_t		n_entries;
	size_t		cap_entries;
	uint32_t   *slots;			/* entry index + 1; 0 is empty */
	size_t		n_slots;
	bool		oom;
	bool		vars;			/* policy variables active */
} builder;

static uint32_t
bytes_hash(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 16777619u;
	}
	return h;
}

static bool
intern_grow(builder *b)
{
	size_t		n_slots = b->n_slots ? b->n_slots * 2 : 64;
	uint32_t   *slots = calloc(n_slots, sizeof(uint32_t));
	size_t		i;

	if (slots == NULL)
		return false;
	for (i = 0; i < b->n_entries; i++)
	{
		size_t		k = b->entries[i].hash & (n_slots - 1);

		while (slots[k] != 0)
			k = (k + 1) & (n_slots - 1);
		slots[k] = (uint32_t) (i + 1);
	}
	free(b->slots);
	b->slots = slots;
	b->n_slots = n_slots;
	return true;
}

/*
 * The absolute offset of s[0..len) in the string area, adding it (and its
 * NUL) when it is not there yet.  KPC_NONE when out of memory.  *entry (when
 * not NULL) receives the index of its entry.
 */
static uint32_t
intern_entry_of(builder *b, const char *s, size_t len, size_t *entry)
{
	uint32_t	h = bytes_hash(s, len);
	size_t		k;
	intern_entry *e;

	if (b->oom)
		return KPC_NONE;
	if ((b->n_entries + 1) * 2 > b->n_slots && !intern_grow(b))
		goto oom;
	for (k = h & (b->n_slots - 1); b->slots[k] != 0; k = (k + 1) & (b->n_slots - 1))
	{
		e = &b->entries[b->slots[k] - 1];
		if (e->hash == h && e->len == len && memcmp(b->str + e->pos, s, len) == 0)
		{
			if (entry != NULL)
				*entry = b->slots[k] - 1;
			return (uint32_t) (b->str_off + e->pos);
		}
	}
	if (len >= UINT32_MAX - 1 || b->str_len + len + 1 > UINT32_MAX)
		goto oom;
	if (b->str_len + len + 1 > b->str_cap)
	{
		size_t		cap = b->str_cap ? b->str_cap : 1024;
		unsigned char *n;

		while (cap < b->str_len + len + 1)
			cap *= 2;
		n = realloc(b->str, cap);
		if (n == NULL)
			goto oom;
		b->str = n;
		b->str_cap = cap;
	}
	if (b->n_entries == b->cap_entries)
	{
		size_t		cap = b->cap_entries ? b->cap_entries * 2 : 64;
		intern_entry *n = realloc(b->entries, cap * sizeof(intern_entry));

		if (n == NULL)
			goto oom;
		b->entries = n;
		b->cap_entries = cap;
	}
	e = &b->entries[b->n_entries];
	e->pos = (uint32_t) b->str_len;
	e->len = (uint32_t) len;
	e->hash = h;
	e->has_bits = false;
	e->act_bits = 0;
	if (entry != NULL)
		*entry = b->n_entries;
	memcpy(b->str + b->str_len, s, len);
	b->str[b->str_len + len] = '\0';
	b->str_len += len + 1;
	b->slots[k] = (uint32_t) (++b->n_entries);
	return (uint32_t) (b->str_off + e->pos);

oom:
	b->oom = true;
	return KPC_NONE;
}

static uint32_t
intern_span(builder *b, const char *s, size_t len)
{
	return intern_entry_of(b, s, len, NULL);
}

/* Write a string reference for s (NULL: no string). */
static void
put_str(builder *b, unsigned char *at, const char *s)
{
	if (s == NULL)
	{
		kp_wr32(at, KPC_NONE);
		kp_wr32(at + 4, 0);
		return;
	}
	kp_wr32(at, intern_span(b, s, strlen(s)));
	kp_wr32(at + 4, (uint32_t) strlen(s));
}

/* Reserve n records of size bytes; returns their absolute offset. */
static uint32_t
reserve(builder *b, size_t n, size_t size, unsigned char **at)
{
	size_t		pos = b->rec_pos;

	b->rec_pos += n * size;
	*at = b->rec + pos;
	return (uint32_t) (KPC_HEADER_SIZE + pos);
}

/* A value record: the text, and its operand parsed as type. */
static void
put_value(builder *b, unsigned char *at, const char *text,
		  kpc_value_type type, bool dynamic)
{
	unsigned char *pl = at + KPC_V_PAYLOAD;
	unsigned char flags = 0;

	put_str(b, at + KPC_V_TEXT, text);
	if (dynamic)
		flags |= KPC_VF_DYNAMIC;
	else
	{
		switch (type)
		{
			case KPC_VT_TEXT:
				break;
			case KPC_VT_NUMBER:
				{
					kp_number	n;

					if (kp_number_parse(text, &n))
					{
						flags |= KPC_VF_PARSED;
						pl[0] = (unsigned char) (n.sign + 1);
						kp_wr64(pl + 4, (uint64_t) (int64_t) n.exp);
						kp_wr32(pl + 12, intern_span(b, n.digits, (size_t) n.ndig));
						kp_wr32(pl + 16, (uint32_t) n.ndig);
					}
					break;
				}
			case KPC_VT_DATE:
				{
					kp_instant	t;

					if (kp_date_parse(text, &t))
					{
						flags |= KPC_VF_PARSED;
						kp_wr64(pl, (uint64_t) t.sec);
						kp_wr32(pl + 8, (uint32_t) t.nsec);
					}
					break;
				}
			case KPC_VT_IP:
				{
					kp_ipnet	net;

					if (kp_ip_parse(text, true, &net))
					{
						flags |= KPC_VF_PARSED;
						pl[0] = (unsigned char) net.family;
						pl[1] = (unsigned char) net.prefix;
						memcpy(pl + 2, net.addr, 16);
					}
					break;
				}
			case KPC_VT_BOOL:
				{
					bool		v;

					if (kp_bool_parse(text, &v))
					{
						flags |= KPC_VF_PARSED;
						pl[0] = v ? 1 : 0;
					}
					break;
				}
		}
	}
	at[KPC_V_FLAGS] = flags;
	at[KPC_V_TYPE] = (unsigned char) type;
}

static void
put_principal(builder *b, unsigned char *at, const kp_principal *p)
{
	const char *parn = p->arn ? p->arn : p->value;
	kpc_prin_prep prep;

	kp_eval_principal_prepare(p->kind, parn, &prep);
	at[KPC_P_KIND] = (unsigned char) p->kind;
	at[KPC_P_CLASS] = (unsigned char) prep.cls;
	put_str(b, at + KPC_P_VALUE, p->value);
	put_str(b, at + KPC_P_ARN, parn);
	kp_wr32(at + KPC_P_PARTITION, prep.partition.start);
	kp_wr32(at + KPC_P_PARTITION + 4, prep.partition.len);
	kp_wr32(at + KPC_P_ACCOUNT, prep.account.start);
	kp_wr32(at + KPC_P_ACCOUNT + 4, prep.account.len);
	kp_wr32(at + KPC_P_NAME, prep.name.start);
	kp_wr32(at + KPC_P_NAME + 4, prep.name.len);
}

static void
put_condition(builder *b, unsigned char *at, const kp_condition *c,
			  unsigned char **values_at)
{
	size_t		len = strlen(c->key);
	char		small[256];
	char	   *lower = len < sizeof(small) ? small : malloc(len + 1);
	unsigned char *v;
	size_t		i;

	at[KPC_C_OP] = (unsigned char) c->op;
	at[KPC_C_SET_OP] = (unsigned char) c->set_op;
	at[KPC_C_IF_EXISTS] = c->if_exists ? 1 : 0;
	put_str(b, at + KPC_C_OP_TEXT, c->op_text);
	put_str(b, at + KPC_C_KEY, c->key);
	if (lower == NULL)
		b->oom = true;
	else
	{
		for (i = 0; i < len; i++)
			lower[i] = kp_ascii_lower_char(c->key[i]);
		kp_wr32(at + KPC_C_KEY_LOWER, intern_span(b, lower, len));
		kp_wr32(at + KPC_C_KEY_LOWER + 4, (uint32_t) len);
		if (lower != small)
			free(lower);
	}
	kp_wr32(at + KPC_C_KEY_HASH, kp_key_hash(c->key, len));
	kp_wr32(at + KPC_C_VAL_OFF, reserve(b, c->n_values, KPC_VAL_SIZE, &v));
	kp_wr32(at + KPC_C_N_VAL, (uint32_t) c->n_values);
	*values_at = v;
}

/*
 * The KMS actions (bit i: kp_kms_action_names[i]) an Action pattern
 * matches, by kp_action_matches itself.  A glob matches its literal prefix
 * (the text before the first '*' or '?') literally, ASCII case-insensitive,
 * so only actions whose "kms:<name>" starts with that prefix are tried; a
 * pattern without wildcards can only match the action it names.
 */
static uint64_t
action_bits(const char *pattern, bool *oom)
{
	size_t		plen = strcspn(pattern, "*?");
	const char *rest = pattern + 4;
	size_t		rlen = 0;
	uint64_t	bits = 0;
	size_t		j;

	if (pattern[plen] == '\0')
	{
		int			k;

		if (kp_ascii_ncasecmp(pattern, "kms:", 4) != 0)
			return 0;
		k = kp_kms_action_index(pattern + 4);
		return k >= 0 && k < 64 ? (uint64_t) 1 << k : 0;
	}
	if (plen >= 4)
	{
		if (kp_ascii_ncasecmp(pattern, "kms:", 4) != 0)
			return 0;
		rlen = plen - 4;
	}
	else if (kp_ascii_ncasecmp(pattern, "kms:", plen) != 0)
		return 0;
	else
		rest = NULL;			/* the wildcard comes within "kms:" */
	for (j = 0; j < kp_kms_action_count && j < 64; j++)
	{
		const char *name = kp_kms_action_names[j];
		char		small[128];
		char	   *full = small;
		size_t		n = strlen(name);

		if (rest != NULL && (n < rlen || kp_ascii_ncasecmp(name, rest, rlen) != 0))
			continue;
		/* Every name of the table fits the buffer; the heap is a fallback. */
		if (n + 5 > sizeof(small) && (full = malloc(n + 5)) == NULL)
		{
			*oom = true;
			return 0;
		}
		memcpy(full, "kms:", 4);
		memcpy(full + 4, name, n + 1);
		if (kp_action_matches(pattern, full))
			bits |= (uint64_t) 1 << j;
		if (full != small)
			free(full);
	}
	return bits;
}

static void
put_statement(builder *b, unsigned char *at, const kp_statement *st)
{
	unsigned char *p;
	unsigned char *conds;
	uint32_t	flags = 0;
	uint64_t	bits = 0;
	size_t		i;
	size_t		j;

	if (st->allow)
		flags |= KPC_SF_ALLOW;
	if (st->not_action)
		flags |= KPC_SF_NOT_ACTION;
	if (st->not_resource)
		flags |= KPC_SF_NOT_RESOURCE;
	kp_wr32(at + KPC_S_FLAGS, flags);
	put_str(b, at + KPC_S_SID, st->sid);

	kp_wr32(at + KPC_S_PRIN_OFF, reserve(b, st->n_principals, KPC_PRIN_SIZE, &p));
	kp_wr32(at + KPC_S_N_PRIN, (uint32_t) st->n_principals);
	for (i = 0; i < st->n_principals; i++)
		put_principal(b, p + i * KPC_PRIN_SIZE, &st->principals[i]);

	/*
	 * The patterns, and the bitset: what the glob of each pattern says about
	 * each KMS action (once per distinct pattern).
	 */
	kp_wr32(at + KPC_S_ACT_OFF, reserve(b, st->n_actions, KPC_STR_SIZE, &p));
	kp_wr32(at + KPC_S_N_ACT, (uint32_t) st->n_actions);
	for (i = 0; i < st->n_actions; i++)
	{
		size_t		len = strlen(st->actions[i]);
		size_t		e = 0;
		uint32_t	off = intern_entry_of(b, st->actions[i], len, &e);

		kp_wr32(p + i * KPC_STR_SIZE, off);
		kp_wr32(p + i * KPC_STR_SIZE + 4, (uint32_t) len);
		if (off == KPC_NONE)
			break;
		if (!b->entries[e].has_bits)
		{
			b->entries[e].act_bits = action_bits(st->actions[i], &b->oom);
			b->entries[e].has_bits = true;
		}
		bits |= b->entries[e].act_bits;
	}
	kp_wr64(at + KPC_S_ACT_BITS, bits);

	kp_wr32(at + KPC_S_RES_OFF, reserve(b, st->n_resources, KPC_VAL_SIZE, &p));
	kp_wr32(at + KPC_S_N_RES, (uint32_t) st->n_resources);
	for (i = 0; i < st->n_resources; i++)
		put_value(b, p + i * KPC_VAL_SIZE, st->resources[i], KPC_VT_TEXT,
				  b->vars && kp_eval_text_has_vars(st->resources[i]));

	kp_wr32(at + KPC_S_COND_OFF, reserve(b, st->n_conditions, KPC_COND_SIZE, &conds));
	kp_wr32(at + KPC_S_N_COND, (uint32_t) st->n_conditions);
	for (i = 0; i < st->n_conditions; i++)
	{
		const kp_condition *c = &st->conditions[i];
		kpc_value_type type = kp_eval_operand_type(c->op);
		bool		vars = b->vars && kp_eval_op_takes_vars(c->op);
		unsigned char *v;

		put_condition(b, conds + i * KPC_COND_SIZE, c, &v);
		for (j = 0; j < c->n_values; j++)
			put_value(b, v + j * KPC_VAL_SIZE, c->values[j], type,
					  vars && kp_eval_text_has_vars(c->values[j]));
	}
}

/* The records' size, or 0 with *bad set when the tree has a NULL string
 * where a string is required. */
static size_t
records_size(const kp_policy *p, bool *bad)
{
	size_t		size = (size_t) p->n_statements * KPC_STMT_SIZE;
	size_t		i;
	size_t		j;
	size_t		k;

	*bad = false;
	for (i = 0; i < p->n_statements; i++)
	{
		const kp_statement *st = &p->statements[i];

		size += st->n_principals * KPC_PRIN_SIZE + st->n_actions * KPC_STR_SIZE +
			st->n_resources * KPC_VAL_SIZE + st->n_conditions * KPC_COND_SIZE;
		for (j = 0; j < st->n_actions; j++)
			*bad |= st->actions[j] == NULL;
		for (j = 0; j < st->n_resources; j++)
			*bad |= st->resources[j] == NULL;
		for (j = 0; j < st->n_conditions; j++)
		{
			const kp_condition *c = &st->conditions[j];

			*bad |= c->key == NULL;
			size += c->n_values * KPC_VAL_SIZE;
			for (k = 0; k < c->n_values; k++)
				*bad |= c->values[k] == NULL;
		}
	}
	return size;
}

kp_status
kp_policy_compile(const kp_policy *policy, unsigned char **out,
				  size_t *out_len, kp_error *err)
{
	builder		b;
	unsigned char *blob;
	unsigned char *h;
	unsigned char id_ref[KPC_STR_SIZE];
	size_t		total;
	bool		bad;
	size_t		i;

	kp_error_clear(err);
	*out = NULL;
	*out_len = 0;
	if (policy == NULL)
		return kp_fail(err, KP_ERR_MALFORMED, "No policy to compile.", "", -1,
					   "kp_policy_compile was given no policy.");
	memset(&b, 0, sizeof(b));
	b.rec_size = records_size(policy, &bad);
	if (bad)
		return kp_fail(err, KP_ERR_MALFORMED, "The policy cannot be compiled.",
					   "", -1, "The policy tree has a NULL action, resource, "
					   "condition key or condition value.");
	if (b.rec_size > UINT32_MAX - KPC_HEADER_SIZE)
		return kp_fail(err, KP_ERR_LIMIT, "The policy is too large to compile.",
					   "", -1, "Its compiled form would exceed 4 GB.");
	b.str_off = KPC_HEADER_SIZE + b.rec_size;
	b.rec = calloc(1, b.rec_size ? b.rec_size : 1);
	b.vars = kp_eval_version_has_vars(policy->version);
	if (b.rec == NULL)
		b.oom = true;
	else
	{
		unsigned char *table;

		put_str(&b, id_ref, policy->id);
		(void) reserve(&b, policy->n_statements, KPC_STMT_SIZE, &table);
		for (i = 0; i < policy->n_statements && !b.oom; i++)
			put_statement(&b, table + i * KPC_STMT_SIZE, &policy->statements[i]);
	}
	total = b.str_off + b.str_len;
	blob = NULL;
	if (!b.oom && total <= UINT32_MAX)
		blob = calloc(1, total);
	if (blob == NULL)
	{
		bool		too_large = !b.oom && total > UINT32_MAX;

		free(b.rec);
		free(b.str);
		free(b.entries);
		free(b.slots);
		if (too_large)
			return kp_fail(err, KP_ERR_LIMIT, "The policy is too large to compile.",
						   "", -1, "Its compiled form would exceed 4 GB.");
		return kp_fail(err, KP_ERR_NOMEM, "Out of memory.", "", -1,
					   "The policy could not be compiled.");
	}
	h = blob;
	memcpy(h + KPC_H_MAGIC, KPC_MAGIC, 4);
	kp_wr16(h + KPC_H_FORMAT, KP_COMPILED_FORMAT);
	kp_wr16(h + KPC_H_FORMAT_NOT, (uint16_t) (KP_COMPILED_FORMAT ^ 0xFFFFu));
	kp_wr32(h + KPC_H_LENGTH, (uint32_t) total);
	kp_wr32(h + KPC_H_RULES, KP_RULES_VERSION);
	h[KPC_H_DIALECT] = (unsigned char) policy->dialect;
	h[KPC_H_KIND] = (unsigned char) policy->kind;
	h[KPC_H_VERSION] = (unsigned char) policy->version;
	kp_wr32(h + KPC_H_N_STMT, (uint32_t) policy->n_statements);
	kp_wr32(h + KPC_H_STMT_OFF, KPC_HEADER_SIZE);
	kp_wr32(h + KPC_H_STR_OFF, (uint32_t) b.str_off);
	kp_wr32(h + KPC_H_STR_LEN, (uint32_t) b.str_len);
	memcpy(h + KPC_H_ID, id_ref, KPC_STR_SIZE);
	memcpy(blob + KPC_HEADER_SIZE, b.rec, b.rec_size);
	memcpy(blob + b.str_off, b.str, b.str_len);
	kp_wr64(blob + KPC_H_CHECKSUM,
			kp_compiled_checksum(blob + KPC_H_CHECKED, total - KPC_H_CHECKED));
	free(b.rec);
	free(b.str);
	free(b.entries);
	free(b.slots);
	*out = blob;
	*out_len = total;
	return KP_OK;
}

/* ------------------------------------------------------------------------
 * Checker
 * ------------------------------------------------------------------------ */

typedef struct checker
{
	const unsigned char *d;
	size_t		len;
	size_t		str_off;		/* string area: [str_off, len) */
	size_t		cursor;			/* where the next record array must start */
	kp_error   *err;
	const char *bad;			/* what is wrong (NULL: nothing yet) */
} checker;

static kp_status
corrupt(kp_error *err, const char *detail)
{
	return kp_fail(err, KP_ERR_CORRUPT, "The compiled policy is corrupt.", "",
				   -1, "%s", detail);
}

/* A string reference at d[at]: NONE (when allowed) or inside the string
 * area and NUL-terminated.  *len_out receives its length. */
static bool
check_str(checker *c, size_t at, bool allow_none, uint32_t *len_out)
{
	uint32_t	off = kp_rd32(c->d + at);
	uint32_t	len = kp_rd32(c->d + at + 4);

	if (len_out != NULL)
		*len_out = len;
	if (off == KPC_NONE)
	{
		if (!allow_none || len != 0)
			c->bad = "A string reference is absent where a string is required.";
		return c->bad == NULL;
	}
	if (off < c->str_off || (uint64_t) off + len >= c->len ||
		c->d[(size_t) off + len] != '\0')
	{
		c->bad = "A string reference points outside the string area.";
		return false;
	}
	return true;
}

/* A record array at offset off of n records of size bytes: it must start at
 * the cursor and end inside the records.  Returns its offset. */
static bool
check_array(checker *c, uint32_t off, uint32_t n, size_t size)
{
	uint64_t	end = (uint64_t) off + (uint64_t) n * size;

	if (off != c->cursor || end > c->str_off)
	{
		c->bad = "A record array is out of place or out of bounds.";
		return false;
	}
	c->cursor = (size_t) end;
	return true;
}

static bool
check_span(checker *c, size_t at, uint32_t str_len)
{
	uint32_t	start = kp_rd32(c->d + at);
	uint32_t	len = kp_rd32(c->d + at + 4);

	if ((uint64_t) start + len > str_len)
	{
		c->bad = "A principal span lies outside its ARN.";
		return false;
	}
	return true;
}

static bool
check_value(checker *c, size_t at)
{
	const unsigned char *v = c->d + at;
	const unsigned char *pl = v + KPC_V_PAYLOAD;
	unsigned char flags = v[KPC_V_FLAGS];
	unsigned char type = v[KPC_V_TYPE];
	uint32_t	n;

	if (!check_str(c, at + KPC_V_TEXT, false, NULL))
		return false;
	if ((flags & ~KPC_VF_ALL) != 0 || type > KPC_VT_LAST ||
		kp_rd16(v + KPC_V_PAD) != 0 ||
		((flags & KPC_VF_DYNAMIC) && (flags & KPC_VF_PARSED)))
	{
		c->bad = "A value record has unknown flags or type.";
		return false;
	}
	if (!(flags & KPC_VF_PARSED))
		return true;
	switch ((kpc_value_type) type)
	{
		case KPC_VT_TEXT:
			c->bad = "A text value claims a parsed operand.";
			return false;
		case KPC_VT_NUMBER:
			if (pl[0] > 2 || pl[1] || pl[2] || pl[3] ||
				!check_str(c, at + KPC_V_PAYLOAD + 12, false, &n) ||
				n > KP_NUMBER_MAX_DIGITS || n != kp_rd32(pl + 16) ||
				(pl[0] == 1) != (n == 0))
			{
				if (c->bad == NULL)
					c->bad = "A number operand is out of range.";
				return false;
			}
			return true;
		case KPC_VT_DATE:
			if (kp_rd32(pl + 8) > 999999999u)
			{
				c->bad = "A date operand is out of range.";
				return false;
			}
			return true;
		case KPC_VT_IP:
			if (!((pl[0] == 4 && pl[1] <= 32) || (pl[0] == 6 && pl[1] <= 128)))
			{
				c->bad = "An IP operand is out of range.";
				return false;
			}
			return true;
		case KPC_VT_BOOL:
			if (pl[0] > 1)
			{
				c->bad = "A Boolean operand is out of range.";
				return false;
			}
			return true;
	}
	return true;
}

static bool
check_principal(checker *c, size_t at)
{
	const unsigned char *p = c->d + at;
	uint32_t	arn_len;

	if (p[KPC_P_KIND] > KP_PRIN_RAM || p[KPC_P_CLASS] > KPC_PC_LAST ||
		kp_rd16(p + KPC_P_PAD) != 0)
	{
		c->bad = "A principal record has an unknown kind or class.";
		return false;
	}
	if (!check_str(c, at + KPC_P_VALUE, true, NULL) ||
		!check_str(c, at + KPC_P_ARN,
				   p[KPC_P_CLASS] == KPC_PC_ANY || p[KPC_P_CLASS] == KPC_PC_NULL,
				   &arn_len))
		return false;
	return check_span(c, at + KPC_P_PARTITION, arn_len) &&
		check_span(c, at + KPC_P_ACCOUNT, arn_len) &&
		check_span(c, at + KPC_P_NAME, arn_len);
}

static bool
check_condition(checker *c, size_t at)
{
	const unsigned char *r = c->d + at;

	if (r[KPC_C_OP] > KP_OP_NULL || r[KPC_C_SET_OP] > KP_SET_FOR_ALL_VALUES ||
		r[KPC_C_IF_EXISTS] > 1 || r[KPC_C_PAD] != 0)
	{
		c->bad = "A condition record has an unknown operator.";
		return false;
	}
	return check_str(c, at + KPC_C_OP_TEXT, true, NULL) &&
		check_str(c, at + KPC_C_KEY, false, NULL) &&
		check_str(c, at + KPC_C_KEY_LOWER, false, NULL);
}

static bool
check_statement(checker *c, size_t at)
{
	const unsigned char *s = c->d + at;
	uint32_t	n;
	uint32_t	i;
	uint32_t	j;
	uint32_t	off;

	if ((kp_rd32(s + KPC_S_FLAGS) & ~(uint32_t) KPC_SF_ALL) != 0 ||
		(kp_kms_action_count < 64 &&
		 (kp_rd64(s + KPC_S_ACT_BITS) >> kp_kms_action_count) != 0))
	{
		c->bad = "A statement record has unknown flags.";
		return false;
	}
	if (!check_str(c, at + KPC_S_SID, true, NULL))
		return false;

	off = kp_rd32(s + KPC_S_PRIN_OFF);
	n = kp_rd32(s + KPC_S_N_PRIN);
	if (!check_array(c, off, n, KPC_PRIN_SIZE))
		return false;
	for (i = 0; i < n; i++)
		if (!check_principal(c, (size_t) off + (size_t) i * KPC_PRIN_SIZE))
			return false;

	off = kp_rd32(s + KPC_S_ACT_OFF);
	n = kp_rd32(s + KPC_S_N_ACT);
	if (!check_array(c, off, n, KPC_STR_SIZE))
		return false;
	for (i = 0; i < n; i++)
		if (!check_str(c, (size_t) off + (size_t) i * KPC_STR_SIZE, false, NULL))
			return false;

	off = kp_rd32(s + KPC_S_RES_OFF);
	n = kp_rd32(s + KPC_S_N_RES);
	if (!check_array(c, off, n, KPC_VAL_SIZE))
		return false;
	for (i = 0; i < n; i++)
		if (!check_value(c, (size_t) off + (size_t) i * KPC_VAL_SIZE))
			return false;

	off = kp_rd32(s + KPC_S_COND_OFF);
	n = kp_rd32(s + KPC_S_N_COND);
	if (!check_array(c, off, n, KPC_COND_SIZE))
		return false;
	for (i = 0; i < n; i++)
	{
		size_t		cat = (size_t) off + (size_t) i * KPC_COND_SIZE;
		uint32_t	voff = kp_rd32(c->d + cat + KPC_C_VAL_OFF);
		uint32_t	nv = kp_rd32(c->d + cat + KPC_C_N_VAL);

		if (!check_condition(c, cat) || !check_array(c, voff, nv, KPC_VAL_SIZE))
			return false;
		for (j = 0; j < nv; j++)
			if (!check_value(c, (size_t) voff + (size_t) j * KPC_VAL_SIZE))
				return false;
	}
	return true;
}

kp_status
kp_compiled_check(const void *data, size_t len, kp_error *err)
{
	const unsigned char *d = data;
	checker		c;
	uint16_t	format;
	uint32_t	n_stmt;
	uint32_t	stmt_off;
	uint32_t	i;

	kp_error_clear(err);
	if (d == NULL || len < KPC_HEADER_SIZE)
		return corrupt(err, "The compiled policy is shorter than its header.");
	if (memcmp(d + KPC_H_MAGIC, KPC_MAGIC, 4) != 0)
		return corrupt(err, "The bytes do not start with the magic of a compiled policy.");
	format = kp_rd16(d + KPC_H_FORMAT);
	if ((uint32_t) format + kp_rd16(d + KPC_H_FORMAT_NOT) != 0xFFFFu)
		return corrupt(err, "The format version of the compiled policy is damaged.");
	if (format != KP_COMPILED_FORMAT)
		return kp_fail(err, KP_ERR_STALE, "The compiled policy is stale.", "", -1,
					   "It has format %u; this core reads format %u.",
					   (unsigned) format, (unsigned) KP_COMPILED_FORMAT);
	if (kp_rd32(d + KPC_H_LENGTH) != len)
		return corrupt(err, "The length of the compiled policy is not the one its header records.");
	if (kp_rd64(d + KPC_H_CHECKSUM) !=
		kp_compiled_checksum(d + KPC_H_CHECKED, len - KPC_H_CHECKED))
		return corrupt(err, "The checksum of the compiled policy does not match its bytes.");
	if (kp_rd32(d + KPC_H_RULES) != KP_RULES_VERSION)
		return kp_fail(err, KP_ERR_STALE, "The compiled policy is stale.", "", -1,
					   "It was compiled under rules version %u; this core has rules version %u.",
					   (unsigned) kp_rd32(d + KPC_H_RULES), (unsigned) KP_RULES_VERSION);

	if (d[KPC_H_DIALECT] > KP_DIALECT_ALIBABA || d[KPC_H_KIND] > KP_DOC_IDENTITY_POLICY ||
		d[KPC_H_VERSION] > KP_VERSION_ALIBABA_1 || d[KPC_H_FLAGS] != 0 ||
		kp_rd32(d + KPC_H_RESERVED) != 0)
		return corrupt(err, "The header of the compiled policy has an unknown dialect, kind, version or flag.");
	c.d = d;
	c.len = len;
	c.str_off = kp_rd32(d + KPC_H_STR_OFF);
	c.err = err;
	c.bad = NULL;
	if (c.str_off < KPC_HEADER_SIZE || c.str_off > len ||
		(uint64_t) c.str_off + kp_rd32(d + KPC_H_STR_LEN) != len)
		return corrupt(err, "The string area of the compiled policy is out of bounds.");
	n_stmt = kp_rd32(d + KPC_H_N_STMT);
	stmt_off = kp_rd32(d + KPC_H_STMT_OFF);
	c.cursor = KPC_HEADER_SIZE;
	if (!check_array(&c, stmt_off, n_stmt, KPC_STMT_SIZE))
		return corrupt(err, "The statement table of the compiled policy is out of bounds.");
	if (!check_str(&c, KPC_H_ID, true, NULL))
		return corrupt(err, c.bad);
	for (i = 0; i < n_stmt; i++)
		if (!check_statement(&c, (size_t) stmt_off + (size_t) i * KPC_STMT_SIZE))
			return corrupt(err, c.bad);
	if (c.cursor != c.str_off)
		return corrupt(err, "The records of the compiled policy do not fill their area.");
	return KP_OK;
}

kp_status
kp_compiled_open(const void *data, size_t len, kp_compiled *out, kp_error *err)
{
	kp_status	st = kp_compiled_check(data, len, err);

	if (st == KP_OK)
	{
		out->data = data;
		out->len = len;
	}
	else
	{
		out->data = NULL;
		out->len = 0;
	}
	return st;
}

/* ------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------ */

kp_dialect
kp_compiled_dialect(const kp_compiled *policy)
{
	return (kp_dialect) policy->data[KPC_H_DIALECT];
}

kp_doc_kind
kp_compiled_kind(const kp_compiled *policy)
{
	return (kp_doc_kind) policy->data[KPC_H_KIND];
}

kp_version
kp_compiled_version(const kp_compiled *policy)
{
	return (kp_version) policy->data[KPC_H_VERSION];
}

size_t
kp_compiled_statement_count(const kp_compiled *policy)
{
	return kp_rd32(policy->data + KPC_H_N_STMT);
}
