/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod's cache of per-module parse results (depmod-cache-write.c,
 * depmod-cache-read.c, depmod-cache-format.c): the bytes of
 * modules.depmod-cache, encoded and decoded in memory. No file I/O here;
 * depmod.c reads the file, depmod-cache-pending.c writes it with the outputs.
 *
 * Format (version 3), every integer little-endian:
 *   header   "KMLDMC\r\n"  magic
 *            u32 version   DM_CACHE_VERSION
 *            u32 flags     0
 *            u64 config    hash of everything outside the module files that
 *                          the run depended on (dm_cache_config_hash())
 *            u8 n, n bytes the writer's architecture (DM_CACHE_ARCH)
 *            u16 n, n bytes the kernel version
 *            u32 count     records that follow
 *   record   u16 n, n bytes, NUL   the module's path as depmod opened it
 *            u64 dev, ino, size; i64 mtime s; u32 mtime ns; i64 ctime s;
 *            u32 ctime ns          its stat() when it was parsed
 *            u64 digest            dm_hash64() of the payload
 *            u32 n                 the payload's size, then the payload:
 *            u32 aliases, softdeps, weakdeps, exports, imports
 *            strings  u32 n, n bytes, NUL (aliases, softdeps, weakdeps)
 *            symbols  u8 flags (1: has a CRC, 2: weak), u64 CRC,
 *                     u32 n, n bytes, NUL (exports, then imports)
 *   u32 count     directory listings that follow
 *   listing  u16 n, n bytes, NUL   a directory's path as depmod scanned it
 *            its key (as a record's), u32 entries, then each entry:
 *            u16 n, n bytes, NUL   its d_type (one byte), then its name
 *   links    u64 world     digest of what every module exports, in depmod's
 *                          order (dm_exports_world()); 0 when none follow
 *            u32 count     entries that follow, each of one record's module:
 *            u32 record    the record's position among the records
 *            u64 exports   digest of the module's exports (dm_exports_digest())
 *            u32 n         its direct dependencies as the writing run
 *                          resolved them, first use first, then n names:
 *                          u16 n, n bytes, NUL
 *   outputs  n stamps of the output files as the writing run left them (a
 *            key each, laid out as in a record), u64 digest of what they
 *            were made from (struct dm_cache_outputs), u8 n (0: unknown)
 *   trailer  u64 size of the whole file, trailer included
 *            u32 CRC-32 of every byte before it
 * (the size at the end lets the file be written in one pass, and the
 * outputs' part comes last so that it can be added once the outputs are
 * written, the rest having gone out while they were built). A directory
 * whose key has not changed has the same entries, so the scan reads it
 * from here instead of the directory itself. A payload is
 * decoded only when its module's parse results are needed: a run whose
 * outputs are already up to date reads no more than the records' heads.
 * A module's dependencies follow from its imports and from what every
 * module exports; while the latter (the world digest) is unchanged, a
 * module whose record matches keeps the dependencies of its links entry,
 * and its imports are neither decoded nor looked up.
 *
 * A record holds only what is a function of the module file's bytes (struct
 * dm_info); everything else depmod recomputes on every run.
 */
#ifndef KMODLITE_DEPMOD_CACHE_H
#define KMODLITE_DEPMOD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct dm_info;

#define DM_CACHE_NAME "modules.depmod-cache"
/* The cache before the current one, kept so that the next run writes over
 * it in place (see depmod-cache-pending.c) */
#define DM_CACHE_SPARE_NAME "modules.depmod-cache.spare"
#define DM_CACHE_VERSION 3u
/* the largest cache file read (bigger ones are ignored) */
#define DM_CACHE_MAX_SIZE ((size_t)1 << 30)

/* What identifies a module file's content without reading it. */
struct dm_cache_key {
	uint64_t dev, ino, size;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
};

void dm_cache_key_from_stat(const struct stat *sb, struct dm_cache_key *ret);
/* Whether A and B are the same key, field by field. */
bool dm_cache_key_equal(const struct dm_cache_key *a, const struct dm_cache_key *b);

