/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ere.c and ere-parse.c: a pattern's tree, between the parser and the compiler. */
#ifndef KMODLITE_ERE_PRIVATE_H
#define KMODLITE_ERE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ERE_DUP_INFINITY (-1) /* a repetition without upper bound */

enum ere_node_kind { ERE_EMPTY, ERE_SET, ERE_ASSERT, ERE_CAT, ERE_ALT, ERE_REPEAT };

/* A set of bytes, one bit each. */
typedef uint64_t ere_byte_set[4];

struct ere_node {
	enum ere_node_kind kind;
	unsigned char assertion; /* ERE_ASSERT: ^ $ ` ' < > b B */
	uint32_t set;		 /* ERE_SET: index into the tree's sets */
	int32_t first, next;	 /* children (ERE_CAT, ERE_ALT, ERE_REPEAT), sibling */
	int32_t last;		 /* last child, while appending */
	int32_t min, max;	 /* ERE_REPEAT: counts (max may be ERE_DUP_INFINITY) */
};

struct ere_tree {
	struct ere_node *nodes;
	size_t n_nodes, cap_nodes;
	ere_byte_set *sets;
	size_t n_sets, cap_sets;
};

/* Parses PATTERN into TREE (zeroed before; released with ere_tree_release
 * whatever the result): the root node's index, or -EINVAL (glibc's regcomp
 * would refuse it), -ENOTSUP (a back-reference), -E2BIG (longer than
 * ERE_MAX_PATTERN, or groups nested too deep), -ENOMEM. */
int32_t ere_parse(const char *pattern, struct ere_tree *tree);
void ere_tree_release(struct ere_tree *tree);
/* A word byte, for \w and the word anchors: alphanumeric or '_'. */
bool ere_is_word_byte(unsigned char c);

static inline bool ere_set_has(const ere_byte_set s, unsigned char c)
{
	return s[c >> 6] >> (c & 63) & 1;
}

#endif
