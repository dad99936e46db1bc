/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmodlite: reading Linux kernel modules, their indexes and metadata.
 *
 * This is the library's interface to the programs of this tree: the tools
 * (src/) and libkmod.so.2 (libkmodlite/libkmod/). It is not installed and
 * promises nothing outside the tree; programs outside it use libkmod's
 * interface (libkmod.h, libkmod.so.2). It holds what those programs call,
 * and only that: functions that only the library's own files (and its tests)
 * call are declared in its private headers (kmodlite-private.h,
 * depmod-config.h, index-write.h), and those only the adapter needs in
 * adapter-support.h.
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

/* Version string of the library, and the optional features it was built with
 * ("+ZSTD +XZ +ZLIB +LIBCRYPTO" or with '-' for the missing ones). */
const char *kml_version(void);
const char *kml_features(void);

/* ---------------------------------------------------------- module files */

struct kml_file;

/*
 * Opens a module file: plain files are mapped, compressed ones (detected by
 * magic bytes) decompressed in memory. -ENOTSUP when the library was built
 * without the needed decompressor or cannot load it, -EFBIG when the content
 * exceeds 512 MiB (KML_MAX_MODULE_SIZE), -EBADMSG for a corrupt stream or a
 * file too short to be a module.
 */
int kml_file_open(const char *path, struct kml_file **ret_file);
void kml_file_free(struct kml_file *file);
const void *kml_file_data(const struct kml_file *file);
size_t kml_file_size(const struct kml_file *file);

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

/* ------------------------------------------------ signature verification */

/* A set of trusted X.509 certificates (libcrypto). Read-only once loaded:
 * one keyring may serve kml_verify_module() on many threads at once. */
struct kml_keyring;

enum kml_verdict {
	KML_VERDICT_GOOD,	   /* signed by a known key, and the signature checks */
	KML_VERDICT_BAD_SIGNATURE, /* known key, but content or signature altered */
	KML_VERDICT_UNKNOWN_KEY,   /* signer not among the certificates */
	KML_VERDICT_UNSIGNED,	   /* no appended signature */
	KML_VERDICT_MALFORMED,	   /* a signature the kernel cannot parse */
};

struct kml_verify_result {
	enum kml_verdict verdict;
	char *signer;	 /* signer's common name (subject of the known key, else
			    the issuer the signature names); NULL when unsigned */
	char *key_id;	 /* serial number or subject key id, "AB:CD:..." */
	char *hash_algo; /* "sha256", ... */
	char *reason;	 /* what is malformed, or NULL */
};

/* -ENOTSUP when built without libcrypto or it cannot be loaded. */
int kml_keyring_new(struct kml_keyring **ret_keyring);
void kml_keyring_free(struct kml_keyring *keyring);
/* Every PEM certificate of PATH, or its one DER certificate: the count added,
 * -EBADMSG when it holds none. */
int kml_keyring_add_file(struct kml_keyring *keyring, const char *path);
/* Every file of DIR holding certificates (others are passed over), in name
 * order: the count added. */
int kml_keyring_add_dir(struct kml_keyring *keyring, const char *dir);
size_t kml_keyring_count(const struct kml_keyring *keyring);
/*
 * Verifies the signature appended to a module's (decompressed) bytes as the
 * kernel would. The verdict is in *res (kml_verify_result_clear() it); a
 * negative errno only when the check could not be made (memory, -ENOTSUP).
 */
int kml_verify_module(const struct kml_keyring *keyring, const void *data, size_t size,
		      struct kml_verify_result *res);
void kml_verify_result_clear(struct kml_verify_result *res);
/* "good", "bad signature", "unknown key", "unsigned", "malformed". */
const char *kml_verdict_name(enum kml_verdict verdict);

/* ------------------------------------------------------- binary indexes */

struct kml_index;

struct kml_index_value {
	unsigned int priority;
	const char *value; /* NUL-terminated, points into the index mapping */
};

/* Maps a modules.*.bin file. -EBADMSG when the header is wrong. */
int kml_index_open(const char *path, struct kml_index **ret_index);
void kml_index_close(struct kml_index *index);
/* Calls FN for every (key, value) in key order; stops when FN returns non-zero. */
int kml_index_foreach(const struct kml_index *index,
		      int (*fn)(void *data, const char *key, const struct kml_index_value *value),
		      void *data);

