// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod's module objects: one per name and context (the context's pool),
 * reference counted, filled from the library's lookups on first use.
 */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "libkmod-private.h"
#include "module-pool.h"

int module_get(struct kmod_ctx *ctx, const char *name, const char *path, bool builtin,
	       bool path_known, struct kmod_module **ret)
{
	struct kmod_module *m = module_pool_get(ctx->pool, name);
	if (m) {
		if (path_known && !m->path_known) {
			m->path = path ? strdup(path) : NULL;
			if (path && !m->path)
				return -ENOMEM;
			m->builtin = builtin;
			m->path_known = true;
		}
		*ret = kmod_module_ref(m);
		return 0;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->refcount = 1;
	m->name = strdup(name);
	m->path = path ? strdup(path) : NULL;
	m->builtin = builtin;
	m->path_known = path_known;
	if (!m->name || (path && !m->path) || module_pool_add(&ctx->pool, m) < 0) {
		free(m->name);
		free(m->path);
		free(m);
		return -ENOMEM;
	}
	m->ctx = kmod_ref(ctx);
	*ret = m;
	return 0;
}

void module_resolve(struct kmod_module *mod)
{
	if (mod->path_known)
		return;
	struct kml_module_list list = { 0 };
	if (kml_module_by_name(mod->ctx->lib, mod->name, &list) < 0)
		return; /* tried again next time */
	if (list.count > 0) {
		mod->path = list.modules[0].path ? strdup(list.modules[0].path) : NULL;
		mod->builtin = list.modules[0].builtin;
	}
	mod->path_known = list.count == 0 || !list.modules[0].path || mod->path;
	kml_module_list_release(&list);
}

int module_list_from_lib(struct kmod_ctx *ctx, const struct kml_module_list *lib,
			 struct kmod_list **list)
{
	for (size_t i = 0; i < lib->count; i++) {
		const struct kml_module *lm = &lib->modules[i];
		struct kmod_module *m;
		/* a module known only by name (alias of the configuration) has
		 * its path looked up when asked */
		bool known = lm->path || lm->builtin;
		int r = module_get(ctx, lm->name, lm->path, lm->builtin, known, &m);
		if (r < 0)
			return r;
		if (lm->alias && (!m->alias || !streq(m->alias, lm->alias))) {
			char *a = strdup(lm->alias);
			if (a) {
				free(m->alias);
				m->alias = a;
				m->options_known = false;
			}
		}
		struct kmod_list *n = kmod_list_append(*list, m);
		if (!n) {
			kmod_module_unref(m);
			return -ENOMEM;
		}
		*list = n;
	}
	return 0;
}

/* libkmod's module name rule: up to the first '.', '-' read as '_'. */
static int modname_normalize(const char *name, char *buf, size_t size)
{
	size_t i = 0;
	for (; name[i] && name[i] != '.'; i++) {
		if (i + 1 >= size)
			return -ENAMETOOLONG;
		buf[i] = name[i] == '-' ? '_' : name[i];
	}
	buf[i] = '\0';
	return 0;
}

KMOD_EXPORT int kmod_module_new_from_name(struct kmod_ctx *ctx, const char *name,
					  struct kmod_module **mod)
{
	if (!ctx || !name || !mod)
		return -ENOENT;
	char norm[PATH_MAX];
	int r = modname_normalize(name, norm, sizeof(norm));
	if (r < 0)
		return r;
	return module_get(ctx, norm, NULL, false, false, mod);
}

KMOD_EXPORT int kmod_module_new_from_path(struct kmod_ctx *ctx, const char *path,
					  struct kmod_module **mod)
{
	if (!ctx || !path || !mod)
		return -ENOENT;
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	struct kml_module_list list = { 0 };
	int r = kml_module_from_path(path, &list);
	if (r < 0)
		return r;
	const struct kml_module *lm = &list.modules[0];
	struct kmod_module *m = module_pool_get(ctx->pool, lm->name);
	if (m) {
		module_resolve(m);
		if (m->path && !streq(m->path, lm->path)) {
			kml_err(ctx->lib,
				"kmod_module '%s' already exists with different path: new-path='%s' old-path='%s'",
				lm->name, lm->path, m->path);
			kml_module_list_release(&list);
			return -EEXIST;
		}
		if (!m->path) {
			m->path = strdup(lm->path);
			m->builtin = false;
			m->path_known = m->path != NULL;
		}
		*mod = kmod_module_ref(m);
		kml_module_list_release(&list);
		return 0;
	}
	r = module_get(ctx, lm->name, lm->path, false, true, mod);
	kml_module_list_release(&list);
	return r;
}

KMOD_EXPORT int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *given_alias,
					    struct kmod_list **list)
{
	if (!ctx || !given_alias)
		return -ENOENT;
	if (!list || *list) {
		kml_err(ctx->lib, "An empty list is needed to create lookup");
		return -ENOSYS;
	}
	struct kml_module_list found = { 0 };
	int r = kml_lookup_with_config(ctx->lib, ctx->config, given_alias, &found);
	if (r == -EBADMSG) {
		/* a corrupt index answers nothing, as with libkmod */
		kml_err(ctx->lib, "corrupt index while looking up %s", given_alias);
		return 0;
	}
	if (r < 0)
		return r;
	r = module_list_from_lib(ctx, &found, list);
	kml_module_list_release(&found);
	if (r < 0) {
		kmod_module_unref_list(*list);
		*list = NULL;
	}
	return r;
}

