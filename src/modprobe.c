// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe: add or remove modules with their dependencies, as configured. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "json.h"
#include "kmodlite-private.h"
#include "tool-verify.h"

/* Version of the --show-depends --json layout (modprobe.8): raised when a
 * member changes meaning or goes away, not when one is added. */
#define SHOW_DEPENDS_JSON_SCHEMA 1

enum mode { MODE_INSERT, MODE_REMOVE, MODE_RESOLVE, MODE_SHOWCONFIG, MODE_MODVERSIONS,
	    MODE_EXPORTS };

struct modprobe {
	enum mode mode;
	bool all, remove_holders, first_time, ignore_commands, use_blacklist;
	bool show_depends, dry_run, quiet, verbose;
	unsigned int insert_flags;
	bool force_remove;
	long wait_msec;
	const char **configs;
	size_t config_count, config_cap;
	const char *root, *kver;
	struct kml_ctx *ctx;
	struct kml_config *config;
	char *pass_on; /* -C, -s, -q, -v as given, for nested modprobe calls */
	int nesting;   /* how deep in install/remove commands this modprobe runs */
	char *command_env[3]; /* "VAR=VALUE" for the commands, NULL-terminated */
	unsigned int remove_flags; /* enum kml_probe_flags for removal */
	struct json_writer *json;  /* --show-depends --json: steps as objects */
	struct tool_trust trust;   /* --cert, --keyring: loads must verify */
	bool refused;		   /* a signature check refused the last load */
};

/* Install/remove commands that call modprobe again get -C, -s, -q, -v through
 * MODPROBE_OPTIONS. A nesting count in the environment ends command loops
 * (install a /sbin/modprobe a) that would otherwise fork forever. */
#define NESTING_VAR "KMODLITE_MODPROBE_NESTING"
#define NESTING_MAX 16

static int check_nesting(struct modprobe *mp)
{
	const char *nest = getenv(NESTING_VAR);
	mp->nesting = nest ? atoi(nest) : 0;
	if (mp->nesting >= NESTING_MAX) {
		tool_err("install or remove commands nested %d deep: stopping a loop\n",
			 mp->nesting);
		return -ELOOP;
	}
	return 0;
}

/* What install and remove commands get in their environment besides
 * MODPROBE_MODULE: the nesting count and the options passed on. */
static int command_env(struct modprobe *mp)
{
	if (mp->command_env[0])
		return 0;
	char *nesting = NULL, *options = NULL;
	if (asprintf(&nesting, NESTING_VAR "=%d", mp->nesting + 1) < 0)
		return -ENOMEM;
	if (asprintf(&options, "MODPROBE_OPTIONS=%s", mp->pass_on ? mp->pass_on : "") < 0) {
		free(nesting);
		return -ENOMEM;
	}
	mp->command_env[0] = nesting;
	mp->command_env[1] = options;
	return 0;
}

static int run_command(struct modprobe *mp, const char *name, const char *command,
		       const char *options)
{
	int r = command_env(mp);
	if (r < 0)
		return r;
	return kml_command_run(name, command, options, (const char *const *)mp->command_env);
}

static void pass_on_add(struct modprobe *mp, const char *opt, const char *arg)
{
	size_t old = mp->pass_on ? strlen(mp->pass_on) : 0;
	size_t add = strlen(opt) + (arg ? strlen(arg) + 1 : 0) + 2;
	char *n = realloc(mp->pass_on, old + add);
	if (!n)
		return;
	snprintf(n + old, add, "%s%s%s%s", old ? " " : "", opt, arg ? " " : "", arg ? arg : "");
	mp->pass_on = n;
}

