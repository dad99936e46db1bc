// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What `kmod why` needs to explain a request, beyond the lookup (lookup.c),
 * the configuration (config-lines.c) and the probe plans (probe.c): which
 * patterns of the alias indexes match a name, and which exported symbols tie
 * a module to the modules it depends on.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "kmodlite-private.h"

struct pair_list {
	struct kml_pair *items;
	size_t count, cap;
};

static int pair_add(struct pair_list *l, const char *first, const char *second)
{
	int r = ARRAY_GROW(l->items, l->cap, l->count + 1);
	if (r < 0)
		return r;
	char *a = strdup(first), *b = strdup(second);
	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	l->items[l->count++] = (struct kml_pair){ a, b };
	return 0;
}

void kml_pairs_free(struct kml_pair *pairs, size_t count)
{
	for (size_t i = 0; pairs && i < count; i++) {
		free(pairs[i].first);
		free(pairs[i].second);
	}
	free(pairs);
}

static int pairs_finish(struct pair_list *l, int r, struct kml_pair **ret, size_t *ret_count)
{
	if (r < 0) {
		kml_pairs_free(l->items, l->count);
		return r;
	}
	*ret = l->items;
	*ret_count = l->count;
	return 0;
}

struct pattern_walk {
	const char *name;
	struct pair_list out;
};

static int match_pattern(void *data, const char *key, const struct kml_index_value *value)
{
	struct pattern_walk *w = data;
	if (!glob_match(key, w->name))
		return 0;
	return pair_add(&w->out, key, value->value) < 0 ? 1 : 0;
}

int kml_alias_patterns(struct kml_ctx *ctx, const char *name, bool builtin,
		       struct kml_pair **ret_pairs, size_t *ret_count)
{
	if (!ctx || !name || !ret_pairs || !ret_count)
		return -EINVAL;
	char key[PATH_MAX];
	int r = kml_alias_normalize(name, key, sizeof(key));
	if (r < 0)
		return r;
	struct pattern_walk w = { .name = key };
	const struct kml_index *idx =
		kml_ctx_index(ctx, builtin ? KML_INDEX_BUILTIN_ALIAS : KML_INDEX_ALIAS);
	if (idx) {
		r = kml_index_foreach(idx, match_pattern, &w);
		/* the callback stops the walk only when out of memory */
		if (r > 0)
			r = -ENOMEM;
	}
	return pairs_finish(&w.out, r, ret_pairs, ret_count);
}

int kml_module_symbol_providers(struct kml_ctx *ctx, const char *path,
				struct kml_pair **ret_pairs, size_t *ret_count)
{
	if (!ctx || !path || !ret_pairs || !ret_count)
		return -EINVAL;
	struct kml_file *file = NULL;
	struct kml_elf *elf = NULL;
	struct kml_symbol *imports = NULL;
	size_t n = 0;
	int r = kml_file_open(path, &file);
	if (r == 0)
		r = kml_elf_new(kml_file_data(file), kml_file_size(file), &elf);
	if (r == 0)
		r = kml_elf_get_imports(elf, &imports, &n);
	const struct kml_index *symbols = kml_ctx_index(ctx, KML_INDEX_SYMBOLS);
	struct pair_list out = { 0 };
	for (size_t i = 0; r == 0 && symbols && i < n; i++) {
		char key[512];
		const char *provider;
		if (snprintf(key, sizeof(key), "symbol:%s", imports[i].name) >= (int)sizeof(key))
			continue;
		int q = kml_index_lookup(symbols, key, &provider);
		if (q == -ENOENT)
			continue;
		r = q < 0 ? q : pair_add(&out, imports[i].name, provider);
	}
	free(imports);
	kml_elf_free(elf);
	kml_file_free(file);
	return pairs_finish(&out, r, ret_pairs, ret_count);
}
