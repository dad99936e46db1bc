// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "index-writer.h"
#include "kmodlite-private.h"

/* The reference tree: $KMODLITE_TEST_ROOT/lib/modules/$KMODLITE_TEST_KVER,
 * with indexes written by the reference depmod. */
#define REF_ROOT_ENV "KMODLITE_TEST_ROOT"
#define REF_KVER_ENV "KMODLITE_TEST_KVER"
#define REF_MODPROBE "/usr/sbin/modprobe"

/* An index over ENTRIES in the given layout; *RET_DATA must outlive it. */
static struct kml_index *index_from_entries(const struct idxw_entry *e, size_t n,
					    bool root_first, uint8_t **ret_data)
{
	struct kml_index *index = NULL;
	size_t len;

	*ret_data = idxw_build(e, n, root_first, &len);
	assert_int_equal(kml_index_from_memory(*ret_data, len, &index), 0);
	assert_non_null(index);
	return index;
}

/* ------------------------------------------------------------- helpers */

/* EXPECTED: NULL-terminated values in order. */
static void check_wildcard(const struct kml_index *index, const char *query,
			   const char *const *expected)
{
	struct kml_index_value *v = NULL;
	size_t n = 99, want = 0;

	while (expected[want] != NULL)
		want++;
	assert_int_equal(kml_index_lookup_wildcard(index, query, &v, &n), 0);
	if (n != want) {
		for (size_t i = 0; i < n; i++)
			print_message("  got %s (%u)\n", v[i].value, v[i].priority);
		fail_msg("query '%s': %zu results, expected %zu", query, n, want);
	}
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].value, expected[i]);
		if (i > 0)
			assert_true(v[i - 1].priority <= v[i].priority);
	}
	free(v);
}

#define WILD(index, query, ...)                                                  \
	do {                                                                     \
		static const char *const expected_[] = { __VA_ARGS__, NULL };   \
		check_wildcard(index, query, expected_);                         \
	} while (0)

static void check_exact(const struct kml_index *index, const char *key, const char *value)
{
	const char *got = NULL;
	int r = kml_index_lookup(index, key, &got);

	if (value == NULL) {
		assert_int_equal(r, -ENOENT);
		assert_null(got);
	} else {
		assert_int_equal(r, 0);
		assert_non_null(got);
		assert_string_equal(got, value);
	}
}

struct collected {
	struct idxw_buf text; /* "key=value/prio\n" lines */
	size_t calls;
	size_t stop_after; /* 0: never */
	int stop_value;
};

static int collect_fn(void *data, const char *key, const struct kml_index_value *v)
{
	struct collected *c = data;
	char prio[16];
	int len = snprintf(prio, sizeof(prio), "/%u\n", v->priority);

	assert_true(len > 0 && (size_t)len < sizeof(prio));
	idxw_buf_put(&c->text, key, strlen(key));
	idxw_buf_u8(&c->text, '=');
	idxw_buf_put(&c->text, v->value, strlen(v->value));
	idxw_buf_put(&c->text, prio, (size_t)len);
	c->calls++;
	if (c->stop_after && c->calls == c->stop_after)
		return c->stop_value;
	return 0;
}

static char *foreach_text(const struct kml_index *index, int expect_r)
{
	struct collected c = { 0 };

	assert_int_equal(kml_index_foreach(index, collect_fn, &c), expect_r);
	idxw_buf_u8(&c.text, 0);
	return (char *)c.text.data;
}

/* ------------------------------------------------------- open / header */

