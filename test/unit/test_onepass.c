/*
 * test_onepass.c -- issue 17, validation in one pass: the strict scanner's
 * own tree (kp_jdom, internal/kp_jdom.h) and kp_policy_parse walking it.
 *
 *	- the tree: document order, unescaping, numbers as written, child
 *	  ranges, member look-up, errors and offsets equal to
 *	  kp_json_parse_strict's (deep nesting included);
 *	- a differential check: kp_policy_parse and the validator as it was,
 *	  walking json-c's tree (jsonc_oracle.c, test-only), give the same
 *	  kp_policy or the same kp_error (status, message, detail, path, offset)
 *	  on the fuzz seed corpus, the bench documents, documents written here,
 *	  and thousands of mutations of them, in the three kinds of document.
 *
 * Run from the repository root (make unit does), which holds the corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <cmocka.h>

#include "kp.h"
#include "internal/kp_jdom.h"

/* the old validator: oracle_policy_parse */
#include "jsonc_oracle.c"

/* ------------------------------------------------------------------------
 * The tree
 * ------------------------------------------------------------------------ */

static kp_jdom *
dom_ok(const char *doc)
{
	kp_jdom    *dom = NULL;
	kp_error	err;
	kp_status	st = kp_jdom_parse(doc, strlen(doc), 0, &dom, &err);

	if (st != KP_OK)
		fail_msg("kp_jdom_parse refused %s: %s", doc, err.detail);
	assert_non_null(dom);
	return dom;
}

static void
test_dom_document_order(void **state)
{
	kp_jdom    *dom = dom_ok("{\"z\":1,\"a\":[true,false,null],\"m\":{\"y\":\"1\",\"b\":{}},\"\":[]}");
	const kp_jv *root = kp_jdom_root(dom);
	const kp_jv *a;
	const kp_jv *m;
	const char *keys[4];
	size_t		n = 0;

	(void) state;
	assert_int_equal(kp_jv_type(root), KP_JV_OBJECT);
	assert_null(kp_jv_key(root));
	assert_int_equal(kp_jv_object_len(root), 4);
	kp_jv_foreach_member(root, mm)
		keys[n++] = kp_jv_key(mm);
	assert_int_equal(n, 4);
	assert_string_equal(keys[0], "z");
	assert_string_equal(keys[1], "a");
	assert_string_equal(keys[2], "m");
	assert_string_equal(keys[3], "");
	assert_string_equal(kp_jv_key(kp_jv_member(root, 1)), "a");
	assert_null(kp_jv_member(root, 4));

	a = kp_jv_get_member(root, "a");
	assert_non_null(a);
	assert_int_equal(kp_jv_type(a), KP_JV_ARRAY);
	assert_int_equal(kp_jv_array_len(a), 3);
	assert_true(kp_jv_bool(kp_jv_array_item(a, 0)));
	assert_int_equal(kp_jv_type(kp_jv_array_item(a, 1)), KP_JV_BOOL);
	assert_false(kp_jv_bool(kp_jv_array_item(a, 1)));
	assert_int_equal(kp_jv_type(kp_jv_array_item(a, 2)), KP_JV_NULL);
	assert_null(kp_jv_array_item(a, 3));
	assert_null(kp_jv_key(kp_jv_array_item(a, 0)));
	/* an array has no members, an object no items */
	assert_int_equal(kp_jv_object_len(a), 0);
	assert_null(kp_jv_get_member(a, "0"));
	assert_int_equal(kp_jv_array_len(root), 0);
	assert_null(kp_jv_array_item(root, 0));

	m = kp_jv_get_member(root, "m");
	assert_int_equal(kp_jv_object_len(m), 2);
	assert_string_equal(kp_jv_key(kp_jv_member(m, 0)), "y");
	assert_string_equal(kp_jv_string(kp_jv_get_member(m, "y")), "1");
	assert_int_equal(kp_jv_object_len(kp_jv_get_member(m, "b")), 0);
	assert_int_equal(kp_jv_array_len(kp_jv_get_member(root, "")), 0);
	assert_null(kp_jv_get_member(root, "Z"));
	assert_null(kp_jv_get_member(root, "zz"));
	assert_int_equal(kp_jv_type(kp_jv_get_member(root, "z")), KP_JV_NUMBER);
	/* 10 values: root, z, a and its 3 items, m, y, b, "" */
	assert_int_equal(kp_jdom_size(dom), 10);
	kp_jdom_free(dom);
}

