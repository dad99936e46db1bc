// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * probe.c: the load and removal plans, step by step, on a fake module
 * directory (indexes from the index-writer fixture) and a modprobe.d file.
 * Every test compares the whole plan: actions, names, paths, options,
 * commands and the kernel conditions of each step. The orders are the
 * reference's (kmod 30), as the tool tests (testsuite/tools/modprobe.sh)
 * check them against it by carrying the plans out.
 */
#include <errno.h>
#include <ftw.h>
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

/* ---------------------------------------------------------------- fixture */

/*
 * mod_c -> mod_b -> mod_a (mod_a has options, mod_b options from the
 * kernel command line); mod_c has softdeps pre: mod_pre post: mod_post;
 * mod_inst an install command, mod_rm a remove command (and a dependency);
 * mod_bl is blacklisted; mod_bi is built-in; mod_multi has a post-softdep
 * on a config alias with two modules; mod_d a pre-softdep on a module
 * with dependencies of its own.
 */
static const struct idxw_entry dep_entries[] = {
	{ "mod_a", "kernel/mod_a.ko:", 0 },
	{ "mod_b", "kernel/mod_b.ko: kernel/mod_a.ko", 1 },
	{ "mod_c", "kernel/mod_c.ko: kernel/mod_b.ko kernel/mod_a.ko", 2 },
	{ "mod_pre", "kernel/mod_pre.ko:", 3 },
	{ "mod_post", "kernel/mod_post.ko:", 4 },
	{ "mod_inst", "kernel/mod_inst.ko: kernel/mod_a.ko", 5 },
	{ "mod_rm", "kernel/mod_rm.ko: kernel/mod_a.ko", 6 },
	{ "mod_bl", "kernel/mod_bl.ko:", 7 },
	{ "mod_multi", "kernel/mod_multi.ko:", 8 },
	{ "mod_d", "kernel/mod_d.ko:", 9 },
};

static const struct idxw_entry alias_entries[] = {
	{ "bl_alias", "mod_bl", 0 }, /* as depmod writes them: '-' -> '_' */
	{ "pre_alias", "mod_pre", 1 },
};

static const struct idxw_entry builtin_entries[] = {
	{ "mod_bi", "", 0 },
};

static const char config_text[] =
	"softdep mod_c pre: mod_pre post: mod_post\n"
	"options mod_a a=1\n"
	"install mod_inst /bin/echo $CMDLINE_OPTS\n"
	"remove mod_rm /bin/echo bye\n"
	"blacklist mod_bl\n"
	"alias my-multi mod_pre\n"
	"alias my-multi mod_post\n"
	"softdep mod_multi post: my-multi no-such-module\n"
	"softdep mod_d pre: mod_b\n";

