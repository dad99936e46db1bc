// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ere.c's parser: a POSIX extended regular expression into a tree, with
 * glibc's grammar and its judgement of what is invalid (the C locale).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf-file.h"
#include "ere-private.h"
#include "kmodlite-private.h"

#define DUP_MAX 0x7fff	 /* RE_DUP_MAX */
#define MAX_NESTING 200	 /* groups within groups */
#define NAME_MAX_LEN 32	 /* a class or collating name, as glibc's buffer */

/* ---- tokens, as glibc's peek_token() sees them in an ERE ---- */

enum token_type {
	T_END,
	T_CHAR,	    /* ordinary byte c */
	T_ALT,	    /* | */
	T_STAR,	    /* * */
	T_PLUS,	    /* + */
	T_QUESTION, /* ? */
	T_OPEN_DUP, /* { */
	T_CLOSE_DUP,
	T_OPEN, /* ( */
	T_CLOSE,
	T_BRACKET, /* [ */
	T_PERIOD,
	T_ANCHOR, /* ^ $ \` \' \b \B \< \>: c says which */
	T_CLASS,  /* \w \W \s \S: c says which */
	T_BACKREF,
	T_BAD_ESCAPE, /* a backslash at the end */
};

struct token {
	enum token_type type;
	unsigned char c;
	unsigned char len;
};

static struct token peek_token(const char *p)
{
	unsigned char c = (unsigned char)p[0];
	switch (c) {
	case '\0':
		return (struct token){ T_END, 0, 0 };
	case '\\': {
		unsigned char e = (unsigned char)p[1];
		if (!e)
			return (struct token){ T_BAD_ESCAPE, 0, 1 };
		if (e >= '1' && e <= '9')
			return (struct token){ T_BACKREF, e, 2 };
		if (strchr("<>bB`'", e))
			return (struct token){ T_ANCHOR, e, 2 };
		if (strchr("wWsS", e))
			return (struct token){ T_CLASS, e, 2 };
		return (struct token){ T_CHAR, e, 2 };
	}
	case '|':
		return (struct token){ T_ALT, c, 1 };
	case '*':
		return (struct token){ T_STAR, c, 1 };
	case '+':
		return (struct token){ T_PLUS, c, 1 };
	case '?':
		return (struct token){ T_QUESTION, c, 1 };
	case '{':
		return (struct token){ T_OPEN_DUP, c, 1 };
	case '}':
		return (struct token){ T_CLOSE_DUP, c, 1 };
	case '(':
		return (struct token){ T_OPEN, c, 1 };
	case ')':
		return (struct token){ T_CLOSE, c, 1 };
	case '[':
		return (struct token){ T_BRACKET, c, 1 };
	case '.':
		return (struct token){ T_PERIOD, c, 1 };
	case '^':
	case '$':
		return (struct token){ T_ANCHOR, c, 1 };
	default:
		return (struct token){ T_CHAR, c, 1 };
	}
}

/* ---- the tree ---- */

struct parser {
	const char *p;
	struct token tok;
	int err; /* 0, -EINVAL, -ENOTSUP, -E2BIG, -ENOMEM */
	struct ere_tree *t;
};

static void next_token(struct parser *ps)
{
	ps->p += ps->tok.len;
	ps->tok = peek_token(ps->p);
}

/* A new node of KIND, or -1 (ps->err set). */
static int32_t new_node(struct parser *ps, enum ere_node_kind kind)
{
	struct ere_tree *t = ps->t;
	if (t->n_nodes >= INT32_MAX ||
	    ARRAY_GROW(t->nodes, t->cap_nodes, t->n_nodes + 1) < 0) {
		ps->err = -ENOMEM;
		return -1;
	}
	t->nodes[t->n_nodes] = (struct ere_node){ .kind = kind, .first = -1, .next = -1, .last = -1 };
	return (int32_t)t->n_nodes++;
}

/* A new ERE_SET node with an empty set, or -1. */
static int32_t new_set_node(struct parser *ps)
{
	struct ere_tree *t = ps->t;
	if (ARRAY_GROW(t->sets, t->cap_sets, t->n_sets + 1) < 0) {
		ps->err = -ENOMEM;
		return -1;
	}
	int32_t n = new_node(ps, ERE_SET);
	if (n < 0)
		return -1;
	memset(t->sets[t->n_sets], 0, sizeof(ere_byte_set));
	t->nodes[n].set = (uint32_t)t->n_sets++;
	return n;
}

static void set_add(ere_byte_set s, unsigned char c)
{
	s[c >> 6] |= (uint64_t)1 << (c & 63);
}

static void set_invert(ere_byte_set s)
{
	for (int i = 0; i < 4; i++)
		s[i] = ~s[i];
	s[0] &= ~(uint64_t)1; /* NUL is never in the subject */
}

