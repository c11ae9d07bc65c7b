/*
 * test_json.c -- unit tests of the strict JSON layer (src/core/kp_json.c).
 *
 * Every document is copied into a malloc'd buffer of exactly its length (no
 * terminating NUL), so AddressSanitizer catches any read past the end.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "kp.h"

#define JSON_MSG "The key policy is not valid JSON."
#define ANY_OFFSET (-2L)

/* Parse n bytes of s (copied without a NUL); the tree, if any, is kept. */
static kp_status
parse_keep(const char *s, size_t n, int depth, struct json_object **out,
		   kp_error *err)
{
	char	   *buf = malloc(n > 0 ? n : 1);
	kp_status	st;

	assert_non_null(buf);
	if (n > 0)
		memcpy(buf, s, n);
	st = kp_json_parse_strict(buf, n, depth, out, err);
	free(buf);
	return st;
}

static kp_status
parse_n(const char *s, size_t n, int depth, kp_error *err)
{
	struct json_object *obj = NULL;
	kp_status	st = parse_keep(s, n, depth, &obj, err);

	if (st == KP_OK)
		assert_non_null(obj);
	else
		assert_null(obj);
	json_object_put(obj);
	return st;
}

static void
check_ok(const char *s, size_t n, int depth, int line)
{
	kp_error	err;
	kp_status	st = parse_n(s, n, depth, &err);

	if (st != KP_OK)
	{
		print_error("line %d: refused (%d) at %ld: %s\n", line, (int) st,
					err.offset, err.detail);
		fail();
	}
	assert_int_equal(err.status, KP_OK);
	assert_int_equal(err.offset, -1);
}

static void
check_bad(const char *s, size_t n, int depth, long offset, int line,
		  kp_error *errp)
{
	kp_error	err;
	kp_status	st = parse_n(s, n, depth, &err);

	if (st != KP_ERR_MALFORMED || err.status != KP_ERR_MALFORMED ||
		(offset != ANY_OFFSET && err.offset != offset))
	{
		print_error("line %d: status %d offset %ld (want %ld): %s\n", line,
					(int) st, err.offset, offset, err.detail);
		fail();
	}
	assert_string_equal(err.message, JSON_MSG);
	assert_true(strlen(err.detail) > 20);
	assert_true(err.offset >= 0 && (size_t) err.offset <= n);
	if (errp != NULL)
		*errp = err;
}

#define OK(lit) check_ok(lit, sizeof(lit) - 1, 0, __LINE__)
#define OK_DEPTH(lit, d) check_ok(lit, sizeof(lit) - 1, d, __LINE__)
#define BAD(lit, off) check_bad(lit, sizeof(lit) - 1, 0, off, __LINE__, NULL)
#define BAD_ERR(lit, off, errp) \
	check_bad(lit, sizeof(lit) - 1, 0, off, __LINE__, errp)

/* A growable string for generated documents. */
typedef struct sbuf
{
	char	   *p;
	size_t		len;
	size_t		cap;
} sbuf;

static void
sb_add(sbuf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;

	for (;;)
	{
		size_t		room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t) n < room)
			break;
		b->cap = (b->cap + (size_t) n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	b->len += (size_t) n;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------
 * Accepted documents
 * ------------------------------------------------------------------------ */

static void
test_accept_policy(void **state)
{
	static const char doc[] =
	"{\n"
	"  \"Version\": \"2012-10-17\",\n"
	"  \"Id\": \"key-default-1\",\n"
	"  \"Statement\": [\n"
	"    {\n"
	"      \"Sid\": \"Enable IAM User Permissions\",\n"
	"      \"Effect\": \"Allow\",\n"
	"      \"Principal\": {\"AWS\": [\"arn:aws:iam::111122223333:root\", \"*\"]},\n"
	"      \"Action\": \"kms:*\",\n"
	"      \"Resource\": \"*\",\n"
	"      \"Condition\": {\"NumericLessThan\": {\"kms:X\": [1, 2.5, -3e2]},\n"
	"                      \"Bool\": {\"aws:SecureTransport\": true},\n"
	"                      \"Null\": {\"k\": false}, \"Other\": {\"z\": null}}\n"
	"    },\n"
	"    {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": [], \"Resource\": {}}\n"
	"  ]\n"
	"}\n";
	struct json_object *obj = NULL;
	struct json_object *stmts;
	struct json_object *v;
	kp_error	err;

	assert_int_equal(parse_keep(doc, sizeof(doc) - 1, 0, &obj, &err), KP_OK);
	assert_true(json_object_is_type(obj, json_type_object));
	assert_true(json_object_object_get_ex(obj, "Statement", &stmts));
	assert_int_equal(json_object_array_length(stmts), 2);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(stmts, 1),
										  "Effect", &v));
	assert_string_equal(json_object_get_string(v), "Deny");
	json_object_put(obj);

	OK("{}");
	OK("{\"a\":{}}");
	OK("{\"a\":[]}");
	OK("{\"\":1}");
}

