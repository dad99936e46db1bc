// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod.d parsing: directives, file selection and ordering, hostile input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "depmod-config.h"
#include "test-helpers.h"

char root[] = "/tmp/kml-test-depmod-config-XXXXXX";
static struct kml_ctx *ctx;

static struct kml_depmod_config *load_paths(const char *const *paths, const char *kver)
{
	struct kml_depmod_config *config = NULL;
	assert_int_equal(kml_depmod_config_load(ctx, paths, kver, &config), 0);
	assert_non_null(config);
	return config;
}

/* Writes TEXT as ROOT/t/NAME.conf (fresh directory each time) and loads it. */
static int test_counter;
static const char *last_conf;
static struct kml_depmod_config *load_text(const char *text, const char *kver)
{
	static char dir[64], name[96];
	snprintf(dir, sizeof(dir), "t%d", ++test_counter);
	mkdir_in(dir);
	snprintf(name, sizeof(name), "%s/x.conf", dir);
	write_file(name, text);
	last_conf = at(name);
	const char *paths[] = { at(dir), NULL };
	return load_paths(paths, kver);
}

static void expect_search(const struct kml_depmod_config *config, const char *const *want)
{
	size_t n = 99;
	const struct kml_search_entry *se = kml_depmod_config_search(config, &n);
	size_t w = 0;
	while (want[w])
		w++;
	assert_int_equal(n, w);
	for (size_t i = 0; i < n; i++) {
		if (streq(want[i], "built-in")) {
			assert_int_equal(se[i].kind, KML_SEARCH_BUILTIN);
		} else if (streq(want[i], "external")) {
			assert_int_equal(se[i].kind, KML_SEARCH_EXTERNAL);
		} else {
			assert_int_equal(se[i].kind, KML_SEARCH_DIR);
			assert_string_equal(se[i].dir, want[i]);
		}
	}
}

static void expect_external(const struct kml_depmod_config *config, const char *const *want)
{
	size_t n = 99;
	const char *const *ext = kml_depmod_config_external(config, &n);
	assert_non_null(ext);
	size_t w = 0;
	while (want[w])
		w++;
	assert_int_equal(n, w);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(ext[i], want[i]);
	assert_null(ext[n]);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;
	if (kml_ctx_new(root, "1.2.3", &ctx) < 0)
		return -1;
	kml_ctx_set_log(ctx, capture_log, &logged, KML_LOG_WARNING);
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
	return 0;
}

/* ------------------------------------------------------------- search */

static void test_default_search(void **state)
{
	(void)state;
	/* no file at all */
	struct kml_depmod_config *c = load_text("", "1.2.3");
	expect_search(c, (const char *const[]){ "updates", "built-in", NULL });
	kml_depmod_config_free(c);

	/* a search line with no words does not replace the default */
	c = load_text("search\n# search extra\n", "1.2.3");
	expect_search(c, (const char *const[]){ "updates", "built-in", NULL });
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);

	/* nothing configured: the defaults are used, no external directory */
	const char *none[] = { at("does-not-exist"), NULL };
	c = load_paths(none, "1.2.3");
	expect_search(c, (const char *const[]){ "updates", "built-in", NULL });
	expect_external(c, (const char *const[]){ NULL });
	assert_null(kml_depmod_config_override(c, "anything"));
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);
}

static void test_search(void **state)
{
	(void)state;
	struct kml_depmod_config *c = load_text("search weird built-in extra\n", "1.2.3");
	expect_search(c, (const char *const[]){ "weird", "built-in", "extra", NULL });
	kml_depmod_config_free(c);

	/* several lines append; "external" and "built-in" are keywords; no
	 * implicit "updates" once a search line names something */
	c = load_text("search   extra\t\tupdates \n"
		      "search external\n"
		      "search built-in kernel/drivers\n",
		      "1.2.3");
	expect_search(c, (const char *const[]){ "extra", "updates", "external", "built-in",
						"kernel/drivers", NULL });
	kml_depmod_config_free(c);

	/* a repeated entry keeps its first (higher-priority) place */
	c = load_text("search extra built-in\nsearch built-in extra foo\n", "1.2.3");
	expect_search(c, (const char *const[]){ "extra", "built-in", "foo", NULL });
	kml_depmod_config_free(c);

	/* words are kept as written: no slash trimming, only space and tab split */
	c = load_text("search extra/ \vx\r\n", "1.2.3");
	expect_search(c, (const char *const[]){ "extra/", "\vx\r", NULL });
	kml_depmod_config_free(c);

	/* keywords are case-sensitive */
	c = load_text("search Built-in\n", "1.2.3");
	expect_search(c, (const char *const[]){ "Built-in", NULL });
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);

	/* NULL-safe accessors */
	size_t n = 7;
	assert_null(kml_depmod_config_search(NULL, &n));
	assert_int_equal(n, 0);
}

