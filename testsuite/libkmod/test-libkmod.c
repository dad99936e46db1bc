// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod.so.2 through its public interface only: contexts, lookups,
 * configuration iterators, module objects, info and symbols, on a small
 * module directory written by the fixtures; and, when KMODLITE_TEST_ROOT
 * and KMODLITE_TEST_KVER are set, on that (Debian) tree. The expected
 * answers are those libkmod 34.2 gives on the same files.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "elf-writer.h"
#include "index-writer.h"
#include "libkmod.h"

struct tree {
	char root[64];
	char dir[PATH_MAX];  /* the module directory */
	char conf[PATH_MAX]; /* a modprobe.d directory */
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *join(const char *dir, const char *name)
{
	char *p;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* a.ko: modinfo, __versions, an import and a weak import, two exports. */
static void write_module_a(const char *path)
{
	struct elfw *w = elfw_new(64, false, 62);
	assert_non_null(w);
	static const char *const info[] = { "license=GPL", "alias=pci:v00001234d*", "depends=b,c",
					    "name=a", "vermagic=1.0 SMP" };
	assert_true(elfw_add_modinfo(w, info, 5, 0) >= 0);
	static const struct elfw_version v[] = { { 0x1111, "module_layout" },
						 { 0x2222, "b_func" },
						 { 0x3333, "c_func" } };
	assert_true(elfw_add_versions(w, v, 3) >= 0);
	assert_true(elfw_add_import(w, "b_func", false) >= 0);
	assert_true(elfw_add_import(w, "c_func", true) >= 0);
	assert_true(elfw_add_export(w, "a_one", ELFW_EXPORT_CRC, 0xaaaa, false) >= 0);
	assert_true(elfw_add_export(w, "a_two", ELFW_EXPORT_CRC, 0xbbbb, true) >= 0);
	assert_true(elfw_add_this_module(w, "a") >= 0);
	assert_int_equal(elfw_write_file(w, path), 0);
	elfw_free(w);
}

static void write_plain_module(const char *path, const char *name)
{
	struct elfw *w = elfw_new(64, false, 62);
	assert_non_null(w);
	char entry[64];
	snprintf(entry, sizeof(entry), "name=%s", name);
	const char *info[] = { "license=GPL", entry };
	assert_true(elfw_add_modinfo(w, info, 2, 0) >= 0);
	assert_true(elfw_add_this_module(w, name) >= 0);
	assert_int_equal(elfw_write_file(w, path), 0);
	elfw_free(w);
}

static void tree_make(struct tree *t)
{
	strcpy(t->root, "/tmp/test-libkmod-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	snprintf(t->dir, sizeof(t->dir), "%s/modules", t->root);
	snprintf(t->conf, sizeof(t->conf), "%s/modprobe.d", t->root);
	assert_int_equal(mkdir(t->dir, 0755), 0);
	assert_int_equal(mkdir(t->conf, 0755), 0);
	char *kdir = join(t->dir, "kernel");
	assert_int_equal(mkdir(kdir, 0755), 0);
	free(kdir);

	char *p = join(t->dir, "kernel/a.ko");
	write_module_a(p);
	free(p);
	p = join(t->dir, "kernel/b-mod.ko");
	write_plain_module(p, "b_mod");
	free(p);
	p = join(t->dir, "kernel/c.ko");
	write_plain_module(p, "c");
	free(p);

	static const struct idxw_entry dep[] = {
		{ "a", "kernel/a.ko: kernel/b-mod.ko kernel/c.ko", 0 },
		{ "b_mod", "kernel/b-mod.ko:", 0 },
		{ "c", "kernel/c.ko:", 0 },
	};
	static const struct idxw_entry alias[] = { { "pci:v00001234d*", "a", 0 } };
	static const struct idxw_entry symbols[] = { { "symbol:a_one", "a", 0 } };
	static const struct idxw_entry builtin[] = { { "bi", "", 0 } };
	static const struct idxw_entry builtin_alias[] = { { "fs_bi", "bi", 0 } } /* keys normalised, as depmod writes them */;
	const struct {
		const char *name;
		const struct idxw_entry *e;
		size_t n;
	} idx[] = {
		{ "modules.dep.bin", dep, 3 },
		{ "modules.alias.bin", alias, 1 },
		{ "modules.symbols.bin", symbols, 1 },
		{ "modules.builtin.bin", builtin, 1 },
		{ "modules.builtin.alias.bin", builtin_alias, 1 },
	};
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		p = join(t->dir, idx[i].name);
		assert_int_equal(idxw_write_file(p, idx[i].e, idx[i].n, false), 0);
		free(p);
	}
	p = join(t->dir, "modules.builtin.modinfo");
	FILE *f = fopen(p, "we");
	assert_non_null(f);
	static const char bmi[] = "bi.license=GPL\0bi.alias=fs-bi\0bi.file=fs/bi\0";
	assert_int_equal(fwrite(bmi, 1, sizeof(bmi) - 1, f), sizeof(bmi) - 1);
	assert_int_equal(fclose(f), 0);
	free(p);

	p = join(t->conf, "a.conf");
	write_text(p, "alias myalias a\n"
		      "options a x=1\n"
		      "options a y=2\n"
		      "blacklist c\n"
		      "install d /bin/true\n"
		      "remove d /bin/false\n"
		      "softdep a pre: b-mod post: c\n"
		      "softdep c pre: b_mod\n"
		      "weakdep a c b_mod\n");
	free(p);
}

static int remove_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tree_free(struct tree *t)
{
	nftw(t->root, remove_fn, 16, FTW_DEPTH | FTW_PHYS);
}

static struct kmod_ctx *ctx_new(const struct tree *t)
{
	const char *paths[] = { t->conf, NULL };
	struct kmod_ctx *ctx = kmod_new(t->dir, paths);
	assert_non_null(ctx);
	return ctx;
}

static int group_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	tree_make(t);
	*state = t;
	return 0;
}

static int group_teardown(void **state)
{
	tree_free(*state);
	free(*state);
	return 0;
}

/* The names of a module list, joined by spaces. */
static void list_names(const struct kmod_list *list, char *buf, size_t size)
{
	const struct kmod_list *e;
	buf[0] = '\0';
	kmod_list_foreach(e, list) {
		struct kmod_module *m = kmod_module_get_module(e);
		if (buf[0])
			strncat(buf, " ", size - strlen(buf) - 1);
		strncat(buf, kmod_module_get_name(m), size - strlen(buf) - 1);
		kmod_module_unref(m);
	}
}

static void test_context(void **state)
{
	struct tree *t = *state;
	struct kmod_ctx *ctx = ctx_new(t);
	assert_string_equal(kmod_get_dirname(ctx), t->dir);
	assert_int_equal(kmod_get_log_priority(ctx), 3);
	kmod_set_log_priority(ctx, 7);
	assert_int_equal(kmod_get_log_priority(ctx), 7);
	int data;
	kmod_set_userdata(ctx, &data);
	assert_ptr_equal(kmod_get_userdata(ctx), &data);
	assert_ptr_equal(kmod_ref(ctx), ctx);
	assert_ptr_equal(kmod_unref(ctx), ctx);
	assert_null(kmod_unref(ctx));
	assert_null(kmod_unref(NULL));

	/* relative: made absolute against the current directory */
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(t->root), 0);
	ctx = kmod_new("modules", NULL);
	assert_non_null(ctx);
	assert_string_equal(kmod_get_dirname(ctx), t->dir);
	kmod_unref(ctx);
	assert_int_equal(chdir(cwd), 0);