static void
test_dom_unescaping(void **state)
{
	kp_jdom    *dom = dom_ok("{\"k\\u0065y\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\","
							 "\"u\":\"\\u00e9\\u20AC\\ud83d\\ude00\xc3\xa9\","
							 "\"\\n\":\"\"}");
	const kp_jv *root = kp_jdom_root(dom);
	const kp_jv *v;

	(void) state;
	v = kp_jv_get_member(root, "key");
	assert_non_null(v);
	assert_string_equal(kp_jv_key(v), "key");
	assert_int_equal(kp_jv_key_len(v), 3);
	assert_string_equal(kp_jv_string(v), "a\"b\\c/d\b\f\n\r\te");
	assert_int_equal(kp_jv_string_len(v), 13);
	v = kp_jv_get_member(root, "u");
	assert_string_equal(kp_jv_string(v), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9");
	assert_int_equal(kp_jv_string_len(v), 11);
	v = kp_jv_get_member(root, "\n");
	assert_non_null(v);
	assert_string_equal(kp_jv_string(v), "");
	assert_int_equal(kp_jv_string_len(v), 0);
	/* a non-string has no string */
	assert_null(kp_jv_string(root));
	assert_null(kp_jv_number_text(v));
	kp_jdom_free(dom);

	/* keys equal after unescaping are duplicates, as before */
	{
		kp_jdom    *d = NULL;
		kp_error	err;

		assert_int_equal(kp_jdom_parse("{\"a\":1,\"\\u0061\":2}", 18, 0, &d, &err),
						 KP_ERR_MALFORMED);
		assert_null(d);
		assert_int_equal(err.offset, 7);
	}
}

static void
test_dom_numbers(void **state)
{
	static const struct
	{
		const char *text;
		bool		is_int;
	}			nums[] = {
		{"0", true}, {"-0", true}, {"42", true}, {"-7", true},
		{"9223372036854775807", true}, {"-9223372036854775808", true},
		{"1.0", false}, {"1e3", false}, {"1E+3", false}, {"1e-3", false},
		{"0.1", false}, {"-0.0", false}, {"0.10", false}, {"2.50", false},
		{"3.14159265358979323846", false}, {"1e-400", false},
	};
	char		doc[1024];
	size_t		used = 0;
	size_t		i;
	kp_jdom    *dom;
	const kp_jv *arr;

	(void) state;
	used += (size_t) snprintf(doc + used, sizeof(doc) - used, "{\"n\":[");
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		used += (size_t) snprintf(doc + used, sizeof(doc) - used, "%s%s",
								  i ? " , " : "", nums[i].text);
	snprintf(doc + used, sizeof(doc) - used, "]}");
	dom = dom_ok(doc);
	arr = kp_jv_get_member(kp_jdom_root(dom), "n");
	assert_int_equal(kp_jv_array_len(arr), sizeof(nums) / sizeof(nums[0]));
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
	{
		const kp_jv *v = kp_jv_array_item(arr, i);

		assert_int_equal(kp_jv_type(v), KP_JV_NUMBER);
		assert_string_equal(kp_jv_number_text(v), nums[i].text);
		assert_int_equal(kp_jv_number_is_int(v), nums[i].is_int);
		assert_null(kp_jv_string(v));
	}
	kp_jdom_free(dom);
}

/* Same verdict, error and offset as kp_json_parse_strict. */
static void
check_same_as_strict(const char *doc, size_t len, int depth)
{
	kp_jdom    *dom = NULL;
	struct json_object *obj = NULL;
	kp_error	e1;
	kp_error	e2;
	kp_status	s1 = kp_jdom_parse(doc, len, depth, &dom, &e1);
	kp_status	s2 = kp_json_parse_strict(doc, len, depth, &obj, &e2);

	assert_int_equal(s1, s2);
	assert_int_equal(e1.status, e2.status);
	assert_string_equal(e1.message, e2.message);
	assert_string_equal(e1.detail, e2.detail);
	assert_string_equal(e1.path, e2.path);
	assert_int_equal(e1.offset, e2.offset);
	assert_true((dom != NULL) == (s1 == KP_OK));
	kp_jdom_free(dom);
	if (obj != NULL)
		json_object_put(obj);
}

static void
test_dom_errors_like_strict(void **state)
{
	static const char *const docs[] = {
		"", "  ", "[]", "{", "{\"a\"", "{\"a\":", "{\"a\":1,}", "{\"a\":[1,]}",
		"{\"a\":1}x", "{'a':1}", "{\"a\":NaN}", "{\"a\":-Infinity}", "{\"a\":1.}",
		"{\"a\":01}", "{\"a\":1e999}", "{\"a\":99999999999999999999}",
		"{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
		"{\"a\":\"\t\"}", "{\"a\":\"\xff\"}", "{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":1,\"b\":{\"c\":2,\"c\":3}}", "{\"S\":[{\"E\":1},{\"E\":2,\"E\":3}]}",
		"\xef\xbb\xbf{}", "{\"a\":tru}", "{\"a\":[1 2]}", "{\"a\" 1}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":/*c*/1}", "{} {}",
		"{\"a\":{\"b\":[[[{\"c\":\"x\"}]]]}}", "{\"\":1,\"\":2}",
	};
	size_t		i;
	char		deep[200];
	int			d;

	(void) state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		check_same_as_strict(docs[i], strlen(docs[i]), 0);
	/* nesting: the default limit (32) and small ones, at the limit and past it */
	for (d = 1; d <= 40; d++)
	{
		int			k;
		size_t		n = 0;

		memcpy(deep, "{\"a\":", 5);
		n = 5;
		for (k = 0; k < d; k++)
			deep[n++] = (k % 3 == 2) ? '{' : '[';
		for (k = d - 1; k >= 0; k--)
			deep[n++] = (k % 3 == 2) ? '}' : ']';
		deep[n++] = '}';
		/* "[{" is a syntax error unless the object is empty: both kinds */
		check_same_as_strict(deep, n, 0);
		check_same_as_strict(deep, n, 3);
		check_same_as_strict(deep, n, d);
		check_same_as_strict(deep, n, d + 1);
		/* arrays only */
		n = 5;
		for (k = 0; k < d; k++)
			deep[n++] = '[';
		for (k = 0; k < d; k++)
			deep[n++] = ']';
		deep[n++] = '}';
		check_same_as_strict(deep, n, 0);
		check_same_as_strict(deep, n, d);
		check_same_as_strict(deep, n, d + 1);
	}
	/* a NULL document is an empty one */
	check_same_as_strict(NULL, 0, 0);
}

