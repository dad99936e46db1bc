/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod's core, inside the library: scan the module tree, parse every
 * module (on all CPUs), resolve symbols into dependencies, order them, and
 * write every index atomically. One file per stage:
 *   depmod-scan.c     which module files, which copy of a name wins, order
 *   depmod-parse.c    one module file -> struct dm_info (self-contained, so
 *                     it can be cached later)
 *   depmod-info.c     releasing a struct dm_info; digests of exports
 *   depmod-resolve.c  symbols -> dependencies, topological order, cycles
 *   depmod-output.c   the eleven files, each written to a temporary file,
 *                     fsync'd and renamed over the old one
 *   depmod-cache-pending.c  the new cache, written around the outputs
 *   depmod-files.c    writing a file atomically (depmod-files.h)
 *   depmod-threads.c  the job count, a stage's items run on those threads
 *   depmod-skip.c     whether the outputs on disk are already what this run
 *                     would write (then resolving and writing are skipped)
 *   depmod.c          kml_depmod_run(): the stages in order
 */
#ifndef KMODLITE_DEPMOD_PRIVATE_H
#define KMODLITE_DEPMOD_PRIVATE_H

#include <time.h>

#include "depmod-cache.h"
#include "depmod-config.h"
#include "index-write.h"
#include "kmodlite-private.h"

struct dm_symbol {
	char *name;
	uint64_t crc;
	bool has_crc;
	bool weak;
};

/* What depmod needs from one module file; owns its arrays, and its strings
 * unless BORROWED (then they live in the cache's buffer, depmod-cache-read.c). */
struct dm_info {
	char **aliases;
	size_t alias_count;
	char **softdeps;
	size_t softdep_count;
	char **weakdeps;
	size_t weakdep_count;
	struct dm_symbol *exports;
	size_t export_count;
	struct dm_symbol *imports; /* with CRCs from __versions */
	size_t import_count;
	bool borrowed;
};

struct dm_module {
	char *path;    /* file to open (under the base directory); one block with: */
	char *relpath; /* as written in modules.dep: relative, or absolute (external) */
	char *name;    /* normalised module name */
	size_t order;  /* position in depmod's order (priority in the indexes) */
	long sort_key; /* line of modules.order naming it, -1: none (while scanning: its priority) */
	struct dm_info info;
	int parse_error; /* negative errno when the file could not be parsed */
	struct dm_cache_key key; /* its stat(), when the cache is on */
	bool have_key;
	bool cache_match; /* the cache has a record with its key */
	bool from_cache;  /* info came from the cache */
	bool cacheable;	 /* info may be written to the cache (parsed, not racy) */
	struct dm_cache_raw raw; /* the matching record, when cache_match */
	uint64_t digest;	 /* of info's payload (dm_info_digest()), when HAVE_DIGEST */
	bool have_digest;
	bool recorded; /* in the new cache's records (its links entry tells which) */
	bool error_reported;	 /* parse_error has been logged */
	/* its dependencies as the cache recorded them (when its record matched) */
	struct dm_cache_links links;
	bool have_links;
	uint64_t exports_digest; /* dm_exports_digest() of info, when HAVE_EXPORTS_DIGEST */
	bool have_exports_digest;
	bool reuse_deps; /* info decoded without imports: deps come from LINKS */

	/* resolution */
	size_t *deps; /* indexes of the modules it needs directly, first use first */
	size_t dep_count, dep_cap;
	size_t users;
	size_t dep_sort_index;
};

struct dm_pending_cache;

/* A directory the scan listed, kept for the next run's cache: its path
 * and its COUNT entries (each its d_type, then its name, as in
 * depmod-cache.h), NUL-terminated strings one after the other in
 * st->listings from offset AT. */
struct dm_dir {
	size_t at;
	struct dm_cache_key key;
	size_t count;
};

/* The outputs, cache aside, in the order their stamps are kept. */
#define DM_OUTPUT_COUNT 11
extern const char *const dm_output_names[DM_OUTPUT_COUNT];

struct dm_state {
	struct kml_ctx *ctx;
	const struct kml_depmod_options *opts;
	struct kml_depmod_config *config;
	char *module_dir;   /* where modules are read: BASE/MODDIR/KVER */
	char *output_dir;   /* where indexes go: OUT/MODDIR/KVER */
	struct dm_module *modules;
	size_t module_count;

	/* the cache (see depmod-cache.h); USE_CACHE: read and keep keys */
	bool use_cache;
	bool write_cache;	/* a new cache may go out with the outputs */
	bool records_changed;	/* the new cache's records differ from the old one's */
	uint64_t config_hash;
	struct dm_cache *cache; /* the old one, when it could be used */
	struct dm_dir *dirs;	/* listed by the scan, and not changed just now */
	size_t dir_count, dir_cap;
	struct strbuf listings; /* their strings (one block: freed, it is gone) */
	struct timespec start;	/* files changed since (or just before) are not cached */
	/* the outputs on disk (depmod-skip.c, depmod-output.c) */
	int output_fds[DM_OUTPUT_COUNT]; /* open by dm_outputs_current(); -1 */
	struct dm_cache_outputs stamps;	 /* as this run left them */
	struct dm_pending_cache *pending_cache; /* being written (depmod-cache-pending.c) */
	/* the links (depmod-cache.h): the cache's may be reused when the world
	 * is the same (REUSE_LINKS); RESOLVED once the deps are known */
	bool reuse_links;
	bool resolved;
};

