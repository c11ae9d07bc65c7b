/*
 * test_operand.c -- unit tests of kp_operand.c (the one parser of each
 * condition operand kind), of the request context (hashed look-ups, size
 * limits) and of the interrupt hook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kp.h"
#include "kp_eval.h"
#include "internal/kp_operand.h"

/* ------------------------------------------------------------------------
 * Dates
 * ------------------------------------------------------------------------ */

static bool
date_ok(const char *s)
{
	kp_instant	t;

	return kp_date_parse(s, &t);
}

static int64_t
date_sec(const char *s)
{
	kp_instant	t;

	assert_true(kp_date_parse(s, &t));
	return t.sec;
}

static void
test_leap_years(void **state)
{
	assert_true(kp_is_leap_year(2024));
	assert_false(kp_is_leap_year(2025));
	assert_false(kp_is_leap_year(1900));
	assert_true(kp_is_leap_year(2000));
	assert_true(date_ok("2024-02-29"));
	assert_false(date_ok("2025-02-29"));
	assert_false(date_ok("1900-02-29"));
	assert_true(date_ok("2000-02-29T23:59:59Z"));
	assert_false(date_ok("2100-02-29T00:00:00Z"));
	assert_false(date_ok("2024-02-30"));
	assert_true(date_ok("2025-02-28"));
	assert_int_equal(date_sec("2024-02-29"), 1709164800);
	assert_int_equal(date_sec("2024-03-01"), 1709164800 + 86400);
	assert_int_equal(date_sec("1970-01-01T00:00:00Z"), 0);
}

static void
test_date_edges(void **state)
{
	static const char *const good[] = {
		"2019-07-16", "2019-07-16T12:00Z", "2019-07-16T12:00:00Z",
		"2019-07-16T12:00:00.1Z", "2019-07-16T12:00:00.123456789Z",
		"2019-07-16T12:00:00+05:30", "2019-07-16T12:00-23:59", "0000-01-01",
		"9999-12-31T23:59:59Z", "2019-04-30", "2019-12-31",
		"0", "1700000000", "-5", "999999999999", "1.5", "-1.000000001",
	};
	static const char *const bad[] = {
		"", "2019-7-16", "2019-07", "2019-13-01", "2019-00-10", "2019-04-31",
		"2019-07-00", "2019-07-16T24:00:00Z", "2019-07-16T12:60Z",
		"2019-07-16T12:00:60Z", "2019-07-16T12:00:00", "2019-07-16t12:00:00Z",
		"2019-07-16 12:00:00Z", "2019-07-16T12:00:00z", "2019-07-16T12:00:00.Z",
		"2019-07-16T12:00:00.1234567890Z", "2019-07-16T12:00:00+0530",
		"2019-07-16T12:00:00+05", "2019-07-16T12:00:00+24:00",
		"2019-07-16T12:00:00Z ", " 2019-07-16", "1000000000000", "+5", "1.",
		".5", "-", "1.1234567890", "1e5", "yesterday", "2019-07-16T",
	};
	size_t		i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!date_ok(good[i]))
			fail_msg("date \"%s\" should parse", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (date_ok(bad[i]))
			fail_msg("date \"%s\" should not parse", bad[i]);
	assert_false(kp_date_parse(NULL, &(kp_instant) {0}));
}

static void
test_date_compare(void **state)
{
	kp_instant	a;
	kp_instant	b;

	assert_true(kp_date_parse("2019-07-16T12:00:00+01:00", &a));
	assert_true(kp_date_parse("2019-07-16T11:00:00Z", &b));
	assert_int_equal(kp_instant_cmp(&a, &b), 0);
	assert_true(kp_date_parse("-1.5", &a));
	assert_int_equal(a.sec, -2);
	assert_int_equal(a.nsec, 500000000);
	assert_true(kp_date_parse("-1", &b));
	assert_int_equal(kp_instant_cmp(&a, &b), -1);
	assert_true(kp_date_parse("1563278400.000000001", &a));
	assert_true(kp_date_parse("2019-07-16T12:00:00Z", &b));
	assert_int_equal(kp_instant_cmp(&a, &b), 1);
	assert_true(kp_date_parse("2019-07-16T12:00:00.000000001Z", &b));
	assert_int_equal(kp_instant_cmp(&a, &b), 0);
}