	/* NULL: /lib/modules/RELEASE */
	ctx = kmod_new(NULL, NULL);
	assert_non_null(ctx);
	assert_int_equal(strncmp(kmod_get_dirname(ctx), "/lib/modules/", 13), 0);
	kmod_unref(ctx);

	setenv("KMOD_LOG", "debug", 1);
	ctx = ctx_new(t);
	assert_int_equal(kmod_get_log_priority(ctx), 7);
	kmod_unref(ctx);
	setenv("KMOD_LOG", "6", 1);
	ctx = ctx_new(t);
	assert_int_equal(kmod_get_log_priority(ctx), 6);
	kmod_unref(ctx);
	setenv("KMOD_LOG", "junk", 1); /* neither a number nor a name: 0 */
	ctx = ctx_new(t);
	assert_int_equal(kmod_get_log_priority(ctx), 0);
	kmod_unref(ctx);
	unsetenv("KMOD_LOG");
}

static void touch_later(const char *path)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_NOW }, { .tv_sec = time(NULL) + 100 } };
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void test_resources(void **state)
{
	struct tree *t = *state;
	struct kmod_ctx *ctx = ctx_new(t);
	assert_int_equal(kmod_load_resources(ctx), 0);
	assert_int_equal(kmod_validate_resources(ctx), KMOD_RESOURCES_OK);
	char *p = join(t->dir, "modules.alias.bin");
	touch_later(p);
	free(p);
	assert_int_equal(kmod_validate_resources(ctx), KMOD_RESOURCES_MUST_RELOAD);
	kmod_unload_resources(ctx);
	assert_int_equal(kmod_load_resources(ctx), 0);
	assert_int_equal(kmod_validate_resources(ctx), KMOD_RESOURCES_OK);
	/* as with libkmod, a file of a directory rewritten in place goes
	 * unnoticed; the directory changing (a file added) does not */
	p = join(t->conf, "a.conf");
	touch_later(p);
	free(p);
	assert_int_equal(kmod_validate_resources(ctx), KMOD_RESOURCES_OK);
	p = join(t->conf, "zz-new.conf");
	write_text(p, "# new\n");
	touch_later(t->conf);
	assert_int_equal(kmod_validate_resources(ctx), KMOD_RESOURCES_MUST_RECREATE);
	assert_int_equal(unlink(p), 0);
	free(p);
	kmod_unref(ctx);

	/* a directory without indexes */
	ctx = kmod_new(t->conf, NULL);
	assert_non_null(ctx);
	assert_int_equal(kmod_load_resources(ctx), -ENOENT);
	kmod_unref(ctx);
	assert_int_equal(kmod_validate_resources(NULL), KMOD_RESOURCES_MUST_RECREATE);
}

