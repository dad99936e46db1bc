// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmod params MODULE [PARAM=VALUE...]: a loaded or built-in module's
 * parameters (sysfs value, declared type and description, writable or not,
 * the value the next load would get), or new values written after every one
 * has been checked against its type.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kmodlite-private.h"
#include "tool.h"

/* Version of the --json layout (kmod-params.8): raised when a member
 * changes meaning or goes away; new members may appear without it. */
#define PARAMS_JSON_SCHEMA 1

struct param {
	char *name;
	const char *type;	/* modinfo parmtype, or NULL */
	const char *desc;	/* modinfo parm, or NULL */
	bool in_sysfs;
	unsigned int mode;
	const char *value;	/* sysfs text, NULL when unreadable or absent */
	int read_error;
	char *next_value;	/* what the next load passes, or NULL */
	bool next_has_value;	/* "PARAM" alone gives no value */
	const char *next_path;	/* NULL: the kernel command line */
	unsigned long next_line;
};

struct params {
	const char *module;
	enum kml_module_state state;
	bool builtin_only; /* listed in modules.builtin, no /sys/module directory */
	struct param *items;
	size_t count, cap;
	struct kml_kernel_param *sys;
	size_t sys_count;
	struct kml_modinfo_entry *modinfo;
	size_t modinfo_count;
	char *modinfo_buffer;
	struct kml_file *file;
	struct kml_elf *elf;
};

/* The kernel takes '-' and '_' as the same in parameter names. */
static bool param_eq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
		if (x != y)
			return false;
	}
	return true;
}

static struct param *find_param(struct params *ps, const char *name, size_t len)
{
	for (size_t i = 0; i < ps->count; i++)
		if (param_eq(name, len, ps->items[i].name))
			return &ps->items[i];
	return NULL;
}

static struct param *get_param(struct params *ps, const char *name, size_t len)
{
	struct param *p = find_param(ps, name, len);
	if (p)
		return p;
	if (ARRAY_GROW(ps->items, ps->cap, ps->count + 1) < 0)
		return NULL;
	p = &ps->items[ps->count];
	*p = (struct param){ .name = strndup(name, len) };
	if (!p->name)
		return NULL;
	ps->count++;
	return p;
}

/* "NAME:TEXT" modinfo values of KEY (parm, parmtype) into the table. */
static int add_modinfo(struct params *ps)
{
	for (size_t i = 0; i < ps->modinfo_count; i++) {
		const struct kml_modinfo_entry *e = &ps->modinfo[i];
		bool is_type = e->key_len == 8 && memcmp(e->key, "parmtype", 8) == 0;
		bool is_desc = e->key_len == 4 && memcmp(e->key, "parm", 4) == 0;
		const char *colon = strchr(e->value, ':');
		if ((!is_type && !is_desc) || !colon || colon == e->value)
			continue;
		struct param *p = get_param(ps, e->value, (size_t)(colon - e->value));
		if (!p)
			return -ENOMEM;
		if (is_type)
			p->type = colon + 1;
		else
			p->desc = colon + 1;
	}
	return 0;
}

static int read_modinfo(struct kml_ctx *ctx, struct params *ps, bool *ret_builtin)
{
	struct kml_module_list list = { 0 };
	int r = kml_module_by_name(ctx, ps->module, &list);
	if (r < 0)
		return r;
	*ret_builtin = list.count && list.modules[0].builtin;
	if (list.count && list.modules[0].path) {
		r = kml_file_open(list.modules[0].path, &ps->file);
		if (r == 0)
			r = kml_elf_new(kml_file_data(ps->file), kml_file_size(ps->file), &ps->elf);
		if (r == 0)
			r = kml_elf_get_modinfo(ps->elf, &ps->modinfo, &ps->modinfo_count);
		if (r < 0)
			tool_warn("%s: cannot read its parameter types: %s\n",
				  list.modules[0].path, strerror(-r));
	} else if (*ret_builtin) {
		r = kml_builtin_get_modinfo(ctx, ps->module, &ps->modinfo, &ps->modinfo_count,
					    &ps->modinfo_buffer);
		if (r < 0 && r != -ENOENT)
			tool_warn("%s: cannot read its parameter types from modules.builtin.modinfo: %s\n",
				  ps->module, strerror(-r));
	}
	kml_module_list_release(&list);
	return 0;
}

struct next_walk {
	struct params *ps;
	const struct kml_config_line *line;
};

