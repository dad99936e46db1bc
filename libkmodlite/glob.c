// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Shell pattern matching as fnmatch(PATTERN, STRING, 0) does it in the C
 * locale, for alias patterns: '*', '?', bracket expressions with ranges,
 * negation ('!' or '^') and character classes, backslash escapes. Without
 * recursion: a '*' remembers where it started and, on a mismatch, takes one
 * more byte, so the cost stays within pattern length times string length
 * whatever the pattern (glibc's fnmatch backtracks recursively).
 *
 * Equivalence classes and collating symbols ("[=a=]", "[.a.]") are left to
 * the C library: a pattern that needs them goes to fnmatch().
 *
 * glob_prefix matches patterns fed a byte at a time (the keys of a trie, as
 * a walk meets them) against one string, as sets of string positions, so
 * that a walk can leave a subtree whose patterns cannot match.
 */
#include <errno.h>
#include <fnmatch.h>

#include "kmodlite-private.h"

/* 1: C is in the class NAME, 0: it is not, -1: no such class. */
int char_class_has(const char *name, size_t len, unsigned char c)
{
	bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
	bool digit = c >= '0' && c <= '9', alpha = upper || lower;
#define IS(n) (len == sizeof(n) - 1 && memcmp(name, n, len) == 0)
	if (IS("alnum"))
		return alpha || digit;
	if (IS("alpha"))
		return alpha;
	if (IS("blank"))
		return c == ' ' || c == '\t';
	if (IS("cntrl"))
		return c < ' ' || c == 0x7f;
	if (IS("digit"))
		return digit;
	if (IS("graph"))
		return c > ' ' && c < 0x7f;
	if (IS("lower"))
		return lower;
	if (IS("print"))
		return c >= ' ' && c < 0x7f;
	if (IS("punct"))
		return c > ' ' && c < 0x7f && !alpha && !digit;
	if (IS("space"))
		return c == ' ' || (c >= '\t' && c <= '\r');
	if (IS("upper"))
		return upper;
	if (IS("xdigit"))
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
#undef IS
	return -1;
}

enum { BRACKET_NO, BRACKET_YES, BRACKET_LITERAL, BRACKET_COLLATING };

/* At "[:" in a bracket expression: the end of the class name (at its ":]"),
 * or NULL when what follows is no class name and the '[' is an ordinary
 * member. As glibc, a class name is made of the letters 'a' to 'y'. */
static const char *class_name_end(const char *p)
{
	const char *end = p + 2;
	while (*end >= 'a' && *end < 'z')
		end++;
	return end[0] == ':' && end[1] == ']' ? end : NULL;
}

/*
 * The bracket expression starting after the '[' at *PP, against byte C,
 * member after member as glibc reads it: the first member that matches
 * ends the reading, and the rest is only skipped to the closing ']'.
 * BRACKET_LITERAL when there is no closing ']' (the '[' is then an ordinary
 * character); an unknown class is a mismatch; BRACKET_COLLATING at "[=" or
 * "[.", which this matcher leaves to the C library. *PP is moved past the
 * ']'.
 */
static int bracket(const char **pp, unsigned char c)
{
	const char *p = *pp;
	bool negate = *p == '!' || *p == '^';
	if (negate)
		p++;
	for (bool first = true;; first = false) {
		if (*p == '\0')
			return BRACKET_LITERAL;
		if (*p == ']' && !first) {
			*pp = p + 1;
			return negate ? BRACKET_YES : BRACKET_NO;
		}
		if (p[0] == '[' && (p[1] == '=' || p[1] == '.'))
			return BRACKET_COLLATING;
		const char *end = p[0] == '[' && p[1] == ':' ? class_name_end(p) : NULL;
		if (end) {
			int in = char_class_has(p + 2, (size_t)(end - p - 2), c);
			if (in < 0)
				return BRACKET_NO;
			p = end + 2;
			if (in)
				break;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		unsigned char lo = (unsigned char)*p++;
		bool in;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\')
				p++;
			if (*p == '\0')
				return BRACKET_NO;
			unsigned char hi = (unsigned char)*p++;
			in = lo <= c && c <= hi;
		} else {
			in = lo == c;
		}
		if (in)
			break;
	}
	/* matched: skip to the closing ']' */
	for (;;) {
		if (*p == '\0')
			return BRACKET_LITERAL;
		if (*p == ']') {
			p++;
			break;
		}
		if (*p == '\\') {
			if (p[1] == '\0')
				return BRACKET_NO;
			p += 2;
			continue;
		}
		if (p[0] == '[' && (p[1] == '=' || p[1] == '.'))
			return BRACKET_COLLATING;
		const char *end = p[0] == '[' && p[1] == ':' ? class_name_end(p) : NULL;
		p = end ? end + 2 : p + 1;
	}
	*pp = p;
	return negate ? BRACKET_NO : BRACKET_YES;
}

static bool is_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\';
}

