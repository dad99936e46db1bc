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
#include "index-writer.h"
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

/* Built bytes of W, compared with EXPECT (LEN bytes). */
static void assert_bytes(struct kml_index_writer *w, const void *expect, size_t len)
{
	void *data = NULL;
	size_t size = 0;
	assert_int_equal(kml_index_writer_build(w, &data, &size), 0);
	assert_int_equal(size, len);
	assert_memory_equal(data, expect, len);
	free(data);
}

/* No key: the header and an empty root right after it. */
static void test_empty(void **state)
{
	(void)state;
	static const unsigned char expect[] = { 0xB0, 0x07, 0xF4, 0x57, 0x00, 0x02, 0x00, 0x01,
						0x00, 0x00, 0x00, 0x0C };
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	assert_bytes(w, expect, sizeof(expect));
	assert_bytes(w, expect, sizeof(expect)); /* building twice gives the same */
	kml_index_writer_free(w);
}

/* A small index, byte by byte: a node made by a split (no prefix, no
 * values), a prefix, child tables, pre-order offsets. */
static void test_exact_bytes(void **state)
{
	(void)state;
	static const unsigned char expect[] = {
		0xB0, 0x07, 0xF4, 0x57, 0x00, 0x02, 0x00, 0x01, 0x20, 0x00, 0x00, 0x0C,
		/* 12: root, one child 'a' */
		'a', 'a', 0x20, 0x00, 0x00, 0x12,
		/* 18: "a", children 'b' and 'c' */
		'b', 'c', 0x40, 0x00, 0x00, 0x1C, 0xC0, 0x00, 0x00, 0x26,
		/* 28: "ab" -> x (1) */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 'x', 0x00,
		/* 38: "acde" -> y (2) */
		'd', 'e', 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 'y', 0x00,
	};
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	assert_int_equal(kml_index_writer_add(w, "acde", "y", 2), 0);
	assert_int_equal(kml_index_writer_add(w, "ab", "x", 1), 0);
	assert_bytes(w, expect, sizeof(expect));
	kml_index_writer_free(w);
}

/* Values of a key in stored order, as one string ("a,b,c"). */
static void assert_values(struct kml_index_writer *w, const char *key, const char *expect)
{
	struct built b;
	build(w, &b);
	struct kml_index_value *v = NULL;
	size_t n = 0;
	assert_int_equal(kml_index_lookup_all(b.index, key, &v, &n), 0);
	struct strbuf got = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_int_equal(strbuf_append(&got, ",", 1), 0);
		assert_int_equal(strbuf_append_str(&got, v[i].value), 0);
	}
	assert_int_equal(strbuf_append(&got, "", 1), 0);
	assert_string_equal(got.data, expect);
	free(got.data);
	free(v);
	release(&b);
}

/* Among equal priorities the newest first, wherever they are in the list. */
static void test_equal_priorities(void **state)
{
	(void)state;
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	assert_int_equal(kml_index_writer_add(w, "q", "1", 5), 0);
	assert_int_equal(kml_index_writer_add(w, "q", "2", 5), 0);
	assert_int_equal(kml_index_writer_add(w, "q", "3", 5), 0);
	assert_values(w, "q", "3,2,1");
	assert_int_equal(kml_index_writer_add(w, "q", "0", 9), 0);  /* last */
	assert_int_equal(kml_index_writer_add(w, "q", "x", 0), 0);  /* first */
	assert_int_equal(kml_index_writer_add(w, "q", "y", 5), 0);  /* before 3 */
	assert_int_equal(kml_index_writer_add(w, "q", "z", 9), 0);  /* before 0 */
	assert_int_equal(kml_index_writer_add(w, "q", "w", 6), 0);  /* between 1 and z */
	assert_values(w, "q", "x,y,3,2,1,w,z,0");
	/* a node that got values after a split keeps them in order too */
	assert_int_equal(kml_index_writer_add(w, "qrs", "r1", 1), 0);
	assert_int_equal(kml_index_writer_add(w, "qr", "a", 1), 0);
	assert_int_equal(kml_index_writer_add(w, "qr", "b", 1), 0);
	assert_int_equal(kml_index_writer_add(w, "qr", "c", 0), 0);
	assert_values(w, "qr", "c,b,a");
	assert_values(w, "qrs", "r1");
	kml_index_writer_free(w);
}

