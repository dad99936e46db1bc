// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod's cache (depmod-cache-*.c): records, directory listings and the
 * outputs' stamps written and read back, keys, records copied as they are,
 * and caches that must be refused: truncated, corrupted, foreign. */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cmocka.h>

#include "depmod-private.h"

#define KVER "6.1.0-test"
#define HASH 0x1234567890abcdefull

static char *alias_a[] = { "pci:v00008086d*", "fs-foo" };
static char *softdep_a[] = { "pre: crc32c" };
static struct dm_symbol exports_a[] = {
	{ .name = "foo_register", .crc = 0xdeadbeef, .has_crc = true },
	{ .name = "foo_unregister" },
};
static struct dm_symbol imports_a[] = {
	{ .name = "printk", .crc = 0x1234, .has_crc = true },
	{ .name = "maybe_there", .weak = true },
	{ .name = "module_layout", .crc = 0xffffffffffffffffull, .has_crc = true, .weak = true },
};
static const struct dm_info info_a = {
	.aliases = alias_a,
	.alias_count = 2,
	.softdeps = softdep_a,
	.softdep_count = 1,
	.exports = exports_a,
	.export_count = 2,
	.imports = imports_a,
	.import_count = 3,
};
static char *weakdep_b[] = { "" }; /* an empty string survives too */
static const struct dm_info info_b = { .weakdeps = weakdep_b, .weakdep_count = 1 };
static const struct dm_info info_empty = { 0 };

static const struct dm_cache_key key_a = { 1, 2, 3, 4, 5, 6, 7 };
static const struct dm_cache_key key_b = {
	0xffffffffffffffffull, 1ull << 40, 0, -1, -5, 999999999, 0
};

static const struct dm_cache_entry entries[] = {
	{ "/lib/modules/" KVER "/kernel/a.ko", { 1, 2, 3, 4, 5, 6, 7 }, &info_a, { 0 }, NULL },
	{ "/lib/modules/" KVER "/kernel/b.ko.xz",
	  { 0xffffffffffffffffull, 1ull << 40, 0, -1, -5, 999999999, 0 },
	  &info_b,
	  { 0 },
	  NULL },
	{ "/lib/modules/" KVER "/kernel/c.ko", { 9, 9, 9, 9, 9, 9, 9 }, &info_empty, { 0 }, NULL },
};

/* listings: a d_type byte (4: DT_DIR, 8: DT_REG) before each name */
static char *names_kernel[] = { "\004drivers", "\010a.ko", "\010b.ko.xz" };
static const struct dm_cache_dir dirs[] = {
	{ "/lib/modules/" KVER "/kernel", { 3, 4, 5, 6, 7, 8, 9 }, names_kernel, 3 },
	{ "/lib/modules/" KVER "/kernel/drivers", { 3, 5, 5, 6, 7, 8, 9 }, NULL, 0 },
};

static const struct dm_cache_outputs outputs = {
	.digest = 0x0123456789abcdefull,
	.count = 2,
	.stamps = { { 1, 1, 1, 1, 1, 1, 1 }, { 2, 2, 2, -2, 2, 2, 2 } },
};

/* links: a.ko needs b and c; c.ko needs nothing; b.ko.xz has no entry */
static const char *const needs_a[] = { "b", "c" };
static const struct dm_cache_link_entry links[] = {
	{ 0, 0x1111, needs_a, 2 },
	{ 2, 0x2222, NULL, 0 },
};
#define WORLD 0x5eedull

static const struct dm_cache_contents contents = {
	&outputs, entries, ARRAY_SIZE(entries), dirs, ARRAY_SIZE(dirs), WORLD, links,
	ARRAY_SIZE(links),
};

static void encode(void **data, size_t *size)
{
	assert_int_equal(dm_cache_encode(KVER, HASH, &contents, data, size), 0);
}

/* Opens a copy of DATA (the cache takes ownership of its buffer). */
static int open_copy(const void *data, size_t size, const char *kver, uint64_t hash,
		     struct dm_cache **ret)
{
	void *copy = malloc(size ? size : 1);
	assert_non_null(copy);
	memcpy(copy, data, size);
	return dm_cache_open(copy, size, kver, hash, ret);
}

