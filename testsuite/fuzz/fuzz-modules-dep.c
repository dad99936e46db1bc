// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modules.dep and its companions as depmod writes them, read back the way
 * modprobe and modinfo read them: the lines become the modules.*.bin
 * indexes (as depmod stores them), then every lookup of lookup.c and the
 * load plan of probe.c run on queries. Input, parts separated by 0xff:
 *   0  modules.dep      "kernel/a.ko: kernel/b.ko ..."
 *   1  modules.alias    "alias PATTERN MODULE"
 *   2  modules.symbols  "alias symbol:SYM MODULE"
 *   3  modules.builtin  "kernel/c.ko", and "alias PATTERN MODULE" lines for
 *                       modules.builtin.alias.bin
 *   4  queries, one per line (names, aliases, symbol:SYM)
 *   5  a modprobe.d file (aliases, softdeps, install commands, options)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_QUERIES 8
#define MAX_PLANS 1 /* a plan costs more than everything else */

enum { P_DEP, P_ALIAS, P_SYMBOLS, P_BUILTIN, P_QUERIES, P_CONFIG, P_COUNT };

static void write_index(struct kml_index_writer *w, const char *name)
{
	void *data;
	size_t size;
	if (kml_index_writer_build(w, &data, &size) < 0)
		abort();
	fuzz_write(name, data, size);
	free(data);
	kml_index_writer_free(w);
}

static struct kml_index_writer *writer(void)
{
	struct kml_index_writer *w;
	if (kml_index_writer_new(&w) < 0)
		abort();
	return w;
}

/* "alias PATTERN MODULE" -> PATTERN (normalised) => MODULE. */
static void add_alias_line(struct kml_index_writer *w, char *line, unsigned int prio)
{
	char *save = NULL, key[4096];
	char *word = strtok_r(line, " \t", &save);
	char *pattern = word ? strtok_r(NULL, " \t", &save) : NULL;
	char *module = pattern ? strtok_r(NULL, " \t", &save) : NULL;
	if (!module || strcmp(word, "alias") != 0)
		return;
	if (kml_alias_normalize(pattern, key, sizeof(key)) < 0)
		return;
	kml_index_writer_add(w, key, module, prio);
}

/* Every "alias PATTERN MODULE" line of PART, in order. */
static void add_alias_lines(struct kml_index_writer *w, const struct fuzz_part *part)
{
	char *text = fuzz_strndup(part->data, part->size), *save = NULL;
	unsigned int prio = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		add_alias_line(w, line, prio++);
	free(text);
}

static void build_indexes(struct fuzz_part *parts)
{
	struct kml_index_writer *dep = writer(), *alias = writer(), *symbols = writer(),
				*builtin = writer(), *builtin_alias = writer();
	char *text, *save, name[256];
	unsigned int prio;

	text = fuzz_strndup(parts[P_DEP].data, parts[P_DEP].size);
	save = NULL;
	prio = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		if (colon)
			*colon = '\0';
		int r = kml_module_name_from_path(line, name, sizeof(name));
		if (colon)
			*colon = ':';
		if (r == 0 && name[0])
			kml_index_writer_add(dep, name, line, prio++);
	}
	free(text);

	add_alias_lines(alias, &parts[P_ALIAS]);
	add_alias_lines(symbols, &parts[P_SYMBOLS]);

	text = fuzz_strndup(parts[P_BUILTIN].data, parts[P_BUILTIN].size);
	save = NULL;
	prio = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "alias ", 6) == 0)
			add_alias_line(builtin_alias, line, prio++);
		else if (kml_module_name_from_path(line, name, sizeof(name)) == 0 && name[0])
			kml_index_writer_add(builtin, name, "", 0);
	}
	free(text);

	write_index(dep, "moddir/modules.dep.bin");
	write_index(alias, "moddir/modules.alias.bin");
	write_index(symbols, "moddir/modules.symbols.bin");
	write_index(builtin, "moddir/modules.builtin.bin");
	write_index(builtin_alias, "moddir/modules.builtin.alias.bin");
}

static size_t touch_list(const struct kml_module_list *list)
{
	size_t t = 0;
	for (size_t i = 0; i < list->count; i++)
		t += fuzz_touch(list->modules[i].name) + fuzz_touch(list->modules[i].path) +
		     fuzz_touch(list->modules[i].alias) + list->modules[i].builtin;
	return t;
}

static size_t plan(struct kml_ctx *ctx, const struct kml_config *config,
		   const struct kml_module *m, unsigned int flags)
{
	struct kml_probe_plan p;
	size_t t = 0;
	if (kml_probe_plan_insert(ctx, config, m, flags, "fuzz=1", &p) < 0)
		return 0;
	for (size_t i = 0; i < p.count; i++) {
		const struct kml_probe_step *s = &p.steps[i];
		t += fuzz_touch(s->name) + fuzz_touch(s->path) + fuzz_touch(s->options) +
		     fuzz_touch(s->command) + s->builtin + s->required + s->target +
		     (size_t)s->action;
	}
	kml_probe_plan_release(&p);
	return t;
}

static size_t query(struct kml_ctx *ctx, const struct kml_config *config, const char *q,
		    size_t *plans)
{
	struct kml_module_list list;
	size_t t = 0;
	if (kml_lookup(ctx, q, 0, &list) == 0) {
		t += touch_list(&list);
		kml_module_list_release(&list);
	}
	if (kml_lookup(ctx, q, KML_LOOKUP_NAME_ONLY, &list) == 0) {
		t += touch_list(&list);
		kml_module_list_release(&list);
	}
	if (kml_module_by_name(ctx, q, &list) == 0) {
		t += touch_list(&list);
		kml_module_list_release(&list);
	}
	if (kml_module_get_dependencies(ctx, q, &list) == 0) {
		t += touch_list(&list);
		kml_module_list_release(&list);
	}
	if (kml_lookup_with_config(ctx, config, q, &list) == 0) {
		t += touch_list(&list);
		for (size_t i = 0; i < list.count && *plans < MAX_PLANS; i++, (*plans)++)
			t += plan(ctx, config, &list.modules[i],
				  strlen(q) % 2 ? KML_PROBE_IGNORE_COMMANDS : 0);
		kml_module_list_release(&list);
	}
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[P_COUNT];
	volatile size_t sink = 0;
	fuzz_split(data, size, parts, P_COUNT);

	build_indexes(parts);
	const char *conf = fuzz_write("modprobe.conf", parts[P_CONFIG].data, parts[P_CONFIG].size);
	const char *const paths[] = { conf, NULL };
	struct kml_ctx *ctx = fuzz_ctx("moddir");
	struct kml_config *config = NULL;
	if (kml_config_load(ctx, paths, NULL, &config) < 0)
		config = NULL;

	char *queries = fuzz_strndup(parts[P_QUERIES].data, parts[P_QUERIES].size);
	char *save = NULL;
	size_t n = 0, plans = 0;
	for (char *q = strtok_r(queries, "\n", &save); q && n < MAX_QUERIES;
	     q = strtok_r(NULL, "\n", &save), n++)
		sink += query(ctx, config, q, &plans);
	free(queries);

	kml_config_free(config);
	kml_ctx_free(ctx);
	(void)sink;
	return 0;
}
