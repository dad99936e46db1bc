// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe configuration: the lines that apply to one name, with the file
 * and line each came from, for `kmod why`. Reads the store (config-store.c)
 * as the parsers left it; softdep and weakdep lines are parsed first.
 */
#include <errno.h>

#include "config-private.h"

const char *kml_config_directive_name(enum kml_config_directive d)
{
	static const char *const names[] = {
		[KML_DIRECTIVE_ALIAS] = "alias",     [KML_DIRECTIVE_BLACKLIST] = "blacklist",
		[KML_DIRECTIVE_INSTALL] = "install", [KML_DIRECTIVE_REMOVE] = "remove",
		[KML_DIRECTIVE_OPTIONS] = "options", [KML_DIRECTIVE_SOFTDEP] = "softdep",
		[KML_DIRECTIVE_WEAKDEP] = "weakdep",
	};
	return (unsigned int)d < ARRAY_SIZE(names) ? names[d] : "?";
}

struct line_list {
	struct kml_config_line *items;
	size_t count, cap;
};

static int line_add(struct line_list *l, const struct kml_config_line *line)
{
	int r = ARRAY_GROW(l->items, l->cap, l->count + 1);
	if (r < 0)
		return r;
	l->items[l->count++] = *line;
	return 0;
}

static int add_records(struct line_list *out, const struct kml_config *config,
		       enum section sec, enum kml_config_directive d, const char *name)
{
	const struct record_list *l = &config->sections[sec];
	int r = 0;
	for (size_t i = 0; r >= 0 && i < l->count; i++) {
		const struct record *rec = &l->items[i];
		bool applies = d == KML_DIRECTIVE_ALIAS ? glob_match(rec->name, name)
							 : streq(rec->name, name);
		if (!applies)
			continue;
		struct kml_config_line line = { .directive = d, .name = rec->name,
						.text = rec->text, .path = rec->path,
						.line = rec->line };
		r = line_add(out, &line);
	}
	return r;
}

static int add_deps(struct line_list *out, const struct kml_config *config, bool weak,
		    const char *name)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < config->deferred_count; i++) {
		const struct deferred_line *dl = &config->deferred[i];
		if (dl->bad || !dl->parsed || dl->weak != weak || !streq(dl->module, name))
			continue;
		const struct dep_record *d = weak ? &config->weakdeps.items[dl->record]
						  : &config->softdeps.items[dl->record];
		struct kml_config_line line = {
			.directive = weak ? KML_DIRECTIVE_WEAKDEP : KML_DIRECTIVE_SOFTDEP,
			.name = d->name, .pre = d->pre, .n_pre = d->n_pre, .post = d->post,
			.n_post = d->n_post, .path = dl->path, .line = dl->lineno,
		};
		r = line_add(out, &line);
	}
	return r;
}

int kml_config_lines(const struct kml_config *config, const char *name,
		     struct kml_config_line **ret_lines, size_t *ret_count)
{
	if (!config || !name || !ret_lines || !ret_count)
		return -EINVAL;
	char stack[256], *n;
	int r = config_norm_dup(name, stack, sizeof(stack), &n);
	if (r < 0)
		return r;
	static const struct {
		enum section sec;
		enum kml_config_directive d;
	} kinds[] = {
		{ SEC_ALIAS, KML_DIRECTIVE_ALIAS },	{ SEC_BLACKLIST, KML_DIRECTIVE_BLACKLIST },
		{ SEC_INSTALL, KML_DIRECTIVE_INSTALL }, { SEC_REMOVE, KML_DIRECTIVE_REMOVE },
		{ SEC_OPTIONS, KML_DIRECTIVE_OPTIONS },
	};
	struct line_list out = { 0 };
	for (size_t k = 0; r >= 0 && k < ARRAY_SIZE(kinds); k++)
		r = add_records(&out, config, kinds[k].sec, kinds[k].d, n);
	/* every softdep/weakdep line parsed, so that each is a record */
	if (r >= 0)
		r = config_parse_deferred(config, NULL);
	if (r >= 0)
		r = add_deps(&out, config, false, n);
	if (r >= 0)
		r = add_deps(&out, config, true, n);
	config_norm_free(n, stack);
	if (r < 0) {
		free(out.items);
		return r;
	}
	*ret_lines = out.items;
	*ret_count = out.count;
	return 0;
}
