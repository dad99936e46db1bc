// SPDX-License-Identifier: LGPL-2.1-or-later
/* depmod: which module files make up the tree, which copy of a module name
 * wins (depmod.d search/override/external), and depmod's module order. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "depmod-private.h"

/* Length of NAME without its module extension, or 0 when it has none. */
static size_t module_stem_len(const char *name)
{
	size_t el = kml_module_ext_len(name);
	return el ? strlen(name) - el : 0;
}

/* Priority of a module file: lower wins. */
static int module_priority(const struct dm_state *st, const char *path, const char *relpath,
			   const char *name, bool external)
{
	const char *ov = kml_depmod_config_override(st->config, name);
	if (ov && !external) {
		/* override NAME KVER SUBDIR: the copy directly in SUBDIR wins */
		size_t ol = strlen(ov); /* no slash stripped: "extra/" matches nothing, as in kmod */
		const char *slash = strrchr(relpath, '/');
		if (slash && (size_t)(slash - relpath) == ol && strncmp(relpath, ov, ol) == 0)
			return -1;
	}
	size_t count;
	const struct kml_search_entry *se = kml_depmod_config_search(st->config, &count);
	int builtin = (int)count, ext = -1;
	for (size_t i = 0; i < count; i++) {
		if (se[i].kind == KML_SEARCH_BUILTIN) {
			if (builtin == (int)count)
				builtin = (int)i;
		} else if (se[i].kind == KML_SEARCH_EXTERNAL) {
			if (ext < 0)
				ext = (int)i;
		} else if (!external) {
			size_t dl = strlen(se[i].dir);
			if (dl > 0 && strncmp(relpath, se[i].dir, dl) == 0 && relpath[dl] == '/')
				return (int)i;
		}
	}
	(void)path;
	if (external)
		return ext >= 0 ? ext : builtin;
	return builtin;
}

/* The modules found so far, with an index by name (open addressing, slot
 * values are module index + 1) so that a tree of thousands stays linear. */
struct scan {
	struct dm_state *st;
	size_t cap;	   /* of st->modules */
	uint32_t *slots;   /* 0: empty */
	size_t slot_count; /* power of two, at least twice the modules */
};

static uint32_t *name_slot(const struct scan *sc, const char *name)
{
	size_t i = (size_t)hash_string(name) & (sc->slot_count - 1);
	while (sc->slots[i] && !streq(sc->st->modules[sc->slots[i] - 1].name, name))
		i = (i + 1) & (sc->slot_count - 1);
	return &sc->slots[i];
}

static int name_index_grow(struct scan *sc)
{
	size_t n = sc->slot_count ? sc->slot_count * 2 : 4096;
	if (n > UINT32_MAX)
		return -ENOMEM;
	uint32_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(sc->slots);
	sc->slots = slots;
	sc->slot_count = n;
	for (size_t i = 0; i < sc->st->module_count; i++)
		*name_slot(sc, sc->st->modules[i].name) = (uint32_t)(i + 1);
	return 0;
}

/* M's path, relative path (RELPATH: a tail of PATH) and name, in one block
 * that M->path owns (the other two are freed with it); M's old block freed. */
static int module_strings(struct dm_module *m, const char *path, const char *relpath,
			  const char *name)
{
	size_t pl = strlen(path), nl = strlen(name);
	char *block = malloc(pl + 1 + nl + 1);
	if (!block)
		return -ENOMEM;
	memcpy(block, path, pl + 1);
	memcpy(block + pl + 1, name, nl + 1);
	free(m->path);
	m->path = block;
	m->relpath = block + (relpath - path);
	m->name = block + pl + 1;
	return 0;
}

/* PATH found; RELPATH: how modules.dep names it, a tail of PATH. */
static int add_module(struct scan *sc, const char *path, const char *relpath, bool external)
{
	struct dm_state *st = sc->st;
	char name[256];
	if (kml_module_name_from_path(path, name, sizeof(name)) < 0) {
		kml_warn(st->ctx, "%s: module name too long, skipped", path);
		return 0;
	}
	int prio = module_priority(st, path, relpath, name, external);
	if ((st->module_count + 1) * 2 > sc->slot_count) {
		int r = name_index_grow(sc);
		if (r < 0)
			return r;
	}
	uint32_t *slot = name_slot(sc, name);
	if (*slot) {
		struct dm_module *m = &st->modules[*slot - 1];
		int old = (int)m->sort_key; /* holds the priority until sorting */
		if (prio >= old) {
			kml_dbg(st->ctx, "%s ignored: %s has a higher priority", path, m->path);
			return 0;
		}
		kml_dbg(st->ctx, "%s replaces %s", path, m->path);
		int r = module_strings(m, path, relpath, name);
		if (r == 0)
			m->sort_key = prio;
		return r;
	}
	if (ARRAY_GROW(st->modules, sc->cap, st->module_count + 1) < 0)
		return -ENOMEM;
	struct dm_module *m = &st->modules[st->module_count];
	*m = (struct dm_module){ .sort_key = prio };
	int r = module_strings(m, path, relpath, name);
	if (r < 0)
		return r;
	st->module_count++;
	*slot = (uint32_t)st->module_count;
	return 0;
}