/* Nesting deeper than the limit: the '[' one level too deep, as before. */
static void
test_dom_deep_nesting_offset(void **state)
{
	char		doc[256];
	size_t		n = 0;
	int			k;
	kp_jdom    *dom = NULL;
	kp_error	err;

	(void) state;
	doc[n++] = '{';
	memcpy(doc + n, "\"a\":", 4);
	n += 4;
	for (k = 0; k < 40; k++)
		doc[n++] = '[';
	for (k = 0; k < 40; k++)
		doc[n++] = ']';
	doc[n++] = '}';
	assert_int_equal(kp_jdom_parse(doc, n, 0, &dom, &err), KP_ERR_MALFORMED);
	assert_null(dom);
	/* root '{' is level 1; the 32nd level is the 31st '[' at 5 + 30 */
	assert_int_equal(err.offset, 5 + 31);
	assert_string_equal(err.path, "a[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]");
	check_same_as_strict(doc, n, 0);
	/* exactly at the limit: accepted, and the tree is as deep */
	n = 0;
	doc[n++] = '{';
	memcpy(doc + n, "\"a\":", 4);
	n += 4;
	for (k = 0; k < 31; k++)
		doc[n++] = '[';
	memcpy(doc + n, "\"x\"", 3);
	n += 3;
	for (k = 0; k < 31; k++)
		doc[n++] = ']';
	doc[n++] = '}';
	assert_int_equal(kp_jdom_parse(doc, n, 0, &dom, &err), KP_OK);
	{
		const kp_jv *v = kp_jv_get_member(kp_jdom_root(dom), "a");

		for (k = 0; k < 31; k++)
		{
			assert_int_equal(kp_jv_array_len(v), 1);
			v = kp_jv_array_item(v, 0);
		}
		assert_string_equal(kp_jv_string(v), "x");
	}
	kp_jdom_free(dom);
}