static void
test_accept_escapes(void **state)
{
	static const char doc[] =
	"{\"k\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\u00E9 \\ud83d\\ude00 \\u20AC\"}";
	static const char want[] =
	"q\" b\\ s/ \b\f\n\r\t \xC3\xA9\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x82\xAC";
	struct json_object *obj = NULL;
	struct json_object *v;
	kp_error	err;

	assert_int_equal(parse_keep(doc, sizeof(doc) - 1, 0, &obj, &err), KP_OK);
	assert_true(json_object_object_get_ex(obj, "k", &v));
	assert_int_equal(json_object_get_string_len(v), sizeof(want) - 1);
	assert_memory_equal(json_object_get_string(v), want, sizeof(want) - 1);
	json_object_put(obj);

	/* escaped keys */
	OK("{\"\\u0041\\n\": 1, \"A\": 2, \"A\\n \": 3}");
}

static void
test_accept_utf8(void **state)
{
	/* é (2 bytes), € and CJK (3), emoji (4), U+FEFF inside a string, DEL */
	OK("{\"caf\xC3\xA9\": \"na\xC3\xAFve \xE2\x82\xAC \xE4\xB8\xAD \xF0\x9F\x98\x80\"}");
	OK("{\"a\": \"\xEF\xBB\xBF\x7F\"}");
	/* boundaries of each sequence length */
	OK("{\"a\": \"\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\"}");
	OK("{\"a\": \"\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\"}");
}

static void
test_accept_whitespace(void **state)
{
	OK(" \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n} \t\r\n");
	OK("{\"a\":[1,2,{\"b\":null}]}");
	OK("\n\n{}\n\n");
}

static void
test_accept_numbers(void **state)
{
	OK("{\"a\": [0, -0, 1, -1, 10, 1.5, -0.0, 1e5, 1E+5, 1e-5, -1.25e-3, 0.000]}");
	OK("{\"a\": [9223372036854775807, -9223372036854775808]}");
	OK("{\"a\": [1e-400, 0e99999999999999999999, 0.0e400, 123e-99999999999999]}");
	OK("{\"a\": [1.7976931348623157e308, 1.7976931348623158e308, -1.7976931348623158e308]}");
	/* 2^1024 - 2^970 minus a little: still rounds to DBL_MAX */
	OK("{\"a\": 1.797693134862315807937289714053034150799341327100378269361737789804449682927647509466490179775872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548458177115317644757302700698555713669596228429148198608349364752927190741684443655107043427115596995080930428801779041744977919999e308}");
	OK("{\"a\": 0.00000000000000000000017976931348623157e330}");
	OK("{\"a\": 1797693134862315.7e293}");
}

/* Nesting: n containers in total, the top-level object included. */
static char *
nested_doc(int n, size_t *len)
{
	sbuf		b = {0};
	int			i;

	sb_add(&b, "{\"a\":");
	for (i = 1; i < n; i++)
		sb_add(&b, (i % 2) ? "[" : "{\"b\":");
	sb_add(&b, "1");
	for (i = n - 1; i >= 1; i--)
		sb_add(&b, (i % 2) ? "]" : "}");
	sb_add(&b, "}");
	*len = b.len;
	return b.p;
}

