// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod: from exported and imported symbols to dependencies between
 * modules, then a topological order (which also finds cycles).
 *
 * The order follows the reference so that modules.dep lines come out
 * byte-identical: modules nobody depends on first, taken from a stack whose
 * initial content is in module order, each module's direct dependencies
 * visited in the order of first use; a dependency list is printed by that
 * order, so loading it from the end is valid.
 */
#include <errno.h>
#include <stdio.h>

#include "depmod-private.h"

#define NO_OWNER SIZE_MAX

struct sym_entry {
	const char *name; /* NULL: empty slot */
	size_t owner;	  /* module index, or NO_OWNER for the kernel */
	uint64_t crc;
	bool has_crc;
};

struct sym_table {
	struct sym_entry *slots;
	size_t cap; /* power of two */
	size_t used;
	char **owned; /* names read from System.map / Module.symvers */
	size_t owned_count, owned_cap;
};

static struct sym_entry *sym_find_slot(const struct sym_table *t, const char *name)
{
	size_t i = (size_t)hash_string(name) & (t->cap - 1);
	while (t->slots[i].name && !streq(t->slots[i].name, name))
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static int sym_grow(struct sym_table *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 4096;
	struct sym_entry *old = t->slots;
	size_t oldcap = t->cap;
	t->slots = calloc(ncap, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->cap = ncap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].name)
			*sym_find_slot(t, old[i].name) = old[i];
	free(old);
	return 0;
}

/* Adds or replaces (a later definition wins, as with the reference). */
static int sym_set(struct sym_table *t, const char *name, size_t owner, uint64_t crc, bool has_crc)
{
	if ((t->used + 1) * 2 > t->cap) {
		int r = sym_grow(t);
		if (r < 0)
			return r;
	}
	struct sym_entry *e = sym_find_slot(t, name);
	if (!e->name)
		t->used++;
	*e = (struct sym_entry){ name, owner, crc, has_crc };
	return 0;
}

static const struct sym_entry *sym_get(const struct sym_table *t, const char *name)
{
	if (t->cap == 0)
		return NULL;
	const struct sym_entry *e = sym_find_slot(t, name);
	return e->name ? e : NULL;
}

static void sym_table_release(struct sym_table *t)
{
	for (size_t i = 0; i < t->owned_count; i++)
		free(t->owned[i]);
	free(t->owned);
	free(t->slots);
}

static const char *strip_prefix(const struct dm_state *st, const char *name)
{
	if (st->opts->symbol_prefix && name[0] == st->opts->symbol_prefix)
		return name + 1;
	return name;
}

static int keep_name(struct sym_table *t, const char *name, size_t len, const char **ret)
{
	if (ARRAY_GROW(t->owned, t->owned_cap, t->owned_count + 1) < 0)
		return -ENOMEM;
	if (!(t->owned[t->owned_count] = strndup(name, len)))
		return -ENOMEM;
	*ret = t->owned[t->owned_count++];
	return 0;
}

/* System.map: "ADDR TYPE NAME"; exported symbols are the __ksymtab_NAME ones. */
static int load_system_map(struct dm_state *st, struct sym_table *t)
{
	char *buf = NULL;
	size_t len;
	int r = read_file_full(st->opts->system_map, (size_t)256 << 20, &buf, &len);
	if (r < 0) {
		kml_err(st->ctx, "could not read %s: %s", st->opts->system_map, strerror(-r));
		return r;
	}
	static const char ksym[] = "__ksymtab_";
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); r == 0 && line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' ');
		if (!sp)
			continue;
		const char *name = strip_prefix(st, sp + 1);
		if (strncmp(name, ksym, sizeof(ksym) - 1) != 0)
			continue;
		name += sizeof(ksym) - 1;
		const char *kept;
		r = keep_name(t, name, strlen(name), &kept);
		if (r == 0)
			r = sym_set(t, kept, NO_OWNER, 0, false);
	}
	free(buf);
	return r;
}

