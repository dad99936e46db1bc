// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod's core (kml_depmod_run) on fixture trees: dependency order, output
 * formats, determinism across thread counts, cycles and atomicity. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "elf-writer.h"
#include "depmod-private.h"

#define KVER "1.0.0"

static char root[] = "/tmp/kml-test-depmod-XXXXXX";
static char moddir[512];

struct fixture_module {
	const char *relpath;
	const char *exports[4];
	const char *imports[4];
	const char *modinfo[4];
};

static void write_module(const struct fixture_module *m)
{
	char path[1024], cmd[1200];
	snprintf(path, sizeof(path), "%s/%s", moddir, m->relpath);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname %s)\"", path);
	assert_int_equal(system(cmd), 0);
	struct elfw *w = elfw_new(64, false, 62);
	assert_non_null(w);
	for (size_t i = 0; i < 4 && m->exports[i]; i++)
		assert_int_equal(elfw_add_export(w, m->exports[i], ELFW_EXPORT_CRC, 0x1000 + (uint32_t)i, false), 0);
	for (size_t i = 0; i < 4 && m->imports[i]; i++)
		assert_int_equal(elfw_add_import(w, m->imports[i], false), 0);
	size_t n = 0;
	while (n < 4 && m->modinfo[n])
		n++;
	if (n)
		assert_true(elfw_add_modinfo(w, m->modinfo, n, 0) >= 0);
	elfw_force_symtab(w);
	assert_int_equal(elfw_write_file(w, path), 0);
	elfw_free(w);
}

static void write_text(const char *name, const char *text)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/%s", moddir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_text(const char *dir, const char *name)
{
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *buf = NULL;
	size_t len;
	if (read_file_full(path, 1 << 24, &buf, &len) < 0)
		return NULL;
	return buf;
}

struct log_capture {
	struct strbuf text;
};

static void capture(void *data, int priority, const char *file, int line, const char *fn,
		    const char *message)
{
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	struct log_capture *c = data;
	assert_int_equal(strbuf_append_str(&c->text, message), 0);
	assert_int_equal(strbuf_append(&c->text, "\n", 1), 0);
}

static int run(struct kml_depmod_options *o, struct log_capture *log)
{
	struct kml_ctx *ctx = NULL;
	assert_int_equal(kml_ctx_new(root, KVER, &ctx), 0);
	if (log)
		kml_ctx_set_log(ctx, capture, log, KML_LOG_WARNING);
	static const char *const no_config[] = { "/nonexistent-depmod.d", NULL };
	if (!o->config_paths)
		o->config_paths = no_config;
	o->base_dir = root;
	int r = kml_depmod_run(ctx, o);
	kml_ctx_free(ctx);
	return r;
}