static void
test_depth_limit(void **state)
{
	size_t		len;
	char	   *doc;
	kp_error	err;

	/* default limit (32): 32 accepted, 33 refused at the 33rd bracket */
	doc = nested_doc(KP_DEFAULT_MAX_DEPTH, &len);
	assert_int_equal(parse_n(doc, len, 0, &err), KP_OK);
	assert_int_equal(parse_n(doc, len, -1, &err), KP_OK);
	free(doc);
	doc = nested_doc(KP_DEFAULT_MAX_DEPTH + 1, &len);
	assert_int_equal(parse_n(doc, len, 0, &err), KP_ERR_MALFORMED);
	assert_string_equal(err.message, JSON_MSG);
	assert_true(doc[err.offset] == '[' || doc[err.offset] == '{');
	assert_non_null(strstr(err.detail, "at most 32 levels"));
	free(doc);

	/* custom limits */
	OK_DEPTH("{\"a\":[{\"b\":[1]}]}", 4);
	check_bad("{\"a\":[{\"b\":[1]}]}", 17, 3, 11, __LINE__, &err);
	assert_non_null(strstr(err.detail, "at most 3 levels"));
	assert_string_equal(err.path, "a[0].b");
	OK_DEPTH("{}", 1);
	check_bad("{\"a\":{}}", 8, 1, 5, __LINE__, NULL);

	/* a large limit with deep nesting: heap frames, no recursion */
	doc = nested_doc(5000, &len);
	assert_int_equal(parse_n(doc, len, 5000, &err), KP_OK);
	assert_int_equal(parse_n(doc, len, 4999, &err), KP_ERR_MALFORMED);
	free(doc);
}

static void
test_accept_large_array(void **state)
{
	sbuf		b = {0};
	int			i;
	kp_error	err;
	struct json_object *obj = NULL;
	struct json_object *arr;

	sb_add(&b, "{\"a\":[");
	for (i = 0; i < 100000; i++)
		sb_add(&b, i ? ",%d" : "%d", i);
	sb_add(&b, "],\"b\":[");
	for (i = 0; i < 20000; i++)
		sb_add(&b, i ? ",\"s%d\"" : "\"s%d\"", i);
	sb_add(&b, "]}");
	assert_int_equal(parse_keep(b.p, b.len, 0, &obj, &err), KP_OK);
	assert_true(json_object_object_get_ex(obj, "a", &arr));
	assert_int_equal(json_object_array_length(arr), 100000);
	json_object_put(obj);
	free(b.p);
}

static void
test_out_null_and_reuse(void **state)
{
	kp_error	err;

	assert_int_equal(kp_json_parse_strict("{\"a\":1}", 7, 0, NULL, &err), KP_OK);
	assert_int_equal(kp_json_parse_strict("{\"a\":1,}", 8, 0, NULL, &err),
					 KP_ERR_MALFORMED);
	assert_int_equal(err.offset, 6);
	/* err is cleared by a later success */
	assert_int_equal(kp_json_parse_strict("{}", 2, 0, NULL, &err), KP_OK);
	assert_int_equal(err.status, KP_OK);
	assert_int_equal(err.offset, -1);
	assert_string_equal(err.detail, "");
	/* err may be NULL */
	assert_int_equal(kp_json_parse_strict("[]", 2, 0, NULL, NULL),
					 KP_ERR_MALFORMED);
	assert_int_equal(kp_json_parse_strict(NULL, 0, 0, NULL, &err),
					 KP_ERR_MALFORMED);
}

/* ------------------------------------------------------------------------
 * Refused documents, one test per json-c gap
 * ------------------------------------------------------------------------ */

