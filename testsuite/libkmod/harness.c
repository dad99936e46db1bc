// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * harness: a differential test program for libkmod.so.2. It calls every
 * function of libkmod's public API over a real module directory and a
 * modprobe.d directory, and prints what each returns as stable text, so that
 * the outputs of two libraries (Debian's libkmod2, ours) can be diffed.
 *
 * Usage: harness ROOT KVER CONFDIR [--part NAME]...
 *
 *   ROOT/lib/modules/KVER is the module directory (indexed by depmod);
 *   CONFDIR is given to kmod_new as its only configuration path.
 *   Parts (default: all but the last, in this order): abi ctx config modules
 *   aliases dump errors null log, and loaded, which needs
 *   testsuite/fake-kernel preloaded with FAKE_KERNEL_ROOT prepared (as
 *   testsuite/differential/libkmod.sh does).
 *
 * Output: blocks, each a header line in column 0 followed by lines indented
 * by two spaces (testsuite/differential/libkmod.sh compares block by block).
 * Paths are printed with $MODDIR, $ROOT, $CONF and $SCRATCH in place of the
 * directories, so that runs in different places (host, chroot) compare.
 * Strings are printed with bytes outside printable ASCII (and backslash) as
 * \xNN. Nothing libkmod returns is sorted; no pointer or time is printed
 * (those in log messages are masked). Log messages are printed where they
 * happen, on lines of their own, except those of priority LOG_DEBUG (libkmod
 * 30's carry pointers); what libkmod's default logger writes to stderr inside
 * kmod_new is captured and printed without source location.
 *
 * Functions that libkmod 30 lacks (the weakdep ones) and
 * kmod_module_new_from_name_lookup (LIBKMOD_5 in Debian's 30, LIBKMOD_30 in
 * 34.2) are found with dlsym, so the same source runs on both: "absent" when
 * missing. Calls that could load a module into the running kernel are made
 * only when the kernel has no module support (no /proc/modules), or, in the
 * part loaded, when the fake kernel is preloaded.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <libkmod.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

/* ------------------------------------------------------------ run state */

struct run {
	const char *root;
	const char *kver;
	const char *confdir;
	char *moddir;		/* ROOT/lib/modules/KVER */
	char *scratch;		/* private temporary directory */
	bool kernel_has_modules;
	unsigned long sample;	/* --sample N: every Nth module and alias only */
	/* looked up with dlsym: NULL when the library lacks them */
	int (*get_weakdeps)(const struct kmod_module *, struct kmod_list **);
	struct kmod_config_iter *(*config_weakdeps)(const struct kmod_ctx *);
	int (*name_lookup)(struct kmod_ctx *, const char *, struct kmod_module **);
	/* also looked up: a library under construction may lack it */
	int (*probe_insert)(struct kmod_module *, unsigned int, const char *,
			    int (*)(struct kmod_module *, const char *, void *), const void *,
			    void (*)(struct kmod_module *, bool, const char *));
};

static struct run R;

/* ------------------------------------------------------------ output */

static const char *const subst_from_names[] = { "$SCRATCH", "$MODDIR", "$CONF", "$ROOT" };

/* Whether the last character written was not a newline (a log message that
 * arrives then is put on lines of its own, see log_fn). */
static bool mid_line;

/* Print s with the run's directories replaced and odd bytes escaped. */
static void put(const char *s)
{
	const char *from[4] = { R.scratch, R.moddir, R.confdir, R.root };

	if (s == NULL) {
		fputs("(null)", stdout);
		mid_line = true;
		return;
	}
	while (*s) {
		bool replaced = false;

		mid_line = true;
		for (int i = 0; i < 4; i++) {
			size_t n = from[i] ? strlen(from[i]) : 0;

			if (n > 1 && strncmp(s, from[i], n) == 0) {
				fputs(subst_from_names[i], stdout);
				s += n;
				replaced = true;
				break;
			}
		}
		if (replaced)
			continue;
		unsigned char c = (unsigned char)*s++;
		if (c < 0x20 || c >= 0x7f || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* printf for the harness's own text; libkmod's strings go through put(). */
static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	fputs(s, stdout);
	if (n > 0)
		mid_line = s[n - 1] != '\n';
	free(s);
}

static void nl(void)
{
	putchar('\n');
	mid_line = false;
}

/* "label=STRING\n" with STRING through put(). */
static void kv(const char *indent, const char *label, const char *s)
{
	out("%s%s=", indent, label);
	put(s);
	nl();
}

static const char *errname(int rc)
{
	static char buf[16];

	if (rc == INT_MIN)
		return "absent";	/* the function is not in the library */
	if (rc >= 0) {
		snprintf(buf, sizeof(buf), "%d", rc);
		return buf;
	}
	/* numbers only: strerror texts differ between C libraries */
	snprintf(buf, sizeof(buf), "-%d", -rc);
	return buf;
}

/* kmod_module_probe_insert_module, or INT_MIN when the library lacks it. */
static int probe_insert(struct kmod_module *mod, unsigned int flags, const char *extra,
			int (*run_install)(struct kmod_module *, const char *, void *),
			const void *data,
			void (*print_action)(struct kmod_module *, bool, const char *))
{
	if (R.probe_insert == NULL)
		return INT_MIN;
	return R.probe_insert(mod, flags, extra, run_install, data, print_action);
}

/* ------------------------------------------------------------ logging */

/* Masks what looks like a pointer ("0x" and 8 or more hex digits) in a log
 * message: libkmod 30 prints some at LOG_INFO. */
static void put_masked(const char *s)
{
	char *copy = strdup(s), *o = copy;

	if (copy == NULL)
		abort();
	while (*s) {
		size_t n = 0;

		if (s[0] == '0' && s[1] == 'x')
			while (s[2 + n] && strchr("0123456789abcdef", s[2 + n]))
				n++;
		if (n >= 8) {
			memcpy(o, "0x(ptr)", 7);
			o += 7;
			s += 2 + n;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	put(copy);
	free(copy);
}

static void log_fn(void *data, int priority, const char *file, int line,
		   const char *fn, const char *format, va_list args)
{
	char *msg = NULL;
	bool broke = mid_line;
	size_t n;

	(void)file;
	(void)line;
	(void)fn;
	if (priority >= LOG_DEBUG)
		return;
	if (vasprintf(&msg, format, args) < 0)
		return;
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (broke)
		nl();
	out("  log %d%s: ", priority, data == &R ? "" : " (wrong data)");
	put_masked(msg);
	nl();
	if (broke)
		out("  ...");
	free(msg);
}

/* Replaces fd 2 by a temporary file while kmod_new runs. */
struct stderr_capture {
	int saved;
	FILE *tmp;
};

static void capture_start(struct stderr_capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	c->saved = dup(2);
	if (c->tmp)
		dup2(fileno(c->tmp), 2);
}

/* Prints the captured lines as "  stderr: PRIO: MESSAGE", dropping libkmod's
 * "libkmod: PRIO FILE:LINE FUNCTION: " prefix down to its priority. */
static void capture_end(struct stderr_capture *c)
{
	char line[8192];

	fflush(stderr);
	if (c->saved >= 0) {
		dup2(c->saved, 2);
		close(c->saved);
	}
	if (c->tmp == NULL)
		return;
	rewind(c->tmp);
	while (fgets(line, sizeof(line), c->tmp)) {
		char *s = line, *p;
		size_t n = strlen(s);

		while (n > 0 && s[n - 1] == '\n')
			s[--n] = '\0';
		if (strncmp(s, "libkmod: ", 9) == 0) {
			char *prio = s + 9, *rest;
			size_t plen = strcspn(prio, " :");

			rest = prio + plen;
			if (rest[0] == ':' && rest[1] == ' ')
				rest += 2;			/* 34: "PRIO: FN: " */
			else if (rest[0] == ' ' && (rest = strchr(rest + 1, ' ')))
				rest++;				/* 30: "PRIO FILE:LINE FN: " */
			else
				rest = NULL;
			if (rest && (p = strstr(rest, ": "))) {
				prio[plen] = '\0';
				if (strcmp(prio, "DEBUG") == 0)
					continue;
				out("  stderr: %s: ", prio);
				put_masked(p + 2);
				nl();
				continue;
			}
		}
		out("  stderr: ");
		put_masked(s);
		nl();
	}
	fclose(c->tmp);
}

/* kmod_new with our log function installed; stderr of kmod_new printed. */
static struct kmod_ctx *ctx_new(const char *dirname, const char *const *config)
{
	struct stderr_capture c;
	struct kmod_ctx *ctx;

	capture_start(&c);
	ctx = kmod_new(dirname, config);
	capture_end(&c);
	if (ctx)
		kmod_set_log_fn(ctx, log_fn, &R);
	return ctx;
}

/* The context of most checks: the module directory and CONFDIR. header, if
 * not NULL, starts a block first (so that kmod_new's messages belong to it). */
static struct kmod_ctx *ctx_default(const char *header)
{
	const char *config[] = { R.confdir, NULL };
	struct kmod_ctx *ctx;

	if (header)
		out("%s\n", header);
	ctx = ctx_new(R.moddir, config);

	if (ctx == NULL) {
		out("  kmod_new failed\n");
		exit(1);
	}
	return ctx;
}

/* ------------------------------------------------------------ small files */

static char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	if (p == NULL)
		abort();
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* Reads lines of a text file; calls fn(line, data) for each. */
static void each_line(const char *path, void (*fn)(char *line, void *data), void *data)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL) {
		const char *base = strrchr(path, '/');

		out("  cannot read ");
		put(base ? base + 1 : path);
		nl();
		return;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		fn(line, data);
	}
	free(line);
	fclose(f);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, o, rc = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	o = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(o, buf, (size_t)n) != n) {
			rc = -EIO;
			break;
		}
	}
	close(in);
	close(o);
	return rc;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		fprintf(stderr, "harness: cannot write %s\n", path);
		exit(1);
	}
	close(fd);
}

static void set_mtime(const char *path, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	utimensat(AT_FDCWD, path, ts, 0);
}

/* ------------------------------------------------------------ lists */

static void print_module_list(const char *indent, const char *label, struct kmod_list *list)
{
	struct kmod_list *l;
	int n = 0;

	kmod_list_foreach(l, list)
		n++;
	out("%s%s %d:", indent, label, n);
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		out(" ");
		put(kmod_module_get_name(m));
		kmod_module_unref(m);
	}
	nl();
}

/* The same list walked backwards, printed only when it is not the mirror of
 * the forward walk. */