/* Module.symvers: "CRC\tNAME\tMODULE\tEXPORT_TYPE[\tNAMESPACE]"; vmlinux's own. */
static int load_symvers(struct dm_state *st, struct sym_table *t)
{
	char *buf = NULL;
	size_t len;
	int r = read_file_full(st->opts->symvers, (size_t)256 << 20, &buf, &len);
	if (r < 0) {
		kml_err(st->ctx, "could not read %s: %s", st->opts->symvers, strerror(-r));
		return r;
	}
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); r == 0 && line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { 0 };
		char *s2 = NULL;
		size_t nf = 0;
		for (char *tok = strtok_r(line, "\t", &s2); tok && nf < 4; tok = strtok_r(NULL, "\t", &s2))
			f[nf++] = tok;
		if (nf < 3 || !streq(f[2], "vmlinux"))
			continue;
		char *end;
		unsigned long long crc = strtoull(f[0], &end, 16);
		if (*end)
			continue;
		const char *name = strip_prefix(st, f[1]), *kept;
		r = keep_name(t, name, strlen(name), &kept);
		if (r == 0)
			r = sym_set(t, kept, NO_OWNER, crc, true);
	}
	free(buf);
	return r;
}

static int add_dependency(struct dm_module *m, size_t dep)
{
	for (size_t i = 0; i < m->dep_count; i++)
		if (m->deps[i] == dep)
			return 0;
	if (ARRAY_GROW(m->deps, m->dep_cap, m->dep_count + 1) < 0)
		return -ENOMEM;
	m->deps[m->dep_count++] = dep;
	return 1;
}

static int link_module(struct dm_state *st, const struct sym_table *t, size_t mi)
{
	struct dm_module *m = &st->modules[mi];
	for (size_t i = 0; i < m->info.import_count; i++) {
		const struct dm_symbol *imp = &m->info.imports[i];
		const char *name = strip_prefix(st, imp->name);
		const struct sym_entry *e = sym_get(t, name);
		if (!e) {
			if (st->opts->errsyms && !imp->weak)
				kml_warn(st->ctx, "%s needs unknown symbol %s", m->path, name);
			continue;
		}
		if (st->opts->errsyms && st->opts->symvers && !imp->weak && e->has_crc &&
		    imp->has_crc && e->crc != imp->crc)
			kml_warn(st->ctx, "%s disagrees about version of symbol %s", m->path, name);
		if (e->owner == NO_OWNER || e->owner == mi)
			continue;
		int r = add_dependency(m, e->owner);
		if (r < 0)
			return r;
		if (r > 0)
			st->modules[e->owner].users++;
	}
	return 0;
}

/* Modules left with users after the sort are in cycles or depend on one;
 * print each cycle once, as a path that returns to its first module. */
static size_t report_cycles(struct dm_state *st)
{
	size_t n = st->module_count, in_cycles = 0;
	/* 0 unvisited, 1 on the current path, 2 done */
	uint8_t *state = calloc(n, 1);
	size_t *path = calloc(n + 1, sizeof(*path));
	size_t *next = calloc(n, sizeof(*next));
	bool *reported = calloc(n, sizeof(*reported));
	if (!state || !path || !next || !reported)
		goto out;
	for (size_t s = 0; s < n; s++) {
		if (st->modules[s].users == 0 || state[s])
			continue;
		size_t depth = 0;
		path[depth++] = s;
		state[s] = 1;
		next[s] = 0;
		while (depth > 0) {
			size_t cur = path[depth - 1];
			struct dm_module *m = &st->modules[cur];
			if (next[cur] == m->dep_count) {
				state[cur] = 2;
				depth--;
				continue;
			}
			size_t d = m->deps[next[cur]++];
			if (st->modules[d].users == 0)
				continue;
			if (state[d] == 0) {
				state[d] = 1;
				next[d] = 0;
				path[depth++] = d;
			} else if (state[d] == 1) {
				size_t start = depth;
				while (start > 0 && path[start - 1] != d)
					start--;
				start--;
				struct strbuf sb = { 0 };
				for (size_t k = start; k < depth; k++) {
					(void)strbuf_append_str(&sb, st->modules[path[k]].name);
					(void)strbuf_append_str(&sb, " -> ");
					if (!reported[path[k]]) {
						reported[path[k]] = true;
						in_cycles++;
					}
				}
				(void)strbuf_append_str(&sb, st->modules[d].name);
				kml_err(st->ctx, "Cycle detected: %s", sb.data ? sb.data : "");
				free(sb.data);
			}
		}
	}
out:
	free(state);
	free(path);
	free(next);
	free(reported);
	return in_cycles;
}