/* Corrupt indexes: load_resources says invalid, lookups find nothing. */
static void test_corrupt_index(void **state)
{
	struct tree *t = *state;
	char *dir = join(t->root, "corrupt");
	assert_int_equal(mkdir(dir, 0755), 0);
	char *p = join(dir, "modules.dep.bin");
	write_text(p, "this is no index at all");
	free(p);
	p = join(dir, "modules.alias.bin");
	/* the right magic and version, a root beyond the end */
	FILE *f = fopen(p, "we");
	assert_non_null(f);
	static const unsigned char head[] = { 0xb0, 0x07, 0xf4, 0x57, 0, 2, 0, 1, 0, 0, 0x10, 0 };
	assert_int_equal(fwrite(head, 1, sizeof(head), f), sizeof(head));
	assert_int_equal(fclose(f), 0);
	free(p);
	const char *paths[] = { t->conf, NULL };
	struct kmod_ctx *ctx = kmod_new(dir, paths);
	assert_non_null(ctx);
	kmod_set_log_priority(ctx, 0);
	assert_int_equal(kmod_load_resources(ctx), -EINVAL);
	struct kmod_list *list = NULL;
	assert_int_equal(kmod_module_new_from_lookup(ctx, "pci:v00001234d00000001", &list), 0);
	assert_null(list);
	struct kmod_module *m = NULL;
	assert_int_equal(kmod_module_new_from_name_lookup(ctx, "a", &m), 0);
	assert_null(m);
	assert_int_equal(kmod_module_new_from_name(ctx, "a", &m), 0);
	assert_null(kmod_module_get_path(m));
	assert_int_equal(kmod_module_get_info(m, &list), -ENOENT);
	kmod_module_unref(m);
	kmod_unref(ctx);
	free(dir);
}

