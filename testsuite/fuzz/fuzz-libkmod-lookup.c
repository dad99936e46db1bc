// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libkmod.so.2's lookup path through its API: a context over a small module
 * directory whose indexes are the input, then what udev, lspci and dracut
 * ask: kmod_load_resources, kmod_module_new_from_lookup and _name_lookup,
 * each module's name, path, options, dependencies, softdeps, info and
 * versions, a dry-run probe, kmod_dump_index. The directory holds five
 * valid indexes of a few modules (a depends on b; aliases, a symbol, a
 * built-in module and alias), written once; the input replaces one:
 *   QUERIES 0xff WHICH 0xff INDEX
 * QUERIES: one per line (names, aliases, symbol:SYM); WHICH: its first
 * byte modulo 6 picks modules.dep.bin, .alias.bin, .symbols.bin,
 * .builtin.bin, .builtin.alias.bin or none; INDEX: that file's bytes (the
 * last part: it may hold 0xff), empty for a missing file. Module files are
 * read only when their path lies in the directory (a hostile
 * modules.dep.bin may name /dev/zero).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "fuzz.h"

#define MAX_QUERIES 8
#define MAX_MODULES 8 /* per query */

enum { P_QUERIES, P_WHICH, P_INDEX, P_COUNT };
enum { I_DEP, I_ALIAS, I_SYMBOLS, I_BUILTIN, I_BUILTIN_ALIAS, I_COUNT };

static const char *const index_files[I_COUNT] = {
	[I_DEP] = "mods/modules.dep.bin",
	[I_ALIAS] = "mods/modules.alias.bin",
	[I_SYMBOLS] = "mods/modules.symbols.bin",
	[I_BUILTIN] = "mods/modules.builtin.bin",
	[I_BUILTIN_ALIAS] = "mods/modules.builtin.alias.bin",
};

/* the valid indexes: key, value pairs */
static const char *const fixed[I_COUNT][8] = {
	[I_DEP] = { "mod_a", "kernel/mod-a.ko: kernel/mod_b.ko", "mod_b", "kernel/mod_b.ko:",
		    "mod_c", "/abs/mod_c.ko.xz:", NULL },
	[I_ALIAS] = { "pci:v00001234d*", "mod_a", "fs_x", "mod_b", "fs_x", "mod_c", NULL },
	[I_SYMBOLS] = { "symbol:sym_b", "mod_b", NULL },
	[I_BUILTIN] = { "bi", "", NULL },
	[I_BUILTIN_ALIAS] = { "bi_alias*", "bi", NULL },
};

static struct {
	void *data;
	size_t size;
} valid[I_COUNT];

static void build_valid(void)
{
	for (int i = 0; i < I_COUNT; i++) {
		struct kml_index_writer *w;
		if (kml_index_writer_new(&w) < 0)
			abort();
		for (int k = 0; fixed[i][k]; k += 2)
			if (kml_index_writer_add(w, fixed[i][k], fixed[i][k + 1], (unsigned)k) < 0)
				abort();
		if (kml_index_writer_build(w, &valid[i].data, &valid[i].size) < 0)
			abort();
		kml_index_writer_free(w);
	}
}

static volatile size_t sink;

static void touch_list(struct kmod_list *list)
{
	struct kmod_list *l;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *m = kmod_module_get_module(l);
		sink += fuzz_touch(kmod_module_get_name(m));
		const char *path = kmod_module_get_path(m);
		if (path)
			sink += fuzz_touch(path);
		kmod_module_unref(m);
	}
}

/* Every message formatted, as a logging caller would. */
static void log_fn(void *data, int priority, const char *file, int line, const char *fn,
		   const char *format, va_list args)
{
	char buf[512];
	(void)data;
	vsnprintf(buf, sizeof(buf), format, args);
	sink += fuzz_touch(buf) + (size_t)priority + (size_t)line + fuzz_touch(file) +
		fuzz_touch(fn);
}

static void print_action(struct kmod_module *m, bool install, const char *options)
{
	sink += fuzz_touch(kmod_module_get_name(m)) + install + fuzz_touch(options);
}

