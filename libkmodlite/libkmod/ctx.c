// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod's context over libkmodlite's: the module directory, the
 * configuration (read when the context is made, as libkmod does), logging,
 * and the resources (indexes) with what validate_resources compares.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "libkmod-private.h"
#include "module-pool.h"

/* The header of a modules.*.bin index: magic, then the version (major in
 * the high 16 bits), big-endian. */
#define LIBKMOD_INDEX_MAGIC 0xb007f457u
#define LIBKMOD_INDEX_MAJOR 2u

/* One configuration path (file or directory) and its state when read. */
struct config_stamp {
	char *path;
	struct timespec mtime;
	bool exists;
};

static const char *const default_config_dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
	"/usr/lib/modprobe.d", "/lib/modprobe.d", NULL,
};

static void stamp_take(struct config_stamp *s)
{
	struct stat st;
	s->exists = stat(s->path, &st) == 0;
	s->mtime = s->exists ? st.st_mtim : (struct timespec){ 0 };
}

static bool stamp_same(const struct config_stamp *s)
{
	struct config_stamp now = { .path = s->path };
	stamp_take(&now);
	return now.exists == s->exists && now.mtime.tv_sec == s->mtime.tv_sec &&
	       now.mtime.tv_nsec == s->mtime.tv_nsec;
}

static int stamps_add(struct kmod_ctx *ctx, const char *path)
{
	struct config_stamp *n =
		reallocarray(ctx->config_stamps, ctx->config_stamp_count + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	ctx->config_stamps = n;
	struct config_stamp *s = &n[ctx->config_stamp_count];
	s->path = strdup(path);
	if (!s->path)
		return -ENOMEM;
	stamp_take(s);
	ctx->config_stamp_count++;
	return 0;
}

/*
 * The configuration paths that exist, as libkmod watches them: a
 * directory's own time changes when a file is added, removed or replaced
 * by rename (as editors save), not when one is rewritten in place; a path
 * missing now is not watched; modules.softdep is the indexes' business.
 */
static int stamps_record(struct kmod_ctx *ctx, const char *const *paths)
{
	int r = 0;
	for (size_t i = 0; r == 0 && paths[i]; i++) {
		struct stat st;
		if (stat(paths[i], &st) == 0)
			r = stamps_add(ctx, paths[i]);
	}
	return r;
}

/* KMOD_LOG: a number, or a priority name ("err", "info", "debug");
 * anything else is 0, as with libkmod. */
static int priority_from_env(void)
{
	const char *s = secure_getenv("KMOD_LOG");
	if (!s)
		return LOG_ERR;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end == '\0' || isspace((unsigned char)*end))
		return (int)v;
	if (strncmp(s, "err", 3) == 0)
		return LOG_ERR;
	if (strncmp(s, "info", 4) == 0)
		return LOG_INFO;
	if (strncmp(s, "debug", 5) == 0)
		return LOG_DEBUG;
	return 0;
}

static const char *priority_name(int priority)
{
	switch (priority) {
	case LOG_EMERG: return "EMERGENCY";
	case LOG_ALERT: return "ALERT";
	case LOG_CRIT: return "CRITICAL";
	case LOG_ERR: return "ERROR";
	case LOG_WARNING: return "WARNING";
	case LOG_NOTICE: return "NOTICE";
	case LOG_INFO: return "INFO";
	case LOG_DEBUG: return "DEBUG";
	default: return "L";
	}
}

/* Until the caller installs its own: standard error, as libkmod does. */
static void log_to_stderr(void *data, int priority, const char *file, int line, const char *fn,
			  const char *format, va_list args)
{
	fprintf(stderr, "libkmod: %s: %s: ", priority_name(priority), fn);
	vfprintf(stderr, format, args);
}

static void call_log_fn(struct kmod_ctx *ctx, int priority, const char *file, int line,
			const char *fn, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	ctx->log_fn(ctx->log_data, priority, file, line, fn, format, ap);
	va_end(ap);
}

void kmod_log_bridge(void *data, int priority, const char *file, int line, const char *fn,
		     const char *message)
{
	struct kmod_ctx *ctx = data;
	if (ctx->log_fn)
		call_log_fn(ctx, priority, file, line, fn, "%s\n", message);
}

static void ctx_free(struct kmod_ctx *ctx)
{
	module_pool_free(ctx->pool);
	kml_config_free(ctx->config);
	kml_ctx_free(ctx->lib);
	for (size_t i = 0; i < ctx->config_stamp_count; i++)
		free(ctx->config_stamps[i].path);
	free(ctx->config_stamps);
	free(ctx);
}