/* A large array and object: O(1) items, every child in place. */
static void
test_dom_large(void **state)
{
	size_t		n_items = 5000;
	size_t		cap = n_items * 40 + 64;
	char	   *doc = malloc(cap);
	size_t		used = 0;
	size_t		i;
	kp_jdom    *dom;
	const kp_jv *arr;
	const kp_jv *obj;

	(void) state;
	assert_non_null(doc);
	used += (size_t) snprintf(doc + used, cap - used, "{\"arr\":[");
	for (i = 0; i < n_items; i++)
		used += (size_t) snprintf(doc + used, cap - used, "%s[\"s%zu\",%zu]",
								  i ? "," : "", i, i);
	used += (size_t) snprintf(doc + used, cap - used, "],\"obj\":{");
	for (i = 0; i < n_items; i++)
		used += (size_t) snprintf(doc + used, cap - used, "%s\"k%zu\":%zu",
								  i ? "," : "", i, i);
	snprintf(doc + used, cap - used, "}}");
	dom = dom_ok(doc);
	arr = kp_jv_get_member(kp_jdom_root(dom), "arr");
	obj = kp_jv_get_member(kp_jdom_root(dom), "obj");
	assert_int_equal(kp_jv_array_len(arr), n_items);
	assert_int_equal(kp_jv_object_len(obj), n_items);
	for (i = 0; i < n_items; i++)
	{
		char		want[32];
		const kp_jv *pair = kp_jv_array_item(arr, i);
		const kp_jv *m = kp_jv_member(obj, i);

		snprintf(want, sizeof(want), "s%zu", i);
		assert_string_equal(kp_jv_string(kp_jv_array_item(pair, 0)), want);
		snprintf(want, sizeof(want), "%zu", i);
		assert_string_equal(kp_jv_number_text(kp_jv_array_item(pair, 1)), want);
		assert_string_equal(kp_jv_number_text(m), want);
		snprintf(want, sizeof(want), "k%zu", i);
		assert_string_equal(kp_jv_key(m), want);
	}
	assert_ptr_equal(kp_jv_get_member(obj, "k4999"), kp_jv_member(obj, 4999));
	kp_jdom_free(dom);
	free(doc);
}

/* ------------------------------------------------------------------------
 * kp_policy_parse against the json-c walk
 * ------------------------------------------------------------------------ */

static void
same_str(const char *a, const char *b, const char *what)
{
	if (a == NULL || b == NULL)
	{
		if (a != b)
			fail_msg("%s: one is NULL (%s / %s)", what, a ? a : "NULL", b ? b : "NULL");
		return;
	}
	if (strcmp(a, b) != 0)
		fail_msg("%s differs: \"%s\" / \"%s\"", what, a, b);
}