static void help(void)
{
	printf("Usage:\n"
	       "\t%1$s [options] MODULE [PARAM=VALUE...]    load MODULE and the modules it needs\n"
	       "\t%1$s [options] -a MODULE...               load every MODULE given\n"
	       "\t%1$s [options] -r MODULE...               unload, with what is no longer needed\n"
	       "\t%1$s [options] -c                         print the configuration in use\n"
	       "\t%1$s [options] --dump-modversions FILE    print a module file's symbol versions\n"
	       "MODULE is a module name or an alias; -i and -b apply when loading, -i when\n"
	       "unloading too.\n"
	       "\n"
	       "Loading and unloading:\n"
	       "\t-a, --all                   take every argument as a module, not as a parameter\n"
	       "\t-r, --remove                unload the modules instead of loading them\n"
	       "\t    --remove-holders        with -r: unload the modules holding each one first\n"
	       "\t    --remove-dependencies   old name of --remove-holders\n"
	       "\t-w, --wait=MSEC             with -r: if a module is in use, retry for up to MSEC\n"
	       "\t                            milliseconds until its users are gone\n"
	       "\t    --first-time            fail when a module is already loaded (or, with -r,\n"
	       "\t                            already unloaded)\n"
	       "\t-i, --ignore-install        do not run install commands from the configuration\n"
	       "\t-i, --ignore-remove         do not run remove commands from the configuration\n"
	       "\t-b, --use-blacklist         apply the blacklist to MODULE itself, not only to\n"
	       "\t                            what an alias resolves to\n"
	       "\t-f, --force                 load even if versions do not match (both of the\n"
	       "\t                            next two); unload even if in use\n"
	       "\t    --force-modversion      ignore the symbol versions (CRCs) of the module\n"
	       "\t    --force-vermagic        ignore the version magic string of the module\n"
	       "\t    --cert=FILE             load only modules signed by a certificate in FILE\n"
	       "\t                            (PEM or DER; may be given more than once)\n"
	       "\t    --keyring=DIR           the same, with the certificates of every file in DIR\n"
	       "\n"
	       "Questions (nothing is loaded or unloaded):\n"
	       "\t-R, --resolve-alias         print the module names MODULE resolves to\n"
	       "\t-D, --show-depends          print the insmod, install and builtin steps that\n"
	       "\t                            loading MODULE would take, even if it is loaded\n"
	       "\t    --json                  with -D: write the steps as JSON (see modprobe(8))\n"
	       "\t-c, --showconfig            print the configuration and the alias indexes\n"
	       "\t-c, --show-config           the same as --showconfig\n"
	       "\t    --show-modversions      print the symbol versions FILE was built against\n"
	       "\t    --dump-modversions      the same as --show-modversions\n"
	       "\t    --show-exports          print the symbols FILE exports, with their versions\n"
	       "\n"
	       "Common options:\n"
	       "\t-n, --dry-run               say what would be done and do nothing\n"
	       "\t-n, --show                  the same as --dry-run\n"
	       "\t-C, --config=FILE           read FILE, or a directory's *.conf files, instead\n"
	       "\t                            of the modprobe.d directories (may be repeated)\n"
	       "\t-d, --dirname=DIR           look for /lib/modules under DIR\n"
	       "\t-S, --set-version=VERSION   use /lib/modules/VERSION, not the running kernel's\n"
	       "\t-s, --syslog                send messages to syslog instead of stderr\n"
	       "\t-q, --quiet                 keep quiet about modules missing, built in, in use,\n"
	       "\t                            loaded or not loaded (see modprobe(8))\n"
	       "\t-v, --verbose               say more about what is done\n"
	       "\t-V, --version               print the version and the optional features, then exit\n"
	       "\t-h, --help                  print this text, then exit\n",
	       program_name);
}

/* ------------------------------------------------------------- insertion */

/* "Already in the kernel", as the reference means it: loaded (live), or
 * built-in by the module directory's modules.builtin. A /sys/module
 * directory without initstate (a built-in of the running kernel, which may
 * not be the one of -S) or a module still coming up do not count. */
static bool in_kernel(const struct kml_probe_step *s)
{
	if (s->builtin)
		return true;
	enum kml_module_state st;
	if (kml_kernel_module_state(s->name, &st) < 0)
		return false;
	return st == KML_STATE_LIVE;
}

/* Writes the words, each followed by the separator after it: "A B\n". */
static void print_line(const char *word, const char *first, const char *second)
{
	fputs(word, stdout);
	fputs(first, stdout);
	if (second) {
		putchar(' ');
		fputs(second, stdout);
	}
	putchar('\n');
}

/* One step as an object of the "steps" array: the facts of its text line. */
static void json_step(struct json_writer *w, const struct kml_probe_step *s)
{
	json_begin_object(w);
	if (s->action == KML_PROBE_INSTALL) {
		json_member_string(w, "action", "install");
		json_member_string(w, "module", s->name);
		json_member_string(w, "command", s->command);
		json_member_string(w, "options", s->options);
	} else if (s->path) {
		json_member_string(w, "action", "insmod");
		json_member_string(w, "module", s->name);
		json_member_string(w, "path", s->path);
		json_member_string(w, "options", s->options);
	} else {
		json_member_string(w, "action", "builtin");
		json_member_string(w, "module", s->name);
	}
	json_member_bool(w, "target", s->target);
	json_end_object(w);
}

/* --show-depends lines (initramfs builders parse them): printed without
 * printf, which costs more than the rest of a lookup */
