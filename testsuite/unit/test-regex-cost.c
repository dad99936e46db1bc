// SPDX-License-Identifier: GPL-2.0-or-later
/* regex_is_cheap(): the bound on what regcomp() makes of a KVER pattern. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "regex-cost.h"

static void test_plain_patterns_are_cheap(void **state)
{
	static const char *const ok[] = {
		"5\\.10.*", "^6\\.1\\.0-[0-9]+-amd64$", "^[0-9]+\\.[0-9]+\\.[0-9]+-[0-9]+-(amd64|arm64|cloud-amd64)$",
		"(a|b){3}", "x{2,5}", "a{3,}", "[[:digit:]]+", "[]a]+", "[^]]*", "\\(", "a**", "", "{", "a{", "a{x}",
		"a{1,x}", "a{,3}", "a{,}", "a{,x}", "a{,5}{,5}", ")", "(unclosed", "[unclosed", "[[:alpha:", "\\",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(regex_is_cheap(ok[i], 1024));
}

static void test_explosive_patterns_are_refused(void **state)
{
	char buf[128];
	/* 25 stacked '+': 2^25 copies */
	memset(buf, '+', sizeof(buf));
	buf[0] = 'a';
	buf[26] = '\0';
	assert_false(regex_is_cheap(buf, 1024));
	/* 11 nested groups each repeated with '+' */
	assert_false(regex_is_cheap("(((((((((((a+)+)+)+)+)+)+)+)+)+)+)+", 1024));
	assert_false(regex_is_cheap("a{1000}{1000}", 1024));
	assert_false(regex_is_cheap("(ab){32767}", 1024));
	assert_false(regex_is_cheap("x{99999999999999999999}", 1024));
	assert_false(regex_is_cheap("a{2000,}", 1024));
	/* glibc reads "{,n}" as "{0,n}": 18888 copies, 13 times (found by
	 * fuzzing: 2 GB in regcomp) */
	assert_false(regex_is_cheap("de6{,18888}{13}1e", 1024));
	assert_false(regex_is_cheap("a{,40}{,40}", 1024));
	/* back-references */
	assert_false(regex_is_cheap("(a*)*\\1b", 1024));
	/* deeper than the parser follows */
	memset(buf, '(', 100);
	buf[100] = '\0';
	assert_false(regex_is_cheap(buf, 1024));
	/* a long plain one is refused on its length alone */
	memset(buf, 'a', 127);
	buf[127] = '\0';
	assert_false(regex_is_cheap(buf, 100));
	assert_true(regex_is_cheap(buf, 1024));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_patterns_are_cheap),
		cmocka_unit_test(test_explosive_patterns_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
