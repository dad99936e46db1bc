// SPDX-License-Identifier: GPL-2.0-or-later
/* json.c: the streaming JSON writer of the tools' --json (see json.h). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json_writer *w, FILE *out, bool pretty)
{
	*w = (struct json_writer){ .out = out, .pretty = pretty };
}

static void fail(struct json_writer *w)
{
	if (!w->error)
		w->error = -EINVAL;
}

static void newline_indent(struct json_writer *w, unsigned depth)
{
	if (!w->pretty)
		return;
	putc('\n', w->out);
	for (unsigned i = 0; i < depth; i++)
		fputs("  ", w->out);
}

/* The separator and indent a value needs where it goes; false on misuse. */
static bool before_value(struct json_writer *w)
{
	if (w->error)
		return false;
	if (w->depth == 0) {
		if (w->done) {
			fail(w);
			return false;
		}
		return true;
	}
	unsigned level = w->depth - 1;
	if (w->in_object[level]) {
		if (!w->key_pending) {
			fail(w);
			return false;
		}
		w->key_pending = false;
		return true;
	}
	if (w->has_items[level])
		putc(',', w->out);
	newline_indent(w, w->depth);
	w->has_items[level] = true;
	return true;
}

static void after_value(struct json_writer *w)
{
	if (w->depth == 0)
		w->done = true;
}

static void begin(struct json_writer *w, bool object)
{
	if (!before_value(w))
		return;
	if (w->depth >= JSON_MAX_DEPTH) {
		fail(w);
		return;
	}
	putc(object ? '{' : '[', w->out);
	w->in_object[w->depth] = object;
	w->has_items[w->depth] = false;
	w->depth++;
}

static void end(struct json_writer *w, bool object)
{
	if (w->error)
		return;
	if (w->depth == 0 || w->in_object[w->depth - 1] != object || w->key_pending) {
		fail(w);
		return;
	}
	w->depth--;
	if (w->has_items[w->depth])
		newline_indent(w, w->depth);
	putc(object ? '}' : ']', w->out);
	after_value(w);
}

void json_begin_object(struct json_writer *w)
{
	begin(w, true);
}

void json_end_object(struct json_writer *w)
{
	end(w, true);
}

void json_begin_array(struct json_writer *w)
{
	begin(w, false);
}

void json_end_array(struct json_writer *w)
{
	end(w, false);
}

/*
 * The length of the well-formed UTF-8 sequence at S (at most N bytes), or
 * the negated length of its maximal ill-formed subpart (at least 1), which
 * becomes one U+FFFD.
 */
static int utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xbf;
	int len;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		len = 2;
	else if (b >= 0xe0 && b <= 0xef)
		len = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		len = 4;
	else
		return -1; /* a continuation byte, C0, C1 or F5..FF */
	if (b == 0xe0)
		lo = 0xa0; /* overlong */
	else if (b == 0xed)
		hi = 0x9f; /* surrogates */
	else if (b == 0xf0)
		lo = 0x90; /* overlong */
	else if (b == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n || s[i] < lo || s[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

static void write_escaped(struct json_writer *w, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	putc('"', w->out);
	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x20 || c == '"' || c == '\\') {
			switch (c) {
			case '"':
				fputs("\\\"", w->out);
				break;
			case '\\':
				fputs("\\\\", w->out);
				break;
			case '\b':
				fputs("\\b", w->out);
				break;
			case '\f':
				fputs("\\f", w->out);
				break;
			case '\n':
				fputs("\\n", w->out);
				break;
			case '\r':
				fputs("\\r", w->out);
				break;
			case '\t':
				fputs("\\t", w->out);
				break;
			default:
				fprintf(w->out, "\\u%04x", c);
				break;
			}
			i++;
			continue;
		}
		int n = utf8_sequence(s + i, len - i);
		if (n > 0) {
			fwrite(s + i, 1, (size_t)n, w->out);
			i += (size_t)n;
		} else {
			fputs("\xef\xbf\xbd", w->out); /* U+FFFD */
			i += (size_t)-n;
		}
	}
	putc('"', w->out);
}

void json_key(struct json_writer *w, const char *key)
{
	if (w->error)
		return;
	if (w->depth == 0 || !w->in_object[w->depth - 1] || w->key_pending || !key) {
		fail(w);
		return;
	}
	unsigned level = w->depth - 1;
	if (w->has_items[level])
		putc(',', w->out);
	newline_indent(w, w->depth);
	w->has_items[level] = true;
	write_escaped(w, key, strlen(key));
	fputs(w->pretty ? ": " : ":", w->out);
	w->key_pending = true;
}

void json_string_len(struct json_writer *w, const char *s, size_t len)
{
	if (!before_value(w))
		return;
	write_escaped(w, s, len);
	after_value(w);
}

void json_string(struct json_writer *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	json_string_len(w, s, strlen(s));
}

void json_int(struct json_writer *w, int64_t v)
{
	if (!before_value(w))
		return;
	fprintf(w->out, "%" PRId64, v);
	after_value(w);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	if (!before_value(w))
		return;
	fprintf(w->out, "%" PRIu64, v);
	after_value(w);
}

void json_bool(struct json_writer *w, bool v)
{
	if (!before_value(w))
		return;
	fputs(v ? "true" : "false", w->out);
	after_value(w);
}

void json_null(struct json_writer *w)
{
	if (!before_value(w))
		return;
	fputs("null", w->out);
	after_value(w);
}

void json_member_string(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_member_int(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_int(w, v);
}

void json_member_uint(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint(w, v);
}

void json_member_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}

int json_finish(struct json_writer *w)
{
	if (!w->error && (w->depth != 0 || !w->done || w->key_pending))
		fail(w);
	if (w->error)
		return w->error;
	putc('\n', w->out);
	if (fflush(w->out) != 0 || ferror(w->out))
		return -EIO;
	return 0;
}
