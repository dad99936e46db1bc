// SPDX-License-Identifier: LGPL-2.1-or-later
/* glob_match() against the C library's fnmatch(), on chosen cases and on
 * many random patterns and strings made of the characters that matter. */
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "kmodlite-private.h"

static void expect_same(const char *pattern, const char *string)
{
	bool want = fnmatch(pattern, string, 0) == 0;
	bool got = glob_match(pattern, string);
	if (want != got)
		fail_msg("pattern '%s' string '%s': fnmatch %d, glob_match %d", pattern, string,
			 want, got);
}

static void test_chosen(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "pci:v00008086d*sv*sd*bc02sc00i*", "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00" },
		{ "pci:v00008086d*sv*sd*bc03sc00i*", "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00" },
		{ "usb:v*p*d*dc*dsc*dp*ic03isc01ip01in*", "usb:v046DpC52Bd1201dc00dsc00dp00ic03isc01ip01in00" },
		{ "acpi*:PNP0C0A:*", "acpi:PNP0C0A:" },
		{ "of:N*T*Cfsl,imx6q-gpc*", "of:NgpcT(null)Cfsl,imx6q-gpcCfsl,imx6q-gpc" },
		{ "a[b-d]e", "ace" }, { "a[!b-d]e", "ace" }, { "a[^b-d]e", "aze" },
		{ "a[]]b", "a]b" }, { "a[!]]b", "a]b" }, { "a[]-a]b", "a^b" }, { "a[a-]b", "a-b" },
		{ "a[", "a[" }, { "a[b", "a[b" }, { "[", "[" }, { "a\\", "a\\" }, { "a\\*", "a*" },
		{ "a\\*", "ab" }, { "[\\]]", "]" }, { "[a\\-z]", "-" }, { "[a\\-z]", "b" },
		{ "[[:digit:]]x", "5x" }, { "[[:alpha:][:digit:]]", "_" }, { "[[:punct:]]", "_" },
		{ "[[:foo:]]", "f" }, { "[[:alpha:]", "a" }, { "[[:alpha", "[" }, { "*", "" },
		{ "**a**", "bab" }, { "*a*b*c*", "xaxbxcx" }, { "*a*b*c*", "xaxcxbx" },
		{ "?", "" }, { "??", "a" }, { "*?", "a" }, { "a*", "a/b" }, { "*", ".hidden" },
		{ "[=a=]", "a" }, { "[[.a.]]", "a" }, { "[z-a]", "m" }, { "\xc3*", "\xc3\xa9" },
		{ "[\xa0-\xff]", "\xc3" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_same(cases[i][0], cases[i][1]);
}

/* Random patterns and strings over a small alphabet, so that they meet. */
static void test_random(void **state)
{
	(void)state;
	static const char *const pattern_parts[] = {
		"a", "b", "-", "]", "[", "!", "^", "*", "?", "\\", ":", "[:alpha:]", "[:digit:]",
		"[:nope:]", "0", "1", "z", "a-b", "[!", "[^", "[]",
	};
	static const char string_chars[] = "ab-]![^*?\\:01z";
	unsigned int seed = 12345;
	char pattern[64], string[32];
	for (int round = 0; round < 300000; round++) {
		size_t plen = 0;
		int parts = rand_r(&seed) % 8;
		for (int i = 0; i < parts; i++) {
			const char *part =
				pattern_parts[rand_r(&seed) % (int)(sizeof(pattern_parts) / sizeof(pattern_parts[0]))];
			size_t n = strlen(part);
			if (plen + n >= sizeof(pattern))
				break;
			memcpy(pattern + plen, part, n);
			plen += n;
		}
		pattern[plen] = '\0';
		size_t slen = (size_t)(rand_r(&seed) % 10);
		for (size_t i = 0; i < slen; i++)
			string[i] = string_chars[rand_r(&seed) % (int)(sizeof(string_chars) - 1)];
		string[slen] = '\0';
		expect_same(pattern, string);
	}
}

/* Stars that make a backtracking matcher explode stay cheap. */
static void test_many_stars(void **state)
{
	(void)state;
	char pattern[4096], string[4096];
	size_t n = 0;
	for (; n + 2 < sizeof(pattern) - 2; n += 2)
		memcpy(pattern + n, "*a", 2);
	memcpy(pattern + n, "b", 2);
	memset(string, 'a', sizeof(string) - 1);
	string[sizeof(string) - 1] = '\0';
	assert_false(glob_match(pattern, string));
}

