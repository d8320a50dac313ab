#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_rt(const char *s, int *sig)
{
	int base;
	long off = 0;
	const char *rest;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
	} else {
		return -EINVAL;
	}
	rest = s + 5;
	if (*rest) {
		if ((base == SIGRTMIN && *rest != '+') || (base == SIGRTMAX && *rest != '-'))
			return -EINVAL;
		if (!isdigit((unsigned char)rest[1]) || parse_long(rest + 1, 0, 64, &off) < 0)
			return -EINVAL;
		if (base == SIGRTMAX)
			off = -off;
	}
	if (base + off < SIGRTMIN || base + off > SIGRTMAX)
		return -EINVAL;
	*sig = base + (int)off;
	return 0;
}

int parse_signal(const char *s, int *sig)
{
	long n;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)*s)) {
		if (parse_long(s, 1, SIGRTMAX, &n) < 0)
			return -EINVAL;
		*sig = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (signame_lookup(s, sig) == 0)
		return 0;
	return parse_rt(s, sig);
}

int parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 } };
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) == 0) {
			/* Cap at ~24 days: far beyond any sane grace or interval,
			 * and keeps every sum of a deadline and a duration safe. */
			if (v > (uint64_t)INT32_MAX / units[i].mult)
				return -ERANGE;
			*ms = v * units[i].mult;
			return 0;
		}
	}
	return -EINVAL;
}
