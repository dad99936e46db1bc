// SPDX-License-Identifier: LGPL-2.1-or-later
/* libkmod's configuration iterators over the library's records. */
#include <errno.h>

#include "libkmod-private.h"

struct kmod_config_iter {
	struct kml_config_item *items;
	size_t count;
	size_t next; /* 1 + the current item; 0 before the first and past the
		      * last (the next call starts over, as with libkmod) */
};

static struct kmod_config_iter *iter_new(const struct kmod_ctx *ctx, enum kml_config_kind kind)
{
	if (!ctx)
		return NULL;
	struct kmod_config_iter *it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	if (kml_config_items(ctx->config, kind, &it->items, &it->count) < 0) {
		free(it);
		return NULL;
	}
	return it;
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_blacklists(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, KML_CONFIG_BLACKLIST);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_install_commands(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, KML_CONFIG_INSTALL);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_remove_commands(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, KML_CONFIG_REMOVE);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_aliases(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, KML_CONFIG_ALIAS);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_options(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, KML_CONFIG_OPTIONS);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_softdeps(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, KML_CONFIG_SOFTDEP);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_weakdeps(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, KML_CONFIG_WEAKDEP);
}

static const struct kml_config_item *current(const struct kmod_config_iter *it)
{
	return it && it->next > 0 && it->next <= it->count ? &it->items[it->next - 1] : NULL;
}

KMOD_EXPORT const char *kmod_config_iter_get_key(const struct kmod_config_iter *iter)
{
	const struct kml_config_item *item = current(iter);
	return item ? item->key : NULL;
}

KMOD_EXPORT const char *kmod_config_iter_get_value(const struct kmod_config_iter *iter)
{
	const struct kml_config_item *item = current(iter);
	return item ? item->value : NULL;
}

KMOD_EXPORT bool kmod_config_iter_next(struct kmod_config_iter *iter)
{
	if (!iter)
		return false;
	iter->next++;
	if (iter->next > iter->count)
		iter->next = 0;
	return iter->next != 0;
}

KMOD_EXPORT void kmod_config_iter_free_iter(struct kmod_config_iter *iter)
{
	if (!iter)
		return;
	free(iter->items);
	free(iter);
}