/* 1 only when the key's own node already held the very same value. */
static void test_duplicates(void **state)
{
	(void)state;
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	assert_int_equal(kml_index_writer_add(w, "k", "a", 1), 0);
	assert_int_equal(kml_index_writer_add(w, "k2", "a", 1), 0); /* another key */
	assert_int_equal(kml_index_writer_add(w, "k", "a", 0), 1);  /* other priority */
	assert_int_equal(kml_index_writer_add(w, "k", "a", 1), 1);
	assert_int_equal(kml_index_writer_add(w, "", "a", 0), 0);   /* the root */
	assert_int_equal(kml_index_writer_add(w, "", "a", 3), 1);
	assert_int_equal(kml_index_writer_add(w, "kxy", "v", 0), 0);
	assert_int_equal(kml_index_writer_add(w, "kx", "v", 0), 0); /* a split: a new node */
	assert_int_equal(kml_index_writer_add(w, "kxy", "v", 0), 1);
	assert_int_equal(kml_index_writer_add(w, "kx", "v", 7), 1);
	assert_int_equal(kml_index_writer_add(w, "e", "", 0), 0);
	assert_int_equal(kml_index_writer_add(w, "e", "", 0), 1);
	assert_int_equal(kml_index_writer_add(w, "p", "ab", 0), 0);
	assert_int_equal(kml_index_writer_add(w, "p", "a", 0), 0);  /* a prefix of one */
	assert_int_equal(kml_index_writer_add(w, "p", "abc", 0), 0);
	assert_int_equal(kml_index_writer_add(w, "p", "ab", 9), 1);
	assert_values(w, "k", "a,a,a");
	assert_values(w, "p", "abc,a,ab,ab");
	kml_index_writer_free(w);
}

/* A key byte >= 128 anywhere (inside a stored prefix, past a full match, at
 * a new edge, in a new leaf) is refused before anything changes. */