/* A record's payload as stored, and its digest. */
struct dm_cache_raw {
	const void *payload;
	size_t size;
	uint64_t digest;
};

/* One record to write: INFO of the file at PATH, which had KEY (the
 * record's digest then goes to *DIGEST_OUT if not NULL); or, when INFO is
 * NULL, RAW copied from an earlier cache as it is. */
struct dm_cache_entry {
	const char *path;
	struct dm_cache_key key;
	const struct dm_info *info;
	struct dm_cache_raw raw;
	uint64_t *digest_out;
};

/* The outputs a run left on disk: DIGEST of what they were made from (see
 * depmod-skip.c) and the STAMPS (stat) of the files. COUNT = 0: unknown. */
#define DM_CACHE_MAX_STAMPS 32
struct dm_cache_outputs {
	uint64_t digest;
	size_t count;
	struct dm_cache_key stamps[DM_CACHE_MAX_STAMPS];
};

/* A directory's entries, each a byte of d_type and then the name. */
struct dm_cache_dir {
	const char *path;
	struct dm_cache_key key;
	char *const *names;
	size_t count;
};

/* One record's module's links: RECORD (its position among the records),
 * the digest of its EXPORTS, and the names of its COUNT direct
 * dependencies, first use first. */
struct dm_cache_link_entry {
	size_t record;
	uint64_t exports;
	const char *const *names;
	size_t count;
};

/* What a cache holds. OUTPUTS may be NULL (unknown); WORLD is that of the
 * LINKS (0 and none: unknown). */
struct dm_cache_contents {
	const struct dm_cache_outputs *outputs;
	const struct dm_cache_entry *entries;
	size_t count;
	const struct dm_cache_dir *dirs;
	size_t dir_count;
	uint64_t world;
	const struct dm_cache_link_entry *links;
	size_t link_count;
};

/* Encodes C, handing the bytes in pieces to FN (which returns 0 or a
 * negative errno, then returned); little memory whatever the cache's size. */
typedef int (*dm_cache_write_fn)(void *data, const void *buf, size_t len);
int dm_cache_write(const char *kver, uint64_t config_hash, const struct dm_cache_contents *c,
		   dm_cache_write_fn fn, void *fn_data);
/* The same piece by piece, with no array of it all: start (the header and
 * the number of records that follow), each record, the number of listings,
 * each listing, flush (the big buffers freed), then, once they are known,
 * the world digest and number of links entries, each entry, and the
 * outputs' part and the trailer (finish). Each returns 0 or the first
 * error, which sticks; free in any case. */
struct dm_cache_writer;
int dm_cache_writer_start(const char *kver, uint64_t config_hash, size_t count,
			  dm_cache_write_fn fn, void *fn_data, struct dm_cache_writer **ret);
int dm_cache_writer_add(struct dm_cache_writer *w, const struct dm_cache_entry *entry);
int dm_cache_writer_listings(struct dm_cache_writer *w, size_t count);
int dm_cache_writer_add_listing(struct dm_cache_writer *w, const struct dm_cache_dir *dir);
int dm_cache_writer_flush(struct dm_cache_writer *w);
int dm_cache_writer_links(struct dm_cache_writer *w, uint64_t world, size_t count);
int dm_cache_writer_add_links(struct dm_cache_writer *w, size_t record, uint64_t exports,
			      const char *const *names, size_t count);
int dm_cache_writer_finish(struct dm_cache_writer *w, const struct dm_cache_outputs *outputs);
void dm_cache_writer_free(struct dm_cache_writer *w);
/* The same into a new buffer (*RET_DATA, malloc'd, *RET_SIZE bytes). */
int dm_cache_encode(const char *kver, uint64_t config_hash, const struct dm_cache_contents *c,
		    void **ret_data, size_t *ret_size);

/* The digest of INFO's payload, as a record of it would hold; SCRATCH is
 * reused from call to call. Returns 0 or -ENOMEM/-E2BIG. */
