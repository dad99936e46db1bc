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
	struct elfw *w = elfw_new(64, false, 62);
	static const char *const info[] = { "license=GPL", "name=foo" };
	assert_true(elfw_add_modinfo(w, info, 2, 0) >= 0);
	assert_true(elfw_add_this_module(w, "foo") >= 0);
	snprintf(p, sizeof(p), "%s/foo.ko", moddir);
	assert_int_equal(elfw_write_file(w, p), 0);
	elfw_free(w);
	static const struct idxw_entry dep[] = { { "foo", "foo.ko:", 0 } };
	snprintf(p, sizeof(p), "%s/modules.dep.bin", moddir);
	assert_int_equal(idxw_write_file(p, dep, 1, false), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_remove),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