/* a <- b <- c, and d needs both a and c; e exports what f needs too */
static const struct fixture_module tree[] = {
	{ "kernel/a.ko", { "sym_a" }, { "printk" }, { "alias=pci:v0001d*", "softdep=pre: x" } },
	{ "kernel/sub/b.ko", { "sym_b" }, { "sym_a" }, { "alias=char-major-10-200", "alias=devname:bdev" } },
	{ "kernel/sub/c-c.ko", { "sym_c" }, { "sym_b" }, { "weakdep=a" } },
	{ "kernel/d.ko", { NULL }, { "sym_c", "sym_a" }, { NULL } },
	{ "kernel/e.ko", { "dup" }, { NULL }, { NULL } },
	{ "kernel/f.ko", { "dup" }, { NULL }, { NULL } },
	{ "kernel/g.ko", { NULL }, { "dup" }, { NULL } },
};

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;
	snprintf(moddir, sizeof(moddir), "%s/lib/modules/%s", root, KVER);
	for (size_t i = 0; i < ARRAY_SIZE(tree); i++)
		write_module(&tree[i]);
	write_text("modules.order", "kernel/a.ko\nkernel/sub/b.ko\nkernel/sub/c-c.ko\nkernel/d.ko\n"
				    "kernel/e.ko\nkernel/f.ko\n");
	write_text("modules.builtin", "kernel/fs/ext4/ext4.ko\n");
	static const char bmi[] = "ext4.alias=fs-ext4\0ext4.license=GPL\0";
	char path[1024];
	snprintf(path, sizeof(path), "%s/modules.builtin.modinfo", moddir);
	FILE *f = fopen(path, "w");
	fwrite(bmi, 1, sizeof(bmi) - 1, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_outputs(void **state)
{
	(void)state;
	struct kml_depmod_options o = { .jobs = 1 };
	assert_int_equal(run(&o, NULL), 0);
	char *dep = read_text(moddir, "modules.dep");
	assert_string_equal(dep, "kernel/a.ko:\n"
				 "kernel/sub/b.ko: kernel/a.ko\n"
				 "kernel/sub/c-c.ko: kernel/sub/b.ko kernel/a.ko\n"
				 "kernel/d.ko: kernel/sub/c-c.ko kernel/sub/b.ko kernel/a.ko\n"
				 "kernel/e.ko:\n"
				 "kernel/f.ko:\n"
				 "kernel/g.ko: kernel/f.ko\n");
	free(dep);
	char *alias = read_text(moddir, "modules.alias");
	assert_string_equal(alias, "# Aliases extracted from modules themselves.\n"
				   "alias pci:v0001d* a\n"
				   "alias char-major-10-200 b\n"
				   "alias devname:bdev b\n");
	free(alias);
	char *soft = read_text(moddir, "modules.softdep");
	assert_string_equal(soft, "# Soft dependencies extracted from modules themselves.\n"
				  "softdep a pre: x\n");
	free(soft);
	char *weak = read_text(moddir, "modules.weakdep");
	assert_string_equal(weak, "# Weak dependencies extracted from modules themselves.\n"
				  "weakdep c_c a\n");
	free(weak);
	char *devname = read_text(moddir, "modules.devname");
	assert_string_equal(devname, "# Device nodes to trigger on-demand module loading.\n"
				     "b bdev c10:200\n");
	free(devname);
	char *symbols = read_text(moddir, "modules.symbols");
	assert_string_equal(symbols, "# Aliases for symbols, used by symbol_request().\n"
				     "alias symbol:dup f\n"
				     "alias symbol:sym_a a\n"
				     "alias symbol:sym_b b\n"
				     "alias symbol:sym_c c_c\n");
	free(symbols);

	/* the indexes answer like the text files */
	struct kml_ctx *ctx = NULL;
	assert_int_equal(kml_ctx_new(root, KVER, &ctx), 0);
	struct kml_module_list list = { 0 };
	assert_int_equal(kml_lookup(ctx, "c-c", 0, &list), 0);
	assert_int_equal(list.count, 1);
	assert_true(strstr(list.modules[0].path, "/kernel/sub/c-c.ko") != NULL);
	kml_module_list_release(&list);
	assert_int_equal(kml_lookup(ctx, "pci:v0001d0002", 0, &list), 0);
	assert_int_equal(list.count, 1);
	assert_string_equal(list.modules[0].name, "a");
	kml_module_list_release(&list);
	assert_int_equal(kml_lookup(ctx, "symbol:dup", 0, &list), 0);
	assert_int_equal(list.count, 1);
	assert_string_equal(list.modules[0].name, "f");
	kml_module_list_release(&list);
	assert_int_equal(kml_lookup(ctx, "fs-ext4", 0, &list), 0);
	assert_int_equal(list.count, 1);
	assert_true(list.modules[0].builtin);
	kml_module_list_release(&list);
	kml_ctx_free(ctx);
}

static void test_deterministic(void **state)
{
	(void)state;
	static const char *const files[] = { "modules.dep", "modules.alias", "modules.symbols",
					     "modules.dep.bin", "modules.alias.bin",
					     "modules.symbols.bin" };
	struct kml_depmod_options o = { .jobs = 1 };
	assert_int_equal(run(&o, NULL), 0);
	char *first[ARRAY_SIZE(files)];
	size_t sizes[ARRAY_SIZE(files)];
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", moddir, files[i]);
		assert_int_equal(read_file_full(path, 1 << 24, &first[i], &sizes[i]), 0);
	}
	for (unsigned jobs = 2; jobs <= 8; jobs *= 2) {
		o.jobs = jobs;
		assert_int_equal(run(&o, NULL), 0);
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			char path[1024], *buf;
			size_t len;
			snprintf(path, sizeof(path), "%s/%s", moddir, files[i]);
			assert_int_equal(read_file_full(path, 1 << 24, &buf, &len), 0);
			assert_int_equal(len, sizes[i]);
			assert_memory_equal(buf, first[i], len);
			free(buf);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		free(first[i]);
}

static void test_dry_run(void **state)
{
	(void)state;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct kml_depmod_options o = { .dry_run_stream = f };
	assert_int_equal(run(&o, NULL), 0);
	fclose(f);
	assert_true(strncmp(out, "kernel/a.ko:\n", 13) == 0);
	assert_non_null(strstr(out, "# Aliases extracted from modules themselves.\n"));
	assert_non_null(strstr(out, "# Device nodes to trigger on-demand module loading.\n"));
	free(out);
}

static void test_unknown_symbols(void **state)
{
	(void)state;
	char map[1024];
	snprintf(map, sizeof(map), "%s/System.map", root);
	FILE *f = fopen(map, "w");
	fputs("ffffffff81000000 T printk\nffffffff82000000 r __ksymtab_printk\n", f);
	fclose(f);
	struct log_capture log = { 0 };
	struct kml_depmod_options o = { .errsyms = true, .system_map = map };
	assert_int_equal(run(&o, &log), 0);
	assert_null(log.text.data); /* printk is the kernel's: nothing unknown */
	o = (struct kml_depmod_options){ .errsyms = true };
	assert_int_equal(run(&o, &log), 0);
	assert_non_null(log.text.data);
	assert_non_null(strstr(log.text.data, "/kernel/a.ko needs unknown symbol printk\n"));
	free(log.text.data);
}

/* Counts files whose name starts with '.' in the module directory. */
static size_t leftover_temporaries(void)
{
	DIR *d = opendir(moddir);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += de->d_name[0] == '.' && !streq(de->d_name, ".") && !streq(de->d_name, "..");
	closedir(d);
	return n;
}

static void test_cycle_writes_nothing(void **state)
{
	(void)state;
	struct kml_depmod_options o = { 0 };
	assert_int_equal(run(&o, NULL), 0);
	char *old = read_text(moddir, "modules.dep");
	/* x needs y, y needs x */
	static const struct fixture_module cycle[] = {
		{ "kernel/x.ko", { "sym_x" }, { "sym_y" }, { NULL } },
		{ "kernel/y.ko", { "sym_y" }, { "sym_x" }, { NULL } },
	};
	write_module(&cycle[0]);
	write_module(&cycle[1]);
	struct log_capture log = { 0 };
	assert_int_equal(run(&o, &log), -ELOOP);
	assert_non_null(strstr(log.text.data, "Cycle detected: x -> y -> x\n"));
	assert_non_null(strstr(log.text.data, "Found 2 modules in dependency cycles!\n"));
	free(log.text.data);
	char *now = read_text(moddir, "modules.dep");
	assert_string_equal(now, old);
	assert_int_equal(leftover_temporaries(), 0);
	free(old);
	free(now);
	char path[1024];
	snprintf(path, sizeof(path), "%s/kernel/x.ko", moddir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kernel/y.ko", moddir);
	unlink(path);
}

static void test_bad_module_reported(void **state)
{
	(void)state;
	char path[1024];
	snprintf(path, sizeof(path), "%s/kernel/zz-garbage.ko", moddir);
	FILE *f = fopen(path, "w");
	fputs("this is not an ELF file at all", f);
	fclose(f);
	struct log_capture log = { 0 };
	struct kml_depmod_options o = { 0 };
	assert_int_equal(run(&o, &log), 0);
	assert_non_null(strstr(log.text.data, "zz-garbage.ko"));
	free(log.text.data);
	char *dep = read_text(moddir, "modules.dep");
	assert_non_null(strstr(dep, "kernel/zz-garbage.ko:\n")); /* listed, as the reference does */
	assert_non_null(strstr(dep, "kernel/g.ko: kernel/f.ko\n")); /* the others still processed */
	free(dep);
	unlink(path);
}

static void test_output_dir_and_quick(void **state)
{
	(void)state;
	char out[600], outmod[1024];
	snprintf(out, sizeof(out), "%s/out", root);
	snprintf(outmod, sizeof(outmod), "%s/lib/modules/%s", out, KVER);
	struct kml_depmod_options o = { .out_dir = out };
	assert_int_equal(run(&o, NULL), 0);
	char *dep = read_text(outmod, "modules.dep");
	assert_non_null(dep);
	free(dep);
	/* -A: nothing is newer than modules.dep, so it is not rewritten */
	char path[1100];
	snprintf(path, sizeof(path), "%s/modules.dep", outmod);
	struct stat before, after;
	assert_int_equal(stat(path, &before), 0);
	o.quick = true;
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	/* a module newer than modules.dep: a full run, which leaves the file
	 * (its bytes are the same) but refreshes its times */
	char mod[1100];
	snprintf(mod, sizeof(mod), "%s/kernel/a.ko", moddir);
	struct timespec future[2] = { { before.st_mtim.tv_sec + 10, 0 },
				      { before.st_mtim.tv_sec + 10, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, mod, future, 0), 0);
	struct timespec past[2] = { { before.st_mtim.tv_sec - 100, 0 },
				    { before.st_mtim.tv_sec - 100, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, path, past, 0), 0);
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(after.st_mtim.tv_sec >= before.st_mtim.tv_sec);
	/* and a module that changes what it says replaces the file */
	static const struct fixture_module other_a = { "kernel/a.ko", { "sym_a" }, { "printk" },
						       { "alias=pci:v0002d*", "softdep=pre: x" } };
	write_module(&other_a);
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino); /* modules.dep: the same bytes */
	char *text = read_text(outmod, "modules.alias");
	assert_non_null(text);
	assert_non_null(strstr(text, "pci:v0002d*"));
	free(text);
	write_module(&tree[0]);
}

/* Every output in DIR, concatenated (binary: compared with same_outputs()). */
static struct strbuf all_outputs(const char *dir)
{
	static const char *const names[] = { "modules.dep", "modules.dep.bin", "modules.alias",
		"modules.alias.bin", "modules.softdep", "modules.weakdep", "modules.symbols",
		"modules.symbols.bin", "modules.builtin.bin", "modules.builtin.alias.bin",
		"modules.devname" };
	struct strbuf sb = { 0 };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		char *buf = NULL;
		size_t len = 0;
		if (read_file_full(path, 1 << 24, &buf, &len) == 0)
			assert_int_equal(strbuf_append(&sb, buf, len), 0);
		free(buf);
		assert_int_equal(strbuf_append(&sb, "\n--\n", 4), 0);
	}
	return sb;
}

