/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The modules.*.bin index writer (index-write.c). depmod's output stage
 * (depmod-output.c) is its only user; the tests reach it through this
 * header. Not part of kmodlite.h: no tool or adapter writes an index.
 */
#ifndef KMODLITE_INDEX_WRITE_H
#define KMODLITE_INDEX_WRITE_H

#include <stddef.h>

struct kml_index_writer;

int kml_index_writer_new(struct kml_index_writer **ret_writer);
void kml_index_writer_free(struct kml_index_writer *writer);
/* Adds VALUE under KEY with PRIORITY (values of a key are kept sorted by
 * priority; among equal ones the newest first; both strings are copied).
 * Returns 1 when KEY already had VALUE (it is added again, as the reference
 * does), 0 otherwise; -EINVAL for a key byte >= 128, -ENOMEM, both leaving
 * the index as it was. */
int kml_index_writer_add(struct kml_index_writer *writer, const char *key, const char *value,
			 unsigned int priority);
/* The index file's bytes, in a malloc'd buffer of exactly *RET_SIZE bytes.
 * -EFBIG when a node would start past 256 MiB. */
int kml_index_writer_build(const struct kml_index_writer *writer, void **ret_data,
			   size_t *ret_size);

#endif