static char *write_temp(const void *data, size_t len)
{
	char *path = strdup("/tmp/test-index-read-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_open(void **state)
{
	static const struct idxw_entry e[] = {
		{ "ext4", "kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko", 1 },
		{ "jbd2", "kernel/fs/jbd2/jbd2.ko:", 0 },
	};
	struct idxw_node *root = idxw_node_new();
	struct kml_index *index = NULL;
	uint8_t *data, bad[12];
	const char *v;
	size_t len;
	char *path;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(e); i++)
		idxw_node_add(root, e[i].key, e[i].value, e[i].priority);
	data = idxw_node_build(root, false, &len);
	idxw_node_free(root);

	path = write_temp(data, len);
	assert_int_equal(kml_index_open(path, &index), 0);
	assert_int_equal(kml_index_lookup(index, "ext4", &v), 0);
	assert_string_equal(v, e[0].value);
	assert_int_equal(kml_index_lookup(index, "jbd2", &v), 0);
	assert_string_equal(v, e[1].value);
	/* The values point into the mapping, not into the caller's bytes. */
	assert_true(v < (const char *)data || v >= (const char *)data + len);
	kml_index_close(index);
	unlink(path);
	free(path);

	/* Header errors through the file path too. */
	memcpy(bad, data, sizeof(bad));
	bad[0] ^= 0xff;
	path = write_temp(bad, sizeof(bad));
	index = NULL;
	assert_int_equal(kml_index_open(path, &index), -EBADMSG);
	assert_null(index);
	unlink(path);
	free(path);

	/* The index depmod writes when every module is built in. */
	memcpy(bad, data, 8);
	memcpy(bad + 8, (const uint8_t[]){ 0, 0, 0, 12 }, 4);
	path = write_temp(bad, sizeof(bad));
	assert_int_equal(kml_index_open(path, &index), 0);
	assert_int_equal(kml_index_lookup(index, "ext4", &v), -ENOENT);
	kml_index_close(index);
	index = NULL;
	unlink(path);
	free(path);

	path = write_temp(data, 11);
	assert_int_equal(kml_index_open(path, &index), -EBADMSG);
	unlink(path);
	free(path);

	path = write_temp(data, 0);
	assert_int_equal(kml_index_open(path, &index), -EBADMSG);
	unlink(path);
	free(path);

	assert_int_equal(kml_index_open("/nonexistent/modules.dep.bin", &index), -ENOENT);
	assert_int_equal(kml_index_open("/tmp", &index), -EISDIR);
	assert_null(index);
	kml_index_close(NULL);
	free(data);
}

static void test_header(void **state)
{
	uint8_t h[12] = { 0xB0, 0x07, 0xF4, 0x57, 0x00, 0x02, 0x00, 0x01, 0, 0, 0, 0 };
	struct kml_index_value *vals = NULL;
	struct kml_index *index = NULL;
	struct collected c = { 0 };
	const char *v = NULL;
	size_t n = 1;

	(void)state;
	/* Root word 0: an empty index. */
	assert_int_equal(kml_index_from_memory(h, sizeof(h), &index), 0);
	assert_int_equal(kml_index_lookup(index, "x", &v), -ENOENT);
	assert_int_equal(kml_index_lookup(index, "", &v), -ENOENT);
	assert_int_equal(kml_index_lookup_wildcard(index, "x", &vals, &n), 0);
	assert_int_equal(n, 0);
	free(vals);
	assert_int_equal(kml_index_foreach(index, collect_fn, &c), 0);
	assert_int_equal(c.calls, 0);
	kml_index_close(index);

	/* Root word 12 in a 12-byte file: a root without parts at the end of
	 * the file, as depmod writes an index with no entries. */
	h[11] = 12;
	index = NULL;
	assert_int_equal(kml_index_from_memory(h, sizeof(h), &index), 0);
	assert_int_equal(kml_index_lookup(index, "x", &v), -ENOENT);
	assert_int_equal(kml_index_lookup(index, "", &v), -ENOENT);
	assert_int_equal(kml_index_lookup_all(index, "x", &vals, &n), -ENOENT);
	n = 1;
	assert_int_equal(kml_index_lookup_wildcard(index, "x", &vals, &n), 0);
	assert_int_equal(n, 0);
	free(vals);
	n = 1;
	assert_int_equal(kml_index_lookup_wildcard(index, "*", &vals, &n), 0);
	assert_int_equal(n, 0);
	free(vals);
	assert_int_equal(kml_index_foreach(index, collect_fn, &c), 0);
	assert_int_equal(c.calls, 0);
	kml_index_close(index);
	/* ... but a root there that claims a part is cut short. */
	for (unsigned int flag = 0x20; flag <= 0x80; flag <<= 1) {
		h[8] = (uint8_t)flag;
		assert_int_equal(kml_index_from_memory(h, sizeof(h), &index), 0);
		assert_int_equal(kml_index_lookup(index, "", &v), -EBADMSG);
		assert_int_equal(kml_index_lookup_wildcard(index, "x", &vals, &n), -EBADMSG);
		assert_int_equal(kml_index_foreach(index, collect_fn, &c), -EBADMSG);
		kml_index_close(index);
	}
	/* Past the end is corrupt whatever the flags. */
	h[8] = 0;
	h[11] = 13;
	assert_int_equal(kml_index_from_memory(h, sizeof(h), &index), 0);
	assert_int_equal(kml_index_lookup(index, "", &v), -EBADMSG);
	assert_int_equal(kml_index_foreach(index, collect_fn, &c), -EBADMSG);
	kml_index_close(index);
	h[11] = 0;

	/* Any minor version of major 2. */
	h[6] = 0x12;
	h[7] = 0x34;
	index = NULL;
	assert_int_equal(kml_index_from_memory(h, sizeof(h), &index), 0);
	kml_index_close(index);

	index = NULL;
	h[5] = 3;
	assert_int_equal(kml_index_from_memory(h, sizeof(h), &index), -EBADMSG);
	h[5] = 1;
	assert_int_equal(kml_index_from_memory(h, sizeof(h), &index), -EBADMSG);
	h[5] = 2;
	h[3] = 0x58;
	assert_int_equal(kml_index_from_memory(h, sizeof(h), &index), -EBADMSG);
	h[3] = 0x57;
	for (size_t len = 0; len < sizeof(h); len++)
		assert_int_equal(kml_index_from_memory(h, len, &index), -EBADMSG);
	assert_null(index);
}

/* ------------------------------------------------------------ exact */

static const struct idxw_entry exact_entries[] = {
	{ "abc", "v-abc", 0 },
	{ "abd", "v-abd", 0 },
	{ "ab", "v-ab", 0 },
	{ "a", "v-a", 0 },
	{ "xyz_long_name", "v-xyz", 0 },
	{ "snd_hda_codec", "v-codec", 0 },
	{ "snd_hda_codec_realtek", "v-realtek", 0 },
	{ "~tilde", "v-tilde", 0 },
	{ "empty", "", 0 },
};

static void test_exact(void **state)
{
	(void)state;
	for (int layout = 0; layout < 2; layout++) {
		uint8_t *data;
		struct kml_index *index = index_from_entries(exact_entries,
							     ARRAY_SIZE(exact_entries),
							     layout, &data);

		for (size_t i = 0; i < ARRAY_SIZE(exact_entries); i++)
			check_exact(index, exact_entries[i].key, exact_entries[i].value);
		check_exact(index, "", NULL);
		check_exact(index, "b", NULL);
		check_exact(index, "abcd", NULL);  /* longer than a key */
		check_exact(index, "abe", NULL);
		check_exact(index, "xyz", NULL);   /* inside a prefix */
		check_exact(index, "xyz_long", NULL);
		check_exact(index, "xyz_long_namf", NULL);
		check_exact(index, "snd_hda", NULL);
		check_exact(index, "snd_hda_codec_", NULL);
		check_exact(index, "snd_hda_codec_realtekk", NULL);
		check_exact(index, "ab\x80", NULL); /* non-ASCII keys are never stored */
		check_exact(index, "\xff", NULL);
		check_exact(index, "*", NULL);     /* no patterns in exact lookup */
		kml_index_close(index);
		free(data);
	}
}

static void test_lookup_all(void **state)
{
	static const struct idxw_entry e[] = {
		{ "k", "b", 2 },
		{ "k", "a", 1 },
		{ "k", "c", 2 }, /* equal priority: stored before b */
		{ "k", "z", 0 },
		{ "kk", "other", 0 },
	};
	static const char *const order[] = { "z", "a", "c", "b" };
	static const unsigned int prio[] = { 0, 1, 2, 2 };

	(void)state;
	for (int layout = 0; layout < 2; layout++) {
		struct kml_index_value *v = NULL;
		uint8_t *data;
		struct kml_index *index = index_from_entries(e, ARRAY_SIZE(e), layout, &data);
		size_t n = 0;

		check_exact(index, "k", "z");
		assert_int_equal(kml_index_lookup_all(index, "k", &v, &n), 0);
		assert_int_equal(n, ARRAY_SIZE(order));
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(v[i].value, order[i]);
			assert_int_equal(v[i].priority, prio[i]);
		}
		free(v);
		v = NULL;
		assert_int_equal(kml_index_lookup_all(index, "kk", &v, &n), 0);
		assert_int_equal(n, 1);
		assert_string_equal(v[0].value, "other");
		free(v);
		v = NULL;
		n = 42;
		assert_int_equal(kml_index_lookup_all(index, "x", &v, &n), -ENOENT);
		assert_int_equal(kml_index_lookup_all(index, "", &v, &n), -ENOENT);
		assert_null(v);
		assert_int_equal(n, 42);
		kml_index_close(index);
		free(data);
	}
}