/* A directory entry as kept by scan_dir(): its d_type, then its name. */
static int entry_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static void free_names(char **names, size_t n, bool borrowed)
{
	for (size_t i = 0; !borrowed && i < n; i++)
		free(names[i]);
	free(names);
}

/* DIR's entries, sorted by name (each prefixed with its d_type), into
 * *RET_NAMES and *RET_COUNT. */
static int read_dir(struct dm_state *st, const char *dir, int depth, char ***ret_names,
		    size_t *ret_count)
{
	DIR *d = opendir(dir);
	if (!d) {
		int r = -errno;
		if (depth > 0 || r != -ENOENT)
			kml_warn(st->ctx, "could not open directory %s: %s", dir, strerror(-r));
		return r;
	}
	char **names = NULL;
	size_t n = 0, ncap = 0;
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		if (streq(nm, ".") || streq(nm, ".."))
			continue;
		r = ARRAY_GROW(names, ncap, n + 1);
		if (r < 0)
			break;
		size_t len = strlen(nm);
		if (!(names[n] = malloc(len + 2))) {
			r = -ENOMEM;
			break;
		}
		names[n][0] = (char)de->d_type;
		memcpy(names[n] + 1, nm, len + 1);
		n++;
	}
	closedir(d);
	if (r < 0) {
		free_names(names, n, false);
		return r;
	}
	qsort(names, n, sizeof(*names), entry_compare);
	*ret_names = names;
	*ret_count = n;
	return r;
}

/* Keeps DIR's listing for the next cache (a copy: NAMES stay the caller's). */
static int keep_listing(struct dm_state *st, const char *dir, const struct dm_cache_key *key,
			char *const *names, size_t count)
{
	if (ARRAY_GROW(st->dirs, st->dir_cap, st->dir_count + 1) < 0)
		return -ENOMEM;
	/* one big block from the start (a distribution's tree lists about
	 * 200 KiB): it is given back whole when freed, not left in pieces in
	 * the heap the outputs are then built in */
	if (!st->listings.data && strbuf_reserve(&st->listings, (size_t)256 << 10) < 0)
		return -ENOMEM;
	size_t at = st->listings.len;
	int r = strbuf_append(&st->listings, dir, strlen(dir) + 1);
	for (size_t i = 0; r == 0 && i < count; i++)
		r = strbuf_append(&st->listings, names[i], strlen(names[i]) + 1);
	if (r < 0) {
		st->listings.len = at;
		return r;
	}
	st->dirs[st->dir_count++] = (struct dm_dir){ at, *key, count };
	return 0;
}

/*
 * DIR's sorted entries: from the cache when DIR's key is the one recorded
 * there (an entry added, removed or renamed changes a directory's mtime and
 * ctime), else read. The listing is kept for the next cache unless DIR
 * changed too recently for its key to be trusted. Returns 1 when the
 * strings are the cache's (only the array is to be freed), 0 when they are
 * the caller's too.
 */
static int list_dir(struct dm_state *st, const char *dir, int depth, char ***ret_names,
		    size_t *ret_count)
{
	struct stat sb;
	struct dm_cache_key key;
	bool keyed = st->use_cache && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
	if (keyed)
		dm_cache_key_from_stat(&sb, &key);
	int r = keyed ? dm_cache_dir_lookup(st->cache, dir, &key, ret_names, ret_count) : 0;
	bool borrowed = r > 0;
	if (r == 0)
		r = read_dir(st, dir, depth, ret_names, ret_count);
	if (r < 0)
		return r;
	/* the output directory changes with every run (the outputs are renamed
	 * into it): not worth keeping, and its key could never be trusted */
	if (keyed && !streq(dir, st->output_dir) &&
	    (borrowed || key.ctime_sec < (int64_t)st->start.tv_sec - DM_CACHE_RACY_SECONDS)) {
		r = keep_listing(st, dir, &key, *ret_names, *ret_count);
		if (r < 0) {
			free_names(*ret_names, *ret_count, borrowed);
			return r;
		}
	}
	return borrowed;
}

