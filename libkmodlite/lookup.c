// SPDX-License-Identifier: LGPL-2.1-or-later
/* From a name, alias, symbol or path to module(s), in the documented order. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "kmodlite-private.h"

int kml_module_name_from_path(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t i = 0;
	for (; base[i] && base[i] != '.'; i++) {
		if (i + 1 >= size)
			return -ENAMETOOLONG;
		buf[i] = base[i] == '-' ? '_' : base[i];
	}
	if (size == 0)
		return -ENAMETOOLONG;
	buf[i] = '\0';
	return 0;
}

int kml_alias_normalize(const char *alias, char *buf, size_t size)
{
	bool in_bracket = false;
	size_t i = 0;
	for (; alias[i]; i++) {
		if (i + 1 >= size)
			return -ENAMETOOLONG;
		char c = alias[i];
		if (c == '[')
			in_bracket = true;
		else if (c == ']') {
			if (!in_bracket)
				return -EINVAL;
			in_bracket = false;
		} else if (c == '-' && !in_bracket)
			c = '_';
		buf[i] = c;
	}
	if (size == 0)
		return -ENAMETOOLONG;
	buf[i] = '\0';
	return 0;
}

static int list_add(struct kml_module_list *list, const char *name, const char *path, bool builtin)
{
	for (size_t i = 0; i < list->count; i++)
		if (streq(list->modules[i].name, name))
			return 0;
	struct kml_module *n = reallocarray(list->modules, list->count + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	list->modules = n;
	struct kml_module *m = &n[list->count];
	*m = (struct kml_module){ .name = strdup(name), .builtin = builtin };
	if (path)
		m->path = strdup(path);
	if (!m->name || (path && !m->path)) {
		free(m->name);
		free(m->path);
		return -ENOMEM;
	}
	list->count++;
	return 0;
}

void kml_module_list_release(struct kml_module_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++) {
		free(list->modules[i].name);
		free(list->modules[i].path);
	}
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
	int len = (int)(colon - line);
	if (line[0] == '/')
		r = asprintf(ret_path, "%.*s", len, line);
	else
		r = asprintf(ret_path, "%s/%.*s", kml_ctx_get_module_dir(ctx), len, line);
	return r < 0 ? -ENOMEM : 0;
}

static bool is_builtin(struct kml_ctx *ctx, const char *name)
{
	const struct kml_index *b = kml_ctx_index(ctx, KML_INDEX_BUILTIN);
	const char *v;
	return b && kml_index_lookup(b, name, &v) == 0;
}

/* Adds module NAME, found through an index: a file from modules.dep, or built-in. */
static int add_by_name(struct kml_ctx *ctx, struct kml_module_list *list, const char *name)
{
	char *path = NULL;
	int r = module_path_from_dep(ctx, name, &path);
	if (r == 0) {
		r = list_add(list, name, path, false);
		free(path);
		return r;
	}
	if (r != -ENOENT)
		return r;
	if (is_builtin(ctx, name))
		return list_add(list, name, NULL, true);
	/* known to an alias index but absent from the tree: report it by name */
	return list_add(list, name, NULL, false);
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
		r = builtin ? list_add(list, values[i].value, NULL, true)
			    : add_by_name(ctx, list, values[i].value);
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
