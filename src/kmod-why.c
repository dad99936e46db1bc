// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmod why NAME|ALIAS|symbol:SYMBOL: what modprobe would decide for a
 * request, and from what: how the name resolves, the configuration lines
 * that apply (file and line), the dependencies and the symbols behind each,
 * what the kernel already has, and the steps of `modprobe NAME` and
 * `modprobe -b NAME`, from the same lookup and probe planner modprobe uses.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kmodlite-private.h"
#include "tool.h"

/* Version of the --json layout (kmod-why.8): raised when a member changes
 * meaning or goes away; new members may appear without it. */
#define WHY_JSON_SCHEMA 1

struct why {
	struct kml_ctx *ctx;
	struct kml_config *config;
	const char *request;
	char key[4096];
	enum kml_lookup_source source;
	struct kml_module_list found;
	/* every module the request involves: found, dependencies, softdeps */
	char **names;
	size_t name_count, name_cap;
	struct json_writer *w;
};

static int add_name(struct why *y, const char *name)
{
	for (size_t i = 0; i < y->name_count; i++)
		if (streq(y->names[i], name))
			return 0;
	if (ARRAY_GROW(y->names, y->name_cap, y->name_count + 1) < 0)
		return -ENOMEM;
	if (!(y->names[y->name_count] = strdup(name)))
		return -ENOMEM;
	y->name_count++;
	return 0;
}

static const char *source_id(enum kml_lookup_source s)
{
	switch (s) {
	case KML_SOURCE_CONFIG_ALIAS:
		return "config-alias";
	case KML_SOURCE_NAME:
		return "name";
	case KML_SOURCE_SYMBOL:
		return "symbol";
	case KML_SOURCE_COMMAND:
		return "command";
	case KML_SOURCE_ALIAS:
		return "alias";
	case KML_SOURCE_BUILTIN:
		return "builtin";
	case KML_SOURCE_BUILTIN_ALIAS:
		return "builtin-alias";
	default:
		return "none";
	}
}

static const char *source_text(enum kml_lookup_source s)
{
	switch (s) {
	case KML_SOURCE_CONFIG_ALIAS:
		return "an alias of the configuration";
	case KML_SOURCE_NAME:
		return "a module of that name (modules.dep)";
	case KML_SOURCE_SYMBOL:
		return "the module exporting the symbol (modules.symbols)";
	case KML_SOURCE_COMMAND:
		return "no module, but an install or remove command of that name";
	case KML_SOURCE_ALIAS:
		return "a pattern of modules.alias";
	case KML_SOURCE_BUILTIN:
		return "a module built into the kernel (modules.builtin)";
	case KML_SOURCE_BUILTIN_ALIAS:
		return "a pattern of modules.builtin.alias (built into the kernel)";
	default:
		return "nothing: modprobe would fail with \"not found\"";
	}
}

/* ------------------------------------------------------------ resolution */