static int next_word(void *data, const char *param, size_t param_len, const char *value,
		     size_t value_len)
{
	struct next_walk *w = data;
	struct param *p = find_param(w->ps, param, param_len);
	if (!p)
		return 0; /* not a parameter the module has: the kernel warns at load */
	char *v = value ? strndup(value, value_len) : strdup("");
	if (!v)
		return -ENOMEM;
	free(p->next_value);
	p->next_value = v; /* the last one given wins, as the kernel parses them */
	p->next_has_value = value != NULL;
	p->next_path = w->line->path;
	p->next_line = w->line->line;
	return 0;
}

/* The options modprobe.d and the kernel command line give the module. */
static int add_next_load(struct params *ps, const struct kml_config *config,
			 struct kml_config_line **ret_lines)
{
	struct kml_config_line *lines = NULL;
	size_t n = 0;
	int r = kml_config_lines(config, ps->module, &lines, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (lines[i].directive != KML_DIRECTIVE_OPTIONS)
			continue;
		/* a built-in module takes the kernel command line's only */
		if (ps->state == KML_STATE_BUILTIN && lines[i].path)
			continue;
		struct next_walk w = { ps, &lines[i] };
		r = kml_param_split(lines[i].text, next_word, &w);
	}
	*ret_lines = lines;
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct param *)a)->name, ((const struct param *)b)->name);
}

static void params_release(struct params *ps)
{
	for (size_t i = 0; i < ps->count; i++) {
		free(ps->items[i].name);
		free(ps->items[i].next_value);
	}
	free(ps->items);
	kml_kernel_free_params(ps->sys, ps->sys_count);
	free(ps->modinfo);
	free(ps->modinfo_buffer);
	kml_elf_free(ps->elf);
	kml_file_free(ps->file);
}

static const char *state_name(const struct params *ps)
{
	return ps->builtin_only ? "builtin" : tool_module_state_name(ps->state);
}

static bool writable(const struct param *p)
{
	return p->in_sysfs && (p->mode & 0222);
}

static void print_source(FILE *out, const char *path, unsigned long line)
{
	if (path)
		fprintf(out, "%s:%lu", path, line);
	else
		fputs("kernel command line", out);
}

static void print_text(const struct params *ps)
{
	printf("%s: %s, %zu parameter%s\n", ps->module, state_name(ps), ps->count,
	       ps->count == 1 ? "" : "s");
	for (size_t i = 0; i < ps->count; i++) {
		const struct param *p = &ps->items[i];
		if (!p->in_sysfs)
			printf("%s (no sysfs file: given at load time only)\n", p->name);
		else if (!p->value)
			printf("%s (unreadable: %s)\n", p->name, strerror(-p->read_error));
		else
			printf("%s=%s\n", p->name, p->value);
		printf("    type: %s", p->type ? p->type : "(not declared)");
		if (p->in_sysfs)
			printf(", %s (%04o)", writable(p) ? "writable" : "read-only", p->mode);
		putchar('\n');
		if (p->desc)
			printf("    description: %s\n", p->desc);
		if (p->next_value) {
			printf("    next load: %s%s (", p->next_has_value ? "" : "(no value) ",
			       p->next_value);
			print_source(stdout, p->next_path, p->next_line);
			puts(")");
		}
	}
}

static void json_param(struct json_writer *w, const struct param *p)
{
	json_begin_object(w);
	json_member_string(w, "name", p->name);
	json_member_string(w, "value", p->value);
	json_member_string(w, "type", p->type);
	json_member_string(w, "description", p->desc);
	json_member_bool(w, "in_sysfs", p->in_sysfs);
	if (p->in_sysfs) {
		char mode[8];
		snprintf(mode, sizeof(mode), "%04o", p->mode);
		json_member_string(w, "mode", mode);
	} else {
		json_member_string(w, "mode", NULL);
	}
	json_member_bool(w, "writable", writable(p));
	json_member_string(w, "read_error",
			   p->in_sysfs && !p->value ? strerror(-p->read_error) : NULL);
	json_key(w, "next_load");
	if (p->next_value) {
		json_begin_object(w);
		json_member_string(w, "value", p->next_has_value ? p->next_value : NULL);
		json_member_string(w, "file", p->next_path);
		if (p->next_path) {
			json_member_uint(w, "line", p->next_line);
		} else {
			json_key(w, "line");
			json_null(w);
		}
		json_end_object(w);
	} else {
		json_null(w);
	}
	json_end_object(w);
}

/* ------------------------------------------------------------ assignments */

struct assignment {
	const char *arg;
	char *name; /* as the sysfs file names it */
	const char *value;
	struct param *param;
	char *old;
	char *new;
};

struct errors {
	struct json_writer *w; /* errors also go to the JSON document */
	unsigned int count;
};

static void report(struct errors *e, const char *kind, const char *param, const char *value,
		   const char *format, ...) __attribute__((format(printf, 5, 6)));