bool glob_match(const char *pattern, const char *string)
{
	const char *p = pattern, *s = string;
	const char *star_p = NULL, *star_s = NULL;
	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return true;
			star_p = p;
			star_s = s;
		}
		if (p == star_p && !is_special(*p)) {
			/* after a '*', go straight to where the next literal is */
			s = strchr(s, *p);
			if (!s)
				return false;
			star_s = s;
		}
		if (*s == '\0')
			return *p == '\0';
		bool ok = false;
		const char *next = p + 1;
		switch (*p) {
		case '\0':
			break;
		case '?':
			ok = true;
			break;
		case '[': {
			int b = bracket(&next, (unsigned char)*s);
			if (b == BRACKET_COLLATING)
				return fnmatch(pattern, string, 0) == 0;
			if (b == BRACKET_LITERAL) {
				next = p + 1;
				ok = *s == '[';
			} else {
				ok = b == BRACKET_YES;
			}
			break;
		}
		case '\\':
			if (p[1] == '\0')
				return false; /* a trailing backslash matches nothing */
			ok = p[1] == *s;
			next = p + 2;
			break;
		default:
			ok = *p == *s;
			break;
		}
		if (ok) {
			p = next;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		/* the last '*' takes one more byte, and the rest is tried again */
		p = star_p;
		s = ++star_s;
	}
}

/* ------------------------------------------------ incremental matching */

#define GLOB_ANY 0 /* masks[0]: every position before the string's end */

int glob_prefix_init(struct glob_prefix *g, const char *string)
{
	size_t len = strlen(string);
	size_t words = (len + 1 + 63) / 64;
	uint64_t *masks = g->small;

	if (words > GLOB_PREFIX_SMALL_WORDS) {
		masks = calloc(128 * words, sizeof(*masks));
		if (!masks)
			return -ENOMEM;
	} else {
		memset(masks, 0, 128 * words * sizeof(*masks));
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)string[i];
		uint64_t bit = (uint64_t)1 << (i % 64);
		masks[GLOB_ANY * words + i / 64] |= bit;
		if (c < 128)
			masks[c * words + i / 64] |= bit;
	}
	g->string = string;
	g->len = len;
	g->words = words;
	g->masks = masks;
	return 0;
}

void glob_prefix_release(struct glob_prefix *g)
{
	if (g->masks != g->small)
		free(g->masks);
	g->masks = NULL;
}

void glob_prefix_start(const struct glob_prefix *g, uint64_t *set, size_t from)
{
	memset(set, 0, g->words * sizeof(*set));
	set[from / 64] = (uint64_t)1 << (from % 64);
}

int glob_prefix_step(const struct glob_prefix *g, uint64_t *set, char pc)
{
	unsigned char c = (unsigned char)pc;
	size_t words = g->words;
	uint64_t any = 0;

	if (c == '*') {
		/* every position from the first one on */
		size_t w = 0;
		while (w < words && set[w] == 0)
			w++;
		if (w == words)
			return GLOB_STEP_NONE;
		set[w] = ~((set[w] & -set[w]) - 1);
		/* bits past the string's end do no harm: no mask holds them,
		 * and glob_prefix_done() reads only the end's */
		for (size_t i = w + 1; i < words; i++)
			set[i] = ~(uint64_t)0;
		return GLOB_STEP_SOME;
	}
	if (c == '[' || c == '\\' || c == '\0' || c >= 128)
		return GLOB_STEP_UNKNOWN;
	const uint64_t *m = g->masks + (c == '?' ? GLOB_ANY : c) * words;
	/* the positions after a byte that matches; from the top word down, so
	 * that each word still reads the unshifted one below it */
	for (size_t w = words; w-- > 0;) {
		uint64_t v = (set[w] & m[w]) << 1;
		if (w > 0)
			v |= (set[w - 1] & m[w - 1]) >> 63;
		set[w] = v;
		any |= v;
	}
	return any ? GLOB_STEP_SOME : GLOB_STEP_NONE;
}

bool glob_prefix_can_step(const struct glob_prefix *g, const uint64_t *set, char pc)
{
	unsigned char c = (unsigned char)pc;
	size_t words = g->words;

	if (c == '*' || c == '[' || c == '\\' || c == '\0' || c >= 128)
		return true;
	const uint64_t *m = g->masks + (c == '?' ? GLOB_ANY : c) * words;
	for (size_t w = 0; w < words; w++)
		if (set[w] & m[w])
			return true;
	return false;
}

bool glob_prefix_done(const struct glob_prefix *g, const uint64_t *set)
{
	return set[g->len / 64] >> (g->len % 64) & 1;
}