/* Recomputes the trailer's CRC after a deliberate change. */
static void fix_crc(unsigned char *data, size_t size)
{
	uint32_t crc = htole32(crc32_update(0, data, size - 4));
	memcpy(data + size - 4, &crc, 4);
}

/* The whole trailer (size and CRC) for a file of SIZE bytes. */
static void set_trailer(unsigned char *data, size_t size)
{
	uint64_t sz = htole64(size);
	memcpy(data + size - 12, &sz, 8);
	fix_crc(data, size);
}

static void assert_same_symbols(const struct dm_symbol *a, const struct dm_symbol *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(a[i].name, b[i].name);
		assert_int_equal(a[i].has_crc, b[i].has_crc);
		assert_int_equal(a[i].weak, b[i].weak);
		if (a[i].has_crc)
			assert_true(a[i].crc == b[i].crc);
	}
}

static void assert_same_info(const struct dm_info *a, const struct dm_info *b)
{
	assert_int_equal(a->alias_count, b->alias_count);
	assert_int_equal(a->softdep_count, b->softdep_count);
	assert_int_equal(a->weakdep_count, b->weakdep_count);
	assert_int_equal(a->export_count, b->export_count);
	assert_int_equal(a->import_count, b->import_count);
	for (size_t i = 0; i < a->alias_count; i++)
		assert_string_equal(a->aliases[i], b->aliases[i]);
	for (size_t i = 0; i < a->softdep_count; i++)
		assert_string_equal(a->softdeps[i], b->softdeps[i]);
	for (size_t i = 0; i < a->weakdep_count; i++)
		assert_string_equal(a->weakdeps[i], b->weakdeps[i]);
	assert_same_symbols(a->exports, b->exports, a->export_count);
	assert_same_symbols(a->imports, b->imports, a->import_count);
}

static void test_round_trip(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	struct dm_cache *c = NULL;
	assert_int_equal(dm_cache_open(data, size, KVER, HASH, &c), 0);
	assert_int_equal(dm_cache_count(c), 3);
	for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
		struct dm_info info = { 0 };
		assert_int_equal(dm_cache_lookup(c, entries[i].path, &entries[i].key, &info, true), 1);
		assert_true(info.borrowed);
		assert_same_info(entries[i].info, &info);
		dm_info_release(&info);
	}
	struct dm_info info = { 0 };
	assert_int_equal(dm_cache_lookup(c, "/lib/modules/" KVER "/kernel/d.ko", &key_a, &info, true), 0);
	assert_int_equal(dm_cache_lookup(c, "/lib/modules/" KVER "/kernel/a.ko.xz", &key_a, &info, true),
			 0);
	assert_int_equal(dm_cache_lookup(NULL, entries[0].path, &key_a, &info, true), 0);
	dm_cache_free(c);
	dm_cache_free(NULL);
}

/* Any field of the key that differs makes the record useless (and the
 * outputs' stamps, compared the same way by depmod-skip.c). */
static void test_key_fields(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	struct dm_cache *c = NULL;
	assert_int_equal(dm_cache_open(data, size, KVER, HASH, &c), 0);
	for (int field = 0; field < 7; field++) {
		struct dm_cache_key k = key_b;
		switch (field) {
		case 0:
			k.dev++;
			break;
		case 1:
			k.ino++;
			break;
		case 2:
			k.size++;
			break;
		case 3:
			k.mtime_sec++;
			break;
		case 4:
			k.mtime_nsec++;
			break;
		case 5:
			k.ctime_sec++;
			break;
		case 6:
			k.ctime_nsec++;
			break;
		}
		struct dm_info info = { 0 };
		assert_false(dm_cache_key_equal(&k, &key_b));
		assert_false(dm_cache_match(c, entries[1].path, &k, NULL));
		assert_int_equal(dm_cache_lookup(c, entries[1].path, &k, &info, true), 0);
		assert_null(info.weakdeps);
	}
	struct dm_info info = { 0 };
	struct dm_cache_key same = key_b;
	assert_true(dm_cache_key_equal(&same, &key_b));
	assert_true(dm_cache_match(c, entries[1].path, &key_b, NULL));
	assert_false(dm_cache_match(c, "/nonexistent", &key_b, NULL));
	assert_false(dm_cache_match(NULL, entries[1].path, &key_b, NULL));
	assert_int_equal(dm_cache_lookup(c, entries[1].path, &key_b, &info, true), 1);
	dm_info_release(&info);
	dm_cache_free(c);
}