static void report(struct errors *e, const char *kind, const char *param, const char *value,
		   const char *format, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, format);
	vsnprintf(msg, sizeof(msg), format, ap);
	va_end(ap);
	tool_err("%s\n", msg);
	e->count++;
	if (!e->w)
		return;
	json_begin_object(e->w);
	json_member_string(e->w, "error", kind);
	json_member_string(e->w, "parameter", param);
	json_member_string(e->w, "value", value);
	json_member_string(e->w, "message", msg);
	json_end_object(e->w);
}

/* Every refusal we can see before writing: nothing is written if any. */
static void check_assignment(struct params *ps, struct assignment *a, struct errors *e)
{
	const char *eq = strchr(a->arg, '=');
	if (!eq || eq == a->arg) {
		report(e, "syntax", NULL, a->arg, "'%s' is not PARAM=VALUE", a->arg);
		return;
	}
	a->value = eq + 1;
	a->param = find_param(ps, a->arg, (size_t)(eq - a->arg));
	char name[256];
	snprintf(name, sizeof(name), "%.*s", (int)(eq - a->arg), a->arg);
	struct param *p = a->param;
	if (!p) {
		report(e, "unknown", name, a->value, "module %s has no parameter '%s'", ps->module,
		       name);
	} else if (!p->in_sysfs) {
		report(e, "read-only", p->name, a->value,
		       "parameter %s of %s has no sysfs file: it can only be given at load time",
		       p->name, ps->module);
	} else if (!writable(p)) {
		report(e, "read-only", p->name, a->value, "parameter %s of %s is read-only (%04o)",
		       p->name, ps->module, p->mode);
	} else if (p->type) {
		int r = kml_param_check(p->type, a->value);
		if (r < 0 && r != -ENOTSUP)
			report(e, "invalid", p->name, a->value,
			       "invalid value '%s' for parameter %s of %s (%s): %s", a->value,
			       p->name, ps->module, p->type, kml_param_check_reason(p->type, r));
	}
}

static int do_assign(struct params *ps, int n, char **args, struct json_writer *w)
{
	struct assignment *as = calloc((size_t)n, sizeof(*as));
	if (!as)
		return -ENOMEM;
	struct errors e = { .w = w };
	if (w) {
		json_key(w, "errors");
		json_begin_array(w);
	}
	for (int i = 0; i < n; i++) {
		as[i].arg = args[i];
		check_assignment(ps, &as[i], &e);
	}
	int done = 0;
	if (e.count == 0) {
		for (; done < n; done++) {
			struct assignment *a = &as[done];
			const char *name = a->param->name;
			(void)kml_kernel_param_read(ps->module, name, &a->old);
			int r = kml_kernel_param_write(ps->module, name, a->value);
			if (r < 0) {
				report(&e, "rejected", name, a->value,
				       "the kernel rejected %s=%s for %s: %s", name, a->value,
				       ps->module, strerror(-r));
				break;
			}
			r = kml_kernel_param_read(ps->module, name, &a->new);
			if (r < 0)
				tool_warn("cannot read %s of %s back: %s\n", name, ps->module,
					  strerror(-r));
		}
	}
	if (w) {
		json_end_array(w);
		json_key(w, "changes");
		json_begin_array(w);
	}
	for (int i = 0; i < done; i++) {
		const struct assignment *a = &as[i];
		if (w) {
			json_begin_object(w);
			json_member_string(w, "name", a->param->name);
			json_member_string(w, "written", a->value);
			json_member_string(w, "old", a->old);
			json_member_string(w, "new", a->new);
			json_end_object(w);
		} else {
			printf("%s: %s -> %s\n", a->param->name, a->old ? a->old : "?",
			       a->new ? a->new : "?");
		}
	}
	if (w)
		json_end_array(w);
	if (e.count && done < n && done > 0)
		tool_err("%d of %d assignments were written before that\n", done, n);
	for (int i = 0; i < n; i++) {
		free(as[i].old);
		free(as[i].new);
	}
	free(as);
	return e.count ? -EINVAL : 0;
}

/* ------------------------------------------------------------------ main */

static void help(void)
{
	printf("Usage:\n"
	       "\tkmod params [options] MODULE [PARAM=VALUE...]\n"
	       "\n"
	       "Without assignments, show the parameters of a loaded or built-in module: the\n"
	       "value in sysfs, the declared type and description, whether it can be changed,\n"
	       "and what modprobe.d or the kernel command line give at the next load.\n"
	       "With assignments, check every value against its type, then write them.\n"
	       "\n"
	       "Options:\n"
	       "\t-C, --config=FILE     read FILE or DIR instead of the modprobe.d directories\n"
	       "\t-d, --dirname=DIR     look for module files under DIR/lib/modules\n"
	       "\t-S, --set-version=VER use the module directory of kernel VER\n"
	       "\t    --json            write a JSON document (see kmod-params(8))\n"
	       "\t-h, --help            show this help\n");
}