static void test_bad_key_leaves_index(void **state)
{
	(void)state;
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	assert_int_equal(kml_index_writer_add(w, "abc", "x", 0), 0);
	assert_int_equal(kml_index_writer_add(w, "abd", "y", 1), 0);
	assert_int_equal(kml_index_writer_add(w, "bcdef", "z", 2), 0);
	void *before = NULL;
	size_t before_size = 0;
	assert_int_equal(kml_index_writer_build(w, &before, &before_size), 0);
	static const char *const bad[] = {
		"\x80",	      "\xff",	      "a\xff",	     "ab\x80",	"abc\xc3\xa9",
		"abx\x80",    "bc\x90",	      "bcd\x7f\x80", "bcdef\x80", "bcdefg\x80h",
		"zz\x90zz",   "b\x80" "cdef", "caf\xc3\xa9",
		/* long rests: every position of the eight-at-a-time check */
		"zzzzzzz\x80", "zzzzzzzz\x80", "\x80zzzzzzzz", "zzzz\x80zzzz",
		"zzzzzzzzzzzzzzz\x80", "zzzzzzzzzzzzzzzz\x80", "zzzzzzzzzz\x80zzzzzzzzzzzzzzz",
		"zzz\x80", "z\x80zz", "\x80zz", "zz\x80", "abdzzzzzzzzzzzzzz\x80z",
		"zzzz\x80", "zzzzzz\x80",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(kml_index_writer_add(w, bad[i], "bad", 9), -EINVAL);
	assert_bytes(w, before, before_size);
	free(before);
	/* 127 is still ASCII */
	assert_int_equal(kml_index_writer_add(w, "b\x7f", "del", 0), 0);
	assert_values(w, "b\x7f", "del");
	kml_index_writer_free(w);
}

/* Byte for byte the same as the test fixtures' writer (a separate, simple
 * implementation of the format) over random keys: narrow alphabets for deep
 * sharing and many splits, the whole 1..127 range for wide child tables
 * that grow both ways; values from a small pool for duplicates. The key ""
 * always has a value: the fixture folds a root with a single child and no
 * values into a prefix, which the format allows but depmod does not do. */
static void check_against_fixture(const char *alphabet, size_t alphabet_len, size_t max_len,
				  size_t count, uint32_t seed)
{
	static const char *const values[] = { "", "m0", "m1", "module_two", "m0x" };
	struct idxw_entry *e = calloc(count + 1, sizeof(*e));
	char **keys = calloc(count, sizeof(*keys));
	assert_non_null(e);
	assert_non_null(keys);
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	e[0] = (struct idxw_entry){ "", "root", 3 };
	assert_int_equal(kml_index_writer_add(w, "", "root", 3), 0);
	uint32_t x = seed;
	for (size_t i = 0; i < count; i++) {
		x = x * 1103515245 + 12345;
		size_t len = (x >> 16) % (max_len + 1);
		keys[i] = malloc(len + 1);
		assert_non_null(keys[i]);
		for (size_t j = 0; j < len; j++) {
			x = x * 1103515245 + 12345;
			keys[i][j] = alphabet[(x >> 16) % alphabet_len];
		}
		keys[i][len] = '\0';
		x = x * 1103515245 + 12345;
		const char *value = values[(x >> 16) % ARRAY_SIZE(values)];
		unsigned prio = (x >> 24) % 4;
		e[i + 1] = (struct idxw_entry){ keys[i], value, prio };
		int duplicate = 0;
		for (size_t j = 0; j <= i; j++)
			if (streq(e[j].key, keys[i]) && streq(e[j].value, value))
				duplicate = 1;
		assert_int_equal(kml_index_writer_add(w, keys[i], value, prio), duplicate);
	}
	size_t len = 0;
	uint8_t *expect = idxw_build(e, count + 1, true, &len);
	assert_bytes(w, expect, len);
	free(expect);
	kml_index_writer_free(w);
	for (size_t i = 0; i < count; i++)
		free(keys[i]);
	free(keys);
	free(e);
}

static void test_same_as_fixture(void **state)
{
	(void)state;
	char all[127];
	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (char)(i + 1);
	for (uint32_t seed = 1; seed <= 4; seed++) {
		check_against_fixture("ab", 2, 12, 400, seed);
		check_against_fixture("abc_:-*", 7, 20, 1500, seed);
		check_against_fixture("0123456789ABCDEF", 16, 6, 1500, seed);
		check_against_fixture(all, sizeof(all), 3, 1500, seed);
	}
	/* edge bytes at both ends of the range, met in both orders */
	check_against_fixture("\x01\x7f", 2, 4, 100, 7);
	check_against_fixture("\x7f\x01" "a", 3, 4, 100, 8);
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

/* kml_index_set_priorities(): an index built with some priorities, patched
 * to others, is byte for byte the one built with those; what it refuses. */
static long priority_by_name(const char *value, void *data)
{
	const char *const *names = data;
	for (long i = 0; names[i]; i++)
		if (strcmp(names[i], value) == 0)
			return 100 + 10 * i;
	return -1;
}

static void build_modules(const char *const *keys, const char *const *values,
			  const unsigned *priorities, size_t n, struct built *b)
{
	struct kml_index_writer *w = NULL;
	assert_int_equal(kml_index_writer_new(&w), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(kml_index_writer_add(w, keys[i], values[i], priorities[i]) >= 0);
	assert_int_equal(kml_index_writer_build(w, &b->data, &b->size), 0);
	b->index = NULL;
	kml_index_writer_free(w);
}

static void test_set_priorities(void **state)
{
	(void)state;
	static const char *const keys[] = { "symbol:a", "symbol:ab", "symbol:b", "symbol:bcd",
					    "symbol:bce", "x", "symbol:ab" };
	static const char *const values[] = { "m1", "m2", "m3", "m1", "m2", "m3", "m4" };
	static const unsigned before[] = { 7, 3, 9, 7, 3, 9, 5 };
	/* the same order of modules, other positions: m1 100, m2 110, m3 120, m4 130 */
	static const char *const order[] = { "m1", "m2", "m3", "m4", NULL };
	static const unsigned after[] = { 100, 110, 120, 100, 110, 120, 130 };
	struct built old, want;
	build_modules(keys, values, before, ARRAY_SIZE(keys), &old);
	build_modules(keys, values, after, ARRAY_SIZE(keys), &want);
	assert_int_equal(kml_index_set_priorities(old.data, old.size, priority_by_name, (void *)order), 0);
	assert_int_equal(old.size, want.size);
	assert_memory_equal(old.data, want.data, want.size);
	free(want.data);

	/* a value it does not know */
	static const char *const fewer[] = { "m1", "m2", "m3", NULL };
	assert_int_equal(kml_index_set_priorities(old.data, old.size, priority_by_name, (void *)fewer),
			 -ENOENT);
	/* two values of one key ("symbol:ab": m2 before m4) that would swap */
	static const char *const swapped[] = { "m1", "m4", "m3", "m2", NULL };
	assert_int_equal(
		kml_index_set_priorities(old.data, old.size, priority_by_name, (void *)swapped), -ENOENT);
	/* not an index, or one cut short */
	unsigned char junk[16] = { 1, 2, 3 };
	assert_int_equal(kml_index_set_priorities(junk, sizeof(junk), priority_by_name, (void *)order),
			 -EBADMSG);
	for (size_t cut = 0; cut < old.size; cut++) {
		void *copy = malloc(cut + 1);
		memcpy(copy, old.data, cut);
		int r = kml_index_set_priorities(copy, cut, priority_by_name, (void *)order);
		assert_true(r == -EBADMSG || r == 0);
		free(copy);
	}
	/* a node that is its own child: refused, not followed for ever */
	unsigned char loop[] = { 0xB0, 0x07, 0xF4, 0x57, 0x00, 0x02, 0x00, 0x01,
				 0x20, 0x00, 0x00, 0x0c, 'a',  'a',  0x20, 0x00,
				 0x00, 0x0c };
	assert_int_equal(kml_index_set_priorities(loop, sizeof(loop), priority_by_name, (void *)order),
			 -EBADMSG);
	free(old.data);
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
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_exact_bytes),
		cmocka_unit_test(test_equal_priorities),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_bad_key_leaves_index),
		cmocka_unit_test(test_same_as_fixture),
		cmocka_unit_test(test_random_keys),
		cmocka_unit_test(test_set_priorities),
		cmocka_unit_test(test_reference_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
