// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe configuration: the lines of modprobe.d files (and of
 * modules.softdep and modules.weakdep of the module directory) into the
 * store of config-store.c. softdep and weakdep lines are kept as text and
 * parsed per module when its dependencies are first asked for.
 *
 * Behaviour checked against modprobe from kmod 30 (file selection, line and
 * word rules: see conf-file.h):
 *  - a line is a comment only when its first character is '#';
 *  - module names and alias patterns are normalised: '-' becomes '_' outside
 *    [...]; a '[' without a later ']', or a ']' outside brackets, makes the
 *    line bad;
 *  - `options` and `install`/`remove` keep the rest of the line as written,
 *    from the character after the one separating it from the module name
 *    (options turn tabs into spaces); a module's options are those texts
 *    joined by one space, blanks and all (also those of continued lines);
 *    words after what a directive needs are ignored (`alias a b c`,
 *    `blacklist a b`);
 *  - a softdep's words before the first "pre:" or "post:" count for nothing;
 *  - `include` and `config` are reported as obsolete, unknown directives as
 *    bad lines; both at error priority.
 * Where the reference is wrong, we differ:
 *  - several softdep lines for one module are merged (kmod bug #33), and
 *    `weakdep MODULE DEPS...` is understood (kmod 33; as kmod 34.2, DEPS may
 *    be blanks only);
 *  - an options/install/remove line with nothing but blanks after the module
 *    name is bad (kmod accepts it when two blanks follow the name);
 *  - a line holding a NUL byte, or longer than CONF_MAX_LINE, is refused
 *    (kmod ignores what follows the NUL, and has no limit).
 */
#include <errno.h>
#include <stdio.h>

#include "conf-file.h"
#include "config-private.h"
#include "modname.h"

/* ------------------------------------------------------------ helpers */

/*
 * Appends the N strings at ITEMS to V. The first list is borrowed as it is
 * (one softdep line per module is the rule); a later one makes a merged copy.
 */
static int strptrs_append(struct arena *a, struct strptrs *v, const char **items, size_t n)
{
	if (n == 0)
		return 0;
	if (v->count == 0) {
		v->items = items;
		v->count = n;
		return 0;
	}
	const char **m = arena_alloc(a, (v->count + n + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	memcpy(m, v->items, v->count * sizeof(*m));
	memcpy(m + v->count, items, n * sizeof(*m));
	v->items = m;
	v->count += n;
	return 0;
}

/* A NULL-terminated copy of the N pointers at ITEMS in the arena. */
static const char **ptrs_copy(struct arena *a, const char *const *items, size_t n)
{
	const char **m = arena_alloc(a, (n + 1) * sizeof(*m));
	if (m && n)
		memcpy(m, items, n * sizeof(*m));
	return m;
}

/* Words, collected before they are copied to the arena at their final size. */
struct word_list {
	const char *stack[32];
	const char **items;
	size_t count, cap;
};

static int word_list_add(struct word_list *l, const char *w)
{
	if (!l->items) {
		l->items = l->stack;
		l->cap = ARRAY_SIZE(l->stack);
	}
	if (l->count == l->cap) {
		const char **heap = l->items == l->stack ? NULL : l->items;
		size_t cap = l->cap;
		int r = ARRAY_GROW(heap, cap, l->count + 1);
		if (r < 0)
			return r;
		if (l->items == l->stack)
			memcpy(heap, l->stack, sizeof(l->stack));
		l->items = heap;
		l->cap = cap;
	}
	l->items[l->count++] = w;
	return 0;
}

static void word_list_release(struct word_list *l)
{
	if (l->items != l->stack)
		free(l->items);
}

/* ------------------------------------------------------- configuration */

struct parser {
	struct kml_ctx *ctx;
	struct kml_config *config;
	const char *path;
	const char *kept_path; /* PATH copied to the arena, once needed */
};

static int add_alias(struct parser *ps, const char *pattern, const char *module)
{
	return config_record_add(ps->config, SEC_ALIAS, pattern, module, NULL);
}

static int add_options(struct parser *ps, const char *module, char *text)
{
	for (char *p = text; *p; p++)
		if (*p == '\t')
			*p = ' ';
	struct mod_entry *e;
	int r = config_module_entry(ps->config, module, &e);
	if (r >= 0)
		r = config_record_add(ps->config, SEC_OPTIONS, module, text, NULL);
	/* passed on as written: kmod keeps the blanks, continuations' too */
	if (r >= 0 && e->options.len > 0)
		r = strbuf_append(&e->options, " ", 1);
	if (r >= 0)
		r = strbuf_append_str(&e->options, text);
	return r;
}

static int add_command(struct parser *ps, enum section sec, const char *module,
		       const char *text)
{
	struct mod_entry *e;
	const struct record *rec;
	int r = config_module_entry(ps->config, module, &e);
	if (r >= 0)
		r = config_record_add(ps->config, sec, module, text, &rec);
	if (r < 0)
		return r;
	const char **slot = sec == SEC_INSTALL ? &e->install : &e->remove;
	if (!*slot)
		*slot = rec->text;
	return 0;
}

/* forbid MODULE: the file and line are kept, for the refusals to name. */
static int add_forbid(struct parser *ps, unsigned long lineno, const char *module)
{
	char *where;
	if (asprintf(&where, "%s:%lu", ps->path, lineno) < 0)
		return -ENOMEM;
	char *kept = arena_strndup(&ps->config->arena, where, strlen(where));
	free(where);
	if (!kept)
		return -ENOMEM;
	return config_add_forbid(ps->config, module, kept);
}

/* softdep MODULE [pre: A...] [post: B...]: words after MODULE at CUR. */
static int add_softdep(struct parser *ps, unsigned long lineno, const char *module, char *cur)
{
	struct kml_config *config = ps->config;
	struct word_list pre = { 0 }, post = { 0 };
	enum { NONE, PRE, POST } where = NONE;
	size_t ignored = 0;
	int r = 0;
	for (char *w; r >= 0 && (w = conf_next_word(&cur));) {
		if (streq(w, "pre:"))
			where = PRE;
		else if (streq(w, "post:"))
			where = POST;
		else if (where == PRE)
			r = word_list_add(&pre, w);
		else if (where == POST)
			r = word_list_add(&post, w);
		else
			ignored++;
	}
	struct mod_entry *e;
	struct dep_record *d;
	if (r >= 0)
		r = config_module_entry(config, module, &e);
	if (r >= 0)
		r = config_dep_record_new(&config->softdeps, module, &d);
	if (r >= 0) {
		d->pre = ptrs_copy(&config->arena, pre.items, pre.count);
		d->post = ptrs_copy(&config->arena, post.items, post.count);
		d->n_pre = pre.count;
		d->n_post = post.count;
		r = d->pre && d->post ? 0 : -ENOMEM;
	}
	word_list_release(&pre);
	word_list_release(&post);
	if (r < 0)
		return r;
	if (ignored)
		kml_dbg(ps->ctx, "%s line %lu: softdep %s: %zu word(s) before pre: or post: ignored",
			ps->path, lineno, module, ignored);
	r = strptrs_append(&config->arena, &e->pre, d->pre, d->n_pre);
	if (r >= 0)
		r = strptrs_append(&config->arena, &e->post, d->post, d->n_post);
	return r;
}

/* weakdep MODULE A...: words after MODULE at CUR (maybe none). */
static int add_weakdep(struct parser *ps, const char *module, char *cur)
{
	struct kml_config *config = ps->config;
	struct word_list words = { 0 };
	int r = 0;
	for (char *w; r >= 0 && (w = conf_next_word(&cur));)
		r = word_list_add(&words, w);
	struct mod_entry *e;
	struct dep_record *d;
	if (r >= 0)
		r = config_module_entry(config, module, &e);
	if (r >= 0)
		r = config_dep_record_new(&config->weakdeps, module, &d);
	if (r >= 0) {
		d->pre = ptrs_copy(&config->arena, words.items, words.count);
		d->n_pre = words.count;
		r = d->pre ? 0 : -ENOMEM;
	}
	word_list_release(&words);
	if (r >= 0)
		r = strptrs_append(&config->arena, &e->weak, d->pre, d->n_pre);
	return r;
}

/*
 * Checks a softdep or weakdep line when it is read, as kmod reports bad
 * lines while it loads the configuration: it names a valid module and has
 * something after it; a bad one is reported and marked. For a weakdep line,
 * blanks are something when more than the one ending the name follow it:
 * kmod 34.2 takes "weakdep NAME  " as a line without dependencies (and
 * prints it back), but not "weakdep NAME" or "weakdep NAME ".
 */
static void check_deferred(struct kml_config *config, struct deferred_line *d)
{
	char *cur = d->rest;
	char *module = conf_next_word(&cur);
	bool rest = module && (d->weak ? *cur != '\0' : conf_has_word(cur));
	if (!rest || modname_normalize(module) < 0) {
		char word[CONF_PRINTABLE_SIZE];
		kml_err(config->ctx, "%s line %lu: ignoring bad line starting with '%s'", d->path,
			d->lineno, conf_printable(d->weak ? "weakdep" : "softdep", word));
		d->bad = true;
		return;
	}
	d->module = module;
	d->hash = hash_string(module);
	d->rest = cur;
}

static int defer_line(struct parser *ps, unsigned long lineno, bool weak, char *rest)
{
	struct kml_config *config = ps->config;
	if (!ps->kept_path) {
		ps->kept_path = arena_strndup(&config->arena, ps->path, strlen(ps->path));
		if (!ps->kept_path)
			return -ENOMEM;
	}
	int r = ARRAY_GROW(config->deferred, config->deferred_cap, config->deferred_count + 1);
	if (r < 0)
		return r;
	struct deferred_line *d = &config->deferred[config->deferred_count++];
	*d = (struct deferred_line){ .path = ps->kept_path, .lineno = lineno, .weak = weak, .rest = rest };
	check_deferred(config, d);
	return 0;
}

/*
 * Parses the deferred lines of MODULE (normalised; NULL: of every module)
 * not parsed yet, in configuration order, so a module's lines are merged in
 * that order. The configuration is const to its users; this fills in what
 * it already holds as text (so a config is not to be queried from two
 * threads at once).
 */
int config_parse_deferred(const struct kml_config *cconfig, const char *module)
{
	struct kml_config *config = (struct kml_config *)cconfig;
	uint64_t hash = module ? hash_string(module) : 0;
	for (size_t i = 0; i < config->deferred_count; i++) {
		struct deferred_line *d = &config->deferred[i];
		if (d->bad || d->parsed ||
		    (module && (d->hash != hash || !streq(d->module, module))))
			continue;
		struct parser ps = { config->ctx, config, d->path, d->path };
		d->parsed = true;
		d->record = d->weak ? config->weakdeps.count : config->softdeps.count;
		int r = d->weak ? add_weakdep(&ps, d->module, d->rest)
				: add_softdep(&ps, d->lineno, d->module, d->rest);
		if (r < 0)
			return r;
	}
	return 0;
}

enum directive {
	DIR_UNKNOWN,
	DIR_ALIAS,
	DIR_OPTIONS,
	DIR_INSTALL,
	DIR_REMOVE,
	DIR_BLACKLIST,
	DIR_FORBID,
	DIR_SOFTDEP,
	DIR_WEAKDEP,
	DIR_OBSOLETE, /* include, config */
};

/* One comparison per line: the first letter picks the candidate. */
static enum directive directive_of(const char *w)
{
	static const struct {
		const char *name;
		enum directive d;
	} by_letter[26] = {
		['a' - 'a'] = { "alias", DIR_ALIAS },	      ['b' - 'a'] = { "blacklist", DIR_BLACKLIST },
		['c' - 'a'] = { "config", DIR_OBSOLETE },     ['f' - 'a'] = { "forbid", DIR_FORBID },
		['i' - 'a'] = { "install", DIR_INSTALL },
		['o' - 'a'] = { "options", DIR_OPTIONS },     ['r' - 'a'] = { "remove", DIR_REMOVE },
		['s' - 'a'] = { "softdep", DIR_SOFTDEP },     ['w' - 'a'] = { "weakdep", DIR_WEAKDEP },
	};
	if (w[0] < 'a' || w[0] > 'z')
		return DIR_UNKNOWN;
	if (w[0] == 'i' && streq(w, "include"))
		return DIR_OBSOLETE;
	const char *name = by_letter[w[0] - 'a'].name;
	return name && streq(w, name) ? by_letter[w[0] - 'a'].d : DIR_UNKNOWN;
}

/* Handles one logical line; a bad one is logged. -ENOMEM only. */
static int parse_line(struct parser *ps, unsigned long lineno, char *line)
{
	if (line[0] == '#')
		return 0;
	char *cur = line;
	char *cmd = conf_next_word(&cur);
	if (!cmd)
		return 0;

	char *module;
	switch (directive_of(cmd)) {
	case DIR_ALIAS: {
		char *pattern = conf_next_word(&cur);
		module = pattern ? conf_next_word(&cur) : NULL;
		if (!module || modname_normalize(pattern) < 0 || modname_normalize(module) < 0)
			break;
		return add_alias(ps, pattern, module);
	}
	case DIR_OPTIONS:
	case DIR_INSTALL:
	case DIR_REMOVE:
		module = conf_next_word(&cur);
		if (!module || !conf_has_word(cur) || modname_normalize(module) < 0)
			break;
		if (cmd[0] == 'o')
			return add_options(ps, module, cur);
		return add_command(ps, cmd[0] == 'i' ? SEC_INSTALL : SEC_REMOVE, module, cur);
	case DIR_BLACKLIST:
		module = conf_next_word(&cur);
		if (!module || modname_normalize(module) < 0)
			break;
		return config_add_blacklist(ps->config, module);
	case DIR_FORBID:
		module = conf_next_word(&cur);
		if (!module || conf_has_word(cur) || modname_normalize(module) < 0)
			break;
		return add_forbid(ps, lineno, module);
	case DIR_SOFTDEP:
	case DIR_WEAKDEP:
		return defer_line(ps, lineno, cmd[0] == 'w', cur);
	case DIR_OBSOLETE:
		kml_err(ps->ctx, "%s: command %s is deprecated and not parsed anymore", ps->path,
			cmd);
		return 0;
	case DIR_UNKNOWN:
		break;
	}
	char word[CONF_PRINTABLE_SIZE];
	kml_err(ps->ctx, "%s line %lu: ignoring bad line starting with '%s'", ps->path, lineno,
		conf_printable(cmd, word));
	return 0;
}

static int parse_logical_line(void *data, struct conf_line *line)
{
	struct parser *ps = data;
	if (line->too_long) {
		kml_err(ps->ctx, "%s line %lu: line longer than %zu bytes, ignoring it", ps->path,
			line->lineno, CONF_MAX_LINE);
		return 0;
	}
	if (line->has_nul) {
		kml_err(ps->ctx, "%s line %lu: line holds a NUL byte, ignoring it", ps->path,
			line->lineno);
		return 0;
	}
	ps->config->cur_line = line->lineno;
	return parse_line(ps, line->lineno, line->text);
}

/* Reads one file; MISSING_OK: a file that does not exist is no news. */
int config_parse_file(struct kml_ctx *ctx, struct kml_config *config, const char *path,
		      bool missing_ok)
{
	char *buf = NULL;
	size_t len = 0;
	int r = conf_file_read(path, &buf, &len);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		if (r == -ENOENT && missing_ok)
			return 0;
		/* as the reference, unreadable files are skipped quietly */
		if (r == -ENOENT || r == -EACCES || r == -EPERM)
			kml_info(ctx, "could not read %s: %s", path, strerror(-r));
		else
			kml_err(ctx, "could not read %s: %s", path, strerror(-r));
		return 0;
	}
	/* the records point into the buffer: the config keeps it */
	r = arena_own(&config->arena, buf);
	if (r < 0)
		return r;
	config->cur_path = arena_strndup(&config->arena, path, strlen(path));
	if (!config->cur_path)
		return -ENOMEM;
	struct parser ps = { ctx, config, path, config->cur_path };
	return conf_buffer_foreach_line(buf, len, parse_logical_line, &ps);
}
