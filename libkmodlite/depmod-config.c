// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod.d configuration: search order, overrides, external directories and
 * excluded directory names.
 *
 * Behaviour checked against depmod from kmod 30 (file selection, line and
 * word rules: see conf-file.h):
 *  - a line is a comment only when its first character is '#'; a NUL byte
 *    ends a line's content;
 *  - KVER fields are "*" or an unanchored POSIX extended regular expression
 *    (an invalid one never matches);
 *  - several override lines for one module: the last one matching KVER wins.
 */
#include <errno.h>
#include <stdio.h>

#include "conf-file.h"
#include "depmod-cache.h"
#include "depmod-config.h"
#include "kmodlite-private.h"

static const char *const default_paths[] = {
	"/etc/depmod.d",
	"/run/depmod.d",
	"/usr/local/lib/depmod.d",
	"/usr/lib/depmod.d",
	"/lib/depmod.d",
	NULL,
};

struct depmod_override {
	char *modname; /* normalised */
	char *subdir;
};

struct kml_depmod_config {
	struct kml_search_entry *search;
	size_t n_search;
	size_t cap_search;
	bool search_seen; /* a search line named at least one entry */

	struct depmod_override *overrides;
	size_t n_overrides;
	size_t cap_overrides;

	char **externals; /* NULL-terminated */
	size_t n_externals;
	size_t cap_externals;

	char **excludes;
	size_t n_excludes;
	size_t cap_excludes;
};

static void normalize_name(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

void kml_depmod_config_free(struct kml_depmod_config *config)
{
	if (!config)
		return;
	for (size_t i = 0; i < config->n_search; i++)
		free((char *)config->search[i].dir);
	free(config->search);
	for (size_t i = 0; i < config->n_overrides; i++) {
		free(config->overrides[i].modname);
		free(config->overrides[i].subdir);
	}
	free(config->overrides);
	for (size_t i = 0; i < config->n_externals; i++)
		free(config->externals[i]);
	free(config->externals);
	for (size_t i = 0; i < config->n_excludes; i++)
		free(config->excludes[i]);
	free(config->excludes);
	free(config);
}

static bool search_has(const struct kml_depmod_config *config, enum kml_search_kind kind,
		       const char *dir)
{
	for (size_t i = 0; i < config->n_search; i++) {
		const struct kml_search_entry *e = &config->search[i];
		if (e->kind == kind && (kind != KML_SEARCH_DIR || streq(e->dir, dir)))
			return true;
	}
	return false;
}

/* Appends a search entry; a repeated one keeps its first (higher) place. */
static int search_add(struct kml_depmod_config *config, const char *word)
{
	enum kml_search_kind kind = KML_SEARCH_DIR;
	if (streq(word, "built-in"))
		kind = KML_SEARCH_BUILTIN;
	else if (streq(word, "external"))
		kind = KML_SEARCH_EXTERNAL;
	if (search_has(config, kind, word))
		return 0;
	int r = ARRAY_GROW(config->search, config->cap_search, config->n_search + 1);
	if (r < 0)
		return r;
	char *dir = NULL;
	if (kind == KML_SEARCH_DIR) {
		dir = strdup(word);
		if (!dir)
			return -ENOMEM;
	}
	config->search[config->n_search++] = (struct kml_search_entry){ .kind = kind, .dir = dir };
	return 0;
}

static int override_add(struct kml_depmod_config *config, const char *modname, const char *subdir)
{
	int r = ARRAY_GROW(config->overrides, config->cap_overrides, config->n_overrides + 1);
	if (r < 0)
		return r;
	char *m = strdup(modname);
	char *s = strdup(subdir);
	if (!m || !s) {
		free(m);
		free(s);
		return -ENOMEM;
	}
	normalize_name(m);
	config->overrides[config->n_overrides++] = (struct depmod_override){ m, s };
	return 0;
}

/* Adds S to a NULL-terminated string array. */
static int strv_add(char ***array, size_t *cap, size_t *count, const char *s)
{
	/* keep a slot for the terminating NULL */
	int r = ARRAY_GROW(*array, *cap, *count + 2);
	if (r < 0)
		return r;
	char *d = strdup(s);
	if (!d)
		return -ENOMEM;
	(*array)[(*count)++] = d;
	(*array)[*count] = NULL;
	return 0;
}

/* "*" matches every version; anything else is an unanchored POSIX ERE. */
static bool kver_matches(const struct kml_ctx *ctx, const char *pattern, const char *kver)
{
	if (streq(pattern, "*"))
		return true;
	int r = ere_match(pattern, kver);
	if (r < 0) {
		kml_dbg(ctx, "kernel version pattern '%s': %s: never matches", pattern,
			r == -EINVAL	? "invalid"
			: r == -ENOTSUP ? "back-references are not supported"
			: r == -E2BIG	? "too large once its repetitions are expanded"
					: strerror(-r));
		return false;
	}
	return r == 1;
}

/* Handles one logical line (a NUL-terminated string). -ENOMEM only. */
static int parse_line(struct kml_ctx *ctx, struct kml_depmod_config *config, const char *kver,
		      const char *path, unsigned long lineno, char *line)
{
	if (line[0] == '#')
		return 0;
	char *cur = line;
	char *cmd = conf_next_word(&cur);
	if (!cmd)
		return 0;

	int r = 0;
	if (streq(cmd, "search")) {
		for (char *w; (w = conf_next_word(&cur));) {
			r = search_add(config, w);
			if (r < 0)
				return r;
			config->search_seen = true;
		}
		return 0;
	}
	if (streq(cmd, "exclude")) {
		for (char *w; (w = conf_next_word(&cur));) {
			r = strv_add(&config->excludes, &config->cap_excludes, &config->n_excludes,
				     w);
			if (r < 0)
				return r;
		}
		return 0;
	}
	if (streq(cmd, "override")) {
		char *modname = conf_next_word(&cur);
		char *pattern = modname ? conf_next_word(&cur) : NULL;
		char *subdir = pattern ? conf_next_word(&cur) : NULL;
		/* further words are ignored, as the reference does */
		if (!subdir)
			goto bad;
		if (kver_matches(ctx, pattern, kver))
			r = override_add(config, modname, subdir);
		return r;
	}
	if (streq(cmd, "external")) {
		char *pattern = conf_next_word(&cur);
		char *dir = pattern ? conf_next_word(&cur) : NULL;
		if (!dir)
			goto bad;
		if (!kver_matches(ctx, pattern, kver))
			return 0;
		for (; dir; dir = conf_next_word(&cur)) {
			r = strv_add(&config->externals, &config->cap_externals,
				     &config->n_externals, dir);
			if (r < 0)
				return r;
		}
		return 0;
	}
bad:;
	char word[CONF_PRINTABLE_SIZE];
	kml_err(ctx, "%s:%lu: ignoring bad line starting with '%s'", path, lineno,
		conf_printable(cmd, word));
	return 0;
}

struct parse_state {
	struct kml_ctx *ctx;
	struct kml_depmod_config *config;
	const char *kver;
	const char *path;
};

static int parse_logical_line(void *data, struct conf_line *line)
{
	struct parse_state *st = data;
	if (line->too_long) {
		kml_err(st->ctx, "%s:%lu: line longer than %zu bytes, ignoring it", st->path,
			line->lineno, CONF_MAX_LINE);
		return 0;
	}
	/* a NUL byte ends the line's content, as with the reference */
	return parse_line(st->ctx, st->config, st->kver, st->path, line->lineno, line->text);
}

static int parse_file(struct kml_ctx *ctx, struct kml_depmod_config *config, const char *kver,
		      const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int r = conf_file_read(path, &buf, &len);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		kml_err(ctx, "file parse %s: %s", path, strerror(-r));
		return 0;
	}
	struct parse_state st = { ctx, config, kver, path };
	r = conf_buffer_foreach_line(buf, len, parse_logical_line, &st);
	free(buf);
	return r;
}