static void
same_policy(const kp_policy *a, const kp_policy *b)
{
	size_t		i;
	size_t		j;
	size_t		k;

	assert_int_equal(a->dialect, b->dialect);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->version, b->version);
	same_str(a->id, b->id, "Id");
	assert_int_equal(a->n_statements, b->n_statements);
	for (i = 0; i < a->n_statements; i++)
	{
		const kp_statement *x = &a->statements[i];
		const kp_statement *y = &b->statements[i];

		same_str(x->sid, y->sid, "Sid");
		assert_int_equal(x->allow, y->allow);
		assert_int_equal(x->n_principals, y->n_principals);
		for (j = 0; j < x->n_principals; j++)
		{
			assert_int_equal(x->principals[j].kind, y->principals[j].kind);
			same_str(x->principals[j].value, y->principals[j].value, "principal");
			same_str(x->principals[j].arn, y->principals[j].arn, "principal arn");
			same_str(x->principals[j].path, y->principals[j].path, "principal path");
		}
		assert_int_equal(x->not_action, y->not_action);
		assert_int_equal(x->n_actions, y->n_actions);
		for (j = 0; j < x->n_actions; j++)
			same_str(x->actions[j], y->actions[j], "action");
		assert_int_equal(x->not_resource, y->not_resource);
		assert_int_equal(x->n_resources, y->n_resources);
		for (j = 0; j < x->n_resources; j++)
			same_str(x->resources[j], y->resources[j], "resource");
		assert_int_equal(x->n_conditions, y->n_conditions);
		for (j = 0; j < x->n_conditions; j++)
		{
			const kp_condition *c = &x->conditions[j];
			const kp_condition *d = &y->conditions[j];

			same_str(c->op_text, d->op_text, "operator");
			assert_int_equal(c->op, d->op);
			assert_int_equal(c->set_op, d->set_op);
			assert_int_equal(c->if_exists, d->if_exists);
			same_str(c->key, d->key, "condition key");
			same_str(c->path, d->path, "condition path");
			assert_int_equal(c->n_values, d->n_values);
			for (k = 0; k < c->n_values; k++)
				same_str(c->values[k], d->values[k], "condition value");
		}
	}
	assert_int_equal(a->n_notes, b->n_notes);
	for (i = 0; i < a->n_notes; i++)
	{
		same_str(a->notes[i].path, b->notes[i].path, "note path");
		same_str(a->notes[i].value, b->notes[i].value, "note value");
		same_str(a->notes[i].detail, b->notes[i].detail, "note detail");
	}
}

typedef struct diff_stats
{
	long		compared;
	long		accepted;
} diff_stats;

/* The three kinds of document the glue parses. */
static const kp_parse_opts diff_opts[] = {
	{KP_DIALECT_AWS, KP_DOC_KEY_POLICY, "aws", "111122223333", 0},
	{KP_DIALECT_AWS, KP_DOC_IDENTITY_POLICY, "aws-cn", "111122223333", 0},
	{KP_DIALECT_ALIBABA, KP_DOC_KEY_POLICY, "", "1192853035118460", 0},
	{KP_DIALECT_AWS, KP_DOC_KEY_POLICY, "aws", "111122223333", 4},
};

static void
diff_one(const char *doc, size_t len, diff_stats *stats)
{
	size_t		o;

	for (o = 0; o < sizeof(diff_opts) / sizeof(diff_opts[0]); o++)
	{
		kp_policy  *pa = NULL;
		kp_policy  *pb = NULL;
		kp_error	ea;
		kp_error	eb;
		kp_status	sa = kp_policy_parse(doc, len, &diff_opts[o], &pa, &ea);
		kp_status	sb = oracle_policy_parse(doc, len, &diff_opts[o], &pb, &eb);

		if (sa != sb || strcmp(ea.message, eb.message) != 0 ||
			strcmp(ea.detail, eb.detail) != 0 || strcmp(ea.path, eb.path) != 0 ||
			ea.offset != eb.offset || ea.status != eb.status)
			fail_msg("opts %zu, document (%zu bytes) \"%.*s\":\n one pass: %d %s | %s | %s | %ld\n json-c:   %d %s | %s | %s | %ld",
					 o, len, (int) (len > 400 ? 400 : len), doc,
					 sa, ea.message, ea.detail, ea.path, ea.offset,
					 sb, eb.message, eb.detail, eb.path, eb.offset);
		if (sa == KP_OK)
		{
			same_policy(pa, pb);
			stats->accepted++;
		}
		stats->compared++;
		kp_policy_free(pa);
		kp_policy_free(pb);
	}
}