struct strbuf;
int dm_info_digest(const struct dm_info *info, struct strbuf *scratch, uint64_t *ret);

/* A decoded cache: the buffer it was read from and an index by path. */
struct dm_cache;

/*
 * Checks DATA (SIZE bytes) and indexes its records. Takes ownership of DATA
 * (malloc'd) whatever the result: the records' strings point into it.
 * Returns -EBADMSG when it is truncated, corrupted or not a cache, -ESTALE
 * when it is a valid cache of another version, architecture, kernel version
 * or configuration, -ENOMEM.
 */
int dm_cache_open(void *data, size_t size, const char *kver, uint64_t config_hash,
		  struct dm_cache **ret_cache);
/* The same on a mapping of the SIZE bytes of FD (a regular file): no copy.
 * FD is kept open (a duplicate, closed by dm_cache_free()), so that a lock
 * the caller took on it lasts as long as the mapping: depmod writes a file
 * in place only while it holds the file's exclusive lock, which a run
 * reading it prevents. A cache truncated by someone else while it is mapped
 * would end the run with SIGBUS, as a truncated index would any libkmod
 * user. */
int dm_cache_open_fd(int fd, size_t size, const char *kver, uint64_t config_hash,
		     struct dm_cache **ret_cache);
void dm_cache_free(struct dm_cache *cache);
size_t dm_cache_count(const struct dm_cache *cache);

/* Whether CACHE holds a record of PATH with key KEY; if so and RAW is not
 * NULL, *RAW is its payload (in CACHE's buffer) and digest. Nothing decoded. */
bool dm_cache_match(const struct dm_cache *cache, const char *path, const struct dm_cache_key *key,
		    struct dm_cache_raw *raw);

/* The listing of directory PATH when its key is KEY: *RET_NAMES (malloc'd
 * array; the strings are CACHE's) and *RET_COUNT, and returns 1; 0 when
 * there is none or its key differs, -ENOMEM. */
int dm_cache_dir_lookup(const struct dm_cache *cache, const char *path,
			const struct dm_cache_key *key, char ***ret_names, size_t *ret_count);

/* The outputs the cache's writer left (count 0 when unknown). */
const struct dm_cache_outputs *dm_cache_get_outputs(const struct dm_cache *cache);

/*
 * The record of PATH when its key is KEY: fills *INFO (its arrays
 * allocated, its strings borrowed from CACHE, info->borrowed set; without
 * WITH_IMPORTS, the imports are left out) and returns 1; returns 0 when
 * there is no such record or its key differs, -ENOMEM. Safe to call from
 * several threads at once.
 */
int dm_cache_lookup(const struct dm_cache *cache, const char *path, const struct dm_cache_key *key,
		    struct dm_info *info, bool with_imports);

/* The world digest of the cache's links (0: it has none). */
uint64_t dm_cache_world(const struct dm_cache *cache);
/* The links entry of PATH's record, if it has one: its exports' digest,
 * and its dependencies' names, read one after the other with
 * dm_cache_next_name() from NAMES (checked when the cache was opened). */
struct dm_cache_links {
	uint64_t exports;
	size_t count;
	const unsigned char *names;
};
bool dm_cache_get_links(const struct dm_cache *cache, const char *path, struct dm_cache_links *ret);
const char *dm_cache_next_name(const unsigned char **cursor);

/* A 64-bit hash built piece by piece (the configuration hash, the outputs'
 * and exports' digests): H, then DATA's LEN bytes, mixed. */
#define DM_HASH_INIT 1469598103934665603ull
uint64_t dm_hash_bytes(uint64_t h, const void *data, size_t len);
/* A string with its terminating NUL (so "ab","c" and "a","bc" differ); NULL
 * hashes differently from "". */
uint64_t dm_hash_str(uint64_t h, const char *s);
/* A fast 64-bit hash of a whole buffer, eight bytes at a time (the records'
 * digests: a changed payload must not keep its digest by accident). */
uint64_t dm_hash64(const void *data, size_t len);

#endif