static void test_dump_index(void **state)
{
	struct tree *t = *state;
	struct kmod_ctx *ctx = ctx_new(t);
	char *p = join(t->root, "dump");
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(kmod_dump_index(ctx, KMOD_INDEX_MODULES_ALIAS, fd), 0);
	assert_int_equal(kmod_dump_index(ctx, KMOD_INDEX_MODULES_SYMBOL, fd), 0);
	char buf[256] = { 0 };
	assert_true(pread(fd, buf, sizeof(buf) - 1, 0) > 0);
	assert_string_equal(buf, "alias pci:v00001234d* a\nalias symbol:a_one a\n");
	close(fd);
	free(p);
	kmod_unref(ctx);
}

static void expect_iter(struct kmod_config_iter *it, const char *const *expected, size_t n)
{
	assert_non_null(it);
	size_t i = 0;
	while (kmod_config_iter_next(it)) {
		assert_true(i < n);
		const char *v = kmod_config_iter_get_value(it);
		char got[256];
		snprintf(got, sizeof(got), "%s=%s", kmod_config_iter_get_key(it), v ? v : "(null)");
		assert_string_equal(got, expected[i]);
		i++;
	}
	assert_int_equal(i, n);
	/* past the end: no key; the next call starts over, as with libkmod */
	assert_null(kmod_config_iter_get_key(it));
	assert_int_equal(kmod_config_iter_next(it), n > 0);
	kmod_config_iter_free_iter(it);
}

static void test_config_iterators(void **state)
{
	struct tree *t = *state;
	struct kmod_ctx *ctx = ctx_new(t);
	static const char *const bl[] = { "c=(null)" };
	expect_iter(kmod_config_get_blacklists(ctx), bl, 1);
	static const char *const inst[] = { "d=/bin/true" };
	expect_iter(kmod_config_get_install_commands(ctx), inst, 1);
	static const char *const rem[] = { "d=/bin/false" };
	expect_iter(kmod_config_get_remove_commands(ctx), rem, 1);
	static const char *const al[] = { "myalias=a" };
	expect_iter(kmod_config_get_aliases(ctx), al, 1);
	/* the kernel command line's options may follow: only the first two */
	struct kmod_config_iter *it = kmod_config_get_options(ctx);
	assert_true(kmod_config_iter_next(it));
	assert_string_equal(kmod_config_iter_get_value(it), "x=1");
	assert_true(kmod_config_iter_next(it));
	assert_string_equal(kmod_config_iter_get_value(it), "y=2");
	kmod_config_iter_free_iter(it);
	/* as libkmod writes them: names as written, no space before "post:" */
	static const char *const sd[] = { "a=pre: b-modpost: c", "c=pre: b_mod" };
	expect_iter(kmod_config_get_softdeps(ctx), sd, 2);
	static const char *const wd[] = { "a=c b_mod" };
	expect_iter(kmod_config_get_weakdeps(ctx), wd, 1);
	assert_null(kmod_config_get_aliases(NULL));
	kmod_unref(ctx);
}