static void append_child(struct parser *ps, int32_t parent, int32_t child)
{
	struct ere_node *p = &ps->t->nodes[parent];
	if (p->last < 0)
		p->first = child;
	else
		ps->t->nodes[p->last].next = child;
	p->last = child;
}

bool ere_is_word_byte(unsigned char c)
{
	return c == '_' || char_class_has("alnum", 5, c) == 1;
}

/* '.' (every byte), \w \W (word bytes or not), \s \S (space or not). */
static void fill_class(ere_byte_set set, struct token tok)
{
	for (unsigned c = 1; c < 256; c++) {
		bool in = true;
		if (tok.type == T_CLASS && (tok.c == 'w' || tok.c == 'W'))
			in = ere_is_word_byte((unsigned char)c) == (tok.c == 'w');
		else if (tok.type == T_CLASS)
			in = (char_class_has("space", 5, (unsigned char)c) == 1) == (tok.c == 's');
		if (in)
			set_add(set, (unsigned char)c);
	}
}

/* ---- bracket expressions ---- */

enum elem_type { E_CHAR, E_COLLATING, E_EQUIVALENCE, E_CLASS };

struct bracket_elem {
	enum elem_type type;
	unsigned char c;
	char name[NAME_MAX_LEN + 1];
};

enum btoken_type { B_END, B_CHAR, B_RANGE, B_CLOSE, B_NOT, B_OPEN_COLL, B_OPEN_EQUIV, B_OPEN_CLASS };

struct btoken {
	enum btoken_type type;
	unsigned char c;
	unsigned char len;
};

static struct btoken peek_bracket_token(const char *p)
{
	unsigned char c = (unsigned char)p[0];
	if (!c)
		return (struct btoken){ B_END, 0, 0 };
	if (c == '[') {
		switch (p[1]) {
		case '.':
			return (struct btoken){ B_OPEN_COLL, '.', 2 };
		case '=':
			return (struct btoken){ B_OPEN_EQUIV, '=', 2 };
		case ':':
			return (struct btoken){ B_OPEN_CLASS, ':', 2 };
		default:
			return (struct btoken){ B_CHAR, c, 1 };
		}
	}
	if (c == '-')
		return (struct btoken){ B_RANGE, c, 1 };
	if (c == ']')
		return (struct btoken){ B_CLOSE, c, 1 };
	if (c == '^')
		return (struct btoken){ B_NOT, c, 1 };
	return (struct btoken){ B_CHAR, c, 1 };
}

/* The name of "[.name.]", "[=name=]" or "[:name:]", the opening already
 * taken (P after it); returns what follows the closing, or NULL. */
static const char *bracket_symbol(const char *p, unsigned char delim, struct bracket_elem *e)
{
	size_t i = 0;
	if (!*p)
		return NULL;
	for (;; i++) {
		if (i >= NAME_MAX_LEN)
			return NULL;
		unsigned char ch = (unsigned char)*p++;
		if (!*p)
			return NULL;
		if (ch == delim && *p == ']')
			break;
		e->name[i] = (char)ch;
	}
	e->name[i] = '\0';
	return p + 1;
}

/* One member at P (its token TOK, not yet taken); returns what follows it,
 * or NULL when it is invalid. A '-' is a member only first or last. */
static const char *bracket_elem(const char *p, struct btoken tok, bool accept_hyphen,
				struct bracket_elem *e)
{
	p += tok.len;
	switch (tok.type) {
	case B_OPEN_COLL:
		e->type = E_COLLATING;
		return bracket_symbol(p, '.', e);
	case B_OPEN_EQUIV:
		e->type = E_EQUIVALENCE;
		return bracket_symbol(p, '=', e);
	case B_OPEN_CLASS:
		e->type = E_CLASS;
		return bracket_symbol(p, ':', e);
	case B_RANGE:
		if (!accept_hyphen && peek_bracket_token(p).type != B_CLOSE)
			return NULL;
		break;
	default:
		break;
	}
	e->type = E_CHAR;
	e->c = tok.c;
	return p;
}

/* The byte a range end stands for, or -1 when it can be none. */
static int range_end(const struct bracket_elem *e)
{
	if (e->type == E_CHAR)
		return e->c;
	if (e->type == E_COLLATING && strlen(e->name) == 1)
		return (unsigned char)e->name[0];
	return -1;
}

/* Adds a member that is not a range; false when it is invalid. */
static bool bracket_add(ere_byte_set s, const struct bracket_elem *e)
{
	switch (e->type) {
	case E_CHAR:
		set_add(s, e->c);
		return true;
	case E_COLLATING:
	case E_EQUIVALENCE:
		/* the C locale knows single characters only */
		if (strlen(e->name) != 1)
			return false;
		set_add(s, (unsigned char)e->name[0]);
		return true;
	case E_CLASS:
		if (char_class_has(e->name, strlen(e->name), 'a') < 0)
			return false;
		for (unsigned c = 1; c < 256; c++)
			if (char_class_has(e->name, strlen(e->name), (unsigned char)c) == 1)
				set_add(s, (unsigned char)c);
		return true;
	}
	return false;
}

