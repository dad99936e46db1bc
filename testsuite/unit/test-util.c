// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
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

static void test_array_grow(void **state)
{
	(void)state;
	uint32_t *v = NULL;
	size_t cap = 0, reallocs = 0;
	for (uint32_t i = 0; i < 100000; i++) {
		size_t old = cap;
		assert_int_equal(ARRAY_GROW(v, cap, i + 1), 0);
		assert_true(cap >= i + 1);
		if (cap != old) {
			reallocs++;
			assert_true(cap >= 2 * old); /* geometric, not one by one */
		}
		v[i] = i;
	}
	assert_true(reallocs <= 14); /* 16 << 13 > 100000 */
	for (uint32_t i = 0; i < 100000; i++)
		assert_int_equal(v[i], i);
	/* room already there: nothing moves */
	uint32_t *before = v;
	size_t cap_before = cap;
	assert_int_equal(ARRAY_GROW(v, cap, 10), 0);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, cap_before);
	/* a request beyond doubling is met at once */
	assert_int_equal(ARRAY_GROW(v, cap, 5 * cap_before), 0);
	assert_int_equal(cap, 5 * cap_before);
	free(v);

	/* from empty, one element asked for: a first block of a few */
	char *c = NULL;
	size_t ccap = 0;
	assert_int_equal(array_grow((void **)&c, &ccap, 1, 1), 0);
	assert_true(ccap >= 1 && ccap <= 64);
	free(c);
}

static void test_array_grow_overflow(void **state)
{
	(void)state;
	uint64_t *v = malloc(4 * sizeof(*v));
	assert_non_null(v);
	uint64_t *before = v;
	/* doubling overflows and so does the exact request: refused without
	 * touching the array (a wrapped size would "succeed" with a tiny block) */
	size_t cap = SIZE_MAX / 8;
	assert_int_equal(ARRAY_GROW(v, cap, SIZE_MAX / 8 + 1), -ENOMEM);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, SIZE_MAX / 8);
	cap = 4;
	/* (SIZE_MAX / 8 + 2) * 8 wraps to 8 bytes */
	assert_int_equal(ARRAY_GROW(v, cap, SIZE_MAX / 8 + 2), -ENOMEM);
	assert_int_equal(ARRAY_GROW(v, cap, SIZE_MAX / 4), -ENOMEM);
	assert_int_equal(ARRAY_GROW(v, cap, SIZE_MAX), -ENOMEM);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 4);
	/* the array is still usable */
	assert_int_equal(ARRAY_GROW(v, cap, 5), 0);
	v[4] = 1;
	free(v);
}

/* 1 when ROOT/REL is a directory, 0 when it is something else, -1 when absent. */
static int dir_state(const char *root, const char *rel)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (stat(path, &st) < 0)
		return -1;
	return S_ISDIR(st.st_mode);
}

/* mkdir_parents(ROOT/REL) */
static int mkdir_parents_at(const char *root, const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return mkdir_parents(path);
}

static void test_mkdir_parents(void **state)
{
	(void)state;
	char root[] = "/tmp/kml-test-util-XXXXXX", cmd[300];
	assert_non_null(mkdtemp(root));

	assert_int_equal(mkdir_parents_at(root, "a/b//c/file"), 0);
	assert_int_equal(dir_state(root, "a/b/c"), 1);
	assert_int_equal(dir_state(root, "a/b/c/file"), -1); /* the last name is not created */
	/* again: the directories exist, which is fine */
	assert_int_equal(mkdir_parents_at(root, "a/b/c/file"), 0);
	/* a trailing slash names a directory to create */
	assert_int_equal(mkdir_parents_at(root, "d/e/"), 0);
	assert_int_equal(dir_state(root, "d/e"), 1);
	/* a file in the way */
	assert_int_equal(mkdir_parents_at(root, "f/g"), 0);
	snprintf(cmd, sizeof(cmd), "%s/f/g", root);
	FILE *f = fopen(cmd, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(dir_state(root, "f/g"), 0);
	assert_int_equal(mkdir_parents_at(root, "f/g/h/i"), -ENOTDIR);
	/* a relative path without a slash: nothing to create */
	assert_int_equal(mkdir_parents("name-without-slash"), 0);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
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
		cmocka_unit_test(test_array_grow),
		cmocka_unit_test(test_array_grow_overflow),
		cmocka_unit_test(test_mkdir_parents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