static void check_reverse(const char *indent, struct kmod_list *list)
{
	struct kmod_list *l;
	int fwd = 0, rev = 0;

	kmod_list_foreach(l, list)
		fwd++;
	kmod_list_foreach_reverse(l, list)
		rev++;
	if (fwd != rev)
		out("%sreverse walk: %d entries, forward %d\n", indent, rev, fwd);
}

/* ------------------------------------------------------------ part: abi */

static const char *const api_names[] = {
	"kmod_config_get_aliases", "kmod_config_get_blacklists",
	"kmod_config_get_install_commands", "kmod_config_get_options",
	"kmod_config_get_remove_commands", "kmod_config_get_softdeps",
	"kmod_config_get_weakdeps", "kmod_config_iter_free_iter",
	"kmod_config_iter_get_key", "kmod_config_iter_get_value",
	"kmod_config_iter_next", "kmod_dump_index", "kmod_get_dirname",
	"kmod_get_log_priority", "kmod_get_userdata", "kmod_list_last",
	"kmod_list_next", "kmod_list_prev", "kmod_load_resources",
	"kmod_module_apply_filter", "kmod_module_dependency_symbol_get_bind",
	"kmod_module_dependency_symbol_get_crc",
	"kmod_module_dependency_symbol_get_symbol",
	"kmod_module_dependency_symbols_free_list",
	"kmod_module_get_dependencies", "kmod_module_get_dependency_symbols",
	"kmod_module_get_filtered_blacklist", "kmod_module_get_holders",
	"kmod_module_get_info", "kmod_module_get_initstate",
	"kmod_module_get_install_commands", "kmod_module_get_module",
	"kmod_module_get_name", "kmod_module_get_options",
	"kmod_module_get_path", "kmod_module_get_refcnt",
	"kmod_module_get_remove_commands", "kmod_module_get_sections",
	"kmod_module_get_size", "kmod_module_get_softdeps",
	"kmod_module_get_symbols", "kmod_module_get_versions",
	"kmod_module_get_weakdeps", "kmod_module_info_free_list",
	"kmod_module_info_get_key", "kmod_module_info_get_value",
	"kmod_module_initstate_str", "kmod_module_insert_module",
	"kmod_module_new_from_loaded", "kmod_module_new_from_lookup",
	"kmod_module_new_from_name", "kmod_module_new_from_name_lookup",
	"kmod_module_new_from_path", "kmod_module_probe_insert_module",
	"kmod_module_ref", "kmod_module_remove_module",
	"kmod_module_section_free_list", "kmod_module_section_get_address",
	"kmod_module_section_get_name", "kmod_module_symbol_get_crc",
	"kmod_module_symbol_get_symbol", "kmod_module_symbols_free_list",
	"kmod_module_unref", "kmod_module_unref_list",
	"kmod_module_version_get_crc", "kmod_module_version_get_symbol",
	"kmod_module_versions_free_list", "kmod_new", "kmod_ref",
	"kmod_set_log_fn", "kmod_set_log_priority", "kmod_set_userdata",
	"kmod_unload_resources", "kmod_unref", "kmod_validate_resources",
};

static void part_abi(void)
{
	static const char *const nodes[] = {
		"LIBKMOD_5", "LIBKMOD_6", "LIBKMOD_22", "LIBKMOD_30", "LIBKMOD_33",
	};

	out("abi\n");
	for (size_t i = 0; i < sizeof(api_names) / sizeof(api_names[0]); i++) {
		out("  %s:", api_names[i]);
		if (dlsym(RTLD_DEFAULT, api_names[i]) == NULL)
			out(" absent");
		for (size_t v = 0; v < sizeof(nodes) / sizeof(nodes[0]); v++)
			if (dlvsym(RTLD_DEFAULT, api_names[i], nodes[v]))
				out(" %s", nodes[v]);
		nl();
	}
}

/* ------------------------------------------------------------ part: ctx */

/* One result per line: libkmod may log while computing it. */
static void res(const char *what, const char *step, int rc)
{
	out("  %s %s=%s\n", what, step, errname(rc));
}

static void ctx_with_kmod_log(const char *value)
{
	struct kmod_ctx *ctx;

	if (value)
		setenv("KMOD_LOG", value, 1);
	else
		unsetenv("KMOD_LOG");
	out("ctx KMOD_LOG=%s\n", value ? value : "(unset)");
	ctx = ctx_default(NULL);
	out("  priority=%d\n", kmod_get_log_priority(ctx));
	kmod_unref(ctx);
	unsetenv("KMOD_LOG");
}

/* A scratch module directory: the indexes copied (so their times can be
 * changed), kernel/ a symbolic link to the real tree. */
static char *scratch_moddir(const char *name)
{
	static const char *const files[] = {
		"modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
		"modules.symbols", "modules.symbols.bin", "modules.builtin",
		"modules.builtin.bin", "modules.builtin.alias.bin",
		"modules.builtin.modinfo", "modules.softdep", "modules.devname",
		"modules.order",
	};
	char *top = path_join(R.scratch, name), *dir, *lib, *kernel, *target;

	mkdir(top, 0755);
	lib = path_join(top, "lib");
	mkdir(lib, 0755);
	free(lib);
	lib = path_join(top, "lib/modules");
	mkdir(lib, 0755);
	dir = path_join(lib, R.kver);
	mkdir(dir, 0755);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *from = path_join(R.moddir, files[i]), *to = path_join(dir, files[i]);

		copy_file(from, to);
		set_mtime(to, 1000000000);
		free(from);
		free(to);
	}
	kernel = path_join(dir, "kernel");
	target = path_join(R.moddir, "kernel");
	if (symlink(target, kernel) < 0 && errno != EEXIST)
		fprintf(stderr, "harness: symlink %s: %m\n", kernel);
	free(kernel);
	free(target);
	free(lib);
	free(top);
	return dir;
}

static void part_ctx(void)
{
	static const char *const kmod_log[] = {
		NULL, "err", "info", "debug", "3", "6", "7", "0", "bogus", "",
	};
	const char *config[] = { R.confdir, NULL };
	struct kmod_ctx *ctx, *ref;
	char *cwd, *dir, *conf, *file;

	for (size_t i = 0; i < sizeof(kmod_log) / sizeof(kmod_log[0]); i++)
		ctx_with_kmod_log(kmod_log[i]);

	out("ctx dirname\n");
	ctx = ctx_new(R.moddir, config);
	kv("  ", "absolute", kmod_get_dirname(ctx));
	kmod_unref(ctx);
	dir = path_join(R.moddir, "");
	ctx = ctx_new(dir, config);
	kv("  ", "trailing-slash", kmod_get_dirname(ctx));
	kmod_unref(ctx);
	free(dir);
	cwd = getcwd(NULL, 0);
	dir = path_join(R.root, "lib/modules");
	if (chdir(dir) == 0) {
		ctx = ctx_new(R.kver, config);
		kv("  ", "relative", kmod_get_dirname(ctx));
		kmod_unref(ctx);
		ctx = ctx_new("./", config);
		kv("  ", "dot-slash", kmod_get_dirname(ctx));
		kmod_unref(ctx);
		if (chdir(cwd) < 0)
			exit(1);
	}
	free(dir);
	free(cwd);
	ctx = ctx_new(NULL, config);
	/* /lib/modules/`uname -r`: the same in the host and a chroot */
	kv("  ", "null", kmod_get_dirname(ctx));
	kmod_unref(ctx);
	ctx = ctx_new("/nonexistent/kmod-harness", config);
	kv("  ", "nonexistent", kmod_get_dirname(ctx));
	out("  nonexistent load_resources=%s\n", errname(kmod_load_resources(ctx)));
	kmod_unref(ctx);

	out("ctx refcount-userdata-priority\n");
	ctx = ctx_default(NULL);
	out("  userdata-initial=%s\n", kmod_get_userdata(ctx) ? "set" : "NULL");
	kmod_set_userdata(ctx, &R);
	out("  userdata-after-set=%s\n", kmod_get_userdata(ctx) == &R ? "same" : "other");
	kmod_set_userdata(ctx, NULL);
	out("  userdata-after-clear=%s\n", kmod_get_userdata(ctx) ? "set" : "NULL");
	out("  priority-default=%d\n", kmod_get_log_priority(ctx));
	for (int p = -1; p <= 8; p++) {
		kmod_set_log_priority(ctx, p);
		out("  priority-set-%d=%d\n", p, kmod_get_log_priority(ctx));
	}
	kmod_set_log_priority(ctx, LOG_ERR);
	ref = kmod_ref(ctx);
	out("  ref=%s\n", ref == ctx ? "same" : "other");
	out("  unref-with-2-refs=%s\n", kmod_unref(ctx) == ctx ? "same" : "NULL/other");
	out("  unref-last=%s\n", kmod_unref(ctx) ? "non-NULL" : "NULL");

	out("ctx resources\n");
	ctx = ctx_default(NULL);
	out("  validate-before-load=%s\n", errname(kmod_validate_resources(ctx)));
	out("  load=%s\n", errname(kmod_load_resources(ctx)));
	out("  load-again=%s\n", errname(kmod_load_resources(ctx)));
	out("  validate-after-load=%s\n", errname(kmod_validate_resources(ctx)));
	kmod_unload_resources(ctx);
	out("  validate-after-unload=%s\n", errname(kmod_validate_resources(ctx)));
	kmod_unload_resources(ctx);
	out("  unload-twice=ok\n");
	kmod_unref(ctx);

	/* kmod_validate_resources after an index or a config file changed */
	out("ctx validate-rewrite\n");
	dir = scratch_moddir("validate");
	conf = path_join(R.scratch, "validate/conf");
	mkdir(conf, 0755);
	file = path_join(conf, "a.conf");
	write_file(file, "alias harness-a dummy\n", 22);
	set_mtime(file, 1000000000);
	set_mtime(conf, 1000000000);
	{
		const char *cfg[] = { conf, NULL };
		static const char *const indexes[] = {
			"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
			"modules.builtin.alias.bin", "modules.builtin.bin",
		};

		for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
			char *idx = path_join(dir, indexes[i]), *tmp = path_join(dir, "tmp");

			ctx = ctx_new(dir, cfg);
			res(indexes[i], "load", kmod_load_resources(ctx));
			res(indexes[i], "validate", kmod_validate_resources(ctx));
			/* a new file with another time renamed over the index,
			 * as depmod does */
			copy_file(idx, tmp);
			set_mtime(tmp, 1000000100);
			rename(tmp, idx);
			res(indexes[i], "after-rewrite", kmod_validate_resources(ctx));
			kmod_unload_resources(ctx);
			res(indexes[i], "after-unload", kmod_validate_resources(ctx));
			res(indexes[i], "reload", kmod_load_resources(ctx));
			res(indexes[i], "validate", kmod_validate_resources(ctx));
			unlink(idx);
			res(indexes[i], "after-remove", kmod_validate_resources(ctx));
			kmod_unref(ctx);
			{
				char *orig = path_join(R.moddir, indexes[i]);

				copy_file(orig, idx);
				set_mtime(idx, 1000000000);
				free(orig);
			}
			free(idx);
			free(tmp);
		}
		/* restore every index for the config checks */
		free(dir);
		dir = scratch_moddir("validate");
		ctx = ctx_new(dir, cfg);
		res("config", "load", kmod_load_resources(ctx));
		res("config", "validate", kmod_validate_resources(ctx));
		write_file(file, "alias harness-b dummy\n", 22);
		set_mtime(file, 1000000100);
		res("config", "after-config-rewrite", kmod_validate_resources(ctx));
		kmod_unref(ctx);
		ctx = ctx_new(dir, cfg);
		kmod_load_resources(ctx);
		res("config", "new-ctx", kmod_validate_resources(ctx));
		{
			char *file2 = path_join(conf, "b.conf");

			write_file(file2, "blacklist harness\n", 18);
			set_mtime(conf, 1000000200);
			res("config", "after-config-added", kmod_validate_resources(ctx));
			unlink(file2);
			free(file2);
		}
		kmod_unref(ctx);
		ctx = ctx_new(dir, cfg);
		kmod_load_resources(ctx);
		unlink(file);
		res("config", "after-config-removed", kmod_validate_resources(ctx));
		kmod_unref(ctx);
	}
	free(file);
	free(conf);
	free(dir);
}