/* A node whose values are not sorted (not written by depmod, still
 * readable): the exact lookup gives the first stored one, lookup_all sorts
 * them stably. */
static void test_lookup_all_unsorted(void **state)
{
	static const char *const order[] = { "a", "d", "b", "c" };
	struct kml_index_value *v = NULL;
	struct kml_index *index = NULL;
	struct idxw_buf b = { 0 };
	size_t n = 0;

	(void)state;
	idxw_buf_header(&b, IDXW_F_PREFIX | IDXW_F_VALUES | 12);
	idxw_buf_str(&b, "k");
	idxw_buf_be32(&b, 4);
	idxw_buf_be32(&b, 2);
	idxw_buf_str(&b, "b");
	idxw_buf_be32(&b, 1);
	idxw_buf_str(&b, "a");
	idxw_buf_be32(&b, 2);
	idxw_buf_str(&b, "c");
	idxw_buf_be32(&b, 1);
	idxw_buf_str(&b, "d");
	assert_int_equal(kml_index_from_memory(b.data, b.len, &index), 0);
	check_exact(index, "k", "b");
	assert_int_equal(kml_index_lookup_all(index, "k", &v, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i].value, order[i]);
	free(v);
	kml_index_close(index);
	free(b.data);
}

/* ---------------------------------------------------------- wildcard */

static void test_wildcard(void **state)
{
	static const struct idxw_entry e[] = {
		{ "pci:v00008086d*", "intel_all", 5 },
		{ "pci:v00008086d000010D3sv*sd*bc*sc*i*", "e1000e", 4 },
		{ "pci:v*d*sv*sd*bc02sc00i*", "netclass", 9 },
		{ "pci:v00001234d*", "other_vendor", 1 },
		{ "usb:v*p*", "usbcore", 2 },
		{ "[ab]c", "bracket", 1 },
		{ "foo", "foo_exact", 3 },
		{ "f?o", "foo_q", 4 },
		{ "foo", "foo_second", 3 },
		{ "fs_ext4", "ext4", 7 },
		{ "x*", "x_star", 8 },
	};

	(void)state;
	for (int layout = 0; layout < 2; layout++) {
		uint8_t *data;
		struct kml_index *index = index_from_entries(e, ARRAY_SIZE(e), layout, &data);

		WILD(index, "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", "e1000e",
		     "intel_all", "netclass");
		WILD(index, "pci:v00008086d000010D3sv00008086sd0000A01Fbc03sc00i00", "e1000e",
		     "intel_all");
		WILD(index, "pci:v00008086d", "intel_all");
		WILD(index, "pci:v00008086", NULL);
		WILD(index, "pci:v00001234d00005678sv00000000sd00000000bc02sc00i00",
		     "other_vendor", "netclass");
		WILD(index, "pci:", NULL);
		WILD(index, "usb:v1234p5678d0100", "usbcore");
		WILD(index, "usb:vp", "usbcore");
		WILD(index, "usb:v1234", NULL);
		WILD(index, "ac", "bracket");
		WILD(index, "bc", "bracket");
		WILD(index, "cc", NULL);
		WILD(index, "abc", NULL);
		WILD(index, "foo", "foo_second", "foo_exact", "foo_q");
		WILD(index, "fao", "foo_q");
		WILD(index, "fo", NULL);
		WILD(index, "fooo", NULL);
		WILD(index, "fs_ext4", "ext4");
		WILD(index, "fs_ext", NULL);
		WILD(index, "x", "x_star");
		WILD(index, "xylophone", "x_star");
		WILD(index, "", NULL);
		WILD(index, "\xc3\xa9", NULL);
		kml_index_close(index);
		free(data);
	}
}

/*
 * Orders checked against kmod 30 (modprobe -R on indexes written with these
 * entries): equal priorities list the matching nodes latest found first,
 * each node's values in stored order, subtrees searched children first.
 */
static void test_wildcard_reference_order(void **state)
{
	static const struct idxw_entry e1[] = {
		{ "q*", "a1", 1 }, { "q*", "a2", 2 }, { "q*", "a3", 2 }, { "q*", "a4", 3 },
		{ "qq", "b1", 1 }, { "qq", "b2", 2 }, { "qq", "b3", 2 }, { "q?", "c1", 2 },
		{ "q[q]", "d0", 0 }, { "q[q]", "d2", 2 },
	};
	static const struct idxw_entry e2[] = {
		{ "a*", "n1", 1 },   { "a*b", "n2", 1 },  { "a*bc", "n3", 1 },
		{ "a*c", "n4", 1 },  { "a*c", "n4b", 1 }, { "a?c", "n5", 1 },
		{ "abc", "n6", 1 },  { "abc", "n6b", 1 }, { "[a]bc", "n7", 1 },
		{ "*bc", "n8", 1 },  { "*c", "n9", 1 },   { "ab[c]", "n10", 1 },
		{ "a*", "n1", 1 },
	};
	/* Query characters matched along the literal path are literal. */
	static const struct idxw_entry e3[] = {
		{ "[a]*", "m0", 1 },
		{ "*?", "m1", 1 },
		{ "a*[!a]", "m4", 1 },
	};

	(void)state;
	for (int layout = 0; layout < 2; layout++) {
		uint8_t *data;
		struct kml_index *index = index_from_entries(e1, ARRAY_SIZE(e1), layout, &data);

		WILD(index, "qq", "d0", "b1", "a1", "b3", "b2", "d2", "c1", "a3", "a2", "a4");
		kml_index_close(index);
		free(data);

		index = index_from_entries(e2, ARRAY_SIZE(e2), layout, &data);
		WILD(index, "abc", "n6b", "n6", "n10", "n5", "n1", "n1", "n4b", "n4", "n3", "n7",
		     "n9", "n8");
		kml_index_close(index);
		free(data);

		index = index_from_entries(e3, ARRAY_SIZE(e3), layout, &data);
		WILD(index, "[a]", "m0", "m1");
		WILD(index, "a*", "m4", "m0", "m1");
		kml_index_close(index);
		free(data);
	}
}

/* The wildcard lookup's rule for a query without pattern characters: KEY
 * matches when its part before the first '*', '?' or '[' is the query's
 * beginning and the rest of it, as a shell pattern, matches the rest of the
 * query; a key without them only when it is the query. */
static bool wildcard_rule(const char *key, const char *query)
{
	size_t m = strcspn(key, "*?[");

	if (key[m] == '\0')
		return strcmp(key, query) == 0;
	return strlen(query) >= m && strncmp(key, query, m) == 0 && glob_match(key + m, query + m);
}

