// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ere_match(): depmod.d's kernel-version patterns. Fixed cases, then the
 * same answers as glibc's regcomp(REG_EXTENDED | REG_NOSUB) and regexec() on
 * random patterns and subjects, then the patterns on which glibc takes
 * exponential time or gigabytes.
 */
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kmodlite-private.h"

static void expect(const char *pattern, const char *subject, int want)
{
	int got = ere_match(pattern, subject);
	if (got != want)
		fail_msg("'%s' on '%s': %d, expected %d", pattern, subject, got, want);
}

static void test_kernel_versions(void **state)
{
	const char *kver = "6.1.0-28-amd64";
	expect("", kver, 1);
	expect("6\\.1", kver, 1);
	expect("^6\\.1\\.0-[0-9]+-amd64$", kver, 1);
	expect("^6\\.1\\.0-[0-9]+-arm64$", kver, 0);
	expect("^5\\.", kver, 0);
	expect("amd64$", kver, 1);
	expect("^amd64", kver, 0);
	expect("-(amd64|arm64|cloud-amd64)$", kver, 1);
	expect("^6[.]1[.]", kver, 1);
	expect("^6\\.(1|2)\\.[[:digit:]]+-[0-9]{1,3}-", kver, 1);
	expect("^6\\.1\\.0-[0-9]{3}-", kver, 0);
	expect("-[0-9]{,2}-", kver, 1);
	expect("-[0-9]{3,}-", kver, 0);
	expect("x*", kver, 1);
	expect("\\bamd64\\b", kver, 1);
	expect("\\<md64", kver, 0);
	expect("\\w+-\\w+$", kver, 1);
	expect("\\s", kver, 0);
	expect("[^-.0-9a-z]", kver, 0);
	expect("()", kver, 1);
	expect("(|x)", kver, 1);
	expect(")", "a)", 1); /* an unmatched ')' is an ordinary character */
	expect("a{0}b", "b", 1);
	expect("[]x]", "]", 1);
	expect("[a-]", "-", 1);
	expect("[[.-.]]", "-", 1);
	expect("[[=a=]]", "a", 1);
	expect("a\\{1\\}", "a{1}", 1);
	expect("^$", "", 1);
	expect("a^b", "a^b", 0); /* '^' is always an anchor in an ERE */
	/* every copy of a repeated group keeps its anchors (glibc drops those
	 * that a copy follows: in the second and later copies, and at the end
	 * of a copy before another; it matches these) */
	expect("(^.)+$", "ab", 0);
	expect("(^.){2}", "ab", 0);
	expect("(\\<.)+$", "ab", 0);
	expect("^(a$){0,2}$", "aa", 0);
	expect("(a\\'){2}", "aa", 0);
	expect("(^.)+$", "a", 1);
	/* a newline is an ordinary byte (glibc finds '^' after one that the
	 * expression consumed, and '$' before one, and matches these) */
	expect(".^b", "a\nb", 0);
	expect("a$.", "a\nb", 0);
}

