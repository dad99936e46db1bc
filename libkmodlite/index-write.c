// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writer for the modules.*.bin trie indexes (layout in formats.md).
 *
 * Keys go into a radix tree in memory: each node holds the characters it
 * consumes after its edge byte (its prefix), its values sorted by priority,
 * and a table of its children indexed by edge byte, much like the file's own
 * child table. The file's size is kept up to date as keys come, so building
 * is one walk writing every node right before its children (pre-order) into
 * a buffer of exactly that size, each child's offset word as it is reached.
 *
 * depmod adds some 45000 keys per run, so adding is kept cheap: one compare
 * per key byte on the way down (a byte that matched a stored one is ASCII
 * already, so only the unmatched rest of a key is checked), a direct table
 * look-up per child, and memory taken from the writer's own chunks.
 */
#include <endian.h>
#include <errno.h>

#include "index-write.h"
#include "kmodlite-private.h"

#define INDEX_MAGIC 0xB007F457u
#define INDEX_VERSION 0x00020001u
#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDREN 0x20000000u
#define NODE_OFFSET_MAX 0x0FFFFFFFu
#define HEADER_SIZE 12u
#define EDGE_LIMIT 128u /* edge bytes are 1..127 */

struct wvalue {
	struct wvalue *next;
	const char *str; /* LEN characters, no NUL */
	size_t len;
	unsigned int priority;
};

struct wnode {
	const char *prefix; /* PREFIX_LEN characters, no NUL; may share a parent's old prefix */
	size_t prefix_len;
	struct wvalue *values; /* by priority; among equal ones the newest first */
	size_t value_count;
	size_t value_bytes;   /* what the values take in the file, count word excluded */
	struct wnode **slots; /* the child of edge byte B at slots[B - lo], or NULL */
	uint8_t lo, cap;      /* the table spans lo..lo+cap-1; cap 0: no children */
	uint8_t first, last;  /* the lowest and highest edge byte present (when cap > 0) */
};

/* Nodes, tables, values and copied strings live in chunks freed with the
 * writer. Objects are taken from the low end of the current chunk's free
 * room and strings from its high end, so objects stay aligned. */
struct wchunk {
	struct wchunk *next;
	max_align_t data[];
};

#define CHUNK_ROOM ((size_t)128 << 10)

struct kml_index_writer {
	struct wnode *root;
	size_t size; /* the file's: the header and every node, kept up to date */
	struct wchunk *chunks;
	char *low; /* the free room of the current chunk: ROOM bytes from LOW */
	size_t room;
};

/* Makes sure SIZE bytes can be taken without failing: an addition reserves
 * all it needs before changing the tree, so a failure leaves it as it was.
 * A chunk's leftover is abandoned when the next one is started. */
static int reserve(struct kml_index_writer *w, size_t size)
{
	if (size <= w->room)
		return 0;
	size_t room = size > CHUNK_ROOM ? size : CHUNK_ROOM;
	if (room > SIZE_MAX - sizeof(struct wchunk))
		return -ENOMEM;
	struct wchunk *c = malloc(sizeof(*c) + room);
	if (!c)
		return -ENOMEM;
	c->next = w->chunks;
	w->chunks = c;
	w->low = (char *)c->data;
	w->room = room;
	return 0;
}

/* SIZE (a multiple of the pointer size) bytes of reserved room for objects. */
static void *take_object(struct kml_index_writer *w, size_t size)
{
	void *p = w->low;
	w->low += size;
	w->room -= size;
	return p;
}

static const char *take_copy(struct kml_index_writer *w, const char *s, size_t len)
{
	w->room -= len;
	return memcpy(w->low + w->room, s, len);
}

#define OBJECT_SIZE(type) ((sizeof(type) + sizeof(void *) - 1) & ~(sizeof(void *) - 1))

int kml_index_writer_new(struct kml_index_writer **ret_writer)
{
	struct kml_index_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (reserve(w, OBJECT_SIZE(struct wnode)) < 0) {
		free(w);
		return -ENOMEM;
	}
	w->root = take_object(w, OBJECT_SIZE(struct wnode));
	*w->root = (struct wnode){ .prefix = "" };
	w->size = HEADER_SIZE;
	*ret_writer = w;
	return 0;
}