/* ------------------------------------------------------------ part: config */

static void print_iter(const char *name, struct kmod_config_iter *iter)
{
	int n = 0;

	out("config %s\n", name);
	if (iter == NULL) {
		out("  iterator=NULL\n");
		return;
	}
	kv("  ", "key-before-next", kmod_config_iter_get_key(iter));
	while (kmod_config_iter_next(iter)) {
		out("  ");
		put(kmod_config_iter_get_key(iter));
		out(" => ");
		put(kmod_config_iter_get_value(iter));
		nl();
		n++;
	}
	out("  count=%d\n", n);
	kv("  ", "key-after-end", kmod_config_iter_get_key(iter));
	out("  next-after-end=%s\n", kmod_config_iter_next(iter) ? "true" : "false");
	kmod_config_iter_free_iter(iter);
}

static void part_config(void)
{
	struct kmod_ctx *ctx;

	out("config kmod_new\n");
	ctx = ctx_default(NULL);
	print_iter("blacklists", kmod_config_get_blacklists(ctx));
	print_iter("install_commands", kmod_config_get_install_commands(ctx));
	print_iter("remove_commands", kmod_config_get_remove_commands(ctx));
	print_iter("aliases", kmod_config_get_aliases(ctx));
	print_iter("options", kmod_config_get_options(ctx));
	print_iter("softdeps", kmod_config_get_softdeps(ctx));
	if (R.config_weakdeps)
		print_iter("weakdeps", R.config_weakdeps(ctx));
	else
		out("config weakdeps\n  absent\n");
	kmod_unref(ctx);
}

/* ------------------------------------------------------------ modules */

static void print_action(struct kmod_module *m, bool install, const char *options)
{
	out("    action %s ", install ? "install" : "insmod");
	put(kmod_module_get_name(m));
	out(" path=");
	put(kmod_module_get_path(m));
	out(" options=");
	put(options);
	if (install) {
		out(" cmd=");
		put(kmod_module_get_install_commands(m));
	}
	nl();
}

static int run_install(struct kmod_module *m, const char *cmdline, void *data)
{
	out("    run_install %s", data == &R ? "" : "(wrong data) ");
	put(kmod_module_get_name(m));
	out(" cmdline=");
	put(cmdline);
	nl();
	return 0;
}

static void probe(struct kmod_module *mod, unsigned int flags, const char *extra)
{
	int rc;

	out("  probe 0x%x", flags);
	if (extra) {
		out(" extra=");
		put(extra);
	}
	nl();
	rc = probe_insert(mod, flags, extra, run_install, &R, print_action);
	out("    rc=%s\n", errname(rc));
}

static void print_filters(struct kmod_ctx *ctx, struct kmod_list *input)
{
	static const struct {
		const char *name;
		unsigned int flags;
	} filters[] = {
		{ "blacklist", KMOD_FILTER_BLACKLIST },
		{ "builtin", KMOD_FILTER_BUILTIN },
		{ "both", KMOD_FILTER_BLACKLIST | KMOD_FILTER_BUILTIN },
		{ "none", 0 },
	};
	struct kmod_list *output;
	int rc;

	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		char label[96];

		output = NULL;
		rc = kmod_module_apply_filter(ctx, filters[i].flags, input, &output);
		snprintf(label, sizeof(label), "filter-%s rc=%s", filters[i].name, errname(rc));
		print_module_list("  ", label, output);
		kmod_module_unref_list(output);
	}
	output = NULL;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	rc = kmod_module_get_filtered_blacklist(ctx, input, &output);
#pragma GCC diagnostic pop
	{
		char label[96];

		snprintf(label, sizeof(label), "filtered-blacklist rc=%s", errname(rc));
		print_module_list("  ", label, output);
	}
	kmod_module_unref_list(output);
}

static void print_info(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	int rc = kmod_module_get_info(mod, &list);

	out("  info rc=%s\n", errname(rc));
	kmod_list_foreach(l, list) {
		out("    ");
		put(kmod_module_info_get_key(l));
		out(" = ");
		put(kmod_module_info_get_value(l));
		nl();
	}
	check_reverse("    ", list);
	kmod_module_info_free_list(list);
}

static void print_versions(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	int rc = kmod_module_get_versions(mod, &list);

	out("  versions rc=%s\n", errname(rc));
	kmod_list_foreach(l, list) {
		out("    0x%016" PRIx64 " ", kmod_module_version_get_crc(l));
		put(kmod_module_version_get_symbol(l));
		nl();
	}
	kmod_module_versions_free_list(list);
}

static void print_symbols(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	int rc = kmod_module_get_symbols(mod, &list);

	out("  symbols rc=%s\n", errname(rc));
	kmod_list_foreach(l, list) {
		out("    0x%016" PRIx64 " ", kmod_module_symbol_get_crc(l));
		put(kmod_module_symbol_get_symbol(l));
		nl();
	}
	kmod_module_symbols_free_list(list);
}

/* Dependency symbols, also read through kmod_module_symbol_get_symbol and
 * _get_crc as dracut-install does (it relies on the two entry layouts). */
static void print_dependency_symbols(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	int rc = kmod_module_get_dependency_symbols(mod, &list);

	out("  dependency-symbols rc=%s\n", errname(rc));
	kmod_list_foreach(l, list) {
		int bind = kmod_module_dependency_symbol_get_bind(l);

		out("    %d", bind);
		if (bind > 0x20 && bind < 0x7f)
			out("(%c)", bind);
		out(" 0x%016" PRIx64 " ", kmod_module_dependency_symbol_get_crc(l));
		put(kmod_module_dependency_symbol_get_symbol(l));
		out(" as-symbol=0x%016" PRIx64 ":", kmod_module_symbol_get_crc(l));
		put(kmod_module_symbol_get_symbol(l));
		nl();
	}
	kmod_module_dependency_symbols_free_list(list);
}

static void print_loaded_state(const struct kmod_module *mod)
{
	struct kmod_list *list, *l;
	int rc, refcnt;
	long size;

	/* every value first: libkmod logs while reading /sys and /proc */
	rc = kmod_module_get_initstate(mod);
	refcnt = kmod_module_get_refcnt(mod);
	size = kmod_module_get_size(mod);
	out("  initstate=%s", errname(rc));
	if (rc >= 0) {
		out("(");
		put(kmod_module_initstate_str((enum kmod_module_initstate)rc));
		out(")");
	}
	out(" refcnt=%s", errname(refcnt));
	out(" size=%ld\n", size);
	list = kmod_module_get_holders(mod);
	print_module_list("  ", "holders", list);
	kmod_module_unref_list(list);
	list = kmod_module_get_sections(mod);
	out("  sections:");
	kmod_list_foreach(l, list) {
		out(" ");
		put(kmod_module_section_get_name(l));
		/* addresses are the running kernel's: printed only as present */
		out("%s", kmod_module_section_get_address(l) ? "@addr" : "@0");
	}
	nl();
	kmod_module_section_free_list(list);
}

/* Everything libkmod knows about one module. */
static void print_module(struct kmod_ctx *ctx, struct kmod_module *mod, bool probes)
{
	struct kmod_list *list, *pre = NULL, *post = NULL, *single = NULL, *l;
	struct kmod_module *ref;
	int rc;

	kv("  ", "name", kmod_module_get_name(mod));
	kv("  ", "path", kmod_module_get_path(mod));
	kv("  ", "options", kmod_module_get_options(mod));
	kv("  ", "install", kmod_module_get_install_commands(mod));
	kv("  ", "remove", kmod_module_get_remove_commands(mod));
	list = kmod_module_get_dependencies(mod);
	print_module_list("  ", "dependencies", list);
	out("  dependency-paths:");
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		out(" ");
		put(kmod_module_get_path(m));
		kmod_module_unref(m);
	}
	nl();
	check_reverse("  ", list);
	kmod_module_unref_list(list);
	rc = kmod_module_get_softdeps(mod, &pre, &post);
	out("  softdeps rc=%s\n", errname(rc));
	print_module_list("    ", "pre", pre);
	print_module_list("    ", "post", post);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	if (R.get_weakdeps) {
		char label[96];

		list = NULL;
		rc = R.get_weakdeps(mod, &list);
		snprintf(label, sizeof(label), "weakdeps rc=%s", errname(rc));
		print_module_list("  ", label, list);
		kmod_module_unref_list(list);
	} else {
		out("  weakdeps absent\n");
	}
	print_loaded_state(mod);
	print_info(mod);
	print_versions(mod);
	print_symbols(mod);
	print_dependency_symbols(mod);

	/* a one-entry list through the filters; kmod_module_ref keeps mod */
	ref = kmod_module_ref(mod);
	out("  ref=%s\n", ref == mod ? "same" : "other");
	/* build the list the public way: a lookup by the module's own name
	 * gives a list; filters are applied to that list */
	rc = kmod_module_new_from_lookup(ctx, kmod_module_get_name(mod), &single);
	out("  lookup-own-name rc=%s\n", errname(rc));
	print_module_list("    ", "found", single);
	print_filters(ctx, single);
	kmod_module_unref_list(single);
	kmod_module_unref(ref);
	if (probes) {
		probe(mod, KMOD_PROBE_DRY_RUN, NULL);
		probe(mod, KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_LOADED | KMOD_PROBE_IGNORE_COMMAND,
		      "harness=1");
		probe(mod, KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST, NULL);
		probe(mod, KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALL | KMOD_PROBE_FAIL_ON_LOADED,
		      NULL);
		probe(mod, KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, NULL);
	}
}

