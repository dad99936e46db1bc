/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmodlite: reading Linux kernel modules, their indexes and metadata.
 *
 * Conventions:
 *  - every function returning int returns 0 (or a count) on success and a
 *    negative errno on failure; output parameters are named ret_* and are
 *    left untouched on failure;
 *  - the library never prints: messages go to the log callback of the
 *    context (none by default);
 *  - there is no global mutable state: separate contexts may be used from
 *    separate threads;
 *  - free/unref functions accept NULL.
 */
#ifndef KMODLITE_H
#define KMODLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- context */

struct kml_ctx;

enum kml_log_priority {
	KML_LOG_ERR = 3,
	KML_LOG_WARNING = 4,
	KML_LOG_INFO = 6,
	KML_LOG_DEBUG = 7,
};

typedef void (*kml_log_fn)(void *data, int priority, const char *file, int line,
			   const char *fn, const char *message);

/*
 * root: directory the module tree lives under ("/" when NULL);
 * kver: kernel version (uname -r when NULL).
 * The module directory is ROOT/lib/modules/KVER.
 */
int kml_ctx_new(const char *root, const char *kver, struct kml_ctx **ret_ctx);
/* Use DIR as the module directory instead of ROOT/lib/modules/KVER. */
int kml_ctx_set_module_dir(struct kml_ctx *ctx, const char *dir);
void kml_ctx_free(struct kml_ctx *ctx);
void kml_ctx_set_log(struct kml_ctx *ctx, kml_log_fn fn, void *data, int max_priority);
const char *kml_ctx_get_module_dir(const struct kml_ctx *ctx);
const char *kml_ctx_get_kernel_version(const struct kml_ctx *ctx);

/* Version string of the library, and the optional features it was built with
 * ("+ZSTD +XZ +ZLIB +LIBCRYPTO" or with '-' for the missing ones). */
const char *kml_version(void);
const char *kml_features(void);

/* ---------------------------------------------------------- module files */

enum kml_compression {
	KML_COMPRESSION_NONE = 0,
	KML_COMPRESSION_GZIP,
	KML_COMPRESSION_XZ,
	KML_COMPRESSION_ZSTD,
};

/* Upper bound for the decompressed size of a module (bigger is an error). */
#define KML_MAX_MODULE_SIZE ((size_t)512 << 20)

struct kml_file;

/*
 * Opens a module file: plain files are mapped, compressed ones (detected by
 * magic bytes) decompressed in memory. -ENOTSUP when the library was built
 * without the needed decompressor or cannot load it, -EFBIG when the content
 * exceeds KML_MAX_MODULE_SIZE, -EBADMSG for a corrupt stream or a file too
 * short to be a module.
 */
int kml_file_open(const char *path, struct kml_file **ret_file);
/* Same, on bytes already in memory (copied when compressed, borrowed when not). */
int kml_file_from_memory(const void *data, size_t size, struct kml_file **ret_file);
void kml_file_free(struct kml_file *file);
const void *kml_file_data(const struct kml_file *file);
size_t kml_file_size(const struct kml_file *file);
enum kml_compression kml_file_compression(const struct kml_file *file);
const char *kml_compression_name(enum kml_compression c);
enum kml_compression kml_compression_detect(const void *data, size_t size);

/* ----------------------------------------------------------------- ELF */

struct kml_elf;

struct kml_modinfo_entry {
	const char *key; /* not NUL-terminated: key_len bytes */
	size_t key_len;
	const char *value; /* NUL-terminated */
};

struct kml_symbol {
	const char *name; /* NUL-terminated, points into the module's bytes */
	uint64_t crc;
	bool has_crc;
	bool weak;
};

/* Parses the ELF headers of a relocatable module; the bytes must outlive it.
 * -ENOEXEC when it is not a valid ELF object (every offset is checked). */
int kml_elf_new(const void *data, size_t size, struct kml_elf **ret_elf);
void kml_elf_free(struct kml_elf *elf);
int kml_elf_class(const struct kml_elf *elf);	  /* 32 or 64 */
bool kml_elf_big_endian(const struct kml_elf *elf);

/* The arrays are allocated (free() them); the strings point into the module.
 * A missing section gives zero entries, not an error. */
int kml_elf_get_modinfo(const struct kml_elf *elf, struct kml_modinfo_entry **ret_entries,
			size_t *ret_count);
int kml_elf_get_versions(const struct kml_elf *elf, struct kml_symbol **ret_symbols,
			 size_t *ret_count);