static void
test_reject_invalid_utf8(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": \"\xC0\xAF\"}", 7, &err);	/* overlong '/' */
	assert_non_null(strstr(err.detail, "overlong"));
	BAD("{\"a\": \"\xC1\xBF\"}", 7);
	BAD_ERR("{\"a\": \"x\xE0\x80\x80\"}", 8, &err);	/* overlong 3 */
	assert_non_null(strstr(err.detail, "overlong"));
	BAD("{\"a\": \"\xF0\x80\x80\x80\"}", 7);	/* overlong 4 */
	BAD_ERR("{\"a\": \"\xED\xA0\x80\"}", 7, &err);	/* U+D800 */
	assert_non_null(strstr(err.detail, "surrogate"));
	BAD("{\"a\": \"\xED\xBF\xBF\"}", 7);	/* U+DFFF */
	BAD_ERR("{\"a\": \"\xF4\x90\x80\x80\"}", 7, &err);	/* U+110000 */
	assert_non_null(strstr(err.detail, "U+10FFFF"));
	BAD("{\"a\": \"\xF5\x80\x80\x80\"}", 7);
	BAD("{\"a\": \"\xFF\"}", 7);
	BAD("{\"a\": \"\x80\"}", 7);	/* lone continuation */
	BAD_ERR("{\"a\": \"\xC3\"}", 7, &err);	/* truncated by the quote */
	assert_non_null(strstr(err.detail, "truncated"));
	BAD("{\"a\": \"\xE2\x82\"}", 7);
	BAD("{\"a\": \"\xF0\x9F\x98\"}", 7);
	BAD("{\"a\": \"\xE2\x82", 7);	/* truncated by the end of input */
	BAD("{\"\xC3\x28\": 1}", 2);	/* in a key */
	BAD("{\"a\": 1}\xC3\xA9", 8);	/* non-ASCII outside strings */
	BAD("{\xC3\xA9: 1}", 1);
	assert_string_equal(err.message, JSON_MSG);
}

static void
test_reject_bom(void **state)
{
	kp_error	err;

	BAD_ERR("\xEF\xBB\xBF{\"a\": 1}", 0, &err);
	assert_non_null(strstr(err.detail, "byte order mark"));
	BAD(" \xEF\xBB\xBF{}", 1);
}

static void
test_reject_control_chars(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": \"x\ty\"}", 8, &err);
	assert_non_null(strstr(err.detail, "U+0009"));
	BAD("{\"a\": \"x\ny\"}", 8);
	BAD("{\"a\": \"\x1F\"}", 7);
	BAD("{\"a\": \"\x01\"}", 7);
	BAD("{\"a\x0d\": 1}", 3);
	/* a raw NUL: the length, not a NUL, ends the document */
	BAD("{\"a\": \"x\0y\"}", 8);
	BAD("{\"a\": 1}\0", 8);
	BAD("{\"a\":\0 1}", 5);
	/* other whitespace than the four JSON ones */
	BAD("{\"a\":\f1}", 5);
	BAD("{\"a\":\v1}", 5);
	BAD("{\"a\":\xC2\xA0" "1}", 5);
}

static void
test_reject_single_quotes(void **state)
{
	kp_error	err;

	BAD_ERR("{'a': 1}", 1, &err);
	assert_non_null(strstr(err.detail, "single-quoted"));
	BAD_ERR("{\"a\": 'x'}", 6, &err);
	assert_non_null(strstr(err.detail, "single-quoted"));
	BAD("{\"a\": ['x']}", 7);
	BAD("{\"a\": 1, 'b': 2}", 9);
}

static void
test_reject_nan_infinity(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": NaN}", 6, &err);
	assert_non_null(strstr(err.detail, "NaN"));
	BAD_ERR("{\"a\": Infinity}", 6, &err);
	assert_non_null(strstr(err.detail, "Infinity"));
	BAD_ERR("{\"a\": -Infinity}", 6, &err);
	assert_non_null(strstr(err.detail, "-Infinity"));
	BAD("{\"a\": [1, nan]}", 11);
	BAD("{\"a\": inf}", 6);
	BAD("{\"a\": -inf}", 7);
}

static void
test_reject_comments(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": /* c */ 1}", 6, &err);
	assert_non_null(strstr(err.detail, "comments"));
	BAD("{// c\n\"a\": 1}", 1);
	BAD("{\"a\": 1} // c", 9);
	BAD("/* c */ {\"a\": 1}", 0);
	BAD("{\"a\": 1 /* c */}", 8);
	BAD("{\"a\": 1} # c", 9);
}

