/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bound on what regcomp() makes of a POSIX extended regular expression. */
#ifndef KMODLITE_REGEX_COST_H
#define KMODLITE_REGEX_COST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when PATTERN (a POSIX ERE, as in depmod.d's KVER fields) is cheap to
 * compile and match: glibc's regcomp() expands repetitions ("x+" is "xx*",
 * "x{m,n}" n copies of x), so stacked or nested ones multiply ("a++++...",
 * 25 of them, takes gigabytes); false when the expanded pattern could exceed
 * MAX_NODES, or holds a back-reference (\1..\9, glibc's extension, whose
 * matching is exponential).
 */
bool regex_is_cheap(const char *pattern, size_t max_nodes);

#endif
