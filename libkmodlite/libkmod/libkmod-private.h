/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libkmod adapter's shared structures: libkmod's objects (context,
 * list, module) wrapped around libkmodlite's. Not installed.
 */
#ifndef LIBKMOD_PRIVATE_H
#define LIBKMOD_PRIVATE_H

#include <sys/types.h>

#include "kmodlite-private.h"
#include "adapter-support.h"
#include "libkmod.h"

#define KMOD_EXPORT __attribute__((visibility("default")))

/*
 * A list entry. Lists are circular and doubly linked: the first entry's
 * prev is the last one. A NULL pointer is the empty list.
 */
struct kmod_list {
	struct kmod_list *next;
	struct kmod_list *prev;
	void *data;
};

/* list.c */
/* Appends DATA; returns the (possibly new) head, NULL when out of memory
 * (LIST is then left as it was). */
struct kmod_list *kmod_list_append(struct kmod_list *list, const void *data);
/* Frees the entries (not what they hold). */
void kmod_list_release(struct kmod_list *list);
/* Frees the entries and free()s what each holds. */
void kmod_list_release_data(struct kmod_list *list);

struct module_pool;
struct config_stamp;

struct kmod_ctx {
	int refcount;
	struct kml_ctx *lib;
	struct kml_config *config;
	void (*log_fn)(void *log_data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args);
	void *log_data;
	int log_priority;
	void *userdata;
	struct module_pool *pool;
	/* validate_resources: what the configuration and indexes looked like */
	struct config_stamp *config_stamps;
	size_t config_stamp_count;
	struct timespec index_mtime[KML_INDEX_COUNT];
	bool index_loaded[KML_INDEX_COUNT];
};

/* The library's log callback, turned into the caller's. */
void kmod_log_bridge(void *data, int priority, const char *file, int line, const char *fn,
		     const char *message);

struct kmod_module {
	int refcount;
	struct kmod_ctx *ctx;
	char *name;
	char *path;
	char *alias; /* the alias it was last found through, or NULL */
	bool path_known; /* path (or its absence) looked up already */
	bool builtin;
	struct kmod_list *dependencies; /* modules, once read */
	bool dependencies_known;
	char *options; /* config options then command-line ones, once built */
	bool options_known;
};

/* module.c */
/* The module NAME (normalised already) of CTX, shared or new; PATH and
 * BUILTIN are recorded when given and not known yet. */
int module_get(struct kmod_ctx *ctx, const char *name, const char *path, bool builtin,
	       bool path_known, struct kmod_module **ret);
/* Adds a new reference to every module of the library list to *LIST. */
int module_list_from_lib(struct kmod_ctx *ctx, const struct kml_module_list *lib,
			 struct kmod_list **list);
/* Makes sure path and builtin are known. */
void module_resolve(struct kmod_module *mod);

#endif
