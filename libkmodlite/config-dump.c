// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe configuration: the `modprobe -c` dump, every record in
 * configuration order, one section after the other, then the softdep and
 * weakdep lines (all of them parsed first).
 *
 * Where the reference is wrong, we differ:
 *  - a softdep line is printed with a space before "post:", and a line with
 *    no dependency without a trailing space.
 */
#include <errno.h>

#include "config-private.h"

static const char *const section_names[SEC_COUNT] = {
	[SEC_BLACKLIST] = "blacklist", [SEC_INSTALL] = "install", [SEC_REMOVE] = "remove",
	[SEC_ALIAS] = "alias",	       [SEC_OPTIONS] = "options",    [SEC_FORBID] = "forbid",
};

static int append_list(struct strbuf *sb, const char *marker, const char *const *words,
		       size_t n)
{
	int r = 0;
	if (marker)
		r = strbuf_append_str(sb, marker);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		r = strbuf_append(sb, " ", 1);
		if (r >= 0)
			r = strbuf_append_str(sb, words[i]);
	}
	return r;
}

int kml_config_dump(const struct kml_config *config, char **ret_text)
{
	if (!config || !ret_text)
		return -EINVAL;
	int r = config_parse_deferred(config, NULL);
	if (r < 0)
		return r;
	struct strbuf sb = { 0 };
	r = strbuf_reserve(&sb, 0);
	if (r >= 0)
		sb.data[0] = '\0';
	for (size_t s = 0; r >= 0 && s < SEC_COUNT; s++) {
		const struct record_list *l = &config->sections[s];
		for (size_t i = 0; r >= 0 && i < l->count; i++) {
			const struct record *rec = &l->items[i];
			r = strbuf_append_str(&sb, section_names[s]);
			if (r >= 0)
				r = strbuf_append(&sb, " ", 1);
			if (r >= 0)
				r = strbuf_append_str(&sb, rec->name);
			if (r >= 0 && rec->text) {
				r = strbuf_append(&sb, " ", 1);
				if (r >= 0)
					r = strbuf_append_str(&sb, rec->text);
			}
			if (r >= 0)
				r = strbuf_append(&sb, "\n", 1);
		}
	}
	/* in the order of the lines, whatever order queries parsed them in */
	for (size_t i = 0; r >= 0 && i < config->deferred_count; i++) {
		const struct deferred_line *line = &config->deferred[i];
		if (line->bad || line->weak)
			continue;
		const struct dep_record *d = &config->softdeps.items[line->record];
		r = append_list(&sb, "softdep", &d->name, 1);
		if (r >= 0 && d->n_pre)
			r = append_list(&sb, " pre:", d->pre, d->n_pre);
		if (r >= 0 && d->n_post)
			r = append_list(&sb, " post:", d->post, d->n_post);
		if (r >= 0)
			r = strbuf_append(&sb, "\n", 1);
	}
	for (size_t i = 0; r >= 0 && i < config->deferred_count; i++) {
		const struct deferred_line *line = &config->deferred[i];
		if (line->bad || !line->weak)
			continue;
		const struct dep_record *d = &config->weakdeps.items[line->record];
		r = append_list(&sb, "weakdep", &d->name, 1);
		if (r >= 0)
			r = append_list(&sb, NULL, d->pre, d->n_pre);
		/* as kmod 34.2: "weakdep NAME " for a line without dependencies */
		if (r >= 0 && d->n_pre == 0)
			r = strbuf_append(&sb, " ", 1);
		if (r >= 0)
			r = strbuf_append(&sb, "\n", 1);
	}
	/* the blank line modprobe -c prints before "# End of configuration files" */
	if (r >= 0)
		r = strbuf_append(&sb, "\n", 1);
	if (r < 0) {
		free(sb.data);
		return r;
	}
	*ret_text = sb.data;
	return 0;
}
