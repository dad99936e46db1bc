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

/* index-patch.c: the priority of every value of the index in DATA (SIZE
 * bytes) replaced in place by what FN returns for the value's string.
 * Returns 0; -ENOENT when FN returns a negative number or the values of a
 * node would no longer be in strictly increasing order (the index would
 * not be the one a writer builds: DATA is then partly changed); -EBADMSG
 * when DATA is not a well-formed index; -ENOMEM. */
typedef long (*kml_index_priority_fn)(const char *value, void *data);
int kml_index_set_priorities(void *data, size_t size, kml_index_priority_fn fn, void *fn_data);

#endif
