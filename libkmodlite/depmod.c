// SPDX-License-Identifier: LGPL-2.1-or-later
/* kml_depmod_run(): depmod's stages in order (see depmod-private.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "depmod-private.h"

/* ROOT + MODDIR + "/" + KVER, made absolute against the current directory
 * (the paths in messages and in modules.dep of external modules are). */
static int join_tree_path(const char *root, const char *moddir, const char *kver, char **ret)
{
	if (!root)
		root = "";
	if (!moddir)
		moddir = "/lib/modules";
	char *cwd = NULL;
	if (root[0] && root[0] != '/' && !(cwd = getcwd(NULL, 0)))
		return -errno;
	int r = asprintf(ret, "%s%s%s%s%s/%s", cwd ? cwd : "", cwd ? "/" : "", root,
			 moddir[0] == '/' ? "" : "/", moddir, kver);
	free(cwd);
	return r < 0 ? -ENOMEM : 0;
}

/* True when some module file under DIR is newer than T (for -A). */
static bool tree_newer_than(const char *dir, const struct timespec *t, int depth)
{
	if (depth > 64)
		return false;
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool newer = false;
	struct dirent *de;
	while (!newer && (de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			break;
		struct stat sb;
		if (stat(path, &sb) == 0) {
			if (S_ISDIR(sb.st_mode))
				newer = tree_newer_than(path, t, depth + 1);
			else if (kml_module_ext_len(de->d_name) > 0)
				newer = sb.st_mtim.tv_sec > t->tv_sec ||
					(sb.st_mtim.tv_sec == t->tv_sec && sb.st_mtim.tv_nsec > t->tv_nsec);
		}
		free(path);
	}
	closedir(d);
	return newer;
}

static bool up_to_date(const struct dm_state *st)
{
	char *dep = NULL;
	if (asprintf(&dep, "%s/modules.dep", st->output_dir) < 0)
		return false;
	struct stat sb;
	bool ok = stat(dep, &sb) == 0 && !tree_newer_than(st->module_dir, &sb.st_mtim, 0);
	free(dep);
	return ok;
}

/* The contents of an -F or -E file, into H (its path alone if unreadable:
 * the run then fails anyway). */
static uint64_t hash_input_file(uint64_t h, const char *path)
{
	h = dm_hash_str(h, path);
	if (!path)
		return h;
	char *buf = NULL;
	size_t len = 0;
	if (read_file_full(path, (size_t)256 << 20, &buf, &len) == 0) {
		uint64_t v[2] = { len, crc32_update(0, buf, len) };
		h = dm_hash_bytes(h, v, sizeof(v));
	}
	free(buf);
	return h;
}

/* Everything the outputs depend on besides the module files' bytes and the
 * module directory's own inputs (modules.order, modules.builtin*). */
static uint64_t config_hash(const struct dm_state *st)
{
	const struct kml_depmod_options *o = st->opts;
	uint64_t h = dm_hash_str(DM_HASH_INIT, st->module_dir);
	h = dm_hash_str(h, st->output_dir);
	h = kml_depmod_config_hash(st->config, h);
	h = hash_input_file(h, o->system_map);
	h = hash_input_file(h, o->symvers);
	uint8_t flags[2] = { o->errsyms, (uint8_t)o->symbol_prefix };
	return dm_hash_bytes(h, flags, sizeof(flags));
}

int dm_cache_load(struct dm_state *st)
{
	st->use_cache = !st->opts->no_cache;
	if (!st->use_cache)
		return 0;
	/* explicit files make a partial tree: its cache would drop the rest */
	st->write_cache = !st->opts->dry_run_stream && !(st->opts->files && st->opts->files[0]);
	(void)clock_gettime(CLOCK_REALTIME, &st->start);
	st->config_hash = config_hash(st);
	char *path = NULL;
	if (asprintf(&path, "%s/" DM_CACHE_NAME, st->output_dir) < 0)
		return -ENOMEM;
	/* a regular file only: not a FIFO, not a device behind a link */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int r = fd < 0 ? -errno : 0;
	/* held while it is read: nobody writes it over in the meantime (see
	 * depmod-cache-pending.c); a run that has just renamed it into place
	 * holds it for a moment longer, and then it is not waited for. Its
	 * size is taken under the lock. */
	if (r == 0 && flock(fd, LOCK_SH | LOCK_NB) < 0)
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
	struct stat sb;
	if (r == 0 && fstat(fd, &sb) < 0)
		r = -errno;
	if (r == 0 && !S_ISREG(sb.st_mode))
		r = -EBADMSG;
	if (r == 0 && (uint64_t)sb.st_size > DM_CACHE_MAX_SIZE)
		r = -EFBIG;
	if (r == -ENOENT && st->opts->cache_if_present) {
		/* an image builder's tree (initramfs): no later run reads a cache here */
		st->use_cache = false;
		st->write_cache = false;
		free(path);
		return 0;
	}
	if (r == 0)
		r = dm_cache_open_fd(fd, (size_t)sb.st_size, kml_ctx_get_kernel_version(st->ctx),
				     st->config_hash, &st->cache);
	if (fd >= 0)
		close(fd);
	if (r == -ENOMEM) {
		free(path);
		return r;
	}
	if (r == -ESTALE)
		kml_info(st->ctx,
			 "ignoring %s: written for another kernel version, configuration or format",
			 path);
	else if (r == -EBUSY)
		kml_info(st->ctx, "ignoring %s: being written by another run", path);
	else if (r < 0 && r != -ENOENT)
		kml_info(st->ctx, "ignoring %s: %s", path, strerror(-r));
	free(path);
	return 0;
}

/* The full path: every record decoded, symbols resolved, the outputs
 * written, then the cache. It is stamped with the outputs only if these
 * stages printed nothing: a later run that skips them must not owe the
 * user a message. */
static int write_everything(struct dm_state *st)
{
	int r = dm_load_cached(st);
	unsigned long messages = kml_ctx_messages(st->ctx);
	/* the cache's records and listings go out while the rest is done */
	if (r == 0 && st->write_cache)
		r = dm_cache_begin(st);
	if (r == 0)
		r = dm_resolve(st);
	if (r == 0)
		r = dm_write_outputs(st);
	int rc = dm_cache_wait(st);
	if (r == 0)
		r = rc;
	dm_scan_release(st);
	bool clean = kml_ctx_messages(st->ctx) == messages;
	if (r == 0 && (clean || st->records_changed))
		r = dm_cache_finish(st, clean);
	dm_cache_abandon(st); /* (when not finished) */
	return r;
}

int kml_depmod_run(struct kml_ctx *ctx, const struct kml_depmod_options *opts)
{
	struct dm_state st = { .ctx = ctx, .opts = opts };
	for (size_t i = 0; i < DM_OUTPUT_COUNT; i++)
		st.output_fds[i] = -1;
	const char *kver = kml_ctx_get_kernel_version(ctx);
	int r = join_tree_path(opts->base_dir, opts->module_dir, kver, &st.module_dir);
	if (r == 0)
		r = join_tree_path(opts->out_dir ? opts->out_dir : opts->base_dir, opts->module_dir,
				   kver, &st.output_dir);
	if (r == 0 && opts->quick && !opts->dry_run_stream && up_to_date(&st))
		goto out;
	if (r == 0)
		r = kml_depmod_config_load(ctx, opts->config_paths, kver, &st.config);
	if (r == 0)
		r = dm_cache_load(&st);
	if (r == 0) {
		r = dm_scan(&st);
		if (r < 0)
			kml_err(ctx, "could not search modules in %s: %s", st.module_dir, strerror(-r));
	}
	if (r == 0)
		r = dm_sort_by_order_file(&st);
	if (r == 0)
		r = dm_parse_all(&st);
	if (r == 0 && dm_outputs_current(&st))
		r = dm_refresh_outputs(&st); /* 1: could not, the full path then */
	else if (r == 0)
		r = 1;
	if (r > 0)
		r = write_everything(&st);
out:
	dm_close_outputs(&st);
	for (size_t i = 0; i < st.module_count; i++) {
		struct dm_module *m = &st.modules[i];
		dm_info_release(&m->info);
		free(m->path); /* (relpath and name with it) */
		free(m->deps);
	}
	free(st.modules);
	dm_scan_release(&st);
	dm_cache_free(st.cache);
	kml_depmod_config_free(st.config);
	free(st.module_dir);
	free(st.output_dir);
	return r;
}