static void pattern_to_query(const char *pattern, char *out, size_t size);

static int value_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Random patterns (with the branches a pattern walk leaves out, brackets
 * and escapes that only glob_match() decides, and keys long enough for
 * several words of positions) in both layouts: the values found are those of
 * the keys the rule matches.
 */
static void test_wildcard_random(void **state)
{
	static const char *const parts[] = { "a", "b", "c", "ab", "*", "?", "*a", "[ab]",
					     "[!a]", "\\b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	static const char query_chars[] = "abc\\";
	enum { ENTRIES = 40, ROUNDS = 400, QUERIES = 60 };
	unsigned int seed = 777;
	size_t found = 0;

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		struct idxw_entry e[ENTRIES];
		char keys[ENTRIES][160], values[ENTRIES][16];

		for (int i = 0; i < ENTRIES; i++) {
			size_t len = 0;
			int n = 1 + rand_r(&seed) % 7;

			for (int j = 0; j < n; j++) {
				const char *part = parts[rand_r(&seed) % (int)ARRAY_SIZE(parts)];
				size_t l = strlen(part);

				if (len + l >= sizeof(keys[i]))
					break;
				memcpy(keys[i] + len, part, l);
				len += l;
			}
			keys[i][len] = '\0';
			snprintf(values[i], sizeof(values[i]), "v%d", i);
			e[i] = (struct idxw_entry){ keys[i], values[i], (unsigned int)(rand_r(&seed) % 3) };
		}
		for (int layout = 0; layout < 2; layout++) {
			uint8_t *data;
			struct kml_index *index = index_from_entries(e, ENTRIES, layout, &data);

			for (int q = 0; q < QUERIES; q++) {
				char query[160];
				const char *want[ENTRIES], *got[ENTRIES];
				struct kml_index_value *v = NULL;
				size_t nwant = 0, n = 0;
				size_t len = (size_t)(rand_r(&seed) % 8);

				/* often a key made into a string, so that there are matches */
				if (q % 2 == 0) {
					pattern_to_query(keys[rand_r(&seed) % ENTRIES], query, sizeof(query));
					if (strpbrk(query, "*?[") != NULL)
						continue;
				} else {
					for (size_t i = 0; i < len; i++)
						query[i] = query_chars[rand_r(&seed) %
								       (int)(sizeof(query_chars) - 1)];
					query[len] = '\0';
				}
				for (int i = 0; i < ENTRIES; i++)
					if (wildcard_rule(keys[i], query))
						want[nwant++] = values[i];
				assert_int_equal(kml_index_lookup_wildcard(index, query, &v, &n), 0);
				assert_true(n <= ENTRIES);
				for (size_t i = 0; i < n; i++)
					got[i] = v[i].value;
				qsort(want, nwant, sizeof(*want), value_cmp);
				qsort(got, n, sizeof(*got), value_cmp);
				if (n != nwant)
					fail_msg("query '%s': %zu values, the rule gives %zu", query, n,
						 nwant);
				for (size_t i = 0; i < n; i++)
					assert_string_equal(got[i], want[i]);
				found += n;
				free(v);
			}
			kml_index_close(index);
			free(data);
		}
	}
	assert_true(found > 1000);
}

/* ----------------------------------------------------------- foreach */

static void test_foreach(void **state)
{
	static const struct idxw_entry e[] = {
		{ "b", "vb", 0 },      { "abc", "vabc", 3 }, { "a", "va", 1 },
		{ "ab", "vab2", 2 },   { "ab", "vab1", 1 },  { "ab", "vab3", 2 },
		{ "a*", "vstar", 0 },  { "ba", "vba", 0 },   { "abcdef", "vlong", 0 },
		{ "A", "vA", 0 },
	};
	static const char expected[] = "A=vA/0\n"
				       "a=va/1\n"
				       "a*=vstar/0\n"
				       "ab=vab1/1\n"
				       "ab=vab3/2\n"
				       "ab=vab2/2\n"
				       "abc=vabc/3\n"
				       "abcdef=vlong/0\n"
				       "b=vb/0\n"
				       "ba=vba/0\n";

	(void)state;
	for (int layout = 0; layout < 2; layout++) {
		struct collected c = { .stop_after = 3, .stop_value = 7 };
		uint8_t *data;
		struct kml_index *index = index_from_entries(e, ARRAY_SIZE(e), layout, &data);
		char *text = foreach_text(index, 0);

		assert_string_equal(text, expected);
		free(text);

		/* Stops at the callback's first non-zero return and passes it on. */
		assert_int_equal(kml_index_foreach(index, collect_fn, &c), 7);
		assert_int_equal(c.calls, 3);
		free(c.text.data);
		kml_index_close(index);
		free(data);
	}
}

/* Keys of a few thousand bytes work everywhere; walks over subtrees give up
 * when the key they rebuild exceeds 4096 bytes, exact lookups have no limit. */
static void test_long_keys(void **state)
{
	enum { LONG = 3000, TOO_LONG = 5000 };
	char *pattern = malloc(TOO_LONG + 2), *query = malloc(TOO_LONG + 8);
	struct idxw_entry e[2];

	(void)state;
	assert_non_null(pattern);
	assert_non_null(query);
	memset(pattern, 'p', LONG);
	strcpy(pattern + LONG, "*");
	memset(query, 'p', LONG);
	strcpy(query + LONG, "suffix");
	e[0] = (struct idxw_entry){ pattern, "long", 1 };
	e[1] = (struct idxw_entry){ "short", "short", 0 };
	for (int layout = 0; layout < 2; layout++) {
		uint8_t *data;
		struct kml_index *index = index_from_entries(e, 2, layout, &data);
		struct collected c = { 0 };

		WILD(index, query, "long");
		check_exact(index, pattern, "long");
		assert_int_equal(kml_index_foreach(index, collect_fn, &c), 0);
		assert_int_equal(c.calls, 2);
		free(c.text.data);
		kml_index_close(index);
		free(data);
	}

	memset(pattern, 'p', TOO_LONG);
	strcpy(pattern + TOO_LONG, "*");
	memset(query, 'p', TOO_LONG);
	strcpy(query + TOO_LONG, "suffix");
	for (int layout = 0; layout < 2; layout++) {
		uint8_t *data;
		struct kml_index *index = index_from_entries(e, 2, layout, &data);
		struct collected c = { 0 };

		check_exact(index, pattern, "long");
		check_exact(index, "short", "short");
		/* Only the pattern part, from the first '*', is rebuilt. */
		WILD(index, query, "long");
		assert_int_equal(kml_index_foreach(index, collect_fn, &c), -EBADMSG);
		free(c.text.data);
		kml_index_close(index);
		free(data);
	}
	free(pattern);
	free(query);
}