/* At '[': a set node for the whole bracket expression, or -1. */
static int32_t parse_bracket(struct parser *ps)
{
	const char *p = ps->p + 1;
	int32_t n = new_set_node(ps);
	if (n < 0)
		return -1;
	uint64_t *set = ps->t->sets[ps->t->nodes[n].set];
	bool negate = false, first = true;
	struct btoken tok = peek_bracket_token(p);
	if (tok.type == B_NOT) {
		negate = true;
		p += tok.len;
		tok = peek_bracket_token(p);
	}
	if (tok.type == B_CLOSE)
		tok.type = B_CHAR; /* "[]" and "[^]" start with a member ']' */
	for (;;) {
		struct bracket_elem start, end;
		if (tok.type == B_END || !(p = bracket_elem(p, tok, first, &start)))
			goto invalid;
		first = false;
		tok = peek_bracket_token(p);
		bool range = false;
		struct btoken tok2 = { B_END, 0, 0 };
		if (start.type != E_CLASS && start.type != E_EQUIVALENCE) {
			if (tok.type == B_END)
				goto invalid;
			if (tok.type == B_RANGE) {
				tok2 = peek_bracket_token(p + tok.len);
				if (tok2.type == B_END)
					goto invalid;
				if (tok2.type == B_CLOSE) {
					tok.type = B_CHAR; /* a '-' before ']' is a member */
				} else {
					range = true;
					p += tok.len;
				}
			}
		}
		if (range) {
			if (!(p = bracket_elem(p, tok2, true, &end)))
				goto invalid;
			tok = peek_bracket_token(p);
			int lo = range_end(&start), hi = range_end(&end);
			if (lo < 0 || hi < 0 || lo > hi)
				goto invalid;
			for (int c = lo; c <= hi; c++)
				set_add(set, (unsigned char)c);
		} else if (!bracket_add(set, &start)) {
			goto invalid;
		}
		if (tok.type == B_END)
			goto invalid;
		if (tok.type == B_CLOSE)
			break;
	}
	ps->p = p;
	ps->tok = (struct token){ T_CHAR, ']', 1 }; /* next_token() takes it */
	set[0] &= ~(uint64_t)1;
	if (negate)
		set_invert(set);
	return n;
invalid:
	ps->err = -EINVAL;
	return -1;
}

/* ---- the parser, following glibc's grammar ---- */

static int32_t parse_alternatives(struct parser *ps, unsigned nest);

static bool ends_branch(const struct parser *ps, unsigned nest)
{
	return ps->tok.type == T_ALT || ps->tok.type == T_END ||
	       (nest > 0 && ps->tok.type == T_CLOSE);
}

/* glibc's fetch_number(): digits up to '}' or ','; -1 when there are none,
 * -2 when something else came (or the end), DUP_MAX + 1 when too large. */
static int32_t interval_number(struct parser *ps)
{
	int32_t num = -1;
	for (;;) {
		next_token(ps);
		if (ps->tok.type == T_END)
			return -2;
		if (ps->tok.type == T_CLOSE_DUP || (ps->tok.type == T_CHAR && ps->tok.c == ','))
			return num;
		unsigned char c = ps->tok.c;
		if (ps->tok.type != T_CHAR || c < '0' || c > '9' || num == -2)
			num = -2;
		else if (num == -1)
			num = c - '0';
		else if ((num = num * 10 + (c - '0')) > DUP_MAX)
			num = DUP_MAX + 1;
	}
}

/* A repetition operator (the current token) applied to ELEM. */
static int32_t parse_repeat(struct parser *ps, int32_t elem)
{
	int32_t min, max, r;
	switch (ps->tok.type) {
	case T_STAR:
		min = 0, max = ERE_DUP_INFINITY;
		break;
	case T_PLUS:
		min = 1, max = ERE_DUP_INFINITY;
		break;
	case T_QUESTION:
		min = 0, max = 1;
		break;
	default: /* '{' */
		min = interval_number(ps);
		if (min == -1) {
			if (ps->tok.type != T_CHAR) /* "{}" */
				goto invalid;
			min = 0; /* "{,n}" */
		}
		if (min == -2)
			goto invalid;
		if (ps->tok.type == T_CLOSE_DUP)
			max = min;
		else
			max = interval_number(ps); /* -1 ("{m,}") is ERE_DUP_INFINITY */
		if (max == -2 || (max != ERE_DUP_INFINITY && min > max) ||
		    ps->tok.type != T_CLOSE_DUP || (max == ERE_DUP_INFINITY ? min : max) > DUP_MAX)
			goto invalid;
		break;
	}
	next_token(ps);
	if (ps->t->nodes[elem].kind == ERE_EMPTY || (min == 0 && max == 0)) {
		ps->t->nodes[elem].kind = ERE_EMPTY;
		return elem;
	}
	if ((r = new_node(ps, ERE_REPEAT)) < 0)
		return -1;
	ps->t->nodes[r].first = elem;
	ps->t->nodes[r].min = min;
	ps->t->nodes[r].max = max;
	return r;
invalid:
	ps->err = -EINVAL;
	return -1;
}