static void print_step(const struct modprobe *mp, const struct kml_probe_step *s)
{
	if (mp->json) {
		if (s->action == KML_PROBE_INSTALL || s->path || s->builtin)
			json_step(mp->json, s);
		return;
	}
	if (s->action == KML_PROBE_INSTALL)
		print_line("install ", s->command, s->options);
	else if (s->path)
		print_line("insmod ", s->path, s->options);
	else if (s->builtin)
		print_line("builtin ", s->name, NULL);
}

static int run_step(struct modprobe *mp, const struct kml_probe_step *s,
		    const struct kml_file *verified)
{
	if (s->action == KML_PROBE_INSTALL) {
		fflush(stdout);
		int st = run_command(mp, s->name, s->command, s->options);
		if (st < 0)
			return st;
		if (st != 0) {
			tool_err("Error running install command '%s' for module %s: retcode %d\n",
				 s->command, s->name, st);
			return -EINVAL;
		}
		return 0;
	}
	if (!s->path)
		return s->builtin ? 0 : -ENOENT;
	if (verified) /* --cert: the bytes that were checked */
		return kml_kernel_insert_image(kml_file_data(verified), kml_file_size(verified),
					       s->options, mp->insert_flags);
	return kml_kernel_insert(s->path, s->options, mp->insert_flags);
}

/* What the signature checks left for each step of a plan. */
struct verified_steps {
	bool *rejected;		 /* a softdep that does not verify: skipped */
	struct kml_file **files; /* the verified bytes, inserted as they are */
	size_t count;
};

static void verified_release(struct verified_steps *v)
{
	for (size_t i = 0; v->files && i < v->count; i++)
		kml_file_free(v->files[i]);
	free(v->files);
	free(v->rejected);
	*v = (struct verified_steps){ 0 };
}

/* --cert/--keyring: every module file the plan would insert is verified
 * before anything runs, and what was verified is what gets inserted. One
 * that is required (the target, a dependency) fails the whole load; a
 * softdep is only skipped. */