static void test_key_from_stat(void **state)
{
	(void)state;
	struct stat sb = { 0 };
	sb.st_dev = 8;
	sb.st_ino = 1234567;
	sb.st_size = 4096;
	sb.st_mtim.tv_sec = 1700000000;
	sb.st_mtim.tv_nsec = 123456789;
	sb.st_ctim.tv_sec = 1700000001;
	sb.st_ctim.tv_nsec = 987654321;
	struct dm_cache_key k;
	dm_cache_key_from_stat(&sb, &k);
	assert_true(k.dev == 8 && k.ino == 1234567 && k.size == 4096);
	assert_true(k.mtime_sec == 1700000000 && k.mtime_nsec == 123456789);
	assert_true(k.ctime_sec == 1700000001 && k.ctime_nsec == 987654321);
}

/* Another kernel version, configuration, format version or architecture. */
static void test_foreign(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	struct dm_cache *c = NULL;
	assert_int_equal(open_copy(data, size, "6.1.0-other", HASH, &c), -ESTALE);
	assert_int_equal(open_copy(data, size, KVER "x", HASH, &c), -ESTALE);
	assert_int_equal(open_copy(data, size, "", HASH, &c), -ESTALE);
	assert_int_equal(open_copy(data, size, KVER, HASH + 1, &c), -ESTALE);
	unsigned char *d = data;
	/* format version (offset 8) */
	d[8]++;
	fix_crc(d, size);
	assert_int_equal(open_copy(d, size, KVER, HASH, &c), -ESTALE);
	d[8]--;
	/* architecture: the byte after its length (offset 24) */
	size_t al = d[24];
	assert_true(al > 0);
	d[25] ^= 0x20;
	fix_crc(d, size);
	assert_int_equal(open_copy(d, size, KVER, HASH, &c), -ESTALE);
	d[25] ^= 0x20;
	fix_crc(d, size);
	assert_int_equal(open_copy(d, size, KVER, HASH, &c), 0);
	dm_cache_free(c);
	free(data);
}

static void test_truncated(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	struct dm_cache *c = NULL;
	for (size_t n = 0; n < size; n++)
		assert_int_equal(open_copy(data, n, KVER, HASH, &c), -EBADMSG);
	/* cut short but with a valid trailer over what is left */
	for (size_t n = 12; n < size; n++) {
		unsigned char *d = malloc(n);
		memcpy(d, data, n);
		set_trailer(d, n);
		assert_int_equal(dm_cache_open(d, n, KVER, HASH, &c), -EBADMSG);
	}
	free(data);
}

/* Every bit flipped: the checksum catches each. */
static void test_corrupted(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	unsigned char *d = data;
	struct dm_cache *c = NULL;
	for (size_t i = 0; i < size; i++)
		for (int b = 0; b < 8; b++) {
			d[i] ^= (unsigned char)(1 << b);
			assert_int_equal(open_copy(d, size, KVER, HASH, &c), -EBADMSG);
			d[i] ^= (unsigned char)(1 << b);
		}
	assert_int_equal(open_copy("", 0, KVER, HASH, &c), -EBADMSG);
	assert_int_equal(open_copy("garbage!garbage!", 16, KVER, HASH, &c), -EBADMSG);
	free(data);
}

/*
 * Damage that a checksum does not catch (a trailer made to match): each
 * byte set to hostile values. Opening either refuses the file or accepts
 * it, and then every lookup stays in bounds (ASan would tell).
 */