static void
test_reject_trailing_commas(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": 1,}", 7, &err);
	assert_non_null(strstr(err.detail, "trailing comma"));
	BAD("{\"a\": [1, 2, ]}", 11);
	BAD("{\"a\": [1, 2 , \n]}", 12);
	BAD("{\"a\": {\"b\": 1 , } }", 14);
	BAD("{,}", 1);
	BAD("{\"a\": [,]}", 7);
	BAD("{\"a\": [1,,2]}", 9);
	BAD("{\"a\": 1,,\"b\": 2}", 8);
}

static void
test_reject_trailing_garbage(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": 1}}", 8, &err);
	assert_non_null(strstr(err.detail, "after the end of the top-level object"));
	BAD("{}{}", 2);
	BAD("{} \n x", 5);
	BAD("{}\n,", 3);
	BAD("{\"a\": 1} 1", 9);
}

static void
test_reject_number_grammar(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": 01}", 7, &err);
	assert_non_null(strstr(err.detail, "leading zeros"));
	BAD("{\"a\": -01}", 8);
	BAD("{\"a\": 00}", 7);
	BAD("{\"a\": .5}", 6);
	BAD("{\"a\": +1}", 6);
	BAD_ERR("{\"a\": 1.}", 8, &err);
	assert_non_null(strstr(err.detail, "decimal point"));
	BAD("{\"a\": 1.e5}", 8);
	BAD("{\"a\": -}", 7);
	BAD("{\"a\": - 1}", 7);
	BAD("{\"a\": 1e}", 8);
	BAD("{\"a\": 1e+}", 9);
	BAD("{\"a\": 1E-x}", 9);
	BAD("{\"a\": 0x10}", 7);
	BAD("{\"a\": 1.5.5}", 9);
	BAD("{\"a\": 1-2}", 7);
	BAD("{\"a\": [1 2]}", 9);
	BAD("{\"a\": 1", 7);
	BAD("{\"a\": 1.", 8);
	BAD("{\"a\": -", 7);
}

static void
test_reject_number_range(void **state)
{
	kp_error	err;

	/* integers must fit in int64 */
	BAD_ERR("{\"a\": 9223372036854775808}", 6, &err);
	assert_non_null(strstr(err.detail, "64-bit range"));
	BAD("{\"a\": -9223372036854775809}", 6);
	BAD("{\"a\": [1, 99999999999999999999]}", 10);
	BAD("{\"a\": 18446744073709551615}", 6);
	BAD("{\"a\": 10000000000000000000}", 6);
	/* doubles must not overflow */
	BAD_ERR("{\"a\": 1.5e999}", 6, &err);
	assert_non_null(strstr(err.detail, "overflows a double"));
	BAD("{\"a\": -1.5e999}", 6);
	BAD("{\"a\": 1e309}", 6);
	BAD("{\"a\": 1e99999999999999999999}", 6);
	BAD("{\"a\": 0.0001e313}", 6);
	BAD("{\"a\": 17976931348623159e292}", 6);
	/* 2^1024 - 2^970 exactly rounds to infinity */
	BAD("{\"a\": 1.79769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792e308}", 6);
	BAD("{\"a\": 179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792.0}", 6);
}

/* The digit-based overflow test agrees with strtod (C locale) near DBL_MAX. */
static void
test_number_range_matches_strtod(void **state)
{
	static const char *const nums[] = {
		"1.7976931348623157e308", "1.7976931348623158e308",
		"1.7976931348623159e308", "1.797693134862315807e308",
		"1.797693134862315808e308", "179.76931348623158e306",
		"0.17976931348623158e309", "0.17976931348623159e309",
		"1e308", "9.99e308", "1e310", "1.0e-320", "2.5e-324", "1e-999",
		"1.797693134862315807937289714053034150799341327100378269361737789804449e308",
		"1.797693134862315807937289714053034150799341327100378269361737789804450e308",
		"-1.7976931348623159e308", "123456789012345678901234567890e280",
		"123456789012345678901234567890e279",
	};
	size_t		i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
	{
		char		doc[256];
		kp_error	err;
		int			n = snprintf(doc, sizeof(doc), "{\"a\": %s}", nums[i]);
		bool		inf = isinf(strtod(nums[i], NULL));
		kp_status	st = parse_n(doc, (size_t) n, 0, &err);

		if ((st == KP_OK) == inf)
		{
			print_error("%s: status %d, strtod says %s\n", nums[i], (int) st,
						inf ? "inf" : "finite");
			fail();
		}
	}
}

