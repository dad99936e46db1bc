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
	if (m->reuse_deps)
		return 0; /* (its links are kept) */
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
	}
	return 0;
}

/* The modules' imports linked to their owners on depmod's threads: each
 * module on one thread, which writes only that module's dependencies
 * (messages, under -e, are logged from this thread alone, in module order). */
struct link_pool {
	struct dm_state *st;
	const struct sym_table *table;
	int err;
};

static void link_one(void *data, size_t i, struct strbuf *scratch)
{
	struct link_pool *p = data;
	(void)scratch;
	if (link_module(p->st, p->table, i) < 0)
		__atomic_store_n(&p->err, -ENOMEM, __ATOMIC_RELAXED);
}

static int link_all(struct dm_state *st, const struct sym_table *t)
{
	struct link_pool p = { .st = st, .table = t };
	dm_parallel(st->opts->errsyms ? 1 : dm_job_count(st), st->module_count, link_one, &p);
	if (p.err < 0)
		return p.err;
	for (size_t i = 0; i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		for (size_t k = 0; k < m->dep_count; k++)
			st->modules[m->deps[k]].users++;
	}
	return 0;
}

/*
 * Cycle report, in kmod's words and order (kmod 30 and 34.2 agree; worked
 * out from their output on crafted trees).
 *
 * The modules left with users after the sort (in cycles, or depending on
 * one) form a ring in module order, with a current position at the first.
 * Taking a module out of the ring moves the current position to the module
 * after it; taking out one that is not there changes nothing. Roots are
 * taken out at the current position until the ring is empty.
 *
 * From a root, paths grow on a stack of (module, parent) vertices. A vertex
 * popped whose module has no dependencies ends its path and takes that
 * module out of the ring. One that closes a path at the root prints it
 * ("a -> b -> a") and takes its modules out, in path order; they count as in
 * cycles. Any other is expanded, marking its module reached, by pushing one
 * vertex per direct dependency in first-use order (the last is followed
 * first). A root that an earlier root's walk reached (it only depends on a
 * cycle) closes at once: it is printed alone and not counted.
 *
 * kmod also re-expands a module already on the path: where a cycle that
 * avoids the root can be reached from it, kmod prints ever longer paths
 * without end or aborts on its stack bound. We never extend a path with a
 * module already on it, which prints the same as kmod wherever kmod ends;
 * otherwise the simple cycles through the root, and each cycle met that
 * avoids it and holds a module not yet reported (cycle_print_inner). The walks push at most
 * CYCLE_WALK_BUDGET vertices in all (dense cycles have exponentially many
 * paths); past it, nothing more is reported.
 */
#define CYCLE_WALK_BUDGET ((size_t)1 << 16)

struct cycle_vertex {
	size_t module;
	size_t parent; /* vertex index; SIZE_MAX for the root */
};

struct cycle_walk {
	struct cycle_vertex *v;
	size_t count, cap;
	size_t *stack; /* vertex indexes */
	size_t top, stack_cap;
	size_t budget;
	bool *in_cycle;
	size_t in_cycles;
	bool *reached; /* expanded by some root's walk */
	/* the ring of roots: doubly linked over module indexes */
	size_t *next, *prev;
	bool *in_ring;
	size_t current; /* SIZE_MAX: the ring is empty */
};

static void ring_take(struct cycle_walk *w, size_t i)
{
	if (!w->in_ring[i])
		return;
	w->in_ring[i] = false;
	if (w->next[i] == i) {
		w->current = SIZE_MAX;
		return;
	}
	w->next[w->prev[i]] = w->next[i];
	w->prev[w->next[i]] = w->prev[i];
	w->current = w->next[i];
}

static bool vertex_on_path(const struct cycle_walk *w, size_t vi, size_t module)
{
	for (; vi != SIZE_MAX; vi = w->v[vi].parent)
		if (w->v[vi].module == module)
			return true;
	return false;
}