/* Documents written here: numbers and booleans as condition values, escapes,
 * notes, every element kind, errors deep in the grammar. */
static const char *const written_docs[] = {
	/* test_validate.c, test_condition_value_text */
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\","
	"\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":"
	"[1.0,1e3,1E3,1E+3,1e-3,0.1,-0.0,0.10,2.50,0,-0,42,-7,"
	"9223372036854775807,-9223372036854775808,3.14159265358979323846,1e-400,"
	"12345678901234567890.5,true,false,-1.5E-2,\"x\"]},"
	"\"NumericLessThanEquals\":{\"aws:MultiFactorAuthAge\":[1.0,-0,1e3,0.5]},"
	"\"Bool\":{\"aws:SecureTransport\":true},"
	"\"DateGreaterThan\":{\"aws:CurrentTime\":1700000000}}}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
	"\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{"
	"\"StringEquals\":{\"kms:CallerAccount\":[1.0,1e3,1E+3,0.1,-0,-0.0,0.10,42,-7,true,false,"
	"9223372036854775807,-9223372036854775808,3.14159265358979323846,1e-400,2.50]},"
	"\"NumericLessThan\":{\"kms:RecipientAttestation:ImageSha384\":1e3},"
	"\"NumericEquals\":{\"aws:MultiFactorAuthAge\":[1.0,0,-0,5,1e2,0.5]},"
	"\"DateGreaterThan\":{\"aws:CurrentTime\":[1700000000,1.7e9,\"2020-01-01T00:00:00Z\"]},"
	"\"Bool\":{\"aws:SecureTransport\":[true,\"false\"]},"
	"\"Null\":{\"kms:ViaService\":false}}}]}",
	"{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\"111122223333\",\"arn:aws:iam::444455556666:role/R\"],"
	"\"Service\":\"logs.amazonaws.com\"},\"NotAction\":[\"kms:Foo\",\"s3:Get*\",\"kms:Describe*\",\"x\"],"
	"\"Resource\":[\"*\"],\"Sid\":\"\\u0053id \\u00e9\"}}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
	"\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":true}}}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
	"\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":null}}}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
	"\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/a\":\"x\",\"kms:ResourceAliases\":\"y\"}}},"
	"{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"StringLike\":{\"kms:ResourceTag/b\":[\"z\"],\"aws:ResourceTag/a\":\"w\"}}}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
	"\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:StringEquals\":{\"kms:EncryptionContext:k\":\"v\"}}}]}",
	"{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"RAM\":[\"acs:ram::1192853035118460:*\",\"acs:ram::1903253031260000:user/u\"]},"
	"\"Action\":[\"kms:*\"],\"Resource\":[\"*\"],\"Condition\":{\"IpAddress\":{\"acs:SourceIp\":[\"10.0.0.0/8\"]},\"Bool\":{\"acs:SecureTransport\":true}}}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
	"\"Resource\":[\"arn:aws:kms:*:111122223333:key/*\",\"arn:${aws:partition}:kms:us-east-1:111122223333:alias/a\"]},"
	"{\"Effect\":\"Deny\",\"NotResource\":\"acs:kms:*:*:key/*\",\"Action\":\"kms:Decrypt\"}]}",
	"{\"Id\":5,\"Statement\":[]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[]},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"\"],\"Service\":[]},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}",
	"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:group/G\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}],\"Other\":1}",
	"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":[\"kms:*\",1],\"Resource\":\"*\"}]}",
	"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":[]}}}]}",
	"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":[[\"x\"]]}}}]}",
	"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":{}}}}]}",
	"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"BinaryEquals\":{\"kms:CallerAccount\":1}}}]}",
	"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"DateEquals\":{\"aws:CurrentTime\":[true]}}}]}",
};

