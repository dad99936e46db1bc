// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json.c (src/): the streaming JSON writer of the tools' --json: escaping,
 * ill-formed UTF-8, pretty and compact layout, integers at their limits, and
 * each misuse reported by json_finish().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What BUILD writes, as a string the caller frees; *RET the finish result. */
static char *render(void (*build)(struct json_writer *), bool pretty, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct json_writer w;
	json_init(&w, f, pretty);
	build(&w);
	*ret = json_finish(&w);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* One string value of LEN bytes, compact. */
static char *render_string(const char *s, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	assert_non_null(f);
	struct json_writer w;
	json_init(&w, f, false);
	json_string_len(&w, s, len);
	assert_int_equal(json_finish(&w), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void check_string(const char *in, size_t len, const char *expected)
{
	char *out = render_string(in, len);
	if (strcmp(out, expected) != 0)
		fail_msg("got [%s], expected [%s]", out, expected);
	free(out);
}

#define CHECK(in, expected) check_string(in, sizeof(in) - 1, expected "\n")

static void test_escapes(void **state)
{
	(void)state;
	CHECK("plain", "\"plain\"");
	CHECK("", "\"\"");
	CHECK("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	CHECK("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	CHECK("\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"");
	CHECK("a\0b", "\"a\\u0000b\"");
	/* every control character: escaped, nothing raw below 0x20 */
	char all[32];
	for (int i = 0; i < 32; i++)
		all[i] = (char)i;
	char *out = render_string(all, sizeof(all));
	for (const char *p = out; *p != '\n'; p++)
		assert_true((unsigned char)*p >= 0x20);
	assert_non_null(strstr(out, "\\u000b\\f\\r\\u000e"));
	free(out);
	/* json_string() stops at the NUL, NULL is null */
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct json_writer w;
	json_init(&w, f, false);
	json_begin_array(&w);
	json_string(&w, "x\0y");
	json_string(&w, NULL);
	json_end_array(&w);
	assert_int_equal(json_finish(&w), 0);
	fclose(f);
	assert_string_equal(buf, "[\"x\",null]\n");
	free(buf);
}

static void test_utf8(void **state)
{
	(void)state;
	/* well-formed: copied as they are, at each length and at the limits */
	CHECK("\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", "\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\"");
	CHECK("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\"");
	CHECK("\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
	      "\"\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
#define R "\xef\xbf\xbd"
	/* one U+FFFD per maximal subpart (as Python's decode(errors="replace")) */
	CHECK("\x80", "\"" R "\"");
	CHECK("a\xbf" "b", "\"a" R "b\"");
	CHECK("\xc0\xaf", "\"" R R "\"");		 /* C0, C1 never lead */
	CHECK("\xc1\xbf", "\"" R R "\"");
	CHECK("\xe0\x80\x80", "\"" R R R "\"");		 /* overlong */
	CHECK("\xf0\x8f\xbf\xbf", "\"" R R R R "\"");	 /* overlong */
	CHECK("\xed\xa0\x80", "\"" R R R "\"");		 /* surrogate */
	CHECK("\xf4\x90\x80\x80", "\"" R R R R "\"");	 /* above U+10FFFF */
	CHECK("\xf5\x80", "\"" R R "\"");
	CHECK("\xff\xfe", "\"" R R "\"");
	CHECK("\xe2\x82", "\"" R "\"");			 /* truncated at the end */
	CHECK("\xe2\x82" "A", "\"" R "A\"");		 /* cut by an ASCII byte */
	CHECK("\xf0\x9f\x98", "\"" R "\"");
	CHECK("\xf0\x9f\x98\xc3\xa9", "\"" R "\xc3\xa9\"");
	CHECK("\xe2\x82\n", "\"" R "\\n\"");		 /* cut by a control character */
	CHECK("\xc3\"", "\"" R "\\\"\"");
#undef R
}

static void build_nested(struct json_writer *w)
{
	json_begin_object(w);
	json_member_int(w, "schema", 1);
	json_key(w, "list");
	json_begin_array(w);
	json_uint(w, UINT64_MAX);
	json_int(w, INT64_MIN);
	json_bool(w, true);
	json_bool(w, false);
	json_null(w);
	json_begin_object(w);
	json_end_object(w);
	json_begin_array(w);
	json_end_array(w);
	json_begin_object(w);
	json_member_string(w, "k\"", "v");
	json_member_bool(w, "b", false);
	json_member_uint(w, "u", 0);
	json_end_object(w);
	json_end_array(w);
	json_key(w, "empty");
	json_begin_array(w);
	json_end_array(w);
	json_end_object(w);
}

static void test_layout(void **state)
{
	int r;
	(void)state;
	char *compact = render(build_nested, false, &r);
	assert_int_equal(r, 0);
	assert_string_equal(compact, "{\"schema\":1,\"list\":[18446744073709551615,"
				     "-9223372036854775808,true,false,null,{},[],"
				     "{\"k\\\"\":\"v\",\"b\":false,\"u\":0}],\"empty\":[]}\n");
	char *pretty = render(build_nested, true, &r);
	assert_int_equal(r, 0);
	assert_string_equal(pretty, "{\n"
				    "  \"schema\": 1,\n"
				    "  \"list\": [\n"
				    "    18446744073709551615,\n"
				    "    -9223372036854775808,\n"
				    "    true,\n"
				    "    false,\n"
				    "    null,\n"
				    "    {},\n"
				    "    [],\n"
				    "    {\n"
				    "      \"k\\\"\": \"v\",\n"
				    "      \"b\": false,\n"
				    "      \"u\": 0\n"
				    "    }\n"
				    "  ],\n"
				    "  \"empty\": []\n"
				    "}\n");
	/* deterministic: the same calls, the same bytes */
	char *again = render(build_nested, true, &r);
	assert_string_equal(pretty, again);
	free(compact);
	free(pretty);
	free(again);
}

static void build_scalar(struct json_writer *w)
{
	json_int(w, -1);
}

static void build_nothing(struct json_writer *w)
{
	(void)w;
}

static void build_value_without_key(struct json_writer *w)
{
	json_begin_object(w);
	json_int(w, 1);
	json_end_object(w);
}

static void build_key_in_array(struct json_writer *w)
{
	json_begin_array(w);
	json_key(w, "k");
	json_end_array(w);
}

static void build_key_at_top(struct json_writer *w)
{
	json_key(w, "k");
}

static void build_two_keys(struct json_writer *w)
{
	json_begin_object(w);
	json_key(w, "a");
	json_key(w, "b");
	json_int(w, 1);
	json_end_object(w);
}

static void build_key_without_value(struct json_writer *w)
{
	json_begin_object(w);
	json_key(w, "a");
	json_end_object(w);
}

static void build_mismatched_end(struct json_writer *w)
{
	json_begin_object(w);
	json_end_array(w);
}

static void build_extra_end(struct json_writer *w)
{
	json_begin_array(w);
	json_end_array(w);
	json_end_array(w);
}

static void build_unclosed(struct json_writer *w)
{
	json_begin_array(w);
	json_begin_object(w);
	json_end_object(w);
}

static void build_two_values(struct json_writer *w)
{
	json_int(w, 1);
	json_int(w, 2);
}

static void build_too_deep(struct json_writer *w)
{
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_begin_array(w);
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_end_array(w);
}

static void build_deepest(struct json_writer *w)
{
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_begin_array(w);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_end_array(w);
}

static void test_misuse(void **state)
{
	static const struct {
		void (*build)(struct json_writer *);
		const char *written; /* before the misuse, then nothing more */
	} cases[] = {
		{ build_nothing, "" },
		{ build_value_without_key, "{" },
		{ build_key_in_array, "[" },
		{ build_key_at_top, "" },
		{ build_two_keys, "{\"a\":" },
		{ build_key_without_value, "{\"a\":" },
		{ build_mismatched_end, "{" },
		{ build_extra_end, "[]" },
		{ build_unclosed, "[{}" },
		{ build_two_values, "1" },
		{ build_too_deep, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" },
	};
	int r;
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = render(cases[i].build, false, &r);
		if (r != -EINVAL || strcmp(out, cases[i].written) != 0)
			fail_msg("case %zu: %d [%s]", i, r, out);
		free(out);
	}
	char *out = render(build_scalar, true, &r);
	assert_int_equal(r, 0);
	assert_string_equal(out, "-1\n");
	free(out);
	out = render(build_deepest, false, &r);
	assert_int_equal(r, 0);
	free(out);
}

static void test_write_error(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	struct json_writer w;
	json_init(&w, f, true);
	json_string(&w, "x");
	assert_int_equal(json_finish(&w), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
