/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmod.h: the libkmod programming interface, served by kmodlite.
 *
 * Programs written for libkmod (systemd-udevd, dracut-install, lspci -k, ...)
 * build against this header and run on kmodlite's libkmod.so.2 unchanged.
 * Names, prototypes and the numeric values of every enumeration are
 * libkmod's; the words are ours.
 *
 * The rules every function follows:
 *  - an int result is 0 (or a count) on success, a negative errno on error;
 *  - strings returned by getters belong to the object they came from;
 *  - objects are reference counted; unref functions accept NULL;
 *  - a context must not be used by two threads at once; separate contexts
 *    may be used from separate threads.
 *
 * One deliberate difference from libkmod (testsuite/differential/libkmod.sh
 * checks that it is the only one): when the configuration (modprobe.d or
 * the module directory's modules.softdep/modules.weakdep) has several
 * softdep lines, or several weakdep lines, for one module, all of them
 * count, in configuration order, as kmod's own tools document it;
 * libkmod uses only the first (kmod bug #33). This shows in
 * kmod_module_get_softdeps, kmod_module_get_weakdeps and the modules
 * kmod_module_probe_insert_module loads. The configuration iterators list
 * every line, as libkmod's do.
 */
#ifndef _LIBKMOD_H_
#define _LIBKMOD_H_

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- context */

/*
 * A context: a module directory, the modprobe configuration read when it
 * is created, the indexes of that directory and a log function.
 */
struct kmod_ctx;

/*
 * dirname: the module directory (NULL: /lib/modules/`uname -r`; a relative
 * path is taken from the current directory). config_paths: NULL-terminated
 * list of files and directories replacing the default modprobe.d locations,
 * or NULL. Returns NULL on failure.
 */
struct kmod_ctx *kmod_new(const char *dirname, const char *const *config_paths);
struct kmod_ctx *kmod_ref(struct kmod_ctx *ctx);
struct kmod_ctx *kmod_unref(struct kmod_ctx *ctx);

/* Messages of at most the context's priority (syslog numbers; LOG_ERR
 * unless the KMOD_LOG variable says otherwise) go to log_fn. */
void kmod_set_log_fn(struct kmod_ctx *ctx,
		     void (*log_fn)(void *log_data, int priority, const char *file, int line,
				    const char *fn, const char *format, va_list args),
		     const void *data);
int kmod_get_log_priority(const struct kmod_ctx *ctx);
void kmod_set_log_priority(struct kmod_ctx *ctx, int priority);
void *kmod_get_userdata(const struct kmod_ctx *ctx);
void kmod_set_userdata(struct kmod_ctx *ctx, const void *userdata);
/* The module directory, absolute. */
const char *kmod_get_dirname(const struct kmod_ctx *ctx);

/* Opens every index of the module directory now instead of on first use. */
int kmod_load_resources(struct kmod_ctx *ctx);
void kmod_unload_resources(struct kmod_ctx *ctx);

enum kmod_resources {
	KMOD_RESOURCES_OK = 0,		 /* nothing changed on disk */
	KMOD_RESOURCES_MUST_RELOAD = 1,	 /* indexes changed: unload and load them */
	KMOD_RESOURCES_MUST_RECREATE = 2, /* configuration changed: a new context */
};
int kmod_validate_resources(struct kmod_ctx *ctx);

enum kmod_index {
	KMOD_INDEX_MODULES_DEP = 0,
	KMOD_INDEX_MODULES_ALIAS,
	KMOD_INDEX_MODULES_SYMBOL,
	KMOD_INDEX_MODULES_BUILTIN_ALIAS,
	KMOD_INDEX_MODULES_BUILTIN,
	_KMOD_INDEX_PAD = 1U << 31, /* keeps the enumeration int-sized */
};
/* Writes every entry of an index to fd as text. */
int kmod_dump_index(struct kmod_ctx *ctx, enum kmod_index type, int fd);

/* --------------------------------------------------------------- lists */

/* A list of results; an entry is handed to the getter of what it holds. */
struct kmod_list;
struct kmod_list *kmod_list_next(const struct kmod_list *list, const struct kmod_list *curr);
struct kmod_list *kmod_list_prev(const struct kmod_list *list, const struct kmod_list *curr);
struct kmod_list *kmod_list_last(const struct kmod_list *list);

#define kmod_list_foreach(list_entry, first_entry)                        \
	for (list_entry = first_entry; list_entry != NULL;                \
	     list_entry = kmod_list_next(first_entry, list_entry))

#define kmod_list_foreach_reverse(list_entry, first_entry)                \
	for (list_entry = kmod_list_last(first_entry); list_entry != NULL; \
	     list_entry = kmod_list_prev(first_entry, list_entry))

/* ------------------------------------------------- configuration lists */

/* Walks one kind of configuration record, in configuration order. Start
 * with kmod_config_iter_next(), which returns false past the end. */
struct kmod_config_iter;
struct kmod_config_iter *kmod_config_get_blacklists(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_install_commands(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_remove_commands(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_aliases(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_options(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_softdeps(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_weakdeps(const struct kmod_ctx *ctx);
const char *kmod_config_iter_get_key(const struct kmod_config_iter *iter);
const char *kmod_config_iter_get_value(const struct kmod_config_iter *iter);
bool kmod_config_iter_next(struct kmod_config_iter *iter);
void kmod_config_iter_free_iter(struct kmod_config_iter *iter);

/* ------------------------------------------------------------- modules */

/* A kernel module known by name, with a file, built in, or neither. One
 * object per name and context. */
struct kmod_module;

int kmod_module_new_from_name(struct kmod_ctx *ctx, const char *name, struct kmod_module **mod);
int kmod_module_new_from_path(struct kmod_ctx *ctx, const char *path, struct kmod_module **mod);
/* Every module an alias, module name or "symbol:NAME" resolves to, in
 * modprobe's order. *list must be NULL; it stays NULL when none does. */
int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *given_alias,
				struct kmod_list **list);
/* The module of that name with a file or built in; *mod NULL when neither. */
int kmod_module_new_from_name_lookup(struct kmod_ctx *ctx, const char *modname,
				     struct kmod_module **mod);
/* The modules of /proc/modules. */
int kmod_module_new_from_loaded(struct kmod_ctx *ctx, struct kmod_list **list);

struct kmod_module *kmod_module_ref(struct kmod_module *mod);
struct kmod_module *kmod_module_unref(struct kmod_module *mod);
/* Drops every module of the list and the list itself. */
int kmod_module_unref_list(struct kmod_list *list);
/* The module of a list entry, with a new reference. */
struct kmod_module *kmod_module_get_module(const struct kmod_list *entry);

enum kmod_remove {
	KMOD_REMOVE_FORCE = O_TRUNC,
	KMOD_REMOVE_NOWAIT = O_NONBLOCK, /* always on */
	KMOD_REMOVE_NOLOG = 1,		  /* no message when it fails */
};

enum kmod_insert {
	KMOD_INSERT_FORCE_VERMAGIC = 0x1,
	KMOD_INSERT_FORCE_MODVERSION = 0x2,
};

enum kmod_probe {
	KMOD_PROBE_FORCE_VERMAGIC = 0x00001,
	KMOD_PROBE_FORCE_MODVERSION = 0x00002,
	KMOD_PROBE_IGNORE_COMMAND = 0x00004,
	KMOD_PROBE_IGNORE_LOADED = 0x00008,
	KMOD_PROBE_DRY_RUN = 0x00010,
	KMOD_PROBE_FAIL_ON_LOADED = 0x00020,
	KMOD_PROBE_APPLY_BLACKLIST_ALL = 0x10000,
	KMOD_PROBE_APPLY_BLACKLIST = 0x20000,
	KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY = 0x40000,
};

enum kmod_filter {
	KMOD_FILTER_BLACKLIST = 0x00001,
	KMOD_FILTER_BUILTIN = 0x00002,
};

int kmod_module_remove_module(struct kmod_module *mod, unsigned int flags);
int kmod_module_insert_module(struct kmod_module *mod, unsigned int flags, const char *options);
/*
 * Loads the module as modprobe would: its softdeps and dependencies first,
 * install commands run (through run_install when given, else /bin/sh), the
 * configured options plus extra_options for the module itself. Returns 0,
 * a negative errno, or the KMOD_PROBE_APPLY_BLACKLIST* flag that stopped
 * it. print_action, when given, is told of each step before it is taken.
 */
int kmod_module_probe_insert_module(struct kmod_module *mod, unsigned int flags,
				    const char *extra_options,
				    int (*run_install)(struct kmod_module *m, const char *cmdline,
						       void *data),
				    const void *data,
				    void (*print_action)(struct kmod_module *m, bool install,
							 const char *options));

const char *kmod_module_get_name(const struct kmod_module *mod);
const char *kmod_module_get_path(const struct kmod_module *mod);
const char *kmod_module_get_options(const struct kmod_module *mod);
const char *kmod_module_get_install_commands(const struct kmod_module *mod);
const char *kmod_module_get_remove_commands(const struct kmod_module *mod);
/* modules.dep's dependencies, in its order. */
struct kmod_list *kmod_module_get_dependencies(const struct kmod_module *mod);
int kmod_module_get_softdeps(const struct kmod_module *mod, struct kmod_list **pre,
			     struct kmod_list **post);
int kmod_module_get_weakdeps(const struct kmod_module *mod, struct kmod_list **weak);
int kmod_module_get_filtered_blacklist(const struct kmod_ctx *ctx, const struct kmod_list *input,
				       struct kmod_list **output) __attribute__((deprecated));
/* The modules of input that pass the filter, with new references. */
int kmod_module_apply_filter(const struct kmod_ctx *ctx, enum kmod_filter filter_type,
			     const struct kmod_list *input, struct kmod_list **output);

/* ------------------------------------------ what the running kernel says */

enum kmod_module_initstate {
	KMOD_MODULE_BUILTIN = 0,
	KMOD_MODULE_LIVE,
	KMOD_MODULE_COMING,
	KMOD_MODULE_GOING,
	_KMOD_MODULE_PAD = 1U << 31, /* keeps the enumeration int-sized */
};
const char *kmod_module_initstate_str(enum kmod_module_initstate state);
int kmod_module_get_initstate(const struct kmod_module *mod);
int kmod_module_get_refcnt(const struct kmod_module *mod);
struct kmod_list *kmod_module_get_holders(const struct kmod_module *mod);
struct kmod_list *kmod_module_get_sections(const struct kmod_module *mod);
const char *kmod_module_section_get_name(const struct kmod_list *entry);
unsigned long kmod_module_section_get_address(const struct kmod_list *entry);
void kmod_module_section_free_list(struct kmod_list *list);
long kmod_module_get_size(const struct kmod_module *mod);

/* ------------------------------------------ what the module file says */

/* .modinfo's key=value pairs in file order, then the signature's fields. */
int kmod_module_get_info(const struct kmod_module *mod, struct kmod_list **list);
const char *kmod_module_info_get_key(const struct kmod_list *entry);
const char *kmod_module_info_get_value(const struct kmod_list *entry);
void kmod_module_info_free_list(struct kmod_list *list);

/* __versions: the symbols the module was built against, with their CRCs. */
int kmod_module_get_versions(const struct kmod_module *mod, struct kmod_list **list);
const char *kmod_module_version_get_symbol(const struct kmod_list *entry);
uint64_t kmod_module_version_get_crc(const struct kmod_list *entry);
void kmod_module_versions_free_list(struct kmod_list *list);

/* The symbols the module exports. */
int kmod_module_get_symbols(const struct kmod_module *mod, struct kmod_list **list);
const char *kmod_module_symbol_get_symbol(const struct kmod_list *entry);
uint64_t kmod_module_symbol_get_crc(const struct kmod_list *entry);
void kmod_module_symbols_free_list(struct kmod_list *list);

enum kmod_symbol_bind {
	KMOD_SYMBOL_NONE = '\0',
	KMOD_SYMBOL_LOCAL = 'L',
	KMOD_SYMBOL_GLOBAL = 'G',
	KMOD_SYMBOL_WEAK = 'W',
	KMOD_SYMBOL_UNDEF = 'U',
};

/* The symbols the module needs from others. */
int kmod_module_get_dependency_symbols(const struct kmod_module *mod, struct kmod_list **list);
const char *kmod_module_dependency_symbol_get_symbol(const struct kmod_list *entry);
int kmod_module_dependency_symbol_get_bind(const struct kmod_list *entry);
uint64_t kmod_module_dependency_symbol_get_crc(const struct kmod_list *entry);
void kmod_module_dependency_symbols_free_list(struct kmod_list *list);

#ifdef __cplusplus
}
#endif

#endif