static void
test_reject_bad_escapes(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": \"x\\x41\"}", 8, &err);
	assert_non_null(strstr(err.detail, "invalid escape"));
	BAD("{\"a\": \"\\a\"}", 7);
	BAD("{\"a\": \"\\'\"}", 7);
	BAD("{\"a\": \"\\U0041\"}", 7);
	BAD("{\"a\": \"\\0\"}", 7);
	BAD("{\"a\": \"\\u12\"}", 7);
	BAD("{\"a\": \"\\u12G4\"}", 7);
	BAD("{\"a\": \"\\u-123\"}", 7);
	BAD("{\"\\e\": 1}", 2);
	BAD("{\"a\": \"\\\xC3\xA9\"}", 7);
	BAD("{\"a\": \"\\", 8);	/* end of input after the backslash */
	BAD("{\"a\": \"\\u00", 11);
}

static void
test_reject_u0000(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": \"x\\u0000y\"}", 8, &err);
	assert_non_null(strstr(err.detail, "\\u0000"));
	BAD("{\"a\\u0000\": 1}", 3);
	OK("{\"a\": \"\\u0001\\u001f\"}");
}

static void
test_reject_surrogates(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": \"\\ud800\"}", 7, &err);	/* lone high */
	assert_non_null(strstr(err.detail, "high surrogate"));
	BAD_ERR("{\"a\": \"x\\uDC00\"}", 8, &err);	/* lone low */
	assert_non_null(strstr(err.detail, "low surrogate"));
	BAD("{\"a\": \"\\ud800\\u0041\"}", 7);	/* high + non-surrogate */
	BAD("{\"a\": \"\\ud800\\ud800\"}", 7);	/* high + high */
	BAD("{\"a\": \"\\ude00\\ud83d\"}", 7);	/* reversed pair */
	BAD("{\"a\": \"\\ud83dx\\ude00\"}", 7);
	BAD("{\"a\": \"\\ud83d\\n\"}", 7);
	BAD("{\"\\udbff\": 1}", 2);
	OK("{\"a\": \"\\udbff\\udfff\\ud800\\udc00\"}");
}

static void
test_reject_duplicate_keys(void **state)
{
	kp_error	err;

	BAD_ERR("{\"a\": 1, \"a\": 2}", 9, &err);
	assert_string_equal(err.path, "");
	assert_non_null(strstr(err.detail, "Duplicate object key \"a\""));

	/* nested: path of the object holding the duplicate */
	BAD_ERR("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Effect\":\"Deny\"}]}",
			55, &err);
	assert_string_equal(err.path, "Statement[0]");
	assert_string_equal(err.detail,
						"Duplicate object key \"Effect\" at byte offset 55 (path Statement[0]): a key may appear only once in an object.");
	BAD_ERR("{\"S\":[{}, {\"P\": {\"AWS\": 1, \"X\": 2, \"AWS\": 3}}]}", 35, &err);
	assert_string_equal(err.path, "S[1].P");

	/* compared after unescaping */
	BAD_ERR("{\"a\": 1, \"\\u0061\": 2}", 9, &err);
	assert_non_null(strstr(err.detail, "\"\\u0061\""));
	BAD("{\"\\u00e9\": 1, \"\xC3\xA9\": 2}", 14);
	BAD("{\"\\ud83d\\ude00\": 1, \"\xF0\x9F\x98\x80\": 2}", 20);
	BAD("{\"a/b\": 1, \"a\\/b\": 2}", 11);
	BAD("{\"\": 1, \"\": 2}", 8);

	/* distinct keys; same key in different (and sibling) objects */
	OK("{\"a\": 1, \"A\": 2, \"a \": 3, \"ab\": 4, \"\": 5, \"b\": {\"a\": 1}}");
	OK("{\"s\": [{\"a\": 1, \"b\": 2}, {\"a\": 1, \"b\": 2}, {\"b\": {\"a\": {\"a\": 1}}, \"a\": 3}]}");
	OK("{\"a\": {\"x\": 1}, \"b\": {\"x\": 1}, \"c\": [{\"x\": 1}, {\"x\": 1}]}");
	/* after a nested object closes, the outer set is intact */
	BAD("{\"a\": {\"b\": 1}, \"b\": 2, \"a\": 3}", 24);
}

