// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "kmodlite-private.h"

static void test_strbuf_grows(void **state)
{
	(void)state;
	struct strbuf sb = { 0 };
	for (int i = 0; i < 1000; i++)
		assert_int_equal(strbuf_append_str(&sb, "abc"), 0);
	assert_int_equal(sb.len, 3000);
	assert_int_equal(sb.data[sb.len], '\0');
	assert_memory_equal(sb.data + 2997, "abc", 3);
	assert_int_equal(strbuf_append(&sb, "x\0y", 3), 0);
	assert_int_equal(sb.len, 3003);
	free(sb.data);
}

static void test_strbuf_overflow(void **state)
{
	(void)state;
	struct strbuf sb = { .len = SIZE_MAX - 1 };
	assert_int_equal(strbuf_reserve(&sb, 2), -ENOMEM);
}

static void test_range_ok(void **state)
{
	(void)state;
	assert_true(range_ok(0, 10, 10));
	assert_false(range_ok(1, 10, 10));
	assert_true(range_ok(10, 0, 10));
	assert_false(range_ok(11, 0, 10));
	assert_false(range_ok(UINT64_MAX, 2, UINT64_MAX));
	assert_false(range_ok(2, UINT64_MAX, UINT64_MAX));
}

static void test_read_file_full(void **state)
{
	(void)state;
	char path[] = "/tmp/kml-test-util-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\0world", 11), 11);
	close(fd);
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(read_file_full(path, 100, &buf, &len), 0);
	assert_int_equal(len, 11);
	assert_memory_equal(buf, "hello\0world", 11);
	assert_int_equal(buf[11], '\0');
	free(buf);
	buf = NULL;
	assert_int_equal(read_file_full(path, 10, &buf, &len), -EFBIG);
	assert_null(buf);
	unlink(path);
	assert_int_equal(read_file_full(path, 10, &buf, &len), -ENOENT);
}

static void test_read_file_empty(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 99;
	/* /dev/null: not a regular file, reads 0 bytes */
	assert_int_equal(read_file_full("/dev/null", 10, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_grows),
		cmocka_unit_test(test_strbuf_overflow),
		cmocka_unit_test(test_range_ok),
		cmocka_unit_test(test_read_file_full),
		cmocka_unit_test(test_read_file_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