/* One atom and the repetitions that follow it. */
static int32_t parse_expression(struct parser *ps, unsigned nest)
{
	int32_t n;
	struct token tok = ps->tok;
	switch (tok.type) {
	case T_END:
	case T_ALT:
		return new_node(ps, ERE_EMPTY);
	case T_BAD_ESCAPE:
	case T_STAR:
	case T_PLUS:
	case T_QUESTION:
	case T_OPEN_DUP: /* a repetition of nothing */
		ps->err = -EINVAL;
		return -1;
	case T_BACKREF:
		ps->err = -ENOTSUP;
		return -1;
	case T_ANCHOR:
		/* as in glibc, no repetition applies to an anchor: "^*" is
		 * "^" followed by a repetition of nothing */
		n = new_node(ps, ERE_ASSERT);
		if (n >= 0)
			ps->t->nodes[n].assertion = tok.c;
		next_token(ps);
		return n;
	case T_OPEN:
		if (nest >= MAX_NESTING) {
			ps->err = -E2BIG;
			return -1;
		}
		next_token(ps);
		if (ps->tok.type == T_CLOSE)
			n = new_node(ps, ERE_EMPTY);
		else
			n = parse_alternatives(ps, nest + 1);
		if (n < 0)
			return -1;
		if (ps->tok.type != T_CLOSE) {
			ps->err = -EINVAL;
			return -1;
		}
		break;
	case T_BRACKET:
		n = parse_bracket(ps);
		break;
	case T_PERIOD:
	case T_CLASS:
		if ((n = new_set_node(ps)) >= 0)
			fill_class(ps->t->sets[ps->t->nodes[n].set], tok);
		break;
	default: /* an ordinary byte, or ')' at the top, or '}' */
		n = new_set_node(ps);
		if (n >= 0)
			set_add(ps->t->sets[ps->t->nodes[n].set], tok.c);
		break;
	}
	if (n < 0)
		return -1;
	next_token(ps);
	while (ps->tok.type == T_STAR || ps->tok.type == T_PLUS || ps->tok.type == T_QUESTION ||
	       ps->tok.type == T_OPEN_DUP)
		if ((n = parse_repeat(ps, n)) < 0)
			return -1;
	return n;
}

/* A branch whose members all match the empty string only ("()", "a{0}") is
 * itself ERE_EMPTY, and so is a choice between such branches ("(|)"): the
 * compiler then never loops over copies of a body that emits nothing, so
 * "((()){32767}){32767}" costs no more than its size. */
static int32_t parse_branch(struct parser *ps, unsigned nest)
{
	int32_t cat = new_node(ps, ERE_CAT);
	bool empty = true;
	if (cat < 0)
		return -1;
	do {
		int32_t e = parse_expression(ps, nest);
		if (e < 0)
			return -1;
		empty &= ps->t->nodes[e].kind == ERE_EMPTY;
		append_child(ps, cat, e);
	} while (!ends_branch(ps, nest));
	if (empty)
		ps->t->nodes[cat].kind = ERE_EMPTY;
	return cat;
}

static int32_t parse_alternatives(struct parser *ps, unsigned nest)
{
	int32_t alt = new_node(ps, ERE_ALT);
	if (alt < 0)
		return -1;
	bool empty = true;
	int32_t branch = parse_branch(ps, nest);
	for (;;) {
		if (branch < 0)
			return -1;
		empty &= ps->t->nodes[branch].kind == ERE_EMPTY;
		append_child(ps, alt, branch);
		if (ps->tok.type != T_ALT)
			break;
		next_token(ps);
		branch = ends_branch(ps, nest) ? new_node(ps, ERE_EMPTY) : parse_branch(ps, nest);
	}
	if (empty)
		ps->t->nodes[alt].kind = ERE_EMPTY;
	return alt;
}

int32_t ere_parse(const char *pattern, struct ere_tree *tree)
{
	if (strlen(pattern) > ERE_MAX_PATTERN)
		return -E2BIG;
	struct parser ps = { .p = pattern, .tok = peek_token(pattern), .t = tree };
	int32_t root = parse_alternatives(&ps, 0);
	return ps.err ? ps.err : root;
}

void ere_tree_release(struct ere_tree *tree)
{
	free(tree->nodes);
	free(tree->sets);
}