/*
 * A file whose ctime is less than this many seconds older than the run's
 * start is parsed but not cached: a change within the file system's
 * timestamp granularity after our stat() would leave the key unchanged.
 */
#define DM_CACHE_RACY_SECONDS 3

/* depmod-threads.c: how many threads depmod's stages may use (-j, else the
 * online CPUs; at most DM_MAX_JOBS, and at most one a module), and
 * FN(DATA, I, SCRATCH) run for each I below COUNT, each once, on up to JOBS
 * threads (the caller's included), returning when all are done. SCRATCH is
 * the running thread's own buffer, kept from item to item. */
#define DM_MAX_JOBS 64
unsigned int dm_job_count(const struct dm_state *st);
typedef void (*dm_item_fn)(void *data, size_t i, struct strbuf *scratch);
void dm_parallel(unsigned int jobs, size_t count, dm_item_fn fn, void *data);

/* depmod-scan.c */
int dm_scan(struct dm_state *st);
void dm_scan_release(struct dm_state *st);
int dm_sort_by_order_file(struct dm_state *st);
/* The modules by name, once scanned (names are unique within a run):
 * dm_names_find() gives a module's index, SIZE_MAX for none. */
struct dm_names {
	const struct dm_state *st;
	uint32_t *slots; /* module index + 1, open addressing */
	size_t mask;
};
int dm_names_index(const struct dm_state *st, struct dm_names *ret);
size_t dm_names_find(const struct dm_names *names, const char *name);
void dm_names_free(struct dm_names *names);
/* depmod.c */
int dm_cache_load(struct dm_state *st);
/* depmod-parse.c: dm_parse_all() parses what the cache has no record of;
 * dm_load_cached() decodes the rest (not needed when the outputs are current) */
int dm_parse_all(struct dm_state *st);
int dm_load_cached(struct dm_state *st);
/* The imports left out of the records decoded for modules whose links were
 * to be reused, decoded after all (the links do not fit this tree). */
int dm_load_imports(struct dm_state *st);
/* depmod-info.c */
void dm_info_release(struct dm_info *info);
/* A digest of INFO's exports (names, CRCs, flags, in order). */
uint64_t dm_exports_digest(const struct dm_info *info);
/* The world digest: each module that exports something (by name, with its
 * exports' digest), in depmod's order; 0 when a module without a parse
 * error has no known exports' digest. */
uint64_t dm_exports_world(const struct dm_state *st);
/* depmod-resolve.c */
int dm_resolve(struct dm_state *st);
/* Scratch space for dm_all_dependencies(), reused from module to module. */
struct dm_dep_walk {
	uint32_t *mark; /* == generation: already reached in this walk */
	uint32_t generation;
	size_t *todo;
	size_t *out;
};
int dm_dep_walk_init(struct dm_dep_walk *w, size_t module_count);
void dm_dep_walk_release(struct dm_dep_walk *w);
/* Transitive dependencies of module I, in modules.dep order, returned in *RET
 * (W's memory, valid until the next walk); returns how many. */
size_t dm_all_dependencies(const struct dm_state *st, struct dm_dep_walk *w, size_t i,
			   const size_t **ret);
/* depmod-output.c: the outputs (their stamps into st->stamps) */
int dm_write_outputs(struct dm_state *st);
/* depmod-cache-pending.c: the cache around them: begun before symbols are resolved (its records
 * and listings are written on a thread of their own, which frees the
 * listings; nothing else may touch the modules' parse results or cache
 * flags until dm_cache_wait()), finished after the outputs (their stamps,
 * when CLEAN: the run printed nothing), or abandoned; each a warning only
 * on failure, unless -ENOMEM. */
int dm_cache_begin(struct dm_state *st);
int dm_cache_wait(struct dm_state *st);
int dm_cache_finish(struct dm_state *st, bool clean);
void dm_cache_abandon(struct dm_state *st);
/* The digest of everything the outputs are made from (depmod-skip.c). */
uint64_t dm_outputs_digest(const struct dm_state *st);
/* depmod-files.c: temporary files left by killed runs, removed once old
 * and unlocked */
void dm_remove_stale_temporaries(struct dm_state *st);
/* depmod-skip.c */
bool dm_outputs_current(struct dm_state *st);
int dm_refresh_outputs(struct dm_state *st);
void dm_close_outputs(struct dm_state *st);

#endif
