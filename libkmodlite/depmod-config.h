/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The depmod.d reader (depmod-config.c). Only depmod's core inside the
 * library uses it (depmod.c, depmod-scan.c); the tests reach it through this
 * header. Not part of kmodlite.h: the depmod tool hands the -C paths to
 * kml_depmod_run(), which reads them.
 */
#ifndef KMODLITE_DEPMOD_CONFIG_H
#define KMODLITE_DEPMOD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmodlite.h"

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
/* H extended with everything CONFIG holds (depmod's cache is tied to it). */
uint64_t kml_depmod_config_hash(const struct kml_depmod_config *config, uint64_t h);

#endif
