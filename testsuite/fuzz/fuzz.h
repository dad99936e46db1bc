/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the fuzz targets (testsuite/fuzz/fuzz-*.c). Each target defines
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (-Dfuzz=true,
 * clang) or with replay.c, which feeds it the files of a directory (the
 * regression inputs, in every build with tests).
 *
 * Inputs made of several parts (several files, or a file and the keys to
 * look up in it) separate them with the byte FUZZ_SEP (0xff), which no text
 * file of the formats holds; a part left out is empty.
 */
#ifndef KMODLITE_FUZZ_H
#define KMODLITE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* the targets drive the library's parsers, public or not */
#include "depmod-config.h"
#include "index-write.h"
#include "kmodlite-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SEP 0xff

struct fuzz_part {
	const uint8_t *data;
	size_t size;
};

/* Splits DATA at each FUZZ_SEP into at most N parts (the last one takes the
 * rest, separators included); the parts not present are empty. */
void fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, size_t n);

/* A NUL-terminated malloc'd copy of LEN bytes (aborts when out of memory). */
char *fuzz_strndup(const void *data, size_t len);

/* A private directory for the process, made on first use (in $TMPDIR, else
 * /dev/shm, else /tmp) and removed with its contents at exit. */
const char *fuzz_tmpdir(void);
/* TMPDIR/NAME in a static buffer: one of 16, reused in turn (so valid until
 * 15 more calls of fuzz_path, fuzz_write or fuzz_ctx). */
const char *fuzz_path(const char *name);
/* Writes LEN bytes to TMPDIR/NAME, replacing it (directories of NAME are
 * made); returns the path (as fuzz_path). Aborts on failure. */
const char *fuzz_write(const char *name, const void *data, size_t len);

/* A context for module directory TMPDIR/MODDIR (created), logging every
 * message down to debug into a sink that reads it (so that the messages
 * built from hostile bytes are formatted and checked). Aborts on failure. */
struct kml_ctx *fuzz_ctx(const char *moddir);

/* Up to MAX words of TEXT (split at blanks, newlines, '=', ',' and NUL)
 * into fresh strings; free them with fuzz_words_free. */
size_t fuzz_words(const char *text, size_t len, char **words, size_t max);
void fuzz_words_free(char **words, size_t n);

/* Reads every byte of a string, for the sanitizers' sake. */
size_t fuzz_touch(const char *s);

#endif
