// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * POSIX extended regular expressions for depmod.d's kernel-version patterns:
 * does PATTERN match somewhere in SUBJECT, as glibc's regcomp(REG_EXTENDED |
 * REG_NOSUB) and regexec() decide it in the C locale. That includes what
 * glibc refuses ("*a", "a{2,1}", "[z-a]", a trailing backslash) and its
 * extensions: "{,n}", \w \W \s \S, \b \B \< \>, \` \'.
 *
 * glibc expands repetitions while compiling and computes closures that grow
 * exponentially with stacked optional ones ("a?{,9}?{6,}" takes 13 s in
 * regcomp, "a{,18888}{13}" gigabytes). Here the pattern is parsed into a
 * tree (ere-parse.c), the tree into a program of at most ERE_MAX_PROGRAM
 * instructions (repetitions expanded), and the program runs as a set of
 * threads over the subject, each instruction visited at most once per byte:
 * time is bounded by program size times subject length whatever the pattern.
 *
 * Back-references (\1 to \9) are not supported: -ENOTSUP, whatever glibc
 * would say (it refuses "\1" before a group 1 is closed).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf-file.h"
#include "ere-private.h"
#include "kmodlite-private.h"

/* ---- the program ---- */

enum op { OP_SET, OP_SPLIT, OP_JUMP, OP_ASSERT, OP_MATCH };

struct insn {
	enum op op;
	unsigned char assertion;
	uint32_t set;
	int32_t x, y; /* OP_SPLIT: both; OP_JUMP: x */
};

struct program {
	struct insn *code;
	size_t len, cap;
	int err;
};

/* Appends an instruction; its index, or -1 when the program is full. */
static int32_t emit(struct program *pg, struct insn insn)
{
	if (pg->err)
		return -1;
	if (pg->len >= ERE_MAX_PROGRAM) {
		pg->err = -E2BIG;
		return -1;
	}
	if (ARRAY_GROW(pg->code, pg->cap, pg->len + 1) < 0) {
		pg->err = -ENOMEM;
		return -1;
	}
	pg->code[pg->len] = insn;
	return (int32_t)pg->len++;
}

static void compile(struct program *pg, const struct ere_node *nodes, int32_t n)
{
	const struct ere_node *node = &nodes[n];
	int32_t at, patches = -1;
	switch (node->kind) {
	case ERE_EMPTY:
		return;
	case ERE_SET:
		emit(pg, (struct insn){ .op = OP_SET, .set = node->set });
		return;
	case ERE_ASSERT:
		emit(pg, (struct insn){ .op = OP_ASSERT, .assertion = node->assertion });
		return;
	case ERE_CAT:
		for (int32_t c = node->first; c >= 0 && !pg->err; c = nodes[c].next)
			compile(pg, nodes, c);
		return;
	case ERE_ALT:
		/* SPLIT to this branch or the next one; each branch but the last
		 * jumps to the end (the jumps are chained through x until then) */
		for (int32_t c = node->first; c >= 0 && !pg->err; c = nodes[c].next) {
			if (nodes[c].next < 0) {
				compile(pg, nodes, c);
				break;
			}
			int32_t split = emit(pg, (struct insn){ .op = OP_SPLIT });
			compile(pg, nodes, c);
			int32_t jump = emit(pg, (struct insn){ .op = OP_JUMP, .x = patches });
			if (pg->err)
				return;
			patches = jump;
			pg->code[split].x = split + 1;
			pg->code[split].y = (int32_t)pg->len;
		}
		while (!pg->err && patches >= 0) {
			int32_t prev = pg->code[patches].x;
			pg->code[patches].x = (int32_t)pg->len;
			patches = prev;
		}
		return;
	case ERE_REPEAT:
		/* every node but ERE_EMPTY emits something (ere-parse.c folds
		 * empty groups into ERE_EMPTY), so these copies stop at the
		 * program's limit; the check keeps that true if it ever isn't */
		for (int32_t i = 0; i < node->min && !pg->err; i++) {
			size_t before = pg->len;
			compile(pg, nodes, node->first);
			if (pg->len == before)
				break;
		}
		if (node->max == ERE_DUP_INFINITY) {
			/* loop: SPLIT into the body or out; the body jumps back */
			at = emit(pg, (struct insn){ .op = OP_SPLIT });
			compile(pg, nodes, node->first);
			emit(pg, (struct insn){ .op = OP_JUMP, .x = at });
			if (!pg->err) {
				pg->code[at].x = at + 1;
				pg->code[at].y = (int32_t)pg->len;
			}
			return;
		}
		/* the optional copies: each SPLITs into itself or to the end */
		for (int32_t i = node->min; i < node->max && !pg->err; i++) {
			at = emit(pg, (struct insn){ .op = OP_SPLIT, .x = patches });
			compile(pg, nodes, node->first);
			patches = at;
		}
		while (!pg->err && patches >= 0) {
			int32_t prev = pg->code[patches].x;
			pg->code[patches].x = patches + 1;
			pg->code[patches].y = (int32_t)pg->len;
			patches = prev;
		}
		return;
	}
}

/* ---- running it ---- */

static bool assertion_holds(unsigned char a, const unsigned char *s, size_t i, size_t len)
{
	bool before = i > 0 && ere_is_word_byte(s[i - 1]);
	bool after = i < len && ere_is_word_byte(s[i]);
	switch (a) {
	case '^':
	case '`':
		return i == 0;
	case '$':
	case '\'':
		return i == len;
	case '<':
		return !before && after;
	case '>':
		return before && !after;
	case 'b':
		return before != after;
	default: /* 'B' */
		return before == after;
	}
}