static void same_outputs(const struct strbuf *a, const struct strbuf *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->data, b->data, a->len);
}

static int run_debug(struct kml_depmod_options *o, struct log_capture *log)
{
	struct kml_ctx *ctx = NULL;
	assert_int_equal(kml_ctx_new(root, KVER, &ctx), 0);
	kml_ctx_set_log(ctx, capture, log, KML_LOG_DEBUG);
	static const char *const no_config[] = { "/nonexistent-depmod.d", NULL };
	o->config_paths = no_config;
	o->base_dir = root;
	int r = kml_depmod_run(ctx, o);
	kml_ctx_free(ctx);
	return r;
}

/* The cache: used when the files are unchanged, ignored when damaged, the
 * outputs always those of a run without it; --no-cache writes none. */
static void test_cache(void **state)
{
	(void)state;
	char out[600], outmod[1024], cache[1100], path[1100];
	snprintf(out, sizeof(out), "%s/cache-out", root);
	snprintf(outmod, sizeof(outmod), "%s/lib/modules/%s", out, KVER);
	snprintf(cache, sizeof(cache), "%s/modules.depmod-cache", outmod);
	struct kml_depmod_options o = { .out_dir = out, .no_cache = true };
	assert_int_equal(run(&o, NULL), 0);
	assert_int_not_equal(access(cache, F_OK), 0);
	struct strbuf expected = all_outputs(outmod);

	/* files changed less than DM_CACHE_RACY_SECONDS ago are not recorded */
	sleep(DM_CACHE_RACY_SECONDS + 1);
	o.no_cache = false;
	struct log_capture log = { 0 };
	assert_int_equal(run_debug(&o, &log), 0);
	assert_non_null(strstr(log.text.data, "0 of 7 modules from the cache"));
	assert_int_equal(access(cache, F_OK), 0);
	struct strbuf got = all_outputs(outmod);
	same_outputs(&expected, &got);
	free(got.data);
	free(log.text.data);

	/* unchanged: everything from the cache (a debug run still resolves
	 * and writes, then records the outputs' stamps) */
	log = (struct log_capture){ 0 };
	assert_int_equal(run_debug(&o, &log), 0);
	assert_non_null(strstr(log.text.data, "7 of 7 modules from the cache"));
	got = all_outputs(outmod);
	same_outputs(&expected, &got);
	free(got.data);
	free(log.text.data);
	/* and a quiet run then finds the outputs up to date: nothing written,
	 * neither the cache nor an output */
	char dep[4096];
	snprintf(dep, sizeof(dep), "%s/modules.dep", outmod);
	struct stat before, after, dep_before, dep_after;
	assert_int_equal(stat(cache, &before), 0);
	assert_int_equal(stat(dep, &dep_before), 0);
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(stat(cache, &after), 0);
	assert_int_equal(stat(dep, &dep_after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_true(before.st_ctim.tv_sec == after.st_ctim.tv_sec &&
		    before.st_ctim.tv_nsec == after.st_ctim.tv_nsec);
	assert_int_equal(dep_before.st_ino, dep_after.st_ino);
	assert_true(dep_before.st_ctim.tv_sec == dep_after.st_ctim.tv_sec &&
		    dep_before.st_ctim.tv_nsec == dep_after.st_ctim.tv_nsec);
	got = all_outputs(outmod);
	same_outputs(&expected, &got);
	free(got.data);

	/* damaged: ignored (a note under -v), the outputs the same, a new one */
	FILE *f = fopen(cache, "r+");
	assert_non_null(f);
	assert_int_equal(fseek(f, 40, SEEK_SET), 0);
	fputc('#', f);
	fclose(f);
	log = (struct log_capture){ 0 };
	assert_int_equal(run_debug(&o, &log), 0);
	assert_non_null(strstr(log.text.data, "ignoring"));
	assert_non_null(strstr(log.text.data, "0 of 7 modules from the cache"));
	got = all_outputs(outmod);
	same_outputs(&expected, &got);
	free(got.data);
	free(log.text.data);

	/* a module replaced: parsed again, and the outputs follow */
	static const struct fixture_module changed = { "kernel/e.ko", { "other" }, { NULL },
						       { "alias=new-alias" } };
	write_module(&changed);
	o.no_cache = true;
	char out2[600], outmod2[1024];
	snprintf(out2, sizeof(out2), "%s/cache-ref", root);
	snprintf(outmod2, sizeof(outmod2), "%s/lib/modules/%s", out2, KVER);
	struct kml_depmod_options ref = { .out_dir = out2, .no_cache = true };
	assert_int_equal(run(&ref, NULL), 0);
	o.no_cache = false;
	log = (struct log_capture){ 0 };
	assert_int_equal(run_debug(&o, &log), 0);
	assert_non_null(strstr(log.text.data, "modules from the cache, 1 parsed"));
	free(log.text.data);
	free(expected.data);
	expected = all_outputs(outmod2);
	got = all_outputs(outmod);
	same_outputs(&expected, &got);
	assert_non_null(memmem(got.data, got.len, "alias new-alias e\n", 18));
	free(got.data);
	free(expected.data);

	/* another configuration (-F): ignored */
	snprintf(path, sizeof(path), "%s/System.map", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("ffffffff81000000 T __ksymtab_printk\n", f);
	fclose(f);
	o.system_map = path;
	log = (struct log_capture){ 0 };
	assert_int_equal(run_debug(&o, &log), 0);
	assert_non_null(strstr(log.text.data, "another kernel version, configuration"));
	free(log.text.data);

	write_module(&tree[4]);
}

/*
 * Outputs already up to date are neither rebuilt nor rewritten; anything
 * that could make them differ from a full run's takes the full path: an
 * output edited or removed, a run that printed warnings (printed again).
 * A module touched without a change refreshes the outputs' times only.
 */
static void test_outputs_current(void **state)
{
	(void)state;
	char out[600], outmod[1024], path[1100], dep[1100];
	snprintf(out, sizeof(out), "%s/current-out", root);
	snprintf(outmod, sizeof(outmod), "%s/lib/modules/%s", out, KVER);
	snprintf(dep, sizeof(dep), "%s/modules.dep", outmod);
	struct kml_depmod_options o = { .out_dir = out };
	assert_int_equal(run(&o, NULL), 0);
	struct strbuf expected = all_outputs(outmod);
	struct stat before, after;
	assert_int_equal(stat(dep, &before), 0);
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(stat(dep, &after), 0);
	assert_true(before.st_ino == after.st_ino && before.st_ctim.tv_sec == after.st_ctim.tv_sec &&
		    before.st_ctim.tv_nsec == after.st_ctim.tv_nsec);

	/* an output edited, then one removed: each put back */
	snprintf(path, sizeof(path), "%s/modules.alias", outmod);
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs("alias edited-by-hand x\n", f);
	fclose(f);
	assert_int_equal(run(&o, NULL), 0);
	struct strbuf got = all_outputs(outmod);
	same_outputs(&expected, &got);
	free(got.data);
	snprintf(path, sizeof(path), "%s/modules.symbols.bin", outmod);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(run(&o, NULL), 0);
	got = all_outputs(outmod);
	same_outputs(&expected, &got);
	free(got.data);

	/* a module touched: the same outputs, now newer than it (-A) */
	snprintf(path, sizeof(path), "%s/kernel/a.ko", moddir);
	struct timespec later[2] = { { .tv_nsec = UTIME_OMIT }, { time(NULL) + 1, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, path, later, 0), 0);
	assert_int_equal(run(&o, NULL), 0);
	got = all_outputs(outmod);
	same_outputs(&expected, &got);
	free(got.data);
	assert_int_equal(stat(dep, &after), 0);
	assert_true(after.st_mtim.tv_sec >= later[1].tv_sec - 1);

	/* warnings (-e: an unknown symbol) are printed by every run */
	o.errsyms = true;
	for (int i = 0; i < 3; i++) {
		struct log_capture log = { 0 };
		assert_int_equal(run(&o, &log), 0);
		assert_non_null(log.text.data);
		assert_non_null(strstr(log.text.data, "/kernel/a.ko needs unknown symbol printk\n"));
		free(log.text.data);
	}
	free(expected.data);
}

/* The outputs of a run without the cache into OUT (under ROOT). */
static struct strbuf full_run_outputs(const char *out)
{
	char dir[1024], mod[1100];
	snprintf(dir, sizeof(dir), "%s/%s", root, out);
	snprintf(mod, sizeof(mod), "%s/lib/modules/%s", dir, KVER);
	struct kml_depmod_options ref = { .out_dir = dir, .no_cache = true };
	assert_int_equal(run(&ref, NULL), 0);
	return all_outputs(mod);
}

/*
 * The cache's links: while no module exports anything new, the dependencies
 * of unchanged modules are kept and modules.symbols is left as it is (its
 * index renumbered when the order moved); an export changed resolves
 * everything again. The outputs are those of a full run throughout.
 */
static void test_links(void **state)
{
	(void)state;
	char out[600], outmod[1024], path[1100];
	snprintf(out, sizeof(out), "%s/links-out", root);
	snprintf(outmod, sizeof(outmod), "%s/lib/modules/%s", out, KVER);
	struct kml_depmod_options o = { .out_dir = out };
	sleep(DM_CACHE_RACY_SECONDS + 1); /* (every module file old enough to be recorded) */
	assert_int_equal(run(&o, NULL), 0);

	/* a new module first in the order, needing sym_b: links kept */
	static const struct fixture_module added = { "kernel/h.ko", { NULL }, { "sym_b" },
						     { "alias=h-alias" } };
	write_module(&added);
	write_text("modules.order", "kernel/h.ko\nkernel/a.ko\nkernel/sub/b.ko\nkernel/sub/c-c.ko\n"
				    "kernel/d.ko\nkernel/e.ko\nkernel/f.ko\n");
	char symbols[1200];
	snprintf(symbols, sizeof(symbols), "%s/modules.symbols", outmod);
	struct stat before, after;
	assert_int_equal(stat(symbols, &before), 0);
	struct log_capture log = { 0 };
	assert_int_equal(run_debug(&o, &log), 0);
	assert_non_null(strstr(log.text.data, "dependencies of unchanged modules reused"));
	free(log.text.data);
	struct strbuf expected = full_run_outputs("links-ref1");
	struct strbuf got = all_outputs(outmod);
	same_outputs(&expected, &got);
	assert_non_null(memmem(got.data, got.len, "kernel/h.ko: kernel/sub/b.ko kernel/a.ko\n", 40));
	free(got.data);
	free(expected.data);
	assert_int_equal(stat(symbols, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino); /* kept, not rewritten */

	/* an export changed: everything resolved again */
	static const struct fixture_module changed = { "kernel/e.ko", { "dup", "more" }, { NULL },
						       { NULL } };
	write_module(&changed);
	log = (struct log_capture){ 0 };
	assert_int_equal(run_debug(&o, &log), 0);
	assert_non_null(strstr(log.text.data, "no links to reuse"));
	free(log.text.data);
	expected = full_run_outputs("links-ref2");
	got = all_outputs(outmod);
	same_outputs(&expected, &got);
	assert_non_null(memmem(got.data, got.len, "alias symbol:more e\n", 20));
	free(got.data);
	free(expected.data);

	/* the tree as the other tests expect it */
	snprintf(path, sizeof(path), "%s/kernel/h.ko", moddir);
	assert_int_equal(unlink(path), 0);
	write_module(&tree[4]);
	write_text("modules.order", "kernel/a.ko\nkernel/sub/b.ko\nkernel/sub/c-c.ko\nkernel/d.ko\n"
				    "kernel/e.ko\nkernel/f.ko\n");
}

static ino_t inode_of(const char *dir, const char *name)
{
	char path[2048];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &sb) == 0 ? sb.st_ino : 0;
}

/* A module file's status change time moved to now: its record is dropped
 * (too recent to be kept), so the next run writes a new cache. */
static void touch_module(const char *relpath)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/%s", moddir, relpath);
	assert_int_equal(utimensat(AT_FDCWD, path, NULL, 0), 0);
}

static int lock_file(const char *dir, const char *name, int how)
{
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, how | LOCK_NB), 0);
	return fd;
}

