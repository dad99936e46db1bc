// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writer for the modules.*.bin trie indexes (layout in formats.md).
 *
 * Keys go into a radix tree in memory: each node holds the characters it
 * consumes after its edge byte (its prefix), its values sorted by priority,
 * and its children sorted by edge byte. Serialising writes the root right
 * after the header and every node before its children (pre-order), patching
 * each child table once the children's offsets are known.
 */
#include <errno.h>

#include "index-write.h"
#include "kmodlite-private.h"

#define INDEX_MAGIC 0xB007F457u
#define INDEX_VERSION 0x00020001u
#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDREN 0x20000000u
#define NODE_OFFSET_MAX 0x0FFFFFFFu

struct wvalue {
	unsigned int priority;
	char *value;
};

/* Nodes, their strings and their arrays all live in the writer's arena:
 * adding is a bump of a pointer, freeing the writer is a few free()s. An
 * array that fills up is copied to one twice its size (the old one stays in
 * the arena, at most doubling what the arrays take). */
struct wnode {
	char *prefix; /* NUL-terminated, may be empty */
	struct wvalue *values;
	size_t value_count, value_cap;
	struct wchild *children;
	size_t child_count, child_cap;
};

struct wchild {
	unsigned char byte;
	struct wnode *node;
};

struct kml_index_writer {
	struct arena arena;
	struct wnode *root;
	size_t entries;
};

static struct wnode *wnode_new(struct kml_index_writer *w, const char *prefix, size_t len)
{
	struct wnode *n = arena_alloc(&w->arena, sizeof(*n));
	if (!n)
		return NULL;
	n->prefix = arena_strndup(&w->arena, prefix, len);
	return n->prefix ? n : NULL;
}

/* Room for one more element in the array *ITEMS of COUNT (capacity *CAP).
 * Unlike array_grow(), the arrays live in the writer's arena: an outgrown
 * block is left there, freed with the rest. */
static int grow(struct kml_index_writer *w, void **items, size_t count, size_t *cap, size_t size)
{
	if (count < *cap)
		return 0;
	size_t new_cap = *cap ? 2 * *cap : 1, bytes;
	if (new_cap < *cap || __builtin_mul_overflow(new_cap, size, &bytes))
		return -ENOMEM;
	void *p = arena_alloc(&w->arena, bytes);
	if (!p)
		return -ENOMEM;
	if (count)
		memcpy(p, *items, count * size);
	*items = p;
	*cap = new_cap;
	return 0;
}

int kml_index_writer_new(struct kml_index_writer **ret_writer)
{
	struct kml_index_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->root = wnode_new(w, "", 0);
	if (!w->root) {
		kml_index_writer_free(w);
		return -ENOMEM;
	}
	*ret_writer = w;
	return 0;
}

void kml_index_writer_free(struct kml_index_writer *w)
{
	if (!w)
		return;
	arena_release(&w->arena);
	free(w);
}

/* Inserts before the first value of equal or higher priority, so that among
 * equal priorities the newest comes first, as the format asks. Returns 1
 * when the node already held VALUE (the duplicate is still added). */
static int wnode_add_value(struct kml_index_writer *w, struct wnode *n, const char *value,
			   unsigned int priority)
{
	int duplicate = 0;
	size_t pos = n->value_count;
	for (size_t i = 0; i < n->value_count; i++) {
		if (streq(n->values[i].value, value))
			duplicate = 1;
		if (pos == n->value_count && n->values[i].priority >= priority)
			pos = i;
	}
	char *copy = arena_strndup(&w->arena, value, strlen(value));
	if (!copy || grow(w, (void **)&n->values, n->value_count, &n->value_cap, sizeof(*n->values)) < 0)
		return -ENOMEM;
	struct wvalue *v = n->values;
	memmove(&v[pos + 1], &v[pos], (n->value_count - pos) * sizeof(*v));
	v[pos] = (struct wvalue){ .priority = priority, .value = copy };
	n->value_count++;
	return duplicate;
}