static int check_signatures(struct modprobe *mp, const struct kml_probe_plan *plan,
			    bool ignore_loaded, struct verified_steps *v)
{
	v->count = plan->count;
	v->rejected = calloc(plan->count, sizeof(*v->rejected));
	v->files = calloc(plan->count, sizeof(*v->files));
	if (!v->rejected || !v->files) {
		verified_release(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < plan->count; i++) {
		const struct kml_probe_step *s = &plan->steps[i];
		if (s->action != KML_PROBE_INSERT || !s->path || (!ignore_loaded && in_kernel(s)))
			continue;
		int r = tool_trust_check(&mp->trust, s->name, s->path, &v->files[i]);
		if (r < 0 && s->required) {
			verified_release(v);
			mp->refused = r == -EKEYREJECTED;
			return r;
		}
		v->rejected[i] = r < 0;
	}
	return 0;
}

/* Loads module M and what it needs by its plan; 0, or a negative errno. */
static int insert_module(struct modprobe *mp, const struct kml_module *m, const char *extra)
{
	bool ignore_loaded = mp->show_depends;
	bool show = mp->show_depends || mp->verbose;
	unsigned int flags = KML_PROBE_BLACKLIST_ALIAS |
			     (mp->ignore_commands ? KML_PROBE_IGNORE_COMMANDS : 0) |
			     (mp->use_blacklist ? KML_PROBE_USE_BLACKLIST : 0) |
			     (mp->first_time ? KML_PROBE_FIRST_TIME : 0);
	struct kml_probe_plan plan = { 0 };
	/* The first step alone, then the rest: a module already in the kernel
	 * (most of udev's requests) costs no planning, and a broken index
	 * entry of its dependencies does not fail it (as kmod). */
	int r = kml_probe_plan_insert(mp->ctx, mp->config, m, flags | KML_PROBE_ONLY_CHECK, extra,
				      &plan);
	if (r < 0)
		return r;
	const struct kml_probe_step *check = &plan.steps[0];
	bool done = !ignore_loaded && in_kernel(check);
	if (done)
		r = check->flags & KML_PROBE_FAIL_LOADED ? -EEXIST : 0;
	kml_probe_plan_release(&plan);
	if (done)
		return r;
	r = kml_probe_plan_insert(mp->ctx, mp->config, m, flags, extra, &plan);
	if (r < 0)
		return r;
	struct verified_steps verified = { 0 };
	if (mp->trust.keyring) {
		r = check_signatures(mp, &plan, ignore_loaded, &verified);
		if (r < 0) {
			kml_probe_plan_release(&plan);
			return r;
		}
	}
	for (size_t i = 0; i < plan.count; i++) {
		const struct kml_probe_step *s = &plan.steps[i];
		if (s->action == KML_PROBE_IF_NOT_LOADED)
			continue; /* checked above */
		if (verified.rejected && verified.rejected[i])
			continue; /* a softdep that does not verify: reported */
		if (!ignore_loaded && in_kernel(s)) {
			r = -EEXIST;
		} else {
			if (show)
				print_step(mp, s);
			r = mp->dry_run ? 0 : run_step(mp, s, verified.files ? verified.files[i] : NULL);
		}
		if (r == -EEXIST && (s->flags & KML_PROBE_FAIL_LOADED))
			break;
		if (r == -EEXIST || !s->required)
			r = 0;
		else if (r < 0)
			break;
	}
	verified_release(&verified);
	kml_probe_plan_release(&plan);
	return r;
}

static void report_insert_error(const char *name, int err)
{
	switch (err) {
	case -EEXIST:
		tool_err("could not insert '%s': Module already in kernel\n", name);
		break;
	case -ENOENT:
		tool_err("could not insert '%s': Unknown symbol in module, or unknown parameter (see dmesg)\n",
			 name);
		break;
	default:
		tool_err("could not insert '%s': %s\n", name, strerror(-err));
		break;
	}
}

/* NAME as a path ("/..." or "./...") or looked up; RET empty when not found. */
static int find_modules(struct modprobe *mp, const char *name, struct kml_module_list *ret)
{
	if (name[0] == '/' || strncmp(name, "./", 2) == 0) {
		struct stat st;
		if (stat(name, &st) < 0 || !S_ISREG(st.st_mode)) {
			*ret = (struct kml_module_list){ 0 };
			return 0; /* reported as not found */
		}
		return kml_module_from_path(name, ret);
	}
	return kml_lookup_with_config(mp->ctx, mp->config, name, ret);
}

static int not_found(struct modprobe *mp, const char *name)
{
	if (mp->quiet)
		return -ENOENT;
	if (mp->mode == MODE_REMOVE)
		tool_fatal("Module %s not found.\n", name);
	else if (mp->all)
		tool_warn("Module %s not found in directory %s\n", name,
			  kml_ctx_get_module_dir(mp->ctx));
	else
		tool_fatal("Module %s not found in directory %s\n", name,
			   kml_ctx_get_module_dir(mp->ctx));
	return -ENOENT;
}

static int do_insert(struct modprobe *mp, const char *name, const char *extra)
{
	struct kml_module_list list = { 0 };
	int r = find_modules(mp, name, &list);
	if (r < 0)
		return not_found(mp, name);
	if (list.count == 0)
		return not_found(mp, name);
	int ret = 0;
	for (size_t i = 0; i < list.count; i++) {
		mp->refused = false;
		r = insert_module(mp, &list.modules[i], extra);
		if (r < 0) {
			/* a refused signature was reported with its reason */
			if (!mp->quiet && !mp->refused)
				report_insert_error(list.modules[i].name, r);
			ret = r;
		}
	}
	kml_module_list_release(&list);
	return ret;
}

static int do_resolve(struct modprobe *mp, const char *name)
{
	struct kml_module_list list = { 0 };
	int r = find_modules(mp, name, &list);
	if (r < 0 || list.count == 0) {
		kml_module_list_release(&list);
		return not_found(mp, name);
	}
	for (size_t i = 0; i < list.count; i++)
		printf("%s\n", list.modules[i].name);
	kml_module_list_release(&list);
	return 0;
}

/* --------------------------------------------------------------- removal */

static int delete_from_kernel(struct modprobe *mp, const char *name)
{
	if (mp->dry_run)
		return 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	long delay_us = 1000;
	for (;;) {
		int r = kml_kernel_remove(name, mp->force_remove);
		if (r == 0 || mp->wait_msec <= 0 || (r != -EAGAIN && r != -EBUSY))
			return r;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= mp->wait_msec)
			return r;
		struct timespec ts = { delay_us / 1000000, (delay_us % 1000000) * 1000 };
		nanosleep(&ts, NULL);
		if (delay_us < 250000)
			delay_us *= 2;
	}
}

static int remove_module(struct modprobe *mp, const char *name, unsigned int flags,
			 unsigned depth);

/* The modules holding NAME now, last first, each removed as a target. */
static int remove_holders(struct modprobe *mp, const char *name, unsigned int flags,
			  unsigned depth)
{
	char **holders = NULL;
	size_t n = 0;
	if (kml_kernel_module_holders(name, &holders, &n) < 0)
		return 0;
	int r = 0;
	for (size_t i = n; i-- > 0;) {
		if (r == 0)
			r = remove_module(mp, holders[i], flags & ~KML_PROBE_NESTED, depth + 1);
		free(holders[i]);
	}
	free(holders);
	return r;
}

