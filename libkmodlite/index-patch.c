// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Changing the priorities of a built modules.*.bin index in place (layout
 * in formats.md): depmod uses it when the keys and values of an index are
 * known to be those of the file on disk and only the modules' positions in
 * its order moved.
 */
#include <errno.h>

#include "index-write.h"
#include "kmodlite-private.h"

#define INDEX_MAGIC 0xB007F457u
#define INDEX_VERSION 0x00020001u
#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDREN 0x20000000u
#define NODE_OFFSET_MASK 0x0FFFFFFFu

static uint32_t be32_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* The end of the NUL-terminated string at P (before END), or NULL. */
static const unsigned char *string_end(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));
	return nul ? nul + 1 : NULL;
}

int kml_index_set_priorities(void *data, size_t size, kml_index_priority_fn fn, void *fn_data)
{
	unsigned char *d = data, *end = d + size;
	if (size < 12 || be32_at(d) != INDEX_MAGIC || be32_at(d + 4) != INDEX_VERSION)
		return -EBADMSG;
	/* every node but the root is named by a 4-byte slot of its parent's
	 * table: more visits than that means a loop */
	size_t budget = size / 4 + 1, top = 0, cap = 64;
	uint32_t *stack = malloc(cap * sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	stack[top++] = be32_at(d + 8);
	int r = 0;
	while (r == 0 && top > 0) {
		uint32_t word = stack[--top];
		size_t off = word & NODE_OFFSET_MASK;
		if (budget-- == 0 || off < 12 || off > size) {
			r = -EBADMSG;
			break;
		}
		unsigned char *p = d + off;
		if ((word & NODE_PREFIX) && !(p = (unsigned char *)string_end(p, end))) {
			r = -EBADMSG;
			break;
		}
		if (word & NODE_CHILDREN) {
			if (end - p < 2 || p[0] > p[1] || (size_t)(end - p - 2) / 4 < (size_t)(p[1] - p[0] + 1u)) {
				r = -EBADMSG;
				break;
			}
			size_t n = (size_t)(p[1] - p[0]) + 1;
			p += 2;
			for (size_t i = 0; i < n; i++, p += 4) {
				uint32_t child = be32_at(p);
				if (!child)
					continue;
				if (top == cap) {
					uint32_t *s = realloc(stack, 2 * cap * sizeof(*s));
					if (!s) {
						r = -ENOMEM;
						break;
					}
					stack = s;
					cap *= 2;
				}
				stack[top++] = child;
			}
		}
		if (r == 0 && (word & NODE_VALUES)) {
			if (end - p < 4) {
				r = -EBADMSG;
				break;
			}
			size_t n = be32_at(p);
			p += 4;
			long last = -1;
			for (size_t i = 0; r == 0 && i < n; i++) {
				const unsigned char *value_end = end - p >= 4 ? string_end(p + 4, end) : NULL;
				if (!value_end) {
					r = -EBADMSG;
					break;
				}
				long priority = fn((const char *)p + 4, fn_data);
				/* a value unknown, or two swapped: not the same index */
				if (priority < 0 || priority <= last || priority > (long)UINT32_MAX)
					r = -ENOENT;
				else
					set_be32(p, (uint32_t)priority);
				last = priority;
				p = (unsigned char *)value_end;
			}
		}
	}
	free(stack);
	return r;
}