static void
test_duplicate_key_stress(void **state)
{
	sbuf		b = {0};
	kp_error	err;
	double		t0;
	double		elapsed;
	long		dup_at;
	int			i;

	/* 5000 distinct keys, some sharing long prefixes */
	sb_add(&b, "{");
	for (i = 0; i < 5000; i++)
		sb_add(&b, "%s\"k%d\": %d", i ? ", " : "", i, i);
	sb_add(&b, "}");
	t0 = now_seconds();
	assert_int_equal(parse_n(b.p, b.len, 0, &err), KP_OK);

	/* ... then a duplicate at the end */
	b.len--;
	dup_at = (long) b.len + 2;
	sb_add(&b, ", \"k4999\": 0}");
	assert_int_equal(parse_n(b.p, b.len, 0, &err), KP_ERR_MALFORMED);
	assert_int_equal(err.offset, dup_at);
	free(b.p);

	/* ~130 KB of keys sharing a 60-byte prefix, inserted in sorted order */
	memset(&b, 0, sizeof(b));
	sb_add(&b, "{");
	for (i = 0; b.len < 130000; i++)
		sb_add(&b, "%s\"%060d%06d\":0", i ? "," : "", 0, i);
	sb_add(&b, ",\"%060d%06d\":0}", 0, 0);
	assert_int_equal(parse_n(b.p, b.len, 0, &err), KP_ERR_MALFORMED);
	assert_non_null(strstr(err.detail, "Duplicate object key"));
	free(b.p);

	/* ~130 KB of the shortest distinct keys */
	memset(&b, 0, sizeof(b));
	sb_add(&b, "{");
	for (i = 0; b.len < 130000; i++)
		sb_add(&b, "%s\"%x\":0", i ? "," : "", i);
	sb_add(&b, "}");
	assert_int_equal(parse_n(b.p, b.len, 0, &err), KP_OK);
	free(b.p);

	elapsed = now_seconds() - t0;
	/* generous: sanitizers are slow; quadratic behaviour takes far longer */
	assert_true(elapsed < 2.0);
}

static void
test_reject_top_level(void **state)
{
	kp_error	err;

	BAD_ERR("[]", 0, &err);
	assert_non_null(strstr(err.detail, "must be a JSON object"));
	BAD(" \"x\"", 1);
	BAD("1", 0);
	BAD("-1", 0);
	BAD("true", 0);
	BAD("null", 0);
	BAD("x", 0);
	BAD("}", 0);
}

static void
test_reject_empty(void **state)
{
	kp_error	err;

	assert_int_equal(parse_n("", 0, 0, &err), KP_ERR_MALFORMED);
	assert_int_equal(err.offset, 0);
	assert_non_null(strstr(err.detail, "empty"));
	BAD(" \t\r\n ", 5);
	BAD("{", 1);
	BAD("{ ", 2);
	BAD("{\"a\"", 4);
	BAD("{\"a\":", 5);
	BAD("{\"a\":\"x", 7);
	BAD("{\"a\":[", 6);
	BAD("{\"a\":tru", 8);
}

