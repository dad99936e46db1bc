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

static void test_path_join(void **state)
{
	(void)state;
	char *p = path_join("/lib/modules", "6.1/modules.dep", 4);
	assert_string_equal(p, "/lib/modules/6.1/");
	free(p);
	p = path_join(NULL, "abc", 2);
	assert_string_equal(p, "ab");
	free(p);
	p = path_join("", "x", 1);
	assert_string_equal(p, "/x");
	free(p);
	assert_null(path_join("d", "x", SIZE_MAX));
}

static void test_arena(void **state)
{
	(void)state;
	struct arena a = { 0 };
	/* small ones share blocks, big ones get their own; all zeroed, aligned,
	 * and none overlaps another */
	char *ptrs[300];
	size_t sizes[300];
	for (int i = 0; i < 300; i++) {
		sizes[i] = i % 50 == 49 ? 10000 + (size_t)i : (size_t)i % 37 + 1;
		ptrs[i] = arena_alloc(&a, sizes[i]);
		assert_non_null(ptrs[i]);
		assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(ptrs[i][k], 0);
		memset(ptrs[i], i + 1, sizes[i]);
	}
	for (int i = 0; i < 300; i++)
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal((unsigned char)ptrs[i][k], (unsigned char)(i + 1));
	char *s = arena_strndup(&a, "hello world", 5);
	assert_string_equal(s, "hello");
	assert_null(arena_alloc(&a, SIZE_MAX - 4));
	assert_int_equal(arena_own(&a, strdup("owned")), 0);
	arena_release(&a); /* frees the owned buffer too: no leak under ASan */
	assert_null(a.blocks);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_grows),
		cmocka_unit_test(test_strbuf_overflow),
		cmocka_unit_test(test_range_ok),
		cmocka_unit_test(test_read_file_full),
		cmocka_unit_test(test_read_file_empty),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_arena),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