static void test_invalid_patterns(void **state)
{
	static const char *const bad[] = {
		"*a", "a|*b", "(*a)", "^*", "$+", "{1}", "a{", "a{1", "a{1,2", "a{}", "a{x}",
		"a{2,1}", "a{1,2,3}", "a{32768}", "(", "(a", "a(b|c", "[", "[a", "[^", "[]",
		"[z-a]", "[a-c-e]", "[[:alpha:]-z]", "[[:foo:]]", "[[.ab.]]", "[[=ab=]]",
		"[[:alpha:", "a\\", "\\b*",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(bad[i], "abc", -EINVAL);
	expect("(a)\\1", "aa", -ENOTSUP);
}

static void test_costly_patterns(void **state)
{
	/* regcomp() takes gigabytes (found by fuzzing) or exponential time
	 * (13 s for "a?{,9}?{6,}" here, 16 s for "a?{,40}{3,}") */
	expect("de6{,18888}{13}1e", "6.1.0", -E2BIG);
	expect("a{1000}{1000}", "a", -E2BIG);
	expect("a?{,9}?{6,}", "6.1.0-28-amd64", 1);
	expect("a?{,40}{3,}b", "6.1.0-28-amd64", 0);
	expect("(a?){,15}{,15}x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0);
	expect("(((((((((((a+)+)+)+)+)+)+)+)+)+)+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 0);
	expect("(a|aa)*c", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0);
	/* groups that match the empty string only, repeated: nothing to copy
	 * (each level of these took 32767 times the one inside it) */
	expect("((()){32767}){32767}", "abc", 1);
	expect("(((a{0}){32767}){32767}){32767}d", "abc", 0);
	expect("((()()|()){32767}){32767}c$", "abc", 1);
	expect("(|){32767}", "abc", 1);
	char big[ERE_MAX_PATTERN + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect(big, big, -E2BIG);
	big[ERE_MAX_PATTERN] = '\0';
	expect(big, big, 1);
	/* 1000 '*' stacked, 200 groups deep: answered, not refused */
	memset(big, '*', 1001);
	big[0] = 'b';
	big[1001] = '\0';
	expect(big, "abc", 1);
	for (int i = 0; i < 200; i++)
		big[i] = '(', big[201 + i] = ')';
	big[200] = 'c';
	big[401] = '\0';
	expect(big, "abc", 1);
	memmove(big + 1, big, 401); /* 201 deep */
	big[0] = '(';
	big[402] = ')';
	big[403] = '\0';
	expect(big, "abc", -E2BIG);
}

/* ---- the same answers as glibc ---- */

static const char *const pieces[] = {
	"a", "b", "6", "1", ".", "-", "_", " ", "\\.", "x", "(", "(", ")", ")", "|", "|",
	"*", "+", "?", "{", "}", ",", "2", "{,2}", "{1,2}", "{2}", "{0}", "{1,}", "{,}",
	"^", "$", "[ab]", "[^a]", "[a-c]", "[[:digit:]]", "[[:alpha:]_]", "[]a]", "[",
	"]", "[-.]", "[a-]", "\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "\\<", "\\>", "\\`",
	"\\'", "\\", "[.a.]", "[[.a.]-c]", "[[=b=]]", "[[:foo:]]", "[z-a]", "\\{", "\\}",
	"\\(", "\\1", "[^]]", "[[:space:]]", "\xe9", "[\x80-\xff]",
};
/* the bytes the pieces stand for, ordinary ones included (but no newline,
 * after which glibc finds a '^' when the expression consumed it) */
static const char subject_bytes[] = "ab61.-_ x9\xe9](){}|\\^$,";

static bool is_repetition(const char *piece)
{
	return strchr("*+?{", piece[0]) && piece[0];
}

static bool is_anchor(const char *piece)
{
	return strcmp(piece, "^") == 0 || strcmp(piece, "$") == 0 ||
	       (piece[0] == '\\' && piece[1] && strchr("bB<>`'", piece[1]));
}

static void test_same_as_glibc(void **state)
{
	unsigned seed = 1; /* ERE_SEED=N tries another sequence */
	const char *env = getenv("ERE_SEED");
	if (env)
		seed = (unsigned)strtoul(env, NULL, 10);
	srand(seed);
	size_t patterns = 0, valid = 0, compared = 0, matched = 0, backrefs = 0, wrong = 0;
	size_t anchored_copies = 0;
	for (int iter = 0; iter < 200000; iter++) {
		char pattern[256] = "";
		int n = 1 + rand() % 10, repetitions = 0, depth = 0;
		bool anchor_in_group = false, copies = false;
		for (int i = 0; i < n; i++) {
			const char *p = pieces[(size_t)rand() % (sizeof(pieces) / sizeof(pieces[0]))];
			/* at most 3 repetitions, so that glibc stays quick */
			if (is_repetition(p) && ++repetitions > 3)
				continue;
			strcat(pattern, p);
			depth += strcmp(p, "(") == 0 ? 1 : strcmp(p, ")") == 0 && depth > 0 ? -1 : 0;
			anchor_in_group |= depth > 0 && is_anchor(p);
			copies |= p[0] == '+' || p[0] == '{';
		}
		/* glibc ignores an anchor that a copy of a repeated group
		 * follows ("(^.)+" matches "ab"; depmod.d.5): such patterns
		 * are left out */
		if (anchor_in_group && copies) {
			anchored_copies++;
			continue;
		}
		regex_t re;
		int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
		patterns++;
		for (int s = 0; s < 6; s++) {
			char subject[16];
			size_t len = (size_t)rand() % 10;
			for (size_t i = 0; i < len; i++)
				subject[i] = subject_bytes[(size_t)rand() % (sizeof(subject_bytes) - 1)];
			subject[len] = '\0';
			int ours = ere_match(pattern, subject);
			if (ours == -ENOTSUP) {
				backrefs++;
				break;
			}
			int want = rc != 0 ? -EINVAL : regexec(&re, subject, 0, NULL, 0) == 0;
			compared++;
			matched += want == 1;
			if (ours != want && wrong++ < 20)
				print_error("seed %u: '%s' on '%s': %d, glibc %d\n", seed, pattern, subject,
					    ours, want);
		}
		if (rc == 0) {
			valid++;
			regfree(&re);
		}
	}
	print_message("seed %u: %zu patterns (%zu valid for glibc; left out: %zu with "
		      "back-references, %zu with anchors in repeated groups), %zu answers "
		      "compared (%zu matches), %zu different\n",
		      seed, patterns, valid, backrefs, anchored_copies, compared, matched, wrong);
	assert_int_equal(wrong, 0);
	/* the generator must reach both sides of every question */
	assert_true(valid > patterns / 5 && valid < patterns * 4 / 5);
	assert_true(matched > compared / 20 && matched < compared * 19 / 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_versions),
		cmocka_unit_test(test_invalid_patterns),
		cmocka_unit_test(test_costly_patterns),
		cmocka_unit_test(test_same_as_glibc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
