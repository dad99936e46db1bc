// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The modules.*.bin reader (index-read.c): exact lookup, all values of a
 * key, wildcard lookup and the walk over every key. Input:
 *   KEYS 0xff INDEX
 * KEYS: lookup keys, one per line (wildcard queries may hold * ? [); INDEX:
 * a modules.*.bin file. The keys the walk finds are looked up too: an exact
 * lookup must find each of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_KEYS 32

struct collect {
	char *keys[MAX_KEYS];
	size_t count;
	size_t values;
};

static int collect_key(void *data, const char *key, const struct kml_index_value *value)
{
	struct collect *c = data;
	c->values += fuzz_touch(value->value) + value->priority;
	if (c->count < MAX_KEYS && (c->count == 0 || strcmp(c->keys[c->count - 1], key) != 0))
		c->keys[c->count++] = fuzz_strndup(key, strlen(key));
	return 0;
}

static void lookups(const struct kml_index *idx, const char *key, bool stored)
{
	const char *value;
	struct kml_index_value *values;
	size_t n;
	volatile size_t sink = 0;

	int r = kml_index_lookup(idx, key, &value);
	if (r == 0)
		sink += fuzz_touch(value);
	else if (stored)
		abort(); /* the walk found KEY with values: the lookup must */
	r = kml_index_lookup_all(idx, key, &values, &n);
	if (r == 0) {
		if (n == 0)
			abort();
		for (size_t i = 0; i < n; i++) {
			sink += fuzz_touch(values[i].value);
			if (i > 0 && values[i - 1].priority > values[i].priority)
				abort(); /* sorted by priority */
		}
		free(values);
	} else if (stored && r != -EBADMSG) {
		abort(); /* a later value of the node may be corrupt, no more */
	}
	r = kml_index_lookup_wildcard(idx, key, &values, &n);
	if (r == 0) {
		for (size_t i = 0; i < n; i++)
			sink += fuzz_touch(values[i].value);
		free(values);
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[2];
	fuzz_split(data, size, parts, 2);

	struct kml_index *idx;
	if (kml_index_from_memory(parts[1].data, parts[1].size, &idx) < 0)
		return 0;

	struct collect c = { .count = 0 };
	kml_index_foreach(idx, collect_key, &c);
	for (size_t i = 0; i < c.count; i++) {
		lookups(idx, c.keys[i], true);
		free(c.keys[i]);
	}

	char *keys = fuzz_strndup(parts[0].data, parts[0].size);
	char *save = NULL;
	size_t n = 0;
	for (char *k = strtok_r(keys, "\n", &save); k && n < MAX_KEYS; k = strtok_r(NULL, "\n", &save), n++)
		lookups(idx, k, false);
	lookups(idx, "", false);
	free(keys);
	kml_index_close(idx);
	return 0;
}