/* ------------------------------------------------------------------------
 * Numbers
 * ------------------------------------------------------------------------ */

static int
num_cmp(const char *a, const char *b)
{
	kp_number	x;
	kp_number	y;

	assert_true(kp_number_parse(a, &x));
	assert_true(kp_number_parse(b, &y));
	return kp_number_cmp(&x, &y);
}

static void
test_numbers(void **state)
{
	static const char *const good[] = {
		"0", "-0", "007", "1.5", "-1.50", "1e5", "1E+5", "1e-5", "1.5e999999",
		"0.000001", "123456789012345678901234567890",
	};
	static const char *const bad[] = {
		"", "-", "+1", ".5", "5.", "1e", "1e+", "1e1234567", "1.5.5", "1,5",
		"0x10", " 1", "1 ", "NaN", "Infinity", "--1", "1e5.5", "1.e5",
	};
	char		buf[400];
	kp_number	n;
	size_t		i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!kp_number_parse(good[i], &n))
			fail_msg("number \"%s\" should parse", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (kp_number_parse(bad[i], &n))
			fail_msg("number \"%s\" should not parse", bad[i]);

	/* at most 160 digits from the first non-zero digit on */
	memset(buf, '9', 160);
	buf[160] = '\0';
	assert_true(kp_number_parse(buf, &n));
	memset(buf, '9', 161);
	buf[161] = '\0';
	assert_false(kp_number_parse(buf, &n));
	snprintf(buf, sizeof(buf), "0.0000000000%0160d", 1);
	assert_true(kp_number_parse(buf, &n));

	assert_int_equal(num_cmp("0", "-0"), 0);
	assert_int_equal(num_cmp("1.50", "1.5"), 0);
	assert_int_equal(num_cmp("15e2", "1500.000"), 0);
	assert_int_equal(num_cmp("007", "7"), 0);
	assert_int_equal(num_cmp("-2", "-1"), -1);
	assert_int_equal(num_cmp("-1", "0"), -1);
	assert_int_equal(num_cmp("0.1", "0.09"), 1);
	assert_int_equal(num_cmp("1e-5", "0.00001"), 0);
	assert_int_equal(num_cmp("-1e5", "-99999"), -1);
}

/* ------------------------------------------------------------------------
 * Booleans, base64, IP addresses
 * ------------------------------------------------------------------------ */

static void
test_bool_base64(void **state)
{
	bool		b;
	size_t		n;

	assert_true(kp_bool_parse("TRUE", &b) && b);
	assert_true(kp_bool_parse("false", &b) && !b);
	assert_true(kp_bool_parse("fAlSe", &b) && !b);
	assert_false(kp_bool_parse("yes", &b));
	assert_false(kp_bool_parse("", &b));
	assert_false(kp_bool_parse("true ", &b));
	assert_false(kp_bool_parse(NULL, &b));

	assert_true(kp_base64_valid("QUJD", &n));
	assert_int_equal(n, 3);
	assert_true(kp_base64_valid("QUI=", &n));
	assert_int_equal(n, 2);
	assert_true(kp_base64_valid("QQ==", &n));
	assert_int_equal(n, 1);
	assert_true(kp_base64_valid("ab+/", NULL));
	assert_false(kp_base64_valid("", NULL));
	assert_false(kp_base64_valid("abc", NULL));
	assert_false(kp_base64_valid("a=bc", NULL));
	assert_false(kp_base64_valid("ab-_", NULL));
	assert_false(kp_base64_valid("Q===", NULL));
	assert_false(kp_base64_valid("====", NULL));
	assert_false(kp_base64_valid(NULL, NULL));
	assert_true(kp_base64_equal("QUJD", "QUJD"));
	/* the same byte with different unused bits */
	assert_true(kp_base64_equal("QQ==", "QR=="));
	assert_false(kp_base64_equal("QUJD", "QUJE"));
	assert_false(kp_base64_equal("QUI=", "QUJD"));
	assert_false(kp_base64_equal("not!", "not!"));
}