static int print_resolution(struct why *y)
{
	struct json_writer *w = y->w;
	int r = 0;
	if (w) {
		json_key(w, "resolution");
		json_begin_object(w);
		json_member_string(w, "source", source_id(y->source));
		json_key(w, "matches");
		json_begin_array(w);
	} else {
		printf("request: %s\n", y->request);
		printf("resolved by: %s\n", source_text(y->source));
	}
	if (y->source == KML_SOURCE_CONFIG_ALIAS) {
		struct kml_config_line *lines = NULL;
		size_t n = 0;
		r = kml_config_lines(y->config, y->key, &lines, &n);
		for (size_t i = 0; r == 0 && i < n; i++) {
			const struct kml_config_line *l = &lines[i];
			if (l->directive != KML_DIRECTIVE_ALIAS)
				continue;
			if (w) {
				json_begin_object(w);
				json_member_string(w, "pattern", l->name);
				json_member_string(w, "module", l->text);
				json_member_string(w, "file", l->path);
				json_member_uint(w, "line", l->line);
				json_end_object(w);
			} else {
				printf("  %s:%lu: alias %s %s\n", l->path ? l->path : "?", l->line,
				       l->name, l->text);
			}
		}
		free(lines);
	} else if (y->source == KML_SOURCE_ALIAS || y->source == KML_SOURCE_BUILTIN_ALIAS) {
		struct kml_pair *pairs = NULL;
		size_t n = 0;
		r = kml_alias_patterns(y->ctx, y->key, y->source == KML_SOURCE_BUILTIN_ALIAS,
				       &pairs, &n);
		for (size_t i = 0; r == 0 && i < n; i++) {
			if (w) {
				json_begin_object(w);
				json_member_string(w, "pattern", pairs[i].first);
				json_member_string(w, "module", pairs[i].second);
				json_end_object(w);
			} else {
				printf("  alias %s %s\n", pairs[i].first, pairs[i].second);
			}
		}
		kml_pairs_free(pairs, n);
	} else if (y->source == KML_SOURCE_SYMBOL && !w) {
		for (size_t i = 0; i < y->found.count; i++)
			printf("  %s is exported by %s\n", y->key + 7, y->found.modules[i].name);
	}
	if (w) {
		json_end_array(w);
		json_key(w, "modules");
		json_begin_array(w);
	}
	for (size_t i = 0; i < y->found.count; i++) {
		const struct kml_module *m = &y->found.modules[i];
		if (w) {
			json_begin_object(w);
			json_member_string(w, "name", m->name);
			json_member_string(w, "path", m->path);
			json_member_bool(w, "builtin", m->builtin);
			json_end_object(w);
		} else {
			printf("module: %s", m->name);
			if (m->path)
				printf(" (%s)", m->path);
			else if (m->builtin)
				printf(" (built in)");
			else
				printf(" (no module file)");
			putchar('\n');
		}
	}
	if (w) {
		json_end_array(w);
		json_end_object(w);
	}
	return r;
}

/* --------------------------------------------------------- configuration */

static void print_words(const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf(" %s", words[i]);
}

static void json_words(struct json_writer *w, const char *key, const char *const *words,
		       size_t n)
{
	json_key(w, key);
	json_begin_array(w);
	for (size_t i = 0; i < n; i++)
		json_string(w, words[i]);
	json_end_array(w);
}

static void print_line(struct why *y, const struct kml_config_line *l)
{
	struct json_writer *w = y->w;
	const char *directive = kml_config_directive_name(l->directive);
	if (w) {
		json_begin_object(w);
		json_member_string(w, "directive", directive);
		json_member_string(w, "name", l->name);
		json_member_string(w, "text", l->text);
		if (l->directive == KML_DIRECTIVE_SOFTDEP) {
			json_words(w, "pre", l->pre, l->n_pre);
			json_words(w, "post", l->post, l->n_post);
		} else if (l->directive == KML_DIRECTIVE_WEAKDEP) {
			json_words(w, "modules", l->pre, l->n_pre);
		}
		json_member_string(w, "file", l->path);
		if (l->path) {
			json_member_uint(w, "line", l->line);
		} else {
			json_key(w, "line");
			json_null(w);
		}
		json_end_object(w);
		return;
	}
	if (!l->path) {
		/* the kernel command line's own spelling */
		if (l->directive == KML_DIRECTIVE_BLACKLIST)
			printf("  kernel command line: modprobe.blacklist=%s\n", l->name);
		else
			printf("  kernel command line: %s.%s\n", l->name, l->text ? l->text : "");
		return;
	}
	printf("  %s:%lu: %s %s", l->path, l->line, directive, l->name);
	if (l->text)
		printf(" %s", l->text);
	if (l->directive == KML_DIRECTIVE_SOFTDEP) {
		if (l->n_pre) {
			printf(" pre:");
			print_words(l->pre, l->n_pre);
		}
		if (l->n_post) {
			printf(" post:");
			print_words(l->post, l->n_post);
		}
	} else if (l->directive == KML_DIRECTIVE_WEAKDEP) {
		print_words(l->pre, l->n_pre);
	}
	putchar('\n');
}

/* Lines of NAME; alias lines only when ALIASES (for the request's key). */
static int print_lines_of(struct why *y, const char *name, bool aliases, size_t *count)
{
	struct kml_config_line *lines = NULL;
	size_t n = 0;
	int r = kml_config_lines(y->config, name, &lines, &n);
	if (r == -EINVAL)
		return 0; /* no configuration line can name it ("a[b") */
	for (size_t i = 0; r == 0 && i < n; i++) {
		bool is_alias = lines[i].directive == KML_DIRECTIVE_ALIAS;
		if (is_alias != aliases && !(aliases && lines[i].directive == KML_DIRECTIVE_OPTIONS))
			continue;
		print_line(y, &lines[i]);
		(*count)++;
	}
	free(lines);
	return r;
}