/* Walks deeper than the frames a walk holds before it takes memory: a key
 * "*a...a" for every length up to DEEP, each one a node of its own. */
static void test_deep_walks(void **state)
{
	enum { DEEP = 300 };
	static char keys[DEEP][DEEP + 2];
	struct idxw_entry e[DEEP];
	char query[DEEP + 1];

	(void)state;
	for (int i = 0; i < DEEP; i++) {
		keys[i][0] = '*';
		memset(keys[i] + 1, 'a', (size_t)i + 1);
		keys[i][i + 2] = '\0';
		e[i] = (struct idxw_entry){ keys[i], keys[i] + 1, 1 };
	}
	for (int layout = 0; layout < 2; layout++) {
		uint8_t *data;
		struct kml_index *index = index_from_entries(e, DEEP, layout, &data);
		struct collected c = { 0 };

		/* 'a' x N matches the keys of up to N 'a' (strings of 1 to 4
		 * words of positions) */
		for (size_t n = 1; n <= DEEP; n += n < 140 ? 61 : 100) {
			struct kml_index_value *v = NULL;
			size_t count = 0;

			memset(query, 'a', n);
			query[n] = '\0';
			assert_int_equal(kml_index_lookup_wildcard(index, query, &v, &count), 0);
			assert_int_equal(count, n);
			for (size_t i = 0; i < count; i++)
				assert_true(strspn(v[i].value, "a") == strlen(v[i].value) &&
					    strlen(v[i].value) <= n);
			free(v);
		}
		assert_int_equal(kml_index_foreach(index, collect_fn, &c), 0);
		assert_int_equal(c.calls, DEEP);
		free(c.text.data);
		kml_index_close(index);
		free(data);
	}
}

/* --------------------------------------------------------- malformed */

struct ops_result {
	int lookup, lookup_all, wildcard, foreach;
};

/* Runs every operation on DATA; none may crash, hang or leak. */
static struct ops_result run_all(const uint8_t *data, size_t len, const char *key)
{
	struct ops_result res = { 1, 1, 1, 1 };
	struct kml_index_value *v = NULL;
	struct kml_index *index = NULL;
	struct collected c = { 0 };
	const char *value;
	size_t n;
	int r;

	r = kml_index_from_memory(data, len, &index);
	if (r < 0) {
		res.lookup = res.lookup_all = res.wildcard = res.foreach = r;
		return res;
	}
	res.lookup = kml_index_lookup(index, key, &value);
	if (res.lookup == 0)
		assert_true(value >= (const char *)data && value < (const char *)data + len);
	res.lookup_all = kml_index_lookup_all(index, key, &v, &n);
	if (res.lookup_all == 0)
		free(v);
	v = NULL;
	res.wildcard = kml_index_lookup_wildcard(index, key, &v, &n);
	if (res.wildcard == 0)
		free(v);
	res.foreach = kml_index_foreach(index, collect_fn, &c);
	free(c.text.data);
	kml_index_close(index);
	return res;
}

static void expect_all(const struct idxw_buf *b, const char *key, int lookup, int wildcard,
		       int foreach)
{
	struct ops_result r = run_all(b->data, b->len, key);

	assert_int_equal(r.lookup, lookup);
	assert_int_equal(r.lookup_all, lookup);
	assert_int_equal(r.wildcard, wildcard);
	assert_int_equal(r.foreach, foreach);
}

static void test_malformed_offsets(void **state)
{
	struct idxw_buf b = { 0 };

	(void)state;
	/* Root beyond the end. */
	idxw_buf_header(&b, IDXW_F_VALUES | 0x1000);
	expect_all(&b, "", -EBADMSG, -EBADMSG, -EBADMSG);
	/* Root inside the header. */
	idxw_buf_patch_be32(&b, 8, IDXW_F_VALUES | 4);
	expect_all(&b, "", -EBADMSG, -EBADMSG, -EBADMSG);
	b.len = 0;

	/* Child 'a' beyond the end: found only when the walk goes there. */
	idxw_buf_header(&b, IDXW_F_CHILDREN | 12);
	idxw_buf_u8(&b, 'a');
	idxw_buf_u8(&b, 'b');
	idxw_buf_be32(&b, IDXW_F_VALUES | 0x0FFFFFFF);
	idxw_buf_be32(&b, 0);
	expect_all(&b, "ax", -EBADMSG, -EBADMSG, -EBADMSG);
	expect_all(&b, "b", -ENOENT, 0, -EBADMSG);
	b.len = 0;

	/* Child table cut short. */
	idxw_buf_header(&b, IDXW_F_CHILDREN | 12);
	idxw_buf_u8(&b, 'a');
	idxw_buf_u8(&b, 'z');
	idxw_buf_be32(&b, 0);
	expect_all(&b, "a", -EBADMSG, -EBADMSG, -EBADMSG);
	b.len = 0;

	/* Children range first > last, first == 0, last >= 128. */
	idxw_buf_header(&b, IDXW_F_CHILDREN | 12);
	idxw_buf_u8(&b, 'b');
	idxw_buf_u8(&b, 'a');
	idxw_buf_be32(&b, 0);
	idxw_buf_be32(&b, 0);
	expect_all(&b, "a", -EBADMSG, -EBADMSG, -EBADMSG);
	b.data[12] = 0;
	expect_all(&b, "a", -EBADMSG, -EBADMSG, -EBADMSG);
	b.data[12] = 'a';
	b.data[13] = 0x80;
	expect_all(&b, "a", -EBADMSG, -EBADMSG, -EBADMSG);
	b.len = 0;
	free(b.data);
}

