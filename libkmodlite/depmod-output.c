// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod: the output files. Every one is built in memory first; then each
 * is written to a temporary file in the output directory and fsync'd, and
 * only when all of them are on disk are they renamed over the old ones. A
 * failure before that point leaves every old file in place and removes the
 * temporary files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod-files.h"

enum output_id {
	OUT_DEP,
	OUT_DEP_BIN,
	OUT_ALIAS,
	OUT_ALIAS_BIN,
	OUT_SOFTDEP,
	OUT_WEAKDEP,
	OUT_SYMBOLS,
	OUT_SYMBOLS_BIN,
	OUT_BUILTIN_BIN,
	OUT_BUILTIN_ALIAS_BIN,
	OUT_DEVNAME,
	OUT_COUNT,
};
_Static_assert(OUT_COUNT == DM_OUTPUT_COUNT, "one stamp per output");

const char *const dm_output_names[DM_OUTPUT_COUNT] = {
	"modules.dep",	       "modules.dep.bin",	 "modules.alias",
	"modules.alias.bin",   "modules.softdep",	 "modules.weakdep",
	"modules.symbols",     "modules.symbols.bin",	 "modules.builtin.bin",
	"modules.builtin.alias.bin", "modules.devname",
};

static int outputs_init(struct dm_output *o)
{
	for (int i = 0; i < OUT_COUNT; i++) {
		o[i] = (struct dm_output){ .name = dm_output_names[i], .fd = -1, .kept_fd = -1 };
		o[i].binary = strstr(o[i].name, ".bin") != NULL;
	}
	/* all initialised before any can fail: dm_outputs_release() sees them all */
	for (int i = 0; i < OUT_COUNT; i++)
		if (o[i].binary) {
			int r = kml_index_writer_new(&o[i].index);
			if (r < 0)
				return r;
		}
	return 0;
}

/* Appends the strings, stopping at the first NULL. */
static int put(struct strbuf *sb, ...)
{
	va_list ap;
	va_start(ap, sb);
	int r = 0;
	for (const char *s; r == 0 && (s = va_arg(ap, const char *));)
		r = strbuf_append_str(sb, s);
	va_end(ap);
	return r;
}

/*
 * One piece of the outputs, built on its own (the pieces run in parallel):
 * its warnings are held in NOTES and logged once every piece is done, in
 * the order of the pieces, so that messages do not depend on timing.
 */
struct build {
	struct dm_state *st;
	struct dm_output *o;
	int (*run)(struct build *b);
	int r;
	struct strbuf notes; /* each message NUL-terminated */
	enum output_id outputs[4]; /* what it builds: OUT_COUNT ends the list */
};

static void note(struct build *b, const char *format, ...) _printf_(2, 3);
static void note(struct build *b, const char *format, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, format);
	int r = vasprintf(&msg, format, ap);
	va_end(ap);
	if (r < 0) {
		b->r = -ENOMEM;
		return;
	}
	if (strbuf_append(&b->notes, msg, strlen(msg) + 1) < 0)
		b->r = -ENOMEM;
	free(msg);
}

static int build_dep(struct build *b)
{
	struct dm_state *st = b->st;
	struct dm_output *o = b->o;
	struct dm_dep_walk walk;
	int r = dm_dep_walk_init(&walk, st->module_count);
	for (size_t i = 0; r == 0 && i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		const size_t *deps;
		size_t n = dm_all_dependencies(st, &walk, i, &deps);
		size_t start = o[OUT_DEP].text.len;
		r = put(&o[OUT_DEP].text, m->relpath, ":", NULL);
		for (size_t k = 0; r == 0 && k < n; k++)
			r = put(&o[OUT_DEP].text, " ", st->modules[deps[k]].relpath, NULL);
		if (r == 0)
			r = kml_index_writer_add(o[OUT_DEP_BIN].index, m->name,
						 o[OUT_DEP].text.data + start, (unsigned)m->order);
		if (r > 0)
			r = 0;
		if (r == 0)
			r = put(&o[OUT_DEP].text, "\n", NULL);
	}
	dm_dep_walk_release(&walk);
	return r;
}