/* ----------------------------------------------------------- override */

static void test_override(void **state)
{
	(void)state;
	struct kml_depmod_config *c =
		load_text("override kmod * extra\n"
			  "override snd-pcm * updates/sound\n"
			  "override other * a b c\n", /* extra words are ignored */
			  "1.2.3");
	assert_string_equal(kml_depmod_config_override(c, "kmod"), "extra");
	/* names compare normalised, in both directions */
	assert_string_equal(kml_depmod_config_override(c, "snd_pcm"), "updates/sound");
	assert_string_equal(kml_depmod_config_override(c, "snd-pcm"), "updates/sound");
	assert_string_equal(kml_depmod_config_override(c, "other"), "a");
	assert_null(kml_depmod_config_override(c, "kmo"));
	assert_null(kml_depmod_config_override(c, "kmodx"));
	assert_null(kml_depmod_config_override(c, "snd"));
	assert_null(kml_depmod_config_override(c, NULL));
	assert_null(kml_depmod_config_override(NULL, "kmod"));
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);

	/* the last matching line wins */
	c = load_text("override m * foo\noverride m * extra\noverride m 9.9 never\n", "1.2.3");
	assert_string_equal(kml_depmod_config_override(c, "m"), "extra");
	kml_depmod_config_free(c);
}

static void test_override_kver(void **state)
{
	(void)state;
	static const struct {
		const char *pattern;
		bool match;
	} cases[] = {
		{ "*", true },
		{ "1.2.3", true },
		{ "1.2", true },	  /* unanchored */
		{ "2.3", true },	  /* unanchored: matches inside */
		{ "^2", false },
		{ "^1\\.2\\.[0-9]$", true },
		{ "1.2.3$", true },
		{ ".*", true },
		{ "1\\.2\\.3-generic", false },
		{ "9", false },
		{ "(", false },	  /* invalid: never matches */
		{ "[", false },
		{ "^(1|4)\\.", true },
		{ "**", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[128];
		snprintf(text, sizeof(text), "override mod %s extra\nexternal %s /ext\n",
			 cases[i].pattern, cases[i].pattern);
		struct kml_depmod_config *c = load_text(text, "1.2.3");
		const char *ov = kml_depmod_config_override(c, "mod");
		size_t n = 99;
		kml_depmod_config_external(c, &n);
		if (cases[i].match) {
			assert_non_null(ov);
			assert_string_equal(ov, "extra");
			assert_int_equal(n, 1);
		} else {
			assert_null(ov);
			assert_int_equal(n, 0);
		}
		kml_depmod_config_free(c);
	}
	assert_int_equal(logged.count, 0);

	/* other kernel versions */
	struct kml_depmod_config *c = load_text("override a ^6\\. x\noverride b -rt$ y\n",
						"6.1.0-13-rt");
	assert_string_equal(kml_depmod_config_override(c, "a"), "x");
	assert_string_equal(kml_depmod_config_override(c, "b"), "y");
	kml_depmod_config_free(c);

	/* NULL kver: the context's */
	c = load_text("override a ^1\\.2\\.3$ x\n", NULL);
	assert_string_equal(kml_depmod_config_override(c, "a"), "x");
	kml_depmod_config_free(c);
}

/* ----------------------------------------------------------- external */

static void test_external(void **state)
{
	(void)state;
	struct kml_depmod_config *c =
		load_text("external * /opt/ext2\n"
			  "external 1.2 /opt/ext1 /opt/ext3\n"
			  "external 4.0 /opt/no\n"
			  "external * relative/dir\n", /* kept: the reference fails later */
			  "1.2.3");
	expect_external(c, (const char *const[]){ "/opt/ext2", "/opt/ext1", "/opt/ext3",
						  "relative/dir", NULL });
	/* external lines don't add "external" to the search order */
	expect_search(c, (const char *const[]){ "updates", "built-in", NULL });
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);

	size_t n = 5;
	const char *const *e = kml_depmod_config_external(NULL, &n);
	assert_int_equal(n, 0);
	assert_non_null(e);
	assert_null(e[0]);
}

