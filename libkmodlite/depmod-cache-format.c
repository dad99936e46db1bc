// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's cache (format in depmod-cache.h): the hashes (the configuration
 * hash, the records' digests) and a file's key (from its stat(), compared),
 * which the writer, the reader and depmod's stages use.
 */
#include <endian.h>

#include "depmod-cache.h"
#include "depmod-private.h"


static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

uint64_t dm_hash64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)len * 0x2545f4914f6cdd1dull);
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		w = le64toh(w) * 0x87c37b91114253d5ull;
		w = (w << 31) | (w >> 33);
		h ^= w * 0x4cf5ad432745937full;
		h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
	}
	uint64_t tail = 0;
	for (size_t i = 0; i < len; i++)
		tail |= (uint64_t)p[i] << (8 * i);
	return mix64(h ^ mix64(tail + len));
}

uint64_t dm_hash_bytes(uint64_t h, const void *data, size_t len)
{
	return mix64(h * 0x9e3779b97f4a7c15ull ^ dm_hash64(data, len));
}

uint64_t dm_hash_str(uint64_t h, const char *s)
{
	if (!s)
		return dm_hash_bytes(h, "\xff", 1);
	return dm_hash_bytes(h, s, strlen(s) + 1);
}

void dm_cache_key_from_stat(const struct stat *sb, struct dm_cache_key *ret)
{
	*ret = (struct dm_cache_key){
		.dev = (uint64_t)sb->st_dev,
		.ino = (uint64_t)sb->st_ino,
		.size = (uint64_t)sb->st_size,
		.mtime_sec = (int64_t)sb->st_mtim.tv_sec,
		.mtime_nsec = (uint32_t)sb->st_mtim.tv_nsec,
		.ctime_sec = (int64_t)sb->st_ctim.tv_sec,
		.ctime_nsec = (uint32_t)sb->st_ctim.tv_nsec,
	};
}

bool dm_cache_key_equal(const struct dm_cache_key *a, const struct dm_cache_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}
