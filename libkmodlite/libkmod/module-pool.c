// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The context's module pool: open hashing by name, linear probing; a module
 * leaves the pool with its last reference (module.c), the pool goes with
 * the context (ctx.c).
 */
#include <errno.h>

#include "libkmod-private.h"
#include "module-pool.h"

struct module_pool {
	struct kmod_module **slots;
	size_t cap; /* a power of two */
	size_t count;
};

static size_t pool_find_slot(const struct module_pool *pool, const char *name)
{
	size_t mask = pool->cap - 1, i = (size_t)hash_string(name) & mask;
	while (pool->slots[i] && !streq(pool->slots[i]->name, name))
		i = (i + 1) & mask;
	return i;
}

struct kmod_module *module_pool_get(const struct module_pool *pool, const char *name)
{
	if (!pool || pool->cap == 0)
		return NULL;
	return pool->slots[pool_find_slot(pool, name)];
}

int module_pool_add(struct module_pool **poolp, struct kmod_module *mod)
{
	struct module_pool *pool = *poolp;
	if (!pool) {
		pool = *poolp = calloc(1, sizeof(*pool));
		if (!pool)
			return -ENOMEM;
	}
	if ((pool->count + 1) * 2 > pool->cap) {
		size_t ncap = pool->cap ? pool->cap * 2 : 64;
		struct module_pool grown = { calloc(ncap, sizeof(*grown.slots)), ncap, 0 };
		if (!grown.slots)
			return -ENOMEM;
		for (size_t i = 0; i < pool->cap; i++)
			if (pool->slots[i])
				grown.slots[pool_find_slot(&grown, pool->slots[i]->name)] =
					pool->slots[i];
		grown.count = pool->count;
		free(pool->slots);
		*pool = grown;
	}
	pool->slots[pool_find_slot(pool, mod->name)] = mod;
	pool->count++;
	return 0;
}

void module_pool_remove(struct module_pool *pool, const struct kmod_module *mod)
{
	size_t mask = pool->cap - 1, i = pool_find_slot(pool, mod->name);
	if (pool->slots[i] != mod)
		return;
	pool->slots[i] = NULL;
	pool->count--;
	/* re-place the entries of the run that followed it */
	for (size_t j = (i + 1) & mask; pool->slots[j]; j = (j + 1) & mask) {
		struct kmod_module *m = pool->slots[j];
		pool->slots[j] = NULL;
		pool->slots[pool_find_slot(pool, m->name)] = m;
	}
}

void module_pool_free(struct module_pool *pool)
{
	if (!pool)
		return;
	free(pool->slots);
	free(pool);
}