/* ------------------------------------------------------------ exclude */

static void test_exclude(void **state)
{
	(void)state;
	struct kml_depmod_config *c = load_text("exclude foo bar\nexclude baz\nexclude\n", "1.2.3");
	assert_true(kml_depmod_config_excluded(c, "foo"));
	assert_true(kml_depmod_config_excluded(c, "bar"));
	assert_true(kml_depmod_config_excluded(c, "baz"));
	assert_true(kml_depmod_config_excluded(c, "build"));
	assert_true(kml_depmod_config_excluded(c, "source"));
	assert_false(kml_depmod_config_excluded(c, "fo"));
	assert_false(kml_depmod_config_excluded(c, "foo/"));
	assert_false(kml_depmod_config_excluded(c, "kernel"));
	assert_false(kml_depmod_config_excluded(c, "Build"));
	assert_false(kml_depmod_config_excluded(c, "builds"));
	assert_false(kml_depmod_config_excluded(c, NULL));
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);

	/* only exact names: "foo/" excludes nothing called foo */
	c = load_text("exclude foo/ kernel/deep\n", "1.2.3");
	assert_false(kml_depmod_config_excluded(c, "foo"));
	assert_false(kml_depmod_config_excluded(c, "deep"));
	assert_true(kml_depmod_config_excluded(c, "build"));
	kml_depmod_config_free(c);

	/* no config at all: build and source are still excluded */
	assert_true(kml_depmod_config_excluded(NULL, "build"));
	assert_true(kml_depmod_config_excluded(NULL, "source"));
	assert_false(kml_depmod_config_excluded(NULL, "extra"));
}

/* ------------------------------------------------- files and directories */

static void test_basename_precedence(void **state)
{
	(void)state;
	mkdir_in("etc");
	mkdir_in("run");
	mkdir_in("lib");
	/* same basename: the first directory wins */
	write_file("etc/dup.conf", "search from-etc\n");
	write_file("run/dup.conf", "search from-run\n");
	write_file("lib/dup.conf", "search from-lib\n");
	/* all files sorted by basename, whatever their directory */
	write_file("lib/a.conf", "search a-lib\n");
	write_file("run/m.conf", "search m-run\n");
	write_file("etc/z.conf", "search z-etc\n");
	const char *paths[] = { at("etc"), at("run"), at("lib"), NULL };
	struct kml_depmod_config *c = load_paths(paths, "1.2.3");
	expect_search(c, (const char *const[]){ "a-lib", "from-etc", "m-run", "z-etc", NULL });
	kml_depmod_config_free(c);

	/* the order of PATHS decides which same-named file is read */
	const char *rev[] = { at("lib"), at("run"), at("etc"), NULL };
	c = load_paths(rev, "1.2.3");
	expect_search(c, (const char *const[]){ "a-lib", "from-lib", "m-run", "z-etc", NULL });
	kml_depmod_config_free(c);

	/* a file given as a path takes part in the basename merge */
	const char *files[] = { at("run/dup.conf"), at("etc"), NULL };
	c = load_paths(files, "1.2.3");
	expect_search(c, (const char *const[]){ "from-run", "z-etc", NULL });
	kml_depmod_config_free(c);
	const char *files2[] = { at("etc"), at("run/dup.conf"), NULL };
	c = load_paths(files2, "1.2.3");
	expect_search(c, (const char *const[]){ "from-etc", "z-etc", NULL });
	kml_depmod_config_free(c);

	/* order also matters for overrides: the later basename's line wins */
	write_file("lib/b.conf", "override m * from-b\n");
	write_file("run/c.conf", "override m * from-c\n");
	const char *ov[] = { at("run"), at("lib"), NULL };
	c = load_paths(ov, "1.2.3");
	assert_string_equal(kml_depmod_config_override(c, "m"), "from-c");
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);
}

