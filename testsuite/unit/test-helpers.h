/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the unit tests that build configuration trees: files
 * under a temporary root and the messages a context logs. Failures are
 * cmocka assertions.
 */
#ifndef KMODLITE_TEST_HELPERS_H
#define KMODLITE_TEST_HELPERS_H

#include <stddef.h>

#include "kmodlite-private.h"

/* Defined by each test as a mkdtemp() template ("/tmp/kml-test-NAME-XXXXXX")
 * and made a directory by its setup. */
extern char root[];

/* Absolute path of NAME under the root, in a static slot (up to 8 live). */
const char *at(const char *name);
/* Creates the directory ROOT/DIR; its parent must exist. */
void mkdir_in(const char *dir);
/* Writes ROOT/NAME with LEN bytes of DATA, or with the string TEXT. */
void write_bytes(const char *name, const void *data, size_t len);
void write_file(const char *name, const char *text);
/* Removes the root and everything under it: 0, or -1. */
int remove_root(void);

/* Warnings and errors logged through a context, one per line. */
struct capture {
	struct strbuf text;
	int count;
	int max_priority_seen; /* lowest number = most severe */
};
extern struct capture logged;
/* Log callback (kml_ctx_set_log(ctx, capture_log, &logged, ...)): keeps
 * warnings and errors, drops informational and debug messages. */
void capture_log(void *data, int priority, const char *file, int line, const char *fn,
		 const char *message);
void log_reset(void);
/* What was captured, "" when nothing. */
const char *log_text(void);

#endif