static int add_alias_index(struct build *b, struct kml_index_writer *w, const char *alias,
			   const char *module, unsigned priority)
{
	const struct dm_state *st = b->st;
	char key[4096];
	int r = kml_alias_normalize(alias, key, sizeof(key));
	if (r < 0) {
		note(b, "ignoring bad alias %s of module %s", alias, module);
		return 0;
	}
	r = kml_index_writer_add(w, key, module, priority);
	if (r == -EINVAL) {
		note(b, "ignoring alias with non-ASCII characters of module %s", module);
		return 0;
	}
	if (r > 0 && st->opts->warn_duplicates)
		note(b, "duplicate module alias:\n%s %s", key, module);
	return r < 0 ? r : 0;
}

/* modules.alias, modules.softdep and modules.weakdep. */
static int build_modinfo_text(struct build *b)
{
	struct dm_state *st = b->st;
	struct dm_output *o = b->o;
	int r = put(&o[OUT_ALIAS].text, "# Aliases extracted from modules themselves.\n", NULL);
	if (r == 0)
		r = put(&o[OUT_SOFTDEP].text, "# Soft dependencies extracted from modules themselves.\n",
			NULL);
	if (r == 0)
		r = put(&o[OUT_WEAKDEP].text, "# Weak dependencies extracted from modules themselves.\n",
			NULL);
	for (size_t i = 0; r == 0 && i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		const struct dm_info *info = &m->info;
		for (size_t k = 0; r == 0 && k < info->alias_count; k++)
			r = put(&o[OUT_ALIAS].text, "alias ", info->aliases[k], " ", m->name, "\n", NULL);
		for (size_t k = 0; r == 0 && k < info->softdep_count; k++)
			r = put(&o[OUT_SOFTDEP].text, "softdep ", m->name, " ", info->softdeps[k], "\n",
				NULL);
		for (size_t k = 0; r == 0 && k < info->weakdep_count; k++)
			r = put(&o[OUT_WEAKDEP].text, "weakdep ", m->name, " ", info->weakdeps[k], "\n",
				NULL);
	}
	return r;
}

/* modules.alias.bin (a piece of its own: the biggest index). */
static int build_alias_index(struct build *b)
{
	struct dm_state *st = b->st;
	int r = 0;
	for (size_t i = 0; r == 0 && i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		for (size_t k = 0; r == 0 && k < m->info.alias_count; k++)
			r = add_alias_index(b, b->o[OUT_ALIAS_BIN].index, m->info.aliases[k], m->name,
					    (unsigned)m->order);
	}
	return r;
}

/* "char-major-10-235" -> 'c', 10, 235 */
static bool parse_major_minor(const char *alias, char *type, unsigned *major, unsigned *minor)
{
	const char *rest;
	if (strncmp(alias, "char-major-", 11) == 0) {
		*type = 'c';
		rest = alias + 11;
	} else if (strncmp(alias, "block-major-", 12) == 0) {
		*type = 'b';
		rest = alias + 12;
	} else {
		return false;
	}
	char tail;
	return sscanf(rest, "%u-%u%c", major, minor, &tail) == 2;
}

static int build_devname(struct build *b)
{
	struct dm_state *st = b->st;
	struct dm_output *o = b->o;
	int r = 0;
	for (size_t i = 0; r == 0 && i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		const char *devname = NULL;
		char type = 0;
		unsigned major = 0, minor = 0;
		for (size_t k = 0; k < m->info.alias_count; k++) {
			const char *a = m->info.aliases[k];
			if (strncmp(a, "devname:", 8) == 0)
				devname = a + 8;
			else if (!type)
				(void)parse_major_minor(a, &type, &major, &minor);
			if (devname && type)
				break;
		}
		if (!devname || !type)
			continue;
		if (o[OUT_DEVNAME].text.len == 0)
			r = put(&o[OUT_DEVNAME].text, "# Device nodes to trigger on-demand module loading.\n",
				NULL);
		char nums[32];
		snprintf(nums, sizeof(nums), "%c%u:%u\n", type, major, minor);
		if (r == 0)
			r = put(&o[OUT_DEVNAME].text, m->name, " ", devname, " ", nums, NULL);
	}
	return r;
}