static char *
read_whole(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
		fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t) n + 1)) == NULL)
	{
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t) n;
	return buf;
}

typedef struct doc_list
{
	char	  **docs;
	size_t	   *lens;
	size_t		n;
	size_t		cap;
} doc_list;

static void
add_doc(doc_list *l, const char *doc, size_t len)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 64;
		l->docs = realloc(l->docs, l->cap * sizeof(char *));
		l->lens = realloc(l->lens, l->cap * sizeof(size_t));
		assert_non_null(l->docs);
		assert_non_null(l->lens);
	}
	l->docs[l->n] = malloc(len + 1);
	assert_non_null(l->docs[l->n]);
	memcpy(l->docs[l->n], doc, len);
	l->docs[l->n][len] = '\0';
	l->lens[l->n] = len;
	l->n++;
}

/* The files of a fuzz corpus: a selector byte, then the document. */
static void
add_dir(doc_list *l, const char *dir)
{
	DIR		   *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		fail_msg("cannot open %s (run from the repository root)", dir);
	while ((e = readdir(d)) != NULL)
	{
		char		path[1024];
		size_t		len;
		char	   *doc;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		doc = read_whole(path, &len);
		if (doc == NULL)
			continue;
		if (len > 0)
			add_doc(l, doc + 1, len - 1);
		free(doc);
	}
	closedir(d);
}

static void
free_docs(doc_list *l)
{
	size_t		i;

	for (i = 0; i < l->n; i++)
		free(l->docs[i]);
	free(l->docs);
	free(l->lens);
}

static void
seed_docs(doc_list *l)
{
	size_t		i;
	size_t		len;
	char	   *doc;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < sizeof(written_docs) / sizeof(written_docs[0]); i++)
		add_doc(l, written_docs[i], strlen(written_docs[i]));
	add_dir(l, "test/fuzz/corpus_policy");
	doc = read_whole("bench/fixtures/policy-2k.json", &len);
	assert_non_null(doc);
	add_doc(l, doc, len);
	free(doc);
	doc = read_whole("bench/fixtures/policy-32k.json", &len);
	assert_non_null(doc);
	add_doc(l, doc, len);
	free(doc);
}

static void
test_same_as_jsonc_on_seeds(void **state)
{
	doc_list	l;
	diff_stats	stats = {0, 0};
	size_t		i;

	(void) state;
	seed_docs(&l);
	for (i = 0; i < l.n; i++)
		diff_one(l.docs[i], l.lens[i], &stats);
	/* the number/boolean document is accepted by both (as a key policy) */
	{
		kp_policy  *p = NULL;
		kp_error	err;

		assert_int_equal(oracle_policy_parse(l.docs[0], l.lens[0], &diff_opts[0], &p, &err), KP_OK);
		assert_int_equal(p->statements[0].conditions[0].n_values, 22);
		assert_string_equal(p->statements[0].conditions[0].values[10], "0");
		assert_string_equal(p->statements[0].conditions[0].values[3], "1E+3");
		kp_policy_free(p);
	}
	print_message("compared %ld parses of %zu documents, %ld accepted\n",
				  stats.compared, l.n, stats.accepted);
	assert_true(stats.accepted > 40);
	free_docs(&l);
}

/* A small deterministic generator (no global state). */
static uint32_t
next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t) (*s >> 33);
}

