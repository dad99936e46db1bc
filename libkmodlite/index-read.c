// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reader for the modules.*.bin trie indexes (layout in formats.md).
 *
 * The file is never trusted: every node is decoded through parse_node(),
 * which checks its offset, flags and parts against the mapping. Walks that
 * follow the query (exact lookup, the literal path of a wildcard lookup)
 * consume at least one key byte per node, so they end with the key. Walks
 * over whole subtrees (wildcard patterns, foreach) use an explicit stack,
 * reject a node that is its own ancestor, bound the key length, and draw on a
 * work budget a genuine tree cannot exceed, so that loops and graphs of
 * shared nodes end with -EBADMSG instead of hanging or blowing up. Walks
 * over patterns match them as they go down (glob_prefix), and leave out the
 * subtrees whose keys so far can match no beginning of the query.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodlite-private.h"

#define INDEX_MAGIC 0xB007F457u
#define INDEX_MAJOR 2u
#define INDEX_HEADER_SIZE 12u

#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDREN 0x20000000u
#define NODE_OFFSET_MASK 0x0FFFFFFFu

/* Smallest value entry: u32 priority + an empty NUL-terminated string. */
#define VALUE_MIN_SIZE 5u

/* Longest key rebuilt while walking a subtree: real keys are far shorter
 * (symbol names are at most 512 bytes, a uevent with its MODALIAS fits in
 * 2048). It also bounds the depth of a walk, since every level adds at least
 * its edge byte. */
#define KEY_MAX 4096u

struct kml_index {
	const uint8_t *data;
	size_t size;
	uint32_t root;
	bool mapped;
};

struct node {
	uint32_t offset;
	const char *prefix; /* not NUL-terminated within prefix_len */
	size_t prefix_len;
	const uint8_t *children; /* NULL when the node has none */
	unsigned int first, last;
	uint32_t value_count;
	size_t values_offset; /* file offset of the first value entry */
};

static inline uint32_t read_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline bool node_word_empty(uint32_t word)
{
	return (word & NODE_OFFSET_MASK) == 0;
}

/*
 * Decodes the node WORD refers to; WORD must not be empty. A node without
 * parts has an empty body, so it may start at the very end of the file: that
 * is how writers store the root of an index with no entries (a 12-byte file
 * whose root word is 12), e.g. modules.dep.bin when every module is built in.
 */
static int parse_node(const struct kml_index *index, uint32_t word, struct node *n)
{
	const uint8_t *data = index->data;
	size_t size = index->size;
	size_t p = word & NODE_OFFSET_MASK;

	if (p < INDEX_HEADER_SIZE || p > size)
		return -EBADMSG;
	n->offset = (uint32_t)p;

	n->prefix = "";
	n->prefix_len = 0;
	if (word & NODE_PREFIX) {
		size_t start = p;

		for (; p < size && data[p] != '\0'; p++)
			if (data[p] >= 0x80)
				return -EBADMSG;
		if (p >= size)
			return -EBADMSG;
		n->prefix = (const char *)data + start;
		n->prefix_len = p - start;
		p++;
	}

	n->children = NULL;
	n->first = 1;
	n->last = 0;
	if (word & NODE_CHILDREN) {
		size_t count;

		if (!range_ok(p, 2, size))
			return -EBADMSG;
		n->first = data[p];
		n->last = data[p + 1];
		/* Edge bytes are key bytes: 1..127. */
		if (n->first == 0 || n->first > n->last || n->last >= 0x80)
			return -EBADMSG;
		count = n->last - n->first + 1;
		p += 2;
		if (!range_ok(p, count * 4, size))
			return -EBADMSG;
		n->children = data + p;
		p += count * 4;
	}

	n->value_count = 0;
	n->values_offset = p;
	if (word & NODE_VALUES) {
		if (!range_ok(p, 4, size))
			return -EBADMSG;
		n->value_count = read_be32(data + p);
		p += 4;
		if (n->value_count > (size - p) / VALUE_MIN_SIZE)
			return -EBADMSG;
		n->values_offset = p;
	}
	return 0;
}

static inline uint32_t node_child(const struct node *n, unsigned char c)
{
	if (n->children == NULL || c < n->first || c > n->last)
		return 0;
	return read_be32(n->children + 4 * (c - n->first));
}

