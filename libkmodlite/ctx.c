// SPDX-License-Identifier: LGPL-2.1-or-later
/* The context: where the module tree is, how to log, and the indexes,
 * each opened once on first use. */
#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "adapter-support.h"

struct kml_ctx {
	char *kver;
	char *module_dir;
	kml_log_fn log_fn;
	void *log_data;
	int log_priority;
	unsigned long messages; /* delivered to log_fn (atomic: threads log too) */
	struct kml_index *indexes[KML_INDEX_COUNT];
	bool index_tried[KML_INDEX_COUNT];
};

static const char *const index_files[KML_INDEX_COUNT] = {
	[KML_INDEX_DEP] = "modules.dep.bin",
	[KML_INDEX_ALIAS] = "modules.alias.bin",
	[KML_INDEX_SYMBOLS] = "modules.symbols.bin",
	[KML_INDEX_BUILTIN] = "modules.builtin.bin",
	[KML_INDEX_BUILTIN_ALIAS] = "modules.builtin.alias.bin",
};

const char *kml_version(void)
{
	return KMODLITE_VERSION;
}

const char *kml_features(void)
{
	return KMODLITE_FEATURES;
}

int kml_ctx_new(const char *root, const char *kver, struct kml_ctx **ret_ctx)
{
	struct utsname u;
	if (!kver) {
		if (uname(&u) < 0)
			return -errno;
		kver = u.release;
	}

	struct kml_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->log_priority = KML_LOG_ERR;
	ctx->kver = strdup(kver);
	/*
	 * ROOT + "/lib/modules/" + KVER, joined as given (a trailing slash of
	 * ROOT stays doubled) and made absolute against the current directory:
	 * the paths the reference prints, which scripts parse.
	 */
	char *cwd = NULL;
	if (root && *root && root[0] != '/')
		cwd = getcwd(NULL, 0);
	if (ctx->kver && (!root || !*root || root[0] == '/' || cwd)) {
		const char *parts[] = { cwd ? cwd : "", cwd ? "/" : "", root ? root : "",
					"/lib/modules/", kver };
		size_t len = 1;
		for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
			len += strlen(parts[i]);
		ctx->module_dir = malloc(len);
		if (ctx->module_dir) {
			char *p = ctx->module_dir;
			for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
				p = stpcpy(p, parts[i]);
		}
	}
	free(cwd);
	if (!ctx->kver || !ctx->module_dir) {
		kml_ctx_free(ctx);
		return -ENOMEM;
	}
	*ret_ctx = ctx;
	return 0;
}

int kml_ctx_set_module_dir(struct kml_ctx *ctx, const char *dir)
{
	char *d = strdup(dir);
	if (!d)
		return -ENOMEM;
	free(ctx->module_dir);
	ctx->module_dir = d;
	return 0;
}

void kml_ctx_free(struct kml_ctx *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < KML_INDEX_COUNT; i++)
		kml_index_close(ctx->indexes[i]);
	free(ctx->kver);
	free(ctx->module_dir);
	free(ctx);
}

void kml_ctx_set_log(struct kml_ctx *ctx, kml_log_fn fn, void *data, int max_priority)
{
	ctx->log_fn = fn;
	ctx->log_data = data;
	ctx->log_priority = max_priority;
}

const char *kml_ctx_get_module_dir(const struct kml_ctx *ctx)
{
	return ctx->module_dir;
}

const char *kml_ctx_get_kernel_version(const struct kml_ctx *ctx)
{
	return ctx->kver;
}

void kml_log(const struct kml_ctx *ctx, int priority, const char *file, int line, const char *fn,
	     const char *format, ...)
{
	if (!ctx || !ctx->log_fn || priority > ctx->log_priority)
		return;
	char *msg = NULL;
	va_list ap;
	va_start(ap, format);
	int r = vasprintf(&msg, format, ap);
	va_end(ap);
	if (r < 0)
		return;
	ctx->log_fn(ctx->log_data, priority, file, line, fn, msg);
	free(msg);
	/* the context is the caller's, never a constant object */
	__atomic_add_fetch(&((struct kml_ctx *)ctx)->messages, 1, __ATOMIC_RELAXED);
}

unsigned long kml_ctx_messages(const struct kml_ctx *ctx)
{
	return __atomic_load_n(&ctx->messages, __ATOMIC_RELAXED);
}

int kml_ctx_log_priority(const struct kml_ctx *ctx)
{
	return ctx->log_fn ? ctx->log_priority : -1;
}

const struct kml_index *kml_ctx_index(struct kml_ctx *ctx, enum kml_index_id id)
{
	if (!ctx->index_tried[id]) {
		ctx->index_tried[id] = true;
		char *path = path_join(ctx->module_dir, index_files[id], strlen(index_files[id]));
		if (!path)
			return NULL;
		int r = kml_index_open(path, &ctx->indexes[id]);
		if (r < 0 && r != -ENOENT)
			kml_dbg(ctx, "could not open index %s: %s", path, strerror(-r));
		free(path);
	}
	return ctx->indexes[id];
}

void kml_ctx_close_indexes(struct kml_ctx *ctx)
{
	for (size_t i = 0; i < KML_INDEX_COUNT; i++) {
		kml_index_close(ctx->indexes[i]);
		ctx->indexes[i] = NULL;
		ctx->index_tried[i] = false;
	}
}

const char *kml_ctx_index_file(enum kml_index_id id)
{
	return (unsigned int)id < KML_INDEX_COUNT ? index_files[id] : NULL;
}

int kml_ctx_load_index(struct kml_ctx *ctx, enum kml_index_id id)
{
	if ((unsigned int)id >= KML_INDEX_COUNT)
		return -EINVAL;
	if (ctx->indexes[id])
		return 0;
	ctx->index_tried[id] = true;
	char *path = path_join(ctx->module_dir, index_files[id], strlen(index_files[id]));
	if (!path)
		return -ENOMEM;
	int r = kml_index_open(path, &ctx->indexes[id]);
	free(path);
	return r;
}