/* ------------------------------------------------------- module lookup */

/* The strings belong to the list: kml_module_list_release() frees them. */
struct kml_module {
	char *name;	/* module name ("-" turned into "_") */
	char *path;	/* absolute path; NULL for a built-in module */
	char *alias;	/* the alias it was found through (normalised), or NULL */
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
/* Length of the module file extension (.ko, .ko.gz, .ko.xz, .ko.zst) ending
 * PATH, 0 when it has none or nothing comes before it. */
size_t kml_module_ext_len(const char *path);

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
struct kml_config;
/*
 * modprobe's lookup, in the documented order: configuration aliases, then
 * modules.dep.bin by name, modules.symbols.bin for "symbol:", a module
 * with an install/remove command of that name, modules.alias.bin,
 * modules.builtin.bin, modules.builtin.alias.bin. CONFIG may be NULL.
 */
int kml_lookup_with_config(struct kml_ctx *ctx, const struct kml_config *config, const char *name,
			   struct kml_module_list *ret_list);
/* Which step of kml_lookup_with_config() found the modules. */
enum kml_lookup_source {
	KML_SOURCE_NONE,	  /* nothing found */
	KML_SOURCE_CONFIG_ALIAS,  /* an `alias` line of the configuration */
	KML_SOURCE_NAME,	  /* a module of that name in modules.dep.bin */
	KML_SOURCE_SYMBOL,	  /* modules.symbols.bin ("symbol:NAME") */
	KML_SOURCE_COMMAND,	  /* no module, but an install/remove command */
	KML_SOURCE_ALIAS,	  /* a pattern of modules.alias.bin */
	KML_SOURCE_BUILTIN,	  /* a built-in module of that name */
	KML_SOURCE_BUILTIN_ALIAS, /* a pattern of modules.builtin.alias.bin */
};
/* kml_lookup_with_config(), also saying which step found the modules
 * (RET_SOURCE may be NULL). */
int kml_lookup_with_config_source(struct kml_ctx *ctx, const struct kml_config *config,
				  const char *name, struct kml_module_list *ret_list,
				  enum kml_lookup_source *ret_source);
/* The module called NAME (normalised): its path from modules.dep.bin, or
 * built-in, or neither (path NULL, builtin false). */
int kml_module_by_name(struct kml_ctx *ctx, const char *name, struct kml_module_list *ret_list);
/* NAME's dependencies from modules.dep.bin, in load order (deepest first). */
int kml_module_get_dependencies(struct kml_ctx *ctx, const char *name,
				struct kml_module_list *ret_list);

/* Module for a file path (made absolute against the current directory). */
int kml_module_from_path(const char *path, struct kml_module_list *ret_list);
void kml_module_list_release(struct kml_module_list *list);

/* --------------------------------------------------------- running kernel */

/*
 * Everything that touches the running kernel: /proc/modules, /sys/module,
 * /sys/module/compression, /proc/cmdline and the finit_module, init_module
 * and delete_module system calls. Nothing else in the library does.
 */

enum kml_module_state {
	KML_STATE_NOT_LOADED = 0,
	KML_STATE_BUILTIN,
	KML_STATE_LIVE,
	KML_STATE_COMING,
	KML_STATE_GOING,
};

/* State of module NAME from /sys/module/NAME (a directory without initstate
 * is a built-in module). */
int kml_kernel_module_state(const char *name, enum kml_module_state *ret_state);
/* /sys/module/NAME/refcnt; -ENOENT when not loaded or built-in. */
int kml_kernel_module_refcount(const char *name, int *ret_refcount);
/* Names in /sys/module/NAME/holders/, in directory order (free() each and the array). */
int kml_kernel_module_holders(const char *name, char ***ret_holders, size_t *ret_count);

struct kml_loaded_module {
	char *name;
	unsigned long size;
	int refcount; /* -1 when /proc/modules says '-' */
	char *holders; /* as in /proc/modules without the trailing ',': "a,b", or "" */
	char *state;   /* "Live", "Loading", "Unloading" */
};
/* /proc/modules, in its order (newest first). */
int kml_kernel_list_modules(struct kml_loaded_module **ret_modules, size_t *ret_count);
void kml_kernel_free_module_list(struct kml_loaded_module *modules, size_t count);

/* The text of /proc/cmdline (malloc'd). */
int kml_kernel_read_cmdline(char **ret_text);

/* A parameter of a module in the kernel (/sys/module/NAME/parameters/). */
struct kml_kernel_param {
	char *name;
	char *value;	   /* its text without the final newline; NULL when
			    * it could not be read (errno in read_error) */
	int read_error;	   /* negative errno, or 0 */
	unsigned int mode; /* permission bits of the file */
};
/* The parameters of module NAME, sorted by name (kml_kernel_free_params()).
 * -ENOENT when /sys/module/NAME does not exist; a module without a
 * parameters directory has none. */
int kml_kernel_module_params(const char *name, struct kml_kernel_param **ret_params,
			     size_t *ret_count);
void kml_kernel_free_params(struct kml_kernel_param *params, size_t count);
/* The current text of one parameter (malloc'd, final newline removed). */
int kml_kernel_param_read(const char *name, const char *param, char **ret_value);
/* Writes VALUE to /sys/module/NAME/parameters/PARAM in one write(2): 0, or
 * the negative errno the kernel's setter returned. */
int kml_kernel_param_write(const char *name, const char *param, const char *value);

enum kml_insert_flags {
	KML_INSERT_FORCE_MODVERSION = 1 << 0, /* MODULE_INIT_IGNORE_MODVERSIONS */
	KML_INSERT_FORCE_VERMAGIC = 1 << 1,   /* MODULE_INIT_IGNORE_VERMAGIC */
};

/*
 * Inserts the module file PATH with PARAMS (may be NULL). finit_module() on
 * the file when it is uncompressed or the kernel decompresses its format
 * (/sys/module/compression); otherwise, or on ENOSYS, the file is read and
 * decompressed here and passed to init_module(), on a private copy stripped
 * of __versions / vermagic as the force flags ask.
 * Returns 0 or the kernel's negative errno (-EEXIST: already loaded).
 */
int kml_kernel_insert(const char *path, const char *params, unsigned int flags);
/* delete_module(NAME, O_NONBLOCK [| O_TRUNC when force]). */
int kml_kernel_remove(const char *name, bool force);

/* ------------------------------------------------- modprobe configuration */

/* modprobe.d, modules.softdep/weakdep and the kernel command line. */
struct kml_config;

/*
 * Reads the modprobe configuration.
 * PATHS: NULL-terminated list of files or directories (NULL: /etc/modprobe.d,
 * /run/modprobe.d, /usr/local/lib/modprobe.d, /usr/lib/modprobe.d,
 * /lib/modprobe.d; *.conf only, merged and sorted by basename, the first
 * directory holding a basename wins). modules.softdep and modules.weakdep of
 * CTX's module directory take part in that sort by their names, as in kmod
 * (between "aliases.conf" and "zz.conf"). CMDLINE: the kernel command
 * line's text (its MOD.PARAM=VALUE options and modprobe.blacklist=), or NULL.
 * Bad lines are logged with file and line, then skipped.
 */
int kml_config_load(struct kml_ctx *ctx, const char *const *paths, const char *cmdline,
		    struct kml_config **ret_config);
void kml_config_free(struct kml_config *config);

/* The first `install` / `remove` command for MODULE, or NULL. */
const char *kml_config_get_install(const struct kml_config *config, const char *module);
const char *kml_config_get_remove(const struct kml_config *config, const char *module);
/* `blacklist MODULE` or modprobe.blacklist= on the command line. */
bool kml_config_is_blacklisted(const struct kml_config *config, const char *module);
/* `forbid MODULE` or modprobe.forbid= on the command line: where the first
 * one is ("FILE:LINE", or a phrase naming the command line), else NULL. */
const char *kml_config_forbidden(const struct kml_config *config, const char *module);
/* pre: and post: modules of every `softdep MODULE` line, merged in file
 * order (kmod keeps only the first line: its bug #33). */
int kml_config_get_softdeps(const struct kml_config *config, const char *module,
			    const char *const **ret_pre, size_t *ret_pre_count,
			    const char *const **ret_post, size_t *ret_post_count);
/* modules of every `weakdep MODULE` line, merged in file order */
int kml_config_get_weakdeps(const struct kml_config *config, const char *module,
			    const char *const **ret_modules, size_t *ret_count);
/* The configuration as `modprobe -c` prints it, before the index dump
 * (malloc'd text). */
int kml_config_dump(const struct kml_config *config, char **ret_text);

/* One configuration line that applies to a name (kml_config_lines()). The
 * strings and arrays belong to the configuration. */
enum kml_config_directive {
	KML_DIRECTIVE_ALIAS,
	KML_DIRECTIVE_BLACKLIST,
	KML_DIRECTIVE_INSTALL,
	KML_DIRECTIVE_REMOVE,
	KML_DIRECTIVE_OPTIONS,
	KML_DIRECTIVE_SOFTDEP,
	KML_DIRECTIVE_WEAKDEP,
};
struct kml_config_line {
	enum kml_config_directive directive;
	const char *name;  /* module name, or the alias's pattern (normalised) */
	const char *text;  /* alias: the module; options, install, remove: as
			    * written; NULL for the others */
	const char *const *pre; /* softdep: pre: modules; weakdep: its modules */
	size_t n_pre;
	const char *const *post; /* softdep: post: modules */
	size_t n_post;
	const char *path;  /* the file; NULL for the kernel command line */
	unsigned long line; /* 1-based line in PATH (0 for the command line) */
};
/* "alias", "blacklist", ... */
const char *kml_config_directive_name(enum kml_config_directive d);
/*
 * The lines that apply to NAME (normalised first): `alias` lines whose
 * pattern matches it, and every other line naming it as its module, the
 * kernel command line's included; grouped by directive in the order of the
 * enum, each group in configuration order. free() the array only.
 */
int kml_config_lines(const struct kml_config *config, const char *name,
		     struct kml_config_line **ret_lines, size_t *ret_count);

/* ------------------------------------------------------------ explanations */

/* What `kmod why` reports beyond the lookup, the configuration and the probe
 * plans. The strings belong to the array: kml_pairs_free() frees them. */
struct kml_pair {
	char *first;
	char *second;
};
void kml_pairs_free(struct kml_pair *pairs, size_t count);
/* The patterns of modules.alias.bin (BUILTIN: modules.builtin.alias.bin)
 * that match NAME (normalised first), each with its module (first: the
 * pattern, second: the module), in index order. */
int kml_alias_patterns(struct kml_ctx *ctx, const char *name, bool builtin,
		       struct kml_pair **ret_pairs, size_t *ret_count);
/* The symbols the module file PATH needs that a module of modules.symbols.bin
 * exports (first: the symbol, second: the exporting module), in the
 * module's symbol table order; symbols of the kernel itself are left out. */
int kml_module_symbol_providers(struct kml_ctx *ctx, const char *path,
				struct kml_pair **ret_pairs, size_t *ret_count);

/* ------------------------------------------------------ module parameters */

/*
 * Checks VALUE against a parameter type as modinfo's parmtype names it
 * ("int", "charp", "array of int", ...), the way the kernel's setter for
 * that type parses it: 0 when it would accept it; -EINVAL not of the type,
 * -ERANGE out of range, -ENOSPC too long (charp: 1023 bytes at most);
 * -ENOTSUP when the type is not one of the kernel's standard ones (the
 * module's own setter decides: nothing to check here). Arrays: every
 * element (separated by ',') is checked; how many the array holds is not
 * in modinfo, so a count over it is left to the kernel.
 */
int kml_param_check(const char *type, const char *value);
/* A short English reason for kml_param_check()'s error R on TYPE. */
const char *kml_param_check_reason(const char *type, int r);
/*
 * Calls FN for each PARAM[=VALUE] word of an options text as the kernel
 * splits a module's parameter string (blanks separate words, double quotes
 * group, quotes around a value removed); VALUE is NULL for a word without
 * '='. FN's non-zero return stops the walk and is returned.
 */
int kml_param_split(const char *options,
		    int (*fn)(void *data, const char *param, size_t param_len, const char *value,
			      size_t value_len),
		    void *data);

/* ------------------------------------------------------------- probe plans */

/*
 * What modprobe does to load or remove a module, step by step: pure planning
 * from the configuration and the indexes, no kernel access. What depends on
 * the kernel's state at the moment a step is reached (is the module loaded,
 * in use, who holds it) is a condition written into the step, which the
 * caller checks when it carries the step out, in order.
 */
enum kml_probe_action {
	/* loading */
	KML_PROBE_IF_NOT_LOADED, /* first step: when `name` is already in the kernel
				  * (loaded, or `builtin`), the load is done: stop */
	KML_PROBE_INSERT,	 /* insert the file `path` with `options`; skipped when
				  * the module is already in the kernel */
	KML_PROBE_INSTALL,	 /* run the install command `command` (options appended);
				  * skipped likewise */
	/* removal */
	KML_PROBE_IF_LOADED,	  /* go on only if `name` is loaded: when it is not,
				   * or is built-in, stop */
	KML_PROBE_REMOVE_NESTED,  /* remove module `name` by its own plan
				   * (KML_PROBE_NESTED); its failure is ignored */
	KML_PROBE_REMOVE_HOLDERS, /* remove the modules holding `name` at that moment,
				   * the last listed first, each by its own plan as a
				   * target: the first failure fails this plan */
	KML_PROBE_REMOVE,	  /* remove `name` from the kernel */
	KML_PROBE_REMOVE_COMMAND, /* run the remove command `command` */
};

/* Conditions of a step (kml_probe_step.flags). A removal step that fails
 * ends its plan: the plan fails when the step is `required`. */
enum kml_probe_step_flags {
	KML_PROBE_FAIL_LOADED = 1 << 0,	 /* IF_NOT_LOADED, INSERT, INSTALL: the module
					  * in the kernel already fails the load with
					  * -EEXIST (--first-time) */
	KML_PROBE_FAIL_ABSENT = 1 << 1,	 /* IF_LOADED, REMOVE: the module not loaded
					  * fails the removal with -ENOENT
					  * (--first-time) */
	KML_PROBE_FAIL_BUILTIN = 1 << 2, /* IF_LOADED: a built-in module fails the
					  * removal with -ENOENT */
	KML_PROBE_FAIL_BUSY = 1 << 3,	 /* REMOVE: a reference count above 0 fails
					  * the removal with -EBUSY, the kernel
					  * not asked */
	KML_PROBE_KEEP_BUSY = 1 << 4,	 /* REMOVE: a reference count above 0 keeps
					  * the module, and ends the plan without
					  * failure (a dependency others still use) */
};

/* The strings belong to the plan: kml_probe_plan_release() frees them. */
struct kml_probe_step {
	enum kml_probe_action action;
	char *name;
	char *path;    /* NULL for built-in modules and modules not in the tree */
	char *options; /* for INSERT/INSTALL: config, kernel command line, extra */
	char *command; /* INSTALL/REMOVE_COMMAND */
	bool builtin;  /* listed in modules.builtin */
	bool required; /* loading: the target or one of its dependencies (not a
			* softdep): its failure fails the whole load; removal:
			* its failure fails the plan */
	bool target;   /* the module asked for */
	unsigned int flags; /* enum kml_probe_step_flags */
};

struct kml_probe_plan {
	struct kml_probe_step *steps;
	size_t count;
	size_t cap; /* of steps */
};

enum kml_probe_flags {
	KML_PROBE_IGNORE_COMMANDS = 1 << 0, /* -i: no install/remove commands or softdeps
					     * for the target */
	KML_PROBE_USE_BLACKLIST = 1 << 1,   /* -b: the blacklist applies to a module
					     * asked for by name too */
	KML_PROBE_FIRST_TIME = 1 << 2,	    /* --first-time: the target already loaded
					     * (removal: not loaded) is a failure */
	KML_PROBE_HOLDERS_FIRST = 1 << 3,   /* removal: the modules holding each
					     * module go first (--remove-holders) */
	KML_PROBE_WAIT = 1 << 4,	    /* removal: a target in use is left to the
					     * kernel (the caller waits, -w) */
	KML_PROBE_NESTED = 1 << 5,	    /* removal: the module is a dependency or
					     * softdep of the target, not asked for */
	KML_PROBE_ONLY_CHECK = 1 << 6,	    /* loading: the plan is its first step
					     * alone (IF_NOT_LOADED), so that a module
					     * already in the kernel costs no planning */
	KML_PROBE_BLACKLIST_ALIAS = 1 << 7, /* loading: the blacklist applies to a
					     * module reached through an alias
					     * (modprobe always asks for this) */
	KML_PROBE_VISIT_PER_ALIAS = 1 << 8, /* loading: "each module once" counts a
					     * module reached through an alias apart
					     * from the same module reached by name or
					     * through another alias, as libkmod's
					     * probe list does (its objects are keyed
					     * by name and alias): libkmod.so.2 asks
					     * for this, modprobe does not */
};

/*
 * The steps to load TARGET (from kml_lookup_with_config): IF_NOT_LOADED
 * TARGET, then, unless the blacklist stops it (TARGET reached through an
 * alias with KML_PROBE_BLACKLIST_ALIAS, or KML_PROBE_USE_BLACKLIST), its pre-softdeps, its dependencies
 * deepest first, itself (or its install command), its post-softdeps,
 * recursively, each module once, in the reference's order. EXTRA_OPTIONS
 * (command-line parameters) go to the target only. -EPERM (logged with the
 * file and line) when the target or any module the plan would load is
 * forbidden (kml_config_forbidden()).
 */
int kml_probe_plan_insert(struct kml_ctx *ctx, const struct kml_config *config,
			  const struct kml_module *target, unsigned int flags,
			  const char *extra_options, struct kml_probe_plan *ret_plan);
/*
 * The steps to remove MODULE (only its name is used), one level deep: unless
 * it has a remove command, IF_LOADED MODULE; its post-softdeps (last first);
 * with KML_PROBE_HOLDERS_FIRST, its holders; the module itself (or its
 * remove command); unless a remove command, its dependencies (closest
 * first); its pre-softdeps (last first). Each dependency and softdep is a
 * REMOVE_NESTED step: the caller plans it in turn, with KML_PROBE_NESTED,
 * when it gets there. Without KML_PROBE_NESTED MODULE is the target:
 * errors are reported and KML_PROBE_IGNORE_COMMANDS applies.
 */
int kml_probe_plan_remove(struct kml_ctx *ctx, const struct kml_config *config,
			  const struct kml_module *module, unsigned int flags,
			  struct kml_probe_plan *ret_plan);
void kml_probe_plan_release(struct kml_probe_plan *plan);

/* ------------------------------------------------ install/remove commands */

/*
 * Runs an install or remove command with /bin/sh -c, $CMDLINE_OPTS replaced
 * by OPTIONS. Its environment is this process's with MODPROBE_MODULE=NAME
 * and each "VAR=VALUE" of ENV (NULL-terminated; may be NULL) set. Returns
 * the exit status (>= 0; 128 + N for signal N), or a negative errno when it
 * could not run.
 */
int kml_command_run(const char *name, const char *command, const char *options,
		    const char *const *env);

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
	bool no_cache;		       /* neither read nor write modules.depmod-cache */
	bool cache_if_present;	       /* use and keep a cache only where one exists */
	void *dry_run_stream;	       /* -n: FILE * receiving the text outputs */
};

/*
 * Generates modules.dep and the other indexes for CTX's kernel version.
 * Messages (unreadable modules, unknown symbols, cycles) go to CTX's log.
 * Every output is written to a temporary file, fsync'd and renamed; on any
 * failure (a dependency cycle, a full disk) no old file is replaced.
 * Unless OPTS->no_cache, what was parsed from each module file is kept in
 * modules.depmod-cache beside the outputs, and the next run parses only the
 * files whose stat() changed; the outputs are the same either way.
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