struct names {
	char **v;
	size_t n, cap;
};

static void names_add(struct names *names, const char *s)
{
	if (names->n == names->cap) {
		names->cap = names->cap ? names->cap * 2 : 1024;
		names->v = realloc(names->v, names->cap * sizeof(*names->v));
		if (names->v == NULL)
			abort();
	}
	names->v[names->n++] = strdup(s);
}

static void names_free(struct names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
}

/* modules.dep "kernel/x/foo-bar.ko: deps" -> the path; modules.builtin
 * "kernel/x/foo.ko" -> the path. */
static void add_dep_path(char *line, void *data)
{
	char *colon = strchr(line, ':');

	if (colon == NULL || line[0] == '#')
		return;
	*colon = '\0';
	names_add(data, line);
}

static void add_builtin_path(char *line, void *data)
{
	if (line[0] != '\0' && line[0] != '#')
		names_add(data, line);
}

/* "kernel/x/foo-bar.ko.xz" -> "foo_bar" */
static char *path_to_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name = strdup(base ? base + 1 : path), *dot;

	dot = strstr(name, ".ko");
	if (dot)
		*dot = '\0';
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

static void part_modules(void)
{
	struct names dep = { 0 }, builtin = { 0 };
	struct kmod_ctx *ctx = ctx_default("modules kmod_new");
	char *file;

	out("modules load_resources\n  rc=%s\n", errname(kmod_load_resources(ctx)));
	file = path_join(R.moddir, "modules.dep");
	each_line(file, add_dep_path, &dep);
	free(file);
	file = path_join(R.moddir, "modules.builtin");
	each_line(file, add_builtin_path, &builtin);
	free(file);

	for (size_t i = 0; i < dep.n; i++) {
		if (i % R.sample != 0)
			continue;
		char *name = path_to_name(dep.v[i]);
		struct kmod_module *mod = NULL;
		int rc = kmod_module_new_from_name(ctx, name, &mod);

		out("module %s\n", name);
		out("  new_from_name rc=%s\n", errname(rc));
		if (rc == 0) {
			print_module(ctx, mod, true);
			kmod_module_unref(mod);
		}
		free(name);
	}
	for (size_t i = 0; i < builtin.n; i++) {
		if (i % R.sample != 0)
			continue;
		char *name = path_to_name(builtin.v[i]);
		struct kmod_module *mod = NULL;
		int rc = kmod_module_new_from_name(ctx, name, &mod);

		out("builtin %s\n", name);
		out("  new_from_name rc=%s\n", errname(rc));
		if (rc == 0) {
			print_module(ctx, mod, true);
			kmod_module_unref(mod);
		}
		free(name);
	}
	/* every module file again, by path, in a fresh context (by path in
	 * the first one would meet the objects made by name) */
	kmod_unref(ctx);
	ctx = ctx_default("modules kmod_new-by-path");
	for (size_t i = 0; i < dep.n; i++) {
		char *path = dep.v[i][0] == '/' ? strdup(dep.v[i]) : path_join(R.moddir, dep.v[i]);
		struct kmod_module *mod = NULL, *byname = NULL;
		int rc = kmod_module_new_from_path(ctx, path, &mod);

		out("path ");
		put(path);
		out("\n  new_from_path rc=%s\n", errname(rc));
		if (rc == 0) {
			kv("  ", "name", kmod_module_get_name(mod));
			kv("  ", "path", kmod_module_get_path(mod));
			rc = kmod_module_new_from_name(ctx, kmod_module_get_name(mod), &byname);
			out("  new_from_name rc=%s same-object=%s", errname(rc),
			    byname == mod ? "yes" : "no");
			kv(" ", "path", byname ? kmod_module_get_path(byname) : NULL);
			kmod_module_unref(byname);
			kmod_module_unref(mod);
		}
		free(path);
	}
	kmod_unref(ctx);
	names_free(&dep);
	names_free(&builtin);
}

/* ------------------------------------------------------------ part: aliases */

static void lookup_one(struct kmod_ctx *ctx, const char *kind, const char *alias)
{
	struct kmod_list *list = NULL;
	struct kmod_module *mod = NULL;
	int rc;

	out("alias %s ", kind);
	put(alias);
	nl();
	rc = kmod_module_new_from_lookup(ctx, alias, &list);
	out("  lookup rc=%s\n", errname(rc));
	print_module_list("    ", "modules", list);
	if (list) {
		/* options and commands of the found modules: libkmod gives
		 * the ones of the alias too when a config alias led to them */
		struct kmod_list *l;

		kmod_list_foreach(l, list) {
			struct kmod_module *m = kmod_module_get_module(l);

			out("    ");
			put(kmod_module_get_name(m));
			out(" options=");
			put(kmod_module_get_options(m));
			out(" install=");
			put(kmod_module_get_install_commands(m));
			out(" path=");
			put(kmod_module_get_path(m));
			nl();
			kmod_module_unref(m);
		}
		print_filters(ctx, list);
	}
	kmod_module_unref_list(list);
	if (R.name_lookup) {
		rc = R.name_lookup(ctx, alias, &mod);
		out("  name_lookup rc=%s", errname(rc));
		if (rc == 0) {
			kv(" ", "name", mod ? kmod_module_get_name(mod) : NULL);
			kmod_module_unref(mod);
		} else {
			nl();
		}
	} else {
		out("  name_lookup absent\n");
	}
}

struct alias_walk {
	struct kmod_ctx *ctx;
	const char *kind;
	int count;
	unsigned long seen; /* candidates, for --sample */
};

/* "alias PATTERN MODULE": an alias string made from the pattern as in
 * testsuite/differential/modprobe.sh (a bracket expression becomes its first
 * character, '*' nothing, '?' the letter a). */
