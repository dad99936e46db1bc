// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modname.c: the module name of a path, the two normalisations of a name or
 * alias (lookups keep an unclosed '[', modprobe.d lines refuse it) and the
 * module file extensions.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "kmodlite-private.h"
#include "modname.h"

static void test_module_name_from_path(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/x/snd-hda.ko.xz", "snd_hda" },
		{ "/x/snd-hda.ko", "snd_hda" },
		{ "a", "a" },
		{ "a-b", "a_b" },
		{ "dir.d/mod.ko", "mod" },
		{ "rel/dir/e1000e.ko.zst", "e1000e" },
		{ "/x/", "" },
		{ "", "" },
		{ ".ko", "" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(kml_module_name_from_path(cases[i].in, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].out);
	}
	/* exactly fitting, one byte short, no room at all */
	assert_int_equal(kml_module_name_from_path("/x/abc.ko", buf, 4), 0);
	assert_string_equal(buf, "abc");
	assert_int_equal(kml_module_name_from_path("/x/abcd.ko", buf, 4), -ENAMETOOLONG);
	assert_int_equal(kml_module_name_from_path("a", buf, 1), -ENAMETOOLONG);
	assert_int_equal(kml_module_name_from_path("", buf, 0), -ENAMETOOLONG);
	assert_int_equal(kml_module_name_from_path("", buf, 1), 0);
	assert_string_equal(buf, "");
}

static void test_alias_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "a-b[x-y]-c", "a_b[x-y]_c" },
		{ "snd-hda-intel", "snd_hda_intel" },
		{ "pci:v*d*sv*sd*bc*sc*i*", "pci:v*d*sv*sd*bc*sc*i*" },
		{ "[-]-[-]", "[-]_[-]" },
		{ "x[a-b", "x[a-b" }, /* unclosed: the rest stays as is */
		{ "", "" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(kml_alias_normalize(cases[i].in, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].out);
	}
	assert_int_equal(kml_alias_normalize("a]b", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(kml_alias_normalize("[a]]", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(kml_alias_normalize("]", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(kml_alias_normalize("abc", buf, 4), 0);
	assert_string_equal(buf, "abc");
	assert_int_equal(kml_alias_normalize("abcd", buf, 4), -ENAMETOOLONG);
	assert_int_equal(kml_alias_normalize("", buf, 0), -ENAMETOOLONG);
}

static void test_modname_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "a-b[x-y]-c", "a_b[x-y]_c" },
		{ "snd-hda-intel", "snd_hda_intel" },
		{ "[-]-[-]", "[-]_[-]" },
		{ "[a[-]-", "[a[-]_" },
		{ "pci:v*d*sv*sd*bc*sc*i*", "pci:v*d*sv*sd*bc*sc*i*" },
		{ "", "" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		assert_int_equal(modname_normalize(buf), 0);
		assert_string_equal(buf, cases[i].out);
	}
	static const struct {
		const char *in, *left;
	} bad[] = {
		{ "x-[a-b", "x_[a-b" }, /* unclosed: refused, unlike a lookup */
		{ "a-b]c-d", "a_b]c-d" },
		{ "[a]]", "[a]]" },
		{ "]", "]" },
		{ "[", "[" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i].in);
		assert_int_equal(modname_normalize(buf), -EINVAL);
		/* what the messages about a bad name print */
		assert_string_equal(buf, bad[i].left);
	}
}

/* Both normalisations agree on every string of up to 7 characters among
 * those that matter, but for an unclosed '[' (only the lookup takes it). */
static void test_normalizations_agree(void **state)
{
	static const char alphabet[] = "-_[]a";
	const size_t n = sizeof(alphabet) - 1;
	char in[8], lookup[8], config[8];
	size_t total = 0;

	(void)state;
	for (size_t len = 0; len <= 7; len++) {
		size_t combos = 1;
		for (size_t i = 0; i < len; i++)
			combos *= n;
		for (size_t c = 0; c < combos; c++, total++) {
			size_t v = c;
			for (size_t i = 0; i < len; i++, v /= n)
				in[i] = alphabet[v % n];
			in[len] = '\0';
			int rl = kml_alias_normalize(in, lookup, sizeof(lookup));
			memcpy(config, in, len + 1);
			int rc = modname_normalize(config);
			const char *open = strrchr(in, '['), *close = strrchr(in, ']');
			bool unclosed = open && (!close || close < open);
			if (rl == 0 && rc == -EINVAL && unclosed)
				continue;
			if (rl != rc)
				fail_msg("'%s': lookup %d, config %d", in, rl, rc);
			if (rl == 0 && strcmp(lookup, config) != 0)
				fail_msg("'%s': lookup '%s', config '%s'", in, lookup, config);
		}
	}
	assert_int_equal(total, (size_t)(1 + 5 + 25 + 125 + 625 + 3125 + 15625 + 78125));
}

static void test_module_ext_len(void **state)
{
	static const struct {
		const char *in;
		size_t len;
	} cases[] = {
		{ "a.ko", 3 },
		{ "/x/snd-hda.ko.gz", 6 },
		{ "e1000e.ko.xz", 6 },
		{ "rel/dir/e1000e.ko.zst", 7 },
		{ "x.ko.ko", 3 },
		{ "/x/.ko", 3 },   /* something before it: the directory */
		{ ".ko", 0 },	   /* nothing before it (kmod 30's modinfo agrees) */
		{ ".ko.xz", 0 },
		{ "a.ko.bz2", 0 },
		{ "a.kox", 0 },
		{ "a.KO", 0 },
		{ "a.gz", 0 },
		{ "ko", 0 },
		{ "", 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (kml_module_ext_len(cases[i].in) != cases[i].len)
			fail_msg("'%s': %zu, expected %zu", cases[i].in,
				 kml_module_ext_len(cases[i].in), cases[i].len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_name_from_path),
		cmocka_unit_test(test_alias_normalize),
		cmocka_unit_test(test_modname_normalize),
		cmocka_unit_test(test_normalizations_agree),
		cmocka_unit_test(test_module_ext_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