static int print_config(struct why *y)
{
	if (y->w) {
		json_key(y->w, "config");
		json_begin_array(y->w);
	} else {
		printf("\nconfiguration:\n");
	}
	size_t count = 0;
	int r = 0;
	/* alias lines matching the request, and options given to the alias */
	bool key_is_module = false;
	for (size_t i = 0; i < y->name_count; i++)
		key_is_module |= streq(y->names[i], y->key);
	if (!key_is_module)
		r = print_lines_of(y, y->key, true, &count);
	for (size_t i = 0; r == 0 && i < y->name_count; i++)
		r = print_lines_of(y, y->names[i], false, &count);
	if (y->w)
		json_end_array(y->w);
	else if (count == 0)
		printf("  (no line applies)\n");
	return r;
}

/* ---------------------------------------------------------- dependencies */

/* MODULE's edges: the modules it needs and the symbols it takes from each. */
static int print_edges(struct why *y, const struct kml_module *m, size_t *count)
{
	if (!m->path)
		return 0;
	struct kml_pair *pairs = NULL;
	size_t n = 0;
	int r = kml_module_symbol_providers(y->ctx, m->path, &pairs, &n);
	if (r < 0) {
		tool_warn("%s: cannot read its symbols: %s\n", m->path, strerror(-r));
		return 0;
	}
	/* group by provider, in the order providers first appear */
	bool *done = calloc(n ? n : 1, sizeof(*done));
	if (!done) {
		kml_pairs_free(pairs, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (done[i] || streq(pairs[i].second, m->name))
			continue;
		struct json_writer *w = y->w;
		if (w) {
			json_begin_object(w);
			json_member_string(w, "module", m->name);
			json_member_string(w, "needs", pairs[i].second);
			json_key(w, "symbols");
			json_begin_array(w);
		} else {
			printf("  %s -> %s:", m->name, pairs[i].second);
		}
		for (size_t k = i; k < n; k++) {
			if (done[k] || !streq(pairs[k].second, pairs[i].second))
				continue;
			done[k] = true;
			if (w)
				json_string(w, pairs[k].first);
			else
				printf(" %s", pairs[k].first);
		}
		if (w) {
			json_end_array(w);
			json_end_object(w);
		} else {
			putchar('\n');
		}
		(*count)++;
	}
	free(done);
	kml_pairs_free(pairs, n);
	return 0;
}

static int print_dependencies(struct why *y)
{
	if (y->w) {
		json_key(y->w, "dependencies");
		json_begin_array(y->w);
	} else {
		printf("\ndependencies (module -> what it needs: the symbols):\n");
	}
	size_t count = 0;
	int r = 0;
	for (size_t i = 0; r == 0 && i < y->found.count; i++) {
		const struct kml_module *m = &y->found.modules[i];
		struct kml_module_list deps = { 0 };
		r = kml_module_get_dependencies(y->ctx, m->name, &deps);
		/* the target first, then its dependencies closest first */
		if (r == 0)
			r = print_edges(y, m, &count);
		for (size_t k = deps.count; r == 0 && k-- > 0;)
			r = print_edges(y, &deps.modules[k], &count);
		kml_module_list_release(&deps);
	}
	if (y->w)
		json_end_array(y->w);
	else if (count == 0)
		printf("  (none)\n");
	return r;
}

/* ---------------------------------------------------------------- kernel */

static void print_kernel(struct why *y)
{
	if (y->w) {
		json_key(y->w, "kernel");
		json_begin_array(y->w);
	} else {
		printf("\nin the kernel now:\n");
	}
	for (size_t i = 0; i < y->name_count; i++) {
		enum kml_module_state st = KML_STATE_NOT_LOADED;
		(void)kml_kernel_module_state(y->names[i], &st);
		if (y->w) {
			json_begin_object(y->w);
			json_member_string(y->w, "name", y->names[i]);
			json_member_string(y->w, "state", tool_module_state_name(st));
			json_end_object(y->w);
		} else {
			printf("  %s: %s\n", y->names[i], tool_module_state_name(st));
		}
	}
	if (y->w)
		json_end_array(y->w);
	else if (y->name_count == 0)
		printf("  (no module involved)\n");
}

/* --------------------------------------------------------------- probes */

/* What modprobe counts as already in the kernel (src/modprobe-insert.c). */
static bool in_kernel(const struct kml_probe_step *s)
{
	if (s->builtin)
		return true;
	enum kml_module_state st;
	return kml_kernel_module_state(s->name, &st) == 0 && st == KML_STATE_LIVE;
}

static void step_out(struct why *y, const char *action, const struct kml_probe_step *s,
		     const char *text)
{
	struct json_writer *w = y->w;
	if (w) {
		json_begin_object(w);
		json_member_string(w, "action", action);
		json_member_string(w, "module", s->name);
		json_member_string(w, "path", s->path);
		json_member_string(w, "command", s->command);
		json_member_string(w, "options", s->options && *s->options ? s->options : NULL);
		json_member_bool(w, "required", s->required);
		json_end_object(w);
	} else {
		printf("  %s\n", text);
	}
}

static int describe_plan(struct why *y, const struct kml_module *m, bool use_blacklist)
{
	unsigned int flags = KML_PROBE_BLACKLIST_ALIAS | (use_blacklist ? KML_PROBE_USE_BLACKLIST : 0);
	struct kml_probe_plan plan = { 0 };
	int r = kml_probe_plan_insert(y->ctx, y->config, m, flags, NULL, &plan);
	if (r < 0)
		return r;
	char text[8192];
	const struct kml_probe_step *check = &plan.steps[0];
	if (in_kernel(check)) {
		snprintf(text, sizeof(text), "nothing: %s is already in the kernel%s", check->name,
			 check->builtin ? " (built in)" : "");
		step_out(y, "already-loaded", check, text);
	} else if (plan.count == 1) {
		snprintf(text, sizeof(text), "nothing: %s is blacklisted%s", check->name,
			 use_blacklist ? "" : " and was asked for through an alias");
		step_out(y, "blacklisted", check, text);
	}
	for (size_t i = 1; !in_kernel(check) && i < plan.count; i++) {
		const struct kml_probe_step *s = &plan.steps[i];
		/* the planner ends configured options with a blank, as modprobe
		 * passes them: not shown */
		char opts[4096];
		snprintf(opts, sizeof(opts), "%s", s->options ? s->options : "");
		for (size_t n = strlen(opts); n > 0 && opts[n - 1] == ' ';)
			opts[--n] = '\0';
		if (s->builtin) {
			snprintf(text, sizeof(text), "skip %s: built in", s->name);
			step_out(y, "skip-builtin", s, text);
		} else if (in_kernel(s)) {
			snprintf(text, sizeof(text), "skip %s: already loaded", s->name);
			step_out(y, "skip-loaded", s, text);
		} else if (s->action == KML_PROBE_INSTALL) {
			snprintf(text, sizeof(text), "run install command of %s: %s%s%s", s->name,
				 s->command, *opts ? " " : "", opts);
			step_out(y, "install", s, text);
		} else if (s->path) {
			snprintf(text, sizeof(text), "insert %s%s%s", s->path, *opts ? " " : "",
				 opts);
			step_out(y, "insert", s, text);
		} else {
			snprintf(text, sizeof(text), "fail on %s: no module file%s", s->name,
				 s->required ? " (modprobe stops here)" : " (a softdep: skipped)");
			step_out(y, "missing", s, text);
			if (s->required)
				break;
		}
	}
	kml_probe_plan_release(&plan);
	return 0;
}

static int print_probes(struct why *y)
{
	int r = 0;
	for (int b = 0; r == 0 && b < 2; b++) {
		if (y->w) {
			json_key(y->w, b ? "modprobe_b" : "modprobe");
			json_begin_array(y->w);
		} else {
			printf("\nmodprobe %s%s would:\n", b ? "-b " : "", y->request);
		}
		if (y->found.count == 0 && !y->w)
			printf("  fail: module %s not found in directory %s\n", y->request,
			       kml_ctx_get_module_dir(y->ctx));
		for (size_t i = 0; r == 0 && i < y->found.count; i++)
			r = describe_plan(y, &y->found.modules[i], b);
		if (y->w)
			json_end_array(y->w);
	}
	return r;
}

/* The modules the request involves, for the configuration and kernel parts:
 * those found, their dependencies and softdeps, as the planner lists them. */
static int collect_names(struct why *y)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < y->found.count; i++) {
		struct kml_probe_plan plan = { 0 };
		r = add_name(y, y->found.modules[i].name);
		if (r == 0)
			r = kml_probe_plan_insert(y->ctx, y->config, &y->found.modules[i], 0, NULL,
						  &plan);
		for (size_t k = 0; r == 0 && k < plan.count; k++)
			r = add_name(y, plan.steps[k].name);
		kml_probe_plan_release(&plan);
	}
	return r;
}

