/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Library functions the libkmod adapter (libkmod/) needs and the tools do
 * not: each lives next to the rules it uses, declared here so that the
 * public header does not grow for them.
 */
#ifndef KMODLITE_ADAPTER_SUPPORT_H
#define KMODLITE_ADAPTER_SUPPORT_H

#include "kmodlite-private.h"

/* ctx.c: closes the indexes opened so far; they reopen on next use. */
void kml_ctx_close_indexes(struct kml_ctx *ctx);
/* ctx.c: opens index ID now (again, when an earlier try failed): 0, or
 * kml_index_open()'s error (-ENOENT, -EBADMSG, ...). */
int kml_ctx_load_index(struct kml_ctx *ctx, enum kml_index_id id);
/* ctx.c: the file name of an index ("modules.dep.bin", ...). */
const char *kml_ctx_index_file(enum kml_index_id id);

/* config-iter.c: the records of one kind, in configuration order. */
enum kml_config_kind {
	KML_CONFIG_BLACKLIST,
	KML_CONFIG_INSTALL,
	KML_CONFIG_REMOVE,
	KML_CONFIG_ALIAS,
	KML_CONFIG_OPTIONS, /* files, then the kernel command line */
	KML_CONFIG_SOFTDEP, /* value: "pre: A B post: C" as libkmod writes it */
	KML_CONFIG_WEAKDEP, /* value: "A B" */
};
struct kml_config_item {
	const char *key;
	const char *value; /* NULL for blacklists */
};
/* The array and the strings are one allocation: free() it. */
int kml_config_items(const struct kml_config *config, enum kml_config_kind kind,
		     struct kml_config_item **ret_items, size_t *ret_count);

/* kernel.c: the module's size from /sys/module/NAME/coresize; -ENOENT
 * when there is no /sys/module/NAME, -ENODATA when it lacks coresize (old
 * kernels: /proc/modules has it). */
int kml_kernel_module_size(const char *name, long *ret_size);
/* kernel.c: whether /sys/module itself is a directory (libkmod, joining
 * an empty module name into its paths, looks at that directory). */
bool kml_kernel_has_sys_module(void);
struct kml_section {
	char *name;
	unsigned long address;
};
/* /sys/module/NAME/sections/: names and load addresses, in directory
 * order; free() each name and the array. */
int kml_kernel_module_sections(const char *name, struct kml_section **ret_sections,
			       size_t *ret_count);

/* lookup.c: the built-in modules modules.builtin.alias.bin gives for NAME
 * (normalised first); an empty list when none. */
int kml_lookup_builtin_alias(struct kml_ctx *ctx, const char *name,
			     struct kml_module_list *ret_list);
/* command.c: COMMAND with every $CMDLINE_OPTS replaced by OPTIONS (NULL:
 * nothing), malloc'd; what kml_command_run() runs. */
int kml_command_expand(const char *command, const char *options, char **ret_command);

#endif