void kml_index_writer_free(struct kml_index_writer *w)
{
	if (!w)
		return;
	for (struct wchunk *c = w->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(w);
}

/* The size of N's child table in the file. */
static size_t table_bytes(const struct wnode *n)
{
	return n->cap ? 2 + 4 * (size_t)(n->last - n->first + 1) : 0;
}

/* The child table N needs to take edge byte B: *RET_LO and *RET_CAP, the
 * span of a new table when B falls outside the current one (*RET_CAP 0 when
 * it fits). A new table is at least twice the old one, with its room on the
 * side B came from, so a node is re-tabled only a few times. */
static void table_plan(const struct wnode *n, unsigned b, unsigned *ret_lo, unsigned *ret_cap)
{
	*ret_lo = 0;
	*ret_cap = 0;
	if (b - n->lo < n->cap)
		return;
	unsigned first = b, last = b;
	if (n->cap) {
		first = n->first < b ? n->first : b;
		last = n->last > b ? n->last : b;
	}
	unsigned cap = 2u * n->cap;
	if (cap < last - first + 1)
		cap = last - first + 1;
	if (cap > EDGE_LIMIT)
		cap = EDGE_LIMIT;
	unsigned lo = first;
	if (b == first && n->cap)
		lo = last + 1 >= cap ? last + 1 - cap : 0;
	if (lo + cap > EDGE_LIMIT)
		lo = EDGE_LIMIT - cap;
	*ret_lo = lo;
	*ret_cap = cap;
}

/* Puts CHILD under edge byte B of N, in a new table of span LO..LO+CAP-1
 * from reserved room when CAP (from table_plan()) is not 0. */
static void table_put(struct kml_index_writer *w, struct wnode *n, unsigned b, struct wnode *child,
		      unsigned lo, unsigned cap)
{
	size_t before = table_bytes(n);
	if (cap) {
		struct wnode **slots = take_object(w, cap * sizeof(*slots));
		memset(slots, 0, cap * sizeof(*slots));
		if (n->cap)
			memcpy(&slots[n->first - lo], &n->slots[n->first - n->lo],
			       (size_t)(n->last - n->first + 1) * sizeof(*slots));
		n->slots = slots;
		n->lo = (uint8_t)lo;
		n->cap = (uint8_t)cap;
	}
	n->slots[b - n->lo] = child;
	if (!n->first || b < n->first)
		n->first = (uint8_t)b;
	if (b > n->last)
		n->last = (uint8_t)b;
	w->size += table_bytes(n) - before;
}

/* Inserts before the first value of equal or higher priority, so that among
 * equal priorities the newest comes first, as the format asks. Returns 1
 * when the node already held VALUE (the duplicate is still added). */
static int node_add_value(struct wnode *n, struct wvalue *v)
{
	int duplicate = 0;
	struct wvalue **at = NULL, **pp;
	for (pp = &n->values; *pp; pp = &(*pp)->next) {
		const struct wvalue *o = *pp;
		if (!at && o->priority >= v->priority)
			at = pp;
		if (!duplicate && o->len == v->len && memcmp(o->str, v->str, v->len) == 0)
			duplicate = 1;
	}
	if (!at)
		at = pp;
	v->next = *at;
	*at = v;
	n->value_count++;
	n->value_bytes += 4 + v->len + 1;
	return duplicate;
}

/* Whether the LEN bytes at S are all below 128, eight at a time. */
static bool ascii(const unsigned char *s, size_t len)
{
	uint64_t bits = 0, x;
	uint32_t y;
	if (len >= 8) {
		for (size_t i = 0; i + 8 < len; i += 8) {
			memcpy(&x, s + i, 8);
			bits |= x;
		}
		memcpy(&x, s + len - 8, 8); /* the last eight, maybe again */
		bits |= x;
	} else if (len >= 4) {
		memcpy(&y, s, 4);
		bits = y;
		memcpy(&y, s + len - 4, 4);
		bits |= y;
	} else {
		for (size_t i = 0; i < len; i++)
			bits |= s[i];
	}
	return !(bits & 0x8080808080808080u);
}

int kml_index_writer_add(struct kml_index_writer *w, const char *key, const char *value,
			 unsigned int priority)
{
	/* Down the tree as far as KEY matches: N, and L characters of its
	 * prefix. Every byte matched equals a stored one, so is ASCII. */
	const unsigned char *k = (const unsigned char *)key;
	struct wnode *n = w->root;
	size_t l;
	bool split = false;
	for (;;) {
		const unsigned char *p = (const unsigned char *)n->prefix;
		size_t pl = n->prefix_len;
		for (l = 0; l < pl && p[l] == k[l]; l++)
			;
		k += l;
		if (l < pl) {
			split = true;
			break;
		}
		unsigned idx = (unsigned)*k - n->lo;
		if (!*k || idx >= n->cap || !n->slots[idx])
			break;
		n = n->slots[idx];
		k++;
	}
	/* REST: the key from where it leaves the tree, checked now */
	const unsigned char *rest = k;
	size_t rest_len = strlen((const char *)rest);
	if (!ascii(rest, rest_len))
		return -EINVAL;
	size_t value_len = strlen(value);

	size_t need = OBJECT_SIZE(struct wvalue) + value_len;
	unsigned lo = 0, cap = 0, edge = 0, rest_edge = rest_len ? rest[0] : 0;
	if (split) {
		/* N keeps L characters and gets a table of the edge to the
		 * tail (the rest of N) and the edge to the rest of KEY */
		edge = (unsigned char)n->prefix[l];
		lo = rest_edge && rest_edge < edge ? rest_edge : edge;
		cap = (rest_edge > edge ? rest_edge : edge) - lo + 1;
		need += OBJECT_SIZE(struct wnode) + cap * sizeof(struct wnode *);
	} else if (rest_len) {
		table_plan(n, rest_edge, &lo, &cap);
		need += cap * sizeof(struct wnode *);
	}
	if (rest_len)
		need += OBJECT_SIZE(struct wnode) + rest_len - 1;
	if (need < value_len || reserve(w, need) < 0)
		return -ENOMEM;

	if (split) {
		/* the prefix bytes of N (a NUL, when not empty) become those
		 * of N and TAIL; TAIL takes N's table and values as they are */
		size_t tail_len = n->prefix_len - l - 1;
		w->size -= n->prefix_len + 1;
		w->size += (l ? l + 1 : 0) + (tail_len ? tail_len + 1 : 0) + 2 + 4 * (size_t)cap;
		struct wnode *tail = take_object(w, OBJECT_SIZE(struct wnode));
		*tail = *n;
		tail->prefix = n->prefix + l + 1;
		tail->prefix_len = tail_len;
		struct wnode **slots = take_object(w, cap * sizeof(*slots));
		memset(slots, 0, cap * sizeof(*slots));
		slots[edge - lo] = tail;
		*n = (struct wnode){ .prefix = n->prefix,
				     .prefix_len = l,
				     .slots = slots,
				     .lo = (uint8_t)lo,
				     .cap = (uint8_t)cap,
				     .first = (uint8_t)lo,
				     .last = (uint8_t)(lo + cap - 1) };
		cap = 0; /* the rest's edge fits the table just made */
	}
	if (rest_len) {
		struct wnode *leaf = take_object(w, OBJECT_SIZE(struct wnode));
		*leaf = (struct wnode){
			.prefix = take_copy(w, (const char *)rest + 1, rest_len - 1),
			.prefix_len = rest_len - 1,
		};
		w->size += rest_len > 1 ? rest_len : 0;
		table_put(w, n, rest_edge, leaf, lo, cap);
		n = leaf;
	}
	struct wvalue *v = take_object(w, OBJECT_SIZE(struct wvalue));
	*v = (struct wvalue){ .str = take_copy(w, value, value_len),
			      .len = value_len,
			      .priority = priority };
	w->size += (n->value_count ? 0 : 4) + 4 + value_len + 1;
	return node_add_value(n, v);
}

static uint32_t node_word(const struct wnode *n, size_t offset)
{
	uint32_t word = (uint32_t)offset;
	if (n->prefix_len)
		word |= NODE_PREFIX;
	if (n->value_count)
		word |= NODE_VALUES;
	if (n->cap)
		word |= NODE_CHILDREN;
	return word;
}

static unsigned char *put_be32(unsigned char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static unsigned char *put_string(unsigned char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	p[len] = '\0';
	return p + len + 1;
}

/* Writes N at P (BASE + its offset) and its subtree after it, each child's
 * offset word as the child is reached; returns the end. */
static unsigned char *emit(const struct wnode *n, unsigned char *base, unsigned char *p)
{
	if (n->prefix_len)
		p = put_string(p, n->prefix, n->prefix_len);
	unsigned char *table = NULL;
	if (n->cap) {
		*p++ = n->first;
		*p++ = n->last;
		table = p;
		p += 4 * (size_t)(n->last - n->first + 1);
	}
	if (n->value_count) {
		p = put_be32(p, (uint32_t)n->value_count);
		for (const struct wvalue *v = n->values; v; v = v->next) {
			p = put_be32(p, v->priority);
			p = put_string(p, v->str, v->len);
		}
	}
	if (!table)
		return p;
	for (unsigned b = n->first; b <= n->last; b++) {
		const struct wnode *c = n->slots[b - n->lo];
		table = put_be32(table, c ? node_word(c, (size_t)(p - base)) : 0);
		if (c)
			p = emit(c, base, p);
	}
	return p;
}

int kml_index_writer_build(const struct kml_index_writer *w, void **ret_data, size_t *ret_size)
{
	/* offsets grow in pre-order: the last node, down the highest edges,
	 * is the one that starts furthest, its body the end of the file */
	const struct wnode *last = w->root;
	while (last->cap)
		last = last->slots[last->last - last->lo];
	size_t last_size = (last->prefix_len ? last->prefix_len + 1 : 0) +
			   (last->value_count ? 4 + last->value_bytes : 0);
	if (w->size - last_size > NODE_OFFSET_MAX)
		return -EFBIG;
	size_t size = w->size;
	unsigned char *data = malloc(size);
	if (!data)
		return -ENOMEM;
	unsigned char *p = put_be32(data, INDEX_MAGIC);
	p = put_be32(p, INDEX_VERSION);
	p = put_be32(p, node_word(w->root, HEADER_SIZE));
	emit(w->root, data, p);
	*ret_data = data;
	*ret_size = size;
	return 0;
}