/*
 * glob_prefix, fed PATTERN byte by byte against STRING from FROM on, agrees
 * with glob_match(): no step leaves an empty set unless the pattern cannot
 * match, glob_prefix_can_step() foretells each step, and at the end
 * glob_prefix_done() is glob_match()'s answer (or a '[', a '\\' or a byte >= 128 made
 * it unknown).
 */
static void expect_prefix_same(const char *pattern, const char *string, size_t from)
{
	struct glob_prefix g;
	uint64_t set[64 + 1], before[64 + 1];
	bool want = glob_match(pattern, string + from);
	int step = GLOB_STEP_SOME;

	assert_int_equal(glob_prefix_init(&g, string), 0);
	assert_true(g.words <= 64);
	glob_prefix_start(&g, set, from);
	for (const char *p = pattern; *p && step == GLOB_STEP_SOME; p++) {
		bool can = glob_prefix_can_step(&g, set, *p);
		memcpy(before, set, g.words * sizeof(*set));
		step = glob_prefix_step(&g, set, *p);
		if (step == GLOB_STEP_UNKNOWN) {
			assert_true(*p == '[' || *p == '\\' || (unsigned char)*p >= 128);
			assert_memory_equal(before, set, g.words * sizeof(*set));
		}
		if (can != (step != GLOB_STEP_NONE))
			fail_msg("pattern '%s' string '%s' from %zu: can_step '%c' %d, step %d",
				 pattern, string, from, *p, can, step);
	}
	if (step == GLOB_STEP_NONE && want)
		fail_msg("pattern '%s' string '%s' from %zu: left out, but glob_match matches",
			 pattern, string, from);
	if (step == GLOB_STEP_SOME && glob_prefix_done(&g, set) != want)
		fail_msg("pattern '%s' string '%s' from %zu: glob_prefix %d, glob_match %d",
			 pattern, string, from, !want, want);
	glob_prefix_release(&g);
}

static void test_prefix(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "pci:v*d*sv*sd*bc02sc00i*", "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00" },
		{ "pci:v*d*sv*sd*bc03sc00i*", "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00" },
		{ "*", "" }, { "", "" }, { "", "a" }, { "?", "" }, { "a", "" }, { "**", "ab" },
		{ "*?", "" }, { "*b", "ab" }, { "a*[bc]", "ab" }, { "a\\b", "ab" }, { "a?c", "a\xe9" "c" },
		{ "a\xe9", "a\xe9" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t from = 0; from <= strlen(cases[i][1]); from++)
			expect_prefix_same(cases[i][0], cases[i][1], from);

	/* Random ones, with strings around the 64-bit word boundaries. */
	static const char *const parts[] = { "a", "b", "ab", "ba", "*", "?", "*a", "**", "[ab]", "\\a" };
	static const size_t lengths[] = { 0, 1, 5, 62, 63, 64, 65, 127, 128, 129, 200, 4000 };
	char pattern[256], *string = malloc(4001);
	unsigned int seed = 4242;
	assert_non_null(string);
	for (int round = 0; round < 100000; round++) {
		size_t plen = 0, slen = lengths[rand_r(&seed) % (int)(sizeof(lengths) / sizeof(lengths[0]))];
		int n = rand_r(&seed) % (slen > 60 ? 60 : 10);
		for (int i = 0; i < n; i++) {
			const char *part = parts[rand_r(&seed) % (int)(sizeof(parts) / sizeof(parts[0]))];
			size_t l = strlen(part);
			if (plen + l >= sizeof(pattern))
				break;
			/* brackets and escapes only now and then: they end the steps */
			if ((part[0] == '[' || part[0] == '\\') && rand_r(&seed) % 8 != 0)
				continue;
			memcpy(pattern + plen, part, l);
			plen += l;
		}
		pattern[plen] = '\0';
		/* mostly 'a' with a few 'b': long strings that stars still reach */
		for (size_t i = 0; i < slen; i++)
			string[i] = rand_r(&seed) % 16 == 0 ? 'b' : 'a';
		string[slen] = '\0';
		if (slen > 300 && round % 64 != 0)
			continue; /* the longest are slow to match: fewer of them */
		expect_prefix_same(pattern, string, slen ? (size_t)rand_r(&seed) % (slen + 1) : 0);
	}
	free(string);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chosen),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_many_stars),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