static void test_file_selection(void **state)
{
	(void)state;
	mkdir_in("sel");
	write_file("sel/b.conf", "search good\n");
	write_file("sel/a.conf.bak", "search bad1\n");
	write_file("sel/0noconf", "search bad2\n");
	write_file("sel/.hidden.conf", "search bad3\n");
	write_file("sel/.conf", "search bad4\n");
	write_file("sel/conf", "search bad5\n");
	write_file("sel/xconf", "search bad6\n");
	mkdir_in("sel/sub.conf");
	write_file("sel/sub.conf/inner.conf", "search bad7\n");
	mkdir_in("other");
	write_file("other/target", "search via-link\n");
	assert_int_equal(symlink("../other/target", at("sel/c.conf")), 0);
	assert_int_equal(mkfifo(at("sel/fifo.conf"), 0600), 0);

	const char *paths[] = { at("sel"), NULL };
	struct kml_depmod_config *c = load_paths(paths, "1.2.3");
	expect_search(c, (const char *const[]){ "good", "via-link", NULL });
	kml_depmod_config_free(c);
	/* the directory is reported, the FIFO is refused without blocking */
	assert_non_null(strstr(log_text(), "Directories inside directories are not supported"));
	assert_non_null(strstr(log_text(), "sel/sub.conf"));
	assert_non_null(strstr(log_text(), "sel/fifo.conf"));
	log_reset();

	/* a file named explicitly is read whatever its name */
	const char *file[] = { at("sel/0noconf"), at("sel/.hidden.conf"), NULL };
	c = load_paths(file, "1.2.3");
	expect_search(c, (const char *const[]){ "bad3", "bad2", NULL });
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);
}

static void test_missing(void **state)
{
	(void)state;
	/* missing paths are silently skipped */
	const char *paths[] = { at("missing-dir"), at("missing.conf"), "/nonexistent/x", NULL };
	struct kml_depmod_config *c = load_paths(paths, "1.2.3");
	expect_search(c, (const char *const[]){ "updates", "built-in", NULL });
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);

	/* an empty list */
	const char *empty[] = { NULL };
	c = load_paths(empty, "1.2.3");
	expect_search(c, (const char *const[]){ "updates", "built-in", NULL });
	kml_depmod_config_free(c);

	/* a dangling link in a directory is reported (as the reference does) */
	mkdir_in("dangling");
	assert_int_equal(symlink("/nonexistent/target", at("dangling/a.conf")), 0);
	write_file("dangling/b.conf", "search ok\n");
	/* ... and, like the reference, it still hides a later a.conf */
	mkdir_in("shadowed");
	write_file("shadowed/a.conf", "search shadowed\n");
	const char *d[] = { at("dangling"), at("shadowed"), NULL };
	c = load_paths(d, "1.2.3");
	expect_search(c, (const char *const[]){ "ok", NULL });
	kml_depmod_config_free(c);
	assert_non_null(strstr(log_text(), "dangling/a.conf"));
	assert_non_null(strstr(log_text(), "No such file or directory"));

	/* the default directories (absent or not here) never fail the load */
	c = load_paths(NULL, "1.2.3");
	size_t n = 0;
	assert_non_null(kml_depmod_config_search(c, &n));
	assert_true(n > 0);
	kml_depmod_config_free(c);

	/* argument checks */
	struct kml_depmod_config *out = NULL;
	assert_int_equal(kml_depmod_config_load(NULL, empty, NULL, &out), -EINVAL);
	assert_null(out);
	assert_int_equal(kml_depmod_config_load(ctx, empty, "1", NULL), -EINVAL);
	/* no context: works, logs nowhere */
	assert_int_equal(kml_depmod_config_load(NULL, empty, "1", &out), 0);
	kml_depmod_config_free(out);
	kml_depmod_config_free(NULL);
}

/* ---------------------------------------------------------------- syntax */

static void test_comments_and_blank_lines(void **state)
{
	(void)state;
	struct kml_depmod_config *c = load_text("# a comment\n"
						"\n"
						"   \n"
						"\t\n"
						"#search nope\n"
						"   search  extra   \n"
						"search foo # trailing words are not comments\n",
						"1.2.3");
	expect_search(c, (const char *const[]){ "extra", "foo", "#", "trailing", "words", "are",
						"not", "comments", NULL });
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);

	/* '#' only starts a comment in the first column (reference behaviour) */
	c = load_text("  # indented\n", "1.2.3");
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 1);
	assert_non_null(strstr(log_text(), ":1: ignoring bad line starting with '#'"));
}

