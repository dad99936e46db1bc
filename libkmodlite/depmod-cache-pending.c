// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod: the new cache (format in depmod-cache.h) as it is written around
 * the outputs, and the digest of what the outputs are made from.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod-files.h"

/* A file of the module directory read by the output stage: its stamp. */
static uint64_t hash_input_stamp(uint64_t h, const struct dm_state *st, const char *name)
{
	char *path = NULL;
	struct stat sb;
	struct dm_cache_key k = { 0 };
	if (asprintf(&path, "%s/%s", st->module_dir, name) >= 0 && stat(path, &sb) == 0)
		dm_cache_key_from_stat(&sb, &k);
	else
		k.ino = UINT64_MAX; /* absent or unreadable */
	free(path);
	h = dm_hash_str(h, name);
	return dm_hash_bytes(h, &k, sizeof(k));
}

uint64_t dm_outputs_digest(const struct dm_state *st)
{
	uint64_t h = dm_hash_str(DM_HASH_INIT, "outputs");
	uint64_t head[3] = { st->config_hash, st->module_count, st->opts->warn_duplicates };
	h = dm_hash_bytes(h, head, sizeof(head));
	for (size_t i = 0; i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		h = dm_hash_str(h, m->relpath);
		h = dm_hash_str(h, m->name);
		uint64_t v[2] = { (uint64_t)(int64_t)m->parse_error, m->parse_error ? 0 : m->digest };
		h = dm_hash_bytes(h, v, sizeof(v));
	}
	h = hash_input_stamp(h, st, "modules.builtin");
	return hash_input_stamp(h, st, "modules.builtin.modinfo");
}

/*
 * The cache, in two steps around the outputs: its records and listings are
 * streamed to a temporary file while the outputs are built (taking little
 * memory), the outputs' part and the trailer once the outputs are on disk,
 * and then the rename. A run that ends in between leaves the
 * old cache, whose record of the outputs no longer matches them. The cache
 * is not fsync'd: its trailer (size and CRC) makes a copy torn by a crash
 * detectable, and then it is only ignored. Not being able to write it (a
 * full disk) is only worth a warning: the outputs are written, and the old
 * cache, if any, stays usable for what it still matches.
 */
struct dm_pending_cache {
	struct dm_output file;
	struct dm_cache_writer *writer;
	pthread_t thread; /* writing the records and listings, while THREADED */
	bool threaded;
	bool spare;	   /* FILE is the spare, written over in place */
	bool spare_absent; /* there was no spare */
	int begun;	   /* its result */
};

/* The records and listings written, or not: their result. */
static int wait_begun(struct dm_pending_cache *p)
{
	if (p->threaded)
		pthread_join(p->thread, NULL);
	p->threaded = false;
	return p->begun;
}

static void pending_free(struct dm_state *st)
{
	struct dm_pending_cache *p = st->pending_cache;
	if (!p)
		return;
	(void)wait_begun(p);
	dm_cache_writer_free(p->writer);
	if (p->spare) { /* half written, it is still a spare: not removed */
		free(p->file.tmp_path);
		p->file.tmp_path = NULL;
	}
	dm_outputs_release(&p->file, 1); /* (removes the temporary file if still there) */
	free(p);
	st->pending_cache = NULL;
}

static int cache_failed(struct dm_state *st, int r)
{
	if (r != -ENOMEM)
		kml_warn(st->ctx, "could not write %s/%s: %s", st->output_dir, DM_CACHE_NAME,
			 strerror(-r));
	pending_free(st);
	return r == -ENOMEM ? r : 0;
}

enum record_source { NO_RECORD, OLD_RECORD, NEW_RECORD };

/* Every module parsed without error and not changed just now is recorded:
 * copied from the old cache when it matched, else from its parse results. */
static enum record_source record_source(const struct dm_state *st, const struct dm_module *m)
{
	if (m->parse_error != 0 || !m->have_key)
		return NO_RECORD;
	if (m->cache_match && st->cache)
		return OLD_RECORD;
	return m->cacheable ? NEW_RECORD : NO_RECORD;
}

/* The records and the listings, streamed: nothing of the cache's size is
 * held in memory. */