static int cycle_push(struct cycle_walk *w, size_t module, size_t parent)
{
	if (w->budget == 0)
		return -E2BIG;
	w->budget--;
	if (w->count == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct cycle_vertex *v = reallocarray(w->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	if (w->top == w->stack_cap) {
		size_t cap = w->stack_cap ? w->stack_cap * 2 : 64;
		size_t *s = reallocarray(w->stack, cap, sizeof(*s));
		if (!s)
			return -ENOMEM;
		w->stack = s;
		w->stack_cap = cap;
	}
	w->v[w->count] = (struct cycle_vertex){ .module = module, .parent = parent };
	w->stack[w->top++] = w->count++;
	return 0;
}

/* Prints the path that vertex VI closes: root -> ... -> root, or the root
 * alone; the modules before the last one leave the ring and count as in
 * cycles. */
static int cycle_print(struct dm_state *st, struct cycle_walk *w, size_t vi)
{
	struct strbuf sb = { 0 };
	size_t len = 0, *path;
	int r = 0;

	for (size_t i = vi; i != SIZE_MAX; i = w->v[i].parent)
		len++;
	path = malloc(len * sizeof(*path));
	if (!path)
		return -ENOMEM;
	for (size_t i = vi, k = len; i != SIZE_MAX; i = w->v[i].parent)
		path[--k] = w->v[i].module;
	for (size_t k = 0; r == 0 && k < len; k++) {
		if (k > 0)
			r = strbuf_append_str(&sb, " -> ");
		if (r == 0)
			r = strbuf_append_str(&sb, st->modules[path[k]].name);
		if (k + 1 == len)
			break;
		ring_take(w, path[k]);
		if (!w->in_cycle[path[k]]) {
			w->in_cycle[path[k]] = true;
			w->in_cycles++;
		}
	}
	if (r == 0)
		kml_err(st->ctx, "Cycle detected: %s", sb.data);
	free(sb.data);
	free(path);
	return r;
}

/*
 * Vertex VI's path already holds module D, which VI needs: a circle that
 * does not go through the root, where kmod would go on without end. It is
 * printed as "d -> ... -> d" when it holds a module no circle printed so
 * far holds, and its modules leave the ring and count as in cycles.
 */
static int cycle_print_inner(struct dm_state *st, struct cycle_walk *w, size_t vi, size_t d)
{
	struct strbuf sb = { 0 };
	size_t len = 0, *path, i;
	bool new_module = false;
	int r = 0;

	for (i = vi; w->v[i].module != d; i = w->v[i].parent)
		len++;
	len++;
	path = malloc(len * sizeof(*path));
	if (!path)
		return -ENOMEM;
	for (i = vi; len > 0; i = w->v[i].parent) {
		path[--len] = w->v[i].module;
		new_module |= !w->in_cycle[w->v[i].module];
		if (w->v[i].module == d)
			break;
	}
	for (size_t k = 0; new_module && r == 0; k++) {
		r = strbuf_append_str(&sb, st->modules[path[k]].name);
		if (r == 0)
			r = strbuf_append_str(&sb, " -> ");
		ring_take(w, path[k]);
		if (!w->in_cycle[path[k]]) {
			w->in_cycle[path[k]] = true;
			w->in_cycles++;
		}
		if (path[k] == w->v[vi].module)
			break;
	}
	if (new_module && r == 0)
		r = strbuf_append_str(&sb, st->modules[d].name);
	if (new_module && r == 0)
		kml_err(st->ctx, "Cycle detected: %s", sb.data);
	free(sb.data);
	free(path);
	return r;
}

static int cycles_from_root(struct dm_state *st, struct cycle_walk *w, size_t root)
{
	int r;

	w->count = 0;
	w->top = 0;
	r = cycle_push(w, root, SIZE_MAX);
	while (r == 0 && w->top > 0) {
		size_t vi = w->stack[--w->top];
		size_t mi = w->v[vi].module;
		const struct dm_module *m = &st->modules[mi];

		if (m->dep_count == 0) {
			ring_take(w, mi);
			continue;
		}
		if (mi == root && w->reached[root]) {
			r = cycle_print(st, w, vi);
			continue;
		}
		w->reached[mi] = true;
		for (size_t k = 0; r == 0 && k < m->dep_count; k++) {
			size_t d = m->deps[k];
			if (d != root && vertex_on_path(w, vi, d)) {
				r = cycle_print_inner(st, w, vi, d);
				continue;
			}
			r = cycle_push(w, d, vi);
		}
	}
	return r;
}

/* Returns how many modules the reported cycles hold. */
static size_t report_cycles(struct dm_state *st)
{
	size_t n = st->module_count, first = SIZE_MAX, last = SIZE_MAX;
	struct cycle_walk w = { .budget = CYCLE_WALK_BUDGET, .current = SIZE_MAX };

	w.in_cycle = calloc(n, sizeof(*w.in_cycle));
	w.reached = calloc(n, sizeof(*w.reached));
	w.in_ring = calloc(n, sizeof(*w.in_ring));
	w.next = calloc(n, sizeof(*w.next));
	w.prev = calloc(n, sizeof(*w.prev));
	if (!w.in_cycle || !w.reached || !w.in_ring || !w.next || !w.prev)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (st->modules[i].users == 0)
			continue;
		w.in_ring[i] = true;
		if (first == SIZE_MAX) {
			first = i;
		} else {
			w.next[last] = i;
			w.prev[i] = last;
		}
		last = i;
	}
	if (first == SIZE_MAX)
		goto out;
	w.next[last] = first;
	w.prev[first] = last;
	w.current = first;
	while (w.current != SIZE_MAX) {
		size_t root = w.current;

		ring_take(&w, root);
		if (cycles_from_root(st, &w, root) < 0)
			break;
	}
out:
	free(w.v);
	free(w.stack);
	free(w.in_cycle);
	free(w.reached);
	free(w.in_ring);
	free(w.next);
	free(w.prev);
	return w.in_cycles;
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

/*
 * The dependencies of the modules whose links are reused, from the names
 * in them. -EAGAIN when a name is not that of a module of this run, which
 * the world digest being the same rules out (unless it collided): the
 * caller then resolves everything anew.
 */
static int keep_links(struct dm_state *st)
{
	struct dm_names names;
	int r = dm_names_index(st, &names);
	for (size_t i = 0; r == 0 && i < st->module_count; i++) {
		struct dm_module *m = &st->modules[i];
		if (!m->reuse_deps)
			continue;
		const unsigned char *cursor = m->links.names;
		for (size_t n = 0; r == 0 && n < m->links.count; n++) {
			size_t d = dm_names_find(&names, dm_cache_next_name(&cursor));
			if (d == SIZE_MAX || d == i)
				r = -EAGAIN;
			else
				r = add_dependency(m, d) < 0 ? -ENOMEM : 0;
		}
	}
	dm_names_free(&names);
	return r;
}

static void forget_dependencies(struct dm_state *st)
{
	for (size_t i = 0; i < st->module_count; i++) {
		struct dm_module *m = &st->modules[i];
		free(m->deps);
		m->deps = NULL;
		m->dep_count = m->dep_cap = 0;
		m->users = 0;
	}
}

int dm_resolve(struct dm_state *st)
{
	struct sym_table t = { 0 };
	int r = 0;
	if (st->reuse_links) {
		r = keep_links(st);
		if (r == -EAGAIN) {
			kml_dbg(st->ctx, DM_CACHE_NAME ": links do not fit this tree, dependencies resolved anew");
			forget_dependencies(st);
			/* (the cache's records thread reads the modules' flags) */
			r = dm_cache_wait(st);
			if (r == 0)
				r = dm_load_imports(st);
		}
		if (r < 0)
			return r;
	}
	if (st->opts->system_map)
		r = load_system_map(st, &t);
	if (r == 0 && st->opts->symvers)
		r = load_symvers(st, &t);
	/* with the links reused, only the few modules parsed anew are linked:
	 * of the exports, only what they import is worth a slot */
	struct sym_table wanted = { 0 };
	bool only_wanted = st->reuse_links;
	for (size_t i = 0; r == 0 && only_wanted && i < st->module_count; i++) {
		const struct dm_module *m = &st->modules[i];
		for (size_t k = 0; r == 0 && !m->reuse_deps && k < m->info.import_count; k++)
			r = sym_set(&wanted, strip_prefix(st, m->info.imports[k].name), 0, 0, false);
	}
	for (size_t i = 0; r == 0 && i < st->module_count; i++) {
		const struct dm_info *info = &st->modules[i].info;
		for (size_t k = 0; r == 0 && k < info->export_count; k++) {
			const char *name = strip_prefix(st, info->exports[k].name);
			if (!only_wanted || sym_get(&wanted, name))
				r = sym_set(&t, name, i, info->exports[k].crc, info->exports[k].has_crc);
		}
	}
	sym_table_release(&wanted);
	if (r == 0)
		r = link_all(st, &t);
	sym_table_release(&t);
	if (r == 0)
		r = topological_sort(st);
	st->resolved = r == 0;
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
	if (count > 24) {
		qsort_r(w->out, count, sizeof(*w->out), dep_sort_compare, (void *)st);
	} else {
		/* most lists are short: insertion sort, without a call per comparison */
		for (size_t a = 1; a < count; a++) {
			size_t v = w->out[a], key = st->modules[v].dep_sort_index, b = a;
			for (; b > 0 && st->modules[w->out[b - 1]].dep_sort_index > key; b--)
				w->out[b] = w->out[b - 1];
			w->out[b] = v;
		}
	}
	*ret = w->out;
	return count;
}
