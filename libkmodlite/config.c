// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe configuration: loading (the modprobe.d paths, modules.softdep and
 * modules.weakdep of the module directory, the kernel command line) and the
 * queries. The layers below, none of which calls back up:
 *   config-parse.c    modprobe.d lines, softdep/weakdep lines on demand
 *   config-cmdline.c  the kernel command line
 *   config-store.c    entries per module, records, freeing
 * config-dump.c writes `modprobe -c`; config-private.h holds what they share.
 *
 * Behaviour checked against modprobe from kmod 30: modules.softdep and
 * modules.weakdep of the module directory are read as configuration files,
 * in their basename's place among the *.conf files; the kernel command line
 * is read after all files.
 */
#include <errno.h>

#include "conf-file.h"
#include "config-private.h"

static const char *const default_paths[] = {
	"/etc/modprobe.d",
	"/run/modprobe.d",
	"/usr/local/lib/modprobe.d",
	"/usr/lib/modprobe.d",
	"/lib/modprobe.d",
	NULL,
};

/* --------------------------------------------------------------- load */

int kml_config_load(struct kml_ctx *ctx, const char *const *paths, const char *cmdline,
		    struct kml_config **ret_config)
{
	if (!ret_config)
		return -EINVAL;
	if (!paths)
		paths = default_paths;

	struct kml_config *config = calloc(1, sizeof(*config));
	if (!config)
		return -ENOMEM;
	config->ctx = ctx;
	struct conf_list list;
	int r = conf_list_build(ctx, paths, &list);
	if (r < 0)
		goto fail;
	/* as the reference does, the module directory's files take their
	 * basename's place among the configuration files */
	const char *dir = ctx ? kml_ctx_get_module_dir(ctx) : NULL;
	if (dir) {
		static const char *const dep_files[] = { "modules.softdep", "modules.weakdep" };
		for (size_t i = 0; i < ARRAY_SIZE(dep_files); i++) {
			char *path = path_join(dir, dep_files[i], strlen(dep_files[i]));
			if (!path) {
				r = -ENOMEM;
				goto fail;
			}
			r = conf_list_insert(&list, path);
			free(path);
			if (r < 0)
				goto fail;
		}
	}
	for (size_t i = 0; i < list.count; i++) {
		r = config_parse_file(ctx, config, list.files[i].path, list.files[i].optional);
		if (r < 0)
			goto fail;
	}
	if (cmdline) {
		r = config_parse_cmdline(ctx, config, cmdline);
		if (r < 0)
			goto fail;
	}
	conf_list_release(&list);
	*ret_config = config;
	return 0;
fail:
	conf_list_release(&list);
	kml_config_free(config);
	return r;
}

/* ------------------------------------------------------------ queries */

/* Looks NAME up after normalising it; NULL when absent or not a valid name. */
static const struct mod_entry *lookup_entry(const struct kml_config *config, const char *name)
{
	if (!config || !name)
		return NULL;
	char stack[256], *n;
	if (config_norm_dup(name, stack, sizeof(stack), &n) < 0)
		return NULL;
	const struct mod_entry *e = config_find_entry(config, n);
	config_norm_free(n, stack);
	return e;
}

int kml_config_get_aliases(const struct kml_config *config, const char *name,
			   const char ***ret_modules, size_t *ret_count)
{
	if (!config || !name || !ret_modules || !ret_count)
		return -EINVAL;
	char stack[256], *n;
	int r = config_norm_dup(name, stack, sizeof(stack), &n);
	if (r < 0)
		return r;
	const struct record_list *l = &config->sections[SEC_ALIAS];
	const char **out = NULL;
	size_t count = 0, cap = 0;
	for (size_t i = 0; i < l->count; i++) {
		if (!glob_match(l->items[i].name, n))
			continue;
		r = ARRAY_GROW(out, cap, count + 1);
		if (r < 0)
			break;
		out[count++] = l->items[i].text;
	}
	config_norm_free(n, stack);
	if (r < 0) {
		free(out);
		return r;
	}
	*ret_modules = out;
	*ret_count = count;
	return 0;
}

const char *kml_config_get_options(const struct kml_config *config, const char *module)
{
	const struct mod_entry *e = lookup_entry(config, module);
	return e && e->options.len ? e->options.data : NULL;
}

const char *kml_config_get_cmdline_options(const struct kml_config *config, const char *module)
{
	const struct mod_entry *e = lookup_entry(config, module);
	return e && e->cmdline_options.len ? e->cmdline_options.data : NULL;
}

const char *kml_config_get_install(const struct kml_config *config, const char *module)
{
	const struct mod_entry *e = lookup_entry(config, module);
	return e ? e->install : NULL;
}

const char *kml_config_get_remove(const struct kml_config *config, const char *module)
{
	const struct mod_entry *e = lookup_entry(config, module);
	return e ? e->remove : NULL;
}

bool kml_config_is_blacklisted(const struct kml_config *config, const char *module)
{
	const struct mod_entry *e = lookup_entry(config, module);
	return e && e->blacklisted;
}

const char *kml_config_forbidden(const struct kml_config *config, const char *module)
{
	const struct mod_entry *e = lookup_entry(config, module);
	return e ? e->forbidden : NULL;
}

static const char *const empty_list[] = { NULL };

static const char *const *strptrs_get(const struct strptrs *v, size_t *ret_count)
{
	if (ret_count)
		*ret_count = v ? v->count : 0;
	return v && v->count ? (const char *const *)v->items : empty_list;
}

/* The entry of MODULE with its softdep and weakdep lines parsed; NULL in
 * *RET when it has none (or is no valid name). */
static int deps_entry(const struct kml_config *config, const char *module,
		      const struct mod_entry **ret)
{
	*ret = NULL;
	char stack[256], *n;
	if (config_norm_dup(module, stack, sizeof(stack), &n) < 0)
		return 0;
	int r = config_parse_deferred(config, n);
	if (r >= 0)
		*ret = config_find_entry(config, n);
	config_norm_free(n, stack);
	return r < 0 ? r : 0;
}

int kml_config_get_softdeps(const struct kml_config *config, const char *module,
			    const char *const **ret_pre, size_t *ret_pre_count,
			    const char *const **ret_post, size_t *ret_post_count)
{
	if (!config || !module)
		return -EINVAL;
	const struct mod_entry *e;
	int r = deps_entry(config, module, &e);
	if (r < 0)
		return r;
	const char *const *pre = strptrs_get(e ? &e->pre : NULL, ret_pre_count);
	const char *const *post = strptrs_get(e ? &e->post : NULL, ret_post_count);
	if (ret_pre)
		*ret_pre = pre;
	if (ret_post)
		*ret_post = post;
	return 0;
}

int kml_config_get_weakdeps(const struct kml_config *config, const char *module,
			    const char *const **ret_modules, size_t *ret_count)
{
	if (!config || !module)
		return -EINVAL;
	const struct mod_entry *e;
	int r = deps_entry(config, module, &e);
	if (r < 0)
		return r;
	const char *const *weak = strptrs_get(e ? &e->weak : NULL, ret_count);
	if (ret_modules)
		*ret_modules = weak;
	return 0;
}