static void alias_from_line(char *line, void *data)
{
	struct alias_walk *w = data;
	char *pattern, *end, *s, *o;
	bool literal = strcmp(w->kind, "symbol") == 0;

	if (strncmp(line, "alias ", 6) != 0)
		return;
	pattern = line + 6;
	end = strchr(pattern, ' ');
	if (end)
		*end = '\0';
	for (s = o = pattern; *s;) {
		if (literal) {
			*o++ = *s++;
		} else if (*s == '[' && s[1] && strchr(s + 2, ']')) {
			*o++ = s[1];
			s = strchr(s + 2, ']') + 1;
		} else if (*s == '*') {
			s++;
		} else if (*s == '?') {
			*o++ = 'a';
			s++;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	if (*pattern == '\0' || w->seen++ % R.sample != 0)
		return;
	lookup_one(w->ctx, w->kind, pattern);
	w->count++;
}

static void name_from_path(char *line, void *data)
{
	struct alias_walk *w = data;
	char *colon = strchr(line, ':'), *name;
	const char *base;

	if (line[0] == '#' || line[0] == '\0' || w->seen++ % R.sample != 0)
		return;
	if (colon)
		*colon = '\0';
	name = path_to_name(line);
	lookup_one(w->ctx, w->kind, name);
	w->count++;
	/* the file name with dashes, as a user would type it */
	base = strrchr(line, '/');
	base = base ? base + 1 : line;
	if (strchr(base, '-')) {
		char *dashed = strdup(base), *dot = strstr(dashed, ".ko");

		if (dot)
			*dot = '\0';
		lookup_one(w->ctx, w->kind, dashed);
		free(dashed);
	}
	free(name);
}

static void part_aliases(void)
{
	static const char *const extra[] = {
		/* the config's own aliases, commands and a blacklisted name */
		"my-net-alias", "my-wild-card", "my-wild", "my-multi", "harness-cmd",
		"harness-install-only", "dummy", "floppy", "pcspkr",
		/* nonexistent, odd and normalised forms */
		"kmod-harness-no-such-thing", "", "-", "_", "snd-hda-intel",
		"snd_hda_intel", "symbol:", "symbol:no_such_symbol",
		"pci:v00008086d00001000sv*sd*bc*sc*i*", "usb:v*", "*", "?",
		"platform:", "fs-ext4", "fs-xfs", "char-major-10-237",
		"block-major-7-0", "devname:loop-control", "crypto-crc32c",
		"acpi*:PNP0C09:*",
	};
	struct kmod_ctx *ctx = ctx_default("aliases kmod_new");
	struct alias_walk w = { ctx, "pattern", 0, 0 };
	char *file;
	int before, rc;

	rc = kmod_load_resources(ctx);
	out("aliases load_resources\n  rc=%s\n", errname(rc));
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		lookup_one(ctx, "extra", extra[i]);

	file = path_join(R.moddir, "modules.alias");
	each_line(file, alias_from_line, &w);
	free(file);
	before = w.count;
	w.kind = "symbol";
	file = path_join(R.moddir, "modules.symbols");
	each_line(file, alias_from_line, &w);
	free(file);
	w.kind = "name";
	file = path_join(R.moddir, "modules.dep");
	each_line(file, name_from_path, &w);
	free(file);
	w.kind = "builtin";
	file = path_join(R.moddir, "modules.builtin");
	each_line(file, name_from_path, &w);
	free(file);
	out("aliases count\n  patterns=%d all=%d\n", before, w.count);
	kmod_unref(ctx);

	/* the same lookups work without kmod_load_resources (each opens the
	 * index file): a sample */
	ctx = ctx_default("aliases without-load_resources");
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		lookup_one(ctx, "unloaded", extra[i]);
	kmod_unref(ctx);
}

/* ------------------------------------------------------------ part: dump */

static void dump_one(struct kmod_ctx *ctx, int type, const char *label)
{
	FILE *tmp = tmpfile();
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc, lines = 0;

	if (tmp == NULL)
		exit(1);
	rc = kmod_dump_index(ctx, (enum kmod_index)type, fileno(tmp));
	out("dump %d %s\n  rc=%s\n", type, label, errname(rc));
	rewind(tmp);
	while ((n = getline(&line, &cap, tmp)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		out("  | ");
		put(line);
		nl();
		lines++;
	}
	out("  lines=%d\n", lines);
	free(line);
	fclose(tmp);
}

static void part_dump(void)
{
	static const char *const types[] = {
		"modules.dep", "modules.alias", "modules.symbols",
		"modules.builtin.alias", "modules.builtin",
	};
	struct kmod_ctx *ctx = ctx_default("dump kmod_new");

	for (int t = 0; t < 5; t++)
		dump_one(ctx, t, types[t]);
	dump_one(ctx, 5, "out-of-range");
	dump_one(ctx, -1, "negative");
	out("dump load_resources\n  rc=%s\n", errname(kmod_load_resources(ctx)));
	for (int t = 0; t < 5; t++) {
		char label[96];

		snprintf(label, sizeof(label), "%s loaded", types[t]);
		dump_one(ctx, t, label);
	}
	kmod_unref(ctx);
}

/* ------------------------------------------------------------ part: errors */

/* Runs fn(arg) in a child process, so that a crash is reported and the run
 * goes on: "crash signal N". The child's stderr is thrown away (assertion
 * messages name libkmod's source lines). Each call is a block headed
 * "GROUP LABEL"; fn prints whole lines indented by two spaces. */
static const char *guard_group;

static void guarded(const char *label, void (*fn)(void *), void *arg)
{
	pid_t pid;
	int status;

	out("%s %s\n", guard_group, label);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		exit(1);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 2);
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		exit(1);
	if (WIFSIGNALED(status))
		out("  crash signal %d\n", WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		out("  exit %d\n", WEXITSTATUS(status));
}

struct err_env {
	struct kmod_ctx *ctx;
	const char *text;
	unsigned int flags;
};

static void e_new_from_path(void *p)
{
	struct err_env *e = p;
	struct kmod_module *mod = NULL;
	struct kmod_list *list = NULL;
	int rc = kmod_module_new_from_path(e->ctx, e->text, &mod);

	out("  rc=%s", errname(rc));
	if (rc < 0) {
		nl();
		return;
	}
	kv(" ", "name", kmod_module_get_name(mod));
	kv("    ", "path", kmod_module_get_path(mod));
	rc = kmod_module_get_info(mod, &list);
	out("  info=%s\n", errname(rc));
	kmod_module_info_free_list(list);
	list = NULL;
	rc = kmod_module_get_versions(mod, &list);
	out("  versions=%s\n", errname(rc));
	kmod_module_versions_free_list(list);
	list = NULL;
	rc = kmod_module_get_symbols(mod, &list);
	out("  symbols=%s\n", errname(rc));
	kmod_module_symbols_free_list(list);
	list = NULL;
	rc = kmod_module_get_dependency_symbols(mod, &list);
	out("  dependency-symbols=%s\n", errname(rc));
	kmod_module_dependency_symbols_free_list(list);
	kmod_module_unref(mod);
}

static void e_lookup(void *p)
{
	struct err_env *e = p;
	struct kmod_list *list = NULL;
	int rc = kmod_module_new_from_lookup(e->ctx, e->text, &list);

	out("  rc=%s", errname(rc));
	print_module_list(" ", "modules", list);
	kmod_module_unref_list(list);
	if (R.name_lookup) {
		struct kmod_module *mod = NULL;

		rc = R.name_lookup(e->ctx, e->text, &mod);
		out("  name_lookup rc=%s", errname(rc));
		kv(" ", "name", mod ? kmod_module_get_name(mod) : NULL);
		kv("    ", "path", mod ? kmod_module_get_path(mod) : NULL);
		kmod_module_unref(mod);
	}
}

static void e_insert(void *p)
{
	struct err_env *e = p;
	struct kmod_module *mod = NULL;
	int rc;

	if (e->text[0] == '/')
		rc = kmod_module_new_from_path(e->ctx, e->text, &mod);
	else
		rc = kmod_module_new_from_name(e->ctx, e->text, &mod);
	out("  new=%s\n", errname(rc));
	if (rc < 0)
		return;
	rc = kmod_module_insert_module(mod, e->flags, "harness=1");
	out("  insert=%s\n", errname(rc));
	kmod_module_unref(mod);
}

static void e_remove(void *p)
{
	struct err_env *e = p;
	struct kmod_module *mod = NULL;
	int rc = kmod_module_new_from_name(e->ctx, e->text, &mod);

	out("  new=%s\n", errname(rc));
	if (rc < 0)
		return;
	rc = kmod_module_remove_module(mod, e->flags);
	out("  remove=%s\n", errname(rc));
	kmod_module_unref(mod);
}

static void e_probe(void *p)
{
	struct err_env *e = p;
	struct kmod_list *list = NULL, *l;
	int rc = kmod_module_new_from_lookup(e->ctx, e->text, &list);

	out("  lookup=%s\n", errname(rc));
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		out("  ");
		put(kmod_module_get_name(m));
		nl();
		rc = probe_insert(m, e->flags, "extra=1", run_install, &R,
						     print_action);
		out("  rc=%s\n", errname(rc));
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
}

static void e_index_checks(void *p)
{
	struct err_env *e = p;
	struct kmod_list *list = NULL;
	struct kmod_module *mod = NULL;
	int rc;

	rc = kmod_load_resources(e->ctx);
	out("  load=%s\n", errname(rc));
	rc = kmod_validate_resources(e->ctx);
	out("  validate=%s\n", errname(rc));
	for (int t = 0; t < 5; t++) {
		int null = open("/dev/null", O_WRONLY);

		rc = kmod_dump_index(e->ctx, (enum kmod_index)t, null);
		out("  dump%d=%s\n", t, errname(rc));
		close(null);
	}
	static const char *const probes[] = {
		"ext4", "e1000e", "pci:v00008086d000010D3sv00000000sd00000000bc02sc00i00",
		"symbol:jbd2_journal_start", "fs-ext4", "sctp",
	};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		list = NULL;
		rc = kmod_module_new_from_lookup(e->ctx, probes[i], &list);
		out("  lookup %s rc=%s", probes[i], errname(rc));
		print_module_list(" ", "modules", list);
		kmod_module_unref_list(list);
		rc = kmod_module_new_from_name(e->ctx, probes[i], &mod);
		if (rc == 0) {
			struct kmod_list *deps = kmod_module_get_dependencies(mod);
			const char *path = kmod_module_get_path(mod);

			out("  name %s", probes[i]);
			kv(" ", "path", path);
			print_module_list("    ", "dependencies", deps);
			kmod_module_unref_list(deps);
			kmod_module_unref(mod);
		}
	}
}

/* A scratch module directory with one index replaced by bad content. */
static void corrupt_index(const char *index, const char *how)
{
	char name[128], *dir, *file;
	struct err_env e;
	const char *config[1] = { NULL };	/* no modprobe.d: less noise */
	char label[160];

	snprintf(name, sizeof(name), "corrupt-%s-%s", index, how);
	dir = scratch_moddir(name);
	file = path_join(dir, index);
	if (strcmp(how, "missing") == 0) {
		unlink(file);
	} else if (strcmp(how, "empty") == 0) {
		write_file(file, "", 0);
	} else if (strcmp(how, "bad-magic") == 0) {
		/* a whole header's worth of junk */
		write_file(file, "kmod-harness: not an index\n", 27);
	} else if (strcmp(how, "bad-version") == 0) {
		FILE *f = fopen(file, "r+e");

		/* the magic kept, the major version (bytes 4-5) changed */
		if (f && fseek(f, 4, SEEK_SET) == 0) {
			fputc(0x7f, f);
			fputc(0x7f, f);
		}
		if (f)
			fclose(f);
	} else if (strcmp(how, "garbage-text") == 0) {
		write_file(file, "kernel/no/such.ko: kernel/also/missing.ko\n::::\n\n#x\n", 51);
	}
	snprintf(label, sizeof(label), "%s %s", index, how);
	out("%s %s kmod_new\n", guard_group, label);
	e.ctx = ctx_new(dir, config);
	e.text = NULL;
	e.flags = 0;
	guarded(label, e_index_checks, &e);
	kmod_unref(e.ctx);
	free(file);
	free(dir);
}

static void part_errors(void)
{
	struct kmod_ctx *ctx = ctx_default("errors kmod_new");
	struct err_env e = { ctx, NULL, 0 };
	char *garbage = path_join(R.scratch, "garbage.ko"), *empty = path_join(R.scratch, "empty.ko");
	char *trunc = path_join(R.scratch, "truncated.ko"), *dummy = path_join(R.scratch, "dummy.ko");
	char *dir = path_join(R.scratch, "dir.ko");
	struct names dep = { 0 };
	char *file;

	write_file(garbage, "\177ELF this is not a module at all, only its magic\n", 50);
	write_file(empty, "", 0);
	mkdir(dir, 0755);
	file = path_join(R.moddir, "modules.dep");
	each_line(file, add_dep_path, &dep);
	free(file);
	{
		/* the first 200 bytes of a real module; and a copy of dummy.ko
		 * under another directory */
		for (size_t i = 0; i < dep.n; i++) {
			char *name = path_to_name(dep.v[i]);

			if (strcmp(name, "dummy") == 0) {
				char *from = dep.v[i][0] == '/' ? strdup(dep.v[i]) : path_join(R.moddir, dep.v[i]);
				char buf[200];
				int fd = open(from, O_RDONLY);

				if (fd >= 0 && read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf))
					write_file(trunc, buf, sizeof(buf));
				if (fd >= 0)
					close(fd);
				copy_file(from, dummy);
				free(from);
			}
			free(name);
		}
	}
	names_free(&dep);

	guard_group = "errors new_from_path";
	e.text = "/nonexistent/kmod-harness/x.ko";
	guarded("nonexistent", e_new_from_path, &e);
	e.text = garbage;
	guarded("garbage", e_new_from_path, &e);
	e.text = empty;
	guarded("empty", e_new_from_path, &e);
	e.text = trunc;
	guarded("truncated", e_new_from_path, &e);
	e.text = dir;
	guarded("directory", e_new_from_path, &e);
	e.text = "relative/path.ko";
	guarded("relative", e_new_from_path, &e);
	e.text = "";
	guarded("empty-string", e_new_from_path, &e);
	/* dummy exists in the tree: the same name at another path */
	{
		struct kmod_module *mod = NULL;
		int rc = kmod_module_new_from_name(ctx, "dummy", &mod);

		out("errors new_from_path dummy-by-name\n  rc=%s", errname(rc));
		kv(" ", "path", mod ? kmod_module_get_path(mod) : NULL);
		e.text = dummy;
		guarded("dummy-other-path-while-held", e_new_from_path, &e);
		kmod_module_unref(mod);
		guarded("dummy-other-path-after-release", e_new_from_path, &e);
	}

	{
		static const char *const names[] = {
			"kmod_harness_no_such_module", "", "a/b", "dummy.ko", "snd-hda-intel",
			"this_name_is_long_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			struct kmod_module *mod = NULL;
			int rc = kmod_module_new_from_name(ctx, names[i], &mod);

			out("errors new_from_name %s\n  rc=%s\n", names[i], errname(rc));
			if (rc == 0) {
				print_module(ctx, mod, false);
				kmod_module_unref(mod);
			}
		}
	}

	guard_group = "errors lookup";
	e.text = "kmod-harness-no-such-alias";
	guarded("no-such-alias", e_lookup, &e);
	e.text = "symbol:kmod_harness_no_such_symbol";
	guarded("no-such-symbol", e_lookup, &e);
	e.text = "kmod_harness_no_such_module";
	guarded("no-such-module", e_lookup, &e);

	guard_group = "errors contexts";
	{
		const char *config[] = { R.confdir, NULL };
		const char *noconf[] = { "/nonexistent/kmod-harness.d", NULL };
		const char *none[] = { NULL };
		struct err_env e2 = { NULL, "ext4", 0 };

		out("errors contexts nonexistent-dirname kmod_new\n");
		e2.ctx = ctx_new("/nonexistent/kmod-harness", config);
		guarded("nonexistent-dirname", e_index_checks, &e2);
		kmod_unref(e2.ctx);
		out("errors contexts nonexistent-config kmod_new\n");
		e2.ctx = ctx_new(R.moddir, noconf);
		guarded("nonexistent-config", e_lookup, &e2);
		kmod_unref(e2.ctx);
		out("errors contexts empty-config-list kmod_new\n");
		e2.ctx = ctx_new(R.moddir, none);
		guarded("empty-config-list", e_lookup, &e2);
		kmod_unref(e2.ctx);
		e2.ctx = ctx_new(R.moddir, none);
		e2.text = R.confdir;
		guarded("config-dir-as-module-path", e_new_from_path, &e2);
		kmod_unref(e2.ctx);
	}

	guard_group = "errors corrupt-index";
	{
		static const char *const bins[] = {
			"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
			"modules.builtin.bin", "modules.builtin.alias.bin",
		};
		static const char *const hows[] = { "missing", "empty", "bad-magic", "bad-version" };

		for (size_t i = 0; i < sizeof(bins) / sizeof(bins[0]); i++)
			for (size_t h = 0; h < sizeof(hows) / sizeof(hows[0]); h++)
				corrupt_index(bins[i], hows[h]);
		corrupt_index("modules.dep", "garbage-text");
		corrupt_index("modules.builtin.modinfo", "empty");
		corrupt_index("modules.builtin.modinfo", "missing");
	}

	guard_group = "errors insert-remove";
	{
		static const unsigned int rflags[] = {
			0, KMOD_REMOVE_NOWAIT, KMOD_REMOVE_FORCE | KMOD_REMOVE_NOWAIT, KMOD_REMOVE_NOLOG,
		};

		/* removing a module that is not loaded changes nothing */
		e.text = "kmod_harness_not_loaded";
		for (size_t i = 0; i < sizeof(rflags) / sizeof(rflags[0]); i++) {
			char label[96];

			e.flags = rflags[i];
			snprintf(label, sizeof(label), "remove-not-loaded flags=0x%x", rflags[i]);
			guarded(label, e_remove, &e);
		}
		/* a built-in module has no file to insert */
		e.flags = 0;
		e.text = "kmod_harness_no_such_module";
		guarded("insert-no-path", e_insert, &e);
		if (R.kernel_has_modules) {
			out("  insert-files: skipped (the running kernel loads modules)\n");
		} else {
			e.text = garbage;
			guarded("insert-garbage", e_insert, &e);
			e.text = empty;
			guarded("insert-empty", e_insert, &e);
			e.flags = KMOD_INSERT_FORCE_VERMAGIC | KMOD_INSERT_FORCE_MODVERSION;
			e.text = dummy;
			guarded("insert-dummy-forced", e_insert, &e);
			e.flags = 0;
			guarded("insert-dummy", e_insert, &e);
		}
	}

	guard_group = "errors probe";
	{
		/* install commands through run_install: nothing reaches the
		 * kernel (the modules have no dependencies and no file) */
		e.text = "harness-cmd";
		e.flags = 0;
		guarded("install-command", e_probe, &e);
		e.flags = KMOD_PROBE_IGNORE_LOADED;
		guarded("install-command-ignore-loaded", e_probe, &e);
		e.text = "harness-install-only";
		e.flags = 0;
		guarded("install-only", e_probe, &e);
		/* blacklisted: the probe stops before loading anything */
		e.text = "floppy";
		e.flags = KMOD_PROBE_APPLY_BLACKLIST;
		guarded("blacklisted", e_probe, &e);
		e.text = "my-bl-alias";
		e.flags = KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
		guarded("blacklisted-alias-only", e_probe, &e);
		if (R.kernel_has_modules) {
			out("  probe-insert: skipped (the running kernel loads modules)\n");
		} else {
			e.text = "dummy";
			e.flags = KMOD_PROBE_IGNORE_COMMAND;
			guarded("dummy-ignore-command", e_probe, &e);
			e.text = "sctp";
			e.flags = 0;
			guarded("sctp", e_probe, &e);
		}
	}

	out("errors loaded\n");
	{
		struct kmod_list *list = NULL;
		int rc = kmod_module_new_from_loaded(ctx, &list);

		out("  new_from_loaded rc=%s", errname(rc));
		print_module_list(" ", "modules", list);
		kmod_module_unref_list(list);
	}
	kmod_unref(ctx);
	free(garbage);
	free(empty);
	free(trunc);
	free(dummy);
	free(dir);
}

/* ------------------------------------------------------------ part: null */

/* Each call with NULL where a caller could pass it, in a child process. */
static struct kmod_ctx *null_ctx;
static struct kmod_module *null_mod;

#define NULLCALL(label, ...) \
	static void nc_##label(void *p) { (void)p; out("  "); __VA_ARGS__; nl(); }

static void pptr(const void *p)
{
	out("%s", p ? "non-NULL" : "NULL");
}

NULLCALL(ref, pptr(kmod_ref(NULL)))
NULLCALL(unref, pptr(kmod_unref(NULL)))
NULLCALL(get_log_priority, out("%d", kmod_get_log_priority(NULL)))
NULLCALL(set_log_priority, kmod_set_log_priority(NULL, 3); out("ok"))
NULLCALL(set_log_fn, kmod_set_log_fn(NULL, log_fn, NULL); out("ok"))
NULLCALL(set_log_fn_null_fn, kmod_set_log_fn(null_ctx, NULL, NULL); out("ok"))
NULLCALL(get_userdata, pptr(kmod_get_userdata(NULL)))
NULLCALL(set_userdata, kmod_set_userdata(NULL, &R); out("ok"))
NULLCALL(get_dirname, put(kmod_get_dirname(NULL)))
NULLCALL(load_resources, out("%s", errname(kmod_load_resources(NULL))))
NULLCALL(unload_resources, kmod_unload_resources(NULL); out("ok"))
NULLCALL(validate_resources, out("%s", errname(kmod_validate_resources(NULL))))
NULLCALL(dump_index_ctx, out("%s", errname(kmod_dump_index(NULL, KMOD_INDEX_MODULES_DEP, 1))))
NULLCALL(dump_index_badfd, out("%s", errname(kmod_dump_index(null_ctx, KMOD_INDEX_MODULES_DEP, -1))))
NULLCALL(list_next, pptr(kmod_list_next(NULL, NULL)))
NULLCALL(list_prev, pptr(kmod_list_prev(NULL, NULL)))
NULLCALL(list_last, pptr(kmod_list_last(NULL)))
NULLCALL(config_blacklists, pptr(kmod_config_get_blacklists(NULL)))
NULLCALL(config_install, pptr(kmod_config_get_install_commands(NULL)))
NULLCALL(config_remove, pptr(kmod_config_get_remove_commands(NULL)))
NULLCALL(config_aliases, pptr(kmod_config_get_aliases(NULL)))
NULLCALL(config_options, pptr(kmod_config_get_options(NULL)))
NULLCALL(config_softdeps, pptr(kmod_config_get_softdeps(NULL)))
NULLCALL(config_weakdeps, if (R.config_weakdeps) pptr(R.config_weakdeps(NULL)); else out("absent"))
NULLCALL(iter_get_key, put(kmod_config_iter_get_key(NULL)))
NULLCALL(iter_get_value, put(kmod_config_iter_get_value(NULL)))
NULLCALL(iter_next, out("%d", kmod_config_iter_next(NULL)))
NULLCALL(iter_free, kmod_config_iter_free_iter(NULL); out("ok"))
NULLCALL(new_from_name_ctx, struct kmod_module *m = NULL; out("%s", errname(kmod_module_new_from_name(NULL, "dummy", &m))))
NULLCALL(new_from_name_name, struct kmod_module *m = NULL; out("%s", errname(kmod_module_new_from_name(null_ctx, NULL, &m))))
NULLCALL(new_from_name_out, out("%s", errname(kmod_module_new_from_name(null_ctx, "dummy", NULL))))
NULLCALL(new_from_path_ctx, struct kmod_module *m = NULL; out("%s", errname(kmod_module_new_from_path(NULL, "/x.ko", &m))))
NULLCALL(new_from_path_path, struct kmod_module *m = NULL; out("%s", errname(kmod_module_new_from_path(null_ctx, NULL, &m))))
NULLCALL(new_from_path_out, out("%s", errname(kmod_module_new_from_path(null_ctx, "/x.ko", NULL))))
NULLCALL(new_from_lookup_ctx, struct kmod_list *l = NULL; out("%s", errname(kmod_module_new_from_lookup(NULL, "dummy", &l))))
NULLCALL(new_from_lookup_alias, struct kmod_list *l = NULL; out("%s", errname(kmod_module_new_from_lookup(null_ctx, NULL, &l))))
NULLCALL(new_from_lookup_out, out("%s", errname(kmod_module_new_from_lookup(null_ctx, "dummy", NULL))))
NULLCALL(name_lookup_ctx, struct kmod_module *m = NULL; if (R.name_lookup) out("%s", errname(R.name_lookup(NULL, "dummy", &m))); else out("absent"))
NULLCALL(name_lookup_name, struct kmod_module *m = NULL; if (R.name_lookup) out("%s", errname(R.name_lookup(null_ctx, NULL, &m))); else out("absent"))
NULLCALL(name_lookup_out, if (R.name_lookup) out("%s", errname(R.name_lookup(null_ctx, "dummy", NULL))); else out("absent"))
NULLCALL(new_from_loaded_ctx, struct kmod_list *l = NULL; out("%s", errname(kmod_module_new_from_loaded(NULL, &l))))
NULLCALL(new_from_loaded_out, out("%s", errname(kmod_module_new_from_loaded(null_ctx, NULL))))
NULLCALL(module_ref, pptr(kmod_module_ref(NULL)))
NULLCALL(module_unref, pptr(kmod_module_unref(NULL)))
NULLCALL(unref_list, out("%d", kmod_module_unref_list(NULL)))
NULLCALL(get_module, pptr(kmod_module_get_module(NULL)))
NULLCALL(get_name, put(kmod_module_get_name(NULL)))
NULLCALL(get_path, put(kmod_module_get_path(NULL)))
NULLCALL(get_options, put(kmod_module_get_options(NULL)))
NULLCALL(get_install, put(kmod_module_get_install_commands(NULL)))
NULLCALL(get_remove, put(kmod_module_get_remove_commands(NULL)))
NULLCALL(get_dependencies, pptr(kmod_module_get_dependencies(NULL)))
NULLCALL(get_softdeps_mod, struct kmod_list *a = NULL, *b = NULL; out("%s", errname(kmod_module_get_softdeps(NULL, &a, &b))))
NULLCALL(get_softdeps_pre, struct kmod_list *b = NULL; out("%s", errname(kmod_module_get_softdeps(null_mod, NULL, &b))))
NULLCALL(get_softdeps_post, struct kmod_list *a = NULL; out("%s", errname(kmod_module_get_softdeps(null_mod, &a, NULL))))
NULLCALL(get_weakdeps_mod, struct kmod_list *l = NULL; if (R.get_weakdeps) out("%s", errname(R.get_weakdeps(NULL, &l))); else out("absent"))
NULLCALL(get_weakdeps_out, if (R.get_weakdeps) out("%s", errname(R.get_weakdeps(null_mod, NULL))); else out("absent"))
NULLCALL(apply_filter_ctx, struct kmod_list *o = NULL; out("%s", errname(kmod_module_apply_filter(NULL, KMOD_FILTER_BLACKLIST, NULL, &o))))
NULLCALL(apply_filter_input, struct kmod_list *o = NULL; out("%s", errname(kmod_module_apply_filter(null_ctx, KMOD_FILTER_BLACKLIST, NULL, &o))); pptr(o))
NULLCALL(apply_filter_out, out("%s", errname(kmod_module_apply_filter(null_ctx, KMOD_FILTER_BLACKLIST, NULL, NULL))))
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
NULLCALL(filtered_blacklist_ctx, struct kmod_list *o = NULL; out("%s", errname(kmod_module_get_filtered_blacklist(NULL, NULL, &o))))
NULLCALL(filtered_blacklist_input, struct kmod_list *o = NULL; out("%s", errname(kmod_module_get_filtered_blacklist(null_ctx, NULL, &o))); pptr(o))
#pragma GCC diagnostic pop
NULLCALL(initstate_str, for (int s = -1; s <= 5; s++) { out("%d:", s); put(kmod_module_initstate_str((enum kmod_module_initstate)s)); out(" "); })
NULLCALL(get_initstate, out("%s", errname(kmod_module_get_initstate(NULL))))
NULLCALL(get_refcnt, out("%s", errname(kmod_module_get_refcnt(NULL))))
NULLCALL(get_holders, pptr(kmod_module_get_holders(NULL)))
NULLCALL(get_sections, pptr(kmod_module_get_sections(NULL)))
NULLCALL(section_get_name, put(kmod_module_section_get_name(NULL)))
NULLCALL(section_get_address, out("%lu", kmod_module_section_get_address(NULL)))
NULLCALL(section_free_list, kmod_module_section_free_list(NULL); out("ok"))
NULLCALL(get_size, out("%ld", kmod_module_get_size(NULL)))
NULLCALL(get_info_mod, struct kmod_list *l = NULL; out("%s", errname(kmod_module_get_info(NULL, &l))))
NULLCALL(get_info_out, out("%s", errname(kmod_module_get_info(null_mod, NULL))))
NULLCALL(info_get_key, put(kmod_module_info_get_key(NULL)))
NULLCALL(info_get_value, put(kmod_module_info_get_value(NULL)))
NULLCALL(info_free_list, kmod_module_info_free_list(NULL); out("ok"))
NULLCALL(get_versions_mod, struct kmod_list *l = NULL; out("%s", errname(kmod_module_get_versions(NULL, &l))))
NULLCALL(get_versions_out, out("%s", errname(kmod_module_get_versions(null_mod, NULL))))
NULLCALL(version_get_symbol, put(kmod_module_version_get_symbol(NULL)))
NULLCALL(version_get_crc, out("%" PRIu64, kmod_module_version_get_crc(NULL)))
NULLCALL(versions_free_list, kmod_module_versions_free_list(NULL); out("ok"))
NULLCALL(get_symbols_mod, struct kmod_list *l = NULL; out("%s", errname(kmod_module_get_symbols(NULL, &l))))
NULLCALL(get_symbols_out, out("%s", errname(kmod_module_get_symbols(null_mod, NULL))))
NULLCALL(symbol_get_symbol, put(kmod_module_symbol_get_symbol(NULL)))
NULLCALL(symbol_get_crc, out("%" PRIu64, kmod_module_symbol_get_crc(NULL)))
NULLCALL(symbols_free_list, kmod_module_symbols_free_list(NULL); out("ok"))
NULLCALL(get_depsyms_mod, struct kmod_list *l = NULL; out("%s", errname(kmod_module_get_dependency_symbols(NULL, &l))))
NULLCALL(get_depsyms_out, out("%s", errname(kmod_module_get_dependency_symbols(null_mod, NULL))))
NULLCALL(depsym_get_symbol, put(kmod_module_dependency_symbol_get_symbol(NULL)))
NULLCALL(depsym_get_bind, out("%d", kmod_module_dependency_symbol_get_bind(NULL)))
NULLCALL(depsym_get_crc, out("%" PRIu64, kmod_module_dependency_symbol_get_crc(NULL)))
NULLCALL(depsyms_free_list, kmod_module_dependency_symbols_free_list(NULL); out("ok"))
NULLCALL(insert_module, out("%s", errname(kmod_module_insert_module(NULL, 0, NULL))))
NULLCALL(remove_module, out("%s", errname(kmod_module_remove_module(NULL, 0))))
NULLCALL(probe_insert, out("%s", errname(probe_insert(NULL, KMOD_PROBE_DRY_RUN, NULL, NULL, NULL, NULL))))
NULLCALL(probe_no_callbacks, out("%s", errname(probe_insert(null_mod, KMOD_PROBE_DRY_RUN, NULL, NULL, NULL, NULL))))

#define NC(label) { #label, nc_##label }

static void part_null(void)
{
	static const struct {
		const char *name;
		void (*fn)(void *);
	} calls[] = {
		NC(ref), NC(unref), NC(get_log_priority), NC(set_log_priority), NC(set_log_fn),
		NC(set_log_fn_null_fn), NC(get_userdata), NC(set_userdata), NC(get_dirname),
		NC(load_resources), NC(unload_resources), NC(validate_resources),
		NC(dump_index_ctx), NC(dump_index_badfd), NC(list_next), NC(list_prev),
		NC(list_last), NC(config_blacklists), NC(config_install), NC(config_remove),
		NC(config_aliases), NC(config_options), NC(config_softdeps), NC(config_weakdeps),
		NC(iter_get_key), NC(iter_get_value), NC(iter_next), NC(iter_free),
		NC(new_from_name_ctx), NC(new_from_name_name), NC(new_from_name_out),
		NC(new_from_path_ctx), NC(new_from_path_path), NC(new_from_path_out),
		NC(new_from_lookup_ctx), NC(new_from_lookup_alias), NC(new_from_lookup_out),
		NC(name_lookup_ctx), NC(name_lookup_name), NC(name_lookup_out),
		NC(new_from_loaded_ctx), NC(new_from_loaded_out), NC(module_ref),
		NC(module_unref), NC(unref_list), NC(get_module), NC(get_name), NC(get_path),
		NC(get_options), NC(get_install), NC(get_remove), NC(get_dependencies),
		NC(get_softdeps_mod), NC(get_softdeps_pre), NC(get_softdeps_post),
		NC(get_weakdeps_mod), NC(get_weakdeps_out), NC(apply_filter_ctx),
		NC(apply_filter_input), NC(apply_filter_out), NC(filtered_blacklist_ctx),
		NC(filtered_blacklist_input), NC(initstate_str), NC(get_initstate),
		NC(get_refcnt), NC(get_holders), NC(get_sections), NC(section_get_name),
		NC(section_get_address), NC(section_free_list), NC(get_size),
		NC(get_info_mod), NC(get_info_out), NC(info_get_key), NC(info_get_value),
		NC(info_free_list), NC(get_versions_mod), NC(get_versions_out),
		NC(version_get_symbol), NC(version_get_crc), NC(versions_free_list),
		NC(get_symbols_mod), NC(get_symbols_out), NC(symbol_get_symbol),
		NC(symbol_get_crc), NC(symbols_free_list), NC(get_depsyms_mod),
		NC(get_depsyms_out), NC(depsym_get_symbol), NC(depsym_get_bind),
		NC(depsym_get_crc), NC(depsyms_free_list), NC(insert_module),
		NC(remove_module), NC(probe_insert), NC(probe_no_callbacks),
	};

	null_ctx = ctx_default("null kmod_new");
	if (kmod_module_new_from_name(null_ctx, "dummy", &null_mod) < 0)
		exit(1);
	guard_group = "null";
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		guarded(calls[i].name, calls[i].fn, NULL);
	kmod_module_unref(null_mod);
	kmod_unref(null_ctx);
}

/* ------------------------------------------------------------ part: loaded */

/* Whether testsuite/fake-kernel is preloaded: then /proc and /sys are a fake
 * kernel's and the module system calls are only recorded. */
static bool fake_kernel_loaded(void)
{
	Dl_info info;
	void *fn = dlsym(RTLD_DEFAULT, "delete_module");

	return getenv("FAKE_KERNEL_ROOT") && fn && dladdr(fn, &info) && info.dli_fname &&
	       strstr(info.dli_fname, "fake-kernel");
}

static void loaded_state(struct kmod_ctx *ctx, const char *when, const char *name)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *list, *l;
	int rc;

	out("loaded state-%s %s\n", when, name);
	rc = kmod_module_new_from_name(ctx, name, &mod);
	out("  new_from_name rc=%s\n", errname(rc));
	if (rc < 0)
		return;
	print_loaded_state(mod);
	list = kmod_module_get_sections(mod);
	out("  section-addresses:");
	kmod_list_foreach(l, list)
		out(" 0x%lx", kmod_module_section_get_address(l));
	nl();
	kmod_module_section_free_list(list);
	kmod_module_unref(mod);
}

