// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe configuration, record by record: what libkmod's configuration
 * iterators hand out. One entry per line, in configuration order (the
 * kernel command line's options after the files'); a softdep line's value
 * is written as libkmod writes it, "pre: A B" and "post: C" with no space
 * between the two parts.
 */
#include <errno.h>

#include "adapter-support.h"
#include "config-private.h"

struct item_builder {
	struct kml_config_item *items;
	size_t count;
	struct strbuf text; /* every string, NUL-terminated, one after the other */
	size_t *key_off, *value_off; /* offsets into text; SIZE_MAX for NULL */
};

static int builder_add(struct item_builder *b, const char *key, const char *value,
		       const char *const *words, size_t n_words, const char *marker,
		       const char *const *words2, size_t n_words2, const char *marker2)
{
	size_t *k = reallocarray(b->key_off, b->count + 1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	b->key_off = k;
	size_t *v = reallocarray(b->value_off, b->count + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	b->value_off = v;
	k[b->count] = b->text.len;
	int r = strbuf_append(&b->text, key, strlen(key) + 1);
	if (r < 0)
		return r;
	v[b->count] = SIZE_MAX;
	if (value || words || words2) {
		v[b->count] = b->text.len;
		if (value)
			r = strbuf_append_str(&b->text, value);
		if (r >= 0 && n_words && marker)
			r = strbuf_append_str(&b->text, marker);
		for (size_t i = 0; r >= 0 && i < n_words; i++) {
			if (i > 0 || marker)
				r = strbuf_append(&b->text, " ", 1);
			if (r >= 0)
				r = strbuf_append_str(&b->text, words[i]);
		}
		if (r >= 0 && n_words2 && marker2)
			r = strbuf_append_str(&b->text, marker2);
		for (size_t i = 0; r >= 0 && i < n_words2; i++) {
			r = strbuf_append(&b->text, " ", 1);
			if (r >= 0)
				r = strbuf_append_str(&b->text, words2[i]);
		}
		if (r >= 0)
			r = strbuf_append(&b->text, "", 1);
		if (r < 0)
			return r;
	}
	b->count++;
	return 0;
}

/* Items and strings moved into one block. */
static int builder_finish(struct item_builder *b, struct kml_config_item **ret_items,
			  size_t *ret_count)
{
	size_t head = b->count * sizeof(struct kml_config_item);
	struct kml_config_item *items = malloc(head + b->text.len + 1);
	if (!items)
		return -ENOMEM;
	char *text = (char *)items + head;
	if (b->text.len)
		memcpy(text, b->text.data, b->text.len);
	for (size_t i = 0; i < b->count; i++) {
		items[i].key = text + b->key_off[i];
		items[i].value = b->value_off[i] == SIZE_MAX ? NULL : text + b->value_off[i];
	}
	*ret_items = items;
	*ret_count = b->count;
	return 0;
}

int kml_config_items(const struct kml_config *config, enum kml_config_kind kind,
		     struct kml_config_item **ret_items, size_t *ret_count)
{
	static const enum section sections[] = {
		[KML_CONFIG_BLACKLIST] = SEC_BLACKLIST, [KML_CONFIG_INSTALL] = SEC_INSTALL,
		[KML_CONFIG_REMOVE] = SEC_REMOVE,	[KML_CONFIG_ALIAS] = SEC_ALIAS,
		[KML_CONFIG_OPTIONS] = SEC_OPTIONS,
	};
	if (!config || !ret_items || !ret_count || (unsigned int)kind > KML_CONFIG_WEAKDEP)
		return -EINVAL;
	struct item_builder b = { 0 };
	int r = 0;
	if (kind <= KML_CONFIG_OPTIONS) {
		const struct record_list *l = &config->sections[sections[kind]];
		for (size_t i = 0; r >= 0 && i < l->count; i++)
			r = builder_add(&b, l->items[i].name, l->items[i].text, NULL, 0, NULL, NULL,
					0, NULL);
	} else {
		bool weak = kind == KML_CONFIG_WEAKDEP;
		r = config_parse_deferred(config, NULL);
		for (size_t i = 0; r >= 0 && i < config->deferred_count; i++) {
			const struct deferred_line *line = &config->deferred[i];
			if (line->bad || line->weak != weak)
				continue;
			const struct dep_record *d =
				weak ? &config->weakdeps.items[line->record]
				     : &config->softdeps.items[line->record];
			if (weak)
				r = builder_add(&b, d->name, "", d->pre, d->n_pre, NULL, NULL, 0,
						NULL);
			else
				r = builder_add(&b, d->name, "", d->pre, d->n_pre, "pre:", d->post,
						d->n_post, "post:");
		}
	}
	if (r >= 0)
		r = builder_finish(&b, ret_items, ret_count);
	free(b.text.data);
	free(b.key_off);
	free(b.value_off);
	return r;
}