static void
test_ip(void **state)
{
	kp_ipnet	net;
	kp_ipnet	addr;

	assert_true(kp_ip_parse("203.0.113.0/24", true, &net));
	assert_int_equal(net.family, 4);
	assert_int_equal(net.prefix, 24);
	assert_true(kp_ip_parse("203.0.113.9", false, &addr));
	assert_true(kp_ip_contains(&net, &addr));
	assert_true(kp_ip_parse("203.0.114.9", false, &addr));
	assert_false(kp_ip_contains(&net, &addr));
	assert_true(kp_ip_parse("0.0.0.0/0", true, &net));
	assert_true(kp_ip_contains(&net, &addr));
	assert_true(kp_ip_parse("10.0.0.1/32", true, &net));
	assert_false(kp_ip_parse("10.0.0.1/33", true, &net));
	assert_false(kp_ip_parse("10.0.0.1/", true, &net));
	assert_false(kp_ip_parse("10.0.0.1/0032", true, &net));
	assert_false(kp_ip_parse("10.0.0.1/24", false, &net));
	assert_false(kp_ip_parse("10.0.0", true, &net));
	assert_false(kp_ip_parse("010.0.0.1", true, &net));
	assert_false(kp_ip_parse("", true, &net));
	assert_true(kp_ip_parse("2001:db8::/32", true, &net));
	assert_int_equal(net.family, 6);
	assert_true(kp_ip_parse("2001:db8:1234::1", false, &addr));
	assert_true(kp_ip_contains(&net, &addr));
	assert_true(kp_ip_parse("::1/128", true, &net));
	assert_false(kp_ip_parse("::1/129", true, &net));
	/* families never mix */
	assert_true(kp_ip_parse("0.0.0.0/0", true, &net));
	assert_true(kp_ip_parse("::ffff:10.0.0.1", false, &addr));
	assert_false(kp_ip_contains(&net, &addr));
	/* host bits in a CIDR block are ignored */
	assert_true(kp_ip_parse("10.1.2.3/8", true, &net));
	assert_true(kp_ip_parse("10.200.0.1", false, &addr));
	assert_true(kp_ip_contains(&net, &addr));
}

/* ------------------------------------------------------------------------
 * UTF-8 and globs
 * ------------------------------------------------------------------------ */

static bool
glob(const char *p, const char *s, int flags)
{
	return kp_glob_span(p, strlen(p), s, strlen(s), flags, NULL);
}

