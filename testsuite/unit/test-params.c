// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * params.c: values checked against parameter types as the kernel's setters
 * parse them (kstrto* with base 0, kstrtobool, charp's 1023 bytes, arrays
 * element by element), and parameter strings split into words.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "kmodlite-private.h"

static void ok(const char *type, const char *value)
{
	int r = kml_param_check(type, value);
	if (r != 0)
		fail_msg("%s '%s': %d, want 0", type, value, r);
}

static void bad(const char *type, const char *value, int want)
{
	int r = kml_param_check(type, value);
	if (r != want)
		fail_msg("%s '%s': %d, want %d", type, value, r, want);
}

static void test_integers(void **state)
{
	(void)state;
	ok("int", "0");
	ok("int", "-2147483648");
	ok("int", "2147483647");
	ok("int", "+7");
	ok("int", "0x7fffffff");
	ok("int", "0X1f");
	ok("int", "017");
	ok("int", "5\n"); /* one trailing newline */
	bad("int", "2147483648", -ERANGE);
	bad("int", "-2147483649", -ERANGE);
	bad("int", "", -EINVAL);
	bad("int", " 5", -EINVAL);
	bad("int", "5 ", -EINVAL);
	bad("int", "5\n\n", -EINVAL);
	bad("int", "08", -EINVAL); /* octal */
	bad("int", "0x", -EINVAL);
	bad("int", "0xg", -EINVAL);
	bad("int", "1e3", -EINVAL);
	bad("int", "--1", -EINVAL);
	ok("uint", "4294967295");
	ok("uint", "+0");
	bad("uint", "4294967296", -ERANGE);
	bad("uint", "-1", -EINVAL);
	ok("hexint", "0xffffffff");
	ok("byte", "255");
	bad("byte", "256", -ERANGE);
	bad("byte", "-1", -EINVAL);
	ok("short", "-32768");
	bad("short", "32768", -ERANGE);
	ok("ushort", "65535");
	bad("ushort", "65536", -ERANGE);
	ok("long", "-9223372036854775808");
	bad("long", "9223372036854775808", -ERANGE);
	ok("ulong", "18446744073709551615");
	bad("ulong", "18446744073709551616", -ERANGE);
	ok("ullong", "0xffffffffffffffff");
	bad("ullong", "0x10000000000000000", -ERANGE);
}

static void test_bools_strings(void **state)
{
	(void)state;
	const char *yes[] = { "y", "Y", "1", "n", "N", "0", "on", "ON", "off", "oF", "yes", "no",
			      "1abc" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		ok("bool", yes[i]);
		ok("invbool", yes[i]);
		ok("bint", yes[i]);
	}
	bad("bool", "", -EINVAL);
	bad("bool", "o", -EINVAL);
	bad("bool", "true", -EINVAL);
	bad("bool", "2", -EINVAL);
	ok("charp", "");
	ok("charp", "any thing, really");
	char big[1025];
	memset(big, 'x', sizeof(big) - 1);
	big[1023] = '\0';
	ok("charp", big);
	big[1023] = 'x';
	big[1024] = '\0';
	bad("charp", big, -ENOSPC);
	bad("string", "x", -ENOTSUP);
	bad("mytype", "x", -ENOTSUP);
	assert_string_equal(kml_param_check_reason("int", -ERANGE), "out of range for the type");
}

static void test_arrays(void **state)
{
	(void)state;
	ok("array of int", "1");
	ok("array of int", "1,-2,0x3");
	bad("array of int", "1,,2", -EINVAL);
	bad("array of int", "1,x", -EINVAL);
	bad("array of byte", "1,300", -ERANGE);
	ok("array of charp", "a,,b");
	ok("array of bool", "y,n,on");
	bad("array of bool", "y,maybe", -EINVAL);
}

struct words {
	char text[512];
};

static int collect(void *data, const char *param, size_t param_len, const char *value,
		   size_t value_len)
{
	struct words *w = data;
	size_t n = strlen(w->text);
	if (value)
		snprintf(w->text + n, sizeof(w->text) - n, "[%.*s=%.*s]", (int)param_len, param,
			 (int)value_len, value);
	else
		snprintf(w->text + n, sizeof(w->text) - n, "[%.*s]", (int)param_len, param);
	return 0;
}

static void split(const char *options, const char *want)
{
	struct words w = { "" };
	assert_int_equal(kml_param_split(options, collect, &w), 0);
	assert_string_equal(w.text, want);
}

static void test_split(void **state)
{
	(void)state;
	split("", "");
	split("  a=1\tb  c=", "[a=1][b][c=]");
	split("s=\"x y\" t=2", "[s=x y][t=2]");
	split("\"s=x y\" t", "[s=x y][t]");
	split("a=b=c", "[a=b=c]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_bools_strings),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
