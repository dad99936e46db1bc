// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modprobe configuration: directives, merging, normalisation, the module
 * directory's softdep/weakdep files, the kernel command line, the dump and
 * hostile input. Expected texts were checked against `modprobe -c` of
 * kmod 30, except for the differences named where they occur.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "test-helpers.h"

char root[] = "/tmp/kml-test-config-XXXXXX";
static struct kml_ctx *ctx;

static struct kml_config *load_paths(const char *const *paths, const char *cmdline)
{
	struct kml_config *config = NULL;
	assert_int_equal(kml_config_load(ctx, paths, cmdline, &config), 0);
	assert_non_null(config);
	return config;
}

/* Writes TEXT as ROOT/tN/x.conf (a fresh directory each time) and loads it. */
static int test_counter;
static char last_conf[512];
static struct kml_config *load_text(const char *text, const char *cmdline)
{
	char dir[64], name[96];
	snprintf(dir, sizeof(dir), "t%d", ++test_counter);
	mkdir_in(dir);
	snprintf(name, sizeof(name), "%s/x.conf", dir);
	write_file(name, text);
	snprintf(last_conf, sizeof(last_conf), "%s", at(name));
	const char *paths[] = { at(dir), NULL };
	return load_paths(paths, cmdline);
}

static char *dump(const struct kml_config *config)
{
	char *text = NULL;
	assert_int_equal(kml_config_dump(config, &text), 0);
	assert_non_null(text);
	return text;
}

/* The dump is WANT followed by the blank line that precedes "# End of
 * configuration files" in `modprobe -c`. */
static void expect_dump(const struct kml_config *config, const char *want)
{
	char *text = dump(config);
	size_t n = strlen(text);
	assert_true(n > 0);
	assert_int_equal(text[n - 1], '\n');
	text[n - 1] = '\0';
	assert_string_equal(text, want);
	free(text);
}

/* Module names the aliases give for NAME, joined by spaces ("" for none). */
static char *aliases_of(const struct kml_config *config, const char *name)
{
	const char **mods = NULL;
	size_t n = 99;
	assert_int_equal(kml_config_get_aliases(config, name, &mods, &n), 0);
	struct strbuf sb = { 0 };
	assert_int_equal(strbuf_append(&sb, "", 0), 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_int_equal(strbuf_append_str(&sb, " "), 0);
		assert_int_equal(strbuf_append_str(&sb, mods[i]), 0);
	}
	free(mods);
	return sb.data;
}

static void expect_aliases(const struct kml_config *config, const char *name, const char *want)
{
	char *got = aliases_of(config, name);
	assert_string_equal(got, want);
	free(got);
}

static void expect_words(const char *const *got, size_t n, const char *want)
{
	struct strbuf sb = { 0 };
	assert_int_equal(strbuf_append(&sb, "", 0), 0);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(got[i]);
		if (i)
			assert_int_equal(strbuf_append_str(&sb, " "), 0);
		assert_int_equal(strbuf_append_str(&sb, got[i]), 0);
	}
	assert_null(got[n]); /* NULL-terminated */
	assert_string_equal(sb.data, want);
	free(sb.data);
}

static void expect_softdeps(const struct kml_config *config, const char *module, const char *pre,
			    const char *post)
{
	const char *const *p = NULL, *const *q = NULL;
	size_t np = 99, nq = 99;
	assert_int_equal(kml_config_get_softdeps(config, module, &p, &np, &q, &nq), 0);
	assert_non_null(p);
	assert_non_null(q);
	expect_words(p, np, pre);
	expect_words(q, nq, post);
}

static void expect_weakdeps(const struct kml_config *config, const char *module, const char *want)
{
	const char *const *w = NULL;
	size_t n = 99;
	assert_int_equal(kml_config_get_weakdeps(config, module, &w, &n), 0);
	assert_non_null(w);
	expect_words(w, n, want);
}

static void expect_string_or_null(const char *got, const char *want)
{
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

/* "FILE line N: ignoring bad line starting with 'CMD'\n" for the last file */
static void append_bad(struct strbuf *sb, int line, const char *cmd)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s line %d: ignoring bad line starting with '%s'\n", last_conf,
		 line, cmd);
	assert_int_equal(strbuf_append_str(sb, buf), 0);
}

static const char *module_dir_file(const char *name)
{
	static char p[600];
	snprintf(p, sizeof(p), "%s/lib/modules/1.0/%s", root, name);
	return p;
}