/* ------------------------------------------------------------------ main */

static void help(void)
{
	printf("Usage:\n"
	       "\tkmod why [options] NAME|ALIAS|symbol:SYMBOL\n"
	       "\n"
	       "Explain what modprobe would do with a request and why: how the name resolves,\n"
	       "the configuration lines that apply (with file and line), the dependencies and\n"
	       "the symbols behind them, what is loaded, and the steps of modprobe and\n"
	       "modprobe -b. Nothing is loaded or changed.\n"
	       "\n"
	       "Options:\n"
	       "\t-C, --config=FILE     read FILE or DIR instead of the modprobe.d directories\n"
	       "\t-d, --dirname=DIR     look for module files under DIR/lib/modules\n"
	       "\t-S, --set-version=VER use the module directory of kernel VER\n"
	       "\t    --json            write a JSON document (see kmod-why(8))\n"
	       "\t-h, --help            show this help\n");
}

int why_main(int argc, char *argv[])
{
	struct tool_options opts = { 0 };
	int ret = 1;
	struct why y = { 0 };
	int r = tool_parse_options(argc, argv, TOOL_OPT_MODULE_DIR, help, &opts);
	if (r != 0) {
		ret = r < 0; /* -h answered: 0 */
		goto out;
	}
	bool json = opts.json;
	if (optind >= argc) {
		tool_err("missing module name, alias or symbol:NAME. See -h.\n");
		goto out;
	}
	if (optind + 1 < argc) {
		tool_err("one name at a time. See -h.\n");
		goto out;
	}
	y.request = argv[optind];
	if (kml_alias_normalize(y.request, y.key, sizeof(y.key)) < 0) {
		tool_err("'%s' is not a valid name\n", y.request);
		goto out;
	}
	if (tool_ctx_new(&opts, &y.ctx) < 0)
		goto out;
	char *cmdline = NULL;
	(void)kml_kernel_read_cmdline(&cmdline);
	r = kml_config_load(y.ctx, opts.configs, cmdline, &y.config);
	free(cmdline);
	if (r < 0) {
		tool_err("could not read the configuration: %s\n", strerror(-r));
		goto out;
	}
	r = kml_lookup_with_config_source(y.ctx, y.config, y.request, &y.found, &y.source);
	if (r < 0) {
		/* as modprobe: a failed lookup is "not found" */
		y.found = (struct kml_module_list){ 0 };
		y.source = KML_SOURCE_NONE;
	}
	r = collect_names(&y);
	struct json_writer w;
	if (json) {
		y.w = &w;
		json_init(&w, stdout, true);
		json_begin_object(&w);
		json_member_int(&w, "schema", WHY_JSON_SCHEMA);
		json_member_string(&w, "request", y.request);
		json_member_string(&w, "module_dir", kml_ctx_get_module_dir(y.ctx));
	}
	if (r == 0)
		r = print_resolution(&y);
	if (r == 0)
		r = print_config(&y);
	if (r == 0)
		r = print_dependencies(&y);
	if (r == 0)
		print_kernel(&y);
	if (r == 0)
		r = print_probes(&y);
	if (json) {
		json_end_object(&w);
		if (json_finish(&w) < 0 && r == 0)
			r = -EIO;
	}
	if (r < 0) {
		tool_err("%s: %s\n", y.request, strerror(-r));
		goto out;
	}
	/* as modprobe: a name that resolves to nothing fails */
	ret = y.found.count == 0;
out:
	kml_module_list_release(&y.found);
	for (size_t i = 0; i < y.name_count; i++)
		free(y.names[i]);
	free(y.names);
	kml_config_free(y.config);
	kml_ctx_free(y.ctx);
	tool_options_release(&opts);
	return ret;
}
