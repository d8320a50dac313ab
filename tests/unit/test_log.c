/* Logging never waits (write faked with -Wl,--wrap=write): a line that finds
 * stderr full is dropped and counted, the next line that fits comes after
 * one note with the count, and errno is kept throughout. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

ssize_t __wrap_write(int fd, const void *buf, size_t len);

/* The fake stderr: full or not, and what got through. */
static struct {
	int full;
	int calls;
	char out[4096];
	size_t used;
} fake;

ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	assert_int_equal(fd, STDERR_FILENO);
	fake.calls++;
	if (fake.full) {
		errno = EAGAIN;
		return -1;
	}
	assert_true(fake.used + len < sizeof(fake.out));
	memcpy(fake.out + fake.used, buf, len);
	fake.used += len;
	fake.out[fake.used] = '\0';
	return (ssize_t)len;
}

static int reset(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	log_set_level(LOGL_DEBUG);
	return 0;
}

static void test_line_with_room(void **state)
{
	(void)state;
	log_msg(LOGL_INFO, "hello %d", 1);
	assert_string_equal(fake.out, "modinit: info: hello 1\n");
}

static void test_full_drops_then_notes(void **state)
{
	size_t before;

	(void)state;
	fake.full = 1;
	errno = ENOENT;
	log_msg(LOGL_INFO, "lost one");
	log_msg(LOGL_WARN, "lost two");
	assert_int_equal(errno, ENOENT); /* "log; return -errno" stays right */
	assert_int_equal(fake.calls, 2); /* tried once each, never waited */
	/* Still full when the note is tried: the line is not even attempted. */
	log_msg(LOGL_ERROR, "lost three");
	assert_int_equal(fake.calls, 3);
	assert_string_equal(fake.out, "");
	fake.full = 0;
	log_msg(LOGL_INFO, "back");
	assert_string_equal(fake.out, "modinit: warning: stderr was full: 3 log lines dropped\n"
				      "modinit: info: back\n");
	/* Reported once: the count starts again from zero. */
	before = fake.used;
	log_msg(LOGL_INFO, "again");
	assert_string_equal(fake.out + before, "modinit: info: again\n");
}

static void test_close_reports(void **state)
{
	(void)state;
	fake.full = 1;
	log_msg(LOGL_INFO, "lost");
	fake.full = 0;
	log_close();
	assert_string_equal(fake.out, "modinit: warning: stderr was full: 1 log lines dropped\n");
	log_close(); /* nothing left to say */
	assert_int_equal(fake.calls, 2);
}

static void test_raw_says_full(void **state)
{
	(void)state;
	fake.full = 1;
	errno = EINTR;
	assert_int_equal(log_write_raw("x\n", 2), -EAGAIN);
	assert_int_equal(errno, EINTR); /* callable from a signal handler */
	fake.full = 0;
	assert_int_equal(log_write_raw("x\n", 2), 0);
	assert_string_equal(fake.out, "x\n");
}

static void test_below_level_not_written(void **state)
{
	(void)state;
	log_set_level(LOGL_ERROR);
	fake.full = 1;
	log_msg(LOGL_INFO, "filtered");
	assert_int_equal(fake.calls, 0);
	fake.full = 0;
	log_msg(LOGL_ERROR, "shown");
	assert_string_equal(fake.out, "modinit: error: shown\n"); /* nothing was dropped */
}

/* One table: the config's words, the printed names, and nothing else. */
static void test_level_words(void **state)
{
	static const char *const words[] = { "error", "warn", "info", "debug" };
	static const char *const names[] = { "error", "warning", "info", "debug" };
	int level;

	(void)state;
	for (int i = LOGL_ERROR; i <= LOGL_DEBUG; i++) {
		level = -1;
		assert_int_equal(log_parse_level(words[i], &level), 0);
		assert_int_equal(level, i);
		assert_string_equal(log_level_name(i), names[i]);
		level = -1;
		assert_int_equal(log_parse_level(log_level_name(i), &level), 0);
		assert_int_equal(level, i);
	}
	level = 7;
	assert_int_equal(log_parse_level("verbose", &level), -EINVAL);
	assert_int_equal(log_parse_level("Info", &level), -EINVAL);
	assert_int_equal(log_parse_level("", &level), -EINVAL);
	assert_int_equal(level, 7);
	assert_string_equal(log_level_name(LOGL_DEBUG + 1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_line_with_room, reset),
		cmocka_unit_test_setup(test_full_drops_then_notes, reset),
		cmocka_unit_test_setup(test_close_reports, reset),
		cmocka_unit_test_setup(test_raw_says_full, reset),
		cmocka_unit_test_setup(test_below_level_not_written, reset),
		cmocka_unit_test(test_level_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