static void write_module_dir_file(const char *name, const char *text)
{
	FILE *f = fopen(module_dir_file(name), "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;
	char p[600];
	snprintf(p, sizeof(p), "%s/lib", root);
	if (mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/lib/modules", root);
	if (mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/lib/modules/1.0", root);
	if (mkdir(p, 0755) < 0)
		return -1;
	if (kml_ctx_new(root, "1.0", &ctx) < 0)
		return -1;
	kml_ctx_set_log(ctx, capture_log, &logged, KML_LOG_DEBUG);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kml_ctx_free(ctx);
	log_reset();
	return remove_root();
}

static int before_each(void **state)
{
	(void)state;
	log_reset();
	unlink(module_dir_file("modules.softdep"));
	unlink(module_dir_file("modules.weakdep"));
	return 0;
}

/* -------------------------------------------------------------- alias */

static void test_alias(void **state)
{
	(void)state;
	struct kml_config *c = load_text("alias  my-alias   snd-pcm\n"
					 "alias pci:v*d[0-9-a]* foo-bar\n"
					 "alias ok x-[y]\n"
					 "alias my_alias second extra words ignored\n"
					 "alias a.b-c m\n"
					 "alias star* wild\n"
					 "alias *  everything\n",
					 NULL);
	/* names and patterns normalised, brackets kept; every match, in order */
	expect_aliases(c, "my-alias", "snd_pcm second everything");
	expect_aliases(c, "my_alias", "snd_pcm second everything");
	expect_aliases(c, "pci:v1d5x", "foo_bar everything");
	expect_aliases(c, "pci:v1d-x", "everything"); /* the query's '-' is '_' */
	expect_aliases(c, "pci:v1dbx", "everything");
	expect_aliases(c, "pci:v1d[5]x", "everything"); /* brackets: the query is literal */
	expect_aliases(c, "a.b-c", "m everything");
	expect_aliases(c, "a.b_c", "m everything");
	expect_aliases(c, "starry", "wild everything");
	expect_aliases(c, "ok", "x_[y] everything");
	expect_aliases(c, "My_alias", "everything"); /* case matters */
	assert_int_equal(logged.count, 0);
	expect_dump(c, "alias my_alias snd_pcm\n"
		       "alias pci:v*d[0-9-a]* foo_bar\n"
		       "alias ok x_[y]\n"
		       "alias my_alias second\n"
		       "alias a.b_c m\n"
		       "alias star* wild\n"
		       "alias * everything\n");

	/* a query with bad brackets is no name */
	const char **mods = (const char **)1;
	size_t n = 7;
	assert_int_equal(kml_config_get_aliases(c, "a]b", &mods, &n), -EINVAL);
	assert_int_equal(kml_config_get_aliases(c, "a[b", &mods, &n), -EINVAL);
	assert_int_equal(kml_config_get_aliases(NULL, "a", &mods, &n), -EINVAL);
	assert_int_equal(kml_config_get_aliases(c, NULL, &mods, &n), -EINVAL);
	assert_ptr_equal(mods, (const char **)1);
	assert_int_equal(n, 7);
	kml_config_free(c);

	/* nothing configured */
	c = load_text("", NULL);
	assert_int_equal(kml_config_get_aliases(c, "x", &mods, &n), 0);
	assert_int_equal(n, 0);
	free(mods);
	kml_config_free(c);

	/* a long name */
	char longname[1000];
	memset(longname, 'q', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	c = load_text("alias q* long\n", NULL);
	expect_aliases(c, longname, "long");
	kml_config_free(c);
}

static void test_normalisation(void **state)
{
	(void)state;
	/* bad brackets make the line bad, for every directive (as kmod 30) */
	struct kml_config *c = load_text("alias a]-b x\n"
					 "alias a[-b x-[y]\n"
					 "alias z-[ q\n"
					 "options f[ p\n"
					 "options g] p\n"
					 "blacklist h[\n"
					 "install i] c\n"
					 "softdep j] pre: a\n"
					 "alias ok3 a-b-[c-d]-e-[f\n"
					 "alias a[[-]]-b c\n"
					 "alias a[]-]-b c\n"
					 "weakdep k] a\n"
					 "remove l[ x\n",
					 NULL);
	struct strbuf want = { 0 };
	static const char *const cmds[] = { "alias",   "alias",	  "alias",   "options", "options",
					    "blacklist", "install", "softdep", "alias",	  "alias",
					    "alias",   "weakdep", "remove" };
	/* every bad line is reported as the file is read, in its order,
	 * softdep and weakdep ones too (as kmod does), and only then */
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		append_bad(&want, (int)i + 1, cmds[i]);
	assert_string_equal(log_text(), want.data);
	expect_dump(c, "");
	assert_string_equal(log_text(), want.data);
	free(want.data);
	kml_config_free(c);
	log_reset();

	/* inside brackets nothing changes; the module of options, blacklist,
	 * install keeps its brackets too; softdep dependencies are kept as
	 * written (they are looked up later) */
	c = load_text("options f[-x]-y p-q=1\n"
		      "blacklist g[-]-h\n"
		      "install h-[x] cmd\n"
		      "softdep i-j pre: k-l\n",
		      NULL);
	expect_dump(c, "blacklist g[-]_h\n"
		       "install h_[x] cmd\n"
		       "options f[-x]_y p-q=1\n"
		       "softdep i_j pre: k-l\n");
	expect_string_or_null(kml_config_get_options(c, "f[-x]-y"), "p-q=1");
	expect_string_or_null(kml_config_get_options(c, "f[-x]_y"), "p-q=1");
	expect_string_or_null(kml_config_get_options(c, "f[_x]_y"), NULL);
	assert_true(kml_config_is_blacklisted(c, "g[-]-h"));
	expect_string_or_null(kml_config_get_install(c, "h-[x]"), "cmd");
	expect_softdeps(c, "i-j", "k-l", "");
	/* bad names never match */
	assert_false(kml_config_is_blacklisted(c, "g[-"));
	expect_string_or_null(kml_config_get_options(c, "]"), NULL);
	kml_config_free(c);
	assert_int_equal(logged.count, 0);
}

/* ------------------------------------------------------------ options */

static void test_options(void **state)
{
	(void)state;
	struct kml_config *c = load_text("options snd-pcm  index=1   id=\"x y\"\n"
					 "options other a=1\n"
					 "options snd_pcm a=b\n"
					 "options  m \"x=a b\"  'q r'\n"
					 "\toptions tabbed p=1\tq=2\t \n"
					 "options x y # not a comment\n"
					 "options q \"x\ty\"\t z\n"
					 "options unterminated a=\"b c\n"
					 "options cont a=1 \\\n   b=2\\\n\tc=3 \\\nd=4\n",
					 NULL);
	/* the text of each line as written (tabs turned into spaces), lines
	 * joined by a space in file order, as kmod 30 passes them */
	expect_string_or_null(kml_config_get_options(c, "snd-pcm"), " index=1   id=\"x y\" a=b");
	expect_string_or_null(kml_config_get_options(c, "snd_pcm"), " index=1   id=\"x y\" a=b");
	expect_string_or_null(kml_config_get_options(c, "m"), "\"x=a b\"  'q r'");
	expect_string_or_null(kml_config_get_options(c, "tabbed"), "p=1 q=2  ");
	expect_string_or_null(kml_config_get_options(c, "x"), "y # not a comment");
	expect_string_or_null(kml_config_get_options(c, "q"), "\"x y\"  z");
	/* continued lines: kmod 30 prints "a=1    b=2 c=3 d=4" (-c, -D) */
	expect_string_or_null(kml_config_get_options(c, "cont"), "a=1    b=2 c=3 d=4");
	expect_string_or_null(kml_config_get_options(c, "unterminated"), "a=\"b c");
	expect_string_or_null(kml_config_get_options(c, "other"), "a=1");
	expect_string_or_null(kml_config_get_options(c, "none"), NULL);
	expect_string_or_null(kml_config_get_options(c, NULL), NULL);
	expect_string_or_null(kml_config_get_options(NULL, "x"), NULL);
	expect_string_or_null(kml_config_get_cmdline_options(c, "snd_pcm"), NULL);
	assert_int_equal(logged.count, 0);
	/* the dump keeps the text after the module name's separator, tabs
	 * turned into spaces (as kmod 30) */
	expect_dump(c, "options snd_pcm  index=1   id=\"x y\"\n"
		       "options other a=1\n"
		       "options snd_pcm a=b\n"
		       "options m \"x=a b\"  'q r'\n"
		       "options tabbed p=1 q=2  \n"
		       "options x y # not a comment\n"
		       "options q \"x y\"  z\n"
		       "options unterminated a=\"b c\n"
		       "options cont a=1    b=2 c=3 d=4\n");
	kml_config_free(c);

	/* no module or no option: bad lines. kmod 30 takes "options b" followed
	 * by two blanks as an empty option (deliberate difference) */
	c = load_text("options\noptions onlyname\noptions b \noptions c  \noptions d \t\n", NULL);
	struct strbuf want = { 0 };
	for (int i = 1; i <= 5; i++)
		append_bad(&want, i, "options");
	assert_string_equal(log_text(), want.data);
	free(want.data);
	expect_dump(c, "");
	kml_config_free(c);
}

/* ---------------------------------------------------- install, remove */

static void test_install_remove(void **state)
{
	(void)state;
	struct kml_config *c = load_text("install snd-pcm /bin/echo   hi  there ;  foo\n"
					 "install snd-pcm second\n"
					 "install snd_pcm third\n"
					 "remove snd-pcm  /bin/true \t x\t\n"
					 "remove snd-pcm second\n"
					 "install a /bin/x\t\ty  \n"
					 "install c x\\\ny\\z\\\\w \\\n  more\n",
					 NULL);
	/* the first one wins; the command as written */
	expect_string_or_null(kml_config_get_install(c, "snd-pcm"), "/bin/echo   hi  there ;  foo");
	expect_string_or_null(kml_config_get_install(c, "snd_pcm"), "/bin/echo   hi  there ;  foo");
	expect_string_or_null(kml_config_get_remove(c, "snd-pcm"), " /bin/true \t x\t");
	expect_string_or_null(kml_config_get_install(c, "a"), "/bin/x\t\ty  ");
	expect_string_or_null(kml_config_get_install(c, "c"), "xyz\\w   more");
	expect_string_or_null(kml_config_get_remove(c, "a"), NULL);
	expect_string_or_null(kml_config_get_install(c, "none"), NULL);
	expect_string_or_null(kml_config_get_install(NULL, "a"), NULL);
	expect_string_or_null(kml_config_get_remove(c, NULL), NULL);
	assert_int_equal(logged.count, 0);
	/* the dump shows them all, tabs kept */
	expect_dump(c, "install snd_pcm /bin/echo   hi  there ;  foo\n"
		       "install snd_pcm second\n"
		       "install snd_pcm third\n"
		       "install a /bin/x\t\ty  \n"
		       "install c xyz\\w   more\n"
		       "remove snd_pcm  /bin/true \t x\t\n"
		       "remove snd_pcm second\n");
	kml_config_free(c);

	c = load_text("install\ninstall m\nremove m \nremove\ninstall n \t \n", NULL);
	struct strbuf want = { 0 };
	append_bad(&want, 1, "install");
	append_bad(&want, 2, "install");
	append_bad(&want, 3, "remove");
	append_bad(&want, 4, "remove");
	append_bad(&want, 5, "install");
	assert_string_equal(log_text(), want.data);
	free(want.data);
	expect_string_or_null(kml_config_get_install(c, "m"), NULL);
	kml_config_free(c);
}

/* ---------------------------------------------------------- blacklist */

static void test_blacklist(void **state)
{
	(void)state;
	struct kml_config *c = load_text("blacklist evil-mod\n"
					 "blacklist evil-mod\n"
					 "blacklist a b\n"
					 "blacklist\n",
					 NULL);
	assert_true(kml_config_is_blacklisted(c, "evil-mod"));
	assert_true(kml_config_is_blacklisted(c, "evil_mod"));
	assert_true(kml_config_is_blacklisted(c, "a"));
	assert_false(kml_config_is_blacklisted(c, "b")); /* extra words ignored */
	assert_false(kml_config_is_blacklisted(c, "evil"));
	assert_false(kml_config_is_blacklisted(c, NULL));
	assert_false(kml_config_is_blacklisted(NULL, "a"));
	struct strbuf want = { 0 };
	append_bad(&want, 4, "blacklist");
	assert_string_equal(log_text(), want.data);
	free(want.data);
	expect_dump(c, "blacklist evil_mod\nblacklist evil_mod\nblacklist a\n");
	kml_config_free(c);
}

/* ------------------------------------------------------------- forbid */

static void test_forbid(void **state)
{
	(void)state;
	struct kml_config *c = load_text("# x\n"
					 "forbid evil-mod\n"
					 "forbid evil_mod\n"
					 "forbid a b\n"
					 "forbid\n"
					 "blacklist c\n",
					 "modprobe.forbid=c,d-e x.y=1");
	char want_at[600];
	snprintf(want_at, sizeof(want_at), "%s:2", last_conf);
	/* the first line for a module is where it is forbidden */
	assert_string_equal(kml_config_forbidden(c, "evil-mod"), want_at);
	assert_string_equal(kml_config_forbidden(c, "evil_mod"), want_at);
	assert_null(kml_config_forbidden(c, "a")); /* a bad line: two names */
	assert_null(kml_config_forbidden(c, "b"));
	assert_null(kml_config_forbidden(c, "x"));
	assert_string_equal(kml_config_forbidden(c, "c"),
			    "the kernel command line (modprobe.forbid=)");
	assert_string_equal(kml_config_forbidden(c, "d_e"),
			    "the kernel command line (modprobe.forbid=)");
	/* forbid and blacklist are separate */
	assert_true(kml_config_is_blacklisted(c, "c"));
	assert_false(kml_config_is_blacklisted(c, "evil_mod"));
	struct strbuf want = { 0 };
	append_bad(&want, 4, "forbid");
	append_bad(&want, 5, "forbid");
	assert_string_equal(log_text(), want.data);
	free(want.data);
	expect_dump(c, "blacklist c\noptions x y=1\nforbid evil_mod\nforbid evil_mod\n"
		       "forbid c\nforbid d_e\n");
	kml_config_free(c);
}

/* ------------------------------------------------------------ softdep */

static void test_softdep(void **state)
{
	(void)state;
	struct kml_config *c = load_text("softdep s1 pre: a-b c post: d e-f\n"
					 "softdep s1 pre: z\n"
					 "softdep s2 post: x pre: y\n"
					 "softdep s3 a b\n"
					 "softdep s4 pre: post:\n"
					 "softdep s5\n"
					 "softdep m pre: a post: b pre: c\n"
					 "softdep n post: x\n"
					 "softdep s-x post: last\n",
					 NULL);
	/* several lines merged in file order (kmod keeps the first: bug #33) */
	expect_softdeps(c, "s1", "a-b c z", "d e-f");
	expect_softdeps(c, "s_x", "", "last");
	expect_softdeps(c, "s2", "y", "x");
	/* words before pre:/post: count for nothing (kmod 30 as well) */
	expect_softdeps(c, "s3", "", "");
	expect_softdeps(c, "s4", "", "");
	expect_softdeps(c, "m", "a c", "b");
	expect_softdeps(c, "n", "", "x");
	expect_softdeps(c, "unknown", "", "");
	/* the outputs are optional */
	assert_int_equal(kml_config_get_softdeps(c, "s1", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(kml_config_get_softdeps(NULL, "s1", NULL, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(kml_config_get_softdeps(c, NULL, NULL, NULL, NULL, NULL), -EINVAL);
	struct strbuf want = { 0 };
	append_bad(&want, 6, "softdep");
	assert_string_equal(log_text(), want.data);
	free(want.data);
	/*
	 * Each line as written. kmod 30 prints "pre: a-b cpost: d e-f",
	 * "pre: ypost: x", "softdep s3 " and "pre: a b cpost: b" here.
	 */
	expect_dump(c, "softdep s1 pre: a-b c post: d e-f\n"
		       "softdep s1 pre: z\n"
		       "softdep s2 pre: y post: x\n"
		       "softdep s3\n"
		       "softdep s4\n"
		       "softdep m pre: a c post: b\n"
		       "softdep n post: x\n"
		       "softdep s_x post: last\n");
	kml_config_free(c);
}

static void test_softdep_across_files(void **state)
{
	(void)state;
	mkdir_in("sd-etc");
	mkdir_in("sd-lib");
	write_file("sd-etc/b.conf", "softdep m pre: from-b\n");
	write_file("sd-lib/a.conf", "softdep m pre: from-a post: pa\n");
	write_file("sd-lib/c.conf", "softdep m post: from-c\n");
	write_file("sd-lib/b.conf", "softdep m pre: hidden\n");
	const char *paths[] = { at("sd-etc"), at("sd-lib"), NULL };
	struct kml_config *c = load_paths(paths, NULL);
	expect_softdeps(c, "m", "from-a from-b", "pa from-c");
	kml_config_free(c);
	assert_int_equal(logged.count, 0);
}

/* Softdep lines are parsed module by module as they are asked for; the
 * answers and the dump do not depend on the order of the questions. */
static void test_softdep_on_demand(void **state)
{
	(void)state;
	static const char text[] = "softdep a pre: a1 post: a2\n"
				   "softdep b-x pre: b1\n"
				   "weakdep a w1\n"
				   "softdep a pre: a3\n"
				   "softdep c\n"
				   "weakdep b_x w2\n";
	static const char dump[] = "softdep a pre: a1 post: a2\n"
				   "softdep b_x pre: b1\n"
				   "softdep a pre: a3\n"
				   "weakdep a w1\n"
				   "weakdep b_x w2\n";
	struct kml_config *c = load_text(text, NULL);
	assert_int_equal(logged.count, 1); /* the bad line, reported on reading */
	expect_softdeps(c, "b_x", "b1", "");
	assert_int_equal(logged.count, 1); /* and not again */
	expect_weakdeps(c, "b-x", "w2");
	expect_softdeps(c, "a", "a1 a3", "a2");
	expect_softdeps(c, "a", "a1 a3", "a2");
	expect_weakdeps(c, "a", "w1");
	expect_dump(c, dump);
	assert_int_equal(logged.count, 1);
	kml_config_free(c);
	log_reset();

	c = load_text(text, NULL);
	expect_dump(c, dump);
	expect_softdeps(c, "a", "a1 a3", "a2");
	expect_weakdeps(c, "b_x", "w2");
	kml_config_free(c);
}

/* ------------------------------------------------------------ weakdep */

static void test_weakdep(void **state)
{
	(void)state;
	struct kml_config *c = load_text("weakdep w1 a b\n"
					 "weakdep w-x c\n"
					 "weakdep w2\n"
					 "weakdep w3 pre: x\n"
					 "weakdep w4  \n"
					 "weakdep w5 \n"
					 "weakdep w6\t \t\n"
					 "weakdep  w7\t\n",
					 NULL);
	expect_weakdeps(c, "w1", "a b");
	expect_weakdeps(c, "w_x", "c");
	expect_weakdeps(c, "w3", "pre: x"); /* no markers in weakdep */
	expect_weakdeps(c, "none", "");
	/* as kmod 34.2: blanks after the one ending the name make a line
	 * without dependencies; nothing after it is a bad line */
	expect_weakdeps(c, "w4", "");
	expect_weakdeps(c, "w6", "");
	expect_softdeps(c, "w1", "", "");
	assert_int_equal(kml_config_get_weakdeps(c, "w1", NULL, NULL), 0);
	assert_int_equal(kml_config_get_weakdeps(NULL, "w1", NULL, NULL), -EINVAL);
	struct strbuf want = { 0 };
	append_bad(&want, 3, "weakdep");
	append_bad(&want, 6, "weakdep");
	append_bad(&want, 8, "weakdep");
	assert_string_equal(log_text(), want.data);
	free(want.data);
	/* kmod 34.2 prints a line without dependencies with a space after the name */
	expect_dump(c, "weakdep w1 a b\nweakdep w_x c\nweakdep w3 pre: x\nweakdep w4 \n"
		       "weakdep w6 \n");
	kml_config_free(c);
}

/* -------------------------------------------- module directory's files */

static void test_module_dir_files(void **state)
{
	(void)state;
	write_module_dir_file("modules.softdep",
			      "# Soft dependencies extracted from modules themselves.\n"
			      "softdep ext4 pre: crypto-crc32c\n"
			      "softdep cifs gcm\n"
			      "softdep m pre: from-softdep-file\n"
			      "alias from-sd z\n"
			      "bogus\n");
	write_module_dir_file("modules.weakdep", "weakdep m w1\nweakdep ext4 crc32c\n");
	mkdir_in("md");
	write_file("md/a.conf", "softdep m pre: from-a\nalias conf-a b\n");
	write_file("md/z.conf", "softdep m pre: from-z\nalias conf-z b\nweakdep m w0\n");
	const char *paths[] = { at("md"), NULL };
	struct kml_config *c = load_paths(paths, NULL);
	/* read as configuration files at their basename's place (as kmod 30) */
	expect_softdeps(c, "m", "from-a from-softdep-file from-z", "");
	expect_softdeps(c, "ext4", "crypto-crc32c", "");
	expect_softdeps(c, "cifs", "", "");
	expect_weakdeps(c, "m", "w1 w0");
	expect_weakdeps(c, "ext4", "crc32c");
	expect_aliases(c, "from-sd", "z");
	char want[1024];
	snprintf(want, sizeof(want), "%s line 6: ignoring bad line starting with 'bogus'\n",
		 module_dir_file("modules.softdep"));
	assert_string_equal(log_text(), want);
	expect_dump(c, "alias conf_a b\n"
		       "alias from_sd z\n"
		       "alias conf_z b\n"
		       "softdep m pre: from-a\n"
		       "softdep ext4 pre: crypto-crc32c\n"
		       "softdep cifs\n" /* kmod 30: "softdep cifs " */
		       "softdep m pre: from-softdep-file\n"
		       "softdep m pre: from-z\n"
		       "weakdep m w1\n"
		       "weakdep ext4 crc32c\n"
		       "weakdep m w0\n");
	kml_config_free(c);
	log_reset();

	/* missing files are no news; neither is a context without one */
	unlink(module_dir_file("modules.softdep"));
	unlink(module_dir_file("modules.weakdep"));
	c = load_paths(paths, NULL);
	expect_softdeps(c, "m", "from-a from-z", "");
	kml_config_free(c);
	assert_int_equal(logged.count, 0);
	struct kml_config *out = NULL;
	assert_int_equal(kml_config_load(NULL, paths, NULL, &out), 0);
	expect_softdeps(out, "m", "from-a from-z", "");
	kml_config_free(out);

	/* another module directory */
	struct kml_ctx *other = NULL;
	assert_int_equal(kml_ctx_new(root, "1.0", &other), 0);
	mkdir_in("moddir");
	assert_int_equal(kml_ctx_set_module_dir(other, at("moddir")), 0);
	write_file("moddir/modules.softdep", "softdep m post: elsewhere\n");
	assert_int_equal(kml_config_load(other, paths, NULL, &out), 0);
	expect_softdeps(out, "m", "from-a from-z", "elsewhere");
	kml_config_free(out);
	kml_ctx_free(other);
}

/* ------------------------------------------------ kernel command line */

static void test_cmdline(void **state)
{
	(void)state;
	/* each case's dump was compared with kmod 30's (its blacklist names are
	 * not normalised, and it keeps empty ones and quotes: fixed here) */
	static const struct {
		const char *cmdline;
		const char *dump;
	} cases[] = {
		{ "a.b=1 \"c.d=x y\" e.f=\"g h\" modprobe.blacklist=m1,m2-x i-j.k l.m",
		  "blacklist m1\nblacklist m2_x\noptions a b=1\noptions c d=\"x y\"\n"
		  "options e f=\"g h\"\noptions i_j k\noptions l m\n" },
		{ "e.f=\"gh\"", "options e f=\"gh\"\n" },
		{ "e.f=g\"h i\"j", "options e f=g\"h i\"j\n" },
		{ "\"e.f\"=x", "" },
		{ "e.\"f=x y\"", "" },
		{ "e.f=\"x y", "" },
		{ "e.f=a\"b", "" },
		{ "x \"e.f=x y\" z.w", "options e f=\"x y\"\noptions z w\n" },
		{ "a.b.c=d", "" },
		{ "a.b.c", "" },
		{ "a=b.c=d", "" },
		{ "a.b=c=d", "options a b=c=d\n" },
		{ "modprobe.blacklist", "options modprobe blacklist\n" },
		{ "a.b -- c.d", "options a b\noptions c d\n" },
		{ "a.b=1\tc.d=2\re.f=3\vg.h=4\fi.j=5\nk.l=6", "options a b=1\noptions c d=2\n"
		  "options e f=3\noptions g h=4\noptions i j=5\noptions k l=6\n" },
		{ "mod-x.p-y=1-2", "options mod_x p-y=1-2\n" },
		{ "\"a.b c\" d.e", "options d e\n" },
		{ "a.b=1.5 a.c=x.y", "options a b=1.5\noptions a c=x.y\n" },
		{ "\"e.f=x\"", "options e f=\"x\"\n" },
		{ "\"e.f=x y\"z", "options e f=\"x y\"z\n" },
		{ "e.f=\"x y\"z", "options e f=\"x y\"z\n" },
		{ "e.f=\"a b\" g.h=\"c d\"", "options e f=\"a b\"\noptions g h=\"c d\"\n" },
		{ "e.f=\"\"", "options e f=\"\"\n" },
		{ "\"\"", "" },
		{ "a.b=\"x\"y\"z w\"", "options a b=\"x\"y\"z w\"\n" },
		{ "e\".\"f=1", "" },
		{ "a.b=c\" d.e=f", "" },
		{ "x\"y.z=1 a.b=2\" c.d", "options c d\n" },
		{ "a.b=\nc.d=1", "options a b=\noptions c d=1\n" },
		{ "Modprobe.blacklist=q modprobe.Blacklist=r modprobe.blacklist-x=s",
		  "options Modprobe blacklist=q\noptions modprobe Blacklist=r\n"
		  "options modprobe blacklist-x=s\n" },
		{ "mitigations=auto,nosmt console=ttyS0 quiet random.trust_cpu=1 nomodule "
		  "-- --init --addr 0.0.0.0:2024",
		  "options random trust_cpu=1\n" },
		{ "modprobe.blacklist=x modprobe.blacklist=y", "blacklist x\nblacklist y\n" },
		{ "\"\"\"a.b=1\" c.d", "options c d\n" },
		{ "\"a.b=\" c.d=\"", "options a b=\"\"\n" },
		{ "a.b=\"\" c.d=\"\"x", "options a b=\"\"\noptions c d=\"\"x\n" },
		{ "\"m.p=a=b\" m.q=\"a=b\"", "options m p=\"a=b\"\noptions m q=\"a=b\"\n" },
		{ "", "" },
		{ "   \t ", "" },
		/* kmod 30 prints "options  a=b", "options a =b", "blacklist " twice */
		{ ".a=b a.=b", "" },
		{ "modprobe.blacklist=a,,b,", "blacklist a\nblacklist b\n" },
		{ "modprobe.blacklist=", "" },
		/* kmod 30: blacklist "a and b" */
		{ "modprobe.blacklist=\"a,b\"", "blacklist a\nblacklist b\n" },
		{ "\"modprobe.blacklist=a,b-c\"", "blacklist a\nblacklist b_c\n" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *empty[] = { NULL };
		struct kml_config *c = load_paths(empty, cases[i].cmdline);
		char *text = dump(c);
		text[strlen(text) - 1] = '\0'; /* the blank line */
		if (!streq(text, cases[i].dump))
			fail_msg("cmdline '%s': got '%s', want '%s'", cases[i].cmdline, text,
				 cases[i].dump);
		free(text);
		kml_config_free(c);
	}
	assert_int_equal(logged.count, 0);

	/* bad module names: reported as kmod 30 does */
	const char *empty[] = { NULL };
	struct kml_config *c = load_paths(empty, "a[.b=1 c].d=2 modprobe.blacklist=x],y");
	expect_dump(c, "blacklist y\n");
	assert_string_equal(
		log_text(),
		"Ignoring bad option on kernel command line while parsing module name: 'a['\n"
		"Ignoring bad option on kernel command line while parsing module name: 'c]'\n"
		"Ignoring bad option on kernel command line while parsing module name: 'x]'\n");
	kml_config_free(c);
	log_reset();

	/* the queries */
	c = load_text("options snd-hda p=1\nblacklist conf-bl\n",
		      "snd-hda.q=2 snd_hda.r=\"a b\" x.y \"z-z.w=1 2\" "
		      "modprobe.blacklist=bl-1,bl2 modprobe.blacklist=bl3");
	expect_string_or_null(kml_config_get_options(c, "snd_hda"), "p=1");
	expect_string_or_null(kml_config_get_cmdline_options(c, "snd-hda"), "q=2 r=\"a b\"");
	expect_string_or_null(kml_config_get_cmdline_options(c, "x"), "y");
	expect_string_or_null(kml_config_get_cmdline_options(c, "z_z"), "w=\"1 2\"");
	expect_string_or_null(kml_config_get_options(c, "x"), NULL);
	expect_string_or_null(kml_config_get_cmdline_options(c, "none"), NULL);
	expect_string_or_null(kml_config_get_cmdline_options(NULL, "x"), NULL);
	assert_true(kml_config_is_blacklisted(c, "bl_1"));
	assert_true(kml_config_is_blacklisted(c, "bl-1"));
	assert_true(kml_config_is_blacklisted(c, "bl2"));
	assert_true(kml_config_is_blacklisted(c, "bl3"));
	assert_true(kml_config_is_blacklisted(c, "conf_bl"));
	assert_false(kml_config_is_blacklisted(c, "bl"));
	/* the command line comes after the files in each section */
	expect_dump(c, "blacklist conf_bl\nblacklist bl_1\nblacklist bl2\nblacklist bl3\n"
		       "options snd_hda p=1\noptions snd_hda q=2\noptions snd_hda r=\"a b\"\n"
		       "options x y\noptions z_z w=\"1 2\"\n");
	kml_config_free(c);
	assert_int_equal(logged.count, 0);
}

/* ------------------------------------------------- files and directories */

static void test_basename_override(void **state)
{
	(void)state;
	mkdir_in("b-etc");
	mkdir_in("b-run");
	mkdir_in("b-lib");
	write_file("b-etc/dup.conf", "alias dup from-etc\n");
	write_file("b-run/dup.conf", "alias dup from-run\n");
	write_file("b-lib/dup.conf", "alias dup from-lib\n");
	write_file("b-lib/a.conf", "alias a a-lib\n");
	write_file("b-run/m.conf", "alias m m-run\n");
	write_file("b-etc/z.conf", "alias z z-etc\n");
	write_file("b-etc/n.txt", "alias n not-read\n");
	write_file("b-etc/.hidden.conf", "alias h not-read\n");
	const char *paths[] = { at("b-etc"), at("b-run"), at("b-lib"), NULL };
	struct kml_config *c = load_paths(paths, NULL);
	expect_dump(c, "alias a a_lib\nalias dup from_etc\nalias m m_run\nalias z z_etc\n");
	kml_config_free(c);

	const char *rev[] = { at("b-lib"), at("b-run"), at("b-etc"), NULL };
	c = load_paths(rev, NULL);
	expect_dump(c, "alias a a_lib\nalias dup from_lib\nalias m m_run\nalias z z_etc\n");
	kml_config_free(c);

	/* a file named explicitly takes part, whatever its name */
	const char *files[] = { at("b-run/dup.conf"), at("b-etc/n.txt"), at("b-etc"), NULL };
	c = load_paths(files, NULL);
	expect_dump(c, "alias dup from_run\nalias n not_read\nalias z z_etc\n");
	kml_config_free(c);
	assert_int_equal(logged.count, 0);

	/* a link to /dev/null masks a file silently */
	mkdir_in("mask");
	assert_int_equal(symlink("/dev/null", at("mask/dup.conf")), 0);
	const char *masked[] = { at("mask"), at("b-etc"), NULL };
	c = load_paths(masked, NULL);
	expect_dump(c, "alias z z_etc\n");
	kml_config_free(c);
	assert_int_equal(logged.count, 0);

	/* a directory inside is reported, a FIFO refused without blocking */
	mkdir_in("odd");
	mkdir_in("odd/sub.conf");
	assert_int_equal(mkfifo(at("odd/fifo.conf"), 0600), 0);
	write_file("odd/ok.conf", "alias ok ok\n");
	const char *odd[] = { at("odd"), NULL };
	c = load_paths(odd, NULL);
	expect_dump(c, "alias ok ok\n");
	kml_config_free(c);
	assert_non_null(strstr(log_text(), "Directories inside directories are not supported"));
	assert_non_null(strstr(log_text(), "odd/fifo.conf"));
	log_reset();

	/* missing paths, an empty list, the defaults: never a failure */
	const char *missing[] = { at("nope"), "/nonexistent/x.conf", NULL };
	c = load_paths(missing, NULL);
	expect_dump(c, "");
	kml_config_free(c);
	c = load_paths(NULL, NULL);
	kml_config_free(c);
	assert_int_equal(kml_config_load(ctx, missing, NULL, NULL), -EINVAL);
	kml_config_free(NULL);
	char *text = NULL;
	assert_int_equal(kml_config_dump(NULL, &text), -EINVAL);
	assert_null(text);
}

/* ---------------------------------------------------------- bad lines */

static void test_bad_lines(void **state)
{
	(void)state;
	struct kml_config *c = load_text("# comment\n"
					 "\n"
					 "   \t\n"
					 "bogus line here\n"
					 "  # indented comment\n"
					 "include /etc/foo\n"
					 "config foo\n"
					 "ALIAS a b\n"
					 "alias=x y\n"
					 "bo\\\ngus\n"
					 "alias onlyone\n"
					 "install\\\n"
					 " m \\\n"
					 "cmd\n"
					 "options x y\n",
					 NULL);
	expect_dump(c, "install m cmd\noptions x y\n");
	kml_config_free(c);
	struct strbuf want = { 0 };
	append_bad(&want, 4, "bogus");
	append_bad(&want, 5, "#"); /* '#' only comments in the first column */
	char buf[1200];
	snprintf(buf, sizeof(buf),
		 "%s: command include is deprecated and not parsed anymore\n"
		 "%s: command config is deprecated and not parsed anymore\n",
		 last_conf, last_conf);
	assert_int_equal(strbuf_append_str(&want, buf), 0);
	append_bad(&want, 8, "ALIAS");
	append_bad(&want, 9, "alias=x");
	append_bad(&want, 11, "bogus"); /* at its last physical line */
	append_bad(&want, 12, "alias");
	assert_string_equal(log_text(), want.data);
	free(want.data);
	assert_int_equal(logged.count, 8);
	assert_int_equal(logged.max_priority_seen, KML_LOG_ERR);
}

/* ------------------------------------------------------- hostile input */

static void test_huge_line(void **state)
{
	(void)state;
	size_t big = (size_t)2 << 20;
	struct strbuf sb = { 0 };
	assert_int_equal(strbuf_append_str(&sb, "options big "), 0);
	assert_int_equal(strbuf_reserve(&sb, big), 0);
	memset(sb.data + sb.len, 'x', big);
	sb.len += big;
	sb.data[sb.len] = '\0';
	assert_int_equal(strbuf_append_str(&sb, " end\nalias after x\n"), 0);
	struct kml_config *c = load_text(sb.data, NULL);
	expect_dump(c, "alias after x\n");
	kml_config_free(c);
	char want[1024];
	snprintf(want, sizeof(want), "%s line 1: line longer than 1048576 bytes, ignoring it\n",
		 last_conf);
	assert_string_equal(log_text(), want);
	log_reset();

	/* a long acceptable line of many words */
	sb.len = 0;
	assert_int_equal(strbuf_append_str(&sb, "softdep m pre:"), 0);
	for (int i = 0; i < 50000; i++) {
		char w[32];
		snprintf(w, sizeof(w), " d%d", i);
		assert_int_equal(strbuf_append_str(&sb, w), 0);
	}
	assert_int_equal(strbuf_append_str(&sb, "\n"), 0);
	c = load_text(sb.data, NULL);
	const char *const *pre;
	size_t n = 0;
	assert_int_equal(kml_config_get_softdeps(c, "m", &pre, &n, NULL, NULL), 0);
	assert_int_equal(n, 50000);
	assert_string_equal(pre[49999], "d49999");
	kml_config_free(c);
	assert_int_equal(logged.count, 0);

	/* many lines for many modules */
	sb.len = 0;
	for (int i = 0; i < 100000; i++) {
		char l[64];
		snprintf(l, sizeof(l), "options m%d p=%d\nblacklist b%d\n", i % 5000, i, i);
		assert_int_equal(strbuf_append_str(&sb, l), 0);
	}
	c = load_text(sb.data, NULL);
	assert_true(kml_config_is_blacklisted(c, "b99999"));
	expect_string_or_null(kml_config_get_options(c, "m4999"),
			      "p=4999 p=9999 p=14999 p=19999 p=24999 p=29999 p=34999 p=39999 "
			      "p=44999 p=49999 p=54999 p=59999 p=64999 p=69999 p=74999 p=79999 "
			      "p=84999 p=89999 p=94999 p=99999");
	kml_config_free(c);
	free(sb.data);

	/* a huge command line */
	char *cl = malloc(big + 1);
	assert_non_null(cl);
	memset(cl, 'a', big);
	cl[1] = '.';
	cl[big] = '\0';
	const char *empty[] = { NULL };
	c = load_paths(empty, cl);
	expect_string_or_null(kml_config_get_cmdline_options(c, "a"), cl + 2);
	kml_config_free(c);
	free(cl);
}

static void test_nul_and_quotes(void **state)
{
	(void)state;
	mkdir_in("nul");
	static const char nul[] = "alias a\0xyz b\n"
				  "alias c d\n"
				  "\0bogus\n"
				  "install m rm -rf /tmp/x\0/y\n"
				  "blacklist e\n";
	write_bytes("nul/x.conf", nul, sizeof(nul) - 1);
	const char *paths[] = { at("nul"), NULL };
	struct kml_config *c = load_paths(paths, NULL);
	/* kmod 30 reads up to the NUL (and so runs "rm -rf /tmp/x"): refused */
	expect_dump(c, "blacklist e\nalias c d\n");
	kml_config_free(c);
	const char *f = at("nul/x.conf");
	char want[2048];
	snprintf(want, sizeof(want),
		 "%s line 1: line holds a NUL byte, ignoring it\n"
		 "%s line 3: line holds a NUL byte, ignoring it\n"
		 "%s line 4: line holds a NUL byte, ignoring it\n",
		 f, f, f);
	assert_string_equal(log_text(), want);
	log_reset();

	/* control bytes in a bad word are shown escaped */
	c = load_text("\x1b[31mred x\n\xff\xfe y\n", NULL);
	kml_config_free(c);
	snprintf(want, sizeof(want),
		 "%s line 1: ignoring bad line starting with '\\x1b[31mred'\n"
		 "%s line 2: ignoring bad line starting with '\\xff\\xfe'\n",
		 last_conf, last_conf);
	assert_string_equal(log_text(), want);
	log_reset();

	/* a long bad word is cut */
	char line[400];
	memset(line, 'w', 300);
	strcpy(line + 300, "\n");
	c = load_text(line, NULL);
	kml_config_free(c);
	assert_int_equal(logged.count, 1);
	assert_non_null(strstr(log_text(), "wwwwwww...'\n"));
	assert_true(strlen(log_text()) < strlen(last_conf) + 150);
	log_reset();

	/* unterminated quotes: kept as written in options, no word on the
	 * command line */
	c = load_text("options m a=\"b c\ninstall m \"unterminated\n", "c.d=1 x.y=\"a b e.f=2");
	expect_string_or_null(kml_config_get_options(c, "m"), "a=\"b c");
	expect_string_or_null(kml_config_get_install(c, "m"), "\"unterminated");
	expect_string_or_null(kml_config_get_cmdline_options(c, "x"), NULL);
	expect_string_or_null(kml_config_get_cmdline_options(c, "c"), "d=1");
	expect_string_or_null(kml_config_get_cmdline_options(c, "e"), NULL);
	kml_config_free(c);
	assert_int_equal(logged.count, 0);
}

static void test_garbage(void **state)
{
	(void)state;
	uint32_t x = 54321;
	static const char alphabet[] = "alias options install remove blacklist softdep weakdep "
				       "include pre: post: * [ ] - _ . = \" \\\n\t #\0\xff";
	const char *const queries[] = { "alias", "options", "a", "pre:", "*", "-", "_", "x" };
	for (int round = 0; round < 64; round++) {
		size_t len = 1 + (size_t)(round * 997) % 30000;
		uint8_t *junk = malloc(len + 1);
		assert_non_null(junk);
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245 + 12345;
			uint8_t b = (uint8_t)(x >> 16);
			junk[i] = (round & 1) ? (uint8_t)alphabet[b % (sizeof(alphabet) - 1)] : b;
		}
		junk[len] = '\0';
		char name[64];
		snprintf(name, sizeof(name), "g%d", round);
		mkdir_in(name);
		char file[96];
		snprintf(file, sizeof(file), "%s/x.conf", name);
		write_bytes(file, junk, len);
		if (round % 4 == 1)
			write_module_dir_file("modules.softdep", (const char *)junk);
		const char *paths[] = { at(name), NULL };
		struct kml_config *c = NULL;
		/* the same bytes as a command line, up to their first NUL */
		assert_int_equal(kml_config_load(ctx, paths, (const char *)junk, &c), 0);
		for (size_t q = 0; q < ARRAY_SIZE(queries); q++) {
			const char **mods = NULL;
			size_t n = 0;
			assert_int_equal(kml_config_get_aliases(c, queries[q], &mods, &n), 0);
			for (size_t i = 0; i < n; i++)
				assert_non_null(mods[i]);
			free(mods);
			kml_config_get_options(c, queries[q]);
			kml_config_get_cmdline_options(c, queries[q]);
			kml_config_get_install(c, queries[q]);
			kml_config_get_remove(c, queries[q]);
			kml_config_is_blacklisted(c, queries[q]);
			const char *const *pre, *const *post;
			size_t np, nq;
			assert_int_equal(
				kml_config_get_softdeps(c, queries[q], &pre, &np, &post, &nq), 0);
			assert_null(pre[np]);
			assert_null(post[nq]);
		}
		char *text = dump(c);
		free(text);
		kml_config_free(c);
		free(junk);
		log_reset();
	}
}

/* -------------------------------------------------------------- dump */

static void test_dump(void **state)
{
	(void)state;
	mkdir_in("d-etc");
	mkdir_in("d-lib");
	write_file("d-etc/10-local.conf",
		   "# local settings\n"
		   "blacklist pcspkr\n"
		   "blacklist snd-pcsp\n"
		   "options snd-hda-intel model=auto\toption2=x\n"
		   "options snd_hda_intel  enable_msi=1 \"quoted=a b\"\n"
		   "alias my-net e1000e\n"
		   "alias pci:v00008086d*sv*sd*bc02sc00i* e1000e\n"
		   "install fake-mod /bin/echo installing\\\n"
		   "  fake-mod\n"
		   "remove fake-mod /bin/echo removing\n"
		   "softdep fake-mod pre: dep-a dep_b post: late\n"
		   "softdep fake-mod pre: dep-c\n");
	write_file("d-lib/10-local.conf", "alias from-lib hidden\n");
	write_file("d-lib/50-gpu.conf", "blacklist nouveau\n"
					"install nouveau /bin/false\n"
					"options nouveau modeset=0\n"
					"softdep uhci-hcd pre: ehci-hcd\n"
					"softdep drm post: drm_kms_helper pre: i2c-core\n");
	write_file("d-etc/zz.conf", "alias zz-alias zz\nsoftdep zz pre: q\n");
	write_module_dir_file("modules.softdep",
			      "# Soft dependencies extracted from modules themselves.\n"
			      "softdep ext4 pre: crypto-crc32c\n"
			      "softdep cifs gcm\n"
			      "softdep cifs ccm\n"
			      "softdep ipmi_msghandler post: ipmi_devintf\n");
	/* kmod 30 does not read modules.weakdep */
	write_module_dir_file("modules.weakdep", "weakdep ext4 crc32c-generic\n");
	const char *paths[] = { at("d-etc"), at("d-lib"), NULL };
	struct kml_config *c = load_paths(paths, "quiet snd-hda-intel.power_save=0 "
						 "\"usb-storage.quirks=a b\" x.y=\"c d\" "
						 "modprobe.blacklist=bad-mod,other");
	assert_int_equal(logged.count, 0);
	/* kmod 30's `modprobe -c` for this, up to the blank line before
	 * "# End of configuration files", except for the lines marked */
	expect_dump(c, "blacklist pcspkr\n"
		       "blacklist snd_pcsp\n"
		       "blacklist nouveau\n"
		       "blacklist bad_mod\n" /* kmod 30: bad-mod */
		       "blacklist other\n"
		       "install fake_mod /bin/echo installing  fake-mod\n"
		       "install nouveau /bin/false\n"
		       "remove fake_mod /bin/echo removing\n"
		       "alias my_net e1000e\n"
		       "alias pci:v00008086d*sv*sd*bc02sc00i* e1000e\n"
		       "alias zz_alias zz\n"
		       "options snd_hda_intel model=auto option2=x\n"
		       "options snd_hda_intel  enable_msi=1 \"quoted=a b\"\n"
		       "options nouveau modeset=0\n"
		       "options snd_hda_intel power_save=0\n"
		       "options usb_storage quirks=\"a b\"\n"
		       "options x y=\"c d\"\n"
		       "softdep fake_mod pre: dep-a dep_b post: late\n" /* kmod 30: dep_bpost: */
		       "softdep fake_mod pre: dep-c\n"
		       "softdep uhci_hcd pre: ehci-hcd\n"
		       "softdep drm pre: i2c-core post: drm_kms_helper\n" /* i2c-corepost: */
		       "softdep ext4 pre: crypto-crc32c\n"
		       "softdep cifs\n" /* kmod 30: "softdep cifs " */
		       "softdep cifs\n"
		       "softdep ipmi_msghandler post: ipmi_devintf\n"
		       "softdep zz pre: q\n"
		       "weakdep ext4 crc32c-generic\n"); /* not in kmod 30 */

	/* the queries agree */
	expect_string_or_null(kml_config_get_options(c, "snd-hda-intel"),
			      "model=auto option2=x  enable_msi=1 \"quoted=a b\"");
	expect_string_or_null(kml_config_get_cmdline_options(c, "snd-hda-intel"), "power_save=0");
	expect_string_or_null(kml_config_get_cmdline_options(c, "usb_storage"), "quirks=\"a b\"");
	expect_string_or_null(kml_config_get_install(c, "fake-mod"),
			      "/bin/echo installing  fake-mod");
	expect_string_or_null(kml_config_get_remove(c, "fake_mod"), "/bin/echo removing");
	expect_softdeps(c, "fake-mod", "dep-a dep_b dep-c", "late");
	expect_softdeps(c, "drm", "i2c-core", "drm_kms_helper");
	expect_softdeps(c, "cifs", "", "");
	expect_weakdeps(c, "ext4", "crc32c-generic");
	assert_true(kml_config_is_blacklisted(c, "bad-mod"));
	assert_true(kml_config_is_blacklisted(c, "snd_pcsp"));
	assert_false(kml_config_is_blacklisted(c, "e1000e"));
	expect_aliases(c, "my-net", "e1000e");
	expect_aliases(c, "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", "e1000e");
	expect_aliases(c, "from-lib", "");
	kml_config_free(c);
}

/* ------------------------------------------- Debian's tree, kmod's dump */

/* Output of a shell command (free() it), or NULL when it fails. */
static char *command_output(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	if (!f)
		return NULL;
	struct strbuf sb = { 0 };
	assert_int_equal(strbuf_append(&sb, "", 0), 0);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		assert_int_equal(strbuf_append(&sb, buf, n), 0);
	if (pclose(f) != 0) {
		free(sb.data);
		return NULL;
	}
	return sb.data;
}

/*
 * modules.softdep of $KMODLITE_TEST_ROOT/lib/modules/$KMODLITE_TEST_KVER
 * (Debian's tree), and, when the reference modprobe is installed, our dump
 * against its `modprobe -c` with no configuration directory and this
 * machine's kernel command line (which it reads itself).
 */
static void test_debian_tree(void **state)
{
	(void)state;
	const char *troot = getenv("KMODLITE_TEST_ROOT"), *kver = getenv("KMODLITE_TEST_KVER");
	if (!troot || !*troot || !kver || !*kver || strchr(troot, '\'') || strchr(kver, '\''))
		skip();
	struct kml_ctx *tctx = NULL;
	assert_int_equal(kml_ctx_new(troot, kver, &tctx), 0);
	kml_ctx_set_log(tctx, capture_log, &logged, KML_LOG_DEBUG);
	char *cmdline = NULL;
	size_t len = 0;
	if (read_file_full("/proc/cmdline", 1 << 20, &cmdline, &len) < 0)
		cmdline = NULL;
	const char *none[] = { "/nonexistent-kml-config", NULL };
	struct kml_config *c = NULL;
	assert_int_equal(kml_config_load(tctx, none, cmdline, &c), 0);
	assert_int_equal(logged.count, 0);

	/* every softdep line of the file is there */
	char path[4096];
	snprintf(path, sizeof(path), "%s/modules.softdep", kml_ctx_get_module_dir(tctx));
	char *sd = NULL;
	if (read_file_full(path, 64 << 20, &sd, &len) == 0) {
		char *save = NULL;
		for (char *l = strtok_r(sd, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char mod[256], marker[16], dep[256];
			if (sscanf(l, "softdep %255s %15s %255s", mod, marker, dep) != 3)
				continue;
			const char *const *pre, *const *post;
			size_t np, nq;
			assert_int_equal(kml_config_get_softdeps(c, mod, &pre, &np, &post, &nq), 0);
			const char *const *list = streq(marker, "pre:") ? pre :
						  streq(marker, "post:") ? post : NULL;
			if (!list)
				continue;
			bool found = false;
			for (size_t i = 0; list[i]; i++)
				found = found || streq(list[i], dep);
			if (!found)
				fail_msg("%s: %s %s missing", mod, marker, dep);
		}
		free(sd);
	}

	char *version = command_output("/usr/sbin/modprobe -V 2>/dev/null");
	bool reference = version && strncmp(version, "kmod version", 12) == 0;
	free(version);
	if (reference) {
		char cmd[8192];
		snprintf(cmd, sizeof(cmd),
			 "/usr/sbin/modprobe -c -C /nonexistent-kml-config -d '%s' -S '%s' 2>/dev/null",
			 troot, kver);
		char *ref = command_output(cmd);
		assert_non_null(ref);
		char *end = strstr(ref, "\n# End of configuration files. Dumping indexes now:");
		assert_non_null(end);
		end[1] = '\0'; /* up to the blank line before "# End" */
		/* kmod 30 prints "softdep cifs " for words before pre:/post: */
		char *w = ref;
		for (char *r = ref; *r; r++) {
			if (*r == '\n')
				while (w > ref && w[-1] == ' ')
					w--;
			*w++ = *r;
		}
		*w = '\0';
		char *ours = dump(c);
		assert_string_equal(ours, ref);
		free(ours);
		free(ref);
	}
	kml_config_free(c);
	kml_ctx_free(tctx);
	free(cmdline);
}

/* kml_config_lines(): what applies to a name, with file and line (kmod why). */
static void test_lines(void **state)
{
	(void)state;
	struct kml_config *c = load_text("# first line\n"
					 "alias my-* mod_x\n"
					 "options mod-x a=1 \\\n"
					 "  b=2\n"
					 "blacklist mod_x\n"
					 "install mod_x /bin/true\n"
					 "softdep mod_x pre: p1 p2 post: q\n"
					 "weakdep mod_x w\n"
					 "options other c=3\n",
					 "mod_x.d=4 modprobe.blacklist=mod_x");
	struct kml_config_line *l = NULL;
	size_t n = 0;
	assert_int_equal(kml_config_lines(c, "mod-x", &l, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(l[0].directive, KML_DIRECTIVE_BLACKLIST);
	assert_string_equal(l[0].path, last_conf);
	assert_int_equal(l[0].line, 5);
	assert_int_equal(l[1].directive, KML_DIRECTIVE_BLACKLIST);
	assert_null(l[1].path); /* modprobe.blacklist= */
	assert_int_equal(l[2].directive, KML_DIRECTIVE_INSTALL);
	assert_string_equal(l[2].text, "/bin/true");
	assert_int_equal(l[2].line, 6);
	assert_int_equal(l[3].directive, KML_DIRECTIVE_OPTIONS);
	assert_int_equal(l[3].line, 4); /* a continued line: its last physical line, as in messages */
	assert_int_equal(l[4].directive, KML_DIRECTIVE_OPTIONS);
	assert_null(l[4].path);
	assert_string_equal(l[4].text, "d=4");
	assert_int_equal(l[5].directive, KML_DIRECTIVE_SOFTDEP);
	assert_int_equal(l[5].line, 7);
	assert_int_equal(l[5].n_pre, 2);
	assert_string_equal(l[5].pre[1], "p2");
	assert_int_equal(l[5].n_post, 1);
	assert_int_equal(l[6].directive, KML_DIRECTIVE_WEAKDEP);
	assert_int_equal(l[6].line, 8);
	assert_string_equal(l[6].pre[0], "w");
	assert_string_equal(kml_config_directive_name(l[6].directive), "weakdep");
	free(l);
	/* alias lines apply to the names their pattern matches */
	assert_int_equal(kml_config_lines(c, "my-thing", &l, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].directive, KML_DIRECTIVE_ALIAS);
	assert_string_equal(l[0].name, "my_*");
	assert_string_equal(l[0].text, "mod_x");
	assert_int_equal(l[0].line, 2);
	free(l);
	assert_int_equal(kml_config_lines(c, "nothing", &l, &n), 0);
	assert_int_equal(n, 0);
	free(l);
	kml_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_alias, before_each),
		cmocka_unit_test_setup(test_normalisation, before_each),
		cmocka_unit_test_setup(test_options, before_each),
		cmocka_unit_test_setup(test_install_remove, before_each),
		cmocka_unit_test_setup(test_blacklist, before_each),
		cmocka_unit_test_setup(test_forbid, before_each),
		cmocka_unit_test_setup(test_softdep, before_each),
		cmocka_unit_test_setup(test_softdep_across_files, before_each),
		cmocka_unit_test_setup(test_softdep_on_demand, before_each),
		cmocka_unit_test_setup(test_weakdep, before_each),
		cmocka_unit_test_setup(test_module_dir_files, before_each),
		cmocka_unit_test_setup(test_cmdline, before_each),
		cmocka_unit_test_setup(test_basename_override, before_each),
		cmocka_unit_test_setup(test_bad_lines, before_each),
		cmocka_unit_test_setup(test_huge_line, before_each),
		cmocka_unit_test_setup(test_nul_and_quotes, before_each),
		cmocka_unit_test_setup(test_garbage, before_each),
		cmocka_unit_test_setup(test_dump, before_each),
		cmocka_unit_test_setup(test_debian_tree, before_each),
		cmocka_unit_test_setup(test_lines, before_each),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