static void test_malformed_strings(void **state)
{
	struct idxw_buf b = { 0 };

	(void)state;
	/* Prefix running to the end of the file without a NUL. */
	idxw_buf_header(&b, IDXW_F_PREFIX | IDXW_F_VALUES | 12);
	idxw_buf_put(&b, "abc", 3);
	expect_all(&b, "abc", -EBADMSG, -EBADMSG, -EBADMSG);
	b.len = 0;

	/* Prefix byte >= 128. */
	idxw_buf_header(&b, IDXW_F_PREFIX | IDXW_F_VALUES | 12);
	idxw_buf_str(&b, "a\x90");
	idxw_buf_be32(&b, 1);
	idxw_buf_be32(&b, 0);
	idxw_buf_str(&b, "v");
	expect_all(&b, "a\x90", -EBADMSG, -EBADMSG, -EBADMSG);
	b.len = 0;

	/* Value without its NUL. */
	idxw_buf_header(&b, IDXW_F_PREFIX | IDXW_F_VALUES | 12);
	idxw_buf_str(&b, "k");
	idxw_buf_be32(&b, 1);
	idxw_buf_be32(&b, 0);
	idxw_buf_put(&b, "value", 5);
	expect_all(&b, "k", -EBADMSG, -EBADMSG, -EBADMSG);
	b.len = 0;

	/* Value count huge: no huge allocation, no reading past the end. */
	idxw_buf_header(&b, IDXW_F_PREFIX | IDXW_F_VALUES | 12);
	idxw_buf_str(&b, "k");
	idxw_buf_be32(&b, 0xFFFFFFFF);
	idxw_buf_be32(&b, 0);
	idxw_buf_str(&b, "v");
	expect_all(&b, "k", -EBADMSG, -EBADMSG, -EBADMSG);
	/* Two values announced, the second without its NUL: the first one is
	 * still found by an exact lookup, the rest fails. */
	idxw_buf_patch_be32(&b, 14, 2);
	idxw_buf_put(&b, "\0\0\0\0x", 5);
	{
		struct ops_result r = run_all(b.data, b.len, "k");

		assert_int_equal(r.lookup, 0);
		assert_int_equal(r.lookup_all, -EBADMSG);
		assert_int_equal(r.wildcard, -EBADMSG);
		assert_int_equal(r.foreach, -EBADMSG);
	}
	b.len = 0;

	/* Values flag with the count cut off. */
	idxw_buf_header(&b, IDXW_F_PREFIX | IDXW_F_VALUES | 12);
	idxw_buf_str(&b, "k");
	idxw_buf_u8(&b, 0);
	expect_all(&b, "k", -EBADMSG, -EBADMSG, -EBADMSG);
	free(b.data);
}