struct run {
	const struct program *pg;
	const ere_byte_set *sets;
	const unsigned char *s;
	size_t len;
	uint32_t *seen; /* generation in which each instruction was reached */
	int32_t *stack, *cur, *next;
	size_t n_cur, n_next;
};

/* Follows PC's jumps, splits and assertions at position I; the OP_SETs
 * reached go to the current list. True when OP_MATCH is reached. */
static bool add_thread(struct run *r, int32_t pc, size_t i, uint32_t gen)
{
	size_t depth = 0;
	r->stack[depth++] = pc;
	while (depth) {
		pc = r->stack[--depth];
		if (r->seen[pc] == gen)
			continue;
		r->seen[pc] = gen;
		const struct insn *in = &r->pg->code[pc];
		switch (in->op) {
		case OP_MATCH:
			return true;
		case OP_SET:
			r->cur[r->n_cur++] = pc;
			break;
		case OP_JUMP:
			r->stack[depth++] = in->x;
			break;
		case OP_SPLIT:
			r->stack[depth++] = in->y;
			r->stack[depth++] = in->x;
			break;
		case OP_ASSERT:
			if (assertion_holds(in->assertion, r->s, i, r->len))
				r->stack[depth++] = pc + 1;
			break;
		}
	}
	return false;
}

static int run_program(const struct program *pg, const ere_byte_set *sets, const char *subject)
{
	/* an instruction seen for the first time pushes at most 2 others, so
	 * one walk pushes at most 2 per instruction, plus the first */
	struct run r = { pg, sets, (const unsigned char *)subject, strlen(subject), NULL, NULL, NULL, NULL, 0, 0 };
	r.seen = calloc(pg->len, sizeof(*r.seen));
	r.stack = malloc((2 * pg->len + 1) * sizeof(*r.stack));
	r.cur = malloc(pg->len * sizeof(*r.cur));
	r.next = malloc(pg->len * sizeof(*r.next));
	int ret = -ENOMEM;
	if (!r.seen || !r.stack || !r.cur || !r.next)
		goto out;
	ret = 0;
	for (size_t i = 0; i <= r.len && !ret; i++) {
		uint32_t gen = (uint32_t)i + 1;
		r.n_cur = 0;
		/* the threads that consumed the previous byte, then a new start
		 * at this position (the match may begin anywhere) */
		for (size_t t = 0; t < r.n_next && !ret; t++)
			ret = add_thread(&r, r.next[t], i, gen);
		if (!ret)
			ret = add_thread(&r, 0, i, gen);
		r.n_next = 0;
		if (i == r.len)
			break;
		for (size_t t = 0; t < r.n_cur; t++)
			if (ere_set_has(sets[pg->code[r.cur[t]].set], r.s[i]))
				r.next[r.n_next++] = r.cur[t] + 1;
	}
out:
	free(r.seen);
	free(r.stack);
	free(r.cur);
	free(r.next);
	return ret;
}

int ere_match(const char *pattern, const char *subject)
{
	struct ere_tree tree = { 0 };
	struct program pg = { 0 };
	int32_t root = ere_parse(pattern, &tree);
	int r = root < 0 ? root : 0;
	if (!r) {
		compile(&pg, tree.nodes, root);
		emit(&pg, (struct insn){ .op = OP_MATCH });
		r = pg.err;
	}
	if (!r)
		r = run_program(&pg, (const ere_byte_set *)tree.sets, subject);
	free(pg.code);
	ere_tree_release(&tree);
	return r;
}
