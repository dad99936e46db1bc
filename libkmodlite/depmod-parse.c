// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod: parse every module file into a self-contained struct dm_info, on
 * a bounded pool of threads. Each worker takes the next unparsed module and
 * writes only that module's slot, so the result does not depend on timing.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod-private.h"

/* Appends to *V (of *N elements, room for *CAP). */
static int strv_push(char ***v, size_t *n, size_t *cap, const char *s)
{
	if (ARRAY_GROW(*v, *cap, *n + 1) < 0)
		return -ENOMEM;
	if (!((*v)[*n] = strdup(s)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

static bool key_is(const struct kml_modinfo_entry *e, const char *key)
{
	return e->key_len == strlen(key) && memcmp(e->key, key, e->key_len) == 0;
}

static int symbol_ptr_compare(const void *a, const void *b)
{
	const struct kml_symbol *x = *(const struct kml_symbol *const *)a;
	const struct kml_symbol *y = *(const struct kml_symbol *const *)b;
	return strcmp(x->name, y->name);
}

static int push_symbol(struct dm_symbol **v, size_t *n, size_t *cap, const struct kml_symbol *sym)
{
	if (ARRAY_GROW(*v, *cap, *n + 1) < 0)
		return -ENOMEM;
	struct dm_symbol *nv = *v;
	nv[*n] = (struct dm_symbol){ .crc = sym->crc, .has_crc = sym->has_crc, .weak = sym->weak };
	if (!(nv[*n].name = strdup(sym->name)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

/*
 * The symbols a module needs, as the reference lists them: its undefined
 * symbols in symbol-table order, with CRCs from __versions, then the
 * __versions entries no symbol refers to (module_layout, for one).
 */
static int collect_imports(const struct kml_symbol *undef, size_t nundef,
			   const struct kml_symbol *versions, size_t nversions, struct dm_info *info)
{
	const struct kml_symbol **sorted = calloc(nversions + 1, sizeof(*sorted));
	bool *used = calloc(nversions + 1, sizeof(*used));
	int r = sorted && used ? 0 : -ENOMEM;
	size_t cap = 0;
	for (size_t i = 0; r == 0 && i < nversions; i++)
		sorted[i] = &versions[i];
	if (r == 0)
		qsort(sorted, nversions, sizeof(*sorted), symbol_ptr_compare);
	for (size_t i = 0; r == 0 && i < nundef; i++) {
		struct kml_symbol sym = undef[i];
		const struct kml_symbol *key = &sym;
		const struct kml_symbol **v = nversions ? bsearch(&key, sorted, nversions, sizeof(*sorted),
								  symbol_ptr_compare)
							: NULL;
		if (v) {
			sym.crc = (*v)->crc;
			sym.has_crc = true;
			used[*v - versions] = true;
		}
		r = push_symbol(&info->imports, &info->import_count, &cap, &sym);
	}
	for (size_t i = 0; r == 0 && i < nversions; i++)
		if (!used[i])
			r = push_symbol(&info->imports, &info->import_count, &cap, &versions[i]);
	free(sorted);
	free(used);
	return r;
}

static int parse_elf(const struct kml_elf *elf, struct dm_info *info)
{
	struct kml_modinfo_entry *entries = NULL;
	size_t n = 0, cap_aliases = 0, cap_softdeps = 0, cap_weakdeps = 0, cap_exports = 0;
	int r = kml_elf_get_modinfo(elf, &entries, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *value = entries[i].value;
		if (key_is(&entries[i], "alias"))
			r = strv_push(&info->aliases, &info->alias_count, &cap_aliases, value);
		else if (key_is(&entries[i], "softdep"))
			r = strv_push(&info->softdeps, &info->softdep_count, &cap_softdeps, value);
		else if (key_is(&entries[i], "weakdep"))
			r = strv_push(&info->weakdeps, &info->weakdep_count, &cap_weakdeps, value);
	}
	free(entries);
	if (r < 0)
		return r;

	struct kml_symbol *syms = NULL, *versions = NULL;
	size_t nversions = 0;
	r = kml_elf_get_exports(elf, &syms, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = push_symbol(&info->exports, &info->export_count, &cap_exports, &syms[i]);
	free(syms);
	syms = NULL;
	if (r == 0)
		r = kml_elf_get_versions(elf, &versions, &nversions);
	if (r == 0)
		r = kml_elf_get_imports(elf, &syms, &n);
	if (r == 0)
		r = collect_imports(syms, n, versions, nversions, info);
	free(syms);
	free(versions);
	return r;
}

static void set_key(const struct dm_state *st, struct dm_module *m, const struct stat *sb)
{
	dm_cache_key_from_stat(sb, &m->key);
	m->have_key = true;
	m->cacheable = m->key.ctime_sec < (int64_t)st->start.tv_sec - DM_CACHE_RACY_SECONDS;
}

/* SCRATCH: the worker's read buffer, reused from module to module. With the
 * cache on, the key is that of the file read (its fstat before reading). */
static int parse_module(const struct dm_state *st, struct dm_module *m, struct strbuf *scratch)
{
	struct kml_file *file = NULL;
	struct stat sb;
	int r = file_open_read(m->path, scratch, &file, st->use_cache ? &sb : NULL);
	if (r < 0)
		return r;
	if (st->use_cache)
		set_key(st, m, &sb);
	struct kml_elf *elf = NULL;
	r = kml_elf_new(kml_file_data(file), kml_file_size(file), &elf);
	if (r == 0)
		r = parse_elf(elf, &m->info);
	if (r < 0)
		dm_info_release(&m->info);
	else if (st->use_cache) {
		m->exports_digest = dm_exports_digest(&m->info);
		m->have_exports_digest = true;
	}
	kml_elf_free(elf);
	kml_file_free(file);
	return r;
}

struct pool {
	struct dm_state *st;
	int phase; /* 0: keys and matches; 1: the unmatched parsed; 2: the matched decoded */
	int err;   /* the first -ENOMEM of a digest */
};

/* Phase 0, with a cache: the module's key, and whether its record matches
 * (then its digest and payload are known without decoding it). */
static void match_one(const struct dm_state *st, struct dm_module *m)
{
	struct stat sb;
	if (stat(m->path, &sb) < 0)
		return; /* parse_module() says why */
	set_key(st, m, &sb);
	m->cache_match = dm_cache_match(st->cache, m->path, &m->key, &m->raw);
	if (m->cache_match) {
		m->digest = m->raw.digest;
		m->have_digest = true;
		m->have_links = dm_cache_get_links(st->cache, m->path, &m->links);
		m->exports_digest = m->links.exports;
		m->have_exports_digest = m->have_links;
	}
}

/* Phase 1: a module without a matching record parsed, and its digest. */
static int parse_one(const struct dm_state *st, struct dm_module *m, struct strbuf *scratch)
{
	if (st->cache && m->cache_match)
		return 0;
	/* without a cache (a first run) the key comes with the read, no stat() */
	m->parse_error = parse_module(st, m, scratch);
	/* with an old cache, the outputs may be up to date: that takes every
	 * digest (else they are computed as the new cache is written) */
	if (m->parse_error == 0 && st->cache) {
		int r = dm_info_digest(&m->info, scratch, &m->digest);
		m->have_digest = r == 0;
		return r;
	}
	return 0;
}

/* Phase 2: a matched record decoded (the file parsed if the record cannot be). */
static void load_one(const struct dm_state *st, struct dm_module *m, struct strbuf *scratch)
{
	if (!m->cache_match || m->from_cache)
		return;
	/* the imports only matter to find its dependencies, which the links
	 * give when they can be reused */
	bool imports = !(st->reuse_links && m->have_links);
	int r = dm_cache_lookup(st->cache, m->path, &m->key, &m->info, imports);
	m->from_cache = r > 0;
	m->reuse_deps = r > 0 && !imports;
	if (r > 0 && !m->have_exports_digest) {
		m->exports_digest = dm_exports_digest(&m->info);
		m->have_exports_digest = true;
	}
	if (r == 0) {
		m->cache_match = false;
		m->have_digest = false;
		r = parse_module(st, m, scratch);
	}
	m->parse_error = r < 0 ? r : 0;
}

static void pool_one(void *data, size_t i, struct strbuf *scratch)
{
	struct pool *p = data;
	struct dm_module *m = &p->st->modules[i];
	if (p->phase == 0)
		match_one(p->st, m);
	else if (p->phase == 2)
		load_one(p->st, m, scratch);
	else if (parse_one(p->st, m, scratch) < 0)
		__atomic_store_n(&p->err, -ENOMEM, __ATOMIC_RELAXED);
}

static int run_pool(struct dm_state *st, int phase)
{
	struct pool p = { .st = st, .phase = phase };
	dm_parallel(dm_job_count(st), st->module_count, pool_one, &p);
	return p.err;
}

/* Messages from this thread only, in module order, each error once. */
static int report_errors(struct dm_state *st)
{
	for (size_t i = 0; i < st->module_count; i++) {
		struct dm_module *m = &st->modules[i];
		if (m->parse_error == -ENOMEM)
			return -ENOMEM;
		if (m->parse_error < 0 && !m->error_reported)
			kml_err(st->ctx, "failed to load symbols from %s: %s", m->path,
				strerror(-m->parse_error));
		m->error_reported = m->parse_error < 0;
	}
	return 0;
}

int dm_parse_all(struct dm_state *st)
{
	if (st->cache) {
		run_pool(st, 0);
		size_t matches = 0;
		for (size_t i = 0; i < st->module_count; i++)
			matches += st->modules[i].cache_match;
		/* mostly changed: parsed as in a first run, without the cache's
		 * buffer, so that memory stays that of a full run */
		if (matches < st->module_count - matches) {
			kml_dbg(st->ctx, "only %zu of %zu modules unchanged: " DM_CACHE_NAME " not used",
				matches, st->module_count);
			dm_cache_free(st->cache);
			st->cache = NULL;
			for (size_t i = 0; i < st->module_count; i++)
				st->modules[i].cache_match = st->modules[i].have_links = false;
		}
	}
	int r = run_pool(st, 1);
	if (r == 0)
		r = report_errors(st);
	if (r < 0 || !st->use_cache)
		return r;
	size_t hits = 0, fresh = 0;
	for (size_t i = 0; i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		hits += m->cache_match;
		fresh += !m->cache_match && m->cacheable && m->parse_error == 0;
	}
	kml_dbg(st->ctx, "%zu of %zu modules from the cache, %zu parsed", hits, st->module_count,
		st->module_count - hits);
	/* (an unchanged tree can leave the cache as it is) */
	st->records_changed = !st->cache || hits != dm_cache_count(st->cache) || fresh != 0;
	/* the links recorded can be reused if what every module exports is the
	 * same (under -e every import is looked up anyway, for its warning) */
	uint64_t world = dm_cache_world(st->cache);
	st->reuse_links = world != 0 && !st->opts->errsyms && dm_exports_world(st) == world;
	kml_dbg(st->ctx, DM_CACHE_NAME ": %s",
		st->reuse_links ? "dependencies of unchanged modules reused" :
				  "no links to reuse, dependencies resolved anew");
	return 0;
}

int dm_load_cached(struct dm_state *st)
{
	if (!st->cache)
		return 0;
	run_pool(st, 2);
	return report_errors(st);
}

int dm_load_imports(struct dm_state *st)
{
	st->reuse_links = false;
	for (size_t i = 0; i < st->module_count; i++) {
		struct dm_module *m = &st->modules[i];
		if (m->reuse_deps) {
			dm_info_release(&m->info);
			m->from_cache = m->reuse_deps = false;
		}
	}
	return dm_load_cached(st);
}