static void examine(struct kmod_module *mod, const char *moddir)
{
	sink += fuzz_touch(kmod_module_get_name(mod));
	const char *s = kmod_module_get_options(mod);
	if (s)
		sink += fuzz_touch(s);
	if ((s = kmod_module_get_install_commands(mod)))
		sink += fuzz_touch(s);
	struct kmod_list *deps = kmod_module_get_dependencies(mod);
	touch_list(deps);
	kmod_module_unref_list(deps);
	struct kmod_list *pre = NULL, *post = NULL, *weak = NULL;
	if (kmod_module_get_softdeps(mod, &pre, &post) == 0) {
		touch_list(pre);
		touch_list(post);
	}
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	if (kmod_module_get_weakdeps(mod, &weak) == 0)
		touch_list(weak);
	kmod_module_unref_list(weak);

	const char *path = kmod_module_get_path(mod);
	size_t dl = strlen(moddir);
	if (!path || strncmp(path, moddir, dl) != 0 || path[dl] != '/' || strstr(path, "/.."))
		return;
	struct kmod_list *info = NULL, *l;
	if (kmod_module_get_info(mod, &info) > 0)
		kmod_list_foreach(l, info)
			sink += fuzz_touch(kmod_module_info_get_key(l)) +
				fuzz_touch(kmod_module_info_get_value(l));
	kmod_module_info_free_list(info);
	struct kmod_list *vers = NULL;
	if (kmod_module_get_versions(mod, &vers) > 0)
		kmod_list_foreach(l, vers)
			sink += fuzz_touch(kmod_module_version_get_symbol(l));
	kmod_module_versions_free_list(vers);
	/* a dry run touches neither the kernel nor a command */
	kmod_module_probe_insert_module(mod, KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_LOADED, NULL,
					NULL, NULL, print_action);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[P_COUNT];
	fuzz_split(data, size, parts, P_COUNT);
	if (!valid[0].data)
		build_valid();

	char moddir[4096];
	snprintf(moddir, sizeof(moddir), "%s", fuzz_path("mods"));
	int which = parts[P_WHICH].size ? parts[P_WHICH].data[0] % (I_COUNT + 1) : I_COUNT;
	for (int i = 0; i < I_COUNT; i++) {
		if (i != which)
			fuzz_write(index_files[i], valid[i].data, valid[i].size);
		else if (parts[P_INDEX].size)
			fuzz_write(index_files[i], parts[P_INDEX].data, parts[P_INDEX].size);
		else
			unlink(fuzz_path(index_files[i]));
	}
	/* no configuration: neither /etc nor /lib's modprobe.d */
	static const char *const no_config[] = { NULL };
	struct kmod_ctx *ctx = kmod_new(moddir, no_config);
	if (!ctx)
		abort();
	kmod_set_log_fn(ctx, log_fn, NULL);
	kmod_set_log_priority(ctx, 7);
	sink += (size_t)kmod_load_resources(ctx);

	char *text = fuzz_strndup(parts[P_QUERIES].data, parts[P_QUERIES].size);
	char *save = NULL;
	int nq = 0;
	for (char *q = strtok_r(text, "\n", &save); q && nq < MAX_QUERIES;
	     q = strtok_r(NULL, "\n", &save), nq++) {
		struct kmod_list *list = NULL, *l;
		if (kmod_module_new_from_lookup(ctx, q, &list) == 0) {
			int n = 0;
			kmod_list_foreach(l, list)
			{
				if (n++ == MAX_MODULES)
					break;
				struct kmod_module *m = kmod_module_get_module(l);
				examine(m, moddir);
				kmod_module_unref(m);
			}
		}
		kmod_module_unref_list(list);
		struct kmod_module *mod = NULL;
		if (kmod_module_new_from_name_lookup(ctx, q, &mod) == 0 && mod) {
			sink += fuzz_touch(kmod_module_get_name(mod));
			kmod_module_unref(mod);
		}
	}
	free(text);

	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		for (int t = KMOD_INDEX_MODULES_DEP; t <= KMOD_INDEX_MODULES_BUILTIN; t++)
			sink += (size_t)kmod_dump_index(ctx, (enum kmod_index)t, fd);
		close(fd);
	}
	sink += (size_t)kmod_validate_resources(ctx);
	kmod_unref(ctx);
	return 0;
}