static void test_modules(void **state)
{
	struct tree *t = *state;
	struct kmod_ctx *ctx = ctx_new(t);
	struct kmod_module *a = NULL, *a2 = NULL, *m = NULL;
	char names[256];

	assert_int_equal(kmod_module_new_from_name(ctx, "a", &a), 0);
	assert_int_equal(kmod_module_new_from_name(ctx, "a.ko", &a2), 0);
	assert_ptr_equal(a, a2); /* one object per name */
	kmod_module_unref(a2);
	char *path = join(t->dir, "kernel/a.ko");
	assert_string_equal(kmod_module_get_path(a), path);
	assert_string_equal(kmod_module_get_options(a), "x=1 y=2");
	assert_int_equal(kmod_module_new_from_path(ctx, path, &a2), 0);
	assert_ptr_equal(a, a2);
	kmod_module_unref(a2);
	free(path);
	assert_int_equal(kmod_module_new_from_path(ctx, "/nonexistent/x.ko", &m), -ENOENT);

	/* dependencies: the last of modules.dep's line first, as libkmod */
	struct kmod_list *deps = kmod_module_get_dependencies(a);
	list_names(deps, names, sizeof(names));
	assert_string_equal(names, "c b_mod");
	kmod_module_unref_list(deps);

	struct kmod_list *pre = NULL, *post = NULL, *weak = NULL;
	assert_int_equal(kmod_module_get_softdeps(a, &pre, &post), 0);
	list_names(pre, names, sizeof(names));
	assert_string_equal(names, "b_mod");
	list_names(post, names, sizeof(names));
	assert_string_equal(names, "c");
	assert_int_equal(kmod_module_get_softdeps(a, &pre, &post), -EBUSY);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	assert_int_equal(kmod_module_get_weakdeps(a, &weak), 0);
	list_names(weak, names, sizeof(names));
	assert_string_equal(names, "c b_mod");

	struct kmod_list *filtered = NULL;
	assert_int_equal(kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, weak, &filtered), 0);
	list_names(filtered, names, sizeof(names));
	assert_string_equal(names, "b_mod");
	kmod_module_unref_list(filtered);
	kmod_module_unref_list(weak);

	/* lookups: configuration alias, index alias, symbol, built-in */
	struct kmod_list *list = NULL;
	assert_int_equal(kmod_module_new_from_lookup(ctx, "myalias", &list), 0);
	list_names(list, names, sizeof(names));
	assert_string_equal(names, "a");
	assert_int_equal(kmod_module_new_from_lookup(ctx, "x", &list), -ENOSYS);
	kmod_module_unref_list(list);
	list = NULL;
	assert_int_equal(kmod_module_new_from_lookup(ctx, "pci:v00001234d00005678", &list), 0);
	list_names(list, names, sizeof(names));
	assert_string_equal(names, "a");
	kmod_module_unref_list(list);
	list = NULL;
	assert_int_equal(kmod_module_new_from_lookup(ctx, "symbol:a_one", &list), 0);
	list_names(list, names, sizeof(names));
	assert_string_equal(names, "a");
	kmod_module_unref_list(list);
	list = NULL;
	assert_int_equal(kmod_module_new_from_lookup(ctx, "fs-bi", &list), 0);
	list_names(list, names, sizeof(names));
	assert_string_equal(names, "bi");
	m = kmod_module_get_module(list);
	assert_null(kmod_module_get_path(m));
	assert_int_equal(kmod_module_get_initstate(m), KMOD_MODULE_BUILTIN);
	kmod_module_unref(m);
	kmod_module_unref_list(list);
	list = NULL;
	assert_int_equal(kmod_module_new_from_lookup(ctx, "nothing-known", &list), 0);
	assert_null(list);

	m = NULL;
	assert_int_equal(kmod_module_new_from_name_lookup(ctx, "b-mod", &m), 0);
	assert_non_null(m);
	assert_string_equal(kmod_module_get_name(m), "b_mod");
	kmod_module_unref(m);
	m = (struct kmod_module *)1;
	assert_int_equal(kmod_module_new_from_name_lookup(ctx, "myalias", &m), 0);
	assert_null(m);

	assert_int_equal(kmod_module_new_from_name(ctx, "d", &m), 0);
	assert_string_equal(kmod_module_get_install_commands(m), "/bin/true");
	assert_string_equal(kmod_module_get_remove_commands(m), "/bin/false");
	assert_null(kmod_module_get_path(m));
	assert_int_equal(kmod_module_get_initstate(m), -ENOENT);
	kmod_module_unref(m);

	assert_string_equal(kmod_module_initstate_str(KMOD_MODULE_LIVE), "live");
	assert_null(kmod_module_initstate_str(42));
	kmod_module_unref(a);
	kmod_unref(ctx);
}

