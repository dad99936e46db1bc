// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * An upper bound of the size of a POSIX extended regular expression once its
 * repetitions are expanded, as glibc's regcomp() does, computed in one pass
 * without compiling it. Sizes are counted in atoms and operators:
 *   atom (char, '.', bracket expression, anchor)  1
 *   concatenation, alternation                    sum of the parts
 *   x* x?                                         size(x) + 1
 *   x+                                            2 size(x) + 1
 *   x{m} x{m,} x{m,n} x{,n} x{,}                  k size(x) + k, k = max(m, n, m + 1)
 *   (x)                                           size(x) + 1
 * A repetition applies to what precedes it, so stacked ones multiply, and so
 * do nested groups.
 */
#include <stdint.h>

#include "regex-cost.h"

#define MAX_DEPTH 64
#define DUP_MAX 0x7fff /* RE_DUP_MAX */

struct frame {
	uint64_t total; /* size of the group so far */
	uint64_t last;	/* size of its last piece (what a repetition repeats) */
};

/* Skips a bracket expression starting at P ('['); returns its end, or NULL
 * when it is not closed (then regcomp fails, cheaply). */
static const char *skip_bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p && *p != ']'; p++) {
		if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			char close = p[1];
			for (p += 2; *p && !(p[0] == close && p[1] == ']'); p++)
				;
			if (!*p)
				return NULL;
			p++;
		}
	}
	return *p ? p : NULL;
}

/* Parses "{m}", "{m,}", "{m,n}" or glibc's "{,n}" (0 to n) and "{,}" at P;
 * returns its end and the copy count, or NULL when it is not an interval
 * (then regcomp() fails or '{' is an ordinary character: cheap either way). */
static const char *parse_interval(const char *p, uint64_t *ret_count)
{
	uint64_t m = 0, n;
	bool open = false;
	p++;
	if ((*p < '0' || *p > '9') && *p != ',')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((m = m * 10 + (uint64_t)(*p - '0')) > DUP_MAX)
			m = DUP_MAX + 1;
	n = m;
	if (*p == ',') {
		p++;
		if (*p == '}') {
			open = true;
		} else {
			n = 0;
			if (*p < '0' || *p > '9')
				return NULL;
			for (; *p >= '0' && *p <= '9'; p++)
				if ((n = n * 10 + (uint64_t)(*p - '0')) > DUP_MAX)
					n = DUP_MAX + 1;
		}
	}
	if (*p != '}')
		return NULL;
	*ret_count = open ? m + 1 : (n > m ? n : m);
	if (*ret_count == 0)
		*ret_count = 1;
	return p;
}

bool regex_is_cheap(const char *pattern, size_t max_nodes)
{
	struct frame stack[MAX_DEPTH + 1] = { { 0, 0 } };
	size_t depth = 0;
	uint64_t count;

	for (const char *p = pattern; *p; p++) {
		struct frame *f = &stack[depth];
		uint64_t atom = 0;
		const char *end;

		switch (*p) {
		case '\\':
			if (p[1] >= '1' && p[1] <= '9')
				return false;
			if (p[1])
				p++;
			atom = 1;
			break;
		case '[':
			end = skip_bracket(p);
			if (!end)
				return true;
			p = end;
			atom = 1;
			break;
		case '(':
			if (depth == MAX_DEPTH)
				return false;
			stack[++depth] = (struct frame){ 0, 0 };
			continue;
		case ')':
			if (depth == 0) {
				atom = 1;
				break;
			}
			atom = stack[depth--].total + 1;
			f = &stack[depth];
			break;
		case '|':
			f->last = 0;
			continue;
		case '*':
		case '?':
			f->total += 1;
			f->last += 1;
			break;
		case '+':
			f->total += f->last + 1;
			f->last = 2 * f->last + 1;
			break;
		case '{':
			end = parse_interval(p, &count);
			if (!end) {
				atom = 1;
				break;
			}
			if (count > max_nodes)
				return false;
			p = end;
			f->total += f->last * (count - 1) + count;
			f->last = f->last * count + count;
			break;
		default:
			atom = 1;
			break;
		}
		if (atom) {
			f->total += atom;
			f->last = atom;
		}
		/* every size is at most the total checked here, so the products
		 * above (<= max_nodes * DUP_MAX) cannot overflow */
		if (f->total > max_nodes || f->last > max_nodes)
			return false;
	}
	uint64_t total = 0;
	for (size_t i = 0; i <= depth; i++)
		total += stack[i].total;
	return total <= max_nodes;
}