static void test_hostile(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	unsigned char *d = data;
	static const unsigned char values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	size_t accepted = 0;
	for (size_t i = 0; i + 12 < size; i++)
		for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
			unsigned char old = d[i];
			if (old == values[v])
				continue;
			d[i] = values[v];
			fix_crc(d, size);
			struct dm_cache *c = NULL;
			int r = open_copy(d, size, KVER, HASH, &c);
			assert_true(r == 0 || r == -EBADMSG || r == -ESTALE);
			if (r == 0) {
				accepted++;
				for (size_t k = 0; k < ARRAY_SIZE(dirs); k++) {
					char **names = NULL;
					size_t n = 0;
					int l = dm_cache_dir_lookup(c, dirs[k].path, &dirs[k].key,
								    &names, &n);
					assert_true(l == 0 || l == 1);
					for (size_t e = 0; e < n; e++)
						assert_non_null(names[e]);
					free(names);
				}
				for (size_t k = 0; k < ARRAY_SIZE(entries); k++) {
					struct dm_info info = { 0 };
					int l = dm_cache_lookup(c, entries[k].path, &entries[k].key,
								&info, true);
					assert_true(l == 0 || l == 1);
					for (size_t s = 0; s < info.import_count; s++)
						assert_non_null(info.imports[s].name);
					dm_info_release(&info);
				}
				dm_cache_free(c);
			}
			d[i] = old;
		}
	/* string and key bytes change freely; most other bytes are refused */
	assert_true(accepted > 0);
	fix_crc(d, size);
	free(data);
}

/* Extra bytes between the records and the trailer, and a count too high. */
static void test_layout(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	struct dm_cache *c = NULL;
	unsigned char *d = malloc(size + 1);
	memcpy(d, data, size - 12);
	d[size - 12] = 0;
	set_trailer(d, size + 1);
	assert_int_equal(dm_cache_open(d, size + 1, KVER, HASH, &c), -EBADMSG);
	/* a trailer stating another size */
	d = data;
	set_trailer(d, size);
	uint64_t sz = htole64(size + 1);
	memcpy(d + size - 12, &sz, 8);
	fix_crc(d, size);
	assert_int_equal(open_copy(d, size, KVER, HASH, &c), -EBADMSG);
	set_trailer(d, size);
	assert_int_equal(open_copy(d, size, KVER, HASH, &c), 0);
	dm_cache_free(c);
	/* the record count: it follows the kernel version */
	size_t at = 25 + d[24];
	at += 2 + (size_t)(d[at] | d[at + 1] << 8);
	assert_int_equal(d[at], 3);
	d[at] = 4;
	fix_crc(d, size);
	assert_int_equal(open_copy(d, size, KVER, HASH, &c), -EBADMSG);
	d[at] = 2; /* fewer records than there are: bytes left over */
	fix_crc(d, size);
	assert_int_equal(open_copy(d, size, KVER, HASH, &c), -EBADMSG);
	free(data);
}

/* The links part: each entry tied to its record's path; a record without
 * one has none; an entry naming a record that does not exist is refused. */
static void test_links(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	struct dm_cache *c = NULL;
	assert_int_equal(dm_cache_open(data, size, KVER, HASH, &c), 0);
	assert_true(dm_cache_world(c) == WORLD);
	struct dm_cache_links l;
	assert_true(dm_cache_get_links(c, entries[0].path, &l));
	assert_true(l.exports == 0x1111);
	assert_int_equal(l.count, 2);
	const unsigned char *cursor = l.names;
	assert_string_equal(dm_cache_next_name(&cursor), "b");
	assert_string_equal(dm_cache_next_name(&cursor), "c");
	assert_false(dm_cache_get_links(c, entries[1].path, &l));
	assert_true(dm_cache_get_links(c, entries[2].path, &l));
	assert_true(l.exports == 0x2222);
	assert_int_equal(l.count, 0);
	assert_false(dm_cache_get_links(c, "/nowhere.ko", &l));
	/* decoded without its imports: the rest is all there */
	struct dm_info info = { 0 };
	assert_int_equal(dm_cache_lookup(c, entries[0].path, &key_a, &info, false), 1);
	assert_int_equal(info.import_count, 0);
	assert_null(info.imports);
	assert_int_equal(info.export_count, 2);
	assert_string_equal(info.exports[1].name, "foo_unregister");
	assert_int_equal(info.alias_count, 2);
	dm_info_release(&info);
	dm_cache_free(c);
	assert_false(dm_cache_get_links(NULL, entries[0].path, &l));
	assert_true(dm_cache_world(NULL) == 0);

	/* no links at all (world 0): none found */
	const struct dm_cache_contents bare = { .entries = entries, .count = 3 };
	assert_int_equal(dm_cache_encode(KVER, HASH, &bare, &data, &size), 0);
	assert_int_equal(dm_cache_open(data, size, KVER, HASH, &c), 0);
	assert_true(dm_cache_world(c) == 0);
	assert_false(dm_cache_get_links(c, entries[0].path, &l));
	dm_cache_free(c);

	/* an entry of record 3 of 3 */
	const struct dm_cache_link_entry bad[] = { { 3, 1, NULL, 0 } };
	const struct dm_cache_contents hostile = { .entries = entries, .count = 3, .world = 1,
						   .links = bad, .link_count = 1 };
	assert_int_equal(dm_cache_encode(KVER, HASH, &hostile, &data, &size), 0);
	assert_int_equal(dm_cache_open(data, size, KVER, HASH, &c), -EBADMSG);
}