/*
 * The old cache is kept as the spare and the next new cache is written over
 * it, the two names swapped; a spare that a run still reads (its shared
 * lock), or that is not ours alone, is left alone; a cache being put in
 * place (its exclusive lock) is ignored. The outputs are a full run's
 * throughout.
 */
static void test_spare(void **state)
{
	(void)state;
	char out[600], outmod[1024];
	snprintf(out, sizeof(out), "%s/spare-out", root);
	snprintf(outmod, sizeof(outmod), "%s/lib/modules/%s", out, KVER);
	struct kml_depmod_options o = { .out_dir = out };
	const char *cache = DM_CACHE_NAME, *spare = DM_CACHE_SPARE_NAME;
	assert_int_equal(run(&o, NULL), 0);
	ino_t first = inode_of(outmod, cache);
	assert_true(first != 0);
	assert_int_equal(inode_of(outmod, spare), 0);

	/* a new cache: the old one becomes the spare */
	touch_module("kernel/a.ko");
	assert_int_equal(run(&o, NULL), 0);
	ino_t second = inode_of(outmod, cache);
	assert_true(second != 0 && second != first);
	assert_int_equal(inode_of(outmod, spare), first);

	/* the next one is written over the spare */
	touch_module("kernel/sub/b.ko");
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(inode_of(outmod, cache), first);
	assert_int_equal(inode_of(outmod, spare), second);

	/* a spare still read by a run: a new file instead, the spare unchanged */
	char *spare_bytes = read_text(outmod, spare);
	assert_non_null(spare_bytes);
	int fd = lock_file(outmod, spare, LOCK_SH);
	touch_module("kernel/d.ko");
	assert_int_equal(run(&o, NULL), 0);
	ino_t third = inode_of(outmod, cache);
	assert_true(third != first && third != second);
	assert_int_equal(inode_of(outmod, spare), second);
	char *now = read_text(outmod, spare);
	assert_non_null(now);
	assert_string_equal(now, spare_bytes);
	free(now);
	free(spare_bytes);
	close(fd);

	/* a spare with another link is not ours alone: left as it is */
	char spare_path[1100], other[1100];
	snprintf(spare_path, sizeof(spare_path), "%s/%s", outmod, spare);
	snprintf(other, sizeof(other), "%s/spare-link", root);
	assert_int_equal(link(spare_path, other), 0);
	touch_module("kernel/e.ko");
	assert_int_equal(run(&o, NULL), 0);
	ino_t fourth = inode_of(outmod, cache);
	assert_true(fourth != second && fourth != third);
	assert_int_equal(inode_of(outmod, spare), second);
	assert_int_equal(unlink(other), 0);

	/* a cache being put in place is not read: a note under -v */
	fd = lock_file(outmod, cache, LOCK_EX);
	touch_module("kernel/f.ko");
	struct log_capture log = { 0 };
	assert_int_equal(run_debug(&o, &log), 0);
	assert_non_null(strstr(log.text.data, "being written by another run"));
	assert_non_null(strstr(log.text.data, "0 of 7 modules from the cache"));
	free(log.text.data);
	close(fd);

	struct strbuf expected = full_run_outputs("spare-ref");
	struct strbuf got = all_outputs(outmod);
	same_outputs(&expected, &got);
	free(got.data);
	free(expected.data);
}

