// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modules.builtin.modinfo as modinfo reads it (builtin.c): NUL-separated
 * "module.key=value" records. Input: the file. The modules looked up are
 * those the first records name, and a few fixed ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_NAMES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *names[MAX_NAMES + 3];
	size_t n = 0;
	volatile size_t sink = 0;

	fuzz_write("moddir/modules.builtin.modinfo", data, size);
	/* the names of the first records (up to the '.') */
	for (size_t i = 0; i < size && n < MAX_NAMES;) {
		const uint8_t *nul = memchr(data + i, '\0', size - i);
		size_t end = nul ? (size_t)(nul - data) : size;
		const uint8_t *dot = memchr(data + i, '.', end - i);
		if (dot)
			names[n++] = fuzz_strndup(data + i, (size_t)(dot - (data + i)));
		i = end + 1;
	}
	names[n++] = fuzz_strndup("ext4", 4);
	names[n++] = fuzz_strndup("", 0);
	names[n++] = fuzz_strndup("snd-hda-intel", 13);

	struct kml_ctx *ctx = fuzz_ctx("moddir");
	for (size_t k = 0; k < n; k++) {
		struct kml_modinfo_entry *entries;
		size_t count;
		char *buf;
		int r = kml_builtin_get_modinfo(ctx, names[k], &entries, &count, &buf);
		if (r == 0) {
			for (size_t i = 0; i < count; i++) {
				if (entries[i].key_len && memchr(entries[i].key, '\0', entries[i].key_len))
					abort(); /* keys hold no NUL */
				sink += entries[i].key_len + fuzz_touch(entries[i].value);
			}
			free(entries);
			free(buf);
		} else if (r != -ENOENT) {
			abort(); /* nothing else can go wrong with a file this small */
		}
		free(names[k]);
	}
	kml_ctx_free(ctx);
	(void)sink;
	return 0;
}