static void
test_syntax_errors_offsets_and_paths(void **state)
{
	kp_error	err;

	/* the example of the research notes: offset 47, at the 'A' */
	BAD_ERR("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":Allow}]}",
			47, &err);
	assert_string_equal(err.detail,
						"JSON syntax error at byte offset 47: unexpected character 'A'; expected a value.");
	assert_string_equal(err.path, "Statement[0].Effect");

	BAD_ERR("{\"S\":[1,{\"a\":{\"b\":[true,fals]}}]}", 28, &err);
	assert_string_equal(err.path, "S[1].a.b[1]");
	BAD_ERR("{\"a\" 1}", 5, &err);
	assert_non_null(strstr(err.detail, "expected ':'"));
	BAD_ERR("{\"a\": 1 \"b\": 2}", 8, &err);
	assert_non_null(strstr(err.detail, "expected ',' or '}'"));
	BAD_ERR("{\"a\": [1 }", 9, &err);
	assert_non_null(strstr(err.detail, "expected ',' or ']'"));
	/*
	 * fuzz_policy (UBSan): a syntax error under an empty first key of an
	 * object computed the path from a NULL key buffer.
	 */
	BAD_ERR("{\"\":x}", 4, &err);
	assert_string_equal(err.path, "");
	BAD_ERR("{\"Statement\":{\"\":Sdi\"}}", 17, &err);
	assert_string_equal(err.path, "Statement.");
	BAD("{\"a\": True}", 6);
	BAD("{\"a\": nul}", 9);
	BAD("{\"a\": truex}", 10);
	BAD("{\"a\"}", 4);
	BAD("{1: 2}", 1);
	BAD("{\"a\": }", 6);
	BAD("{\"a\": ]}", 6);
	BAD("{\"a\": [}", 7);
	BAD("{\"a\": {]}", 7);
	BAD("{\"a\": 1]", 7);

	/* a long path is truncated, still valid UTF-8 */
	{
		sbuf		b = {0};
		int			i;

		sb_add(&b, "{");
		for (i = 0; i < 30; i++)
			sb_add(&b, "\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9%02d\":{", i);
		sb_add(&b, "\"x\":bad");
		for (i = 0; i < 31; i++)
			sb_add(&b, "}");
		assert_int_equal(parse_n(b.p, b.len, 64, &err), KP_ERR_MALFORMED);
		assert_true(strlen(err.path) < KP_PATH_LEN);
		assert_int_equal(strcmp(err.path + strlen(err.path) - 3, "..."), 0);
		/* no cut UTF-8 sequence before the "..." */
		{
			size_t		n = strlen(err.path) - 3;
			size_t		j = n;

			while (j > 0 && ((unsigned char) err.path[j - 1] & 0xC0) == 0x80)
				j--;
			assert_true(j == n || n - j == 1);
			if (j < n)
				assert_int_equal((unsigned char) err.path[j - 1], 0xC3);
		}
		free(b.p);
	}
}

/* Every proper prefix of a valid document is refused, none read past len. */
static void
test_every_prefix_refused(void **state)
{
	static const char doc[] =
	"{\"Statement\": [{\"Sid\": \"caf\xC3\xA9 \\u00e9 \\ud83d\\ude00\", "
	"\"N\": [-1.5e-3, 0, true, false, null], \"E\": {}}]}";
	size_t		n;

	for (n = 0; n < sizeof(doc) - 1; n++)
	{
		kp_error	err;

		assert_int_equal(parse_n(doc, n, 0, &err), KP_ERR_MALFORMED);
		assert_true(err.offset >= 0 && (size_t) err.offset <= n);
	}
	OK(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_policy),
		cmocka_unit_test(test_accept_escapes),
		cmocka_unit_test(test_accept_utf8),
		cmocka_unit_test(test_accept_whitespace),
		cmocka_unit_test(test_accept_numbers),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_accept_large_array),
		cmocka_unit_test(test_out_null_and_reuse),
		cmocka_unit_test(test_reject_invalid_utf8),
		cmocka_unit_test(test_reject_bom),
		cmocka_unit_test(test_reject_control_chars),
		cmocka_unit_test(test_reject_single_quotes),
		cmocka_unit_test(test_reject_nan_infinity),
		cmocka_unit_test(test_reject_comments),
		cmocka_unit_test(test_reject_trailing_commas),
		cmocka_unit_test(test_reject_trailing_garbage),
		cmocka_unit_test(test_reject_number_grammar),
		cmocka_unit_test(test_reject_number_range),
		cmocka_unit_test(test_number_range_matches_strtod),
		cmocka_unit_test(test_reject_bad_escapes),
		cmocka_unit_test(test_reject_u0000),
		cmocka_unit_test(test_reject_surrogates),
		cmocka_unit_test(test_reject_duplicate_keys),
		cmocka_unit_test(test_duplicate_key_stress),
		cmocka_unit_test(test_reject_top_level),
		cmocka_unit_test(test_reject_empty),
		cmocka_unit_test(test_syntax_errors_offsets_and_paths),
		cmocka_unit_test(test_every_prefix_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