/* A file's type and size (lstat), 0 when absent. */
static mode_t type_of(const char *dir, const char *name, off_t *size)
{
	char path[2048];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (lstat(path, &sb) < 0)
		return 0;
	if (size)
		*size = sb.st_size;
	return sb.st_mode & S_IFMT;
}

/*
 * Spares of other kinds: one bigger than the new cache is cut to its size
 * (else the next run would find a damaged cache); a symbolic link (its
 * target untouched), a FIFO (the run does not wait on it) and one of
 * another mode are left alone, a new file written instead.
 */
static void test_spare_kinds(void **state)
{
	(void)state;
	char out[600], outmod[1024], spare_path[1100], target[1100];
	snprintf(out, sizeof(out), "%s/spare2-out", root);
	snprintf(outmod, sizeof(outmod), "%s/lib/modules/%s", out, KVER);
	snprintf(spare_path, sizeof(spare_path), "%s/%s", outmod, DM_CACHE_SPARE_NAME);
	snprintf(target, sizeof(target), "%s/spare2-target", root);
	struct kml_depmod_options o = { .out_dir = out };
	const char *cache = DM_CACHE_NAME, *spare = DM_CACHE_SPARE_NAME;
	assert_int_equal(run(&o, NULL), 0);
	touch_module("kernel/a.ko");
	assert_int_equal(run(&o, NULL), 0);
	ino_t first = inode_of(outmod, spare);
	assert_true(first != 0);

	/* bigger than what is written over it */
	int fd = open(spare_path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	static char junk[65536];
	memset(junk, 'x', sizeof(junk));
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	off_t bloated = 0, size = 0;
	assert_int_equal(type_of(outmod, spare, &bloated), S_IFREG);
	touch_module("kernel/sub/b.ko");
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(inode_of(outmod, cache), first);
	assert_int_equal(type_of(outmod, cache, &size), S_IFREG);
	assert_true(size + (off_t)sizeof(junk) <= bloated);
	struct log_capture log = { 0 };
	assert_int_equal(run_debug(&o, &log), 0);
	assert_null(strstr(log.text.data, "ignoring"));
	assert_non_null(strstr(log.text.data, " modules from the cache"));
	free(log.text.data);

	/* a symbolic link to a file of ours */
	ino_t second = inode_of(outmod, spare);
	assert_int_equal(rename(spare_path, target), 0);
	assert_int_equal(symlink(target, spare_path), 0);
	char *target_bytes = read_text(root, "spare2-target");
	assert_non_null(target_bytes);
	touch_module("kernel/sub/c-c.ko");
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(type_of(outmod, spare, NULL), S_IFLNK);
	assert_int_equal(inode_of(root, "spare2-target"), second);
	char *now = read_text(root, "spare2-target");
	assert_non_null(now);
	assert_string_equal(now, target_bytes);
	free(now);
	free(target_bytes);
	assert_int_equal(unlink(target), 0);
	ino_t third = inode_of(outmod, cache);
	assert_true(third != first && third != second);

	/* a FIFO */
	assert_int_equal(unlink(spare_path), 0);
	assert_int_equal(mkfifo(spare_path, 0644), 0);
	touch_module("kernel/d.ko");
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(type_of(outmod, spare, NULL), S_IFIFO);
	assert_true(inode_of(outmod, cache) != third);

	/* another mode: a spare again (none in the way), then made 0600 */
	assert_int_equal(unlink(spare_path), 0);
	touch_module("kernel/e.ko");
	assert_int_equal(run(&o, NULL), 0);
	ino_t fourth = inode_of(outmod, spare);
	assert_true(fourth != 0);
	assert_int_equal(chmod(spare_path, 0600), 0);
	touch_module("kernel/f.ko");
	assert_int_equal(run(&o, NULL), 0);
	assert_int_equal(inode_of(outmod, spare), fourth);
	assert_true(inode_of(outmod, cache) != fourth);

	struct strbuf expected = full_run_outputs("spare2-ref");
	struct strbuf got = all_outputs(outmod);
	same_outputs(&expected, &got);
	free(got.data);
	free(expected.data);
}

static void test_missing_tree(void **state)
{
	(void)state;
	struct kml_ctx *ctx = NULL;
	assert_int_equal(kml_ctx_new("/nonexistent-root", KVER, &ctx), 0);
	static const char *const no_config[] = { "/nonexistent-depmod.d", NULL };
	struct kml_depmod_options o = { .base_dir = "/nonexistent-root", .config_paths = no_config };
	assert_true(kml_depmod_run(ctx, &o) < 0);
	kml_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_unknown_symbols),
		cmocka_unit_test(test_cycle_writes_nothing),
		cmocka_unit_test(test_bad_module_reported),
		cmocka_unit_test(test_output_dir_and_quick),
		cmocka_unit_test(test_missing_tree),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_outputs_current),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_spare),
		cmocka_unit_test(test_spare_kinds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