/* An exported symbol; HEAD: its first eight bytes (NUL-padded) as a
 * big-endian number, which orders most pairs without a strcmp(). */
struct export_ref {
	uint64_t head;
	const char *name;
	size_t owner;
};

static uint64_t name_head(const char *name)
{
	uint64_t h = 0;
	for (int i = 0; i < 8; i++) {
		h = h << 8 | (unsigned char)*name;
		name += *name != '\0';
	}
	return h;
}

static int export_compare(const void *a, const void *b)
{
	const struct export_ref *x = a, *y = b;
	if (x->head != y->head)
		return x->head < y->head ? -1 : 1;
	/* the same first eight bytes: a NUL among them ends both names */
	int c = (x->head & 0xff) ? strcmp(x->name + 8, y->name + 8) : 0;
	if (c)
		return c;
	return x->owner < y->owner ? -1 : x->owner > y->owner;
}

/* One line per exported symbol, sorted by name; when several modules export
 * a symbol, the last one in depmod's order owns it (as in the reference). */
static int build_symbols(struct build *b)
{
	struct dm_state *st = b->st;
	struct dm_output *o = b->o;
	size_t n = 0;
	for (size_t i = 0; i < st->module_count; i++)
		n += st->modules[i].info.export_count;
	struct export_ref *refs = calloc(n + 1, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < st->module_count; i++) {
		const struct dm_info *info = &st->modules[i].info;
		for (size_t k = 0; k < info->export_count; k++) {
			const char *name = info->exports[k].name;
			if (st->opts->symbol_prefix && name[0] == st->opts->symbol_prefix)
				name++;
			refs[n++] = (struct export_ref){ name_head(name), name, i };
		}
	}
	qsort(refs, n, sizeof(*refs), export_compare);
	int r = put(&o[OUT_SYMBOLS].text, "# Aliases for symbols, used by symbol_request().\n", NULL);
	for (size_t k = 0; r == 0 && k < n; k++) {
		if (k + 1 < n && streq(refs[k].name, refs[k + 1].name)) {
			if (st->opts->warn_duplicates)
				note(b, "duplicate symbol %s in %s and %s", refs[k].name,
					 st->modules[refs[k].owner].name,
					 st->modules[refs[k + 1].owner].name);
			continue; /* the later owner wins */
		}
		const struct dm_module *m = &st->modules[refs[k].owner];
		r = put(&o[OUT_SYMBOLS].text, "alias symbol:", refs[k].name, " ", m->name, "\n", NULL);
		char key[4096];
		size_t nl = strlen(refs[k].name);
		if (r == 0 && nl < sizeof(key) - 7) {
			memcpy(key, "symbol:", 7);
			memcpy(key + 7, refs[k].name, nl + 1);
			r = kml_index_writer_add(o[OUT_SYMBOLS_BIN].index, key, m->name, (unsigned)m->order);
			if (r == -EINVAL)
				r = 0;
			if (r > 0)
				r = 0;
		}
	}
	free(refs);
	return r;
}

/* modules.builtin ("kernel/fs/ext4/ext4.ko" per line) and
 * modules.builtin.modinfo ("name.alias=pattern" records). */
