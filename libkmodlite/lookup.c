// SPDX-License-Identifier: LGPL-2.1-or-later
/* From a name, alias, symbol or path to module(s), in the documented order. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "adapter-support.h"

static int list_add_alias(struct kml_module_list *list, const char *name, const char *path,
			  bool builtin, const char *alias)
{
	/* no deduplication: a module matched by two patterns is listed twice,
	 * as the reference does (modprobe -R and modinfo print it twice) */
	struct kml_module *n = reallocarray(list->modules, list->count + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	list->modules = n;
	/* one block per module: name, then path and alias; freed by name */
	size_t ln = strlen(name) + 1, lp = path ? strlen(path) + 1 : 0;
	size_t la = alias ? strlen(alias) + 1 : 0;
	char *block = malloc(ln + lp + la);
	if (!block)
		return -ENOMEM;
	struct kml_module *m = &n[list->count];
	*m = (struct kml_module){ .name = memcpy(block, name, ln), .builtin = builtin };
	if (path)
		m->path = memcpy(block + ln, path, lp);
	if (alias)
		m->alias = memcpy(block + ln + lp, alias, la);
	list->count++;
	return 0;
}

static int list_add(struct kml_module_list *list, const char *name, const char *path, bool builtin)
{
	return list_add_alias(list, name, path, builtin, NULL);
}

void kml_module_list_release(struct kml_module_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		free(list->modules[i].name); /* holds path and alias too */
	free(list->modules);
	list->modules = NULL;
	list->count = 0;
}

/* Path of module NAME from modules.dep.bin ("RELPATH: deps..."), or -ENOENT. */
static int module_path_from_dep(struct kml_ctx *ctx, const char *name, char **ret_path)
{
	const struct kml_index *dep = kml_ctx_index(ctx, KML_INDEX_DEP);
	const char *line;
	if (!dep)
		return -ENOENT;
	int r = kml_index_lookup(dep, name, &line);
	if (r < 0)
		return r;
	const char *colon = strchr(line, ':');
	if (!colon || colon == line)
		return -EBADMSG;
	size_t len = (size_t)(colon - line);
	*ret_path = path_join(line[0] == '/' ? NULL : kml_ctx_get_module_dir(ctx), line, len);
	return *ret_path ? 0 : -ENOMEM;
}

static bool is_builtin(struct kml_ctx *ctx, const char *name)
{
	const struct kml_index *b = kml_ctx_index(ctx, KML_INDEX_BUILTIN);
	const char *v;
	return b && kml_index_lookup(b, name, &v) == 0;
}

/* Adds module NAME (found through ALIAS, or NULL): a file from modules.dep,
 * or built-in, or neither (known to an alias index or the configuration
 * only: reported by name). */
static int add_by_name(struct kml_ctx *ctx, struct kml_module_list *list, const char *name,
		       const char *alias)
{
	char *path = NULL;
	int r = module_path_from_dep(ctx, name, &path);
	if (r == 0) {
		r = list_add_alias(list, name, path, false, alias);
		free(path);
		return r;
	}
	if (r != -ENOENT)
		return r;
	return list_add_alias(list, name, NULL, is_builtin(ctx, name), alias);
}

/* Wildcard lookup in an index whose values are module names. */
static int add_from_wildcard(struct kml_ctx *ctx, struct kml_module_list *list,
			     enum kml_index_id id, const char *key, bool builtin)
{
	const struct kml_index *idx = kml_ctx_index(ctx, id);
	if (!idx)
		return 0;
	struct kml_index_value *values = NULL;
	size_t n = 0;
	int r = kml_index_lookup_wildcard(idx, key, &values, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = builtin ? list_add_alias(list, values[i].value, NULL, true, key)
			    : add_by_name(ctx, list, values[i].value, key);
	free(values);
	return r;
}

int kml_lookup(struct kml_ctx *ctx, const char *name, unsigned int flags,
	       struct kml_module_list *ret_list)
{
	char key[PATH_MAX];
	int r = kml_alias_normalize(name, key, sizeof(key));
	if (r < 0)
		return r;
	struct kml_module_list list = { 0 };