/* Index of the child for BYTE, or where it would be inserted (*found false). */
static size_t wnode_child_pos(const struct wnode *n, unsigned char byte, bool *found)
{
	size_t lo = 0, hi = n->child_count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (n->children[mid].byte == byte) {
			*found = true;
			return mid;
		}
		if (n->children[mid].byte < byte)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int wnode_insert_child(struct kml_index_writer *w, struct wnode *n, size_t pos,
			      unsigned char byte, struct wnode *child)
{
	if (grow(w, (void **)&n->children, n->child_count, &n->child_cap, sizeof(*n->children)) < 0)
		return -ENOMEM;
	struct wchild *c = n->children;
	memmove(&c[pos + 1], &c[pos], (n->child_count - pos) * sizeof(*c));
	c[pos] = (struct wchild){ .byte = byte, .node = child };
	n->child_count++;
	return 0;
}

/* Splits N after L prefix characters: N keeps prefix[0..L), a new child
 * under edge prefix[L] takes the rest with N's values and children. */
static int wnode_split(struct kml_index_writer *w, struct wnode *n, size_t l)
{
	struct wnode *tail = wnode_new(w, n->prefix + l + 1, strlen(n->prefix + l + 1));
	if (!tail)
		return -ENOMEM;
	unsigned char edge = (unsigned char)n->prefix[l];
	struct wnode keep = *n;
	tail->values = n->values;
	tail->value_count = n->value_count;
	tail->value_cap = n->value_cap;
	tail->children = n->children;
	tail->child_count = n->child_count;
	tail->child_cap = n->child_cap;
	n->values = NULL;
	n->value_count = n->value_cap = 0;
	n->children = NULL;
	n->child_count = n->child_cap = 0;
	n->prefix[l] = '\0';
	int r = wnode_insert_child(w, n, 0, edge, tail);
	if (r < 0) {
		/* undo: nothing is lost but arena room */
		*n = keep;
		n->prefix[l] = (char)edge;
	}
	return r;
}

int kml_index_writer_add(struct kml_index_writer *w, const char *key, const char *value,
			 unsigned int priority)
{
	for (const unsigned char *k = (const unsigned char *)key; *k; k++)
		if (*k >= 128)
			return -EINVAL;
	struct wnode *n = w->root;
	const char *k = key;
	for (;;) {
		size_t l = 0;
		while (n->prefix[l] && n->prefix[l] == k[l])
			l++;
		if (n->prefix[l]) {
			int r = wnode_split(w, n, l);
			if (r < 0)
				return r;
		}
		k += l;
		if (*k == '\0')
			break;
		bool found;
		size_t pos = wnode_child_pos(n, (unsigned char)*k, &found);
		if (!found) {
			struct wnode *child = wnode_new(w, k + 1, strlen(k + 1));
			if (!child)
				return -ENOMEM;
			int r = wnode_insert_child(w, n, pos, (unsigned char)*k, child);
			if (r < 0)
				return r;
			n = child;
			break;
		}
		n = n->children[pos].node;
		k++;
	}
	int r = wnode_add_value(w, n, value, priority);
	if (r >= 0)
		w->entries++;
	return r;
}

static int put_be32(struct strbuf *sb, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	return strbuf_append(sb, b, 4);
}

static void patch_be32(struct strbuf *sb, size_t at, uint32_t v)
{
	uint8_t *p = (uint8_t *)sb->data + at;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Writes N and its subtree; *ret_word is N's offset word. */
static int write_node(struct strbuf *sb, const struct wnode *n, uint32_t *ret_word)
{
	if (sb->len > NODE_OFFSET_MAX)
		return -EFBIG;
	uint32_t word = (uint32_t)sb->len;
	int r = 0;
	if (n->prefix[0]) {
		word |= NODE_PREFIX;
		r = strbuf_append(sb, n->prefix, strlen(n->prefix) + 1);
	}
	size_t table = 0;
	unsigned char first = 0, last = 0;
	if (r == 0 && n->child_count > 0) {
		word |= NODE_CHILDREN;
		first = n->children[0].byte;
		last = n->children[n->child_count - 1].byte;
		uint8_t range[2] = { first, last };
		r = strbuf_append(sb, range, 2);
		table = sb->len;
		for (unsigned c = first; r == 0 && c <= last; c++)
			r = put_be32(sb, 0);
	}
	if (r == 0 && n->value_count > 0) {
		word |= NODE_VALUES;
		r = put_be32(sb, (uint32_t)n->value_count);
		for (size_t i = 0; r == 0 && i < n->value_count; i++) {
			r = put_be32(sb, n->values[i].priority);
			if (r == 0)
				r = strbuf_append(sb, n->values[i].value, strlen(n->values[i].value) + 1);
		}
	}
	for (size_t i = 0; r == 0 && i < n->child_count; i++) {
		uint32_t child;
		r = write_node(sb, n->children[i].node, &child);
		if (r == 0)
			patch_be32(sb, table + 4 * (size_t)(n->children[i].byte - first), child);
	}
	*ret_word = word;
	return r;
}

int kml_index_writer_build(const struct kml_index_writer *w, void **ret_data, size_t *ret_size)
{
	struct strbuf sb = { 0 };
	int r = put_be32(&sb, INDEX_MAGIC);
	if (r == 0)
		r = put_be32(&sb, INDEX_VERSION);
	if (r == 0)
		r = put_be32(&sb, 0);
	uint32_t root = 0;
	if (r == 0)
		r = write_node(&sb, w->root, &root);
	if (r < 0) {
		free(sb.data);
		return r;
	}
	patch_be32(&sb, 8, root);
	*ret_data = sb.data;
	*ret_size = sb.len;
	return 0;
}