/* No records at all (a tree of built-in modules) is a valid cache. */
static void test_empty(void **state)
{
	(void)state;
	void *data;
	size_t size;
	const struct dm_cache_contents none = { 0 };
	assert_int_equal(dm_cache_encode(KVER, HASH, &none, &data, &size), 0);
	struct dm_cache *c = NULL;
	assert_int_equal(dm_cache_open(data, size, KVER, HASH, &c), 0);
	assert_int_equal(dm_cache_count(c), 0);
	assert_int_equal(dm_cache_get_outputs(c)->count, 0);
	struct dm_info info = { 0 };
	assert_int_equal(dm_cache_lookup(c, entries[0].path, &key_a, &info, true), 0);
	dm_cache_free(c);
}

static void test_hash(void **state)
{
	(void)state;
	uint64_t a = dm_hash_str(dm_hash_str(DM_HASH_INIT, "ab"), "c");
	uint64_t b = dm_hash_str(dm_hash_str(DM_HASH_INIT, "a"), "bc");
	assert_true(a != b);
	assert_true(dm_hash_str(DM_HASH_INIT, NULL) != dm_hash_str(DM_HASH_INIT, ""));
	assert_true(dm_hash_bytes(DM_HASH_INIT, "x", 1) == dm_hash_bytes(DM_HASH_INIT, "x", 1));
}

/* A record's digest is its payload's, whether encoded or copied as it is;
 * a cache made of copied records reads back the same. */
static void test_raw_copy(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	struct dm_cache *c = NULL;
	assert_int_equal(dm_cache_open(data, size, KVER, HASH, &c), 0);
	struct dm_cache_entry copies[ARRAY_SIZE(entries)];
	struct strbuf scratch = { 0 };
	for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
		struct dm_cache_raw raw;
		assert_true(dm_cache_match(c, entries[i].path, &entries[i].key, &raw));
		uint64_t digest;
		assert_int_equal(dm_info_digest(entries[i].info, &scratch, &digest), 0);
		assert_true(digest == raw.digest);
		assert_int_equal(scratch.len, raw.size);
		assert_memory_equal(scratch.data, raw.payload, raw.size);
		copies[i] = entries[i];
		copies[i].info = NULL;
		copies[i].raw = raw;
	}
	/* the payloads of a and b differ, and so do their digests */
	assert_int_equal(dm_info_digest(&info_a, &scratch, &(uint64_t){ 0 }), 0);
	uint64_t da, db;
	dm_info_digest(&info_a, &scratch, &da);
	dm_info_digest(&info_b, &scratch, &db);
	assert_true(da != db);
	free(scratch.data);
	const struct dm_cache_contents again = { &outputs, copies,	    ARRAY_SIZE(copies),
						 dirs,	   ARRAY_SIZE(dirs), WORLD,
						 links,	   ARRAY_SIZE(links) };
	void *data2;
	size_t size2;
	assert_int_equal(dm_cache_encode(KVER, HASH, &again, &data2, &size2), 0);
	assert_int_equal(size, size2);
	void *first;
	size_t first_size;
	assert_int_equal(dm_cache_encode(KVER, HASH, &contents, &first, &first_size), 0);
	assert_memory_equal(first, data2, size2);
	free(first);
	free(data2);
	dm_cache_free(c);
}