/*
 * Reads the value entry at *OFFSET and advances it past the entry. When
 * BUDGET is set, the bytes read are charged to it (see walk_budget).
 */
static int read_value(const struct kml_index *index, size_t *offset, uint64_t *budget,
		      struct kml_index_value *ret)
{
	size_t p = *offset, avail, used;
	const uint8_t *nul;

	if (!range_ok(p, VALUE_MIN_SIZE, index->size))
		return -EBADMSG;
	avail = index->size - p - 4;
	if (budget != NULL && avail > *budget)
		avail = (size_t)*budget;
	nul = memchr(index->data + p + 4, '\0', avail);
	if (nul == NULL)
		return -EBADMSG;
	used = (size_t)(nul - index->data) + 1 - p;
	if (budget != NULL) {
		if (used > *budget)
			return -EBADMSG;
		*budget -= used;
	}
	ret->priority = read_be32(index->data + p);
	ret->value = (const char *)index->data + p + 4;
	*offset = p + used;
	return 0;
}

static int index_new(const void *data, size_t size, bool mapped, struct kml_index **ret_index)
{
	const uint8_t *bytes = data;
	struct kml_index *index;

	if (size < INDEX_HEADER_SIZE)
		return -EBADMSG;
	if (read_be32(bytes) != INDEX_MAGIC || read_be32(bytes + 4) >> 16 != INDEX_MAJOR)
		return -EBADMSG;

	index = calloc(1, sizeof(*index));
	if (index == NULL)
		return -ENOMEM;
	index->data = bytes;
	index->size = size;
	index->root = read_be32(bytes + 8);
	index->mapped = mapped;
	*ret_index = index;
	return 0;
}

