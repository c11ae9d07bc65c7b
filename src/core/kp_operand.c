/*
 * kp_operand.c -- condition operands: the one parser of each kind.
 *
 * The grammars are listed in kp_operand.h.  The validator accepts a policy
 * value exactly when the matching parser here succeeds, and the evaluator
 * parses policy values and request values with the same functions, so the
 * two can never disagree about a value again (they used to: the validator
 * allowed February 29 of every year, the evaluator knew leap years).
 *
 * Also here: the interrupt hook (kp_set_interrupt_check, declared in kp.h)
 * and the work counter every caller-controlled loop of the core ticks.
 */
#include <arpa/inet.h>
#include <string.h>

#include "internal/kp_operand.h"

/* Limits of the grammars listed in kp_operand.h. */
#define NUMBER_MAX_EXPONENT_DIGITS 6	/* [eE][+-]?D{1,6} */
#define EPOCH_MAX_DIGITS 12				/* -?D{1,12} epoch seconds */
#define FRACTION_MAX_DIGITS 9			/* .D{1,9}: nanoseconds */
#define IPV4_MAX_PREFIX 32
#define IPV6_MAX_PREFIX 128
#define IP_PREFIX_MAX_DIGITS 3			/* "/128" */

#define NSEC_PER_SEC 1000000000
#define SECS_PER_MINUTE 60
#define SECS_PER_HOUR 3600
#define SECS_PER_DAY 86400

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : c;
}

/* ------------------------------------------------------------------------
 * Interruption
 * ------------------------------------------------------------------------ */

static kp_interrupt_fn interrupt_fn = NULL;

void
kp_set_interrupt_check(kp_interrupt_fn fn)
{
	interrupt_fn = fn;
}

bool
kp_interrupt_requested(void)
{
	return interrupt_fn != NULL && interrupt_fn();
}

bool
kp_poll_tick(kp_poll *p, uint64_t cost)
{
	if (p == NULL)
		return false;
	if (p->stop)
		return true;
	p->work += cost;
	if (p->work >= KP_POLL_INTERVAL)
	{
		p->work = 0;
		if (kp_interrupt_requested())
			p->stop = true;
	}
	return p->stop;
}

/* ------------------------------------------------------------------------
 * UTF-8
 * ------------------------------------------------------------------------ */

