/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod's files written atomically (depmod-files.c): each to a temporary
 * file beside its final name (locked while written), made durable, then
 * renamed; a file that already holds the same bytes is left in place. The
 * outputs (depmod-output.c) and the cache (depmod-cache-pending.c) go out
 * this way.
 */
#ifndef KMODLITE_DEPMOD_FILES_H
#define KMODLITE_DEPMOD_FILES_H

#include "depmod-private.h"

/* One file: its name in the output directory, its content, its temporary. */
struct dm_output {
	const char *name;
	bool binary;
	bool skip;  /* not written this run (unchanged) */
	struct strbuf text;	       /* text files */
	struct kml_index_writer *index; /* binary files */
	void *data;		       /* binary files, once built */
	size_t size;
	char *tmp_path;
	int fd; /* tmp_path's, while open */
	int write_error; /* of its temporary file (build_all()) */
	int kept_fd;	 /* the file on disk, kept as it is; -1 */
};

/* Frees COUNT files' contents, closes them, removes their temporaries. */
void dm_outputs_release(struct dm_output *o, int count);
/* Creates O's temporary file (locked, mode 0644); O->fd stays open. */
int dm_create_temporary(struct dm_state *st, struct dm_output *o);
/* Creates O's temporary file, writes its content, starts its write-back. */
int dm_write_temporary(struct dm_state *st, struct dm_output *o);
/* A dm_cache_write_fn() writing to the descriptor *DATA. */
int dm_write_to_fd(void *data, const void *buf, size_t len);
/* Whether O's file already holds its content (then O->fd is that file's,
 * its times refreshed). */
bool dm_same_as_on_disk(const struct dm_state *st, struct dm_output *o);
/* The output directory, and its parents, created (an error logged). */
int dm_make_output_dir(struct dm_state *st);
/* O's temporary renamed to its name (an error logged). */
int dm_rename_into_place(struct dm_state *st, struct dm_output *o);
/* The output directory's entries made durable. */
void dm_sync_output_dir(const struct dm_state *st);

#endif