int kml_depmod_config_load(struct kml_ctx *ctx, const char *const *paths, const char *kver,
			   struct kml_depmod_config **ret_config)
{
	if (!ret_config)
		return -EINVAL;
	if (!kver)
		kver = ctx ? kml_ctx_get_kernel_version(ctx) : NULL;
	if (!kver)
		return -EINVAL;
	if (!paths)
		paths = default_paths;

	struct kml_depmod_config *config = calloc(1, sizeof(*config));
	if (!config)
		return -ENOMEM;
	struct conf_list list;
	int r = conf_list_build(ctx, paths, &list);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < list.count; i++) {
		r = parse_file(ctx, config, kver, list.files[i].path);
		if (r < 0)
			goto fail;
	}

	if (!config->search_seen) {
		r = search_add(config, "updates");
		if (r >= 0)
			r = search_add(config, "built-in");
		if (r < 0)
			goto fail;
	}
	conf_list_release(&list);
	*ret_config = config;
	return 0;
fail:
	conf_list_release(&list);
	kml_depmod_config_free(config);
	return r;
}
const struct kml_search_entry *kml_depmod_config_search(const struct kml_depmod_config *config,
							size_t *ret_count)
{
	if (ret_count)
		*ret_count = config ? config->n_search : 0;
	return config ? config->search : NULL;
}

const char *kml_depmod_config_override(const struct kml_depmod_config *config,
				       const char *modname)
{
	if (!config || !modname)
		return NULL;
	/* the last matching line wins, as with the reference */
	for (size_t i = config->n_overrides; i-- > 0;) {
		const char *a = config->overrides[i].modname, *b = modname;
		for (; *a && *b; a++, b++) {
			char cb = *b == '-' ? '_' : *b;
			if (*a != cb)
				break;
		}
		if (!*a && !*b)
			return config->overrides[i].subdir;
	}
	return NULL;
}

const char *const *kml_depmod_config_external(const struct kml_depmod_config *config,
					      size_t *ret_count)
{
	static const char *const empty[] = { NULL };
	if (ret_count)
		*ret_count = config ? config->n_externals : 0;
	if (!config || !config->externals)
		return empty;
	return (const char *const *)config->externals;
}

bool kml_depmod_config_excluded(const struct kml_depmod_config *config, const char *name)
{
	if (!name)
		return false;
	if (streq(name, "build") || streq(name, "source"))
		return true;
	if (!config)
		return false;
	for (size_t i = 0; i < config->n_excludes; i++)
		if (streq(config->excludes[i], name))
			return true;
	return false;
}

uint64_t kml_depmod_config_hash(const struct kml_depmod_config *config, uint64_t h)
{
	if (!config)
		return dm_hash_str(h, NULL);
	for (size_t i = 0; i < config->n_search; i++) {
		h = dm_hash_bytes(h, &(uint8_t){ (uint8_t)config->search[i].kind }, 1);
		h = dm_hash_str(h, config->search[i].dir);
	}
	h = dm_hash_str(h, "override");
	for (size_t i = 0; i < config->n_overrides; i++) {
		h = dm_hash_str(h, config->overrides[i].modname);
		h = dm_hash_str(h, config->overrides[i].subdir);
	}
	h = dm_hash_str(h, "external");
	for (size_t i = 0; i < config->n_externals; i++)
		h = dm_hash_str(h, config->externals[i]);
	h = dm_hash_str(h, "exclude");
	for (size_t i = 0; i < config->n_excludes; i++)
		h = dm_hash_str(h, config->excludes[i]);
	return h;
}