int kml_index_open(const char *path, struct kml_index **ret_index)
{
	struct stat st;
	void *map;
	size_t size;
	int fd, r;

	if (path == NULL || ret_index == NULL)
		return -EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	if (st.st_size < (off_t)INDEX_HEADER_SIZE || (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return -EBADMSG;
	}
	size = (size_t)st.st_size;

	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	r = map == MAP_FAILED ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;

	r = index_new(map, size, true, ret_index);
	if (r < 0)
		munmap(map, size);
	return r;
}

int kml_index_from_memory(const void *data, size_t size, struct kml_index **ret_index)
{
	if ((data == NULL && size > 0) || ret_index == NULL)
		return -EINVAL;
	return index_new(data, size, false, ret_index);
}

void kml_index_close(struct kml_index *index)
{
	if (index == NULL)
		return;
	if (index->mapped)
		munmap((void *)index->data, index->size);
	free(index);
}

/*
 * Follows KEY from the root to the node it ends at. Each step consumes at
 * least the edge byte, so the walk is bounded by the key's length whatever
 * the offsets say.
 */
static int find_node(const struct kml_index *index, const char *key, struct node *ret)
{
	uint32_t word = index->root;
	const char *k = key;

	for (;;) {
		unsigned char c;
		int r;

		if (node_word_empty(word))
			return -ENOENT;
		r = parse_node(index, word, ret);
		if (r < 0)
			return r;
		/* The prefix holds no NUL, so a shorter key mismatches. */
		if (strncmp(ret->prefix, k, ret->prefix_len) != 0)
			return -ENOENT;
		k += ret->prefix_len;
		if (*k == '\0')
			return ret->value_count > 0 ? 0 : -ENOENT;
		c = (unsigned char)*k++;
		word = node_child(ret, c); /* 0 for bytes >= 128: never stored */
	}
}

int kml_index_lookup(const struct kml_index *index, const char *key, const char **ret_value)
{
	struct kml_index_value v;
	struct node n;
	size_t p;
	int r;

	if (index == NULL || key == NULL || ret_value == NULL)
		return -EINVAL;
	r = find_node(index, key, &n);
	if (r < 0)
		return r;
	p = n.values_offset;
	r = read_value(index, &p, NULL, &v);
	if (r < 0)
		return r;
	*ret_value = v.value;
	return 0;
}

/* Values of one node lie at increasing addresses: comparing them keeps the
 * stored order of equal priorities. */
static int value_compare(const void *a, const void *b)
{
	const struct kml_index_value *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

/* Writers store a node's values sorted: only a corrupt file needs sorting. */
static void sort_by_priority(struct kml_index_value *v, size_t count)
{
	for (size_t i = 1; i < count; i++) {
		if (v[i - 1].priority > v[i].priority) {
			qsort(v, count, sizeof(*v), value_compare);
			return;
		}
	}
}

int kml_index_lookup_all(const struct kml_index *index, const char *key,
			 struct kml_index_value **ret_values, size_t *ret_count)
{
	struct kml_index_value *values;
	struct node n;
	size_t p;
	int r;

	if (index == NULL || key == NULL || ret_values == NULL || ret_count == NULL)
		return -EINVAL;
	r = find_node(index, key, &n);
	if (r < 0)
		return r;

	/* parse_node bounded value_count by the bytes left in the file. */
	values = calloc(n.value_count, sizeof(*values));
	if (values == NULL)
		return -ENOMEM;
	p = n.values_offset;
	for (uint32_t i = 0; i < n.value_count; i++) {
		r = read_value(index, &p, NULL, &values[i]);
		if (r < 0) {
			free(values);
			return r;
		}
	}
	sort_by_priority(values, n.value_count);
	*ret_values = values;
	*ret_count = n.value_count;
	return 0;
}

/* ------------------------------------------------------ subtree walks */

/*
 * Work budget of a walk. A genuine tree visits each node once: nodes are
 * reached through distinct 4-byte child words, and their prefixes and values
 * are distinct bytes of the file. One unit per node and per byte read thus
 * stays under 1.25 times the file size; pattern matching is charged a unit
 * per 128 key bytes on top. Running out means loops or shared nodes.
 */
static uint64_t walk_budget(const struct kml_index *index)
{
	return (uint64_t)index->size * 2 + 64;
}

static int charge(uint64_t *budget, uint64_t units)
{
	if (units > *budget)
		return -EBADMSG;
	*budget -= units;
	return 0;
}

/*
 * Called for every node that has values, in the walk's order (in a pattern
 * walk, only those whose key matches); KEY is its full key. Values are read
 * with BUDGET so that they count as work.
 */
typedef int (*node_visit_fn)(void *data, const char *key, const struct node *n,
			     uint64_t *budget);

struct walk_frame {
	struct node node;
	size_t key_len; /* length of the key up to the end of the node's prefix */
	unsigned int next; /* next edge byte to try */
	bool descending; /* offsets fall all the way from the walk's start to here */
	bool exact; /* pattern walks: the frame's set decides (see walk.gp) */
};

/* Frames (and position sets) held in struct walk before it takes memory:
 * deeper than any key of a real index. */
#define WALK_SMALL 64

struct walk {
	char key[KEY_MAX]; /* never zeroed: only the part up to the top frame is used */
	struct walk_frame *stack;
	size_t depth, cap;
	uint64_t *budget;
	/*
	 * Pattern walks: the keys are patterns matched against GP's string. Each
	 * frame has a set of positions (gp->words each in SETS), stepped through
	 * the key's bytes: a subtree whose key so far can match no beginning of
	 * the string is left out. Past a '[' or '\\' the set no longer follows
	 * (the frame is not exact) and glob_match() decides at each node.
	 */
	const struct glob_prefix *gp;
	size_t from; /* the patterns are matched against gp->string + from */
	uint64_t *sets;
	size_t sets_cap;
	struct walk_frame small_stack[WALK_SMALL];
	uint64_t small_sets[WALK_SMALL];
};

/* array_grow() for an array that starts as SMALL (not malloc'd). */
static int walk_grow(void **array, size_t *cap, size_t need, size_t elem, void *small)
{
	void *heap = NULL;
	size_t heap_cap = 0;
	int r;

	if (need <= *cap)
		return 0;
	if (*array != small)
		return array_grow(array, cap, need, elem);
	r = array_grow(&heap, &heap_cap, need, elem);
	if (r < 0)
		return r;
	memcpy(heap, small, *cap * elem);
	*array = heap;
	*cap = heap_cap;
	return 0;
}

/*
 * Pushes N, reached through LEAD (the edge byte, or the walk's key before
 * its start): LEAD and N's prefix are added to the key. *PUSHED is false
 * when a pattern walk leaves N out.
 */
static int walk_push(struct walk *w, const struct node *n, const char *lead, size_t lead_len,
		     bool *pushed)
{
	const struct walk_frame *parent = w->depth > 0 ? &w->stack[w->depth - 1] : NULL;
	size_t base = parent ? parent->key_len : 0, len;
	bool descending, exact = false;
	struct walk_frame *f;
	int r;

	*pushed = false;
	r = charge(w->budget, 1 + n->prefix_len);
	if (r < 0)
		return r;
	if (base + lead_len + n->prefix_len >= KEY_MAX)
		return -EBADMSG;
	memcpy(w->key + base, lead, lead_len);
	memcpy(w->key + base + lead_len, n->prefix, n->prefix_len);
	len = base + lead_len + n->prefix_len;
	w->key[len] = '\0';

	if (w->gp != NULL) {
		size_t words = w->gp->words;
		uint64_t *set;

		r = walk_grow((void **)&w->sets, &w->sets_cap, (w->depth + 1) * words,
			      sizeof(*w->sets), w->small_sets);
		if (r < 0)
			return r;
		set = w->sets + w->depth * words;
		exact = parent == NULL || parent->exact;
		if (parent == NULL)
			glob_prefix_start(w->gp, set, w->from);
		else if (exact)
			memcpy(set, set - words, words * sizeof(*set));
		for (size_t i = base; exact && i < len; i++) {
			int s = glob_prefix_step(w->gp, set, w->key[i]);
			if (s == GLOB_STEP_NONE)
				return 0;
			exact = s == GLOB_STEP_SOME;
		}
	}

	/* Files are written children first, so that offsets fall along every
	 * path and no node can be its own ancestor; elsewhere, look. The depth
	 * is bounded by KEY_MAX. */
	descending = parent == NULL || (parent->descending && n->offset < parent->node.offset);
	for (size_t i = 0; !descending && i < w->depth; i++)
		if (w->stack[i].node.offset == n->offset)
			return -EBADMSG;
	r = walk_grow((void **)&w->stack, &w->cap, w->depth + 1, sizeof(*w->stack),
		      w->small_stack);
	if (r < 0)
		return r;
	f = &w->stack[w->depth++];
	f->node = *n;
	f->key_len = len;
	f->next = n->first;
	f->descending = descending;
	f->exact = exact;
	*pushed = true;
	return 0;
}

/* The node of frame F (the deepest one) has values: visits it, in a
 * pattern walk only when its key matches. */
static int walk_visit(struct walk *w, const struct walk_frame *f, node_visit_fn visit,
		      void *data)
{
	bool match = true;
	int r;

	w->key[f->key_len] = '\0';
	if (w->gp != NULL) {
		r = charge(w->budget, f->key_len / 128);
		if (r < 0)
			return r;
		if (f->exact)
			match = glob_prefix_done(w->gp, w->sets + (w->depth - 1) * w->gp->words);
		else
			match = glob_match(w->key, w->gp->string + w->from);
	}
	return match ? visit(data, w->key, &f->node, w->budget) : 0;
}

/* The next edge byte of F worth following: in an exact frame of a pattern
 * walk, one that leaves some position in the set. */
static inline uint32_t walk_next_child(const struct walk *w, struct walk_frame *f)
{
	const uint64_t *set = w->gp && f->exact ? w->sets + (w->depth - 1) * w->gp->words : NULL;

	while (f->next <= f->node.last) {
		unsigned char c = (unsigned char)f->next++;
		uint32_t word = node_child(&f->node, c);

		if (!node_word_empty(word) && (set == NULL || glob_prefix_can_step(w->gp, set, c)))
			return word;
	}
	return 0;
}

/*
 * Depth-first walk of the subtree rooted at START, whose key before its
 * prefix is KEY_PREFIX. Children are taken by ascending edge byte; a node's
 * values are visited before its children (pre-order: key order) or after
 * them (post-order). Stops at VISIT's first non-zero return. With GP, the
 * keys (from KEY_PREFIX on) are patterns, and only those that match GP's
 * string from byte FROM on are visited.
 */
static int walk_subtree(const struct kml_index *index, const struct node *start,
			const char *key_prefix, size_t key_prefix_len, bool post_order,
			const struct glob_prefix *gp, size_t from, uint64_t *budget,
			node_visit_fn visit, void *data)
{
	struct walk w; /* not zeroed: 9 KB, mostly buffers */
	bool pushed;
	int r;

	w.stack = w.small_stack;
	w.cap = WALK_SMALL;
	w.depth = 0;
	w.budget = budget;
	w.gp = gp;
	w.from = from;
	w.sets = w.small_sets;
	w.sets_cap = WALK_SMALL;

	r = walk_push(&w, start, key_prefix, key_prefix_len, &pushed);
	if (r == 0 && pushed && !post_order && start->value_count > 0)
		r = walk_visit(&w, &w.stack[0], visit, data);
	if (r != 0 || !pushed)
		goto out;
	for (;;) {
		struct walk_frame *f = &w.stack[w.depth - 1];
		uint32_t word = walk_next_child(&w, f);

		if (!node_word_empty(word)) {
			char edge = (char)(f->next - 1);
			struct node n;

			r = parse_node(index, word, &n);
			if (r < 0)
				goto out;
			r = walk_push(&w, &n, &edge, 1, &pushed);
			if (r == 0 && pushed && !post_order && n.value_count > 0)
				r = walk_visit(&w, &w.stack[w.depth - 1], visit, data);
			if (r != 0)
				goto out;
			continue;
		}
		/* F is finished. */
		if (post_order && f->node.value_count > 0) {
			r = walk_visit(&w, f, visit, data);
			if (r != 0)
				goto out;
		}
		if (--w.depth == 0)
			break;
	}
	r = 0;
out:
	if (w.stack != w.small_stack)
		free(w.stack);
	if (w.sets != w.small_sets)
		free(w.sets);
	return r;
}

/* ----------------------------------------------------------- wildcard */

/*
 * The order of equal priorities follows kmod 30 (checked with modprobe -R on
 * crafted indexes): the nodes that matched, latest found first, each node's
 * values in stored order; subtrees are searched children first (post-order).
 */
struct match {
	unsigned int priority;
	const char *value;
	size_t node_seq;  /* how many matching nodes were found before */
	uint32_t index;	  /* position within the node */
};

struct wildcard {
	const struct kml_index *index;
	const char *query;
	const struct glob_prefix *gp; /* over the query */
	uint64_t budget;
	struct match *matches;
	size_t count, cap;
	size_t nodes;
};

static int wildcard_add_values(struct wildcard *wc, const struct node *n, uint64_t *budget)
{
	size_t p = n->values_offset;

	for (uint32_t i = 0; i < n->value_count; i++) {
		struct kml_index_value v;
		int r;

		r = read_value(wc->index, &p, budget, &v);
		if (r < 0)
			return r;
		r = ARRAY_GROW(wc->matches, wc->cap, wc->count + 1);
		if (r < 0)
			return r;
		wc->matches[wc->count] = (struct match){
			.priority = v.priority,
			.value = v.value,
			.node_seq = wc->nodes,
			.index = i,
		};
		wc->count++;
	}
	wc->nodes++;
	return 0;
}

static int wildcard_visit(void *data, const char *pattern, const struct node *n,
			  uint64_t *budget)
{
	return wildcard_add_values(data, n, budget);
}

static int match_compare(const void *a, const void *b)
{
	const struct match *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->node_seq != y->node_seq)
		return x->node_seq > y->node_seq ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static inline bool is_pattern_char(char c)
{
	return c == '*' || c == '?' || c == '[';
}

/*
 * Follows the query literally from the root. Where the stored keys turn into
 * patterns (a pattern character in a prefix, or a child reached through one)
 * every key of the subtree is matched as a shell pattern (as glob_match()
 * does, the subtrees that cannot match left out) against the query. As in
 * kmod, the part both share up to that point counts as matched literally,
 * even when the query itself holds pattern characters: only the rest of the
 * stored key is used as the pattern, against the rest of the query.
 *
 * The literal path consumes a query byte per node, so it ends with the
 * query. The subtrees searched are disjoint unless the path goes through a
 * pattern character of the query, so the walks share one budget, granted
 * once more for each such character.
 */
static int wildcard_search(struct wildcard *wc)
{
	static const char pattern_edges[] = { '*', '?', '[' };
	const char *query = wc->query;
	uint32_t word = wc->index->root;
	size_t pos = 0; /* bytes of the query matched so far */

	wc->budget = walk_budget(wc->index);
	for (const char *q = query; *q; q++)
		if (is_pattern_char(*q))
			wc->budget += walk_budget(wc->index);

	while (!node_word_empty(word)) {
		struct node n;
		int r;

		r = parse_node(wc->index, word, &n);
		if (r < 0)
			return r;

		for (size_t j = 0; j < n.prefix_len; j++) {
			if (is_pattern_char(n.prefix[j])) {
				struct node rest = n;

				rest.prefix += j;
				rest.prefix_len -= j;
				return walk_subtree(wc->index, &rest, "", 0, true, wc->gp, pos + j,
						    &wc->budget, wildcard_visit, wc);
			}
			if (n.prefix[j] != query[pos + j])
				return 0;
		}
		pos += n.prefix_len;

		for (size_t i = 0; i < ARRAY_SIZE(pattern_edges); i++) {
			uint32_t child_word = node_child(&n, (unsigned char)pattern_edges[i]);
			struct node child;

			if (node_word_empty(child_word))
				continue;
			r = parse_node(wc->index, child_word, &child);
			if (r < 0)
				return r;
			r = walk_subtree(wc->index, &child, &pattern_edges[i], 1, true, wc->gp,
					 pos, &wc->budget, wildcard_visit, wc);
			if (r < 0)
				return r;
		}

		if (query[pos] == '\0')
			return wildcard_add_values(wc, &n, NULL);
		word = node_child(&n, (unsigned char)query[pos]);
		pos++;
	}
	return 0;
}

int kml_index_lookup_wildcard(const struct kml_index *index, const char *key,
			      struct kml_index_value **ret_values, size_t *ret_count)
{
	struct glob_prefix gp; /* not zeroed: 2 KB that glob_prefix_init() fills */
	struct wildcard wc = {
		.index = index,
		.query = key,
		.gp = &gp,
	};
	struct kml_index_value *values = NULL;
	int r;

	if (index == NULL || key == NULL || ret_values == NULL || ret_count == NULL)
		return -EINVAL;

	r = glob_prefix_init(&gp, key);
	if (r < 0)
		return r;
	r = wildcard_search(&wc);
	if (r < 0)
		goto out;

	if (wc.count > 0) {
		qsort(wc.matches, wc.count, sizeof(*wc.matches), match_compare);
		values = calloc(wc.count, sizeof(*values));
		if (values == NULL) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < wc.count; i++)
			values[i] = (struct kml_index_value){
				.priority = wc.matches[i].priority,
				.value = wc.matches[i].value,
			};
	}
	*ret_values = values;
	*ret_count = wc.count;
	r = 0;
out:
	free(wc.matches);
	glob_prefix_release(&gp);
	return r;
}

/* ------------------------------------------------------------ foreach */

struct foreach {
	const struct kml_index *index;
	int (*fn)(void *data, const char *key, const struct kml_index_value *value);
	void *data;
};

static int foreach_visit(void *data, const char *key, const struct node *n, uint64_t *budget)
{
	struct foreach *fe = data;
	size_t p = n->values_offset;

	for (uint32_t i = 0; i < n->value_count; i++) {
		struct kml_index_value v;
		int r;

		r = read_value(fe->index, &p, budget, &v);
		if (r < 0)
			return r;
		r = fe->fn(fe->data, key, &v);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Returns 0 after the last pair, FN's non-zero return when it stopped early,
 * or -EBADMSG when the index is corrupt (FN may have seen some pairs). */
int kml_index_foreach(const struct kml_index *index,
		      int (*fn)(void *data, const char *key, const struct kml_index_value *value),
		      void *data)
{
	struct foreach fe = {
		.index = index,
		.fn = fn,
		.data = data,
	};
	uint64_t budget;
	struct node root;
	int r;

	if (index == NULL || fn == NULL)
		return -EINVAL;
	if (node_word_empty(index->root))
		return 0;
	r = parse_node(index, index->root, &root);
	if (r < 0)
		return r;
	budget = walk_budget(index);
	return walk_subtree(index, &root, "", 0, false, NULL, 0, &budget, foreach_visit, &fe);
}
