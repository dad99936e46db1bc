// SPDX-License-Identifier: GPL-2.0-or-later
/* The index writer, read back through the index reader: exact and wildcard
 * lookups, value order, and the whole content of real Debian indexes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "index-write.h"
#include "kmodlite-private.h"

struct built {
	void *data;
	size_t size;
	struct kml_index *index;
};

static void build(struct kml_index_writer *w, struct built *b)
{
	assert_int_equal(kml_index_writer_build(w, &b->data, &b->size), 0);
	assert_int_equal(kml_index_from_memory(b->data, b->size, &b->index), 0);
}

static void release(struct built *b)
{
	kml_index_close(b->index);
	free(b->data);
}

static void test_exact(void **state)
{
	(void)state;
	static const char *const keys[] = { "a", "ab", "abc", "abd", "b", "ba", "xyz_long_key",
					    "xyz_long", "" };
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char value[64];
		snprintf(value, sizeof(value), "value-of-%s", keys[i]);
		assert_int_equal(kml_index_writer_add(w, keys[i], value, (unsigned)i), 0);
	}
	struct built b;
	build(w, &b);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char value[64];
		snprintf(value, sizeof(value), "value-of-%s", keys[i]);
		const char *got = NULL;
		assert_int_equal(kml_index_lookup(b.index, keys[i], &got), 0);
		assert_string_equal(got, value);
	}
	const char *got;
	assert_int_equal(kml_index_lookup(b.index, "abe", &got), -ENOENT);
	assert_int_equal(kml_index_lookup(b.index, "xyz_lon", &got), -ENOENT);
	assert_int_equal(kml_index_lookup(b.index, "xyz_long_keyz", &got), -ENOENT);
	release(&b);
	kml_index_writer_free(w);
}

static void test_priorities_and_duplicates(void **state)
{
	(void)state;
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	assert_int_equal(kml_index_writer_add(w, "k", "c", 3), 0);
	assert_int_equal(kml_index_writer_add(w, "k", "a", 1), 0);
	assert_int_equal(kml_index_writer_add(w, "k", "b1", 2), 0);
	assert_int_equal(kml_index_writer_add(w, "k", "b2", 2), 0); /* equal: before b1 */
	assert_int_equal(kml_index_writer_add(w, "k", "a", 5), 1);  /* duplicate value */
	struct built b;
	build(w, &b);
	struct kml_index_value *v = NULL;
	size_t n = 0;
	assert_int_equal(kml_index_lookup_all(b.index, "k", &v, &n), 0);
	assert_int_equal(n, 5);
	static const char *const order[] = { "a", "b2", "b1", "c", "a" };
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i].value, order[i]);
	free(v);
	release(&b);
	kml_index_writer_free(w);
}