/* Removal of NAME from the kernel, the plan's conditions checked first. */
static int remove_step(struct modprobe *mp, const struct kml_probe_step *s)
{
	int refs = 0;
	bool busy = (s->flags & (KML_PROBE_KEEP_BUSY | KML_PROBE_FAIL_BUSY)) &&
		    kml_kernel_module_refcount(s->name, &refs) == 0 && refs > 0;
	if (busy && (s->flags & KML_PROBE_KEEP_BUSY))
		return 1;
	if (busy) {
		if (!mp->quiet)
			tool_fatal("Module %s is in use.\n", s->name);
		return -EBUSY;
	}
	if (mp->verbose)
		printf("rmmod %s\n", s->name);
	int r = delete_from_kernel(mp, s->name);
	if (r == -ENOENT && !(s->flags & KML_PROBE_FAIL_ABSENT))
		r = 0;
	if (r < 0 && s->target && !mp->quiet)
		tool_err("could not remove '%s': %s\n", s->name, strerror(-r));
	return r;
}

static int remove_command_step(struct modprobe *mp, const struct kml_probe_step *s)
{
	if (mp->verbose || mp->dry_run)
		printf("remove %s\n", s->command);
	fflush(stdout);
	int r = mp->dry_run ? 0 : run_command(mp, s->name, s->command, "");
	if (r > 0) {
		tool_err("Error running remove command '%s' for module %s: retcode %d\n", s->command,
			 s->name, r);
		r = -EINVAL;
	}
	return r;
}

/* IF_LOADED: 0 to go on, 1 to stop, or the failure. */
static int check_loaded(struct modprobe *mp, const struct kml_probe_step *s)
{
	enum kml_module_state state = KML_STATE_NOT_LOADED;
	(void)kml_kernel_module_state(s->name, &state);
	if (state == KML_STATE_NOT_LOADED) {
		if (!(s->flags & KML_PROBE_FAIL_ABSENT))
			return 1;
		if (!mp->quiet)
			tool_fatal("Module %s is not in kernel.\n", s->name);
		return -ENOENT;
	}
	if (state == KML_STATE_BUILTIN) {
		if (!(s->flags & KML_PROBE_FAIL_BUILTIN))
			return 1;
		if (!mp->quiet)
			tool_fatal("Module %s is builtin.\n", s->name);
		return -ENOENT;
	}
	return 0;
}

/* Removes module NAME by its plan, each nested module by its own when the
 * plan gets there; 0, or a negative errno. */
static int remove_module(struct modprobe *mp, const char *name, unsigned int flags,
			 unsigned depth)
{
	if (depth > 64)
		return 0;
	struct kml_module m = { .name = (char *)name };
	struct kml_probe_plan plan = { 0 };
	int r = kml_probe_plan_remove(mp->ctx, mp->config, &m, flags, &plan);
	if (r < 0)
		return r;
	for (size_t i = 0; i < plan.count; i++) {
		const struct kml_probe_step *s = &plan.steps[i];
		switch (s->action) {
		case KML_PROBE_IF_LOADED:
			r = check_loaded(mp, s);
			break;
		case KML_PROBE_REMOVE_NESTED:
			/* errors of dependencies and softdeps are ignored */
			(void)remove_module(mp, s->name, flags | KML_PROBE_NESTED, depth + 1);
			r = 0;
			break;
		case KML_PROBE_REMOVE_HOLDERS:
			r = remove_holders(mp, s->name, flags, depth);
			break;
		case KML_PROBE_REMOVE:
			r = remove_step(mp, s);
			break;
		case KML_PROBE_REMOVE_COMMAND:
			r = remove_command_step(mp, s);
			break;
		default:
			r = -EINVAL;
			break;
		}
		if (r != 0) {
			/* a step that stops or fails ends the plan */
			if (r > 0 || !s->required)
				r = 0;
			break;
		}
	}
	kml_probe_plan_release(&plan);
	return r;
}

static int do_remove(struct modprobe *mp, const char *name)
{
	struct kml_module_list list = { 0 };
	int r = find_modules(mp, name, &list);
	if (r < 0 || list.count == 0) {
		kml_module_list_release(&list);
		return not_found(mp, name);
	}
	int ret = 0;
	for (size_t i = 0; i < list.count; i++) {
		r = remove_module(mp, list.modules[i].name, mp->remove_flags, 0);
		if (r < 0)
			ret = r;
	}
	kml_module_list_release(&list);
	return ret;
}

