/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The context's pool of module objects, one per name: what lets
 * kmod_module_new_from_name() and the lookups hand out the same object for
 * the same module. Not installed.
 */
#ifndef LIBKMOD_MODULE_POOL_H
#define LIBKMOD_MODULE_POOL_H

struct module_pool;
struct kmod_module;

/* The module named NAME in POOL (NULL is an empty pool), or NULL. */
struct kmod_module *module_pool_get(const struct module_pool *pool, const char *name);
/* Adds MOD (not there yet) by its name, making the pool on first use;
 * 0 or -ENOMEM. */
int module_pool_add(struct module_pool **pool, struct kmod_module *mod);
/* Takes MOD out of POOL if it is the one held under its name. */
void module_pool_remove(struct module_pool *pool, const struct kmod_module *mod);
/* Frees the pool (not the modules it holds); NULL is fine. */
void module_pool_free(struct module_pool *pool);

#endif
