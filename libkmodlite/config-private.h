/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modprobe configuration, inside the library, in layers that call only
 * downwards:
 *   config.c          loading (which files, then the command line), queries
 *   config-dump.c     the `modprobe -c` dump
 *   config-parse.c    modprobe.d lines; softdep/weakdep lines on demand
 *   config-cmdline.c  the kernel command line
 *   config-store.c    the store: entries per module name, records, freeing
 */
#ifndef KMODLITE_CONFIG_PRIVATE_H
#define KMODLITE_CONFIG_PRIVATE_H

#include "kmodlite-private.h"

/* Records in configuration order, one array per `modprobe -c` section. */
enum section {
	SEC_BLACKLIST,
	SEC_INSTALL,
	SEC_REMOVE,
	SEC_ALIAS,
	SEC_OPTIONS, /* files, then the kernel command line */
	SEC_FORBID,
	SEC_COUNT,
};

/* Strings of the configuration point into the file buffers the config keeps
 * (lines are cut and normalised in place) or into its arena. */
struct record {
	const char *name; /* module, or alias pattern; normalised */
	const char *text; /* alias: module; options/install/remove: as written; else NULL */
	const char *path; /* file it was read from (NULL: the kernel command line) */
	unsigned long line;
};

struct record_list {
	struct record *items;
	size_t count;
	size_t cap;
};

/* softdep/weakdep lines; weakdep uses pre only */
struct dep_record {
	const char *name;
	const char **pre; /* in the arena; weakdep uses pre only */
	size_t n_pre;
	const char **post;
	size_t n_post;
};

struct dep_list {
	struct dep_record *items;
	size_t count;
	size_t cap;
};

/* A NULL-terminated array of borrowed strings, in the arena. */
struct strptrs {
	const char **items;
	size_t count;
};

/* What is known about one module name, merged over all lines. */
struct mod_entry {
	const char *name;
	struct strbuf options;	       /* texts of the lines as written, joined by a space */
	struct strbuf cmdline_options; /* the command line's, joined by a space */
	const char *install;	       /* first one wins */
	const char *remove;
	bool blacklisted;
	const char *forbidden; /* where the first `forbid` line is: "FILE:LINE",
				* or the kernel command line; NULL when none */
	struct strptrs pre, post, weak;
};

struct mod_map {
	struct mod_entry **slots; /* open addressing, cap a power of two */
	size_t cap;
	size_t count;
};

struct kml_config {
	struct record_list sections[SEC_COUNT];
	struct dep_list softdeps;
	struct dep_list weakdeps;
	struct mod_map modules;
	struct arena arena; /* entries, file buffers, command-line copies */
	/* where the parser is, stamped into each record (kmod why's FILE:LINE) */
	const char *cur_path;
	unsigned long cur_line;

	/* softdep and weakdep lines, kept as text in configuration order: a
	 * module's lines are parsed when its dependencies are first asked for
	 * (lookups and -R never ask), all of them for the dump */
	struct kml_ctx *ctx;
	struct deferred_line *deferred;
	size_t deferred_count, deferred_cap;
};

struct deferred_line {
	const char *path; /* in the arena */
	unsigned long lineno;
	bool weak;
	bool bad;	/* reported, ignored */
	bool parsed;	/* its record is softdeps/weakdeps.items[record] */
	char *module;	/* once checked: the normalised module name */
	uint64_t hash;	/* hash_string(module) */
	char *rest;	/* after the directive; once checked, after the module */
	size_t record;
};

/* config-store.c */
int config_norm_dup(const char *name, char *stack, size_t stack_size, char **ret);
void config_norm_free(char *p, char *stack);
/* The entry of NAME (normalised), NULL when there is none. */
struct mod_entry *config_find_entry(const struct kml_config *config, const char *name);
int config_module_entry(struct kml_config *config, const char *name, struct mod_entry **ret);
int config_record_add(struct kml_config *config, enum section sec, const char *name,
		      const char *text, const struct record **ret);
int config_add_blacklist(struct kml_config *config, const char *module);
/* forbid MODULE (normalised), WHERE kept by the config. */
int config_add_forbid(struct kml_config *config, const char *module, const char *where);
int config_dep_record_new(struct dep_list *l, const char *name, struct dep_record **ret);

/* config-parse.c */
int config_parse_file(struct kml_ctx *ctx, struct kml_config *config, const char *path,
		      bool missing_ok);
int config_parse_deferred(const struct kml_config *cconfig, const char *module);

/* config-cmdline.c: TEXT read after the files. -ENOMEM only. */
int config_parse_cmdline(struct kml_ctx *ctx, struct kml_config *config, const char *text);

#endif