/* The outputs' digest and stamps, and the directory listings. */
static void test_outputs_and_dirs(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	struct dm_cache *c = NULL;
	assert_int_equal(dm_cache_open(data, size, KVER, HASH, &c), 0);
	const struct dm_cache_outputs *o = dm_cache_get_outputs(c);
	assert_true(o->digest == outputs.digest);
	assert_int_equal(o->count, 2);
	assert_memory_equal(o->stamps, outputs.stamps, 2 * sizeof(outputs.stamps[0]));
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char **names = NULL;
		size_t n = 99;
		assert_int_equal(dm_cache_dir_lookup(c, dirs[i].path, &dirs[i].key, &names, &n), 1);
		assert_int_equal(n, dirs[i].count);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(names[k], dirs[i].names[k]);
		free(names);
		struct dm_cache_key other = dirs[i].key;
		other.ctime_nsec++;
		assert_int_equal(dm_cache_dir_lookup(c, dirs[i].path, &other, &names, &n), 0);
	}
	char **names = NULL;
	size_t n = 0;
	assert_int_equal(dm_cache_dir_lookup(c, "/elsewhere", &dirs[0].key, &names, &n), 0);
	assert_int_equal(dm_cache_dir_lookup(NULL, dirs[0].path, &dirs[0].key, &names, &n), 0);
	/* a module's path is not a directory's */
	assert_int_equal(dm_cache_dir_lookup(c, entries[0].path, &entries[0].key, &names, &n), 0);
	dm_cache_free(c);
	/* no stamps: unknown */
	const struct dm_cache_contents bare = { .entries = entries, .count = 1 };
	assert_int_equal(dm_cache_encode(KVER, HASH, &bare, &data, &size), 0);
	assert_int_equal(dm_cache_open(data, size, KVER, HASH, &c), 0);
	assert_int_equal(dm_cache_get_outputs(c)->count, 0);
	dm_cache_free(c);
}

/* dm_hash64: every byte and the length count. */
static void test_hash64(void **state)
{
	(void)state;
	unsigned char buf[64];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7);
	uint64_t h = dm_hash64(buf, sizeof(buf));
	assert_true(h == dm_hash64(buf, sizeof(buf)));
	for (size_t i = 0; i < sizeof(buf); i++)
		for (int b = 0; b < 8; b++) {
			buf[i] ^= (unsigned char)(1 << b);
			assert_true(dm_hash64(buf, sizeof(buf)) != h);
			buf[i] ^= (unsigned char)(1 << b);
		}
	for (size_t n = 0; n < sizeof(buf); n++)
		assert_true(dm_hash64(buf, n) != dm_hash64(buf, n + 1));
	unsigned char zeros[16] = { 0 };
	assert_true(dm_hash64(zeros, 8) != dm_hash64(zeros, 16));
}

/* dm_cache_open_fd(): a lock taken on the file lasts as long as the
 * mapping, the caller's descriptor closed at once (depmod writes a spare
 * only under its exclusive lock), and goes with dm_cache_free(): no
 * descriptor left open; a cache refused keeps none either. */
static void test_lock_kept(void **state)
{
	(void)state;
	void *data;
	size_t size;
	encode(&data, &size);
	char path[] = "/tmp/kml-test-depmod-cache-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, size), (ssize_t)size);
	free(data);
	assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), 0);
	struct dm_cache *c = NULL;
	assert_int_equal(dm_cache_open_fd(fd, size, KVER, HASH, &c), 0);
	close(fd);
	int other = open(path, O_RDWR);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal(dm_cache_count(c), 3);
	dm_cache_free(c);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
	/* refused: nothing kept either */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(dm_cache_open_fd(fd, size, "other", HASH, &c), -ESTALE);
	close(fd);
	other = open(path, O_RDWR);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_key_fields),
		cmocka_unit_test(test_key_from_stat), cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_truncated),     cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_hostile),	      cmocka_unit_test(test_layout),
		cmocka_unit_test(test_empty),	      cmocka_unit_test(test_hash),
		cmocka_unit_test(test_raw_copy),      cmocka_unit_test(test_outputs_and_dirs),
		cmocka_unit_test(test_hash64),	      cmocka_unit_test(test_links),
		cmocka_unit_test(test_lock_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