static void
test_utf8(void **state)
{
	unsigned int cp;

	assert_int_equal(kp_utf8_decode((const unsigned char *) "A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(kp_utf8_decode((const unsigned char *) "\xC3\xA9", 2, &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(kp_utf8_decode((const unsigned char *) "\xE2\x82\xAC", 3, &cp), 3);
	assert_int_equal(cp, 0x20AC);
	assert_int_equal(kp_utf8_decode((const unsigned char *) "\xF0\x9F\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	/* overlong, surrogate, beyond U+10FFFF, truncated, stray continuation */
	assert_int_equal(kp_utf8_decode((const unsigned char *) "\xC0\x80", 2, &cp), 0);
	assert_int_equal(kp_utf8_decode((const unsigned char *) "\xE0\x80\x80", 3, &cp), 0);
	assert_int_equal(kp_utf8_decode((const unsigned char *) "\xED\xA0\x80", 3, &cp), 0);
	assert_int_equal(kp_utf8_decode((const unsigned char *) "\xF4\x90\x80\x80", 4, &cp), 0);
	assert_int_equal(kp_utf8_decode((const unsigned char *) "\xC3", 1, &cp), 0);
	assert_int_equal(kp_utf8_decode((const unsigned char *) "\x80", 1, &cp), 0);
	assert_int_equal(kp_utf8_decode((const unsigned char *) "", 0, &cp), 0);
	assert_int_equal(kp_utf8_char_len("\xC3\xA9x", 3), 2);
	assert_int_equal(kp_utf8_char_len("\xC3", 1), 1);
	assert_int_equal(kp_utf8_char_len("\xFFx", 2), 1);
}

static void
test_globs(void **state)
{
	assert_true(glob("*", "", 0));
	assert_true(glob("", "", 0));
	assert_false(glob("", "a", 0));
	assert_true(glob("a*c", "abbbc", 0));
	assert_true(glob("a*c", "ac", 0));
	assert_false(glob("a*c", "acb", 0));
	/* '?' is one UTF-8 character, never half of one */
	assert_true(glob("Orl?ans", "Orl\xC3\xA9" "ans", 0));
	assert_false(glob("Orl??ans", "Orl\xC3\xA9" "ans", 0));
	assert_true(glob("?", "\xE2\x82\xAC", 0));
	assert_true(glob("?", "\xF0\x9F\x98\x80", 0));
	assert_false(glob("?", "", 0));
	/* an invalid byte is one character */
	assert_true(glob("a?b", "a\xFF" "b", 0));
	/* '*' steps over whole characters as well */
	assert_true(glob("*\xA9", "\xC3\xA9", 0) == false);
	assert_true(glob("ab*", "ab\xC3\xA9", 0));
	/* case */
	assert_false(glob("KMS:get*", "kms:GetKeyPolicy", 0));
	assert_true(glob("KMS:get*", "kms:GetKeyPolicy", KP_GLOB_ICASE));
	/* escapes only when asked */
	assert_true(glob("a\\*b", "a*b", KP_GLOB_ESC));
	assert_false(glob("a\\*b", "axb", KP_GLOB_ESC));
	assert_true(glob("a\\*b", "a\\xyzb", 0));
	assert_true(glob("a\\?", "a?", KP_GLOB_ESC));
	assert_false(glob("a\\?", "ab", KP_GLOB_ESC));
	/* kp_glob_match is the same matcher */
	assert_true(kp_glob_match("Orl?ans", "Orl\xC3\xA9" "ans", false));
	assert_true(kp_action_matches("kms:?ecrypt", "KMS:Decrypt"));
}

/* ------------------------------------------------------------------------
 * Request context
 * ------------------------------------------------------------------------ */

static void
test_context_lookup(void **state)
{
	kp_context *ctx = kp_context_new();
	const char *const *v;
	size_t		n;
	char		key[64];
	int			i;

	assert_non_null(ctx);
	/* enough keys to grow the index several times */
	for (i = 0; i < 1000; i++)
	{
		snprintf(key, sizeof(key), "kms:EncryptionContext:k%d", i);
		assert_int_equal(kp_context_add(ctx, key, key + 22), KP_OK);
	}
	assert_int_equal(kp_context_key_count(ctx), 1000);
	for (i = 0; i < 1000; i++)
	{
		snprintf(key, sizeof(key), "KMS:ENCRYPTIONCONTEXT:K%d", i);
		v = kp_context_get(ctx, key, &n);
		assert_non_null(v);
		assert_int_equal(n, 1);
		snprintf(key, sizeof(key), "k%d", i);
		assert_string_equal(v[0], key);
	}
	assert_null(kp_context_get(ctx, "kms:EncryptionContext:k1000", &n));
	assert_int_equal(n, 0);
	/* a second value goes to the same key, whatever its case */
	assert_int_equal(kp_context_add(ctx, "Kms:encryptionContext:K7", "again"), KP_OK);
	v = kp_context_get(ctx, "kms:EncryptionContext:k7", &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "again");
	assert_int_equal(kp_context_key_count(ctx), 1000);
	/* a key without values is present but empty */
	assert_int_equal(kp_context_add(ctx, "aws:TagKeys", NULL), KP_OK);
	assert_null(kp_context_get(ctx, "aws:tagkeys", &n));
	assert_int_equal(kp_context_key_count(ctx), 1001);
	assert_null(kp_context_get(NULL, "aws:TagKeys", &n));
	kp_context_free(ctx);
}

static void
test_context_limits(void **state)
{
	kp_context *ctx = kp_context_new();
	kp_error	err;
	char		key[64];
	char	   *big;
	size_t		n;
	int			i;

	for (i = 0; i < KP_CONTEXT_MAX_KEYS; i++)
	{
		snprintf(key, sizeof(key), "test:k%d", i);
		assert_int_equal(kp_context_add_checked(ctx, key, NULL, &err), KP_OK);
	}
	/* one key too many: refused, nothing dropped, nothing added */
	assert_int_equal(kp_context_add_checked(ctx, "test:one-more", "v", &err), KP_ERR_LIMIT);
	assert_int_equal(err.status, KP_ERR_LIMIT);
	assert_string_equal(err.detail, "The request context may hold at most 1024 keys.");
	assert_int_equal(kp_context_key_count(ctx), KP_CONTEXT_MAX_KEYS);
	assert_null(kp_context_get(ctx, "test:one-more", &n));
	/* existing keys still take values */
	assert_int_equal(kp_context_add_checked(ctx, "test:k0", "v", &err), KP_OK);
	kp_context_free(ctx);

	ctx = kp_context_new();
	for (i = 0; i < KP_CONTEXT_MAX_VALUES; i++)
		assert_int_equal(kp_context_add(ctx, "aws:TagKeys", "t"), KP_OK);
	assert_int_equal(kp_context_add_checked(ctx, "aws:TagKeys", "t", &err), KP_ERR_LIMIT);
	assert_non_null(strstr(err.detail, "4096 values"));
	assert_non_null(kp_context_get(ctx, "aws:TagKeys", &n));
	assert_int_equal(n, KP_CONTEXT_MAX_VALUES);
	kp_context_free(ctx);

	ctx = kp_context_new();
	big = malloc(KP_CONTEXT_MAX_BYTES + 1);
	assert_non_null(big);
	memset(big, 'x', KP_CONTEXT_MAX_BYTES);
	big[KP_CONTEXT_MAX_BYTES - strlen("test:big")] = '\0';
	/* exactly the limit: key and value bytes */
	assert_int_equal(kp_context_add_checked(ctx, "test:big", big, &err), KP_OK);
	assert_int_equal(kp_context_add_checked(ctx, "test:big", "", &err), KP_OK);
	assert_int_equal(kp_context_add_checked(ctx, "test:big", "x", &err), KP_ERR_LIMIT);
	assert_non_null(strstr(err.detail, "262144 bytes"));
	assert_int_equal(kp_context_add_checked(ctx, "t:x", NULL, &err), KP_ERR_LIMIT);
	free(big);
	kp_context_free(ctx);

	/* NULL arguments */
	assert_int_equal(kp_context_add(NULL, "a:b", "c"), KP_ERR_NOMEM);
}

/* ------------------------------------------------------------------------
 * The interrupt hook
 * ------------------------------------------------------------------------ */

static int	hook_calls;
static int	hook_stop_after;

static bool
test_hook(void)
{
	hook_calls++;
	return hook_stop_after >= 0 && hook_calls > hook_stop_after;
}

static void
test_interrupts(void **state)
{
	static const char *doc =
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
		"\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringLike\":"
		"{\"test:slow\":\"*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"}}}]}";
	kp_parse_opts opts = {KP_DIALECT_AWS, KP_DOC_KEY_POLICY, "aws", "111122223333", 0};
	kp_policy  *p = NULL;
	kp_error	err;
	kp_context *ctx = kp_context_new();
	kp_request	req;
	kp_trace	trace;
	kp_decision d;
	kp_poll		poll = KP_POLL_INIT;
	char	   *slow = malloc(100001);

	assert_non_null(slow);
	memset(slow, 'a', 100000);
	slow[100000] = '\0';
	assert_int_equal(kp_context_add(ctx, "test:slow", slow), KP_OK);
	memset(&req, 0, sizeof(req));
	req.principal_arn = "arn:aws:iam::111122223333:user/Alice";
	req.action = "kms:Decrypt";
	req.resource_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
	req.context = ctx;

	/* no hook: never interrupted */
	kp_set_interrupt_check(NULL);
	assert_false(kp_interrupt_requested());
	assert_int_equal(kp_policy_parse(doc, strlen(doc), &opts, &p, &err), KP_OK);
	assert_int_equal(kp_evaluate(p, NULL, 0, &req, NULL, &d), KP_OK);
	assert_int_equal(d, KP_DECISION_IMPLICIT_DENY);

	/* a hook that says stop at once: parse and evaluation stop cleanly */
	hook_calls = 0;
	hook_stop_after = 0;
	kp_set_interrupt_check(test_hook);
	assert_true(kp_interrupt_requested());
	{
		kp_policy  *q = (kp_policy *) &err;

		assert_int_equal(kp_policy_parse(doc, strlen(doc), &opts, &q, &err), KP_ERR_INTERRUPTED);
		assert_null(q);
		assert_int_equal(err.status, KP_ERR_INTERRUPTED);
	}
	kp_trace_init(&trace);
	d = KP_DECISION_ALLOW;
	assert_int_equal(kp_evaluate(p, NULL, 0, &req, &trace, &d), KP_ERR_INTERRUPTED);
	assert_int_equal(d, KP_DECISION_IMPLICIT_DENY);
	assert_int_equal(trace.n_entries, 0);	/* freed */
	assert_null(trace.entries);
	/* kp_authorize fails closed */
	assert_int_equal(kp_authorize(p, NULL, 0, &req, NULL), KP_DECISION_IMPLICIT_DENY);

	/* the hook is asked as the work goes, not only once: the slow glob
	 * (about 5 million steps) asks it hundreds of times */
	hook_calls = 0;
	hook_stop_after = -1;
	assert_int_equal(kp_evaluate(p, NULL, 0, &req, NULL, &d), KP_OK);
	assert_true(hook_calls > 100);
	/* and a stop in the middle of the glob is seen */
	hook_calls = 0;
	hook_stop_after = 50;
	assert_int_equal(kp_evaluate(p, NULL, 0, &req, NULL, &d), KP_ERR_INTERRUPTED);
	assert_int_equal(hook_calls, 51);

	/* kp_poll on its own */
	hook_calls = 0;
	hook_stop_after = 0;
	assert_false(kp_poll_tick(&poll, KP_POLL_INTERVAL - 1));
	assert_int_equal(hook_calls, 0);
	assert_true(kp_poll_tick(&poll, 1));
	assert_int_equal(hook_calls, 1);
	assert_true(kp_poll_tick(&poll, 1));	/* sticky, no new question */
	assert_int_equal(hook_calls, 1);
	assert_false(kp_poll_tick(NULL, 1000000));
	assert_false(kp_glob_span("*b", 2, slow, 100000, 0, &poll));

	kp_set_interrupt_check(NULL);
	kp_policy_free(p);
	kp_context_free(ctx);
	free(slow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_date_edges),
		cmocka_unit_test(test_date_compare),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_bool_base64),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_globs),
		cmocka_unit_test(test_context_lookup),
		cmocka_unit_test(test_context_limits),
		cmocka_unit_test(test_interrupts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