static int build_builtin(struct build *b)
{
	struct dm_state *st = b->st;
	struct dm_output *o = b->o;
	char *path = NULL, *buf = NULL;
	size_t len;
	if (asprintf(&path, "%s/modules.builtin", st->module_dir) < 0)
		return -ENOMEM;
	int r = read_file_full(path, (size_t)64 << 20, &buf, &len);
	free(path);
	if (r == 0) {
		char *save = NULL;
		for (char *line = strtok_r(buf, "\n", &save); r == 0 && line;
		     line = strtok_r(NULL, "\n", &save)) {
			char name[256];
			if (kml_module_name_from_path(line, name, sizeof(name)) < 0 || !name[0])
				continue;
			r = kml_index_writer_add(o[OUT_BUILTIN_BIN].index, name, "", 0);
			if (r > 0 || r == -EINVAL)
				r = 0;
		}
		free(buf);
	} else if (r == -ENOENT) {
		/* still written, as an index with no entries */
		note(b, "could not open modules.builtin at %s: %s", st->module_dir,
			 strerror(-r));
		r = 0;
	}
	if (r < 0)
		return r;

	if (asprintf(&path, "%s/modules.builtin.modinfo", st->module_dir) < 0)
		return -ENOMEM;
	r = read_file_full(path, (size_t)64 << 20, &buf, &len);
	free(path);
	if (r == -ENOENT) {
		note(b, "could not open modules.builtin.modinfo at %s: %s", st->module_dir,
			 strerror(-r));
		return 0;
	}
	if (r < 0)
		return r;
	for (const char *p = buf, *end = buf + len; r == 0 && p < end; p += strlen(p) + 1) {
		const char *dot = strchr(p, '.');
		if (!dot || strncmp(dot + 1, "alias=", 6) != 0)
			continue;
		char name[256];
		size_t nl = (size_t)(dot - p);
		if (nl == 0 || nl >= sizeof(name))
			continue;
		memcpy(name, p, nl);
		name[nl] = '\0';
		r = add_alias_index(b, o[OUT_BUILTIN_ALIAS_BIN].index, dot + 7, name, 0);
	}
	free(buf);
	return r;
}

/*
 * The outputs, each written to its temporary file by build_all(), made
 * durable and then all renamed. Each file's descriptor stays open until
 * after its rename, so that the stamp recorded (st->stamps) is that of the
 * very file this run wrote: if a concurrent run renamed another over it,
 * the stamp no longer matches.
 */
static int commit_outputs(struct dm_state *st, struct dm_output *o)
{
	int r = 0;
	for (int step = 0; step < 2; step++)
		for (int i = 0; i < OUT_COUNT; i++) {
			if (o[i].skip)
				continue;
			r = step == 0 ? o[i].write_error : fsync(o[i].fd) < 0 ? -errno : 0;
			if (r < 0) {
				kml_err(st->ctx, "could not write %s/%s: %s", st->output_dir,
					o[i].name, strerror(-r));
				return r; /* dm_outputs_release() removes the temporary files */
			}
		}
	for (int i = 0; i < OUT_COUNT; i++)
		if (!o[i].skip && (r = dm_rename_into_place(st, &o[i])) < 0)
			return r;
	/* make the renames durable */
	dm_sync_output_dir(st);
	st->stamps.count = OUT_COUNT;
	for (int i = 0; i < OUT_COUNT; i++) {
		struct stat sb;
		if (fstat(o[i].fd, &sb) < 0)
			st->stamps.count = 0; /* unknown: the next run takes the full path */
		else
			dm_cache_key_from_stat(&sb, &st->stamps.stamps[i]);
	}
	dm_remove_stale_temporaries(st);
	return 0;
}

static int dry_run(const struct dm_output *o, FILE *out)
{
	/* the text files, in the order the reference prints them */
	static const enum output_id order[] = { OUT_DEP, OUT_ALIAS, OUT_SOFTDEP, OUT_WEAKDEP,
						OUT_SYMBOLS, OUT_DEVNAME };
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const struct dm_output *x = &o[order[i]];
		if (x->text.len && fwrite(x->text.data, 1, x->text.len, out) != x->text.len)
			return -EIO;
	}
	return fflush(out) == 0 ? 0 : -EIO;
}