KMOD_EXPORT struct kmod_ctx *kmod_new(const char *dirname, const char *const *config_paths)
{
	struct kmod_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->refcount = 1;
	ctx->log_fn = log_to_stderr;
	ctx->log_priority = priority_from_env();
	int r = kml_ctx_new(NULL, NULL, &ctx->lib);
	if (r == 0 && dirname) {
		char *abs = NULL;
		if (dirname[0] == '/') {
			abs = strdup(dirname);
		} else {
			char *cwd = getcwd(NULL, 0);
			abs = cwd ? path_join(cwd, dirname, strlen(dirname)) : NULL;
			free(cwd);
		}
		r = abs ? kml_ctx_set_module_dir(ctx->lib, abs) : -ENOMEM;
		free(abs);
	}
	if (r < 0) {
		ctx_free(ctx);
		return NULL;
	}
	kml_ctx_set_log(ctx->lib, kmod_log_bridge, ctx, ctx->log_priority);

	/* the kernel command line's options and blacklist count, as in libkmod */
	char *cmdline = NULL;
	if (kml_kernel_read_cmdline(&cmdline) < 0)
		cmdline = NULL;
	r = kml_config_load(ctx->lib, config_paths, cmdline, &ctx->config);
	free(cmdline);
	if (r == 0)
		r = stamps_record(ctx, config_paths ? config_paths : default_config_dirs);
	if (r < 0) {
		ctx_free(ctx);
		return NULL;
	}
	kml_info(ctx->lib, "ctx %p created", (void *)ctx);
	return ctx;
}