static void print_line(char *line, void *data)
{
	(void)data;
	out("  | ");
	put(line);
	nl();
}

/* Loaded modules, through testsuite/fake-kernel (LD_PRELOAD, with
 * FAKE_KERNEL_ROOT prepared by differential/libkmod.sh): the state getters,
 * the loaded list, the kernel command line's options and blacklist, and
 * insertion and removal that only reach the fake kernel. */
static void part_loaded(void)
{
	static const char *const names[] = {
		"sctp", "libcrc32c", "dummy", "e1000e", "amd_uncore", "ext4", "tun", "loop",
		"kmod_harness_no_such_module",
	};
	static const struct {
		const char *what;
		unsigned int flags;
	} probes[] = {
		{ "sctp", 0 },
		{ "sctp", KMOD_PROBE_FAIL_ON_LOADED },
		{ "sctp", KMOD_PROBE_IGNORE_LOADED },
		{ "my-multi", 0 },
		{ "pcspkr", KMOD_PROBE_APPLY_BLACKLIST },
		{ "pcspkr", 0 },
		{ "dummy", 0 },
		{ "amd_uncore", KMOD_PROBE_FAIL_ON_LOADED },
	};
	static const struct {
		const char *name;
		unsigned int flags;
	} removes[] = {
		{ "tun", 0 },
		{ "tun", 0 },
		{ "sctp", 0 },
		{ "libcrc32c", KMOD_REMOVE_FORCE },
		{ "kmod_harness_no_such_module", KMOD_REMOVE_NOLOG },
	};
	struct kmod_ctx *ctx;
	struct kmod_list *list = NULL, *l;
	char *log;
	int rc;

	if (!fake_kernel_loaded()) {
		out("loaded\n  skipped: testsuite/fake-kernel is not preloaded\n");
		return;
	}
	ctx = ctx_default("loaded kmod_new");
	print_iter("options (loaded)", kmod_config_get_options(ctx));
	print_iter("blacklists (loaded)", kmod_config_get_blacklists(ctx));

	out("loaded list\n");
	rc = kmod_module_new_from_loaded(ctx, &list);
	out("  new_from_loaded rc=%s\n", errname(rc));
	print_module_list("  ", "modules", list);
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		out("  ");
		put(kmod_module_get_name(m));
		kv(" ", "path", kmod_module_get_path(m));
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		loaded_state(ctx, "before", names[i]);

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		list = NULL;
		out("loaded probe %s 0x%x\n", probes[i].what, probes[i].flags);
		rc = kmod_module_new_from_lookup(ctx, probes[i].what, &list);
		out("  lookup rc=%s\n", errname(rc));
		kmod_list_foreach(l, list) {
			struct kmod_module *m = kmod_module_get_module(l);

			rc = probe_insert(m, probes[i].flags, NULL, run_install, &R, print_action);
			out("  ");
			put(kmod_module_get_name(m));
			out(" rc=%s\n", errname(rc));
			kmod_module_unref(m);
		}
		kmod_module_unref_list(list);
	}
	{
		struct kmod_module *mod = NULL;

		out("loaded insert loop\n");
		kmod_module_new_from_name(ctx, "loop", &mod);
		rc = kmod_module_insert_module(mod, 0, "max_loop=2");
		out("  rc=%s\n", errname(rc));
		rc = kmod_module_insert_module(mod, 0, NULL);
		out("  again rc=%s\n", errname(rc));
		kmod_module_unref(mod);
	}
	for (size_t i = 0; i < sizeof(removes) / sizeof(removes[0]); i++) {
		struct kmod_module *mod = NULL;

		out("loaded remove %s 0x%x\n", removes[i].name, removes[i].flags);
		kmod_module_new_from_name(ctx, removes[i].name, &mod);
		rc = kmod_module_remove_module(mod, removes[i].flags);
		out("  rc=%s\n", errname(rc));
		kmod_module_unref(mod);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		loaded_state(ctx, "after", names[i]);
	kmod_unref(ctx);
	/* what reached the fake kernel */
	log = path_join(getenv("FAKE_KERNEL_ROOT"), "syscalls.log");
	out("loaded syscalls.log\n");
	each_line(log, print_line, NULL);
	free(log);
}

