/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One decompressor (decompress-*.c) on hostile streams, through its own
 * entry point with a small bound (so that bombs stop early), then through
 * kml_file_from_memory() (file.c: magic detection, the module-size bound),
 * which must give the same answer.
 */
#ifndef KMODLITE_FUZZ_DECOMPRESS_H
#define KMODLITE_FUZZ_DECOMPRESS_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kmodlite-private.h"

#define FUZZ_DECOMPRESS_MAX ((size_t)1 << 20)

typedef int (*decompress_fn)(const void *in, size_t in_len, size_t max, void **ret_buf,
			     size_t *ret_len);

static inline int fuzz_decompress(const uint8_t *data, size_t size, decompress_fn fn,
				  enum kml_compression kind)
{
	void *buf = NULL;
	size_t len = 0;
	volatile size_t sink = 0;
	int r = fn(data, size, FUZZ_DECOMPRESS_MAX, &buf, &len);
	if (r == -ENOTSUP) {
		/* built without the library, or it cannot be opened */
		static bool warned;
		if (!warned)
			fprintf(stderr, "fuzz: this decompressor is not available\n");
		warned = true;
		return 0;
	}
	if (r == 0) {
		if (!buf || len > FUZZ_DECOMPRESS_MAX)
			abort();
		if (len)
			sink += ((const uint8_t *)buf)[0] + ((const uint8_t *)buf)[len - 1];
	}
	/* the same stream as a module file, bounded at KML_MAX_MODULE_SIZE: the
	 * same result unless the small bound stopped the first decoding */
	if (r != -EFBIG && size >= 6 && kml_compression_detect(data, size) == kind) {
		struct kml_file *file = NULL;
		int r2 = kml_file_from_memory(data, size, &file);
		if (r2 != r)
			abort();
		if (r2 == 0) {
			if (kml_file_compression(file) != kind || kml_file_size(file) != len ||
			    (len && memcmp(kml_file_data(file), buf, len) != 0))
				abort();
			kml_file_free(file);
		}
	}
	free(buf);
	(void)sink;
	return 0;
}

#endif