struct fixture {
	char *root;
	char *moddir;
	struct kml_ctx *ctx;
	struct kml_config *config;
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void write_index(const struct fixture *f, const char *name, const struct idxw_entry *e,
			size_t n)
{
	char *path;
	assert_true(asprintf(&path, "%s/%s", f->moddir, name) > 0);
	assert_int_equal(idxw_write_file(path, e, n, false), 0);
	free(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->root = strdup("/tmp/test-probe-XXXXXX");
	assert_non_null(f->root);
	assert_non_null(mkdtemp(f->root));
	char *dir;
	static const char *const parts[] = { "/lib", "/lib/modules", "/lib/modules/" KVER };
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		assert_true(asprintf(&dir, "%s%s", f->root, parts[i]) > 0);
		assert_int_equal(mkdir(dir, 0755), 0);
		if (i + 1 < ARRAY_SIZE(parts))
			free(dir);
	}
	f->moddir = dir;
	write_index(f, "modules.dep.bin", dep_entries, ARRAY_SIZE(dep_entries));
	write_index(f, "modules.alias.bin", alias_entries, ARRAY_SIZE(alias_entries));
	write_index(f, "modules.builtin.bin", builtin_entries, ARRAY_SIZE(builtin_entries));
	char *conf;
	assert_true(asprintf(&conf, "%s/test.conf", f->root) > 0);
	write_text(conf, config_text);
	assert_int_equal(kml_ctx_new(f->root, KVER, &f->ctx), 0);
	const char *const paths[] = { conf, NULL };
	assert_int_equal(kml_config_load(f->ctx, paths, "mod_b.q=2 quiet", &f->config), 0);
	free(conf);
	*state = f;
	return 0;
}

static int remove_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	kml_config_free(f->config);
	kml_ctx_free(f->ctx);
	assert_int_equal(nftw(f->root, remove_fn, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(f->moddir);
	free(f->root);
	free(f);
	return 0;
}

/* ------------------------------------------------------- expected plans */

struct want {
	enum kml_probe_action action;
	const char *name;
	unsigned int flags;
	bool required, target, builtin;
	const char *path;    /* relative to the module directory, or NULL */
	const char *options; /* NULL: none (INSERT/INSTALL: "") */
	const char *command;
};

#define IF_NOT_LOADED KML_PROBE_IF_NOT_LOADED
#define INSERT KML_PROBE_INSERT
#define INSTALL KML_PROBE_INSTALL
#define IF_LOADED KML_PROBE_IF_LOADED
#define NESTED KML_PROBE_REMOVE_NESTED
#define HOLDERS KML_PROBE_REMOVE_HOLDERS
#define REMOVE KML_PROBE_REMOVE
#define REMOVE_COMMAND KML_PROBE_REMOVE_COMMAND

static const char *const action_names[] = {
	[KML_PROBE_IF_NOT_LOADED] = "IF_NOT_LOADED", [KML_PROBE_INSERT] = "INSERT",
	[KML_PROBE_INSTALL] = "INSTALL",	     [KML_PROBE_IF_LOADED] = "IF_LOADED",
	[KML_PROBE_REMOVE_NESTED] = "NESTED",	     [KML_PROBE_REMOVE_HOLDERS] = "HOLDERS",
	[KML_PROBE_REMOVE] = "REMOVE",		     [KML_PROBE_REMOVE_COMMAND] = "REMOVE_COMMAND",
};

static void print_plan(const struct kml_probe_plan *plan)
{
	for (size_t i = 0; i < plan->count; i++) {
		const struct kml_probe_step *s = &plan->steps[i];
		print_message("  %zu: %s %s flags=%#x%s%s%s path=%s options=%s command=%s\n", i,
			      action_names[s->action], s->name, s->flags,
			      s->required ? " required" : "", s->target ? " target" : "",
			      s->builtin ? " builtin" : "", s->path ? s->path : "-",
			      s->options ? s->options : "-", s->command ? s->command : "-");
	}
}

static void str_equal(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void check_plan(const struct fixture *f, const struct kml_probe_plan *plan,
		       const struct want *want, size_t n)
{
	if (plan->count != n)
		print_plan(plan);
	assert_int_equal(plan->count, n);
	for (size_t i = 0; i < n; i++) {
		const struct kml_probe_step *s = &plan->steps[i];
		const struct want *w = &want[i];
		if (s->action != w->action || !streq(s->name, w->name) || s->flags != w->flags ||
		    s->required != w->required || s->target != w->target ||
		    s->builtin != w->builtin) {
			print_message("step %zu differs; the plan:\n", i);
			print_plan(plan);
		}
		assert_int_equal(s->action, w->action);
		assert_string_equal(s->name, w->name);
		assert_int_equal(s->flags, w->flags);
		assert_int_equal(s->required, w->required);
		assert_int_equal(s->target, w->target);
		assert_int_equal(s->builtin, w->builtin);
		char *path = NULL;
		if (w->path)
			assert_true(asprintf(&path, "%s/%s", f->moddir, w->path) > 0);
		str_equal(s->path, path);
		free(path);
		bool loading = w->action == INSERT || w->action == INSTALL;
		str_equal(s->options, w->options ? w->options : loading ? "" : NULL);
		str_equal(s->command, w->command);
	}
}

/* The plan for NAME as modprobe looks it up (its first module). */
static void plan_insert(const struct fixture *f, const char *name, unsigned int flags,
			const char *extra, const struct want *want, size_t n)
{
	struct kml_module_list list = { 0 };
	assert_int_equal(kml_lookup_with_config(f->ctx, f->config, name, &list), 0);
	assert_true(list.count >= 1);
	struct kml_probe_plan plan = { 0 };
	assert_int_equal(kml_probe_plan_insert(f->ctx, f->config, &list.modules[0], flags, extra,
					       &plan),
			 0);
	check_plan(f, &plan, want, n);
	kml_probe_plan_release(&plan);
	kml_module_list_release(&list);
}

static void plan_remove(const struct fixture *f, const char *name, unsigned int flags,
			const struct want *want, size_t n)
{
	struct kml_module m = { .name = (char *)name };
	struct kml_probe_plan plan = { 0 };
	assert_int_equal(kml_probe_plan_remove(f->ctx, f->config, &m, flags, &plan), 0);
	check_plan(f, &plan, want, n);
	kml_probe_plan_release(&plan);
}

#define PLAN_INSERT(f, name, flags, extra, ...)                                        \
	do {                                                                          \
		const struct want w_[] = { __VA_ARGS__ };                             \
		plan_insert(f, name, flags, extra, w_, ARRAY_SIZE(w_));               \
	} while (0)
#define PLAN_REMOVE(f, name, flags, ...)                                               \
	do {                                                                          \
		const struct want w_[] = { __VA_ARGS__ };                             \
		plan_remove(f, name, flags, w_, ARRAY_SIZE(w_));                      \
	} while (0)

/* the first step of every load: the target already in the kernel ends it */
#define CHECK(n, ...)                                                                   \
	{ .action = IF_NOT_LOADED, .name = (n), .required = true, .target = true, __VA_ARGS__ }

/* ---------------------------------------------------------------- loading */

static void test_insert_dependencies(void **state)
{
	struct fixture *f = *state;
	/* deepest first; config and command-line options; the target's extra */
	PLAN_INSERT(f, "mod_b", 0, "x=1",
		    CHECK("mod_b"),
		    { .action = INSERT, .name = "mod_a", .required = true, .path = "kernel/mod_a.ko", .options = "a=1 " },
		    { .action = INSERT, .name = "mod_b", .required = true, .target = true, .path = "kernel/mod_b.ko",
		      .options = "q=2 x=1" });
	PLAN_INSERT(f, "mod_a", 0, NULL,
		    CHECK("mod_a"),
		    { .action = INSERT, .name = "mod_a", .required = true, .target = true, .path = "kernel/mod_a.ko",
		      .options = "a=1 " });
}

static void test_insert_softdeps(void **state)
{
	struct fixture *f = *state;
	/* dependencies, then the pre-softdep, the module, the post-softdep;
	 * softdeps are not required */
	PLAN_INSERT(f, "mod_c", 0, NULL,
		    CHECK("mod_c"),
		    { .action = INSERT, .name = "mod_a", .required = true, .path = "kernel/mod_a.ko", .options = "a=1 " },
		    { .action = INSERT, .name = "mod_b", .required = true, .path = "kernel/mod_b.ko", .options = "q=2 " },
		    { .action = INSERT, .name = "mod_pre", .path = "kernel/mod_pre.ko" },
		    { .action = INSERT, .name = "mod_c", .required = true, .target = true, .path = "kernel/mod_c.ko" },
		    { .action = INSERT, .name = "mod_post", .path = "kernel/mod_post.ko" });
	/* a pre-softdep with dependencies of its own: they come first, and
	 * are not required of mod_d */
	PLAN_INSERT(f, "mod_d", 0, NULL,
		    CHECK("mod_d"),
		    { .action = INSERT, .name = "mod_a", .path = "kernel/mod_a.ko", .options = "a=1 " },
		    { .action = INSERT, .name = "mod_b", .path = "kernel/mod_b.ko", .options = "q=2 " },
		    { .action = INSERT, .name = "mod_d", .required = true, .target = true, .path = "kernel/mod_d.ko" });
	/* a softdep on an alias of two modules, and one that resolves to nothing */
	PLAN_INSERT(f, "mod_multi", 0, NULL,
		    CHECK("mod_multi"),
		    { .action = INSERT, .name = "mod_multi", .required = true, .target = true,
		      .path = "kernel/mod_multi.ko" },
		    { .action = INSERT, .name = "mod_pre", .path = "kernel/mod_pre.ko" },
		    { .action = INSERT, .name = "mod_post", .path = "kernel/mod_post.ko" });
}

static void test_insert_install_command(void **state)
{
	struct fixture *f = *state;
	PLAN_INSERT(f, "mod_inst", 0, "p=1",
		    CHECK("mod_inst"),
		    { .action = INSERT, .name = "mod_a", .required = true, .path = "kernel/mod_a.ko", .options = "a=1 " },
		    { .action = INSTALL, .name = "mod_inst", .required = true, .target = true,
		      .path = "kernel/mod_inst.ko", .options = "p=1",
		      .command = "/bin/echo $CMDLINE_OPTS" });
}

static void test_insert_ignore_install(void **state)
{
	struct fixture *f = *state;
	PLAN_INSERT(f, "mod_inst", KML_PROBE_IGNORE_COMMANDS, NULL,
		    CHECK("mod_inst"),
		    { .action = INSERT, .name = "mod_a", .required = true, .path = "kernel/mod_a.ko", .options = "a=1 " },
		    { .action = INSERT, .name = "mod_inst", .required = true, .target = true,
		      .path = "kernel/mod_inst.ko" });
	/* -i: no softdeps of the target either */
	PLAN_INSERT(f, "mod_c", KML_PROBE_IGNORE_COMMANDS, NULL,
		    CHECK("mod_c"),
		    { .action = INSERT, .name = "mod_a", .required = true, .path = "kernel/mod_a.ko", .options = "a=1 " },
		    { .action = INSERT, .name = "mod_b", .required = true, .path = "kernel/mod_b.ko", .options = "q=2 " },
		    { .action = INSERT, .name = "mod_c", .required = true, .target = true, .path = "kernel/mod_c.ko" });
}

static void test_insert_blacklist(void **state)
{
	struct fixture *f = *state;
	const unsigned int A = KML_PROBE_BLACKLIST_ALIAS;
	/* by name: loaded; with -b, or through an alias: only the check */
	PLAN_INSERT(f, "mod_bl", A, NULL,
		    CHECK("mod_bl"),
		    { .action = INSERT, .name = "mod_bl", .required = true, .target = true, .path = "kernel/mod_bl.ko" });
	PLAN_INSERT(f, "mod_bl", KML_PROBE_USE_BLACKLIST, NULL, CHECK("mod_bl"));
	PLAN_INSERT(f, "bl-alias", A, NULL, CHECK("mod_bl"));
	PLAN_INSERT(f, "bl-alias", KML_PROBE_USE_BLACKLIST, NULL, CHECK("mod_bl"));
	/* without the alias rule (libkmod's probe without blacklist flags) */
	PLAN_INSERT(f, "bl-alias", 0, NULL,
		    CHECK("mod_bl"),
		    { .action = INSERT, .name = "mod_bl", .required = true, .target = true, .path = "kernel/mod_bl.ko" });
	/* the loaded state is checked before the blacklist (kmod 30) */
	PLAN_INSERT(f, "bl-alias", A | KML_PROBE_FIRST_TIME, NULL,
		    CHECK("mod_bl", .flags = KML_PROBE_FAIL_LOADED));
	/* an alias of a module that is not blacklisted */
	PLAN_INSERT(f, "pre-alias", KML_PROBE_USE_BLACKLIST, NULL,
		    CHECK("mod_pre"),
		    { .action = INSERT, .name = "mod_pre", .required = true, .target = true,
		      .path = "kernel/mod_pre.ko" });
}

static void test_insert_first_time(void **state)
{
	struct fixture *f = *state;
	/* already loaded: the check and the target's step fail the load;
	 * its dependencies and softdeps already there are skipped */
	PLAN_INSERT(f, "mod_c", KML_PROBE_FIRST_TIME, NULL,
		    CHECK("mod_c", .flags = KML_PROBE_FAIL_LOADED),
		    { .action = INSERT, .name = "mod_a", .required = true, .path = "kernel/mod_a.ko", .options = "a=1 " },
		    { .action = INSERT, .name = "mod_b", .required = true, .path = "kernel/mod_b.ko", .options = "q=2 " },
		    { .action = INSERT, .name = "mod_pre", .path = "kernel/mod_pre.ko" },
		    { .action = INSERT, .name = "mod_c", .flags = KML_PROBE_FAIL_LOADED, .required = true,
		      .target = true, .path = "kernel/mod_c.ko" },
		    { .action = INSERT, .name = "mod_post", .path = "kernel/mod_post.ko" });
	PLAN_INSERT(f, "mod_inst", KML_PROBE_FIRST_TIME, NULL,
		    CHECK("mod_inst", .flags = KML_PROBE_FAIL_LOADED),
		    { .action = INSERT, .name = "mod_a", .required = true, .path = "kernel/mod_a.ko", .options = "a=1 " },
		    { .action = INSTALL, .name = "mod_inst", .flags = KML_PROBE_FAIL_LOADED, .required = true,
		      .target = true, .path = "kernel/mod_inst.ko",
		      .command = "/bin/echo $CMDLINE_OPTS" });
}

static void test_insert_only_check(void **state)
{
	struct fixture *f = *state;
	/* the first step alone: no dependencies, softdeps or commands planned */
	PLAN_INSERT(f, "mod_c", KML_PROBE_ONLY_CHECK, NULL, CHECK("mod_c"));
	PLAN_INSERT(f, "mod_inst", KML_PROBE_ONLY_CHECK | KML_PROBE_FIRST_TIME, NULL,
		    CHECK("mod_inst", .flags = KML_PROBE_FAIL_LOADED));
	PLAN_INSERT(f, "mod_bi", KML_PROBE_ONLY_CHECK, NULL, CHECK("mod_bi", .builtin = true));
}

static void test_insert_builtin(void **state)
{
	struct fixture *f = *state;
	/* built-in by modules.builtin: in the kernel already, whatever sysfs says */
	PLAN_INSERT(f, "mod_bi", 0, NULL,
		    CHECK("mod_bi", .builtin = true),
		    { .action = INSERT, .name = "mod_bi", .required = true, .target = true, .builtin = true });
	PLAN_INSERT(f, "mod_bi", KML_PROBE_FIRST_TIME, NULL,
		    CHECK("mod_bi", .flags = KML_PROBE_FAIL_LOADED, .builtin = true),
		    { .action = INSERT, .name = "mod_bi", .flags = KML_PROBE_FAIL_LOADED, .required = true,
		      .target = true, .builtin = true });
}

static void test_insert_path(void **state)
{
	struct fixture *f = *state;
	/* a module given as a file: its name's dependencies and options */
	char *path;
	assert_true(asprintf(&path, "%s/kernel/mod_b.ko", f->moddir) > 0);
	struct kml_module_list list = { 0 };
	assert_int_equal(kml_module_from_path(path, &list), 0);
	assert_int_equal(list.count, 1);
	struct kml_probe_plan plan = { 0 };
	assert_int_equal(kml_probe_plan_insert(f->ctx, f->config, &list.modules[0], 0, NULL, &plan),
			 0);
	const struct want w[] = {
		CHECK("mod_b"),
		{ .action = INSERT, .name = "mod_a", .required = true, .path = "kernel/mod_a.ko", .options = "a=1 " },
		{ .action = INSERT, .name = "mod_b", .required = true, .target = true, .path = "kernel/mod_b.ko",
		  .options = "q=2 " },
	};
	check_plan(f, &plan, w, ARRAY_SIZE(w));
	kml_probe_plan_release(&plan);
	kml_module_list_release(&list);
	free(path);
}

/* ---------------------------------------------------------------- removal */

/* the target's first step: not loaded ends it, built-in fails it */
#define LOADED_F(n, f)                                                                  \
	{ .action = IF_LOADED, .name = (n), .flags = (f), .required = true, .target = true }
#define LOADED(n) LOADED_F(n, KML_PROBE_FAIL_BUILTIN)

static void test_remove_dependencies(void **state)
{
	struct fixture *f = *state;
	/* post-softdeps, the module (refused in use), its dependencies
	 * closest first, pre-softdeps */
	PLAN_REMOVE(f, "mod_c", 0,
		    LOADED("mod_c"),
		    { .action = NESTED, .name = "mod_post" },
		    { .action = REMOVE, .name = "mod_c", .flags = KML_PROBE_FAIL_BUSY, .required = true,
		      .target = true },
		    { .action = NESTED, .name = "mod_b" },
		    { .action = NESTED, .name = "mod_a" },
		    { .action = NESTED, .name = "mod_pre" });
	/* a dependency: in use, it stays and the plan ends without failure */
	PLAN_REMOVE(f, "mod_b", KML_PROBE_NESTED,
		    { .action = IF_LOADED, .name = "mod_b" },
		    { .action = REMOVE, .name = "mod_b", .flags = KML_PROBE_KEEP_BUSY },
		    { .action = NESTED, .name = "mod_a" });
	PLAN_REMOVE(f, "mod_a", KML_PROBE_NESTED,
		    { .action = IF_LOADED, .name = "mod_a" },
		    { .action = REMOVE, .name = "mod_a", .flags = KML_PROBE_KEEP_BUSY });
	/* softdeps: each name's modules, last first */
	PLAN_REMOVE(f, "mod_multi", 0,
		    LOADED("mod_multi"),
		    { .action = NESTED, .name = "mod_post" },
		    { .action = NESTED, .name = "mod_pre" },
		    { .action = REMOVE, .name = "mod_multi", .flags = KML_PROBE_FAIL_BUSY, .required = true,
		      .target = true });
}

static void test_remove_in_use(void **state)
{
	struct fixture *f = *state;
	/* -w: the target in use is left to the kernel */
	PLAN_REMOVE(f, "mod_b", KML_PROBE_WAIT,
		    LOADED("mod_b"),
		    { .action = REMOVE, .name = "mod_b", .required = true, .target = true },
		    { .action = NESTED, .name = "mod_a" });
	/* a dependency stays in use whatever -w says */
	PLAN_REMOVE(f, "mod_a", KML_PROBE_WAIT | KML_PROBE_NESTED,
		    { .action = IF_LOADED, .name = "mod_a" },
		    { .action = REMOVE, .name = "mod_a", .flags = KML_PROBE_KEEP_BUSY });
}

static void test_remove_holders(void **state)
{
	struct fixture *f = *state;
	/* after the post-softdeps, before the module; its failure fails the plan */
	PLAN_REMOVE(f, "mod_c", KML_PROBE_HOLDERS_FIRST,
		    LOADED("mod_c"),
		    { .action = NESTED, .name = "mod_post" },
		    { .action = HOLDERS, .name = "mod_c", .required = true },
		    { .action = REMOVE, .name = "mod_c", .flags = KML_PROBE_FAIL_BUSY, .required = true,
		      .target = true },
		    { .action = NESTED, .name = "mod_b" },
		    { .action = NESTED, .name = "mod_a" },
		    { .action = NESTED, .name = "mod_pre" });
	/* dependencies have their holders removed too */
	PLAN_REMOVE(f, "mod_a", KML_PROBE_HOLDERS_FIRST | KML_PROBE_NESTED,
		    { .action = IF_LOADED, .name = "mod_a" },
		    { .action = HOLDERS, .name = "mod_a", .required = true },
		    { .action = REMOVE, .name = "mod_a", .flags = KML_PROBE_KEEP_BUSY });
}

static void test_remove_first_time(void **state)
{
	struct fixture *f = *state;
	PLAN_REMOVE(f, "mod_b", KML_PROBE_FIRST_TIME,
		    LOADED_F("mod_b", KML_PROBE_FAIL_BUILTIN | KML_PROBE_FAIL_ABSENT),
		    { .action = REMOVE, .name = "mod_b", .flags = KML_PROBE_FAIL_BUSY | KML_PROBE_FAIL_ABSENT,
		      .required = true, .target = true },
		    { .action = NESTED, .name = "mod_a" });
	/* only for the target */
	PLAN_REMOVE(f, "mod_a", KML_PROBE_FIRST_TIME | KML_PROBE_NESTED,
		    { .action = IF_LOADED, .name = "mod_a" },
		    { .action = REMOVE, .name = "mod_a", .flags = KML_PROBE_KEEP_BUSY });
}

static void test_remove_command(void **state)
{
	struct fixture *f = *state;
	/* the command runs whatever the kernel says; no dependencies removed */
	PLAN_REMOVE(f, "mod_rm", 0,
		    { .action = REMOVE_COMMAND, .name = "mod_rm", .required = true, .target = true,
		      .command = "/bin/echo bye" });
	PLAN_REMOVE(f, "mod_rm", KML_PROBE_NESTED,
		    { .action = REMOVE_COMMAND, .name = "mod_rm", .command = "/bin/echo bye" });
	/* -i: the target's command and softdeps are ignored, not a nested one's */
	PLAN_REMOVE(f, "mod_rm", KML_PROBE_IGNORE_COMMANDS,
		    LOADED("mod_rm"),
		    { .action = REMOVE, .name = "mod_rm", .flags = KML_PROBE_FAIL_BUSY, .required = true,
		      .target = true },
		    { .action = NESTED, .name = "mod_a" });
	PLAN_REMOVE(f, "mod_rm", KML_PROBE_IGNORE_COMMANDS | KML_PROBE_NESTED,
		    { .action = REMOVE_COMMAND, .name = "mod_rm", .command = "/bin/echo bye" });
	PLAN_REMOVE(f, "mod_c", KML_PROBE_IGNORE_COMMANDS,
		    LOADED("mod_c"),
		    { .action = REMOVE, .name = "mod_c", .flags = KML_PROBE_FAIL_BUSY, .required = true,
		      .target = true },
		    { .action = NESTED, .name = "mod_b" },
		    { .action = NESTED, .name = "mod_a" });
	/* an install command is no remove command */
	PLAN_REMOVE(f, "mod_inst", 0,
		    LOADED("mod_inst"),
		    { .action = REMOVE, .name = "mod_inst", .flags = KML_PROBE_FAIL_BUSY, .required = true,
		      .target = true },
		    { .action = NESTED, .name = "mod_a" });
}

static void test_remove_builtin(void **state)
{
	struct fixture *f = *state;
	/* the refusal is the IF_LOADED condition: the target fails, a
	 * dependency or softdep that is built-in ends its plan quietly */
	PLAN_REMOVE(f, "mod_bi", 0,
		    LOADED("mod_bi"),
		    { .action = REMOVE, .name = "mod_bi", .flags = KML_PROBE_FAIL_BUSY, .required = true,
		      .target = true });
	PLAN_REMOVE(f, "mod_bi", KML_PROBE_NESTED,
		    { .action = IF_LOADED, .name = "mod_bi" },
		    { .action = REMOVE, .name = "mod_bi", .flags = KML_PROBE_KEEP_BUSY });
	/* a name in no index: planned by its name all the same */
	PLAN_REMOVE(f, "no_such_mod", 0,
		    LOADED("no_such_mod"),
		    { .action = REMOVE, .name = "no_such_mod", .flags = KML_PROBE_FAIL_BUSY, .required = true,
		      .target = true });
}

static void test_remove_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct kml_probe_plan plan = { 0 };
	struct kml_module m = { .name = NULL };
	assert_int_equal(kml_probe_plan_remove(f->ctx, f->config, &m, 0, &plan), -EINVAL);
	assert_int_equal(kml_probe_plan_remove(f->ctx, f->config, NULL, 0, &plan), -EINVAL);
	m.name = (char *)"mod_a";
	assert_int_equal(kml_probe_plan_remove(f->ctx, NULL, &m, 0, &plan), -EINVAL);
	assert_int_equal(kml_probe_plan_remove(f->ctx, f->config, &m, 0, NULL), -EINVAL);
	assert_null(plan.steps);
	kml_probe_plan_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_dependencies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_softdeps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_install_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_ignore_install, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_blacklist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_first_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_only_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_builtin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_dependencies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_holders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_first_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_builtin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_bad_arguments, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