static int topological_sort(struct dm_state *st)
{
	size_t n = st->module_count;
	size_t *users = calloc(n + 1, sizeof(*users)), *stack = calloc(n + 1, sizeof(*stack));
	if (!users || !stack) {
		free(users);
		free(stack);
		return -ENOMEM;
	}
	size_t top = 0, sorted = 0;
	for (size_t i = 0; i < n; i++) {
		users[i] = st->modules[i].users;
		if (users[i] == 0)
			stack[top++] = i;
	}
	while (top > 0) {
		size_t cur = stack[--top];
		struct dm_module *m = &st->modules[cur];
		m->dep_sort_index = sorted++;
		for (size_t k = 0; k < m->dep_count; k++)
			if (--users[m->deps[k]] == 0)
				stack[top++] = m->deps[k];
	}
	int r = 0;
	if (sorted < n) {
		for (size_t i = 0; i < n; i++)
			st->modules[i].users = users[i];
		size_t count = report_cycles(st);
		kml_err(st->ctx, "Found %zu modules in dependency cycles!", count);
		r = -ELOOP;
	}
	free(users);
	free(stack);
	return r;
}

int dm_resolve(struct dm_state *st)
{
	struct sym_table t = { 0 };
	int r = 0;
	if (st->opts->system_map)
		r = load_system_map(st, &t);
	if (r == 0 && st->opts->symvers)
		r = load_symvers(st, &t);
	for (size_t i = 0; r == 0 && i < st->module_count; i++) {
		const struct dm_info *info = &st->modules[i].info;
		for (size_t k = 0; r == 0 && k < info->export_count; k++)
			r = sym_set(&t, strip_prefix(st, info->exports[k].name), i,
				    info->exports[k].crc, info->exports[k].has_crc);
	}
	for (size_t i = 0; r == 0 && i < st->module_count; i++)
		r = link_module(st, &t, i);
	sym_table_release(&t);
	if (r == 0)
		r = topological_sort(st);
	return r;
}

static int dep_sort_compare(const void *a, const void *b, void *data)
{
	const struct dm_state *st = data;
	size_t x = st->modules[*(const size_t *)a].dep_sort_index;
	size_t y = st->modules[*(const size_t *)b].dep_sort_index;
	return x < y ? -1 : x > y;
}

int dm_dep_walk_init(struct dm_dep_walk *w, size_t module_count)
{
	*w = (struct dm_dep_walk){ .mark = calloc(module_count + 1, sizeof(*w->mark)),
				   .todo = malloc((module_count + 1) * sizeof(*w->todo)),
				   .out = malloc((module_count + 1) * sizeof(*w->out)) };
	if (!w->mark || !w->todo || !w->out) {
		dm_dep_walk_release(w);
		return -ENOMEM;
	}
	return 0;
}

void dm_dep_walk_release(struct dm_dep_walk *w)
{
	free(w->mark);
	free(w->todo);
	free(w->out);
	*w = (struct dm_dep_walk){ 0 };
}

size_t dm_all_dependencies(const struct dm_state *st, struct dm_dep_walk *w, size_t i,
			   const size_t **ret)
{
	/* A new generation marks everything unseen without clearing the array. */
	if (++w->generation == 0) {
		memset(w->mark, 0, (st->module_count + 1) * sizeof(*w->mark));
		w->generation = 1;
	}
	size_t count = 0, top = 0;
	w->mark[i] = w->generation;
	w->todo[top++] = i;
	while (top > 0) {
		const struct dm_module *m = &st->modules[w->todo[--top]];
		for (size_t k = 0; k < m->dep_count; k++) {
			size_t d = m->deps[k];
			if (w->mark[d] == w->generation)
				continue;
			w->mark[d] = w->generation;
			w->out[count++] = d;
			w->todo[top++] = d;
		}
	}
	qsort_r(w->out, count, sizeof(*w->out), dep_sort_compare, (void *)st);
	*ret = w->out;
	return count;
}