size_t
kp_utf8_decode(const unsigned char *s, size_t len, unsigned int *cp)
{
	unsigned int c0;
	size_t		n;
	unsigned int v;
	size_t		i;

	if (len == 0)
		return 0;
	c0 = s[0];
	if (c0 < 0x80)
	{
		*cp = c0;
		return 1;
	}
	else if (c0 >= 0xC2 && c0 <= 0xDF)
	{
		n = 2;
		v = c0 & 0x1F;
	}
	else if (c0 >= 0xE0 && c0 <= 0xEF)
	{
		n = 3;
		v = c0 & 0x0F;
	}
	else if (c0 >= 0xF0 && c0 <= 0xF4)
	{
		n = 4;
		v = c0 & 0x07;
	}
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10FFFF ||
		(v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

size_t
kp_utf8_char_len(const char *s, size_t len)
{
	unsigned int cp;
	size_t		n = kp_utf8_decode((const unsigned char *) s, len, &cp);

	return n == 0 ? 1 : n;
}

/* ------------------------------------------------------------------------
 * Numbers
 * ------------------------------------------------------------------------ */

bool
kp_number_parse(const char *s, kp_number *d)
{
	const char *p = s;
	int			sign = 1;
	long		point = 0;
	bool		seen_nonzero = false;
	int			nd = 0;
	long		e = 0;
	int			pass;

	if (s == NULL)
		return false;
	if (*p == '-')
	{
		sign = -1;
		p++;
	}
	/* integer part, then (pass 1) the fraction after '.' */
	for (pass = 0; pass < 2; pass++)
	{
		const char *start = p;

		for (; is_digit(*p); p++)
		{
			if (!seen_nonzero && *p == '0')
			{
				if (pass == 1)
					point--;
				continue;
			}
			seen_nonzero = true;
			if (nd >= KP_NUMBER_MAX_DIGITS)
				return false;
			d->digits[nd++] = *p;
			if (pass == 0)
				point++;
		}
		if (p == start)
			return false;		/* "", "-", ".5", "5." */
		if (pass == 0)
		{
			if (*p != '.')
				break;
			p++;
		}
	}
	if (*p == 'e' || *p == 'E')
	{
		int			esign = 1;
		int			ndigits = 0;

		p++;
		if (*p == '+' || *p == '-')
		{
			if (*p == '-')
				esign = -1;
			p++;
		}
		while (is_digit(*p))
		{
			if (++ndigits > NUMBER_MAX_EXPONENT_DIGITS)
				return false;
			e = e * 10 + (*p - '0');
			p++;
		}
		if (ndigits == 0)
			return false;
		e *= esign;
	}
	if (*p != '\0')
		return false;
	while (nd > 0 && d->digits[nd - 1] == '0')
		nd--;
	d->ndig = nd;
	d->sign = nd == 0 ? 0 : sign;
	d->exp = point + e;
	return true;
}

int
kp_number_cmp(const kp_number *a, const kp_number *b)
{
	int			mag = 0;
	int			i;

	if (a->sign != b->sign)
		return a->sign < b->sign ? -1 : 1;
	if (a->sign == 0)
		return 0;
	if (a->exp != b->exp)
		mag = a->exp < b->exp ? -1 : 1;
	else
	{
		for (i = 0; i < a->ndig || i < b->ndig; i++)
		{
			char		ca = i < a->ndig ? a->digits[i] : '0';
			char		cb = i < b->ndig ? b->digits[i] : '0';

			if (ca != cb)
			{
				mag = ca < cb ? -1 : 1;
				break;
			}
		}
	}
	return a->sign > 0 ? mag : -mag;
}

/* ------------------------------------------------------------------------
 * Dates
 * ------------------------------------------------------------------------ */

bool
kp_is_leap_year(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Exactly n digits at *pp (advanced past them). */
static bool
take_digits(const char **pp, int n, int *out)
{
	int			v = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (!is_digit((*pp)[i]))
			return false;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return true;
}

/* 1..9 fraction digits as nanoseconds. */
static bool
take_fraction(const char **pp, int32_t *nsec)
{
	const char *p = *pp;
	int32_t		ns = 0;
	int			n = 0;

	while (is_digit(*p))
	{
		if (++n > FRACTION_MAX_DIGITS)
			return false;
		ns = ns * 10 + (*p - '0');
		p++;
	}
	if (n == 0)
		return false;
	for (; n < FRACTION_MAX_DIGITS; n++)
		ns *= 10;
	*pp = p;
	*nsec = ns;
	return true;
}

bool
kp_date_parse(const char *s, kp_instant *out)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *p = s;
	int			year;
	int			mon;
	int			day;
	int			hh = 0;
	int			mm = 0;
	int			ss = 0;
	int32_t		ns = 0;
	int64_t		offset = 0;
	int			dim;
	size_t		n;

	if (s == NULL)
		return false;

	/* epoch seconds: -?D{1,12}(.D{1,9})? */
	n = strspn(p + (*p == '-'), "0123456789");
	if (n > 0 && (p[(*p == '-') + n] == '\0' || p[(*p == '-') + n] == '.'))
	{
		const char *q = p + (*p == '-') + n;
		bool		neg = *p == '-';
		int64_t		v = 0;
		size_t		i;

		if (n > EPOCH_MAX_DIGITS)
			return false;
		for (i = 0; i < n; i++)
			v = v * 10 + (p[(*p == '-') + i] - '0');
		if (*q == '.')
		{
			q++;
			if (!take_fraction(&q, &ns) || *q != '\0')
				return false;
		}
		if (neg)
		{
			v = -v;
			if (ns > 0)
			{
				v -= 1;
				ns = NSEC_PER_SEC - ns;
			}
		}
		out->sec = v;
		out->nsec = ns;
		return true;
	}

	/* YYYY-MM-DD */
	if (!take_digits(&p, 4, &year) || *p++ != '-' ||
		!take_digits(&p, 2, &mon) || *p++ != '-' ||
		!take_digits(&p, 2, &day))
		return false;
	if (mon < 1 || mon > 12)
		return false;
	dim = mdays[mon - 1];
	if (mon == 2 && kp_is_leap_year(year))
		dim = 29;
	if (day < 1 || day > dim)
		return false;
	if (*p != '\0')
	{
		/* Thh:mm[:ss[.f]] then Z or +hh:mm / -hh:mm */
		if (*p++ != 'T' || !take_digits(&p, 2, &hh) || hh > 23 ||
			*p++ != ':' || !take_digits(&p, 2, &mm) || mm > 59)
			return false;
		if (*p == ':')
		{
			p++;
			if (!take_digits(&p, 2, &ss) || ss > 59)
				return false;
			if (*p == '.')
			{
				p++;
				if (!take_fraction(&p, &ns))
					return false;
			}
		}
		if (*p == 'Z')
			p++;
		else if (*p == '+' || *p == '-')
		{
			int			sign = *p == '-' ? -1 : 1;
			int			oh;
			int			om;

			p++;
			if (!take_digits(&p, 2, &oh) || oh > 23 || *p++ != ':' ||
				!take_digits(&p, 2, &om) || om > 59)
				return false;
			offset = sign * (int64_t) (oh * SECS_PER_HOUR + om * SECS_PER_MINUTE);
		}
		else
			return false;
		if (*p != '\0')
			return false;
	}
	out->sec = days_from_civil(year, mon, day) * SECS_PER_DAY +
		hh * SECS_PER_HOUR + mm * SECS_PER_MINUTE + ss - offset;
	out->nsec = ns;
	return true;
}

int
kp_instant_cmp(const kp_instant *a, const kp_instant *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}

/* ------------------------------------------------------------------------
 * Booleans
 * ------------------------------------------------------------------------ */

static bool
eq_ci(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
	return *a == *b;
}

bool
kp_bool_parse(const char *s, bool *out)
{
	if (s == NULL)
		return false;
	if (eq_ci(s, "true"))
		*out = true;
	else if (eq_ci(s, "false"))
		*out = false;
	else
		return false;
	return true;
}

/* ------------------------------------------------------------------------
 * Base64
 * ------------------------------------------------------------------------ */

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool
kp_base64_valid(const char *s, size_t *decoded_len)
{
	size_t		n;
	size_t		pad = 0;
	size_t		i;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n == 0 || n % 4 != 0)
		return false;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n - pad; i++)
		if (b64_value(s[i]) < 0)
			return false;
	if (decoded_len != NULL)
		*decoded_len = n / 4 * 3 - pad;
	return true;
}