static void
test_same_as_jsonc_on_mutations(void **state)
{
	static const char bytes[] = "\"\\{}[],: 0-1.eE\tx*?/\x7f\xc3\xa9\xff";
	static const char *const tokens[] = {
		"true", "false", "null", "1.0", "-0", "1e3", "\"\"", "[]", "{}",
		"\"*\"", "\"kms:*\"", "\"Allow\"", "\"Deny\"", "\"AWS\"", "\"Condition\"",
		"\"Statement\"", "\"Version\"", "\"2012-10-17\"", "\"1\"", "\"\\u00e9\"",
		"\"Principal\"", "\"Action\"", "\"Resource\"", "\"NotAction\"", "\"Sid\"",
		"\"StringEquals\"", "\"NumericEquals\"", "\"Bool\"", "\"aws:SecureTransport\"",
	};
	doc_list	l;
	diff_stats	stats = {0, 0};
	uint64_t	seed = 17;
	size_t		i;
	char	   *buf = NULL;
	size_t		cap = 0;

	(void) state;
	seed_docs(&l);
	for (i = 0; i < l.n; i++)
	{
		const char *doc = l.docs[i];
		size_t		len = l.lens[i];
		int			rounds = len > 4096 ? 40 : 300;
		int			r;

		if (cap < len + 64)
		{
			cap = len + 64;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		for (r = 0; r < rounds; r++)
		{
			size_t		pos = len ? next_rand(&seed) % len : 0;
			size_t		n = 0;
			uint32_t	kind = next_rand(&seed) % 5;

			if (len == 0)
				break;

			switch (kind)
			{
				case 0:			/* replace a byte */
					memcpy(buf, doc, len);
					buf[pos] = bytes[next_rand(&seed) % (sizeof(bytes) - 1)];
					n = len;
					break;
				case 1:			/* delete a byte */
					memcpy(buf, doc, pos);
					memcpy(buf + pos, doc + pos + 1, len - pos - 1);
					n = len - 1;
					break;
				case 2:			/* insert a byte */
					memcpy(buf, doc, pos);
					buf[pos] = bytes[next_rand(&seed) % (sizeof(bytes) - 1)];
					memcpy(buf + pos + 1, doc + pos, len - pos);
					n = len + 1;
					break;
				case 3:			/* truncate */
					memcpy(buf, doc, pos);
					n = pos;
					break;
				default:		/* replace the token at a quote by another */
					{
						const char *t = tokens[next_rand(&seed) % (sizeof(tokens) / sizeof(tokens[0]))];
						size_t		tl = strlen(t);
						size_t		end;

						while (pos < len && doc[pos] != '"')
							pos++;
						if (pos >= len)
						{
							memcpy(buf, doc, len);
							n = len;
							break;
						}
						end = pos + 1;
						while (end < len && doc[end] != '"')
							end += (doc[end] == '\\') ? 2 : 1;
						if (end < len)
							end++;
						if (end > len)
							end = len;
						if (pos + tl + (len - end) + 1 > cap)
						{
							memcpy(buf, doc, len);
							n = len;
							break;
						}
						memcpy(buf, doc, pos);
						memcpy(buf + pos, t, tl);
						memcpy(buf + pos + tl, doc + end, len - end);
						n = pos + tl + (len - end);
						break;
					}
			}
			diff_one(buf, n, &stats);
		}
	}
	print_message("compared %ld parses of mutated documents, %ld accepted\n",
				  stats.compared, stats.accepted);
	assert_true(stats.accepted > 100);
	free(buf);
	free_docs(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dom_document_order),
		cmocka_unit_test(test_dom_unescaping),
		cmocka_unit_test(test_dom_numbers),
		cmocka_unit_test(test_dom_errors_like_strict),
		cmocka_unit_test(test_dom_deep_nesting_offset),
		cmocka_unit_test(test_dom_large),
		cmocka_unit_test(test_same_as_jsonc_on_seeds),
		cmocka_unit_test(test_same_as_jsonc_on_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