/* kmod_module_new_from_name_lookup, under the two versions given below */
KMOD_EXPORT int module_new_from_name_lookup(struct kmod_ctx *ctx, const char *modname,
					    struct kmod_module **mod);
KMOD_EXPORT int module_new_from_name_lookup(struct kmod_ctx *ctx, const char *modname,
					    struct kmod_module **mod)
{
	if (!ctx || !modname || !mod)
		return -ENOENT;
	/* by name (modules.dep, modules.builtin), then as libkmod 34 does, the
	 * built-in aliases */
	struct kml_module_list found = { 0 };
	int r = kml_lookup(ctx->lib, modname, KML_LOOKUP_NAME_ONLY, &found);
	if (r == 0 && found.count == 0)
		r = kml_lookup_builtin_alias(ctx->lib, modname, &found);
	if (r < 0)
		return r;
	*mod = NULL;
	if (found.count > 0) {
		const struct kml_module *lm = &found.modules[0];
		r = module_get(ctx, lm->name, lm->path, lm->builtin, true, mod);
	}
	kml_module_list_release(&found);
	return r;
}

/*
 * Debian 12's libkmod2 30 (a snapshot taken before the function got its own
 * node) exports kmod_module_new_from_name_lookup under LIBKMOD_5; libkmod 30
 * and later under LIBKMOD_30. Programs linked against either find it here:
 * the default version (what new links take) is LIBKMOD_30, and the same
 * function is also there as the compatibility version @LIBKMOD_5. Both are
 * given explicitly (the linker drops a plain definition that also has a
 * non-default version); libkmod.sym lists the name in both nodes.
 */
extern __typeof__(module_new_from_name_lookup) module_new_from_name_lookup_v5
	__attribute__((alias("module_new_from_name_lookup"), visibility("default")));
__asm__(".symver module_new_from_name_lookup, kmod_module_new_from_name_lookup@@LIBKMOD_30");
__asm__(".symver module_new_from_name_lookup_v5, kmod_module_new_from_name_lookup@LIBKMOD_5");

KMOD_EXPORT struct kmod_module *kmod_module_ref(struct kmod_module *mod)
{
	if (mod)
		mod->refcount++;
	return mod;
}

KMOD_EXPORT struct kmod_module *kmod_module_unref(struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	if (--mod->refcount > 0)
		return mod;
	struct kmod_ctx *ctx = mod->ctx;
	module_pool_remove(ctx->pool, mod);
	kmod_module_unref_list(mod->dependencies);
	free(mod->options);
	free(mod->alias);
	free(mod->path);
	free(mod->name);
	free(mod);
	kmod_unref(ctx);
	return NULL;
}

KMOD_EXPORT int kmod_module_unref_list(struct kmod_list *list)
{
	if (!list)
		return 0;
	struct kmod_list *e = list;
	do {
		kmod_module_unref(e->data);
		e = e->next;
	} while (e != list);
	kmod_list_release(list);
	return 0;
}

KMOD_EXPORT struct kmod_module *kmod_module_get_module(const struct kmod_list *entry)
{
	return entry ? kmod_module_ref(entry->data) : NULL;
}

KMOD_EXPORT const char *kmod_module_get_name(const struct kmod_module *mod)
{
	return mod ? mod->name : NULL;
}

KMOD_EXPORT const char *kmod_module_get_path(const struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	module_resolve((struct kmod_module *)mod);
	return mod->path;
}

KMOD_EXPORT const char *kmod_module_get_options(const struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	struct kmod_module *m = (struct kmod_module *)mod;
	if (m->options_known)
		return m->options;
	/* libkmod's rule: every options line for the name or the alias the
	 * module was found through, as written, in configuration order (the
	 * kernel command line's last), joined by spaces */
	struct kml_config_item *items = NULL;
	size_t count = 0;
	if (kml_config_items(m->ctx->config, KML_CONFIG_OPTIONS, &items, &count) < 0)
		return NULL;
	struct strbuf sb = { 0 };
	int r = 0;
	for (size_t i = 0; r >= 0 && i < count; i++) {
		if (!streq(items[i].key, m->name) && !(m->alias && streq(items[i].key, m->alias)))
			continue;
		if (sb.len)
			r = strbuf_append(&sb, " ", 1);
		if (r >= 0)
			r = strbuf_append_str(&sb, items[i].value ? items[i].value : "");
	}
	free(items);
	if (r >= 0 && sb.len)
		r = strbuf_append(&sb, "", 1);
	if (r < 0) {
		free(sb.data);
		return NULL;
	}
	free(m->options);
	m->options = sb.data;
	m->options_known = true;
	return m->options;
}