/* ------------------------------------------------------------ part: log */

static void part_log(void)
{
	struct kmod_ctx *ctx = ctx_default("log kmod_new");
	struct kmod_module *mod = NULL, *other = NULL;
	struct kmod_list *list = NULL;
	char *dummy = path_join(R.scratch, "log-dummy.ko");
	int rc;

	for (int prio = LOG_ERR; prio <= LOG_DEBUG; prio++) {
		kmod_set_log_priority(ctx, prio);
		out("log priority %d\n", kmod_get_log_priority(ctx));
		rc = kmod_module_new_from_name(ctx, "dummy", &mod);
		out("  new_from_name rc=%s\n", errname(rc));
		copy_file(kmod_module_get_path(mod), dummy);
		rc = kmod_module_new_from_path(ctx, dummy, &other);
		out("  new_from_path-other-path rc=%s\n", errname(rc));
		kmod_module_unref(other);
		other = NULL;
		rc = kmod_module_new_from_lookup(ctx, "kmod-harness-no-such-alias", &list);
		out("  lookup-missing rc=%s\n", errname(rc));
		kmod_module_unref_list(list);
		list = NULL;
		rc = kmod_module_new_from_lookup(ctx, "sctp", &list);
		out("  lookup-sctp rc=%s\n", errname(rc));
		if (list) {
			struct kmod_module *m = kmod_module_get_module(list);

			rc = probe_insert(m, KMOD_PROBE_DRY_RUN, NULL, NULL, NULL,
							     print_action);
			out("  probe-dry-run rc=%s\n", errname(rc));
			kmod_module_unref(m);
		}
		kmod_module_unref_list(list);
		list = NULL;
		rc = kmod_module_get_info(mod, &list);
		out("  info rc=%s\n", errname(rc));
		kmod_module_info_free_list(list);
		list = NULL;
		rc = kmod_load_resources(ctx);
		out("  load_resources rc=%s\n", errname(rc));
		kmod_unload_resources(ctx);
		kmod_module_unref(mod);
		mod = NULL;
	}
	/* a new context at each priority through KMOD_LOG: the config's
	 * messages reach stderr (no log function yet) */
	for (int prio = LOG_ERR; prio <= LOG_INFO; prio++) {
		char value[16];

		snprintf(value, sizeof(value), "%d", prio);
		setenv("KMOD_LOG", value, 1);
		out("log kmod_new KMOD_LOG=%s\n", value);
		kmod_unref(ctx_default(NULL));
	}
	unsetenv("KMOD_LOG");
	kmod_unref(ctx);
	unlink(dummy);
	free(dummy);
}

