// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module parameter values, checked against their declared type before
 * anything reaches the kernel, and parameter strings split into words.
 * Pure: no file is read.
 *
 * The rules are the kernel's (kernel/params.c, lib/kstrtox.c, 6.x):
 *  - integers are read by kstrto*() with base 0: "0x" (or "0X") followed by
 *    a hex digit starts a hexadecimal number, another leading "0" an octal
 *    one; unsigned types take a leading '+', signed ones '+' or '-'; a single
 *    trailing newline is allowed, nothing else (no blanks, no empty value);
 *  - bool, invbool and bint go through kstrtobool(), which looks at the first
 *    characters only: y Y 1 (true), n N 0 (false), "on", "off" (either case);
 *  - charp takes any string shorter than 1024 bytes;
 *  - an array splits its value at every ',' and sets each element by its
 *    type; its maximum count is not written in modinfo.
 * `string` parameters (module_param_string) have a length limit that modinfo
 * does not carry either: they are passed on unchecked, as are types that are
 * not the kernel's standard ones.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>

#include "kmodlite-private.h"

enum int_kind { SIGNED, UNSIGNED };

static const struct int_type {
	const char *name;
	enum int_kind kind;
	uint64_t max; /* of the magnitude: signed types allow max + 1 negative */
} int_types[] = {
	{ "byte", UNSIGNED, UINT8_MAX },     { "short", SIGNED, INT16_MAX },
	{ "ushort", UNSIGNED, UINT16_MAX },  { "int", SIGNED, INT32_MAX },
	{ "uint", UNSIGNED, UINT32_MAX },    { "hexint", UNSIGNED, UINT32_MAX },
	{ "long", SIGNED, (uint64_t)LONG_MAX }, { "ulong", UNSIGNED, (uint64_t)ULONG_MAX },
	{ "ullong", UNSIGNED, UINT64_MAX },
};

static bool is_xdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* kstrtoull(S, 0) over the bytes up to END: 0, -EINVAL or -ERANGE. */
static int parse_u64(const char *s, const char *end, uint64_t *ret)
{
	unsigned int base = 10;
	if (s < end && s[0] == '0') {
		base = 8;
		if (end - s > 2 && (s[1] == 'x' || s[1] == 'X') && is_xdigit(s[2])) {
			base = 16;
			s += 2;
		}
	}
	if (s == end)
		return -EINVAL;
	uint64_t v = 0;
	bool overflow = false;
	for (; s < end; s++) {
		char c = *s;
		unsigned int d = c >= '0' && c <= '9'	? (unsigned int)(c - '0')
				 : c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10)
				 : c >= 'A' && c <= 'F' ? (unsigned int)(c - 'A' + 10)
							: 99;
		if (d >= base)
			return -EINVAL;
		if (mul_overflows(v, base, &v) || add_overflows(v, d, &v))
			overflow = true;
	}
	if (overflow)
		return -ERANGE;
	*ret = v;
	return 0;
}

static int check_int(const struct int_type *t, const char *s, const char *end)
{
	bool negative = false;
	if (s < end && s[0] == '+') {
		s++;
	} else if (s < end && s[0] == '-' && t->kind == SIGNED) {
		negative = true;
		s++;
	}
	uint64_t v = 0;
	int r = parse_u64(s, end, &v);
	if (r < 0)
		return r;
	uint64_t limit = negative ? t->max + 1 : t->max;
	return v > limit ? -ERANGE : 0;
}

/* kstrtobool(): the first one or two characters decide. */
static int check_bool(const char *s, const char *end)
{
	if (s == end)
		return -EINVAL;
	switch (s[0]) {
	case 'y': case 'Y': case '1': case 'n': case 'N': case '0':
		return 0;
	case 'o': case 'O':
		if (end - s >= 2 && strchr("nNfF", s[1]) && s[1])
			return 0;
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

/* One value (an element, for arrays) of TYPE, the LEN bytes at S. */
static int check_one(const char *type, const char *s, size_t len)
{
	const char *end = s + len;
	/* the kernel's integer and bool parsers allow one trailing newline */
	const char *body_end = len > 0 && end[-1] == '\n' ? end - 1 : end;
	for (size_t i = 0; i < ARRAY_SIZE(int_types); i++)
		if (streq(type, int_types[i].name))
			return check_int(&int_types[i], s, body_end);
	if (streq(type, "bool") || streq(type, "invbool") || streq(type, "bint"))
		return check_bool(s, end);
	if (streq(type, "charp"))
		return len >= 1024 ? -ENOSPC : 0;
	return -ENOTSUP;
}

int kml_param_check(const char *type, const char *value)
{
	if (!type || !value)
		return -EINVAL;
	static const char array_of[] = "array of ";
	if (strncmp(type, array_of, strlen(array_of)) != 0)
		return check_one(type, value, strlen(value));
	const char *elem = type + strlen(array_of);
	const char *p = value;
	for (;;) {
		size_t len = strcspn(p, ",");
		int r = check_one(elem, p, len);
		if (r < 0)
			return r;
		if (p[len] != ',')
			return 0;
		p += len + 1;
	}
}

const char *kml_param_check_reason(const char *type, int r)
{
	bool is_bool = type && (strstr(type, "bool") || strstr(type, "bint"));
	switch (r) {
	case 0:
		return "accepted";
	case -EINVAL:
		return is_bool ? "not a boolean (y, n, Y, N, 1, 0, on, off)"
			       : "not a number of that type";
	case -ERANGE:
		return "out of range for the type";
	case -ENOSPC:
		return "longer than 1023 bytes";
	case -ENOTSUP:
		return "not a standard type: left to the module";
	default:
		return strerror(-r);
	}
}

static inline bool is_blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int kml_param_split(const char *options,
		    int (*fn)(void *data, const char *param, size_t param_len, const char *value,
			      size_t value_len),
		    void *data)
{
	if (!options || !fn)
		return -EINVAL;
	const char *p = options;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p)
			return 0;
		/* a word runs to a blank outside double quotes */
		const char *start = p, *eq = NULL;
		bool quoted = false;
		for (; *p && (quoted || !is_blank(*p)); p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == '=' && !eq && !quoted)
				eq = p;
		}
		const char *end = p;
		const char *name = start;
		/* a quote may open the word ("p=a b") or the value (p="a b") */
		if (*name == '"')
			name++;
		size_t name_len = (size_t)((eq ? eq : end) - name);
		const char *value = NULL;
		size_t value_len = 0;
		if (eq) {
			value = eq + 1;
			value_len = (size_t)(end - value);
			if (value_len > 0 && value[0] == '"') {
				value++;
				value_len--;
			}
			if (value_len > 0 && value[value_len - 1] == '"')
				value_len--;
		} else if (name_len > 0 && name[name_len - 1] == '"') {
			name_len--;
		}
		if (name_len > 0) {
			int r = fn(data, name, name_len, value, value_len);
			if (r != 0)
				return r;
		}
	}
}
