// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * depmod's cache reader (depmod-cache-read.c). The input is a whole
 * modules.depmod-cache. It is opened three ways: as it is, for a fixed
 * kernel version and configuration hash; for the kernel version and hash its
 * own header states; and the same with its trailer set to the right size and CRC, so
 * that the fuzzer reaches the records past the checksum. When a cache is
 * accepted, each NUL-terminated string starting with '/' in it is looked up
 * as a module's and as a directory's path, with the 60 bytes after it read
 * as a key (which is where a record or a listing keeps them), and with a key
 * that cannot match; a matching record's payload is copied into a new cache,
 * which must open again.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "depmod-private.h"
#include "fuzz.h"

static size_t touch_info(const struct dm_info *info)
{
	size_t n = 0;
	for (size_t i = 0; i < info->alias_count; i++)
		n += fuzz_touch(info->aliases[i]);
	for (size_t i = 0; i < info->softdep_count; i++)
		n += fuzz_touch(info->softdeps[i]);
	for (size_t i = 0; i < info->weakdep_count; i++)
		n += fuzz_touch(info->weakdeps[i]);
	for (size_t i = 0; i < info->export_count; i++)
		n += fuzz_touch(info->exports[i].name) + (size_t)info->exports[i].crc;
	for (size_t i = 0; i < info->import_count; i++)
		n += fuzz_touch(info->imports[i].name) + info->imports[i].weak;
	return n;
}

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return le64toh(v);
}

static uint32_t le32_at(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return le32toh(v);
}

/* A record copied as it is into a cache of its own, which opens. */
static size_t recopy(const char *path, const struct dm_cache_key *key, const struct dm_cache_raw *raw)
{
	const struct dm_cache_entry e = { path, *key, NULL, *raw, NULL };
	const struct dm_cache_contents c = { .entries = &e, .count = 1 };
	void *data = NULL;
	size_t size = 0;
	int r = dm_cache_encode("fuzz", 0, &c, &data, &size);
	if (r == -ENOMEM || r == -E2BIG)
		return 0;
	if (r < 0)
		abort();
	struct dm_cache *copy = NULL;
	if (dm_cache_open(data, size, "fuzz", 0, &copy) != 0 || dm_cache_count(copy) != 1)
		abort();
	dm_cache_free(copy);
	return size;
}

static size_t lookups(const struct dm_cache *c, const uint8_t *data, size_t size)
{
	size_t sink = 0, tried = 0;
	for (size_t i = 0; i < size && tried < 64; i++) {
		/* a record's path follows its u16 length, whose high byte is 0 */
		if (data[i] != '/' || i == 0 || data[i - 1] != 0)
			continue;
		const uint8_t *nul = memchr(data + i, 0, size - i);
		if (!nul)
			break;
		const uint8_t *k = nul + 1;
		struct dm_cache_key key = { 0 };
		if ((size_t)(data + size - k) >= 60) {
			key.dev = le64_at(k);
			key.ino = le64_at(k + 8);
			key.size = le64_at(k + 16);
			key.mtime_sec = (int64_t)le64_at(k + 24);
			key.mtime_nsec = le32_at(k + 32);
			key.ctime_sec = (int64_t)le64_at(k + 36);
			key.ctime_nsec = le32_at(k + 44);
		}
		char *path = fuzz_strndup(data + i, (size_t)(nul - (data + i)));
		for (int pass = 0; pass < 2; pass++) {
			char **names = NULL;
			size_t n = 0;
			int dr = dm_cache_dir_lookup(c, path, &key, &names, &n);
			if (dr < 0 && dr != -ENOMEM)
				abort();
			for (size_t e = 0; dr > 0 && e < n; e++)
				sink += fuzz_touch(names[e]);
			free(names);
			struct dm_cache_raw raw;
			if (dm_cache_match(c, path, &key, &raw))
				sink += recopy(path, &key, &raw);
			for (int imports = 0; imports < 2; imports++) {
				struct dm_info info = { 0 };
				int r = dm_cache_lookup(c, path, &key, &info, imports);
				if (r < 0 && r != -ENOMEM)
					abort();
				if (r > 0) {
					if (!info.borrowed || (!imports && info.imports))
						abort();
					sink += touch_info(&info);
				}
				dm_info_release(&info);
			}
			struct dm_cache_links links;
			if (dm_cache_get_links(c, path, &links)) {
				const unsigned char *cursor = links.names;
				for (size_t li = 0; li < links.count; li++)
					sink += fuzz_touch(dm_cache_next_name(&cursor));
			}
			key.ino ^= 1; /* the second pass cannot match */
		}
		free(path);
		tried++;
	}
	return sink;
}

static size_t try_open(const uint8_t *data, size_t size, const char *kver, uint64_t hash)
{
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	struct dm_cache *c = NULL;
	int r = dm_cache_open(copy, size, kver, hash, &c);
	if (r != 0 && r != -EBADMSG && r != -ESTALE && r != -ENOMEM)
		abort();
	size_t sink = 0;
	if (r == 0) {
		sink += dm_cache_count(c) + dm_cache_get_outputs(c)->count + lookups(c, data, size);
		dm_cache_free(c);
	}
	return sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile size_t sink = 0;
	sink += try_open(data, size, "6.1.0-fuzz-amd64", 0);

	/* the header's own kernel version and hash (offsets: depmod-cache.h) */
	char *kver = NULL;
	uint64_t hash = 0;
	if (size >= 25) {
		hash = le64_at(data + 16);
		size_t at = 25 + data[24];
		if (size >= at + 2) {
			size_t kl = data[at] | (size_t)data[at + 1] << 8;
			if (size >= at + 2 + kl)
				kver = fuzz_strndup(data + at + 2, kl);
		}
	}
	if (kver) {
		sink += try_open(data, size, kver, hash);
		if (size >= 12) {
			uint8_t *fixed = malloc(size);
			if (!fixed)
				abort();
			memcpy(fixed, data, size);
			uint64_t sz = htole64(size);
			memcpy(fixed + size - 12, &sz, 8);
			uint32_t crc = htole32(crc32_update(0, fixed, size - 4));
			memcpy(fixed + size - 4, &crc, 4);
			sink += try_open(fixed, size, kver, hash);
			free(fixed);
		}
		free(kver);
	}
	(void)sink;
	return 0;
}