KMOD_EXPORT struct kmod_ctx *kmod_ref(struct kmod_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

KMOD_EXPORT struct kmod_ctx *kmod_unref(struct kmod_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (--ctx->refcount > 0)
		return ctx;
	kml_info(ctx->lib, "context %p released", (void *)ctx);
	ctx_free(ctx);
	return NULL;
}

KMOD_EXPORT void kmod_set_log_fn(struct kmod_ctx *ctx,
				 void (*log_fn)(void *log_data, int priority, const char *file,
						int line, const char *fn, const char *format,
						va_list args),
				 const void *data)
{
	if (!ctx)
		return;
	ctx->log_fn = log_fn;
	ctx->log_data = (void *)data;
	kml_info(ctx->lib, "custom logging function %p registered", (void *)log_fn);
}

KMOD_EXPORT int kmod_get_log_priority(const struct kmod_ctx *ctx)
{
	return ctx ? ctx->log_priority : -1;
}

KMOD_EXPORT void kmod_set_log_priority(struct kmod_ctx *ctx, int priority)
{
	if (!ctx)
		return;
	ctx->log_priority = priority;
	kml_ctx_set_log(ctx->lib, kmod_log_bridge, ctx, priority);
}

KMOD_EXPORT void *kmod_get_userdata(const struct kmod_ctx *ctx)
{
	return ctx ? ctx->userdata : NULL;
}

KMOD_EXPORT void kmod_set_userdata(struct kmod_ctx *ctx, const void *userdata)
{
	if (ctx)
		ctx->userdata = (void *)userdata;
}

KMOD_EXPORT const char *kmod_get_dirname(const struct kmod_ctx *ctx)
{
	return ctx ? kml_ctx_get_module_dir(ctx->lib) : NULL;
}

static char *index_path(const struct kmod_ctx *ctx, enum kml_index_id id)
{
	const char *file = kml_ctx_index_file(id);
	return path_join(kml_ctx_get_module_dir(ctx->lib), file, strlen(file));
}

/*
 * Why PATH is no index, in libkmod's words: a wrong magic number or major
 * version is logged with the numbers; a file too short for the header is
 * refused silently; anything else (a directory, no permission) is said as
 * it is.
 */
static void index_error(const struct kmod_ctx *ctx, const char *path, int err)
{
	unsigned char h[12]; /* magic, version, root */
	int fd = err == -EBADMSG ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	ssize_t n = fd >= 0 ? read(fd, h, sizeof(h)) : -1;
	if (fd >= 0)
		close(fd);
	if (n >= 0 && n < (ssize_t)sizeof(h))
		return;
	if (n == (ssize_t)sizeof(h)) {
		uint32_t magic = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | h[2] << 8 | h[3];
		uint32_t major = (uint32_t)h[4] << 8 | h[5];
		if (magic != LIBKMOD_INDEX_MAGIC) {
			kml_err(ctx->lib, "magic check fail: %x instead of %x", magic,
				LIBKMOD_INDEX_MAGIC);
			return;
		}
		if (major != LIBKMOD_INDEX_MAJOR) {
			kml_err(ctx->lib, "major version check fail: %u instead of %u", major,
				LIBKMOD_INDEX_MAJOR);
			return;
		}
	}
	kml_err(ctx->lib, "could not open index %s: %s", path, strerror(-err));
}

KMOD_EXPORT int kmod_load_resources(struct kmod_ctx *ctx)
{
	if (!ctx)
		return -ENOENT;
	for (int id = 0; id < KML_INDEX_COUNT; id++) {
		if (ctx->index_loaded[id])
			continue;
		char *path = index_path(ctx, id);
		if (!path)
			return -ENOMEM;
		struct stat st;
		int r = stat(path, &st) < 0 ? -errno : kml_ctx_load_index(ctx->lib, id);
		if (r < 0 && r != -ENOENT)
			index_error(ctx, path, r);
		free(path);
		/* modules.builtin.alias.bin is optional, as with libkmod */
		if (r < 0 && id == KML_INDEX_BUILTIN_ALIAS)
			continue;
		if (r < 0) {
			kmod_unload_resources(ctx);
			/* a file that is no index: invalid, as libkmod says */
			return r == -EBADMSG ? -EINVAL : r;
		}
		ctx->index_mtime[id] = st.st_mtim;
		ctx->index_loaded[id] = true;
	}
	return 0;
}

KMOD_EXPORT void kmod_unload_resources(struct kmod_ctx *ctx)
{
	if (!ctx)
		return;
	kml_ctx_close_indexes(ctx->lib);
	for (int id = 0; id < KML_INDEX_COUNT; id++)
		ctx->index_loaded[id] = false;
}

KMOD_EXPORT int kmod_validate_resources(struct kmod_ctx *ctx)
{
	if (!ctx)
		return KMOD_RESOURCES_MUST_RECREATE;
	for (size_t i = 0; i < ctx->config_stamp_count; i++)
		if (!stamp_same(&ctx->config_stamps[i]))
			return KMOD_RESOURCES_MUST_RECREATE;
	for (int id = 0; id < KML_INDEX_COUNT; id++) {
		if (!ctx->index_loaded[id])
			continue;
		char *path = index_path(ctx, id);
		struct stat st;
		bool same = path && stat(path, &st) == 0 &&
			    st.st_mtim.tv_sec == ctx->index_mtime[id].tv_sec &&
			    st.st_mtim.tv_nsec == ctx->index_mtime[id].tv_nsec;
		free(path);
		if (!same)
			return KMOD_RESOURCES_MUST_RELOAD;
	}
	return KMOD_RESOURCES_OK;
}

struct dump_state {
	FILE *out;
	const char *prefix;
};

static int dump_entry(void *data, const char *key, const struct kml_index_value *value)
{
	struct dump_state *s = data;
	fprintf(s->out, "%s%s %s\n", s->prefix, key, value->value);
	return 0;
}

KMOD_EXPORT int kmod_dump_index(struct kmod_ctx *ctx, enum kmod_index type, int fd)
{
	static const struct {
		enum kml_index_id id;
		const char *prefix;
	} kinds[] = {
		[KMOD_INDEX_MODULES_DEP] = { KML_INDEX_DEP, "" },
		[KMOD_INDEX_MODULES_ALIAS] = { KML_INDEX_ALIAS, "alias " },
		[KMOD_INDEX_MODULES_SYMBOL] = { KML_INDEX_SYMBOLS, "alias " },
		[KMOD_INDEX_MODULES_BUILTIN_ALIAS] = { KML_INDEX_BUILTIN_ALIAS, "" },
		[KMOD_INDEX_MODULES_BUILTIN] = { KML_INDEX_BUILTIN, "" },
	};
	if (!ctx)
		return -ENOSYS;
	if ((unsigned int)type >= ARRAY_SIZE(kinds))
		return -ENOENT;
	const struct kml_index *idx = kml_ctx_index(ctx->lib, kinds[type].id);
	if (!idx)
		return -ENOSYS;
	/* like libkmod, write errors (a bad descriptor) are not reported */
	int dupfd = dup(fd);
	if (dupfd < 0)
		return 0;
	FILE *out = fdopen(dupfd, "w");
	if (!out) {
		close(dupfd);
		return -ENOMEM;
	}
	struct dump_state s = { out, kinds[type].prefix };
	int r = kml_index_foreach(idx, dump_entry, &s);
	(void)fclose(out);
	return r < 0 ? r : 0;
}