int kml_elf_get_exports(const struct kml_elf *elf, struct kml_symbol **ret_symbols,
			size_t *ret_count);
int kml_elf_get_imports(const struct kml_elf *elf, struct kml_symbol **ret_symbols,
			size_t *ret_count);
/* -ENODATA when the module has no GNU build-id note. */
int kml_elf_get_build_id(const struct kml_elf *elf, const uint8_t **ret_id, size_t *ret_len);

/* -------------------------------------------------- appended signature */

struct kml_signature {
	const char *id_type;   /* "PGP", "X509", "PKCS#7" */
	const char *algo;      /* public-key algorithm name, or NULL */
	const char *hash_algo; /* "sha256", ... or NULL when unknown */
	char *signer;	       /* NUL-terminated, may be empty */
	uint8_t *key_id;
	size_t key_id_len;
	uint8_t *signature;
	size_t signature_len;
};

/*
 * Reads the signature appended to a module's (decompressed) bytes.
 * -ENODATA: not signed; -EBADMSG: malformed trailer or PKCS#7 blob;
 * -ENOTSUP: PKCS#7 but libcrypto is not available (the trailer's fields are
 * still filled where possible when ret is set).
 */
int kml_signature_parse(const void *data, size_t size, struct kml_signature **ret_sig);
void kml_signature_free(struct kml_signature *sig);

/* ------------------------------------------------------- binary indexes */

struct kml_index;

struct kml_index_value {
	unsigned int priority;
	const char *value; /* NUL-terminated, points into the index mapping */
};

/* Maps a modules.*.bin file. -EBADMSG when the header is wrong. */
int kml_index_open(const char *path, struct kml_index **ret_index);
/* Same over bytes owned by the caller (kept for the index's lifetime). */
int kml_index_from_memory(const void *data, size_t size, struct kml_index **ret_index);
void kml_index_close(struct kml_index *index);
/* Exact lookup: the first value of the node KEY ends at.
 * -ENOENT when absent, -EBADMSG when the index is corrupt. */
int kml_index_lookup(const struct kml_index *index, const char *key, const char **ret_value);
/* All values of the node KEY ends at, by priority (free() the array). */
int kml_index_lookup_all(const struct kml_index *index, const char *key,
			 struct kml_index_value **ret_values, size_t *ret_count);
/* Every value whose stored pattern (fnmatch) matches KEY, by priority.
 * 0 values is not an error: *ret_count is 0. */
int kml_index_lookup_wildcard(const struct kml_index *index, const char *key,
			      struct kml_index_value **ret_values, size_t *ret_count);
/* Calls FN for every (key, value) in key order; stops when FN returns non-zero. */
int kml_index_foreach(const struct kml_index *index,
		      int (*fn)(void *data, const char *key, const struct kml_index_value *value),
		      void *data);

/* Builds a modules.*.bin index (depmod). */
struct kml_index_writer;

int kml_index_writer_new(struct kml_index_writer **ret_writer);
void kml_index_writer_free(struct kml_index_writer *writer);
/* Adds VALUE under KEY with PRIORITY (values of a key are kept sorted by
 * priority; among equal ones the newest first). Returns 1 when KEY already
 * had VALUE (it is added again, as the reference does), 0 otherwise;
 * -EINVAL for a key byte >= 128. */
int kml_index_writer_add(struct kml_index_writer *writer, const char *key, const char *value,
			 unsigned int priority);
/* The index file's bytes, in a malloc'd buffer. -EFBIG past 256 MiB. */
int kml_index_writer_build(const struct kml_index_writer *writer, void **ret_data,
			   size_t *ret_size);

/* ------------------------------------------------------- module lookup */

struct kml_module {
	char *name;	/* module name ("-" turned into "_") */
	char *path;	/* absolute path; NULL for a built-in module */
	bool builtin;
};

struct kml_module_list {
	struct kml_module *modules;
	size_t count;
};

/* Module name from a path or name: basename up to the first '.', '-' -> '_'.
 * Writes at most size bytes; -ENAMETOOLONG when it does not fit. */
int kml_module_name_from_path(const char *path, char *buf, size_t size);
/* Normalises an alias or name: '-' -> '_' outside [...]. -EINVAL on a bad ']'. */
int kml_alias_normalize(const char *alias, char *buf, size_t size);

enum kml_lookup_flags {
	KML_LOOKUP_NAME_ONLY = 1 << 0, /* modules.dep.bin and built-ins by name only */
};