static void test_continuation(void **state)
{
	(void)state;
	/* backslash-newline joins lines without adding anything */
	struct kml_depmod_config *c = load_text("search extr\\\na\\\n   foo\n"
						"search \\\n"
						"\\\n"
						"bar\n"
						"bogus\n",
						"1.2.3");
	expect_search(c, (const char *const[]){ "extra", "foo", "bar", NULL });
	kml_depmod_config_free(c);
	/* line numbers still count physical lines */
	char want[600];
	snprintf(want, sizeof(want), "%s:7: ignoring bad line starting with 'bogus'\n", last_conf);
	assert_string_equal(log_text(), want);
	log_reset();

	/* a bad continued line is reported at its last physical line */
	c = load_text("bo\\\ngus x\nsearch ok\n", "1.2.3");
	expect_search(c, (const char *const[]){ "ok", NULL });
	kml_depmod_config_free(c);
	snprintf(want, sizeof(want), "%s:2: ignoring bad line starting with 'bogus'\n", last_conf);
	assert_string_equal(log_text(), want);
	log_reset();

	/* other escapes keep the next character (an escaped space still
	 * separates words: escapes are resolved before splitting); "\\\\" is one
	 * backslash; a comment continued by a backslash swallows the next line */
	c = load_text("search e\\xtra a\\\\b c\\ d\n#x \\\nsearch hidden\nsearch last\\", "1.2.3");
	expect_search(c, (const char *const[]){ "extra", "a\\b", "c", "d", "last\\", NULL });
	kml_depmod_config_free(c);

	/* the final line needs no newline; a continuation at the end is fine */
	c = load_text("search one\nsearch two", "1.2.3");
	expect_search(c, (const char *const[]){ "one", "two", NULL });
	kml_depmod_config_free(c);
	c = load_text("search one\\\n", "1.2.3");
	expect_search(c, (const char *const[]){ "one", NULL });
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);
}

static void test_bad_lines(void **state)
{
	(void)state;
	struct kml_depmod_config *c = load_text("search ok\n"
						"# fine\n"
						"foo bar\n"
						"override onlyname\n"
						"override m *\n"
						"external *\n"
						"external\n"
						"SEARCH upper\n"
						"search=x\n"
						"include /etc/x.conf\n"
						"search after\n",
						"1.2.3");
	expect_search(c, (const char *const[]){ "ok", "after", NULL });
	assert_null(kml_depmod_config_override(c, "m"));
	assert_null(kml_depmod_config_override(c, "onlyname"));
	kml_depmod_config_free(c);

	static const struct {
		int line;
		const char *cmd;
	} want[] = {
		{ 3, "foo" },	    { 4, "override" }, { 5, "override" },  { 6, "external" },
		{ 7, "external" },  { 8, "SEARCH" },   { 9, "search=x" }, { 10, "include" },
	};
	struct strbuf expected = { 0 };
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		char line[600];
		snprintf(line, sizeof(line), "%s:%d: ignoring bad line starting with '%s'\n",
			 last_conf, want[i].line, want[i].cmd);
		assert_int_equal(strbuf_append_str(&expected, line), 0);
	}
	assert_string_equal(log_text(), expected.data);
	assert_int_equal(logged.count, (int)ARRAY_SIZE(want));
	assert_int_equal(logged.max_priority_seen, KML_LOG_ERR);
	free(expected.data);

	/* a NUL byte ends the line's content; the line count goes on */
	log_reset();
	mkdir_in("nul");
	static const char nul[] = "search a\0hidden\nbogus\0x\nsearch b\n";
	write_bytes("nul/x.conf", nul, sizeof(nul) - 1);
	const char *paths[] = { at("nul"), NULL };
	c = load_paths(paths, "1.2.3");
	expect_search(c, (const char *const[]){ "a", "b", NULL });
	kml_depmod_config_free(c);
	char one[600];
	snprintf(one, sizeof(one), "%s:2: ignoring bad line starting with 'bogus'\n",
		 at("nul/x.conf"));
	assert_string_equal(log_text(), one);
}

/* ------------------------------------------------------- hostile input */