int params_main(int argc, char *argv[])
{
	struct tool_options opts = { 0 };
	int ret = 1;
	struct kml_ctx *ctx = NULL;
	struct kml_config *config = NULL;
	struct kml_config_line *lines = NULL;
	struct params ps = { 0 };
	int r = tool_parse_options(argc, argv, TOOL_OPT_MODULE_DIR, help, &opts);
	if (r != 0) {
		ret = r < 0; /* -h answered: 0 */
		goto out;
	}
	bool json = opts.json;
	if (optind >= argc) {
		tool_err("missing module name. See -h.\n");
		goto out;
	}
	char module[256];
	if (kml_alias_normalize(argv[optind], module, sizeof(module)) < 0 ||
	    strpbrk(module, "/:")) {
		tool_err("'%s' is not a module name\n", argv[optind]);
		goto out;
	}
	ps.module = module;
	if (tool_ctx_new(&opts, &ctx) < 0)
		goto out;

	r = kml_kernel_module_state(module, &ps.state);
	if (r < 0 && r != -ENOENT) {
		tool_err("cannot read the state of %s: %s\n", module, strerror(-r));
		goto out;
	}
	bool builtin = false;
	if (read_modinfo(ctx, &ps, &builtin) < 0)
		goto out;
	if (ps.state == KML_STATE_NOT_LOADED && builtin)
		ps.builtin_only = true; /* no parameter in sysfs: nothing more */
	if (ps.state == KML_STATE_NOT_LOADED && !builtin) {
		struct json_writer w;
		struct errors e = { .w = json ? &w : NULL };
		if (json) {
			json_init(&w, stdout, true);
			json_begin_object(&w);
			json_member_int(&w, "schema", PARAMS_JSON_SCHEMA);
			json_member_string(&w, "module", module);
			json_member_string(&w, "state", state_name(&ps));
			json_key(&w, "errors");
			json_begin_array(&w);
		}
		report(&e, "not-loaded", NULL, NULL, "module %s is not loaded", module);
		if (json) {
			json_end_array(&w);
			json_end_object(&w);
			(void)json_finish(&w);
		}
		goto out;
	}
	if (ps.state != KML_STATE_NOT_LOADED) {
		r = kml_kernel_module_params(module, &ps.sys, &ps.sys_count);
		if (r < 0) {
			tool_err("cannot list the parameters of %s: %s\n", module, strerror(-r));
			goto out;
		}
	}
	for (size_t i = 0; i < ps.sys_count; i++) {
		struct param *p = get_param(&ps, ps.sys[i].name, strlen(ps.sys[i].name));
		if (!p)
			goto oom;
		p->in_sysfs = true;
		p->mode = ps.sys[i].mode;
		p->value = ps.sys[i].value;
		p->read_error = ps.sys[i].read_error;
	}
	if (add_modinfo(&ps) < 0)
		goto oom;
	if (ps.count > 1)
		qsort(ps.items, ps.count, sizeof(*ps.items), by_name);

	char *cmdline = NULL;
	(void)kml_kernel_read_cmdline(&cmdline);
	r = kml_config_load(ctx, opts.configs, cmdline, &config);
	free(cmdline);
	if (r == 0)
		r = add_next_load(&ps, config, &lines);
	if (r < 0) {
		tool_err("could not read the configuration: %s\n", strerror(-r));
		goto out;
	}

	struct json_writer w;
	if (json) {
		json_init(&w, stdout, true);
		json_begin_object(&w);
		json_member_int(&w, "schema", PARAMS_JSON_SCHEMA);
		json_member_string(&w, "module", module);
		json_member_string(&w, "state", state_name(&ps));
	}
	int n_assign = argc - optind - 1;
	if (n_assign > 0) {
		ret = do_assign(&ps, n_assign, argv + optind + 1, json ? &w : NULL) < 0;
	} else {
		if (json) {
			json_key(&w, "parameters");
			json_begin_array(&w);
			for (size_t i = 0; i < ps.count; i++)
				json_param(&w, &ps.items[i]);
			json_end_array(&w);
		} else {
			print_text(&ps);
		}
		ret = 0;
	}
	if (json) {
		json_end_object(&w);
		if (json_finish(&w) < 0) {
			tool_err("could not write the JSON document\n");
			ret = 1;
		}
	}
	goto out;
oom:
	tool_err("out of memory\n");
out:
	params_release(&ps);
	free(lines);
	kml_config_free(config);
	kml_ctx_free(ctx);
	tool_options_release(&opts);
	return ret;
}
