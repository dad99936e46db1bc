/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A streaming JSON writer for the tools' --json output: values go straight
 * to a FILE, nothing is built in memory. The output is deterministic: the
 * same calls give the same bytes.
 *
 * Strings are written as UTF-8. '"', '\\' and the control characters
 * U+0000..U+001F are escaped (\b \f \n \r \t, the others as \u00xx); '/'
 * and DEL are written as they are. Bytes that are not well-formed UTF-8 are
 * replaced by U+FFFD, one per "maximal subpart" of an ill-formed sequence
 * (the Unicode Standard's recommended practice, §3.9; what Python's
 * bytes.decode("utf-8", "replace") and the WHATWG decoder do): overlong
 * forms, surrogates (ED A0..ED BF) and code points above U+10FFFF count as
 * ill-formed. So the output is always valid UTF-8 and valid JSON. A string
 * comes out byte for byte as Python's
 * json.dumps(raw.decode("utf-8", "replace"), ensure_ascii=False) writes it
 * (checked on random byte strings when this was written).
 *
 * The calls return nothing: the first misuse (a value where a key is due, a
 * key outside an object, unbalanced ends, nesting deeper than
 * JSON_MAX_DEPTH, several top-level values) is remembered, and later calls
 * write nothing; json_finish() reports it.
 *
 * Pretty form: two spaces of indent per level, one member or element per
 * line, "key": value, empty containers as {} and []. Compact form: no
 * whitespace at all. Both end with a newline after the top-level value.
 */
#ifndef KMODLITE_JSON_H
#define KMODLITE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	bool pretty;
	int error;	     /* first misuse (-EINVAL), 0 if none */
	unsigned depth;	     /* open containers */
	bool done;	     /* the top-level value is complete */
	bool key_pending;    /* a key was written, its value is due */
	bool in_object[JSON_MAX_DEPTH]; /* per level: object (else array) */
	bool has_items[JSON_MAX_DEPTH]; /* per level: a member was written */
};

void json_init(struct json_writer *w, FILE *out, bool pretty);

void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);

/* The name of the next member of the current object. */
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s);
/* LEN bytes of S, which may hold NUL bytes (written as \u0000). */
void json_string_len(struct json_writer *w, const char *s, size_t len);
void json_int(struct json_writer *w, int64_t v);
void json_uint(struct json_writer *w, uint64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* Key and value in one call, inside an object. A NULL string gives null. */
void json_member_string(struct json_writer *w, const char *key, const char *s);
void json_member_int(struct json_writer *w, const char *key, int64_t v);
void json_member_uint(struct json_writer *w, const char *key, uint64_t v);
void json_member_bool(struct json_writer *w, const char *key, bool v);

/*
 * Ends the document: the newline after the top-level value, then a flush.
 * 0, -EINVAL on any misuse (or if no complete top-level value was written),
 * -EIO if the stream reported an error.
 */
int json_finish(struct json_writer *w);

#endif