static void test_huge_line(void **state)
{
	(void)state;
	/* a 2 MiB line: refused with a message, the file goes on */
	size_t big = (size_t)2 << 20;
	struct strbuf sb = { 0 };
	assert_int_equal(strbuf_append_str(&sb, "search "), 0);
	assert_int_equal(strbuf_reserve(&sb, big), 0);
	memset(sb.data + sb.len, 'x', big);
	sb.len += big;
	sb.data[sb.len] = '\0';
	assert_int_equal(strbuf_append_str(&sb, "\nsearch after\n"), 0);
	struct kml_depmod_config *c = load_text(sb.data, "1.2.3");
	expect_search(c, (const char *const[]){ "after", NULL });
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 1);
	char want[600];
	snprintf(want, sizeof(want), "%s:1: line longer than", last_conf);
	assert_non_null(strstr(log_text(), want));
	log_reset();

	/* the same made of continued lines */
	sb.len = 0;
	assert_int_equal(strbuf_append_str(&sb, "search "), 0);
	static const char chunk[] = "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\\\n";
	for (int i = 0; i < 40000; i++)
		assert_int_equal(strbuf_append_str(&sb, chunk), 0);
	assert_int_equal(strbuf_append_str(&sb, "\nsearch after\n"), 0);
	c = load_text(sb.data, "1.2.3");
	expect_search(c, (const char *const[]){ "after", NULL });
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 1);
	snprintf(want, sizeof(want), "%s:40001: line longer than", last_conf);
	assert_non_null(strstr(log_text(), want));
	log_reset();

	/* a long but acceptable line: many words */
	sb.len = 0;
	assert_int_equal(strbuf_append_str(&sb, "exclude"), 0);
	for (int i = 0; i < 20000; i++) {
		char w[32];
		snprintf(w, sizeof(w), " d%d", i);
		assert_int_equal(strbuf_append_str(&sb, w), 0);
	}
	assert_int_equal(strbuf_append_str(&sb, "\n"), 0);
	c = load_text(sb.data, "1.2.3");
	assert_true(kml_depmod_config_excluded(c, "d0"));
	assert_true(kml_depmod_config_excluded(c, "d19999"));
	assert_false(kml_depmod_config_excluded(c, "d20000"));
	kml_depmod_config_free(c);
	assert_int_equal(logged.count, 0);
	free(sb.data);
}

static void test_garbage(void **state)
{
	(void)state;
	uint32_t x = 12345;
	static const char alphabet[] = "search override external exclude built-in * \\\n\t #\0\xff";
	for (int round = 0; round < 64; round++) {
		size_t len = 1 + (size_t)(round * 997) % 20000;
		uint8_t *junk = malloc(len);
		assert_non_null(junk);
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245 + 12345;
			uint8_t b = (uint8_t)(x >> 16);
			/* half the rounds pure bytes, half config-like tokens */
			junk[i] = (round & 1) ? (uint8_t)alphabet[b % (sizeof(alphabet) - 1)] : b;
		}
		char name[64];
		snprintf(name, sizeof(name), "g%d", round);
		mkdir_in(name);
		char file[96];
		snprintf(file, sizeof(file), "%s/x.conf", name);
		write_bytes(file, junk, len);
		free(junk);
		const char *paths[] = { at(name), NULL };
		struct kml_depmod_config *c = NULL;
		assert_int_equal(kml_depmod_config_load(ctx, paths, "1.2.3", &c), 0);
		size_t n = 0;
		const struct kml_search_entry *se = kml_depmod_config_search(c, &n);
		for (size_t i = 0; i < n; i++)
			if (se[i].kind == KML_SEARCH_DIR)
				assert_non_null(se[i].dir);
		kml_depmod_config_external(c, &n);
		kml_depmod_config_override(c, "search");
		kml_depmod_config_excluded(c, "x");
		kml_depmod_config_free(c);
		log_reset();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_default_search, before_each),
		cmocka_unit_test_setup(test_search, before_each),
		cmocka_unit_test_setup(test_override, before_each),
		cmocka_unit_test_setup(test_override_kver, before_each),
		cmocka_unit_test_setup(test_external, before_each),
		cmocka_unit_test_setup(test_exclude, before_each),
		cmocka_unit_test_setup(test_basename_precedence, before_each),
		cmocka_unit_test_setup(test_file_selection, before_each),
		cmocka_unit_test_setup(test_missing, before_each),
		cmocka_unit_test_setup(test_comments_and_blank_lines, before_each),
		cmocka_unit_test_setup(test_continuation, before_each),
		cmocka_unit_test_setup(test_bad_lines, before_each),
		cmocka_unit_test_setup(test_huge_line, before_each),
		cmocka_unit_test_setup(test_garbage, before_each),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