static void test_malformed_loops(void **state)
{
	char long_key[5001];
	struct idxw_buf b = { 0 };
	size_t table;

	(void)state;
	memset(long_key, 'a', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';

	/* A node whose child 'a' and '*' are itself. */
	idxw_buf_header(&b, IDXW_F_CHILDREN | IDXW_F_VALUES | 12);
	idxw_buf_u8(&b, '*');
	idxw_buf_u8(&b, 'a');
	table = b.len;
	for (int c = '*'; c <= 'a'; c++)
		idxw_buf_be32(&b, 0);
	idxw_buf_be32(&b, 1);
	idxw_buf_be32(&b, 0);
	idxw_buf_str(&b, "self");
	idxw_buf_patch_be32(&b, table, IDXW_F_CHILDREN | IDXW_F_VALUES | 12);
	idxw_buf_patch_be32(&b, table + 4 * ('a' - '*'), IDXW_F_CHILDREN | IDXW_F_VALUES | 12);
	/* Exact lookup ends with the key; the others notice the loop. */
	expect_all(&b, long_key, 0, -EBADMSG, -EBADMSG);
	expect_all(&b, "b", -ENOENT, -EBADMSG, -EBADMSG);
	b.len = 0;

	/* root -a-> X (prefix "b") -c-> root. */
	idxw_buf_header(&b, IDXW_F_CHILDREN | 12);
	idxw_buf_u8(&b, 'a');
	idxw_buf_u8(&b, 'a');
	idxw_buf_be32(&b, IDXW_F_PREFIX | IDXW_F_CHILDREN | IDXW_F_VALUES | 18);
	idxw_buf_str(&b, "b");
	idxw_buf_u8(&b, 'c');
	idxw_buf_u8(&b, 'c');
	idxw_buf_be32(&b, IDXW_F_CHILDREN | 12);
	idxw_buf_be32(&b, 1);
	idxw_buf_be32(&b, 0);
	idxw_buf_str(&b, "ab");
	expect_all(&b, "ab", 0, 0, -EBADMSG);
	expect_all(&b, "abcabcab", 0, 0, -EBADMSG);
	expect_all(&b, "abcabcabc", -ENOENT, 0, -EBADMSG);
	b.len = 0;

	/* Shared nodes: 60 levels, both children of each level point to the next
	 * one, 2^60 paths in a few hundred bytes. */
	{
		enum { LEVELS = 60 };
		size_t offsets[LEVELS + 1];

		idxw_buf_header(&b, 0);
		for (int i = LEVELS; i >= 0; i--) {
			offsets[i] = b.len;
			if (i == LEVELS) {
				idxw_buf_be32(&b, 1);
				idxw_buf_be32(&b, 0);
				idxw_buf_str(&b, "leaf");
				continue;
			}
			idxw_buf_u8(&b, '*');
			idxw_buf_u8(&b, '?');
			for (int c = '*'; c <= '?'; c++)
				idxw_buf_be32(&b, (c == '*' || c == '?') ?
						     (uint32_t)offsets[i + 1] |
							     (i + 1 == LEVELS ? IDXW_F_VALUES
									      : IDXW_F_CHILDREN)
						     : 0);
		}
		idxw_buf_patch_be32(&b, 8, IDXW_F_CHILDREN | (uint32_t)offsets[0]);
		/* A short query leaves most paths out after two '?': the
		 * pattern walk ends; a long one keeps them all and runs out of
		 * budget. */
		expect_all(&b, "x", -ENOENT, 0, -EBADMSG);
		expect_all(&b, long_key + sizeof(long_key) - 1 - 100, -ENOENT, -EBADMSG,
			   -EBADMSG);
	}
	free(b.data);
}

/* Every truncation and many random corruptions of a real-looking index:
 * whatever the results, nothing may crash or hang (run under ASan). */
static void test_malformed_mutations(void **state)
{
	static const struct idxw_entry e[] = {
		{ "pci:v00008086d*", "intel", 5 },   { "usb:v*p*", "usb", 2 },
		{ "[ab]c", "bracket", 1 },          { "foo", "foo1", 3 },
		{ "foo", "foo2", 3 },              { "f?o", "fq", 4 },
		{ "snd_hda_intel", "snd", 1 },      { "snd_hda_codec", "codec", 1 },
	};
	static const char *const keys[] = { "foo", "pci:v00008086d00001234", "snd_hda_intel",
					    "ac", "" };
	unsigned int seed = 12345;

	(void)state;
	for (int layout = 0; layout < 2; layout++) {
		struct idxw_node *root = idxw_node_new();
		uint8_t *data, *copy;
		size_t len;

		for (size_t i = 0; i < ARRAY_SIZE(e); i++)
			idxw_node_add(root, e[i].key, e[i].value, e[i].priority);
		data = idxw_node_build(root, layout, &len);
		idxw_node_free(root);
		copy = malloc(len);
		assert_non_null(copy);

		for (size_t cut = 0; cut <= len; cut++) {
			/* A fresh allocation of the exact size, so ASan sees overreads. */
			uint8_t *t = malloc(cut ? cut : 1);

			assert_non_null(t);
			memcpy(t, data, cut);
			for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
				(void)run_all(t, cut, keys[k]);
			free(t);
		}
		for (int iter = 0; iter < 3000; iter++) {
			memcpy(copy, data, len);
			for (int m = 1 + rand_r(&seed) % 4; m > 0; m--) {
				size_t pos = 12 + (size_t)rand_r(&seed) % (len - 12);

				switch (rand_r(&seed) % 3) {
				case 0:
					copy[pos] ^= (uint8_t)(1u << (rand_r(&seed) % 8));
					break;
				case 1:
					copy[pos] = (uint8_t)rand_r(&seed);
					break;
				default:
					copy[pos] = (uint8_t)(rand_r(&seed) % 2 ? 0 : 0xFF);
					break;
				}
			}
			(void)run_all(copy, len, keys[iter % ARRAY_SIZE(keys)]);
		}
		free(copy);
		free(data);
	}
}

/* ------------------------------------------------- reference indexes */

static const char *ref_root, *ref_kver;

/* ref_root/lib/modules/ref_kver/NAME (free() it). */
static char *ref_file(const char *name)
{
	char *path;

	assert_true(asprintf(&path, "%s/lib/modules/%s/%s", ref_root, ref_kver, name) > 0);
	return path;
}

/* Whether the reference tree is given and holds depmod's indexes; sets
 * ref_root and ref_kver. */
static bool ref_present(void)
{
	struct stat st;
	char *path;
	bool ok;

	ref_root = getenv(REF_ROOT_ENV);
	ref_kver = getenv(REF_KVER_ENV);
	if (ref_root == NULL || *ref_root == '\0' || ref_kver == NULL || *ref_kver == '\0')
		return false;
	path = ref_file("modules.dep.bin");
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	if (!ok)
		print_message("[          ] no %s: skipped\n", path);
	free(path);
	return ok;
}

static struct kml_index *ref_open(const char *name)
{
	struct kml_index *index = NULL;
	char *path = ref_file(name);

	assert_int_equal(kml_index_open(path, &index), 0);
	free(path);
	return index;
}

static FILE *ref_fopen(const char *name)
{
	char *path = ref_file(name);
	FILE *f = fopen(path, "re");

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	free(path);
	return f;
}

static void strip_eol(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* basename of the path before any ':', up to the first '.', '-' -> '_' */
static void module_name(const char *line, char *out, size_t size)
{
	const char *base = line;
	size_t i = 0;

	for (const char *p = line; *p && *p != ':'; p++)
		if (*p == '/')
			base = p + 1;
	for (; base[i] && base[i] != '.' && base[i] != ':'; i++) {
		assert_true(i + 1 < size);
		out[i] = base[i] == '-' ? '_' : base[i];
	}
	out[i] = '\0';
}

/* '-' -> '_' outside [...] */
static void normalize_alias(char *s)
{
	bool in_bracket = false;

	for (; *s; s++) {
		if (*s == '[')
			in_bracket = true;
		else if (*s == ']')
			in_bracket = false;
		else if (*s == '-' && !in_bracket)
			*s = '_';
	}
}

static void test_reference_dep(void **state)
{
	struct kml_index *dep, *builtin;
	char *line = NULL, name[256];
	size_t cap = 0, lines = 0;
	FILE *f;

	(void)state;
	if (!ref_present())
		skip();
	dep = ref_open("modules.dep.bin");
	f = ref_fopen("modules.dep");
	while (getline(&line, &cap, f) > 0) {
		const char *value;
		struct kml_index_value *all;
		size_t n;

		strip_eol(line);
		module_name(line, name, sizeof(name));
		assert_int_equal(kml_index_lookup(dep, name, &value), 0);
		if (!streq(value, line))
			fail_msg("%s: '%s' != '%s'", name, value, line);
		assert_int_equal(kml_index_lookup_all(dep, name, &all, &n), 0);
		assert_int_equal(n, 1);
		free(all);
		lines++;
	}
	fclose(f);
	assert_true(lines > 1000);
	check_exact(dep, "e1000", "kernel/drivers/net/ethernet/intel/e1000/e1000.ko:");
	check_exact(dep, "e100", "kernel/drivers/net/ethernet/intel/e100.ko: kernel/drivers/net/mii.ko");
	check_exact(dep, "e1", NULL);
	check_exact(dep, "snd-hda-intel", NULL); /* the caller normalises */
	kml_index_close(dep);

	/* modules.builtin.bin: every built-in module, with an empty value. */
	builtin = ref_open("modules.builtin.bin");
	f = ref_fopen("modules.builtin");
	lines = 0;
	while (getline(&line, &cap, f) > 0) {
		strip_eol(line);
		module_name(line, name, sizeof(name));
		check_exact(builtin, name, "");
		lines++;
	}
	fclose(f);
	assert_true(lines > 100);
	kml_index_close(builtin);
	free(line);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct pairs {
	char **items;
	size_t count, cap;
};

static void pairs_add(struct pairs *p, const char *key, const char *value)
{
	size_t len = strlen(key) + strlen(value) + 2;

	if (p->count == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		p->items = realloc(p->items, p->cap * sizeof(*p->items));
		assert_non_null(p->items);
	}
	p->items[p->count] = malloc(len);
	assert_non_null(p->items[p->count]);
	snprintf(p->items[p->count], len, "%s %s", key, value);
	p->count++;
}

static void pairs_free(struct pairs *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->items[i]);
	free(p->items);
}

static int pairs_fn(void *data, const char *key, const struct kml_index_value *v)
{
	pairs_add(data, key, v->value);
	return 0;
}

/* Compares the keys of two "KEY VALUE" strings. */
static int key_compare(const char *a, const char *b)
{
	size_t la = strcspn(a, " "), lb = strcspn(b, " ");
	int r = memcmp(a, b, la < lb ? la : lb);

	if (r != 0)
		return r;
	return la < lb ? -1 : la > lb;
}

/* foreach over NAME.bin gives exactly the "alias KEY MODULE" lines of NAME. */
static void check_text_vs_foreach(const char *name)
{
	struct pairs text = { 0 }, bin = { 0 };
	struct kml_index *index;
	char path[512], *line = NULL;
	size_t cap = 0;
	FILE *f;

	f = ref_fopen(name);
	while (getline(&line, &cap, f) > 0) {
		char key[1024], mod[256];

		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "alias %1023s %255s", key, mod), 2);
		normalize_alias(key);
		pairs_add(&text, key, mod);
	}
	fclose(f);
	free(line);

	snprintf(path, sizeof(path), "%s.bin", name);
	index = ref_open(path);
	assert_int_equal(kml_index_foreach(index, pairs_fn, &bin), 0);
	kml_index_close(index);

	/* foreach yields keys in ascending byte order. */
	for (size_t i = 1; i < bin.count; i++)
		assert_true(key_compare(bin.items[i - 1], bin.items[i]) <= 0);
	assert_int_equal(text.count, bin.count);
	qsort(text.items, text.count, sizeof(char *), cmp_strp);
	qsort(bin.items, bin.count, sizeof(char *), cmp_strp);
	for (size_t i = 0; i < text.count; i++)
		assert_string_equal(text.items[i], bin.items[i]);
	pairs_free(&text);
	pairs_free(&bin);
}