/*
 * Adds the modules under DIR (recursively, entries in byte order so the
 * result does not depend on the file system). REL_BASE: the part of DIR's
 * path that modules.dep omits; NULL to keep absolute paths (external dirs).
 */
static int scan_dir(struct scan *sc, const char *dir, size_t rel_base, bool external, int depth)
{
	struct dm_state *st = sc->st;
	if (depth > 64) {
		kml_warn(st->ctx, "%s: directories nested too deep, skipped", dir);
		return 0;
	}
	char **names = NULL;
	size_t n = 0;
	int borrowed = list_dir(st, dir, depth, &names, &n);
	if (borrowed == -ENOMEM)
		return borrowed;
	if (borrowed < 0)
		return depth > 0 ? 0 : borrowed;

	int r = 0;
	/* each entry's path, DIR/NAME, in one buffer */
	size_t dl = strlen(dir), room = dl + 2 + 256;
	char *path = malloc(room);
	if (!path)
		r = -ENOMEM;
	else
		memcpy(path, dir, dl);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *name = names[i] + 1;
		size_t nl = strlen(name);
		if (dl + nl + 2 > room) {
			char *bigger = realloc(path, dl + nl + 2);
			if (!bigger) {
				r = -ENOMEM;
				break;
			}
			path = bigger;
			room = dl + nl + 2;
		}
		path[dl] = '/';
		memcpy(path + dl + 1, name, nl + 1);
		/* the type from the directory saves a stat() per entry; links
		 * (followed, as in kmod) and file systems without d_type need it */
		struct stat sb = { 0 };
		unsigned char type = (unsigned char)names[i][0];
		bool excluded = kml_depmod_config_excluded(st->config, name);
		int sr = 0;
		if (type == DT_DIR)
			sb.st_mode = S_IFDIR;
		else if (type == DT_REG)
			sb.st_mode = S_IFREG;
		else if (!excluded)
			sr = stat(path, &sb);
		if (excluded) {
			/* exclude applies to files as well as directories, as in kmod */
		} else if (sr < 0) {
			if (module_stem_len(name) > 0)
				kml_err(st->ctx, "fstatat(%s): %s", path, strerror(errno));
		} else if (S_ISDIR(sb.st_mode)) {
			r = scan_dir(sc, path, rel_base, external, depth + 1);
		} else if (!S_ISREG(sb.st_mode)) {
			/* a FIFO or device would block or mislead the parser */
			if (module_stem_len(name) > 0)
				kml_err(st->ctx, "unsupported file type %s: %o", path,
					(unsigned)(sb.st_mode & S_IFMT));
		} else if (module_stem_len(name) > 0) {
			r = add_module(sc, path, external ? path : path + rel_base, external);
		}
	}
	free(path);
	free_names(names, n, borrowed);
	return r;
}

void dm_scan_release(struct dm_state *st)
{
	free(st->dirs);
	st->dirs = NULL;
	st->dir_count = st->dir_cap = 0;
	free(st->listings.data);
	st->listings = (struct strbuf){ 0 };
}

static int add_explicit_files(struct scan *sc)
{
	const struct dm_state *st = sc->st;
	size_t dl = strlen(st->module_dir);
	for (const char *const *f = st->opts->files; *f; f++) {
		const char *rel = *f;
		bool external = true;
		if (strncmp(*f, st->module_dir, dl) == 0 && (*f)[dl] == '/') {
			rel = *f + dl + 1;
			external = false;
		}
		int r = add_module(sc, *f, rel, external);
		if (r < 0)
			return r;
	}
	return 0;
}

static int scan_all(struct scan *sc)
{
	struct dm_state *st = sc->st;
	if (st->opts->files && st->opts->files[0])
		return add_explicit_files(sc);
	int r = scan_dir(sc, st->module_dir, strlen(st->module_dir) + 1, false, 0);
	size_t n;
	const char *const *ext = kml_depmod_config_external(st->config, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		/* as in the reference, the base directory does not apply to
		 * external directories: their paths go into modules.dep as given */
		r = scan_dir(sc, ext[i], 0, true, 1);
	}
	return r;
}

int dm_scan(struct dm_state *st)
{
	struct scan sc = { .st = st };
	int r = scan_all(&sc);
	free(sc.slots);
	return r;
}

/* modules.order lists relative paths of uncompressed modules ("kernel/x.ko");
 * they are matched against each module's relative path without extension,
 * through an index of those stems (open addressing, module index + 1). */