static int begin_records(struct dm_state *st, struct dm_pending_cache *p)
{
	size_t n = 0;
	for (size_t i = 0; i < st->module_count; i++) {
		struct dm_module *m = &st->modules[i];
		m->recorded = record_source(st, m) != NO_RECORD;
		n += m->recorded;
	}
	int r = dm_cache_writer_start(kml_ctx_get_kernel_version(st->ctx), st->config_hash, n,
				      dm_write_to_fd, &p->file.fd, &p->writer);
	for (size_t i = 0; r == 0 && i < st->module_count; i++) {
		struct dm_module *m = &st->modules[i];
		enum record_source src = record_source(st, m);
		if (src == OLD_RECORD) {
			struct dm_cache_entry e = { m->path, m->key, NULL, m->raw, NULL };
			r = dm_cache_writer_add(p->writer, &e);
		} else if (src == NEW_RECORD) {
			struct dm_cache_entry e = { m->path, m->key, &m->info, { 0 }, &m->digest };
			r = dm_cache_writer_add(p->writer, &e);
			m->have_digest = r == 0;
		}
	}
	if (r == 0)
		r = dm_cache_writer_listings(p->writer, st->dir_count);
	/* each listing: its path, then its entries, one string after the other */
	char **names = NULL;
	size_t cap = 0;
	for (size_t i = 0; r == 0 && i < st->dir_count; i++) {
		const struct dm_dir *d = &st->dirs[i];
		r = ARRAY_GROW(names, cap, d->count + 1);
		char *str = st->listings.data + d->at;
		const char *path = str;
		for (size_t j = 0; r == 0 && j < d->count; j++) {
			str += strlen(str) + 1;
			names[j] = str;
		}
		struct dm_cache_dir dir = { path, d->key, names, d->count };
		if (r == 0)
			r = dm_cache_writer_add_listing(p->writer, &dir);
	}
	free(names);
	return r == 0 ? dm_cache_writer_flush(p->writer) : r;
}

/*
 * The spare: the cache before the current one, kept under
 * DM_CACHE_SPARE_NAME by the run that replaced it instead of being deleted.
 * Writing the new cache over it in place reuses its blocks and its pages
 * in memory, and no file is freed when the new one is renamed into place:
 * with a cache of several megabytes, a new file and the freeing of the old
 * one cost more than everything else an incremental run does. It is
 * written only under its exclusive lock, which a run reading it prevents
 * (the spare was the cache once, and runs read the cache under a shared
 * lock), and only if it is a regular file of ours, of mode 0644, with one
 * link, still under that name once locked. -EBUSY when it cannot be used.
 */
static int open_spare(struct dm_state *st, struct dm_pending_cache *p)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", st->output_dir, DM_CACHE_SPARE_NAME) < 0)
		return -ENOMEM;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	p->spare_absent = fd < 0 && errno == ENOENT;
	struct stat sb, named;
	bool ours = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &sb) == 0 &&
		    S_ISREG(sb.st_mode) && sb.st_nlink == 1 && sb.st_uid == geteuid() &&
		    (sb.st_mode & 07777) == 0644 && lstat(path, &named) == 0 &&
		    named.st_dev == sb.st_dev && named.st_ino == sb.st_ino;
	if (!ours) {
		if (fd >= 0)
			close(fd);
		free(path);
		return -EBUSY;
	}
	p->file.fd = fd;
	p->file.tmp_path = path;
	p->spare = true;
	return 0;
}

/*
 * The new cache, written and closed, renamed to FINAL. The old one (which
 * runs may still be reading) becomes the spare instead of being deleted:
 * swapped with the spare when the spare was written, else renamed to
 * SPARE_PATH if there was none. When the file system cannot swap two
 * names, the new cache replaces the old one as any output does.
 */