typedef struct b64_iter
{
	const char *s;
	uint32_t	acc;
	int			bits;
} b64_iter;

/* Next decoded byte, or -1 at the end. */
static int
b64_next(b64_iter *it)
{
	while (it->bits < 8)
	{
		if (*it->s == '\0' || *it->s == '=')
			return -1;
		it->acc = ((it->acc << 6) | (uint32_t) b64_value(*it->s)) & 0xFFFF;
		it->bits += 6;
		it->s++;
	}
	it->bits -= 8;
	return (int) ((it->acc >> it->bits) & 0xFF);
}

bool
kp_base64_equal(const char *a, const char *b)
{
	b64_iter	ia = {a, 0, 0};
	b64_iter	ib = {b, 0, 0};

	if (!kp_base64_valid(a, NULL) || !kp_base64_valid(b, NULL))
		return false;
	for (;;)
	{
		int			ca = b64_next(&ia);
		int			cb = b64_next(&ib);

		if (ca != cb)
			return false;
		if (ca < 0)
			return true;
	}
}

/* ------------------------------------------------------------------------
 * IP addresses
 * ------------------------------------------------------------------------ */

bool
kp_ip_parse(const char *s, bool allow_prefix, kp_ipnet *out)
{
	char		buf[64];
	const char *slash;
	size_t		n;
	int			maxp;

	if (s == NULL)
		return false;
	slash = strchr(s, '/');
	n = slash ? (size_t) (slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out->addr, 0, sizeof(out->addr));
	if (inet_pton(AF_INET, buf, out->addr) == 1)
	{
		out->family = 4;
		maxp = IPV4_MAX_PREFIX;
	}
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
	{
		out->family = 6;
		maxp = IPV6_MAX_PREFIX;
	}
	else
		return false;
	out->prefix = maxp;
	if (slash != NULL)
	{
		const char *p = slash + 1;
		int			v = 0;
		int			nd = 0;

		if (!allow_prefix)
			return false;
		while (is_digit(*p) && nd < IP_PREFIX_MAX_DIGITS)
		{
			v = v * 10 + (*p - '0');
			p++;
			nd++;
		}
		if (nd == 0 || *p != '\0' || v > maxp)
			return false;
		out->prefix = v;
	}
	return true;
}

bool
kp_ip_contains(const kp_ipnet *net, const kp_ipnet *addr)
{
	int			full = net->prefix / 8;
	int			rest = net->prefix % 8;

	if (net->family != addr->family)
		return false;
	if (memcmp(net->addr, addr->addr, (size_t) full) != 0)
		return false;
	if (rest > 0)
	{
		unsigned char mask = (unsigned char) (0xFF << (8 - rest));

		if ((net->addr[full] & mask) != (addr->addr[full] & mask))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------------
 * Globs
 * ------------------------------------------------------------------------ */

bool
kp_glob_span(const char *p, size_t plen, const char *s, size_t slen,
			 int flags, kp_poll *poll)
{
	size_t		pi = 0;
	size_t		si = 0;
	size_t		star_p = SIZE_MAX;
	size_t		star_s = 0;

	while (si < slen)
	{
		if (kp_poll_tick(poll, 1))
			return false;
		if (pi < plen)
		{
			char		c = p[pi];
			size_t		step = 1;

			if (c == '*')
			{
				star_p = ++pi;
				star_s = si;
				continue;
			}
			if (c == '?')
			{
				pi++;
				si += kp_utf8_char_len(s + si, slen - si);
				continue;
			}
			if (c == '\\' && (flags & KP_GLOB_ESC) && pi + 1 < plen)
			{
				c = p[pi + 1];
				step = 2;
			}
			if (c == s[si] ||
				((flags & KP_GLOB_ICASE) && ascii_lower(c) == ascii_lower(s[si])))
			{
				pi += step;
				si++;
				continue;
			}
		}
		if (star_p == SIZE_MAX)
			return false;
		star_s += kp_utf8_char_len(s + star_s, slen - star_s);
		pi = star_p;
		si = star_s;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}
