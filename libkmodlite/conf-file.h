/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Configuration files shared by the modprobe.d and depmod.d parsers: the list
 * of files to read, the logical lines of a file and their words.
 *
 *  - the files of all configuration paths are merged and sorted by basename;
 *    the first path that provides a basename wins. A path naming a file is
 *    read whatever its name; in a directory only "*.conf" files not starting
 *    with '.' are read; a directory inside one is an error;
 *  - a '\' keeps the next character literally; before a newline it joins the
 *    two lines; line numbers are those of the last physical line;
 *  - words are separated by spaces and tabs only.
 */
#ifndef KMODLITE_CONF_FILE_H
#define KMODLITE_CONF_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "kmodlite-private.h"

/* A configuration file larger than this is refused. */
#define CONF_MAX_FILE ((size_t)64 << 20)
/* A logical line (after joining continuations) longer than this is skipped. */
#define CONF_MAX_LINE ((size_t)1 << 20)

/* ------------------------------------------------ the list of files */

struct conf_file {
	char *path;
	const char *name; /* basename, points into path */
	size_t seq;	  /* discovery order: earlier paths first */
	bool optional;	  /* added by conf_list_insert(): may be missing */
};

struct conf_list {
	struct conf_file *files;
	size_t count;
	size_t cap;
};

/*
 * Lists the files of PATHS (NULL-terminated) in reading order: sorted by
 * basename, a basename already provided by an earlier path dropped. Missing
 * paths are skipped silently, other problems logged through CTX (may be NULL).
 * -ENOMEM only.
 */
int conf_list_build(struct kml_ctx *ctx, const char *const *paths, struct conf_list *list);
void conf_list_release(struct conf_list *list);
/* Inserts PATH at its basename's place (after files of the same basename),
 * marked optional. -ENOMEM only. */
int conf_list_insert(struct conf_list *list, const char *path);

/* ------------------------------------------------ reading a file */

/*
 * Reads a configuration file without blocking on FIFOs and the like into a
 * NUL-terminated buffer. A link to /dev/null (the usual way of masking a
 * file) reads as empty. -EISDIR, -EINVAL (not a regular file), -EFBIG
 * (beyond CONF_MAX_FILE) or the errno of open/read.
 */
int conf_file_read(const char *path, char **ret_buf, size_t *ret_len);

struct conf_line {
	char *text;	      /* escapes resolved, NUL-terminated, writable */
	size_t len;	      /* bytes before the terminator (may include NULs) */
	unsigned long lineno; /* number of the line's last physical line */
	bool too_long;	      /* over CONF_MAX_LINE: text holds the start only */
	bool has_nul;	      /* a NUL byte is part of the line */
};

typedef int (*conf_line_fn)(void *data, struct conf_line *line);

/*
 * Splits BUF (LEN bytes followed by a NUL) into logical lines, in place, and
 * calls FN for each (empty ones too). Stops at FN's first negative return.
 */
int conf_buffer_foreach_line(char *buf, size_t len, conf_line_fn fn, void *data);

/* ------------------------------------------------ words */

/*
 * The next word at *CURSOR, separated by spaces and tabs, like strtok_r: it
 * is NUL-terminated in place and *CURSOR moves past the one separator that
 * ended it. NULL when only separators are left.
 */
char *conf_next_word(char **cursor);

/* True when S holds something else than spaces and tabs. */
bool conf_has_word(const char *s);

/*
 * Copies WORD into BUF for a message: control bytes, DEL and non-ASCII bytes
 * as \xHH, at most about 64 characters (then "..."). Returns BUF.
 */
#define CONF_PRINTABLE_SIZE 80
const char *conf_printable(const char *word, char buf[CONF_PRINTABLE_SIZE]);

#endif