static void test_info_and_symbols(void **state)
{
	struct tree *t = *state;
	struct kmod_ctx *ctx = ctx_new(t);
	struct kmod_module *a = NULL;
	assert_int_equal(kmod_module_new_from_name(ctx, "a", &a), 0);
	struct kmod_list *list = NULL, *e;
	assert_int_equal(kmod_module_get_info(a, &list), 5);
	assert_string_equal(kmod_module_info_get_key(list), "license");
	assert_string_equal(kmod_module_info_get_value(list), "GPL");
	e = kmod_list_last(list);
	assert_string_equal(kmod_module_info_get_key(e), "vermagic");
	assert_string_equal(kmod_module_info_get_value(e), "1.0 SMP");
	e = kmod_list_prev(list, e);
	assert_string_equal(kmod_module_info_get_key(e), "name");
	assert_null(kmod_list_prev(list, list));
	kmod_module_info_free_list(list);

	list = NULL;
	assert_int_equal(kmod_module_get_versions(a, &list), 3);
	assert_string_equal(kmod_module_version_get_symbol(list), "module_layout");
	assert_int_equal(kmod_module_version_get_crc(list), 0x1111);
	kmod_module_versions_free_list(list);

	list = NULL;
	assert_int_equal(kmod_module_get_symbols(a, &list), 2);
	assert_string_equal(kmod_module_symbol_get_symbol(list), "a_one");
	assert_int_equal(kmod_module_symbol_get_crc(list), 0xaaaa);
	kmod_module_symbols_free_list(list);

	/* imports in symbol-table order with their CRCs, then what only
	 * __versions names; symbol_get_symbol() on these entries sees the
	 * bind byte first, as dracut-install does with libkmod */
	list = NULL;
	assert_int_equal(kmod_module_get_dependency_symbols(a, &list), 3);
	const char *expect[][3] = { { "b_func", "U", "Ub_func" },
				    { "c_func", "W", "Wc_func" },
				    { "module_layout", "U", "Umodule_layout" } };
	uint64_t crcs[] = { 0x2222, 0x3333, 0x1111 };
	size_t i = 0;
	kmod_list_foreach(e, list) {
		assert_string_equal(kmod_module_dependency_symbol_get_symbol(e), expect[i][0]);
		assert_int_equal(kmod_module_dependency_symbol_get_bind(e), expect[i][1][0]);
		assert_string_equal(kmod_module_symbol_get_symbol(e), expect[i][2]);
		assert_int_equal(kmod_module_dependency_symbol_get_crc(e), crcs[i]);
		i++;
	}
	assert_int_equal(i, 3);
	kmod_module_dependency_symbols_free_list(list);
	kmod_module_unref(a);

	/* no exports: no data */
	struct kmod_module *c = NULL;
	assert_int_equal(kmod_module_new_from_name(ctx, "c", &c), 0);
	list = NULL;
	assert_int_equal(kmod_module_get_symbols(c, &list), -ENODATA);
	kmod_module_unref(c);

	/* built-in: modules.builtin.modinfo, in file order */
	struct kmod_module *bi = NULL;
	assert_int_equal(kmod_module_new_from_name(ctx, "bi", &bi), 0);
	list = NULL;
	assert_int_equal(kmod_module_get_info(bi, &list), 3);
	assert_string_equal(kmod_module_info_get_key(list), "license");
	assert_string_equal(kmod_module_info_get_value(kmod_list_last(list)), "fs/bi");
	kmod_module_info_free_list(list);
	kmod_module_unref(bi);

	struct kmod_module *none = NULL;
	assert_int_equal(kmod_module_new_from_name(ctx, "none", &none), 0);
	list = NULL;
	assert_int_equal(kmod_module_get_info(none, &list), -ENOENT);
	kmod_module_unref(none);
	kmod_unref(ctx);
}

