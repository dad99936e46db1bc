/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers shared by the library's files; not installed. */
#ifndef KMODLITE_PRIVATE_H
#define KMODLITE_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kmodlite.h"

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* A hash of a NUL-terminated string for the in-memory hash tables (never
 * stored: it differs between byte orders). Eight bytes a step, then mixed
 * so that the low bits, which pick the slot, depend on every byte. */
static inline uint64_t hash_string(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;
	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0x94d049bb133111ebull;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

/*
 * kmodlite.h's objects that no tool and not the libkmod adapter uses: the
 * library's own files call them, and its tests.
 */

/* ctx.c */
const char *kml_ctx_get_kernel_version(const struct kml_ctx *ctx);

/* file.c */
enum kml_compression {
	KML_COMPRESSION_NONE = 0,
	KML_COMPRESSION_GZIP,
	KML_COMPRESSION_XZ,
	KML_COMPRESSION_ZSTD,
};
/* Upper bound for the decompressed size of a module (bigger is an error). */
#define KML_MAX_MODULE_SIZE ((size_t)512 << 20)
/* kml_file_open() on bytes already in memory (copied when compressed,
 * borrowed when not). */
int kml_file_from_memory(const void *data, size_t size, struct kml_file **ret_file);
const char *kml_compression_name(enum kml_compression c);
enum kml_compression kml_compression_detect(const void *data, size_t size);

/* index-read.c */
/* Exact lookup: the first value of the node KEY ends at.
 * -ENOENT when absent, -EBADMSG when the index is corrupt. */
int kml_index_lookup(const struct kml_index *index, const char *key, const char **ret_value);
/* Every value whose stored pattern (fnmatch) matches KEY, by priority.
 * 0 values is not an error: *ret_count is 0. */
int kml_index_lookup_wildcard(const struct kml_index *index, const char *key,
			      struct kml_index_value **ret_values, size_t *ret_count);

/* config.c */
/* Module names of every `alias PATTERN MODULE` whose PATTERN (fnmatch)
 * matches NAME (normalised), in configuration order. free() the array only. */
int kml_config_get_aliases(const struct kml_config *config, const char *name,
			   const char ***ret_modules, size_t *ret_count);
/* Options for MODULE from `options` lines, joined by spaces in file order
 * (NULL when none); then those from the kernel command line. */
const char *kml_config_get_options(const struct kml_config *config, const char *module);
const char *kml_config_get_cmdline_options(const struct kml_config *config, const char *module);

/* kernel.c: kml_kernel_insert() for a module already in memory
 * (init_module only). */
int kml_kernel_insert_image(const void *image, size_t size, const char *params,
			    unsigned int flags);

/* Used by the tests only (no caller in the library either). */
/* file.c */
enum kml_compression kml_file_compression(const struct kml_file *file);
/* elf.c */
int kml_elf_class(const struct kml_elf *elf); /* 32 or 64 */
bool kml_elf_big_endian(const struct kml_elf *elf);
/* index-read.c */
/* kml_index_open() over bytes owned by the caller (kept for the index's
 * lifetime). */
int kml_index_from_memory(const void *data, size_t size, struct kml_index **ret_index);
/* All values of the node KEY ends at, by priority (free() the array). */
int kml_index_lookup_all(const struct kml_index *index, const char *key,
			 struct kml_index_value **ret_values, size_t *ret_count);

/* ctx.c: logging through the context's callback. */
void kml_log(const struct kml_ctx *ctx, int priority, const char *file, int line,
	     const char *fn, const char *format, ...) _printf_(6, 7);
#define kml_err(ctx, ...) kml_log(ctx, KML_LOG_ERR, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define kml_warn(ctx, ...) kml_log(ctx, KML_LOG_WARNING, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define kml_info(ctx, ...) kml_log(ctx, KML_LOG_INFO, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define kml_dbg(ctx, ...) kml_log(ctx, KML_LOG_DEBUG, __FILE__, __LINE__, __func__, __VA_ARGS__)
/* How many messages have reached the log callback so far; the highest
 * priority delivered (-1: no callback). */
unsigned long kml_ctx_messages(const struct kml_ctx *ctx);
int kml_ctx_log_priority(const struct kml_ctx *ctx);

/* ctx.c: indexes opened once per context, on first use (NULL when absent). */
enum kml_index_id {
	KML_INDEX_DEP,
	KML_INDEX_ALIAS,
	KML_INDEX_SYMBOLS,
	KML_INDEX_BUILTIN,
	KML_INDEX_BUILTIN_ALIAS,
	KML_INDEX_COUNT,
};
const struct kml_index *kml_ctx_index(struct kml_ctx *ctx, enum kml_index_id id);

/* util.c */
/* Reads a whole file into a NUL-terminated buffer; -EFBIG beyond max. */
int read_file_full(const char *path, size_t max, char **ret_buf, size_t *ret_len);
/* Same, from an open descriptor (left open). */
int read_fd_full(int fd, size_t max, char **ret_buf, size_t *ret_len);
/*
 * Makes room in *ARRAY (malloc'd, of *CAP elements of ELEM bytes) for at
 * least NEED elements. The capacity doubles (starting at 16), so appending n
 * elements one by one costs O(n) in all. 0, or -ENOMEM when out of memory or
 * when the size in bytes does not fit a size_t; *ARRAY and *CAP are left as
 * they were on failure. ARRAY_GROW(a, cap, need) is the same for a typed
 * pointer A.
 */
int array_grow(void **array, size_t *cap, size_t need, size_t elem);
#define ARRAY_GROW(a, cap, need) array_grow((void **)&(a), &(cap), (need), sizeof(*(a)))
/* Creates each directory that PATH names before a '/' (mode 0755, existing
 * ones are fine), like `mkdir -p "$(dirname PATH)"`. 0 or a negative errno. */
int mkdir_parents(const char *path);
/* Growable byte buffer. */
struct strbuf {
	char *data;
	size_t len;
	size_t cap;
};
int strbuf_reserve(struct strbuf *sb, size_t extra);
int strbuf_append_grow(struct strbuf *sb, const void *data, size_t len);
/* Appends LEN bytes (kept NUL-terminated); inline when they fit, as the
 * outputs are built from hundreds of thousands of short pieces. */
static inline int strbuf_append(struct strbuf *sb, const void *data, size_t len)
{
	if (len < sb->cap - sb->len) {
		memcpy(sb->data + sb->len, data, len);
		sb->len += len;
		sb->data[sb->len] = '\0';
		return 0;
	}
	return strbuf_append_grow(sb, data, len);
}
static inline int strbuf_append_str(struct strbuf *sb, const char *s)
{
	return strbuf_append(sb, s, strlen(s));
}
/* Doubles the room of a decompression buffer, but never past MAX + 1 bytes
 * of content: one byte more than allowed is enough to detect a bomb. */
int strbuf_grow_bounded(struct strbuf *sb, size_t max);
/*
 * Bump allocator for data that lives and dies together (a parsed
 * configuration): allocations are never freed one by one, and
 * arena_release() frees every block at once, with any buffer handed over by
 * arena_own(). Start from a zeroed struct arena.
 */
struct arena_block;
struct arena_owned;
struct arena {
	struct arena_block *blocks;
	struct arena_owned *owned;
};
/* SIZE zeroed bytes, aligned for any type; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
/* A NUL-terminated copy of the N bytes at S. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* P (from malloc) is freed with the arena; on failure P is freed now. */
int arena_own(struct arena *a, void *p);
void arena_release(struct arena *a);
/* DIR "/" the NAME_LEN bytes of NAME, or those bytes alone when DIR is NULL;
 * malloc'd, NULL when out of memory (a cheap asprintf for hot paths). */
char *path_join(const char *dir, const char *name, size_t name_len);
/* glob.c: fnmatch(PATTERN, STRING, 0) in the C locale, without recursion. */
bool glob_match(const char *pattern, const char *string);
/*
 * glob.c: patterns matched against a fixed STRING one pattern byte at a
 * time, for walks over a trie of patterns. A set (glob_prefix.words
 * uint64_t) holds the positions I of STRING such that the pattern so far
 * matches the bytes from FROM to I; glob_prefix_start() makes it {FROM}
 * (the pattern is matched against STRING + FROM), glob_prefix_step()
 * feeds it a byte: '*', '?' and ordinary bytes give GLOB_STEP_NONE when no
 * position is left (no pattern that begins so can match), GLOB_STEP_SOME
 * otherwise; '[', '\\', NUL and bytes >= 128 give GLOB_STEP_UNKNOWN and
 * leave the set as it was (the whole pattern is then for glob_match()).
 * glob_prefix_can_step(): false when the step would give GLOB_STEP_NONE.
 * glob_prefix_done(): the pattern fed matches the rest of STRING. The result
 * is glob_match()'s for every pattern made of '*', '?' and ordinary bytes.
 */
#define GLOB_PREFIX_SMALL_WORDS 2
struct glob_prefix {
	const char *string;
	size_t len;	 /* of the string */
	size_t words;	 /* uint64_t per set: bits 0..len */
	uint64_t *masks; /* 128 sets: [c] the positions before a byte C, [0] all before the end */
	uint64_t small[128 * GLOB_PREFIX_SMALL_WORDS];
};
enum { GLOB_STEP_NONE, GLOB_STEP_SOME, GLOB_STEP_UNKNOWN };
/* 0 or -ENOMEM (strings longer than 127 bytes need memory). */
int glob_prefix_init(struct glob_prefix *g, const char *string);
void glob_prefix_release(struct glob_prefix *g);
void glob_prefix_start(const struct glob_prefix *g, uint64_t *set, size_t from);
int glob_prefix_step(const struct glob_prefix *g, uint64_t *set, char c);
bool glob_prefix_can_step(const struct glob_prefix *g, const uint64_t *set, char c);
bool glob_prefix_done(const struct glob_prefix *g, const uint64_t *set);
/* glob.c: 1 when byte C is in the C locale's character class NAME (the
 * LEN bytes "alpha", "digit", ...), 0 when not, -1 when there is no such class. */
int char_class_has(const char *name, size_t len, unsigned char c);
/* ere.c: 1 when the POSIX extended regular expression PATTERN matches
 * somewhere in SUBJECT, 0 when not, as glibc's regcomp(REG_EXTENDED) and
 * regexec() decide it in the C locale; -EINVAL when glibc would refuse
 * PATTERN, -ENOTSUP when it has a back-reference, -E2BIG when it is longer
 * than ERE_MAX_PATTERN bytes or expands to more than ERE_MAX_PROGRAM
 * instructions, -ENOMEM. Time: program size times subject length. */
#define ERE_MAX_PATTERN 1024
#define ERE_MAX_PROGRAM 16384
int ere_match(const char *pattern, const char *subject);
/* Checked arithmetic for sizes read from files. */
static inline bool add_overflows(uint64_t a, uint64_t b, uint64_t *ret)
{
	return __builtin_add_overflow(a, b, ret);
}
static inline bool mul_overflows(uint64_t a, uint64_t b, uint64_t *ret)
{
	return __builtin_mul_overflow(a, b, ret);
}
/* True when [offset, offset+len) lies within size. */
static inline bool range_ok(uint64_t offset, uint64_t len, uint64_t size)
{
	uint64_t end;
	return !add_overflows(offset, len, &end) && end <= size;
}

/* dl.c: lazy loading of optional libraries. */
struct dl_symbol {
	const char *name;
	void **slot;
};
/*
 * Opens SONAME once per process and resolves the symbols into their slots.
 * Thread-safe (pthread_once-style, per library). Returns 0, or -ENOTSUP
 * when the library or a symbol is missing.
 */
struct dl_library {
	const char *soname;
	const struct dl_symbol *symbols;
	size_t count;
	int state; /* 0 not tried, 1 loaded, -errno failed; guarded by a lock */
};
int dl_load(struct dl_library *lib);

/* elf.c: prepares a private copy of a module for init_module() when forcing:
 * KML_INSERT_FORCE_MODVERSION clears SHF_ALLOC on __versions,
 * KML_INSERT_FORCE_VERMAGIC zeroes the "vermagic=..." strings of .modinfo.
 * IMAGE is modified in place; -ENOEXEC when it is not a valid ELF module. */
int elf_strip_for_force(uint8_t *image, size_t size, unsigned int flags);

/* file.c: like kml_file_open(), but the file is read into SCRATCH (kept by
 * the caller and reused from file to file) instead of mapped. For bulk readers
 * on several threads, where mmap/munmap and page faults serialise on the
 * address space. A plain file borrows SCRATCH's bytes until its next use.
 * RET_STAT (NULL: not wanted): the file's fstat(), taken before reading. */
struct stat;
int file_open_read(const char *path, struct strbuf *scratch, struct kml_file **ret_file,
		   struct stat *ret_stat);

/* crc32.c: zlib's crc32() (start with CRC 0); crc32_is_fast() says whether
 * this CPU computes it at memory speed rather than bit by bit. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);
uint32_t crc32_update_bitwise(uint32_t crc, const void *buf, size_t len);
bool crc32_is_fast(void);

/* decompress-*.c: each fills *ret_buf (malloc'd) and *ret_len from a
 * compressed buffer; -EBADMSG corrupt, -EFBIG over max, -ENOTSUP when the
 * backend is not built or its library cannot be loaded. */
int decompress_gzip(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len);
int decompress_xz(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len);
/* decompress_xz()'s shortcut for the usual module (one stream of one block
 * with a CRC32 check, as the kernel's modules_install writes): -EAGAIN when
 * IN is not of that shape or does not decode cleanly that way. */
int decompress_xz_one_block(const void *in, size_t in_len, size_t max, void **ret_buf,
			    size_t *ret_len);
int decompress_zstd(const void *in, size_t in_len, size_t max, void **ret_buf, size_t *ret_len);

#endif