KMOD_EXPORT const char *kmod_module_get_install_commands(const struct kmod_module *mod)
{
	return mod ? kml_config_get_install(mod->ctx->config, mod->name) : NULL;
}

KMOD_EXPORT const char *kmod_module_get_remove_commands(const struct kmod_module *mod)
{
	return mod ? kml_config_get_remove(mod->ctx->config, mod->name) : NULL;
}

KMOD_EXPORT struct kmod_list *kmod_module_get_dependencies(const struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	struct kmod_module *m = (struct kmod_module *)mod;
	if (!m->dependencies_known) {
		struct kml_module_list deps = { 0 };
		if (kml_module_get_dependencies(m->ctx->lib, m->name, &deps) < 0)
			return NULL;
		/* in load order, the last of modules.dep's line first, as
		 * libkmod lists them too */
		struct kmod_list *list = NULL;
		int r = module_list_from_lib(m->ctx, &deps, &list);
		kml_module_list_release(&deps);
		if (r < 0) {
			kmod_module_unref_list(list);
			return NULL;
		}
		m->dependencies = list;
		m->dependencies_known = true;
		module_resolve(m);
	}
	struct kmod_list *copy = NULL, *e;
	kmod_list_foreach(e, m->dependencies) {
		struct kmod_list *n = kmod_list_append(copy, e->data);
		if (!n) {
			kmod_module_unref_list(copy);
			return NULL;
		}
		kmod_module_ref(e->data);
		copy = n;
	}
	return copy;
}

/* Every module each name resolves to, appended to *LIST. */
static int lookup_names(struct kmod_ctx *ctx, const char *const *names, size_t count,
			struct kmod_list **list)
{
	for (size_t i = 0; i < count; i++) {
		struct kml_module_list found = { 0 };
		int r = kml_lookup_with_config(ctx->lib, ctx->config, names[i], &found);
		if (r < 0) {
			kml_dbg(ctx->lib, "could not look up %s: %s", names[i], strerror(-r));
			continue;
		}
		r = module_list_from_lib(ctx, &found, list);
		kml_module_list_release(&found);
		if (r < 0)
			return r;
	}
	return 0;
}

KMOD_EXPORT int kmod_module_get_softdeps(const struct kmod_module *mod, struct kmod_list **pre,
					 struct kmod_list **post)
{
	if (!mod || !pre || !post)
		return -ENOENT;
	if (*pre || *post)
		return -EBUSY;
	const char *const *p, *const *q;
	size_t np, nq;
	int r = kml_config_get_softdeps(mod->ctx->config, mod->name, &p, &np, &q, &nq);
	if (r == 0)
		r = lookup_names(mod->ctx, p, np, pre);
	if (r == 0)
		r = lookup_names(mod->ctx, q, nq, post);
	if (r < 0) {
		kmod_module_unref_list(*pre);
		kmod_module_unref_list(*post);
		*pre = *post = NULL;
	}
	return r;
}

KMOD_EXPORT int kmod_module_get_weakdeps(const struct kmod_module *mod, struct kmod_list **weak)
{
	if (!mod || !weak)
		return -ENOENT;
	if (*weak)
		return -EBUSY;
	const char *const *w;
	size_t n;
	int r = kml_config_get_weakdeps(mod->ctx->config, mod->name, &w, &n);
	if (r == 0)
		r = lookup_names(mod->ctx, w, n, weak);
	if (r < 0) {
		kmod_module_unref_list(*weak);
		*weak = NULL;
	}
	return r;
}

KMOD_EXPORT int kmod_module_apply_filter(const struct kmod_ctx *ctx, enum kmod_filter filter_type,
					 const struct kmod_list *input, struct kmod_list **output)
{
	if (!ctx || !output)
		return -ENOENT;
	*output = NULL;
	const struct kmod_list *e;
	kmod_list_foreach(e, input) {
		struct kmod_module *m = e->data;
		if ((filter_type & KMOD_FILTER_BLACKLIST) &&
		    kml_config_is_blacklisted(ctx->config, m->name))
			continue;
		if (filter_type & KMOD_FILTER_BUILTIN) {
			module_resolve(m);
			if (m->builtin)
				continue;
		}
		struct kmod_list *n = kmod_list_append(*output, m);
		if (!n) {
			kmod_module_unref_list(*output);
			*output = NULL;
			return -ENOMEM;
		}
		kmod_module_ref(m);
		*output = n;
	}
	return 0;
}

KMOD_EXPORT int kmod_module_get_filtered_blacklist(const struct kmod_ctx *ctx,
						   const struct kmod_list *input,
						   struct kmod_list **output)
{
	return kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, input, output);
}
