// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe configuration: the store. What is known per module name (a hash
 * map of entries), the records of each `modprobe -c` section in
 * configuration order, the softdep/weakdep records, and freeing it all.
 * The parsers (config-parse.c, config-cmdline.c) fill it; the queries
 * (config.c) and the dump (config-dump.c) read it.
 */
#include <errno.h>

#include "conf-file.h"
#include "config-private.h"
#include "modname.h"

/* ------------------------------------------------------------- names */

/* A normalised copy of NAME in *RET: STACK when it fits, else malloc'd
 * (free with config_norm_free()). -EINVAL for a bad name, -ENOMEM. */
int config_norm_dup(const char *name, char *stack, size_t stack_size, char **ret)
{
	size_t n = strlen(name);
	char *p = n < stack_size ? stack : malloc(n + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, name, n + 1);
	if (modname_normalize(p) < 0) {
		if (p != stack)
			free(p);
		return -EINVAL;
	}
	*ret = p;
	return 0;
}

void config_norm_free(char *p, char *stack)
{
	if (p != stack)
		free(p);
}

/* ------------------------------------------------------ module entries */

struct mod_entry *config_find_entry(const struct kml_config *config, const char *name)
{
	const struct mod_map *map = &config->modules;
	if (!map->cap)
		return NULL;
	size_t mask = map->cap - 1;
	for (size_t i = hash_string(name) & mask;; i = (i + 1) & mask) {
		struct mod_entry *e = map->slots[i];
		if (!e)
			return NULL;
		if (streq(e->name, name))
			return e;
	}
}

static void map_place(struct mod_entry **slots, size_t cap, struct mod_entry *e)
{
	size_t mask = cap - 1;
	size_t i = hash_string(e->name) & mask;
	while (slots[i])
		i = (i + 1) & mask;
	slots[i] = e;
}

/* The entry of NAME (normalised, kept by the config), created when missing. */
int config_module_entry(struct kml_config *config, const char *name, struct mod_entry **ret)
{
	struct mod_map *map = &config->modules;
	struct mod_entry *e = config_find_entry(config, name);
	if (e) {
		*ret = e;
		return 0;
	}
	if ((map->count + 1) * 4 > map->cap * 3) {
		size_t ncap = map->cap ? map->cap * 2 : 64;
		if (ncap < map->cap)
			return -ENOMEM;
		struct mod_entry **slots = calloc(ncap, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; i < map->cap; i++)
			if (map->slots[i])
				map_place(slots, ncap, map->slots[i]);
		free(map->slots);
		map->slots = slots;
		map->cap = ncap;
	}
	e = arena_alloc(&config->arena, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->name = name;
	map_place(map->slots, map->cap, e);
	map->count++;
	*ret = e;
	return 0;
}

static void entry_release(struct mod_entry *e)
{
	free(e->options.data);
	free(e->cmdline_options.data);
}

/* ------------------------------------------------------------ records */

/* Appends a record to section SEC; *RET (when RET is not NULL) points to
 * it until the next record of SEC. */
int config_record_add(struct kml_config *config, enum section sec, const char *name,
		      const char *text, const struct record **ret)
{
	struct record_list *l = &config->sections[sec];
	int r = ARRAY_GROW(l->items, l->cap, l->count + 1);
	if (r < 0)
		return r;
	l->items[l->count] = (struct record){ .name = name, .text = text,
					      .path = config->cur_path, .line = config->cur_line };
	if (ret)
		*ret = &l->items[l->count];
	l->count++;
	return 0;
}

/* blacklist MODULE (normalised, kept by the config). */
int config_add_blacklist(struct kml_config *config, const char *module)
{
	struct mod_entry *e;
	int r = config_module_entry(config, module, &e);
	if (r >= 0)
		r = config_record_add(config, SEC_BLACKLIST, module, NULL, NULL);
	if (r >= 0)
		e->blacklisted = true;
	return r;
}

int config_add_forbid(struct kml_config *config, const char *module, const char *where)
{
	struct mod_entry *e;
	int r = config_module_entry(config, module, &e);
	if (r >= 0)
		r = config_record_add(config, SEC_FORBID, module, NULL, NULL);
	if (r >= 0 && !e->forbidden)
		e->forbidden = where;
	return r;
}

/* A new softdep/weakdep record for NAME at the end of L, zeroed but for
 * its name. */
int config_dep_record_new(struct dep_list *l, const char *name, struct dep_record **ret)
{
	int r = ARRAY_GROW(l->items, l->cap, l->count + 1);
	if (r < 0)
		return r;
	struct dep_record *d = &l->items[l->count];
	*d = (struct dep_record){ .name = name };
	l->count++;
	*ret = d;
	return 0;
}

static void dep_list_release(struct dep_list *l)
{
	free(l->items);
}

void kml_config_free(struct kml_config *config)
{
	if (!config)
		return;
	for (size_t s = 0; s < SEC_COUNT; s++)
		free(config->sections[s].items);
	dep_list_release(&config->softdeps);
	dep_list_release(&config->weakdeps);
	free(config->deferred);
	for (size_t i = 0; i < config->modules.cap; i++)
		if (config->modules.slots[i])
			entry_release(config->modules.slots[i]);
	free(config->modules.slots);
	arena_release(&config->arena);
	free(config);
}