/* One context per thread: each gives the answers a single thread gets. */
static void *thread_main(void *data)
{
	const struct tree *t = data;
	const char *paths[] = { t->conf, NULL };
	long ok = 0;
	for (int round = 0; round < 50; round++) {
		struct kmod_ctx *ctx = kmod_new(t->dir, paths);
		if (!ctx)
			return (void *)0;
		struct kmod_list *list = NULL;
		char names[256];
		if (kmod_module_new_from_lookup(ctx, "myalias", &list) == 0) {
			list_names(list, names, sizeof(names));
			struct kmod_module *m = kmod_module_get_module(list);
			struct kmod_list *deps = kmod_module_get_dependencies(m), *info = NULL;
			char dnames[256];
			list_names(deps, dnames, sizeof(dnames));
			if (strcmp(names, "a") == 0 && strcmp(dnames, "c b_mod") == 0 &&
			    kmod_module_get_info(m, &info) == 5 &&
			    strcmp(kmod_module_get_options(m), "x=1 y=2") == 0)
				ok++;
			kmod_module_info_free_list(info);
			kmod_module_unref_list(deps);
			kmod_module_unref(m);
			kmod_module_unref_list(list);
		}
		kmod_unref(ctx);
	}
	return (void *)ok;
}

static void test_threads(void **state)
{
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, *state), 0);
	for (int i = 0; i < 4; i++) {
		void *ok;
		assert_int_equal(pthread_join(th[i], &ok), 0);
		assert_int_equal((long)ok, 50);
	}
}

/* The Debian tree, when the test runner provides it. */
static void test_debian_tree(void **state)
{
	(void)state;
	const char *root = getenv("KMODLITE_TEST_ROOT"), *kver = getenv("KMODLITE_TEST_KVER");
	if (!root || !kver) {
		skip();
		return;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/lib/modules/%s", root, kver);
	const char *paths[] = { "/nonexistent", NULL };
	struct kmod_ctx *ctx = kmod_new(dir, paths);
	assert_non_null(ctx);
	assert_int_equal(kmod_load_resources(ctx), 0);
	struct kmod_module *m = NULL;
	assert_int_equal(kmod_module_new_from_name_lookup(ctx, "ext4", &m), 0);
	assert_non_null(m);
	struct kmod_list *deps = kmod_module_get_dependencies(m);
	char names[256];
	list_names(deps, names, sizeof(names));
	assert_string_equal(names, "jbd2 mbcache crc16");
	kmod_module_unref_list(deps);
	struct kmod_list *list = NULL, *e;
	int n = kmod_module_get_info(m, &list);
	assert_true(n >= 10);
	bool sig = false;
	kmod_list_foreach(e, list)
		if (strcmp(kmod_module_info_get_key(e), "sig_id") == 0)
			sig = true;
	assert_true(sig);
	kmod_module_info_free_list(list);
	list = NULL;
	assert_true(kmod_module_get_dependency_symbols(m, &list) > 100);
	assert_string_equal(kmod_module_dependency_symbol_get_symbol(kmod_list_last(list)),
			    "module_layout");
	kmod_module_dependency_symbols_free_list(list);
	kmod_module_unref(m);
	list = NULL;
	assert_int_equal(kmod_module_new_from_lookup(ctx, "fs-ext4", &list), 0);
	list_names(list, names, sizeof(names));
	assert_string_equal(names, "ext4");
	kmod_module_unref_list(list);
	kmod_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_corrupt_index),
		cmocka_unit_test(test_dump_index),
		cmocka_unit_test(test_config_iterators),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_info_and_symbols),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_debian_tree),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
