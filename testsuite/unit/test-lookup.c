// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kml_lookup on fake module directories whose indexes are written by the
 * index-writer fixture, and kml_module_from_path. The expected
 * answers were checked against kmod 30 (modprobe -R, modinfo) on the same
 * indexes, except where a comment says we differ.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "index-writer.h"
#include "kmodlite-private.h"

#define KVER "1.0"

/* ------------------------------------------------------------ fake trees */

/* A temporary ROOT with an empty ROOT/lib/modules/KVER (free with tree_free). */
static char *tree_new(void)
{
	char *root = strdup("/tmp/test-lookup-XXXXXX");
	char *dir;

	assert_non_null(root);
	assert_non_null(mkdtemp(root));
	assert_true(asprintf(&dir, "%s/lib", root) > 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	free(dir);
	assert_true(asprintf(&dir, "%s/lib/modules", root) > 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	free(dir);
	assert_true(asprintf(&dir, "%s/lib/modules/" KVER, root) > 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	free(dir);
	return root;
}

static char *tree_file(const char *root, const char *name)
{
	char *path;

	assert_true(asprintf(&path, "%s/lib/modules/" KVER "/%s", root, name) > 0);
	return path;
}

static void tree_index(const char *root, const char *name, const struct idxw_entry *e, size_t n)
{
	char *path = tree_file(root, name);

	assert_int_equal(idxw_write_file(path, e, n, false), 0);
	free(path);
}

static void tree_raw(const char *root, const char *name, const void *data, size_t len)
{
	char *path = tree_file(root, name);
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static int remove_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tree_free(char *root)
{
	if (root == NULL)
		return;
	assert_int_equal(nftw(root, remove_fn, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(root);
}

static struct kml_ctx *tree_ctx(const char *root)
{
	struct kml_ctx *ctx = NULL;

	assert_int_equal(kml_ctx_new(root, KVER, &ctx), 0);
	return ctx;
}

/* ------------------------------------------------------- the main tree */

static const struct idxw_entry dep_entries[] = {
	{ "foo", "kernel/a/foo.ko: kernel/b/bar.ko", 0 },
	{ "bar", "kernel/b/bar.ko:", 1 },
	{ "snd_hda", "kernel/c/snd-hda.ko:", 2 },
	{ "ext", "/opt/ext/ext.ko:", 3 }, /* from an external directory */
	{ "dup", "kernel/d/dup.ko:", 4 },
	{ "a:b", "kernel/e/ab.ko:", 5 }, /* never looked up: names have no ':' */
};

static const struct idxw_entry alias_entries[] = {
	{ "pci:v00001234d*", "foo", 0 },
	{ "pci:v*d00005678*", "bar", 1 },
	{ "shared*", "foo", 0 },
	{ "shared:x*", "bar", 1 },
	{ "shared:x*", "dup", 4 },
	{ "bar", "foo", 0 },	   /* also a module name: the module wins */
	{ "sound_card_[0-9]", "snd_hda", 2 },
	{ "dup*", "dup", 4 },	   /* two patterns matching "dupx" */
	{ "du*", "dup", 4 },
	{ "alias_bi*", "builtin1", 0 }, /* a built-in module */
	{ "ghost*", "ghostmod", 0 },	/* neither in modules.dep nor built-in */
	{ "a:b", "bar", 1 },
	{ "ext_alias", "ext", 3 },
	{ "symbol:foo_sym", "bar", 1 }, /* the symbols index goes first */
	{ "builtin2", "bar", 1 },	/* aliases go before built-in names */
};

static const struct idxw_entry symbol_entries[] = {
	{ "symbol:foo_sym", "foo", 0 },
	{ "symbol:bar_sym", "bar", 1 },
	{ "symbol:shared_sym", "bar", 1 },
	{ "symbol:shared_sym", "foo", 0 },
};

static const struct idxw_entry builtin_entries[] = {
	{ "builtin1", "", 0 },
	{ "builtin2", "", 0 },
	{ "built_in3", "", 0 },
};

static const struct idxw_entry builtin_alias_entries[] = {
	{ "balias*", "builtin1", 0 },
	{ "crypto_foo", "built_in3", 0 },
	{ "builtin1", "builtin2", 0 }, /* built-in names go before built-in aliases */
};

struct fixture {
	char *root;
	struct kml_ctx *ctx;
};

static int setup_main(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->root = tree_new();
	tree_index(f->root, "modules.dep.bin", dep_entries, ARRAY_SIZE(dep_entries));
	tree_index(f->root, "modules.alias.bin", alias_entries, ARRAY_SIZE(alias_entries));
	tree_index(f->root, "modules.symbols.bin", symbol_entries, ARRAY_SIZE(symbol_entries));
	tree_index(f->root, "modules.builtin.bin", builtin_entries, ARRAY_SIZE(builtin_entries));
	tree_index(f->root, "modules.builtin.alias.bin", builtin_alias_entries,
		   ARRAY_SIZE(builtin_alias_entries));
	f->ctx = tree_ctx(f->root);
	*state = f;
	return 0;
}

static int teardown_main(void **state)
{
	struct fixture *f = *state;

	kml_ctx_free(f->ctx);
	tree_free(f->root);
	free(f);
	return 0;
}

/* ------------------------------------------------------------- checks */

/*
 * Looks NAME up and compares with the WANT strings "MODULE PATH" of
 * EXPECTED: PATH relative to the module directory, absolute, "(builtin)" for
 * a built-in module or "-" for no path and not built-in.
 */
static void check_lookup(struct kml_ctx *ctx, const char *name, unsigned int flags,
			 const char *const *expected, size_t want)
{
	struct kml_module_list list = { 0 };
	const char *dir = kml_ctx_get_module_dir(ctx);

	assert_int_equal(kml_lookup(ctx, name, flags, &list), 0);
	if (list.count != want) {
		for (size_t i = 0; i < list.count; i++)
			print_message("  got %s %s%s\n", list.modules[i].name,
				      list.modules[i].path ? list.modules[i].path : "-",
				      list.modules[i].builtin ? " (builtin)" : "");
		fail_msg("'%s': %zu modules, expected %zu", name, list.count, want);
	}
	for (size_t i = 0; i < want; i++) {
		const struct kml_module *m = &list.modules[i];
		const char *space = strchr(expected[i], ' ');
		const char *path;

		assert_non_null(space);
		path = space + 1;
		if (strlen(m->name) != (size_t)(space - expected[i]) ||
		    strncmp(m->name, expected[i], (size_t)(space - expected[i])) != 0)
			fail_msg("'%s' #%zu: got %s, expected %s", name, i, m->name, expected[i]);
		if (streq(path, "(builtin)")) {
			assert_true(m->builtin);
			assert_null(m->path);
		} else if (streq(path, "-")) {
			assert_false(m->builtin);
			assert_null(m->path);
		} else {
			char *full;

			assert_false(m->builtin);
			assert_non_null(m->path);
			if (path[0] == '/')
				full = strdup(path);
			else
				assert_true(asprintf(&full, "%s/%s", dir, path) > 0);
			assert_non_null(full);
			assert_string_equal(m->path, full);
			free(full);
		}
	}
	kml_module_list_release(&list);
	assert_null(list.modules);
	assert_int_equal(list.count, 0);
}

/* LOOKUP(ctx, name, flags, "MODULE PATH"...): the modules expected, none or more. */
#define LOOKUP(ctx, name, flags, ...)                                                    \
	do {                                                                             \
		static const char *const expected_[] = { NULL, __VA_ARGS__ };            \
		check_lookup(ctx, name, flags, expected_ + 1, ARRAY_SIZE(expected_) - 1); \
	} while (0)

/* Any failure is acceptable, or an answer without module: no crash, no leak. */
static void check_no_module_or_error(struct kml_ctx *ctx, const char *name)
{
	struct kml_module_list list = { 0 };
	int r = kml_lookup(ctx, name, 0, &list);

	if (r < 0) {
		assert_null(list.modules);
		return;
	}
	assert_int_equal(list.count, 0);
	kml_module_list_release(&list);
}

/* ------------------------------------------------------------- lookups */

static void test_module_name(void **state)
{
	struct fixture *f = *state;

	LOOKUP(f->ctx, "foo", 0, "foo kernel/a/foo.ko");
	LOOKUP(f->ctx, "snd_hda", 0, "snd_hda kernel/c/snd-hda.ko");
	/* '-' normalised to '_' */
	LOOKUP(f->ctx, "snd-hda", 0, "snd_hda kernel/c/snd-hda.ko");
	/* an absolute path in modules.dep is kept as is */
	LOOKUP(f->ctx, "ext", 0, "ext /opt/ext/ext.ko");
	/* a module name is not a prefix or a pattern */
	LOOKUP(f->ctx, "fo", 0);
	LOOKUP(f->ctx, "fooo", 0);
	LOOKUP(f->ctx, "f*", 0);
}

static void test_alias(void **state)
{
	struct fixture *f = *state;

	LOOKUP(f->ctx, "pci:v00001234d0000", 0, "foo kernel/a/foo.ko");
	/* several matches, by priority */
	LOOKUP(f->ctx, "pci:v00001234d00005678", 0, "foo kernel/a/foo.ko",
	       "bar kernel/b/bar.ko");
	LOOKUP(f->ctx, "shared:xy", 0, "foo kernel/a/foo.ko", "bar kernel/b/bar.ko",
	       "dup kernel/d/dup.ko");
	LOOKUP(f->ctx, "shared", 0, "foo kernel/a/foo.ko");
	/* the query is normalised, brackets excepted */
	LOOKUP(f->ctx, "sound-card-1", 0, "snd_hda kernel/c/snd-hda.ko");
	LOOKUP(f->ctx, "sound_card_1", 0, "snd_hda kernel/c/snd-hda.ko");
	LOOKUP(f->ctx, "ext-alias", 0, "ext /opt/ext/ext.ko");
	/* the module of the alias is built-in */
	LOOKUP(f->ctx, "alias-bix", 0, "builtin1 (builtin)");
	/*
	 * Neither in modules.dep nor built-in: reported by name only. (kmod 30
	 * gives the module without a path, which its modinfo prints as
	 * "filename: (builtin)".)
	 */
	LOOKUP(f->ctx, "ghostx", 0, "ghostmod -");
}

static void test_duplicates(void **state)
{
	struct fixture *f = *state;

	/* "dup*" and "du*" both match: the module twice, as kmod lists it
	 * (modprobe -R prints it twice; scripts see the same) */
	LOOKUP(f->ctx, "dupx", 0, "dup kernel/d/dup.ko", "dup kernel/d/dup.ko");
	LOOKUP(f->ctx, "dupdup", 0, "dup kernel/d/dup.ko", "dup kernel/d/dup.ko");
}

static void test_symbol(void **state)
{
	struct fixture *f = *state;

	/* from modules.symbols.bin, not from the alias of the same key */
	LOOKUP(f->ctx, "symbol:foo_sym", 0, "foo kernel/a/foo.ko");
	LOOKUP(f->ctx, "symbol:foo-sym", 0, "foo kernel/a/foo.ko");
	LOOKUP(f->ctx, "symbol:bar_sym", 0, "bar kernel/b/bar.ko");
	LOOKUP(f->ctx, "symbol:shared_sym", 0, "foo kernel/a/foo.ko", "bar kernel/b/bar.ko");
	LOOKUP(f->ctx, "symbol:nothing", 0);
	/* no "symbol:" prefix, no symbol lookup */
	LOOKUP(f->ctx, "foo_sym", 0);
	LOOKUP(f->ctx, "bar_sym", 0);
}

static void test_builtin(void **state)
{
	struct fixture *f = *state;

	LOOKUP(f->ctx, "builtin1", 0, "builtin1 (builtin)");
	LOOKUP(f->ctx, "built-in3", 0, "built_in3 (builtin)");
	LOOKUP(f->ctx, "built_in3", 0, "built_in3 (builtin)");
	/* built-in aliases */
	LOOKUP(f->ctx, "balias-x", 0, "builtin1 (builtin)");
	LOOKUP(f->ctx, "balias", 0, "builtin1 (builtin)");
	LOOKUP(f->ctx, "crypto-foo", 0, "built_in3 (builtin)");
	LOOKUP(f->ctx, "crypto_fo", 0);
}

static void test_not_found(void **state)
{
	struct fixture *f = *state;

	LOOKUP(f->ctx, "nothing", 0);
	LOOKUP(f->ctx, "", 0);
	LOOKUP(f->ctx, "pci:", 0);
	LOOKUP(f->ctx, "x[a-b", 0); /* an unclosed '[' is no error */
	LOOKUP(f->ctx, "nothing", KML_LOOKUP_NAME_ONLY);
}

static void test_order(void **state)
{
	struct fixture *f = *state;

	/* "bar" is a module and an alias of foo: the module */
	LOOKUP(f->ctx, "bar", 0, "bar kernel/b/bar.ko");
	/* "a:b" is in modules.dep.bin, but a name with ':' is an alias */
	LOOKUP(f->ctx, "a:b", 0, "bar kernel/b/bar.ko");
	/* symbols before aliases */
	LOOKUP(f->ctx, "symbol:foo_sym", 0, "foo kernel/a/foo.ko");
	/* aliases before built-in names */
	LOOKUP(f->ctx, "builtin2", 0, "bar kernel/b/bar.ko");
	/* built-in names before built-in aliases */
	LOOKUP(f->ctx, "builtin1", 0, "builtin1 (builtin)");
}

static void test_name_only(void **state)
{
	struct fixture *f = *state;
	const unsigned int n = KML_LOOKUP_NAME_ONLY;

	LOOKUP(f->ctx, "foo", n, "foo kernel/a/foo.ko");
	LOOKUP(f->ctx, "snd-hda", n, "snd_hda kernel/c/snd-hda.ko");
	LOOKUP(f->ctx, "bar", n, "bar kernel/b/bar.ko");
	LOOKUP(f->ctx, "builtin1", n, "builtin1 (builtin)");
	/* no aliases: the built-in name */
	LOOKUP(f->ctx, "builtin2", n, "builtin2 (builtin)");
	LOOKUP(f->ctx, "shared:xy", n);
	LOOKUP(f->ctx, "pci:v00001234d0000", n);
	LOOKUP(f->ctx, "symbol:foo_sym", n);
	LOOKUP(f->ctx, "ghostx", n);
	LOOKUP(f->ctx, "balias-x", n);
	LOOKUP(f->ctx, "a:b", n);
}

static void test_bad_name(void **state)
{
	struct fixture *f = *state;
	struct kml_module_list list = { .count = 42 };
	char *long_name = malloc(PATH_MAX + 10);

	assert_int_equal(kml_lookup(f->ctx, "a]b", 0, &list), -EINVAL);
	assert_int_equal(kml_lookup(f->ctx, "foo]", 0, &list), -EINVAL);
	assert_non_null(long_name);
	memset(long_name, 'a', PATH_MAX + 9);
	long_name[PATH_MAX + 9] = '\0';
	assert_int_equal(kml_lookup(f->ctx, long_name, 0, &list), -ENAMETOOLONG);
	free(long_name);
	/* untouched on failure */
	assert_int_equal(list.count, 42);
	assert_null(list.modules);
}

/* ----------------------------------------------------- other trees */

static void test_missing_indexes(void **state)
{
	char *root = tree_new();
	struct kml_ctx *ctx = tree_ctx(root);

	(void)state;
	/* no index at all */
	LOOKUP(ctx, "foo", 0);
	LOOKUP(ctx, "shared:xy", 0);
	LOOKUP(ctx, "symbol:foo_sym", 0);
	LOOKUP(ctx, "builtin1", 0);
	kml_ctx_free(ctx);

	/* only modules.dep.bin */
	tree_index(root, "modules.dep.bin", dep_entries, ARRAY_SIZE(dep_entries));
	ctx = tree_ctx(root);
	LOOKUP(ctx, "foo", 0, "foo kernel/a/foo.ko");
	LOOKUP(ctx, "shared:xy", 0);
	LOOKUP(ctx, "symbol:foo_sym", 0);
	LOOKUP(ctx, "builtin1", 0);
	LOOKUP(ctx, "balias-x", 0);
	kml_ctx_free(ctx);

	/* only the alias indexes: modules known by name, without path */
	tree_free(root);
	root = tree_new();
	tree_index(root, "modules.alias.bin", alias_entries, ARRAY_SIZE(alias_entries));
	tree_index(root, "modules.builtin.alias.bin", builtin_alias_entries,
		   ARRAY_SIZE(builtin_alias_entries));
	ctx = tree_ctx(root);
	LOOKUP(ctx, "foo", 0);
	LOOKUP(ctx, "shared:xy", 0, "foo -", "bar -", "dup -");
	LOOKUP(ctx, "alias-bix", 0, "builtin1 -");
	/* the built-in alias index alone says built-in */
	LOOKUP(ctx, "balias-x", 0, "builtin1 (builtin)");
	kml_ctx_free(ctx);
	tree_free(root);

	/* no module directory at all */
	assert_int_equal(kml_ctx_new("/nonexistent-kmodlite-root", KVER, &ctx), 0);
	LOOKUP(ctx, "foo", 0);
	LOOKUP(ctx, "shared:xy", 0);
	kml_ctx_free(ctx);
}

static void test_corrupt_index(void **state)
{
	static const char *const names[] = { "foo", "bar", "shared:xy", "symbol:foo_sym",
					     "builtin1", "balias-x", "nothing" };
	static const char *const files[] = { "modules.dep.bin", "modules.alias.bin",
					     "modules.symbols.bin", "modules.builtin.bin",
					     "modules.builtin.alias.bin" };
	const struct idxw_entry *contents[] = { dep_entries, alias_entries, symbol_entries,
						builtin_entries, builtin_alias_entries };
	const size_t counts[] = { ARRAY_SIZE(dep_entries), ARRAY_SIZE(alias_entries),
				  ARRAY_SIZE(symbol_entries), ARRAY_SIZE(builtin_entries),
				  ARRAY_SIZE(builtin_alias_entries) };

	(void)state;
	for (size_t bad = 0; bad < ARRAY_SIZE(files); bad++) {
		for (int kind = 0; kind < 3; kind++) {
			char *root = tree_new();
			struct idxw_buf b = { 0 };
			struct kml_ctx *ctx;

			for (size_t i = 0; i < ARRAY_SIZE(files); i++)
				if (i != bad)
					tree_index(root, files[i], contents[i], counts[i]);
			if (kind == 0) {
				/* bad magic */
				static const uint8_t junk[] = "XXXXjunk, not an index";

				tree_raw(root, files[bad], junk, sizeof(junk));
			} else if (kind == 1) {
				/* good header, root beyond the end */
				idxw_buf_header(&b, IDXW_F_CHILDREN | 0x1000);
				tree_raw(root, files[bad], b.data, b.len);
			} else {
				/* truncated in the middle of the nodes */
				size_t len;
				uint8_t *data = idxw_build(contents[bad], counts[bad], false, &len);

				tree_raw(root, files[bad], data, len / 2);
				free(data);
			}
			free(b.data);

			ctx = tree_ctx(root);
			/* the index is not used: what it should answer is not found */
			if (bad == 0) {
				check_no_module_or_error(ctx, "foo");
				check_no_module_or_error(ctx, "snd-hda");
			} else if (bad == 2) {
				check_no_module_or_error(ctx, "symbol:bar_sym");
			} else if (bad == 4) {
				check_no_module_or_error(ctx, "balias-x");
			}
			/* whatever the others give, no crash */
			for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
				struct kml_module_list list = { 0 };

				if (kml_lookup(ctx, names[i], 0, &list) == 0)
					kml_module_list_release(&list);
			}
			kml_ctx_free(ctx);
			tree_free(root);
		}
	}
}

static void test_dep_value_without_colon(void **state)
{
	static const struct idxw_entry dep[] = {
		{ "nocolon", "kernel/d/nocolon.ko", 0 },
		{ "emptypath", ": kernel/b/bar.ko", 1 },
		{ "empty", "", 2 },
		{ "good", "kernel/g/good.ko:", 3 },
	};
	static const struct idxw_entry alias[] = {
		{ "nc*", "nocolon", 0 },
		{ "good_alias", "good", 3 },
	};
	char *root = tree_new();
	struct kml_ctx *ctx;

	(void)state;
	tree_index(root, "modules.dep.bin", dep, ARRAY_SIZE(dep));
	tree_index(root, "modules.alias.bin", alias, ARRAY_SIZE(alias));
	ctx = tree_ctx(root);
	/*
	 * -EBADMSG, or skipped. (kmod 30 ignores the line: the module is known
	 * by name, without a path, and its modinfo prints "(builtin)".)
	 */
	for (size_t i = 0; i < 3; i++) {
		struct kml_module_list list = { 0 };
		int r = kml_lookup(ctx, dep[i].key, 0, &list);

		if (r == 0) {
			for (size_t k = 0; k < list.count; k++)
				assert_null(list.modules[k].path);
			kml_module_list_release(&list);
		} else {
			assert_int_equal(r, -EBADMSG);
		}
	}
	check_no_module_or_error(ctx, "nothing");
	LOOKUP(ctx, "good", 0, "good kernel/g/good.ko");
	LOOKUP(ctx, "good-alias", 0, "good kernel/g/good.ko");
	{
		struct kml_module_list list = { 0 };
		int r = kml_lookup(ctx, "ncx", 0, &list);

		assert_true(r == 0 || r == -EBADMSG);
		if (r == 0) {
			assert_true(list.count <= 1);
			if (list.count == 1)
				assert_null(list.modules[0].path);
			kml_module_list_release(&list);
		}
	}
	kml_ctx_free(ctx);
	tree_free(root);
}

/* Both layouts of the writer give the same answers. */
static void test_root_first_layout(void **state)
{
	char *root = tree_new();
	struct kml_ctx *ctx;
	char *path;

	(void)state;
	path = tree_file(root, "modules.dep.bin");
	assert_int_equal(idxw_write_file(path, dep_entries, ARRAY_SIZE(dep_entries), true), 0);
	free(path);
	path = tree_file(root, "modules.alias.bin");
	assert_int_equal(idxw_write_file(path, alias_entries, ARRAY_SIZE(alias_entries), true), 0);
	free(path);
	ctx = tree_ctx(root);
	LOOKUP(ctx, "snd-hda", 0, "snd_hda kernel/c/snd-hda.ko");
	LOOKUP(ctx, "shared:xy", 0, "foo kernel/a/foo.ko", "bar kernel/b/bar.ko",
	       "dup kernel/d/dup.ko");
	kml_ctx_free(ctx);
	tree_free(root);
}

/* A module directory set explicitly is used for the indexes and the paths. */
static void test_module_dir(void **state)
{
	struct fixture *f = *state;
	struct kml_ctx *ctx = NULL;
	char *dir;

	assert_true(asprintf(&dir, "%s/lib/modules/" KVER, f->root) > 0);
	assert_int_equal(kml_ctx_new("/nonexistent-kmodlite-root", "9.9", &ctx), 0);
	assert_int_equal(kml_ctx_set_module_dir(ctx, dir), 0);
	LOOKUP(ctx, "foo", 0, "foo kernel/a/foo.ko");
	kml_ctx_free(ctx);
	free(dir);
}

static void test_module_from_path(void **state)
{
	struct kml_module_list list = { 0 };
	char *cwd = getcwd(NULL, 0), *want;

	(void)state;
	assert_non_null(cwd);
	assert_int_equal(kml_module_from_path("/x/snd-hda.ko.xz", &list), 0);
	assert_int_equal(list.count, 1);
	assert_string_equal(list.modules[0].name, "snd_hda");
	assert_string_equal(list.modules[0].path, "/x/snd-hda.ko.xz");
	assert_false(list.modules[0].builtin);
	kml_module_list_release(&list);

	/* relative: made absolute against the current directory */
	assert_int_equal(kml_module_from_path("sub/my-mod.ko", &list), 0);
	assert_int_equal(list.count, 1);
	assert_string_equal(list.modules[0].name, "my_mod");
	assert_true(asprintf(&want, "%s/sub/my-mod.ko", cwd) > 0);
	assert_string_equal(list.modules[0].path, want);
	free(want);
	kml_module_list_release(&list);

	assert_int_equal(kml_module_from_path("plain.ko", &list), 0);
	assert_true(asprintf(&want, "%s/plain.ko", cwd) > 0);
	assert_string_equal(list.modules[0].path, want);
	assert_string_equal(list.modules[0].name, "plain");
	free(want);
	kml_module_list_release(&list);
	kml_module_list_release(NULL);
	free(cwd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_name),
		cmocka_unit_test(test_alias),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_symbol),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_name_only),
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_module_dir),
	};
	const struct CMUnitTest standalone[] = {
		cmocka_unit_test(test_missing_indexes),
		cmocka_unit_test(test_corrupt_index),
		cmocka_unit_test(test_dep_value_without_colon),
		cmocka_unit_test(test_root_first_layout),
		cmocka_unit_test(test_module_from_path),
	};
	int failed = cmocka_run_group_tests_name("lookup", tests, setup_main, teardown_main);

	failed += cmocka_run_group_tests_name("standalone", standalone, NULL, NULL);
	return failed;
}