static int finish_index(struct dm_output *o, enum output_id id)
{
	return kml_index_writer_build(o[id].index, &o[id].data, &o[id].size);
}

static int run_dep(struct build *b)
{
	int r = build_dep(b);
	return r < 0 ? r : finish_index(b->o, OUT_DEP_BIN);
}

static int run_alias_index(struct build *b)
{
	int r = build_alias_index(b);
	return r < 0 ? r : finish_index(b->o, OUT_ALIAS_BIN);
}

/* Output ID as the previous run left it (its stamp in the old cache): its
 * descriptor, else -1. */
static int open_as_left(const struct dm_state *st, enum output_id id)
{
	const struct dm_cache_outputs *old = st->cache ? dm_cache_get_outputs(st->cache) : NULL;
	if (!old || old->count != OUT_COUNT)
		return -1;
	char *path = NULL;
	if (asprintf(&path, "%s/%s", st->output_dir, dm_output_names[id]) < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	free(path);
	struct stat sb;
	struct dm_cache_key k;
	if (fd >= 0 && fstat(fd, &sb) == 0) {
		dm_cache_key_from_stat(&sb, &k);
		if (S_ISREG(sb.st_mode) && dm_cache_key_equal(&k, &old->stamps[id]))
			return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

static long order_of(const char *name, void *data)
{
	const struct dm_names *names = data;
	size_t i = dm_names_find(names, name);
	return i == SIZE_MAX ? -1 : (long)names->st->modules[i].order;
}

/*
 * While what every module exports is what it was (the world digest), the
 * symbols' outputs hold the same lines: modules.symbols is kept as the
 * last run left it, and modules.symbols.bin is that run's with each
 * value's priority (its module's position in depmod's order) updated.
 * False when that cannot be done (a file changed since, -w's messages):
 * they are built then.
 */
static bool symbols_from_last_run(struct build *b)
{
	struct dm_state *st = b->st;
	struct dm_output *o = b->o;
	if (!st->reuse_links || st->opts->warn_duplicates || st->opts->dry_run_stream)
		return false; /* (-n prints the text: it is built) */
	int text = open_as_left(st, OUT_SYMBOLS), bin = open_as_left(st, OUT_SYMBOLS_BIN);
	char *data = NULL;
	size_t size = 0;
	struct dm_names names = { 0 };
	bool ok = text >= 0 && bin >= 0 && read_fd_full(bin, (size_t)256 << 20, &data, &size) == 0 &&
		  dm_names_index(st, &names) == 0 &&
		  kml_index_set_priorities(data, size, order_of, &names) == 0;
	dm_names_free(&names);
	if (bin >= 0)
		close(bin);
	if (!ok) {
		free(data);
		if (text >= 0)
			close(text);
		return false;
	}
	o[OUT_SYMBOLS].kept_fd = text;
	o[OUT_SYMBOLS_BIN].data = data;
	o[OUT_SYMBOLS_BIN].size = size;
	return true;
}

static int run_symbols(struct build *b)
{
	if (symbols_from_last_run(b))
		return 0;
	int r = build_symbols(b);
	return r < 0 ? r : finish_index(b->o, OUT_SYMBOLS_BIN);
}

static int run_builtin(struct build *b)
{
	int r = build_builtin(b);
	if (r == 0)
		r = finish_index(b->o, OUT_BUILTIN_BIN);
	return r < 0 ? r : finish_index(b->o, OUT_BUILTIN_ALIAS_BIN);
}

/* The pieces in the order their messages are logged; WORK_ORDER: the
 * biggest first, so that the threads finish together. */
enum { B_DEP, B_MODINFO, B_ALIAS_BIN, B_DEVNAME, B_SYMBOLS, B_BUILTIN, B_COUNT };
static const int work_order[B_COUNT] = { B_ALIAS_BIN, B_SYMBOLS, B_MODINFO,
					 B_DEP,	      B_BUILTIN, B_DEVNAME };

struct build_pool {
	struct build *builds;
	bool write; /* each output to its temporary file once built */
};

/* O compared with its file and, unless the same, written to its temporary
 * file (its write-back started); its bytes are not needed after that. */
static void write_built(struct dm_state *st, struct dm_output *o)
{
	if (o->kept_fd >= 0) { /* the file as it is: only its times refreshed */
		o->fd = o->kept_fd;
		o->kept_fd = -1;
		o->skip = futimens(o->fd, NULL) == 0;
		if (!o->skip) {
			o->write_error = -errno;
			close(o->fd);
			o->fd = -1;
		}
		return;
	}
	o->skip = dm_same_as_on_disk(st, o);
	if (!o->skip)
		o->write_error = dm_write_temporary(st, o);
	free(o->text.data);
	o->text = (struct strbuf){ 0 };
	free(o->data);
	o->data = NULL;
}

static void build_one(void *data, size_t i, struct strbuf *scratch)
{
	struct build_pool *p = data;
	struct build *b = &p->builds[work_order[i]];
	(void)scratch;
	int r = b->run ? b->run(b) : 0;
	if (b->r == 0)
		b->r = r;
	for (int k = 0; p->write && b->r == 0 && k < 4 && b->outputs[k] != OUT_COUNT; k++)
		write_built(b->st, &b->o[b->outputs[k]]);
}

/* Every piece built, on as many threads as depmod may use (at most one a
 * piece), and with WRITE each output written to its temporary file as soon
 * as it is built (so that the disk works while the CPUs build the rest, and
 * its memory goes); then their messages, and the first error in piece
 * order. Write errors are reported by commit_outputs(). */
static int build_all(struct dm_state *st, struct dm_output *o, bool write)
{
	struct build builds[B_COUNT] = {
		[B_DEP] = { st, o, run_dep, 0, { 0 }, { OUT_DEP, OUT_DEP_BIN, OUT_COUNT } },
		[B_MODINFO] = { st, o, build_modinfo_text, 0, { 0 },
				{ OUT_ALIAS, OUT_SOFTDEP, OUT_WEAKDEP, OUT_COUNT } },
		[B_ALIAS_BIN] = { st, o, run_alias_index, 0, { 0 }, { OUT_ALIAS_BIN, OUT_COUNT } },
		[B_DEVNAME] = { st, o, build_devname, 0, { 0 }, { OUT_DEVNAME, OUT_COUNT } },
		[B_SYMBOLS] = { st, o, run_symbols, 0, { 0 },
				{ OUT_SYMBOLS, OUT_SYMBOLS_BIN, OUT_COUNT } },
		[B_BUILTIN] = { st, o, run_builtin, 0, { 0 },
				{ OUT_BUILTIN_BIN, OUT_BUILTIN_ALIAS_BIN, OUT_COUNT } },
	};
	struct build_pool pool = { builds, write };
	dm_parallel(dm_job_count(st), B_COUNT, build_one, &pool);
	int r = 0;
	for (int i = 0; i < B_COUNT; i++) {
		for (size_t at = 0; at < builds[i].notes.len; at += strlen(builds[i].notes.data + at) + 1)
			kml_warn(st->ctx, "%s", builds[i].notes.data + at);
		free(builds[i].notes.data);
		if (r == 0)
			r = builds[i].r;
	}
	return r;
}

int dm_write_outputs(struct dm_state *st)
{
	struct dm_output o[OUT_COUNT];
	int r = outputs_init(o);
	bool write = !st->opts->dry_run_stream;
	if (r == 0 && write)
		r = dm_make_output_dir(st);
	if (r == 0)
		r = build_all(st, o, write);
	if (r == 0) {
		if (st->opts->dry_run_stream)
			r = dry_run(o, st->opts->dry_run_stream);
		else
			r = commit_outputs(st, o);
	}
	dm_outputs_release(o, OUT_COUNT);
	return r;
}