/* ------------------------------------------------------------ main */

static int rm_tree(const char *path)
{
	char *cmd;
	int rc;

	if (asprintf(&cmd, "rm -rf -- '%s'", path) < 0)
		return -1;
	rc = system(cmd);
	free(cmd);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} parts[] = {
		{ "abi", part_abi }, { "ctx", part_ctx }, { "config", part_config },
		{ "modules", part_modules }, { "aliases", part_aliases }, { "dump", part_dump },
		{ "errors", part_errors }, { "null", part_null }, { "log", part_log },
		{ "loaded", part_loaded },
	};
	bool chosen[sizeof(parts) / sizeof(parts[0])] = { false };
	bool any = false;
	char tmpl[] = "/tmp/kmod-harness.XXXXXX";

	if (argc < 4) {
		fprintf(stderr, "usage: %s ROOT KVER CONFDIR [--part NAME]... [--sample N]\n",
			argv[0]);
		return 2;
	}
	R.sample = 1;
	for (int i = 4; i < argc; i++) {
		size_t p;

		if (strcmp(argv[i], "--sample") == 0 && i + 1 < argc) {
			R.sample = strtoul(argv[++i], NULL, 10);
			if (R.sample == 0)
				R.sample = 1;
			continue;
		}
		if (strcmp(argv[i], "--part") != 0 || i + 1 == argc) {
			fprintf(stderr, "harness: bad argument %s\n", argv[i]);
			return 2;
		}
		i++;
		for (p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
			if (strcmp(argv[i], parts[p].name) == 0)
				break;
		if (p == sizeof(parts) / sizeof(parts[0])) {
			fprintf(stderr, "harness: no part %s\n", argv[i]);
			return 2;
		}
		chosen[p] = any = true;
	}
	R.root = argv[1];
	R.kver = argv[2];
	R.confdir = argv[3];
	if (asprintf(&R.moddir, "%s/lib/modules/%s", R.root, R.kver) < 0)
		return 1;
	R.scratch = mkdtemp(tmpl);
	if (R.scratch == NULL) {
		perror("harness: mkdtemp");
		return 1;
	}
	R.kernel_has_modules = access("/proc/modules", F_OK) == 0;
	*(void **)&R.get_weakdeps = dlsym(RTLD_DEFAULT, "kmod_module_get_weakdeps");
	*(void **)&R.config_weakdeps = dlsym(RTLD_DEFAULT, "kmod_config_get_weakdeps");
	*(void **)&R.name_lookup = dlsym(RTLD_DEFAULT, "kmod_module_new_from_name_lookup");
	*(void **)&R.probe_insert = dlsym(RTLD_DEFAULT, "kmod_module_probe_insert_module");
	unsetenv("KMOD_LOG");

	for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
		/* "loaded" needs the fake kernel: only when asked for */
		if (any ? !chosen[p] : strcmp(parts[p].name, "loaded") == 0)
			continue;
		parts[p].fn();
		fflush(stdout);
	}
	rm_tree(R.scratch);
	free(R.moddir);
	return 0;
}