static void test_wildcard(void **state)
{
	(void)state;
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	assert_int_equal(kml_index_writer_add(w, "pci:v00008086d*", "e1000e", 2), 0);
	assert_int_equal(kml_index_writer_add(w, "pci:v00008086d000010D3*", "igb", 1), 0);
	assert_int_equal(kml_index_writer_add(w, "pci:v00001234d*", "other", 0), 0);
	assert_int_equal(kml_index_writer_add(w, "usb:v*p*", "usbcore", 3), 0);
	assert_int_equal(kml_index_writer_add(w, "fs-[ab]x", "fsab", 4), 0);
	struct built b;
	build(w, &b);
	struct kml_index_value *v = NULL;
	size_t n = 0;
	assert_int_equal(kml_index_lookup_wildcard(b.index, "pci:v00008086d000010D3sv0", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].value, "igb");
	assert_string_equal(v[1].value, "e1000e");
	free(v);
	assert_int_equal(kml_index_lookup_wildcard(b.index, "usb:v1p2", &v, &n), 0);
	assert_int_equal(n, 1);
	free(v);
	assert_int_equal(kml_index_lookup_wildcard(b.index, "fs-bx", &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].value, "fsab");
	free(v);
	assert_int_equal(kml_index_lookup_wildcard(b.index, "fs-cx", &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	release(&b);
	kml_index_writer_free(w);
}

static void test_bad_key(void **state)
{
	(void)state;
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	assert_int_equal(kml_index_writer_add(w, "caf\xc3\xa9", "x", 0), -EINVAL);
	kml_index_writer_free(w);
	kml_index_writer_free(NULL);
}

/* Many random keys sharing prefixes: every one found again, foreach sorted. */
static int count_fn(void *data, const char *key, const struct kml_index_value *value)
{
	(void)key;
	(void)value;
	(*(size_t *)data)++;
	return 0;
}

static void test_random_keys(void **state)
{
	(void)state;
	enum { N = 3000 };
	static char keys[N][24];
	uint32_t x = 42;
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	for (size_t i = 0; i < N; i++) {
		size_t len = 1 + i % 20;
		for (size_t j = 0; j < len; j++) {
			x = x * 1103515245 + 12345;
			keys[i][j] = "abc_:-"[(x >> 16) % 6];
		}
		keys[i][len] = '\0';
		char value[16];
		snprintf(value, sizeof(value), "%zu", i);
		assert_true(kml_index_writer_add(w, keys[i], value, (unsigned)i) >= 0);
	}
	struct built b;
	build(w, &b);
	for (size_t i = 0; i < N; i++) {
		struct kml_index_value *v = NULL;
		size_t n = 0;
		assert_int_equal(kml_index_lookup_all(b.index, keys[i], &v, &n), 0);
		char value[16];
		snprintf(value, sizeof(value), "%zu", i);
		bool found = false;
		for (size_t j = 0; j < n; j++)
			found |= streq(v[j].value, value);
		assert_true(found);
		free(v);
	}
	size_t count = 0;
	assert_int_equal(kml_index_foreach(b.index, count_fn, &count), 0);
	assert_int_equal(count, N);
	release(&b);
	kml_index_writer_free(w);
}

/* Real data: rebuilding each of the reference's indexes from its own
 * content gives an index with exactly the same content. */
struct dump {
	struct strbuf text;
	struct kml_index_writer *w;
};

static int dump_fn(void *data, const char *key, const struct kml_index_value *value)
{
	struct dump *d = data;
	char prio[16];
	snprintf(prio, sizeof(prio), " %u ", value->priority);
	assert_int_equal(strbuf_append_str(&d->text, key), 0);
	assert_int_equal(strbuf_append_str(&d->text, prio), 0);
	assert_int_equal(strbuf_append_str(&d->text, value->value), 0);
	assert_int_equal(strbuf_append(&d->text, "\n", 1), 0);
	if (d->w)
		assert_true(kml_index_writer_add(d->w, key, value->value, value->priority) >= 0);
	return 0;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of TEXT, sorted, joined again (TEXT is modified). */
static char *sorted_lines(struct strbuf *text)
{
	size_t n = 0, cap = 1024;
	char **lines = malloc(cap * sizeof(*lines));
	assert_non_null(lines);
	for (char *p = text->data, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		if (n == cap) {
			cap *= 2;
			lines = realloc(lines, cap * sizeof(*lines));
			assert_non_null(lines);
		}
		lines[n++] = p;
	}
	qsort(lines, n, sizeof(*lines), line_cmp);
	struct strbuf out = { 0 };
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strbuf_append_str(&out, lines[i]), 0);
		assert_int_equal(strbuf_append(&out, "\n", 1), 0);
	}
	free(lines);
	return out.data;
}

static void test_reference_roundtrip(void **state)
{
	(void)state;
	const char *root = getenv("KMODLITE_TEST_ROOT"), *kver = getenv("KMODLITE_TEST_KVER");
	if (!root || !kver)
		skip();
	static const char *const files[] = { "modules.dep.bin", "modules.alias.bin",
					     "modules.symbols.bin", "modules.builtin.bin",
					     "modules.builtin.alias.bin" };
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/lib/modules/%s/%s", root, kver, files[f]);
		struct kml_index *ref = NULL;
		if (kml_index_open(path, &ref) < 0)
			skip();
		struct dump a = { 0 }, b = { 0 };
		assert_int_equal(kml_index_writer_new(&a.w), 0);
		assert_int_equal(kml_index_foreach(ref, dump_fn, &a), 0);
		/* re-adding in stored order reverses values of equal priority
		 * inside a node, so compare the (key, priority, value) sets */
		struct built ours;
		build(a.w, &ours);
		assert_int_equal(kml_index_foreach(ours.index, dump_fn, &b), 0);
		assert_true(a.text.len > 0);
		char *sa = sorted_lines(&a.text), *sb = sorted_lines(&b.text);
		assert_string_equal(sa, sb);
		free(sa);
		free(sb);
		release(&ours);
		kml_index_writer_free(a.w);
		free(a.text.data);
		free(b.text.data);
		kml_index_close(ref);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_priorities_and_duplicates),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_bad_key),
		cmocka_unit_test(test_random_keys),
		cmocka_unit_test(test_reference_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