static void test_reference_foreach(void **state)
{
	(void)state;
	if (!ref_present())
		skip();
	check_text_vs_foreach("modules.alias");
	check_text_vs_foreach("modules.symbols");
}

/* Turns an alias pattern into a string it matches. */
static void pattern_to_query(const char *pattern, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = pattern; *p; p++) {
		char c = *p;

		if (c == '*')
			continue;
		if (c == '?') {
			c = 'a';
		} else if (c == '[' && strchr(p, ']') != NULL) {
			c = p[1];
			p = strchr(p + 1, ']');
		}
		assert_true(o + 1 < size);
		out[o++] = c;
	}
	out[o] = '\0';
}

/* S in single quotes for sh (free() it). */
static char *shell_quote(const char *s)
{
	size_t n = 3;
	char *out, *o;

	for (const char *q = s; *q; q++)
		n += *q == '\'' ? 4 : 1;
	out = o = malloc(n);
	assert_non_null(out);
	*o++ = '\'';
	for (const char *q = s; *q; q++) {
		if (*q == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *q;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

/* Output lines of `modprobe -R QUERY` joined with spaces. */
static void modprobe_resolve(const char *query, char *out, size_t size)
{
	char *root = shell_quote(ref_root), *kver = shell_quote(ref_kver);
	char *q = shell_quote(query), *cmd, line[512];
	size_t o = 0;
	FILE *p;

	assert_true(asprintf(&cmd, REF_MODPROBE " -C /dev/null -d %s -S %s -R -- %s 2>/dev/null",
			     root, kver, q) > 0);
	free(root);
	free(kver);
	free(q);

	out[0] = '\0';
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		size_t n;

		strip_eol(line);
		n = strlen(line);
		assert_true(o + n + 2 < size);
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, line, n + 1);
		o += n;
	}
	(void)pclose(p);
	free(cmd);
}

static void test_reference_alias(void **state)
{
	struct kml_index *alias, *dep;
	char *line = NULL;
	size_t cap = 0, lineno = 0, compared = 0, matched = 0;
	FILE *f;

	(void)state;
	if (!ref_present())
		skip();
	alias = ref_open("modules.alias.bin");
	dep = ref_open("modules.dep.bin");

	/* The example from the brief, also checked against modprobe. */
	WILD(alias, "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", "e1000e");

	f = ref_fopen("modules.alias");
	while (getline(&line, &cap, f) > 0) {
		char pattern[1024], mod[256], query[1024], mine[8192], ref[8192];
		struct kml_index_value *v = NULL;
		const char *unused;
		size_t n, o = 0;
		bool found = false;

		if (line[0] == '#' || lineno++ % 97 != 0)
			continue;
		assert_int_equal(sscanf(line, "alias %1023s %255s", pattern, mod), 2);
		pattern_to_query(pattern, query, sizeof(query));
		normalize_alias(query);

		assert_int_equal(kml_index_lookup_wildcard(alias, query, &v, &n), 0);
		mine[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(v[i].value);

			found = found || streq(v[i].value, mod);
			assert_true(o + l + 2 < sizeof(mine));
			if (o > 0)
				mine[o++] = ' ';
			memcpy(mine + o, v[i].value, l + 1);
			o += l;
		}
		free(v);
		/* The pattern it was made from always matches. */
		if (!found)
			fail_msg("'%s' from '%s': %s not in '%s'", query, pattern, mod, mine);
		matched++;

		/* modprobe tries modules.dep.bin first: compare only real aliases. */
		if (access(REF_MODPROBE, X_OK) != 0 ||
		    kml_index_lookup(dep, query, &unused) == 0)
			continue;
		modprobe_resolve(query, ref, sizeof(ref));
		if (!streq(mine, ref))
			fail_msg("'%s': mine '%s', modprobe '%s'", query, mine, ref);
		compared++;
	}
	fclose(f);
	free(line);
	kml_index_close(alias);
	kml_index_close(dep);
	assert_true(matched > 100);
	print_message("[          ] %zu alias queries, %zu compared with modprobe -R\n", matched,
		      compared);
	if (access(REF_MODPROBE, X_OK) != 0)
		skip();
}

static void test_reference_symbols_builtin_alias(void **state)
{
	struct kml_index *symbols, *balias;

	(void)state;
	if (!ref_present())
		skip();
	symbols = ref_open("modules.symbols.bin");
	check_exact(symbols, "symbol:drm_need_swiotlb", "drm");
	WILD(symbols, "symbol:drm_need_swiotlb", "drm");
	check_exact(symbols, "symbol:drm_need_swiotl", NULL);
	kml_index_close(symbols);

	balias = ref_open("modules.builtin.alias.bin");
	WILD(balias, "crypto_sha256", "sha256_generic");
	WILD(balias, "char_major_4_64", "8250");
	check_exact(balias, "char_major_4_*", "8250");
	kml_index_close(balias);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_lookup_all),
		cmocka_unit_test(test_lookup_all_unsorted),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_wildcard_reference_order),
		cmocka_unit_test(test_wildcard_random),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_long_keys),
		cmocka_unit_test(test_deep_walks),
		cmocka_unit_test(test_malformed_offsets),
		cmocka_unit_test(test_malformed_strings),
		cmocka_unit_test(test_malformed_loops),
		cmocka_unit_test(test_malformed_mutations),
		cmocka_unit_test(test_reference_dep),
		cmocka_unit_test(test_reference_foreach),
		cmocka_unit_test(test_reference_alias),
		cmocka_unit_test(test_reference_symbols_builtin_alias),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
