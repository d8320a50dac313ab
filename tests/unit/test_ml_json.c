/* modlib json.c: which byte sequences are UTF-8, how strings are escaped,
 * and how times are written. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../modules/lib/modlib.h"

static char *out;
static size_t outlen;

static FILE *open_out(void)
{
	FILE *f = open_memstream(&out, &outlen);

	assert_non_null(f);
	return f;
}

static const char *close_out(FILE *f)
{
	static char copy[512];

	assert_int_equal(fclose(f), 0);
	assert_true(outlen < sizeof(copy));
	snprintf(copy, sizeof(copy), "%s", out);
	free(out);
	out = NULL;
	return copy;
}

static const char *escaped(const char *s)
{
	FILE *f = open_out();

	ml_json_str(f, s);
	return close_out(f);
}

static size_t len_of(const char *s)
{
	return ml_utf8_len((const unsigned char *)s);
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(len_of("a"), 1);
	assert_int_equal(len_of("\x7f"), 1);
	assert_int_equal(len_of("\xc3\xa9"), 2);          /* U+00E9 */
	assert_int_equal(len_of("\xe2\x82\xac"), 3);      /* U+20AC */
	assert_int_equal(len_of("\xf0\x9f\x98\x80"), 4);  /* U+1F600 */
	assert_int_equal(len_of("\xf4\x8f\xbf\xbf"), 4);  /* U+10FFFF, the last */
	assert_int_equal(len_of("\xff"), 0);
	assert_int_equal(len_of("\x80"), 0);              /* a lone continuation */
	assert_int_equal(len_of("\xc3"), 0);              /* cut by the NUL */
	assert_int_equal(len_of("\xe2\x82"), 0);
	assert_int_equal(len_of("\xc0\x80"), 0);          /* overlong NUL */
	assert_int_equal(len_of("\xe0\x80\xaf"), 0);      /* overlong '/' */
	assert_int_equal(len_of("\xf0\x80\x80\xaf"), 0);
	assert_int_equal(len_of("\xed\xa0\x80"), 0);      /* U+D800, a surrogate */
	assert_int_equal(len_of("\xf4\x90\x80\x80"), 0);  /* past U+10FFFF */
	assert_int_equal(len_of("\xc3\x28"), 0);          /* no continuation */
}

static void test_json_str(void **state)
{
	(void)state;
	assert_string_equal(escaped(""), "\"\"");
	assert_string_equal(escaped("plain text"), "\"plain text\"");
	assert_string_equal(escaped("a\"b\\c"), "\"a\\\"b\\\\c\"");
	assert_string_equal(escaped("l1\nl2\r\tx"), "\"l1\\nl2\\r\\tx\"");
	assert_string_equal(escaped("\x01\x1f\x7f/"), "\"\\u0001\\u001f\\u007f/\"");
	assert_string_equal(escaped("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
	/* Each byte that starts no valid sequence becomes one U+FFFD. */
	assert_string_equal(escaped("a\xff" "b\xc3"), "\"a\\ufffdb\\ufffd\"");
	assert_string_equal(escaped("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
}

static void test_json_time(void **state)
{
	FILE *f;

	(void)state;
	f = open_out();
	ml_json_time(f, 0);
	assert_string_equal(close_out(f), "\"1970-01-01T00:00:00.000Z\"");
	f = open_out();
	ml_json_time(f, 1767607201100);
	assert_string_equal(close_out(f), "\"2026-01-05T10:00:01.100Z\"");
	f = open_out();
	ml_json_time(f, 951825599999); /* a leap day, the last millisecond */
	assert_string_equal(close_out(f), "\"2000-02-29T11:59:59.999Z\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_json_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