/* ------------------------------------------------------------- queries */

static int dump_index_entry(void *data, const char *key, const struct kml_index_value *value)
{
	(void)data;
	printf("alias %s %s\n", key, value->value);
	return 0;
}

static int do_showconfig(struct modprobe *mp)
{
	char *text = NULL;
	int r = kml_config_dump(mp->config, &text);
	if (r < 0)
		return r;
	fputs(text, stdout);
	free(text);
	puts("# End of configuration files. Dumping indexes now:\n");
	static const char *const files[] = { "modules.alias.bin", "modules.symbols.bin" };
	for (size_t i = 0; i < 2; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", kml_ctx_get_module_dir(mp->ctx), files[i]);
		struct kml_index *idx = NULL;
		if (kml_index_open(path, &idx) < 0)
			continue;
		(void)kml_index_foreach(idx, dump_index_entry, NULL);
		kml_index_close(idx);
	}
	return 0;
}

static int do_symbols(const char *path, bool exports)
{
	struct kml_file *file = NULL;
	struct kml_elf *elf = NULL;
	struct kml_symbol *syms = NULL;
	size_t n = 0;
	int r = kml_file_open(path, &file);
	if (r == 0)
		r = kml_elf_new(kml_file_data(file), kml_file_size(file), &elf);
	if (r == 0)
		r = exports ? kml_elf_get_exports(elf, &syms, &n) : kml_elf_get_versions(elf, &syms, &n);
	if (r < 0)
		tool_err("could not get modversions of %s: %s\n", path, strerror(-r));
	for (size_t i = 0; i < n; i++)
		printf("0x%08llx\t%s\n", (unsigned long long)syms[i].crc, syms[i].name);
	free(syms);
	kml_elf_free(elf);
	kml_file_free(file);
	return r;
}

/* ---------------------------------------------------------------- options */

/* MODPROBE_OPTIONS split like a shell would (quotes, backslashes), put
 * before the command line's arguments. */
static int prepend_env_options(int *argc, char ***argv, char **storage)
{
	const char *env = getenv("MODPROBE_OPTIONS");
	if (!env || !*env)
		return 0;
	char *buf = malloc(strlen(env) + 1);
	char **words = calloc(strlen(env) / 2 + 2 + (size_t)*argc, sizeof(*words));
	if (!buf || !words) {
		free(buf);
		free(words);
		return -ENOMEM;
	}
	size_t n = 0;
	words[n++] = (*argv)[0];
	char *out = buf;
	const char *p = env;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		words[n++] = out;
		char quote = 0;
		for (; *p; p++) {
			if (quote) {
				if (*p == quote)
					quote = 0;
				else
					*out++ = *p;
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if (*p == '\\' && p[1]) {
				*out++ = *++p;
			} else if (*p == ' ' || *p == '\t' || *p == '\n') {
				break;
			} else {
				*out++ = *p;
			}
		}
		*out++ = '\0';
	}
	for (int i = 1; i < *argc; i++)
		words[n++] = (*argv)[i];
	words[n] = NULL;
	*argc = (int)n;
	*argv = words;
	storage[0] = buf;
	storage[1] = (char *)words;
	return 0;
}

/* Parameters after the module name, joined; a value with spaces quoted. */
static char *join_params(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 3;
	char *s = malloc(len);
	if (!s)
		return NULL;
	char *o = s;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (i)
			*o++ = ' ';
		const char *eq = strchr(a, '=');
		if (eq && strpbrk(eq + 1, " \t") && eq[1] != '"') {
			size_t k = (size_t)(eq - a) + 1;
			memcpy(o, a, k);
			o += k;
			*o++ = '"';
			o = stpcpy(o, eq + 1);
			*o++ = '"';
		} else {
			o = stpcpy(o, a);
		}
	}
	*o = '\0';
	return s;
}