struct stem_index {
	uint32_t *slots;
	size_t mask;
	const struct dm_state *st;
	size_t *stem_len; /* of each module's relative path */
};

static uint32_t *stem_slot(const struct stem_index *x, const char *stem, size_t len)
{
	size_t i = (size_t)dm_hash64(stem, len) & x->mask;
	for (;; i = (i + 1) & x->mask) {
		uint32_t v = x->slots[i];
		if (!v)
			return &x->slots[i];
		if (x->stem_len[v - 1] == len && memcmp(x->st->modules[v - 1].relpath, stem, len) == 0)
			return &x->slots[i];
	}
}

/* V rearranged in place so that the element at SRC[i] comes to i (SRC a
 * permutation of 0..N-1, used up): along each cycle, one element moved at a
 * time (a copy of the whole array would be as big as the modules' table). */
static void permute(struct dm_module *v, size_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (src[i] == i)
			continue;
		struct dm_module first = v[i];
		size_t j = i;
		while (src[j] != i) {
			size_t k = src[j];
			v[j] = v[k];
			src[j] = j;
			j = k;
		}
		v[j] = first;
		src[j] = j;
	}
}

/* The modules listed in modules.order first, in its order (the first line
 * naming a module counts), then the others in scan order. */
int dm_sort_by_order_file(struct dm_state *st)
{
	size_t n = st->module_count;
	for (size_t i = 0; i < n; i++)
		st->modules[i].sort_key = -1; /* not listed */
	char *path = NULL, *buf = NULL;
	size_t len = 0;
	if (asprintf(&path, "%s/modules.order", st->module_dir) < 0)
		return -ENOMEM;
	int r = read_file_full(path, (size_t)64 << 20, &buf, &len);
	free(path);
	if (r < 0) {
		kml_warn(st->ctx, "could not open modules.order at %s: %s", st->module_dir, strerror(-r));
		buf = NULL;
	}
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	struct stem_index x = { calloc(cap, sizeof(uint32_t)), cap - 1, st,
				malloc((n + 1) * sizeof(size_t)) };
	size_t *listed = malloc((n + 1) * sizeof(*listed));
	if (!x.slots || !x.stem_len || !listed) {
		free(x.slots);
		free(x.stem_len);
		free(listed);
		free(buf);
		return -ENOMEM;
	}
	for (size_t i = 0; buf && i < n; i++) {
		x.stem_len[i] = module_stem_len(st->modules[i].relpath);
		uint32_t *slot = stem_slot(&x, st->modules[i].relpath, x.stem_len[i]);
		if (!*slot) /* (two files of one stem: the first is matched) */
			*slot = (uint32_t)(i + 1);
	}
	size_t count = 0;
	for (char *line = buf, *end = buf ? buf + len : NULL; line && line < end;) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (ll >= 4 && memcmp(line + ll - 3, ".ko", 3) == 0 && !memchr(line, '\0', ll)) {
			uint32_t v = *stem_slot(&x, line, ll - 3);
			if (v && st->modules[v - 1].sort_key < 0) {
				st->modules[v - 1].sort_key = (long)count;
				listed[count++] = v - 1;
			}
		}
		line = nl ? nl + 1 : end;
	}
	free(x.slots);
	free(x.stem_len);
	free(buf);
	for (size_t i = 0; i < n; i++)
		if (st->modules[i].sort_key < 0)
			listed[count++] = i;
	permute(st->modules, listed, n);
	free(listed);
	for (size_t i = 0; i < n; i++)
		st->modules[i].order = i;
	return 0;
}

int dm_names_index(const struct dm_state *st, struct dm_names *ret)
{
	size_t cap = 16;
	while (cap < st->module_count * 2)
		cap *= 2;
	*ret = (struct dm_names){ st, calloc(cap, sizeof(uint32_t)), cap - 1 };
	if (!ret->slots)
		return -ENOMEM;
	for (size_t i = 0; i < st->module_count; i++) {
		size_t k = (size_t)hash_string(st->modules[i].name) & ret->mask;
		while (ret->slots[k])
			k = (k + 1) & ret->mask;
		ret->slots[k] = (uint32_t)(i + 1);
	}
	return 0;
}

size_t dm_names_find(const struct dm_names *x, const char *name)
{
	for (size_t k = (size_t)hash_string(name) & x->mask; x->slots[k]; k = (k + 1) & x->mask)
		if (streq(x->st->modules[x->slots[k] - 1].name, name))
			return x->slots[k] - 1;
	return SIZE_MAX;
}

void dm_names_free(struct dm_names *x)
{
	free(x->slots);
	x->slots = NULL;
}