static int put_in_place(struct dm_pending_cache *p, const char *final, const char *spare_path)
{
	const char *tmp = p->file.tmp_path;
	struct stat sb;
	if ((p->spare || p->spare_absent) && lstat(final, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
		/* TMP names the old cache now */
		if (!p->spare && renameat2(AT_FDCWD, tmp, AT_FDCWD, spare_path, RENAME_NOREPLACE) < 0)
			(void)unlink(tmp);
		return 0;
	}
	return rename(tmp, final) < 0 ? -errno : 0;
}

/* The thread that streams the records and listings; it logs nothing (its
 * result is reported by dm_cache_wait()), and frees the listings. */
static void *begin_thread(void *data)
{
	struct dm_state *st = data;
	struct dm_pending_cache *p = st->pending_cache;
	int r = open_spare(st, p);
	if (r == -EBUSY)
		r = dm_create_temporary(st, &p->file);
	if (r == 0)
		r = begin_records(st, p);
	dm_scan_release(st);
	p->begun = r;
	return NULL;
}

int dm_cache_begin(struct dm_state *st)
{
	struct dm_pending_cache *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->file = (struct dm_output){ .name = DM_CACHE_NAME, .fd = -1, .kept_fd = -1 };
	st->pending_cache = p;
	int r = dm_make_output_dir(st);
	if (r < 0)
		return cache_failed(st, r);
	/* -j 1 asks for one thread: then the records are written here */
	p->threaded = st->opts->jobs != 1 && pthread_create(&p->thread, NULL, begin_thread, st) == 0;
	if (!p->threaded)
		(void)begin_thread(st);
	return 0;
}

int dm_cache_wait(struct dm_state *st)
{
	struct dm_pending_cache *p = st->pending_cache;
	if (!p)
		return 0;
	int r = wait_begun(p);
	return r < 0 ? cache_failed(st, r) : 0;
}

void dm_cache_abandon(struct dm_state *st)
{
	pending_free(st);
}

/* M's links for the new cache: its dependencies as just resolved, or when
 * they were not (the outputs were current: the same modules with the same
 * parse results), the old cache's. False when not known. */
static bool links_of(const struct dm_state *st, const struct dm_module *m,
		     struct dm_cache_links *old, uint64_t *exports, size_t *count)
{
	if (!st->resolved) {
		if (!dm_cache_get_links(st->cache, m->path, old))
			return false;
		*exports = old->exports;
		*count = old->count;
		return true;
	}
	*exports = m->exports_digest;
	*count = m->dep_count;
	return m->have_exports_digest;
}

/* The links part: an entry for each recorded module whose links are known,
 * by its position among the records (as begin_records() wrote them). */
static int write_links(struct dm_state *st, struct dm_cache_writer *w)
{
	uint64_t world = st->resolved ? dm_exports_world(st) : dm_cache_world(st->cache);
	size_t n = 0, most = 0, exports_count;
	uint64_t exports;
	struct dm_cache_links old;
	for (size_t i = 0; world && i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		if (m->recorded && links_of(st, m, &old, &exports, &exports_count)) {
			n++;
			most = exports_count > most ? exports_count : most;
		}
	}
	int r = dm_cache_writer_links(w, world, n);
	const char **names = world && n ? calloc(most + 1, sizeof(*names)) : NULL;
	if (r == 0 && world && n && !names)
		r = -ENOMEM;
	size_t record = 0;
	for (size_t i = 0; r == 0 && world && n && i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		if (!m->recorded)
			continue;
		size_t at = record++;
		size_t count;
		if (!links_of(st, m, &old, &exports, &count))
			continue;
		const unsigned char *cursor = old.names;
		for (size_t k = 0; k < count; k++)
			names[k] = st->resolved ? st->modules[m->deps[k]].name : dm_cache_next_name(&cursor);
		r = dm_cache_writer_add_links(w, at, exports, names, count);
	}
	free(names);
	return r;
}

int dm_cache_finish(struct dm_state *st, bool clean)
{
	int r = dm_cache_wait(st);
	struct dm_pending_cache *p = st->pending_cache;
	if (r < 0 || !p)
		return r;
	if (clean && st->stamps.count == DM_OUTPUT_COUNT) {
		/* digests not known yet: modules parsed but not recorded */
		struct strbuf scratch = { 0 };
		for (size_t i = 0; r == 0 && i < st->module_count; i++) {
			struct dm_module *m = &st->modules[i];
			if (m->parse_error == 0 && !m->have_digest) {
				r = dm_info_digest(&m->info, &scratch, &m->digest);
				m->have_digest = r == 0;
			}
		}
		free(scratch.data);
		st->stamps.digest = dm_outputs_digest(st);
	} else {
		st->stamps.count = 0;
	}
	if (r == 0)
		r = write_links(st, p->writer);
	if (r == 0)
		r = dm_cache_writer_finish(p->writer, &st->stamps);
	if (r == 0 && p->spare) { /* what is left of its old content cut off */
		off_t end = lseek(p->file.fd, 0, SEEK_CUR);
		if (end < 0 || ftruncate(p->file.fd, end) < 0)
			r = -errno;
	}
	char *final = NULL, *spare_path = NULL;
	if (r == 0 && asprintf(&final, "%s/%s", st->output_dir, DM_CACHE_NAME) < 0) {
		final = NULL;
		r = -ENOMEM;
	}
	if (r == 0 && asprintf(&spare_path, "%s/%s", st->output_dir, DM_CACHE_SPARE_NAME) < 0) {
		spare_path = NULL;
		r = -ENOMEM;
	}
	/* (its lock held until it is in place) */
	if (r == 0)
		r = put_in_place(p, final, spare_path);
	if (close(p->file.fd) < 0 && r == 0)
		r = -errno;
	p->file.fd = -1;
	if (r == 0) {
		free(p->file.tmp_path);
		p->file.tmp_path = NULL;
		p->spare = false;
	}
	free(final);
	free(spare_path);
	return r < 0 ? cache_failed(st, r) : (pending_free(st), 0);
}
