// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod.so.2 against the fake kernel (testsuite/fake-kernel): insertion,
 * removal, and what the kernel then says about the module (loaded list,
 * init state, reference count, size, holders).
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "elf-writer.h"
#include "index-writer.h"
#include "libkmod.h"

static char root[64], moddir[128];

static int remove_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void make_dir(const char *sub)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", root, sub);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void write_module(const char *name)
{
	char p[256], entry[64];
	struct elfw *w = elfw_new(64, false, 62);
	snprintf(entry, sizeof(entry), "name=%s", name);
	const char *info[] = { "license=GPL", entry };
	assert_true(elfw_add_modinfo(w, info, 2, 0) >= 0);
	assert_true(elfw_add_this_module(w, name) >= 0);
	snprintf(p, sizeof(p), "%s/%s.ko", moddir, name);
	assert_int_equal(elfw_write_file(w, p), 0);
	elfw_free(w);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/test-libkmod-kernel-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	make_dir("proc");
	make_dir("sys");
	make_dir("sys/module");
	make_dir("tree");
	snprintf(moddir, sizeof(moddir), "%s/tree", root);
	char p[256];
	snprintf(p, sizeof(p), "%s/proc/modules", root);
	FILE *f = fopen(p, "we");
	assert_non_null(f);
	fclose(f);
	static const char *const names[] = { "foo", "top", "dep1", "dep2", "pre", "post", "bl" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		write_module(names[i]);
	static const struct idxw_entry dep[] = {
		{ "foo", "foo.ko:", 0 },
		{ "top", "top.ko: dep1.ko dep2.ko", 0 },
		{ "dep1", "dep1.ko: dep2.ko", 0 },
		{ "dep2", "dep2.ko:", 0 },
		{ "pre", "pre.ko:", 0 },
		{ "post", "post.ko:", 0 },
		{ "bl", "bl.ko:", 0 },
	};
	snprintf(p, sizeof(p), "%s/modules.dep.bin", moddir);
	assert_int_equal(idxw_write_file(p, dep, 7, false), 0);
	static const struct idxw_entry alias[] = { { "bl_alias", "bl", 0 } };
	snprintf(p, sizeof(p), "%s/modules.alias.bin", moddir);
	assert_int_equal(idxw_write_file(p, alias, 1, false), 0);
	make_dir("conf");
	snprintf(p, sizeof(p), "%s/conf/a.conf", root);
	f = fopen(p, "we");
	assert_non_null(f);
	fputs("softdep top pre: pre post: post\n"
	      "options top t=1\n"
	      "options dep2 d=2\n"
	      "install inst echo installing $CMDLINE_OPTS\n"
	      "options inst i=1\n"
	      "blacklist bl\n"
	      "blacklist dep1\n",
	      f);
	fclose(f);
	setenv("FAKE_KERNEL_ROOT", root, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(root, remove_fn, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* The last line of the fake kernel's system call log. */
static void last_syscall(char *buf, size_t size)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/syscalls.log", root);
	FILE *f = fopen(p, "re");
	assert_non_null(f);
	buf[0] = '\0';
	char line[512];
	while (fgets(line, sizeof(line), f))
		snprintf(buf, size, "%s", line);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void test_insert_remove(void **state)
{
	(void)state;
	const char *paths[] = { "/nonexistent", NULL };
	struct kmod_ctx *ctx = kmod_new(moddir, paths);
	assert_non_null(ctx);
	struct kmod_module *m = NULL;
	char call[512];
	assert_int_equal(kmod_module_new_from_name(ctx, "foo", &m), 0);
	assert_int_equal(kmod_module_get_initstate(m), -ENOENT);

	assert_int_equal(kmod_module_insert_module(m, 0, "p=1 q"), 0);
	last_syscall(call, sizeof(call));
	assert_string_equal(call, "finit_module foo \"p=1 q\" 0");
	assert_int_equal(kmod_module_get_initstate(m), KMOD_MODULE_LIVE);
	assert_int_equal(kmod_module_get_refcnt(m), 0);
	assert_null(kmod_module_get_holders(m));
	assert_true(kmod_module_get_size(m) > 0);
	assert_int_equal(kmod_module_insert_module(m, 0, NULL), -EEXIST);

	struct kmod_list *loaded = NULL;
	assert_int_equal(kmod_module_new_from_loaded(ctx, &loaded), 0);
	assert_non_null(loaded);
	struct kmod_module *lm = kmod_module_get_module(loaded);
	assert_ptr_equal(lm, m); /* the same object: one per name */
	kmod_module_unref(lm);
	assert_null(kmod_list_next(loaded, loaded));
	kmod_module_unref_list(loaded);

	assert_int_equal(kmod_module_remove_module(m, 0), 0);
	last_syscall(call, sizeof(call));
	assert_string_equal(call, "delete_module foo O_NONBLOCK");
	assert_int_equal(kmod_module_get_initstate(m), -ENOENT);
	assert_int_equal(kmod_module_remove_module(m, KMOD_REMOVE_FORCE | KMOD_REMOVE_NOLOG),
			 -ENOENT);
	last_syscall(call, sizeof(call));
	assert_string_equal(call, "delete_module foo O_NONBLOCK|O_TRUNC = ENOENT");

	assert_int_equal(kmod_module_insert_module(m, KMOD_INSERT_FORCE_MODVERSION, NULL), 0);
	last_syscall(call, sizeof(call));
	assert_string_equal(call, "finit_module foo \"\" 1");
	kmod_module_unref(m);

	/* no file: nothing to insert */
	assert_int_equal(kmod_module_new_from_name(ctx, "nofile", &m), 0);
	assert_int_equal(kmod_module_insert_module(m, 0, NULL), -ENOENT);
	kmod_module_unref(m);
	kmod_unref(ctx);
}

static char actions[1024];

static void print_action(struct kmod_module *m, bool install, const char *options)
{
	size_t n = strlen(actions);
	snprintf(actions + n, sizeof(actions) - n, "%s%s%s[%s]", n ? " " : "",
		 install ? "install:" : "", kmod_module_get_name(m), options);
}

static char installed[256];

static int run_install(struct kmod_module *m, const char *cmdline, void *data)
{
	snprintf(installed, sizeof(installed), "%s|%s|%s", kmod_module_get_name(m), cmdline,
		 (const char *)data);
	return 0;
}

static void unload(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *m = NULL;
	assert_int_equal(kmod_module_new_from_name(ctx, name, &m), 0);
	(void)kmod_module_remove_module(m, KMOD_REMOVE_FORCE | KMOD_REMOVE_NOLOG);
	kmod_module_unref(m);
}

static void test_probe(void **state)
{
	(void)state;
	char conf[256];
	snprintf(conf, sizeof(conf), "%s/conf", root);
	const char *paths[] = { conf, NULL };
	struct kmod_ctx *ctx = kmod_new(moddir, paths);
	assert_non_null(ctx);
	struct kmod_module *top = NULL;
	assert_int_equal(kmod_module_new_from_name(ctx, "top", &top), 0);

	/* dry run: the plan, in libkmod's order, nothing inserted; configured
	 * options end with a space, as libkmod joins them */
	actions[0] = '\0';
	assert_int_equal(kmod_module_probe_insert_module(top, KMOD_PROBE_DRY_RUN, "x=9", NULL,
							 NULL, print_action),
			 0);
	assert_string_equal(actions, "dep2[d=2 ] dep1[] pre[] top[t=1 x=9] post[]");
	assert_int_equal(kmod_module_get_initstate(top), -ENOENT);

	/* the blacklist: dep1 is blacklisted; with _ALL it is left out */
	actions[0] = '\0';
	assert_int_equal(kmod_module_probe_insert_module(top, KMOD_PROBE_APPLY_BLACKLIST_ALL, NULL,
							 NULL, NULL, print_action),
			 0);
	assert_string_equal(actions, "dep2[d=2 ] pre[] top[t=1 ] post[]");
	assert_int_equal(kmod_module_get_initstate(top), KMOD_MODULE_LIVE);
	/* loaded: nothing to do, or -EEXIST when asked */
	assert_int_equal(kmod_module_probe_insert_module(top, 0, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(
		kmod_module_probe_insert_module(top, KMOD_PROBE_FAIL_ON_LOADED, NULL, NULL, NULL, NULL),
		-EEXIST);
	/* already loaded modules are skipped without a word */
	unload(ctx, "top");
	actions[0] = '\0';
	assert_int_equal(kmod_module_probe_insert_module(top, 0, NULL, NULL, NULL, print_action), 0);
	assert_string_equal(actions, "dep1[] top[t=1 ]");
	/* ignoring commands: no softdeps */
	unload(ctx, "top");
	actions[0] = '\0';
	assert_int_equal(kmod_module_probe_insert_module(top, KMOD_PROBE_IGNORE_COMMAND |
								      KMOD_PROBE_DRY_RUN,
							 NULL, NULL, NULL, print_action),
			 0);
	assert_string_equal(actions, "top[t=1 ]");
	kmod_module_unref(top);

	/* a blacklisted module: the flag that stopped it */
	struct kmod_module *bl = NULL;
	assert_int_equal(kmod_module_new_from_name(ctx, "bl", &bl), 0);
	assert_int_equal(kmod_module_probe_insert_module(bl, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL,
							 NULL, NULL),
			 KMOD_PROBE_APPLY_BLACKLIST);
	/* alias-only: only for a module found through an alias */
	assert_int_equal(kmod_module_probe_insert_module(bl, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY |
								     KMOD_PROBE_DRY_RUN,
							 NULL, NULL, NULL, NULL),
			 0);
	kmod_module_unref(bl);
	struct kmod_list *list = NULL;
	assert_int_equal(kmod_module_new_from_lookup(ctx, "bl-alias", &list), 0);
	bl = kmod_module_get_module(list);
	assert_int_equal(kmod_module_probe_insert_module(bl, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY,
							 NULL, NULL, NULL, NULL),
			 KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY);
	kmod_module_unref(bl);
	kmod_module_unref_list(list);

	/* install commands: through the caller's run_install, options in */
	struct kmod_module *inst = NULL;
	assert_int_equal(kmod_module_new_from_name(ctx, "inst", &inst), 0);
	actions[0] = '\0';
	assert_int_equal(kmod_module_probe_insert_module(inst, 0, "e=5", run_install, "data", print_action), 0);
	assert_string_equal(actions, "install:inst[i=1 e=5]");
	assert_string_equal(installed, "inst|echo installing i=1 e=5|data");
	kmod_module_unref(inst);
	kmod_unref(ctx);
}

/* What the library logged through kmod_set_log_fn, one message per line. */
static char logged[2048];

__attribute__((format(printf, 6, 0))) static void
capture_log(void *data, int priority, const char *file, int line, const char *fn,
	    const char *format, va_list args)
{
	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	size_t len = strlen(logged);
	vsnprintf(logged + len, sizeof(logged) - len, format, args);
}

/* `forbid` (ours): the probe refuses the module, one that needs it, and one
 * whose install command would run; naming the file and line. */
static void test_forbid(void **state)
{
	(void)state;
	char conf[256], p[300];
	snprintf(conf, sizeof(conf), "%s/conf-forbid", root);
	make_dir("conf-forbid");
	snprintf(p, sizeof(p), "%s/f.conf", conf);
	FILE *f = fopen(p, "we");
	assert_non_null(f);
	fputs("forbid dep2\n"
	      "install pre echo never\n"
	      "# the install command does not get around it\n"
	      "forbid pre\n",
	      f);
	fclose(f);
	const char *paths[] = { conf, NULL };
	struct kmod_ctx *ctx = kmod_new(moddir, paths);
	assert_non_null(ctx);
	kmod_set_log_fn(ctx, capture_log, NULL);
	char want[512];

	struct kmod_module *m = NULL;
	assert_int_equal(kmod_module_new_from_name(ctx, "dep2", &m), 0);
	logged[0] = '\0';
	assert_int_equal(kmod_module_probe_insert_module(m, 0, NULL, NULL, NULL, NULL), -EPERM);
	/* refused even though test_probe left it loaded */
	snprintf(want, sizeof(want), "dep2 is forbidden by %s:1\n", p);
	assert_string_equal(logged, want);
	kmod_module_unref(m);

	/* a module that needs it: refused, nothing of its plan run, dry or not */
	assert_int_equal(kmod_module_new_from_name(ctx, "top", &m), 0);
	for (int dry = 0; dry < 2; dry++) {
		logged[0] = '\0';
		actions[0] = '\0';
		assert_int_equal(kmod_module_probe_insert_module(m, dry ? KMOD_PROBE_DRY_RUN : 0, NULL,
								 NULL, NULL, print_action),
				 -EPERM);
		snprintf(want, sizeof(want), "dep2 is forbidden by %s:1: refusing top, which needs it\n",
			 p);
		assert_string_equal(logged, want);
		assert_string_equal(actions, "");
	}
	assert_int_equal(kmod_module_get_initstate(m), -ENOENT);
	kmod_module_unref(m);

	/* its install command is not run */
	assert_int_equal(kmod_module_new_from_name(ctx, "pre", &m), 0);
	installed[0] = '\0';
	logged[0] = '\0';
	assert_int_equal(kmod_module_probe_insert_module(m, 0, NULL, run_install, "data", NULL),
			 -EPERM);
	snprintf(want, sizeof(want), "pre is forbidden by %s:4\n", p);
	assert_string_equal(logged, want);
	assert_string_equal(installed, "");
	kmod_module_unref(m);

	/* others load; plain insertion (no configuration) is not a probe */
	assert_int_equal(kmod_module_new_from_name(ctx, "post", &m), 0);
	assert_int_equal(kmod_module_probe_insert_module(m, 0, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(kmod_module_get_initstate(m), KMOD_MODULE_LIVE);
	kmod_module_unref(m);
	unload(ctx, "post");
	kmod_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_remove),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_forbid),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
