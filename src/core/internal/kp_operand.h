/*
 * kp_operand.h -- internal header of the policy core: condition operands.
 *
 * Not for the glue (it uses kp.h and kp_eval.h).
 * One parser per operand kind, used by the validator (kp_validate.c:
 * may this value be stored?) and by the evaluator (kp_eval.c: what does
 * this policy value, and this request value, mean?).  Because both sides
 * call the same function, a value the validator accepts is always parsed,
 * and parsed the same way, when it is evaluated: "stored" means "evaluable
 * as written".  test/fuzz/fuzz_operands.c checks that property.
 *
 * The grammars (ASCII, case-sensitive unless said otherwise):
 *
 *	number   -?D+(.D+)?([eE][+-]?D{1,6})?      at most KP_NUMBER_MAX_DIGITS
 *	                                          significant digits
 *	date     -?D{1,12}(.D{1,9})?               epoch seconds, or
 *	         YYYY-MM-DD                        a day (00:00:00 UTC), or
 *	         YYYY-MM-DDThh:mm[:ss[.D{1,9}]](Z|+hh:mm|-hh:mm)
 *	                                          with real month lengths and
 *	                                          leap years (2024-02-29 exists,
 *	                                          2025-02-29 does not)
 *	bool     true | false                      ASCII case-insensitive
 *	base64   standard alphabet, padded to a multiple of 4, not empty
 *	ip       an IPv4 dotted quad or an IPv6 address (inet_pton), optionally
 *	         followed by /prefix (0..32 or 0..128) where a CIDR is allowed
 *	glob     '*' matches any run (also empty), '?' exactly one UTF-8
 *	         character; '\x' is a literal x only where escapes are on
 *	         (expanded policy variables)
 *
 * Plain C, no PostgreSQL header, no allocation, no global state except the
 * interrupt hook (kp.h, kp_set_interrupt_check), which kp_poll consults.
 */
#ifndef KP_OPERAND_H
#define KP_OPERAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kp.h"

/* ------------------------------------------------------------------------
 * Cooperative interruption
 * ------------------------------------------------------------------------ */

/*
 * A work counter for a loop whose length a caller controls.  kp_poll adds
 * cost units; every KP_POLL_INTERVAL units it asks the interrupt hook.  Once
 * the hook said "stop", stop stays true and every later kp_poll returns true
 * at once, so callers may test it wherever unwinding is convenient.
 */
#define KP_POLL_INTERVAL 8192

typedef struct kp_poll
{
	uint64_t	work;
	bool		stop;
} kp_poll;

#define KP_POLL_INIT {0, false}

/* Count cost units of work; true when the work must stop. p may be NULL. */
extern bool kp_poll_tick(kp_poll *p, uint64_t cost);

/* ------------------------------------------------------------------------
 * UTF-8
 * ------------------------------------------------------------------------ */

/*
 * Decode one UTF-8 sequence at s[0..len); returns its length (1..4), or 0
 * when it is not valid UTF-8 (overlong forms, surrogates and values beyond
 * U+10FFFF included).  *cp receives the code point.
 */
extern size_t kp_utf8_decode(const unsigned char *s, size_t len,
							 unsigned int *cp);

/*
 * The length of the character at s[0..len) as glob matching steps over it:
 * a valid sequence counts as one character, an invalid byte as one.
 * Always 1..len (len > 0).
 */
extern size_t kp_utf8_char_len(const char *s, size_t len);

/* ------------------------------------------------------------------------
 * Numbers
 * ------------------------------------------------------------------------ */

#define KP_NUMBER_MAX_DIGITS 160

/* sign * 0.d1d2...dn * 10^exp, without leading or trailing zero digits. */
typedef struct kp_number
{
	int			sign;			/* -1, 0 (the number zero), +1 */
	int			ndig;
	long		exp;
	char		digits[KP_NUMBER_MAX_DIGITS];
} kp_number;

extern bool kp_number_parse(const char *s, kp_number *out);
extern int	kp_number_cmp(const kp_number *a, const kp_number *b);

/* ------------------------------------------------------------------------
 * Dates
 * ------------------------------------------------------------------------ */

/* An instant: seconds since 1970-01-01T00:00:00Z and nanoseconds. */
typedef struct kp_instant
{
	int64_t		sec;
	int32_t		nsec;			/* 0..999999999 */
} kp_instant;

extern bool kp_date_parse(const char *s, kp_instant *out);
extern int	kp_instant_cmp(const kp_instant *a, const kp_instant *b);
/* Gregorian leap year (proleptic). */
extern bool kp_is_leap_year(long year);

/* ------------------------------------------------------------------------
 * Booleans, base64, IP addresses
 * ------------------------------------------------------------------------ */

extern bool kp_bool_parse(const char *s, bool *out);

/* Valid base64 (the grammar above); *decoded_len when not NULL. */
extern bool kp_base64_valid(const char *s, size_t *decoded_len);
/* Both valid base64 and the same decoded bytes. */
extern bool kp_base64_equal(const char *a, const char *b);

typedef struct kp_ipnet
{
	int			family;			/* 4 or 6 */
	int			prefix;			/* the full length for a bare address */
	unsigned char addr[16];
} kp_ipnet;

/* An address, or (allow_prefix) an address or CIDR block. */
extern bool kp_ip_parse(const char *s, bool allow_prefix, kp_ipnet *out);
/* Is addr inside net (same family, equal under net's prefix)? */
extern bool kp_ip_contains(const kp_ipnet *net, const kp_ipnet *addr);

/* ------------------------------------------------------------------------
 * Globs
 * ------------------------------------------------------------------------ */

#define KP_GLOB_ICASE	0x01	/* ASCII case-insensitive */
#define KP_GLOB_ESC		0x02	/* '\x' in the pattern is a literal x */

/*
 * Match text[0..tlen) against pattern[0..plen).  Iterative with single-star
 * backtracking: O(plen * tlen) steps worst case, no recursion, no
 * allocation.  Counts its steps on poll (may be NULL); when poll says stop
 * it returns false (the caller checks poll->stop).
 */
extern bool kp_glob_span(const char *p, size_t plen, const char *s,
						 size_t slen, int flags, kp_poll *poll);

#endif							/* KP_OPERAND_H */