int modprobe_main(int argc, char *argv[])
{
	enum {
		OPT_REMOVE_HOLDERS = 256,
		OPT_FIRST_TIME,
		OPT_FORCE_VERMAGIC,
		OPT_FORCE_MODVERSION,
		OPT_MODVERSIONS,
		OPT_EXPORTS,
		OPT_JSON,
		OPT_CERT,
		OPT_KEYRING,
	};
	static const struct option longopts[] = {
		{ "all", no_argument, 0, 'a' },
		{ "remove", no_argument, 0, 'r' },
		{ "remove-dependencies", no_argument, 0, OPT_REMOVE_HOLDERS },
		{ "remove-holders", no_argument, 0, OPT_REMOVE_HOLDERS },
		{ "wait", required_argument, 0, 'w' },
		{ "resolve-alias", no_argument, 0, 'R' },
		{ "show-alias", no_argument, 0, 'R' },
		{ "first-time", no_argument, 0, OPT_FIRST_TIME },
		{ "ignore-install", no_argument, 0, 'i' },
		{ "ignore-remove", no_argument, 0, 'i' },
		{ "use-blacklist", no_argument, 0, 'b' },
		{ "force", no_argument, 0, 'f' },
		{ "force-vermagic", no_argument, 0, OPT_FORCE_VERMAGIC },
		{ "force-modversion", no_argument, 0, OPT_FORCE_MODVERSION },
		{ "show-depends", no_argument, 0, 'D' },
		{ "showconfig", no_argument, 0, 'c' },
		{ "show-config", no_argument, 0, 'c' },
		{ "show-modversions", no_argument, 0, OPT_MODVERSIONS },
		{ "dump-modversions", no_argument, 0, OPT_MODVERSIONS },
		{ "show-exports", no_argument, 0, OPT_EXPORTS },
		{ "cert", required_argument, 0, OPT_CERT },
		{ "keyring", required_argument, 0, OPT_KEYRING },
		{ "dry-run", no_argument, 0, 'n' },
		{ "show", no_argument, 0, 'n' },
		{ "config", required_argument, 0, 'C' },
		{ "dirname", required_argument, 0, 'd' },
		{ "set-version", required_argument, 0, 'S' },
		{ "syslog", no_argument, 0, 's' },
		{ "quiet", no_argument, 0, 'q' },
		{ "verbose", no_argument, 0, 'v' },
		{ "version", no_argument, 0, 'V' },
		{ "help", no_argument, 0, 'h' },
		{ "json", no_argument, 0, OPT_JSON },
		{ 0, 0, 0, 0 },
	};
	struct modprobe mp = { .mode = MODE_INSERT };
	struct json_writer json_writer;
	bool json = false;
	char *env_storage[2] = { 0 };
	int ret = 1;
	if (prepend_env_options(&argc, &argv, env_storage) < 0)
		return 1;
	bool use_syslog = false;
	for (;;) {
		int c = getopt_long(argc, argv, "arw:RibfDcnC:d:S:sqvVh", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'a':
			mp.all = true;
			break;
		case 'r':
			mp.mode = MODE_REMOVE;
			break;
		case OPT_REMOVE_HOLDERS:
			mp.remove_holders = true;
			break;
		case 'w': {
			char *end;
			mp.wait_msec = strtol(optarg, &end, 10);
			if (*end || mp.wait_msec < 0) {
				tool_err("unexpected wait value '%s'.\n", optarg);
				goto out;
			}
			break;
		}
		case 'R':
			mp.mode = MODE_RESOLVE;
			break;
		case OPT_FIRST_TIME:
			mp.first_time = true;
			break;
		case 'i':
			mp.ignore_commands = true;
			break;
		case 'b':
			mp.use_blacklist = true;
			break;
		case 'f':
			mp.insert_flags |= KML_INSERT_FORCE_MODVERSION | KML_INSERT_FORCE_VERMAGIC;
			mp.force_remove = true;
			break;
		case OPT_FORCE_VERMAGIC:
			mp.insert_flags |= KML_INSERT_FORCE_VERMAGIC;
			break;
		case OPT_FORCE_MODVERSION:
			mp.insert_flags |= KML_INSERT_FORCE_MODVERSION;
			break;
		case 'D':
			mp.show_depends = true;
			mp.dry_run = true;
			break;
		case 'c':
			mp.mode = MODE_SHOWCONFIG;
			break;
		case OPT_MODVERSIONS:
			mp.mode = MODE_MODVERSIONS;
			break;
		case OPT_EXPORTS:
			mp.mode = MODE_EXPORTS;
			break;
		case 'n':
			mp.dry_run = true;
			break;
		case 'C': {
			/* NULL-terminated for kml_config_load */
			if (ARRAY_GROW(mp.configs, mp.config_cap, mp.config_count + 2) < 0)
				goto out;
			mp.configs[mp.config_count++] = optarg;
			mp.configs[mp.config_count] = NULL;
			pass_on_add(&mp, "-C", optarg);
			break;
		}
		case 'd':
			mp.root = optarg;
			break;
		case 'S':
			mp.kver = optarg;
			break;
		case 's':
			use_syslog = true;
			pass_on_add(&mp, "-s", NULL);
			break;
		case 'q':
			mp.quiet = true;
			pass_on_add(&mp, "-q", NULL);
			break;
		case 'v':
			mp.verbose = true;
			pass_on_add(&mp, "-v", NULL);
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'V':
			tool_print_version();
			ret = 0;
			goto out;
		case OPT_CERT:
			if (tool_trust_add_cert(&mp.trust, optarg) < 0)
				goto out;
			pass_on_add(&mp, "--cert", optarg);
			break;
		case OPT_KEYRING:
			mp.trust.keyring_dir = optarg;
			pass_on_add(&mp, "--keyring", optarg);
			break;
		case 'h':
			help();
			ret = 0;
			goto out;
		default:
			goto out;
		}
	}
	tool_log_open(use_syslog);
	if (mp.mode == MODE_INSERT && tool_trust_load(&mp.trust) < 0)
		goto out;
	if (check_nesting(&mp) < 0)
		goto out;
	mp.remove_flags = (mp.ignore_commands ? KML_PROBE_IGNORE_COMMANDS : 0) |
			  (mp.first_time ? KML_PROBE_FIRST_TIME : 0) |
			  (mp.remove_holders ? KML_PROBE_HOLDERS_FIRST : 0) |
			  (mp.wait_msec ? KML_PROBE_WAIT : 0);

	if (json && (!mp.show_depends || mp.mode != MODE_INSERT)) {
		tool_err(
			"--json is only for --show-depends (without -r, -R, -c or the symbol listings)\n");
		goto out;
	}
	if (mp.mode == MODE_MODVERSIONS || mp.mode == MODE_EXPORTS) {
		if (optind >= argc) {
			tool_err("missing filename\n");
			goto out;
		}
		ret = do_symbols(argv[optind], mp.mode == MODE_EXPORTS) < 0;
		goto out;
	}
	if (mp.mode != MODE_SHOWCONFIG && optind >= argc) {
		tool_err("missing parameters. See -h.\n");
		goto out;
	}
	if (json) {
		/* begun before anything can fail, so that stdout is a document */
		json_init(&json_writer, stdout, true);
		json_begin_object(&json_writer);
		json_member_int(&json_writer, "schema", SHOW_DEPENDS_JSON_SCHEMA);
		json_key(&json_writer, "steps");
		json_begin_array(&json_writer);
		mp.json = &json_writer;
	}

	if (kml_ctx_new(mp.root, mp.kver, &mp.ctx) < 0) {
		tool_err("could not create context\n");
		goto out;
	}
	kml_ctx_set_log(mp.ctx, tool_log_library, NULL, mp.verbose ? KML_LOG_INFO : KML_LOG_ERR);
	/* the kernel command line gives options and a blacklist: -R uses
	 * neither, and udev runs it hundreds of times at boot */
	char *cmdline = NULL;
	if (mp.mode != MODE_RESOLVE)
		(void)kml_kernel_read_cmdline(&cmdline);
	int r = kml_config_load(mp.ctx, mp.configs, cmdline, &mp.config);
	free(cmdline);
	if (r < 0) {
		tool_err("could not read the configuration: %s\n", strerror(-r));
		goto out;
	}

	ret = 0;
	if (mp.mode == MODE_SHOWCONFIG) {
		ret = do_showconfig(&mp) < 0;
	} else if (mp.all || mp.mode == MODE_REMOVE) {
		/* every argument is a module (with -r, also without -a) */
		for (int i = optind; i < argc; i++) {
			if (mp.mode == MODE_REMOVE)
				r = do_remove(&mp, argv[i]);
			else if (mp.mode == MODE_RESOLVE)
				r = do_resolve(&mp, argv[i]);
			else
				r = do_insert(&mp, argv[i], NULL);
			if (r < 0)
				ret = 1;
			if (!mp.all && mp.mode != MODE_REMOVE)
				break;
		}
	} else if (mp.mode == MODE_RESOLVE) {
		ret = do_resolve(&mp, argv[optind]) < 0;
	} else {
		char *params = join_params(argc - optind - 1, argv + optind + 1);
		ret = do_insert(&mp, argv[optind], params) < 0;
		free(params);
	}
out:
	if (mp.json) {
		json_end_array(mp.json);
		json_end_object(mp.json);
		int jr = json_finish(mp.json);
		if (jr < 0) {
			tool_err("could not write the JSON document: %s\n", strerror(-jr));
			ret = 1;
		}
	}
	tool_trust_release(&mp.trust);
	kml_config_free(mp.config);
	kml_ctx_free(mp.ctx);
	free(mp.configs);
	free(mp.pass_on);
	free(mp.command_env[0]);
	free(mp.command_env[1]);
	free(env_storage[0]);
	free(env_storage[1]);
	return ret;
}