/*
 * Resolves NAME (module name, alias, "symbol:SYM") through modules.dep.bin,
 * modules.symbols.bin, modules.alias.bin, modules.builtin.bin and
 * modules.builtin.alias.bin, in that order: the first step with a result wins.
 * An empty list (count 0) means not found.
 */
int kml_lookup(struct kml_ctx *ctx, const char *name, unsigned int flags,
	       struct kml_module_list *ret_list);
/* Module for a file path (made absolute against the current directory). */
int kml_module_from_path(const char *path, struct kml_module_list *ret_list);
void kml_module_list_release(struct kml_module_list *list);

/* --------------------------------------------------- depmod configuration */

/* depmod.d: where modules are searched, which copy of a module wins. */
struct kml_depmod_config;

enum kml_search_kind {
	KML_SEARCH_DIR,	     /* a subdirectory of the module directory */
	KML_SEARCH_BUILTIN,  /* "built-in": the standard tree */
	KML_SEARCH_EXTERNAL, /* "external": the external directories */
};

struct kml_search_entry {
	enum kml_search_kind kind;
	const char *dir; /* KML_SEARCH_DIR: the subdirectory as written */
};

/*
 * Reads the depmod.d configuration for kernel version KVER.
 * PATHS: NULL-terminated list of files or directories (NULL: the defaults
 * /etc/depmod.d, /run/depmod.d, /usr/local/lib/depmod.d, /usr/lib/depmod.d,
 * /lib/depmod.d; only *.conf files, merged and sorted by basename, the first
 * directory holding a basename wins). Bad lines are logged through CTX with
 * file and line, and skipped. A missing default directory is not an error.
 */
int kml_depmod_config_load(struct kml_ctx *ctx, const char *const *paths, const char *kver,
			   struct kml_depmod_config **ret_config);
void kml_depmod_config_free(struct kml_depmod_config *config);
/* search entries in priority order (highest first); the default when no
 * `search` line exists is "updates" then built-in. */
const struct kml_search_entry *kml_depmod_config_search(const struct kml_depmod_config *config,
							size_t *ret_count);
/* Subdirectory given by an `override MODNAME KVER SUBDIR` line matching
 * KVER, or NULL. MODNAME is compared normalised. */
const char *kml_depmod_config_override(const struct kml_depmod_config *config,
				       const char *modname);
/* External directories (absolute), from `external KVER DIR` lines matching KVER. */
const char *const *kml_depmod_config_external(const struct kml_depmod_config *config,
					      size_t *ret_count);
/* Whether directory basename NAME is excluded (`exclude NAME...`; "build"
 * and "source" are always excluded). */
bool kml_depmod_config_excluded(const struct kml_depmod_config *config, const char *name);

/* ----------------------------------------------------------------- depmod */

struct kml_depmod_options {
	const char *base_dir;	       /* -b: root of the input tree ("" or NULL: /) */
	const char *out_dir;	       /* -o: root of the output (NULL: base_dir) */
	const char *module_dir;	       /* -m: NULL for "/lib/modules" */
	const char *const *config_paths; /* -C, NULL-terminated; NULL: defaults */
	const char *system_map;	       /* -F */
	const char *symvers;	       /* -E */
	const char *const *files;      /* explicit module files, or NULL for all */
	bool errsyms;		       /* -e: report unknown symbols, CRC mismatches */
	bool quick;		       /* -A: do nothing when modules.dep is newest */
	bool warn_duplicates;	       /* -w */
	char symbol_prefix;	       /* -P, or 0 */
	unsigned int jobs;	       /* parser threads; 0: online CPUs */
	void *dry_run_stream;	       /* -n: FILE * receiving the text outputs */
};

/*
 * Generates modules.dep and the other indexes for CTX's kernel version.
 * Messages (unreadable modules, unknown symbols, cycles) go to CTX's log.
 * Every output is written to a temporary file, fsync'd and renamed; on any
 * failure (a dependency cycle, a full disk) no old file is replaced.
 * Returns 0, or a negative errno (-ELOOP for dependency cycles).
 */
int kml_depmod_run(struct kml_ctx *ctx, const struct kml_depmod_options *opts);

/* ------------------------------------------------------ built-in modinfo */

/*
 * Reads MODULE's records from modules.builtin.modinfo in the module directory.
 * The entries point into buffer *ret_buffer (free() both).
 * -ENOENT when the file or the module is absent.
 */
int kml_builtin_get_modinfo(struct kml_ctx *ctx, const char *module,
			    struct kml_modinfo_entry **ret_entries, size_t *ret_count,
			    char **ret_buffer);

#ifdef __cplusplus
}
#endif

#endif