	if (!strchr(key, ':')) {
		char *path = NULL;
		r = module_path_from_dep(ctx, key, &path);
		if (r == 0) {
			r = list_add(&list, key, path, false);
			free(path);
		} else if (r == -ENOENT) {
			r = 0;
		}
	}
	if (r == 0 && list.count == 0 && !(flags & KML_LOOKUP_NAME_ONLY)) {
		if (strncmp(key, "symbol:", 7) == 0)
			r = add_from_wildcard(ctx, &list, KML_INDEX_SYMBOLS, key, false);
		if (r == 0 && list.count == 0)
			r = add_from_wildcard(ctx, &list, KML_INDEX_ALIAS, key, false);
	}
	if (r == 0 && list.count == 0 && is_builtin(ctx, key))
		r = list_add(&list, key, NULL, true);
	if (r == 0 && list.count == 0 && !(flags & KML_LOOKUP_NAME_ONLY))
		r = add_from_wildcard(ctx, &list, KML_INDEX_BUILTIN_ALIAS, key, true);
	if (r < 0) {
		kml_module_list_release(&list);
		return r;
	}
	*ret_list = list;
	return 0;
}

int kml_module_from_path(const char *path, struct kml_module_list *ret_list)
{
	char name[PATH_MAX];
	int r = kml_module_name_from_path(path, name, sizeof(name));
	if (r < 0)
		return r;
	char *abs = NULL;
	if (path[0] == '/') {
		abs = strdup(path);
	} else {
		char *cwd = getcwd(NULL, 0);
		if (!cwd)
			return -errno;
		if (asprintf(&abs, "%s/%s", cwd, path) < 0)
			abs = NULL;
		free(cwd);
	}
	if (!abs)
		return -ENOMEM;
	struct kml_module_list list = { 0 };
	r = list_add(&list, name, abs, false);
	free(abs);
	if (r < 0)
		return r;
	*ret_list = list;
	return 0;
}

int kml_lookup_with_config(struct kml_ctx *ctx, const struct kml_config *config, const char *name,
			   struct kml_module_list *ret_list)
{
	return kml_lookup_with_config_source(ctx, config, name, ret_list, NULL);
}

int kml_lookup_with_config_source(struct kml_ctx *ctx, const struct kml_config *config,
				  const char *name, struct kml_module_list *ret_list,
				  enum kml_lookup_source *ret_source)
{
	enum kml_lookup_source source = KML_SOURCE_NONE;
	char key[PATH_MAX];
	int r = kml_alias_normalize(name, key, sizeof(key));
	if (r < 0)
		return r;
	struct kml_module_list list = { 0 };
	if (config) {
		const char **targets = NULL;
		size_t n = 0;
		r = kml_config_get_aliases(config, key, &targets, &n);
		for (size_t i = 0; r == 0 && i < n; i++)
			r = add_by_name(ctx, &list, targets[i], key);
		free(targets);
		if (r < 0)
			goto out;
		source = KML_SOURCE_CONFIG_ALIAS;
		if (list.count > 0)
			goto done;
	}
	if (!strchr(key, ':')) {
		char *path = NULL;
		r = module_path_from_dep(ctx, key, &path);
		if (r == 0)
			r = list_add(&list, key, path, false);
		free(path);
		if (r == -ENOENT)
			r = 0;
		source = KML_SOURCE_NAME;
		if (r < 0 || list.count > 0)
			goto out;
	}
	if (strncmp(key, "symbol:", 7) == 0) {
		r = add_from_wildcard(ctx, &list, KML_INDEX_SYMBOLS, key, false);
		source = KML_SOURCE_SYMBOL;
		if (r < 0 || list.count > 0)
			goto out;
	}
	if (config && (kml_config_get_install(config, key) || kml_config_get_remove(config, key))) {
		r = list_add(&list, key, NULL, false);
		source = KML_SOURCE_COMMAND;
		goto out;
	}
	r = add_from_wildcard(ctx, &list, KML_INDEX_ALIAS, key, false);
	source = KML_SOURCE_ALIAS;
	if (r == 0 && list.count == 0 && is_builtin(ctx, key)) {
		r = list_add(&list, key, NULL, true);
		source = KML_SOURCE_BUILTIN;
	}
	if (r == 0 && list.count == 0) {
		r = add_from_wildcard(ctx, &list, KML_INDEX_BUILTIN_ALIAS, key, true);
		source = KML_SOURCE_BUILTIN_ALIAS;
	}
out:
	if (r < 0) {
		kml_module_list_release(&list);
		return r;
	}
done:
	if (ret_source)
		*ret_source = list.count ? source : KML_SOURCE_NONE;
	*ret_list = list;
	return 0;
}

int kml_module_by_name(struct kml_ctx *ctx, const char *name, struct kml_module_list *ret_list)
{
	char key[PATH_MAX];
	int r = kml_alias_normalize(name, key, sizeof(key));
	if (r < 0)
		return r;
	struct kml_module_list list = { 0 };
	r = add_by_name(ctx, &list, key, NULL);
	if (r < 0) {
		kml_module_list_release(&list);
		return r;
	}
	*ret_list = list;
	return 0;
}

int kml_module_get_dependencies(struct kml_ctx *ctx, const char *name,
				struct kml_module_list *ret_list)
{
	struct kml_module_list list = { 0 };
	const struct kml_index *dep = kml_ctx_index(ctx, KML_INDEX_DEP);
	const char *line;
	int r = dep ? kml_index_lookup(dep, name, &line) : -ENOENT;
	if (r == -ENOENT) {
		*ret_list = list;
		return 0;
	}
	if (r < 0)
		return r;
	const char *colon = strchr(line, ':');
	if (!colon)
		return -EBADMSG;
	/* the line lists the closest dependency first: load from the end */
	const char *p = line + strlen(line);
	while (r == 0 && p > colon + 1) {
		const char *end = p;
		while (end > colon + 1 && end[-1] == ' ')
			end--;
		const char *start = end;
		while (start > colon + 1 && start[-1] != ' ')
			start--;
		p = start;
		if (start == end)
			break;
		char rel[PATH_MAX], path[PATH_MAX], modname[256];
		size_t len = (size_t)(end - start);
		if (len >= sizeof(rel)) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(rel, start, len);
		rel[len] = '\0';
		if (rel[0] == '/')
			snprintf(path, sizeof(path), "%s", rel);
		else if (snprintf(path, sizeof(path), "%s/%s", kml_ctx_get_module_dir(ctx), rel) >=
			 (int)sizeof(path)) {
			r = -ENAMETOOLONG;
			break;
		}
		r = kml_module_name_from_path(rel, modname, sizeof(modname));
		if (r == 0)
			r = list_add(&list, modname, path, false);
	}
	if (r < 0) {
		kml_module_list_release(&list);
		return r;
	}
	*ret_list = list;
	return 0;
}

int kml_lookup_builtin_alias(struct kml_ctx *ctx, const char *name,
			     struct kml_module_list *ret_list)
{
	char key[PATH_MAX];
	int r = kml_alias_normalize(name, key, sizeof(key));
	if (r < 0)
		return r;
	struct kml_module_list list = { 0 };
	r = add_from_wildcard(ctx, &list, KML_INDEX_BUILTIN_ALIAS, key, true);
	if (r < 0) {
		kml_module_list_release(&list);
		return r;
	}
	*ret_list = list;
	return 0;
}
