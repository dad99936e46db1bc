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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chosen),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_many_stars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
